/* SPDX-License-Identifier: Apache-2.0 */
/* kubefile.y - the grammar of the Kubefile language.
 *
 * This file is the formal definition of the language's syntax
 * (docs/grammar.md gives the same grammar in EBNF; a test keeps the two in
 * step). The lexer (lexer.re) hands over one logical line at a time: a
 * keyword token, the instruction's flags, its arguments in the argument
 * mode of that instruction, heredoc bodies, and EOL.
 *
 * Values: every argument word is pushed on the parser's word stack as it is
 * reduced, every key/value pair on its pair stack; an instruction's action
 * takes what was pushed since its keyword (the marks in `flags`). So a rule
 * never builds a list by hand, and ONBUILD nests without special cases.
 *
 * Errors: a missing argument has a rule of its own with a message that
 * names it ("expected an image name after FROM"); anything else is a syntax
 * error reported by yyreport_syntax_error, and the `error EOL` rule
 * resynchronises at the next logical line, so one broken line costs one
 * diagnostic and the rest of the file is still parsed.
 */

%require "3.8"
%define api.pure full
%define api.prefix {kf_yy}
%define api.token.prefix {KF_TOK_}
%define api.location.type {kf_span}
%define parse.error custom
%locations
%expect 0
%param {kf_parser *p}

%code requires {
#include "syntax/ast.h"
#include "base/vec.h"

typedef struct kf_parser kf_parser;

/* where an instruction's flags, words and pairs start on the stacks */
typedef struct kf_marks {
	uint32_t flags, words, pairs;
	bool dashdash;
} kf_marks;

#define YYLLOC_DEFAULT(Cur, Rhs, N)                          \
	do {                                                 \
		if (N) {                                     \
			(Cur).start = YYRHSLOC(Rhs, 1).start; \
			(Cur).end = YYRHSLOC(Rhs, N).end;     \
		} else {                                     \
			(Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end; \
		}                                            \
	} while (0)
}

%code provides {
struct kf_lexer;
int kf_lex(struct kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc);
}

%union {
	kf_word word;
	uint32_t count;
	kf_marks marks;
	kf_instr *instr;
	kf_form form;
}

%code {
#include <stdlib.h>
#include <string.h>

#include "lex.h"
#include "syntax/parser.h"

static int kf_yylex(KF_YYSTYPE *lval, kf_span *lloc, kf_parser *p)
{
	int t = kf_lex(&p->lx, lval, lloc);
	/* kept for the syntax error message */
	if (t != KF_TOK_EOL && t != KF_TOK_END)
		p->last = lval->word;
	/* where the line this EOL ends began, for the instruction it ends */
	if (t == KF_TOK_EOL)
		p->line_first = p->lx.line_first;
	return t;
}

/* Only for bison's own failures (its stack exhausted by absurd nesting);
 * syntax errors go through yyreport_syntax_error. */
static void kf_yyerror(const kf_span *loc, kf_parser *p, const char *msg)
{
	kf_parser_syntax_error(p, *loc, msg);
}
}

/* Instruction keywords, case-insensitive in the source. */
%token <word> FROM "FROM" ARG "ARG" ENV "ENV" LABEL "LABEL" MAINTAINER "MAINTAINER"
%token <word> COPY "COPY" ADD "ADD" RUN "RUN" CMD "CMD" ENTRYPOINT "ENTRYPOINT"
%token <word> SHELL "SHELL" WORKDIR "WORKDIR" USER "USER" EXPOSE "EXPOSE"
%token <word> VOLUME "VOLUME" ONBUILD "ONBUILD" STOPSIGNAL "STOPSIGNAL"
%token <word> HEALTHCHECK "HEALTHCHECK"
%token <word> APP "APP" CNI "CNI" CSI "CSI" APPCMDS "APPCMDS" APPENV "APPENV"
%token <word> LAUNCH "LAUNCH" CMDS "CMDS" KUBEVERSION "KUBEVERSION"
%token <word> PLUGINS "PLUGINS" IMAGES "IMAGES"
/* A first word that is no instruction. */
%token <word> UNKNOWN "unknown instruction"

%token <word> FLAG "flag"
%token <word> DASHDASH "--"
%token <word> WORD "word"
%token <word> AS "AS"
%token <word> PAIR "key=value"
%token <word> TEXT "text"
%token <word> JSTRING "JSON string"
%token <word> JSCALAR "JSON value"
%token <word> JUNK "invalid JSON"
%token <word> HEREDOC "heredoc body"
%token '[' "[" ']' "]" '{' "{" '}' "}" ',' "," ':' ":"
%token EOL "end of line"
%token END 0 "end of file"

%type <instr> instruction from arg env label maintainer copy add run cmd entrypoint shell
%type <instr> workdir user expose volume onbuild stopsignal healthcheck
%type <instr> app cni csi appcmds appenv launch cmds kubeversion plugins images unknown
%type <marks> flags
%type <form> cmd_args list_args app_args
%type <word> json_elem
%type <count> words

%%

file:
	  %empty
	| file line
	;

line:
	  instruction EOL { kf_parser_add(p, $1); }
	/* A line that does not parse: skip to its end and go on. The
	 * diagnostic was given by yyreport_syntax_error. */
	| error EOL { yyerrok; kf_parser_add_error(p, @1); }
	;

instruction:
	  from | arg | env | label | maintainer | copy | add | run | cmd | entrypoint
	| shell | workdir | user | expose | volume | onbuild | stopsignal | healthcheck
	| app | cni | csi | appcmds | appenv | launch | cmds | kubeversion | plugins
	| images | unknown
	;

/* Leading --name[=value] flags, on every instruction; "--" ends them
 * (the lexer gives no FLAG after it). The value marks where the
 * instruction's flags, words and pairs start on the stacks. */
flags:
	  %empty { $$ = kf_parser_marks(p); }
	| flags FLAG { $$ = $1; kf_parser_flag(p, &$2); }
	| flags DASHDASH { $$ = $1; $$.dashdash = true; }
	;

/* Arguments, each pushed on the word stack. */
words:
	  WORD { kf_vec_push(&p->words, $1); $$ = 1; }
	| words WORD { kf_vec_push(&p->words, $2); $$ = $1 + 1; }
	;

text: TEXT { kf_vec_push(&p->words, $1); } ;

/* Exec form: a JSON array whose elements must be strings. The lexer hands
 * over a JSON array only when the rest of the line is valid JSON, so these
 * rules never meet broken JSON; non-string elements are diagnosed. */
json_array:
	  '[' ']' { p->json_span = @$; }
	| '[' json_elems ']' { p->json_span = @$; }
	;

json_elems:
	  json_elem { kf_vec_push(&p->words, $1); }
	| json_elems ',' json_elem { kf_vec_push(&p->words, $3); }
	;

json_elem:
	  JSTRING
	| JSCALAR { $$ = kf_parser_not_string(p, @1); }
	| json_nested { $$ = kf_parser_not_string(p, @1); }
	;

json_nested:
	  '[' ']'
	| '[' json_values ']'
	| '{' '}'
	| '{' json_members '}'
	;

json_values: json_value | json_values ',' json_value ;
json_value: JSTRING | JSCALAR | json_nested ;
json_members: json_member | json_members ',' json_member ;
json_member: JSTRING ':' json_value ;

/* Shell form or exec form (RUN, CMD, ENTRYPOINT, SHELL, CMDS, APPCMDS,
 * HEALTHCHECK). */
cmd_args:
	  text { $$ = KF_FORM_SHELL; }
	| json_array { $$ = KF_FORM_JSON; }
	;

/* Word list or exec form (COPY, ADD, VOLUME, APP, CNI, CSI, LAUNCH,
 * PLUGINS, IMAGES). */
list_args:
	  words { $$ = KF_FORM_WORDS; }
	| json_array { $$ = KF_FORM_JSON; }
	;

heredocs: %empty | heredocs HEREDOC ;

/* key=value pairs (ENV, LABEL, APPENV); a word without "=" among them is
 * an error. */
pairs:
	  PAIR { kf_parser_pair(p, &$1, NULL, KF_SEP_EQUALS); }
	| pairs PAIR { kf_parser_pair(p, &$2, NULL, KF_SEP_EQUALS); }
	| pairs WORD { kf_parser_not_pair(p, &$2); }
	;

name: WORD { kf_vec_push(&p->words, $1); } ;

/* FROM [--platform=P] image [AS name] */
from:
	  FROM flags name from_alias { $$ = kf_parser_instr(p, KF_INSTR_FROM, &$1, $2, KF_FORM_WORDS, @$); }
	| FROM flags { $$ = kf_parser_missing(p, KF_INSTR_FROM, &$1, $2, @$, "an image name"); }
	;

from_alias:
	  %empty
	| as words {
		if ($2 > 1)
			kf_parser_extra(p, (kf_span){p->words.v[p->words.n - $2 + 1].span.start, @2.end},
					"after the stage name");
	}
	| as { kf_parser_expected(p, @1, "a stage name after AS"); }
	| words { kf_parser_expected(p, @1, "AS before the stage name"); }
	;

as: AS { kf_vec_push(&p->words, $1); } ;

/* ARG name[=default] … */
arg:
	  ARG flags arg_items { $$ = kf_parser_instr(p, KF_INSTR_ARG, &$1, $2, KF_FORM_NONE, @$); }
	| ARG flags { $$ = kf_parser_missing(p, KF_INSTR_ARG, &$1, $2, @$, "a name"); }
	;

arg_items: arg_item | arg_items arg_item ;
arg_item:
	  WORD { kf_parser_pair(p, &$1, NULL, KF_SEP_NONE); }
	| PAIR { kf_parser_pair(p, &$1, NULL, KF_SEP_EQUALS); }
	;

/* ENV key=value …, or the legacy ENV key value (LABEL alike) */
env:
	  ENV flags nameval { $$ = kf_parser_instr(p, KF_INSTR_ENV, &$1, $2, KF_FORM_NONE, @$); }
	| ENV flags { $$ = kf_parser_missing(p, KF_INSTR_ENV, &$1, $2, @$, "a name=value pair"); }
	;

label:
	  LABEL flags nameval { $$ = kf_parser_instr(p, KF_INSTR_LABEL, &$1, $2, KF_FORM_NONE, @$); }
	| LABEL flags { $$ = kf_parser_missing(p, KF_INSTR_LABEL, &$1, $2, @$, "a key=value pair"); }
	;

nameval:
	  pairs
	| WORD TEXT { kf_parser_pair(p, &$1, &$2, KF_SEP_SPACE); }
	| WORD { kf_parser_no_value(p, &$1); }
	;

maintainer:
	  MAINTAINER flags text { $$ = kf_parser_instr(p, KF_INSTR_MAINTAINER, &$1, $2, KF_FORM_SHELL, @$); }
	| MAINTAINER flags { $$ = kf_parser_missing(p, KF_INSTR_MAINTAINER, &$1, $2, @$, "a name"); }
	;

/* COPY [flags] src… dest, the exec form, and heredoc sources */
copy:
	  COPY flags list_args heredocs { $$ = kf_parser_instr(p, KF_INSTR_COPY, &$1, $2, $3, @$); }
	| COPY flags { $$ = kf_parser_missing(p, KF_INSTR_COPY, &$1, $2, @$, "a source and a destination"); }
	;

add:
	  ADD flags list_args heredocs { $$ = kf_parser_instr(p, KF_INSTR_ADD, &$1, $2, $3, @$); }
	| ADD flags { $$ = kf_parser_missing(p, KF_INSTR_ADD, &$1, $2, @$, "a source and a destination"); }
	;

run:
	  RUN flags cmd_args heredocs { $$ = kf_parser_instr(p, KF_INSTR_RUN, &$1, $2, $3, @$); }
	| RUN flags { $$ = kf_parser_missing(p, KF_INSTR_RUN, &$1, $2, @$, "a command"); }
	;

/* CMD and ENTRYPOINT may be empty (they reset the command) */
cmd:
	  CMD flags cmd_args { $$ = kf_parser_instr(p, KF_INSTR_CMD, &$1, $2, $3, @$); }
	| CMD flags { $$ = kf_parser_instr(p, KF_INSTR_CMD, &$1, $2, KF_FORM_NONE, @$); }
	;

entrypoint:
	  ENTRYPOINT flags cmd_args { $$ = kf_parser_instr(p, KF_INSTR_ENTRYPOINT, &$1, $2, $3, @$); }
	| ENTRYPOINT flags { $$ = kf_parser_instr(p, KF_INSTR_ENTRYPOINT, &$1, $2, KF_FORM_NONE, @$); }
	;

shell:
	  SHELL flags cmd_args { $$ = kf_parser_instr(p, KF_INSTR_SHELL, &$1, $2, $3, @$); }
	| SHELL flags { $$ = kf_parser_missing(p, KF_INSTR_SHELL, &$1, $2, @$, "a JSON array"); }
	;

workdir:
	  WORKDIR flags text { $$ = kf_parser_instr(p, KF_INSTR_WORKDIR, &$1, $2, KF_FORM_SHELL, @$); }
	| WORKDIR flags { $$ = kf_parser_missing(p, KF_INSTR_WORKDIR, &$1, $2, @$, "a directory"); }
	;

user:
	  USER flags text { $$ = kf_parser_instr(p, KF_INSTR_USER, &$1, $2, KF_FORM_SHELL, @$); }
	| USER flags { $$ = kf_parser_missing(p, KF_INSTR_USER, &$1, $2, @$, "a user"); }
	;

expose:
	  EXPOSE flags words { $$ = kf_parser_instr(p, KF_INSTR_EXPOSE, &$1, $2, KF_FORM_WORDS, @$); }
	| EXPOSE flags { $$ = kf_parser_instr(p, KF_INSTR_EXPOSE, &$1, $2, KF_FORM_NONE, @$); }
	;

volume:
	  VOLUME flags list_args { $$ = kf_parser_instr(p, KF_INSTR_VOLUME, &$1, $2, $3, @$); }
	| VOLUME flags { $$ = kf_parser_missing(p, KF_INSTR_VOLUME, &$1, $2, @$, "a path"); }
	;

/* ONBUILD holds another instruction */
onbuild:
	  ONBUILD flags instruction { $$ = kf_parser_onbuild(p, &$1, $2, $3, @$); }
	| ONBUILD flags { $$ = kf_parser_missing(p, KF_INSTR_ONBUILD, &$1, $2, @$, "an instruction"); }
	;

stopsignal:
	  STOPSIGNAL flags text { $$ = kf_parser_instr(p, KF_INSTR_STOPSIGNAL, &$1, $2, KF_FORM_SHELL, @$); }
	| STOPSIGNAL flags { $$ = kf_parser_missing(p, KF_INSTR_STOPSIGNAL, &$1, $2, @$, "a signal"); }
	;

/* HEALTHCHECK [flags] [NONE | CMD command] */
healthcheck:
	  HEALTHCHECK flags name cmd_args { $$ = kf_parser_named(p, KF_INSTR_HEALTHCHECK, &$1, $2, $4, @$); }
	| HEALTHCHECK flags name { $$ = kf_parser_named(p, KF_INSTR_HEALTHCHECK, &$1, $2, KF_FORM_NONE, @$); }
	| HEALTHCHECK flags { $$ = kf_parser_instr(p, KF_INSTR_HEALTHCHECK, &$1, $2, KF_FORM_NONE, @$); }
	;

/* APP name src… or APP ["name", "src", …] (CNI and CSI alike) */
app:
	  APP flags app_args { $$ = kf_parser_app(p, KF_INSTR_APP, &$1, $2, $3, @$); }
	| APP flags name { $$ = kf_parser_missing(p, KF_INSTR_APP, &$1, $2, @$, "a source after the app name"); }
	| APP flags { $$ = kf_parser_missing(p, KF_INSTR_APP, &$1, $2, @$, "an app name"); }
	;

cni:
	  CNI flags app_args { $$ = kf_parser_app(p, KF_INSTR_CNI, &$1, $2, $3, @$); }
	| CNI flags name { $$ = kf_parser_missing(p, KF_INSTR_CNI, &$1, $2, @$, "a source after the app name"); }
	| CNI flags { $$ = kf_parser_missing(p, KF_INSTR_CNI, &$1, $2, @$, "an app name"); }
	;

csi:
	  CSI flags app_args { $$ = kf_parser_app(p, KF_INSTR_CSI, &$1, $2, $3, @$); }
	| CSI flags name { $$ = kf_parser_missing(p, KF_INSTR_CSI, &$1, $2, @$, "a source after the app name"); }
	| CSI flags { $$ = kf_parser_missing(p, KF_INSTR_CSI, &$1, $2, @$, "an app name"); }
	;

app_args:
	  name words { $$ = KF_FORM_WORDS; }
	| json_array { $$ = KF_FORM_JSON; }
	;

/* APPCMDS name ["argv0", "arg1", …] */
appcmds:
	  APPCMDS flags name cmd_args { $$ = kf_parser_named(p, KF_INSTR_APPCMDS, &$1, $2, $4, @$); }
	| APPCMDS flags name { $$ = kf_parser_missing(p, KF_INSTR_APPCMDS, &$1, $2, @$, "a JSON array after the app name"); }
	| APPCMDS flags { $$ = kf_parser_missing(p, KF_INSTR_APPCMDS, &$1, $2, @$, "an app name"); }
	;

/* APPENV name key=value … */
appenv:
	  APPENV flags name pairs { $$ = kf_parser_named(p, KF_INSTR_APPENV, &$1, $2, KF_FORM_NONE, @$); }
	| APPENV flags name { $$ = kf_parser_missing(p, KF_INSTR_APPENV, &$1, $2, @$, "a key=value pair after the app name"); }
	| APPENV flags { $$ = kf_parser_missing(p, KF_INSTR_APPENV, &$1, $2, @$, "an app name"); }
	;

/* LAUNCH app… or LAUNCH ["app", …] */
launch:
	  LAUNCH flags list_args { $$ = kf_parser_instr(p, KF_INSTR_LAUNCH, &$1, $2, $3, @$); }
	| LAUNCH flags { $$ = kf_parser_missing(p, KF_INSTR_LAUNCH, &$1, $2, @$, "an app name"); }
	;

/* CMDS ["cmd1", "cmd2"]; the shell form parses, and the checker rejects it */
cmds:
	  CMDS flags cmd_args { $$ = kf_parser_instr(p, KF_INSTR_CMDS, &$1, $2, $3, @$); }
	| CMDS flags { $$ = kf_parser_missing(p, KF_INSTR_CMDS, &$1, $2, @$, "a JSON array of commands"); }
	;

kubeversion:
	  KUBEVERSION flags text { $$ = kf_parser_instr(p, KF_INSTR_KUBEVERSION, &$1, $2, KF_FORM_SHELL, @$); }
	| KUBEVERSION flags { $$ = kf_parser_missing(p, KF_INSTR_KUBEVERSION, &$1, $2, @$, "a version range"); }
	;

plugins:
	  PLUGINS flags list_args { $$ = kf_parser_instr(p, KF_INSTR_PLUGINS, &$1, $2, $3, @$); }
	| PLUGINS flags { $$ = kf_parser_missing(p, KF_INSTR_PLUGINS, &$1, $2, @$, "a source"); }
	;

/* IMAGES ref…, IMAGES ["ref", …] or IMAGES --file=path */
images:
	  IMAGES flags list_args { $$ = kf_parser_instr(p, KF_INSTR_IMAGES, &$1, $2, $3, @$); }
	| IMAGES flags { $$ = kf_parser_instr(p, KF_INSTR_IMAGES, &$1, $2, KF_FORM_NONE, @$); }
	;

/* A word that is no instruction: diagnosed, kept as an error node */
unknown:
	  UNKNOWN flags text { $$ = kf_parser_unknown(p, &$1, $2, @$); }
	| UNKNOWN flags { $$ = kf_parser_unknown(p, &$1, $2, @$); }
	;

%%

static const char *describe(kf_parser *p, yysymbol_kind_t sym, const kf_word *w, char *buf, size_t n)
{
	(void)p;
	switch (sym) {
	case YYSYMBOL_EOL: return "end of line";
	case YYSYMBOL_YYEOF: return "end of file";
	case YYSYMBOL_HEREDOC: return "a heredoc body";
	default:
		if (w && w->text.len) {
			snprintf(buf, n, "'%.*s'", w->text.len > 40 ? 40 : (int)w->text.len, w->text.ptr);
			return buf;
		}
		return yysymbol_name(sym);
	}
}

static int yyreport_syntax_error(const yypcontext_t *ctx, kf_parser *p)
{
	yysymbol_kind_t expected[6];
	int n = yypcontext_expected_tokens(ctx, expected, 6);
	yysymbol_kind_t found = yypcontext_token(ctx);
	const kf_span *loc = yypcontext_location(ctx);
	char buf[64];
	kf_buf msg = KF_BUF_INIT;
	kf_buf_printf(&msg, "unexpected %s", describe(p, found, &p->last, buf, sizeof(buf)));
	if (p->lx.kind != KF_INSTR_ERROR)
		kf_buf_printf(&msg, " in %s", kf_kind_name(p->lx.kind));
	if (n > 0 && n <= 5) {
		kf_buf_adds(&msg, "; expected ");
		for (int i = 0; i < n; i++)
			kf_buf_printf(&msg, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
				      yysymbol_name(expected[i]));
	}
	kf_parser_syntax_error(p, *loc, msg.ptr);
	kf_buf_release(&msg);
	return 0;
}
