/* KF108 launch-duplicate: LAUNCH names an app twice. See docs/rules/KF108.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_LAUNCH)
			continue;
		for (uint32_t i = 1; i < in->nargs; i++)
			for (uint32_t k = 0; k < i; k++)
				if (kf_str_eq(in->args[i].text, in->args[k].text)) {
					kf_lint_report(c, in->args[i].span, "app '%.*s' is launched twice",
						       (int)in->args[i].text.len, in->args[i].text.ptr);
					break;
				}
	}
}

const kf_rule kf_rule_kf108 = {"KF108", "launch-duplicate", KF_SEV_ERROR,
	"LAUNCH names an app twice", check};
