/* SPDX-License-Identifier: Apache-2.0 */
/* ignore.c - Docker's ignore-file patterns. See ignore.h and docs/build.md,
 * "Ignore files".
 *
 * A pattern is compiled as Docker compiles it (a regular expression, or
 * one of three shortcuts: the path itself, a prefix, a suffix) into a row
 * of tokens; the regular ones are matched by running the tokens as an NFA
 * over the path's code points once, checking the accepting state at each
 * '/' (a parent directory) and at the end.
 */
#include "base/ignore.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/files.h"
#include "base/vec.h"

const char *const kf_ignore_names[] = {".kubefileignore", ".containerignore", ".dockerignore", NULL};

/* A byte that is not valid UTF-8 becomes a code point of its own above
 * Unicode, so that it matches only itself. */
#define BAD_BYTE 0x110000u

typedef enum tok_kind {
	T_LIT,   /* one code point */
	T_ONE,   /* ?: one code point but '/' */
	T_STAR,  /* *: any run without '/' */
	T_DIRS,  /* ** inside: (.* /)? — nothing, or anything that ends with '/' */
	T_REST,  /* ** at the end: .* */
	T_CLASS, /* [...] */
} tok_kind;

typedef struct range {
	uint32_t lo, hi; /* lo > hi: a POSIX class, hi the index in posix[] */
} range;

typedef struct tok {
	tok_kind kind;
	uint32_t c;       /* T_LIT */
	bool negated;     /* T_CLASS */
	range *ranges;    /* T_CLASS, in the arena */
	size_t nranges;
} tok;

typedef enum match_type { M_EXACT, M_PREFIX, M_SUFFIX, M_REGEXP } match_type;

typedef struct pattern {
	bool exception;  /* ! */
	unsigned line;
	match_type type;
	const char *text; /* cleaned; M_PREFIX: the prefix, M_SUFFIX: the suffix */
	size_t len;
	tok *toks;
	size_t ntoks;
} pattern;

struct kf_ignore {
	kf_arena arena;
	KF_VEC(pattern) pats;
	KF_VEC(const char *) paths; /* always left out */
	char *file;
	size_t maxtoks;
	bool exceptions;
};

static const char *const posix[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
				    "lower", "print", "punct", "space", "upper", "word",  "xdigit"};
#define NPOSIX (sizeof posix / sizeof posix[0])

kf_ignore *kf_ignore_new(void)
{
	kf_ignore *ig = calloc(1, sizeof *ig);
	if (!ig)
		abort();
	kf_arena_init(&ig->arena);
	return ig;
}

void kf_ignore_free(kf_ignore *ig)
{
	if (!ig)
		return;
	kf_vec_free(&ig->pats);
	kf_vec_free(&ig->paths);
	free(ig->file);
	kf_arena_release(&ig->arena);
	free(ig);
}

const char *kf_ignore_file(const kf_ignore *ig)
{
	return ig ? ig->file : NULL;
}

size_t kf_ignore_count(const kf_ignore *ig)
{
	return ig ? ig->pats.n : 0;
}

/* ---- text ---------------------------------------------------------------------------------- */

/* The code point at s[*i] (of n bytes), advancing *i. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
	unsigned char c = s[*i];
	size_t len = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
	if (len == 1 || len == 0 || *i + len > n) {
		(*i)++;
		return len == 1 ? c : BAD_BYTE + c;
	}
	uint32_t cp = c & (0x7f >> len);
	for (size_t k = 1; k < len; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return BAD_BYTE + c;
		}
		cp = cp << 6 | (s[*i + k] & 0x3f);
	}
	static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		(*i)++;
		return BAD_BYTE + c;
	}
	*i += len;
	return cp;
}

/* The column (1-based, in code points) of byte off of line. */
static unsigned column(const char *line, size_t off)
{
	unsigned col = 1;
	for (size_t i = 0; i < off; i++)
		if (((unsigned char)line[i] & 0xc0) != 0x80)
			col++;
	return col;
}

/* Go's filepath.Clean, for a '/' system; malloc'd. */
static char *go_clean(const char *s, size_t n)
{
	bool rooted = n && s[0] == '/';
	kf_buf b = KF_BUF_INIT;
	KF_VEC(size_t) marks = {0}; /* where each kept element starts in b */
	size_t dotdot = 0;          /* leading ".." elements kept (relative paths) */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && s[j] != '/')
			j++;
		size_t len = j - i;
		if (len == 0 || (len == 1 && s[i] == '.')) {
			/* skip */
		} else if (len == 2 && s[i] == '.' && s[i + 1] == '.') {
			if (marks.n > dotdot) {
				b.len = marks.v[--marks.n];
				if (b.len > 0)
					b.len--; /* the '/' before it */
			} else if (!rooted) {
				if (b.len)
					kf_buf_addc(&b, '/');
				kf_vec_push(&marks, b.len);
				kf_buf_add(&b, "..", 2);
				dotdot++;
			}
		} else {
			if (b.len)
				kf_buf_addc(&b, '/');
			kf_vec_push(&marks, b.len ? b.len : 0);
			kf_buf_add(&b, s + i, len);
		}
		i = j + 1;
	}
	kf_vec_free(&marks);
	kf_buf out = KF_BUF_INIT;
	if (rooted)
		kf_buf_addc(&out, '/');
	if (b.len)
		kf_buf_add(&out, b.ptr, b.len);
	if (!out.len)
		kf_buf_addc(&out, '.');
	kf_buf_release(&b);
	return kf_buf_detach(&out, NULL);
}

/* ---- compiling ------------------------------------------------------------------------------- */

typedef struct compiler {
	kf_ignore *ig;
	const char *s;     /* the cleaned pattern */
	size_t n, i;
	KF_VEC(tok) toks;
	const char *err;   /* the problem, or NULL */
	size_t err_at;     /* its byte in s */
} compiler;

static bool fail(compiler *c, size_t at, const char *msg)
{
	if (!c->err) {
		c->err = msg;
		c->err_at = at;
	}
	return false;
}

/* One member of a class (a code point, escaped or not) into *cp. */
static bool class_char(compiler *c, uint32_t *cp)
{
	if (c->i >= c->n)
		return fail(c, c->n, "'[' is not closed by ']'");
	size_t at = c->i;
	char ch = c->s[c->i];
	if (ch == '-' || ch == ']')
		return fail(c, at, "a '-' or ']' inside a character class must be escaped as '\\-' or '\\]'");
	if (ch == '\\') {
		c->i++;
		if (c->i >= c->n)
			return fail(c, at, "'[' is not closed by ']'");
	}
	*cp = next_cp((const unsigned char *)c->s, c->n, &c->i);
	return true;
}

/* [...] from c->i (just after '['), as Go's filepath.Match reads it, with
 * the POSIX classes of Go's regular expressions. */
static bool compile_class(compiler *c, tok *t)
{
	size_t open = c->i - 1;
	KF_VEC(range) rs = {0};
	t->kind = T_CLASS;
	if (c->i < c->n && c->s[c->i] == '^') {
		t->negated = true;
		c->i++;
	}
	bool ok = true;
	for (;;) {
		if (c->i >= c->n) {
			ok = fail(c, open, "'[' is not closed by ']'");
			break;
		}
		if (c->s[c->i] == ']' && rs.n) {
			c->i++;
			break;
		}
		if (c->s[c->i] == '[' && c->i + 1 < c->n && c->s[c->i + 1] == ':') {
			const char *end = memmem(c->s + c->i + 2, c->n - c->i - 2, ":]", 2);
			if (end) {
				size_t nl = (size_t)(end - (c->s + c->i + 2));
				size_t k = 0;
				while (k < NPOSIX && (strlen(posix[k]) != nl || memcmp(posix[k], c->s + c->i + 2, nl) != 0))
					k++;
				if (k == NPOSIX) {
					ok = fail(c, c->i, "unknown character class: use one of [:alnum:], [:alpha:], [:digit:], "
							   "[:lower:], [:space:], [:upper:] …");
					break;
				}
				kf_vec_push(&rs, ((range){UINT32_MAX, (uint32_t)k}));
				c->i = (size_t)(end - c->s) + 2;
				continue;
			}
		}
		uint32_t lo, hi;
		size_t at = c->i;
		if (!(ok = class_char(c, &lo)))
			break;
		hi = lo;
		if (c->i < c->n && c->s[c->i] == '-') {
			c->i++;
			if (!(ok = class_char(c, &hi)))
				break;
			if (hi < lo) {
				ok = fail(c, at, "the range of the character class runs backwards");
				break;
			}
		}
		kf_vec_push(&rs, ((range){lo, hi}));
	}
	if (ok) {
		t->ranges = kf_arena_alloc(&c->ig->arena, rs.n * sizeof *rs.v);
		memcpy(t->ranges, rs.v, rs.n * sizeof *rs.v);
		t->nranges = rs.n;
	}
	kf_vec_free(&rs);
	return ok;
}

/* The pattern into tokens and a match type, as moby's patternmatcher
 * translates it to a regular expression. */
static bool compile(compiler *c, pattern *p)
{
	match_type type = M_EXACT;
	bool first = true;
	while (c->i < c->n) {
		tok t = {0};
		char ch = c->s[c->i];
		if (ch == '*' && c->i + 1 < c->n && c->s[c->i + 1] == '*') {
			c->i += 2;
			if (c->i < c->n && c->s[c->i] == '/')
				c->i++;
			if (c->i >= c->n) {
				if (type == M_EXACT) {
					type = M_PREFIX;
				} else {
					t.kind = T_REST;
					kf_vec_push(&c->toks, t);
					type = M_REGEXP;
				}
			} else {
				t.kind = T_DIRS;
				kf_vec_push(&c->toks, t);
				type = M_REGEXP;
			}
			if (first)
				type = M_SUFFIX;
		} else if (ch == '*' || ch == '?') {
			c->i++;
			t.kind = ch == '*' ? T_STAR : T_ONE;
			kf_vec_push(&c->toks, t);
			type = M_REGEXP;
		} else if (ch == '\\') {
			if (c->i + 1 >= c->n)
				return fail(c, c->i, "a '\\' at the end of a pattern escapes nothing");
			c->i++;
			t.kind = T_LIT;
			t.c = next_cp((const unsigned char *)c->s, c->n, &c->i);
			kf_vec_push(&c->toks, t);
			type = M_REGEXP;
		} else if (ch == '[') {
			c->i++;
			if (!compile_class(c, &t))
				return false;
			kf_vec_push(&c->toks, t);
			type = M_REGEXP;
		} else {
			if (ch == ']')
				type = M_REGEXP;
			t.kind = T_LIT;
			t.c = next_cp((const unsigned char *)c->s, c->n, &c->i);
			kf_vec_push(&c->toks, t);
		}
		first = false;
	}
	p->type = type;
	p->text = kf_arena_strndup(&c->ig->arena, c->s, c->n);
	p->len = c->n;
	if (type == M_PREFIX) {
		p->len -= 2;
	} else if (type == M_SUFFIX) {
		p->text += 2;
		p->len -= 2;
	}
	p->toks = kf_arena_alloc(&c->ig->arena, (c->toks.n ? c->toks.n : 1) * sizeof(tok));
	if (c->toks.n)
		memcpy(p->toks, c->toks.v, c->toks.n * sizeof(tok));
	p->ntoks = c->toks.n;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* One line of an ignore file (without its '\n'). */
static bool parse_line(kf_ignore *ig, const char *name, unsigned lineno, const char *line, size_t n, kf_err *err)
{
	if (n && line[0] == '#')
		return true;
	size_t a = 0, b = n;
	while (a < b && is_space(line[a]))
		a++;
	while (b > a && is_space(line[b - 1]))
		b--;
	if (a == b)
		return true;
	bool exception = line[a] == '!';
	size_t bang = a;
	if (exception) {
		a++;
		while (a < b && is_space(line[a]))
			a++;
		if (a == b)
			return kf_err_set(err, "%s:%u:%u: '!' alone re-includes nothing: write the pattern after it", name,
					  lineno, column(line, bang));
	}
	if (b - a > KF_IGNORE_MAX_PATTERN)
		return kf_err_set(err, "%s:%u:%u: the pattern is longer than %d bytes", name, lineno, column(line, a),
				  KF_IGNORE_MAX_PATTERN);
	if (ig->pats.n >= KF_IGNORE_MAX_PATTERNS)
		return kf_err_set(err, "%s:%u:%u: more than %d patterns", name, lineno, column(line, a),
				  KF_IGNORE_MAX_PATTERNS);
	/* the syntax is checked on the text as written, for the column */
	compiler chk = {.ig = ig, .s = line + a, .n = b - a};
	pattern scratch = {0};
	if (!compile(&chk, &scratch)) {
		kf_vec_free(&chk.toks);
		return kf_err_set(err, "%s:%u:%u: %s", name, lineno, column(line, a + chk.err_at), chk.err);
	}
	kf_vec_free(&chk.toks);
	char *clean = go_clean(line + a, b - a);
	const char *s = clean;
	if (s[0] == '/' && s[1])
		s++;
	compiler c = {.ig = ig, .s = s, .n = strlen(s)};
	pattern p = {.exception = exception, .line = lineno};
	bool ok = compile(&c, &p);
	kf_vec_free(&c.toks);
	free(clean);
	if (!ok) /* cleaning cannot make a valid pattern invalid, but be safe */
		return kf_err_set(err, "%s:%u:%u: %s", name, lineno, column(line, a), c.err);
	kf_vec_push(&ig->pats, p);
	if (p.ntoks > ig->maxtoks)
		ig->maxtoks = p.ntoks;
	if (exception)
		ig->exceptions = true;
	return true;
}

bool kf_ignore_parse(kf_ignore *ig, const char *name, const char *text, size_t len, kf_err *err)
{
	if (len > KF_IGNORE_MAX_FILE)
		return kf_err_set(err, "%s: larger than %zu bytes", name, KF_IGNORE_MAX_FILE);
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	unsigned lineno = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t n = end - i;
		if (n && text[i + n - 1] == '\r')
			n--;
		if (!parse_line(ig, name, ++lineno, text + i, n, err))
			return false;
		i = end + 1;
	}
	return true;
}

bool kf_ignore_load(const char *context, kf_ignore **out, kf_err *err)
{
	*out = NULL;
	kf_ignore *ig = kf_ignore_new();
	for (size_t k = 0; kf_ignore_names[k]; k++) {
		char *path = kf_path_join(context, kf_ignore_names[k]);
		struct stat st;
		if (lstat(path, &st) != 0) {
			free(path);
			continue;
		}
		char *real = realpath(path, NULL), *rctx = realpath(context, NULL);
		size_t rl = rctx ? strlen(rctx) : 0;
		bool inside = real && rctx && strncmp(real, rctx, rl) == 0 && (real[rl] == '/' || (rl == 1 && real[1]));
		free(real);
		free(rctx);
		if (!inside) {
			kf_err_set(err, "%s: leads outside the build context", path);
			free(path);
			kf_ignore_free(ig);
			return false;
		}
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		kf_buf b = KF_BUF_INIT;
		bool ok = fd >= 0;
		while (ok) {
			char chunk[65536];
			ssize_t r = read(fd, chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				ok = r == 0;
				break;
			}
			kf_buf_add(&b, chunk, (size_t)r);
			if (b.len > KF_IGNORE_MAX_FILE)
				break;
		}
		if (!ok)
			kf_err_set(err, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		ok = ok && kf_ignore_parse(ig, path, b.ptr ? b.ptr : "", b.len, err);
		kf_buf_release(&b);
		if (!ok) {
			free(path);
			kf_ignore_free(ig);
			return false;
		}
		ig->file = path;
		break;
	}
	*out = ig;
	return true;
}

void kf_ignore_add_path(kf_ignore *ig, const char *rel)
{
	char *c = kf_path_clean(rel, false);
	if (c && c[0])
		kf_vec_push(&ig->paths, kf_arena_strndup(&ig->arena, c, strlen(c)));
	free(c);
}

/* ---- matching ------------------------------------------------------------------------------- */

static bool in_class(const tok *t, uint32_t c)
{
	bool in = false;
	for (size_t i = 0; i < t->nranges && !in; i++) {
		const range *r = &t->ranges[i];
		if (r->lo <= r->hi) {
			in = r->lo <= c && c <= r->hi;
		} else if (c < 0x80) {
			/* a POSIX class: fnmatch agrees with Go on ASCII, and Go's classes are ASCII only */
			if (r->hi == 2 /* ascii */) {
				in = true;
			} else if (r->hi == 12 /* word */) {
				in = c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
			} else {
				char pat[24], s[2] = {(char)c, 0};
				snprintf(pat, sizeof pat, "[[:%s:]]", posix[r->hi]);
				in = c && fnmatch(pat, s, 0) == 0;
			}
		}
	}
	return in != t->negated;
}

/* The NFA's two sets. */
typedef struct nfa {
	const pattern *p;
	uint32_t *cur, *nxt;     /* state lists */
	size_t ncur, nnxt;
	unsigned *in, *closed;   /* generation marks, per state */
	unsigned gen;
} nfa;

/* Adds state j to the next set, and with closure the states it reaches
 * without a code point (a '*', "**" may match nothing). */
static void enter(nfa *m, size_t j, bool closure)
{
	for (;;) {
		if (m->in[j] != m->gen) {
			m->in[j] = m->gen;
			m->nxt[m->nnxt++] = (uint32_t)j;
		}
		if (!closure || j >= m->p->ntoks || m->closed[j] == m->gen)
			return;
		m->closed[j] = m->gen;
		tok_kind k = m->p->toks[j].kind;
		if (k != T_STAR && k != T_DIRS && k != T_REST)
			return;
		j++;
	}
}

static void swap_sets(nfa *m)
{
	uint32_t *t = m->cur;
	m->cur = m->nxt;
	m->nxt = t;
	m->ncur = m->nnxt;
	m->nnxt = 0;
	m->gen++;
}

static void step(nfa *m, uint32_t c)
{
	for (size_t k = 0; k < m->ncur; k++) {
		size_t j = m->cur[k];
		if (j >= m->p->ntoks)
			continue;
		const tok *t = &m->p->toks[j];
		switch (t->kind) {
		case T_LIT:
			if (c == t->c)
				enter(m, j + 1, true);
			break;
		case T_ONE:
			if (c != '/')
				enter(m, j + 1, true);
			break;
		case T_CLASS:
			if (in_class(t, c))
				enter(m, j + 1, true);
			break;
		case T_STAR:
			if (c != '/')
				enter(m, j, true);
			break;
		case T_DIRS: /* Go's '.' does not match a newline */
			if (c == '\n')
				break;
			enter(m, j, false);
			if (c == '/')
				enter(m, j + 1, true);
			break;
		case T_REST:
			if (c != '\n')
				enter(m, j, true);
			break;
		}
	}
	swap_sets(m);
}

static bool accepting(const nfa *m)
{
	return m->in[m->p->ntoks] == m->gen - 1;
}

/* The scratch of a match: sized for the longest pattern. */
typedef struct scratch {
	uint32_t *a, *b;
	unsigned *in, *closed;
	uint32_t *cps;  /* the path's code points */
	size_t *ends;   /* the byte each code point ends at */
	size_t ncps;
} scratch;

static void nfa_start(nfa *m, const pattern *p, scratch *s)
{
	m->p = p;
	m->cur = s->a;
	m->nxt = s->b;
	m->in = s->in;
	m->closed = s->closed;
	memset(m->in, 0, (p->ntoks + 1) * sizeof *m->in);
	memset(m->closed, 0, (p->ntoks + 1) * sizeof *m->closed);
	m->gen = 1;
	m->ncur = m->nnxt = 0;
	enter(m, 0, true);
	swap_sets(m);
}

/* Does the regular pattern match the path or one of its parents? */
static bool match_regexp(const pattern *p, scratch *s)
{
	nfa m;
	nfa_start(&m, p, s);
	for (size_t i = 0; i < s->ncps && m.ncur; i++) {
		step(&m, s->cps[i]);
		bool boundary = i + 1 == s->ncps || s->cps[i + 1] == '/';
		if (boundary && accepting(&m))
			return true;
	}
	return false;
}

static bool match_pattern(const pattern *p, const char *path, size_t n, scratch *s)
{
	switch (p->type) {
	case M_EXACT:
		return n >= p->len && memcmp(path, p->text, p->len) == 0 && (n == p->len || path[p->len] == '/');
	case M_PREFIX:
		return n >= p->len && memcmp(path, p->text, p->len) == 0;
	case M_SUFFIX:
		for (size_t q = 1; q <= n; q++) {
			if (q < n && path[q] != '/')
				continue;
			if (!p->len || (q >= p->len && memcmp(path + q - p->len, p->text, p->len) == 0) ||
			    (p->text[0] == '/' && q == p->len - 1 && memcmp(path, p->text + 1, q) == 0))
				return true;
		}
		return false;
	case M_REGEXP:
		return match_regexp(p, s);
	}
	return false;
}

static bool under(const char *path, size_t n, const char *dir)
{
	size_t d = strlen(dir);
	return n >= d && memcmp(path, dir, d) == 0 && (n == d || path[d] == '/');
}

static void scratch_init(scratch *s, const kf_ignore *ig, const char *path, size_t n)
{
	size_t st = ig->maxtoks + 1;
	s->a = malloc(st * sizeof *s->a);
	s->b = malloc(st * sizeof *s->b);
	s->in = malloc(st * sizeof *s->in);
	s->closed = malloc(st * sizeof *s->closed);
	s->cps = malloc((n + 1) * sizeof *s->cps);
	s->ends = malloc((n + 1) * sizeof *s->ends);
	if (!s->a || !s->b || !s->in || !s->closed || !s->cps || !s->ends)
		abort();
	s->ncps = 0;
	for (size_t i = 0; i < n;) {
		s->cps[s->ncps] = next_cp((const unsigned char *)path, n, &i);
		s->ends[s->ncps++] = i;
	}
}

static void scratch_release(scratch *s)
{
	free(s->a);
	free(s->b);
	free(s->in);
	free(s->closed);
	free(s->cps);
	free(s->ends);
}

bool kf_ignore_excluded(const kf_ignore *ig, const char *rel, bool is_dir, unsigned *line)
{
	(void)is_dir; /* Docker's patterns match files and directories alike */
	if (line)
		*line = 0;
	if (!ig || !rel[0])
		return false;
	size_t n = strlen(rel);
	for (size_t i = 0; i < ig->paths.n; i++)
		if (under(rel, n, ig->paths.v[i]))
			return true;
	if (!ig->pats.n)
		return false;
	scratch s;
	scratch_init(&s, ig, rel, n);
	bool matched = false;
	for (size_t i = 0; i < ig->pats.n; i++) {
		const pattern *p = &ig->pats.v[i];
		/* an exception matters only to what is excluded, an exclusion
		 * only to what is not */
		if (p->exception != matched)
			continue;
		if (match_pattern(p, rel, n, &s)) {
			matched = !p->exception;
			if (line)
				*line = p->line;
		}
	}
	scratch_release(&s);
	return matched;
}

/* Could p match dir or something under it? */
static bool may_match_under(const pattern *p, const char *dir, size_t n, scratch *s)
{
	switch (p->type) {
	case M_EXACT:
		return under(p->text, p->len, dir) || under(dir, n, p->text);
	case M_PREFIX: /* dir, or dir/ and more, starts with the prefix */
		return memcmp(dir, p->text, p->len < n ? p->len : n) == 0 && (p->len <= n || p->text[n] == '/');
	case M_SUFFIX:
		return true;
	case M_REGEXP: {
		nfa m;
		nfa_start(&m, p, s);
		for (size_t i = 0; i < s->ncps && m.ncur; i++) {
			step(&m, s->cps[i]);
			if ((i + 1 == s->ncps || s->cps[i + 1] == '/') && accepting(&m))
				return true;
		}
		if (m.ncur)
			step(&m, '/');
		return m.ncur > 0;
	}
	}
	return true;
}

bool kf_ignore_may_reinclude(const kf_ignore *ig, const char *dir_rel)
{
	if (!ig || !ig->exceptions)
		return false;
	size_t n = strlen(dir_rel);
	for (size_t i = 0; i < ig->paths.n; i++)
		if (under(dir_rel, n, ig->paths.v[i]))
			return false;
	scratch s;
	scratch_init(&s, ig, dir_rel, n);
	bool may = false;
	for (size_t i = 0; i < ig->pats.n && !may; i++)
		if (ig->pats.v[i].exception)
			may = may_match_under(&ig->pats.v[i], dir_rel, n, &s);
	scratch_release(&s);
	return may;
}

kf_ignore_pick kf_ignore_pick_entry(const kf_ignore *ig, const char *rel, bool is_dir)
{
	if (!kf_ignore_excluded(ig, rel, is_dir, NULL))
		return KF_IGNORE_KEEP;
	return is_dir && kf_ignore_may_reinclude(ig, rel) ? KF_IGNORE_ENTER : KF_IGNORE_SKIP;
}
