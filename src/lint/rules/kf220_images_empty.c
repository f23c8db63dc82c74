/* SPDX-License-Identifier: Apache-2.0 */
/* KF220 images-empty: IMAGES names no image and no --file. See docs/rules/KF220.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		kf_instr_flags(in, &n);
		if (in->kind == KF_INSTR_IMAGES && in->nargs == 0 && n == 0)
			kf_lint_report(c, kf_instr_keyword_span(in), "IMAGES needs image references or --file=<list>");
	}
}

const kf_rule kf_rule_kf220 = {"KF220", "images-empty", KF_SEV_ERROR,
	"IMAGES names no image and no --file", check};
