/* SPDX-License-Identifier: Apache-2.0 */
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
	bool builtin;            /* ARCH, TARGETARCH, TARGETOS, TARGETPLATFORM…; for
				  * a sealos use, what sealos run sets itself */
	bool sealos;             /* $(NAME) in CMD or ENTRYPOINT, sealos dialect: def is
				  * the last ENV of the name, else the last ARG */
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

/* sealos variables (docs/kflint.md, "sealos variables"). sealos run
 * substitutes $(NAME) in the image's Cmd and Entrypoint from its Env
 * before any shell reads the text, even inside single quotes, and writes
 * $$ as $. Reads t left to right from *pos as sealos reads it ($$ is a
 * literal $, ${…} runs to the first }, $(…) to the first )) and returns
 * the next $(…) whose content is a name [A-Za-z_][A-Za-z0-9_]*
 * (KF_SEALOS_REF), or the next $$ (KF_SEALOS_DOLLAR), with [*start, *end)
 * its bytes and *pos after it; KF_SEALOS_NONE at the end. */
typedef enum { KF_SEALOS_NONE, KF_SEALOS_REF, KF_SEALOS_DOLLAR } kf_sealos_tok;
kf_sealos_tok kf_sealos_next(kf_str t, size_t *pos, size_t *start, size_t *end);

/* The next KF_SEALOS_REF (kf_sealos_next, skipping the $$). */
bool kf_sealos_ref_next(kf_str t, size_t *pos, size_t *start, size_t *end);

/* Is $(name) a sealos variable in m: a name without lower-case letters
 * (the environment's convention), or one that ENV defines? Otherwise
 * ($(date), $(hostname)) it is the shell's command substitution. */
bool kf_model_sealos_var(const kf_model *m, kf_str name);

/* The names sealos run puts into the Env itself (rootfs images),
 * NULL-terminated. */
extern const char *const kf_sealos_builtins[];

#endif
