/* SPDX-License-Identifier: Apache-2.0 */
/* query.c - the instruction, app or variable at an offset, and where the
 * same app or variable is named again (query.h). */
#include <string.h>

#include "query.h"

bool kfls_names_app(kf_kind k)
{
	return k == KF_INSTR_APP || k == KF_INSTR_CNI || k == KF_INSTR_CSI || k == KF_INSTR_APPCMDS ||
	       k == KF_INSTR_APPENV;
}

bool kfls_declares_app(kf_kind k)
{
	return k == KF_INSTR_APP || k == KF_INSTR_CNI || k == KF_INSTR_CSI;
}

const kf_instr *kfls_instr_at(const kfls_doc *d, uint32_t off)
{
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		if (in->span.start > off)
			break;
		if (kfls_contains(in->span, off))
			return in;
	}
	return NULL;
}

kf_span kfls_inner_span(const kfls_doc *d, const kf_word *w)
{
	kf_span sp = w->span;
	if (sp.end - sp.start >= 2 && d->src.text[sp.start] == '"' && d->src.text[sp.end - 1] == '"') {
		sp.start++;
		sp.end--;
	}
	return sp;
}

/* a variable reference's name inside its span ($X, ${X…}) */
static kf_span use_name_span(const kfls_doc *d, const kf_var_use *u)
{
	const char *t = d->src.text;
	for (uint32_t p = u->span.start; p + u->name.len <= u->span.end; p++)
		if (memcmp(t + p, u->name.ptr, u->name.len) == 0)
			return (kf_span){p, p + (uint32_t)u->name.len};
	return u->span;
}

kfls_sym kfls_symbol_at(kfls_doc *d, uint32_t off)
{
	kfls_sym r = {KFLS_SYM_NONE, KF_STR_NULL, {0, 0}, NULL, NULL};
	const kf_instr *in = kfls_instr_at(d, off);
	if (in && kfls_names_app((kf_kind)in->kind) && kf_instr_name(in) && kfls_contains(kf_instr_name(in)->span, off)) {
		r.kind = KFLS_SYM_APP;
		r.name = kf_instr_name(in)->text;
		r.span = kfls_inner_span(d, kf_instr_name(in));
		return r;
	}
	if (in && in->kind == KF_INSTR_LAUNCH) {
		for (uint32_t i = 0; i < in->nargs; i++) {
			if (kfls_contains(in->args[i].span, off)) {
				r.kind = KFLS_SYM_APP;
				r.name = in->args[i].text;
				r.span = kfls_inner_span(d, &in->args[i]);
				return r;
			}
		}
	}
	const kf_model *m = kfls_model(d);
	for (uint32_t i = 0; i < m->ndefs; i++) {
		if (kfls_contains(m->defs[i].span, off)) {
			r.kind = KFLS_SYM_VAR;
			r.name = m->defs[i].name;
			r.span = m->defs[i].span;
			r.def = &m->defs[i];
			return r;
		}
	}
	for (uint32_t i = 0; i < m->nuses; i++) {
		if (kfls_contains(m->uses[i].span, off)) {
			r.kind = KFLS_SYM_VAR;
			r.name = m->uses[i].name;
			r.span = use_name_span(d, &m->uses[i]);
			r.use = &m->uses[i];
			r.def = m->uses[i].def;
			return r;
		}
	}
	return r;
}

bool kfls_valid_name(kfls_sym_kind k, const char *n)
{
	if (!*n)
		return false;
	if (k == KFLS_SYM_VAR) {
		if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_'))
			return false;
		return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n);
	}
	/* an app name: a path segment (application/apps/<name>/) */
	return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(n) &&
	       strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

static void add_occurrence(kfls_occ_vec *out, kf_span span, bool decl)
{
	kfls_occurrence o = {span, decl};
	kf_vec_push(out, o);
}

static void app_occurrences(kfls_doc *d, kf_str name, kfls_occ_vec *out)
{
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		const kf_word *nm = kf_instr_name(in);
		if (kfls_names_app((kf_kind)in->kind) && nm && kf_str_eq(nm->text, name))
			add_occurrence(out, kfls_inner_span(d, nm), kfls_declares_app((kf_kind)in->kind));
		if (in->kind == KF_INSTR_LAUNCH)
			for (uint32_t k = 0; k < in->nargs; k++)
				if (kf_str_eq(in->args[k].text, name))
					add_occurrence(out, kfls_inner_span(d, &in->args[k]), false);
	}
}

/* definitions and uses, in source order */
static void var_occurrences(kfls_doc *d, kf_str name, kfls_occ_vec *out)
{
	const kf_model *m = kfls_model(d);
	uint32_t i = 0, k = 0;
	while (i < m->ndefs || k < m->nuses) {
		bool take_def = k >= m->nuses || (i < m->ndefs && m->defs[i].span.start <= m->uses[k].span.start);
		if (take_def) {
			if (kf_str_eq(m->defs[i].name, name))
				add_occurrence(out, m->defs[i].span, true);
			i++;
		} else {
			if (kf_str_eq(m->uses[k].name, name))
				add_occurrence(out, use_name_span(d, &m->uses[k]), false);
			k++;
		}
	}
}

void kfls_occurrences(kfls_doc *d, const kfls_sym *sy, kfls_occ_vec *out)
{
	if (sy->kind == KFLS_SYM_APP)
		app_occurrences(d, sy->name, out);
	else if (sy->kind == KFLS_SYM_VAR)
		var_occurrences(d, sy->name, out);
}
