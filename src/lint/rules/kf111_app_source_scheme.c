/* SPDX-License-Identifier: Apache-2.0 */
/* KF111 app-source-scheme: An app source has no scheme, or one other than local://, http:// or https://. See docs/rules/KF111.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_app_source *s = kf_app_sources(in, &n);
		for (uint32_t i = 0; i < n; i++) {
			int len = (int)(s[i].word->text.len > 60 ? 60 : s[i].word->text.len);
			if (s[i].scheme == KF_SCHEME_NONE && s[i].word->text.len && s[i].word->text.ptr[0] == '/') {
				kf_lint_report(c, s[i].word->span,
					       "source '%.*s' has no scheme and is an absolute path: copy it into the build context and write local://<path>",
					       len, s[i].word->text.ptr);
			} else if (s[i].scheme == KF_SCHEME_NONE) {
				kf_diag *d = kf_lint_report(c, s[i].word->span,
							    "source '%.*s' has no scheme: write local://%.*s for a file of the build context",
							    len, s[i].word->text.ptr, len, s[i].word->text.ptr);
				char *fix = kf_arena_printf(c->out->arena, "local://%.*s", (int)s[i].word->text.len,
							    s[i].word->text.ptr);
				kf_diag_set_fix(c->out, d, s[i].word->span, fix, "add local://");
			} else if (s[i].scheme == KF_SCHEME_OTHER) {
				kf_lint_report(c, s[i].word->span,
					       "source '%.*s' has an unsupported scheme (local://, http:// or https://)",
					       len, s[i].word->text.ptr);
			}
		}
	}
}

const kf_rule kf_rule_kf111 = {"KF111", "app-source-scheme", KF_SEV_ERROR,
	"An app source has no scheme, or one other than local://, http:// or https://", check};
