/* KF204 legacy-key-value: ENV or LABEL uses the legacy key value form. See docs/rules/KF204.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if ((in->kind != KF_INSTR_ENV && in->kind != KF_INSTR_LABEL) || !in->legacy || in->npairs != 1)
			continue;
		const kf_pair *pr = &in->pairs[0];
		kf_word k = kf_pair_key(pr), v = kf_pair_value(pr);
		kf_diag *d = kf_lint_report(c, kf_pair_span(pr), "legacy %s form: write %.*s=value",
					    kf_kind_name((kf_kind)in->kind), (int)k.text.len, k.text.ptr);
		/* certain only when no quoting is needed */
		bool plain = v.text.len > 0 && k.span.end <= v.span.start && v.span.end - v.span.start == v.text.len;
		for (size_t i = 0; plain && i < v.text.len; i++) {
			char ch = v.text.ptr[i];
			plain = ch != '"' && ch != '\'' && ch != '\\' && ch != '`' && ch != ' ' && ch != '\t';
		}
		if (plain)
			kf_diag_set_fix(c->out, d, (kf_span){k.span.end, v.span.start}, "=", "use key=value");
	}
}

const kf_rule kf_rule_kf204 = {"KF204", "legacy-key-value", KF_SEV_WARNING,
	"ENV or LABEL uses the legacy \"key value\" form", check};
