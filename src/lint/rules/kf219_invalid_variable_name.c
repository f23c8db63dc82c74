/* SPDX-License-Identifier: Apache-2.0 */
/* KF219 invalid-variable-name: ARG, ENV or APPENV defines a name that is not a valid variable name. See docs/rules/KF219.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_ARG && in->kind != KF_INSTR_ENV && in->kind != KF_INSTR_APPENV)
			continue;
		for (uint32_t i = 0; i < in->npairs; i++) {
			kf_str k = kf_pair_key(&in->pairs[i]).text;
			bool ok = k.len > 0 && !(k.ptr[0] >= '0' && k.ptr[0] <= '9');
			for (size_t j = 0; ok && j < k.len; j++)
				ok = (k.ptr[j] >= 'a' && k.ptr[j] <= 'z') || (k.ptr[j] >= 'A' && k.ptr[j] <= 'Z') ||
				     (k.ptr[j] >= '0' && k.ptr[j] <= '9') || k.ptr[j] == '_' ||
				     (in->kind == KF_INSTR_ENV && (k.ptr[j] == '.' || k.ptr[j] == '-'));
			if (!ok && !memchr(k.ptr, '$', k.len))
				kf_lint_report(c, in->pairs[i].key,
					       "'%.*s' is not a variable name: use letters, digits and _, not starting with a digit",
					       (int)(k.len > 60 ? 60 : k.len), k.ptr);
		}
	}
}

const kf_rule kf_rule_kf219 = {"KF219", "invalid-variable-name", KF_SEV_ERROR,
	"ARG, ENV or APPENV defines a name that is not a valid variable name", check};
