/* SPDX-License-Identifier: Apache-2.0 */
/* lint.h - kflint's engine: rules over the AST and the semantic model.
 *
 * Each rule has a stable code (KF1xx Kubefile rules, KF2xx Dockerfile rules
 * that matter in a Kubefile), a name, a default severity and a one-line
 * summary, and lives in a file of its own under src/rules/. kf_lint runs
 * the syntax check, builds the model, runs the rules that apply to the
 * file's dialect, then applies the settings: ignored rules, inline
 * pragmas (# kflint ignore=KF101 before an instruction, # kflint global
 * ignore=… anywhere) and severity overrides. docs/rules/ has a page per rule.
 */
#ifndef KF_LINT_H
#define KF_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "base/fscache.h"
#include "sema/model.h"
#include "lint/shellcheck.h"

typedef struct kf_lint_ctx kf_lint_ctx;

typedef struct kf_rule {
	const char *code;     /* "KF101" */
	const char *name;     /* "launch-not-last" */
	kf_severity severity; /* the default */
	const char *summary;  /* one line */
	void (*check)(kf_lint_ctx *ctx);
} kf_rule;

/* All rules, sorted by code. */
const kf_rule *const *kf_rules(size_t *n);
/* By code or name; NULL if none. */
const kf_rule *kf_rule_find(const char *code_or_name);

typedef struct kf_severity_override {
	const char *code;
	kf_severity severity;
} kf_severity_override;

typedef struct kf_lint_options {
	kf_dialect dialect;               /* KF_DIALECT_AUTO: detect */
	const char *context_dir;          /* the build context, for local:// checks; NULL: none */
	bool shellcheck;                  /* run shellcheck when it is installed */
	kf_shellcheck_limits shellcheck_limits; /* what it is given, how long and large it runs */
	kf_shellcheck_cache *shellcheck_cache;  /* what ShellCheck said of scripts seen before; NULL: none */
	const char *const *trusted;       /* trusted-registries (none: every one) */
	size_t ntrusted;
	const char *const *ignored;       /* codes or names */
	size_t nignored;
	const kf_severity_override *overrides;
	size_t noverrides;
	kf_fscache *fs;                   /* what exists on disk, kept between runs (the caller
	                                   * calls kf_fscache_begin); NULL: one for this run */
	const kf_model *model;            /* the document's model, when the caller has one (built
	                                   * with this dialect); NULL: built here */
} kf_lint_options;

struct kf_lint_ctx {
	const kf_document *doc;
	const kf_model *model;
	const kf_lint_options *opt;
	const kf_rule *rule;  /* the rule being run */
	kf_diag_bag *out;
	kf_fscache *fs;        /* the options' cache, or one for this run */
	/* private: kf_lint_context_images's, made when first asked */
	struct kf_imagelist *images;
	bool images_done;
};

struct kf_imagelist;

/* The container images that image discovery (src/discovery/imagelist.h)
 * finds in the build context, as kfc imagelist CONTEXT lists them (the
 * context's ignore file applies): computed once a run, for every rule that
 * asks. Entries' files are shown as context_dir/PATH. NULL without a
 * context, when the context's ignore file is invalid (the build says
 * what is wrong with it), or in a build without discovery (configure
 * --disable-build). */
const struct kf_imagelist *kf_lint_context_images(kf_lint_ctx *ctx);

/* Adds a diagnostic of the running rule. */
kf_diag *kf_lint_report(kf_lint_ctx *ctx, kf_span span, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Lints a parsed document into out (whose arena must live as long as the
 * diagnostics are used; the document's is fine). Returns the dialect used. */
kf_dialect kf_lint(const kf_document *doc, const kf_lint_options *opt, kf_diag_bag *out);

#endif
