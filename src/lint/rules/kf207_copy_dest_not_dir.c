/* SPDX-License-Identifier: Apache-2.0 */
/* KF207 copy-dest-not-dir: COPY or ADD with several sources has a destination that does not end with /. See docs/rules/KF207.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		const kf_word *dest = kf_copy_dest(in);
		uint32_t nsrcs = kf_copy_nsrcs(in);
		uint32_t nhd;
		kf_instr_heredocs(in, &nhd);
		if (!dest || nsrcs < 2 || (dest->text.len && dest->text.ptr[dest->text.len - 1] == '/'))
			continue;
		kf_diag *d = kf_lint_report(c, dest->span,
					    "%s with %u sources needs a directory destination ending with /",
					    kf_kind_name((kf_kind)in->kind), nsrcs);
		if (in->form == KF_FORM_WORDS && dest->span.end - dest->span.start == dest->text.len)
			kf_diag_set_fix(c->out, d, (kf_span){dest->span.end, dest->span.end}, "/", "add /");
	}
}

const kf_rule kf_rule_kf207 = {"KF207", "copy-dest-not-dir", KF_SEV_ERROR,
	"COPY or ADD with several sources has a destination that does not end with /", check};
