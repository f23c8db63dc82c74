/* SPDX-License-Identifier: Apache-2.0 */
/* instrdoc.h - what each instruction and flag does, in one table.
 *
 * The language server's hover, signature help and completion snippets, and
 * kflint's unknown-flag rule (KF217) read it; docs/instructions.md is
 * generated from it (kf_instr_docs_markdown, printed by `kfls
 * --print-instruction-docs`) and tests/lsp.sh checks that the
 * file is exactly that, so the text is written once.
 */
#ifndef KF_INSTRDOC_H
#define KF_INSTRDOC_H

#include <stddef.h>

#include "syntax/ast.h"
#include "base/buf.h"

typedef struct kf_flag_doc {
	const char *name;    /* without "--" */
	const char *value;   /* what the value is ("platform"), or NULL for a bare flag */
	const char *summary; /* one sentence */
} kf_flag_doc;

typedef struct kf_instr_doc {
	const char *synopsis; /* "APP name src..." (one line; alternatives separated by " | ") */
	const char *summary;  /* markdown, one paragraph */
	const char *snippet;  /* an LSP snippet for completion: "APP ${1:name} local://${2:path}" */
	const kf_flag_doc *flags; /* the flags it accepts, terminated by a {NULL} entry */
} kf_instr_doc;

/* The entry of a kind (KF_INSTR_ERROR gives NULL). */
const kf_instr_doc *kf_instr_doc_get(kf_kind kind);
/* The flag of an instruction, or NULL if it does not accept one so named. */
const kf_flag_doc *kf_instr_doc_flag(kf_kind kind, kf_str name);
/* The hover text of an instruction: synopsis in a code block, then summary. */
void kf_instr_doc_hover(kf_kind kind, kf_buf *out);
/* docs/instructions.md */
void kf_instr_docs_markdown(kf_buf *out);

/* The flags of the reference that kfc build refuses: the one table that
 * the build's lowering (its error, code, at the flag) and kflint's KF224
 * (the same span) and kfls's completion (which leaves them out) read, so
 * that lint and build cannot disagree. why follows "COPY --parents ". */
typedef struct kf_flag_refusal {
	kf_kind kind;
	const char *name;
	const char *code; /* the build's: KF505, or KF509 for a multi-stage COPY --from */
	const char *why;
} kf_flag_refusal;

const kf_flag_refusal *kf_flag_refused(kf_kind kind, kf_str name);
/* all of them (tests enumerate them) */
const kf_flag_refusal *kf_flag_refusals(size_t *n);

#endif
