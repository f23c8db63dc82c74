/* SPDX-License-Identifier: Apache-2.0 */
/* KF202 base-untagged: The base image has no tag, or :latest. See docs/rules/KF202.md. */
#include "rules.h"

#include "base/imageref.h"

static void check(kf_lint_ctx *c)
{
	const kf_word *img = c->model->from ? kf_from_image(c->model->from) : NULL;
	if (!img || kf_str_eq_cstr(img->text, "scratch") || memchr(img->text.ptr, '$', img->text.len))
		return;
	const char *why = kf_imageref_unpinned(img->text);
	if (why)
		kf_lint_report(c, img->span, "base image '%.*s' %s: pin a version", (int)img->text.len, img->text.ptr, why);
}

const kf_rule kf_rule_kf202 = {"KF202", "base-untagged", KF_SEV_WARNING,
	"The base image has no tag, or :latest", check};
