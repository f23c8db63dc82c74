/* SPDX-License-Identifier: Apache-2.0 */
/* builder.h - the builder's own header, shared by the sections of the
 * builder (build.c: the whole build and the base image; build_fetch.c:
 * downloads; build_key.c: what a step's cache key is made of;
 * build_run.c: the staged rootfs, the RUN sandbox and the diff;
 * build_steps.c: files steps and running one step; build_image.c: the
 * extension, container image discovery, the image and its outputs;
 * multi.c: several platforms, and the platform check of an output). Not
 * for other modules: build.h is the builder's interface.
 */
#ifndef KF_BUILDER_H
#define KF_BUILDER_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "build/build.h"
#include "oci/digest.h"
#include "oci/layer.h"
#include "build/plan.h"
#include "oci/store.h"

/* Has the front end been asked to stop (kf_build_options.interrupted)? */
#define KF_BUILDER_INTERRUPTED(b) ((b)->o->interrupted && *(b)->o->interrupted)

/* A set of container images to cache (build_cache.c). */
typedef struct kf_image_set kf_image_set;
void kf_image_set_free(kf_image_set *s);

/* One build. */
typedef struct builder {
	const kf_build_options *o;
	const kf_document *doc;
	const kf_instr *from; /* the FROM instruction, or NULL */
	kf_diag_bag *diags;
	kf_store store;
	char *tmp;          /* this build's private directory */
	char *blobtmp;      /* where layer blobs are written before their rename */
	kf_plan *plan;
	struct kf_ignore *ignore; /* the context's ignore file and the outputs in the context */
	kf_layer_options lopt;
	int64_t now;
	char created[64];
	/* the image so far */
	json_t *layers;     /* descriptors */
	json_t *diff_ids;
	json_t *history;
	json_t *base_ext;   /* the base's sealer extension, or NULL */
	char key[KF_DIGEST_LEN + 1];
	/* the staged rootfs, once a RUN needs it */
	char *rootfs;
	size_t staged;      /* layers applied to it */
	json_t *apps;       /* name → {"paths":[disk…], "files":[…]} */
	const kf_build_report *report;
	char *bwrap;
	char isolation[8];
	/* the container image cache: the context's images (sealos's way) and
	 * the final list's (sealer's way), resolved once */
	kf_image_set *ctx_images, *final_images;
	json_t *ctx_archived; /* name → manifest digest of images/skopeo archives */
	char config_digest[KF_DIGEST_LEN + 1]; /* once written */
	/* the running step's counters (report->progress), when last told */
	kf_build_progress_event counters;
	double counters_at;
	struct kf_rcache *rcache; /* --cache-from, --cache-to, or NULL */
} builder;

/* A message of no file with its code, through report (NULL: none) */
void kf_report_say(const kf_build_report *report, kf_severity sev, const char *code, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* A message of no file with its code, through the report. */
void kf_builder_say(builder *b, kf_severity sev, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error with its code (docs/diagnostics.md) at the step's instruction,
 * or of no file when step is NULL. */
void kf_builder_error(builder *b, const kf_plan_step *step, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Monotonic seconds. */
double kf_builder_now(void);
void kf_builder_progress(builder *b, size_t i, size_t n, const kf_plan_step *step, kf_build_step_state state,
			 const kf_layer_result *res, double secs);
/* b->counters to the front end, unless they were told less than 50 ms ago */
void kf_builder_counters(builder *b);

/* build_fetch.c: url into dest, bounded (docs/build.md, "Security model") */
bool kf_builder_fetch(builder *b, const kf_plan_step *step, const char *url, const char *dest, int64_t *mtime);

/* build_key.c: a source's metadata (or with content, its bytes' digest),
 * a tree's (ctx_path: the tree is that path of the context, and what the
 * ignore set leaves out of it is not hashed; NULL: all of it); a step's
 * key from its parent's, its plan entry and its inputs */
bool kf_builder_hash_path(builder *b, kf_sha256 *h, const char *path, const char *name, bool content);
bool kf_builder_hash_tree(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path);
/* the same with each file's content (its bytes' digest, its time clamped)
 * for its metadata: the same on every machine */
bool kf_builder_hash_tree_content(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path);
/* the filter of a context tree (kf_layer_add_tree_filtered): the entries
 * under the context path dir ("" the whole context) as the build's ignore
 * set picks them; kf_ctx_filter_release frees rel */
typedef struct kf_ctx_filter {
	const struct kf_ignore *ig;
	const char *dir;
	kf_buf rel;
} kf_ctx_filter;
kf_tree_pick kf_builder_ctx_pick(void *filter, const char *rel, bool is_dir);
void kf_builder_step_key(const char *parent, const kf_plan_step *step, const char *inputs,
			 char out[KF_DIGEST_LEN + 1]);
/* a key from what and the image's layers so far (for what depends on them alone) */
void kf_builder_layers_key(const builder *b, const char *what, char out[KF_DIGEST_LEN + 1]);
/* what is known under such a key: the store's cache, else an imported
 * cache's (--cache-from; then written into the store's); a new reference
 * or NULL. kf_builder_fact_put records it in the store's cache and for
 * --cache-to. */
json_t *kf_builder_fact_get(builder *b, const char *key);
bool kf_builder_fact_put(builder *b, const char *key, const json_t *rec, kf_err *err);
/* b->key becomes the key of step after it */
void kf_builder_key_step(builder *b, const kf_plan_step *step, const char *inputs);

/* build_run.c: a layer's blob in the store (malloc'd); the layers not yet
 * applied to the staged rootfs; a RUN step into l */
char *kf_builder_blob(builder *b, const json_t *desc);
bool kf_builder_stage(builder *b, const kf_plan_step *step);
bool kf_builder_run(builder *b, const kf_plan_step *step, kf_layer *l);

/* build_steps.c: a layer into the store, appended to the image (frees l;
 * a new reference to its descriptor, or NULL); one step of the plan */
json_t *kf_builder_store_layer(builder *b, const kf_plan_step *step, kf_layer *l, kf_layer_result *res);
bool kf_builder_step(builder *b, size_t idx, size_t n, kf_plan_step *step);

/* build_image.c: the final container image list ([{"image", "app"?,
 * "where"?}]); the config and the manifest into the store (with the
 * list as the images annotation); an output; the diagnostics of the files
 * a discovery read, rendered (handed to the front end when show) */
json_t *kf_builder_container_images(builder *b);
bool kf_builder_write_image(builder *b, const json_t *images, json_t **manifest_desc);
struct kf_imagelist;
char *kf_builder_discovery_warnings(builder *b, const struct kf_imagelist *l, bool show);

/* build_cache.c: a KF_SRC_REGISTRY source's images resolved and hashed
 * into h; its cache added to l (blobs fetched first); sealer's step that
 * caches the images of the final list the image's registry/ lacks */
bool kf_builder_registry_prepare(builder *b, const kf_plan_step *step, const kf_plan_source *src, kf_sha256 *h);
bool kf_builder_registry_add(builder *b, const kf_plan_step *step, const kf_plan_source *src, kf_layer *l);
bool kf_builder_cache_images(builder *b, const json_t *images);
bool kf_builder_write_output(builder *b, const char *out, const json_t *desc);

/* build.c: writes the --cache-to cache of c (NULL: none); a warning when
 * it cannot be */
void kf_builder_export_cache(struct kf_rcache *c, const char *store, const kf_build_options *o,
			     const kf_build_report *report);

/* multi.c: the tag of an output that names none (the first -t's tag, else
 * "latest"); false with err when writing an image of the n platforms plats
 * to out (oci:DIR[:TAG]) would replace, at that tag, an image of a
 * platform it has not (KF619: name them all in --platform) */
const char *kf_builder_output_tag(const kf_build_options *o);
bool kf_builder_check_output(const char *out, const char *default_tag, const kf_platform *plats, size_t n,
			     kf_err *err);

#endif
