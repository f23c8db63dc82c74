/* SPDX-License-Identifier: Apache-2.0 */
/* KF212 keyword-case: An instruction keyword is not in upper case. See docs/rules/KF212.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_ERROR)
			continue;
		kf_str kw = kf_rule_keyword(c, in);
		const char *want = kf_kind_name((kf_kind)in->kind);
		if (kw.len == strlen(want) && memcmp(kw.ptr, want, kw.len) != 0) {
			kf_diag *d = kf_lint_report(c, kf_instr_keyword_span(in), "write the keyword as %s", want);
			kf_diag_set_fix(c->out, d, kf_instr_keyword_span(in), want, "upper-case the keyword");
		}
	}
}

const kf_rule kf_rule_kf212 = {"KF212", "keyword-case", KF_SEV_STYLE,
	"An instruction keyword is not in upper case", check};
