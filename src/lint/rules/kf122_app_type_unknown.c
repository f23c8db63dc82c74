/* SPDX-License-Identifier: Apache-2.0 */
/* KF122 app-type-unknown: An app's type cannot be detected and it has no APPCMDS. See docs/rules/KF122.md. */
#include "rules.h"

#include "sema/apptype.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	if (!c->opt->context_dir)
		return;
	for (uint32_t i = 0; i < m->napps; i++) {
		const kf_app *a = &m->apps[i];
		if (a->appcmds || a->last->broken)
			continue;
		uint32_t n;
		const kf_app_source *s = kf_app_sources(a->last, &n);
		if (kf_app_detect_type(c->fs, c->opt->context_dir, s, n) != KF_APP_NONE)
			continue;
		kf_lint_report(c, kf_instr_name(a->last)->span,
			       "the type of app '%.*s' cannot be told from its files (not all YAML, not all shell scripts, not a chart): add APPCMDS %.*s [\"…\"] to say how to install it",
			       (int)a->name.len, a->name.ptr, (int)a->name.len, a->name.ptr);
	}
}

const kf_rule kf_rule_kf122 = {"KF122", "app-type-unknown", KF_SEV_ERROR,
	"An app's type cannot be detected and it has no APPCMDS", check};
