/* SPDX-License-Identifier: Apache-2.0 */
/* imagelist.c - see imagelist.h and docs/imagelist.md.
 *
 * Manifests are read with the project's YAML loader (yamlload.h: libyaml's
 * events, with limits), not scanned by line:
 * a line scanner (what sealer does) counts "image:" in ConfigMap strings,
 * custom-resource fields, and misses flow-style YAML. Helm charts are
 * rendered as helm renders them (chart.h: helm's loader, values and engine
 * on the template engine of src/tmpl/), and each template's output is read
 * as a manifest.
 */
#include "discovery/imagelist.h"

#include "discovery/chart.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "syntax/ast.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/files.h"
#include "base/ignore.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "syntax/yamlload.h"

/* ---- entries and the set of images seen ---------------------------------- */

static size_t hash_str(const char *s)
{
	size_t h = 14695981039346656037u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* Adds s to the set; false when it was there already. */
static bool set_add(kf_imagelist *l, const char *s)
{
	if ((l->len + 1) * 2 > l->setcap) {
		size_t cap = l->setcap ? l->setcap * 2 : 64;
		const char **set = kf_xcalloc(cap, sizeof(*set));
		for (size_t i = 0; i < l->setcap; i++)
			if (l->set[i])
				for (size_t j = hash_str(l->set[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
					if (!set[j]) {
						set[j] = l->set[i];
						break;
					}
		free(l->set);
		l->set = set;
		l->setcap = cap;
	}
	for (size_t j = hash_str(s) & (l->setcap - 1);; j = (j + 1) & (l->setcap - 1)) {
		if (!l->set[j]) {
			l->set[j] = s;
			return true;
		}
		if (strcmp(l->set[j], s) == 0)
			return false;
	}
}

void kf_imagelist_init(kf_imagelist *l)
{
	memset(l, 0, sizeof(*l));
	kf_arena_init(&l->arena);
}

void kf_imagelist_release(kf_imagelist *l)
{
	for (size_t i = 0; i < l->nfiles; i++) {
		kf_diag_bag_release(&l->files[i]->diags);
		kf_source_release(&l->files[i]->src);
		free(l->files[i]);
	}
	free(l->files);
	free(l->items);
	free(l->set);
	kf_arena_release(&l->arena);
	memset(l, 0, sizeof(*l));
}

/* ---- one file being read ---------------------------------------------------- */

typedef struct fctx {
	kf_imagelist *l;
	kf_source *src;          /* &own, or &wf->src once a warning moved it there */
	kf_source own;
	kf_imagelist_file *wf;   /* this file's warnings, or NULL */
	const char *file;        /* display name, in the arena */
	const char *app;
	/* the last place offset_of found: walks go forward, and a long line
	 * must not be walked from its start for each of its values */
	size_t cline, ccol;
	uint32_t coff;
	bool cvalid;
} fctx;

static void fctx_open_mem(fctx *f, kf_imagelist *l, const char *display, const char *text, size_t n,
			  const char *app)
{
	memset(f, 0, sizeof(*f));
	f->l = l;
	f->file = kf_arena_strndup(&l->arena, display, strlen(display));
	f->app = app;
	const char *err;
	if (!kf_source_init_mem(&f->own, f->file, text, n, &err))
		kf_source_init_mem(&f->own, f->file, "", 0, &err);
	f->src = &f->own;
}

static void fctx_close(fctx *f)
{
	if (f->src == &f->own)
		kf_source_release(&f->own);
}

static void warnv(fctx *f, uint32_t start, uint32_t end, const char *code, const char *fmt, va_list ap)
{
	kf_imagelist *l = f->l;
	if (!f->wf) {
		f->wf = kf_xcalloc(1, sizeof(*f->wf));
		f->wf->src = f->own;
		f->src = &f->wf->src;
		kf_diag_bag_init(&f->wf->diags, &l->arena);
		if (l->nfiles == l->capfiles) {
			l->capfiles = l->capfiles ? l->capfiles * 2 : 8;
			l->files = kf_xrealloc(l->files, l->capfiles * sizeof(*l->files));
		}
		l->files[l->nfiles++] = f->wf;
	}
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (start > f->src->len)
		start = (uint32_t)f->src->len;
	if (end < start || end > f->src->len)
		end = start;
	kf_diag_add(&f->wf->diags, KF_SEV_WARNING, (kf_span){start, end}, code, "%s", msg);
	l->nwarnings++;
}

static void warn(fctx *f, uint32_t start, uint32_t end, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void warn(fctx *f, uint32_t start, uint32_t end, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	warnv(f, start, end, code, fmt, ap);
	va_end(ap);
}

/* A warning about a file that was not read: at 1:1 of an empty text. */
static void warn_file(kf_imagelist *l, const char *display, const char *app, const char *code,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void warn_file(kf_imagelist *l, const char *display, const char *app, const char *code,
		      const char *fmt, ...)
{
	fctx f;
	fctx_open_mem(&f, l, display, "", 0, app);
	va_list ap;
	va_start(ap, fmt);
	warnv(&f, 0, 0, code, fmt, ap);
	va_end(ap);
	fctx_close(&f);
}

/* False (with a warning, and f closed) when f's text is binary: then
 * there is nothing to scan. */
static bool fctx_check_text(fctx *f)
{
	const char *nul = memchr(f->src->text, '\0', f->src->len);
	if (!nul)
		return true;
	uint32_t off = (uint32_t)(nul - f->src->text);
	warn(f, off, off + 1, "KF302", "binary file (a NUL byte here); not searched for images");
	fctx_close(f);
	return false;
}

/* Reads a file into f. False (with a warning) when it is too large,
 * unreadable or binary: then there is nothing to scan. */
static bool fctx_open_file(fctx *f, kf_imagelist *l, const char *path, const char *display, const char *app)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		warn_file(l, display, app, "KF306", "cannot read the file: %s", strerror(errno));
		return false;
	}
	if ((size_t)st.st_size > KF_IMAGELIST_MAX_FILE) {
		warn_file(l, display, app, "KF303", "the file is larger than %zu MiB; not searched for images",
			  KF_IMAGELIST_MAX_FILE >> 20);
		return false;
	}
	memset(f, 0, sizeof(*f));
	f->l = l;
	f->file = kf_arena_strndup(&l->arena, display, strlen(display));
	f->app = app;
	const char *err;
	if (!kf_source_init_file(&f->own, path, f->file, &err)) {
		warn_file(l, display, app, "KF306", "cannot read the file: %s", err);
		return false;
	}
	f->src = &f->own;
	return fctx_check_text(f);
}

/* The offset in f's text of a 0-based (line, column in code points)
 * position, as libyaml's marks give it. */
static uint32_t offset_of(fctx *f, size_t line, size_t col)
{
	const kf_source *src = f->src;
	if (src->nlines == 0)
		return 0;
	if (line >= src->nlines)
		return (uint32_t)src->len;
	uint32_t off = src->lines[line];
	size_t c = 0;
	if (f->cvalid && f->cline == line && f->ccol <= col) {
		off = f->coff;
		c = f->ccol;
	}
	for (; c < col && off < src->len && src->text[off] != '\n'; c++) {
		uint32_t cp;
		int n = kf_utf8_seqlen((const unsigned char *)src->text + off, src->len - off, &cp);
		off += n > 0 ? (uint32_t)n : 1;
	}
	f->cline = line;
	f->ccol = c;
	f->coff = off;
	f->cvalid = true;
	return off;
}

/* Adds an image found at [start, end) of f's text. Returns false when it
 * is no image reference (a warning says so). */
static bool add_image(fctx *f, kf_str raw, uint32_t start, uint32_t end)
{
	kf_imagelist *l = f->l;
	const char *why;
	char *norm = kf_imageref_normalise_str(raw, &why);
	if (!norm) {
		warn(f, start, end, "KF304", "'%.*s' is not an image reference: %s", (int)(raw.len > 80 ? 80 : raw.len),
		     raw.ptr, why);
		return false;
	}
	const char *image = kf_arena_strndup(&l->arena, norm, strlen(norm));
	free(norm);
	if (!set_add(l, image))
		return true;
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->items = kf_xrealloc(l->items, l->cap * sizeof(*l->items));
	}
	kf_position pos = kf_source_position(f->src, start);
	l->items[l->len++] = (kf_image_entry){
		.image = image,
		.raw = kf_arena_strndup(&l->arena, raw.ptr, raw.len),
		.file = f->file,
		.line = pos.line + 1,
		.col = pos.col32 + 1,
		.app = f->app ? kf_arena_strndup(&l->arena, f->app, strlen(f->app)) : NULL,
	};
	return true;
}

/* Adds an image named by a person, in an image list or an IMAGES word
 * (not a manifest's or a chart's, which the cluster pulls as they are):
 * one without a tag, or with :latest, is a warning, as kflint's KF125. */
static void add_named_image(fctx *f, kf_str raw, uint32_t start, uint32_t end)
{
	if (!add_image(f, raw, start, end) || f->l->allow_unpinned)
		return;
	const char *why = kf_imageref_unpinned(raw);
	if (why)
		warn(f, start, end, "KF310", KF_IMAGEREF_UNPINNED_FMT, (int)(raw.len > 80 ? 80 : raw.len), raw.ptr, why);
}

/* ---- manifests ------------------------------------------------------------------ */

/* Called for each container image scalar; the default adds it. */
typedef void (*image_fn)(fctx *f, const char *value, size_t len, uint32_t start, uint32_t end, void *ud);

typedef struct ywalk {
	fctx *f;
	yaml_document_t *doc;
	image_fn fn;
	void *ud;
	size_t budget;     /* nodes left to visit: aliases can make a walk exponential */
	yaml_node_t *stop; /* where the budget ran out, or NULL */
	yaml_node_t *deep; /* the first node past KF_YAML_MAX_DEPTH (through aliases), or NULL */
	unsigned char *seen;                     /* per node: visited already */
	yaml_node_t *path[KF_YAML_MAX_DEPTH];    /* the nodes being walked, from the root */
	bool again[KF_YAML_MAX_DEPTH];           /* path[i] was visited before (an alias led here) */
} ywalk;

static bool scalar_is(yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static void walk_container(ywalk *w, yaml_node_t *item)
{
	if (!item || item->type != YAML_MAPPING_NODE)
		return;
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		if (!scalar_is(k, "image") || !v || v->type != YAML_SCALAR_NODE || !v->data.scalar.length)
			continue;
		uint32_t start = offset_of(w->f, v->start_mark.line, v->start_mark.column);
		uint32_t end = offset_of(w->f, v->end_mark.line, v->end_mark.column);
		w->fn(w->f, (const char *)v->data.scalar.value, v->data.scalar.length, start, end, w->ud);
	}
}

/* The loader keeps a document within KF_YAML_MAX_DEPTH levels; only
 * aliases can lead a walk deeper. */
static void walk_node(ywalk *w, yaml_node_t *n, int depth)
{
	if (!n || w->stop)
		return;
	if (depth >= KF_YAML_MAX_DEPTH) {
		if (!w->deep)
			w->deep = n;
		return;
	}
	size_t idx = (size_t)(n - w->doc->nodes.start);
	w->path[depth] = n;
	w->again[depth] = w->seen[idx];
	w->seen[idx] = 1;
	if (w->budget == 0) {
		/* blame the node whose alias began the repeated walk */
		int i = 0;
		while (i < depth && !w->again[i])
			i++;
		w->stop = w->path[i > 0 ? i - 1 : i];
		return;
	}
	w->budget--;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
			walk_node(w, yaml_document_get_node(w->doc, *it), depth + 1);
	} else if (n->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(w->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
			if ((scalar_is(k, "containers") || scalar_is(k, "initContainers") ||
			     scalar_is(k, "ephemeralContainers")) &&
			    v && v->type == YAML_SEQUENCE_NODE) {
				for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
				     it++)
					walk_container(w, yaml_document_get_node(w->doc, *it));
			}
			walk_node(w, v, depth + 1);
		}
	}
}

static void add_scalar_image(fctx *f, const char *value, size_t len, uint32_t start, uint32_t end, void *ud)
{
	(void)ud;
	add_image(f, kf_str_make(value, len), start, end);
}

/* The loader's error: KF301 for invalid YAML (libyaml's words), KF308 for
 * a limit. what: what it means for the images ("images after this point are
 * not counted"). */
static void warn_yaml_error(fctx *f, const kf_yaml_loader *ld, const char *what)
{
	const kf_yaml_error *e = &ld->error;
	uint32_t off = offset_of(f, e->mark.line, e->mark.column);
	if (e->kind != KF_YAML_INVALID)
		warn(f, off, off, "KF308", "YAML over a limit: %s; %s", e->problem, what);
	else if (e->context)
		warn(f, off, off, "KF301", "not valid YAML: %s %s; %s", e->problem ? e->problem : "error", e->context,
		     what);
	else
		warn(f, off, off, "KF301", "not valid YAML: %s; %s", e->problem ? e->problem : "error", what);
}

/* Every document of f's text. A YAML error ends the file (libyaml cannot
 * go on after one) with a warning where it is; what came before counts.
 * The walks of the file may visit each node once, and KF_YAML_WALK_EXTRA
 * more nodes in all through aliases. */
static void scan_yaml_text(fctx *f, const char *text, size_t len, image_fn fn, void *ud)
{
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, len, NULL);
	size_t extra = KF_YAML_WALK_EXTRA;
	bool deep = false;
	for (;;) {
		yaml_document_t doc;
		kf_yaml_status r = kf_yaml_load(&ld, &doc);
		if (r == KF_YAML_ERROR)
			warn_yaml_error(f, &ld, "images after this point are not counted");
		if (r != KF_YAML_DOC)
			break;
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) {
			yaml_document_delete(&doc);
			break;
		}
		size_t nodes = kf_yaml_node_count(&doc);
		ywalk *w = kf_xcalloc(1, sizeof(*w));
		w->f = f;
		w->doc = &doc;
		w->fn = fn;
		w->ud = ud;
		w->budget = nodes + extra;
		w->seen = kf_xcalloc(nodes, 1);
		walk_node(w, root, 0);
		free(w->seen);
		size_t visited = nodes + extra - w->budget;
		if (visited > nodes)
			extra -= visited - nodes;
		if (w->deep && !deep) {
			uint32_t off = offset_of(f, w->deep->start_mark.line, w->deep->start_mark.column);
			warn(f, off, off, "KF308", "YAML over a limit: nested deeper than %d levels through aliases; "
						   "not searched below",
			     KF_YAML_MAX_DEPTH);
			deep = true;
		}
		if (w->stop) {
			uint32_t off = offset_of(f, w->stop->start_mark.line, w->stop->start_mark.column);
			yaml_document_delete(&doc);
			warn(f, off, off, "KF308", "YAML over a limit: more than %d nodes visited through aliases; "
						   "the rest of the file is not searched",
			     KF_YAML_WALK_EXTRA);
			free(w);
			break;
		}
		free(w);
		yaml_document_delete(&doc);
	}
	kf_yaml_loader_release(&ld);
}

/* ---- image lists ----------------------------------------------------------------- */

static void scan_list_text(fctx *f)
{
	const kf_source *src = f->src;
	for (uint32_t i = 0; i < src->nlines; i++) {
		kf_str line = kf_source_line_text(src, i);
		uint32_t start = (uint32_t)(line.ptr - src->text);
		while (line.len && (line.ptr[0] == ' ' || line.ptr[0] == '\t')) {
			line.ptr++;
			line.len--;
			start++;
		}
		while (line.len && (line.ptr[line.len - 1] == ' ' || line.ptr[line.len - 1] == '\t' ||
				    line.ptr[line.len - 1] == '\r'))
			line.len--;
		if (!line.len || line.ptr[0] == '#')
			continue;
		add_named_image(f, line, start, start + (uint32_t)line.len);
	}
}

static void list_file(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	fctx f;
	if (!fctx_open_file(&f, l, path, display, app))
		return;
	scan_list_text(&f);
	fctx_close(&f);
}

void kf_imagelist_scan_list(kf_imagelist *l, const char *path, const char *app)
{
	list_file(l, path, path, app);
}

/* ---- Kubefiles ---------------------------------------------------------------------- */

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return kf_xstrdup(".");
	kf_buf b = KF_BUF_INIT;
	kf_buf_add(&b, path, (size_t)(slash - path) + (slash == path));
	return kf_buf_detach(&b, NULL);
}

static void kubefile(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	fctx f;
	if (!fctx_open_file(&f, l, path, display, app))
		return;
	kf_document *doc = kf_parse(f.src);
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->kind != KF_INSTR_IMAGES)
			continue;
		uint32_t nflags;
		const kf_flag *flags = kf_instr_flags(in, &nflags);
		for (uint32_t k = 0; k < nflags; k++) {
			if (!kf_str_eq_cstr(flags[k].name, "file") || !flags[k].value.len)
				continue;
			if (memchr(flags[k].value.ptr, '$', flags[k].value.len)) {
				warn(&f, flags[k].span.start, flags[k].span.end, "KF307",
				     "the image list's name holds a variable; not read");
				continue;
			}
			/* relative to the Kubefile's folder, the build context it is usually in */
			char *dir = dir_of(path), *ddir = dir_of(display);
			kf_buf p = KF_BUF_INIT, d = KF_BUF_INIT;
			kf_buf_printf(&p, "%s/%.*s", dir, (int)flags[k].value.len, flags[k].value.ptr);
			kf_buf_printf(&d, "%s/%.*s", ddir, (int)flags[k].value.len, flags[k].value.ptr);
			list_file(l, p.ptr, d.ptr, app);
			kf_buf_release(&p);
			kf_buf_release(&d);
			free(dir);
			free(ddir);
		}
		for (uint32_t k = 0; k < in->nargs; k++) {
			kf_str r = in->args[k].text;
			if (in->form != KF_FORM_JSON && r.len >= 2 && (r.ptr[0] == '"' || r.ptr[0] == '\'') &&
			    r.ptr[r.len - 1] == r.ptr[0]) {
				r.ptr++;
				r.len -= 2;
			}
			if (memchr(r.ptr, '$', r.len)) {
				warn(&f, in->args[k].span.start, in->args[k].span.end, "KF307",
				     "'%.*s' holds a variable; known only at build time", (int)r.len, r.ptr);
				continue;
			}
			add_named_image(&f, r, in->args[k].span.start, in->args[k].span.end);
		}
	}
	kf_document_free(doc);
	fctx_close(&f);
}

/* ---- Helm charts ------------------------------------------------------------------------- */

/* a problem of chart.c/render.c as a warning of the file it is in */
typedef struct chart_ctx {
	kf_imagelist *l;
	const char *app;
} chart_ctx;

static void chart_report(void *ud, const char *display, const char *text, size_t len, uint32_t line, uint32_t col,
			 const char *code, const char *msg)
{
	chart_ctx *cc = ud;
	fctx f;
	fctx_open_mem(&f, cc->l, display, text ? text : "", text ? len : 0, cc->app);
	uint32_t off = 0;
	const kf_source *src = f.src;
	if (line >= 1 && line <= src->nlines) {
		off = src->lines[line - 1];
		if (col >= 1)
			off += col - 1;
		if (off > src->len)
			off = (uint32_t)src->len;
	}
	warn(&f, off, off, code, "%s", msg);
	fctx_close(&f);
}

/* a rendered template: its images, located in its output */
static void chart_output(void *ud, const char *name, const kf_chart_file *cf, const char *text, size_t len)
{
	(void)name;
	chart_ctx *cc = ud;
	char *copy = kf_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	kf_chart_blank_skipped(copy, len);
	fctx f;
	fctx_open_mem(&f, cc->l, cf->display, copy, len, cc->app);
	free(copy);
	scan_yaml_text(&f, f.src->text, f.src->len, add_scalar_image, NULL);
	fctx_close(&f);
}

/* the values a chart is rendered with: sealos's charts/<name>.values.yaml
 * beside it (dialect sealos), then the caller's -f and --set */
static kf_tv chart_values(kf_imagelist *l, kf_chart_tree *t, const char *path, const kf_chart_report *rep)
{
	kf_tv vals = kf_tv_new_map(&t->arena);
	if (l->sealos && path) {
		char *dir = dir_of(path);
		kf_buf name = KF_BUF_INIT;
		kf_buf_printf(&name, "%s.values.yaml", t->root->name);
		char *side = kf_path_join(dir, name.ptr);
		kf_source src;
		const char *err;
		struct stat st;
		if (stat(side, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= KF_IMAGELIST_MAX_FILE &&
		    kf_source_init_file(&src, side, side, &err)) {
			kf_buf e = KF_BUF_INIT;
			if (!kf_chart_merge_values_file(&t->arena, vals, src.text, src.len, &e))
				rep->report(rep->ud, side, src.text, src.len, 0, 0, "KF301", e.ptr ? e.ptr : "not valid YAML");
			kf_buf_release(&e);
			kf_source_release(&src);
		}
		free(side);
		kf_buf_release(&name);
		free(dir);
	}
	if (l->values.kind == KF_TV_MAP)
		vals = kf_chart_merge_maps(&t->arena, vals, l->values);
	return vals;
}

static void scan_chart_tree(kf_imagelist *l, kf_chart_tree *t, const char *path, const char *app)
{
	chart_ctx cc = {l, app};
	kf_chart_report rep = {chart_report, &cc};
	kf_chart_render(t, chart_values(l, t, path, &rep), &rep, chart_output, &cc);
}

static void scan_chart_dir(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	chart_ctx cc = {l, app};
	kf_chart_report rep = {chart_report, &cc};
	kf_chart_tree *t = kf_chart_load_dir(path, display, &rep);
	if (t)
		scan_chart_tree(l, t, path, app);
	kf_chart_tree_free(t);
}

/* A packaged chart: a tar.gz holding <dir>/Chart.yaml. quiet: a .tgz that
 * is not a chart is skipped without a word (it is met while walking). */
static void scan_tgz_chart(kf_imagelist *l, const char *path, const char *display, const char *app, bool quiet)
{
	chart_ctx cc = {l, app};
	kf_chart_report rep = {chart_report, &cc};
	kf_chart_tree *t = kf_chart_load_tgz(path, NULL, 0, display, &rep, quiet);
	if (t)
		scan_chart_tree(l, t, path, app);
	kf_chart_tree_free(t);
}

static void render_output(void *ud, const char *name, const kf_chart_file *cf, const char *text, size_t len)
{
	(void)cf;
	kf_chart_manifests_add(ud, name, text, len);
}

bool kf_imagelist_render_chart(kf_imagelist *l, const char *path, kf_buf *out)
{
	chart_ctx cc = {l, NULL};
	kf_chart_report rep = {chart_report, &cc};
	struct stat st;
	kf_chart_tree *t;
	if (stat(path, &st) != 0) {
		warn_file(l, path, NULL, "KF306", "cannot read: %s", strerror(errno));
		return false;
	}
	if (S_ISDIR(st.st_mode))
		t = kf_chart_load_dir(path, path, &rep);
	else
		t = kf_chart_load_tgz(path, NULL, 0, path, &rep, false);
	if (!t)
		return false;
	kf_chart_manifests *m = kf_chart_manifests_new();
	kf_chart_render(t, chart_values(l, t, path, &rep), &rep, render_output, m);
	kf_chart_manifests_print(m, out);
	kf_chart_manifests_free(m);
	kf_chart_tree_free(t);
	return true;
}

/* ---- walking ------------------------------------------------------------------------- */

static void manifest(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	fctx f;
	if (!fctx_open_file(&f, l, path, display, app))
		return;
	scan_yaml_text(&f, f.src->text, f.src->len, add_scalar_image, NULL);
	fctx_close(&f);
}

void kf_imagelist_scan_manifest_text(kf_imagelist *l, const char *display, const char *text, size_t len)
{
	fctx f;
	if (len > KF_IMAGELIST_MAX_FILE) {
		warn_file(l, display, NULL, "KF303", "the file is larger than %zu MiB; not searched for images",
			  KF_IMAGELIST_MAX_FILE >> 20);
		return;
	}
	fctx_open_mem(&f, l, display, text, len, NULL);
	if (!fctx_check_text(&f))
		return;
	scan_yaml_text(&f, f.src->text, f.src->len, add_scalar_image, NULL);
	fctx_close(&f);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* named: the file was named by the caller, not met while walking */
static void scan_file(kf_imagelist *l, const char *path, const char *display, const char *app, bool named)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (kf_is_kubefile_name(base))
		kubefile(l, path, display, app);
	else if (strcmp(base, "imageList") == 0)
		list_file(l, path, display, app);
	else if (has_suffix(base, ".tgz") || has_suffix(base, ".tar.gz"))
		scan_tgz_chart(l, path, display, app, !named);
	else if (named || has_suffix(base, ".yaml") || has_suffix(base, ".yml") || has_suffix(base, ".json"))
		manifest(l, path, display, app);
}

/* Does the caller's ignore file leave path out? */
static bool left_out(const kf_imagelist *l, const char *path, bool is_dir)
{
	if (!l->ignore || !l->ignore_root)
		return false;
	size_t n = strlen(l->ignore_root);
	while (n > 1 && l->ignore_root[n - 1] == '/')
		n--;
	if (strncmp(path, l->ignore_root, n) != 0 || path[n] != '/')
		return false;
	return kf_ignore_pick_entry(l->ignore, path + n + 1, is_dir) == KF_IGNORE_SKIP;
}

static void scan_dir(kf_imagelist *l, const char *path, const char *display, const char *app, int depth)
{
	if (kf_chart_is_dir(path)) {
		scan_chart_dir(l, path, display, app);
		return;
	}
	struct dirent **ents;
	int n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		warn_file(l, display, app, "KF306", "cannot read the folder: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.') {
			char *p = kf_path_join(path, name), *d = display[0] ? kf_path_join(display, name) : kf_xstrdup(name);
			struct stat st;
			if (stat(p, &st) != 0 || left_out(l, p, S_ISDIR(st.st_mode))) {
				/* gone, or left out */
			} else if (S_ISDIR(st.st_mode)) {
				if (depth < 64)
					scan_dir(l, p, d, app, depth + 1);
			} else if (S_ISREG(st.st_mode)) {
				scan_file(l, p, d, app, false);
			}
			free(p);
			free(d);
		}
		free(ents[i]);
	}
	free(ents);
}

static void scan_path(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		warn_file(l, display, app, "KF306", "cannot read: %s", strerror(errno));
		return;
	}
	if (left_out(l, path, S_ISDIR(st.st_mode)))
		return;
	if (S_ISDIR(st.st_mode))
		scan_dir(l, path, display, app, 0);
	else
		scan_file(l, path, display, app, true);
}

void kf_imagelist_scan_paths(kf_imagelist *l, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scan_path(l, paths[i], paths[i], NULL);
}

/* sealos's .sealignore: the images (as written, and normalised) to leave
 * out of what sealos build saves */
static void sealignore(kf_imagelist *l, const char *ctx)
{
	char *path = kf_path_join(ctx, ".sealignore");
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return;
	KF_VEC(char *) skip = {0};
	char line[4096];
	while (fgets(line, sizeof line, f)) {
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strcspn(p, "\r\n");
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		p[n] = '\0';
		if (!*p || *p == '#')
			continue;
		kf_vec_push(&skip, kf_xstrdup(p));
		const char *why;
		char *norm = kf_imageref_normalise_str(kf_str_cstr(p), &why);
		if (norm)
			kf_vec_push(&skip, norm);
	}
	fclose(f);
	size_t k = 0;
	for (size_t i = 0; i < l->len; i++) {
		bool out = false;
		for (size_t j = 0; j < skip.n && !out; j++)
			out = strcmp(skip.v[j], l->items[i].image) == 0 || (l->items[i].raw && strcmp(skip.v[j], l->items[i].raw) == 0);
		if (!out)
			l->items[k++] = l->items[i];
	}
	l->len = k;
	for (size_t j = 0; j < skip.n; j++)
		free(skip.v[j]);
	kf_vec_free(&skip);
}

void kf_imagelist_scan_context(kf_imagelist *l, const char *ctx)
{
	bool sealos = l->sealos;
	l->sealos = true;
	struct stat st;
	/* charts/: each folder and each *tgz is a chart (sealos's
	 * getChartSub1Paths); its other files (the sidecar values) are not */
	char *charts = kf_path_join(ctx, "charts");
	struct dirent **names;
	int n = left_out(l, charts, true) ? -1 : scandir(charts, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		char *p = kf_path_join(charts, name);
		if (name[0] != '.' && stat(p, &st) == 0 && !left_out(l, p, S_ISDIR(st.st_mode))) {
			if (S_ISDIR(st.st_mode))
				scan_dir(l, p, p, NULL, 0);
			else if (S_ISREG(st.st_mode) && has_suffix(name, "tgz"))
				scan_tgz_chart(l, p, p, NULL, false);
		}
		free(p);
		free(names[i]);
	}
	if (n > 0)
		free(names);
	free(charts);
	char *manifests = kf_path_join(ctx, "manifests");
	if (stat(manifests, &st) == 0 && S_ISDIR(st.st_mode) && !left_out(l, manifests, true))
		scan_dir(l, manifests, manifests, NULL, 0);
	free(manifests);
	char *shim = kf_path_join(ctx, "images/shim");
	n = scandir(shim, &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		char *p = kf_path_join(shim, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(p, &st) == 0 && S_ISREG(st.st_mode) && !left_out(l, p, false))
			list_file(l, p, p, NULL);
		free(p);
		free(names[i]);
	}
	if (n > 0)
		free(names);
	free(shim);
	sealignore(l, ctx);
	l->sealos = sealos;
}

void kf_imagelist_scan_rootfs(kf_imagelist *l, const char *rootfs)
{
	static const char *const dirs[] = {"manifests", "charts"};
	struct stat st;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char *p = kf_path_join(rootfs, dirs[i]);
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			scan_dir(l, p, dirs[i], NULL, 0);
		free(p);
	}
	char *apps = kf_path_join(rootfs, "application/apps");
	struct dirent **ents;
	int n = scandir(apps, &ents, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.') {
			char *p = kf_path_join(apps, name), *d = kf_path_join("application/apps", name);
			if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
				scan_dir(l, p, d, name, 0);
			free(p);
			free(d);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
	free(apps);
}
