/* SPDX-License-Identifier: Apache-2.0 */
/* actions.c - code actions: the fixes of the diagnostics in the range
 * (the linter's, and declaring an app that is named but not declared),
 * adding APPCMDS for an app without one, converting to JSON form. */
#include <stdlib.h>
#include <string.h>

#include "syntax/format.h"
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "diagnostics.h"
#include "query.h"

static json_t *edit_action(kfls *s, kfls_doc *d, const char *title, const char *kind, kf_span sp, const char *text,
			   json_t *diag)
{
	json_t *changes = json_object();
	json_object_set_new(changes, d->uri, json_pack("[o]", kfls_text_edit(s, &d->src, sp, text, strlen(text))));
	json_t *a = json_pack("{s:s,s:s,s:{s:o}}", "title", title, "kind", kind, "edit", "changes", changes);
	if (diag) {
		json_object_set_new(a, "diagnostics", json_pack("[o]", diag));
		json_object_set_new(a, "isPreferred", json_true());
	}
	return a;
}

static bool overlaps(kf_span a, kf_span b)
{
	return a.start <= b.end && b.start <= a.end;
}

/* the start of the line after the one where off is */
static uint32_t next_line(const kfls_doc *d, uint32_t off)
{
	return kf_source_pline(&d->src, off).next;
}

/* every fix of a diagnostic in the range r: the linter's, and for KF107
 * declaring the app named there, before the instruction that names it */
static void fix_actions(kfls *s, kfls_doc *d, kf_span r, json_t *arr)
{
	const char *nl = d->ast->crlf ? "\r\n" : "\n";
	for (size_t i = 0; i < d->diags.len; i++) {
		const kf_diag *g = &d->diags.items[i];
		if (!overlaps(g->span, r))
			continue;
		if (g->fix)
			json_array_append_new(arr, edit_action(s, d, g->fix->title, "quickfix", g->fix->span,
							       g->fix->replacement, kfls_diag_json(s, d, g)));
		if (strcmp(g->code, "KF107") != 0)
			continue;
		const kf_instr *in = kfls_instr_at(d, g->span.start);
		kf_str name = kf_str_make(d->src.text + g->span.start, g->span.end - g->span.start);
		if (in && name.len && name.ptr[0] == '"' && name.len >= 2)
			name = kf_str_make(name.ptr + 1, name.len - 2);
		if (in && kfls_valid_name(KFLS_SYM_APP, kf_arena_strndup(&s->req, name.ptr, name.len))) {
			uint32_t at = kf_source_pline(&d->src, in->span.start).start;
			char *text = kf_arena_printf(&s->req, "APP %.*s local://%.*s%s", (int)name.len, name.ptr,
						     (int)name.len, name.ptr, nl);
			char *title = kf_arena_printf(&s->req, "declare app %.*s", (int)name.len, name.ptr);
			json_array_append_new(arr, edit_action(s, d, title, "quickfix", (kf_span){at, at}, text,
							       kfls_diag_json(s, d, g)));
		}
	}
}

/* the rewrites of the instructions in the range r: APPCMDS for an app
 * without one, the JSON form */
static void rewrite_actions(kfls *s, kfls_doc *d, kf_span r, json_t *arr)
{
	const char *nl = d->ast->crlf ? "\r\n" : "\n";
	const kf_model *m = kfls_model(d);
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		if (!overlaps(in->span, r) || in->broken)
			continue;
		const kf_word *nm = kf_instr_name(in);
		if (kfls_declares_app((kf_kind)in->kind) && nm) {
			const kf_app *app = kf_model_app(m, nm->text);
			if (app && !app->appcmds) {
				uint32_t at = next_line(d, in->span.end > in->span.start ? in->span.end - 1 : in->span.end);
				bool eol = at > 0 && d->src.text[at - 1] == '\n';
				char *text = kf_arena_printf(&s->req, "%sAPPCMDS %.*s [\"bash\", \"install.sh\"]%s", eol ? "" : nl,
							     (int)nm->text.len, nm->text.ptr, eol ? nl : "");
				char *title = kf_arena_printf(&s->req, "add APPCMDS for app %.*s", (int)nm->text.len, nm->text.ptr);
				json_array_append_new(arr, edit_action(s, d, title, "refactor", (kf_span){at, at}, text, NULL));
			}
		}
		kf_edit e;
		if (kf_json_form(d->ast, in, &e)) {
			json_array_append_new(arr, edit_action(s, d, "convert to JSON form", "refactor.rewrite", e.span, e.text,
							       NULL));
			free(e.text);
		}
	}
}

json_t *kfls_code_actions(kfls *s, json_t *params, kfls_error *err)
{
	kf_span r;
	kfls_doc *d = kfls_doc_range(s, params, &r, err);
	if (!d)
		return NULL;
	json_t *arr = json_array();
	fix_actions(s, d, r, arr);
	rewrite_actions(s, d, r, arr);
	return arr;
}
