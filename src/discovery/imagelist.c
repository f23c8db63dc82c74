/* imagelist.c - see imagelist.h and docs/imagelist.md.
 *
 * Manifests are read with the project's YAML loader (yamlload.h: libyaml's
 * events, with limits), not scanned by line:
 * a line scanner (what sealer does) counts "image:" in ConfigMap strings,
 * custom-resource fields, and misses flow-style YAML. Helm templates are
 * made into YAML first: actions alone on a line become blank lines (so
 * every line keeps its number), actions inside a line are evaluated against
 * the chart's values when they are simple enough, and replaced by a marker
 * when they are not, so that an image built from them is reported as
 * unresolved instead of guessed.
 */
#include "discovery/imagelist.h"

#include <archive.h>
#include <archive_entry.h>
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

/* ---- Helm charts: the files of a chart -------------------------------------------- */

/* A chart's files, from a directory or read out of a .tgz. */
typedef struct vfile {
	char *rel;    /* path inside the tree, "/"-separated */
	char *fspath; /* on disk, or NULL when data holds the bytes */
	char *data;
	size_t len;
} vfile;

typedef struct vfs {
	KF_VEC(vfile) files;
	char *display; /* what rel is displayed under: "dir" or "x.tgz!" */
} vfs;

static void vfs_free(vfs *v)
{
	for (size_t i = 0; i < v->files.n; i++) {
		free(v->files.v[i].rel);
		free(v->files.v[i].fspath);
		free(v->files.v[i].data);
	}
	kf_vec_free(&v->files);
	free(v->display);
}

static int vfile_cmp(const void *a, const void *b)
{
	return strcmp(((const vfile *)a)->rel, ((const vfile *)b)->rel);
}

static void vfs_walk(vfs *v, const char *dir, const char *rel, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.' && v->files.n < 100000) {
			char *p = kf_path_join(dir, name);
			char *r = rel[0] ? kf_path_join(rel, name) : kf_xstrdup(name);
			struct stat st;
			if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth < 32) {
				vfs_walk(v, p, r, depth + 1);
				free(p);
				free(r);
			} else if (S_ISREG(st.st_mode)) {
				kf_vec_push(&v->files, ((vfile){r, p, NULL, 0}));
			} else {
				free(p);
				free(r);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

/* Reads a gzip'd tar (from a file, or from memory when data is not NULL)
 * into v. False with err set when it is no archive libarchive can read. */
static bool vfs_read_tgz(vfs *v, const char *path, const char *data, size_t len, kf_err *err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	int r = data ? archive_read_open_memory(a, data, len) : archive_read_open_filename(a, path, 65536);
	bool ok = r == ARCHIVE_OK;
	size_t total = 0;
	struct archive_entry *e;
	err->msg[0] = '\0';
	while (ok && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname(e);
		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		int64_t size = archive_entry_size(e);
		if (!name || size < 0 || (size_t)size > KF_IMAGELIST_MAX_FILE ||
		    (total += (size_t)size) > 8 * KF_IMAGELIST_MAX_FILE) {
			ok = kf_err_set(err, "an entry is larger than the limit");
			break;
		}
		char *buf = kf_xmalloc((size_t)size + 1);
		la_ssize_t got = archive_read_data(a, buf, (size_t)size);
		if (got != size) {
			free(buf);
			ok = kf_err_set(err, "%s", archive_error_string(a) ? archive_error_string(a) : "short read");
			break;
		}
		kf_vec_push(&v->files, ((vfile){kf_xstrdup(name), NULL, buf, (size_t)size}));
	}
	if ((ok && r != ARCHIVE_EOF) || (!ok && !err->msg[0]))
		ok = kf_err_set(err, "%s", archive_error_string(a) ? archive_error_string(a) : "not an archive");
	archive_read_free(a);
	if (v->files.n)
		qsort(v->files.v, v->files.n, sizeof(vfile), vfile_cmp);
	return ok;
}

static const vfile *vfs_find(const vfs *v, const char *base, const char *name)
{
	size_t nb = strlen(base);
	for (size_t i = 0; i < v->files.n; i++)
		if (strncmp(v->files.v[i].rel, base, nb) == 0 && strcmp(v->files.v[i].rel + nb, name) == 0)
			return &v->files.v[i];
	return NULL;
}

static char *vfile_display(const vfs *v, const vfile *vf)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "%s/%s", v->display, vf->rel);
	return kf_buf_detach(&b, NULL);
}

static bool vfs_open(fctx *f, kf_imagelist *l, const vfs *v, const vfile *vf, const char *app)
{
	char *display = vfile_display(v, vf);
	bool ok;
	if (vf->fspath) {
		ok = fctx_open_file(f, l, vf->fspath, display, app);
	} else {
		fctx_open_mem(f, l, display, vf->data, vf->len, app);
		ok = fctx_check_text(f);
	}
	free(display);
	return ok;
}

/* ---- Helm charts: values ------------------------------------------------------------- */

/* A values document seen from a chart: a subchart sees its parent's values
 * under its name (prefix), before its own. */
typedef struct vroot {
	kf_yaml_index *ix; /* the document, indexed: templates look up many keys */
	const char *prefix[8];
	int nprefix;
} vroot;

typedef struct define {
	char *name;
	char *body;
} define;

typedef KF_VEC(define) define_vec;

typedef struct chart {
	kf_imagelist *l;
	const char *app;
	const vfs *fs;
	const char *base; /* the chart's folder inside fs: "" or "charts/app1/" */
	char *name, *app_version, *version;
	vroot roots[8];
	int nroots;
	yaml_document_t values;
	kf_yaml_index values_ix;
	bool has_values;
	define_vec *defines;
	int depth;
} chart;

typedef struct ynode {
	yaml_document_t *doc;
	yaml_node_t *n;
} ynode;

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *n, const char *key, size_t klen)
{
	if (!n || n->type != YAML_MAPPING_NODE)
		return NULL;
	yaml_node_t *found = NULL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == klen &&
		    memcmp(k->data.scalar.value, key, klen) == 0)
			found = yaml_document_get_node(doc, p->value); /* the last one wins, as in helm */
	}
	return found;
}

static bool is_null(const yaml_node_t *n)
{
	if (!n)
		return true;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *v = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* path: dot-separated keys under .Values ("" is .Values itself) */
static ynode walk_path(kf_yaml_index *ix, const char *const *prefix, int nprefix, const char *path)
{
	yaml_node_t *n = yaml_document_get_root_node(ix->doc);
	for (int i = 0; i < nprefix && n; i++)
		n = kf_yaml_index_get(ix, n, prefix[i], strlen(prefix[i]));
	const char *p = path;
	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t klen = dot ? (size_t)(dot - p) : strlen(p);
		n = kf_yaml_index_get(ix, n, p, klen);
		p += klen + (dot != NULL);
	}
	return (ynode){ix->doc, is_null(n) ? NULL : n};
}

static ynode values_lookup(const chart *c, const char *path)
{
	for (int i = 0; i < c->nroots; i++) {
		ynode y = walk_path(c->roots[i].ix, c->roots[i].prefix, c->roots[i].nprefix, path);
		if (y.n)
			return y;
	}
	/* .Values.global is shared by a chart and all its subcharts */
	if (strncmp(path, "global", 6) == 0 && (path[6] == '.' || !path[6]))
		for (int i = 0; i < c->nroots; i++) {
			ynode y = walk_path(c->roots[i].ix, NULL, 0, path);
			if (y.n)
				return y;
		}
	return (ynode){NULL, NULL};
}

/* ---- Helm charts: evaluating simple template actions ------------------------------ */

typedef enum vkind { V_ERR, V_NIL, V_STR, V_ROOT, V_PATH } vkind;

typedef struct val {
	vkind k;
	const char *s; /* V_STR: the text; V_PATH: the path under .Values */
} val;

/* include and template calls rendered for one template file at most: a
 * define that calls the next one ten times, seven deep, is ten million */
#define KF_TEMPLATE_MAX_CALLS 10000

typedef struct ev {
	const chart *c;
	kf_arena *a;
	val ctx; /* what "." is */
	int depth;
	size_t *calls; /* include and template calls so far, for this file */
} ev;

static const val verr = {V_ERR, NULL};

static val vstr(ev *E, const char *p, size_t n)
{
	return (val){V_STR, kf_arena_strndup(E->a, p, n)};
}

static void skip_ws(const char **pp, const char *e)
{
	while (*pp < e && (**pp == ' ' || **pp == '\t' || **pp == '\n' || **pp == '\r'))
		(*pp)++;
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

static val render_text(ev *E, const char *p, const char *e);

/* A V_PATH or V_ROOT made concrete: a scalar becomes V_STR, a missing
 * value V_NIL; a map stays a V_PATH. */
static val resolve(ev *E, val v)
{
	if (v.k != V_PATH)
		return v;
	ynode y = values_lookup(E->c, v.s);
	if (!y.n)
		return (val){V_NIL, NULL};
	if (y.n->type == YAML_SCALAR_NODE)
		return vstr(E, (const char *)y.n->data.scalar.value, y.n->data.scalar.length);
	return v;
}

/* The image a values map names: [registry/]repository[:tag][@digest], the
 * the tag defaulting to the chart's appVersion when there is no digest
 * (the form of helm create's templates and of the common image helpers). */
static val compose_image(ev *E, const char *path)
{
	char key[512];
#define PART(name) (snprintf(key, sizeof(key), "%s%s" name, path, path[0] ? "." : ""), resolve(E, (val){V_PATH, key}))
	val repo = PART("repository"), reg = PART("registry"), tag = PART("tag"), dig = PART("digest");
#undef PART
	if (repo.k != V_STR || !repo.s[0] || (reg.k != V_STR && reg.k != V_NIL) ||
	    (tag.k != V_STR && tag.k != V_NIL) || (dig.k != V_STR && dig.k != V_NIL))
		return verr;
	kf_buf b = KF_BUF_INIT;
	if (reg.k == V_STR && reg.s[0])
		kf_buf_printf(&b, "%s/", reg.s);
	kf_buf_adds(&b, repo.s);
	bool has_digest = dig.k == V_STR && dig.s[0];
	const char *t = tag.k == V_STR && tag.s[0] ? tag.s : has_digest ? NULL : E->c->app_version;
	if (t && t[0])
		kf_buf_printf(&b, ":%s", t);
	if (dig.k == V_STR && dig.s[0])
		kf_buf_printf(&b, "@%s", dig.s);
	val r = vstr(E, b.ptr, b.len);
	kf_buf_release(&b);
	return r;
}

/* The text of a value, as the template would print it; NULL if unknown. */
static const char *to_text(ev *E, val v)
{
	v = resolve(E, v);
	if (v.k == V_STR)
		return v.s;
	if (v.k == V_NIL)
		return ""; /* helm prints a missing value as nothing */
	if (v.k == V_PATH) {
		val img = compose_image(E, v.s);
		return img.k == V_STR ? img.s : NULL;
	}
	return NULL;
}

static bool is_empty(ev *E, val v)
{
	v = resolve(E, v);
	return v.k == V_NIL || (v.k == V_STR && (!v.s[0] || strcmp(v.s, "false") == 0));
}

static const define *find_define(const chart *c, const char *name)
{
	for (size_t i = 0; i < c->defines->n; i++)
		if (strcmp(c->defines->v[i].name, name) == 0)
			return &c->defines->v[i];
	return NULL;
}

static val call(ev *E, const char *fn, val *args, int n)
{
	if (strcmp(fn, "default") == 0 && n == 2)
		return is_empty(E, args[1]) ? args[0] : args[1];
	if ((strcmp(fn, "quote") == 0 || strcmp(fn, "squote") == 0) && n == 1) {
		const char *t = to_text(E, args[0]);
		char q = fn[0] == 'q' ? '"' : '\'';
		return t ? (val){V_STR, kf_arena_printf(E->a, "%c%s%c", q, t, q)} : verr;
	}
	if ((strcmp(fn, "toString") == 0 || strcmp(fn, "required") == 0) && n >= 1) {
		const char *t = to_text(E, args[n - 1]);
		return t ? (val){V_STR, t} : verr;
	}
	if ((strcmp(fn, "trim") == 0 || strcmp(fn, "lower") == 0 || strcmp(fn, "upper") == 0) && n == 1) {
		const char *t = to_text(E, args[0]);
		if (!t)
			return verr;
		while (*t == ' ' || *t == '\t' || *t == '\n')
			t++;
		char *s = kf_arena_strndup(E->a, t, strlen(t));
		for (size_t k = strlen(s); k && (s[k - 1] == ' ' || s[k - 1] == '\t' || s[k - 1] == '\n'); k--)
			s[k - 1] = '\0';
		for (char *q = s; *q; q++)
			if (fn[0] == 'l' && *q >= 'A' && *q <= 'Z')
				*q = (char)(*q - 'A' + 'a');
			else if (fn[0] == 'u' && *q >= 'a' && *q <= 'z')
				*q = (char)(*q - 'a' + 'A');
		return (val){V_STR, s};
	}
	if (strcmp(fn, "print") == 0) {
		kf_buf b = KF_BUF_INIT;
		for (int i = 0; i < n; i++) {
			const char *t = to_text(E, args[i]);
			if (!t) {
				kf_buf_release(&b);
				return verr;
			}
			kf_buf_adds(&b, t);
		}
		val r = vstr(E, b.ptr ? b.ptr : "", b.len);
		kf_buf_release(&b);
		return r;
	}
	if (strcmp(fn, "printf") == 0 && n >= 1) {
		const char *f = to_text(E, args[0]);
		if (!f)
			return verr;
		kf_buf b = KF_BUF_INIT;
		int ai = 1;
		for (; *f; f++) {
			if (*f != '%') {
				kf_buf_addc(&b, *f);
			} else if (f[1] == '%') {
				kf_buf_addc(&b, '%');
				f++;
			} else if ((f[1] == 's' || f[1] == 'v' || f[1] == 'd') && ai < n) {
				const char *t = to_text(E, args[ai++]);
				if (!t) {
					kf_buf_release(&b);
					return verr;
				}
				kf_buf_adds(&b, t);
				f++;
			} else {
				kf_buf_release(&b);
				return verr;
			}
		}
		val r = vstr(E, b.ptr ? b.ptr : "", b.len);
		kf_buf_release(&b);
		return r;
	}
	if ((strcmp(fn, "include") == 0 || strcmp(fn, "template") == 0) && n == 2 && args[0].k == V_STR) {
		const define *d = find_define(E->c, args[0].s);
		val r = verr;
		if (d && E->depth < 8 && (args[1].k == V_ROOT || args[1].k == V_PATH) &&
		    ++*E->calls <= KF_TEMPLATE_MAX_CALLS) {
			ev sub = {E->c, E->a, args[1], E->depth + 1, E->calls};
			r = render_text(&sub, d->body, d->body + strlen(d->body));
		}
		/* a helper given an image map: the map's image (see compose_image) */
		if (r.k == V_ERR && args[1].k == V_PATH)
			r = compose_image(E, args[1].s);
		return r;
	}
	return verr;
}

static val eval_pipeline(ev *E, const char **pp, const char *e);

/* .A.B.C applied to base */
static val fields(ev *E, val base, const char **pp, const char *e)
{
	kf_buf path = KF_BUF_INIT;
	val r = base;
	while (*pp < e && **pp == '.' && *pp + 1 < e && ident_char((*pp)[1])) {
		const char *s = ++*pp;
		while (*pp < e && ident_char(**pp))
			(*pp)++;
		size_t n = (size_t)(*pp - s);
		if (r.k == V_ROOT) {
			if (n == 6 && memcmp(s, "Values", 6) == 0) {
				r = (val){V_PATH, ""};
			} else if (n == 5 && memcmp(s, "Chart", 5) == 0 && *pp < e && **pp == '.') {
				const char *f = *pp + 1, *fe = f;
				while (fe < e && ident_char(*fe))
					fe++;
				size_t fn = (size_t)(fe - f);
				const char *v = fn == 10 && memcmp(f, "AppVersion", 10) == 0 ? E->c->app_version
					      : fn == 4 && memcmp(f, "Name", 4) == 0	 ? E->c->name
					      : fn == 7 && memcmp(f, "Version", 7) == 0	 ? E->c->version
											 : NULL;
				*pp = fe;
				r = v ? (val){V_STR, kf_arena_strndup(E->a, v, strlen(v))} : verr;
			} else {
				r = verr; /* .Release, .Capabilities, .Files…: known only to helm */
			}
		} else if (r.k == V_PATH) {
			kf_buf_reset(&path);
			kf_buf_printf(&path, "%s%s%.*s", r.s, r.s[0] ? "." : "", (int)n, s);
			r = (val){V_PATH, kf_arena_strndup(E->a, path.ptr, path.len)};
		} else {
			r = verr;
		}
	}
	kf_buf_release(&path);
	return r;
}

static val operand(ev *E, const char **pp, const char *e)
{
	const char *p = *pp;
	if (p >= e)
		return verr;
	if (*p == '"') {
		kf_buf b = KF_BUF_INIT;
		for (p++; p < e && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < e) {
				p++;
				kf_buf_addc(&b, *p == 'n' ? '\n' : *p == 't' ? '\t' : *p);
			} else {
				kf_buf_addc(&b, *p);
			}
		}
		*pp = p < e ? p + 1 : p;
		val r = vstr(E, b.ptr ? b.ptr : "", b.len);
		kf_buf_release(&b);
		return r;
	}
	if (*p == '`') {
		const char *s = ++p;
		while (p < e && *p != '`')
			p++;
		*pp = p < e ? p + 1 : p;
		return vstr(E, s, (size_t)(p - s));
	}
	if (*p == '(') {
		*pp = p + 1;
		val r = eval_pipeline(E, pp, e);
		skip_ws(pp, e);
		if (*pp < e && **pp == ')')
			(*pp)++;
		else
			r = verr;
		return r;
	}
	if (*p == '.') {
		if (p + 1 < e && ident_char(p[1]))
			return fields(E, E->ctx, pp, e);
		*pp = p + 1;
		return E->ctx;
	}
	if (*p == '$') {
		*pp = p + 1;
		if (*pp < e && ident_char(**pp)) { /* a variable: not followed */
			while (*pp < e && ident_char(**pp))
				(*pp)++;
			return verr;
		}
		return fields(E, (val){V_ROOT, NULL}, pp, e);
	}
	if ((*p >= '0' && *p <= '9') || *p == '-') {
		const char *s = p++;
		while (p < e && (ident_char(*p) || *p == '.'))
			p++;
		*pp = p;
		return vstr(E, s, (size_t)(p - s));
	}
	while (p < e && !strchr(" \t\n\r|()", *p))
		p++;
	*pp = p;
	return verr;
}

/* cmd ("|" cmd)*, up to ")" or e; the value piped in is the last argument */
static val eval_pipeline(ev *E, const char **pp, const char *e)
{
	val cur = verr;
	bool have = false;
	for (;;) {
		skip_ws(pp, e);
		char fn[32] = "";
		if (*pp < e && ((**pp >= 'a' && **pp <= 'z') || (**pp >= 'A' && **pp <= 'Z'))) {
			const char *s = *pp;
			while (*pp < e && ident_char(**pp))
				(*pp)++;
			snprintf(fn, sizeof(fn), "%.*s", (int)(*pp - s), s);
		}
		val args[9];
		int n = 0;
		for (;;) {
			skip_ws(pp, e);
			if (*pp >= e || **pp == '|' || **pp == ')')
				break;
			if (n == 8)
				return verr;
			args[n++] = operand(E, pp, e);
		}
		if (have) {
			if (!fn[0])
				return verr;
			args[n++] = cur;
		}
		if (fn[0]) {
			if (strcmp(fn, "true") == 0 || strcmp(fn, "false") == 0 || strcmp(fn, "nil") == 0)
				cur = n == 0 ? (fn[0] == 'n' ? (val){V_NIL, NULL} : vstr(E, fn, strlen(fn))) : verr;
			else
				cur = call(E, fn, args, n);
		} else {
			cur = n == 1 ? args[0] : verr;
		}
		have = true;
		skip_ws(pp, e);
		if (*pp < e && **pp == '|') {
			(*pp)++;
			continue;
		}
		return cur;
	}
}

/* An action "{{ … }}" starting at p; returns its end (after "}}"), or e.
 * Quoted strings inside are skipped, so "}}" in them does not end it. */
static const char *action_end(const char *p, const char *e)
{
	for (p += 2; p + 1 < e; p++) {
		if (*p == '"' || *p == '`') {
			char q = *p;
			for (p++; p < e && *p != q; p++)
				if (q == '"' && *p == '\\')
					p++;
			if (p >= e)
				return e;
		} else if (p[0] == '}' && p[1] == '}') {
			return p + 2;
		}
	}
	return e;
}

/* The inside of an action, without the delimiters, trim markers and blanks. */
static kf_str action_body(const char *s, const char *end)
{
	const char *p = s + 2, *q = end - 2;
	if (end - s >= 4 && q >= p) {
		if (p < q && *p == '-')
			p++;
		if (q > p && q[-1] == '-')
			q--;
	} else {
		q = p;
	}
	while (p < q && strchr(" \t\r\n", *p))
		p++;
	while (q > p && strchr(" \t\r\n", q[-1]))
		q--;
	return kf_str_make(p, (size_t)(q - p));
}

static bool starts_word(kf_str b, const char *w)
{
	size_t n = strlen(w);
	return b.len >= n && memcmp(b.ptr, w, n) == 0 && (b.len == n || !ident_char(b.ptr[n]));
}

static bool is_control(kf_str b)
{
	static const char *const kw[] = {"if", "else", "end", "range", "with", "define", "block", NULL};
	for (int i = 0; kw[i]; i++)
		if (starts_word(b, kw[i]))
			return true;
	return (b.len && b.ptr[0] == '$' && memchr(b.ptr, '=', b.len)) || (b.len >= 2 && memcmp(b.ptr, "/*", 2) == 0);
}

static val eval_action(ev *E, kf_str body)
{
	if (is_control(body))
		return verr;
	const char *p = body.ptr, *e = body.ptr + body.len;
	val v = eval_pipeline(E, &p, e);
	skip_ws(&p, e);
	return p == e ? v : verr;
}

/* Renders template text in which every action is a plain pipeline (a
 * helper's body); V_ERR if any is not. Trim markers are honoured. */
static val render_text(ev *E, const char *p, const char *e)
{
	kf_buf out = KF_BUF_INIT;
	while (p < e) {
		const char *s = p;
		while (p + 1 < e && !(p[0] == '{' && p[1] == '{'))
			p++;
		if (p + 1 >= e)
			p = e;
		kf_buf_add(&out, s, (size_t)(p - s));
		if (p >= e)
			break;
		const char *end = action_end(p, e);
		if (p + 2 < e && p[2] == '-')
			while (out.len && strchr(" \t\r\n", out.ptr[out.len - 1]))
				out.ptr[--out.len] = '\0';
		kf_str body = action_body(p, end);
		if (!(body.len >= 2 && memcmp(body.ptr, "/*", 2) == 0)) {
			const char *t = to_text(E, eval_action(E, body));
			if (!t) {
				kf_buf_release(&out);
				return verr;
			}
			kf_buf_adds(&out, t);
		}
		p = end;
		if (end - 3 >= s && end[-3] == '-')
			while (p < e && strchr(" \t\r\n", *p))
				p++;
	}
	const char *t = out.ptr ? out.ptr : "";
	size_t n = out.len;
	while (n && strchr(" \t\r\n", *t)) {
		t++;
		n--;
	}
	while (n && strchr(" \t\r\n", t[n - 1]))
		n--;
	val r = vstr(E, t, n);
	kf_buf_release(&out);
	return r;
}

/* {{ define "name" }} … {{ end }} blocks of a helper file */
static void collect_defines(define_vec *defs, const char *text, size_t len)
{
	const char *p = text, *e = text + len;
	const char *body = NULL;
	char *name = NULL;
	int depth = 0;
	while (p + 1 < e) {
		if (!(p[0] == '{' && p[1] == '{')) {
			p++;
			continue;
		}
		const char *end = action_end(p, e);
		kf_str b = action_body(p, end);
		if (starts_word(b, "define") && depth == 0) {
			const char *q = memchr(b.ptr, '"', b.len), *qe = q ? memchr(q + 1, '"', b.len - (size_t)(q + 1 - b.ptr)) : NULL;
			if (q && qe) {
				free(name);
				kf_buf nb = KF_BUF_INIT;
				kf_buf_add(&nb, q + 1, (size_t)(qe - q - 1));
				name = kf_buf_detach(&nb, NULL);
				body = end;
				depth = 1;
			}
		} else if (depth > 0 && (starts_word(b, "if") || starts_word(b, "range") || starts_word(b, "with") ||
					 starts_word(b, "block") || starts_word(b, "define"))) {
			depth++;
		} else if (depth > 0 && starts_word(b, "end") && --depth == 0 && name) {
			/* the body ends before this action; a "{{-" trims it later */
			kf_buf bb = KF_BUF_INIT;
			kf_buf_add(&bb, body, (size_t)(p - body));
			if (p + 2 < e && p[2] == '-')
				while (bb.len && strchr(" \t\r\n", bb.ptr[bb.len - 1]))
					bb.ptr[--bb.len] = '\0';
			kf_vec_push(defs, ((define){name, kf_buf_detach(&bb, NULL)}));
			name = NULL;
		}
		p = end;
	}
	free(name);
}

/* ---- Helm charts: templates ------------------------------------------------------------ */

/* What an action that cannot be evaluated becomes in the YAML: not a
 * valid reference, and easy to find in an image value. */
#define UNRESOLVED "KF_UNRESOLVED"

/* The template as YAML with the same lines: actions alone on their line
 * (if, end, include … | nindent) are dropped, the others replaced by their
 * value or UNRESOLVED. */
static void template_to_yaml(ev *E, const char *text, size_t len, kf_buf *out)
{
	const char *e = text + len;
	const char *p = text;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		/* does the line hold text outside actions? */
		bool text_outside = false;
		const char *q = p, *last_end = p;
		while (q < le) {
			if (q + 1 < e && q[0] == '{' && q[1] == '{') {
				q = action_end(q, e);
				last_end = q;
				continue;
			}
			if (!strchr(" \t\r", *q))
				text_outside = true;
			q++;
		}
		if (last_end > le) /* an action runs past this line: take its lines whole */
			le = last_end;
		if (!text_outside) {
			for (const char *r = p; r < le; r++)
				if (*r == '\n')
					kf_buf_addc(out, '\n');
		} else {
			for (const char *r = p; r < le;) {
				if (r + 1 < le && r[0] == '{' && r[1] == '{') {
					const char *end = action_end(r, e);
					kf_str body = action_body(r, end);
					const char *t = NULL;
					/* comments and variable assignments print nothing;
					 * "if" and "range" within a line make it unknowable */
					if ((body.len >= 2 && memcmp(body.ptr, "/*", 2) == 0) ||
					    (body.len && body.ptr[0] == '$' && memmem(body.ptr, body.len, ":=", 2)))
						t = "";
					else
						t = to_text(E, eval_action(E, body));
					if (!t || strchr(t, '\n'))
						t = UNRESOLVED;
					kf_buf_adds(out, t);
					for (const char *s = r; s < end; s++)
						if (*s == '\n')
							kf_buf_addc(out, '\n');
					r = end;
				} else {
					kf_buf_addc(out, *r++);
				}
			}
		}
		if (le < e && *le == '\n') {
			kf_buf_addc(out, '\n');
			le++;
		}
		p = le;
	}
}

static void template_image(fctx *f, const char *value, size_t len, uint32_t start, uint32_t end, void *ud)
{
	(void)ud;
	(void)end;
	/* the value's place in the template, not in the YAML made from it */
	kf_str line = kf_source_line_text(f->src, kf_source_line(f->src, start));
	const char *lp = line.ptr, *le = line.ptr + line.len;
	const char *img = NULL;
	for (const char *q = lp; q + 6 <= le; q++)
		if (memcmp(q, "image:", 6) == 0) {
			img = q + 6;
			break;
		}
	if (img) {
		while (img < le && (*img == ' ' || *img == '\t'))
			img++;
		while (le > img && strchr(" \t\r", le[-1]))
			le--;
		start = (uint32_t)(img - f->src->text);
		end = (uint32_t)(le - f->src->text);
	}
	if (memmem(value, len, UNRESOLVED, strlen(UNRESOLVED))) {
		kf_str orig = img ? kf_str_make(img, (size_t)(le - img)) : kf_str_make(value, len);
		warn(f, start, end, "KF305", "cannot resolve the image %.*s without running helm; not counted",
		     (int)(orig.len > 120 ? 120 : orig.len), orig.ptr);
		return;
	}
	add_image(f, kf_str_make(value, len), start, end);
}

/* Loads the first YAML document of vf (Chart.yaml, values.yaml); false
 * with a warning when it is not YAML. */
static bool load_doc(kf_imagelist *l, const vfs *fs, const vfile *vf, const char *app, yaml_document_t *doc)
{
	fctx f;
	if (!vfs_open(&f, l, fs, vf, app))
		return false;
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, f.src->text, f.src->len, NULL);
	bool ok = kf_yaml_load(&ld, doc) != KF_YAML_ERROR;
	if (!ok)
		warn_yaml_error(&f, &ld, "the chart's images may be missed");
	kf_yaml_loader_release(&ld);
	fctx_close(&f);
	return ok;
}

static char *scalar_dup(yaml_document_t *doc, const char *key)
{
	yaml_node_t *n = map_get(doc, yaml_document_get_root_node(doc), key, strlen(key));
	if (!n || n->type != YAML_SCALAR_NODE || is_null(n))
		return NULL;
	kf_buf b = KF_BUF_INIT;
	kf_buf_add(&b, n->data.scalar.value, n->data.scalar.length);
	return kf_buf_detach(&b, NULL);
}

static void scan_tgz_chart(kf_imagelist *l, const char *path, const char *display, const char *data, size_t len,
			   const char *app, const chart *parent, bool quiet);

static void scan_chart(kf_imagelist *l, const vfs *fs, const char *base, const char *app, const chart *parent,
		       define_vec *defs)
{
	chart c = {0};
	c.l = l;
	c.app = app;
	c.fs = fs;
	c.base = base;
	c.defines = defs;
	c.depth = parent ? parent->depth + 1 : 0;
	const vfile *cf = vfs_find(fs, base, "Chart.yaml");
	yaml_document_t cdoc;
	if (cf && load_doc(l, fs, cf, app, &cdoc)) {
		c.name = scalar_dup(&cdoc, "name");
		c.app_version = scalar_dup(&cdoc, "appVersion");
		c.version = scalar_dup(&cdoc, "version");
		yaml_document_delete(&cdoc);
	}
	if (!c.name) { /* the folder's name */
		size_t n = strlen(base);
		const char *s = base + (n ? n - 1 : 0);
		while (s > base && s[-1] != '/')
			s--;
		kf_buf b = KF_BUF_INIT;
		kf_buf_add(&b, s, n ? (size_t)(base + n - 1 - s) : 0);
		c.name = kf_buf_detach(&b, NULL);
	}
	const vfile *vf = vfs_find(fs, base, "values.yaml");
	c.has_values = vf && load_doc(l, fs, vf, app, &c.values);
	if (c.has_values)
		kf_yaml_index_init(&c.values_ix, &c.values);
	if (parent)
		for (int i = 0; i < parent->nroots && c.nroots < 7; i++) {
			vroot r = parent->roots[i];
			if (r.nprefix < 8)
				r.prefix[r.nprefix++] = c.name;
			c.roots[c.nroots++] = r;
		}
	if (c.has_values)
		c.roots[c.nroots++] = (vroot){&c.values_ix, {NULL}, 0};

	kf_arena scratch;
	kf_arena_init(&scratch);
	size_t calls = 0;
	ev E = {&c, &scratch, {V_ROOT, NULL}, 0, &calls};
	char *tdir = kf_path_join(base, "templates/");
	size_t nt = strlen(tdir);
	for (size_t i = 0; i < fs->files.n; i++) {
		const vfile *t = &fs->files.v[i];
		if (strncmp(t->rel, tdir, nt) != 0)
			continue;
		const char *bn = strrchr(t->rel, '/') + 1;
		if (bn[0] == '_' || strcmp(bn, "NOTES.txt") == 0)
			continue;
		fctx f;
		if (!vfs_open(&f, l, fs, t, app))
			continue;
		kf_buf y = KF_BUF_INIT;
		calls = 0;
		template_to_yaml(&E, f.src->text, f.src->len, &y);
		if (calls > KF_TEMPLATE_MAX_CALLS)
			warn(&f, 0, 0, "KF309", "template over a limit: more than %d include and template calls; the calls "
				       "after them were not rendered",
			     KF_TEMPLATE_MAX_CALLS);
		scan_yaml_text(&f, y.ptr ? y.ptr : "", y.len, template_image, NULL);
		kf_buf_release(&y);
		fctx_close(&f);
	}
	free(tdir);
	kf_arena_release(&scratch);

	/* subcharts: charts/<dir>/ and charts/<name>.tgz */
	char *cdir = kf_path_join(base, "charts/");
	size_t nc = strlen(cdir);
	for (size_t i = 0; i < fs->files.n && c.depth < 6; i++) {
		const vfile *s = &fs->files.v[i];
		if (strncmp(s->rel, cdir, nc) != 0)
			continue;
		const char *rest = s->rel + nc, *slash = strchr(rest, '/');
		size_t rl = strlen(rest);
		if (slash && strcmp(slash, "/Chart.yaml") == 0) {
			char *sub = kf_xmalloc(nc + (size_t)(slash - rest) + 2);
			sprintf(sub, "%s%.*s/", cdir, (int)(slash - rest), rest);
			scan_chart(l, fs, sub, app, &c, defs);
			free(sub);
		} else if (!slash && rl > 4 && strcmp(rest + rl - 4, ".tgz") == 0) {
			char *d = vfile_display(fs, s);
			if (s->fspath)
				scan_tgz_chart(l, s->fspath, d, NULL, 0, app, &c, false);
			else
				scan_tgz_chart(l, NULL, d, s->data, s->len, app, &c, false);
			free(d);
		}
	}
	free(cdir);
	if (c.has_values) {
		kf_yaml_index_release(&c.values_ix);
		yaml_document_delete(&c.values);
	}
	free(c.name);
	free(c.app_version);
	free(c.version);
}

static void defines_of(kf_imagelist *l, const vfs *fs, define_vec *defs)
{
	(void)l;
	for (size_t i = 0; i < fs->files.n; i++) {
		const vfile *t = &fs->files.v[i];
		const char *bn = strrchr(t->rel, '/');
		bn = bn ? bn + 1 : t->rel;
		if (!strstr(t->rel, "templates/") || bn[0] != '_')
			continue;
		if (t->fspath) {
			kf_source s;
			const char *err;
			struct stat st;
			if (stat(t->fspath, &st) == 0 && (size_t)st.st_size <= KF_IMAGELIST_MAX_FILE &&
			    kf_source_init_file(&s, t->fspath, NULL, &err)) {
				collect_defines(defs, s.text, s.len);
				kf_source_release(&s);
			}
		} else {
			collect_defines(defs, t->data, t->len);
		}
	}
}

static void defines_free(define_vec *defs)
{
	for (size_t i = 0; i < defs->n; i++) {
		free(defs->v[i].name);
		free(defs->v[i].body);
	}
	kf_vec_free(defs);
}

static void scan_chart_dir(kf_imagelist *l, const char *path, const char *display, const char *app)
{
	vfs fs = {0};
	fs.display = kf_xstrdup(display);
	vfs_walk(&fs, path, "", 0);
	define_vec defs = {0};
	defines_of(l, &fs, &defs);
	scan_chart(l, &fs, "", app, NULL, &defs);
	defines_free(&defs);
	vfs_free(&fs);
}

/* A packaged chart: a tar.gz holding <dir>/Chart.yaml. quiet: a .tgz that
 * is not a chart is skipped without a word (it is met while walking). */
static void scan_tgz_chart(kf_imagelist *l, const char *path, const char *display, const char *data, size_t len,
			   const char *app, const chart *parent, bool quiet)
{
	vfs fs = {0};
	kf_buf d = KF_BUF_INIT;
	kf_buf_printf(&d, "%s!", display);
	fs.display = kf_buf_detach(&d, NULL);
	kf_err err;
	struct stat st;
	if (path && stat(path, &st) == 0 && (size_t)st.st_size > KF_IMAGELIST_MAX_FILE) {
		warn_file(l, display, app, "KF303", "the file is larger than %zu MiB; not searched for images",
			  KF_IMAGELIST_MAX_FILE >> 20);
	} else if (!vfs_read_tgz(&fs, path, data, len, &err)) {
		if (!quiet || fs.files.n)
			warn_file(l, display, app, "KF306", "cannot read the chart archive: %s", err.msg);
	} else {
		const char *top = NULL;
		for (size_t i = 0; i < fs.files.n && !top; i++) {
			const char *slash = strchr(fs.files.v[i].rel, '/');
			if (slash && strcmp(slash, "/Chart.yaml") == 0)
				top = fs.files.v[i].rel;
		}
		if (top) {
			char *base = kf_xmalloc(strlen(top) + 1);
			size_t n = (size_t)(strchr(top, '/') - top) + 1;
			memcpy(base, top, n);
			base[n] = '\0';
			define_vec defs = {0};
			defines_of(l, &fs, &defs);
			scan_chart(l, &fs, base, app, parent, &defs);
			defines_free(&defs);
			free(base);
		} else if (!quiet) {
			warn_file(l, display, app, "KF306", "the archive holds no <chart>/Chart.yaml");
		}
	}
	vfs_free(&fs);
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

static bool is_chart_dir(const char *dir)
{
	char *c = kf_path_join(dir, "Chart.yaml"), *t = kf_path_join(dir, "templates");
	struct stat st;
	bool yes = stat(c, &st) == 0 && S_ISREG(st.st_mode) && stat(t, &st) == 0 && S_ISDIR(st.st_mode);
	free(c);
	free(t);
	return yes;
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
		scan_tgz_chart(l, path, display, NULL, 0, app, NULL, !named);
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
	if (is_chart_dir(path)) {
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
