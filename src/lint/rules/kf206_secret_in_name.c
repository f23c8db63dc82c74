/* SPDX-License-Identifier: Apache-2.0 */
/* KF206 secret-in-name: An ARG or ENV name suggests a secret, which would be stored in the image. See docs/rules/KF206.md. */
#include "rules.h"

static bool secret_word(kf_str name)
{
	static const char *const words[] = {"PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY", "API_KEY",
					    "PRIVATE_KEY", "ACCESS_KEY", "CREDENTIAL"};
	char up[128];
	size_t n = name.len < sizeof(up) - 1 ? name.len : sizeof(up) - 1;
	for (size_t i = 0; i < n; i++)
		up[i] = (char)(name.ptr[i] >= 'a' && name.ptr[i] <= 'z' ? name.ptr[i] - 32 : name.ptr[i]);
	up[n] = '\0';
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(up, words[i]))
			return true;
	return false;
}

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	for (uint32_t i = 0; i < m->ndefs; i++) {
		const kf_var_def *d = &m->defs[i];
		if (!secret_word(d->name) || (!d->is_arg && !d->has_value))
			continue;
		kf_diag *g = kf_lint_report(c, d->span,
					    "'%.*s' looks like a secret: %s values are stored in the image; pass secrets at run time",
					    (int)(d->name.len > 60 ? 60 : d->name.len), d->name.ptr, d->is_arg ? "ARG" : "ENV");
		/* sealos apps take their settings as ENV defaults that the
		 * cluster's owner overrides: a hint there, not a warning */
		if (!d->is_arg && c->model->dialect == KF_DIALECT_SEALOS && g->severity == KF_SEV_WARNING)
			g->severity = KF_SEV_INFO;
	}
}

const kf_rule kf_rule_kf206 = {"KF206", "secret-in-name", KF_SEV_WARNING,
	"An ARG or ENV name suggests a secret, which would be stored in the image", check};
