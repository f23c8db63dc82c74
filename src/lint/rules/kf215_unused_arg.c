/* SPDX-License-Identifier: Apache-2.0 */
/* KF215 unused-arg: An ARG is declared but never used. See docs/rules/KF215.md. */
#include "rules.h"

typedef struct find {
	kf_str name;
	bool found;
} find;

static bool on_ref(void *ctx, const kf_var_ref *ref)
{
	find *f = ctx;
	(void)ref;
	f->found = true;
	return false;
}

static bool names_var(kf_str text, char esc, kf_str name)
{
	/* refs in shell text, read with the same scanner */
	find f = {name, false};
	kf_expand_error err;
	const char *p = text.ptr, *e = text.ptr + text.len;
	while ((p = memchr(p, '$', (size_t)(e - p))) != NULL) {
		const char *n = p + 1 + (p + 1 < e && p[1] == '{');
		if ((size_t)(e - n) >= name.len && memcmp(n, name.ptr, name.len) == 0) {
			const char *after = n + name.len;
			bool end = after == e || !((*after >= 'a' && *after <= 'z') || (*after >= 'A' && *after <= 'Z') ||
						   (*after >= '0' && *after <= '9') || *after == '_');
			if (end && kf_expand_scan_refs(kf_str_make(p, (size_t)(after - p) + (n > p + 1)), esc, on_ref, &f, &err) && f.found)
				return true;
		}
		p++;
	}
	return false;
}

/* Where an ARG's name appears in commands: RUN sees build arguments; the
 * start commands (CMD, CMDS, APPCMDS, and sealos' $(NAME) in CMD and
 * ENTRYPOINT) run in the cluster, where they are not set. */
static int used_in_commands(const kf_lint_ctx *c, kf_str name)
{
	int where = 0;
	for (uint32_t i = 0; i < c->model->nuses; i++)
		if (c->model->uses[i].sealos && kf_str_eq(c->model->uses[i].name, name))
			where |= 2;
	KF_FOR_EACH_INSTR(c, in) {
		bool run = in->kind == KF_INSTR_RUN;
		bool start = in->kind == KF_INSTR_CMD || in->kind == KF_INSTR_CMDS || in->kind == KF_INSTR_APPCMDS;
		if (!run && !start)
			continue;
		for (uint32_t i = 0; i < in->nargs; i++)
			if (names_var(in->args[i].text, c->doc->escape, name))
				where |= run ? 1 : 2;
	}
	return where;
}

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	for (uint32_t i = 0; i < m->ndefs; i++) {
		const kf_var_def *d = &m->defs[i];
		if (!d->is_arg || d->used)
			continue;
		/* a later definition of the same name may be the used one */
		bool redefined_used = false;
		for (uint32_t k = 0; k < m->ndefs; k++)
			if (k != i && m->defs[k].used && kf_str_eq(m->defs[k].name, d->name))
				redefined_used = true;
		if (redefined_used)
			continue;
		int where = used_in_commands(c, d->name);
		int len = (int)(d->name.len > 60 ? 60 : d->name.len);
		if (where & 1)
			continue;
		if (where & 2)
			kf_lint_report(c, d->span,
				       "ARG '%.*s' is only used by start commands, which run when the cluster starts, where build arguments are not set: use ENV",
				       len, d->name.ptr);
		else
			kf_lint_report(c, d->span, "ARG '%.*s' is never used", len, d->name.ptr);
	}
}

const kf_rule kf_rule_kf215 = {"KF215", "unused-arg", KF_SEV_INFO,
	"An ARG is declared but never used", check};
