/* SPDX-License-Identifier: Apache-2.0 */
/* build_cache.c - the ClusterImage's container image cache (registry/ in
 * the rootfs, docker distribution's filesystem storage: registry/distfs.h):
 * sealos's way, the images of the build context saved into the registry
 * folder a COPY names (KF_SRC_REGISTRY with the path "registry"), and
 * sealer's way, every image of the final list cached by one more step
 * after the Kubefile's. Both resolve the images first (a step's key is
 * made of their digests, so an unchanged rebuild fetches no blob), fetch
 * what the store lacks only when the step runs, and write the layer from
 * the store. docs/build.md, "Container image cache". */
#include "build/builder.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"
#include "base/fsutil.h"
#include "base/ignore.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "discovery/imagelist.h"
#include "oci/archive.h"
#include "oci/oci.h"
#include "registry/client.h"
#include "registry/distfs.h"

/* A set of images to cache, resolved once. */
struct kf_image_set {
	json_t *list;           /* [{"image", "where"?}] */
	size_t n;
	kf_pull_item *items;
	kf_pull_batch *batch;   /* the resolution, while blobs are still to fetch */
	kf_distfs_image *dist;  /* name, index, manifest of each */
	json_t *digests;        /* the strings dist points at */
	kf_registry_options ro; /* the batch's, for as long as it lives */
	builder *b;             /* for the callbacks */
	bool resolved, fetched, failed;
	size_t nerrors;         /* KF618s said; past MAX_SAID, only counted */
};

#define MAX_SAID 10

void kf_image_set_free(kf_image_set *s)
{
	if (!s)
		return;
	kf_registry_batch_free(s->batch);
	json_decref(s->list);
	json_decref(s->digests);
	free(s->items);
	free(s->dist);
	free(s);
}

static const char *where_of(const kf_image_set *s, size_t i)
{
	const char *w = json_string_value(json_object_get(json_array_get(s->list, i), "where"));
	return w ? w : "";
}

/* "container image nginx:1.25 (manifests/app.yaml:12:16): why"; the
 * first MAX_SAID of a set, then only counted (see said_all) */
static void image_error(builder *b, const kf_plan_step *step, kf_image_set *s, size_t i, const char *why)
{
	if (s->nerrors++ >= MAX_SAID)
		return;
	char *familiar = kf_imageref_familiar(s->items[i].name);
	const char *w = where_of(s, i);
	kf_builder_error(b, step, "KF618", "container image %s%s%s%s: %s", familiar, *w ? " (" : "", w, *w ? ")" : "",
			 why);
	free(familiar);
}

/* the errors not said one by one */
static void said_all(builder *b, const kf_plan_step *step, const kf_image_set *s)
{
	if (s->nerrors > MAX_SAID)
		kf_builder_error(b, step, "KF618", "and %zu more container images cannot be had (not said one by one)",
				 s->nerrors - MAX_SAID);
}

/* the record of what a name resolved to, for --pull=never */
static void record_key(builder *b, const char *name, char key[KF_DIGEST_LEN + 1])
{
	const kf_platform *p = &b->plan->platform;
	kf_buf t = KF_BUF_INIT;
	kf_buf_printf(&t, "container-image-v1\n%s\n%s/%s/%s\n", name, p->os, p->arch, p->variant);
	kf_sha256_bytes(t.ptr, t.len, key);
	kf_buf_release(&t);
}

static void pull_progress(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished)
{
	const builder *b = ((kf_image_set *)ud)->b;
	if (b->report && b->report->blob)
		b->report->blob(b->report->ud, digest, done, total, finished);
}

/* an image is whole in the store: the front end hears of it at once */
static void image_done(void *ud, size_t i)
{
	const kf_image_set *s = ud;
	const builder *b = s->b;
	if (b->report && b->report->image) {
		kf_build_image_event ev = {s->items[i].name, s->items[i].res.digest, s->items[i].res.fetched,
					   s->items[i].res.present, s->items[i].res.bytes};
		b->report->image(b->report->ud, &ev);
	}
}

static kf_registry_options registry_options(builder *b, kf_image_set *s)
{
	return (kf_registry_options){.tls_verify = !b->o->tls_verify_off, .stall_timeout = b->o->stall_timeout,
				     .interrupted = b->o->interrupted, .tmpdir = b->tmp,
				     .registries = b->o->registries, .jobs = b->o->jobs,
				     .progress = pull_progress, .image_done = image_done, .ud = s};
}

static void set_dist(kf_image_set *s, size_t i, const char *index, const char *manifest)
{
	json_t *pair = json_pack("[s,s]", index ? index : "", manifest);
	json_array_append_new(s->digests, pair);
	s->dist[i].name = s->items[i].name;
	s->dist[i].index = index && *index ? json_string_value(json_array_get(pair, 0)) : NULL;
	s->dist[i].manifest = json_string_value(json_array_get(pair, 1));
}

/* Resolves every image of s: from the records with --pull=never, else
 * from the registries; errors at step (or of no file). */
static bool resolve(builder *b, const kf_plan_step *step, kf_image_set *s)
{
	if (s->resolved)
		return !s->failed;
	s->resolved = true;
	s->n = json_array_size(s->list);
	s->items = calloc(s->n + 1, sizeof *s->items);
	s->dist = calloc(s->n + 1, sizeof *s->dist);
	s->digests = json_array();
	if (!s->items || !s->dist)
		abort();
	for (size_t i = 0; i < s->n; i++)
		s->items[i].name = json_string_value(json_object_get(json_array_get(s->list, i), "image"));
	if (b->o->pull == KF_PULL_NEVER) {
		for (size_t i = 0; i < s->n; i++) {
			char key[KF_DIGEST_LEN + 1];
			record_key(b, s->items[i].name, key);
			json_t *rec = kf_store_cache_get(&b->store, key);
			const char *m = json_string_value(json_object_get(rec, "manifest"));
			const char *ix = json_string_value(json_object_get(rec, "index"));
			char *p = m && kf_digest_valid(m) ? kf_oci_blob_path(b->store.dir, m) : NULL;
			if (p && access(p, F_OK) == 0) {
				set_dist(s, i, ix, m);
			} else {
				image_error(b, step, s, i, "not in the local store, and --pull=never");
				s->failed = true;
			}
			free(p);
			json_decref(rec);
		}
		s->fetched = true;
		said_all(b, step, s);
		return !s->failed;
	}
	s->b = b;
	s->ro = registry_options(b, s);
	const kf_platform *p = &b->plan->platform;
	kf_platform_want want = {p->os, p->arch, p->variant};
	s->batch = kf_registry_resolve_all(b->store.dir, s->items, s->n, &want, &s->ro);
	for (size_t i = 0; i < s->n; i++) {
		kf_pull_item *it = &s->items[i];
		if (!it->ok) {
			if (!KF_BUILDER_INTERRUPTED(b))
				image_error(b, step, s, i, it->err.msg);
			s->failed = true;
			continue;
		}
		set_dist(s, i, it->res.index_digest, it->res.digest);
	}
	said_all(b, step, s);
	return !s->failed;
}

/* Fetches what the store lacks of the resolved images, and records what
 * each name resolved to. */
static bool fetch(builder *b, const kf_plan_step *step, kf_image_set *s)
{
	if (s->fetched)
		return !s->failed;
	s->fetched = true;
	kf_err e;
	if (!kf_registry_fetch_all(s->batch, &e)) {
		for (size_t i = 0; i < s->n; i++)
			if (!s->items[i].ok && s->items[i].err.msg[0] && !KF_BUILDER_INTERRUPTED(b)) {
				image_error(b, step, s, i, s->items[i].err.msg);
				break;
			}
		s->failed = true;
		return false;
	}
	for (size_t i = 0; i < s->n; i++) {
		char key[KF_DIGEST_LEN + 1];
		record_key(b, s->items[i].name, key);
		json_t *rec = json_pack("{s:s,s:s}", "manifest", s->dist[i].manifest, "index",
					s->dist[i].index ? s->dist[i].index : "");
		kf_store_cache_put(&b->store, key, rec, &e);
		json_decref(rec);
	}
	kf_registry_batch_free(s->batch);
	s->batch = NULL;
	return true;
}

/* ---- the images of the context, as sealos build finds them ------------------------------- */

/* .sealignore: the names not to save, as written (and normalised) */
/* images/skopeo/tar.txt: "docker-archive:FILE@NAME" or
 * "oci-archive:FILE@NAME" lines, FILE relative to images/skopeo: each
 * archive's image into the store as NAME */
static bool archive_images(builder *b, const kf_plan_step *step, json_t *archived)
{
	char *dir = kf_path_join(b->plan->context, "images/skopeo");
	char *txt = kf_path_join(dir, "tar.txt");
	FILE *f = fopen(txt, "r");
	char line[4096];
	unsigned lineno = 0;
	bool ok = true;
	while (ok && f && fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		char *at = strrchr(p, '@');
		char *colon = strchr(p, ':');
		const char *why;
		char *name = at ? kf_imageref_normalise_str(kf_str_cstr(at + 1), &why) : NULL;
		bool docker = strncmp(p, "docker-archive:", 15) == 0;
		if (!at || !colon || colon > at || !name || (!docker && strncmp(p, "oci-archive:", 12) != 0)) {
			kf_builder_error(b, step, "KF618", "images/skopeo/tar.txt:%u: expected docker-archive:FILE@NAME or "
				   "oci-archive:FILE@NAME", lineno);
			free(name);
			ok = false;
			break;
		}
		*at = '\0';
		char *rel = kf_path_clean(colon + 1, false);
		char *file = rel ? kf_path_in_root(dir, rel, true) : NULL;
		kf_err e;
		char *x = NULL;
		if (!file || asprintf(&x, "%s/archive-%u", b->tmp, lineno) < 0) {
			ok = kf_err_set(&e, "'%s' is not a file under images/skopeo", colon + 1);
		} else {
			kf_remove_tree(x);
			ok = kf_oci_archive_extract(file, x, &e);
			char *mf = kf_path_join(x, "manifest.json"), *ix = kf_path_join(x, "index.json");
			if (ok && access(ix, F_OK) != 0 && access(mf, F_OK) == 0)
				ok = kf_docker_archive_to_layout(x, &e);
			free(mf);
			free(ix);
			json_t *index = ok ? kf_oci_index_read(x, &e) : NULL;
			json_t *desc = json_array_get(json_object_get(index, "manifests"), 0);
			const char *mt = json_string_value(json_object_get(desc, "mediaType"));
			if (ok && (!desc || !mt || kf_oci_is_index_type(mt)))
				ok = kf_err_set(&e, "no single image manifest in the archive");
			ok = ok && kf_oci_check_descriptor(desc, "the archive's image", &e) &&
			     kf_oci_copy_image(x, b->store.dir, desc, true, &e);
			if (ok)
				json_object_set_new(archived, name, json_deep_copy(json_object_get(desc, "digest")));
			json_decref(index);
			kf_remove_tree(x);
		}
		if (!ok)
			kf_builder_error(b, step, "KF618", "images/skopeo/tar.txt:%u: %s: %s", lineno, colon + 1, e.msg);
		free(x);
		free(file);
		free(rel);
		free(name);
	}
	if (f)
		fclose(f);
	free(txt);
	free(dir);
	return ok;
}

/* The images sealos build saves from the context: charts/ (each chart), manifests/,
 * the lists of images/shim/, minus .sealignore. */
static json_t *context_images(builder *b, const kf_plan_step *step, json_t *archived)
{
	const char *ctx = b->plan->context;
	kf_imagelist l;
	kf_imagelist_init(&l);
	l.ignore = b->ignore;
	l.ignore_root = ctx;
	kf_imagelist_scan_context(&l, ctx);
	free(kf_builder_discovery_warnings(b, &l, true));
	json_t *list = json_array();
	size_t pl = strlen(ctx) + 1;
	for (size_t i = 0; i < l.len; i++) {
		const kf_image_entry *e = &l.items[i];
		char where[PATH_MAX + 32];
		const char *f = strncmp(e->file, ctx, pl - 1) == 0 && e->file[pl - 1] == '/' ? e->file + pl : e->file;
		snprintf(where, sizeof where, "%s:%u:%u", f, e->line, e->col);
		json_array_append_new(list, json_pack("{s:s,s:s}", "image", e->image, "where", where));
	}
	kf_imagelist_release(&l);
	/* an archive's image is the one saved under its name */
	json_t *out = NULL;
	if (archive_images(b, step, archived)) {
		out = json_array();
		size_t i;
		json_t *e;
		json_array_foreach(list, i, e) {
			if (!json_object_get(archived, json_string_value(json_object_get(e, "image"))))
				json_array_append(out, e);
		}
	}
	json_decref(list);
	return out;
}

/* ---- a registry source: its key, then its layer ------------------------------------------------ */

static kf_image_set *set_for(builder *b, const kf_plan_step *step, const kf_plan_source *src)
{
	if (!src->path)
		return b->final_images;
	if (!b->ctx_images) {
		b->ctx_images = calloc(1, sizeof *b->ctx_images);
		json_t *archived = json_object();
		/* --build-mode=lite: the folder a COPY names is there, without images */
		b->ctx_images->list = b->o->build_mode == KF_BUILD_MODE_LITE ? json_array()
									  : context_images(b, step, archived);
		if (!b->ctx_images->list)
			b->ctx_images->resolved = b->ctx_images->failed = true;
		b->ctx_archived = archived;
	}
	return b->ctx_images;
}

bool kf_builder_registry_prepare(builder *b, const kf_plan_step *step, const kf_plan_source *src, kf_sha256 *h)
{
	kf_image_set *s = set_for(b, step, src);
	if (!s || !resolve(b, step, s))
		return false;
	for (size_t i = 0; i < s->n; i++) {
		kf_buf t = KF_BUF_INIT;
		kf_buf_printf(&t, "%s %s %s\n", s->dist[i].name, s->dist[i].index ? s->dist[i].index : "-",
			      s->dist[i].manifest);
		kf_sha256_update(h, t.ptr, t.len);
		kf_buf_release(&t);
	}
	if (src->path && b->ctx_archived) {
		const char *k;
		json_t *v;
		json_object_foreach(b->ctx_archived, k, v) {
			kf_sha256_update(h, k, strlen(k) + 1);
			kf_sha256_update(h, json_string_value(v), strlen(json_string_value(v)) + 1);
		}
	}
	return true;
}

bool kf_builder_registry_add(builder *b, const kf_plan_step *step, const kf_plan_source *src, kf_layer *l)
{
	kf_image_set *s = set_for(b, step, src);
	if (!s || !resolve(b, step, s) || !fetch(b, step, s))
		return false;
	KF_VEC(kf_distfs_image) all = {0};
	for (size_t i = 0; i < s->n; i++)
		kf_vec_push(&all, s->dist[i]);
	if (src->path && b->ctx_archived) {
		const char *k;
		json_t *v;
		json_object_foreach(b->ctx_archived, k, v) kf_vec_push(&all, ((kf_distfs_image){k, NULL, json_string_value(v)}));
	}
	kf_err e;
	bool ok = kf_distfs_add(l, src->dest, b->store.dir, all.v, all.n, &e);
	kf_vec_free(&all);
	if (!ok)
		kf_builder_error(b, step, "KF618", "the container image cache: %s", e.msg);
	return ok;
}

/* ---- sealer's way: one more step ------------------------------------------------------------- */

/* What the image's registry/ holds so far, cached by its layers' digests. */
static json_t *cached_so_far(builder *b)
{
	char key[KF_DIGEST_LEN + 1];
	kf_builder_layers_key(b, "registry-scan-v1", key);
	size_t k;
	json_t *ld;
	json_t *rec = kf_builder_fact_get(b, key);
	json_t *scan = json_is_object(json_object_get(rec, "scan")) ? json_incref(json_object_get(rec, "scan")) : NULL;
	json_decref(rec);
	if (scan)
		return scan;
	KF_VEC(char *) paths = {0};
	json_array_foreach(b->layers, k, ld) kf_vec_push(&paths, kf_builder_blob(b, ld));
	kf_err e;
	scan = kf_distfs_scan((const char *const *)paths.v, paths.n, "registry", &e);
	for (k = 0; k < paths.n; k++)
		free(paths.v[k]);
	kf_vec_free(&paths);
	if (!scan) {
		kf_builder_say(b, KF_SEV_WARNING, "KF613", "the container image cache of the base: %s", e.msg);
		return json_object();
	}
	rec = json_pack("{s:O}", "scan", scan);
	kf_builder_fact_put(b, key, rec, &e);
	json_decref(rec);
	return scan;
}

bool kf_builder_cache_images(builder *b, const json_t *images)
{
	json_t *scan = cached_so_far(b);
	json_t *todo = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(images, i, e) {
		const char *img = json_string_value(json_object_get(e, "image"));
		if (!kf_distfs_has(scan, img))
			json_array_append(todo, e);
	}
	json_decref(scan);
	if (!json_array_size(todo)) {
		json_decref(todo);
		return true;
	}
	b->final_images = calloc(1, sizeof *b->final_images);
	b->final_images->list = todo;
	char *by = NULL;
	if (asprintf(&by, "kfc build: cache container images (%zu)", json_array_size(todo)) < 0)
		abort();
	kf_plan_source src = {.type = KF_SRC_REGISTRY, .dest = "registry"};
	kf_plan_step step = {.index = UINT32_MAX, .instruction = KF_INSTR_COPY, .created_by = by,
			     .kind = KF_STEP_FILES, .mode = -1, .sources = &src, .nsources = 1};
	size_t n = b->plan->nsteps;
	bool ok = kf_builder_step(b, n, n + 1, &step);
	free(src.disk);
	free(by);
	return ok;
}
