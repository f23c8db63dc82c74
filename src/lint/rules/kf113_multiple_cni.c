/* SPDX-License-Identifier: Apache-2.0 */
/* KF113 multiple-cni: More than one CNI is declared. See docs/rules/KF113.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_instr *first = NULL;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_CNI || !kf_instr_name(in))
			continue;
		if (first && !kf_str_eq(kf_instr_name(first)->text, kf_instr_name(in)->text)) {
			kf_lint_report(c, kf_instr_name(in)->span, "a cluster has one CNI: '%.*s' is already declared",
				       (int)kf_instr_name(first)->text.len, kf_instr_name(first)->text.ptr);
		} else if (!first) {
			first = in;
		}
	}
}

const kf_rule kf_rule_kf113 = {"KF113", "multiple-cni", KF_SEV_ERROR,
	"More than one CNI is declared", check};
