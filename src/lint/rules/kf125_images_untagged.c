/* SPDX-License-Identifier: Apache-2.0 */
/* KF125 images-untagged: IMAGES names an image without a tag, or with :latest. See docs/rules/KF125.md. */
#include "rules.h"

#include "base/imageref.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_IMAGES)
			continue;
		for (uint32_t i = 0; i < in->nargs; i++) {
			kf_str r = in->args[i].text;
			kf_imageref ref;
			/* a word with a variable is judged once expanded, a bad one by KF121 */
			if (!r.len || memchr(r.ptr, '$', r.len) || kf_imageref_parse(r, &ref))
				continue;
			const char *why = kf_imageref_unpinned(r);
			if (why)
				kf_lint_report(c, in->args[i].span, KF_IMAGEREF_UNPINNED_FMT, (int)(r.len > 80 ? 80 : r.len),
					       r.ptr, why);
		}
	}
}

const kf_rule kf_rule_kf125 = {"KF125", "images-untagged", KF_SEV_WARNING,
	"IMAGES names an image without a tag, or with :latest", check};
