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

#include "arena.h"
#include "buf.h"
#include "diag.h"
#include "source.h"

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

/* The positional arguments of an instruction. For KF_FORM_JSON, span covers
 * "[ … ]"; an element that is not a string is an error (diagnosed) and is
 * kept with its JSON text. */
typedef struct kf_args {
	kf_form form;
	kf_span span;
	kf_word *items;
	uint32_t n;
} kf_args;

typedef enum kf_pair_sep {
	KF_SEP_NONE,   /* ARG name (no default) */
	KF_SEP_EQUALS, /* key=value */
	KF_SEP_SPACE,  /* legacy ENV/LABEL key value */
} kf_pair_sep;

/* ENV, LABEL, ARG and APPENV entries. key and value are as written (quotes
 * kept); for KF_SEP_SPACE the value is the rest of the line. */
typedef struct kf_pair {
	kf_span span;
	kf_word key;
	kf_word value;
	kf_pair_sep sep;
} kf_pair;

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

struct kf_instr {
	kf_kind kind;
	kf_span span;    /* keyword to the end of the logical line, heredoc bodies included */
	kf_word keyword; /* as written: its case is the author's */
	kf_flag *flags;
	uint32_t nflags;
	uint32_t nheredocs;
	kf_heredoc *heredocs;
	/* Positional arguments: every word after the flags, except the parts
	 * that have typed fields of their own below (pairs, name). */
	kf_args args;
	/* ENV, LABEL, ARG, APPENV */
	kf_pair *pairs;
	uint32_t npairs;
	/* ENV/LABEL written in the legacy "key value" form */
	bool legacy;
	/* APP, CNI, CSI, APPCMDS and APPENV: the app; HEALTHCHECK: the type
	 * (CMD, NONE). NULL for other instructions, or when missing. */
	const kf_word *name;
	/* a bare "--" ended the flags */
	bool dashdash;
	/* the instruction has a syntax error (diagnosed): typed fields may be
	 * missing (NULL) */
	bool broken;
	union {
		struct {
			const kf_word *image;
			const kf_word *as_kw; /* the AS keyword, or NULL */
			const kf_word *alias; /* NULL when there is no AS */
		} from;
		struct {
			const kf_word *srcs;
			uint32_t nsrcs;
			const kf_word *dest;
		} copy; /* COPY, ADD */
		struct {
			kf_app_source *srcs; /* the name is in `name` */
			uint32_t nsrcs;
		} app; /* APP, CNI, CSI */
		struct {
			kf_instr *inner; /* NULL if the inner instruction did not parse */
		} onbuild;
	} u;
};

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

typedef struct kf_document {
	const kf_source *src;
	kf_arena arena;
	kf_diag_bag diags;
	char escape;      /* '\\' or '`' */
	bool crlf;        /* the first line end is "\r\n" */
	kf_directive *directives;
	uint32_t ndirectives;
	kf_instr **instrs; /* top-level instructions in source order (arena) */
	uint32_t ninstrs;
	kf_trivia *trivia; /* in source order (arena) */
	uint32_t ntrivia;
} kf_document;

/* Parses src, which must outlive the document. Never fails: problems are
 * diagnostics in doc->diags, and a broken line becomes a KF_INSTR_ERROR. */
kf_document *kf_parse(const kf_source *src);
void kf_document_free(kf_document *doc);

/* The instruction whose span contains offset, or NULL. */
const kf_instr *kf_document_instr_at(const kf_document *doc, uint32_t offset);
kf_scheme kf_scheme_of(kf_str word, kf_str *rest);

#endif
