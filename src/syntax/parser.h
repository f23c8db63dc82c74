/* SPDX-License-Identifier: Apache-2.0 */
/* parser.h - what the grammar's actions call (internal to the library).
 *
 * kf_parser is the state of one parse: the lexer, the stacks that rules push
 * words, flags and pairs on, and the instructions built so far. The
 * functions build AST nodes in the document's arena and add diagnostics.
 */
#ifndef KF_PARSER_H
#define KF_PARSER_H

#include "syntax/ast.h"
#include "kubefile.h"
#include "lex.h"
#include "base/vec.h"

struct kf_parser {
	kf_lexer lx;
	kf_document *doc;
	KF_VEC(kf_word) words;
	KF_VEC(kf_flag) flags;
	KF_VEC(kf_pair) pairs;
	KF_VEC(kf_instr *) instrs;
	kf_word last;           /* the last token, for error messages */
	uint32_t error_line;    /* the last line with a syntax error, +1 */
	kf_span json_span;      /* the last JSON array */
	uint32_t line_first;    /* where the logical line of the last EOL began */
	bool broken;            /* the instruction being parsed has an error */
	bool prev_open;         /* the previous line looks unfinished */
	bool in_open_run;       /* this line's unknown word continues such a line */
};

kf_marks kf_parser_marks(kf_parser *p);
void kf_parser_add(kf_parser *p, kf_instr *in);
void kf_parser_add_error(kf_parser *p, kf_span span);

kf_instr *kf_parser_instr(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			  kf_form form, kf_span span);
/* the first word is the instruction's name (APPCMDS, APPENV, HEALTHCHECK) */
kf_instr *kf_parser_named(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			  kf_form form, kf_span span);
kf_instr *kf_parser_app(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			kf_form form, kf_span span);
kf_instr *kf_parser_onbuild(kf_parser *p, const kf_word *kw, kf_marks m, kf_instr *inner,
			    kf_span span);
kf_instr *kf_parser_unknown(kf_parser *p, const kf_word *kw, kf_marks m, kf_span span);
/* an instruction whose required argument is missing: "expected WHAT after KW" */
kf_instr *kf_parser_missing(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			    kf_span span, const char *what);

/* --name[=value]: quotes and backslashes removed from name and value, as
 * BuildKit's extractBuilderFlags does */
void kf_parser_flag(kf_parser *p, const kf_word *w);
void kf_parser_pair(kf_parser *p, const kf_word *key, const kf_word *value, kf_pair_sep sep);
void kf_parser_not_pair(kf_parser *p, const kf_word *w);
void kf_parser_no_value(kf_parser *p, const kf_word *key);
kf_word kf_parser_not_string(kf_parser *p, kf_span span);
void kf_parser_expected(kf_parser *p, kf_span at, const char *what);
void kf_parser_extra(kf_parser *p, kf_span at, const char *where);
void kf_parser_syntax_error(kf_parser *p, kf_span at, const char *msg);

int kf_yyparse(kf_parser *p);

#endif
