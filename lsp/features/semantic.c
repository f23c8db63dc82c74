/* SPDX-License-Identifier: Apache-2.0 */
/* semantic.c - semantic tokens: every token of the document (or of a
 * range) with its type, in LSP's relative encoding, written as JSON text
 * (the answer for a large document is the largest kfls sends). */
#include <stdlib.h>

#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

/* the token types and modifiers, in the order of the legend below */
enum { TT_KEYWORD, TT_PARAMETER, TT_VARIABLE, TT_STRING, TT_COMMENT, TT_MACRO, TT_CLASS, TT_PROPERTY, TT_OPERATOR };
enum { TM_DECLARATION = 1, TM_DEPRECATED = 2 };

/* the capability (methods.c), with the legend */
const char kfls_semantic_options[] =
	"{\"legend\":{\"tokenTypes\":[\"keyword\",\"parameter\",\"variable\",\"string\",\"comment\",\"macro\","
	"\"class\",\"property\",\"operator\"],\"tokenModifiers\":[\"declaration\",\"deprecated\"]},"
	"\"range\":true,\"full\":true}";

typedef struct tok {
	kf_span span;
	int type, mods;
} tok;
typedef KF_VEC(tok) tok_vec;

typedef struct tok_out {
	kfls *s;
	const kf_source *src;
	kf_buf *data;
	bool first;
	uint32_t line, col; /* of the previous token */
	/* a cursor, so that tokens in order cost their own length: its
	 * offset, line, column, and the start of the next line */
	uint32_t cur_off, cur_line, cur_col, cur_next;
} tok_out;

static void push_tok(tok_vec *v, kf_span sp, int type, int mods)
{
	if (sp.end > sp.start) {
		tok t = {sp, type, mods};
		kf_vec_push(v, t);
	}
}

/* the column of off (after the cursor, or anywhere: then a lookup) */
static uint32_t col_at(tok_out *o, uint32_t off)
{
	const kf_source *src = o->src;
	if (off < o->cur_off || off >= o->cur_next) {
		kf_position p = kf_source_position(src, off);
		o->cur_off = off;
		o->cur_line = p.line;
		o->cur_col = o->s->utf8 ? p.col8 : p.col16;
		o->cur_next = p.line + 1 < src->nlines ? src->lines[p.line + 1] : (uint32_t)src->len + 1;
		return o->cur_col;
	}
	const unsigned char *t = (const unsigned char *)src->text;
	if (o->s->utf8) {
		o->cur_col += off - o->cur_off;
	} else {
		for (uint32_t i = o->cur_off; i < off;) {
			uint32_t cp;
			int n = kf_utf8_seqlen(t + i, off - i, &cp);
			if (n <= 0) {
				n = 1;
				cp = 0;
			}
			o->cur_col += cp >= 0x10000 ? 2 : 1;
			i += (uint32_t)n;
		}
	}
	o->cur_off = off;
	return o->cur_col;
}

/* one token per physical line of span */
static void emit(tok_out *o, kf_span sp, int type, int mods)
{
	while (sp.start < sp.end) {
		uint32_t ca = col_at(o, sp.start), line = o->cur_line;
		uint32_t next = o->cur_next, lend = next > o->src->len ? (uint32_t)o->src->len : next - 1;
		if (lend > sp.start && o->src->text[lend - 1] == '\r')
			lend--;
		uint32_t e = sp.end < lend ? sp.end : lend;
		if (e > sp.start) {
			uint32_t cb = col_at(o, e);
			uint32_t dl = line - o->line, dc = dl ? ca : ca - o->col;
			uint32_t v[5] = {dl, dc, cb - ca, (uint32_t)type, (uint32_t)mods};
			for (int k = 0; k < 5; k++) {
				if (!o->first)
					kf_buf_addc(o->data, ',');
				o->first = false;
				kfls_json_uint(o->data, v[k]);
			}
			o->line = line;
			o->col = ca;
		}
		if (next <= sp.start || next > o->src->len)
			break;
		sp.start = next;
	}
}

static int cmp_tok(const void *a, const void *b)
{
	const tok *x = a, *y = b;
	return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

static bool expands_vars(kf_kind k)
{
	return k != KF_INSTR_RUN && k != KF_INSTR_CMD && k != KF_INSTR_CMDS && k != KF_INSTR_APPCMDS &&
	       k != KF_INSTR_ERROR;
}

static void instr_tokens(kfls_doc *d, const kf_instr *in, const kf_model *m, uint32_t *ui, tok_vec *v)
{
	kf_kind k = (kf_kind)in->kind;
	size_t base = v->n;
	if (k != KF_INSTR_ERROR)
		push_tok(v, kf_instr_keyword_span(in), TT_KEYWORD,
			 k == KF_INSTR_MAINTAINER || k == KF_INSTR_CMD ? TM_DEPRECATED : 0);
	uint32_t nf;
	const kf_flag *fl = kf_instr_flags(in, &nf);
	for (uint32_t i = 0; i < nf; i++)
		push_tok(v, fl[i].span, TT_PARAMETER, 0);
	const kf_word *nm = kf_instr_name(in);
	if (nm)
		push_tok(v, nm->span, kfls_names_app(k) ? TT_CLASS : TT_KEYWORD, kfls_declares_app(k) ? TM_DECLARATION : 0);
	for (uint32_t i = 0; i < in->npairs; i++) {
		const kf_pair *pr = &in->pairs[i];
		bool var = k == KF_INSTR_ARG || k == KF_INSTR_ENV;
		push_tok(v, pr->key, var ? TT_VARIABLE : TT_PROPERTY, var ? TM_DECLARATION : 0);
		if (pr->sep != KF_SEP_NONE)
			push_tok(v, pr->value, TT_STRING, 0);
	}
	if (k == KF_INSTR_LAUNCH) {
		for (uint32_t i = 0; i < in->nargs; i++)
			push_tok(v, in->args[i].span, TT_CLASS, 0);
	} else if (in->form == KF_FORM_JSON || (in->form == KF_FORM_WORDS && k != KF_INSTR_ERROR)) {
		for (uint32_t i = 0; i < in->nargs; i++)
			if (!(kf_from_as(in) == &in->args[i]))
				push_tok(v, in->args[i].span, TT_STRING, 0);
			else
				push_tok(v, in->args[i].span, TT_KEYWORD, 0);
	}
	uint32_t nh;
	const kf_heredoc *h = kf_instr_heredocs(in, &nh);
	for (uint32_t i = 0; i < nh; i++) {
		push_tok(v, h[i].marker, TT_OPERATOR, 0);
		push_tok(v, h[i].body, TT_STRING, 0);
		push_tok(v, h[i].end, TT_OPERATOR, 0);
	}
	/* variable uses cut the tokens they are in */
	while (*ui < m->nuses && m->uses[*ui].span.start < in->span.start)
		(*ui)++;
	while (*ui < m->nuses && m->uses[*ui].span.start < in->span.end) {
		kf_span u = m->uses[*ui].span;
		/* sealos' $(NAME) is substituted before the shell runs */
		bool sealos = m->uses[*ui].sealos;
		(*ui)++;
		if (!expands_vars(k) && !sealos)
			continue;
		/* every token so far, the rests of cut ones too (a word may
		 * hold several uses) */
		for (size_t i = base; i < v->n; i++) {
			tok t = v->v[i];
			if (t.span.end <= u.start || t.span.start >= u.end || t.type == TT_VARIABLE)
				continue;
			v->v[i].span.end = u.start > t.span.start ? u.start : t.span.start;
			if (t.span.end > u.end) {
				tok rest = {{u.end, t.span.end}, t.type, t.mods};
				kf_vec_push(v, rest);
			}
		}
		push_tok(v, u, TT_VARIABLE, 0);
	}
	if (v->n - base > 1)
		qsort(v->v + base, v->n - base, sizeof(tok), cmp_tok);
}

static json_t *semantic_tokens(kfls *s, kfls_doc *d, kf_span range)
{
	const kf_model *m = kfls_model(d);
	kf_buf_adds(&s->raw, "{\"data\":[");
	tok_out o = {s, &d->src, &s->raw, true, 0, 0, 0, 0, 0, 0};
	tok_vec v = {NULL, 0, 0};
	uint32_t ti = 0, ui = 0;
	for (uint32_t i = 0; i <= d->ast->ninstrs; i++) {
		uint32_t lim = i < d->ast->ninstrs ? d->ast->instrs[i]->span.start : UINT32_MAX;
		for (; ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < lim; ti++) {
			const kf_trivia *t = &d->ast->trivia[ti];
			if (t->span.end < range.start || t->span.start > range.end || t->kind == KF_TRIVIA_BLANK)
				continue;
			emit(&o, t->span, t->kind == KF_TRIVIA_COMMENT ? TT_COMMENT : TT_MACRO, 0);
		}
		if (i == d->ast->ninstrs)
			break;
		const kf_instr *in = d->ast->instrs[i];
		if (in->span.end < range.start || in->span.start > range.end)
			continue;
		v.n = 0;
		instr_tokens(d, in, m, &ui, &v);
		/* comments inside the instruction's continuation come in order too */
		for (size_t k = 0; k < v.n; k++) {
			while (ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < v.v[k].span.start) {
				const kf_trivia *t = &d->ast->trivia[ti++];
				if (t->kind == KF_TRIVIA_COMMENT)
					emit(&o, t->span, TT_COMMENT, 0);
			}
			if (k == 0 || v.v[k].span.start >= v.v[k - 1].span.end)
				emit(&o, v.v[k].span, v.v[k].type, v.v[k].mods);
		}
	}
	kf_vec_free(&v);
	kf_buf_adds(&s->raw, "]}");
	s->raw_result = true;
	return NULL;
}

json_t *kfls_semantic_full(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	return semantic_tokens(s, d, (kf_span){0, (uint32_t)d->src.len});
}

json_t *kfls_semantic_range(kfls *s, json_t *params, kfls_error *err)
{
	kf_span sp;
	kfls_doc *d = kfls_doc_range(s, params, &sp, err);
	if (!d)
		return NULL;
	return semantic_tokens(s, d, sp);
}

