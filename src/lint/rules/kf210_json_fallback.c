/* SPDX-License-Identifier: Apache-2.0 */
/* KF210 json-fallback: Arguments start with [ but are not a valid JSON array. See docs/rules/KF210.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->form == KF_FORM_JSON || in->nargs == 0 || in->args[0].text.len == 0 ||
		    in->args[0].text.ptr[0] != '[' || in->kind == KF_INSTR_ERROR)
			continue;
		kf_span s = kf_instr_args_span(in);
		bool single = memchr(in->args[0].text.ptr, '\'', in->args[0].text.len) != NULL;
		kf_lint_report(c, s, "this is not a JSON array%s, so it is read as %s",
			       single ? " (JSON strings take double quotes)" : "",
			       in->form == KF_FORM_SHELL ? "one shell command" : "plain words");
	}
}

const kf_rule kf_rule_kf210 = {"KF210", "json-fallback", KF_SEV_WARNING,
	"Arguments start with [ but are not a valid JSON array", check};
