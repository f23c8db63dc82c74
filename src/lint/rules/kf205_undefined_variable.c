/* KF205 undefined-variable: A variable is used but never defined by ARG or ENV. See docs/rules/KF205.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	const char *names[256];
	size_t n = 0;
	for (uint32_t i = 0; i < m->ndefs && n < 256; i++)
		names[n++] = kf_arena_strndup(c->out->arena, m->defs[i].name.ptr, m->defs[i].name.len);
	for (uint32_t i = 0; i < m->nuses; i++) {
		const kf_var_use *u = &m->uses[i];
		/* defined, built in, or given a default or alternative */
		if (u->def || u->builtin || u->op == KF_VAR_DEFAULT || u->op == KF_VAR_DEFAULT_UNSET ||
		    u->op == KF_VAR_ALT || u->op == KF_VAR_ALT_UNSET || u->op == KF_VAR_ERROR ||
		    u->op == KF_VAR_ERROR_UNSET)
			continue;
		int len = (int)(u->name.len > 60 ? 60 : u->name.len);
		const char *s = kf_suggest(u->name, names, n, false);
		if (s)
			kf_lint_report(c, u->span, "variable '%.*s' is not defined (did you mean '%s'?)", len,
				       u->name.ptr, s);
		else if (u->in->kind == KF_INSTR_LABEL)
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
