/* KF108 launch-duplicate: LAUNCH names an app twice. See docs/rules/KF108.md. */
#include "rules.h"

#include <stdlib.h>

/* the arguments in name order, equal names in source order: sorting makes
 * a LAUNCH of thousands of apps cost n log n, not n squared */
static int by_name(const void *a, const void *b, void *args)
{
	const kf_word *w = args;
	kf_str x = w[*(const uint32_t *)a].text, y = w[*(const uint32_t *)b].text;
	int r = memcmp(x.ptr, y.ptr, x.len < y.len ? x.len : y.len);
	if (r == 0 && x.len != y.len)
		r = x.len < y.len ? -1 : 1;
	if (r == 0)
		r = *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
	return r;
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_LAUNCH || in->nargs < 2)
			continue;
		uint32_t *ix = kf_xmalloc(in->nargs * sizeof(*ix));
		for (uint32_t i = 0; i < in->nargs; i++)
			ix[i] = i;
		qsort_r(ix, in->nargs, sizeof(*ix), by_name, (void *)in->args);
		for (uint32_t i = 1; i < in->nargs; i++) {
			const kf_word *w = &in->args[ix[i]];
			if (kf_str_eq(w->text, in->args[ix[i - 1]].text))
				kf_lint_report(c, w->span, "app '%.*s' is launched twice", (int)w->text.len, w->text.ptr);
		}
		free(ix);
	}
}

const kf_rule kf_rule_kf108 = {"KF108", "launch-duplicate", KF_SEV_ERROR,
	"LAUNCH names an app twice", check};
