/* SPDX-License-Identifier: Apache-2.0 */
/* KF112 local-source-escapes: A local:// source leaves the build context. See docs/rules/KF112.md. */
#include "rules.h"

static bool escapes(kf_str p)
{
	if (p.len && p.ptr[0] == '/')
		return true;
	int depth = 0;
	size_t i = 0;
	while (i < p.len) {
		size_t j = i;
		while (j < p.len && p.ptr[j] != '/')
			j++;
		size_t n = j - i;
		if (n == 2 && p.ptr[i] == '.' && p.ptr[i + 1] == '.') {
			if (--depth < 0)
				return true;
		} else if (n > 0 && !(n == 1 && p.ptr[i] == '.')) {
			depth++;
		}
		i = j + 1;
	}
	return false;
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_app_source *s = kf_app_sources(in, &n);
		for (uint32_t i = 0; i < n; i++)
			if (s[i].scheme == KF_SCHEME_LOCAL && escapes(s[i].path))
				kf_lint_report(c, s[i].word->span,
					       "source '%.*s' is outside the build context: sources must be paths inside it",
					       (int)(s[i].word->text.len > 60 ? 60 : s[i].word->text.len), s[i].word->text.ptr);
	}
}

const kf_rule kf_rule_kf112 = {"KF112", "local-source-escapes", KF_SEV_ERROR,
	"A local:// source leaves the build context", check};
