/* SPDX-License-Identifier: Apache-2.0 */
/* KF107 undeclared-app: LAUNCH, APPCMDS or APPENV names an app that is not declared before it. See docs/rules/KF107.md. */
#include "rules.h"

static void check(kf_lint_ctx *c)
{
	const kf_model *m = c->model;
	const char *names[64];
	size_t n = 0;
	for (uint32_t i = 0; i < m->napps && n < 64; i++)
		names[n++] = kf_arena_strndup(c->out->arena, m->apps[i].name.ptr, m->apps[i].name.len);
	for (uint32_t i = 0; i < m->nrefs; i++) {
		const kf_app_ref *r = &m->refs[i];
		if (r->app && r->app->decl->span.start < r->in->span.start)
			continue;
		const kf_app *later = kf_model_app(m, r->word->text);
		int len = (int)(r->word->text.len > 60 ? 60 : r->word->text.len);
		if (later) {
			kf_position p = kf_source_position(c->doc->src, later->decl->span.start);
			kf_lint_report(c, r->word->span, "app '%.*s' is used before it is declared (on line %u)", len,
				       r->word->text.ptr, p.line + 1);
			continue;
		}
		const char *s = kf_suggest(r->word->text, names, n, false);
		const kf_word *base = m->from ? kf_from_image(m->from) : NULL;
		bool inherits = base && !kf_str_eq_cstr(base->text, "scratch");
		if (inherits && !s) {
			/* the base image may declare it: that cannot be read here */
			kf_diag *d = kf_lint_report(c, r->word->span,
						    "app '%.*s' is not declared here: it must come from the base image '%.*s'",
						    len, r->word->text.ptr, (int)(base->text.len > 60 ? 60 : base->text.len),
						    base->text.ptr);
			d->severity = KF_SEV_INFO;
		} else if (s) {
			kf_diag *d = kf_lint_report(c, r->word->span, "app '%.*s' is not declared (did you mean '%s'?)",
						    len, r->word->text.ptr, s);
			kf_diag_set_fix(c->out, d, r->word->span, s, "use the declared app");
		} else {
			kf_lint_report(c, r->word->span, "app '%.*s' is not declared: add APP %.*s <source> before it",
				       len, r->word->text.ptr, len, r->word->text.ptr);
		}
	}
}

const kf_rule kf_rule_kf107 = {"KF107", "undeclared-app", KF_SEV_ERROR,
	"LAUNCH, APPCMDS or APPENV names an app that is not declared before it", check};
