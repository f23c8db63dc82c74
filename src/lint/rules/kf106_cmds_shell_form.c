/* SPDX-License-Identifier: Apache-2.0 */
/* KF106 cmds-shell-form: CMDS is written in shell form. See docs/rules/KF106.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_CMDS || in->form != KF_FORM_SHELL || in->nargs != 1)
			continue;
		kf_diag *d = kf_lint_report(c, in->args[0].span,
					    "CMDS needs the JSON form: the shell form is split at every space");
		/* the one command the author meant, as a JSON string */
		kf_buf t = KF_BUF_INIT;
		kf_buf_adds(&t, "[\"");
		for (size_t i = 0; i < in->args[0].text.len; i++) {
			char ch = in->args[0].text.ptr[i];
			if (ch == '"' || ch == '\\')
				kf_buf_addc(&t, '\\');
			kf_buf_addc(&t, ch);
		}
		kf_buf_adds(&t, "\"]");
		kf_diag_set_fix(c->out, d, in->args[0].span, t.ptr, "write it as one JSON string");
		kf_buf_release(&t);
	}
}

const kf_rule kf_rule_kf106 = {"KF106", "cmds-shell-form", KF_SEV_ERROR,
	"CMDS is written in shell form", check};
