/* SPDX-License-Identifier: Apache-2.0 */
/* KF214 multi-stage: More than one FROM: multi-stage builds are not supported. See docs/rules/KF214.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	bool seen = false;
	/* sealos builds with buildah, where stages are normal */
	if (c->model->dialect == KF_DIALECT_SEALOS)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_FROM)
			continue;
		if (seen)
			kf_lint_report(c, kf_instr_keyword_span(in),
				       "a Kubefile has one FROM: multi-stage builds are not supported");
		seen = true;
	}
}

const kf_rule kf_rule_kf214 = {"KF214", "multi-stage", KF_SEV_ERROR,
	"More than one FROM: multi-stage builds are not supported", check};
