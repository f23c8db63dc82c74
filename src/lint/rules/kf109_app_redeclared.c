/* SPDX-License-Identifier: Apache-2.0 */
/* KF109 app-redeclared: An app is declared more than once. See docs/rules/KF109.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	for (uint32_t i = 0; i < m->napps; i++) {
		const kf_app *a = &m->apps[i];
		if (a->ndecls < 2)
			continue;
		kf_position p = kf_source_position(c->doc->src, a->decl->span.start);
		kf_lint_report(c, kf_instr_name(a->last)->span,
			       "app '%.*s' is declared again (first on line %u): this declaration replaces it",
			       (int)a->name.len, a->name.ptr, p.line + 1);
	}
}

const kf_rule kf_rule_kf109 = {"KF109", "app-redeclared", KF_SEV_WARNING,
	"An app is declared more than once", check};
