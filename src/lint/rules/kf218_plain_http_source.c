/* SPDX-License-Identifier: Apache-2.0 */
/* KF218 plain-http-source: An app source is fetched over plain http://. See docs/rules/KF218.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_app_source *s = kf_app_sources(in, &n);
		for (uint32_t i = 0; i < n; i++)
			if (s[i].scheme == KF_SCHEME_HTTP)
				kf_lint_report(c, s[i].word->span, "source fetched over plain http: use https://");
	}
}

const kf_rule kf_rule_kf218 = {"KF218", "plain-http-source", KF_SEV_WARNING,
	"An app source is fetched over plain http://", check};
