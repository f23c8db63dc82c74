/* SPDX-License-Identifier: Apache-2.0 */
/* KF211 blank-continuation-line: A blank line inside a continuation. See docs/rules/KF211.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	for (uint32_t i = 0; i < c->doc->ntrivia; i++) {
		const kf_trivia *t = &c->doc->trivia[i];
		if (t->kind == KF_TRIVIA_BLANK && t->in_continuation) {
			kf_diag *d = kf_lint_report(c, t->span,
						    "blank line inside a continuation: it is skipped, but a future parser may end the instruction here");
			uint32_t next = t->span.end;
			while (next < c->doc->src->len && c->doc->src->text[next] != '\n')
				next++;
			uint32_t line = c->doc->src->lines[kf_source_line(c->doc->src, t->span.start)];
			kf_diag_set_fix(c->out, d, (kf_span){line, next < c->doc->src->len ? next + 1 : next}, "",
					"remove the line");
		}
	}
}

const kf_rule kf_rule_kf211 = {"KF211", "blank-continuation-line", KF_SEV_WARNING,
	"A blank line inside a continuation", check};
