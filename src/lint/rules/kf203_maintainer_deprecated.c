/* SPDX-License-Identifier: Apache-2.0 */
/* KF203 maintainer-deprecated: MAINTAINER is deprecated. See docs/rules/KF203.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_MAINTAINER || in->nargs != 1 || in->span.end > in->args[0].span.end + 1)
			continue;
		kf_diag *d = kf_lint_report(c, kf_instr_keyword_span(in),
					    "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors");
		kf_str t = in->args[0].text;
		if (memchr(t.ptr, '"', t.len) || memchr(t.ptr, '\\', t.len) || memchr(t.ptr, '\n', t.len) ||
		    memchr(t.ptr, '$', t.len))
			continue;
		char *fix = kf_arena_printf(c->out->arena, "LABEL org.opencontainers.image.authors=\"%.*s\"",
					    (int)t.len, t.ptr);
		kf_diag_set_fix(c->out, d, (kf_span){in->span.start, in->args[0].span.end}, fix,
				"replace by the label");
	}
}

const kf_rule kf_rule_kf203 = {"KF203", "maintainer-deprecated", KF_SEV_WARNING,
	"MAINTAINER is deprecated", check};
