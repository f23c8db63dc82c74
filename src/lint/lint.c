/* SPDX-License-Identifier: Apache-2.0 */
/* lint.c - see lint.h */
#include "config.h"

#include "lint/lint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint/rules/rules.h"
#include "lint/shellcheck.h"
#ifdef KF_WITH_BUILD
#include "base/err.h"
#include "base/ignore.h"
#include "discovery/imagelist.h"
#endif

#define KF_RULE_ENTRY(c) &kf_rule_##c,
static const kf_rule *const all_rules[] = {KF_RULES(KF_RULE_ENTRY)};

const kf_rule *const *kf_rules(size_t *n)
{
	*n = sizeof(all_rules) / sizeof(all_rules[0]);
	return all_rules;
}

const kf_rule *kf_rule_find(const char *s)
{
	for (size_t i = 0; i < sizeof(all_rules) / sizeof(all_rules[0]); i++)
		if (strcasecmp(s, all_rules[i]->code) == 0 || strcmp(s, all_rules[i]->name) == 0)
			return all_rules[i];
	return NULL;
}

kf_diag *kf_lint_report(kf_lint_ctx *ctx, kf_span span, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_diag *d = kf_diag_addv(ctx->out, ctx->rule->severity, span, ctx->rule->code, fmt, ap);
	va_end(ap);
	return d;
}

const struct kf_imagelist *kf_lint_context_images(kf_lint_ctx *ctx)
{
#ifdef KF_WITH_BUILD
	if (ctx->images_done || !ctx->opt->context_dir)
		return ctx->images;
	ctx->images_done = true;
	kf_ignore *ig = NULL;
	kf_err e;
	if (!kf_ignore_load(ctx->opt->context_dir, &ig, &e))
		return NULL;
	kf_imagelist *l = kf_xcalloc(1, sizeof(*l));
	kf_imagelist_init(l);
	l->ignore = ig;
	l->ignore_root = ctx->opt->context_dir;
	kf_imagelist_scan_paths(l, &ctx->opt->context_dir, 1);
	l->ignore = NULL;
	kf_ignore_free(ig);
	ctx->images = l;
	return l;
#else
	(void)ctx;
	return NULL;
#endif
}

static void context_images_free(kf_lint_ctx *ctx)
{
#ifdef KF_WITH_BUILD
	if (ctx->images) {
		kf_imagelist_release(ctx->images);
		free(ctx->images);
	}
#else
	(void)ctx;
#endif
}

/* Does the list (codes or names, as written in a setting or a pragma) name
 * this code? */
static bool names(const char *const *list, size_t n, const char *code)
{
	if (n == 0)
		return false;
	const kf_rule *r = kf_rule_find(code);
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(list[i], code) == 0 || (r && strcmp(list[i], r->name) == 0))
			return true;
	return false;
}

/* ---- pragmas ---------------------------------------------------------- */

typedef struct pragma {
	bool global;
	kf_span applies;  /* the instruction it covers (next one) */
	char *list[32];
	size_t n;
} pragma;

/* "# kflint ignore=KF101,SC2086" or "# kflint global ignore=…" */
static bool read_pragma(const kf_document *doc, const kf_trivia *t, pragma *pg)
{
	const char *p = doc->src->text + t->span.start + 1, *e = doc->src->text + t->span.end;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	if (e - p < 6 || strncmp(p, "kflint", 6) != 0)
		return false;
	p += 6;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	pg->global = e - p >= 6 && strncmp(p, "global", 6) == 0;
	if (pg->global) {
		p += 6;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
	}
	if (e - p < 7 || strncmp(p, "ignore=", 7) != 0)
		return false;
	p += 7;
	pg->n = 0;
	while (p < e && pg->n < 32) {
		const char *q = p;
		while (q < e && *q != ',' && *q != ' ' && *q != '\t')
			q++;
		if (q > p)
			pg->list[pg->n++] = strndup(p, (size_t)(q - p));
		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q >= e || *q != ',')
			break;
		p = q + 1;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
	}
	return true;
}

static void apply_pragmas(const kf_document *doc, kf_diag_bag *bag)
{
	pragma pgs[64];
	size_t npg = 0;
	uint32_t next = 0;
	for (uint32_t i = 0; i < doc->ntrivia && npg < 64; i++) {
		const kf_trivia *t = &doc->trivia[i];
		if (t->kind != KF_TRIVIA_COMMENT || t->in_continuation)
			continue;
		if (!read_pragma(doc, t, &pgs[npg]))
			continue;
		while (next < doc->ninstrs && doc->instrs[next]->span.start < t->span.end)
			next++;
		pgs[npg].applies = next < doc->ninstrs ? doc->instrs[next]->span : (kf_span){0, 0};
		npg++;
	}
	if (!npg)
		return;
	size_t w = 0;
	for (size_t i = 0; i < bag->len; i++) {
		const kf_diag *d = &bag->items[i];
		bool drop = false;
		for (size_t k = 0; k < npg && !drop; k++) {
			const pragma *pg = &pgs[k];
			bool covers = pg->global ||
				      (d->span.start >= pg->applies.start && d->span.start <= pg->applies.end &&
				       pg->applies.end > pg->applies.start);
			drop = covers && names((const char *const *)pg->list, pg->n, d->code);
		}
		if (!drop)
			bag->items[w++] = *d;
		else if (d->severity == KF_SEV_ERROR)
			bag->nerrors--;
	}
	bag->len = w;
	for (size_t k = 0; k < npg; k++)
		for (size_t i = 0; i < pgs[k].n; i++)
			free(pgs[k].list[i]);
}

kf_dialect kf_lint(const kf_document *doc, const kf_lint_options *opt, kf_diag_bag *out)
{
	size_t first = out->len;
	for (size_t i = 0; i < doc->diags.len; i++) {
		const kf_diag *d = &doc->diags.items[i];
		kf_diag *c = kf_diag_add(out, d->severity, d->span, d->code, "%s", d->message);
		c->fix = d->fix;
	}
	kf_model *own = opt->model ? NULL : kf_model_build(doc, opt->dialect);
	const kf_model *m = opt->model ? opt->model : own;
	kf_lint_ctx ctx = {doc, m, opt, NULL, out, opt->fs, NULL, false};
	if (!ctx.fs && opt->context_dir)
		ctx.fs = kf_fscache_new();
	for (size_t i = 0; i < sizeof(all_rules) / sizeof(all_rules[0]); i++) {
		if (names(opt->ignored, opt->nignored, all_rules[i]->code))
			continue;
		ctx.rule = all_rules[i];
		all_rules[i]->check(&ctx);
	}
	if (opt->shellcheck)
		kf_shellcheck(doc, m, &opt->shellcheck_limits, opt->shellcheck_cache, out);
	kf_dialect dialect = m->dialect;
	context_images_free(&ctx);
	kf_model_free(own);
	if (ctx.fs != opt->fs)
		kf_fscache_free(ctx.fs);
	/* the settings: ignored syntax codes too, then overrides */
	kf_diag_bag part = *out;
	part.items = out->items ? out->items + first : NULL; /* none at all: NULL, not NULL + 0 */
	part.len -= first;
	part.nerrors = 0;
	for (size_t i = 0; i < part.len; i++)
		part.nerrors += part.items[i].severity == KF_SEV_ERROR;
	apply_pragmas(doc, &part);
	size_t w = 0;
	for (size_t i = 0; i < part.len; i++) {
		kf_diag d = part.items[i];
		if (names(opt->ignored, opt->nignored, d.code))
			continue;
		for (size_t k = 0; k < opt->noverrides; k++)
			if (strcasecmp(opt->overrides[k].code, d.code) == 0 ||
			    (kf_rule_find(d.code) && strcmp(opt->overrides[k].code, kf_rule_find(d.code)->name) == 0))
				d.severity = opt->overrides[k].severity;
		part.items[w++] = d;
	}
	out->len = first + w;
	out->nerrors = 0;
	for (size_t i = 0; i < out->len; i++)
		out->nerrors += out->items[i].severity == KF_SEV_ERROR;
	kf_diag_bag_sort(out);
	return dialect;
}
