/* SPDX-License-Identifier: Apache-2.0 */
/* build_key.c - what a step's cache key is made of. See builder.h and
 * docs/build.md, "Cache". */
#include "build/builder.h"

#include <errno.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ignore.h"
#include "base/vec.h"
#include "build/rcache.h"

static int64_t clamp_time(const builder *b, int64_t t)
{
	return b->lopt.epoch >= 0 && t > b->lopt.epoch ? b->lopt.epoch : t;
}

/* What a source is, for the step's first key: its metadata (the inode,
 * size, mode and both times in nanoseconds, so that any write changes it),
 * or with content its bytes' digest (downloads, whose times are the
 * server's). */
bool kf_builder_hash_path(builder *b, kf_sha256 *h, const char *path, const char *name, bool content)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return false;
	char line[PATH_MAX + 256];
	int n = content ? snprintf(line, sizeof line, "%s\t%o\t%lld\t%lld\t", name, (unsigned)st.st_mode,
				   (long long)st.st_size, (long long)clamp_time(b, st.st_mtime))
			: snprintf(line, sizeof line, "%s\t%o\t%lld\t%llu\t%llu\t%lld.%09ld\t%lld.%09ld\t", name,
				   (unsigned)st.st_mode, (long long)st.st_size, (unsigned long long)st.st_dev,
				   (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				   (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	kf_sha256_update(h, line, (size_t)n);
	if (S_ISREG(st.st_mode) && content) {
		char d[KF_DIGEST_LEN + 1];
		if (!kf_sha256_file(path, d, NULL))
			return false;
		kf_sha256_update(h, d, KF_DIGEST_LEN);
	} else if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t k = readlink(path, t, sizeof t);
		if (k > 0)
			kf_sha256_update(h, t, (size_t)k);
	}
	kf_sha256_update(h, "\n", 1);
	return true;
}

kf_tree_pick kf_builder_ctx_pick(void *filter, const char *rel, bool is_dir)
{
	kf_ctx_filter *f = filter;
	kf_buf_reset(&f->rel);
	if (f->dir[0]) {
		kf_buf_adds(&f->rel, f->dir);
		kf_buf_addc(&f->rel, '/');
	}
	kf_buf_adds(&f->rel, rel);
	switch (kf_ignore_pick_entry(f->ig, f->rel.ptr, is_dir)) {
	case KF_IGNORE_SKIP:
		return KF_TREE_SKIP;
	case KF_IGNORE_ENTER:
		return KF_TREE_ENTER;
	default:
		return KF_TREE_ADD;
	}
}

/* The entries of the tree (not the directory itself: a layer holds its
 * contents), as kf_layer_add_tree_filtered adds them: a directory entered
 * for what an exception may re-include under it counts when something
 * under it does. */
typedef struct tree_hash {
	builder *b;
	kf_sha256 *h;
	size_t root; /* the length of the tree's own path, for names from its parent */
	bool content;
} tree_hash;

static bool hash_entry(void *ud, const char *path, const char *rel)
{
	tree_hash *t = ud;
	(void)rel;
	if (KF_BUILDER_INTERRUPTED(t->b)) {
		errno = EINTR;
		return false;
	}
	return kf_builder_hash_path(t->b, t->h, path, path + t->root, t->content);
}

static bool hash_tree(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path, bool content);

bool kf_builder_hash_tree(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path)
{
	return hash_tree(b, h, dir, ctx_path, false);
}

bool kf_builder_hash_tree_content(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path)
{
	return hash_tree(b, h, dir, ctx_path, true);
}

static bool hash_tree(builder *b, kf_sha256 *h, const char *dir, const char *ctx_path, bool content)
{
	kf_ctx_filter flt = {b->ignore, ctx_path ? ctx_path : "", KF_BUF_INIT};
	size_t root = strlen(dir);
	while (root > 1 && dir[root - 1] == '/')
		root--;
	tree_hash t = {b, h, root, content};
	kf_err e;
	bool ok = kf_tree_walk(dir, true, ctx_path ? kf_builder_ctx_pick : NULL, &flt, hash_entry, &t, &e);
	kf_buf_release(&flt.rel);
	return ok;
}

void kf_builder_key_step(builder *b, const kf_plan_step *step, const char *inputs)
{
	char k[KF_DIGEST_LEN + 1];
	kf_builder_step_key(b->key, step, inputs, k);
	memcpy(b->key, k, sizeof k);
}

/* A step's key: its parent's, its plan entry (without where it is in the
 * Kubefile), and what its inputs are. */
void kf_builder_step_key(const char *parent, const kf_plan_step *step, const char *inputs, char out[KF_DIGEST_LEN + 1])
{
	json_t *c = kf_plan_step_to_json(step, false);
	char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, parent, strlen(parent));
	kf_sha256_update(&h, "\n", 1);
	kf_sha256_update(&h, text, strlen(text));
	kf_sha256_update(&h, "\n", 1);
	kf_sha256_update(&h, inputs, strlen(inputs));
	kf_sha256_final(&h, out);
	free(text);
	json_decref(c);
}

/* What depends on the image's layers alone (discovery, the cache's scan):
 * a key from what and the layers' digests. */
void kf_builder_layers_key(const builder *b, const char *what, char out[KF_DIGEST_LEN + 1])
{
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, what, strlen(what));
	kf_sha256_update(&h, "\n", 1);
	size_t k;
	json_t *ld;
	json_array_foreach(b->layers, k, ld) {
		const char *d = json_string_value(json_object_get(ld, "digest"));
		kf_sha256_update(&h, d, strlen(d));
	}
	kf_sha256_final(&h, out);
}

json_t *kf_builder_fact_get(builder *b, const char *key)
{
	json_t *rec = kf_store_cache_get(&b->store, key);
	if (!rec && b->rcache && !b->o->no_cache) {
		kf_rcache_load(b->rcache, b->store.dir, b->report);
		const json_t *f = kf_rcache_find_fact(b->rcache, key);
		kf_err e;
		if (f && kf_store_cache_put(&b->store, key, f, &e))
			rec = json_deep_copy(f);
	}
	if (rec)
		kf_rcache_note_fact(b->rcache, key, rec);
	return rec;
}

bool kf_builder_fact_put(builder *b, const char *key, const json_t *rec, kf_err *err)
{
	kf_rcache_note_fact(b->rcache, key, rec);
	return kf_store_cache_put(&b->store, key, rec, err);
}
