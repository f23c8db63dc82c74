/* SPDX-License-Identifier: Apache-2.0 */
/* diagnostics.h - a document's diagnostics as LSP's Diagnostic: pushed
 * (textDocument/publishDiagnostics, after every analysis) and in the code
 * actions that fix them. textDocument/diagnostic, the pull, is in the
 * method table (methods.h).
 */
#ifndef KF_KFLS_DIAGNOSTICS_H
#define KF_KFLS_DIAGNOSTICS_H

#include <jansson.h>

#include "syntax/diag.h"
#include "lsp/documents.h"

/* Sends the document's diagnostics, unless the client only pulls them. */
void kfls_publish(kfls *s, kfls_doc *d);
/* Sends an empty list for the document (it is being closed). */
void kfls_publish_empty(kfls *s, kfls_doc *d);
/* One diagnostic of the document (a new reference). */
json_t *kfls_diag_json(kfls *s, kfls_doc *d, const kf_diag *g);

#endif
