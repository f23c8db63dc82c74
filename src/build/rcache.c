/* SPDX-License-Identifier: Apache-2.0 */
/* rcache.c - the build cache shared through a registry or a folder. See
 * rcache.h and docs/build.md, "Sharing the cache". */
#include "build/rcache.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "build/build.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "registry/client.h"

#define CONFIG_MAX (64u << 20)

bool kf_cache_spec_parse(const char *arg, bool to, kf_cache_spec *out, kf_err *err)
{
	memset(out, 0, sizeof *out);
	const char *opt = to ? "--cache-to" : "--cache-from";
	const char *body;
	if (strncmp(arg, "registry:", 9) == 0) {
		out->registry = true;
		body = arg + 9;
	} else if (strncmp(arg, "oci:", 4) == 0) {
		body = arg + 4;
	} else {
		return kf_err_set(err, "%s=%s: give registry:REF or oci:DIR", opt, arg);
	}
	const char *comma = strchr(body, ',');
	size_t n = comma ? (size_t)(comma - body) : strlen(body);
	if (n == 0)
		return kf_err_set(err, "%s=%s: no %s", opt, arg, out->registry ? "image name" : "folder");
	while (comma) {
		const char *o = comma + 1;
		comma = strchr(o, ',');
		size_t k = comma ? (size_t)(comma - o) : strlen(o);
		if (to && k == 8 && strncmp(o, "mode=min", 8) == 0)
			out->max = false;
		else if (to && k == 8 && strncmp(o, "mode=max", 8) == 0)
			out->max = true;
		else
			return kf_err_set(err, "%s=%s: unknown option '%.*s'%s", opt, arg, (int)k, o,
					  to ? " (mode=min or mode=max)" : "");
	}
	char *w = strndup(body, n);
	if (out->registry) {
		kf_err e;
		out->where = kf_store_name(w, &e);
		free(w);
		if (!out->where)
			return kf_err_set(err, "%s=%s: %s", opt, arg, e.msg);
	} else {
		out->where = w;
	}
	return true;
}

void kf_cache_spec_release(kf_cache_spec *s)
{
	free(s->where);
	s->where = NULL;
}

/* ---- the config ------------------------------------------------------------------------ */

/* Is desc (digest, size and media type) one of layers? */
static bool has_layer(const json_t *layers, const json_t *desc)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	json_int_t size = json_integer_value(json_object_get(desc, "size"));
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l) {
		const char *ld = json_string_value(json_object_get(l, "digest"));
		const char *lmt = json_string_value(json_object_get(l, "mediaType"));
		if (ld && d && strcmp(ld, d) == 0 && json_integer_value(json_object_get(l, "size")) == size && lmt && mt &&
		    strcmp(lmt, mt) == 0)
			return true;
	}
	return false;
}

bool kf_cache_config_check(const json_t *cfg, const json_t *layers, json_t **records, json_t **links,
			   json_t **factsp, kf_err *err)
{
	*records = *links = *factsp = NULL;
	if (!json_is_object(cfg))
		return kf_err_set(err, "the cache config is not a JSON object");
	if (!json_is_integer(json_object_get(cfg, "version")) || json_integer_value(json_object_get(cfg, "version")) != 1)
		return kf_err_set(err, "the cache config is not of version 1");
	json_t *recs = json_object_get(cfg, "records");
	json_t *lks = json_object_get(cfg, "links");
	if (!json_is_object(recs))
		return kf_err_set(err, "the cache config has no \"records\" object");
	if (lks && !json_is_object(lks))
		return kf_err_set(err, "the cache config's \"links\" is not an object");
	const char *k;
	json_t *v;
	json_object_foreach(recs, k, v) {
		if (!kf_digest_valid(k))
			return kf_err_set(err, "the cache config has a key that is no digest");
		json_t *layer = json_object_get(v, "layer");
		if (!json_is_object(v) || !layer)
			return kf_err_set(err, "record %s: no \"layer\"", k);
		if (json_is_null(layer))
			continue;
		char what[128];
		snprintf(what, sizeof what, "record %.20s…'s layer", k);
		if (!kf_oci_check_descriptor(layer, what, err))
			return false;
		if (!kf_digest_valid(json_string_value(json_object_get(v, "diff_id"))))
			return kf_err_set(err, "record %s: no valid \"diff_id\"", k);
		if (layers && !has_layer(layers, layer))
			return kf_err_set(err, "record %s: its layer is not one of the manifest's", k);
	}
	json_object_foreach(lks, k, v) {
		if (!kf_digest_valid(k) || !kf_digest_valid(json_string_value(v)))
			return kf_err_set(err, "the cache config has a link that is no pair of digests");
	}
	json_t *facts = json_object_get(cfg, "facts");
	if (facts && !json_is_object(facts))
		return kf_err_set(err, "the cache config's \"facts\" is not an object");
	json_object_foreach(facts, k, v) {
		if (!kf_digest_valid(k) || !json_is_object(v))
			return kf_err_set(err, "the cache config has a fact that is no digest and object");
	}
	*records = json_incref(recs);
	*links = lks ? json_incref(lks) : json_object();
	*factsp = facts ? json_incref(facts) : json_object();
	return true;
}

bool kf_cache_config_parse(const char *data, size_t len, json_t **records, json_t **links, json_t **facts,
			   kf_err *err)
{
	*records = *links = *facts = NULL;
	json_error_t je;
	json_t *cfg = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (!cfg)
		return kf_err_set(err, "the cache config is not JSON: %s", je.text);
	bool ok = kf_cache_config_check(cfg, NULL, records, links, facts, err);
	json_decref(cfg);
	return ok;
}

/* ---- import and export ------------------------------------------------------------------ */

typedef struct source {
	kf_cache_spec spec;
	json_t *records, *links, *facts; /* NULL: not usable */
} source;

struct kf_rcache {
	const kf_build_options *o;
	KF_VEC(source) from;
	kf_cache_spec to;
	bool has_to, loaded;
	json_t *records, *links, *facts; /* what this build made, for --cache-to */
	json_t *layers;          /* their layers, in order, once each */
};

static kf_registry_options reg_options(const kf_rcache *c)
{
	kf_registry_options ro = {.tls_verify = !c->o->tls_verify_off, .jobs = c->o->jobs,
				  .interrupted = c->o->interrupted, .registries = c->o->registries};
	return ro;
}

kf_rcache *kf_rcache_new(const kf_build_options *o)
{
	if (!o->ncache_from && !o->cache_to)
		return NULL;
	kf_rcache *c = calloc(1, sizeof *c);
	c->o = o;
	c->records = json_object();
	c->links = json_object();
	c->facts = json_object();
	c->layers = json_array();
	kf_err e;
	for (size_t i = 0; i < o->ncache_from; i++) {
		source s = {0};
		if (kf_cache_spec_parse(o->cache_from[i], false, &s.spec, &e))
			kf_vec_push(&c->from, s);
	}
	if (o->cache_to)
		c->has_to = kf_cache_spec_parse(o->cache_to, true, &c->to, &e);
	return c;
}

void kf_rcache_free(kf_rcache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->from.n; i++) {
		kf_cache_spec_release(&c->from.v[i].spec);
		json_decref(c->from.v[i].records);
		json_decref(c->from.v[i].links);
		json_decref(c->from.v[i].facts);
	}
	kf_vec_free(&c->from);
	kf_cache_spec_release(&c->to);
	json_decref(c->records);
	json_decref(c->links);
	json_decref(c->facts);
	json_decref(c->layers);
	free(c);
}

static void warn(const kf_build_report *report, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(const kf_build_report *report, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (report && report->message)
		report->message(report->ud, KF_SEV_WARNING, "KF621", msg);
}

/* The cache's manifest: from the registry, or the layout's index entry
 * of the cache's artifactType (the last). */
static json_t *read_manifest(kf_rcache *c, source *s, const char *store, kf_err *err)
{
	(void)store;
	if (s->spec.registry) {
		kf_registry_options ro = reg_options(c);
		char *body = NULL;
		size_t len = 0;
		if (!kf_registry_manifest(s->spec.where, &ro, &body, &len, err))
			return NULL;
		json_t *m = json_loadb(body, len, 0, NULL);
		free(body);
		if (!m)
			kf_err_set(err, "the manifest is not JSON");
		return m;
	}
	json_t *index = kf_oci_index_read(s->spec.where, err);
	if (!index)
		return NULL;
	const char *digest = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *at = json_string_value(json_object_get(d, "artifactType"));
		if (at && strcmp(at, KF_MT_CACHE) == 0)
			digest = json_string_value(json_object_get(d, "digest"));
	}
	json_t *m = digest ? kf_oci_read_json(s->spec.where, digest, err) : NULL;
	if (!digest)
		kf_err_set(err, "the layout holds no kfc build cache");
	json_decref(index);
	return m;
}

static void load_one(kf_rcache *c, source *s, const char *store, const kf_build_report *report)
{
	const char *name = s->spec.where;
	const char *kind = s->spec.registry ? "registry" : "oci";
	kf_err e = {""};
	json_t *m = read_manifest(c, s, store, &e);
	if (!m) {
		warn(report, "--cache-from=%s:%s: the cache cannot be read: %s; its steps run", kind, name, e.msg);
		return;
	}
	const char *at = json_string_value(json_object_get(m, "artifactType"));
	json_t *cd = json_object_get(m, "config");
	const char *cmt = json_string_value(json_object_get(cd, "mediaType"));
	if (!at || strcmp(at, KF_MT_CACHE) != 0 || !cmt || strcmp(cmt, KF_MT_CACHE) != 0) {
		warn(report, "--cache-from=%s:%s: not a kfc build cache (artifactType %s); ignored", kind, name,
		     at ? at : "none");
		json_decref(m);
		return;
	}
	bool ok = kf_oci_check_manifest(m, &e) && kf_oci_check_descriptor(cd, "config", &e);
	if (ok && (uint64_t)json_integer_value(json_object_get(cd, "size")) > CONFIG_MAX)
		ok = kf_err_set(&e, "the config is larger than %u bytes", CONFIG_MAX);
	if (ok) {
		const json_t *one[] = {cd};
		kf_registry_options ro = reg_options(c);
		ok = s->spec.registry ? kf_registry_fetch_blobs(store, name, one, 1, &ro, &e)
				      : kf_oci_copy_blob(name, store, cd, true, &e);
	}
	json_t *cfg = ok ? kf_oci_read_json(store, json_string_value(json_object_get(cd, "digest")), &e) : NULL;
	if (ok && !cfg)
		ok = false;
	if (ok)
		ok = kf_cache_config_check(cfg, json_object_get(m, "layers"), &s->records, &s->links, &s->facts, &e);
	if (!ok)
		warn(report, "--cache-from=%s:%s: the cache is corrupt: %s; its steps run", kind, name, e.msg);
	json_decref(cfg);
	json_decref(m);
}

void kf_rcache_load(kf_rcache *c, const char *store, const kf_build_report *report)
{
	if (!c || c->loaded)
		return;
	c->loaded = true;
	for (size_t i = 0; i < c->from.n; i++)
		load_one(c, &c->from.v[i], store, report);
}

bool kf_rcache_exports(const kf_rcache *c)
{
	return c && c->has_to;
}

bool kf_rcache_usable(const kf_rcache *c)
{
	for (size_t i = 0; c && i < c->from.n; i++)
		if (c->from.v[i].records)
			return true;
	return false;
}

const json_t *kf_rcache_find(const kf_rcache *c, const char *key, size_t *from)
{
	for (size_t i = 0; c && i < c->from.n; i++) {
		const json_t *r = json_object_get(c->from.v[i].records, key);
		if (r) {
			*from = i;
			return r;
		}
	}
	return NULL;
}

const json_t *kf_rcache_find_fact(const kf_rcache *c, const char *key)
{
	for (size_t i = 0; c && i < c->from.n; i++) {
		const json_t *f = json_object_get(c->from.v[i].facts, key);
		if (f)
			return f;
	}
	return NULL;
}

void kf_rcache_note_fact(kf_rcache *c, const char *key, const json_t *fact)
{
	if (c && c->has_to)
		json_object_set_new(c->facts, key, json_deep_copy(fact));
}

const char *kf_rcache_find_link(const kf_rcache *c, const char *first)
{
	for (size_t i = 0; c && i < c->from.n; i++) {
		const char *k = json_string_value(json_object_get(c->from.v[i].links, first));
		if (k)
			return k;
	}
	return NULL;
}

bool kf_rcache_fetch(kf_rcache *c, size_t from, const char *store, const json_t *desc, kf_err *err)
{
	source *s = &c->from.v[from];
	if (!s->spec.registry)
		return kf_oci_copy_blob(s->spec.where, store, desc, true, err);
	const json_t *one[] = {desc};
	kf_registry_options ro = reg_options(c);
	return kf_registry_fetch_blobs(store, s->spec.where, one, 1, &ro, err);
}

void kf_rcache_note(kf_rcache *c, const char *key, const json_t *rec)
{
	if (!c || !c->has_to)
		return;
	const json_t *layer = json_object_get(rec, "layer");
	if (!c->to.max && (!layer || json_is_null(layer)))
		return; /* mode=min: the image's layers only */
	json_object_set_new(c->records, key, json_deep_copy(rec));
	if (layer && !json_is_null(layer) && !has_layer(c->layers, layer))
		json_array_append_new(c->layers, json_pack("{s:O,s:O,s:O}", "mediaType",
							   json_object_get(layer, "mediaType"), "digest",
							   json_object_get(layer, "digest"), "size",
							   json_object_get(layer, "size")));
}

void kf_rcache_note_link(kf_rcache *c, const char *first, const char *key)
{
	if (c && c->has_to)
		json_object_set_new(c->links, first, json_string(key));
}

const char *kf_rcache_export_name(const kf_rcache *c)
{
	return c && c->has_to ? c->o->cache_to : "";
}

/* The repository a push mounts every layer from (a repository that lacks
 * one starts an upload instead) */
static const char *mount_source(void *ud, const char *digest)
{
	(void)digest;
	return ud;
}

/* the repository of the first of names on the registry of to that is
 * another repository, malloc'd, or NULL */
static char *mount_repo(const char *to, const char *const *names, size_t n)
{
	const char *slash = strchr(to, '/');
	size_t hl = slash ? (size_t)(slash - to) : 0;
	for (size_t i = 0; slash && i < n; i++) {
		kf_err e;
		char *name = kf_store_name(names[i], &e);
		if (!name)
			continue;
		if (strncmp(name, to, hl + 1) == 0) {
			char *repo = strdup(name + hl + 1);
			repo[strcspn(repo, ":@")] = '\0';
			size_t rl = strlen(repo);
			bool same = strncmp(to + hl + 1, repo, rl) == 0 && strchr(":@", to[hl + 1 + rl]);
			free(name);
			if (!same)
				return repo;
			free(repo);
			continue;
		}
		free(name);
	}
	return NULL;
}

bool kf_rcache_export(kf_rcache *c, const char *store, const char *const *mount_from, size_t nmount, kf_err *err)
{
	if (!c || !c->has_to)
		return true;
	json_t *cfg = json_pack("{s:i,s:O,s:O,s:O}", "version", 1, "records", c->records, "links", c->links, "facts",
				c->facts);
	json_t *cdesc = NULL, *mdesc = NULL;
	bool ok = kf_oci_put_json(store, cfg, KF_MT_CACHE, &cdesc, err);
	json_decref(cfg);
	json_t *man = NULL;
	if (ok) {
		man = json_pack("{s:i,s:s,s:s,s:O,s:O}", "schemaVersion", 2, "mediaType", KF_MT_MANIFEST,
				"artifactType", KF_MT_CACHE, "config", cdesc, "layers", c->layers);
		ok = kf_oci_put_json(store, man, KF_MT_MANIFEST, &mdesc, err);
	}
	if (ok && mdesc)
		json_object_set_new(mdesc, "artifactType", json_string(KF_MT_CACHE));
	const char *mdigest = json_string_value(json_object_get(mdesc, "digest"));
	if (ok && c->to.registry) {
		char *repo = mount_repo(c->to.where, mount_from, nmount);
		kf_registry_options ro = reg_options(c);
		ro.mount_source = repo ? mount_source : NULL;
		ro.mount_ud = repo;
		kf_push_result r;
		ok = kf_registry_push(store, mdigest, c->to.where, &ro, &r, err);
		free(repo);
	} else if (ok) {
		const char *dir = c->to.where;
		ok = kf_oci_init(dir, err) && kf_oci_copy_blob(store, dir, cdesc, false, err) &&
		     kf_oci_copy_blob(store, dir, mdesc, false, err);
		size_t i;
		json_t *l;
		json_array_foreach(c->layers, i, l) {
			if (ok)
				ok = kf_oci_copy_blob(store, dir, l, false, err);
		}
		json_t *index = ok ? kf_oci_index_read(dir, err) : NULL;
		if (index) {
			/* one cache a layout: the previous entry goes */
			json_t *ms = json_object_get(index, "manifests");
			for (size_t k = json_array_size(ms); k-- > 0;) {
				const char *at = json_string_value(json_object_get(json_array_get(ms, k), "artifactType"));
				if (at && strcmp(at, KF_MT_CACHE) == 0)
					json_array_remove(ms, k);
			}
			json_array_append(ms, mdesc);
			ok = kf_oci_index_write(dir, index, err);
			json_decref(index);
		} else {
			ok = false;
		}
	}
	json_decref(man);
	json_decref(cdesc);
	json_decref(mdesc);
	return ok;
}
