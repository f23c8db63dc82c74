/* SPDX-License-Identifier: Apache-2.0 */
/* KF108 launch-duplicate: LAUNCH names an app twice. See docs/rules/KF108.md. */
#include "rules.h"

#include <stdlib.h>

static uint32_t hash(kf_str s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < s.len; i++)
		h = (h ^ (unsigned char)s.ptr[i]) * 16777619u;
	return h;
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_LAUNCH || in->nargs < 2)
			continue;
		/* the names seen so far, in an open-addressing set: linear in the
		 * number of apps (a LAUNCH may name hundreds) */
		size_t cap = 8;
		while (cap < 2 * (size_t)in->nargs)
			cap *= 2;
		const kf_word **set = kf_xcalloc(cap, sizeof(*set));
		for (uint32_t i = 0; i < in->nargs; i++) {
			const kf_word *w = &in->args[i];
			size_t k = hash(w->text) & (cap - 1);
			while (set[k] && !kf_str_eq(set[k]->text, w->text))
				k = (k + 1) & (cap - 1);
			if (set[k])
				kf_lint_report(c, w->span, "app '%.*s' is launched twice", (int)w->text.len, w->text.ptr);
			else
				set[k] = w;
		}
		free(set);
	}
}

const kf_rule kf_rule_kf108 = {"KF108", "launch-duplicate", KF_SEV_ERROR,
	"LAUNCH names an app twice", check};
