/* model.h - the semantic model of a Kubefile.
 *
 * Built from a parsed document: the dialect, the apps declared (APP, CNI,
 * CSI) with their sources, the apps a LAUNCH, APPCMDS or APPENV names, the
 * ARG and ENV definitions and the variable uses in the instructions that
 * expand variables, the start section (LAUNCH, CMDS, CMD) and the labels.
 * kflint's rules read it, and so will `kfc build`, so that both judge a
 * Kubefile by the same facts. Everything lives in the model's arena;
 * kf_model_free releases it. The document must outlive the model.
 */
#ifndef KF_MODEL_H
#define KF_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "syntax/ast.h"
#include "syntax/expand.h"
#include "sema/platform.h"

typedef enum kf_dialect {
	KF_DIALECT_AUTO,          /* detect (only as an option) */
	KF_DIALECT_SEALER,        /* sealer v0.9+: the default */
	KF_DIALECT_SEALER_LEGACY, /* sealer <= 0.8: COPY into rootfs folders, shell-form CMD */
	KF_DIALECT_SEALOS,        /* sealos: FROM scratch, CMD ["cmd line", ...], $(VAR) */
} kf_dialect;

/* "sealer", "sealer-legacy", "sealos" or "auto"; false if none */
bool kf_dialect_parse(const char *s, kf_dialect *out);

typedef struct kf_app {
	kf_str name;
	const kf_instr *decl;    /* the first declaration */
	const kf_instr *last;    /* the last one (a later APP replaces, its files add up) */
	uint32_t ndecls;
	const kf_instr *appcmds; /* the last APPCMDS naming it, or NULL */
	bool launched;           /* named by LAUNCH */
} kf_app;

/* An app named by LAUNCH, APPCMDS or APPENV. */
typedef struct kf_app_ref {
	const kf_word *word;
	const kf_instr *in;
	const kf_app *app;       /* NULL: not declared before it */
} kf_app_ref;

typedef struct kf_var_def {
	kf_str name;
	kf_span span;            /* the name */
	const kf_instr *in;
	bool is_arg;
	bool has_value;          /* ARG name=default, ENV always */
	bool used;
} kf_var_def;

typedef struct kf_var_use {
	kf_str name;
	kf_span span;            /* the whole reference ($X, ${X:-y}); exact when the
				  * word has no continuation inside it */
	const kf_instr *in;
	kf_var_op op;
	const kf_var_def *def;   /* the definition in scope, or NULL */
	bool builtin;            /* ARCH, TARGETARCH, TARGETOS, TARGETPLATFORM… */
} kf_var_use;

typedef struct kf_model {
	const kf_document *doc;
	kf_arena arena;
	kf_dialect dialect;
	bool dialect_detected;   /* not given: found from the file */
	const kf_instr *from;    /* the first FROM */
	uint32_t nfrom;
	kf_app *apps;            /* in declaration order */
	uint32_t napps;
	kf_app_ref *refs;
	uint32_t nrefs;
	kf_var_def *defs;
	uint32_t ndefs;
	kf_var_use *uses;
	uint32_t nuses;
	const kf_instr *launch;  /* the first LAUNCH */
	const kf_instr *cmds;    /* the first CMDS */
	uint32_t ncmd;           /* CMD instructions */
	/* the apps by name, for kf_model_app: index into apps + 1 (0: empty),
	 * app_index_cap slots (a power of two; 0 when there are no apps) */
	uint32_t *app_index;
	uint32_t app_index_cap;
} kf_model;

kf_model *kf_model_build(const kf_document *doc, kf_dialect dialect);
void kf_model_free(kf_model *m);

/* The app declared with that name (in m->apps), or NULL: a hash lookup,
 * for Kubefiles with thousands of apps. */
const kf_app *kf_model_app(const kf_model *m, kf_str name);

#endif
