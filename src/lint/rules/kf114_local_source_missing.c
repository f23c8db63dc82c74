/* SPDX-License-Identifier: Apache-2.0 */
/* KF114 local-source-missing: A local:// source does not exist in the build context. See docs/rules/KF114.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	if (!c->opt->context_dir)
		return;
	kf_buf p = KF_BUF_INIT;
	KF_FOR_EACH_INSTR(c, in) {
		uint32_t n;
		const kf_app_source *s = kf_app_sources(in, &n);
		for (uint32_t i = 0; i < n; i++) {
			if (s[i].scheme != KF_SCHEME_LOCAL || !s[i].path.len || memchr(s[i].path.ptr, '$', s[i].path.len) ||
			    s[i].path.ptr[0] == '/' || memmem(s[i].path.ptr, s[i].path.len, "..", 2))
				continue; /* outside the context: KF112's */
			kf_buf_reset(&p);
			kf_buf_adds(&p, c->opt->context_dir);
			kf_buf_addc(&p, '/');
			kf_buf_addstr(&p, s[i].path);
			if (!kf_fscache_type(c->fs, p.ptr))
				kf_lint_report(c, s[i].word->span, "'%.*s' does not exist in the build context (%s)",
					       (int)(s[i].path.len > 60 ? 60 : s[i].path.len), s[i].path.ptr, c->opt->context_dir);
		}
	}
	kf_buf_release(&p);
}

const kf_rule kf_rule_kf114 = {"KF114", "local-source-missing", KF_SEV_ERROR,
	"A local:// source does not exist in the build context", check};
