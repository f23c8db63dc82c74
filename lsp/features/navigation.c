/* SPDX-License-Identifier: Apache-2.0 */
/* navigation.c - an app or a variable under the cursor: its definition,
 * every place that names it, and renaming it there and everywhere
 * (query.h finds them). */
#include <string.h>

#include "syntax/jsonutil.h"
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

/* the document, and the app or variable at params.position */
static kfls_doc *symbol_param(kfls *s, json_t *params, kfls_sym *sy, kfls_error *err)
{
	uint32_t off;
	kfls_doc *d = kfls_doc_position(s, params, &off, err);
	if (d)
		*sy = kfls_symbol_at(d, off);
	return d;
}

json_t *kfls_definition(kfls *s, json_t *params, kfls_error *err)
{
	kfls_sym sy;
	kfls_doc *d = symbol_param(s, params, &sy, err);
	if (!d)
		return NULL;
	if (sy.kind == KFLS_SYM_APP) {
		const kf_app *app = kf_model_app(kfls_model(d), sy.name);
		if (app && kf_instr_name(app->decl))
			return json_pack("[o]", kfls_location(s, d->uri, &d->src, kfls_inner_span(d, kf_instr_name(app->decl))));
	} else if (sy.kind == KFLS_SYM_VAR) {
		const kf_var_def *def = sy.def;
		if (!def && !sy.use)
			return json_null();
		if (!def) {
			/* not in scope at the use: the first definition anywhere */
			const kf_model *m = kfls_model(d);
			for (uint32_t i = 0; i < m->ndefs && !def; i++)
				if (kf_str_eq(m->defs[i].name, sy.name))
					def = &m->defs[i];
		}
		if (def)
			return json_pack("[o]", kfls_location(s, d->uri, &d->src, def->span));
	}
	return json_null();
}

/* The places that name the app or variable at params.position: as
 * Locations (references: the declarations too with
 * context.includeDeclaration), or as DocumentHighlights (read 2, write 3). */
static json_t *occurrences_json(kfls *s, json_t *params, bool highlights, kfls_error *err)
{
	kfls_sym sy;
	kfls_doc *d = symbol_param(s, params, &sy, err);
	if (!d)
		return NULL;
	bool decl = highlights ||
		    json_is_true(json_object_get(json_object_get(params, "context"), "includeDeclaration"));
	kfls_occ_vec occ = {NULL, 0, 0};
	kfls_occurrences(d, &sy, &occ);
	json_t *arr = json_array();
	for (size_t i = 0; i < occ.n; i++) {
		kf_span sp = occ.v[i].span;
		if (highlights)
			json_array_append_new(arr, json_pack("{s:o,s:i}", "range", kfls_range(s, &d->src, sp), "kind",
							     occ.v[i].decl ? 3 : 2));
		else if (decl || !occ.v[i].decl)
			json_array_append_new(arr, kfls_location(s, d->uri, &d->src, sp));
	}
	kf_vec_free(&occ);
	return arr;
}

json_t *kfls_references(kfls *s, json_t *params, kfls_error *err)
{
	return occurrences_json(s, params, false, err);
}

json_t *kfls_highlight(kfls *s, json_t *params, kfls_error *err)
{
	return occurrences_json(s, params, true, err);
}

/* an app, or a variable but a built-in one */
static bool renamable(const kfls_sym *sy)
{
	return sy->kind != KFLS_SYM_NONE && !(sy->kind == KFLS_SYM_VAR && sy->use && sy->use->builtin && !sy->def);
}

json_t *kfls_prepare_rename(kfls *s, json_t *params, kfls_error *err)
{
	kfls_sym sy;
	kfls_doc *d = symbol_param(s, params, &sy, err);
	if (!d)
		return NULL;
	if (!renamable(&sy))
		return json_null();
	return json_pack("{s:o,s:o}", "range", kfls_range(s, &d->src, sy.span), "placeholder", kf_json_str(sy.name));
}

json_t *kfls_rename(kfls *s, json_t *params, kfls_error *err)
{
	kfls_sym sy;
	kfls_doc *d = symbol_param(s, params, &sy, err);
	if (!d)
		return NULL;
	if (!renamable(&sy)) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = "no app or variable here";
		return NULL;
	}
	const char *nn = json_string_value(json_object_get(params, "newName"));
	if (!nn || !kfls_valid_name(sy.kind, nn)) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = sy.kind == KFLS_SYM_APP ? "not a valid app name (letters, digits, '.', '_', '-')"
						       : "not a valid variable name";
		return NULL;
	}
	kfls_occ_vec occ = {NULL, 0, 0};
	kfls_occurrences(d, &sy, &occ);
	json_t *edits = json_array();
	for (size_t i = 0; i < occ.n; i++)
		json_array_append_new(edits, kfls_text_edit(s, &d->src, occ.v[i].span, nn, strlen(nn)));
	kf_vec_free(&occ);
	json_t *changes = json_object();
	json_object_set_new(changes, d->uri, edits);
	return json_pack("{s:o}", "changes", changes);
}
