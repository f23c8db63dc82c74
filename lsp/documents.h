/* SPDX-License-Identifier: Apache-2.0 */
/* documents.h - the open documents: their text, the edits to it, and its
 * analysis. Every change re-parses and re-lints the document with the
 * library's kf_parse and kf_lint, the code kflint runs, with the same
 * settings file lookup (kf_config_find) and the editor's settings over it,
 * so that the editor shows what kflint prints; the model is built on first
 * use.
 *
 * Memory: the session owns its documents (s->docs): kfls_doc_open adds
 * one, kfls_doc_close takes it out and frees it, kfls_docs_free frees them
 * all. A document owns its strings, its source, and its analysis (the
 * tree, the diagnostics, whose text is in the tree's arena, and the
 * model), which the next analysis or the close frees; pointers into them
 * last until then.
 */
#ifndef KF_KFLS_DOCUMENTS_H
#define KF_KFLS_DOCUMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/format.h"
#include "sema/model.h"
#include "session.h"

/* Documents larger than this are refused (an LSP error), not parsed. */
#define KFLS_MAX_DOCUMENT ((size_t)32 << 20)

typedef struct kfls_doc {
	char *uri;
	char *path;        /* a file: URI's path; NULL for other schemes */
	char *dir;         /* the build context: the file's directory, or "." */
	int64_t version;
	kf_source src;
	kf_document *ast;
	kf_diag_bag diags;
	kf_model *model;   /* built on first use; kfls_model() */
	/* settings: the .kflint.yaml found for dir (NULL: none) */
	unsigned settings_gen;
	char *cfg_path;
	char *cfg_error;   /* a bad settings file, reported as a diagnostic */
	struct kfls_doc *next;
} kfls_doc;

/* params.textDocument.uri's document; NULL, with err set, when it is
 * missing or not open */
kfls_doc *kfls_doc_param(kfls *s, json_t *params, kfls_error *err);
/* The same, and params.position as an offset (TextDocumentPositionParams),
 * or params.range as a span */
kfls_doc *kfls_doc_position(kfls *s, json_t *params, uint32_t *off, kfls_error *err);
kfls_doc *kfls_doc_range(kfls *s, json_t *params, kf_span *range, kfls_error *err);

/* The document of uri, opened (empty, not analysed) when it is not open. */
kfls_doc *kfls_doc_open(kfls *s, const char *uri);
/* Replaces the whole text; false, with err set and the text as it was,
 * when the text is too large. */
bool kfls_doc_set_text(kfls_doc *d, const char *text, size_t len, kfls_error *err);
/* Applies one contentChange: a range replaced, or (no range) the whole
 * text; false, with err set, when it is not one or too large. */
bool kfls_doc_change(kfls *s, kfls_doc *d, json_t *change, kfls_error *err);
/* Takes the document out of the session and frees it. */
void kfls_doc_close(kfls *s, kfls_doc *d);
/* Frees every document of the session. */
void kfls_docs_free(kfls *s);

/* Parses and lints the text again, with the settings as they are now. */
void kfls_doc_analyse(kfls *s, kfls_doc *d);
/* The model of the document's tree (built on first use; the document's). */
const kf_model *kfls_model(kfls_doc *d);
/* The formatting options of a document: the editor's indentation
 * (lsp_opts, FormattingOptions), then the settings file, then the
 * editor's kubefile.fmt settings. */
void kfls_fmt_options(kfls *s, kfls_doc *d, json_t *lsp_opts, kf_fmt_options *opt);

#endif
