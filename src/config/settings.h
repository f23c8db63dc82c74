/* SPDX-License-Identifier: Apache-2.0 */
/* settings.h - turning a .kflint.yaml (kfconfig.h) into the options of the
 * linter and the formatter, so that kflint, kfc fmt and kfls read a
 * settings file the same way.
 *
 * The front ends layer their own sources on top (the environment, the
 * command line, an editor's settings) by adding to the vectors or
 * overwriting fields after kf_lint_settings_init.
 */
#ifndef KF_SETTINGS_H
#define KF_SETTINGS_H

#include <stdbool.h>

#include "syntax/format.h"
#include "config/kfconfig.h"
#include "lint/lint.h"
#include "base/vec.h"

/* A code or name the linter knows: a rule (code or name), a syntax code
 * (KF0xx), a ShellCheck code (SCnnnn) or KF401 (ShellCheck skipped). */
bool kf_lint_code_known(const char *s);

/* Lint options whose lists are owned here (their strings are not: they
 * point into the kf_config, or wherever the caller got them). */
typedef struct kf_lint_settings {
	kf_lint_options opt;
	KF_VEC(const char *) ignored;
	KF_VEC(kf_severity_override) overrides;
	int threshold; /* a kf_severity or KF_THRESHOLD_NONE; KF_SEV_WARNING by default */
} kf_lint_settings;

/* Fills ls from cfg (which must outlive ls): ignored rules, severity
 * overrides, dialect, trusted registries, shellcheck (default_shellcheck
 * when the file does not say) and its limits, failure threshold. An unknown rule name is
 * an error: returns false with *err a malloc'd message. Call
 * kf_lint_settings_sync after adding to the vectors. */
bool kf_lint_settings_init(kf_lint_settings *ls, const kf_config *cfg, bool default_shellcheck, char **err);
/* Points opt's lists at the vectors again (after pushes). */
void kf_lint_settings_sync(kf_lint_settings *ls);
void kf_lint_settings_release(kf_lint_settings *ls);

/* The fmt section of cfg over opt (keys the file does not set stay). */
void kf_config_apply_fmt(const kf_config *cfg, kf_fmt_options *opt);

#endif
