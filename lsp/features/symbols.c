/* SPDX-License-Identifier: Apache-2.0 */
/* symbols.c - the document's outline (FROM, apps with the instructions
 * that name them, ARG and ENV, the start section) and its folds (comment
 * blocks, continued lines, heredocs). */
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

static json_t *symbol(kfls *s, kfls_doc *d, const char *name, const char *detail, int kind, kf_span range,
		      kf_span sel)
{
	json_t *j = json_pack("{s:s,s:i,s:o,s:o}", "name", name, "kind", kind, "range", kfls_range(s, &d->src, range),
			      "selectionRange", kfls_range(s, &d->src, sel));
	if (detail)
		json_object_set_new(j, "detail", json_string(detail));
	return j;
}

static char *word_cstr(kfls *s, kf_str w)
{
	return kf_arena_strndup(&s->req, w.ptr ? w.ptr : "", w.len);
}

/* A symbol that holds the next ones (an app, the start section): added to
 * arr with no children yet; group_stretch makes its range end where the
 * last one does. */
static json_t *group_new(json_t *arr, json_t *sym)
{
	json_object_set_new(sym, "children", json_array());
	json_array_append_new(arr, sym);
	return sym;
}

static void group_stretch(kfls *s, kfls_doc *d, json_t *group, uint32_t end)
{
	json_object_set_new(group, "range",
			    json_pack("{s:O,s:o}", "start", json_object_get(json_object_get(group, "range"), "start"),
				      "end", kfls_pos(s, &d->src, end)));
}

json_t *kfls_document_symbols(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	const kf_model *m = kfls_model(d);
	json_t *arr = json_array();
	json_t *start = NULL;
	json_t **app_sym = kf_arena_zalloc(&s->req, sizeof(json_t *) * (m->napps + 1));
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		kf_kind k = (kf_kind)in->kind;
		kf_span kw = kf_instr_keyword_span(in);
		const kf_word *nm = kf_instr_name(in);
		if (k == KF_INSTR_FROM && kf_from_image(in)) {
			json_array_append_new(arr, symbol(s, d, word_cstr(s, kf_from_image(in)->text), "base", 2, in->span,
							  kf_from_image(in)->span));
		} else if (kfls_names_app(k) && nm) {
			const kf_app *app = kf_model_app(m, nm->text);
			json_t *child = symbol(s, d, kf_kind_name(k), NULL, kfls_declares_app(k) ? 7 : 6, in->span, kw);
			if (!app) { /* not declared: on its own */
				json_array_append_new(arr, child);
				continue;
			}
			size_t a = (size_t)(app - m->apps);
			if (!app_sym[a])
				app_sym[a] = group_new(arr, symbol(s, d, word_cstr(s, nm->text), kf_kind_name((kf_kind)app->decl->kind),
								   5, in->span, kfls_inner_span(d, nm)));
			else
				group_stretch(s, d, app_sym[a], in->span.end);
			json_array_append_new(json_object_get(app_sym[a], "children"), child);
		} else if (k == KF_INSTR_ARG || k == KF_INSTR_ENV) {
			for (uint32_t p = 0; p < in->npairs; p++)
				json_array_append_new(arr, symbol(s, d, word_cstr(s, kf_pair_key(&in->pairs[p]).text),
								  kf_kind_name(k), 13, in->span, in->pairs[p].key));
		} else if (k == KF_INSTR_LAUNCH || k == KF_INSTR_CMDS || k == KF_INSTR_CMD) {
			json_t *child = symbol(s, d, kf_kind_name(k), NULL, 24, in->span, kw);
			if (k == KF_INSTR_LAUNCH) {
				json_t *ch = json_array();
				for (uint32_t a = 0; a < in->nargs; a++)
					json_array_append_new(ch, symbol(s, d, word_cstr(s, in->args[a].text), "app", 5,
									 in->args[a].span, in->args[a].span));
				json_object_set_new(child, "children", ch);
			}
			if (!start)
				start = group_new(arr, symbol(s, d, "start", "what runs when the cluster starts", 3, in->span, kw));
			else
				group_stretch(s, d, start, in->span.end);
			json_array_append_new(json_object_get(start, "children"), child);
		}
	}
	return arr;
}

static json_t *fold(uint32_t a, uint32_t b, const char *kind)
{
	json_t *j = json_pack("{s:I,s:I}", "startLine", (json_int_t)a, "endLine", (json_int_t)b);
	if (kind)
		json_object_set_new(j, "kind", json_string(kind));
	return j;
}

json_t *kfls_folding_ranges(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	json_t *arr = json_array();
	uint32_t ti = 0;
	for (uint32_t i = 0; i <= d->ast->ninstrs; i++) {
		/* comment blocks before this instruction */
		uint32_t lim = i < d->ast->ninstrs ? d->ast->instrs[i]->span.start : UINT32_MAX;
		while (ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < lim) {
			const kf_trivia *t = &d->ast->trivia[ti];
			if (t->kind != KF_TRIVIA_COMMENT || t->in_continuation) {
				ti++;
				continue;
			}
			uint32_t a = kf_source_line(&d->src, t->span.start), b = a;
			ti++;
			while (ti < d->ast->ntrivia && d->ast->trivia[ti].kind == KF_TRIVIA_COMMENT &&
			       !d->ast->trivia[ti].in_continuation &&
			       kf_source_line(&d->src, d->ast->trivia[ti].span.start) == b + 1) {
				b++;
				ti++;
			}
			if (b > a)
				json_array_append_new(arr, fold(a, b, "comment"));
		}
		if (i == d->ast->ninstrs)
			break;
		const kf_instr *in = d->ast->instrs[i];
		uint32_t a = kf_source_line(&d->src, in->span.start);
		uint32_t b = kf_source_line(&d->src, in->span.end > in->span.start ? in->span.end - 1 : in->span.end);
		uint32_t nh;
		const kf_heredoc *h = kf_instr_heredocs(in, &nh);
		uint32_t hs = nh ? kf_source_line(&d->src, h[0].marker.start) : b;
		/* the continued lines, then each heredoc body */
		if (hs > a)
			json_array_append_new(arr, fold(a, hs, NULL));
		for (uint32_t k = 0; k < nh; k++) {
			uint32_t ml = kf_source_line(&d->src, h[k].marker.start);
			uint32_t el = kf_source_line(&d->src, h[k].terminated ? h[k].end.start : in->span.end);
			if (el > ml)
				json_array_append_new(arr, fold(ml, el, "region"));
		}
		(void)b;
	}
	return arr;
}

