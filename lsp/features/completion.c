/* SPDX-License-Identifier: Apache-2.0 */
/* completion.c - what the client may insert while typing: completion
 * (keywords, flags, variables, apps, local:// paths, images of the local
 * store) and signature help (an instruction's synopsis). */
#include <string.h>
#include <sys/stat.h>

#include "base/fscache.h"
#include "config/images.h"
#include "sema/platform.h"
#include "syntax/instrdoc.h"
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void add_item(json_t *items, const char *label, int kind, const char *detail, const char *text, bool snippet,
		     json_t *range)
{
	json_t *it = json_pack("{s:s,s:i}", "label", label, "kind", kind);
	if (detail)
		json_object_set_new(it, "detail", json_string(detail));
	if (range)
		json_object_set_new(it, "textEdit", json_pack("{s:O,s:s}", "range", range, "newText", text));
	else
		json_object_set_new(it, "insertText", json_string(text));
	if (snippet)
		json_object_set_new(it, "insertTextFormat", json_integer(2));
	json_array_append_new(items, it);
}

/* the image references of the local store (store.h: the store kfc build
 * writes); its index.json is replaced whole, so it is read without a lock */
static void store_images(json_t *items, json_t *range)
{
	size_t n;
	char **names = kf_local_images(&n);
	for (size_t i = 0; i < n; i++)
		add_item(items, names[i], 20, "local store", names[i], false, range);
	kf_local_images_free(names, n);
}

/* local:// paths: the entries of the directory typed so far, in the build
 * context (no hidden ones, at most 1000) */
static void local_paths(kfls *s, kfls_doc *d, kf_str typed, json_t *items, json_t *range)
{
	const char *slash = NULL;
	for (size_t i = 0; i < typed.len; i++)
		if (typed.ptr[i] == '/')
			slash = typed.ptr + i;
	size_t dlen = slash ? (size_t)(slash - typed.ptr) + 1 : 0;
	kf_buf dir = KF_BUF_INIT;
	kf_buf_printf(&dir, "%s/%.*s", d->dir, (int)dlen, typed.ptr);
	kf_fsdir l;
	kf_fscache_begin(s->fs);
	/* never outside the build context */
	if (strstr(dir.ptr, "..") || !kf_fscache_list(s->fs, dir.ptr, &l)) {
		kf_buf_release(&dir);
		return;
	}
	kf_buf full = KF_BUF_INIT, label = KF_BUF_INIT, text = KF_BUF_INIT;
	size_t shown = 0;
	for (size_t i = 0; i < l.n && shown < 1000; i++) {
		const kf_fsentry *e = &l.entries[i];
		if (e->name[0] == '.')
			continue;
		bool isdir = e->type == S_IFDIR;
		if (e->type == S_IFLNK) {
			kf_buf_reset(&full);
			kf_buf_printf(&full, "%s%s", dir.ptr, e->name);
			isdir = kf_fscache_type(s->fs, full.ptr) == S_IFDIR;
		}
		kf_buf_reset(&label);
		kf_buf_printf(&label, "%s%s", e->name, isdir ? "/" : "");
		kf_buf_reset(&text);
		kf_buf_printf(&text, "local://%.*s%s", (int)dlen, typed.ptr, label.ptr);
		add_item(items, label.ptr, isdir ? 19 : 17, NULL, text.ptr, false, range);
		shown++;
	}
	kf_fsdir_release(&l);
	kf_buf_release(&full);
	kf_buf_release(&label);
	kf_buf_release(&text);
	kf_buf_release(&dir);
}

/* the physical line that holds off (kf_source_pline takes a line's start) */
static kf_pline line_at(const kf_source *src, uint32_t off)
{
	uint32_t ls = off;
	while (ls > 0 && src->text[ls - 1] != '\n')
		ls--;
	return kf_source_pline(src, ls);
}

/* the variables defined before the instruction at from, then the
 * built-in ones a RUN has (kf_run_builtins); each replaces the name typed
 * so far (name) */
static void var_items(kfls *s, kfls_doc *d, uint32_t from, kf_span name, json_t *items)
{
	json_t *vr = kfls_range(s, &d->src, name);
	const kf_model *m = kfls_model(d);
	json_t *seen = json_object();
	for (uint32_t i = 0; i < m->ndefs; i++) {
		const kf_var_def *v = &m->defs[i];
		if (v->span.start >= from)
			break;
		char *nm = kf_arena_strndup(&s->req, v->name.ptr, v->name.len);
		if (json_object_get(seen, nm))
			continue;
		json_object_set_new(seen, nm, json_true());
		add_item(items, nm, 6, v->is_arg ? "ARG" : "ENV", nm, false, vr);
	}
	for (const char *const *b = kf_run_builtins; *b; b++)
		if (!json_object_get(seen, *b))
			add_item(items, *b, 21, "target platform", *b, false, vr);
	json_decref(seen);
	json_decref(vr);
}

/* after sealos' $( in CMD or ENTRYPOINT: the image's Env, that is every
 * ENV of the file (an ARG is not in it), and what sealos run adds */
static void sealos_items(kfls *s, kfls_doc *d, kf_span name, json_t *items)
{
	json_t *vr = kfls_range(s, &d->src, name);
	const kf_model *m = kfls_model(d);
	json_t *seen = json_object();
	for (uint32_t i = 0; i < m->ndefs; i++) {
		const kf_var_def *v = &m->defs[i];
		char *nm = kf_arena_strndup(&s->req, v->name.ptr, v->name.len);
		if (v->is_arg || json_object_get(seen, nm))
			continue;
		json_object_set_new(seen, nm, json_true());
		add_item(items, nm, 6, "ENV", nm, false, vr);
	}
	for (const char *const *b = kf_sealos_builtins; *b; b++)
		if (!json_object_get(seen, *b))
			add_item(items, *b, 21, "sealos run (rootfs images)", *b, false, vr);
	json_decref(seen);
	json_decref(vr);
}

json_t *kfls_completion(kfls *s, json_t *params, kfls_error *err)
{
	uint32_t off;
	kfls_doc *d = kfls_doc_position(s, params, &off, err);
	if (!d)
		return NULL;
	const char *t = d->src.text;
	json_t *items = json_array();
	const kf_instr *in = kfls_instr_at(d, off);
	kf_pline pl = line_at(&d->src, off);
	uint32_t from = in ? in->span.start : pl.first;
	/* the word being typed (on a continuation line too: the instruction
	 * still starts at from) */
	uint32_t ws = off;
	while (ws > from && !blank(t[ws - 1]) && t[ws - 1] != '[' && t[ws - 1] != ',' && t[ws - 1] != '"')
		ws--;
	json_t *range = kfls_range(s, &d->src, (kf_span){ws, off});
	/* how many words come before it in the instruction */
	uint32_t nwords = 0;
	kf_str first = KF_STR_NULL;
	for (uint32_t p = from; p < ws;) {
		while (p < ws && blank(t[p]))
			p++;
		uint32_t q = p;
		while (q < ws && !blank(t[q]))
			q++;
		if (q > p) {
			if (!nwords)
				first = kf_str_make(t + p, q - p);
			nwords++;
		}
		p = q;
	}
	kf_str word = kf_str_make(t + ws, off - ws);
	bool comment = t[pl.first] == '#' && pl.first < off;
	if (comment) {
	} else if (nwords == 0) {
		size_t n;
		const char *const *names = kf_kind_names(&n);
		for (size_t k = 0; k < n; k++) {
			const kf_instr_doc *doc = kf_instr_doc_get((kf_kind)(k + 1));
			add_item(items, names[k], 14, doc ? doc->synopsis : NULL, doc ? doc->snippet : names[k], true, range);
		}
	} else {
		kf_kind kind = kf_kind_lookup(first);
		const char *dollar = NULL;
		for (size_t i = 0; i < word.len; i++)
			if (word.ptr[i] == '$')
				dollar = word.ptr + i;
		if (dollar && dollar + 1 < word.ptr + word.len && dollar[1] == '(') {
			/* sealos' $(NAME), or the shell's command substitution */
			if ((kind == KF_INSTR_CMD || kind == KF_INSTR_ENTRYPOINT) &&
			    kfls_model(d)->dialect == KF_DIALECT_SEALOS)
				sealos_items(s, d, (kf_span){(uint32_t)(dollar - t) + 2, off}, items);
		} else if (dollar) {
			uint32_t vs = (uint32_t)(dollar - t) + 1 + (dollar[1] == '{');
			var_items(s, d, from, (kf_span){vs, off}, items);
		} else if (word.len >= 2 && word.ptr[0] == '-' && word.ptr[1] == '-') {
			const kf_instr_doc *doc = kf_instr_doc_get(kind);
			for (const kf_flag_doc *f = doc ? doc->flags : NULL; f && f->name; f++) {
				if (kf_flag_refused(kind, kf_str_cstr(f->name)))
					continue; /* kfc build refuses it (KF224): not offered */
				char *lbl = kf_arena_printf(&s->req, "--%s", f->name);
				char *txt = kf_arena_printf(&s->req, "--%s%s", f->name, f->value ? "=" : "");
				add_item(items, lbl, 5, f->summary, txt, false, range);
			}
		} else if (kf_str_has_prefix(word, "local://")) {
			local_paths(s, d, kf_str_make(word.ptr + 8, word.len - 8), items, range);
		} else if (kind == KF_INSTR_LAUNCH || ((kind == KF_INSTR_APPCMDS || kind == KF_INSTR_APPENV) && nwords == 1)) {
			/* LAUNCH ["web", …]: after [ or , the name goes in quotes */
			uint32_t b = ws;
			while (b > from && blank(t[b - 1]))
				b--;
			bool quote = kind == KF_INSTR_LAUNCH && b > from && (t[b - 1] == '[' || t[b - 1] == ',');
			const kf_model *m = kfls_model(d);
			for (uint32_t i = 0; i < m->napps; i++) {
				if (m->apps[i].decl->span.start >= from)
					continue;
				char *nm = kf_arena_strndup(&s->req, m->apps[i].name.ptr, m->apps[i].name.len);
				add_item(items, nm, 7, kf_kind_name((kf_kind)m->apps[i].decl->kind),
					 quote ? kf_arena_printf(&s->req, "\"%s\"", nm) : nm, false, range);
			}
		} else if (kfls_declares_app(kind) && nwords >= 2) {
			add_item(items, "local://", 17, "a path in the build context", "local://", false, range);
		} else if (kind == KF_INSTR_FROM && nwords == 1) {
			add_item(items, "scratch", 20, "an empty base", "scratch", false, range);
			store_images(items, range);
		}
	}
	json_decref(range);
	return json_pack("{s:b,s:o}", "isIncomplete", 0, "items", items);
}

/* the kind of the instruction at off, or of a keyword typed on its own
 * line (not parsed yet) */
static kf_kind kind_at(kfls_doc *d, uint32_t off)
{
	const kf_instr *in = kfls_instr_at(d, off);
	if (in)
		return (kf_kind)in->kind;
	kf_pline pl = line_at(&d->src, off);
	uint32_t q = pl.first;
	while (q < pl.end && !blank(d->src.text[q]))
		q++;
	return kf_kind_lookup(kf_str_make(d->src.text + pl.first, q - pl.first));
}

json_t *kfls_signature_help(kfls *s, json_t *params, kfls_error *err)
{
	uint32_t off;
	kfls_doc *d = kfls_doc_position(s, params, &off, err);
	if (!d)
		return NULL;
	const kf_instr_doc *doc = kf_instr_doc_get(kind_at(d, off));
	if (!doc)
		return json_null();
	return json_pack("{s:[{s:s,s:{s:s,s:s}}],s:i}", "signatures", "label", doc->synopsis, "documentation", "kind",
			 "markdown", "value", doc->summary, "activeSignature", 0);
}

