/* SPDX-License-Identifier: Apache-2.0 */
/* KF216 duplicate-key: ENV, LABEL or APPENV sets the same key twice in one instruction. See docs/rules/KF216.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_ENV && in->kind != KF_INSTR_LABEL && in->kind != KF_INSTR_APPENV)
			continue;
		for (uint32_t i = 1; i < in->npairs; i++)
			for (uint32_t k = 0; k < i; k++) {
				kf_str a = kf_pair_key(&in->pairs[i]).text, b = kf_pair_key(&in->pairs[k]).text;
				if (kf_str_eq(a, b)) {
					kf_lint_report(c, in->pairs[i].key, "'%.*s' is set twice: the last value wins",
						       (int)(a.len > 60 ? 60 : a.len), a.ptr);
					break;
				}
			}
	}
}

const kf_rule kf_rule_kf216 = {"KF216", "duplicate-key", KF_SEV_WARNING,
	"ENV, LABEL or APPENV sets the same key twice in one instruction", check};
