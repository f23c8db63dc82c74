/* SPDX-License-Identifier: Apache-2.0 */
/* chart.c - charts loaded as helm's loader loads them (chart.h,
 * docs/imagelist.md): a folder (walked with the chart's .helmignore and
 * helm's default rule templates/.?*) or a packaged .tgz; Chart.yaml
 * (apiVersion v1 or v2), requirements.yaml of v1 charts, values.yaml,
 * templates/, charts/ (subcharts as folders or .tgz, recursively); every
 * other file is one of .Files.
 */
#include "discovery/chart.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/files.h"
#include "base/vec.h"

/* a file of the chart being loaded, name relative to its root */
typedef struct lfile {
	char *name;
	const char *data;
	size_t len;
	const char *display;
} lfile;

typedef KF_VEC(lfile) lfile_vec;

typedef struct loader {
	kf_chart_tree *t;
	const kf_chart_report *rep;
	bool over; /* the tree's total was crossed (reported once) */
} loader;

static void report(loader *L, const char *display, const char *text, size_t len, uint32_t line, uint32_t col,
		   const char *code, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static void report(loader *L, const char *display, const char *text, size_t len, uint32_t line, uint32_t col,
		   const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (L->rep && L->rep->report)
		L->rep->report(L->rep->ud, display, text, len, line, col, code, msg);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* ---- .helmignore, as helm's internal/ignore ---------------------------------------- */

typedef struct hrule {
	char *pat;
	bool negate, must_dir, anchored, has_slash;
} hrule;

typedef KF_VEC(hrule) hrule_vec;

static void hrule_add(hrule_vec *rv, const char *line, size_t n)
{
	while (n && strchr(" \t\r\n\v\f", line[0])) {
		line++;
		n--;
	}
	while (n && strchr(" \t\r\n\v\f", line[n - 1]))
		n--;
	if (!n || line[0] == '#')
		return;
	hrule r = {0};
	char *p = kf_xmalloc(n + 1);
	memcpy(p, line, n);
	p[n] = '\0';
	if (strstr(p, "**")) { /* helm refuses the file; its rules before stay */
		free(p);
		return;
	}
	char *s = p;
	if (*s == '!') {
		r.negate = true;
		s++;
	}
	size_t len = strlen(s);
	if (len && s[len - 1] == '/') {
		r.must_dir = true;
		s[--len] = '\0';
	}
	if (*s == '/') {
		r.anchored = true;
		s++;
	}
	r.has_slash = strchr(s, '/') != NULL;
	r.pat = kf_xstrdup(s);
	free(p);
	kf_vec_push(rv, r);
}

static void hrules_parse(hrule_vec *rv, const char *text, size_t len)
{
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	const char *e = text + len;
	while (text < e) {
		const char *nl = memchr(text, '\n', (size_t)(e - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(e - text);
		hrule_add(rv, text, n);
		text += n + (nl != NULL);
	}
}

static bool hrule_match(const hrule *r, const char *path)
{
	const char *n = path;
	if (!r->anchored && !r->has_slash) {
		const char *b = strrchr(path, '/');
		n = b ? b + 1 : path;
	}
	return fnmatch(r->pat, n, FNM_PATHNAME) == 0;
}

/* helm's Rules.Ignore, with its reading of "!": a negated rule ignores
 * every path it does not match */
static bool hrules_ignore(const hrule_vec *rv, const char *path, bool is_dir)
{
	for (size_t i = 0; i < rv->n; i++) {
		const hrule *r = &rv->v[i];
		if (r->negate) {
			if (r->must_dir && !is_dir)
				return true;
			if (!hrule_match(r, path))
				return true;
			continue;
		}
		if (r->must_dir && !is_dir)
			continue;
		if (hrule_match(r, path))
			return true;
	}
	return false;
}

static void hrules_free(hrule_vec *rv)
{
	for (size_t i = 0; i < rv->n; i++)
		free(rv->v[i].pat);
	kf_vec_free(rv);
}

/* ---- reading files --------------------------------------------------------------------- */

static bool charge(loader *L, const char *display, size_t n)
{
	if (L->t->total + n > KF_CHART_MAX_TOTAL) {
		if (!L->over)
			report(L, display, NULL, 0, 0, 0, "KF303",
			       "the chart's files are larger than %zu MiB in all; the rest is not read",
			       KF_CHART_MAX_TOTAL >> 20);
		L->over = true;
		return false;
	}
	L->t->total += n;
	return true;
}

static const char *read_whole(loader *L, const char *path, const char *display, size_t *len)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		report(L, display, NULL, 0, 0, 0, "KF306", "cannot read the file: %s", strerror(errno));
		return NULL;
	}
	if ((size_t)st.st_size > KF_CHART_MAX_FILE) {
		report(L, display, NULL, 0, 0, 0, "KF303", "the file is larger than %zu MiB; not read",
		       KF_CHART_MAX_FILE >> 20);
		return NULL;
	}
	if (!charge(L, display, (size_t)st.st_size))
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		report(L, display, NULL, 0, 0, 0, "KF306", "cannot read the file: %s", strerror(errno));
		return NULL;
	}
	char *buf = kf_arena_alloc(&L->t->arena, (size_t)st.st_size + 1);
	size_t got = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[got] = '\0';
	/* helm trims a UTF-8 BOM */
	if (got >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		got -= 3;
	}
	*len = got;
	return buf;
}

static void walk_dir(loader *L, const hrule_vec *rules, const char *dir, const char *rel, const char *display,
		     lfile_vec *out, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && out->n < 100000) {
			char *p = kf_path_join(dir, name);
			char *r = rel[0] ? kf_path_join(rel, name) : kf_xstrdup(name);
			char *d = kf_path_join(display, name);
			struct stat st;
			if (stat(p, &st) != 0) {
				/* gone */
			} else if (S_ISDIR(st.st_mode)) {
				if (depth < 32 && !hrules_ignore(rules, r, true))
					walk_dir(L, rules, p, r, d, out, depth + 1);
			} else if (S_ISREG(st.st_mode) && !hrules_ignore(rules, r, false)) {
				size_t len;
				const char *data = read_whole(L, p, d, &len);
				if (data)
					kf_vec_push(out, ((lfile){kf_xstrdup(r), data, len,
								  kf_arena_strndup(&L->t->arena, d, strlen(d))}));
			}
			free(p);
			free(r);
			free(d);
		}
		free(ents[i]);
	}
	free(ents);
}

static int lfile_cmp(const void *a, const void *b)
{
	return strcmp(((const lfile *)a)->name, ((const lfile *)b)->name);
}

/* Reads a gzip'd tar into out, names as in the archive; false with err. */
static bool read_tgz(loader *L, const char *path, const char *data, size_t len, const char *display,
		     lfile_vec *out, kf_err *err)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	int r = data ? archive_read_open_memory(a, data, len) : archive_read_open_filename(a, path, 65536);
	bool ok = r == ARCHIVE_OK;
	struct archive_entry *e;
	err->msg[0] = '\0';
	while (ok && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		const char *name = archive_entry_pathname(e);
		while (name && name[0] == '.' && name[1] == '/')
			name += 2;
		int64_t size = archive_entry_size(e);
		if (!name || size < 0 || (size_t)size > KF_CHART_MAX_FILE) {
			ok = kf_err_set(err, "an entry is larger than the limit");
			break;
		}
		if (!charge(L, display, (size_t)size)) {
			ok = kf_err_set(err, "the archive is larger than the limit");
			break;
		}
		char *buf = kf_arena_alloc(&L->t->arena, (size_t)size + 1);
		la_ssize_t got = archive_read_data(a, buf, (size_t)size);
		if (got != size) {
			ok = kf_err_set(err, "%s", archive_error_string(a) ? archive_error_string(a) : "short read");
			break;
		}
		buf[size] = '\0';
		if (size >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
			buf += 3;
			size -= 3;
		}
		kf_buf d = KF_BUF_INIT;
		kf_buf_printf(&d, "%s!/%s", display, name);
		const char *dd = kf_arena_strndup(&L->t->arena, d.ptr, d.len);
		kf_buf_release(&d);
		kf_vec_push(out, ((lfile){kf_xstrdup(name), buf, (size_t)size, dd}));
	}
	if ((ok && r != ARCHIVE_EOF) || (!ok && !err->msg[0]))
		ok = kf_err_set(err, "%s", archive_error_string(a) ? archive_error_string(a) : "not an archive");
	archive_read_free(a);
	if (out->n)
		qsort(out->v, out->n, sizeof(lfile), lfile_cmp);
	return ok;
}

static void lfiles_free(lfile_vec *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].name);
	kf_vec_free(v);
}

/* ---- Chart.yaml --------------------------------------------------------------------------- */

static const char *str_of(kf_arena *a, kf_tv m, const char *key)
{
	if (m.kind != KF_TV_MAP)
		return NULL;
	kf_tv *v = kf_tv_map_get(m.u.map, key, strlen(key));
	if (!v || v->kind == KF_TV_NIL)
		return NULL;
	if (v->kind == KF_TV_STRING)
		return v->u.s.p;
	if (v->kind == KF_TV_LIST || v->kind == KF_TV_MAP || v->kind == KF_TV_OBJECT)
		return NULL;
	/* helm would refuse a number here; it is read as the number's text */
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, *v);
	const char *s = kf_arena_strndup(a, b.ptr ? b.ptr : "", b.len);
	kf_buf_release(&b);
	return s;
}

static void read_deps(kf_arena *a, kf_chart *c, kf_tv list)
{
	if (list.kind != KF_TV_LIST)
		return;
	c->reqs = kf_arena_zalloc(a, (list.u.list->len + 1) * sizeof(*c->reqs));
	for (size_t i = 0; i < list.u.list->len; i++) {
		kf_tv d = list.u.list->items[i];
		if (d.kind != KF_TV_MAP)
			continue;
		kf_chart_dep *r = KF_ARENA_NEW(a, kf_chart_dep);
		r->name = str_of(a, d, "name");
		if (!r->name)
			r->name = "";
		r->version = str_of(a, d, "version");
		r->repository = str_of(a, d, "repository");
		r->condition = str_of(a, d, "condition");
		r->alias = str_of(a, d, "alias");
		kf_tv *t = kf_tv_map_get(d.u.map, "tags", 4);
		r->tags = t ? *t : kf_tv_nil();
		kf_tv *iv = kf_tv_map_get(d.u.map, "import-values", 13);
		r->import_values = iv ? *iv : kf_tv_nil();
		c->reqs[c->nreqs++] = r;
	}
}

/* ---- helm's LoadFiles -------------------------------------------------------------------- */

static kf_chart *load_files(loader *L, lfile *files, size_t n, const char *display, kf_chart *parent, int depth);

static const char *sub_display(loader *L, const char *display, const char *name)
{
	return kf_arena_printf(&L->t->arena, "%s/%s", display, name);
}

static kf_chart *load_archive(loader *L, const char *path, const char *data, size_t len, const char *display,
			      kf_chart *parent, int depth, bool quiet)
{
	lfile_vec fv = {0};
	kf_err err;
	kf_chart *c = NULL;
	if (!read_tgz(L, path, data, len, display, &fv, &err)) {
		if (!quiet || fv.n)
			report(L, display, NULL, 0, 0, 0, "KF306", "cannot read the chart archive: %s", err.msg);
		lfiles_free(&fv);
		return NULL;
	}
	/* helm strips the first folder of every entry */
	const char *top = NULL;
	size_t ntop = 0;
	for (size_t i = 0; i < fv.n && !top; i++) {
		const char *slash = strchr(fv.v[i].name, '/');
		if (slash && strcmp(slash, "/Chart.yaml") == 0) {
			top = fv.v[i].name;
			ntop = (size_t)(slash - top) + 1;
		}
	}
	if (!top) {
		if (!quiet)
			report(L, display, NULL, 0, 0, 0, "KF306", "the archive holds no <chart>/Chart.yaml");
		lfiles_free(&fv);
		return NULL;
	}
	char *topdir = kf_arena_strndup(&L->t->arena, top, ntop);
	lfile_vec in = {0};
	for (size_t i = 0; i < fv.n; i++)
		if (strncmp(fv.v[i].name, topdir, ntop) == 0 && fv.v[i].name[ntop])
			kf_vec_push(&in, ((lfile){kf_xstrdup(fv.v[i].name + ntop), fv.v[i].data, fv.v[i].len,
						  fv.v[i].display}));
	topdir[ntop - 1] = '\0';
	c = load_files(L, in.v, in.n, kf_arena_printf(&L->t->arena, "%s!/%s", display, topdir), parent, depth);
	lfiles_free(&in);
	lfiles_free(&fv);
	return c;
}

static const lfile *find(lfile *files, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

static kf_tv load_yaml(loader *L, const lfile *f, bool *ok)
{
	kf_tv v = kf_tv_nil();
	kf_err e;
	*ok = true;
	if (!kf_tv_from_yaml(&L->t->arena, f->data, f->len, false, &v, &e)) {
		uint32_t line = 0, col = 0;
		const char *msg = e.msg;
		if (sscanf(e.msg, "%u:%u: ", &line, &col) == 2)
			msg = strstr(e.msg, ": ") + 2;
		if (strstr(msg, "excessive aliasing") || strstr(msg, "more than") || strstr(msg, "deeper than") ||
		    strstr(msg, "nested too deeply"))
			report(L, f->display, f->data, f->len, line, col, "KF308",
			       "YAML over a limit: %s; the chart is not rendered", msg);
		else
			report(L, f->display, f->data, f->len, line, col, "KF301",
			       "not valid YAML: %s; helm refuses the chart", msg);
		*ok = false;
		return kf_tv_nil();
	}
	return v;
}

static kf_chart *load_files(loader *L, lfile *files, size_t n, const char *display, kf_chart *parent, int depth)
{
	kf_arena *a = &L->t->arena;
	const lfile *cy = find(files, n, "Chart.yaml");
	if (!cy) {
		report(L, display, NULL, 0, 0, 0, "KF312", "no Chart.yaml: helm refuses the chart");
		return NULL;
	}
	kf_chart *c = KF_ARENA_NEW(a, kf_chart);
	c->parent = parent;
	c->display = display;
	c->chart_yaml_display = cy->display;
	c->chart_yaml_text = cy->data;
	c->chart_yaml_len = cy->len;
	bool ok;
	c->meta = load_yaml(L, cy, &ok);
	if (!ok)
		return NULL;
	if (c->meta.kind != KF_TV_MAP)
		c->meta = kf_tv_new_map(a);
	c->name = str_of(a, c->meta, "name");
	c->version = str_of(a, c->meta, "version");
	c->api_version = str_of(a, c->meta, "apiVersion");
	if (!c->api_version || !c->api_version[0]) {
		c->api_version = "v1";
		kf_tv_map_set(a, c->meta.u.map, "apiVersion", 10, kf_tv_cstr(a, "v1"));
	}
	c->type = str_of(a, c->meta, "type");
	c->kube_version = str_of(a, c->meta, "kubeVersion");
	if (!c->name || !c->name[0]) {
		report(L, cy->display, cy->data, cy->len, 0, 0, "KF312", "Chart.yaml has no name: helm refuses the chart");
		return NULL;
	}
	if (!c->version || !c->version[0]) {
		report(L, cy->display, cy->data, cy->len, 0, 0, "KF312",
		       "Chart.yaml has no version: helm refuses the chart");
		return NULL;
	}
	kf_tv *deps = kf_tv_map_get(c->meta.u.map, "dependencies", 12);
	if (deps)
		read_deps(a, c, *deps);
	c->values = kf_tv_new_map(a);
	KF_VEC(kf_chart_file) tv = {0}, fv = {0};
	/* charts/<name>...: the files of each subchart */
	KF_VEC(const char *) subs = {0};
	for (size_t i = 0; i < n; i++) {
		const lfile *f = &files[i];
		kf_chart_file cf = {kf_arena_strndup(a, f->name, strlen(f->name)), f->data, f->len, f->display};
		if (strcmp(f->name, "Chart.yaml") == 0 || strcmp(f->name, "Chart.lock") == 0 ||
		    strcmp(f->name, "values.schema.json") == 0 || strcmp(f->name, "requirements.lock") == 0) {
			continue;
		} else if (strcmp(f->name, "values.yaml") == 0) {
			kf_tv v = load_yaml(L, f, &ok);
			if (!ok)
				break;
			if (v.kind == KF_TV_MAP)
				c->values = v;
		} else if (strcmp(f->name, "requirements.yaml") == 0) {
			kf_tv v = load_yaml(L, f, &ok);
			if (!ok)
				break;
			if (v.kind == KF_TV_MAP) {
				kf_tv *d = kf_tv_map_get(v.u.map, "dependencies", 12);
				if (d && d->kind == KF_TV_LIST) {
					c->nreqs = 0;
					read_deps(a, c, *d);
					kf_tv_map_set(a, c->meta.u.map, "dependencies", 12, *d);
				}
			}
			if (strcmp(c->api_version, "v1") == 0)
				kf_vec_push(&fv, cf);
		} else if (strncmp(f->name, "templates/", 10) == 0) {
			kf_vec_push(&tv, cf);
		} else if (strncmp(f->name, "charts/", 7) == 0) {
			if (has_suffix(f->name, ".prov")) {
				kf_vec_push(&fv, cf);
				continue;
			}
			const char *rest = f->name + 7, *slash = strchr(rest, '/');
			size_t nl = slash ? (size_t)(slash - rest) : strlen(rest);
			bool seen = false;
			for (size_t k = 0; k < subs.n && !seen; k++)
				seen = strlen(subs.v[k]) == nl && memcmp(subs.v[k], rest, nl) == 0;
			if (!seen)
				kf_vec_push(&subs, kf_arena_strndup(a, rest, nl));
		} else {
			kf_vec_push(&fv, cf);
		}
	}
	if (!ok) {
		kf_vec_free(&tv);
		kf_vec_free(&fv);
		kf_vec_free(&subs);
		return NULL;
	}
	c->templates = tv.v ? kf_arena_memdup(a, tv.v, tv.n * sizeof(*tv.v)) : NULL;
	c->ntemplates = tv.n;
	c->files = fv.v ? kf_arena_memdup(a, fv.v, fv.n * sizeof(*fv.v)) : NULL;
	c->nfiles = fv.n;
	kf_vec_free(&tv);
	kf_vec_free(&fv);

	KF_VEC(kf_chart *) dv = {0};
	for (size_t k = 0; k < subs.n; k++) {
		const char *sn = subs.v[k];
		if (sn[0] == '_' || sn[0] == '.')
			continue;
		char *prefix = kf_arena_printf(a, "charts/%s", sn);
		size_t np = strlen(prefix);
		const char *sdisplay = sub_display(L, display, prefix);
		if (depth + 1 >= KF_CHART_MAX_DEPTH) {
			report(L, sdisplay, NULL, 0, 0, 0, "KF312", "subcharts nested deeper than %d levels are not read",
			       KF_CHART_MAX_DEPTH);
			continue;
		}
		kf_chart *sc = NULL;
		if (has_suffix(sn, ".tgz")) {
			const lfile *tf = find(files, n, prefix);
			if (!tf) {
				report(L, sdisplay, NULL, 0, 0, 0, "KF312",
				       "%s is not a packaged chart: helm refuses the chart", prefix);
				continue;
			}
			sc = load_archive(L, NULL, tf->data, tf->len, tf->display, c, depth + 1, false);
		} else {
			lfile_vec in = {0};
			for (size_t i = 0; i < n; i++)
				if (strncmp(files[i].name, prefix, np) == 0 && files[i].name[np] == '/')
					kf_vec_push(&in, ((lfile){kf_xstrdup(files[i].name + np + 1), files[i].data,
								  files[i].len, files[i].display}));
			sc = load_files(L, in.v, in.n, sdisplay, c, depth + 1);
			lfiles_free(&in);
		}
		if (sc)
			kf_vec_push(&dv, sc);
	}
	kf_vec_free(&subs);
	c->deps = dv.v ? kf_arena_memdup(a, dv.v, dv.n * sizeof(*dv.v)) : NULL;
	c->ndeps = dv.n;
	kf_vec_free(&dv);
	return c;
}

/* ---- the API ------------------------------------------------------------------------------ */

static kf_chart_tree *tree_new(void)
{
	kf_chart_tree *t = kf_xcalloc(1, sizeof(*t));
	kf_arena_init(&t->arena);
	return t;
}

void kf_chart_tree_free(kf_chart_tree *t)
{
	if (!t)
		return;
	kf_arena_release(&t->arena);
	free(t);
}

bool kf_chart_is_dir(const char *dir)
{
	char *c = kf_path_join(dir, "Chart.yaml"), *t = kf_path_join(dir, "templates");
	struct stat st;
	bool yes = stat(c, &st) == 0 && S_ISREG(st.st_mode) && stat(t, &st) == 0 && S_ISDIR(st.st_mode);
	free(c);
	free(t);
	return yes;
}

kf_chart_tree *kf_chart_load_dir(const char *path, const char *display, const kf_chart_report *rep)
{
	kf_chart_tree *t = tree_new();
	loader L = {t, rep, false};
	hrule_vec rules = {0};
	char *ign = kf_path_join(path, ".helmignore");
	struct stat st;
	if (stat(ign, &st) == 0 && S_ISREG(st.st_mode)) {
		size_t len;
		char *d = kf_path_join(display, ".helmignore");
		const char *text = read_whole(&L, ign, d, &len);
		if (text)
			hrules_parse(&rules, text, len);
		free(d);
	}
	free(ign);
	hrule_add(&rules, "templates/.?*", 13);
	lfile_vec files = {0};
	walk_dir(&L, &rules, path, "", display, &files, 0);
	hrules_free(&rules);
	t->root = load_files(&L, files.v, files.n, kf_arena_strndup(&t->arena, display, strlen(display)), NULL, 0);
	lfiles_free(&files);
	if (!t->root) {
		kf_chart_tree_free(t);
		return NULL;
	}
	return t;
}

kf_chart_tree *kf_chart_load_tgz(const char *path, const char *data, size_t len, const char *display,
				 const kf_chart_report *rep, bool quiet)
{
	kf_chart_tree *t = tree_new();
	loader L = {t, rep, false};
	struct stat st;
	if (path && stat(path, &st) == 0 && (size_t)st.st_size > KF_CHART_MAX_FILE) {
		report(&L, display, NULL, 0, 0, 0, "KF303", "the file is larger than %zu MiB; not searched for images",
		       KF_CHART_MAX_FILE >> 20);
		kf_chart_tree_free(t);
		return NULL;
	}
	t->root = load_archive(&L, path, data, len, kf_arena_strndup(&t->arena, display, strlen(display)), NULL, 0,
			       quiet);
	if (!t->root) {
		kf_chart_tree_free(t);
		return NULL;
	}
	return t;
}
