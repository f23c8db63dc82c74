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

/* A JSON string literal for text (jansson escapes it). */
static void json_quote(kf_buf *out, kf_str text)
{
	json_t *j = json_stringn_nocheck(text.ptr ? text.ptr : "", text.len);
	char *s = json_dumps(j, JSON_ENCODE_ANY);
	if (s) {
		kf_buf_adds(out, s);
		free(s);
	}
	json_decref(j);
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
			json_quote(&t, w->text);
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

/* ENV k v -> ENV k=v, when the value needs no quoting beyond a pair of
 * double quotes around blanks: no quote, escape or backslash in it. */
static bool legacy_rewrite(fmt *f, const kf_pair *pr)
{
	kf_word k = kf_pair_key(pr), v = kf_pair_value(pr);
	if (multi_line(f, v.span) || multi_line(f, k.span) || v.text.len == 0)
		return false;
	bool blank = false;
	for (size_t i = 0; i < v.text.len; i++) {
		char c = v.text.ptr[i];
		if (c == '"' || c == '\'' || c == '\\' || c == f->esc || c == '\n')
			return false;
		if (is_blank(c))
			blank = true;
	}
	kf_buf t = KF_BUF_INIT;
	kf_buf_addstr(&t, k.text);
	kf_buf_adds(&t, blank ? "=\"" : "=");
	kf_buf_addstr(&t, v.text);
	if (blank)
		kf_buf_addc(&t, '"');
	add_made_piece(f, kf_pair_span(pr), t.ptr, t.len);
	kf_buf_release(&t);
	return true;
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
		if (kind == KF_INSTR_CMDS && f->opt->rewrite_cmds_json && in->nargs == 1) {
			kf_buf t = KF_BUF_INIT;
			kf_buf_addc(&t, '[');
			json_quote(&t, in->args[0].text);
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
	bool first = true, prev_blank_before_cut = false;
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
			bool splice = !prev_blank_before_cut && l.first == l.start;
			if (shell && !quote && !splice) {
				indent(f, out);
				from = l.first;
			}
		}
		kf_buf_add(out, text + from, to - from);
		quote = track_quotes(quote, text + from, to - from, f->esc);
		if (cut != UINT32_MAX && cut < s.end) {
			prev_blank_before_cut = cut > from && is_blank(text[cut - 1]);
			kf_buf_addc(out, f->esc);
		}
		first = false;
		pos = l.next;
		if (cut == UINT32_MAX)
			break;
	}
}

/* The comments a continuation skipped between two pieces. */
static void emit_skipped_comments(fmt *f, kf_buf *out, uint32_t from, uint32_t to)
{
	uint32_t pos = kf_source_pline(f->src, from).next;
	while (pos < to) {
		kf_pline l = kf_source_pline(f->src, pos);
		if (l.start >= to)
			break;
		if (l.first < l.end && f->src->text[l.first] == '#' && l.end <= to)
			emit_comment_line(f, out, l);
		pos = l.next;
	}
}

static void emit_pieces(fmt *f, kf_buf *out)
{
	for (size_t i = 0; i < f->pieces.n; i++) {
		const piece *p = &f->pieces.v[i];
		if (i > 0) {
			const piece *q = &f->pieces.v[i - 1];
			if (line_of(f, p->span.start) > line_of(f, q->span.end)) {
				kf_buf_addc(out, ' ');
				kf_buf_addc(out, f->esc);
				emit_skipped_comments(f, out, q->span.end, p->span.start);
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

static bool verbatim(const kf_instr *in)
{
	if (in->broken || in->kind == KF_INSTR_ERROR)
		return true;
	/* "[…" that is no JSON array: respacing it could make it one, and
	 * change its meaning; the linter reports it */
	if (in->form != KF_FORM_JSON && in->nargs && in->args[0].text.len && in->args[0].text.ptr[0] == '[')
		return true;
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (!h[i].terminated)
			return true;
	if (kf_onbuild_inner(in))
		return verbatim(kf_onbuild_inner(in));
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

static void format_instr(fmt *f, const kf_instr *in, kf_buf *out)
{
	if (verbatim(in)) {
		kf_span s = instr_lines(f, in);
		kf_buf_add(out, f->src->text + s.start, s.end - s.start);
		return;
	}
	f->pieces.n = 0;
	kf_buf_reset(&f->scratch);
	instr_pieces(f, in);
	emit_pieces(f, out);
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(in, &n);
	for (uint32_t i = 0; i < n; i++) {
		kf_buf_adds(out, f->eol);
		kf_buf_add(out, f->src->text + h[i].body.start, h[i].end.end - h[i].body.start);
	}
}

typedef enum { ITEM_INSTR, ITEM_COMMENT, ITEM_DIRECTIVE, ITEM_BLANKS } item_kind;

typedef struct item {
	item_kind kind;
	kf_span lines; /* whole lines, see instr_lines */
	const kf_instr *in;
	kf_span span;
} item;

typedef KF_VEC(item) item_vec;

/* Instructions and top-level trivia in source order; runs of blank lines
 * are one item. */
static void collect_items(const fmt *f, item_vec *items)
{
	const kf_document *doc = f->doc;
	uint32_t i = 0, t = 0;
	while (i < doc->ninstrs || t < doc->ntrivia) {
		const kf_trivia *tv = t < doc->ntrivia ? &doc->trivia[t] : NULL;
		if (tv && tv->in_continuation) {
			t++;
			continue;
		}
		const kf_instr *in = i < doc->ninstrs ? doc->instrs[i] : NULL;
		if (in && (!tv || in->span.start < tv->span.start)) {
			item it = {ITEM_INSTR, instr_lines(f, in), in, in->span};
			kf_vec_push(items, it);
			i++;
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
			item it = {ITEM_BLANKS, lines, NULL, tv->span};
			kf_vec_push(items, it);
		} else {
			item it = {tv->kind == KF_TRIVIA_COMMENT ? ITEM_COMMENT : ITEM_DIRECTIVE, lines, NULL,
				   tv->span};
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
		format_instr(f, it->in, out);
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

void kf_format(const kf_document *doc, const kf_fmt_options *opt, kf_buf *out)
{
	fmt f;
	fmt_init(&f, doc, opt);
	item_vec items = {NULL, 0, 0};
	collect_items(&f, &items);
	if (doc->src->bom)
		kf_buf_add(out, doc->src->text, doc->src->bom);
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
		format_item(&f, it, out);
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
		if (it->kind != ITEM_BLANKS)
			format_item(&f, it, &t);
		kf_str old = kf_str_make(doc->src->text + it->lines.start, it->lines.end - it->lines.start);
		if (kf_str_eq(old, kf_str_make(t.ptr ? t.ptr : "", t.len)))
			continue;
		kf_edit e = {it->lines, kf_xstrdup(t.ptr ? t.ptr : "")};
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
		kf_buf_adds(out, e->text);
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
			json_quote(&out, t);
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
					json_quote(&out, w);
				}
				i = j;
			}
			if (!plain || !nw) {
				out.len = mark;
				out.ptr[mark] = '\0';
				if (k == KF_INSTR_RUN || k == KF_INSTR_ENTRYPOINT) {
					kf_buf_adds(&out, "\"/bin/sh\", \"-c\", ");
					json_quote(&out, t);
				} else {
					ok = false;
				}
			}
		}
	} else {
		uint32_t first = 0;
		if (with_name) {
			ok = plain_word(kf_instr_name(in)->text, doc->escape);
			json_quote(&out, kf_instr_name(in)->text);
			first = 1;
		}
		for (uint32_t i = 0; i < in->nargs && ok; i++) {
			ok = plain_word(in->args[i].text, doc->escape);
			if (i + first)
				kf_buf_adds(&out, ", ");
			json_quote(&out, in->args[i].text);
		}
	}
	kf_buf_addc(&out, ']');
	if (!ok) {
		kf_buf_release(&out);
		return false;
	}
	edit->span = sp;
	edit->text = kf_buf_detach(&out, NULL);
	return true;
}
