/* SPDX-License-Identifier: Apache-2.0 */
/* query.h - what the features ask of a document's tree and model: the
 * instruction at an offset, the app or variable named there, and where
 * else the same one is named.
 *
 * Memory: the answers point into the document's tree and model (valid
 * until its next analysis); kfls_occurrences appends to a vector the
 * caller frees (kf_vec_free).
 */
#ifndef KF_KFLS_QUERY_H
#define KF_KFLS_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "base/vec.h"
#include "syntax/ast.h"
#include "sema/model.h"
#include "lsp/documents.h"

static inline bool kfls_contains(kf_span sp, uint32_t off)
{
	return sp.start <= off && off <= sp.end;
}

/* Does the instruction name an app (APP, CNI, CSI, APPCMDS, APPENV), or
 * declare one (APP, CNI, CSI)? */
bool kfls_names_app(kf_kind k);
bool kfls_declares_app(kf_kind k);

/* The instruction whose span holds off (its end included), or NULL. */
const kf_instr *kfls_instr_at(const kfls_doc *d, uint32_t off);
/* A word's text range without the quotes of a JSON string literal. */
kf_span kfls_inner_span(const kfls_doc *d, const kf_word *w);

typedef enum { KFLS_SYM_NONE, KFLS_SYM_APP, KFLS_SYM_VAR } kfls_sym_kind;

/* An app or a variable named in the document. */
typedef struct kfls_sym {
	kfls_sym_kind kind;
	kf_str name;
	kf_span span;              /* the name under the cursor */
	const kf_var_use *use;     /* a variable's use there, or NULL */
	const kf_var_def *def;     /* the definition in scope (or there), or NULL */
} kfls_sym;

/* The app or variable named at off (kind KFLS_SYM_NONE: none). */
kfls_sym kfls_symbol_at(kfls_doc *d, uint32_t off);
/* Is n a valid new name for a symbol of kind k? */
bool kfls_valid_name(kfls_sym_kind k, const char *n);

typedef struct kfls_occurrence {
	kf_span span;
	bool decl;                 /* a declaration or definition */
} kfls_occurrence;
typedef KF_VEC(kfls_occurrence) kfls_occ_vec;

/* Every place that names the symbol, in source order, appended to out. */
void kfls_occurrences(kfls_doc *d, const kfls_sym *sy, kfls_occ_vec *out);

#endif
