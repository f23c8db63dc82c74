/* SPDX-License-Identifier: Apache-2.0 */
/* KF105 cmd-deprecated: CMD is deprecated in the sealer dialect. See docs/rules/KF105.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	/* CMD is how sealos and old sealer Kubefiles start: their idiom */
	if (c->model->dialect != KF_DIALECT_SEALER || c->model->launch)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_CMD)
			kf_lint_report(c, kf_instr_keyword_span(in),
				       "CMD is deprecated: use LAUNCH to start apps, or CMDS for raw commands");
	}
}

const kf_rule kf_rule_kf105 = {"KF105", "cmd-deprecated", KF_SEV_WARNING,
	"CMD is deprecated in the sealer dialect", check};
