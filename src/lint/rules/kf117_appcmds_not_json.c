/* SPDX-License-Identifier: Apache-2.0 */
/* KF117 appcmds-not-json: APPCMDS is not a JSON array of strings. See docs/rules/KF117.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_APPCMDS && in->form == KF_FORM_SHELL && in->nargs)
			kf_lint_report(c, in->args[0].span,
				       "APPCMDS takes a JSON array of strings, as [\"kubectl\", \"apply\", \"-f\", \"x.yaml\"]");
	}
}

const kf_rule kf_rule_kf117 = {"KF117", "appcmds-not-json", KF_SEV_ERROR,
	"APPCMDS is not a JSON array of strings", check};
