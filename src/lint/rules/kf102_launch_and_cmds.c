/* SPDX-License-Identifier: Apache-2.0 */
/* KF102 launch-and-cmds: LAUNCH and CMDS are both used. See docs/rules/KF102.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	if (m->launch && m->cmds) {
		const kf_instr *later = m->launch->span.start > m->cmds->span.start ? m->launch : m->cmds;
		kf_lint_report(c, kf_instr_keyword_span(later),
			       "LAUNCH and CMDS exclude each other: start the cluster with one of them");
	}
}

const kf_rule kf_rule_kf102 = {"KF102", "launch-and-cmds", KF_SEV_ERROR,
	"LAUNCH and CMDS are both used", check};
