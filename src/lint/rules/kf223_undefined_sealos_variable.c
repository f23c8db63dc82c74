/* SPDX-License-Identifier: Apache-2.0 */
/* KF223 undefined-sealos-variable: A sealos $(NAME) in CMD or ENTRYPOINT names no ENV or ARG. See docs/rules/KF223.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	if (m->dialect != KF_DIALECT_SEALOS)
		return;
	kf_var_names names;
	kf_var_names_of(c, &names);
	const kf_word *base = m->from ? kf_from_image(m->from) : NULL;
	bool inherits = base && !kf_str_eq_cstr(base->text, "scratch");
	int blen = base ? (int)(base->text.len > 60 ? 60 : base->text.len) : 0;
	for (uint32_t i = 0; i < m->nuses; i++) {
		const kf_var_use *u = &m->uses[i];
		/* an ARG is KF215's: sealos run does not see it */
		if (!u->sealos || u->def || u->builtin || kf_report_var_typo(c, &names, u))
			continue;
		int len = (int)(u->name.len > 60 ? 60 : u->name.len);
		if (inherits) {
			/* the base image's Env may set it: that cannot be read here */
			kf_diag *d = kf_lint_report(c, u->span,
						    "sealos variable '%.*s' is not defined here: it must come from the Env of the base image '%.*s' or from `sealos run -e %.*s=…`",
						    len, u->name.ptr, blen, base->text.ptr, len, u->name.ptr);
			d->severity = KF_SEV_INFO;
		} else {
			kf_lint_report(c, u->span,
				       "sealos variable '%.*s' is not defined: declare it with ENV, or sealos run leaves $(%.*s) as written and the shell runs '%.*s' as a command (unless `sealos run -e %.*s=…` sets it)",
				       len, u->name.ptr, len, u->name.ptr, len, u->name.ptr, len, u->name.ptr);
		}
	}
}

const kf_rule kf_rule_kf223 = {"KF223", "undefined-sealos-variable", KF_SEV_WARNING,
	"A sealos $(NAME) in CMD or ENTRYPOINT is defined by no ENV or ARG", check};
