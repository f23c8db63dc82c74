/* SPDX-License-Identifier: Apache-2.0 */
/* KF217 unknown-flag: An instruction has a flag it does not accept. See docs/rules/KF217.md. */
#include "rules.h"
#include "syntax/instrdoc.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_flag *f = kf_instr_flags(in, &n);
		const kf_instr_doc *d = kf_instr_doc_get((kf_kind)in->kind);
		for (uint32_t i = 0; i < n; i++) {
			if (kf_instr_doc_flag((kf_kind)in->kind, f[i].name))
				continue;
			if (!d || !d->flags[0].name)
				kf_lint_report(c, f[i].span, "%s takes no flags: --%.*s is not one", kf_kind_name((kf_kind)in->kind),
					       (int)f[i].name.len, f[i].name.ptr);
			else
				kf_lint_report(c, f[i].span, "%s has no flag --%.*s", kf_kind_name((kf_kind)in->kind),
					       (int)f[i].name.len, f[i].name.ptr);
		}
	}
}

const kf_rule kf_rule_kf217 = {"KF217", "unknown-flag", KF_SEV_ERROR,
	"An instruction has a flag it does not accept", check};
