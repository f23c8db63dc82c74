/* plan.h - lowering: a parsed Kubefile and its semantic model, with the
 * build context, the build arguments, the platform and what the base image
 * provides, become a build plan, the contract between the front end and
 * the builder (docs/build.md has its schema).
 *
 * The plan is a JSON document (jansson): `kfc plan` prints exactly what
 * `kfc build` executes. One step per instruction after FROM, each with its
 * line, its history text, and what it does: "files" (sources resolved in
 * the context, each with its destination in the rootfs), "run" (argv and
 * environment), or "config" (no files change). The resulting image config
 * (Env, Labels, …) and the sealer image extension (apps, env, launch) are
 * in the plan; the builder fills in what only the files can tell (app
 * types and files, the container image list).
 *
 * Problems are diagnostics with spans, added to the bag given.
 */
#ifndef KF_PLAN_H
#define KF_PLAN_H

#include <jansson.h>
#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "model.h"

typedef struct kf_platform {
	char os[32];
	char arch[32];
	char variant[32];
} kf_platform;

/* "linux/amd64", "linux/arm64/v8"; false if malformed. The host's when s
 * is NULL. */
bool kf_platform_parse(const char *s, kf_platform *p);

typedef struct kf_plan_input {
	const kf_document *doc;
	const kf_model *model;
	const char *context;        /* absolute, resolved */
	const char *const *build_args; /* "K=V" */
	size_t nbuild_args;
	kf_platform platform;
	const char *image_type;     /* "kube-installer" (default) or "app-installer" */
	/* what the base image provides, known after FROM is resolved */
	const json_t *base_apps;    /* the base's extension "applications", or NULL */
	const json_t *base_env;     /* its extension "env", or NULL */
	const json_t *base_config;  /* its config "config" object, or NULL */
} kf_plan_input;

/* The base image reference of the Kubefile's FROM, with ARGs before it
 * expanded; "scratch" included. NULL (and a diagnostic) if it cannot be
 * had. malloc'd. */
char *kf_plan_base_ref(const kf_plan_input *in, kf_diag_bag *diags);

/* Lowers; NULL if a diagnostic of severity error was added. */
json_t *kf_plan_lower(const kf_plan_input *in, kf_diag_bag *diags);

/* The instruction of a plan step (for located messages). */
const kf_instr *kf_plan_step_instr(const kf_document *doc, const json_t *step);

#endif
