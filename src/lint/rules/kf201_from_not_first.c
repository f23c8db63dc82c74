/* SPDX-License-Identifier: Apache-2.0 */
/* KF201 from-not-first: An instruction other than ARG comes before FROM. See docs/rules/KF201.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	/* all instructions, broken ones too: a FROM with an error is still
	 * the FROM */
	for (uint32_t i = 0; i < c->doc->ninstrs; i++) {
		const kf_instr *in = c->doc->instrs[i];
		if (in->kind == KF_INSTR_FROM)
			return;
		if (in->kind != KF_INSTR_ARG && in->kind != KF_INSTR_ERROR && !in->broken) {
			kf_lint_report(c, kf_instr_keyword_span(in), "%s comes before FROM: only ARG may precede it",
				       kf_kind_name((kf_kind)in->kind));
			return;
		}
	}
	if (c->doc->ninstrs)
		kf_lint_report(c, c->doc->instrs[0]->span, "the file has no FROM: start it with FROM scratch or a base image");
}

const kf_rule kf_rule_kf201 = {"KF201", "from-not-first", KF_SEV_ERROR,
	"An instruction other than ARG comes before FROM", check};
