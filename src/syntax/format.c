/* SPDX-License-Identifier: Apache-2.0 */
/* format.c - see format.h.
 *
 * The document is a sequence of items: instructions, comments, directives
 * and runs of blank lines, each covering whole lines. An instruction is laid
 * out as a list of pieces (keyword, flags, name, arguments), one space
 * apart, except where the author broke the line: there the break is kept,
 * as " \" and the next piece on a line indented by one unit, with the
 * comments the continuation skipped. A piece that itself spans lines (shell
 * text, or a word a continuation runs through) keeps its inner breaks; its
 * continuation lines are re-indented only where their leading blanks carry
 * no meaning: outside quotes, and not where the continuation joins two
 * halves of a word.
 */
#include "syntax/format.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"

typedef struct piece {
	kf_span span; /* in the source; decides where line breaks were */
	kf_str text;  /* for a piece on one line; NULL ptr: the source text */
	bool shell;   /* shell text: blanks at the start of its continuation
		       * lines only separate words */
} piece;

typedef struct fmt {
	const kf_document *doc;
	const kf_source *src;
	const kf_fmt_options *opt;
	const char *eol;
	char esc;
	KF_VEC(piece) pieces;
	kf_buf scratch; /* texts made for pieces live here until emitted */
	KF_VEC(size_t) scratch_refs;
} fmt;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static uint32_t line_of(const fmt *f, uint32_t off)
{
	return kf_source_line(f->src, off);
}

static bool multi_line(const fmt *f, kf_span s)
{
	return s.end > s.start && memchr(f->src->text + s.start, '\n', s.end - s.start) != NULL;
}

static void indent(const fmt *f, kf_buf *out)
{
	if (f->opt->use_tabs) {
		kf_buf_addc(out, '\t');
		return;
	}
	for (unsigned i = 0; i < f->opt->indent; i++)
		kf_buf_addc(out, ' ');
}

static void add_trimmed(kf_buf *out, const char *p, size_t n)
{
	while (n && is_blank(p[n - 1]))
		n--;
	kf_buf_add(out, p, n);
}

/* Source text [from, to) as written, but for its line ends: each, with
 * the "\r"s before it, is the file's (a line end taken as written could
 * change the file's line ending, which its first line gives, and a
 * formatted file's first line may be another). */
static void add_lines(const fmt *f, kf_buf *out, uint32_t from, uint32_t to)
{
	uint32_t pos = from;
	while (pos < to) {
		kf_pline l = kf_source_pline(f->src, pos);
		kf_buf_add(out, f->src->text + pos, (l.end < to ? l.end : to) - pos);
		if (l.next > to || f->src->text[l.next - 1] != '\n')
			break;
		kf_buf_adds(out, f->eol);
		pos = l.next;
	}
}

/* ---- pieces ----------------------------------------------------------- */

static void add_src_piece(fmt *f, kf_span span)
{
	piece p = {span, KF_STR_NULL, false};
	kf_vec_push(&f->pieces, p);
}

static void add_shell_piece(fmt *f, kf_span span)
{
	piece p = {span, KF_STR_NULL, true};
	kf_vec_push(&f->pieces, p);
}

/* A made text: kept in the scratch buffer, referred to by offset (the
 * buffer moves as it grows) and resolved when the pieces are emitted. */
static void add_made_piece(fmt *f, kf_span span, const char *p, size_t n)
{
	size_t off = f->scratch.len;
	kf_buf_add(&f->scratch, p, n);
	kf_buf_addc(&f->scratch, '\0');
	piece pc = {span, {(const char *)(uintptr_t)(off + 1), n}, false}; /* +1: not NULL */
	kf_vec_push(&f->pieces, pc);
}

static kf_str piece_text(const fmt *f, const piece *p)
{
	if (!p->text.ptr)
		return kf_str_make(f->src->text + p->span.start, p->span.end - p->span.start);
	return kf_str_make(f->scratch.ptr + ((uintptr_t)p->text.ptr - 1), p->text.len);
}

/* A JSON string literal for text (jansson escapes it). False, with
 * nothing written, when text is no valid UTF-8: JSON has no way to write
 * such bytes that reads them back. */
static bool json_quote(kf_buf *out, kf_str text)
{
	json_t *j = json_stringn(text.ptr ? text.ptr : "", text.len);
	char *s = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!s)
		return false;
	kf_buf_adds(out, s);
	free(s);
	return true;
}

static bool json_quotable(kf_str text)
{
	json_t *j = json_stringn(text.ptr ? text.ptr : "", text.len);
	json_decref(j);
	return j != NULL;
}

static void word_piece(fmt *f, const kf_word *w)
{
	add_src_piece(f, w->span);
}

/* APP ["name", "src"…]: the name is the array's first element */
static bool name_in_json(const kf_instr *in)
{
	return in->form == KF_FORM_JSON && in->has_name &&
	       (in->kind == KF_INSTR_APP || in->kind == KF_INSTR_CNI || in->kind == KF_INSTR_CSI);
}

static void json_pieces(fmt *f, const kf_instr *in)
{
	kf_span all = kf_instr_args_span(in);
	const kf_word *elems = name_in_json(in) ? in->args - 1 : in->args;
	uint32_t n = name_in_json(in) ? in->nargs + 1 : in->nargs;
	if (n == 0) {
		add_made_piece(f, all, "[]", 2);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		const kf_word *w = &elems[i];
		kf_buf t = KF_BUF_INIT;
		kf_span sp = w->span;
		if (i == 0) {
			kf_buf_addc(&t, '[');
			sp.start = all.start;
		}
		if (multi_line(f, w->span))
			(void)json_quote(&t, w->text); /* verbatim() saw that it can */
		else
			kf_buf_add(&t, f->src->text + w->span.start, w->span.end - w->span.start);
		if (i + 1 < n) {
			kf_buf_addc(&t, ',');
		} else {
			kf_buf_addc(&t, ']');
			sp.end = all.end;
		}
		add_made_piece(f, sp, t.ptr, t.len);
		kf_buf_release(&t);
	}
}

/* The length of the Unicode space (Go's unicode.IsSpace, beyond ASCII)
 * that p starts with, as UTF-8; 0 when none. BuildKit splits key=value
 * words there, the legacy form's value not. */
static size_t unicode_space(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) || (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80))
		return 3; /* U+1680, U+3000 */
	if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3; /* U+2000-U+200A, U+2028, U+2029, U+202F */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3; /* U+205F */
	return 0;
}

kf_legacy_pair kf_fmt_legacy_pair(const kf_document *doc, const kf_pair *pr, kf_buf *out)
{
	kf_word k = kf_pair_key(pr), v = kf_pair_value(pr);
	const char *text = doc->src->text;
	char esc = doc->escape;
	if (pr->sep != KF_SEP_SPACE || !v.text.len)
		return KF_LEGACY_NOT_LEGACY;
	if (memchr(text + k.span.start, '\n', k.span.end - k.span.start) ||
	    memchr(text + v.span.start, '\n', v.span.end - v.span.start) || v.span.end - v.span.start != v.text.len) {
		return KF_LEGACY_LINES;
	}
	for (size_t i = 0; i < k.text.len; i++)
		if (k.text.ptr[i] == '"' || k.text.ptr[i] == '\'' || k.text.ptr[i] == esc) {
			return KF_LEGACY_NAME;
		}
	bool blank = false, special = false;
	for (size_t i = 0; i < v.text.len; i++) {
		char c = v.text.ptr[i];
		if (c == '"' || c == '\'' || c == esc)
			special = true;
		else if (is_blank(c) || unicode_space((const unsigned char *)v.text.ptr + i, v.text.len - i))
			blank = true;
	}
	size_t len0 = out->len;
	kf_buf_addstr(out, k.text);
	if (!special) {
		/* a pair of double quotes keeps the blanks, and what else is
		 * in them means what it meant without ($ expands in both); a
		 * byte order mark that starts the value means nothing (Go's
		 * text/scanner skips it), and would mean itself after the quote */
		kf_str val = v.text;
		if (blank && val.len >= 3 && memcmp(val.ptr, "\xef\xbb\xbf", 3) == 0) {
			val.ptr += 3;
			val.len -= 3;
		}
		kf_buf_adds(out, blank ? "=\"" : "=");
		kf_buf_addstr(out, val);
		if (blank)
			kf_buf_addc(out, '"');
		return KF_LEGACY_REWRITTEN;
	}
	/* Quotes and escapes stay as written; a blank outside quotes, which
	 * the legacy value keeps and would end a key=value word, is escaped.
	 * An escape character outside quotes makes any character literal,
	 * so both readings give the same value; but for the patterns of
	 * ${NAME#pat}, ${NAME%pat} and ${NAME/pat/repl}, which keep their
	 * escape characters: a value with ${ and a blank to escape is left. */
	bool braces = memmem(v.text.ptr, v.text.len, "${", 2) != NULL;
	kf_buf_addc(out, '=');
	char quote = 0;
	const unsigned char *p = (const unsigned char *)v.text.ptr;
	for (size_t i = 0; i < v.text.len; i++) {
		char c = (char)p[i];
		size_t us;
		if (quote) {
			if (c == quote)
				quote = 0;
			else if (quote == '"' && c == esc && i + 1 < v.text.len)
				kf_buf_addc(out, p[i++]);
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (c == esc) {
			if (i + 1 == v.text.len)
				break; /* dropped, in both readings */
			kf_buf_addc(out, p[i++]);
		} else if (is_blank(c)) {
			if (braces)
				goto mixed;
			kf_buf_addc(out, esc);
		} else if ((us = unicode_space(p + i, v.text.len - i)) != 0) {
			if (braces)
				goto mixed;
			kf_buf_addc(out, esc);
			kf_buf_add(out, p + i, us - 1);
			i += us - 1;
		}
		kf_buf_addc(out, p[i]);
	}
	if (!quote)
		return KF_LEGACY_REWRITTEN;
	out->len = len0;
	if (out->ptr)
		out->ptr[len0] = '\0';
	return KF_LEGACY_OPEN_QUOTE;
mixed:
	out->len = len0;
	if (out->ptr)
		out->ptr[len0] = '\0';
	return KF_LEGACY_MIXED;
}

/* ENV k v -> ENV k=v (kf_fmt_legacy_pair) */
static bool legacy_rewrite(fmt *f, const kf_pair *pr)
{
	kf_buf t = KF_BUF_INIT;
	bool ok = kf_fmt_legacy_pair(f->doc, pr, &t) == KF_LEGACY_REWRITTEN;
	if (ok)
		add_made_piece(f, kf_pair_span(pr), t.ptr, t.len);
	kf_buf_release(&t);
	return ok;
}

/* Does w end with an escape character that is not itself escaped, which
 * would escape what comes next? */
static bool escapes_next(kf_str w, char esc)
{
	size_t run = 0;
	while (run < w.len && w.ptr[w.len - 1 - run] == esc)
		run++;
	return run % 2 == 1;
}

static void instr_pieces(fmt *f, const kf_instr *in)
{
	kf_kind kind = (kf_kind)in->kind;
	const char *kw = kf_kind_name(kind);
	add_made_piece(f, kf_instr_keyword_span(in), kw, strlen(kw));
	uint32_t nflags;
	const kf_flag *flags = kf_instr_flags(in, &nflags);
	for (uint32_t i = 0; i < nflags; i++)
		add_src_piece(f, flags[i].span);
	if (in->dashdash) {
		uint32_t at = f->pieces.v[f->pieces.n - 1].span.end;
		add_made_piece(f, (kf_span){at, at}, "--", 2);
	}
	if (kf_instr_name(in) && !name_in_json(in))
		word_piece(f, kf_instr_name(in));
	if (kind == KF_INSTR_ONBUILD && kf_onbuild_inner(in)) {
		instr_pieces(f, kf_onbuild_inner(in));
		return;
	}
	for (uint32_t i = 0; i < in->npairs; i++) {
		const kf_pair *pr = &in->pairs[i];
		if (pr->sep == KF_SEP_SPACE) {
			if (f->opt->rewrite_legacy_env && legacy_rewrite(f, pr))
				continue;
			if (escapes_next(kf_pair_key(pr).text, f->esc)) {
				/* "\  value": one space would be the escaped one,
				 * and the key and value one word; the blanks stay */
				add_src_piece(f, kf_pair_span(pr));
				continue;
			}
			add_src_piece(f, pr->key);
			add_src_piece(f, pr->value);
		} else {
			add_src_piece(f, kf_pair_span(pr));
		}
	}
	switch ((kf_form)in->form) {
	case KF_FORM_JSON:
		json_pieces(f, in);
		break;
	case KF_FORM_SHELL:
		if (kind == KF_INSTR_CMDS && f->opt->rewrite_cmds_json && in->nargs == 1 &&
		    json_quotable(in->args[0].text)) {
			kf_buf t = KF_BUF_INIT;
			kf_buf_addc(&t, '[');
			(void)json_quote(&t, in->args[0].text);
			kf_buf_addc(&t, ']');
			add_made_piece(f, in->args[0].span, t.ptr, t.len);
			kf_buf_release(&t);
			break;
		}
		if (kind == KF_INSTR_RUN || kind == KF_INSTR_CMD || kind == KF_INSTR_ENTRYPOINT ||
		    kind == KF_INSTR_SHELL || kind == KF_INSTR_CMDS || kind == KF_INSTR_APPCMDS ||
		    kind == KF_INSTR_HEALTHCHECK) {
			for (uint32_t i = 0; i < in->nargs; i++)
				add_shell_piece(f, in->args[i].span);
			break;
		}
		/* other text (USER, WORKDIR…) keeps its blanks */
		__attribute__((fallthrough));
	case KF_FORM_WORDS:
		/* FROM's AS keeps its case: BuildKit's tree keeps it, and the
		 * formatted file must give the same tree */
		for (uint32_t i = 0; i < in->nargs; i++)
			word_piece(f, &in->args[i]);
		break;
	case KF_FORM_NONE:
		break;
	}
}

/* ---- emitting --------------------------------------------------------- */

/* Quote state of shell-like text, to know whether a line break falls
 * inside quotes. */
static char track_quotes(char quote, const char *p, size_t n, char esc)
{
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
		} else if (c == esc && i + 1 < n) {
			i++;
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		}
	}
	return quote;
}

static void emit_comment_line(fmt *f, kf_buf *out, kf_pline l)
{
	kf_buf_adds(out, f->eol);
	indent(f, out);
	add_trimmed(out, f->src->text + l.first, l.end - l.first);
}

/* A piece whose source spans lines: its inner continuations are kept. */
static void emit_multi_line(fmt *f, kf_buf *out, kf_span s, bool shell)
{
	const char *text = f->src->text;
	uint32_t pos = s.start;
	char quote = 0;
	bool first = true, prev_blank_before_cut = false, prev_escapes = false;
	while (pos < s.end) {
		kf_pline l = kf_source_pline(f->src, pos);
		uint32_t from = first ? s.start : l.start;
		if (!first && l.first == l.end) {
			pos = l.next; /* a blank line the continuation skipped */
			continue;
		}
		if (!first && text[l.first] == '#') {
			emit_comment_line(f, out, l);
			pos = l.next;
			continue;
		}
		uint32_t cut = kf_continuation_at(text, first ? s.start : l.start, l.end, f->esc);
		uint32_t to = cut != UINT32_MAX ? cut : l.end;
		if (to > s.end)
			to = s.end;
		if (!first) {
			kf_buf_adds(out, f->eol);
			/* leading blanks separate words here: one indent unit
			 * says the same; inside quotes or in the middle of a
			 * word they are text, and stay */
			bool splice = (!prev_blank_before_cut && l.first == l.start) || prev_escapes;
			if (shell && !quote && !splice) {
				indent(f, out);
				from = l.first;
			}
		}
		kf_buf_add(out, text + from, to - from);
		/* the shell's quotes and escapes: "\ " is no blank between
		 * words, whatever the Kubefile's escape character */
		quote = track_quotes(quote, text + from, to - from, '\\');
		if (cut != UINT32_MAX && cut < s.end) {
			prev_blank_before_cut = cut > from && is_blank(text[cut - 1]) &&
						!escapes_next(kf_str_make(text + from, cut - 1 - from), '\\');
			/* with the escape character `, a backslash can end the
			 * line and escape the blank that starts the next */
			prev_escapes = escapes_next(kf_str_make(text + from, cut - from), '\\');
			kf_buf_addc(out, f->esc);
		}
		first = false;
		pos = l.next;
		if (cut == UINT32_MAX)
			break;
	}
}

/* The comments a continuation skipped on the lines after from's, up to
 * to; with out NULL, only whether there are any. */
static bool emit_skipped_comments(fmt *f, kf_buf *out, uint32_t from, uint32_t to)
{
	uint32_t pos = kf_source_pline(f->src, from).next;
	while (pos < to) {
		kf_pline l = kf_source_pline(f->src, pos);
		if (l.start >= to)
			break;
		if (l.first < l.end && f->src->text[l.first] == '#' && l.end <= to) {
			if (!out)
				return true;
			emit_comment_line(f, out, l);
		}
		pos = l.next;
	}
	return false;
}

static void emit_pieces(fmt *f, kf_buf *out)
{
	for (size_t i = 0; i < f->pieces.n; i++) {
		const piece *p = &f->pieces.v[i];
		/* a made text is written on one line: the comments its source
		 * lines skipped go before it, with those skipped before it
		 * (the keyword's, before the instruction: format_instr) */
		uint32_t upto = p->span.start;
		if (p->text.ptr && emit_skipped_comments(f, NULL, p->span.start, p->span.end))
			upto = p->span.end;
		if (i > 0) {
			const piece *q = &f->pieces.v[i - 1];
			if (line_of(f, upto) > line_of(f, q->span.end)) {
				kf_buf_addc(out, ' ');
				kf_buf_addc(out, f->esc);
				emit_skipped_comments(f, out, q->span.end, upto);
				kf_buf_adds(out, f->eol);
				indent(f, out);
			} else {
				kf_buf_addc(out, ' ');
			}
		}
		if (!p->text.ptr && multi_line(f, p->span))
			emit_multi_line(f, out, p->span, p->shell);
		else
			kf_buf_addstr(out, piece_text(f, p));
	}
}

/* ---- items ------------------------------------------------------------ */

static bool verbatim(const fmt *f, const kf_instr *in)
{
	if (in->broken || in->kind == KF_INSTR_ERROR)
		return true;
	/* a JSON string a continuation runs through is written again as one
	 * literal, which bytes that are no UTF-8 cannot be */
	if (in->form == KF_FORM_JSON) {
		const kf_word *w = name_in_json(in) ? in->args - 1 : in->args;
		for (uint32_t i = 0, n = name_in_json(in) ? in->nargs + 1 : in->nargs; i < n; i++)
			if (multi_line(f, w[i].span) && !json_quotable(w[i].text))
				return true;
	}
	/* "[…" that is no JSON array: respacing it could make it one, and
	 * change its meaning; the linter reports it. The array would start
	 * at the first argument, or at the name of APP, CNI and CSI. */
	bool app = in->kind == KF_INSTR_APP || in->kind == KF_INSTR_CNI || in->kind == KF_INSTR_CSI;
	const kf_word *first = app && in->has_name ? in->args - 1 : in->nargs ? in->args : NULL;
	if (in->form != KF_FORM_JSON && first && first->text.len && first->text.ptr[0] == '[')
		return true;
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (!h[i].terminated)
			return true;
	if (kf_onbuild_inner(in))
		return verbatim(f, kf_onbuild_inner(in));
	return in->kind == KF_INSTR_ONBUILD && !kf_onbuild_inner(in);
}

/* The whole lines an instruction covers: [start of its first line, end of
 * the content of its last line). */
static kf_span instr_lines(const fmt *f, const kf_instr *in)
{
	uint32_t first = f->src->lines[line_of(f, in->span.start)];
	if (first < f->src->bom)
		first = f->src->bom;
	uint32_t last = line_of(f, in->span.end > in->span.start ? in->span.end - 1 : in->span.end);
	kf_pline l = kf_source_pline(f->src, f->src->lines[last]);
	return (kf_span){first, l.end};
}

typedef enum { ITEM_INSTR, ITEM_COMMENT, ITEM_DIRECTIVE, ITEM_BLANKS } item_kind;

typedef struct item {
	item_kind kind;
	kf_span lines;     /* whole lines, see instr_lines and collect_items */
	const kf_instr *in;
	kf_span span;
	uint32_t cont_end; /* ITEM_INSTR: the end of the last comment or blank
			    * line its continuation skipped (0: none) */
} item;

typedef KF_VEC(item) item_vec;

/* An instruction, over its whole lines (see collect_items). */
static void format_instr(fmt *f, const item *it, kf_buf *out)
{
	const kf_instr *in = it->in;
	kf_span lines = it->lines;
	if (verbatim(f, in)) {
		add_lines(f, out, lines.start, lines.end);
		return;
	}
	/* lines holding only the escape character before the keyword mean
	 * nothing, but the comments among them stay inside the continuation
	 * (out of it, one could become a pragma or a parser directive); so
	 * do those inside a keyword a continuation splits */
	kf_span kw = kf_instr_keyword_span(in);
	if (emit_skipped_comments(f, NULL, lines.start, kw.end)) {
		kf_buf_addc(out, f->esc);
		emit_skipped_comments(f, out, lines.start, kw.end);
		kf_buf_adds(out, f->eol);
		indent(f, out);
	}
	f->pieces.n = 0;
	kf_buf_reset(&f->scratch);
	instr_pieces(f, in);
	emit_pieces(f, out);
	/* the blanks after the last word go, unless the line would then end
	 * otherwise: continue, the word ending in the escape character (with
	 * blanks after it that are not all spaces and tabs, \v or \f, or with
	 * the line continued after the blanks, up to the end of the file), or
	 * lose the "\r" the word ends with to the line end (an escaped "\r"
	 * can end a word), or hold only blanks (the last word's, when a
	 * quote left open runs over a continued line: a line of blanks in
	 * a continuation is skipped); then the rest of the line stays as
	 * written */
	uint32_t last = f->pieces.v[f->pieces.n - 1].span.end;
	size_t ls = out->len;
	while (ls > 0 && out->ptr[ls - 1] != '\n')
		ls--;
	bool continued = false, blank_line = ls > 0;
	for (size_t k = ls; k < out->len && blank_line; k++)
		blank_line = is_blank(out->ptr[k]);
	if ((out->len > ls && out->ptr[out->len - 1] == '\r') || blank_line ||
	    kf_continuation_at(out->ptr, (uint32_t)ls, (uint32_t)out->len, f->esc) != UINT32_MAX) {
		kf_pline l = kf_source_pline(f->src, last);
		kf_buf_add(out, f->src->text + last, l.end - last);
		continued = kf_continuation_at(f->src->text, last, l.end, f->esc) != UINT32_MAX;
	}
	/* a continuation that the end of the file ends after comments (it
	 * has no heredoc body then: one would begin after the comments, and
	 * reach the end of the file unterminated) */
	if (it->cont_end > last && emit_skipped_comments(f, NULL, last, it->cont_end)) {
		/* no blank where there was none: a quote left open in the
		 * last word runs to the escape character, blanks and all */
		if (!continued && f->src->text[last] != f->esc)
			kf_buf_addc(out, ' ');
		if (!continued)
			kf_buf_addc(out, f->esc);
		emit_skipped_comments(f, out, last, it->cont_end);
	}
	/* the bodies are the instruction's, or those of ONBUILD's instruction */
	const kf_instr *with = in;
	while (kf_onbuild_inner(with))
		with = kf_onbuild_inner(with);
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(with, &n);
	for (uint32_t i = 0; i < n; i++) {
		kf_buf_adds(out, f->eol);
		add_lines(f, out, h[i].body.start, h[i].end.end);
	}
}

/* The end of the last line of an instruction's continuation, from the
 * line its last word is on: lines the lexer joins to it without a word
 * (blank and comment lines, lines holding only the escape character)
 * come after its last word when the end of the file ends the
 * continuation. */
static uint32_t continuation_end(const fmt *f, uint32_t at)
{
	const char *text = f->src->text;
	kf_pline l = kf_source_pline(f->src, f->src->lines[line_of(f, at)]);
	bool more = kf_continuation_at(text, l.first, l.end, f->esc) != UINT32_MAX;
	while (more && l.next < f->src->len && text[l.next - 1] == '\n') {
		l = kf_source_pline(f->src, l.next);
		if (l.first < l.end && text[l.first] != '#')
			more = kf_continuation_at(text, l.start, l.end, f->esc) != UINT32_MAX;
	}
	return l.end;
}

/* Instructions and top-level trivia in source order; runs of blank lines
 * are one item. An instruction's lines run to the end of the last line of
 * its continuation: the comment and blank lines a continuation skipped are
 * its own, and so are lines holding only the escape character, before its
 * keyword (its span starts there) or after its last word. */
static void collect_items(const fmt *f, item_vec *items)
{
	const kf_document *doc = f->doc;
	uint32_t i = 0, t = 0;
	while (i < doc->ninstrs || t < doc->ntrivia) {
		const kf_trivia *tv = t < doc->ntrivia ? &doc->trivia[t] : NULL;
		const kf_instr *in = i < doc->ninstrs ? doc->instrs[i] : NULL;
		if (in && (!tv || in->span.start < tv->span.start)) {
			item it = {ITEM_INSTR, instr_lines(f, in), in, in->span, 0};
			uint32_t nh;
			kf_instr_heredocs(kf_onbuild_inner(in) ? kf_onbuild_inner(in) : in, &nh);
			if (!nh) {
				uint32_t end = continuation_end(f, in->span.end > in->span.start ? in->span.end - 1
												 : in->span.end);
				if (end > it.lines.end)
					it.lines.end = end;
			}
			kf_vec_push(items, it);
			i++;
			continue;
		}
		if (tv->in_continuation) {
			item *last = items->n ? &items->v[items->n - 1] : NULL;
			if (last && last->kind == ITEM_INSTR) {
				last->cont_end = tv->span.end;
				if (tv->span.end > last->lines.end)
					last->lines.end = tv->span.end;
			}
			t++;
			continue;
		}
		t++;
		uint32_t ls = f->src->lines[line_of(f, tv->span.start)];
		if (ls < f->src->bom)
			ls = f->src->bom;
		kf_span lines = {ls, tv->span.end};
		if (tv->kind == KF_TRIVIA_BLANK) {
			if (items->n && items->v[items->n - 1].kind == ITEM_BLANKS) {
				items->v[items->n - 1].lines.end = lines.end;
				continue;
			}
			item it = {ITEM_BLANKS, lines, NULL, tv->span, 0};
			kf_vec_push(items, it);
		} else {
			item it = {tv->kind == KF_TRIVIA_COMMENT ? ITEM_COMMENT : ITEM_DIRECTIVE, lines, NULL,
				   tv->span, 0};
			kf_vec_push(items, it);
		}
	}
}

/* "# key = value": a comment that would be read as a parser directive at
 * the top of the file. */
static bool looks_like_directive(const fmt *f, const item *it)
{
	const char *p = f->src->text + it->span.start, *e = f->src->text + it->span.end;
	if (p == e || *p++ != '#')
		return false;
	while (p < e && is_blank(*p))
		p++;
	if (p == e || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	while (p < e && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
		p++;
	while (p < e && is_blank(*p))
		p++;
	return p < e && *p == '=';
}

static void format_item(fmt *f, const item *it, kf_buf *out)
{
	switch (it->kind) {
	case ITEM_INSTR:
		format_instr(f, it, out);
		break;
	case ITEM_COMMENT:
	case ITEM_DIRECTIVE:
		add_trimmed(out, f->src->text + it->span.start, it->span.end - it->span.start);
		break;
	case ITEM_BLANKS:
		break;
	}
}

static void fmt_init(fmt *f, const kf_document *doc, const kf_fmt_options *opt)
{
	memset(f, 0, sizeof(*f));
	f->doc = doc;
	f->src = doc->src;
	f->opt = opt;
	f->eol = doc->crlf ? "\r\n" : "\n";
	f->esc = doc->escape;
}

static void fmt_release(fmt *f)
{
	kf_vec_free(&f->pieces);
	kf_buf_release(&f->scratch);
}

/* Text formatted to start the file, where the source had no byte order
 * mark, must not start with one: a line end before it keeps the bytes of
 * the mark what they were (an instruction's first word, say). */
static void keep_bom_text(const fmt *f, kf_buf *out, size_t at)
{
	if (f->src->bom || out->len - at < 3 || memcmp(out->ptr + at, "\xEF\xBB\xBF", 3) != 0)
		return;
	size_t n = strlen(f->eol), tail = out->len - at;
	kf_buf_add(out, f->eol, n); /* room; the text moves up below */
	memmove(out->ptr + at + n, out->ptr + at, tail);
	memcpy(out->ptr + at, f->eol, n);
}

void kf_format(const kf_document *doc, const kf_fmt_options *opt, kf_buf *out)
{
	fmt f;
	fmt_init(&f, doc, opt);
	item_vec items = {NULL, 0, 0};
	collect_items(&f, &items);
	if (doc->src->bom)
		kf_buf_add(out, doc->src->text, doc->src->bom);
	size_t start = out->len;
	bool wrote = false;
	for (size_t i = 0; i < items.n; i++) {
		const item *it = &items.v[i];
		if (it->kind == ITEM_BLANKS) {
			/* none at the end; none at the start, unless the blank
			 * line keeps a "# key=value" comment from becoming a
			 * parser directive */
			if (i + 1 == items.n)
				continue;
			if (!wrote && !(items.v[i + 1].kind == ITEM_COMMENT && looks_like_directive(&f, &items.v[i + 1])))
				continue;
			kf_buf_adds(out, f.eol);
			continue;
		}
		size_t at = out->len;
		format_item(&f, it, out);
		if (at == start)
			keep_bom_text(&f, out, at);
		kf_buf_adds(out, f.eol);
		wrote = true;
	}
	kf_vec_free(&items);
	fmt_release(&f);
}

void kf_format_range(const kf_document *doc, const kf_fmt_options *opt, kf_span range,
		     kf_edits *edits)
{
	fmt f;
	fmt_init(&f, doc, opt);
	item_vec items = {NULL, 0, 0};
	collect_items(&f, &items);
	kf_buf t = KF_BUF_INIT;
	for (size_t i = 0; i < items.n; i++) {
		const item *it = &items.v[i];
		if (it->lines.end < range.start || it->lines.start > range.end)
			continue;
		kf_buf_reset(&t);
		kf_span sp = it->lines;
		if (it->kind != ITEM_BLANKS) {
			format_item(&f, it, &t);
		} else {
			/* a run of blank lines becomes one, with the file's line
			 * end (that of the last could change the file's line
			 * ending, when the run starts the file) */
			kf_pline l = kf_source_pline(f.src, f.src->lines[line_of(&f, sp.end)]);
			if (l.next > l.end && doc->src->text[l.next - 1] == '\n') {
				sp.end = l.next;
				kf_buf_adds(&t, f.eol);
			}
		}
		if (sp.start == 0)
			keep_bom_text(&f, &t, 0);
		kf_str old = kf_str_make(doc->src->text + sp.start, sp.end - sp.start);
		/* lines that end the file with no line end after them, formatted
		 * into one, keep a line end: the file's line ending is that of
		 * its first line end, which may be among them */
		if (sp.end == doc->src->len && old.len && memchr(old.ptr, '\n', old.len) &&
		    !(t.len && memchr(t.ptr, '\n', t.len)))
			kf_buf_adds(&t, f.eol);
		if (kf_str_eq(old, kf_str_make(t.ptr ? t.ptr : "", t.len)))
			continue;
		kf_edit e = {sp, NULL, 0};
		e.text = kf_buf_detach(&t, &e.len);
		kf_vec_push(edits, e);
	}
	kf_buf_release(&t);
	kf_vec_free(&items);
	fmt_release(&f);
}

void kf_edits_release(kf_edits *edits)
{
	for (size_t i = 0; i < edits->n; i++)
		free(edits->v[i].text);
	kf_vec_free(edits);
}

void kf_edits_apply(const kf_source *src, const kf_edits *edits, kf_buf *out)
{
	uint32_t pos = 0;
	for (size_t i = 0; i < edits->n; i++) {
		const kf_edit *e = &edits->v[i];
		kf_buf_add(out, src->text + pos, e->span.start - pos);
		kf_buf_add(out, e->text, e->len);
		pos = e->span.end;
	}
	kf_buf_add(out, src->text + pos, src->len - pos);
}

/* a word a shell would read as itself: no quotes, escapes, variables,
 * globs or operators */
static bool plain_word(kf_str w, char esc)
{
	for (size_t i = 0; i < w.len; i++)
		if (strchr("\"'$`\\|&;<>()*?[]{}#~!", w.ptr[i]) || w.ptr[i] == esc || (unsigned char)w.ptr[i] <= ' ')
			return false;
	return w.len > 0;
}

bool kf_json_form(const kf_document *doc, const kf_instr *in, kf_edit *edit)
{
	kf_kind k = (kf_kind)in->kind;
	uint32_t nh;
	kf_instr_heredocs(in, &nh);
	if (in->broken || nh || in->nargs == 0 || in->form == KF_FORM_JSON || in->form == KF_FORM_NONE)
		return false;
	const char *text = doc->src->text;
	bool with_name = k == KF_INSTR_APP || k == KF_INSTR_CNI || k == KF_INSTR_CSI;
	switch (k) {
	case KF_INSTR_RUN: case KF_INSTR_ENTRYPOINT: case KF_INSTR_CMD: case KF_INSTR_CMDS:
	case KF_INSTR_LAUNCH: case KF_INSTR_APP: case KF_INSTR_CNI: case KF_INSTR_CSI: case KF_INSTR_APPCMDS:
	case KF_INSTR_COPY: case KF_INSTR_ADD: case KF_INSTR_VOLUME: case KF_INSTR_IMAGES:
		break;
	default:
		return false;
	}
	if (with_name && !kf_instr_name(in))
		return false;
	kf_span sp = kf_instr_args_span(in);
	if (with_name)
		sp.start = kf_instr_name(in)->span.start;
	/* the arguments as written must be what the words say: no continuation */
	for (uint32_t i = sp.start; i < sp.end; i++)
		if (text[i] == '\n')
			return false;
	kf_buf out = KF_BUF_INIT;
	kf_buf_addc(&out, '[');
	bool ok = true;
	if (in->form == KF_FORM_SHELL) {
		kf_str t = kf_str_make(text + sp.start, sp.end - sp.start);
		if (k == KF_INSTR_CMD || k == KF_INSTR_CMDS) {
			ok = json_quote(&out, t);
		} else {
			/* split into words if each is plain (quoted as they come,
			 * taken back at the first that is not); else a shell runs it */
			size_t mark = out.len, nw = 0;
			bool plain = true;
			for (size_t i = 0; i < t.len && plain;) {
				while (i < t.len && (t.ptr[i] == ' ' || t.ptr[i] == '\t'))
					i++;
				size_t j = i;
				while (j < t.len && t.ptr[j] != ' ' && t.ptr[j] != '\t')
					j++;
				if (j > i) {
					kf_str w = kf_str_make(t.ptr + i, j - i);
					plain = plain_word(w, doc->escape);
					if (nw++)
						kf_buf_adds(&out, ", ");
					plain = plain && json_quote(&out, w);
				}
				i = j;
			}
			if (!plain || !nw) {
				out.len = mark;
				out.ptr[mark] = '\0';
				if (k == KF_INSTR_RUN || k == KF_INSTR_ENTRYPOINT) {
					kf_buf_adds(&out, "\"/bin/sh\", \"-c\", ");
					ok = json_quote(&out, t);
				} else {
					ok = false;
				}
			}
		}
	} else {
		uint32_t first = 0;
		if (with_name) {
			ok = plain_word(kf_instr_name(in)->text, doc->escape) &&
			     json_quote(&out, kf_instr_name(in)->text);
			first = 1;
		}
		for (uint32_t i = 0; i < in->nargs && ok; i++) {
			ok = plain_word(in->args[i].text, doc->escape);
			if (i + first)
				kf_buf_adds(&out, ", ");
			ok = ok && json_quote(&out, in->args[i].text);
		}
	}
	kf_buf_addc(&out, ']');
	if (!ok) {
		kf_buf_release(&out);
		return false;
	}
	edit->span = sp;
	edit->text = kf_buf_detach(&out, &edit->len);
	return true;
}
