/* SPDX-License-Identifier: Apache-2.0 */
/* values.c - helm's values (chart.h, docs/imagelist.md): chartutil's
 * CoalesceValues and CoalesceTables, and ProcessDependencies (aliases,
 * condition, tags, disabled subcharts, import-values), as helm v3.8.1 does
 * them (the user's values, --set and -f, are strvals.c's).
 *
 * Maps are references here as they are in Go, and the algorithms are
 * helm's step by step, so that what helm's sharing of maps does (a
 * subchart's defaults written into its parent's values, a `null` that
 * deletes a key on the first coalescing only) is done the same way.
 */
#include "discovery/chart.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/vec.h"

/* ---- coalescing ------------------------------------------------------------------------ */

kf_tv kf_chart_coalesce_tables(kf_arena *a, kf_tv dst, kf_tv src)
{
	if (src.kind != KF_TV_MAP)
		return dst;
	if (dst.kind != KF_TV_MAP)
		return src;
	/* src's pairs are copied first: dst may change under the walk, and may
	 * be src itself (helm's maps are shared: then its nils are deleted) */
	size_t n = src.u.map->len;
	kf_tv_pair *pairs = kf_xmalloc((n ? n : 1) * sizeof(*pairs));
	if (n)
		memcpy(pairs, src.u.map->pairs, n * sizeof(*pairs));
	for (size_t i = 0; i < n; i++) {
		const char *key = pairs[i].key;
		kf_tv val = pairs[i].val;
		kf_tv *dv = kf_tv_map_get(dst.u.map, key, pairs[i].klen);
		if (dv && dv->kind == KF_TV_NIL) {
			kf_tv_map_del(dst.u.map, key, pairs[i].klen);
		} else if (!dv) {
			kf_tv_map_set(a, dst.u.map, key, pairs[i].klen, val);
		} else if (val.kind == KF_TV_MAP) {
			if (dv->kind == KF_TV_MAP)
				kf_chart_coalesce_tables(a, *dv, val);
			/* else helm warns: cannot overwrite table with non table */
		}
	}
	free(pairs);
	return dst;
}

static kf_tv copy_map(kf_arena *a, kf_tv m)
{
	kf_tv out = kf_tv_new_map(a);
	for (size_t i = 0; i < m.u.map->len; i++)
		kf_tv_map_set(a, out.u.map, m.u.map->pairs[i].key, m.u.map->pairs[i].klen, m.u.map->pairs[i].val);
	return out;
}

static void coalesce_globals(kf_arena *a, kf_tv dest, kf_tv src)
{
	kf_tv dg, sg;
	kf_tv *d = kf_tv_get(dest, "global"), *s = kf_tv_get(src, "global");
	if (!d)
		dg = kf_tv_new_map(a);
	else if (d->kind == KF_TV_MAP)
		dg = *d;
	else
		return;
	if (!s)
		sg = kf_tv_new_map(a);
	else if (s->kind == KF_TV_MAP)
		sg = *s;
	else
		return;
	size_t n = sg.u.map->len;
	kf_tv_pair *pairs = kf_xmalloc((n ? n : 1) * sizeof(*pairs));
	if (n)
		memcpy(pairs, sg.u.map->pairs, n * sizeof(*pairs));
	for (size_t i = 0; i < n; i++) {
		kf_tv val = pairs[i].val;
		kf_tv *dv = kf_tv_map_get(dg.u.map, pairs[i].key, pairs[i].klen);
		if (val.kind == KF_TV_MAP) {
			kf_tv vv = copy_map(a, val);
			if (!dv) {
				kf_tv_map_set(a, dg.u.map, pairs[i].key, pairs[i].klen, vv);
			} else if (dv->kind == KF_TV_MAP) {
				kf_chart_coalesce_tables(a, vv, *dv);
				kf_tv_map_set(a, dg.u.map, pairs[i].key, pairs[i].klen, vv);
			}
		} else if (dv && dv->kind == KF_TV_MAP) {
			/* helm: key is table, skipping */
		} else {
			kf_tv_map_set(a, dg.u.map, pairs[i].key, pairs[i].klen, val);
		}
	}
	free(pairs);
	kf_tv_put(a, dest, "global", dg);
}

static void coalesce_values(kf_arena *a, kf_chart *c, kf_tv v)
{
	if (c->values.kind != KF_TV_MAP)
		return;
	size_t n = c->values.u.map->len;
	kf_tv_pair *pairs = kf_xmalloc((n ? n : 1) * sizeof(*pairs));
	if (n)
		memcpy(pairs, c->values.u.map->pairs, n * sizeof(*pairs));
	for (size_t i = 0; i < n; i++) {
		kf_tv *value = kf_tv_map_get(v.u.map, pairs[i].key, pairs[i].klen);
		if (value) {
			if (value->kind == KF_TV_NIL)
				kf_tv_map_del(v.u.map, pairs[i].key, pairs[i].klen);
			else if (value->kind == KF_TV_MAP && pairs[i].val.kind == KF_TV_MAP)
				kf_chart_coalesce_tables(a, *value, pairs[i].val);
		} else {
			kf_tv_map_set(a, v.u.map, pairs[i].key, pairs[i].klen, pairs[i].val);
		}
	}
	free(pairs);
}

static void coalesce(kf_arena *a, kf_chart *c, kf_tv dest, int depth);

static void coalesce_deps(kf_arena *a, kf_chart *c, kf_tv dest, int depth)
{
	for (size_t i = 0; i < c->ndeps; i++) {
		kf_chart *sub = c->deps[i];
		kf_tv *cur = kf_tv_get(dest, sub->name);
		if (!cur)
			kf_tv_put(a, dest, sub->name, kf_tv_new_map(a));
		else if (cur->kind != KF_TV_MAP)
			continue; /* helm fails: type mismatch */
		kf_tv dv = *kf_tv_get(dest, sub->name);
		coalesce_globals(a, dv, dest);
		coalesce(a, sub, dv, depth + 1);
	}
}

static void coalesce(kf_arena *a, kf_chart *c, kf_tv dest, int depth)
{
	if (depth > KF_CHART_MAX_DEPTH * 2)
		return;
	coalesce_values(a, c, dest);
	coalesce_deps(a, c, dest, depth);
}

kf_tv kf_chart_coalesce(kf_arena *a, kf_chart *c, kf_tv vals)
{
	kf_tv dest = vals.kind == KF_TV_MAP ? kf_tv_deep_copy(a, vals) : kf_tv_new_map(a);
	coalesce(a, c, dest, 0);
	return dest;
}

/* ---- paths and tables ----------------------------------------------------------------------- */

/* helm's Values.Table: the map at a dot-separated path, or NULL */
static kf_tv *table(kf_tv v, const char *path, kf_tv *root)
{
	*root = v;
	kf_tv *cur = root;
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (cur->kind != KF_TV_MAP)
			return NULL;
		kf_tv *next = kf_tv_map_get(cur->u.map, p, n);
		if (!next || next->kind != KF_TV_MAP)
			return NULL;
		cur = next;
		if (!dot)
			return cur;
		p = dot + 1;
	}
}

/* helm's Values.PathValue: a value that is no table, or NULL */
static kf_tv *path_value(kf_tv v, const char *path)
{
	if (!path[0])
		return NULL;
	const char *last = strrchr(path, '.');
	kf_tv *t;
	kf_tv root;
	if (!last) {
		t = &v;
		last = path;
	} else {
		char *prefix = kf_xmalloc((size_t)(last - path) + 1);
		memcpy(prefix, path, (size_t)(last - path));
		prefix[last - path] = '\0';
		t = table(v, prefix, &root);
		free(prefix);
		last++;
	}
	if (!t || t->kind != KF_TV_MAP)
		return NULL;
	kf_tv *k = kf_tv_map_get(t->u.map, last, strlen(last));
	return k && k->kind != KF_TV_MAP ? k : NULL;
}

/* ---- dependencies ------------------------------------------------------------------------------ */

static void set_deps(kf_arena *a, kf_chart *c, kf_chart **deps, size_t n)
{
	c->deps = n ? kf_arena_memdup(a, deps, n * sizeof(*deps)) : NULL;
	c->ndeps = n;
	for (size_t i = 0; i < n; i++)
		c->deps[i]->parent = c;
}

static kf_chart *alias_dep(kf_arena *a, kf_chart *c, kf_chart_dep *req)
{
	for (size_t i = 0; i < c->ndeps; i++) {
		kf_chart *d = c->deps[i];
		if (strcmp(d->name, req->name) != 0 || !kf_chart_semver_check(req->version, d->version))
			continue;
		kf_chart *out = kf_arena_memdup(a, d, sizeof(*d));
		if (req->alias && req->alias[0])
			out->name = req->alias;
		return out;
	}
	return NULL;
}

static void dep_tags(kf_chart_dep **reqs, size_t n, kf_tv cvals)
{
	kf_tv root;
	kf_tv *vt = table(cvals, "tags", &root);
	if (!vt)
		return;
	for (size_t i = 0; i < n; i++) {
		kf_chart_dep *r = reqs[i];
		bool has_true = false, has_false = false;
		if (r->tags.kind == KF_TV_LIST)
			for (size_t k = 0; k < r->tags.u.list->len; k++) {
				kf_tv t = r->tags.u.list->items[k];
				if (t.kind != KF_TV_STRING)
					continue;
				kf_tv *b = kf_tv_map_get(vt->u.map, t.u.s.p, t.u.s.len);
				if (b && b->kind == KF_TV_BOOL) {
					if (b->u.b)
						has_true = true;
					else
						has_false = true;
				}
			}
		r->enabled = !(!has_true && has_false);
	}
}

static void dep_conditions(kf_chart_dep **reqs, size_t n, kf_tv cvals, const char *cpath)
{
	for (size_t i = 0; i < n; i++) {
		kf_chart_dep *r = reqs[i];
		if (!r->condition)
			continue;
		/* strings.Split(strings.TrimSpace(cond), ","): the parts are not trimmed */
		const char *s = r->condition, *e = s + strlen(s);
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		while (s <= e) {
			const char *comma = memchr(s, ',', (size_t)(e - s));
			const char *pe = comma ? comma : e;
			if (pe > s) {
				kf_buf p = KF_BUF_INIT;
				kf_buf_printf(&p, "%s%.*s", cpath, (int)(pe - s), s);
				kf_tv *vv = path_value(cvals, p.ptr);
				kf_buf_release(&p);
				if (vv && vv->kind == KF_TV_BOOL) {
					r->enabled = vv->u.b;
					break;
				}
			}
			if (!comma)
				break;
			s = comma + 1;
		}
	}
}

static void dep_enabled(kf_arena *a, kf_chart *c, kf_tv v, const char *path, int depth)
{
	if (!c->reqs || depth > KF_CHART_MAX_DEPTH * 2)
		return;
	KF_VEC(kf_chart *) nd = {0};
	for (size_t i = 0; i < c->ndeps; i++) {
		kf_chart *ex = c->deps[i];
		bool matched = false;
		for (size_t k = 0; k < c->nreqs && !matched; k++)
			matched = strcmp(ex->name, c->reqs[k]->name) == 0 &&
				  kf_chart_semver_check(c->reqs[k]->version, ex->version);
		if (!matched)
			kf_vec_push(&nd, ex);
	}
	for (size_t k = 0; k < c->nreqs; k++) {
		kf_chart *cd = alias_dep(a, c, c->reqs[k]);
		if (cd)
			kf_vec_push(&nd, cd);
		if (c->reqs[k]->alias && c->reqs[k]->alias[0])
			c->reqs[k]->name = c->reqs[k]->alias;
	}
	set_deps(a, c, nd.v, nd.n);
	kf_vec_free(&nd);
	for (size_t k = 0; k < c->nreqs; k++)
		c->reqs[k]->enabled = true;
	kf_tv cvals = kf_chart_coalesce(a, c, v);
	dep_tags(c->reqs, c->nreqs, cvals);
	dep_conditions(c->reqs, c->nreqs, cvals, path);
	KF_VEC(kf_chart *) cd = {0};
	KF_VEC(kf_chart_dep *) cm = {0};
	for (size_t i = 0; i < c->ndeps; i++) {
		bool rm = false;
		for (size_t k = 0; k < c->nreqs && !rm; k++)
			rm = !c->reqs[k]->enabled && strcmp(c->reqs[k]->name, c->deps[i]->name) == 0;
		if (!rm)
			kf_vec_push(&cd, c->deps[i]);
	}
	for (size_t k = 0; k < c->nreqs; k++) {
		bool rm = false;
		for (size_t j = 0; j < c->nreqs && !rm; j++)
			rm = !c->reqs[j]->enabled && strcmp(c->reqs[j]->name, c->reqs[k]->name) == 0;
		if (!rm)
			kf_vec_push(&cm, c->reqs[k]);
	}
	for (size_t i = 0; i < cd.n; i++) {
		char *sub = kf_arena_printf(a, "%s%s.", path, cd.v[i]->name);
		dep_enabled(a, cd.v[i], cvals, sub, depth + 1);
	}
	c->reqs = cm.n ? kf_arena_memdup(a, cm.v, cm.n * sizeof(*cm.v)) : kf_arena_zalloc(a, sizeof(*cm.v));
	c->nreqs = cm.n;
	set_deps(a, c, cd.v, cd.n);
	kf_vec_free(&cd);
	kf_vec_free(&cm);
}

/* {p0: {p1: ... data}} of helm's pathToMap */
static kf_tv path_to_map(kf_arena *a, const char *path, kf_tv data)
{
	if (strcmp(path, ".") == 0)
		return data;
	KF_VEC(kf_str) parts = {0};
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		kf_vec_push(&parts, kf_str_make(p, n));
		if (!dot)
			break;
		p = dot + 1;
	}
	kf_tv cur = data;
	for (size_t i = parts.n; i-- > 0;) {
		kf_tv m = kf_tv_new_map(a);
		kf_tv_map_set(a, m.u.map, parts.v[i].ptr, parts.v[i].len, cur);
		cur = m;
	}
	kf_vec_free(&parts);
	return cur;
}

static void import_values(kf_arena *a, kf_chart *c)
{
	if (!c->reqs)
		return;
	kf_tv cvals = kf_chart_coalesce(a, c, kf_tv_nil());
	kf_tv b = kf_tv_new_map(a);
	for (size_t k = 0; k < c->nreqs; k++) {
		kf_chart_dep *r = c->reqs[k];
		if (r->import_values.kind != KF_TV_LIST)
			continue;
		kf_tv out = kf_tv_new_list(a, r->import_values.u.list->len);
		for (size_t i = 0; i < r->import_values.u.list->len; i++) {
			kf_tv iv = r->import_values.u.list->items[i];
			kf_tv root;
			if (iv.kind == KF_TV_MAP) {
				kf_tv *child = kf_tv_get(iv, "child"), *parent = kf_tv_get(iv, "parent");
				if (!child || !parent || child->kind != KF_TV_STRING || parent->kind != KF_TV_STRING)
					continue; /* helm panics */
				kf_tv o = kf_tv_new_map(a);
				kf_tv_put(a, o, "child", *child);
				kf_tv_put(a, o, "parent", *parent);
				kf_tv_list_push(a, out.u.list, o);
				char *p = kf_arena_printf(a, "%s.%s", r->name, child->u.s.p);
				kf_tv *vv = table(cvals, p, &root);
				if (!vv)
					continue;
				b = kf_chart_coalesce_tables(a, cvals, path_to_map(a, parent->u.s.p, *vv));
			} else if (iv.kind == KF_TV_STRING) {
				kf_tv o = kf_tv_new_map(a);
				kf_tv_put(a, o, "child", kf_tv_cstr(a, kf_arena_printf(a, "exports.%s", iv.u.s.p)));
				kf_tv_put(a, o, "parent", kf_tv_cstr(a, "."));
				kf_tv_list_push(a, out.u.list, o);
				char *p = kf_arena_printf(a, "%s.exports.%s", r->name, iv.u.s.p);
				kf_tv *vm = table(cvals, p, &root);
				if (!vm)
					continue;
				b = kf_chart_coalesce_tables(a, b, *vm);
			}
		}
		r->import_values = out;
	}
	c->values = kf_chart_coalesce_tables(a, b, cvals);
}

static void dep_import_values(kf_arena *a, kf_chart *c, int depth)
{
	if (depth > KF_CHART_MAX_DEPTH * 2)
		return;
	for (size_t i = 0; i < c->ndeps; i++)
		dep_import_values(a, c->deps[i], depth + 1);
	import_values(a, c);
}

void kf_chart_process_deps(kf_arena *a, kf_chart *c, kf_tv vals, const kf_chart_report *rep)
{
	(void)rep;
	dep_enabled(a, c, vals, "", 0);
	dep_import_values(a, c, 0);
}

