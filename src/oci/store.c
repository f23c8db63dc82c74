/* SPDX-License-Identifier: Apache-2.0 */
/* store.c - the local image store. See store.h. */
#include "oci/store.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/imageref.h"
#include "base/vec.h"

static int lock_file(const char *dir, const char *name, int op, kf_err *err)
{
	char *p;
	if (asprintf(&p, "%s/%s", dir, name) < 0)
		abort();
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		kf_err_set(err, "%s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	while (flock(fd, op) != 0) {
		if (errno == EINTR)
			continue;
		kf_err_set(err, "%s: cannot lock: %s", p, strerror(errno));
		close(fd);
		free(p);
		return -1;
	}
	free(p);
	return fd;
}

char *kf_store_name(const char *ref, kf_err *err)
{
	const char *why;
	char *name = kf_imageref_normalise_str(kf_str_cstr(ref), &why);
	if (!name)
		kf_err_set(err, "'%s' is no image name: %s", ref, why);
	return name;
}

static const char *index_name(const json_t *desc)
{
	return json_string_value(json_object_get(json_object_get(desc, "annotations"), KF_ANN_REF));
}

/* Renames each image whose name is not normalised (a store written before
 * names were) to its normalised name; false to leave the index as it is. */
static bool normalise_fn(json_t *index, void *ctx)
{
	(void)ctx;
	bool changed = false;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		json_t *ann = json_object_get(d, "annotations");
		const char *ref = json_string_value(json_object_get(ann, KF_ANN_REF));
		char *name = ref ? kf_imageref_normalise_str(kf_str_cstr(ref), NULL) : NULL;
		if (name && strcmp(name, ref) != 0) {
			json_object_set_new(ann, KF_ANN_REF, json_string(name));
			changed = true;
		}
		free(name);
	}
	/* two old names for one new: the later entry wins, as a tag would */
	json_t *arr = json_object_get(index, "manifests");
	for (size_t a = 0; changed && a < json_array_size(arr);) {
		const char *x = index_name(json_array_get(arr, a));
		bool later = false;
		for (size_t b = a + 1; x && b < json_array_size(arr) && !later; b++)
			later = index_name(json_array_get(arr, b)) && strcmp(x, index_name(json_array_get(arr, b))) == 0;
		if (later)
			json_array_remove(arr, a);
		else
			a++;
	}
	return changed;
}

static bool normalise_names(kf_store *s, kf_err *err)
{
	json_t *index = kf_oci_index_read(s->dir, err);
	if (!index)
		return false;
	json_t *copy = json_deep_copy(index);
	bool needed = normalise_fn(copy, NULL);
	json_decref(copy);
	json_decref(index);
	return !needed || kf_store_update_index(s, normalise_fn, NULL, err);
}

bool kf_store_open(kf_store *s, bool exclusive, kf_err *err)
{
	s->dir = kf_store_path();
	s->lock_fd = -1;
	char *cache, *tmp;
	if (asprintf(&cache, "%s/cache", s->dir) < 0 || asprintf(&tmp, "%s/tmp", s->dir) < 0)
		abort();
	bool ok = kf_oci_init(s->dir, err);
	if (ok && (!kf_mkdirs(cache, 0755) || !kf_mkdirs(tmp, 0755)))
		ok = kf_err_set(err, "%s: %s", s->dir, strerror(errno));
	free(cache);
	free(tmp);
	if (ok) {
		s->lock_fd = lock_file(s->dir, "store.lock", exclusive ? LOCK_EX : LOCK_SH, err);
		ok = s->lock_fd >= 0;
	}
	if (ok)
		ok = normalise_names(s, err);
	if (!ok) {
		if (s->lock_fd >= 0)
			close(s->lock_fd);
		s->lock_fd = -1;
		free(s->dir);
		s->dir = NULL;
	}
	return ok;
}

void kf_store_close(kf_store *s)
{
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->lock_fd = -1;
	free(s->dir);
	s->dir = NULL;
}

bool kf_store_update_index(kf_store *s, bool (*fn)(json_t *index, void *ctx), void *ctx, kf_err *err)
{
	int fd = lock_file(s->dir, "index.lock", LOCK_EX, err);
	if (fd < 0)
		return false;
	json_t *index = kf_oci_index_read(s->dir, err);
	bool ok = index != NULL;
	if (ok && fn(index, ctx))
		ok = kf_oci_index_write(s->dir, index, err);
	json_decref(index);
	close(fd);
	return ok;
}

json_t *kf_store_lookup(const kf_store *s, const char *name, kf_err *err)
{
	json_t *index = kf_oci_index_read(s->dir, err);
	json_t *found = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *ref = index_name(d);
		if (ref && strcmp(ref, name) == 0) {
			found = json_pack("{s:O?,s:O?,s:O?}", "mediaType", json_object_get(d, "mediaType"), "digest",
					  json_object_get(d, "digest"), "size", json_object_get(d, "size"));
			break;
		}
	}
	if (index && !found)
		kf_err_set(err, "%s: no image named '%s'", s->dir, name);
	json_decref(index);
	if (found && !kf_oci_check_descriptor(found, name, err)) {
		json_decref(found);
		found = NULL;
	}
	return found;
}

typedef struct tag_ctx {
	const char *const *names;
	size_t n;
	const json_t *desc;
} tag_ctx;

static bool tag_fn(json_t *index, void *ctx)
{
	tag_ctx *t = ctx;
	for (size_t i = 0; i < t->n; i++)
		kf_oci_index_tag(index, t->names[i], t->desc);
	return true;
}

bool kf_store_tag(kf_store *s, const char *const *names, size_t n, const json_t *desc, kf_err *err)
{
	tag_ctx t = {names, n, desc};
	return kf_store_update_index(s, tag_fn, &t, err);
}

bool kf_store_tag_refs(kf_store *s, const char *const *refs, size_t n, const json_t *desc, kf_err *err)
{
	char **names = calloc(n + 1, sizeof *names);
	if (!names)
		abort();
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = (names[i] = kf_store_name(refs[i], err)) != NULL;
	if (ok)
		ok = kf_store_tag(s, (const char *const *)names, n, desc, err);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ok;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *cache_path(const kf_store *s, const char *key)
{
	char *p;
	const char *hex = strchr(key, ':');
	if (asprintf(&p, "%s/cache/%s.json", s->dir, hex ? hex + 1 : key) < 0)
		abort();
	return p;
}

json_t *kf_store_cache_get(const kf_store *s, const char *key)
{
	char *p = cache_path(s, key);
	json_t *j = json_load_file(p, 0, NULL);
	if (j) /* its time says when it was last used (kfc cache prune) */
		utimensat(AT_FDCWD, p, NULL, 0);
	free(p);
	return j;
}

bool kf_store_cache_each(const kf_store *s, kf_store_cache_fn fn, void *ud, kf_err *err)
{
	char *dir;
	if (asprintf(&dir, "%s/cache", s->dir) < 0)
		abort();
	DIR *d = opendir(dir);
	if (!d) {
		bool none = errno == ENOENT;
		if (!none)
			kf_err_set(err, "%s: %s", dir, strerror(errno));
		free(dir);
		return none;
	}
	/* in name order, for output that does not depend on the directory */
	KF_VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n == 69 && strcmp(de->d_name + 64, ".json") == 0)
			kf_vec_push(&names, strdup(de->d_name));
	}
	closedir(d);
	qsort(names.v, names.n, sizeof *names.v, cmp_names);
	bool go = true;
	for (size_t i = 0; i < names.n; i++) {
		char key[80];
		snprintf(key, sizeof key, "sha256:%.64s", names.v[i]);
		char *p = kf_path_join(dir, names.v[i]);
		struct stat st;
		json_t *rec = go && stat(p, &st) == 0 ? json_load_file(p, 0, NULL) : NULL;
		if (rec && kf_digest_valid(key))
			go = fn(ud, key, rec, (int64_t)st.st_mtime);
		json_decref(rec);
		free(p);
		free(names.v[i]);
	}
	kf_vec_free(&names);
	free(dir);
	return true;
}

bool kf_store_cache_remove(const kf_store *s, const char *key)
{
	char *p = cache_path(s, key);
	bool ok = unlink(p) == 0;
	free(p);
	return ok;
}

bool kf_store_cache_put(const kf_store *s, const char *key, const json_t *rec, kf_err *err)
{
	char *p = cache_path(s, key);
	char *text = json_dumps(rec, JSON_COMPACT);
	bool ok = kf_write_file_atomic(p, text, strlen(text), 0644, false, err);
	free(text);
	free(p);
	return ok;
}

void kf_store_rmtemp(char *tmp)
{
	if (tmp)
		kf_remove_tree(tmp);
	free(tmp);
}

char *kf_store_mktemp(const kf_store *s, kf_err *err)
{
	char *tmp;
	if (asprintf(&tmp, "%s/tmp", s->dir) < 0)
		abort();
	/* remove what builds that died left: their directories are named by pid */
	DIR *d = opendir(tmp);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		long pid = 0;
		char host[256] = "", mine[256] = "";
		if (sscanf(de->d_name, "build-%ld-%255[^-]", &pid, host) != 2)
			continue;
		gethostname(mine, sizeof mine - 1);
		for (char *c = mine; *c; c++)
			if (*c == '-')
				*c = '_';
		if (strcmp(host, mine) != 0 || pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		char *p;
		if (asprintf(&p, "%s/%s", tmp, de->d_name) < 0)
			abort();
		kf_remove_tree(p);
		free(p);
	}
	if (d)
		closedir(d);
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	for (char *c = host; *c; c++)
		if (*c == '-' || *c == '/')
			*c = '_';
	char *p;
	if (asprintf(&p, "%s/build-%ld-%s-XXXXXX", tmp, (long)getpid(), host) < 0)
		abort();
	free(tmp);
	if (!mkdtemp(p)) {
		kf_err_set(err, "%s: %s", p, strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

/* ---- fsck ---------------------------------------------------------------------------- */

static void fsck_report(const kf_fsck *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fsck_report(const kf_fsck *f, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (f->report)
		f->report(f->ud, msg);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One image of the store: its manifest, config and layers there, of
 * their sizes. */
/* The JSON blob desc names (what: "manifest", "index"), or NULL reported
 * as missing. */
static json_t *fsck_read(kf_store *s, kf_fsck *f, const char *ref, const char *what, const json_t *desc)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	kf_err e;
	json_t *j = d ? kf_oci_read_json(s->dir, d, &e) : NULL;
	if (!j) {
		fsck_report(f, "image %s: %s %s: %s", ref ? ref : "?", what, d ? d : "?", d ? e.msg : "no digest");
		f->missing++;
	}
	return j;
}

static void fsck_image(kf_store *s, kf_fsck *f, const char *ref, const json_t *desc)
{
	json_t *m = fsck_read(s, f, ref, "manifest", desc);
	if (!m)
		return;
	f->images++;
	size_t k;
	json_t *l;
	KF_VEC(json_t *) all = {0};
	kf_vec_push(&all, json_object_get(m, "config"));
	json_array_foreach(json_object_get(m, "layers"), k, l) kf_vec_push(&all, l);
	for (k = 0; k < all.n; k++) {
		const char *bd = json_string_value(json_object_get(all.v[k], "digest"));
		json_int_t bs = json_integer_value(json_object_get(all.v[k], "size"));
		if (!bd || !kf_digest_valid(bd) || !kf_oci_has_blob(s->dir, bd, (uint64_t)bs)) {
			fsck_report(f, "image %s: %s %s is missing", ref ? ref : "?", k ? "layer" : "config", bd ? bd : "?");
			f->missing++;
		}
	}
	kf_vec_free(&all);
	json_decref(m);
}

bool kf_store_fsck(kf_store *s, kf_fsck *f, kf_err *err)
{
	char *blobs;
	if (asprintf(&blobs, "%s/blobs/sha256", s->dir) < 0)
		abort();
	DIR *d = opendir(blobs);
	if (!d) {
		kf_err_set(err, "%s: %s", blobs, strerror(errno));
		free(blobs);
		return false;
	}
	/* in name order, so the report is the same every time */
	KF_VEC(char *) names = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (strlen(de->d_name) == 64 && strspn(de->d_name, "0123456789abcdef") == 64)
			kf_vec_push(&names, strdup(de->d_name));
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof *names.v, cmp_name);
	for (size_t i = 0; i < names.n; i++) {
		char want[KF_DIGEST_LEN + 1], got[KF_DIGEST_LEN + 1];
		snprintf(want, sizeof want, "sha256:%s", names.v[i]);
		char *p = kf_oci_blob_path(s->dir, want);
		uint64_t size = 0;
		if (!kf_sha256_file(p, got, &size)) {
			fsck_report(f, "%s: %s", want, strerror(errno));
			f->corrupt++;
		} else if (strcmp(got, want) != 0) {
			fsck_report(f, "%s: its content hashes to %s", want, got);
			f->corrupt++;
			if (f->repair && unlink(p) == 0)
				f->removed++;
		} else {
			f->blobs++;
			f->bytes += size;
		}
		free(p);
		free(names.v[i]);
	}
	kf_vec_free(&names);
	free(blobs);
	/* every tagged image reaches blobs that are there, of their size (a
	 * name on an index: each image of it) */
	json_t *index = kf_oci_index_read(s->dir, err);
	if (!index)
		return false;
	size_t i;
	json_t *desc;
	json_array_foreach(json_object_get(index, "manifests"), i, desc) {
		const char *ref = json_string_value(json_object_get(json_object_get(desc, "annotations"), KF_ANN_REF));
		if (!kf_oci_is_index_type(json_string_value(json_object_get(desc, "mediaType")))) {
			fsck_image(s, f, ref, desc);
			continue;
		}
		json_t *x = fsck_read(s, f, ref, "index", desc);
		if (!x)
			continue;
		size_t k;
		json_t *m;
		json_array_foreach(json_object_get(x, "manifests"), k, m) fsck_image(s, f, ref, m);
		json_decref(x);
	}
	json_decref(index);
	return true;
}
