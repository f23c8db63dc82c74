/* SPDX-License-Identifier: Apache-2.0 */
/* exec.c - the set of templates and Go's text/template executor (tmpl.h).
 *
 * Go's reflect.Value distinguishes a nil interface (a missing map key,
 * a null in the values: a "boxed" nil) from no value at all (what a
 * pipeline that ends in nil gives: Go unwraps the interface). Field access
 * on the first is an error ("nil pointer evaluating interface {}.x"), on
 * the second it gives no value, and the second prints "<no value>". Here
 * no value is a KF_TV_NIL whose u.i is 1 (NOVAL); functions never see it.
 * Go also names the type of a value read from a map "interface {}" in
 * "can't evaluate field" messages: the executor carries, for dot and
 * variables, whether the value came out of a container (boxed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tmpl/tmplint.h"

typedef struct fentry {
	const char *name;
	const kf_tmpl_func *fn;
} fentry;

struct kf_tmpl_set {
	kf_arena arena; /* trees and texts */
	kf_tmpl_limits limits;
	fentry *funcs; /* sorted by name */
	size_t nfuncs;
	kf_tmpl_trees trees;
};

typedef struct xv {
	kf_tv v;
	bool boxed; /* read from a map or a list: Go's interface {} */
} xv;

typedef struct xvar {
	const char *name;
	xv val;
} xvar;

typedef struct incl {
	const char *name;
	unsigned count;
} incl;

typedef struct exec {
	kf_tmpl_set *s;
	kf_arena *a;
	kf_buf *out;
	void *user;
	size_t out_start;
	size_t mem_start;
	uint64_t moved_start; /* kf_tv_moved when the execution began */
	uint64_t steps;
	unsigned depth;
	unsigned nest; /* nested walks: control structures and calls, the C stack's bound */
	const kf_tmpl_tree *tree; /* the template being executed */
	const kf_tnode *at;       /* the node errors are located at */
	xvar *vars;
	size_t nvars, capvars;
	kf_tmpl_trees *overlay; /* tpl's defines, looked up first */
	incl *incls;            /* helm's include counts by name */
	size_t nincls, capincls;
	int ctl; /* 1 break, 2 continue */
	bool failed;
	kf_tmpl_error *err;
} exec;

struct kf_tmpl_call {
	exec *x;
	const char *name;
	const kf_tnode *node; /* the command */
	char msg[1024];
	bool failed;
};

static inline kf_tv noval(void)
{
	kf_tv v = kf_tv_nil();
	v.u.i = 1;
	return v;
}

static inline bool is_noval(kf_tv v)
{
	return v.kind == KF_TV_NIL && v.u.i == 1;
}

static inline kf_tv plain(kf_tv v)
{
	return is_noval(v) ? kf_tv_nil() : v;
}

/* ---- the set -------------------------------------------------------------------------- */

static void trees_release(kf_tmpl_trees *t);

static int fentry_cmp(const void *x, const void *y)
{
	return strcmp(((const fentry *)x)->name, ((const fentry *)y)->name);
}

kf_tmpl_set *kf_tmpl_set_new(const kf_tmpl_limits *limits, const kf_tmpl_func *const *tables)
{
	kf_tmpl_set *s = kf_xcalloc(1, sizeof *s);
	kf_arena_init(&s->arena);
	s->limits = limits ? *limits : KF_TMPL_LIMITS_INIT;
	size_t n = 0;
	for (const kf_tmpl_func *const *t = tables; t && *t; t++)
		for (const kf_tmpl_func *f = *t; f->name; f++)
			n++;
	s->funcs = kf_xcalloc(n + 1, sizeof *s->funcs);
	/* later tables replace earlier ones: add in order, keep the last */
	size_t k = 0;
	for (const kf_tmpl_func *const *t = tables; t && *t; t++)
		for (const kf_tmpl_func *f = *t; f->name; f++)
			s->funcs[k++] = (fentry){f->name, f};
	/* a stable sort keeps the order of equal names; then the last wins */
	for (size_t i = 1; i < k; i++) {
		fentry e = s->funcs[i];
		size_t j = i;
		while (j > 0 && strcmp(s->funcs[j - 1].name, e.name) > 0) {
			s->funcs[j] = s->funcs[j - 1];
			j--;
		}
		s->funcs[j] = e;
	}
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		if (m && strcmp(s->funcs[m - 1].name, s->funcs[i].name) == 0)
			s->funcs[m - 1] = s->funcs[i];
		else
			s->funcs[m++] = s->funcs[i];
	}
	s->nfuncs = m;
	return s;
}

void kf_tmpl_set_free(kf_tmpl_set *s)
{
	if (!s)
		return;
	kf_arena_release(&s->arena);
	free(s->funcs);
	trees_release(&s->trees);
	free(s);
}

static const kf_tmpl_func *set_lookup(const void *ctx, const char *name)
{
	const kf_tmpl_set *s = ctx;
	fentry key = {name, NULL};
	const fentry *e = bsearch(&key, s->funcs, s->nfuncs, sizeof *s->funcs, fentry_cmp);
	return e ? e->fn : NULL;
}

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static kf_tmpl_tree *find_tree(const kf_tmpl_trees *t, const char *name)
{
	if (!t)
		return NULL;
	if (t->nslots) {
		for (size_t i = name_hash(name) & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
			if (!t->slots[i])
				return NULL;
			kf_tmpl_tree *x = t->items[t->slots[i] - 1];
			if (strcmp(x->name, name) == 0)
				return x;
		}
	}
	for (size_t i = t->len; i-- > 0;)
		if (strcmp(t->items[i]->name, name) == 0)
			return t->items[i];
	return NULL;
}

static void rehash(kf_tmpl_trees *t)
{
	size_t n = 16;
	while (n < t->len * 2)
		n *= 2;
	free(t->slots);
	t->slots = kf_xcalloc(n, sizeof *t->slots);
	t->nslots = n;
	for (size_t k = 0; k < t->len; k++) {
		size_t i = name_hash(t->items[k]->name) & (n - 1);
		while (t->slots[i])
			i = (i + 1) & (n - 1);
		t->slots[i] = (uint32_t)(k + 1);
	}
}

static void trees_release(kf_tmpl_trees *t)
{
	free(t->items);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* Go's associate: a later tree replaces an earlier one of its name,
 * unless it is empty */
static void add_trees(kf_tmpl_trees *into, const kf_tmpl_trees *from)
{
	for (size_t i = 0; i < from->len; i++) {
		kf_tmpl_tree *old = find_tree(into, from->items[i]->name);
		if (old) {
			if (!kf_tmpl_tree_empty(from->items[i]->root))
				*old = *from->items[i];
			continue;
		}
		if (into->len == into->cap) {
			into->cap = into->cap ? into->cap * 2 : 16;
			into->items = kf_xrealloc(into->items, into->cap * sizeof *into->items);
		}
		into->items[into->len++] = from->items[i];
		if (into->len * 2 > into->nslots) {
			rehash(into);
		} else {
			size_t k = name_hash(from->items[i]->name) & (into->nslots - 1);
			while (into->slots[k])
				k = (k + 1) & (into->nslots - 1);
			into->slots[k] = (uint32_t)into->len;
		}
	}
}

bool kf_tmpl_set_parse(kf_tmpl_set *s, const char *name, const char *text, size_t len, kf_tmpl_error *err)
{
	char *own = kf_arena_strndup(&s->arena, text, len);
	char *nm = kf_arena_strndup(&s->arena, name, strlen(name));
	kf_tmpl_trees fresh = {0};
	bool ok = kf_tmpl_parse_text(&s->arena, nm, nm, own, len, set_lookup, s, &fresh, err);
	if (ok)
		add_trees(&s->trees, &fresh);
	free(fresh.items);
	return ok;
}

bool kf_tmpl_set_has(const kf_tmpl_set *s, const char *name)
{
	return find_tree(&s->trees, name) != NULL;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* copies s into dst[n], cut at n - 1 bytes */
static void set_text(char *dst, size_t n, const char *s)
{
	size_t k = strlen(s);
	if (k >= n)
		k = n - 1;
	memcpy(dst, s, k);
	dst[k] = '\0';
}

static bool xfail(exec *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool xfail(exec *x, const char *fmt, ...)
{
	if (x->failed)
		return false;
	x->failed = true;
	kf_tmpl_error *e = x->err;
	memset(e, 0, sizeof *e);
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!x->tree) {
		set_text(e->msg, sizeof e->msg, msg);
		return false;
	}
	set_text(e->file, sizeof e->file, x->tree->file);
	kf_buf b = KF_BUF_INIT;
	if (x->at) {
		kf_tmpl_position(x->tree->text, x->tree->textlen, x->at->pos, &e->line, &e->col);
		kf_buf_printf(&b, "executing \"%s\" at <", x->tree->name);
		kf_tmpl_node_string(&b, x->at);
		kf_buf_printf(&b, ">: %s", msg);
	} else {
		kf_buf_printf(&b, "executing \"%s\": %s", x->tree->name, msg);
	}
	set_text(e->msg, sizeof e->msg, b.ptr);
	kf_buf_release(&b);
	return false;
}

/* Go's whole message of an error: "template: file:line:col: msg" */
static void error_text(char *buf, size_t n, const kf_tmpl_error *e)
{
	kf_buf b = KF_BUF_INIT;
	if (!e->file[0])
		kf_buf_printf(&b, "template: %s", e->msg);
	else if (e->col || e->line)
		kf_buf_printf(&b, "template: %s:%u:%u: %s", e->file, e->line, e->col, e->msg);
	else
		kf_buf_printf(&b, "template: %s: %s", e->file, e->msg);
	set_text(buf, n, b.ptr);
	kf_buf_release(&b);
}

static bool step(exec *x)
{
	if (++x->steps + (kf_tv_moved - x->moved_start) / 64 > x->s->limits.steps)
		return xfail(x, "exceeded the limit of %llu steps", (unsigned long long)x->s->limits.steps);
	if (x->a->used - x->mem_start > x->s->limits.memory)
		return xfail(x, "exceeded the limit of %zu bytes of values", x->s->limits.memory);
	return true;
}

static bool emit(exec *x, const char *p, size_t n)
{
	if (x->out->len - x->out_start + n > x->s->limits.output)
		return xfail(x, "exceeded the limit of %zu bytes of output", x->s->limits.output);
	kf_buf_add(x->out, p, n);
	return true;
}

/* ---- variables ----------------------------------------------------------------------------- */

static void push_var(exec *x, const char *name, xv v)
{
	if (x->nvars == x->capvars) {
		x->capvars = x->capvars ? x->capvars * 2 : 16;
		x->vars = kf_xrealloc(x->vars, x->capvars * sizeof *x->vars);
	}
	x->vars[x->nvars++] = (xvar){name, v};
}

static xvar *find_var(exec *x, const char *name)
{
	for (size_t i = x->nvars; i-- > 0;)
		if (strcmp(x->vars[i].name, name) == 0)
			return &x->vars[i];
	return NULL;
}

/* ---- evaluation ---------------------------------------------------------------------------- */

static bool eval_pipeline(exec *x, xv dot, const kf_tnode *pipe, kf_tv *out);
static bool eval_arg(exec *x, xv dot, const kf_tnode *n, kf_tv *out);
static bool walk(exec *x, xv dot, const kf_tnode *n);

static bool not_a_function(exec *x, const kf_tnode *cmd, size_t nargs, const kf_tv *final)
{
	if (nargs > 1 || final) {
		kf_buf b = KF_BUF_INIT;
		kf_tmpl_node_string(&b, cmd->kids[0]);
		xfail(x, "can't give argument to non-function %s", b.ptr ? b.ptr : "");
		kf_buf_release(&b);
		return false;
	}
	return true;
}

/* the arguments of a call: args[1, nargs) of the command, then final */
static bool eval_call_args(exec *x, xv dot, kf_tnode *const *args, size_t nargs, const kf_tv *final, kf_tv **argv,
			   size_t *argc)
{
	size_t n = (nargs > 0 ? nargs - 1 : 0) + (final ? 1 : 0);
	kf_tv *v = n ? KF_ARENA_ARRAY(x->a, kf_tv, n) : NULL;
	size_t k = 0;
	for (size_t i = 1; i < nargs; i++) {
		if (!eval_arg(x, dot, args[i], &v[k]))
			return false;
		v[k] = plain(v[k]);
		k++;
	}
	if (final)
		v[k++] = plain(*final);
	*argv = v;
	*argc = k;
	return true;
}

static bool call_func(exec *x, xv dot, const kf_tnode *ident, const kf_tnode *cmd, kf_tnode *const *args,
		      size_t nargs, const kf_tv *final, kf_tv *out)
{
	const kf_tmpl_func *fn = ident->fn;
	x->at = ident;
	size_t numin = (nargs > 0 ? nargs - 1 : 0) + (final ? 1 : 0);
	if (fn->max_args < 0) {
		if ((int)numin < fn->min_args)
			return xfail(x, "wrong number of args for %s: want at least %d got %zu", ident->str, fn->min_args,
				     nargs > 0 ? nargs - 1 : 0);
	} else if ((int)numin < fn->min_args || (int)numin > fn->max_args) {
		return xfail(x, "wrong number of args for %s: want %d got %zu", ident->str,
			     (int)numin < fn->min_args ? fn->min_args : fn->max_args, numin);
	}
	kf_tv *argv;
	size_t argc;
	if (!eval_call_args(x, dot, args, nargs, final, &argv, &argc))
		return false;
	if (!step(x))
		return false;
	kf_tmpl_call c = {.x = x, .name = ident->str, .node = cmd};
	*out = kf_tv_nil();
	if (!fn->fn(&c, argv, argc, out)) {
		if (x->failed)
			return false;
		x->at = cmd;
		return xfail(x, "error calling %s: %s", ident->str, c.msg);
	}
	if (x->failed)
		return false;
	return true;
}

/* one field of receiver */
static bool eval_field(exec *x, xv dot, const char *name, const kf_tnode *node, kf_tnode *const *args, size_t nargs,
		       const kf_tv *final, xv recv, xv *out)
{
	kf_tv r = recv.v;
	out->boxed = true;
	if (is_noval(r)) {
		out->v = noval();
		return true;
	}
	if (r.kind == KF_TV_NIL)
		return xfail(x, "nil pointer evaluating interface {}.%s", name);
	bool has_args = nargs > 1 || final;
	if (r.kind == KF_TV_OBJECT) {
		kf_tv *argv;
		size_t argc;
		if (!eval_call_args(x, dot, args, nargs, final, &argv, &argc))
			return false;
		x->at = node;
		kf_buf err = KF_BUF_INIT;
		int got = r.u.obj->cls->get(r.u.obj, name, argv, argc, x->a, &out->v, &err);
		out->boxed = false;
		if (got > 0) {
			kf_buf_release(&err);
			return true;
		}
		if (got < 0) {
			xfail(x, "error calling %s: %s", name, err.ptr ? err.ptr : "");
			kf_buf_release(&err);
			return false;
		}
		kf_buf_release(&err);
		return xfail(x, "can't evaluate field %s in type %s", name, kf_tv_type_name(r));
	}
	if (r.kind == KF_TV_MAP) {
		if (has_args)
			return xfail(x, "%s is not a method but has arguments", name);
		kf_tv *v = kf_tv_map_get(r.u.map, name, strlen(name));
		out->v = v ? *v : kf_tv_nil();
		return true;
	}
	return xfail(x, "can't evaluate field %s in type %s", name, recv.boxed ? "interface {}" : kf_tv_type_name(r));
}

static bool eval_field_chain(exec *x, xv dot, xv recv, const kf_tnode *node, const char *const *idents, size_t n,
			     kf_tnode *const *args, size_t nargs, const kf_tv *final, xv *out)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (!eval_field(x, dot, idents[i], node, NULL, 0, NULL, recv, &recv))
			return false;
	}
	return eval_field(x, dot, idents[n - 1], node, args, nargs, final, recv, out);
}

static bool literal(exec *x, const kf_tnode *n, kf_tv *out)
{
	switch (n->kind) {
	case KF_TN_BOOL:
		*out = kf_tv_bool(n->b);
		return true;
	case KF_TN_NUMBER:
		if (!n->is_float && !n->is_int) {
			x->at = n;
			return xfail(x, "%s overflows int", n->orig);
		}
		*out = n->is_float ? kf_tv_float(n->f) : kf_tv_int(n->i);
		return true;
	case KF_TN_STRING:
		*out = kf_tv_str_owned(n->str, n->len);
		return true;
	case KF_TN_NIL:
		*out = kf_tv_nil();
		return true;
	default:
		x->at = n;
		return xfail(x, "can't handle %s", "node");
	}
}

static bool eval_variable(exec *x, xv dot, const kf_tnode *n, kf_tnode *const *args, size_t nargs,
			  const kf_tv *final, xv *out)
{
	x->at = n;
	xvar *v = find_var(x, n->idents[0]);
	if (!v)
		return xfail(x, "undefined variable: %s", n->idents[0]);
	if (n->nidents == 1) {
		if (nargs > 1 || final) {
			kf_buf b = KF_BUF_INIT;
			kf_tmpl_node_string(&b, n);
			xfail(x, "can't give argument to non-function %s", b.ptr ? b.ptr : "");
			kf_buf_release(&b);
			return false;
		}
		*out = v->val;
		return true;
	}
	return eval_field_chain(x, dot, v->val, n, n->idents + 1, n->nidents - 1, args, nargs, final, out);
}

static bool eval_chain(exec *x, xv dot, const kf_tnode *n, kf_tnode *const *args, size_t nargs, const kf_tv *final,
		       xv *out)
{
	x->at = n;
	if (n->node->kind == KF_TN_NIL) {
		kf_buf b = KF_BUF_INIT;
		kf_tmpl_node_string(&b, n);
		xfail(x, "indirection through explicit nil in %s", b.ptr ? b.ptr : "");
		kf_buf_release(&b);
		return false;
	}
	xv recv = {kf_tv_nil(), false};
	if (!eval_arg(x, dot, n->node, &recv.v))
		return false;
	return eval_field_chain(x, dot, recv, n, n->idents, n->nidents, args, nargs, final, out);
}

/* a command's value (final: the previous command's, or NULL) */
static bool eval_command(exec *x, xv dot, const kf_tnode *cmd, const kf_tv *final, kf_tv *out)
{
	const kf_tnode *first = cmd->kids[0];
	kf_tnode *const *args = cmd->kids;
	size_t nargs = cmd->nkids;
	xv r;
	if (!step(x))
		return false;
	switch (first->kind) {
	case KF_TN_FIELD:
		x->at = first;
		if (!eval_field_chain(x, dot, dot, first, first->idents, first->nidents, args, nargs, final, &r))
			return false;
		*out = r.v;
		return true;
	case KF_TN_CHAIN:
		if (!eval_chain(x, dot, first, args, nargs, final, &r))
			return false;
		*out = r.v;
		return true;
	case KF_TN_IDENT:
		return call_func(x, dot, first, cmd, args, nargs, final, out);
	case KF_TN_PIPE:
		x->at = first;
		if (!not_a_function(x, cmd, nargs, final))
			return false;
		return eval_pipeline(x, dot, first, out);
	case KF_TN_VAR:
		if (!eval_variable(x, dot, first, args, nargs, final, &r))
			return false;
		*out = r.v;
		return true;
	default:
		break;
	}
	x->at = first;
	if (!not_a_function(x, cmd, nargs, final))
		return false;
	switch (first->kind) {
	case KF_TN_DOT:
		*out = dot.v;
		return true;
	case KF_TN_NIL:
		return xfail(x, "nil is not a command");
	default:
		return literal(x, first, out);
	}
}

/* an argument of a function (Go's evalArg for interface {} parameters) */
static bool eval_arg(exec *x, xv dot, const kf_tnode *n, kf_tv *out)
{
	x->at = n;
	xv r;
	switch (n->kind) {
	case KF_TN_DOT:
		*out = dot.v;
		return true;
	case KF_TN_FIELD:
		if (!eval_field_chain(x, dot, dot, n, n->idents, n->nidents, NULL, 0, NULL, &r))
			return false;
		*out = r.v;
		return true;
	case KF_TN_VAR:
		if (!eval_variable(x, dot, n, NULL, 0, NULL, &r))
			return false;
		*out = r.v;
		return true;
	case KF_TN_CHAIN:
		if (!eval_chain(x, dot, n, NULL, 0, NULL, &r))
			return false;
		*out = r.v;
		return true;
	case KF_TN_PIPE:
		return eval_pipeline(x, dot, n, out);
	case KF_TN_IDENT:
		return call_func(x, dot, n, n, NULL, 0, NULL, out);
	default:
		return literal(x, n, out);
	}
}

static bool eval_pipeline(exec *x, xv dot, const kf_tnode *pipe, kf_tv *out)
{
	*out = noval();
	if (!pipe)
		return true;
	x->at = pipe;
	kf_tv v = noval();
	bool have = false;
	for (size_t i = 0; i < pipe->nkids; i++) {
		kf_tv prev = v;
		if (!eval_command(x, dot, pipe->kids[i], have ? &prev : NULL, &v))
			return false;
		have = true;
		/* Go unwraps an interface: a nil becomes no value */
		if (v.kind == KF_TV_NIL)
			v = noval();
	}
	for (size_t i = 0; i < pipe->ndecls; i++) {
		xv val = {v, false};
		if (pipe->is_assign) {
			xvar *var = find_var(x, pipe->decls[i]);
			if (!var)
				return xfail(x, "undefined variable: %s", pipe->decls[i]);
			var->val = val;
		} else {
			push_var(x, pipe->decls[i], val);
		}
	}
	*out = v;
	return true;
}

static bool print_value(exec *x, kf_tv v)
{
	if (is_noval(v))
		return emit(x, "<no value>", 10);
	if (v.kind == KF_TV_STRING)
		return emit(x, v.u.s.p, v.u.s.len);
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, v);
	bool ok = emit(x, b.ptr ? b.ptr : "", b.len);
	kf_buf_release(&b);
	return ok;
}

static bool walk_range(exec *x, xv dot, const kf_tnode *n)
{
	size_t mark0 = x->nvars;
	kf_tv v;
	if (!eval_pipeline(x, dot, n->pipe, &v))
		return false;
	v = kf_tv_map_view(x->a, v);
	size_t mark = x->nvars;
	size_t nd = n->pipe->ndecls;
	size_t count = 0;
	bool ok = true;
	if (v.kind == KF_TV_LIST || v.kind == KF_TV_MAP || v.kind == KF_TV_INT) {
		if (v.kind == KF_TV_INT && nd > 1) {
			x->at = n;
			return xfail(x, "can't use %lld to iterate over more than one variable", (long long)v.u.i);
		}
		size_t len = v.kind == KF_TV_LIST  ? v.u.list->len
			     : v.kind == KF_TV_MAP ? v.u.map->len
						   : (v.u.i > 0 ? (size_t)v.u.i : 0);
		for (size_t i = 0; i < len && ok; i++) {
			x->at = n;
			if (!step(x))
				return false;
			xv elem, index;
			/* the list may change under us (a function appending to it) */
			if (v.kind == KF_TV_LIST) {
				if (i >= v.u.list->len)
					break;
				elem = (xv){v.u.list->items[i], true};
				index = (xv){kf_tv_int((int64_t)i), false};
			} else if (v.kind == KF_TV_MAP) {
				if (i >= v.u.map->len)
					break;
				elem = (xv){v.u.map->pairs[i].val, true};
				index = (xv){kf_tv_str_owned(v.u.map->pairs[i].key, v.u.map->pairs[i].klen), false};
			} else {
				elem = index = (xv){kf_tv_int((int64_t)i), false};
			}
			if (nd > 0)
				x->vars[mark - 1].val = elem;
			if (nd > 1)
				x->vars[mark - 2].val = index;
			ok = walk(x, elem, n->list);
			x->nvars = mark;
			count++;
			if (x->ctl == 1) {
				x->ctl = 0;
				break;
			}
			if (x->ctl == 2)
				x->ctl = 0;
		}
		x->nvars = mark0;
		if (!ok)
			return false;
		if (count > 0 || len > 0)
			return true;
	} else if (!is_noval(v)) {
		x->at = n;
		kf_buf b = KF_BUF_INIT;
		kf_tv_print(&b, v);
		xfail(x, "range can't iterate over %s", b.ptr ? b.ptr : "");
		kf_buf_release(&b);
		return false;
	}
	x->nvars = mark0;
	if (n->elselist)
		return walk(x, dot, n->elselist);
	return true;
}

static bool walk_template(exec *x, xv dot, const kf_tnode *n)
{
	x->at = n;
	kf_tmpl_tree *t = find_tree(x->overlay, n->str);
	if (!t)
		t = find_tree(&x->s->trees, n->str);
	if (!t)
		return xfail(x, "template \"%s\" not defined", n->str);
	if (x->depth >= x->s->limits.depth)
		return xfail(x, "exceeded maximum template depth (%u)", x->s->limits.depth);
	kf_tv v;
	if (!eval_pipeline(x, dot, n->pipe, &v))
		return false;
	const kf_tmpl_tree *saved_tree = x->tree;
	size_t saved_nvars = x->nvars;
	size_t base = x->nvars;
	xv nd = {v, false};
	push_var(x, "$", nd);
	/* no dynamic scoping: the called template sees only its $ */
	xvar *saved = NULL;
	if (base) {
		saved = kf_xmalloc(base * sizeof *saved);
		memcpy(saved, x->vars, base * sizeof *saved);
		x->vars[0] = x->vars[base];
		x->nvars = 1;
	}
	x->tree = t;
	x->depth++;
	bool ok = walk(x, nd, t->root);
	x->depth--;
	x->tree = saved_tree;
	if (saved) {
		if (x->capvars < base)
			x->vars = kf_xrealloc(x->vars, (x->capvars = base) * sizeof *x->vars);
		memcpy(x->vars, saved, base * sizeof *saved);
		free(saved);
	}
	x->nvars = saved_nvars;
	x->at = n;
	return ok;
}

static bool walk_in(exec *x, xv dot, const kf_tnode *n);

/* The C stack bounds how deep walks nest: templates calling templates
 * (the depth limit) each with control structures nested (the parser's
 * limit) could nest a million deep. */
#define MAX_WALK_NEST 5000

static bool walk(exec *x, xv dot, const kf_tnode *n)
{
	if (x->failed)
		return false;
	if (n->kind == KF_TN_TEXT)
		return walk_in(x, dot, n);
	if (++x->nest > MAX_WALK_NEST) {
		x->nest--;
		x->at = n;
		return xfail(x, "exceeded the limit of %d nested actions", MAX_WALK_NEST);
	}
	bool ok = walk_in(x, dot, n);
	x->nest--;
	return ok;
}

static bool walk_in(exec *x, xv dot, const kf_tnode *n)
{
	switch (n->kind) {
	case KF_TN_LIST:
		for (size_t i = 0; i < n->nkids; i++) {
			if (!walk(x, dot, n->kids[i]))
				return false;
			if (x->ctl)
				return true;
		}
		return true;
	case KF_TN_TEXT:
		x->at = n;
		return emit(x, n->str, n->len);
	case KF_TN_ACTION: {
		x->at = n;
		if (!step(x))
			return false;
		kf_tv v;
		if (!eval_pipeline(x, dot, n->pipe, &v))
			return false;
		if (n->pipe->ndecls == 0)
			return print_value(x, v);
		return true;
	}
	case KF_TN_IF:
	case KF_TN_WITH: {
		x->at = n;
		size_t mark = x->nvars;
		kf_tv v;
		if (!eval_pipeline(x, dot, n->pipe, &v))
			return false;
		bool ok = true;
		if (kf_tv_truth(plain(v)))
			ok = walk(x, n->kind == KF_TN_WITH ? (xv){v, false} : dot, n->list);
		else if (n->elselist)
			ok = walk(x, dot, n->elselist);
		x->nvars = mark;
		return ok;
	}
	case KF_TN_RANGE:
		x->at = n;
		return walk_range(x, dot, n);
	case KF_TN_TEMPLATE:
		return walk_template(x, dot, n);
	case KF_TN_BREAK:
		x->ctl = 1;
		return true;
	case KF_TN_CONTINUE:
		x->ctl = 2;
		return true;
	default:
		x->at = n;
		return xfail(x, "unknown node");
	}
}

static bool run(exec *x, const kf_tmpl_tree *t, kf_tv data)
{
	const kf_tmpl_tree *saved_tree = x->tree;
	xvar *saved_vars = x->vars;
	size_t saved_n = x->nvars, saved_cap = x->capvars;
	int saved_ctl = x->ctl;
	x->vars = NULL;
	x->nvars = x->capvars = 0;
	x->tree = t;
	x->ctl = 0;
	xv dot = {data.kind == KF_TV_NIL ? noval() : data, false};
	push_var(x, "$", dot);
	bool ok = walk(x, dot, t->root);
	free(x->vars);
	x->vars = saved_vars;
	x->nvars = saved_n;
	x->capvars = saved_cap;
	x->tree = saved_tree;
	x->ctl = saved_ctl;
	return ok;
}

bool kf_tmpl_execute(kf_tmpl_set *s, kf_arena *a, const char *name, kf_tv data, void *user, kf_buf *out,
		     kf_tmpl_error *err)
{
	exec x = {.s = s, .a = a, .out = out, .user = user, .out_start = out->len, .mem_start = a->used, .moved_start = kf_tv_moved, .err = err};
	memset(err, 0, sizeof *err);
	kf_tmpl_tree *t = find_tree(&s->trees, name);
	if (!t) {
		snprintf(err->msg, sizeof err->msg, "no template \"%s\" associated with template \"gotpl\"", name);
		return false;
	}
	kf_buf_grow(out, 0);
	bool ok = run(&x, t, data);
	free(x.incls);
	return ok && !x.failed;
}

/* ---- for functions ------------------------------------------------------------------------- */

kf_arena *kf_tmpl_call_arena(kf_tmpl_call *c)
{
	return c->x->a;
}

void *kf_tmpl_call_user(kf_tmpl_call *c)
{
	return c->x->user;
}

const char *kf_tmpl_call_name(kf_tmpl_call *c)
{
	return c->name;
}

bool kf_tmpl_call_fail(kf_tmpl_call *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof c->msg, fmt, ap);
	va_end(ap);
	c->failed = true;
	return false;
}

bool kf_tmpl_call_charge(kf_tmpl_call *c, size_t n)
{
	/* n may be near SIZE_MAX (a size computed from a huge count): compare
	 * with what is left rather than add */
	if (n > kf_tmpl_call_budget(c))
		return kf_tmpl_call_fail(c, "exceeded the limit of %zu bytes of values", c->x->s->limits.memory);
	return true;
}

size_t kf_tmpl_call_budget(kf_tmpl_call *c)
{
	exec *x = c->x;
	size_t used = x->a->used - x->mem_start;
	return used >= x->s->limits.memory ? 0 : x->s->limits.memory - used;
}

/* runs tree t into out (a buffer of its own: the output limit holds for
 * each buffer, the memory limit for the strings made of them) */
static bool call_run(kf_tmpl_call *c, const kf_tmpl_tree *t, kf_tv data, kf_buf *out)
{
	exec *x = c->x;
	kf_buf *saved_out = x->out;
	size_t saved_start = x->out_start;
	const kf_tnode *saved_at = x->at;
	x->out = out;
	x->out_start = out->len;
	x->depth++;
	bool ok = run(x, t, data);
	x->depth--;
	x->out = saved_out;
	x->out_start = saved_start;
	x->at = saved_at;
	if (!ok) {
		/* the inner error becomes the call's, as Go wraps it */
		char text[1024];
		error_text(text, sizeof text, x->err);
		x->failed = false;
		kf_tmpl_call_fail(c, "%s", text);
	}
	return ok;
}

bool kf_tmpl_call_include(kf_tmpl_call *c, const char *name, kf_tv data, kf_buf *out)
{
	exec *x = c->x;
	incl *in = NULL;
	for (size_t i = 0; i < x->nincls; i++)
		if (strcmp(x->incls[i].name, name) == 0)
			in = &x->incls[i];
	if (in && in->count > x->s->limits.depth)
		return kf_tmpl_call_fail(c, "rendering template has a nested reference name: %s: unable to execute template",
					 name);
	if (x->depth >= x->s->limits.depth)
		return kf_tmpl_call_fail(c, "rendering template has a nested reference name: %s: unable to execute template",
					 name);
	kf_tmpl_tree *t = find_tree(x->overlay, name);
	if (!t)
		t = find_tree(&x->s->trees, name);
	if (!t)
		return kf_tmpl_call_fail(c, "template: no template \"%s\" associated with template \"gotpl\"", name);
	if (!in) {
		if (x->nincls == x->capincls) {
			x->capincls = x->capincls ? x->capincls * 2 : 16;
			x->incls = kf_xrealloc(x->incls, x->capincls * sizeof *x->incls);
		}
		in = &x->incls[x->nincls++];
		*in = (incl){kf_arena_strndup(x->a, name, strlen(name)), 0};
	}
	size_t idx = (size_t)(in - x->incls);
	x->incls[idx].count++;
	bool ok = call_run(c, t, data, out);
	x->incls[idx].count--;
	return ok;
}

bool kf_tmpl_call_tpl(kf_tmpl_call *c, const char *text, size_t len, kf_tv data, kf_buf *out)
{
	exec *x = c->x;
	if (x->depth >= x->s->limits.depth)
		return kf_tmpl_call_fail(c, "exceeded maximum template depth (%u)", x->s->limits.depth);
	const char *name = x->tree ? x->tree->name : "gotpl";
	char *own = kf_arena_strndup(x->a, text, len);
	kf_tmpl_trees fresh = {0};
	kf_tmpl_error perr;
	if (!kf_tmpl_parse_text(x->a, name, name, own, len, set_lookup, x->s, &fresh, &perr)) {
		free(fresh.items);
		kf_buf q = KF_BUF_INIT;
		kf_tmpl_quote(&q, text, len);
		/* helm 3.8.1 words it so, with its own form of a parse error */
		kf_tmpl_call_fail(c, "error during tpl function execution for %s: parse error at (%s:%u): %s", q.ptr,
				  perr.file, perr.line, perr.msg);
		kf_buf_release(&q);
		return false;
	}
	/* the text's defines are seen by its own execution only */
	kf_tmpl_trees ov = {0};
	if (x->overlay)
		add_trees(&ov, x->overlay);
	add_trees(&ov, &fresh);
	kf_tmpl_trees *saved = x->overlay;
	x->overlay = &ov;
	size_t start = out->len;
	bool ok = call_run(c, fresh.items[0], data, out);
	x->overlay = saved;
	trees_release(&ov);
	free(fresh.items);
	if (!ok) {
		char inner[1024];
		set_text(inner, sizeof inner, c->msg);
		kf_buf q = KF_BUF_INIT;
		kf_tmpl_quote(&q, text, len);
		kf_tmpl_call_fail(c, "error during tpl function execution for %s: %s", q.ptr, inner);
		kf_buf_release(&q);
		return false;
	}
	/* helm drops "<no value>" from tpl's output */
	size_t w = start;
	for (size_t r = start; r < out->len;) {
		if (out->len - r >= 10 && memcmp(out->ptr + r, "<no value>", 10) == 0) {
			r += 10;
			continue;
		}
		out->ptr[w++] = out->ptr[r++];
	}
	out->len = w;
	if (out->cap)
		out->ptr[w] = '\0';
	return true;
}

kf_tv kf_tmpl_to_string(kf_arena *a, kf_tv v)
{
	if (v.kind == KF_TV_STRING)
		return v;
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, plain(v));
	kf_tv r = kf_tv_str(a, b.ptr ? b.ptr : "", b.len);
	kf_buf_release(&b);
	return r;
}
