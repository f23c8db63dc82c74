/* SPDX-License-Identifier: Apache-2.0 */
/* KF103 start-twice: LAUNCH or CMDS is given more than once. See docs/rules/KF103.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_instr *seen[2] = {NULL, NULL};
	KF_FOR_EACH_INSTR(c, in) {
		int k = in->kind == KF_INSTR_LAUNCH ? 0 : in->kind == KF_INSTR_CMDS ? 1 : -1;
		if (k < 0)
			continue;
		if (seen[k]) {
			kf_position p = kf_source_position(c->doc->src, seen[k]->span.start);
			kf_lint_report(c, kf_instr_keyword_span(in), "only one %s is allowed; the first is on line %u",
				       kf_kind_name((kf_kind)in->kind), p.line + 1);
		} else {
			seen[k] = in;
		}
	}
}

const kf_rule kf_rule_kf103 = {"KF103", "start-twice", KF_SEV_ERROR,
	"LAUNCH or CMDS is given more than once", check};
