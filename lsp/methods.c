/* SPDX-License-Identifier: Apache-2.0 */
/* methods.c - the method table (methods.h). */
#include <string.h>

#include "methods.h"

#define SYNC_OPTIONS "{\"openClose\":true,\"change\":2,\"save\":{\"includeText\":false}}"
#define DIAGNOSTIC_OPTIONS "{\"identifier\":\"kflint\",\"interFileDependencies\":false,\"workspaceDiagnostics\":false}"
#define ON_TYPE_OPTIONS "{\"firstTriggerCharacter\":\"\\\\\",\"moreTriggerCharacter\":[\"`\"]}"
#define COMPLETION_OPTIONS "{\"triggerCharacters\":[\"$\",\"{\",\"-\",\"/\",\" \"]}"
#define SIGNATURE_OPTIONS "{\"triggerCharacters\":[\" \"]}"
#define CODE_ACTION_OPTIONS "{\"codeActionKinds\":[\"quickfix\",\"refactor\",\"refactor.rewrite\"]}"

/* in the order initialize announces the capabilities */
static const kfls_method methods[] = {
	{"textDocument/didOpen", kfls_did_open, "textDocumentSync", SYNC_OPTIONS},
	{"textDocument/didChange", kfls_did_change, NULL, NULL},
	{"textDocument/didClose", kfls_did_close, NULL, NULL},
	{"textDocument/didSave", kfls_did_save, NULL, NULL},
	{"workspace/didChangeConfiguration", kfls_did_change_configuration, NULL, NULL},
	{"workspace/didChangeWatchedFiles", kfls_did_change_watched_files, NULL, NULL},
	{"textDocument/diagnostic", kfls_pull_diagnostics, "diagnosticProvider", DIAGNOSTIC_OPTIONS},
	{"textDocument/formatting", kfls_formatting, "documentFormattingProvider", NULL},
	{"textDocument/rangeFormatting", kfls_range_formatting, "documentRangeFormattingProvider", NULL},
	{"textDocument/onTypeFormatting", kfls_on_type_formatting, "documentOnTypeFormattingProvider", ON_TYPE_OPTIONS},
	{"textDocument/completion", kfls_completion, "completionProvider", COMPLETION_OPTIONS},
	{"textDocument/hover", kfls_hover, "hoverProvider", NULL},
	{"textDocument/signatureHelp", kfls_signature_help, "signatureHelpProvider", SIGNATURE_OPTIONS},
	{"textDocument/definition", kfls_definition, "definitionProvider", NULL},
	{"textDocument/references", kfls_references, "referencesProvider", NULL},
	{"textDocument/documentHighlight", kfls_highlight, "documentHighlightProvider", NULL},
	{"textDocument/prepareRename", kfls_prepare_rename, "renameProvider", "{\"prepareProvider\":true}"},
	{"textDocument/rename", kfls_rename, NULL, NULL},
	{"textDocument/documentSymbol", kfls_document_symbols, "documentSymbolProvider", NULL},
	{"textDocument/foldingRange", kfls_folding_ranges, "foldingRangeProvider", NULL},
	{"textDocument/semanticTokens/full", kfls_semantic_full, "semanticTokensProvider", kfls_semantic_options},
	{"textDocument/semanticTokens/range", kfls_semantic_range, NULL, NULL},
	{"textDocument/documentLink", kfls_document_links, "documentLinkProvider", "{\"resolveProvider\":false}"},
	{"textDocument/codeAction", kfls_code_actions, "codeActionProvider", CODE_ACTION_OPTIONS},
};

const kfls_method *kfls_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

void kfls_method_capabilities(json_t *caps)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		const kfls_method *m = &methods[i];
		if (!m->capability)
			continue;
		json_t *v = m->options ? json_loads(m->options, 0, NULL) : json_true();
		json_object_set_new(caps, m->capability, v);
	}
}
