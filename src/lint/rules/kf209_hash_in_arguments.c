/* SPDX-License-Identifier: Apache-2.0 */
/* KF209 hash-in-arguments: A # after an instruction looks like a comment but is part of its arguments. See docs/rules/KF209.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		/* in shell text the shell itself reads " #" as a comment */
		if (in->broken || in->form == KF_FORM_JSON || in->kind == KF_INSTR_RUN || in->kind == KF_INSTR_CMD ||
		    in->kind == KF_INSTR_ENTRYPOINT || in->kind == KF_INSTR_CMDS || in->kind == KF_INSTR_APPCMDS ||
		    in->kind == KF_INSTR_SHELL || in->kind == KF_INSTR_HEALTHCHECK)
			continue;
		for (uint32_t i = 0; i < in->nargs; i++) {
			const kf_word *w = &in->args[i];
			const char *h = memchr(w->text.ptr, '#', w->text.len);
			/* " #" at a word start in word lists, or " # " in text */
			bool hit = in->form == KF_FORM_WORDS ? w->text.len && w->text.ptr[0] == '#'
							     : h && h > w->text.ptr && (h[-1] == ' ' || h[-1] == '\t');
			if (!hit)
				continue;
			uint32_t off = in->form == KF_FORM_WORDS ? 0 : (uint32_t)(h - w->text.ptr);
			kf_span at = w->span.end - w->span.start == w->text.len
					     ? (kf_span){w->span.start + off, w->span.end} : w->span;
			kf_lint_report(c, at, "'#' here is part of the %s arguments, not a comment: comments take a line of their own",
				       kf_kind_name((kf_kind)in->kind));
			break;
		}
	}
}

const kf_rule kf_rule_kf209 = {"KF209", "hash-in-arguments", KF_SEV_INFO,
	"A # after an instruction looks like a comment but is part of its arguments", check};
