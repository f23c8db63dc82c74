/* SPDX-License-Identifier: Apache-2.0 */
/* ast.h - the syntax tree of a Kubefile.
 *
 * One kf_document per parsed source. All nodes live in the document's arena
 * and are immutable once kf_parse returns; kf_document_free releases them
 * together. Every node has a byte-offset span into the source (source.h).
 *
 * Text: a kf_word's text is the word as written, with line continuations
 * (the escape character, the line end, and any comment or blank lines the
 * continuation skipped) cut out. Quotes are kept: unquoting and variable
 * expansion are the expansion module's business (expand.h), since what they
 * mean depends on the instruction and on the build. A JSON-form element's
 * text is the decoded string, its span the string literal.
 *
 * Comments, blank lines and parser directives are kept as trivia beside the
 * instructions, ordered by offset, so that a formatter can rebuild the file.
 */
#ifndef KF_AST_H
#define KF_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/diag.h"
#include "syntax/source.h"

typedef enum kf_kind {
	KF_INSTR_ERROR, /* a line that did not parse; see the document's diagnostics */
	/* Dockerfile instructions */
	KF_INSTR_FROM,
	KF_INSTR_ARG,
	KF_INSTR_ENV,
	KF_INSTR_LABEL,
	KF_INSTR_MAINTAINER,
	KF_INSTR_COPY,
	KF_INSTR_ADD,
	KF_INSTR_RUN,
	KF_INSTR_CMD,
	KF_INSTR_ENTRYPOINT,
	KF_INSTR_SHELL,
	KF_INSTR_WORKDIR,
	KF_INSTR_USER,
	KF_INSTR_EXPOSE,
	KF_INSTR_VOLUME,
	KF_INSTR_ONBUILD,
	KF_INSTR_STOPSIGNAL,
	KF_INSTR_HEALTHCHECK,
	/* Kubefile instructions */
	KF_INSTR_APP,
	KF_INSTR_CNI,
	KF_INSTR_CSI,
	KF_INSTR_APPCMDS,
	KF_INSTR_APPENV,
	KF_INSTR_LAUNCH,
	KF_INSTR_CMDS,
	KF_INSTR_KUBEVERSION,
	KF_INSTR_PLUGINS,
	KF_INSTR_IMAGES,
	KF_INSTR__COUNT
} kf_kind;

/* Upper-case keyword of a kind ("FROM"); "" for KF_INSTR_ERROR. */
const char *kf_kind_name(kf_kind kind);
/* The kind of a keyword, case-insensitively; KF_INSTR_ERROR if none. */
kf_kind kf_kind_lookup(kf_str word);
/* The keywords, in kf_kind order (without KF_INSTR_ERROR). */
const char *const *kf_kind_names(size_t *n);
bool kf_kind_is_cluster(kf_kind kind); /* APP … IMAGES */

typedef struct kf_word {
	kf_span span;
	kf_str text;
} kf_word;

/* A leading --name[=value] flag. value has quotes and escapes removed, as
 * BuildKit reads flags; raw is the flag as written. */
typedef struct kf_flag {
	kf_span span;
	kf_str raw;
	kf_str name; /* without the leading "--" */
	kf_str value;
	bool has_value;
} kf_flag;

typedef enum kf_form {
	KF_FORM_NONE,  /* no arguments */
	KF_FORM_WORDS, /* whitespace-separated words */
	KF_FORM_SHELL, /* one text: the rest of the line (shell form) */
	KF_FORM_JSON,  /* a JSON array of strings (exec form) */
} kf_form;

typedef enum kf_pair_sep {
	KF_SEP_NONE,   /* ARG name (no default) */
	KF_SEP_EQUALS, /* key=value */
	KF_SEP_SPACE,  /* legacy ENV/LABEL key value */
} kf_pair_sep;

/* ENV, LABEL, ARG and APPENV entries: key and value are as written (quotes
 * kept); for KF_SEP_SPACE the value is the rest of the line. Both texts are
 * in one piece of memory (key at text, value at text + voff), which keeps
 * a pair at 40 bytes; kf_pair_key and kf_pair_value give them as words. */
typedef struct kf_pair {
	kf_span key;
	kf_span value;     /* empty, at the end of the key, for KF_SEP_NONE */
	const char *text;
	uint32_t klen;
	uint32_t voff;
	uint32_t vlen;
	kf_pair_sep sep;
} kf_pair;

static inline kf_word kf_pair_key(const kf_pair *pr)
{
	kf_word w = {pr->key, {pr->text, pr->klen}};
	return w;
}
static inline kf_word kf_pair_value(const kf_pair *pr)
{
	kf_word w = {pr->value, {pr->text + pr->voff, pr->vlen}};
	return w;
}
static inline kf_span kf_pair_span(const kf_pair *pr)
{
	kf_span s = pr->key;
	if (pr->sep != KF_SEP_NONE && pr->value.end > s.end)
		s.end = pr->value.end;
	return s;
}

typedef struct kf_heredoc {
	kf_span marker;   /* "<<-EOF" or "<<'EOF'" in the instruction line */
	kf_str delim;     /* EOF */
	bool strip_tabs;  /* <<- */
	bool quoted;      /* the delimiter was quoted: no expansion in the body */
	bool terminated;  /* false: the file ended before the delimiter line */
	int fd;           /* 3<<EOF gives 3; -1 when absent */
	kf_span body;     /* the body lines, line ends included */
	kf_span end;      /* the delimiter line (empty span if not terminated) */
	kf_str text;      /* the body, leading tabs stripped for <<- */
} kf_heredoc;

typedef enum kf_scheme {
	KF_SCHEME_NONE,  /* no scheme: a plain path */
	KF_SCHEME_LOCAL, /* local:// */
	KF_SCHEME_HTTP,
	KF_SCHEME_HTTPS,
	KF_SCHEME_OTHER, /* some other scheme:// (an error for APP) */
} kf_scheme;

typedef struct kf_app_source {
	const kf_word *word;
	kf_scheme scheme;
	kf_str path; /* after "local://"; the whole word otherwise */
} kf_app_source;

typedef struct kf_instr kf_instr;
typedef struct kf_document kf_document;

/* The parts few instructions have, out of line to keep kf_instr small. */
typedef struct kf_instr_ext {
	kf_span keyword;         /* the keyword, when it is not simply the instruction's
				  * name at the start of its span (an unknown word, or
				  * a keyword a continuation splits) */
	kf_str keyword_text;     /* its text, when a continuation splits it */
	uint32_t nflags;
	uint32_t nheredocs;
	uint32_t nsrcs;
	kf_flag *flags;          /* leading --name[=value] flags */
	kf_heredoc *heredocs;    /* RUN, COPY, ADD */
	kf_app_source *srcs;     /* APP, CNI, CSI: the sources with their scheme */
	kf_instr *inner;         /* ONBUILD: NULL if the inner instruction did not parse */
} kf_instr_ext;

/* An instruction: 48 bytes, for a Kubefile spends about 40 bytes of text
 * on one. What most instructions lack is in ext; the keyword is found from
 * the kind and the span. */
struct kf_instr {
	kf_span span;     /* the logical line, heredoc bodies included: from the keyword,
			   * or from the first line when lines holding only the escape
			   * character come before it */
	uint32_t json_start;  /* where "[" is, when the arguments are in JSON form;
			       * the array ends where the instruction does */
	uint32_t nargs;
	uint32_t npairs;
	unsigned kind : 8;    /* kf_kind */
	unsigned form : 3;    /* kf_form of args: NONE, WORDS, SHELL (one text) or JSON */
	bool legacy : 1;      /* ENV/LABEL written in the legacy "key value" form */
	bool dashdash : 1;    /* a bare "--" ended the flags */
	bool broken : 1;      /* a syntax error was diagnosed: parts may be missing */
	bool has_name : 1;    /* args[-1] is the name, see kf_instr_name */
	/* Positional arguments after the flags and the name. For the JSON form,
	 * the elements (a non-string element is diagnosed and kept with its
	 * JSON text). */
	kf_word *args;
	kf_pair *pairs;   /* ENV, LABEL, ARG, APPENV */
	const kf_instr_ext *ext; /* NULL when none of its parts apply */
};

/* The keyword as written (its case is the author's); for an unknown
 * instruction, its first word. */
kf_str kf_instr_keyword(const kf_document *doc, const kf_instr *in);
kf_span kf_instr_keyword_span(const kf_instr *in);

/* APP, CNI, CSI, APPCMDS, APPENV: the app; HEALTHCHECK: the type (CMD,
 * NONE). NULL for other instructions, or when missing. */
static inline const kf_word *kf_instr_name(const kf_instr *in)
{
	return in->has_name ? in->args - 1 : NULL;
}
static inline const kf_flag *kf_instr_flags(const kf_instr *in, uint32_t *n)
{
	*n = in->ext ? in->ext->nflags : 0;
	return in->ext ? in->ext->flags : NULL;
}

/* Typed views of an instruction's arguments. Each returns NULL (or 0) when
 * the instruction is of another kind or the part is missing. */
static inline const kf_word *kf_from_image(const kf_instr *in)
{
	return in->kind == KF_INSTR_FROM && in->nargs >= 1 ? &in->args[0] : NULL;
}
/* the AS keyword of FROM image AS name */
static inline const kf_word *kf_from_as(const kf_instr *in)
{
	return in->kind == KF_INSTR_FROM && in->nargs >= 2 && in->args[1].text.len == 2 &&
			(in->args[1].text.ptr[0] | 0x20) == 'a' && (in->args[1].text.ptr[1] | 0x20) == 's'
		       ? &in->args[1] : NULL;
}
static inline const kf_word *kf_from_alias(const kf_instr *in)
{
	return kf_from_as(in) && in->nargs >= 3 ? &in->args[2] : NULL;
}
/* COPY and ADD: sources are args[0 .. nsrcs-1], the destination the last */
static inline uint32_t kf_copy_nsrcs(const kf_instr *in)
{
	return (in->kind == KF_INSTR_COPY || in->kind == KF_INSTR_ADD) && in->nargs >= 2 ? in->nargs - 1 : 0;
}
static inline const kf_word *kf_copy_dest(const kf_instr *in)
{
	return kf_copy_nsrcs(in) ? &in->args[in->nargs - 1] : NULL;
}
static inline const kf_app_source *kf_app_sources(const kf_instr *in, uint32_t *n)
{
	*n = in->ext ? in->ext->nsrcs : 0;
	return in->ext ? in->ext->srcs : NULL;
}
static inline const kf_heredoc *kf_instr_heredocs(const kf_instr *in, uint32_t *n)
{
	*n = in->ext ? in->ext->nheredocs : 0;
	return in->ext ? in->ext->heredocs : NULL;
}
static inline const kf_instr *kf_onbuild_inner(const kf_instr *in)
{
	return in->kind == KF_INSTR_ONBUILD && in->ext ? in->ext->inner : NULL;
}
/* The span of the arguments: "[ … ]" for the JSON form, first to last word
 * otherwise; empty at the end of the instruction when there are none. */
kf_span kf_instr_args_span(const kf_instr *in);

typedef struct kf_directive {
	kf_span span;       /* the whole line without its line end */
	kf_word name;       /* lower-cased in text: "escape", "syntax", "check" */
	kf_word value;
} kf_directive;

typedef enum kf_trivia_kind {
	KF_TRIVIA_COMMENT,   /* span: from '#' to the end of the line */
	KF_TRIVIA_BLANK,     /* span: the line's blanks (may be empty) */
	KF_TRIVIA_DIRECTIVE, /* span: the directive line */
} kf_trivia_kind;

typedef struct kf_trivia {
	kf_trivia_kind kind;
	bool in_continuation; /* inside an instruction's continued lines */
	kf_span span;
} kf_trivia;

struct kf_document {
	const kf_source *src;
	kf_arena arena;
	kf_diag_bag diags;
	char escape;      /* '\\' or '`' */
	bool crlf;        /* the first line end is "\r\n" */
	kf_directive *directives;
	uint32_t ndirectives;
	kf_instr **instrs; /* top-level instructions in source order (malloc'd) */
	uint32_t ninstrs;
	kf_trivia *trivia; /* in source order (malloc'd) */
	uint32_t ntrivia;
};

/* Parses src, which must outlive the document. Never fails: problems are
 * diagnostics in doc->diags, and a broken line becomes a KF_INSTR_ERROR. */
kf_document *kf_parse(const kf_source *src);
void kf_document_free(kf_document *doc);

/* The instruction whose span contains offset, or NULL. */
const kf_instr *kf_document_instr_at(const kf_document *doc, uint32_t offset);
kf_scheme kf_scheme_of(kf_str word, kf_str *rest);

#endif
