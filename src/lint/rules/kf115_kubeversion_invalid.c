/* SPDX-License-Identifier: Apache-2.0 */
/* KF115 kubeversion-invalid: KUBEVERSION is not a valid version range. See docs/rules/KF115.md. */
#include "rules.h"

/* The constraint syntax of Masterminds semver: ranges joined by ||, each a
 * list of comparisons (space or comma separated) or a hyphen range. */
static bool version(const char **p, const char *e)
{
	const char *s = *p;
	if (s < e && (*s == 'v' || *s == 'V'))
		s++;
	int parts = 0;
	for (;;) {
		const char *d = s;
		if (s < e && (*s == 'x' || *s == 'X' || *s == '*'))
			s++;
		else
			while (s < e && *s >= '0' && *s <= '9')
				s++;
		if (s == d)
			return false;
		parts++;
		if (parts < 3 && s < e && *s == '.' && s + 1 < e &&
		    ((s[1] >= '0' && s[1] <= '9') || s[1] == 'x' || s[1] == 'X' || s[1] == '*'))
			s++;
		else
			break;
	}
	/* pre-release and build metadata */
	if (s < e && (*s == '-' || *s == '+') && s + 1 < e && s[1] != ' ') {
		s++;
		while (s < e && ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
				 *s == '.' || *s == '-' || *s == '+'))
			s++;
	}
	*p = s;
	return true;
}

static const char *skip_blank(const char *s, const char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

/* Returns NULL when valid, else where it goes wrong. */
static const char *parse_range(const char *s, const char *e)
{
	s = skip_blank(s, e);
	if (s == e)
		return s;
	for (;;) {
		/* one comparison: [op] version, or version - version */
		static const char *const ops[] = {">=", "<=", "!=", "=>", "=<", ">", "<", "=", "~>", "~", "^"};
		for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			size_t n = strlen(ops[i]);
			if ((size_t)(e - s) >= n && memcmp(s, ops[i], n) == 0) {
				s += n;
				break;
			}
		}
		s = skip_blank(s, e);
		if (!version(&s, e))
			return s;
		const char *t = skip_blank(s, e);
		if (t < e && *t == '-' && t > s) {
			t = skip_blank(t + 1, e);
			if (!version(&t, e))
				return t;
			s = t;
		}
		s = skip_blank(s, e);
		if (s == e)
			return NULL;
		if (*s == ',')
			s = skip_blank(s + 1, e);
		else if (e - s >= 2 && s[0] == '|' && s[1] == '|')
			s = skip_blank(s + 2, e);
		if (s == e)
			return s;
	}
}

static void check(kf_lint_ctx *c)
{
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind != KF_INSTR_KUBEVERSION || in->nargs != 1)
			continue;
		kf_str t = in->args[0].text;
		if (memchr(t.ptr, '$', t.len))
			continue;
		const char *bad = parse_range(t.ptr, t.ptr + t.len);
		if (!bad)
			continue;
		bool exact = in->args[0].span.end - in->args[0].span.start == t.len;
		uint32_t off = exact ? (uint32_t)(bad - t.ptr) : 0;
		kf_span at = {in->args[0].span.start + off, exact ? in->args[0].span.end : in->args[0].span.end};
		kf_lint_report(c, at, "'%.*s' is not a version range, as >=1.20.0 <1.27 or 1.22.x",
			       (int)(t.len > 60 ? 60 : t.len), t.ptr);
	}
}

const kf_rule kf_rule_kf115 = {"KF115", "kubeversion-invalid", KF_SEV_ERROR,
	"KUBEVERSION is not a valid version range", check};
