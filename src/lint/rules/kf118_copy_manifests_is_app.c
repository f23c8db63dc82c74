/* SPDX-License-Identifier: Apache-2.0 */
/* KF118 copy-manifests-is-app: A COPY of YAML into manifests/ is what APP declares. See docs/rules/KF118.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	if (c->model->dialect != KF_DIALECT_SEALER)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		const kf_word *dest = kf_copy_dest(in);
		if (in->kind != KF_INSTR_COPY || !dest)
			continue;
		kf_str d = dest->text;
		if (!(kf_str_eq_cstr(d, "manifests") || kf_str_eq_cstr(d, "manifests/") ||
		      kf_str_eq_cstr(d, "/manifests") || kf_str_eq_cstr(d, "/manifests/")))
			continue;
		kf_str s = in->args[0].text;
		bool yaml = (s.len > 5 && memcmp(s.ptr + s.len - 5, ".yaml", 5) == 0) ||
			    (s.len > 4 && memcmp(s.ptr + s.len - 4, ".yml", 4) == 0);
		if (yaml && kf_copy_nsrcs(in) == 1)
			kf_lint_report(c, kf_instr_keyword_span(in),
				       "declare the manifest as an app, APP <name> local://%.*s, and LAUNCH it",
				       (int)s.len, s.ptr);
	}
}

const kf_rule kf_rule_kf118 = {"KF118", "copy-manifests-is-app", KF_SEV_INFO,
	"A COPY of YAML into manifests/ is what APP declares", check};
