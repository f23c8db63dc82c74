/* SPDX-License-Identifier: Apache-2.0 */
/* KF205 undefined-variable: A variable is used but never defined by ARG or ENV. See docs/rules/KF205.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	kf_var_names names;
	kf_var_names_of(c, &names);
	for (uint32_t i = 0; i < m->nuses; i++) {
		const kf_var_use *u = &m->uses[i];
		/* defined, built in, or given a default or alternative; sealos'
		 * $(NAME) is KF223's */
		if (u->sealos || u->def || u->builtin || u->op == KF_VAR_DEFAULT || u->op == KF_VAR_DEFAULT_UNSET ||
		    u->op == KF_VAR_ALT || u->op == KF_VAR_ALT_UNSET || u->op == KF_VAR_ERROR ||
		    u->op == KF_VAR_ERROR_UNSET)
			continue;
		int len = (int)(u->name.len > 60 ? 60 : u->name.len);
		if (kf_report_var_typo(c, &names, u))
			continue;
		if (u->in->kind == KF_INSTR_LABEL)
			/* sealos labels hold commands that read variables when
			 * the cluster runs: those need the $ escaped */
			kf_lint_report(c, u->span,
				       "variable '%.*s' is not defined, so it is empty at build time: declare it with ARG or ENV, or write %c$%.*s to leave it for run time",
				       len, u->name.ptr, c->doc->escape, len, u->name.ptr);
		else
			kf_lint_report(c, u->span, "variable '%.*s' is not defined: declare it with ARG or ENV", len,
				       u->name.ptr);
	}
}

const kf_rule kf_rule_kf205 = {"KF205", "undefined-variable", KF_SEV_WARNING,
	"A variable is used but never defined by ARG or ENV", check};
