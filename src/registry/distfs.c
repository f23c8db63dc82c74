/* SPDX-License-Identifier: Apache-2.0 */
/* distfs.c - the container image cache in docker distribution's
 * filesystem storage. See distfs.h. */
#include "registry/distfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/imageref.h"
#include "oci/oci.h"
#include "oci/unpack.h"

#define REPOS KF_DISTFS_ROOT "/repositories/"

bool kf_distfs_repo(const char *name, char **repo, char **reference)
{
	kf_imageref ref;
	if (kf_imageref_parse(kf_str_cstr(name), &ref) || !ref.path.len)
		return false;
	*repo = strndup(ref.path.ptr, ref.path.len);
	if (ref.digest.len)
		*reference = strndup(ref.digest.ptr, ref.digest.len);
	else if (ref.tag.len)
		*reference = strndup(ref.tag.ptr, ref.tag.len);
	else
		*reference = strdup("latest");
	return true;
}

/* a link file: "sha256:<hex>" */
static void add_link(kf_layer *l, const char *path, const char *digest)
{
	kf_layer_add_data(l, path, digest, strlen(digest), 0644, &KF_LAYER_META_DEFAULT);
}

/* a blob's data, once */
static bool add_blob(kf_layer *l, const char *prefix, const char *store, const char *digest, json_t *added,
		     kf_err *err)
{
	if (json_object_get(added, digest))
		return true;
	char *disk = kf_oci_blob_path(store, digest);
	bool ok = access(disk, R_OK) == 0;
	if (!ok) {
		kf_err_set(err, "blob %s: %s in the store", digest, strerror(errno));
	} else {
		const char *hex = digest + 7;
		kf_buf p = KF_BUF_INIT;
		kf_buf_printf(&p, "%s/" KF_DISTFS_ROOT "/blobs/sha256/%.2s/%s/data", prefix, hex, hex);
		kf_layer_add_file(l, p.ptr, disk, 0644, &KF_LAYER_META_DEFAULT);
		kf_buf_release(&p);
		json_object_set_new(added, digest, json_true());
	}
	free(disk);
	return ok;
}

static bool add_image(kf_layer *l, const char *prefix, const char *store, const kf_distfs_image *img, json_t *added,
		      kf_err *err)
{
	char *repo = NULL, *reference = NULL;
	if (!kf_distfs_repo(img->name, &repo, &reference))
		return kf_err_set(err, "'%s' is no image name", img->name);
	json_t *m = kf_oci_read_json(store, img->manifest, err);
	bool ok = m != NULL;
	const char *top = img->index ? img->index : img->manifest;
	kf_buf p = KF_BUF_INIT;
	/* the manifests: blobs and revisions */
	const char *mans[2] = {img->manifest, img->index};
	for (int i = 0; ok && i < 2; i++)
		if (mans[i]) {
			ok = add_blob(l, prefix, store, mans[i], added, err);
			kf_buf_reset(&p);
			kf_buf_printf(&p, "%s/" REPOS "%s/_manifests/revisions/sha256/%s/link", prefix, repo, mans[i] + 7);
			add_link(l, p.ptr, mans[i]);
		}
	/* the config and the layers: blobs and the repository's links */
	json_t *descs = json_array();
	if (ok) {
		json_array_append(descs, json_object_get(m, "config"));
		json_array_extend(descs, json_object_get(m, "layers"));
	}
	size_t i;
	json_t *d;
	json_array_foreach(descs, i, d) {
		const char *dg = json_string_value(json_object_get(d, "digest"));
		if (!ok || !dg || strncmp(dg, "sha256:", 7) != 0) {
			ok = ok && kf_err_set(err, "manifest %s: a descriptor without a sha256 digest", img->manifest);
			break;
		}
		ok = add_blob(l, prefix, store, dg, added, err);
		kf_buf_reset(&p);
		kf_buf_printf(&p, "%s/" REPOS "%s/_layers/sha256/%s/link", prefix, repo, dg + 7);
		add_link(l, p.ptr, dg);
	}
	json_decref(descs);
	/* the tag */
	if (ok && strncmp(reference, "sha256:", 7) != 0) {
		kf_buf_reset(&p);
		kf_buf_printf(&p, "%s/" REPOS "%s/_manifests/tags/%s/current/link", prefix, repo, reference);
		add_link(l, p.ptr, top);
		kf_buf_reset(&p);
		kf_buf_printf(&p, "%s/" REPOS "%s/_manifests/tags/%s/index/sha256/%s/link", prefix, repo, reference, top + 7);
		add_link(l, p.ptr, top);
	}
	kf_buf_release(&p);
	json_decref(m);
	free(repo);
	free(reference);
	return ok;
}

bool kf_distfs_add(kf_layer *l, const char *prefix, const char *store, const kf_distfs_image *imgs, size_t n,
		   kf_err *err)
{
	json_t *added = json_object();
	bool ok = true;
	for (size_t i = 0; ok && i < n; i++) {
		ok = add_image(l, prefix, store, &imgs[i], added, err);
		if (!ok) {
			kf_err e = *err;
			kf_err_set(err, "%s: %s", imgs[i].name, e.msg);
		}
	}
	json_decref(added);
	return ok;
}

/* ---- what a layer stack holds ------------------------------------------------------------ */

typedef struct scanner {
	json_t *files; /* path → link content */
	size_t skip;   /* the length of the prefix up to the repositories */
} scanner;

static void on_file(void *ud, const char *name, const char *data, size_t len)
{
	scanner *s = ud;
	if (data) {
		json_object_set_new(s->files, name + s->skip, json_stringn(data, len));
		return;
	}
	/* a whiteout: the entry, or the folder (and all in it) */
	const char *hidden = name + (strlen(name) >= s->skip ? s->skip : strlen(name));
	size_t hl = strlen(hidden);
	const char *k;
	json_t *v, *tmp;
	json_object_foreach_safe(s->files, tmp, k, v) {
		if (strncmp(k, hidden, hl) == 0 && (k[hl] == '\0' || k[hl] == '/' || (hl && hidden[hl - 1] == '/')))
			json_object_del(s->files, k);
	}
}

/* "REPO/_manifests/tags/TAG/current/link" → repo, tag; or
 * "REPO/_manifests/revisions/sha256/HEX/link" → repo, digest */
static void note(json_t *out, const char *key, const char *value)
{
	const char *m = strstr(key, "/_manifests/");
	if (!m)
		return;
	kf_buf k = KF_BUF_INIT;
	const char *rest = m + 12;
	size_t rl = strlen(rest);
	if (strncmp(rest, "tags/", 5) == 0 && rl > 18 && strcmp(rest + rl - 13, "/current/link") == 0) {
		kf_buf_printf(&k, "%.*s:%.*s", (int)(m - key), key, (int)(rl - 18), rest + 5);
		if (strncmp(value, "sha256:", 7) == 0)
			json_object_set_new(out, k.ptr, json_string(value));
	} else if (strncmp(rest, "revisions/sha256/", 17) == 0 && rl > 22 && strcmp(rest + rl - 5, "/link") == 0) {
		kf_buf_printf(&k, "%.*s@sha256:%.*s", (int)(m - key), key, (int)(rl - 22), rest + 17);
		json_object_set_new(out, k.ptr, json_true());
	}
	kf_buf_release(&k);
}

json_t *kf_distfs_scan(const char *const *layers, size_t n, const char *prefix, kf_err *err)
{
	kf_buf p = KF_BUF_INIT;
	kf_buf_printf(&p, "%s/" REPOS, prefix);
	scanner s = {json_object(), p.len};
	bool ok = kf_layers_each_file(layers, n, p.ptr, 256, NULL, on_file, &s, err);
	kf_buf_release(&p);
	json_t *out = ok ? json_object() : NULL;
	const char *k;
	json_t *v;
	json_object_foreach(ok ? s.files : NULL, k, v) note(out, k, json_string_value(v));
	json_decref(s.files);
	return out;
}

bool kf_distfs_has(const json_t *scan, const char *name)
{
	char *repo, *reference;
	if (!scan || !kf_distfs_repo(name, &repo, &reference))
		return false;
	kf_buf k = KF_BUF_INIT;
	bool has;
	if (strncmp(reference, "sha256:", 7) == 0) {
		kf_buf_printf(&k, "%s@%s", repo, reference);
		has = json_object_get(scan, k.ptr) != NULL;
	} else {
		kf_buf_printf(&k, "%s:%s", repo, reference);
		const char *d = json_string_value(json_object_get(scan, k.ptr));
		kf_buf_reset(&k);
		if (d)
			kf_buf_printf(&k, "%s@%s", repo, d);
		has = d && json_object_get(scan, k.ptr) != NULL;
	}
	kf_buf_release(&k);
	free(repo);
	free(reference);
	return has;
}

/* ---- what the cache holds, image by image ------------------------------------------------ */

typedef struct reader {
	json_t *wanted; /* path → null, then the file's content */
} reader;

static bool wanted(void *ud, const char *name)
{
	return json_object_get(((reader *)ud)->wanted, name) != NULL;
}

static void on_blob(void *ud, const char *name, const char *data, size_t len)
{
	if (data)
		json_object_set_new(((reader *)ud)->wanted, name, json_loadb(data, len, 0, NULL));
}

static const char *blob_name(kf_buf *p, const char *prefix, const char *digest)
{
	kf_buf_reset(p);
	kf_buf_printf(p, "%s/" KF_DISTFS_ROOT "/blobs/sha256/%.2s/%s/data", prefix, digest + 7, digest + 7);
	return p->ptr;
}

static int cmp_tags(const void *x, const void *y)
{
	const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
	int c = strcmp(json_string_value(json_object_get(a, "repository")), json_string_value(json_object_get(b, "repository")));
	return c ? c : strcmp(json_string_value(json_object_get(a, "tag")), json_string_value(json_object_get(b, "tag")));
}

json_t *kf_distfs_list(const char *const *layers, size_t n, const char *prefix, json_t **scan_out, kf_err *err)
{
	json_t *scan = kf_distfs_scan(layers, n, prefix, err);
	if (!scan)
		return NULL;
	/* the manifests the tags name (and their indexes' images), read from
	 * the layers in two passes: the tags' documents, then the images of
	 * the indexes among them */
	reader r = {json_object()};
	kf_buf p = KF_BUF_INIT;
	const char *k;
	json_t *v;
	json_object_foreach(scan, k, v) if (json_is_string(v)) json_object_set_new(r.wanted, blob_name(&p, prefix, json_string_value(v)), json_null());
	bool ok = kf_layers_each_file(layers, n, prefix, 4u << 20, wanted, on_blob, &r, err);
	json_t *second = json_object();
	json_object_foreach(ok ? r.wanted : NULL, k, v) {
		size_t i;
		json_t *m;
		json_array_foreach(json_object_get(v, "manifests"), i, m) {
			const char *d = json_string_value(json_object_get(m, "digest"));
			if (d && strlen(d) == 71 && strncmp(d, "sha256:", 7) == 0)
				json_object_set_new(second, blob_name(&p, prefix, d), json_null());
		}
	}
	json_object_update_missing(r.wanted, second);
	json_decref(second);
	if (ok)
		ok = kf_layers_each_file(layers, n, prefix, 4u << 20, wanted, on_blob, &r, err);
	/* the images' configs, for their platforms */
	json_t *third = json_object();
	json_object_foreach(ok ? r.wanted : NULL, k, v) {
		const char *d = json_string_value(json_object_get(json_object_get(v, "config"), "digest"));
		if (d && strlen(d) == 71 && strncmp(d, "sha256:", 7) == 0)
			json_object_set_new(third, blob_name(&p, prefix, d), json_null());
	}
	json_object_update_missing(r.wanted, third);
	json_decref(third);
	if (ok)
		ok = kf_layers_each_file(layers, n, prefix, 4u << 20, wanted, on_blob, &r, err);
	json_t *out = ok ? json_array() : NULL;
	json_object_foreach(ok ? scan : NULL, k, v) {
		if (!json_is_string(v))
			continue;
		const char *top = json_string_value(v);
		const char *colon = strrchr(k, ':');
		json_t *doc = json_object_get(r.wanted, blob_name(&p, prefix, top));
		json_t *e = json_pack("{s:s%,s:s,s:s}", "repository", k, (size_t)(colon - k), "tag", colon + 1, "digest", top);
		/* an index: each image it holds here */
		json_t *images = json_array();
		json_t *descs = json_object_get(doc, "manifests");
		if (!descs) {
			descs = json_pack("[{s:s}]", "digest", top);
		} else {
			json_incref(descs);
		}
		size_t i;
		json_t *d;
		json_array_foreach(descs, i, d) {
			const char *md = json_string_value(json_object_get(d, "digest"));
			json_t *m = md ? json_object_get(r.wanted, blob_name(&p, prefix, md)) : NULL;
			if (!json_is_object(m))
				continue; /* not cached: another platform's */
			json_int_t size = json_integer_value(json_object_get(json_object_get(m, "config"), "size"));
			size_t j;
			json_t *l;
			json_array_foreach(json_object_get(m, "layers"), j, l) size += json_integer_value(json_object_get(l, "size"));
			json_t *img = json_pack("{s:s,s:I}", "manifest", md, "size", size);
			const char *cd = json_string_value(json_object_get(json_object_get(m, "config"), "digest"));
			json_t *cfg = cd ? json_object_get(r.wanted, blob_name(&p, prefix, cd)) : NULL;
			if (json_object_get(d, "platform")) {
				json_object_set(img, "platform", json_object_get(d, "platform"));
			} else if (json_is_string(json_object_get(cfg, "architecture"))) {
				json_t *pl = json_pack("{s:O,s:O}", "os", json_object_get(cfg, "os"), "architecture",
						       json_object_get(cfg, "architecture"));
				if (json_is_string(json_object_get(cfg, "variant")))
					json_object_set(pl, "variant", json_object_get(cfg, "variant"));
				json_object_set_new(img, "platform", pl);
			}
			json_array_append_new(images, img);
		}
		json_decref(descs);
		json_object_set_new(e, "images", images);
		json_array_append_new(out, e);
	}
	kf_buf_release(&p);
	json_decref(r.wanted);
	if (out && json_array_size(out) > 1) {
		size_t nt = json_array_size(out);
		json_t **sorted = calloc(nt, sizeof *sorted);
		if (!sorted)
			abort();
		size_t i;
		json_t *e;
		json_array_foreach(out, i, e) sorted[i] = json_incref(e);
		qsort(sorted, nt, sizeof *sorted, cmp_tags);
		json_array_clear(out);
		for (i = 0; i < nt; i++)
			json_array_append_new(out, sorted[i]);
		free(sorted);
	}
	if (scan_out && ok)
		*scan_out = scan;
	else
		json_decref(scan);
	return out;
}
