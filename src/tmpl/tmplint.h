/* SPDX-License-Identifier: Apache-2.0 */
/* tmplint.h - what the template engine's files share (parse.c, exec.c,
 * builtins.c, helmfuncs.c); not for users of the engine (tmpl.h).
 *
 * A parsed template is a tree of kf_tnode, allocated in the set's arena
 * (or, for tpl's text, the render's) and immutable after parsing. The node
 * kinds and their String() forms are Go's text/template/parse's, so that
 * errors quote a node as Go does ("at <.Values.a.b>").
 */
#ifndef KF_TMPLINT_H
#define KF_TMPLINT_H

#include "tmpl/tmpl.h"

typedef enum kf_tnode_kind {
	KF_TN_LIST,
	KF_TN_TEXT,
	KF_TN_ACTION,
	KF_TN_IF,
	KF_TN_RANGE,
	KF_TN_WITH,
	KF_TN_TEMPLATE,
	KF_TN_BREAK,
	KF_TN_CONTINUE,
	KF_TN_PIPE,
	KF_TN_CMD,
	KF_TN_FIELD,    /* .a.b: idents */
	KF_TN_CHAIN,    /* (pipe).a.b: node, idents */
	KF_TN_VAR,      /* $x.a.b: idents[0] is "$x" */
	KF_TN_DOT,
	KF_TN_NIL,
	KF_TN_BOOL,
	KF_TN_NUMBER,
	KF_TN_STRING,
	KF_TN_IDENT,    /* a function's name */
} kf_tnode_kind;

typedef struct kf_tnode kf_tnode;
struct kf_tnode {
	kf_tnode_kind kind;
	uint32_t pos; /* byte offset in the template's text */
	kf_tnode **kids; /* LIST: nodes; PIPE: commands; CMD: arguments */
	size_t nkids;
	kf_tnode *pipe, *list, *elselist; /* IF, RANGE, WITH, ACTION (pipe), TEMPLATE (pipe) */
	kf_tnode *node;                   /* CHAIN's operand */
	const char *str; /* TEXT's text, STRING's value, TEMPLATE's name, IDENT's name */
	size_t len;
	const char *orig; /* NUMBER's and STRING's text as written */
	const char **idents; /* FIELD, CHAIN, VAR */
	size_t nidents;
	const char **decls; /* PIPE's declared variables */
	size_t ndecls;
	bool is_assign; /* PIPE: `=` rather than `:=` */
	bool b;         /* BOOL */
	bool is_int, is_float; /* NUMBER as Go classifies it */
	int64_t i;
	double f;
	const kf_tmpl_func *fn; /* IDENT */
};

/* A parsed template: a file's, or a define's (named by the define, its
 * positions in the file's text). */
typedef struct kf_tmpl_tree {
	const char *name;
	const char *file; /* the parse name, for errors */
	const char *text; /* the whole text, for lines and columns */
	size_t textlen;
	kf_tnode *root;
} kf_tmpl_tree;

typedef struct kf_tmpl_trees {
	kf_tmpl_tree **items;
	size_t len, cap;
	uint32_t *slots; /* by name: index + 1 into items, or 0 (exec.c's sets) */
	size_t nslots;
} kf_tmpl_trees;

/* Parses text into trees (the file's first, then its defines), functions
 * looked up with lookup. False with err filled on a syntax error. */
typedef const kf_tmpl_func *(*kf_tmpl_lookup_fn)(const void *ctx, const char *name);
bool kf_tmpl_parse_text(kf_arena *a, const char *name, const char *file, const char *text, size_t len,
			kf_tmpl_lookup_fn lookup, const void *ctx, kf_tmpl_trees *out, kf_tmpl_error *err);
/* true when a tree is only white space and comments (Go's IsEmptyTree) */
bool kf_tmpl_tree_empty(const kf_tnode *n);
/* Go's String() of a node */
void kf_tmpl_node_string(kf_buf *out, const kf_tnode *n);
/* 1-based line and Go's column (bytes from the line's start) of pos */
void kf_tmpl_position(const char *text, size_t len, uint32_t pos, uint32_t *line, uint32_t *col);

/* Go's fmt.Sprintf(format, args...) (printf); stops once it has written
 * more than max bytes (a width is at most 1000000) */
void kf_tmpl_sprintf(kf_buf *out, const char *fmt, size_t flen, const kf_tv *args, size_t nargs, size_t max);
/* the bytes of values a call may still make (the memory limit's rest) */
size_t kf_tmpl_call_budget(kf_tmpl_call *c);
/* strconv.Quote of s[0, n) */
void kf_tmpl_quote(kf_buf *out, const char *s, size_t n);
/* kf_tv_from_yaml with go-yaml's wording of an error ("yaml: line 1: did
 * not find expected node content"), as fromYaml gives it */
bool kf_tv_from_yaml_go(kf_arena *a, const char *text, size_t len, kf_tv *out, char *msg, size_t msgsize);
/* strconv.FormatFloat(f, fmt, -1, bits) for 'g', 'e', 'f' (value.c) */
void kf_tv_format_float(kf_buf *out, double f, char fmt, int bits);

/* Pairs moved by kf_tv_map_set and kf_tv_map_del in this thread (a sorted
 * map makes room for a key): the executor charges them to its step limit
 * (64 pairs a step), so that a template inserting keys in reverse order
 * cannot make a quadratic cost without limit. */
extern _Thread_local uint64_t kf_tv_moved;

#endif
