/* SPDX-License-Identifier: Apache-2.0 */
/* sync.c - document synchronisation (didOpen, didChange, didClose,
 * didSave) and the notifications after which every document is analysed
 * again (the editor's settings, a settings file on disk). Each analysis is
 * followed by its diagnostics. */
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "diagnostics.h"

/* analyses the document again and sends its diagnostics; a notification's
 * result */
static json_t *analysed(kfls *s, kfls_doc *d)
{
	kfls_doc_analyse(s, d);
	kfls_publish(s, d);
	return NULL;
}

json_t *kfls_did_open(kfls *s, json_t *params, kfls_error *err)
{
	json_t *td = json_object_get(params, "textDocument");
	const char *uri = json_string_value(json_object_get(td, "uri"));
	json_t *text = json_object_get(td, "text");
	if (!uri || !json_is_string(text)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "didOpen needs textDocument.uri and text";
		return NULL;
	}
	kfls_doc *d = kfls_doc_open(s, uri);
	json_t *ver = json_object_get(td, "version");
	d->version = json_is_integer(ver) ? json_integer_value(ver) : 0;
	if (!kfls_doc_set_text(d, json_string_value(text), json_string_length(text), err))
		kf_source_release(&d->src), kf_source_init_mem(&d->src, d->uri, "", 0, &err->message);
	return analysed(s, d);
}

json_t *kfls_did_change(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	json_t *changes = json_object_get(params, "contentChanges");
	size_t i;
	json_t *ch;
	json_array_foreach(changes, i, ch)
		if (!kfls_doc_change(s, d, ch, err))
			break;
	json_t *ver = json_object_get(json_object_get(params, "textDocument"), "version");
	if (json_is_integer(ver))
		d->version = json_integer_value(ver);
	return analysed(s, d);
}

json_t *kfls_did_close(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	kfls_publish_empty(s, d);
	kfls_doc_close(s, d);
	return NULL;
}

json_t *kfls_did_save(kfls *s, json_t *params, kfls_error *err)
{
	/* local:// sources may have appeared: check again */
	kfls_doc *d = kfls_doc_param(s, params, err);
	return d ? analysed(s, d) : NULL;
}

static void reanalyse_all(kfls *s)
{
	s->settings_gen++;
	for (kfls_doc *d = s->docs; d; d = d->next)
		analysed(s, d);
}

json_t *kfls_did_change_configuration(kfls *s, json_t *params, kfls_error *err)
{
	json_t *settings = json_object_get(params, "settings");
	json_t *k = json_object_get(settings, "kubefile");
	json_decref(s->client_settings);
	s->client_settings = json_is_object(k) ? json_incref(k) : NULL;
	reanalyse_all(s);
	return NULL;
}

json_t *kfls_did_change_watched_files(kfls *s, json_t *params, kfls_error *err)
{
	reanalyse_all(s);
	return NULL;
}
