/* SPDX-License-Identifier: Apache-2.0 */
/* render.c - helm's engine.Render over a chart tree (chart.h,
 * docs/imagelist.md): the built-in objects (.Values, .Release, .Chart,
 * .Capabilities, .Template, .Files, .Subcharts) as helm v3.8.1 makes them
 * for `helm template dryrun CHART --namespace default`, every template of
 * the tree parsed into one set in helm's order (deeper paths first, so a
 * parent's defines win), each non-partial template executed, and helm
 * template's printing of the result (releaseutil.SortManifests).
 *
 * Where helm stops at the first problem, each template is on its own
 * here: a template that fails is reported and the others render.
 */
#include "discovery/chart.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"
#include "tmpl/sprig.h"
#include "tmpl/tmpl.h"

#define KUBE_VERSION "v1.23.0"

/* helm 3.8.1's DefaultVersionSet (chartutil.allKnownVersions over
 * client-go 1.23's scheme, with apiextensions v1 and v1beta1), in its
 * order; helm template answers .Capabilities.APIVersions.Has with it */
static const char *const api_versions[] = {
	"v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1beta1",
	"internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1", "apps/v1beta2", "authentication.k8s.io/v1",
	"authentication.k8s.io/v1beta1", "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1", "autoscaling/v1",
	"autoscaling/v2", "autoscaling/v2beta1", "autoscaling/v2beta2", "batch/v1", "batch/v1beta1",
	"certificates.k8s.io/v1", "certificates.k8s.io/v1beta1", "coordination.k8s.io/v1beta1",
	"coordination.k8s.io/v1", "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", "events.k8s.io/v1",
	"events.k8s.io/v1beta1", "extensions/v1beta1", "flowcontrol.apiserver.k8s.io/v1alpha1",
	"flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2", "networking.k8s.io/v1",
	"networking.k8s.io/v1beta1", "node.k8s.io/v1", "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1",
	"policy/v1beta1", "rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1",
	"rbac.authorization.k8s.io/v1alpha1", "scheduling.k8s.io/v1alpha1", "scheduling.k8s.io/v1beta1",
	"scheduling.k8s.io/v1", "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1",
	"apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
};

static kf_tv *mget(kf_tv m, const char *k)
{
	return m.kind == KF_TV_MAP ? kf_tv_map_get(m.u.map, k, strlen(k)) : NULL;
}

static void mset(kf_arena *a, kf_tv m, const char *k, kf_tv v)
{
	kf_tv_map_set(a, m.u.map, k, strlen(k), v);
}

static bool want_args(const char *name, size_t want, size_t got, kf_buf *err)
{
	if (want == got)
		return true;
	kf_buf_printf(err, "wrong number of args for %s: want %zu got %zu", name, want, got);
	return false;
}

static bool want_string(const char *name, const kf_tv *args, kf_buf *err)
{
	if (args[0].kind == KF_TV_STRING)
		return true;
	kf_buf_printf(err, "wrong type for value; expected string; got %s", kf_tv_type_name(args[0]));
	(void)name;
	return false;
}

/* ---- semver, through sprig's semverCompare --------------------------------------------------- */

bool kf_chart_semver_check(const char *constraint, const char *version)
{
	if (!constraint || !version)
		return false;
	static const kf_tmpl_func *const tables[] = {kf_tmpl_builtins, kf_tmpl_sprig_funcs, NULL};
	kf_tmpl_set *s = kf_tmpl_set_new(NULL, tables);
	static const char text[] = "{{ semverCompare .c .v }}";
	kf_tmpl_error err;
	bool yes = false;
	if (kf_tmpl_set_parse(s, "semver", text, sizeof(text) - 1, &err)) {
		kf_arena a;
		kf_arena_init(&a);
		kf_tv data = kf_tv_new_map(&a);
		mset(&a, data, "c", kf_tv_cstr(&a, constraint));
		mset(&a, data, "v", kf_tv_cstr(&a, version));
		kf_buf out = KF_BUF_INIT;
		if (kf_tmpl_execute(s, &a, "semver", data, NULL, &out, &err))
			yes = out.len == 4 && memcmp(out.ptr, "true", 4) == 0;
		kf_buf_release(&out);
		kf_arena_release(&a);
	}
	kf_tmpl_set_free(s);
	return yes;
}

/* ---- .Capabilities ------------------------------------------------------------------------ */

static int kube_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a,
		    kf_tv *out, kf_buf *err)
{
	(void)self;
	(void)args;
	const char *v = NULL;
	if (strcmp(name, "Version") == 0 || strcmp(name, "GitVersion") == 0 || strcmp(name, "String") == 0)
		v = KUBE_VERSION;
	else if (strcmp(name, "Major") == 0)
		v = "1";
	else if (strcmp(name, "Minor") == 0)
		v = "23";
	if (!v)
		return 0;
	if (!want_args(name, 0, nargs, err))
		return -1;
	*out = kf_tv_cstr(a, v);
	return 1;
}

static void kube_print(kf_tv_object *self, kf_buf *out)
{
	(void)self;
	kf_buf_adds(out, KUBE_VERSION);
}

static const kf_tv_class kube_class = {"chartutil.KubeVersion", kube_get, kube_print, NULL};

static int apis_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a,
		    kf_tv *out, kf_buf *err)
{
	(void)self;
	(void)a;
	if (strcmp(name, "Has") != 0)
		return 0;
	if (!want_args(name, 1, nargs, err) || !want_string(name, args, err))
		return -1;
	bool has = false;
	for (size_t i = 0; i < sizeof(api_versions) / sizeof(api_versions[0]) && !has; i++)
		has = strcmp(args[0].u.s.p, api_versions[i]) == 0;
	*out = kf_tv_bool(has);
	return 1;
}

static void apis_print(kf_tv_object *self, kf_buf *out)
{
	(void)self;
	kf_buf_addc(out, '[');
	for (size_t i = 0; i < sizeof(api_versions) / sizeof(api_versions[0]); i++)
		kf_buf_printf(out, "%s%s", i ? " " : "", api_versions[i]);
	kf_buf_addc(out, ']');
}

static const kf_tv_class apis_class = {"chartutil.VersionSet", apis_get, apis_print, NULL};

static kf_tv capabilities(kf_arena *a)
{
	kf_tv caps = kf_tv_new_map(a);
	mset(a, caps, "KubeVersion", kf_tv_new_object(a, &kube_class, NULL));
	mset(a, caps, "APIVersions", kf_tv_new_object(a, &apis_class, NULL));
	kf_tv hv = kf_tv_new_map(a);
	mset(a, hv, "Version", kf_tv_cstr(a, "v3.8.1"));
	mset(a, hv, "GitCommit", kf_tv_cstr(a, "5cb9af4b1b271d11d7a97a71df3ac337dd94ad37"));
	mset(a, hv, "GitTreeState", kf_tv_cstr(a, "clean"));
	mset(a, hv, "GoVersion", kf_tv_cstr(a, "go1.17.5"));
	mset(a, caps, "HelmVersion", hv);
	return caps;
}

/* ---- .Files -------------------------------------------------------------------------------- */

typedef struct files {
	const kf_chart_file **f;
	size_t n;
} files;

/* gobwas/glob with '/' as separator, as helm's Files.Glob compiles it:
 * * (not /), ** (anything), ?, [...] ([!...]), {a,b}, \ escapes */
static bool glob_match(const char *p, const char *pe, const char *s, const char *se, int depth)
{
	if (depth > 64)
		return false;
	while (p < pe) {
		char c = *p;
		if (c == '*') {
			bool super = p + 1 < pe && p[1] == '*';
			const char *rest = p + (super ? 2 : 1);
			for (const char *t = s;; t++) {
				if (glob_match(rest, pe, t, se, depth + 1))
					return true;
				if (t >= se || (!super && *t == '/'))
					return false;
			}
		} else if (c == '?') {
			if (s >= se || *s == '/')
				return false;
			p++;
			s++;
		} else if (c == '[') {
			const char *q = p + 1;
			bool neg = q < pe && (*q == '!' || *q == '^');
			if (neg)
				q++;
			bool hit = false;
			if (s >= se)
				return false;
			while (q < pe && *q != ']') {
				char lo = *q, hi = lo;
				if (q + 2 < pe && q[1] == '-' && q[2] != ']') {
					hi = q[2];
					q += 3;
				} else {
					q++;
				}
				if (*s >= lo && *s <= hi)
					hit = true;
			}
			if (q >= pe || hit == neg)
				return false;
			p = q + 1;
			s++;
		} else if (c == '{') {
			/* the alternatives up to the matching }, each followed by the rest */
			int lvl = 0;
			const char *end = p;
			for (; end < pe; end++) {
				if (*end == '{')
					lvl++;
				else if (*end == '}' && --lvl == 0)
					break;
			}
			if (end >= pe)
				return false;
			const char *alt = p + 1;
			lvl = 0;
			for (const char *q = p + 1; q <= end; q++) {
				if (*q == '{')
					lvl++;
				else if (*q == '}' && lvl)
					lvl--;
				else if ((*q == ',' && !lvl) || q == end) {
					size_t al = (size_t)(q - alt), rl = (size_t)(pe - end - 1);
					char *buf = kf_xmalloc(al + rl + 1);
					memcpy(buf, alt, al);
					memcpy(buf + al, end + 1, rl);
					bool ok = glob_match(buf, buf + al + rl, s, se, depth + 1);
					free(buf);
					if (ok)
						return true;
					alt = q + 1;
				}
			}
			return false;
		} else {
			if (c == '\\' && p + 1 < pe)
				c = *++p;
			if (s >= se || *s != c)
				return false;
			p++;
			s++;
		}
	}
	return s == se;
}

static const kf_chart_file *files_find(const files *fs, const char *name)
{
	for (size_t i = 0; i < fs->n; i++)
		if (strcmp(fs->f[i]->name, name) == 0)
			return fs->f[i];
	return NULL;
}

static kf_tv files_object(kf_arena *a, const files *fs);

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static int files_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a,
		     kf_tv *out, kf_buf *err)
{
	const files *fs = self->data;
	if (strcmp(name, "Get") == 0 || strcmp(name, "GetBytes") == 0) {
		if (!want_args(name, 1, nargs, err) || !want_string(name, args, err))
			return -1;
		const kf_chart_file *f = files_find(fs, args[0].u.s.p);
		*out = f ? kf_tv_str(a, f->data, f->len) : kf_tv_cstr(a, "");
		return 1;
	}
	if (strcmp(name, "Glob") == 0) {
		if (!want_args(name, 1, nargs, err) || !want_string(name, args, err))
			return -1;
		files *g = KF_ARENA_NEW(a, files);
		g->f = kf_arena_alloc(a, (fs->n + 1) * sizeof(*g->f));
		const char *p = args[0].u.s.p;
		for (size_t i = 0; i < fs->n; i++) {
			const char *s = fs->f[i]->name;
			if (glob_match(p, p + args[0].u.s.len, s, s + strlen(s), 0))
				g->f[g->n++] = fs->f[i];
		}
		*out = files_object(a, g);
		return 1;
	}
	if (strcmp(name, "Lines") == 0) {
		if (!want_args(name, 1, nargs, err) || !want_string(name, args, err))
			return -1;
		const kf_chart_file *f = files_find(fs, args[0].u.s.p);
		kf_tv l = kf_tv_new_list(a, 4);
		if (f && f->len) {
			const char *s = f->data, *e = f->data + f->len;
			if (e[-1] == '\n')
				e--;
			for (;;) {
				const char *nl = memchr(s, '\n', (size_t)(e - s));
				const char *le = nl ? nl : e;
				kf_tv_list_push(a, l.u.list, kf_tv_str(a, s, (size_t)(le - s)));
				if (!nl)
					break;
				s = nl + 1;
			}
		}
		*out = l;
		return 1;
	}
	if (strcmp(name, "AsConfig") == 0 || strcmp(name, "AsSecrets") == 0) {
		if (!want_args(name, 0, nargs, err))
			return -1;
		if (!fs->n) {
			*out = kf_tv_cstr(a, "");
			return 1;
		}
		bool secrets = name[2] == 'S';
		kf_tv m = kf_tv_new_map(a);
		for (size_t i = 0; i < fs->n; i++) {
			const char *bn = base_name(fs->f[i]->name);
			if (secrets) {
				kf_buf b = KF_BUF_INIT;
				kf_tmpl_base64(&b, fs->f[i]->data, fs->f[i]->len);
				mset(a, m, bn, kf_tv_str(a, b.ptr ? b.ptr : "", b.len));
				kf_buf_release(&b);
			} else {
				mset(a, m, bn, kf_tv_str(a, fs->f[i]->data, fs->f[i]->len));
			}
		}
		kf_buf y = KF_BUF_INIT;
		struct kf_err e;
		if (!kf_tv_to_yaml(&y, m, &e)) {
			kf_buf_release(&y);
			*out = kf_tv_cstr(a, "");
			return 1;
		}
		size_t n = y.len;
		if (n && y.ptr[n - 1] == '\n')
			n--;
		*out = kf_tv_str(a, y.ptr ? y.ptr : "", n);
		kf_buf_release(&y);
		return 1;
	}
	return 0;
}

/* helm's Files is a map[string][]byte: ranged over (`range $path, $_ :=
 * .Files.Glob "x/..."`), given to len or index, it is its files by name
 * (their contents as strings) */
static kf_tv files_map(kf_tv_object *self, kf_arena *a)
{
	const files *fs = self->data;
	kf_tv m = kf_tv_new_map(a);
	for (size_t i = 0; i < fs->n; i++)
		mset(a, m, fs->f[i]->name, kf_tv_str(a, fs->f[i]->data, fs->f[i]->len));
	return m;
}

static const kf_tv_class files_class = {"chartutil.Files", files_get, NULL, files_map};

static kf_tv files_object(kf_arena *a, const files *fs)
{
	return kf_tv_new_object(a, &files_class, (void *)fs);
}

/* ---- .Chart ---------------------------------------------------------------------------------- */

static kf_tv meta_str(kf_arena *a, kf_tv meta, const char *key)
{
	kf_tv *v = mget(meta, key);
	if (!v || v->kind == KF_TV_NIL)
		return kf_tv_cstr(a, "");
	if (v->kind == KF_TV_STRING)
		return *v;
	return kf_tmpl_to_string(a, *v);
}

static kf_tv meta_list(kf_arena *a, kf_tv meta, const char *key)
{
	kf_tv *v = mget(meta, key);
	return v && v->kind == KF_TV_LIST ? *v : kf_tv_new_list(a, 0);
}

/* chart.Metadata with its Go field names, and IsRoot */
static kf_tv chart_object(kf_arena *a, kf_chart *c)
{
	kf_tv m = kf_tv_new_map(a), meta = c->meta;
	static const char *const strs[][2] = {
		{"Home", "home"},           {"Version", "version"},         {"Description", "description"},
		{"Icon", "icon"},           {"APIVersion", "apiVersion"},   {"Condition", "condition"},
		{"Tags", "tags"},           {"AppVersion", "appVersion"},   {"KubeVersion", "kubeVersion"},
		{"Type", "type"},
	};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		mset(a, m, strs[i][0], meta_str(a, meta, strs[i][1]));
	mset(a, m, "Name", kf_tv_cstr(a, c->name));
	mset(a, m, "Sources", meta_list(a, meta, "sources"));
	mset(a, m, "Keywords", meta_list(a, meta, "keywords"));
	kf_tv *dep = mget(meta, "deprecated");
	mset(a, m, "Deprecated", kf_tv_bool(dep && dep->kind == KF_TV_BOOL && dep->u.b));
	kf_tv *ann = mget(meta, "annotations");
	mset(a, m, "Annotations", ann && ann->kind == KF_TV_MAP ? *ann : kf_tv_new_map(a));
	kf_tv maint = kf_tv_new_list(a, 0);
	kf_tv ml = meta_list(a, meta, "maintainers");
	for (size_t i = 0; i < ml.u.list->len; i++) {
		kf_tv x = kf_tv_new_map(a), mi = ml.u.list->items[i];
		mset(a, x, "Name", meta_str(a, mi, "name"));
		mset(a, x, "Email", meta_str(a, mi, "email"));
		mset(a, x, "URL", meta_str(a, mi, "url"));
		kf_tv_list_push(a, maint.u.list, x);
	}
	mset(a, m, "Maintainers", maint);
	kf_tv deps = kf_tv_new_list(a, 0);
	for (size_t i = 0; i < c->nreqs; i++) {
		kf_chart_dep *r = c->reqs[i];
		kf_tv x = kf_tv_new_map(a);
		mset(a, x, "Name", kf_tv_cstr(a, r->name));
		mset(a, x, "Version", kf_tv_cstr(a, r->version ? r->version : ""));
		mset(a, x, "Repository", kf_tv_cstr(a, r->repository ? r->repository : ""));
		mset(a, x, "Condition", kf_tv_cstr(a, r->condition ? r->condition : ""));
		mset(a, x, "Tags", r->tags.kind == KF_TV_LIST ? r->tags : kf_tv_new_list(a, 0));
		mset(a, x, "Enabled", kf_tv_bool(r->enabled));
		mset(a, x, "ImportValues", r->import_values.kind == KF_TV_LIST ? r->import_values : kf_tv_new_list(a, 0));
		mset(a, x, "Alias", kf_tv_cstr(a, r->alias ? r->alias : ""));
		kf_tv_list_push(a, deps.u.list, x);
	}
	mset(a, m, "Dependencies", deps);
	mset(a, m, "IsRoot", kf_tv_bool(c->parent == NULL));
	return m;
}

/* ---- the templates of the tree (helm's recAllTpls) ---------------------------------------------- */

typedef struct tpl {
	const char *name;     /* "mychart/charts/sub/templates/a.yaml" */
	const char *base;     /* "mychart/charts/sub/templates" */
	const kf_chart_file *f;
	kf_tv vals;           /* the chart's top map (shared by its templates) */
	bool parsed;
	kf_buf out;
	bool ok;
} tpl;

typedef KF_VEC(tpl) tpl_vec;

typedef struct render {
	kf_arena *a;
	kf_chart_tree *t;
	const kf_chart_report *rep;
	tpl_vec tpls;
	tpl *cur;
	bool lookup; /* the current template called lookup */
} render;

static const char *full_path(kf_arena *a, kf_chart *c)
{
	if (!c->parent)
		return c->name;
	return kf_arena_printf(a, "%s/charts/%s", full_path(a, c->parent), c->name);
}

static kf_tv all_tpls(render *R, kf_chart *c, kf_tv vals, int depth)
{
	kf_arena *a = R->a;
	kf_tv subcharts = kf_tv_new_map(a);
	kf_tv next = kf_tv_new_map(a);
	mset(a, next, "Chart", chart_object(a, c));
	files *fs = KF_ARENA_NEW(a, files);
	fs->f = kf_arena_alloc(a, (c->nfiles + 1) * sizeof(*fs->f));
	for (size_t i = 0; i < c->nfiles; i++)
		fs->f[fs->n++] = &c->files[i];
	mset(a, next, "Files", files_object(a, fs));
	kf_tv *rel = mget(vals, "Release"), *caps = mget(vals, "Capabilities");
	mset(a, next, "Release", rel ? *rel : kf_tv_nil());
	mset(a, next, "Capabilities", caps ? *caps : kf_tv_nil());
	mset(a, next, "Subcharts", subcharts);
	kf_tv values = kf_tv_new_map(a);
	kf_tv *pv = mget(vals, "Values");
	if (!c->parent) {
		if (pv)
			values = *pv;
	} else if (pv && !strchr(c->name, '.')) {
		kf_tv *sv = mget(*pv, c->name);
		if (sv && sv->kind == KF_TV_MAP)
			values = *sv;
	}
	mset(a, next, "Values", values);
	if (depth < KF_CHART_MAX_DEPTH * 2)
		for (size_t i = 0; i < c->ndeps; i++)
			mset(a, subcharts, c->deps[i]->name, all_tpls(R, c->deps[i], next, depth + 1));
	const char *id = full_path(a, c);
	bool library = c->type && strcmp(c->type, "library") == 0;
	for (size_t i = 0; i < c->ntemplates; i++) {
		const kf_chart_file *f = &c->templates[i];
		if (library && base_name(f->name)[0] != '_')
			continue;
		const char *name = kf_arena_printf(a, "%s/%s", id, f->name);
		/* a later chart of the same full path replaces the template, as helm's map does */
		tpl *old = NULL;
		for (size_t k = 0; k < R->tpls.n && !old; k++)
			if (strcmp(R->tpls.v[k].name, name) == 0)
				old = &R->tpls.v[k];
		tpl t = {name, kf_arena_printf(a, "%s/templates", id), f, next, false, KF_BUF_INIT, false};
		if (old)
			*old = t;
		else
			kf_vec_push(&R->tpls, t);
	}
	return next;
}

static int slashes(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '/';
	return n;
}

/* helm's sortTemplates: sort.Reverse(byPathLen): more slashes first, then
 * names in reverse order */
static int tpl_order(const void *x, const void *y)
{
	const tpl *a = x, *b = y;
	int ca = slashes(a->name), cb = slashes(b->name);
	if (ca != cb)
		return cb - ca;
	return -strcmp(a->name, b->name);
}

/* ---- problems -------------------------------------------------------------------------------------- */

static void reportf(render *R, const kf_chart_file *f, uint32_t line, uint32_t col, const char *code,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static void reportf(render *R, const kf_chart_file *f, uint32_t line, uint32_t col, const char *code,
		    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (R->rep && R->rep->report)
		R->rep->report(R->rep->ud, f->display, f->data, f->len, line, col, code, msg);
}

static const tpl *tpl_named(render *R, const char *name)
{
	for (size_t i = 0; i < R->tpls.n; i++)
		if (strcmp(R->tpls.v[i].name, name) == 0)
			return &R->tpls.v[i];
	return NULL;
}

static void report_tmpl_error(render *R, const tpl *t, const kf_tmpl_error *e)
{
	const tpl *where = tpl_named(R, e->file);
	if (!where)
		where = t;
	/* a limit of discovery's is no judgement of helm's */
	bool limit = strstr(e->msg, "limit") != NULL;
	const char *code = limit ? "KF309" : "KF311";
	const char *lead = limit ? "rendering stopped at discovery's limit" : "helm refuses the chart";
	if (where == t)
		reportf(R, t->f, e->line, e->col, code, "%s: %s; the images of %s are not counted", lead, e->msg,
			t->f->name);
	else
		reportf(R, where->f, e->line, e->col, code, "%s: %s (rendering %s); the images of %s are not counted",
			lead, e->msg, t->name, t->name);
}

/* ---- lookup: what a cluster would answer --------------------------------------------------------- */

static bool fn_lookup(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)args;
	(void)nargs;
	render *R = kf_tmpl_call_user(c);
	if (R)
		R->lookup = true;
	*out = kf_tv_new_map(kf_tmpl_call_arena(c));
	return true;
}

static const kf_tmpl_func lookup_funcs[] = {
	{"lookup", fn_lookup, 4, 4},
	{NULL, NULL, 0, 0},
};

/* line and column of the first "lookup" of f, or false */
static bool find_lookup(const kf_chart_file *f, uint32_t *line, uint32_t *col)
{
	const char *p = f->len ? memmem(f->data, f->len, "lookup", 6) : NULL;
	if (!p)
		return false;
	*line = *col = 1;
	for (const char *q = f->data; q < p; q++) {
		if (*q == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
	return true;
}

/* at the template's first lookup, else at the first one of the helpers
 * (an include led there) */
static void report_lookup(render *R, const tpl *t)
{
	static const char msg[] = "lookup asks the cluster, which discovery has not: it gives an empty map, as helm "
				  "template does; images that depend on it may differ on a cluster";
	uint32_t line, col;
	if (find_lookup(t->f, &line, &col)) {
		reportf(R, t->f, line, col, "KF305", "%s", msg);
		return;
	}
	for (size_t i = 0; i < R->tpls.n; i++) {
		const tpl *h = &R->tpls.v[i];
		if (base_name(h->name)[0] == '_' && find_lookup(h->f, &line, &col)) {
			reportf(R, h->f, line, col, "KF305", "%s (rendering %s)", msg, t->name);
			return;
		}
	}
	reportf(R, t->f, 0, 0, "KF305", "%s", msg);
}

/* ---- rendering ---------------------------------------------------------------------------------------- */

static void kube_version_check(render *R, kf_chart *c)
{
	if (!c->kube_version || !c->kube_version[0] || kf_chart_semver_check(c->kube_version, KUBE_VERSION))
		return;
	kf_chart_file f = {"Chart.yaml", c->chart_yaml_text, c->chart_yaml_len, c->chart_yaml_display};
	uint32_t line = 0;
	const char *p = c->chart_yaml_text ? strstr(c->chart_yaml_text, "kubeVersion:") : NULL;
	if (p) {
		line = 1;
		for (const char *q = c->chart_yaml_text; q < p; q++)
			line += *q == '\n';
	}
	reportf(R, &f, line, line ? 1 : 0, "KF312",
		"helm refuses the chart: chart requires kubeVersion: %s which is incompatible with Kubernetes %s",
		c->kube_version, KUBE_VERSION);
}

/* helm's CheckDependencies: every dependency of Chart.yaml in charts/ */
static void check_deps(render *R, kf_chart *c)
{
	kf_chart_file f = {"Chart.yaml", c->chart_yaml_text, c->chart_yaml_len, c->chart_yaml_display};
	for (size_t k = 0; k < c->nreqs; k++) {
		bool found = false;
		for (size_t i = 0; i < c->ndeps && !found; i++)
			found = strcmp(c->deps[i]->name, c->reqs[k]->name) == 0;
		if (!found)
			reportf(R, &f, 0, 0, "KF312",
				"helm refuses the chart: dependency %s is in Chart.yaml but not in charts/ (helm "
				"dependency build fetches it); rendered without it",
				c->reqs[k]->name);
	}
}

void kf_chart_render(kf_chart_tree *t, kf_tv vals, const kf_chart_report *rep, kf_chart_output_fn out, void *ud)
{
	render R = {&t->arena, t, rep, {0}, NULL, false};
	kf_arena *a = &t->arena;
	kf_chart *root = t->root;
	if (root->type && strcmp(root->type, "library") == 0) {
		kf_chart_file f = {"Chart.yaml", root->chart_yaml_text, root->chart_yaml_len, root->chart_yaml_display};
		reportf(&R, &f, 0, 0, "KF312", "helm refuses the chart: library charts are not installable");
	}
	kube_version_check(&R, root);
	check_deps(&R, root);
	if (vals.kind != KF_TV_MAP)
		vals = kf_tv_new_map(a);
	kf_chart_process_deps(a, root, vals, rep);
	kf_tv top = kf_tv_new_map(a);
	kf_tv rel = kf_tv_new_map(a);
	mset(a, rel, "Name", kf_tv_cstr(a, "dryrun"));
	mset(a, rel, "Namespace", kf_tv_cstr(a, "default"));
	mset(a, rel, "IsUpgrade", kf_tv_bool(false));
	mset(a, rel, "IsInstall", kf_tv_bool(true));
	mset(a, rel, "Revision", kf_tv_int(1));
	mset(a, rel, "Service", kf_tv_cstr(a, "Helm"));
	mset(a, top, "Release", rel);
	mset(a, top, "Capabilities", capabilities(a));
	mset(a, top, "Values", kf_chart_coalesce(a, root, vals));
	all_tpls(&R, root, top, 0);
	if (R.tpls.n)
		qsort(R.tpls.v, R.tpls.n, sizeof(tpl), tpl_order);

	static const kf_tmpl_func *const tables[] = {kf_tmpl_builtins, kf_tmpl_sprig_funcs, kf_tmpl_helm_funcs,
						      lookup_funcs, NULL};
	/* helm's depth; output no larger than a file discovery reads; values
	 * well above what real charts make (the corpus: under 1 MiB) */
	static const kf_tmpl_limits limits = {1000, 10000000, KF_CHART_MAX_OUTPUT, KF_CHART_MAX_VALUES};
	kf_tmpl_set *set = kf_tmpl_set_new(&limits, tables);
	for (size_t i = 0; i < R.tpls.n; i++) {
		tpl *tp = &R.tpls.v[i];
		kf_tmpl_error err;
		memset(&err, 0, sizeof(err));
		tp->parsed = kf_tmpl_set_parse(set, tp->name, tp->f->data, tp->f->len, &err);
		if (!tp->parsed)
			reportf(&R, tp->f, err.line, err.col, "KF311",
				"helm refuses the chart: the template cannot be parsed: %s", err.msg);
	}
	for (size_t i = 0; i < R.tpls.n; i++) {
		tpl *tp = &R.tpls.v[i];
		if (!tp->parsed || base_name(tp->name)[0] == '_')
			continue;
		kf_tv tv = kf_tv_new_map(a);
		mset(a, tv, "Name", kf_tv_cstr(a, tp->name));
		mset(a, tv, "BasePath", kf_tv_cstr(a, tp->base));
		mset(a, tp->vals, "Template", tv);
		kf_tmpl_error err;
		memset(&err, 0, sizeof(err));
		R.cur = tp;
		R.lookup = false;
		/* the tree's arena: a template may change the values the next
		 * ones see (`set .Values`), as in helm */
		tp->ok = kf_tmpl_execute(set, a, tp->name, tp->vals, &R, &tp->out, &err);
		if (!tp->ok)
			report_tmpl_error(&R, tp, &err);
		else if (R.lookup)
			report_lookup(&R, tp);
	}
	kf_tmpl_set_free(set);
	/* handed out in the order of names, as helm's SortManifests reads them */
	tpl **order = kf_xmalloc((R.tpls.n + 1) * sizeof(*order));
	size_t n = 0;
	for (size_t i = 0; i < R.tpls.n; i++)
		if (R.tpls.v[i].ok && strcmp(base_name(R.tpls.v[i].name), "NOTES.txt") != 0)
			order[n++] = &R.tpls.v[i];
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && strcmp(order[k - 1]->name, order[k]->name) > 0; k--) {
			tpl *x = order[k];
			order[k] = order[k - 1];
			order[k - 1] = x;
		}
	for (size_t i = 0; i < n; i++) {
		tpl *tp = order[i];
		/* helm: strings.ReplaceAll(out, "<no value>", "") */
		kf_buf clean = KF_BUF_INIT;
		const char *s = tp->out.ptr ? tp->out.ptr : "", *e = s + tp->out.len;
		while (s < e) {
			const char *nv = memmem(s, (size_t)(e - s), "<no value>", 10);
			if (!nv) {
				kf_buf_add(&clean, s, (size_t)(e - s));
				break;
			}
			kf_buf_add(&clean, s, (size_t)(nv - s));
			s = nv + 10;
		}
		out(ud, tp->name, tp->f, clean.ptr ? clean.ptr : "", clean.len);
		kf_buf_release(&clean);
	}
	free(order);
	for (size_t i = 0; i < R.tpls.n; i++)
		kf_buf_release(&R.tpls.v[i].out);
	kf_vec_free(&R.tpls);
}

