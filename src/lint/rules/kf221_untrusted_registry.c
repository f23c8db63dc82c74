/* KF221 untrusted-registry: An image comes from a registry outside trusted-registries. See docs/rules/KF221.md. */
#include "rules.h"

/* The registry of a reference, as Docker reads it: a first component with
 * a '.' or ':', or localhost, is one; otherwise it is docker.io. */
static kf_str registry(kf_str ref)
{
	const char *slash = memchr(ref.ptr, '/', ref.len);
	if (slash) {
		kf_str first = kf_str_make(ref.ptr, (size_t)(slash - ref.ptr));
		if (memchr(first.ptr, '.', first.len) || memchr(first.ptr, ':', first.len) ||
		    kf_str_eq_cstr(first, "localhost"))
			return first;
	}
	return KF_STR_LIT("docker.io");
}

static void judge(kf_lint_ctx *c, const kf_word *w)
{
	if (kf_str_eq_cstr(w->text, "scratch") || memchr(w->text.ptr, '$', w->text.len))
		return;
	kf_str reg = registry(w->text);
	for (size_t i = 0; i < c->opt->ntrusted; i++)
		if (kf_str_eq_cstr(reg, c->opt->trusted[i]))
			return;
	kf_lint_report(c, w->span, "'%.*s' comes from %.*s, which is not a trusted registry",
		       (int)(w->text.len > 60 ? 60 : w->text.len), w->text.ptr, (int)reg.len, reg.ptr);
}

static void check(kf_lint_ctx *c)
{
	if (!c->opt->ntrusted)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_FROM && kf_from_image(in))
			judge(c, kf_from_image(in));
		else if (in->kind == KF_INSTR_IMAGES)
			for (uint32_t i = 0; i < in->nargs; i++)
				judge(c, &in->args[i]);
	}
}

const kf_rule kf_rule_kf221 = {"KF221", "untrusted-registry", KF_SEV_WARNING,
	"An image comes from a registry outside trusted-registries", check};
