/* SPDX-License-Identifier: Apache-2.0 */
/* KF119 copy-imagelist-is-images: A COPY of imageList into manifests/ is what IMAGES does. See docs/rules/KF119.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		const kf_word *dest = kf_copy_dest(in);
		if (in->kind != KF_INSTR_COPY || !dest || kf_copy_nsrcs(in) != 1 || c->model->dialect == KF_DIALECT_SEALOS)
			continue;
		kf_str s = in->args[0].text, d = dest->text;
		const char *base = s.ptr;
		for (size_t i = 0; i < s.len; i++)
			if (s.ptr[i] == '/')
				base = s.ptr + i + 1;
		bool imagelist = (size_t)(s.ptr + s.len - base) == 9 && memcmp(base, "imageList", 9) == 0;
		if (imagelist && (kf_str_has_prefix(d, "manifests") || kf_str_has_prefix(d, "/manifests")))
			kf_lint_report(c, kf_instr_keyword_span(in), "use IMAGES --file=%.*s to list the images to cache",
				       (int)s.len, s.ptr);
	}
}

const kf_rule kf_rule_kf119 = {"KF119", "copy-imagelist-is-images", KF_SEV_INFO,
	"A COPY of imageList into manifests/ is what IMAGES does", check};
