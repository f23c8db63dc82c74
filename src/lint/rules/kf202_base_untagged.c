/* KF202 base-untagged: The base image has no tag, or :latest. See docs/rules/KF202.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_word *img = c->model->from ? kf_from_image(c->model->from) : NULL;
	if (!img || kf_str_eq_cstr(img->text, "scratch") || memchr(img->text.ptr, '$', img->text.len))
		return;
	kf_str t = img->text;
	if (memchr(t.ptr, '@', t.len))
		return; /* pinned by digest */
	const char *slash = NULL;
	for (size_t i = 0; i < t.len; i++)
		if (t.ptr[i] == '/')
			slash = t.ptr + i;
	const char *name = slash ? slash + 1 : t.ptr;
	const char *colon = memchr(name, ':', (size_t)(t.ptr + t.len - name));
	if (!colon)
		kf_lint_report(c, img->span, "base image '%.*s' has no tag: pin a version", (int)t.len, t.ptr);
	else if ((size_t)(t.ptr + t.len - colon) == 7 && memcmp(colon, ":latest", 7) == 0)
		kf_lint_report(c, img->span, "base image '%.*s' uses :latest: pin a version", (int)t.len, t.ptr);
}

const kf_rule kf_rule_kf202 = {"KF202", "base-untagged", KF_SEV_WARNING,
	"The base image has no tag, or :latest", check};
