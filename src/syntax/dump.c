/* SPDX-License-Identifier: Apache-2.0 */
/* dump.c - see dump.h */
#include "syntax/dump.h"

#include <jansson.h>
#include <stdlib.h>

#include "syntax/jsonutil.h"

/* Go's unicode.IsPrint, closely enough for the characters a Dockerfile
 * holds: letters, marks, numbers, punctuation, symbols and ASCII space are
 * printable; controls, format characters, other spaces, surrogates, private
 * use and noncharacters are not. */
static bool go_isprint(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad)
		return false;
	if (c < 0x7f)
		return true;
	if (c == 0x1680 || (c >= 0x2000 && c <= 0x200f) || (c >= 0x2028 && c <= 0x202f) ||
	    (c >= 0x205f && c <= 0x206f) || c == 0x3000 || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb) || (c >= 0xe000 && c <= 0xf8ff) ||
	    (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe || c >= 0xf0000 ||
	    c == 0x061c || c == 0x180e || (c >= 0xe0000 && c <= 0xe007f))
		return false;
	return true;
}

/* Go's strconv.Quote of s, appended to out. */
static void go_quote(kf_buf *out, kf_str s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s.ptr, *e = p + s.len;
	kf_buf_addc(out, '"');
	while (p < e) {
		uint32_t c;
		int n = kf_utf8_seqlen(p, (size_t)(e - p), &c);
		if (n == 0) {
			char esc[4] = {'\\', 'x', hex[*p >> 4], hex[*p & 15]};
			kf_buf_add(out, esc, 4);
			p++;
			continue;
		}
		switch (c) {
		case '"': kf_buf_adds(out, "\\\""); break;
		case '\\': kf_buf_adds(out, "\\\\"); break;
		case '\a': kf_buf_adds(out, "\\a"); break;
		case '\b': kf_buf_adds(out, "\\b"); break;
		case '\f': kf_buf_adds(out, "\\f"); break;
		case '\n': kf_buf_adds(out, "\\n"); break;
		case '\r': kf_buf_adds(out, "\\r"); break;
		case '\t': kf_buf_adds(out, "\\t"); break;
		case '\v': kf_buf_adds(out, "\\v"); break;
		default:
			if (go_isprint(c))
				kf_buf_add(out, p, (size_t)n);
			else if (c < 0x20 || c == 0x7f)
				kf_buf_printf(out, "\\x%02x", c);
			else if (c < 0x10000)
				kf_buf_printf(out, "\\u%04x", c);
			else
				kf_buf_printf(out, "\\U%08x", c);
		}
		p += n;
	}
	kf_buf_addc(out, '"');
}

static void arg(kf_buf *out, kf_str s)
{
	kf_buf_addc(out, ' ');
	go_quote(out, s);
}

static void dump_instr(kf_buf *out, const kf_document *doc, const kf_instr *in)
{
	kf_str kw = kf_instr_keyword(doc, in);
	kf_buf_addc(out, '(');
	for (size_t i = 0; i < kw.len; i++) {
		char c = kw.ptr[i];
		kf_buf_addc(out, c >= 'A' && c <= 'Z' ? (char)(c + 'a' - 'A') : c);
	}
	uint32_t nflags;
	const kf_flag *flags = kf_instr_flags(in, &nflags);
	if (nflags) {
		kf_buf_adds(out, " [");
		for (uint32_t i = 0; i < nflags; i++) {
			kf_buf b = KF_BUF_INIT;
			kf_buf_adds(&b, "--");
			kf_buf_addstr(&b, flags[i].name);
			if (flags[i].has_value) {
				kf_buf_addc(&b, '=');
				kf_buf_addstr(&b, flags[i].value);
			}
			if (i)
				kf_buf_addc(out, ' ');
			go_quote(out, kf_str_make(b.ptr, b.len));
			kf_buf_release(&b);
		}
		kf_buf_addc(out, ']');
	}
	switch ((kf_kind)in->kind) {
	case KF_INSTR_ERROR:
		/* BuildKit keeps an unknown keyword and drops its arguments */
		kf_buf_adds(out, " \"\"");
		break;
	case KF_INSTR_ONBUILD:
		if (kf_onbuild_inner(in)) {
			kf_buf_addc(out, ' ');
			dump_instr(out, doc, kf_onbuild_inner(in));
		}
		break;
	case KF_INSTR_ARG:
		for (uint32_t i = 0; i < in->npairs; i++) {
			const kf_pair *pr = &in->pairs[i];
			if (pr->sep == KF_SEP_EQUALS) {
				kf_buf w = KF_BUF_INIT;
				kf_buf_addstr(&w, kf_pair_key(pr).text);
				kf_buf_addc(&w, '=');
				kf_buf_addstr(&w, kf_pair_value(pr).text);
				arg(out, kf_str_make(w.ptr, w.len));
				kf_buf_release(&w);
			} else {
				arg(out, kf_pair_key(pr).text);
			}
		}
		break;
	default:
		if (kf_instr_name(in))
			arg(out, kf_instr_name(in)->text);
		for (uint32_t i = 0; i < in->npairs; i++) {
			const kf_pair *pr = &in->pairs[i];
			arg(out, kf_pair_key(pr).text);
			arg(out, kf_pair_value(pr).text);
			arg(out, pr->sep == KF_SEP_EQUALS ? KF_STR_LIT("=") : KF_STR_LIT(""));
		}
		for (uint32_t i = 0; i < in->nargs; i++)
			arg(out, in->args[i].text);
	}
	kf_buf_addc(out, ')');
}

void kf_dump_buildkit(kf_buf *out, const kf_document *doc)
{
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		/* a line that did not parse at all has nothing to show */
		kf_span kw = kf_instr_keyword_span(in);
		if (in->kind == KF_INSTR_ERROR && kw.end == kw.start)
			continue;
		dump_instr(out, doc, in);
		kf_buf_addc(out, '\n');
	}
}

/* ---- JSON ----------------------------------------------------------------- */

static json_t *jword(const kf_source *src, const kf_word *w)
{
	if (!w)
		return json_null();
	return json_pack("{s:o,s:o}", "text", kf_json_str(w->text), "span", kf_json_span(src, w->span));
}

static const char *form_name(kf_form f)
{
	switch (f) {
	case KF_FORM_NONE: return "none";
	case KF_FORM_WORDS: return "words";
	case KF_FORM_SHELL: return "shell";
	case KF_FORM_JSON: return "json";
	}
	return "none";
}

static const char *scheme_name(kf_scheme s)
{
	switch (s) {
	case KF_SCHEME_NONE: return "none";
	case KF_SCHEME_LOCAL: return "local";
	case KF_SCHEME_HTTP: return "http";
	case KF_SCHEME_HTTPS: return "https";
	case KF_SCHEME_OTHER: return "other";
	}
	return "none";
}

static json_t *jinstr(const kf_document *doc, const kf_instr *in)
{
	const kf_source *src = doc->src;
	json_t *o = json_object();
	json_object_set_new(o, "kind", json_string(in->kind == KF_INSTR_ERROR ? "error" : kf_kind_name((kf_kind)in->kind)));
	json_object_set_new(o, "span", kf_json_span(src, in->span));
	kf_word kw = {kf_instr_keyword_span(in), kf_instr_keyword(doc, in)};
	json_object_set_new(o, "keyword", jword(src, &kw));
	if (in->broken)
		json_object_set_new(o, "broken", json_true());
	json_t *flags = json_array();
	uint32_t nflags;
	const kf_flag *fl = kf_instr_flags(in, &nflags);
	for (uint32_t i = 0; i < nflags; i++) {
		const kf_flag *f = &fl[i];
		json_array_append_new(flags, json_pack("{s:o,s:o,s:o}", "name", kf_json_str(f->name),
						       "value", f->has_value ? kf_json_str(f->value) : json_null(),
						       "span", kf_json_span(src, f->span)));
	}
	json_object_set_new(o, "flags", flags);
	if (in->dashdash)
		json_object_set_new(o, "dashdash", json_true());
	if (kf_instr_name(in))
		json_object_set_new(o, "name", jword(src, kf_instr_name(in)));
	json_t *args = json_array();
	for (uint32_t i = 0; i < in->nargs; i++)
		json_array_append_new(args, jword(src, &in->args[i]));
	json_object_set_new(o, "args", json_pack("{s:s,s:o,s:o}", "form", form_name(in->form),
						 "span", kf_json_span(src, kf_instr_args_span(in)), "items", args));
	if (in->npairs) {
		json_t *pairs = json_array();
		for (uint32_t i = 0; i < in->npairs; i++) {
			const kf_pair *pr = &in->pairs[i];
			const char *sep = pr->sep == KF_SEP_EQUALS ? "=" : pr->sep == KF_SEP_SPACE ? " " : "";
			kf_word key = kf_pair_key(pr), value = kf_pair_value(pr);
			json_array_append_new(pairs, json_pack("{s:o,s:o,s:s,s:o}", "key", jword(src, &key),
							       "value", pr->sep == KF_SEP_NONE ? json_null() : jword(src, &value),
							       "separator", sep, "span", kf_json_span(src, kf_pair_span(pr))));
		}
		json_object_set_new(o, "pairs", pairs);
	}
	uint32_t nheredocs;
	const kf_heredoc *heredocs = kf_instr_heredocs(in, &nheredocs);
	if (nheredocs) {
		json_t *hs = json_array();
		for (uint32_t i = 0; i < nheredocs; i++) {
			const kf_heredoc *h = &heredocs[i];
			json_t *j = json_pack("{s:o,s:o,s:b,s:b,s:b,s:o,s:o,s:o}", "delimiter", kf_json_str(h->delim),
					      "marker", kf_json_span(src, h->marker), "stripTabs", h->strip_tabs,
					      "quoted", h->quoted, "terminated", h->terminated,
					      "body", kf_json_span(src, h->body), "end", kf_json_span(src, h->end),
					      "text", kf_json_str(h->text));
			if (h->fd >= 0)
				json_object_set_new(j, "fd", json_integer(h->fd));
			json_array_append_new(hs, j);
		}
		json_object_set_new(o, "heredocs", hs);
	}
	switch ((kf_kind)in->kind) {
	case KF_INSTR_FROM:
		json_object_set_new(o, "image", jword(src, kf_from_image(in)));
		json_object_set_new(o, "alias", jword(src, kf_from_alias(in)));
		break;
	case KF_INSTR_COPY:
	case KF_INSTR_ADD:
		if (kf_copy_dest(in)) {
			json_t *s = json_array();
			for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++)
				json_array_append_new(s, jword(src, &in->args[i]));
			json_object_set_new(o, "sources", s);
			json_object_set_new(o, "destination", jword(src, kf_copy_dest(in)));
		}
		break;
	case KF_INSTR_APP:
	case KF_INSTR_CNI:
	case KF_INSTR_CSI: {
		json_t *s = json_array();
		uint32_t nsrcs;
		const kf_app_source *srcs = kf_app_sources(in, &nsrcs);
		for (uint32_t i = 0; i < nsrcs; i++) {
			const kf_app_source *as = &srcs[i];
			json_array_append_new(s, json_pack("{s:s,s:o,s:o}", "scheme", scheme_name(as->scheme),
							   "path", kf_json_str(as->path), "span",
							   kf_json_span(src, as->word->span)));
		}
		json_object_set_new(o, "sources", s);
		break;
	}
	case KF_INSTR_ONBUILD:
		json_object_set_new(o, "instruction", kf_onbuild_inner(in) ? jinstr(doc, kf_onbuild_inner(in)) : json_null());
		break;
	default:
		break;
	}
	return o;
}

static const char *trivia_name(kf_trivia_kind k)
{
	switch (k) {
	case KF_TRIVIA_COMMENT: return "comment";
	case KF_TRIVIA_BLANK: return "blank";
	case KF_TRIVIA_DIRECTIVE: return "directive";
	}
	return "comment";
}

void kf_dump_json(kf_buf *out, const kf_document *doc)
{
	const kf_source *src = doc->src;
	json_t *root = json_object();
	json_object_set_new(root, "file", kf_json_str(kf_str_cstr(src->path)));
	char esc[2] = {doc->escape, 0};
	json_object_set_new(root, "escape", json_string(esc));
	json_object_set_new(root, "lineEnding", json_string(doc->crlf ? "crlf" : "lf"));
	json_t *dirs = json_array();
	for (uint32_t i = 0; i < doc->ndirectives; i++) {
		const kf_directive *d = &doc->directives[i];
		json_array_append_new(dirs, json_pack("{s:o,s:o,s:o}", "name", kf_json_str(d->name.text),
						      "value", jword(src, &d->value), "span", kf_json_span(src, d->span)));
	}
	json_object_set_new(root, "directives", dirs);
	json_t *instrs = json_array();
	for (uint32_t i = 0; i < doc->ninstrs; i++)
		json_array_append_new(instrs, jinstr(doc, doc->instrs[i]));
	json_object_set_new(root, "instructions", instrs);
	json_t *trivia = json_array();
	for (uint32_t i = 0; i < doc->ntrivia; i++) {
		const kf_trivia *t = &doc->trivia[i];
		json_t *j = json_pack("{s:s,s:o}", "kind", trivia_name(t->kind), "span", kf_json_span(src, t->span));
		if (t->in_continuation)
			json_object_set_new(j, "inContinuation", json_true());
		json_array_append_new(trivia, j);
	}
	json_object_set_new(root, "trivia", trivia);
	json_t *diags = json_array();
	for (size_t i = 0; i < doc->diags.len; i++)
		json_array_append_new(diags, kf_diag_to_json(src, &doc->diags.items[i]));
	json_object_set_new(root, "diagnostics", diags);
	kf_json_dump(out, root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}
