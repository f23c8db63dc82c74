/* SPDX-License-Identifier: Apache-2.0 */
/* KF110 app-not-launched: An app is declared but LAUNCH does not start it. See docs/rules/KF110.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	if (!m->launch)
		return;
	for (uint32_t i = 0; i < m->napps; i++) {
		const kf_app *a = &m->apps[i];
		if (a->launched || a->decl->broken)
			continue;
		bool named = false;
		for (uint32_t k = 0; k < m->nrefs; k++)
			named |= m->refs[k].in->kind == KF_INSTR_LAUNCH && kf_str_eq(m->refs[k].word->text, a->name);
		if (!a->launched && !named && !a->decl->broken)
			kf_lint_report(c, kf_instr_name(a->decl)->span, "app '%.*s' is never launched: add it to LAUNCH",
				       (int)a->name.len, a->name.ptr);
	}
}

const kf_rule kf_rule_kf110 = {"KF110", "app-not-launched", KF_SEV_WARNING,
	"An app is declared but LAUNCH does not start it", check};
