/* SPDX-License-Identifier: Apache-2.0 */
/* parse.c - Go's text/template lexer and parser (text/template/parse), as
 * Go 1.17 has them, plus break and continue (Go 1.18) and the messages of
 * Go's parse errors.
 *
 * The lexer makes every token of a text first (an error token ends the
 * list); the parser walks the array, which makes Go's look-ahead and
 * backing up an index.
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmplint.h"

/* ---- the lexer ------------------------------------------------------------------------- */

typedef enum ttype {
	T_ERROR,
	T_EOF,
	T_TEXT,
	T_LDELIM,
	T_RDELIM,
	T_SPACE,
	T_IDENT,
	T_FIELD,
	T_VAR,
	T_STRING,
	T_RAW,
	T_CHAR,
	T_NUMBER,
	T_BOOL,
	T_NIL,
	T_DOT,
	T_PIPE,
	T_LPAREN,
	T_RPAREN,
	T_DECLARE,
	T_ASSIGN,
	T_OTHER, /* another printable character: ',' */
	T_COMMENT,
	/* keywords */
	T_BLOCK,
	T_BREAK,
	T_CONTINUE,
	T_DEFINE,
	T_ELSE,
	T_END,
	T_IF,
	T_RANGE,
	T_TEMPLATE,
	T_WITH,
} ttype;

typedef struct tok {
	ttype type;
	uint32_t pos, line;
	const char *val;
	size_t len;
} tok;

typedef struct lexer {
	kf_arena *a;
	const char *s;
	size_t n, pos, start;
	uint32_t line, startline;
	int parens;
	tok *toks;
	size_t ntoks, cap;
	bool done;
} lexer;

static const struct {
	const char *word;
	ttype type;
} keywords[] = {
	{"block", T_BLOCK}, {"break", T_BREAK}, {"continue", T_CONTINUE}, {"define", T_DEFINE},
	{"else", T_ELSE},   {"end", T_END},     {"if", T_IF},             {"range", T_RANGE},
	{"template", T_TEMPLATE}, {"with", T_WITH}, {"nil", T_NIL}, {".", T_DOT},
};

static void lex_push(lexer *l, ttype t, const char *val, size_t len)
{
	if (l->ntoks == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->toks = kf_xrealloc(l->toks, l->cap * sizeof *l->toks);
	}
	l->toks[l->ntoks++] = (tok){t, (uint32_t)l->start, l->startline, val, len};
}

static void lex_count_lines(lexer *l)
{
	for (size_t i = l->start; i < l->pos; i++)
		if (l->s[i] == '\n')
			l->line++;
}

/* emits s[start, pos) */
static void lex_emit(lexer *l, ttype t)
{
	lex_push(l, t, l->s + l->start, l->pos - l->start);
	lex_count_lines(l);
	l->start = l->pos;
	l->startline = l->line;
}

static void lex_ignore(lexer *l)
{
	lex_count_lines(l);
	l->start = l->pos;
	l->startline = l->line;
}

static void lex_error(lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void lex_error(lexer *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[512];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	const char *m = kf_arena_strndup(l->a, buf, strlen(buf));
	lex_push(l, T_ERROR, m, strlen(m));
	l->done = true;
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static int lex_peek(lexer *l)
{
	return l->pos < l->n ? (unsigned char)l->s[l->pos] : -1;
}

static bool has_prefix(lexer *l, size_t at, const char *p)
{
	size_t k = strlen(p);
	return at + k <= l->n && memcmp(l->s + at, p, k) == 0;
}

/* " -}}" or "}}" at pos; *trim for the first */
static bool at_right_delim(lexer *l, bool *trim)
{
	*trim = false;
	if (l->pos + 2 <= l->n && is_space((unsigned char)l->s[l->pos]) && l->s[l->pos + 1] == '-' &&
	    has_prefix(l, l->pos + 2, "}}")) {
		*trim = true;
		return true;
	}
	return has_prefix(l, l->pos, "}}");
}

static bool at_terminator(lexer *l)
{
	int r = lex_peek(l);
	if (is_space(r))
		return true;
	switch (r) {
	case -1:
	case '.':
	case ',':
	case '|':
	case ':':
	case ')':
	case '(':
	case '}':
		return true;
	}
	return false;
}

/* Go's %#U of the character at s[i] */
static const char *fmt_rune(lexer *l, size_t i)
{
	unsigned char c = i < l->n ? (unsigned char)l->s[i] : 0;
	if (i >= l->n)
		return "U+FFFFFFFF";
	uint32_t cp = c;
	size_t k = 1;
	if (c >= 0xc0 && c < 0xe0 && i + 1 < l->n)
		cp = ((c & 0x1fu) << 6) | ((unsigned char)l->s[i + 1] & 0x3fu), k = 2;
	else if (c >= 0xe0 && c < 0xf0 && i + 2 < l->n)
		cp = ((c & 0x0fu) << 12) | (((unsigned char)l->s[i + 1] & 0x3fu) << 6) | ((unsigned char)l->s[i + 2] & 0x3fu),
		k = 3;
	else if (c >= 0x80)
		cp = 0xfffd, k = 1;
	if (cp < 0x20 || cp == 0x7f || cp == 0xfffd)
		return kf_arena_printf(l->a, "U+%04X", cp);
	return kf_arena_printf(l->a, "U+%04X '%.*s'", cp, (int)k, l->s + i);
}

static bool lex_inside_step(lexer *l);

static void lex_text(lexer *l)
{
	const char *p = l->pos < l->n ? strstr(l->s + l->pos, "{{") : NULL;
	/* strstr stops at a NUL; search by memory instead */
	p = NULL;
	for (size_t i = l->pos; i + 1 < l->n; i++)
		if (l->s[i] == '{' && l->s[i + 1] == '{') {
			p = l->s + i;
			break;
		}
	if (!p) {
		l->pos = l->n;
		if (l->pos > l->start)
			lex_emit(l, T_TEXT);
		lex_emit(l, T_EOF);
		l->done = true;
		return;
	}
	size_t at = (size_t)(p - l->s);
	size_t trim = 0;
	if (at + 3 < l->n + 0 && l->s[at + 2] == '-' && is_space((unsigned char)l->s[at + 3])) {
		while (at - trim > l->start && is_space((unsigned char)l->s[at - trim - 1]))
			trim++;
	}
	l->pos = at - trim;
	if (l->pos > l->start)
		lex_emit(l, T_TEXT);
	l->pos = at;
	lex_ignore(l);
	/* the left delimiter */
	l->pos += 2;
	bool trimsp = l->pos + 1 < l->n && l->s[l->pos] == '-' && is_space((unsigned char)l->s[l->pos + 1]);
	size_t after = trimsp ? 2 : 0;
	if (has_prefix(l, l->pos + after, "/*")) {
		l->pos += after;
		lex_ignore(l);
		/* a comment */
		l->pos += 2;
		const char *end = NULL;
		for (size_t i = l->pos; i + 1 < l->n; i++)
			if (l->s[i] == '*' && l->s[i + 1] == '/') {
				end = l->s + i;
				break;
			}
		if (!end) {
			lex_error(l, "unclosed comment");
			return;
		}
		l->pos = (size_t)(end - l->s) + 2;
		bool rtrim;
		if (!at_right_delim(l, &rtrim)) {
			lex_error(l, "comment ends before closing delimiter");
			return;
		}
		lex_emit(l, T_COMMENT);
		if (rtrim)
			l->pos += 2;
		l->pos += 2;
		if (rtrim)
			while (l->pos < l->n && is_space((unsigned char)l->s[l->pos]))
				l->pos++;
		lex_ignore(l);
		return;
	}
	lex_emit(l, T_LDELIM);
	l->pos += after;
	lex_ignore(l);
	l->parens = 0;
	while (!l->done && lex_inside_step(l))
		;
}

/* Go's scanNumber */
static bool scan_number(lexer *l)
{
	const char *digits = "0123456789_";
	if (l->pos < l->n && (l->s[l->pos] == '+' || l->s[l->pos] == '-'))
		l->pos++;
	if (l->pos < l->n && l->s[l->pos] == '0') {
		l->pos++;
		int c = lex_peek(l);
		if (c == 'x' || c == 'X')
			digits = "0123456789abcdefABCDEF_", l->pos++;
		else if (c == 'o' || c == 'O')
			digits = "01234567_", l->pos++;
		else if (c == 'b' || c == 'B')
			digits = "01_", l->pos++;
	}
	while (l->pos < l->n && strchr(digits, l->s[l->pos]) && l->s[l->pos])
		l->pos++;
	if (l->pos < l->n && l->s[l->pos] == '.') {
		l->pos++;
		while (l->pos < l->n && strchr(digits, l->s[l->pos]) && l->s[l->pos])
			l->pos++;
	}
	size_t nd = strlen(digits);
	if (nd == 11 && l->pos < l->n && (l->s[l->pos] == 'e' || l->s[l->pos] == 'E')) {
		l->pos++;
		if (l->pos < l->n && (l->s[l->pos] == '+' || l->s[l->pos] == '-'))
			l->pos++;
		while (l->pos < l->n && strchr("0123456789_", l->s[l->pos]) && l->s[l->pos])
			l->pos++;
	}
	if (nd == 23 && l->pos < l->n && (l->s[l->pos] == 'p' || l->s[l->pos] == 'P')) {
		l->pos++;
		if (l->pos < l->n && (l->s[l->pos] == '+' || l->s[l->pos] == '-'))
			l->pos++;
		while (l->pos < l->n && strchr("0123456789_", l->s[l->pos]) && l->s[l->pos])
			l->pos++;
	}
	if (l->pos < l->n && l->s[l->pos] == 'i')
		l->pos++;
	if (is_alnum(lex_peek(l))) {
		l->pos++;
		return false;
	}
	return true;
}

static void lex_field_or_var(lexer *l, ttype t)
{
	if (at_terminator(l)) {
		lex_emit(l, t == T_VAR ? T_VAR : T_DOT);
		return;
	}
	while (is_alnum(lex_peek(l)))
		l->pos++;
	if (!at_terminator(l)) {
		lex_error(l, "bad character %s", fmt_rune(l, l->pos));
		return;
	}
	lex_emit(l, t);
}

/* one token inside an action; false after the right delimiter or an error */
static bool lex_inside_step(lexer *l)
{
	bool trim;
	if (at_right_delim(l, &trim)) {
		if (l->parens != 0) {
			lex_error(l, "unclosed left paren");
			return false;
		}
		if (trim) {
			l->pos += 2;
			lex_ignore(l);
		}
		l->pos += 2;
		lex_emit(l, T_RDELIM);
		if (trim) {
			while (l->pos < l->n && is_space((unsigned char)l->s[l->pos]))
				l->pos++;
			lex_ignore(l);
		}
		return false;
	}
	int r = lex_peek(l);
	if (r < 0) {
		lex_error(l, "unclosed action");
		return false;
	}
	if (is_space(r)) {
		size_t nsp = 0;
		while (is_space(lex_peek(l)))
			l->pos++, nsp++;
		/* a space before "-}}" belongs to the delimiter */
		if (l->pos + 2 <= l->n && l->s[l->pos] == '-' && has_prefix(l, l->pos + 1, "}}")) {
			l->pos--;
			if (nsp == 1)
				return true;
		}
		lex_emit(l, T_SPACE);
		return true;
	}
	l->pos++;
	switch (r) {
	case '=':
		lex_emit(l, T_ASSIGN);
		return true;
	case ':':
		if (lex_peek(l) != '=') {
			lex_error(l, "expected :=");
			return false;
		}
		l->pos++;
		lex_emit(l, T_DECLARE);
		return true;
	case '|':
		lex_emit(l, T_PIPE);
		return true;
	case '"':
	case '\'': {
		for (;;) {
			int c = lex_peek(l);
			if (c == '\\') {
				l->pos++;
				c = lex_peek(l);
				if (c >= 0 && c != '\n') {
					l->pos++;
					continue;
				}
			}
			if (c < 0 || c == '\n') {
				lex_error(l, r == '"' ? "unterminated quoted string" : "unterminated character constant");
				return false;
			}
			l->pos++;
			if (c == r)
				break;
		}
		lex_emit(l, r == '"' ? T_STRING : T_CHAR);
		return true;
	}
	case '`': {
		const char *e = memchr(l->s + l->pos, '`', l->n - l->pos);
		if (!e) {
			lex_error(l, "unterminated raw quoted string");
			return false;
		}
		l->pos = (size_t)(e - l->s) + 1;
		lex_emit(l, T_RAW);
		return true;
	}
	case '$':
		lex_field_or_var(l, T_VAR);
		return !l->done;
	case '(':
		lex_emit(l, T_LPAREN);
		l->parens++;
		return true;
	case ')':
		lex_emit(l, T_RPAREN);
		l->parens--;
		if (l->parens < 0) {
			lex_error(l, "unexpected right paren U+0029 ')'");
			return false;
		}
		return true;
	default:
		break;
	}
	if (r == '.' && !(l->pos < l->n && l->s[l->pos] >= '0' && l->s[l->pos] <= '9')) {
		lex_field_or_var(l, T_FIELD);
		return !l->done;
	}
	if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
		l->pos--;
		if (!scan_number(l)) {
			lex_error(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start), l->s + l->start);
			return false;
		}
		if (l->pos < l->n && (l->s[l->pos] == '+' || l->s[l->pos] == '-')) {
			/* a complex number: not supported, as Go's parser would not
			 * make it a value helm could use */
			scan_number(l);
			lex_error(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start), l->s + l->start);
			return false;
		}
		lex_emit(l, T_NUMBER);
		return true;
	}
	if (is_alnum(r)) {
		while (is_alnum(lex_peek(l)))
			l->pos++;
		if (!at_terminator(l)) {
			lex_error(l, "bad character %s", fmt_rune(l, l->pos));
			return false;
		}
		size_t wl = l->pos - l->start;
		const char *w = l->s + l->start;
		for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
			if (strlen(keywords[i].word) == wl && memcmp(keywords[i].word, w, wl) == 0) {
				lex_emit(l, keywords[i].type);
				return true;
			}
		if ((wl == 4 && memcmp(w, "true", 4) == 0) || (wl == 5 && memcmp(w, "false", 5) == 0))
			lex_emit(l, T_BOOL);
		else
			lex_emit(l, T_IDENT);
		return true;
	}
	if (r < 0x7f && r >= 0x20) {
		lex_emit(l, T_OTHER);
		return true;
	}
	lex_error(l, "unrecognized character in action: %s", fmt_rune(l, l->pos - 1));
	return false;
}

static void lex_all(lexer *l)
{
	l->line = l->startline = 1;
	while (!l->done)
		lex_text(l);
}

/* ---- positions and strings ---------------------------------------------------------------- */

void kf_tmpl_position(const char *text, size_t len, uint32_t pos, uint32_t *line, uint32_t *col)
{
	uint32_t ln = 1;
	size_t last = (size_t)-1;
	if (pos > len)
		pos = (uint32_t)len;
	for (size_t i = 0; i < pos; i++)
		if (text[i] == '\n') {
			ln++;
			last = i;
		}
	*line = ln;
	*col = (uint32_t)(last == (size_t)-1 ? pos : pos - last - 1);
}

static void pipe_string(kf_buf *out, const kf_tnode *n);

static void arg_string(kf_buf *out, const kf_tnode *a)
{
	if (a->kind == KF_TN_PIPE) {
		kf_buf_addc(out, '(');
		pipe_string(out, a);
		kf_buf_addc(out, ')');
	} else {
		kf_tmpl_node_string(out, a);
	}
}

static void pipe_string(kf_buf *out, const kf_tnode *n)
{
	for (size_t i = 0; i < n->ndecls; i++) {
		if (i)
			kf_buf_adds(out, ", ");
		kf_buf_adds(out, n->decls[i]);
	}
	if (n->ndecls)
		kf_buf_adds(out, " := ");
	for (size_t i = 0; i < n->nkids; i++) {
		if (i)
			kf_buf_adds(out, " | ");
		kf_tmpl_node_string(out, n->kids[i]);
	}
}

static void quote_go(kf_buf *out, const char *s, size_t n)
{
	kf_buf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			kf_buf_printf(out, "\\%c", c);
		else if (c == '\n')
			kf_buf_adds(out, "\\n");
		else if (c == '\t')
			kf_buf_adds(out, "\\t");
		else if (c == '\r')
			kf_buf_adds(out, "\\r");
		else if (c < 0x20 || c == 0x7f)
			kf_buf_printf(out, "\\x%02x", c);
		else
			kf_buf_addc(out, (char)c);
	}
	kf_buf_addc(out, '"');
}

void kf_tmpl_node_string(kf_buf *out, const kf_tnode *n)
{
	switch (n->kind) {
	case KF_TN_LIST:
		for (size_t i = 0; i < n->nkids; i++)
			kf_tmpl_node_string(out, n->kids[i]);
		return;
	case KF_TN_TEXT:
		kf_buf_add(out, n->str, n->len);
		return;
	case KF_TN_ACTION:
		kf_buf_adds(out, "{{");
		pipe_string(out, n->pipe);
		kf_buf_adds(out, "}}");
		return;
	case KF_TN_IF:
	case KF_TN_RANGE:
	case KF_TN_WITH:
		kf_buf_adds(out, n->kind == KF_TN_IF ? "{{if " : n->kind == KF_TN_RANGE ? "{{range " : "{{with ");
		pipe_string(out, n->pipe);
		kf_buf_adds(out, "}}");
		kf_tmpl_node_string(out, n->list);
		if (n->elselist) {
			kf_buf_adds(out, "{{else}}");
			kf_tmpl_node_string(out, n->elselist);
		}
		kf_buf_adds(out, "{{end}}");
		return;
	case KF_TN_TEMPLATE:
		kf_buf_adds(out, "{{template ");
		quote_go(out, n->str, n->len);
		if (n->pipe) {
			kf_buf_addc(out, ' ');
			pipe_string(out, n->pipe);
		}
		kf_buf_adds(out, "}}");
		return;
	case KF_TN_BREAK:
		kf_buf_adds(out, "{{break}}");
		return;
	case KF_TN_CONTINUE:
		kf_buf_adds(out, "{{continue}}");
		return;
	case KF_TN_PIPE:
		pipe_string(out, n);
		return;
	case KF_TN_CMD:
		for (size_t i = 0; i < n->nkids; i++) {
			if (i)
				kf_buf_addc(out, ' ');
			arg_string(out, n->kids[i]);
		}
		return;
	case KF_TN_FIELD:
		for (size_t i = 0; i < n->nidents; i++) {
			kf_buf_addc(out, '.');
			kf_buf_adds(out, n->idents[i]);
		}
		return;
	case KF_TN_CHAIN:
		arg_string(out, n->node);
		for (size_t i = 0; i < n->nidents; i++) {
			kf_buf_addc(out, '.');
			kf_buf_adds(out, n->idents[i]);
		}
		return;
	case KF_TN_VAR:
		for (size_t i = 0; i < n->nidents; i++) {
			if (i)
				kf_buf_addc(out, '.');
			kf_buf_adds(out, n->idents[i]);
		}
		return;
	case KF_TN_DOT:
		kf_buf_addc(out, '.');
		return;
	case KF_TN_NIL:
		kf_buf_adds(out, "nil");
		return;
	case KF_TN_BOOL:
		kf_buf_adds(out, n->b ? "true" : "false");
		return;
	case KF_TN_NUMBER:
	case KF_TN_STRING:
		kf_buf_adds(out, n->orig);
		return;
	case KF_TN_IDENT:
		kf_buf_add(out, n->str, n->len);
		return;
	}
}

bool kf_tmpl_tree_empty(const kf_tnode *n)
{
	if (!n)
		return true;
	if (n->kind == KF_TN_LIST) {
		for (size_t i = 0; i < n->nkids; i++)
			if (!kf_tmpl_tree_empty(n->kids[i]))
				return false;
		return true;
	}
	if (n->kind == KF_TN_TEXT) {
		for (size_t i = 0; i < n->len; i++)
			if (!is_space((unsigned char)n->str[i]) && n->str[i] != '\v' && n->str[i] != '\f')
				return false;
		return true;
	}
	return false;
}

/* ---- Go's strconv.Unquote --------------------------------------------------------------------- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* the length of a valid UTF-8 sequence at s, or 0 */
static size_t utf8_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t k;
	uint32_t c, min;
	if ((s[0] & 0xe0) == 0xc0)
		k = 2, c = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 3, c = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (k > n)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return k;
}

/* q is the token with its quotes; false on invalid syntax */
static bool unquote(const char *q, size_t n, kf_buf *out, uint32_t *rune)
{
	if (n < 2)
		return false;
	char quote = q[0];
	if (q[n - 1] != quote)
		return false;
	const unsigned char *s = (const unsigned char *)q + 1;
	size_t len = n - 2;
	if (quote == '`') {
		for (size_t i = 0; i < len; i++)
			if (s[i] != '\r')
				kf_buf_addc(out, (char)s[i]);
		return true;
	}
	size_t i = 0, count = 0;
	uint32_t last = 0;
	while (i < len) {
		uint32_t cp;
		unsigned char c = s[i];
		if (c == (unsigned char)quote)
			return false;
		if (c >= 0x80) {
			size_t k = utf8_len(s + i, len - i, &cp);
			if (!k)
				cp = 0xfffd, k = 1;
			kf_buf_add_rune(out, cp);
			i += k;
			last = cp;
			count++;
			continue;
		}
		if (c != '\\') {
			kf_buf_addc(out, (char)c);
			last = c;
			i++;
			count++;
			continue;
		}
		if (i + 1 >= len)
			return false;
		char e = (char)s[i + 1];
		i += 2;
		switch (e) {
		case 'a':
			cp = 7;
			break;
		case 'b':
			cp = 8;
			break;
		case 'f':
			cp = 12;
			break;
		case 'n':
			cp = 10;
			break;
		case 'r':
			cp = 13;
			break;
		case 't':
			cp = 9;
			break;
		case 'v':
			cp = 11;
			break;
		case '\\':
			cp = '\\';
			break;
		case '\'':
		case '"':
			if (e != quote)
				return false;
			cp = (uint32_t)e;
			break;
		case 'x':
		case 'u':
		case 'U': {
			size_t k = e == 'x' ? 2 : e == 'u' ? 4 : 8;
			if (i + k > len)
				return false;
			cp = 0;
			for (size_t j = 0; j < k; j++) {
				int h = hexval(s[i + j]);
				if (h < 0)
					return false;
				cp = cp * 16 + (uint32_t)h;
			}
			i += k;
			if (e == 'x') {
				/* a byte, not a code point */
				kf_buf_addc(out, (char)cp);
				last = cp;
				count++;
				continue;
			}
			if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
				return false;
			break;
		}
		case '0':
		case '1':
		case '2':
		case '3':
		case '4':
		case '5':
		case '6':
		case '7': {
			cp = (uint32_t)(e - '0');
			if (i + 2 > len)
				return false;
			for (size_t j = 0; j < 2; j++) {
				if (s[i + j] < '0' || s[i + j] > '7')
					return false;
				cp = cp * 8 + (uint32_t)(s[i + j] - '0');
			}
			i += 2;
			if (cp > 255)
				return false;
			kf_buf_addc(out, (char)cp);
			last = cp;
			count++;
			continue;
		}
		default:
			return false;
		}
		kf_buf_add_rune(out, cp);
		last = cp;
		count++;
	}
	if (quote == '\'') {
		if (count != 1)
			return false;
		*rune = last;
	}
	return true;
}

/* ---- the parser ---------------------------------------------------------------------------- */

typedef struct parser {
	kf_arena *a;
	const char *file; /* the parse name */
	const char *text;
	size_t textlen;
	tok *toks;
	size_t ntoks, i;
	size_t last; /* the index of the last token read, for errors' lines */
	const char **vars;
	size_t nvars, capvars;
	int range_depth;
	int depth; /* nested pipelines and lists: the C stack's bound */
	kf_tmpl_lookup_fn lookup;
	const void *ctx;
	kf_tmpl_error *err;
	bool failed;
	kf_tmpl_trees *out;
	size_t out_start; /* trees of this text start here in out */
} parser;

static tok *p_next(parser *p)
{
	tok *t = &p->toks[p->i < p->ntoks ? p->i : p->ntoks - 1];
	p->last = (size_t)(t - p->toks);
	if (p->i < p->ntoks)
		p->i++;
	return t;
}

static void p_backup(parser *p)
{
	if (p->i > 0)
		p->i--;
}

static tok *p_peek(parser *p)
{
	return &p->toks[p->i < p->ntoks ? p->i : p->ntoks - 1];
}

static tok *p_next_nonspace(parser *p)
{
	tok *t;
	do
		t = p_next(p);
	while (t->type == T_SPACE);
	return t;
}

static tok *p_peek_nonspace(parser *p)
{
	tok *t = p_next_nonspace(p);
	p_backup(p);
	return t;
}

static bool p_error(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool p_error(parser *p, const char *fmt, ...)
{
	if (p->failed)
		return false;
	p->failed = true;
	tok *t = &p->toks[p->last];
	snprintf(p->err->file, sizeof p->err->file, "%s", p->file);
	uint32_t line, col;
	kf_tmpl_position(p->text, p->textlen, t->pos, &line, &col);
	p->err->line = t->line;
	p->err->col = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof p->err->msg, fmt, ap);
	va_end(ap);
	return false;
}

/* Go's item String() */
static const char *tok_string(parser *p, tok *t)
{
	kf_buf b = KF_BUF_INIT;
	switch (t->type) {
	case T_EOF:
		return "EOF";
	case T_ERROR:
		return kf_arena_strndup(p->a, t->val, t->len);
	default:
		break;
	}
	if (t->type >= T_BLOCK || t->type == T_NIL || t->type == T_DOT) {
		kf_buf_printf(&b, "<%.*s>", (int)t->len, t->val);
	} else if (t->len > 10) {
		quote_go(&b, t->val, 10);
		kf_buf_adds(&b, "...");
	} else {
		quote_go(&b, t->val, t->len);
	}
	char *s = kf_arena_strndup(p->a, b.ptr, b.len);
	kf_buf_release(&b);
	return s;
}

static bool p_unexpected(parser *p, tok *t, const char *context)
{
	if (t->type == T_ERROR)
		return p_error(p, "%.*s", (int)t->len, t->val);
	return p_error(p, "unexpected %s in %s", tok_string(p, t), context);
}

static kf_tnode *new_node(parser *p, kf_tnode_kind k, uint32_t pos)
{
	kf_tnode *n = KF_ARENA_NEW(p->a, kf_tnode);
	n->kind = k;
	n->pos = pos;
	return n;
}

static void add_kid(parser *p, kf_tnode *n, kf_tnode *kid)
{
	/* grow by doubling in the arena */
	size_t cap = 4;
	while (cap < n->nkids)
		cap *= 2;
	if (n->nkids == 0 || (n->nkids >= 4 && (n->nkids & (n->nkids - 1)) == 0)) {
		size_t ncap = n->nkids < 4 ? 4 : n->nkids * 2;
		kf_tnode **k = KF_ARENA_ARRAY(p->a, kf_tnode *, ncap);
		if (n->nkids)
			memcpy(k, n->kids, n->nkids * sizeof *k);
		n->kids = k;
	}
	(void)cap;
	n->kids[n->nkids++] = kid;
}

static void push_var(parser *p, const char *name)
{
	if (p->nvars == p->capvars) {
		p->capvars = p->capvars ? p->capvars * 2 : 16;
		p->vars = kf_xrealloc(p->vars, p->capvars * sizeof *p->vars);
	}
	p->vars[p->nvars++] = name;
}

static kf_tnode *p_pipeline(parser *p, const char *context, ttype end);
static kf_tnode *p_item_list(parser *p, kf_tnode **endnode);
static kf_tnode *p_pipeline_in(parser *p, const char *context, ttype end);
static kf_tnode *p_item_list_in(parser *p, kf_tnode **endnode);

/* splits ".a.b" or "$x.a" into idents; fields lose their dots */
static void split_idents(parser *p, kf_tnode *n, const char *s, size_t len, bool var)
{
	size_t cnt = 1;
	for (size_t i = 1; i < len; i++)
		if (s[i] == '.')
			cnt++;
	n->idents = KF_ARENA_ARRAY(p->a, const char *, cnt);
	size_t st = var ? 0 : 1, k = 0;
	for (size_t i = st; i <= len; i++) {
		if (i == len || (s[i] == '.' && i > st)) {
			n->idents[k++] = kf_arena_strndup(p->a, s + st, i - st);
			st = i + 1;
		}
	}
	n->nidents = k;
}

/* Go's NumberNode: how a literal reads */
static bool p_number(parser *p, kf_tnode *n, tok *t)
{
	n->orig = kf_arena_strndup(p->a, t->val, t->len);
	if (t->type == T_CHAR) {
		kf_buf b = KF_BUF_INIT;
		uint32_t r = 0;
		bool ok = unquote(t->val, t->len, &b, &r);
		kf_buf_release(&b);
		if (!ok)
			return p_error(p, "malformed character constant: %s", n->orig);
		n->is_int = true;
		n->i = r;
		return true;
	}
	char buf[128];
	size_t m = 0;
	/* Go's number syntax allows underscores between digits */
	for (size_t i = 0; i < t->len && m + 1 < sizeof buf; i++)
		if (t->val[i] != '_')
			buf[m++] = t->val[i];
	buf[m] = '\0';
	if (m && buf[m - 1] == 'i')
		return p_error(p, "illegal number syntax: \"%s\"", n->orig);
	/* ParseInt(text, 0, 64) */
	const char *s = buf;
	bool neg = false;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	int base = 10;
	const char *digits = s;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, digits = s + 2;
	else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
		base = 8, digits = s + 2;
	else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, digits = s + 2;
	else if (s[0] == '0' && s[1])
		base = 8, digits = s + 1;
	bool isint = *digits != '\0' || (base == 8 && digits == s + 1);
	unsigned __int128 acc = 0;
	bool overflow = false;
	for (const char *d = digits; *d && isint; d++) {
		int h = hexval((unsigned char)*d);
		if (h < 0 || h >= base) {
			isint = false;
			break;
		}
		acc = acc * (unsigned)base + (unsigned)h;
		if (acc > ((unsigned __int128)1 << 64))
			overflow = true;
	}
	if (isint && !overflow) {
		if (neg && acc <= (unsigned __int128)INT64_MAX + 1) {
			n->is_int = true;
			n->i = acc == (unsigned __int128)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
		} else if (!neg && acc <= INT64_MAX) {
			n->is_int = true;
			n->i = (int64_t)acc;
		}
		if (n->is_int) {
			n->f = (double)n->i;
			/* Go's idealConstant: a float only when written as one */
			bool hexint = m > 2 && buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X');
			if (!hexint && strpbrk(buf, ".eEpP"))
				n->is_float = true;
			return true;
		}
		if (!neg && acc <= UINT64_MAX)
			return true; /* a uint64: Go refuses it when it is used ("overflows int") */
	}
	errno = 0;
	char *end;
	double f = strtod(buf, &end);
	bool okf = *end == '\0' && end != buf && errno != ERANGE && isfinite(f) &&
		   !strpbrk(buf, "nN") && (strpbrk(buf, ".eEpP") != NULL || isint);
	if (okf) {
		if (!strpbrk(buf, ".eEpP"))
			return p_error(p, "integer overflow: \"%s\"", n->orig);
		n->is_float = true;
		n->f = f;
		if (f >= -9.2e18 && f <= 9.2e18 && (double)(int64_t)f == f) {
			n->i = (int64_t)f;
		}
		/* a hexadecimal integer with a 'p' exponent is a float too */
		return true;
	}
	return p_error(p, "illegal number syntax: \"%s\"", n->orig);
}

static kf_tnode *p_term(parser *p)
{
	tok *t = p_next_nonspace(p);
	kf_tnode *n;
	switch (t->type) {
	case T_IDENT: {
		const kf_tmpl_func *fn = p->lookup(p->ctx, kf_arena_strndup(p->a, t->val, t->len));
		if (!fn) {
			p_error(p, "function \"%.*s\" not defined", (int)t->len, t->val);
			return NULL;
		}
		n = new_node(p, KF_TN_IDENT, t->pos);
		n->str = kf_arena_strndup(p->a, t->val, t->len);
		n->len = t->len;
		n->fn = fn;
		return n;
	}
	case T_DOT:
		return new_node(p, KF_TN_DOT, t->pos);
	case T_NIL:
		return new_node(p, KF_TN_NIL, t->pos);
	case T_VAR: {
		n = new_node(p, KF_TN_VAR, t->pos);
		split_idents(p, n, t->val, t->len, true);
		for (size_t i = p->nvars; i-- > 0;)
			if (strcmp(p->vars[i], n->idents[0]) == 0)
				return n;
		p_error(p, "undefined variable \"%s\"", n->idents[0]);
		return NULL;
	}
	case T_FIELD:
		n = new_node(p, KF_TN_FIELD, t->pos);
		split_idents(p, n, t->val, t->len, false);
		return n;
	case T_BOOL:
		n = new_node(p, KF_TN_BOOL, t->pos);
		n->b = t->val[0] == 't';
		return n;
	case T_CHAR:
	case T_NUMBER:
		n = new_node(p, KF_TN_NUMBER, t->pos);
		return p_number(p, n, t) ? n : NULL;
	case T_LPAREN:
		return p_pipeline(p, "parenthesized pipeline", T_RPAREN);
	case T_STRING:
	case T_RAW: {
		kf_buf b = KF_BUF_INIT;
		uint32_t r;
		if (!unquote(t->val, t->len, &b, &r)) {
			kf_buf_release(&b);
			p_error(p, "invalid syntax");
			return NULL;
		}
		n = new_node(p, KF_TN_STRING, t->pos);
		n->str = kf_arena_strndup(p->a, b.ptr ? b.ptr : "", b.len);
		n->len = b.len;
		n->orig = kf_arena_strndup(p->a, t->val, t->len);
		kf_buf_release(&b);
		return n;
	}
	default:
		p_backup(p);
		return NULL;
	}
}

static kf_tnode *p_operand(parser *p, bool *err)
{
	kf_tnode *node = p_term(p);
	*err = p->failed;
	if (!node)
		return NULL;
	if (p_peek(p)->type != T_FIELD)
		return node;
	/* a chain of fields after a term */
	kf_tnode *chain = new_node(p, KF_TN_CHAIN, p_peek(p)->pos);
	chain->node = node;
	const char **ids = NULL;
	size_t nids = 0, cap = 0;
	while (p_peek(p)->type == T_FIELD) {
		tok *t = p_next(p);
		if (nids == cap) {
			cap = cap ? cap * 2 : 4;
			const char **x = KF_ARENA_ARRAY(p->a, const char *, cap);
			if (nids)
				memcpy(x, ids, nids * sizeof *x);
			ids = x;
		}
		ids[nids++] = kf_arena_strndup(p->a, t->val + 1, t->len - 1);
	}
	switch (node->kind) {
	case KF_TN_FIELD:
	case KF_TN_VAR: {
		kf_tnode *n = new_node(p, node->kind, chain->pos);
		n->nidents = node->nidents + nids;
		n->idents = KF_ARENA_ARRAY(p->a, const char *, n->nidents);
		memcpy(n->idents, node->idents, node->nidents * sizeof *n->idents);
		memcpy(n->idents + node->nidents, ids, nids * sizeof *ids);
		return n;
	}
	case KF_TN_BOOL:
	case KF_TN_STRING:
	case KF_TN_NUMBER:
	case KF_TN_NIL:
	case KF_TN_DOT: {
		kf_buf b = KF_BUF_INIT;
		kf_tmpl_node_string(&b, node);
		p_error(p, "unexpected . after term \"%s\"", b.ptr ? b.ptr : "");
		kf_buf_release(&b);
		*err = true;
		return NULL;
	}
	default:
		chain->idents = ids;
		chain->nidents = nids;
		return chain;
	}
}

static kf_tnode *p_command(parser *p)
{
	kf_tnode *cmd = new_node(p, KF_TN_CMD, p_peek_nonspace(p)->pos);
	for (;;) {
		p_peek_nonspace(p);
		bool err;
		kf_tnode *op = p_operand(p, &err);
		if (err)
			return NULL;
		if (op)
			add_kid(p, cmd, op);
		tok *t = p_next(p);
		if (t->type == T_SPACE)
			continue;
		if (t->type == T_RDELIM || t->type == T_RPAREN) {
			p_backup(p);
		} else if (t->type != T_PIPE) {
			p_unexpected(p, t, "operand");
			return NULL;
		}
		break;
	}
	if (cmd->nkids == 0) {
		p_error(p, "empty command");
		return NULL;
	}
	return cmd;
}

static bool check_pipeline(parser *p, kf_tnode *pipe, const char *context)
{
	if (pipe->nkids == 0)
		return p_error(p, "missing value for %s", context);
	for (size_t i = 1; i < pipe->nkids; i++) {
		switch (pipe->kids[i]->kids[0]->kind) {
		case KF_TN_BOOL:
		case KF_TN_DOT:
		case KF_TN_NIL:
		case KF_TN_NUMBER:
		case KF_TN_STRING:
			return p_error(p, "non executable command in pipeline stage %zu", i + 1);
		default:
			break;
		}
	}
	return true;
}

static void add_decl(parser *p, kf_tnode *pipe, tok *v)
{
	const char **d = KF_ARENA_ARRAY(p->a, const char *, pipe->ndecls + 1);
	if (pipe->ndecls)
		memcpy(d, pipe->decls, pipe->ndecls * sizeof *d);
	d[pipe->ndecls++] = kf_arena_strndup(p->a, v->val, v->len);
	pipe->decls = d;
	push_var(p, d[pipe->ndecls - 1]);
}

static kf_tnode *p_pipeline_in(parser *p, const char *context, ttype end)
{
	kf_tnode *pipe = new_node(p, KF_TN_PIPE, p_peek_nonspace(p)->pos);
	/* declarations */
	for (;;) {
		tok *v = p_peek_nonspace(p);
		if (v->type != T_VAR)
			break;
		size_t save = p->i;
		p_next_nonspace(p);
		tok *after = p_peek(p);
		tok *nx = p_peek_nonspace(p);
		if (nx->type == T_ASSIGN || nx->type == T_DECLARE) {
			pipe->is_assign = nx->type == T_ASSIGN;
			p_next_nonspace(p);
			add_decl(p, pipe, v);
			break;
		}
		if (nx->type == T_OTHER && nx->len == 1 && nx->val[0] == ',') {
			p_next_nonspace(p);
			add_decl(p, pipe, v);
			if (strcmp(context, "range") == 0 && pipe->ndecls < 2) {
				ttype pt = p_peek_nonspace(p)->type;
				if (pt == T_VAR || pt == T_RDELIM || pt == T_RPAREN)
					continue;
				p_error(p, "range can only initialize variables");
				return NULL;
			}
			p_error(p, "too many declarations in %s", context);
			return NULL;
		}
		(void)after;
		p->i = save;
		break;
	}
	for (;;) {
		tok *t = p_next_nonspace(p);
		if (t->type == end) {
			if (!check_pipeline(p, pipe, context))
				return NULL;
			return pipe;
		}
		switch (t->type) {
		case T_BOOL:
		case T_CHAR:
		case T_DOT:
		case T_FIELD:
		case T_IDENT:
		case T_NUMBER:
		case T_NIL:
		case T_RAW:
		case T_STRING:
		case T_VAR:
		case T_LPAREN: {
			p_backup(p);
			kf_tnode *c = p_command(p);
			if (!c)
				return NULL;
			add_kid(p, pipe, c);
			break;
		}
		default:
			p_unexpected(p, t, context);
			return NULL;
		}
	}
}

/* a parsed "{{end}}" or "{{else}}", returned up to the list that ends */
static kf_tnode end_node = {.kind = KF_TN_TEXT};
static kf_tnode else_node = {.kind = KF_TN_TEXT};

static bool p_expect(parser *p, ttype t, const char *context)
{
	tok *x = p_next_nonspace(p);
	if (x->type != t)
		return p_unexpected(p, x, context);
	return true;
}

static kf_tnode *p_control(parser *p, kf_tnode_kind kind, const char *context, uint32_t pos);

static kf_tnode *p_template_name(parser *p, tok *t, const char *context, size_t *len)
{
	if (t->type != T_STRING && t->type != T_RAW) {
		p_unexpected(p, t, context);
		return NULL;
	}
	kf_buf b = KF_BUF_INIT;
	uint32_t r;
	if (!unquote(t->val, t->len, &b, &r)) {
		kf_buf_release(&b);
		p_error(p, "invalid syntax");
		return NULL;
	}
	kf_tnode *n = new_node(p, KF_TN_STRING, t->pos);
	n->str = kf_arena_strndup(p->a, b.ptr ? b.ptr : "", b.len);
	n->len = *len = b.len;
	kf_buf_release(&b);
	return n;
}

static bool add_tree(parser *p, const char *name, kf_tnode *root);

/* one action after "{{"; returns end_node/else_node for those */
static kf_tnode *p_action(parser *p)
{
	tok *t = p_next_nonspace(p);
	switch (t->type) {
	case T_BLOCK: {
		tok *nt = p_next_nonspace(p);
		size_t len;
		kf_tnode *name = p_template_name(p, nt, "block clause", &len);
		if (!name)
			return NULL;
		kf_tnode *pipe = p_pipeline(p, "block clause", T_RDELIM);
		if (!pipe)
			return NULL;
		/* the block's body is a template of its own, without the
		 * variables around it */
		size_t saved_vars = p->nvars;
		int saved_range = p->range_depth;
		push_var(p, "$");
		p->range_depth = 0;
		kf_tnode *end;
		kf_tnode *body = p_item_list(p, &end);
		p->nvars = saved_vars;
		p->range_depth = saved_range;
		if (!body)
			return NULL;
		if (end != &end_node) {
			p_error(p, "unexpected {{else}} in block clause");
			return NULL;
		}
		if (!add_tree(p, name->str, body))
			return NULL;
		kf_tnode *n = new_node(p, KF_TN_TEMPLATE, nt->pos);
		n->str = name->str;
		n->len = name->len;
		n->pipe = pipe;
		return n;
	}
	case T_BREAK:
	case T_CONTINUE: {
		if (p->range_depth == 0) {
			p_error(p, "{{%s}} outside {{range}}", t->type == T_BREAK ? "break" : "continue");
			return NULL;
		}
		if (!p_expect(p, T_RDELIM, t->type == T_BREAK ? "break" : "continue"))
			return NULL;
		return new_node(p, t->type == T_BREAK ? KF_TN_BREAK : KF_TN_CONTINUE, t->pos);
	}
	case T_ELSE: {
		/* "else if": the if stays for the control that reads it */
		if (p_peek_nonspace(p)->type == T_IF)
			return &else_node;
		if (!p_expect(p, T_RDELIM, "else"))
			return NULL;
		return &else_node;
	}
	case T_END:
		if (!p_expect(p, T_RDELIM, "end"))
			return NULL;
		return &end_node;
	case T_IF:
		return p_control(p, KF_TN_IF, "if", t->pos);
	case T_RANGE:
		return p_control(p, KF_TN_RANGE, "range", t->pos);
	case T_WITH:
		return p_control(p, KF_TN_WITH, "with", t->pos);
	case T_TEMPLATE: {
		tok *nt = p_next_nonspace(p);
		size_t len;
		kf_tnode *name = p_template_name(p, nt, "template clause", &len);
		if (!name)
			return NULL;
		kf_tnode *pipe = NULL;
		if (p_next_nonspace(p)->type != T_RDELIM) {
			p_backup(p);
			pipe = p_pipeline(p, "template clause", T_RDELIM);
			if (!pipe)
				return NULL;
		}
		kf_tnode *n = new_node(p, KF_TN_TEMPLATE, nt->pos);
		n->str = name->str;
		n->len = name->len;
		n->pipe = pipe;
		return n;
	}
	default:
		break;
	}
	p_backup(p);
	kf_tnode *n = new_node(p, KF_TN_ACTION, p_peek(p)->pos);
	n->pipe = p_pipeline(p, "command", T_RDELIM);
	return n->pipe ? n : NULL;
}

static kf_tnode *p_text_or_action(parser *p)
{
	tok *t = p_next_nonspace(p);
	switch (t->type) {
	case T_TEXT: {
		kf_tnode *n = new_node(p, KF_TN_TEXT, t->pos);
		n->str = t->val;
		n->len = t->len;
		return n;
	}
	case T_LDELIM:
		return p_action(p);
	case T_COMMENT: {
		kf_tnode *n = new_node(p, KF_TN_TEXT, t->pos);
		n->str = "";
		return n;
	}
	default:
		p_unexpected(p, t, "input");
		return NULL;
	}
}

static kf_tnode *p_item_list_in(parser *p, kf_tnode **endnode)
{
	kf_tnode *list = new_node(p, KF_TN_LIST, p_peek_nonspace(p)->pos);
	while (p_peek_nonspace(p)->type != T_EOF) {
		kf_tnode *n = p_text_or_action(p);
		if (!n)
			return NULL;
		if (n == &end_node || n == &else_node) {
			*endnode = n;
			return list;
		}
		if (n->kind == KF_TN_TEXT && n->len == 0)
			continue;
		add_kid(p, list, n);
	}
	if (p_peek_nonspace(p)->type == T_EOF && p->toks[p->i < p->ntoks ? p->i : p->ntoks - 1].type == T_ERROR)
		return NULL;
	p_next_nonspace(p);
	p_error(p, "unexpected EOF");
	return NULL;
}

/* Go 1.19 bounds the parser's recursion at 10000 levels; C's stack is
 * smaller, and no chart nests a hundredth of this */
#define MAX_NEST 1000

static kf_tnode *p_pipeline(parser *p, const char *context, ttype end)
{
	if (++p->depth >= MAX_NEST) {
		p_error(p, "max expression depth exceeded");
		return NULL;
	}
	kf_tnode *n = p_pipeline_in(p, context, end);
	p->depth--;
	return n;
}

static kf_tnode *p_item_list(parser *p, kf_tnode **endnode)
{
	if (++p->depth >= MAX_NEST) {
		p_error(p, "max expression depth exceeded");
		return NULL;
	}
	kf_tnode *n = p_item_list_in(p, endnode);
	p->depth--;
	return n;
}

static kf_tnode *p_control(parser *p, kf_tnode_kind kind, const char *context, uint32_t pos)
{
	size_t saved_vars = p->nvars;
	kf_tnode *n = new_node(p, kind, pos);
	n->pipe = p_pipeline(p, context, T_RDELIM);
	if (!n->pipe)
		return NULL;
	if (kind == KF_TN_RANGE)
		p->range_depth++;
	kf_tnode *next = NULL;
	n->list = p_item_list(p, &next);
	if (kind == KF_TN_RANGE)
		p->range_depth--;
	if (!n->list)
		return NULL;
	if (next == &else_node) {
		if (kind == KF_TN_IF && p_peek(p)->type == T_IF) {
			/* {{if a}}x{{else if b}}y{{end}} is {{if a}}x{{else}}{{if b}}y{{end}}{{end}} */
			tok *ift = p_next(p);
			n->elselist = new_node(p, KF_TN_LIST, ift->pos);
			kf_tnode *inner = p_control(p, KF_TN_IF, "if", ift->pos);
			if (!inner)
				return NULL;
			add_kid(p, n->elselist, inner);
		} else {
			n->elselist = p_item_list(p, &next);
			if (!n->elselist)
				return NULL;
			if (next != &end_node) {
				p_error(p, "expected end; found {{else}}");
				return NULL;
			}
		}
	}
	p->nvars = saved_vars;
	return n;
}

static bool add_tree(parser *p, const char *name, kf_tnode *root)
{
	kf_tmpl_trees *o = p->out;
	for (size_t i = p->out_start; i < o->len; i++) {
		if (strcmp(o->items[i]->name, name) != 0)
			continue;
		if (kf_tmpl_tree_empty(o->items[i]->root)) {
			o->items[i]->root = root;
			return true;
		}
		if (!kf_tmpl_tree_empty(root))
			return p_error(p, "template: multiple definition of template \"%s\"", name);
		return true;
	}
	if (o->len == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 8;
		o->items = kf_xrealloc(o->items, o->cap * sizeof *o->items);
	}
	kf_tmpl_tree *t = KF_ARENA_NEW(p->a, kf_tmpl_tree);
	t->name = kf_arena_strndup(p->a, name, strlen(name));
	t->file = p->file;
	t->text = p->text;
	t->textlen = p->textlen;
	t->root = root;
	o->items[o->len++] = t;
	return true;
}

static bool p_definition(parser *p)
{
	tok *t = p_next_nonspace(p);
	if (t->type != T_STRING && t->type != T_RAW)
		return p_unexpected(p, t, "define clause");
	kf_buf b = KF_BUF_INIT;
	uint32_t r;
	if (!unquote(t->val, t->len, &b, &r)) {
		kf_buf_release(&b);
		return p_error(p, "invalid syntax");
	}
	char *name = kf_arena_strndup(p->a, b.ptr ? b.ptr : "", b.len);
	kf_buf_release(&b);
	if (!p_expect(p, T_RDELIM, "define clause"))
		return false;
	size_t saved_vars = p->nvars;
	push_var(p, "$");
	kf_tnode *end = NULL;
	kf_tnode *body = p_item_list(p, &end);
	p->nvars = saved_vars;
	if (!body)
		return false;
	if (end != &end_node)
		return p_error(p, "unexpected {{else}} in define clause");
	return add_tree(p, name, body);
}

bool kf_tmpl_parse_text(kf_arena *a, const char *name, const char *file, const char *text, size_t len,
			kf_tmpl_lookup_fn lookup, const void *ctx, kf_tmpl_trees *out, kf_tmpl_error *err)
{
	lexer l = {.a = a, .s = text, .n = len};
	lex_all(&l);
	parser p = {.a = a,
		    .file = file,
		    .text = text,
		    .textlen = len,
		    .toks = l.toks,
		    .ntoks = l.ntoks,
		    .lookup = lookup,
		    .ctx = ctx,
		    .err = err,
		    .out = out,
		    .out_start = out->len};
	memset(err, 0, sizeof *err);
	push_var(&p, "$");
	kf_tnode *root = new_node(&p, KF_TN_LIST, 0);
	/* the file's own tree comes first */
	bool ok = add_tree(&p, name, root);
	while (ok && p_peek(&p)->type != T_EOF) {
		if (p_peek(&p)->type == T_ERROR) {
			p_next(&p);
			ok = p_unexpected(&p, &p.toks[p.last], "input");
			break;
		}
		if (p_peek(&p)->type == T_LDELIM) {
			size_t save = p.i;
			p_next(&p);
			if (p_next_nonspace(&p)->type == T_DEFINE) {
				ok = p_definition(&p);
				continue;
			}
			p.i = save;
		}
		kf_tnode *n = p_text_or_action(&p);
		if (!n) {
			ok = false;
			break;
		}
		if (n == &end_node || n == &else_node) {
			ok = p_error(&p, "unexpected %s", n == &end_node ? "{{end}}" : "{{else}}");
			break;
		}
		if (n->kind == KF_TN_TEXT && n->len == 0)
			continue;
		add_kid(&p, root, n);
	}
	if (p.failed)
		ok = false;
	free(l.toks);
	free(p.vars);
	if (!ok)
		out->len = p.out_start;
	return ok;
}
