/* SPDX-License-Identifier: Apache-2.0 */
/* format.h - the Kubefile formatter (kfc fmt, and the language server's
 * formatting requests).
 *
 * It works from the AST and its trivia, and writes the canonical style of
 * docs/formatting.md: upper-case keywords, one space between the parts of an
 * instruction where whitespace has no meaning, exec form as ["a", "b"],
 * continuation lines indented by one unit, comments kept, at most one blank
 * line in a row, no trailing whitespace, one final newline, the file's line
 * ending and escape character kept. Shell text, heredoc bodies and quoted
 * strings keep their whitespace; an instruction with a syntax error is left
 * as written. Formatting is idempotent, and the formatted file parses to
 * the same instructions (docs/formatting.md says exactly what may change).
 */
#ifndef KF_FORMAT_H
#define KF_FORMAT_H

#include <stdbool.h>

#include "syntax/ast.h"
#include "base/buf.h"

typedef struct kf_fmt_options {
	unsigned indent;         /* continuation indent in columns (default 4) */
	bool use_tabs;           /* indent with one tab instead */
	bool rewrite_legacy_env; /* ENV k v -> ENV k=v, where that is certain */
	bool rewrite_cmds_json;  /* shell-form CMDS text -> CMDS ["text"] */
} kf_fmt_options;

#define KF_FMT_OPTIONS_INIT {4, false, false, false}

/* The whole document, formatted, appended to out. */
void kf_format(const kf_document *doc, const kf_fmt_options *opt, kf_buf *out);

/* One replacement of the source text. */
typedef struct kf_edit {
	kf_span span;
	char *text; /* malloc'd, NUL-terminated; a NUL of the source may be inside */
	size_t len;
} kf_edit;

typedef struct kf_edits {
	kf_edit *v;
	size_t n, cap;
} kf_edits;

/* The edits that format the instructions and comments that overlap range
 * (whole lines), in source order; an edit that would change nothing is
 * left out. Release them with kf_edits_release. */
void kf_format_range(const kf_document *doc, const kf_fmt_options *opt, kf_span range,
		     kf_edits *edits);
void kf_edits_release(kf_edits *edits);
/* The edit that writes an instruction's arguments in exec (JSON) form,
 * where that keeps their meaning: for RUN, ENTRYPOINT, LAUNCH, APP, CNI,
 * CSI, APPCMDS, COPY, ADD, VOLUME and IMAGES words with no quotes,
 * escapes, variables or shell syntax become one string each; the shell
 * text of CMD and CMDS becomes one string (one command line); other shell
 * text of RUN and ENTRYPOINT becomes ["/bin/sh", "-c", text]. False when
 * the instruction has no such form, already has it, or its arguments
 * cannot be converted with certainty (continued lines, heredocs). The
 * caller frees edit->text. */
bool kf_json_form(const kf_document *doc, const kf_instr *in, kf_edit *edit);

/* The key=value spelling of a legacy "key value" pair of ENV or LABEL,
 * with the value it had (BuildKit reads both with the same word
 * expansion), appended to out: the value in double quotes when it holds
 * blanks and no quote or escape character, else as written with each
 * blank outside quotes escaped. Anything but KF_LEGACY_REWRITTEN leaves out
 * as it was: the pair is no legacy one, or it cannot be rewritten with
 * certainty (the reason). kfc fmt --rewrite=legacy-env and kflint's KF204
 * both use it. */
typedef enum kf_legacy_pair {
	KF_LEGACY_REWRITTEN,
	KF_LEGACY_NOT_LEGACY,
	KF_LEGACY_LINES,      /* the value is continued over several lines */
	KF_LEGACY_NAME,       /* the name holds a quote or an escape character */
	KF_LEGACY_OPEN_QUOTE, /* a quote in the value is not closed */
	KF_LEGACY_MIXED,      /* blanks outside quotes, quotes or escape characters and ${ */
} kf_legacy_pair;
kf_legacy_pair kf_fmt_legacy_pair(const kf_document *doc, const kf_pair *pr, kf_buf *out);

/* The source text with the edits (sorted, not overlapping) made. */
void kf_edits_apply(const kf_source *src, const kf_edits *edits, kf_buf *out);

#endif
