/* SPDX-License-Identifier: Apache-2.0 */
/* parse.c - building the AST from the grammar's actions (see parser.h),
 * and kf_parse, the library's entry point. */
#include "syntax/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"

static kf_arena *arena(kf_parser *p)
{
	return &p->doc->arena;
}

static kf_diag_bag *diags(kf_parser *p)
{
	return &p->doc->diags;
}

kf_marks kf_parser_marks(kf_parser *p)
{
	kf_marks m = {(uint32_t)p->flags.n, (uint32_t)p->words.n, (uint32_t)p->pairs.n, false};
	return m;
}

/* Does a line look unfinished, as if its author forgot the escape at its
 * end? An unclosed quote, or a "[…" that is no JSON array yet. */
static bool looks_unfinished(const kf_parser *p, const kf_instr *in)
{
	if (p->lx.open_quote || p->in_open_run)
		return true;
	if (in->form == KF_FORM_SHELL && in->nargs) {
		kf_str t = in->args[in->nargs - 1].text;
		return t.len && t.ptr[0] == '[' && t.ptr[t.len - 1] != ']';
	}
	return false;
}

static kf_instr_ext *ext_of(kf_parser *p, kf_instr *in)
{
	if (!in->ext)
		in->ext = KF_ARENA_NEW(arena(p), kf_instr_ext);
	return (kf_instr_ext *)in->ext;
}

/* An instruction spans its whole logical line: from the first line, which
 * may hold only the escape character (as BuildKit's StartLine has it), so
 * that no line of it is outside every node. */
static void span_from_line_start(kf_parser *p, kf_instr *in)
{
	if (p->line_first >= in->span.start)
		return;
	ext_of(p, in)->keyword = kf_instr_keyword_span(in);
	in->span.start = p->line_first;
}

void kf_parser_add(kf_parser *p, kf_instr *in)
{
	span_from_line_start(p, in);
	p->prev_open = looks_unfinished(p, in);
	p->in_open_run = false;
	kf_vec_push(&p->instrs, in);
}

void kf_parser_add_error(kf_parser *p, kf_span span)
{
	kf_instr *in = KF_ARENA_NEW(arena(p), kf_instr);
	in->kind = KF_INSTR_ERROR;
	in->span = span;
	in->broken = true;
	span_from_line_start(p, in);
	/* drop what the broken line had pushed */
	p->words.n = p->flags.n = p->pairs.n = 0;
	p->prev_open = false;
	p->in_open_run = false;
	kf_vec_push(&p->instrs, in);
}

/* The parts every instruction has: keyword, flags, words, pairs and
 * heredocs, taken from the stacks since its marks. */
static kf_instr *base(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
		      kf_form form, kf_span span)
{
	kf_instr *in = KF_ARENA_NEW(arena(p), kf_instr);
	in->kind = kind;
	in->span = span;
	if (kw->text.len != kw->span.end - kw->span.start) {
		/* a continuation splits it */
		ext_of(p, in)->keyword = kw->span;
		ext_of(p, in)->keyword_text = kw->text;
	} else if (kind == KF_INSTR_ERROR || kw->span.start != span.start) {
		ext_of(p, in)->keyword = kw->span;
	}
	in->dashdash = m.dashdash;
	if (p->flags.n > m.flags) {
		kf_instr_ext *x = ext_of(p, in);
		kf_vec_take(&p->flags, m.flags, arena(p), x->flags, x->nflags);
	}
	kf_vec_take(&p->pairs, m.pairs, arena(p), in->pairs, in->npairs);
	kf_vec_take(&p->words, m.words, arena(p), in->args, in->nargs);
	in->form = in->nargs || form == KF_FORM_JSON ? form : KF_FORM_NONE;
	if (form == KF_FORM_JSON)
		in->json_start = p->json_span.start;
	for (uint32_t i = 0; i < in->npairs; i++)
		if (in->pairs[i].sep == KF_SEP_SPACE)
			in->legacy = true;
	if ((kind == KF_INSTR_RUN || kind == KF_INSTR_COPY || kind == KF_INSTR_ADD) &&
	    p->lx.heredocs.n && form != KF_FORM_JSON) {
		kf_instr_ext *x = ext_of(p, in);
		x->nheredocs = (uint32_t)p->lx.heredocs.n;
		x->heredocs = kf_arena_memdup(arena(p), p->lx.heredocs.v,
					      p->lx.heredocs.n * sizeof(kf_heredoc));
		for (uint32_t i = 0; i < x->nheredocs; i++) {
			const kf_heredoc *h = &x->heredocs[i];
			if (!h->terminated)
				kf_diag_add(diags(p), KF_SEV_ERROR, h->marker, "KF005",
					    "heredoc '%.*s' is not terminated: no line '%.*s' before the end of the file",
					    (int)h->delim.len, h->delim.ptr, (int)h->delim.len, h->delim.ptr);
			if (h->end.end > in->span.end)
				in->span.end = h->end.end;
		}
	}
	in->broken = p->broken;
	p->broken = false;
	return in;
}

static void check_counts(kf_parser *p, kf_instr *in)
{
	if ((in->kind == KF_INSTR_COPY || in->kind == KF_INSTR_ADD) && in->nargs < 2 && !in->broken) {
		kf_diag_add(diags(p), KF_SEV_ERROR, kf_instr_args_span(in), "KF011",
			    "%s needs a source and a destination", kf_kind_name((kf_kind)in->kind));
		in->broken = true;
	}
}

kf_instr *kf_parser_instr(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			  kf_form form, kf_span span)
{
	kf_instr *in = base(p, kind, kw, m, form, span);
	check_counts(p, in);
	return in;
}

/* Moves the first argument to in->name. */
static void take_name(kf_instr *in)
{
	if (in->nargs == 0)
		return;
	in->has_name = true;
	in->args++;
	in->nargs--;
	if (in->nargs == 0 && in->form != KF_FORM_JSON)
		in->form = KF_FORM_NONE;
}

kf_instr *kf_parser_named(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			  kf_form form, kf_span span)
{
	kf_instr *in = base(p, kind, kw, m, form, span);
	take_name(in);
	return in;
}

kf_instr *kf_parser_app(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			kf_form form, kf_span span)
{
	kf_instr *in = base(p, kind, kw, m, form, span);
	if (form == KF_FORM_JSON && in->nargs < 2) {
		kf_diag_add(diags(p), KF_SEV_ERROR, kf_instr_args_span(in), "KF011",
			    "%s needs an app name and at least one source", kf_kind_name(kind));
		in->broken = true;
	}
	take_name(in);
	kf_instr_ext *x = ext_of(p, in);
	x->nsrcs = in->nargs;
	x->srcs = KF_ARENA_ARRAY(arena(p), kf_app_source, in->nargs);
	for (uint32_t i = 0; i < in->nargs; i++) {
		kf_app_source *s = &x->srcs[i];
		s->word = &in->args[i];
		s->scheme = kf_scheme_of(s->word->text, &s->path);
	}
	return in;
}

kf_instr *kf_parser_onbuild(kf_parser *p, const kf_word *kw, kf_marks m, kf_instr *inner,
			    kf_span span)
{
	kf_instr *in = base(p, KF_INSTR_ONBUILD, kw, m, KF_FORM_NONE, span);
	ext_of(p, in)->inner = inner;
	return in;
}

kf_instr *kf_parser_unknown(kf_parser *p, const kf_word *kw, kf_marks m, kf_span span)
{
	kf_instr *in = base(p, KF_INSTR_ERROR, kw, m, KF_FORM_SHELL, span);
	in->broken = true;
	kf_str w = kw->text;
	int shown = w.len > 32 ? 32 : (int)w.len;
	const char *more = w.len > 32 ? "…" : "";
	size_t nnames;
	const char *const *names = kf_kind_names(&nnames);
	/* KEYWORD["…"] or KEYWORD"…": the space after the keyword is missing */
	for (size_t i = 0; i < nnames; i++) {
		size_t n = strlen(names[i]);
		if (w.len > n && (w.ptr[n] == '[' || w.ptr[n] == '"' || w.ptr[n] == '\'') &&
		    kf_str_eq_nocase(kf_str_make(w.ptr, n), names[i])) {
			kf_span at = {kw->span.start, kw->span.start + (uint32_t)n + 1};
			kf_diag *d = kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF002",
						 "unknown instruction '%.*s': a space is needed after %s",
						 (int)n + 1, w.ptr, names[i]);
			char *fix = kf_arena_printf(arena(p), "%.*s ", (int)n, w.ptr);
			kf_diag_set_fix(diags(p), d, (kf_span){kw->span.start, kw->span.start + (uint32_t)n},
					fix, "insert a space after the keyword");
			return in;
		}
	}
	if (p->prev_open) {
		/* a JSON array or quoted value split over lines without escapes */
		p->in_open_run = true;
		kf_diag_add(diags(p), KF_SEV_ERROR, kw->span, "KF002",
			    "unknown instruction '%.*s%s': the line before looks unfinished "
			    "(end it with %c to continue it on this line)",
			    shown, w.ptr, more, p->doc->escape);
		return in;
	}
	/* suggest a keyword only for a word that could be a misspelt one */
	bool letters = true;
	for (size_t i = 0; i < w.len; i++)
		if (!((w.ptr[i] >= 'a' && w.ptr[i] <= 'z') || (w.ptr[i] >= 'A' && w.ptr[i] <= 'Z')))
			letters = false;
	const char *s = letters ? kf_suggest(w, names, nnames, true) : NULL;
	if (s) {
		kf_diag *d = kf_diag_add(diags(p), KF_SEV_ERROR, kw->span, "KF002",
					 "unknown instruction '%.*s' (did you mean %s?)", shown, w.ptr, s);
		kf_diag_set_fix(diags(p), d, kw->span, s, "replace with the instruction");
	} else {
		kf_diag_add(diags(p), KF_SEV_ERROR, kw->span, "KF002", "unknown instruction '%.*s%s'",
			    shown, w.ptr, more);
	}
	return in;
}

kf_instr *kf_parser_missing(kf_parser *p, kf_kind kind, const kf_word *kw, kf_marks m,
			    kf_span span, const char *what)
{
	p->broken = true;
	kf_instr *in = base(p, kind, kw, m, KF_FORM_NONE, span);
	if (kind == KF_INSTR_APP || kind == KF_INSTR_CNI || kind == KF_INSTR_CSI ||
	    kind == KF_INSTR_APPCMDS || kind == KF_INSTR_APPENV)
		take_name(in);
	kf_span at = {span.end, span.end};
	if (strstr(what, " after "))
		kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF003", "expected %s", what);
	else
		kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF003", "expected %s after %s", what,
			    kf_kind_name(kind));
	check_counts(p, in);
	return in;
}

void kf_parser_flag(kf_parser *p, const kf_word *w)
{
	kf_flag f;
	const char *a = w->text.ptr + 2, *b = w->text.ptr + w->text.len;
	f.span = w->span;
	f.raw = w->text;
	kf_str word = kf_str_make(a, (size_t)(b - a));
	if (memchr(a, '"', word.len) || memchr(a, '\'', word.len) || memchr(a, '\\', word.len)) {
		char *t = kf_arena_alloc(arena(p), word.len + 1);
		size_t n = 0;
		char quote = 0;
		for (const char *q = a; q < b; q++) {
			if (!quote && (*q == '"' || *q == '\'')) {
				quote = *q;
				continue;
			}
			if (quote && *q == quote) {
				quote = 0;
				continue;
			}
			if (*q == '\\') {
				if (q + 1 == b)
					continue; /* dropped at the very end */
				q++;
			}
			t[n++] = *q;
		}
		t[n] = '\0';
		word = kf_str_make(t, n);
	}
	const char *eq = memchr(word.ptr, '=', word.len);
	f.has_value = eq != NULL;
	f.name = kf_str_make(word.ptr, eq ? (size_t)(eq - word.ptr) : word.len);
	f.value = eq ? kf_str_make(eq + 1, word.len - (size_t)(eq + 1 - word.ptr)) : KF_STR_NULL;
	kf_vec_push(&p->flags, f);
}

void kf_parser_pair(kf_parser *p, const kf_word *key, const kf_word *value, kf_pair_sep sep)
{
	kf_pair pr;
	memset(&pr, 0, sizeof(pr));
	pr.sep = sep;
	pr.text = key->text.ptr;
	if (sep == KF_SEP_EQUALS) {
		/* the word is still in the current line buffer: split it there */
		const char *eq = memchr(key->text.ptr, '=', key->text.len);
		const unsigned char *a = (const unsigned char *)key->text.ptr;
		const unsigned char *e = (const unsigned char *)eq;
		const unsigned char *b = a + key->text.len;
		pr.klen = (uint32_t)(eq - key->text.ptr);
		pr.voff = pr.klen + 1;
		pr.vlen = (uint32_t)(b - e - 1);
		pr.key = kf_lexer_span(&p->lx, a, e);
		pr.value = e + 1 < b ? kf_lexer_span(&p->lx, e + 1, b) : (kf_span){key->span.end, key->span.end};
	} else {
		pr.key = key->span;
		pr.klen = (uint32_t)key->text.len;
		if (value) {
			/* both are in the line buffer, the value after the key */
			pr.voff = (uint32_t)(value->text.ptr - key->text.ptr);
			pr.vlen = (uint32_t)value->text.len;
			pr.value = value->span;
		} else {
			pr.voff = pr.klen;
			pr.value = (kf_span){key->span.end, key->span.end};
		}
	}
	kf_vec_push(&p->pairs, pr);
}

void kf_parser_not_pair(kf_parser *p, const kf_word *w)
{
	p->broken = true;
	kf_diag_add(diags(p), KF_SEV_ERROR, w->span, "KF010",
		    "expected name=value, found '%.*s' with no '='",
		    (int)(w->text.len > 60 ? 60 : w->text.len), w->text.ptr);
}

void kf_parser_no_value(kf_parser *p, const kf_word *key)
{
	p->broken = true;
	kf_parser_pair(p, key, NULL, KF_SEP_SPACE);
	kf_diag_add(diags(p), KF_SEV_ERROR, (kf_span){key->span.end, key->span.end}, "KF003",
		    "expected a value after '%.*s' (write %.*s=value)",
		    (int)(key->text.len > 60 ? 60 : key->text.len), key->text.ptr,
		    (int)(key->text.len > 60 ? 60 : key->text.len), key->text.ptr);
}

kf_word kf_parser_not_string(kf_parser *p, kf_span span)
{
	p->broken = true;
	kf_diag_add(diags(p), KF_SEV_ERROR, span, "KF004",
		    "JSON array elements must be strings");
	kf_word w = {span, kf_str_make(p->doc->src->text + span.start, span.end - span.start)};
	return w;
}

void kf_parser_expected(kf_parser *p, kf_span at, const char *what)
{
	p->broken = true;
	kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF003", "expected %s", what);
}

void kf_parser_extra(kf_parser *p, kf_span at, const char *where)
{
	p->broken = true;
	kf_str t = kf_str_make(p->doc->src->text + at.start, at.end - at.start);
	kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF009", "unexpected '%.*s' %s",
		    (int)(t.len > 60 ? 60 : t.len), t.ptr, where);
}

void kf_parser_syntax_error(kf_parser *p, kf_span at, const char *msg)
{
	/* one syntax error per line: the rest of a broken line is noise */
	uint32_t line = kf_source_line(p->doc->src, at.start) + 1;
	if (line == p->error_line)
		return;
	p->error_line = line;
	kf_diag_add(diags(p), KF_SEV_ERROR, at, "KF001", "%s", msg);
}

kf_document *kf_parse(const kf_source *src)
{
	kf_document *doc = kf_xcalloc(1, sizeof(*doc));
	doc->src = src;
	kf_arena_init(&doc->arena);
	kf_diag_bag_init(&doc->diags, &doc->arena);
	kf_parser p;
	memset(&p, 0, sizeof(p));
	p.doc = doc;
	kf_lexer_init(&p.lx, doc);
	kf_yyparse(&p);
	/* the instruction array is the one vector kept: shrunk, not copied */
	doc->ninstrs = (uint32_t)p.instrs.n;
	doc->instrs = p.instrs.n ? kf_xrealloc(p.instrs.v, p.instrs.n * sizeof(*doc->instrs)) : NULL;
	if (!p.instrs.n)
		kf_vec_free(&p.instrs);
	p.instrs.v = NULL;
	p.instrs.n = p.instrs.cap = 0;
	doc->ntrivia = (uint32_t)p.lx.trivia.n;
	doc->trivia = p.lx.trivia.n ? kf_xrealloc(p.lx.trivia.v, p.lx.trivia.n * sizeof(kf_trivia)) : NULL;
	if (!p.lx.trivia.n)
		kf_vec_free(&p.lx.trivia);
	p.lx.trivia.v = NULL;
	p.lx.trivia.n = p.lx.trivia.cap = 0;
	kf_vec_take(&p.lx.directives, 0, &doc->arena, doc->directives, doc->ndirectives);
	if (doc->ninstrs == 0)
		kf_diag_add(&doc->diags, KF_SEV_ERROR, (kf_span){src->bom, src->bom}, "KF008",
			    "the file has no instructions");
	kf_diag_bag_sort(&doc->diags);
	kf_lexer_release(&p.lx);
	kf_vec_free(&p.words);
	kf_vec_free(&p.flags);
	kf_vec_free(&p.pairs);
	kf_vec_free(&p.instrs);
	return doc;
}
