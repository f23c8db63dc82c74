/* SPDX-License-Identifier: Apache-2.0 */
/* KF204 legacy-key-value: ENV or LABEL uses the legacy key value form. See docs/rules/KF204.md. */
#include "rules.h"
#include "syntax/format.h"

static void judge(kf_lint_ctx *c, const kf_instr *in)
{
	if ((in->kind != KF_INSTR_ENV && in->kind != KF_INSTR_LABEL) || !in->legacy || in->npairs != 1)
		return;
	const kf_pair *pr = &in->pairs[0];
	kf_word k = kf_pair_key(pr);
	const char *kind = kf_kind_name((kf_kind)in->kind);
	int klen = (int)(k.text.len > 60 ? 60 : k.text.len);
	/* the fix is kfc fmt --rewrite=legacy-env's, so that the two agree;
	 * where that leaves the pair, the message says what to do by hand */
	kf_buf t = KF_BUF_INIT;
	kf_legacy_pair r = kf_fmt_legacy_pair(c->doc, pr, &t);
	switch (r) {
	case KF_LEGACY_REWRITTEN: {
		kf_diag *d = kf_lint_report(c, kf_pair_span(pr), "legacy %s form: write %.*s=value", kind, klen,
					    k.text.ptr);
		kf_diag_set_fix(c->out, d, kf_pair_span(pr), t.ptr, "use key=value");
		break;
	}
	case KF_LEGACY_LINES:
	case KF_LEGACY_NAME:
	case KF_LEGACY_OPEN_QUOTE:
	case KF_LEGACY_MIXED: {
		/* what kfc fmt leaves, and how to fix it by hand */
		const char *why = r == KF_LEGACY_LINES ? "kfc fmt leaves a value continued over several lines: join its "
							"lines by hand, then quote its blanks"
				  : r == KF_LEGACY_NAME ? "kfc fmt leaves a name with a quote or an escape character: write a "
							  "plain name by hand"
				  : r == KF_LEGACY_OPEN_QUOTE
					  ? "a quote in the value is not closed, which the build refuses and kfc fmt leaves: "
					    "close it, or escape it if it is meant literally"
					  : "kfc fmt leaves a value with ${...} that has blanks outside quotes and quotes or "
					    "escape characters too: quote its blanks by hand";
		kf_lint_report(c, kf_pair_span(pr), "legacy %s form: write %.*s=value (%s)", kind, klen, k.text.ptr, why);
		break;
	}
	case KF_LEGACY_NOT_LEGACY:
		break;
	}
	kf_buf_release(&t);
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		judge(c, in);
		if (in->kind == KF_INSTR_ONBUILD && kf_onbuild_inner(in))
			judge(c, kf_onbuild_inner(in));
	}
}

const kf_rule kf_rule_kf204 = {"KF204", "legacy-key-value", KF_SEV_WARNING,
	"ENV or LABEL uses the legacy \"key value\" form", check};
