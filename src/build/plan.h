/* SPDX-License-Identifier: Apache-2.0 */
/* plan.h - lowering: a parsed Kubefile and its semantic model, with the
 * build context, the build arguments, the platform and what the base image
 * provides, become a build plan, the contract between the front end and
 * the builder (docs/build.md has its schema).
 *
 * The plan is C structs, allocated in the plan's arena: one step per
 * instruction after FROM, each with its line, its history text, and what
 * it does: KF_STEP_FILES (sources resolved in the context, each with its
 * destination in the rootfs), KF_STEP_RUN (argv and environment), or
 * KF_STEP_CONFIG (no files change). The resulting image config (Env,
 * Labels, …) and the sealer image extension (apps, env, launch) are JSON
 * documents, as they go into the image; the builder fills in what only the
 * files can tell (app types and files, the container image list).
 * kf_plan_to_json gives the JSON that `kfc plan` prints and that a step's
 * cache key is made of.
 *
 * Lowering has one function per instruction kind. Problems are
 * diagnostics with spans, added to the bag given.
 */
#ifndef KF_PLAN_H
#define KF_PLAN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "syntax/ast.h"
#include "syntax/diag.h"
#include "sema/model.h"
#include "sema/platform.h"

typedef enum kf_step_kind {
	KF_STEP_FILES,  /* COPY, ADD, APP, CNI, CSI, PLUGINS, IMAGES: a layer of files */
	KF_STEP_RUN,    /* RUN: a layer of what the command changed */
	KF_STEP_CONFIG, /* everything else: history only */
} kf_step_kind;

typedef enum kf_source_type {
	KF_SRC_FILE,    /* path: a file of the context */
	KF_SRC_DIR,     /* path: a directory of the context, its contents */
	KF_SRC_ARCHIVE, /* path: a local tar ADD extracts at dest */
	KF_SRC_URL,     /* url (and checksum): downloaded */
	KF_SRC_DATA,    /* data: a heredoc's text */
	KF_SRC_APPEND,  /* data: lines added to the file at dest (manifests/imageList) */
	KF_SRC_REGISTRY, /* the container image cache the build makes (docs/build.md): path "registry",
			  * the images found in the context (sealos's way); no path, the image's
			  * final list (sealer's way); dest: the folder that gets docker/ */
} kf_source_type;

typedef struct kf_plan_source {
	kf_source_type type;
	const char *path;     /* FILE, DIR, ARCHIVE: relative to the context */
	const char *url;      /* URL */
	const char *checksum; /* URL: ADD --checksum, or NULL */
	const char *data;     /* DATA, APPEND */
	const char *dest;     /* in the rootfs, without a leading '/' */
	char *disk;           /* set by the builder: where the bytes are; not in the JSON */
} kf_plan_source;

typedef struct kf_plan_step {
	uint32_t index;          /* the instruction's index in the document */
	uint32_t line;           /* 1-based, for messages */
	kf_kind instruction;
	const char *created_by;  /* the history text */
	kf_step_kind kind;
	/* files steps */
	const char *owner;       /* --chown, or NULL */
	int mode;                /* --chmod, or -1 */
	const char *app;         /* APP, CNI, CSI: the app's name, or NULL */
	kf_plan_source *sources;
	size_t nsources;
	/* run steps */
	const char *const *argv;
	size_t nargv;
	const char *const *env;  /* NAME=VALUE */
	size_t nenv;
	const char *network;     /* RUN --network: "none" or "host"; NULL: the default */
} kf_plan_step;

typedef struct kf_plan {
	kf_arena arena;
	const char *context;     /* absolute */
	kf_platform platform;
	json_t *args;            /* the ARGs' final values: {"NAME": "value"} */
	kf_plan_step *steps;
	size_t nsteps;
	json_t *config;          /* the image config's "config": Env, Labels, User… */
	json_t *extension;       /* sealer.image.extension: type, applications, env, launch */
	const struct kf_ignore *ignore; /* the input's (borrowed) */
} kf_plan;

typedef struct kf_plan_input {
	const kf_document *doc;
	const kf_model *model;
	const char *context;        /* absolute, resolved */
	const char *const *build_args; /* "K=V" */
	size_t nbuild_args;
	kf_platform platform;
	const char *image_type;     /* "kube-installer" (default) or "app-installer" */
	/* a COPY or ADD of the context's "registry" folder, or of the whole
	 * context, gets the build's cache of the context's images too
	 * (KF_SRC_REGISTRY), and the folder need not exist */
	bool context_registry;
	/* what the base image provides, known after FROM is resolved */
	const json_t *base_apps;    /* the base's extension "applications", or NULL */
	const json_t *base_env;     /* its extension "env", or NULL */
	const json_t *base_config;  /* its config "config" object, or NULL */
	/* what the context's ignore file and the build leave out of it
	 * (base/ignore.h): no source names it, no glob or tree takes it;
	 * NULL: nothing */
	const struct kf_ignore *ignore;
} kf_plan_input;

/* The base image reference of the Kubefile's FROM, with ARGs before it
 * expanded; "scratch" included. NULL (and a diagnostic) if it cannot be
 * had. malloc'd. */
char *kf_plan_base_ref(const kf_plan_input *in, kf_diag_bag *diags);

/* Lowers; NULL if a diagnostic of severity error was added. */
kf_plan *kf_plan_lower(const kf_plan_input *in, kf_diag_bag *diags);
void kf_plan_free(kf_plan *plan);

/* The plan as `kfc plan` prints it (docs/build.md); a new reference. */
json_t *kf_plan_to_json(const kf_plan *plan);
/* One step's JSON; located: with its "index" and "line" (what the cache
 * key leaves out). A new reference. */
json_t *kf_plan_step_to_json(const kf_plan_step *step, bool located);

/* {"os", "architecture", "variant"?}, as the OCI index and the plan have it */
json_t *kf_platform_to_json(const kf_platform *p);

const char *kf_source_type_name(kf_source_type t);

/* The instruction of a plan step (for located messages). */
const kf_instr *kf_plan_step_instr(const kf_document *doc, const kf_plan_step *step);

#endif
