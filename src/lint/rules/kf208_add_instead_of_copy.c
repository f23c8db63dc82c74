/* SPDX-License-Identifier: Apache-2.0 */
/* KF208 add-instead-of-copy: ADD is used where COPY does the same. See docs/rules/KF208.md. */
#include "rules.h"

#include <strings.h>

static bool needs_add(kf_str s)
{
	static const char *const ends[] = {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"};
	if (kf_str_has_prefix(s, "http://") || kf_str_has_prefix(s, "https://") || kf_str_has_prefix(s, "git@") ||
	    kf_str_has_prefix(s, "<<") || memchr(s.ptr, '$', s.len))
		return true;
	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		size_t n = strlen(ends[i]);
		if (s.len >= n && strncasecmp(s.ptr + s.len - n, ends[i], n) == 0)
			return true;
	}
	return false;
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_ADD || !kf_copy_dest(in))
			continue;
		bool plain = true;
		for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++)
			plain &= !needs_add(in->args[i].text);
		if (!plain)
			continue;
		kf_diag *d = kf_lint_report(c, kf_instr_keyword_span(in),
					    "use COPY: ADD is only needed for URLs and archives to unpack");
		kf_diag_set_fix(c->out, d, kf_instr_keyword_span(in), "COPY", "use COPY");
	}
}

const kf_rule kf_rule_kf208 = {"KF208", "add-instead-of-copy", KF_SEV_WARNING,
	"ADD is used where COPY does the same", check};
