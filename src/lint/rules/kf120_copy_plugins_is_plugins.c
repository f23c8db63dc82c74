/* SPDX-License-Identifier: Apache-2.0 */
/* KF120 copy-plugins-is-plugins: A COPY into plugins/ is what PLUGINS does. See docs/rules/KF120.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		const kf_word *dest = kf_copy_dest(in);
		if (in->kind != KF_INSTR_COPY || !dest || c->model->dialect == KF_DIALECT_SEALOS)
			continue;
		kf_str d = dest->text;
		if (kf_str_eq_cstr(d, "plugins") || kf_str_eq_cstr(d, "plugins/") || kf_str_eq_cstr(d, "/plugins") ||
		    kf_str_eq_cstr(d, "/plugins/"))
			kf_lint_report(c, kf_instr_keyword_span(in), "use PLUGINS local://%.*s for plugin definitions",
				       (int)in->args[0].text.len, in->args[0].text.ptr);
	}
}

const kf_rule kf_rule_kf120 = {"KF120", "copy-plugins-is-plugins", KF_SEV_INFO,
	"A COPY into plugins/ is what PLUGINS does", check};
