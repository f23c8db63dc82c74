/* SPDX-License-Identifier: Apache-2.0 */
/* lexer.re - the Kubefile lexer (re2c -c). See lex.h for the design.
 *
 * Start conditions (the argument modes of the instructions, after BuildKit's
 * frontend/dockerfile/parser):
 *   kw      the instruction keyword at the start of a logical line
 *   flags   leading --name[=value] flags, quotes and backslashes removed
 *   words   whitespace-separated words, quotes not interpreted
 *           (FROM, EXPOSE, COPY, ADD, VOLUME, APP, CNI, CSI, LAUNCH,
 *           PLUGINS, IMAGES, and the name of APPCMDS, APPENV, HEALTHCHECK)
 *   qw_bs   quote-aware words, escape character '\' (ENV, LABEL, ARG, APPENV)
 *   qw_bt   the same with the escape character '`'
 *   text    the rest of the line as one token (shell form, USER, …)
 *   json    a JSON array of strings (exec form), entered only once the
 *           whole rest of the line is known to be valid JSON
 */
#include "lex.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "kubefile.h"

/*!conditions:re2c*/

enum {
	LX_LINE,     /* next: read a logical line */
	LX_ARGS,     /* lexing the logical line */
	LX_HEREDOCS, /* reading heredoc bodies */
	LX_EOL,      /* next: the EOL token */
};

/* what follows the flags (lx->step) */
enum {
	STEP_KW,         /* ONBUILD: another instruction */
	STEP_WORDS,
	STEP_QWORDS,
	STEP_NAMEVAL,    /* ENV, LABEL: legacy "key value" or key=value words */
	STEP_TEXT,
	STEP_JSON_WORDS, /* JSON array, else words */
	STEP_JSON_TEXT,  /* JSON array, else text */
	STEP_NAME_JSON_TEXT, /* a word, then JSON or text (APPCMDS, HEALTHCHECK) */
	STEP_NAME_QWORDS,    /* a word, then key=value words (APPENV) */
};

static const struct {
	int token;
	int step;
} kinds[KF_INSTR__COUNT] = {
	[KF_INSTR_ERROR] = {KF_TOK_UNKNOWN, STEP_TEXT},
	[KF_INSTR_FROM] = {KF_TOK_FROM, STEP_WORDS},
	[KF_INSTR_ARG] = {KF_TOK_ARG, STEP_QWORDS},
	[KF_INSTR_ENV] = {KF_TOK_ENV, STEP_NAMEVAL},
	[KF_INSTR_LABEL] = {KF_TOK_LABEL, STEP_NAMEVAL},
	[KF_INSTR_MAINTAINER] = {KF_TOK_MAINTAINER, STEP_TEXT},
	[KF_INSTR_COPY] = {KF_TOK_COPY, STEP_JSON_WORDS},
	[KF_INSTR_ADD] = {KF_TOK_ADD, STEP_JSON_WORDS},
	[KF_INSTR_RUN] = {KF_TOK_RUN, STEP_JSON_TEXT},
	[KF_INSTR_CMD] = {KF_TOK_CMD, STEP_JSON_TEXT},
	[KF_INSTR_ENTRYPOINT] = {KF_TOK_ENTRYPOINT, STEP_JSON_TEXT},
	[KF_INSTR_SHELL] = {KF_TOK_SHELL, STEP_JSON_TEXT},
	[KF_INSTR_WORKDIR] = {KF_TOK_WORKDIR, STEP_TEXT},
	[KF_INSTR_USER] = {KF_TOK_USER, STEP_TEXT},
	[KF_INSTR_EXPOSE] = {KF_TOK_EXPOSE, STEP_WORDS},
	[KF_INSTR_VOLUME] = {KF_TOK_VOLUME, STEP_JSON_WORDS},
	[KF_INSTR_ONBUILD] = {KF_TOK_ONBUILD, STEP_KW},
	[KF_INSTR_STOPSIGNAL] = {KF_TOK_STOPSIGNAL, STEP_TEXT},
	[KF_INSTR_HEALTHCHECK] = {KF_TOK_HEALTHCHECK, STEP_NAME_JSON_TEXT},
	[KF_INSTR_APP] = {KF_TOK_APP, STEP_JSON_WORDS},
	[KF_INSTR_CNI] = {KF_TOK_CNI, STEP_JSON_WORDS},
	[KF_INSTR_CSI] = {KF_TOK_CSI, STEP_JSON_WORDS},
	[KF_INSTR_APPCMDS] = {KF_TOK_APPCMDS, STEP_NAME_JSON_TEXT},
	[KF_INSTR_APPENV] = {KF_TOK_APPENV, STEP_NAME_QWORDS},
	[KF_INSTR_LAUNCH] = {KF_TOK_LAUNCH, STEP_JSON_WORDS},
	[KF_INSTR_CMDS] = {KF_TOK_CMDS, STEP_JSON_TEXT},
	[KF_INSTR_KUBEVERSION] = {KF_TOK_KUBEVERSION, STEP_TEXT},
	[KF_INSTR_PLUGINS] = {KF_TOK_PLUGINS, STEP_JSON_WORDS},
	[KF_INSTR_IMAGES] = {KF_TOK_IMAGES, STEP_JSON_WORDS},
};

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

void kf_lexer_init(kf_lexer *lx, kf_document *doc)
{
	memset(lx, 0, sizeof(*lx));
	lx->doc = doc;
	lx->text = (const unsigned char *)doc->src->text;
	lx->len = (uint32_t)doc->src->len;
	lx->pos = doc->src->bom;
	lx->header = true;
	lx->state = LX_LINE;
	doc->escape = '\\';
	const char *nl = memchr(doc->src->text, '\n', doc->src->len);
	doc->crlf = nl && nl > doc->src->text && nl[-1] == '\r';
}

void kf_lexer_release(kf_lexer *lx)
{
	kf_vec_free(&lx->segs);
	kf_vec_free(&lx->heredocs);
	kf_vec_free(&lx->trivia);
	kf_vec_free(&lx->directives);
}

/* The last segment that starts at or before offset a of the line buffer
 * (segments are in order; a binary search, since a line joined from many
 * continuation lines has as many segments and tokens). */
static const struct kf_lex_seg *seg_at(const kf_lexer *lx, uint32_t a)
{
	size_t lo = 1, hi = lx->segs.n; /* the answer is in [lo - 1, hi - 1] */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (lx->segs.v[mid].at > a)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &lx->segs.v[lo - 1];
}

kf_span kf_lexer_span(const kf_lexer *lx, const unsigned char *from, const unsigned char *to)
{
	if (!lx->cooked)
		return (kf_span){(uint32_t)(from - lx->text), (uint32_t)(to - lx->text)};
	uint32_t a = (uint32_t)(from - lx->buf), b = (uint32_t)(to - lx->buf);
	kf_span s;
	const struct kf_lex_seg *g = seg_at(lx, a);
	s.start = g->src + (a - g->at);
	if (b == a) {
		s.end = s.start;
		return s;
	}
	/* the end is mapped from the last byte inside, so that a span ending
	 * at a join does not reach over the cut-out continuation */
	g = seg_at(lx, b - 1);
	s.end = g->src + (b - 1 - g->at) + 1;
	return s;
}

static kf_span span_of(uint32_t a, uint32_t b)
{
	return (kf_span){a, b};
}

static void add_trivia(kf_lexer *lx, kf_trivia_kind kind, uint32_t a, uint32_t b, bool in_cont)
{
	kf_trivia t = {kind, in_cont, span_of(a, b)};
	kf_vec_push(&lx->trivia, t);
}

static struct kf_pline read_pline(const kf_lexer *lx, uint32_t pos)
{
	return kf_source_pline(lx->doc->src, pos);
}

static uint32_t continuation_at(const kf_lexer *lx, uint32_t start, uint32_t end)
{
	return kf_continuation_at((const char *)lx->text, start, end, lx->doc->escape);
}

enum { DIR_ESCAPE = 1, DIR_SYNTAX = 2, DIR_CHECK = 4 };

/* A parser directive "# name = value" in the header of the file. Returns
 * false when the line is not one (the header then ends). */
static bool lex_directive(kf_lexer *lx, const struct kf_pline *l)
{
	const unsigned char *YYCURSOR = lx->text + l->first, *YYMARKER = YYCURSOR;
	const unsigned char *YYLIMIT = lx->text + lx->len;
	const unsigned char *n1, *n2, *v1;
	/*!stags:re2c format = "const unsigned char *@@;\n"; */
	/*!local:re2c
	re2c:define:YYCTYPE = "unsigned char";
	re2c:yyfill:enable = 0;
	re2c:eof = 0;
	re2c:flags:tags = 1;

	* { return false; }
	$ { return false; }
	"#" [ \t\v\f\r]* @n1 [a-zA-Z][a-zA-Z0-9]* @n2 [ \t\v\f\r]* "=" [ \t\v\f\r]* @v1 [^\n] {
		goto found;
	}
	*/
found:;
	uint32_t vstart = (uint32_t)(v1 - lx->text), vend = l->end;
	while (vend > vstart && is_blank(lx->text[vend - 1]))
		vend--;
	if (vend == vstart)
		return false;
	kf_str name = kf_str_make((const char *)n1, (size_t)(n2 - n1));
	unsigned bit = kf_str_eq_nocase(name, "escape") ? DIR_ESCAPE
		     : kf_str_eq_nocase(name, "syntax") ? DIR_SYNTAX
		     : kf_str_eq_nocase(name, "check")  ? DIR_CHECK : 0;
	if (!bit)
		return false;
	kf_document *doc = lx->doc;
	kf_directive d;
	d.span = span_of(l->first, l->end);
	d.name.span = span_of((uint32_t)(n1 - lx->text), (uint32_t)(n2 - lx->text));
	d.name.text = kf_str_cstr(bit == DIR_ESCAPE ? "escape" : bit == DIR_SYNTAX ? "syntax" : "check");
	d.value.span = span_of(vstart, vend);
	d.value.text = kf_str_make((const char *)lx->text + vstart, vend - vstart);
	add_trivia(lx, KF_TRIVIA_DIRECTIVE, l->first, l->end, false);
	if (lx->seen & bit) {
		kf_diag_add(&doc->diags, KF_SEV_ERROR, d.span, "KF006",
			    "only one %s parser directive can be used", d.name.text.ptr);
		return true;
	}
	lx->seen |= bit;
	kf_vec_push(&lx->directives, d);
	if (bit == DIR_ESCAPE) {
		if (d.value.text.len == 1 && (d.value.text.ptr[0] == '\\' || d.value.text.ptr[0] == '`'))
			doc->escape = d.value.text.ptr[0];
		else
			kf_diag_add(&doc->diags, KF_SEV_ERROR, d.value.span, "KF007",
				    "invalid escape character '%.*s': it must be \\ or `",
				    (int)d.value.text.len, d.value.text.ptr);
	}
	return true;
}

/* Appends source bytes [a, b) to the joined line, with their origin. */
static void cook(kf_lexer *lx, kf_buf *line, uint32_t a, uint32_t b)
{
	struct kf_lex_seg seg = {(uint32_t)line->len, a};
	kf_vec_push(&lx->segs, seg);
	kf_buf_add(line, lx->text + a, b - a);
}

/* Reads up to the next instruction and sets it up as the current logical
 * line. Returns false at the end of the file. */
static bool next_logical_line(kf_lexer *lx)
{
	struct kf_pline l;
	for (;;) {
		if (lx->pos >= lx->len)
			return false;
		l = read_pline(lx, lx->pos);
		if (lx->header) {
			if (lex_directive(lx, &l)) {
				lx->pos = l.next;
				continue;
			}
			lx->header = false;
		}
		lx->pos = l.next;
		if (l.first == l.end)
			add_trivia(lx, KF_TRIVIA_BLANK, l.start, l.end, false);
		else if (lx->text[l.first] == '#')
			add_trivia(lx, KF_TRIVIA_COMMENT, l.first, l.end, false);
		else
			break;
	}
	lx->line_first = l.first;
	lx->segs.n = 0;
	lx->kind = KF_INSTR_ERROR;
	lx->nargs = 0;
	lx->open_quote = false;
	lx->heredocs.n = 0;
	lx->hd_next = 0;
	lx->jdepth = 0;
	uint32_t cut = continuation_at(lx, l.first, l.end);
	/* a line's content ends before the "\r" of a "\r\n"; lexed in place,
	 * a quote left open would run over it (and be longer than the match
	 * that closes no quote: "\\'\r" is no escaped quote then) */
	bool cr = l.end < lx->len && lx->text[l.end] != '\n';
	if (cut == UINT32_MAX && !cr) {
		/* the common case: lexed in place, up to its "\n" or the end */
		lx->cooked = false;
		lx->buf = lx->text;
		lx->cur = lx->text + l.first;
		lx->lim = lx->text + lx->len;
		lx->line_end = l.end;
		lx->eol = l.next > l.end && l.next <= lx->len && lx->text[l.next - 1] == '\n'
			  ? l.next - 1 : lx->len;
		return true;
	}
	kf_buf line = KF_BUF_INIT;
	uint32_t last_end = cut == UINT32_MAX ? l.end : cut;
	cook(lx, &line, l.first, last_end);
	while (cut != UINT32_MAX && lx->pos < lx->len) {
		l = read_pline(lx, lx->pos);
		lx->pos = l.next;
		if (l.first == l.end) {
			add_trivia(lx, KF_TRIVIA_BLANK, l.start, l.end, true);
			continue;
		}
		if (lx->text[l.first] == '#') {
			add_trivia(lx, KF_TRIVIA_COMMENT, l.first, l.end, true);
			continue;
		}
		cut = continuation_at(lx, l.start, l.end);
		last_end = cut == UINT32_MAX ? l.end : cut;
		cook(lx, &line, l.start, last_end);
	}
	/* the end of the line maps to where the last piece ended */
	struct kf_lex_seg seg = {(uint32_t)line.len, last_end};
	kf_vec_push(&lx->segs, seg);
	kf_buf_addc(&line, '\n');
	lx->cooked = true;
	lx->buf = kf_arena_memdup(&lx->doc->arena, line.ptr, line.len + 1);
	lx->cur = lx->buf;
	lx->lim = lx->buf + line.len;
	lx->line_end = last_end;
	lx->eol = lx->pos > 0 && lx->pos <= lx->len && lx->text[lx->pos - 1] == '\n' ? lx->pos - 1 : lx->len;
	kf_buf_release(&line);
	return true;
}

/* End of the logical line's content in the line buffer. */
static const unsigned char *content_end(const kf_lexer *lx)
{
	return lx->cooked ? lx->lim - 1 : lx->text + lx->line_end;
}

static int token(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc, int tok,
		 const unsigned char *a, const unsigned char *b)
{
	*lloc = kf_lexer_span(lx, a, b);
	lval->word.span = *lloc;
	lval->word.text = kf_str_make((const char *)a, (size_t)(b - a));
	return tok;
}

/* A heredoc marker word: [0-9]*<<-?NAME, NAME possibly quoted (BuildKit's
 * ^(\d*)<<(-?)([^<]*)$). Records it for the body to be read at the end of
 * the line. */
static void heredoc_word(kf_lexer *lx, const unsigned char *a, const unsigned char *b)
{
	const unsigned char *p = a;
	kf_heredoc h;
	memset(&h, 0, sizeof(h));
	h.fd = -1;
	while (p < b && *p >= '0' && *p <= '9')
		p++;
	if (p > a) {
		h.fd = 0;
		for (const unsigned char *q = a; q < p && h.fd < 100000; q++)
			h.fd = h.fd * 10 + (*q - '0');
	}
	if (b - p < 3 || p[0] != '<' || p[1] != '<')
		return;
	p += 2;
	if (*p == '-') {
		h.strip_tabs = true;
		p++;
	}
	if (p == b || memchr(p, '<', (size_t)(b - p)))
		return;
	/* the name with its quotes removed */
	char *name = kf_arena_alloc(&lx->doc->arena, (size_t)(b - p) + 1);
	size_t n = 0;
	unsigned char quote = 0;
	for (const unsigned char *q = p; q < b; q++) {
		if (quote ? *q == quote : (*q == '"' || *q == '\'')) {
			quote = quote ? 0 : *q;
			h.quoted = true;
			continue;
		}
		name[n++] = (char)*q;
	}
	name[n] = '\0';
	if (n == 0)
		return;
	h.delim = kf_str_make(name, n);
	h.marker = kf_lexer_span(lx, a, b);
	kf_vec_push(&lx->heredocs, h);
}

/* Heredoc markers in shell-form text: the unquoted shell words that match. */
static void heredocs_in_text(kf_lexer *lx, const unsigned char *a, const unsigned char *b)
{
	unsigned char esc = (unsigned char)lx->doc->escape;
	const unsigned char *p = a;
	while (p < b) {
		while (p < b && is_blank(*p))
			p++;
		const unsigned char *w = p;
		unsigned char quote = 0;
		while (p < b && (quote || !is_blank(*p))) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else if (*p == esc && quote == '"' && p + 1 < b)
					p++;
			} else if (*p == '"' || *p == '\'') {
				quote = *p;
			} else if (*p == esc && p + 1 < b) {
				p++;
			}
			p++;
		}
		if (p > w && memchr(w, '<', (size_t)(p - w)))
			heredoc_word(lx, w, p);
	}
}

/* Is the rest of the line, from p, one valid JSON array? The common case,
 * an array of strings and scalars, is recognised here; an array holding
 * arrays or objects (an error later, but valid JSON) is left to jansson. */
static bool try_json(kf_lexer *lx, const unsigned char *p)
{
	const unsigned char *e = content_end(lx);
	if (p >= e || *p != '[')
		return false;
	const unsigned char *YYCURSOR = p, *YYMARKER = p, *YYLIMIT = e;
	/*!local:re2c
	re2c:define:YYCTYPE = "unsigned char";
	re2c:yyfill:enable = 0;
	re2c:eof = 0;

	jws = [ \t\r]*;
	jstr = ["] ([^"\\\x00-\x1f\n] | "\\" ["\\/bfnrt] | "\\u" [0-9a-fA-F]{4})* ["];
	jnum = "-"? ("0" | [1-9][0-9]*) ("." [0-9]+)? ([eE] [+-]? [0-9]+)?;
	jval = jstr | jnum | "true" | "false" | "null";

	"[" jws (jval jws ("," jws jval jws)*)? "]" {
		while (YYCURSOR < e && (*YYCURSOR == ' ' || *YYCURSOR == '\t' || *YYCURSOR == '\r'))
			YYCURSOR++;
		if (YYCURSOR == e)
			return true;
		goto nested;
	}
	* { goto nested; }
	$ { goto nested; }
	*/
nested:
	if (!memchr(p + 1, '[', (size_t)(e - p - 1)) && !memchr(p + 1, '{', (size_t)(e - p - 1)))
		return false;
	json_error_t err;
	json_t *j = json_loadb((const char *)p, (size_t)(e - p), JSON_ALLOW_NUL, &err);
	bool ok = j && json_is_array(j);
	json_decref(j);
	return ok;
}

static int qw_cond(const kf_lexer *lx)
{
	return lx->doc->escape == '`' ? yycqw_bt : yycqw_bs;
}

/* Sets the start condition for what follows the flags (or a name). */
static void begin_args(kf_lexer *lx)
{
	const unsigned char *p = lx->cur;
	while (is_blank(*p) && p < content_end(lx))
		p++;
	switch (lx->step) {
	case STEP_KW:
		lx->cond = yyckw;
		break;
	case STEP_WORDS:
	case STEP_NAME_JSON_TEXT:
	case STEP_NAME_QWORDS:
		lx->cond = yycwords;
		break;
	case STEP_QWORDS:
	case STEP_NAMEVAL:
		lx->cond = qw_cond(lx);
		break;
	case STEP_TEXT:
		lx->cond = yyctext;
		break;
	case STEP_JSON_WORDS:
		lx->cond = try_json(lx, p) ? yycjson : yycwords;
		break;
	case STEP_JSON_TEXT:
		lx->cond = try_json(lx, p) ? yycjson : yyctext;
		break;
	}
}

static int keyword(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc, kf_kind kind)
{
	lx->kind = kind;
	lx->step = kinds[kind].step;
	lx->nargs = 0;
	lx->cond = yycflags;
	return token(lx, lval, lloc, kinds[kind].token, lx->tok, lx->cur);
}

/* A flag, --name[=value]; a bare "--" ends the flags. */
static int flag(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	if (lx->cur == lx->tok + 2) {
		begin_args(lx);
		return token(lx, lval, lloc, KF_TOK_DASHDASH, lx->tok, lx->cur);
	}
	return token(lx, lval, lloc, KF_TOK_FLAG, lx->tok, lx->cur);
}

/* A raw word in the words condition. */
static int word(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	int tok = KF_TOK_WORD;
	kf_str w = kf_str_make((const char *)lx->tok, (size_t)(lx->cur - lx->tok));
	if (lx->kind == KF_INSTR_FROM && lx->nargs == 1 && kf_str_eq_nocase(w, "as"))
		tok = KF_TOK_AS;
	if ((lx->kind == KF_INSTR_COPY || lx->kind == KF_INSTR_ADD) && memchr(w.ptr, '<', w.len))
		heredoc_word(lx, lx->tok, lx->cur);
	lx->nargs++;
	if (lx->nargs == 1 && lx->step == STEP_NAME_JSON_TEXT) {
		lx->step = STEP_JSON_TEXT;
		begin_args(lx);
	} else if (lx->nargs == 1 && lx->step == STEP_NAME_QWORDS) {
		lx->step = STEP_QWORDS;
		begin_args(lx);
	}
	return token(lx, lval, lloc, tok, lx->tok, lx->cur);
}

/* In ENV and LABEL, a first word without "=" selects the legacy form: the
 * key is the raw text up to the first blank and the value is the rest of
 * the line. */
static bool legacy_key(const kf_lexer *lx)
{
	return lx->step == STEP_NAMEVAL && lx->nargs == 0 && !memchr(lx->tok, '=', (size_t)(lx->cur - lx->tok));
}

/* A quote-aware word (or a legacy key, see legacy_key). */
static int qword(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	const unsigned char *a = lx->tok, *b = lx->cur;
	bool has_eq = memchr(a, '=', (size_t)(b - a)) != NULL;
	if (legacy_key(lx)) {
		b = a;
		while (b < content_end(lx) && !is_blank(*b))
			b++;
		lx->cur = b;
		lx->cond = yyctext;
		lx->nargs++;
		return token(lx, lval, lloc, KF_TOK_WORD, a, b);
	}
	/* BuildKit drops a lone escape character at the very end of the line */
	const unsigned char *text_end = b;
	if (b == content_end(lx) && b > a && b[-1] == (unsigned char)lx->doc->escape) {
		size_t run = 0;
		for (const unsigned char *q = b; q > a && q[-1] == (unsigned char)lx->doc->escape; q--)
			run++;
		if (run % 2 == 1)
			text_end--;
	}
	lx->nargs++;
	*lloc = kf_lexer_span(lx, a, b);
	lval->word.span = *lloc;
	lval->word.text = kf_str_make((const char *)a, (size_t)(text_end - a));
	return has_eq ? KF_TOK_PAIR : KF_TOK_WORD;
}

/* The rest of the line as one token, blanks trimmed at both ends. */
static int text(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	const unsigned char *a = lx->tok, *b = content_end(lx);
	while (a < b && is_blank(*a))
		a++;
	while (b > a && is_blank(b[-1]))
		b--;
	lx->cur = content_end(lx);
	if (a == b)
		return 0;
	if (lx->kind == KF_INSTR_RUN && memchr(a, '<', (size_t)(b - a)))
		heredocs_in_text(lx, a, b);
	lx->nargs++;
	return token(lx, lval, lloc, KF_TOK_TEXT, a, b);
}

/* A JSON string. One without escapes is its own text; jansson decodes
 * the others. Only top-level elements are arguments. */
static int json_str_token(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	const unsigned char *a = lx->tok, *b = lx->cur;
	token(lx, lval, lloc, KF_TOK_JSTRING, a, b);
	lval->word.text = kf_str_make((const char *)a + 1, (size_t)(b - a) - 2);
	if (lx->jdepth == 1 && memchr(a, '\\', (size_t)(b - a))) {
		json_error_t err;
		json_t *s = json_loadb((const char *)a, (size_t)(b - a), JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		if (json_is_string(s))
			lval->word.text = kf_str_make(kf_arena_memdup(&lx->doc->arena, json_string_value(s),
								      json_string_length(s)),
						      json_string_length(s));
		json_decref(s);
	}
	return KF_TOK_JSTRING;
}

/* A quote left open runs to the end of the line, as in BuildKit; that is
 * rarely what the author meant, so it is worth a warning at the quote. */
static void open_quote(kf_lexer *lx)
{
	const unsigned char *open = lx->tok;
	unsigned char quote = 0;
	for (const unsigned char *p = lx->tok; p < lx->cur; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
			else if (quote == '"' && *p == (unsigned char)lx->doc->escape && p + 1 < lx->cur)
				p++;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
			open = p;
		} else if (*p == (unsigned char)lx->doc->escape && p + 1 < lx->cur) {
			p++;
		}
	}
	lx->open_quote = true;
	kf_diag_add(&lx->doc->diags, KF_SEV_WARNING, kf_lexer_span(lx, open, open + 1), "KF012",
		    "this quote is not closed: the value runs to the end of the line");
}

/* A quote-aware word with a quote left open; no quote at all when it is
 * a legacy key, which is raw text up to a blank (so "ENV \\ \"" warns no
 * more than "ENV \\  \"" does). */
static int qword_open(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	if (!legacy_key(lx))
		open_quote(lx);
	return qword(lx, lval, lloc);
}

static int lex_args(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	for (;;) {
		lx->tok = lx->cur;
		/*!re2c
		re2c:define:YYCTYPE = "unsigned char";
		re2c:define:YYCURSOR = "lx->cur";
		re2c:define:YYMARKER = "lx->mar";
		re2c:define:YYCTXMARKER = "lx->ctx";
		re2c:define:YYLIMIT = "lx->lim";
		re2c:define:YYGETCONDITION = "lx->cond";
		re2c:define:YYGETCONDITION:naked = 1;
		re2c:define:YYSETCONDITION = "lx->cond = @@;";
		re2c:define:YYSETCONDITION:naked = 1;
		re2c:yyfill:enable = 0;
		re2c:eof = 0;
		re2c:flags:tags = 0;

		blank = [ \t\v\f\r];
		wchar = [^ \t\v\f\r\n];

		<*> $ { lx->cur = lx->lim; return 0; }
		<*> "\n" { lx->cur--; return 0; }
		<kw, flags, words, qw_bs, qw_bt, json> blank+ { continue; }

		<kw> 'from'        { return keyword(lx, lval, lloc, KF_INSTR_FROM); }
		<kw> 'arg'         { return keyword(lx, lval, lloc, KF_INSTR_ARG); }
		<kw> 'env'         { return keyword(lx, lval, lloc, KF_INSTR_ENV); }
		<kw> 'label'       { return keyword(lx, lval, lloc, KF_INSTR_LABEL); }
		<kw> 'maintainer'  { return keyword(lx, lval, lloc, KF_INSTR_MAINTAINER); }
		<kw> 'copy'        { return keyword(lx, lval, lloc, KF_INSTR_COPY); }
		<kw> 'add'         { return keyword(lx, lval, lloc, KF_INSTR_ADD); }
		<kw> 'run'         { return keyword(lx, lval, lloc, KF_INSTR_RUN); }
		<kw> 'cmd'         { return keyword(lx, lval, lloc, KF_INSTR_CMD); }
		<kw> 'entrypoint'  { return keyword(lx, lval, lloc, KF_INSTR_ENTRYPOINT); }
		<kw> 'shell'       { return keyword(lx, lval, lloc, KF_INSTR_SHELL); }
		<kw> 'workdir'     { return keyword(lx, lval, lloc, KF_INSTR_WORKDIR); }
		<kw> 'user'        { return keyword(lx, lval, lloc, KF_INSTR_USER); }
		<kw> 'expose'      { return keyword(lx, lval, lloc, KF_INSTR_EXPOSE); }
		<kw> 'volume'      { return keyword(lx, lval, lloc, KF_INSTR_VOLUME); }
		<kw> 'onbuild'     { return keyword(lx, lval, lloc, KF_INSTR_ONBUILD); }
		<kw> 'stopsignal'  { return keyword(lx, lval, lloc, KF_INSTR_STOPSIGNAL); }
		<kw> 'healthcheck' { return keyword(lx, lval, lloc, KF_INSTR_HEALTHCHECK); }
		<kw> 'app'         { return keyword(lx, lval, lloc, KF_INSTR_APP); }
		<kw> 'cni'         { return keyword(lx, lval, lloc, KF_INSTR_CNI); }
		<kw> 'csi'         { return keyword(lx, lval, lloc, KF_INSTR_CSI); }
		<kw> 'appcmds'     { return keyword(lx, lval, lloc, KF_INSTR_APPCMDS); }
		<kw> 'appenv'      { return keyword(lx, lval, lloc, KF_INSTR_APPENV); }
		<kw> 'launch'      { return keyword(lx, lval, lloc, KF_INSTR_LAUNCH); }
		<kw> 'cmds'        { return keyword(lx, lval, lloc, KF_INSTR_CMDS); }
		<kw> 'kubeversion' { return keyword(lx, lval, lloc, KF_INSTR_KUBEVERSION); }
		<kw> 'plugins'     { return keyword(lx, lval, lloc, KF_INSTR_PLUGINS); }
		<kw> 'images'      { return keyword(lx, lval, lloc, KF_INSTR_IMAGES); }
		<kw> wchar+        { return keyword(lx, lval, lloc, KF_INSTR_ERROR); }
		<kw> *             { return keyword(lx, lval, lloc, KF_INSTR_ERROR); }

		/* A quote runs to its closing quote; one left open runs to the end
		 * of the line (the second rule), and only there: an optional
		 * closing quote would let the longest match pair quotes wrongly. */
		flagq = ["] ([^"\\\n] | "\\" [^\n])* ["] | ['] ([^'\\\n] | "\\" [^\n])* ['];
		flagq_open = ["] ([^"\\\n] | "\\" [^\n])* "\\"? | ['] ([^'\\\n] | "\\" [^\n])* "\\"?;
		/* An escape character escapes the next one, whatever it is; one
		 * left alone can only end a word (allowed anywhere, the longest
		 * match would read "\\ " as a lone one and an escaped blank). */
		flagp = [^ \t\v\f\r\n"'\\] | "\\" [^\n] | flagq;
		<flags> "--" flagp* "\\"? { return flag(lx, lval, lloc); }
		<flags> "--" flagp* flagq_open { open_quote(lx); return flag(lx, lval, lloc); }
		<flags> * { lx->cur = lx->tok; begin_args(lx); continue; }

		<words> wchar+ { return word(lx, lval, lloc); }
		<words> * { return 0; }

		sq = ['] [^'\n]* ['];
		sq_open = ['] [^'\n]*;
		dq_bs = ["] ([^"\\\n] | "\\" [^\n])* ["];
		dq_bs_open = ["] ([^"\\\n] | "\\" [^\n])* "\\"?;
		dq_bt = ["] ([^"`\n] | "`" [^\n])* ["];
		dq_bt_open = ["] ([^"`\n] | "`" [^\n])* "`"?;
		qp_bs = [^ \t\v\f\r\n"'\\] | "\\" [^\n] | sq | dq_bs;
		qp_bt = [^ \t\v\f\r\n"'`] | "`" [^\n] | sq | dq_bt;
		<qw_bs> qp_bs+ "\\"? | "\\" { return qword(lx, lval, lloc); }
		<qw_bs> qp_bs* (sq_open | dq_bs_open) { return qword_open(lx, lval, lloc); }
		<qw_bt> qp_bt+ "`"? | "`" { return qword(lx, lval, lloc); }
		<qw_bt> qp_bt* (sq_open | dq_bt_open) { return qword_open(lx, lval, lloc); }
		<qw_bs, qw_bt> * { return 0; }

		<text> * { lx->cur = lx->tok; return text(lx, lval, lloc); }

		num = "-"? ("0" | [1-9][0-9]*) ("." [0-9]+)? ([eE] [+-]? [0-9]+)?;
		<json> "[" { lx->jdepth++; return token(lx, lval, lloc, '[', lx->tok, lx->cur); }
		<json> "]" { lx->jdepth--; return token(lx, lval, lloc, ']', lx->tok, lx->cur); }
		<json> "{" { lx->jdepth++; return token(lx, lval, lloc, '{', lx->tok, lx->cur); }
		<json> "}" { lx->jdepth--; return token(lx, lval, lloc, '}', lx->tok, lx->cur); }
		<json> ":" { return token(lx, lval, lloc, ':', lx->tok, lx->cur); }
		<json> "," { return token(lx, lval, lloc, ',', lx->tok, lx->cur); }
		<json> ["] ([^"\\\n] | "\\" [^\n])* ["] { return json_str_token(lx, lval, lloc); }
		<json> (num | "true" | "false" | "null") { return token(lx, lval, lloc, KF_TOK_JSCALAR, lx->tok, lx->cur); }
		<json> * { return token(lx, lval, lloc, KF_TOK_JUNK, lx->tok, lx->cur); }
		*/
	}
}

/* Reads the body of the next heredoc: the lines up to one that is exactly
 * the delimiter (leading tabs removed first for <<-). */
static int heredoc_body(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	kf_heredoc *h = &lx->heredocs.v[lx->hd_next++];
	uint32_t p = lx->pos, body = lx->pos;
	bool rewrite = h->strip_tabs;
	h->terminated = false;
	while (p < lx->len) {
		struct kf_pline l = read_pline(lx, p);
		uint32_t s = l.start;
		if (h->strip_tabs)
			while (s < l.end && lx->text[s] == '\t')
				s++;
		if (l.end - s == h->delim.len && memcmp(lx->text + s, h->delim.ptr, h->delim.len) == 0) {
			h->terminated = true;
			h->end = span_of(l.start, l.end);
			lx->pos = l.next;
			break;
		}
		/* "\r\n", or a "\r" the end of the file ends: not as written */
		bool nl = lx->text[l.next - 1] == '\n';
		if (l.next - l.end != (nl ? 1u : 0u))
			rewrite = true;
		p = l.next;
	}
	if (!h->terminated) {
		lx->pos = lx->len;
		h->end = span_of(lx->len, lx->len);
	}
	uint32_t body_end = h->terminated ? h->end.start : lx->len;
	h->body = span_of(body, body_end);
	if (!rewrite) {
		h->text = kf_str_make((const char *)lx->text + body, body_end - body);
	} else {
		/* leading tabs stripped, "\r\n" read as "\n", a "\r" at the end of
		 * the file dropped (no line's content, as everywhere) */
		char *t = kf_arena_alloc(&lx->doc->arena, body_end - body + 1);
		size_t n = 0;
		for (uint32_t q = body; q < body_end;) {
			struct kf_pline l = read_pline(lx, q);
			uint32_t s = l.start;
			if (h->strip_tabs)
				while (s < l.end && lx->text[s] == '\t')
					s++;
			memcpy(t + n, lx->text + s, l.end - s);
			n += l.end - s;
			if (l.next > l.end && l.next <= body_end && lx->text[l.next - 1] == '\n')
				t[n++] = '\n';
			q = l.next > body_end ? body_end : l.next;
		}
		t[n] = '\0';
		h->text = kf_str_make(t, n);
	}
	*lloc = span_of(body, h->terminated ? h->end.end : lx->len);
	lval->word.span = *lloc;
	lval->word.text = h->text;
	return KF_TOK_HEREDOC;
}

int kf_lex(kf_lexer *lx, KF_YYSTYPE *lval, kf_span *lloc)
{
	for (;;) {
		switch (lx->state) {
		case LX_LINE:
			if (!next_logical_line(lx)) {
				*lloc = span_of(lx->len, lx->len);
				return KF_TOK_END;
			}
			lx->cond = yyckw;
			lx->state = LX_ARGS;
			continue;
		case LX_ARGS: {
			int t = lex_args(lx, lval, lloc);
			if (t)
				return t;
			lx->state = LX_HEREDOCS;
			continue;
		}
		case LX_HEREDOCS:
			if (lx->hd_next < lx->heredocs.n)
				return heredoc_body(lx, lval, lloc);
			lx->state = LX_EOL;
			continue;
		default:
			lx->state = LX_LINE;
			*lloc = span_of(lx->eol, lx->eol < lx->len ? lx->eol + 1 : lx->len);
			if (lx->hd_next > 0) {
				/* the line end comes before the bodies; report it there */
				*lloc = span_of(lx->eol, lx->eol);
			}
			return KF_TOK_EOL;
		}
	}
}
