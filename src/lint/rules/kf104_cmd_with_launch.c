/* SPDX-License-Identifier: Apache-2.0 */
/* KF104 cmd-with-launch: CMD is used together with LAUNCH. See docs/rules/KF104.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	if (!c->model->launch)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_CMD)
			kf_lint_report(c, kf_instr_keyword_span(in),
				       "CMD cannot be used with LAUNCH: put these commands in an app and launch it");
	}
}

const kf_rule kf_rule_kf104 = {"KF104", "cmd-with-launch", KF_SEV_ERROR,
	"CMD is used together with LAUNCH", check};
