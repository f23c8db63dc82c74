/* SPDX-License-Identifier: Apache-2.0 */
/* KF224 build-refuses-flag: a flag that kfc build refuses. See docs/rules/KF224.md. */
#include "rules.h"
#include "syntax/instrdoc.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_flag *f = kf_instr_flags(in, &n);
		for (uint32_t i = 0; i < n; i++) {
			const kf_flag_refusal *r = kf_flag_refused((kf_kind)in->kind, f[i].name);
			if (r)
				kf_lint_report(c, f[i].span, "%s --%s %s", kf_kind_name((kf_kind)in->kind), r->name, r->why);
		}
	}
}

const kf_rule kf_rule_kf224 = {"KF224", "build-refuses-flag", KF_SEV_ERROR,
	"A flag that kfc build refuses (the build's own table)", check};
