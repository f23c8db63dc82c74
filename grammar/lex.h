/* SPDX-License-Identifier: Apache-2.0 */
/* lex.h - the Kubefile lexer, as the parser (kubefile.y) sees it.
 *
 * The lexer works in two levels, both in lexer.re:
 *  - lines: it reads physical lines, records comments, blank lines and
 *    parser directives as trivia, and joins an instruction's continued
 *    lines into one logical line (the escape character and the line end
 *    cut out; comment and blank lines inside a continuation skipped). A
 *    logical line with no continuation is lexed in place; a joined one,
 *    or one that ends in "\r\n" (whose "\r" is no part of its content),
 *    is copied once into the document's arena, with a table that maps its
 *    offsets back to the source.
 *  - tokens: re2c start conditions lex the logical line in the argument
 *    mode of its instruction (words, quote-aware words, the rest of the
 *    line, or a JSON array), then heredoc bodies, then EOL.
 *
 * All state is in struct kf_lexer: there is no global state, so any number
 * of documents can be lexed at once.
 */
#ifndef KF_LEX_H
#define KF_LEX_H

#include <stdbool.h>
#include <stdint.h>

#include "syntax/ast.h"
#include "base/vec.h"

struct kf_lex_seg {
	uint32_t at;  /* offset in the line buffer */
	uint32_t src; /* the source offset it comes from */
};

typedef struct kf_lexer {
	kf_document *doc;
	const unsigned char *text; /* the source; text[len] is NUL */
	uint32_t len;
	uint32_t pos;       /* start of the next physical line to read */
	bool header;        /* still in the directive block */
	unsigned seen;      /* directives seen, one bit each */

	/* the current logical line */
	const unsigned char *buf; /* the source itself, or a joined copy */
	const unsigned char *cur, *mar, *lim, *tok, *ctx;
	bool cooked;
	KF_VEC(struct kf_lex_seg) segs;
	uint32_t line_first; /* source offset where the logical line starts: its
			      * first non-blank byte, before the keyword when
			      * lines holding only the escape character come first */
	uint32_t line_end;  /* source offset where the logical line ends */
	uint32_t eol;       /* source offset of its line end ("\n", or len) */
	int cond;
	int step;           /* what the next arguments are, see lexer.re */
	kf_kind kind;
	uint32_t nargs;     /* argument words lexed so far */
	bool open_quote;    /* a quote on this line is not closed */
	int state;

	/* heredocs opened on this line, and the next one to read */
	KF_VEC(kf_heredoc) heredocs;
	uint32_t hd_next;

	int jdepth;         /* nesting depth inside a JSON array */

	KF_VEC(kf_trivia) trivia;
	KF_VEC(kf_directive) directives;
} kf_lexer;

void kf_lexer_init(kf_lexer *lx, kf_document *doc);
void kf_lexer_release(kf_lexer *lx);

/* The source span of [from, to) in the current line buffer. */
kf_span kf_lexer_span(const kf_lexer *lx, const unsigned char *from, const unsigned char *to);

#endif
