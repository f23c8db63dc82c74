/* SPDX-License-Identifier: Apache-2.0 */
/* expand.h - variable expansion and shell-word splitting, as BuildKit's
 * Dockerfile frontend does it (frontend/dockerfile/shell/lex.go, shell.Lex).
 *
 * Quoting rules (esc is the Dockerfile escape character, '\\' or '`'):
 *  - '...' keeps every byte literally up to the next single quote; no escapes.
 *  - "..." expands $ references; esc escapes only '"', '$' and esc itself,
 *    before any other byte esc is kept; an esc just before the end is dropped.
 *  - outside quotes, esc makes the next character literal (a trailing esc is
 *    dropped), and quotes are removed.
 *  - $NAME, ${NAME}, $1 (a digit run), $@ $* $# $? $- $$ $! $0 (one special
 *    character); '$' followed by anything else stays a literal '$'.
 *  - ${NAME:-word} ${NAME-word} ${NAME:+word} ${NAME+word} ${NAME:?word}
 *    ${NAME?word} ${NAME#pat} ${NAME##pat} ${NAME%pat} ${NAME%%pat}
 *    ${NAME/pat/repl} ${NAME//pat/repl}; word, pat and repl are expanded in
 *    turn. Anything else after the name (${NAME:=x}, ${NAME:x}, ${.}) is an
 *    error, as are ${}, ${{...}, ${:...} and a missing '}'.
 * The input is read as UTF-8 the way Go's text/scanner reads it: a byte
 * order mark at the very start is skipped, and a byte that is not part of
 * valid UTF-8 comes out as U+FFFD. Names may contain Unicode letters and
 * digits (Unicode 15.0, as in Go 1.21 and later). Variable values are copied
 * unchanged, except where BuildKit reads them again as runes: unquoted values
 * in kf_expand_words and the result of ${NAME%pat}, where invalid UTF-8 also
 * becomes U+FFFD.
 *
 * Ownership: the input is only read. kf_expand_word appends to the caller's
 * kf_buf; kf_expand_words puts the words and the array in the caller's
 * arena. Errors use static messages plus a bounded copy in detail, so an
 * error needs no freeing. Nothing here keeps state between calls.
 */
#ifndef KF_EXPAND_H
#define KF_EXPAND_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/buf.h"

/* Look a variable up: return true and set *value when it is defined
 * (possibly empty). value must stay valid until the expansion returns. */
typedef bool (*kf_expand_lookup)(void *ctx, kf_str name, kf_str *value);

/* A NULL env, or a NULL lookup, means that no variable is set. */
typedef struct kf_expand_env {
	kf_expand_lookup lookup;
	void *ctx;
} kf_expand_env;

#define KF_EXPAND_DETAIL_MAX 256

typedef struct kf_expand_error {
	size_t offset;       /* byte offset in the input where the problem is */
	const char *message; /* static string, e.g. "missing closing double quote" */
	/* message with its specifics, NUL-terminated, cut at
	 * KF_EXPAND_DETAIL_MAX - 1 bytes: "unsupported modifier ':=' in ${...}",
	 * or "NAME: text" for ${NAME?text} as BuildKit words it */
	char detail[KF_EXPAND_DETAIL_MAX];
} kf_expand_error;

/* Nesting limit of ${...} inside the word of a ${...}; deeper input is an
 * error (BuildKit has no limit; this keeps the C stack bounded). */
#define KF_EXPAND_MAX_DEPTH 200

/* BuildKit ProcessWord: expand one word: quotes removed, escape character
 * processed, variables substituted; the result is appended to out. esc is
 * '\\' or '`'. Returns false and fills err (when not NULL) on error; out is
 * then left as it was. */
bool kf_expand_word(kf_str in, char esc, const kf_expand_env *env, kf_buf *out,
		    kf_expand_error *err);

/* BuildKit ProcessWords: split into words with expansion. Unquoted whitespace
 * separates words, and so does whitespace in the value of an unquoted
 * variable reference; quoted text and escaped characters never split. Empty
 * words are dropped ("" yields no word). On success *words is an arena array
 * of *n kf_str, each NUL-terminated in the arena (the array is valid, and
 * empty, when *n is 0). On error it returns false, fills err (when not NULL),
 * sets *words = NULL and *n = 0, and allocates nothing in the arena. */
bool kf_expand_words(kf_str in, char esc, const kf_expand_env *env, kf_arena *arena,
		     kf_str **words, size_t *n, kf_expand_error *err);

/* One variable reference in a word, for linters and editors (undefined
 * variable, hover, rename). */
typedef enum kf_var_op {
	KF_VAR_PLAIN,             /* $X, $1, $@ */
	KF_VAR_BRACED,            /* ${X} */
	KF_VAR_DEFAULT,           /* ${X:-word} */
	KF_VAR_DEFAULT_UNSET,     /* ${X-word} */
	KF_VAR_ALT,               /* ${X:+word} */
	KF_VAR_ALT_UNSET,         /* ${X+word} */
	KF_VAR_ERROR,             /* ${X:?word} */
	KF_VAR_ERROR_UNSET,       /* ${X?word} */
	KF_VAR_TRIM_PREFIX,       /* ${X#pat} (also ${X:#pat}) */
	KF_VAR_TRIM_PREFIX_LONG,  /* ${X##pat} */
	KF_VAR_TRIM_SUFFIX,       /* ${X%pat} (also ${X:%pat}) */
	KF_VAR_TRIM_SUFFIX_LONG,  /* ${X%%pat} */
	KF_VAR_REPLACE,           /* ${X/pat/repl} */
	KF_VAR_REPLACE_ALL,       /* ${X//pat/repl} */
} kf_var_op;

typedef struct kf_var_ref {
	size_t start, end;           /* the whole reference in the input ("$X", "${X:-y}") */
	size_t name_start, name_end; /* the name alone; empty for ${+x}, which BuildKit allows */
	size_t word_start, word_end; /* the operand after the operator up to the closing '}'
				      * ("y" in ${X:-y}, "p/r" in ${X/p/r}); empty, at
				      * name_end, for $X and ${X} */
	kf_var_op op;
	int depth;                   /* 0 for top-level; refs inside a ${X:-$Y} word have depth 1.. */
	bool special;                /* a positional ($1, ${10}) or special ($@ $# $? ...) parameter */
} kf_var_ref;

/* Calls fn for each reference in in, in order of start offset (nested ones
 * too, after the reference that contains them), honouring quotes (nothing is
 * expanded inside single quotes) and the escape character. A top-level
 * reference is reported with its nested ones once it is complete, so on
 * malformed input the references before the bad one have been reported.
 * fn returns false to stop early; kf_expand_scan_refs then returns true.
 * fn may be NULL, to check the syntax only.
 * Returns false and fills err (when not NULL) on malformed input: the syntax
 * errors of kf_expand_word. Errors that depend on variable values (${X?},
 * invalid escapes in a pattern) are not reported here. For ${X#pat} and
 * ${X%pat}, the long form is reported when pat, with every variable empty,
 * starts with another '#' or '%', as BuildKit decides it on the expanded text. */
bool kf_expand_scan_refs(kf_str in, char esc, bool (*fn)(void *ctx, const kf_var_ref *ref),
			 void *ctx, kf_expand_error *err);

/* The operator as written: "" for KF_VAR_PLAIN and KF_VAR_BRACED, ":-", "-",
 * ":+", "+", ":?", "?", "#", "##", "%", "%%", "/", "//". */
const char *kf_var_op_text(kf_var_op op);

#endif
