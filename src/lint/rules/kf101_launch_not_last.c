/* SPDX-License-Identifier: Apache-2.0 */
/* KF101 launch-not-last: LAUNCH or CMDS is not the last instruction. See docs/rules/KF101.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_instr *last = kf_last_instr(c->doc);
	KF_FOR_EACH_INSTR(c, in) {
		if ((in->kind == KF_INSTR_LAUNCH || in->kind == KF_INSTR_CMDS) && in != last)
			kf_lint_report(c, kf_instr_keyword_span(in),
				       "%s must be the last instruction; %s follows it",
				       kf_kind_name((kf_kind)in->kind), kf_kind_name((kf_kind)last->kind));
	}
}

const kf_rule kf_rule_kf101 = {"KF101", "launch-not-last", KF_SEV_ERROR,
	"LAUNCH or CMDS is not the last instruction", check};
