/* SPDX-License-Identifier: Apache-2.0 */
/* methods.h - the method table: every method kfls serves but the
 * lifecycle (kfls.c answers initialize, initialized, shutdown and exit),
 * one row each: the method, its handler, and the server capability it
 * announces in initialize's result. The loop dispatches from the table and
 * initialize announces from it, so the two cannot disagree.
 *
 * A new feature is one file under lsp/features/ (a family of methods,
 * listed in Makefile.am's kfls_SOURCES and fuzz/fuzz_rpc.c's
 * fuzz-sources), its handlers declared below, and one row per method in
 * the table (methods.c). Handlers are kfls_handler (session.h): they read the
 * document's tree, diagnostics and model (documents.h) and turn them into
 * LSP's shapes (protocol.h); nothing there parses Kubefile text. (Not
 * "features.h": <features.h> is glibc's, and lsp/ is on the fuzz
 * targets' include path.)
 */
#ifndef KF_KFLS_METHODS_H
#define KF_KFLS_METHODS_H

#include <jansson.h>

#include "session.h"

typedef struct kfls_method {
	const char *name;       /* the LSP method */
	kfls_handler handler;
	const char *capability; /* the ServerCapabilities key it announces; NULL:
				 * none of its own (a row of its family does) */
	const char *options;    /* the capability's value as JSON text; NULL: true */
} kfls_method;

/* The row of a method, or NULL: not in the table. */
const kfls_method *kfls_method_find(const char *name);
/* Sets every row's capability in caps (a ServerCapabilities object), in
 * the table's order. */
void kfls_method_capabilities(json_t *caps);

/* features/sync.c: document synchronisation, and the notifications that
 * analyse every document again */
json_t *kfls_did_open(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_did_change(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_did_close(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_did_save(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_did_change_configuration(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_did_change_watched_files(kfls *s, json_t *params, kfls_error *err);
/* features/diagnostics.c: diagnostics pulled (sync.c pushes them) */
json_t *kfls_pull_diagnostics(kfls *s, json_t *params, kfls_error *err);
/* features/formatting.c */
json_t *kfls_formatting(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_range_formatting(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_on_type_formatting(kfls *s, json_t *params, kfls_error *err);
/* features/completion.c: completion and signature help, while typing */
json_t *kfls_completion(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_signature_help(kfls *s, json_t *params, kfls_error *err);
/* features/hover.c */
json_t *kfls_hover(kfls *s, json_t *params, kfls_error *err);
/* features/navigation.c: apps and variables, their definition, uses and
 * renaming */
json_t *kfls_definition(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_references(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_highlight(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_prepare_rename(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_rename(kfls *s, json_t *params, kfls_error *err);
/* features/symbols.c: the outline and the folds */
json_t *kfls_document_symbols(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_folding_ranges(kfls *s, json_t *params, kfls_error *err);
/* features/semantic.c: semantic tokens, and their legend (JSON text) */
json_t *kfls_semantic_full(kfls *s, json_t *params, kfls_error *err);
json_t *kfls_semantic_range(kfls *s, json_t *params, kfls_error *err);
extern const char kfls_semantic_options[];
/* features/links.c */
json_t *kfls_document_links(kfls *s, json_t *params, kfls_error *err);
/* features/actions.c */
json_t *kfls_code_actions(kfls *s, json_t *params, kfls_error *err);

#endif
