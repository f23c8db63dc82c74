/* SPDX-License-Identifier: Apache-2.0 */
/* build_steps.c - files steps (sources, layers, apps) and running one
 * step of the plan, through the cache. See builder.h. */
#include "build/builder.h"

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/ignore.h"
#include "oci/oci.h"
#include "oci/unpack.h"
#include "base/vec.h"
#include "build/rcache.h"

static bool owner_of(builder *b, const kf_plan_step *step, long *uid, long *gid)
{
	*uid = *gid = -1;
	const char *o = step->owner;
	if (!o)
		return true;
	char *end;
	const char *colon = strchr(o, ':');
	char user[256], group[256] = "";
	snprintf(user, sizeof user, "%.*s", colon ? (int)(colon - o) : (int)strlen(o), o);
	if (colon)
		snprintf(group, sizeof group, "%s", colon + 1);
	long u = strtol(user, &end, 10);
	if (!*user || *end) {
		if (strcmp(user, "root") == 0)
			u = 0;
		else {
			kf_builder_error(b, step, "KF607", "--chown=%s: user names other than root are not resolved; give the numeric uid", o);
			return false;
		}
	}
	long g = u;
	if (*group) {
		g = strtol(group, &end, 10);
		if (*end) {
			if (strcmp(group, "root") == 0)
				g = 0;
			else {
				kf_builder_error(b, step, "KF607", "--chown=%s: group names other than root are not resolved; give the numeric gid",
				       o);
				return false;
			}
		}
	}
	*uid = u;
	*gid = g;
	return true;
}

/* The sources of a files step as (disk path, destination) pairs, fetching
 * URLs into the build directory; the content goes into h. */
static bool prepare_sources(builder *b, const kf_plan_step *step, size_t index, kf_sha256 *h)
{
	const char *context = b->plan->context;
	for (size_t i = 0; i < step->nsources; i++) {
		kf_plan_source *s = &step->sources[i];
		const char *type = kf_source_type_name(s->type);
		const char *dest = s->dest;
		kf_sha256_update(h, type, strlen(type) + 1);
		kf_sha256_update(h, dest, strlen(dest) + 1);
		if (s->type == KF_SRC_DATA || s->type == KF_SRC_APPEND) {
			kf_sha256_update(h, s->data, strlen(s->data) + 1);
			continue;
		}
		if (s->type == KF_SRC_REGISTRY) {
			if (!kf_builder_registry_prepare(b, step, s, h))
				return false;
			continue;
		}
		char *disk = NULL;
		if (s->type == KF_SRC_URL) {
			const char *url = s->url;
			const char *slash = strrchr(dest, '/');
			char *dir;
			if (asprintf(&dir, "%s/fetch-%zu-%zu", b->tmp, index, i) < 0 ||
			    asprintf(&disk, "%s/%s", dir, slash ? slash + 1 : dest) < 0)
				abort();
			kf_mkdirs(dir, 0755);
			free(dir);
			int64_t mt = -1;
			if (!kf_builder_fetch(b, step, url, disk, &mt)) {
				free(disk);
				return false;
			}
			const char *want = s->checksum;
			char got[KF_DIGEST_LEN + 1];
			if (want && (!kf_sha256_file(disk, got, NULL) || strcmp(got, want) != 0)) {
				kf_builder_error(b, step, "KF603", "%s: the download's digest is %s, not the --checksum %s", url, got, want);
				free(disk);
				return false;
			}
			/* ADD: 0600 and the server's time, as Docker has it; an app's files 0644 */
			chmod(disk, step->app ? 0644 : 0600);
			if (mt >= 0) {
				struct timespec ts[2] = {{mt, 0}, {mt, 0}};
				utimensat(AT_FDCWD, disk, ts, 0);
			}
		} else if (asprintf(&disk, "%s/%s", context, s->path) < 0) {
			abort();
		}
		free(s->disk);
		s->disk = disk;
		bool ok = s->type == KF_SRC_DIR ? kf_builder_hash_tree(b, h, disk, s->path) : kf_builder_hash_path(b, h, disk, "", s->type == KF_SRC_URL);
		if (!ok) {
			kf_builder_error(b, step, "KF606", "%s: %s", disk, strerror(errno));
			return false;
		}
	}
	return true;
}

static bool do_files(builder *b, const kf_plan_step *step, kf_layer *l)
{
	long uid, gid;
	if (!owner_of(b, step, &uid, &gid))
		return false;
	kf_layer_meta meta = {uid, gid, step->mode, step->mode};
	for (size_t i = 0; i < step->nsources; i++) {
		const kf_plan_source *s = &step->sources[i];
		const char *dest = s->dest;
		const char *disk = s->disk;
		kf_err err = {""};
		if (s->type == KF_SRC_DATA) {
			kf_layer_add_data(l, dest, s->data, strlen(s->data), 0644, &meta);
		} else if (s->type == KF_SRC_REGISTRY) {
			if (!kf_builder_registry_add(b, step, s, l))
				return false;
		} else if (s->type == KF_SRC_APPEND) {
			/* manifests/imageList: what the image has, then the new lines */
			KF_VEC(char *) paths = {0};
			size_t k;
			json_t *ld;
			json_array_foreach(b->layers, k, ld) kf_vec_push(&paths, kf_builder_blob(b, ld));
			size_t len = 0;
			char *old = kf_layers_read_file((const char *const *)paths.v, paths.n, dest, &len);
			for (k = 0; k < paths.n; k++)
				free(paths.v[k]);
			kf_vec_free(&paths);
			kf_buf all = KF_BUF_INIT;
			if (old) {
				kf_buf_add(&all, old, len);
				if (len && old[len - 1] != '\n')
					kf_buf_addc(&all, '\n');
			}
			kf_buf_adds(&all, s->data);
			kf_layer_add_data(l, dest, all.ptr ? all.ptr : "", all.len, 0644, &meta);
			kf_buf_release(&all);
			free(old);
		} else if (s->type == KF_SRC_DIR) {
			kf_ctx_filter flt = {b->ignore, s->path, KF_BUF_INIT};
			bool ok = kf_layer_add_tree_filtered(l, dest, disk, &meta, kf_builder_ctx_pick, &flt, &err);
			kf_buf_release(&flt.rel);
			if (!ok) {
				kf_builder_error(b, step, "KF605", "%s", err.msg);
				return false;
			}
		} else if (s->type == KF_SRC_ARCHIVE) {
			char *x;
			if (asprintf(&x, "%s/extract-%zu", b->tmp, i) < 0)
				abort();
			kf_remove_tree(x);
			kf_mkdirs(x, 0755);
			bool ok = kf_unpack(disk, x, false, b->o->interrupted, &err) &&
				  kf_layer_add_tree(l, dest, x, &meta, &err);
			free(x);
			if (!ok) {
				kf_builder_error(b, step, "KF605", "%s", err.msg);
				return false;
			}
		} else {
			kf_layer_add_path(l, dest, disk, &meta);
		}
	}
	return true;
}

/* An app's files and disk paths, for its type and its "files" */
static void note_app(builder *b, const kf_plan_step *step)
{
	const char *name = step->app;
	if (!name)
		return;
	json_t *a = json_object_get(b->apps, name);
	if (!a) {
		a = json_pack("{s:[],s:[]}", "paths", "files");
		json_object_set_new(b->apps, name, a);
	}
	char prefix[PATH_MAX];
	snprintf(prefix, sizeof prefix, "application/apps/%s/", name);
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < step->nsources; i++) {
		const kf_plan_source *s = &step->sources[i];
		const char *disk = s->disk;
		const char *dest = s->dest;
		json_array_append_new(json_object_get(a, "paths"), json_string(disk));
		if (s->type != KF_SRC_DIR) {
			json_array_append_new(json_object_get(a, "files"), json_string(dest + pl));
			continue;
		}
		char *const paths[] = {(char *)disk, NULL};
		FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
		FTSENT *f;
		size_t rl = strlen(disk);
		while (rl > 1 && disk[rl - 1] == '/')
			rl--;
		kf_ctx_filter flt = {b->ignore, s->path, KF_BUF_INIT};
		while (fts && (f = fts_read(fts))) {
			if (f->fts_level == 0 || f->fts_info == FTS_DP)
				continue;
			kf_tree_pick pick = kf_builder_ctx_pick(&flt, f->fts_path + rl + 1, f->fts_info == FTS_D);
			if (pick == KF_TREE_SKIP && f->fts_info == FTS_D)
				fts_set(fts, f, FTS_SKIP);
			else if (pick == KF_TREE_ADD && (f->fts_info == FTS_F || f->fts_info == FTS_SL))
				json_array_append_new(json_object_get(a, "files"), json_string(f->fts_path + rl + 1));
		}
		kf_buf_release(&flt.rel);
		if (fts)
			fts_close(fts);
	}
}

static void add_history(builder *b, const kf_plan_step *step, bool empty)
{
	json_t *h = json_pack("{s:s,s:s}", "created", b->created, "created_by", step->created_by);
	if (empty)
		json_object_set_new(h, "empty_layer", json_true());
	json_array_append_new(b->history, h);
}

static bool add_layer(builder *b, const json_t *desc, const char *diff_id)
{
	json_array_append(b->layers, (json_t *)desc);
	json_array_append_new(b->diff_ids, json_string(diff_id));
	return true;
}

/* Writes a layer into the store and appends it to the image; its
 * descriptor (a new reference), or NULL after an error. Frees l. */
json_t *kf_builder_store_layer(builder *b, const kf_plan_step *step, kf_layer *l, kf_layer_result *res)
{
	kf_err e;
	if (!kf_layer_finish(l, b->blobtmp, res, &e)) {
		kf_builder_error(b, step, "KF605", "%s", e.msg);
		return NULL;
	}
	bool ok = kf_oci_put_file(b->store.dir, res->tmp_path, res->digest, &e);
	if (!ok) {
		kf_builder_error(b, step, "KF606", "%s", e.msg);
		unlink(res->tmp_path);
	}
	free(res->tmp_path);
	res->tmp_path = NULL;
	if (!ok)
		return NULL;
	json_t *desc = kf_json_descriptor(kf_compression_media_type(b->lopt.compression), res->digest, res->size);
	add_layer(b, desc, res->diff_id);
	return desc;
}

/* Is a files step's first key the same on every machine? Not when a
 * source is of the context: its key is the files' metadata. */
static bool portable_first(const kf_plan_step *step)
{
	for (size_t i = 0; i < step->nsources; i++) {
		kf_source_type t = step->sources[i].type;
		if (t == KF_SRC_FILE || t == KF_SRC_DIR || t == KF_SRC_ARCHIVE)
			return false;
	}
	return true;
}

static bool has_registry(const kf_plan_step *step)
{
	for (size_t i = 0; i < step->nsources; i++)
		if (step->sources[i].type == KF_SRC_REGISTRY)
			return true;
	return false;
}

/* What a files step's layer holds, without compressing it: its diff_id,
 * or "no layer"; the step's content key follows. False after an error. */
static bool content_of(builder *b, const kf_plan_step *step, char out[KF_DIGEST_LEN + 1])
{
	kf_layer_options lo = b->lopt;
	lo.compression = KF_COMPRESS_NONE;
	kf_layer *l = kf_layer_new(&lo);
	if (!do_files(b, step, l)) {
		kf_layer_free(l);
		return false;
	}
	if (kf_layer_count(l) == 0) {
		kf_layer_free(l);
		snprintf(out, KF_DIGEST_LEN + 1, "no layer");
		return true;
	}
	kf_layer_result res;
	kf_err e;
	if (!kf_layer_finish(l, NULL, &res, &e)) {
		kf_builder_error(b, step, "KF605", "%s", e.msg);
		return false;
	}
	memcpy(out, res.diff_id, KF_DIGEST_LEN + 1);
	return true;
}

/* The key of a files step that takes both files of the context and
 * container images (COPY registry, COPY . . of sealos's way), the same on
 * every machine: its first key with the files' content (names, modes,
 * sizes, times as the layer has them, bytes) for their metadata. Its
 * layer cannot be made without fetching the images, so an exported cache
 * links this key to the content key. False after an error. */
static bool portable_key(builder *b, const kf_plan_step *step, const char *parent, char out[KF_DIGEST_LEN + 1])
{
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, "portable\n", 9);
	for (size_t i = 0; i < step->nsources; i++) {
		kf_plan_source *s = &step->sources[i];
		const char *type = kf_source_type_name(s->type);
		kf_sha256_update(&h, type, strlen(type) + 1);
		kf_sha256_update(&h, s->dest, strlen(s->dest) + 1);
		bool ok = true;
		if (s->type == KF_SRC_DATA || s->type == KF_SRC_APPEND)
			kf_sha256_update(&h, s->data, strlen(s->data) + 1);
		else if (s->type == KF_SRC_REGISTRY)
			ok = kf_builder_registry_prepare(b, step, s, &h);
		else if (s->type == KF_SRC_DIR)
			ok = kf_builder_hash_tree_content(b, &h, s->disk, s->path);
		else
			ok = kf_builder_hash_path(b, &h, s->disk, "", true);
		if (!ok) {
			kf_sha256_abort(&h);
			if (s->type != KF_SRC_REGISTRY)
				kf_builder_error(b, step, "KF606", "%s: %s", s->disk, strerror(errno));
			return false;
		}
	}
	char inputs[KF_DIGEST_LEN + 1];
	kf_sha256_final(&h, inputs);
	kf_builder_step_key(parent, step, inputs, out);
	return true;
}

/* The step's record in the imported caches (--cache-from), its layer
 * fetched into the store and both local records written: b->key becomes
 * its key. NULL when there is none or its layer cannot be had (a
 * warning; b->key unchanged); *failed after an error of the step. */
static json_t *remote_record(builder *b, const kf_plan_step *step, const char *parent, const char *first, bool *failed)
{
	kf_rcache_load(b->rcache, b->store.dir, b->report);
	bool files = step->kind == KF_STEP_FILES;
	char key[KF_DIGEST_LEN + 1];
	memcpy(key, b->key, sizeof key);
	if (files && strcmp(b->key, first) == 0) {
		if (!kf_rcache_usable(b->rcache))
			return NULL;
		const char *l = NULL;
		char pk[KF_DIGEST_LEN + 1];
		if (portable_first(step)) {
			l = kf_rcache_find_link(b->rcache, first);
		} else if (has_registry(step)) {
			if (!portable_key(b, step, parent, pk)) {
				*failed = true;
				return NULL;
			}
			l = kf_rcache_find_link(b->rcache, pk);
		}
		if (!l && has_registry(step))
			return NULL; /* its layer is what fetching the images makes: the step runs */
		if (l) {
			memcpy(key, l, sizeof key);
		} else {
			char content[KF_DIGEST_LEN + 1];
			if (!content_of(b, step, content)) {
				*failed = true;
				return NULL;
			}
			kf_builder_step_key(parent, step, content, key);
		}
	}
	size_t from;
	const json_t *rec = kf_rcache_find(b->rcache, key, &from);
	if (!rec)
		return NULL;
	const json_t *desc = json_object_get(rec, "layer");
	kf_err e;
	if (!json_is_null(desc) && !kf_rcache_fetch(b->rcache, from, b->store.dir, desc, &e)) {
		kf_builder_say(b, KF_SEV_WARNING, "KF621", "%s: the cache's layer cannot be had: %s; the step runs",
			       step->created_by, e.msg);
		return NULL;
	}
	memcpy(b->key, key, sizeof key);
	json_t *r = json_deep_copy(rec);
	if (files) {
		json_t *link = json_pack("{s:s}", "content_key", key);
		kf_store_cache_put(&b->store, first, link, &e);
		json_decref(link);
	}
	kf_store_cache_put(&b->store, key, r, &e);
	return r;
}

/* --cache-to: the step's record, and the link of a first key that is the
 * same on every machine (or of the portable key of a step with images);
 * false after an error */
static bool note_export(builder *b, const kf_plan_step *step, const char *parent, const char *first, const json_t *rec)
{
	if (!kf_rcache_exports(b->rcache))
		return true;
	kf_rcache_note(b->rcache, b->key, rec);
	if (step->kind != KF_STEP_FILES)
		return true;
	if (portable_first(step)) {
		kf_rcache_note_link(b->rcache, first, b->key);
	} else if (has_registry(step)) {
		char pk[KF_DIGEST_LEN + 1];
		if (!portable_key(b, step, parent, pk))
			return false;
		kf_rcache_note_link(b->rcache, pk, b->key);
	}
	return true;
}

bool kf_builder_step(builder *b, size_t idx, size_t n, kf_plan_step *step)
{
	double t0 = kf_builder_now();
	if (step->kind == KF_STEP_CONFIG) {
		kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_NOTED, NULL, 0);
		kf_builder_key_step(b, step, "");
		add_history(b, step, true);
		return true;
	}
	kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_STARTED, NULL, 0);
	kf_sha256 h;
	kf_sha256_init(&h);
	bool files = step->kind == KF_STEP_FILES;
	if (files && !prepare_sources(b, step, idx, &h)) {
		kf_sha256_abort(&h);
		return false;
	}
	char inputs[KF_DIGEST_LEN + 1];
	kf_sha256_final(&h, inputs);
	/* A files step has two keys. The first, from the sources' metadata,
	 * costs a stat per file and leads to the second, from the layer's
	 * content (its diff_id), which the build learns while it writes the
	 * layer; so neither a cold build nor a rebuild reads a file twice, and
	 * a file touched but not changed still leads to the same later keys. */
	char parent[KF_DIGEST_LEN + 1], first[KF_DIGEST_LEN + 1];
	memcpy(parent, b->key, sizeof parent);
	kf_builder_step_key(parent, step, inputs, first);
	memcpy(b->key, first, sizeof first);
	if (files) {
		note_app(b, step);
		json_t *link = b->o->no_cache ? NULL : kf_store_cache_get(&b->store, first);
		const char *second = json_string_value(json_object_get(link, "content_key"));
		if (second && kf_digest_valid(second))
			memcpy(b->key, second, KF_DIGEST_LEN + 1);
		json_decref(link);
	}

	json_t *rec = b->o->no_cache ? NULL : kf_store_cache_get(&b->store, b->key);
	for (int tries = 0; tries < 2; tries++) {
		if (tries == 1) {
			/* not here: the imported caches */
			if (!b->rcache || b->o->no_cache)
				break;
			bool failed = false;
			rec = remote_record(b, step, parent, first, &failed);
			if (failed)
				return false;
		}
		if (!rec)
			continue;
		json_t *desc = json_object_get(rec, "layer");
		const char *diff = json_string_value(json_object_get(rec, "diff_id"));
		bool usable = json_is_null(desc) ||
			      (desc && diff && kf_oci_has_blob(b->store.dir, json_string_value(json_object_get(desc, "digest")),
							       (uint64_t)json_integer_value(json_object_get(desc, "size"))));
		if (usable) {
			kf_layer_result cached = {0};
			if (desc && !json_is_null(desc)) {
				add_layer(b, desc, diff);
				add_history(b, step, false);
				cached.size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
				kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_CACHED, &cached, kf_builder_now() - t0);
			} else {
				add_history(b, step, true);
				kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_CACHED, NULL, kf_builder_now() - t0);
			}
			if (b->rootfs && !kf_builder_stage(b, step)) {
				json_decref(rec);
				return false;
			}
			bool noted = note_export(b, step, parent, first, rec);
			json_decref(rec);
			return noted;
		}
		json_decref(rec);
		rec = NULL;
	}

	/* a layer of cached container images only is not compressed: its
	 * blobs are compressed already */
	kf_compression compression = b->lopt.compression;
	bool images_only = files && step->nsources > 0;
	for (size_t i = 0; images_only && i < step->nsources; i++)
		images_only = step->sources[i].type == KF_SRC_REGISTRY;
	if (images_only)
		b->lopt.compression = KF_COMPRESS_NONE;
	kf_layer *l = kf_layer_new(&b->lopt);
	bool ok = files ? do_files(b, step, l) : kf_builder_run(b, step, l);
	if (!ok || KF_BUILDER_INTERRUPTED(b))
		b->lopt.compression = compression;
	if (!ok || KF_BUILDER_INTERRUPTED(b)) {
		kf_layer_free(l);
		return false;
	}
	json_t *record;
	const char *content = "no layer";
	kf_layer_result res;
	if (kf_layer_count(l) == 0) {
		kf_layer_free(l);
		b->lopt.compression = compression;
		add_history(b, step, true);
		record = json_pack("{s:n}", "layer");
		kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_UNCHANGED, NULL, kf_builder_now() - t0);
	} else {
		json_t *desc = kf_builder_store_layer(b, step, l, &res);
		b->lopt.compression = compression;
		if (!desc)
			return false;
		content = res.diff_id;
		add_history(b, step, false);
		record = json_pack("{s:o,s:s}", "layer", desc, "diff_id", res.diff_id);
		kf_builder_progress(b, idx, n, step, KF_BUILD_STEP_DONE, &res, kf_builder_now() - t0);
		/* a later RUN sees this layer */
		if (b->rootfs && files && !kf_builder_stage(b, step)) {
			json_decref(record);
			return false;
		}
		if (b->rootfs && !files)
			b->staged = json_array_size(b->layers); /* the rootfs already has it */
	}
	kf_err e;
	bool cached = true;
	if (files) {
		kf_builder_step_key(parent, step, content, b->key);
		json_t *link = json_pack("{s:s}", "content_key", b->key);
		cached = kf_store_cache_put(&b->store, first, link, &e);
		json_decref(link);
	}
	if (!cached || !kf_store_cache_put(&b->store, b->key, record, &e))
		kf_builder_say(b, KF_SEV_WARNING, "KF610", "the cache was not written: %s", e.msg);
	bool noted = note_export(b, step, parent, first, record);
	json_decref(record);
	return noted;
}
