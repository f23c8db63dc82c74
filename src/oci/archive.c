/* SPDX-License-Identifier: Apache-2.0 */
/* archive.c - oci-archive files. See archive.h. */
#include "oci/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"
#include "base/fsutil.h"
#include "base/vec.h"
#include "oci/oci.h"

bool kf_oci_archive_write(const char *dir, const char *tmpdir, const char *path, const kf_layer_options *lo,
			  kf_err *err)
{
	kf_layer_options opt = *lo;
	opt.compression = KF_COMPRESS_NONE;
	kf_layer *l = kf_layer_new(&opt);
	kf_layer_result res;
	if (!kf_layer_add_tree(l, "", dir, NULL, err)) {
		kf_layer_free(l);
		return false;
	}
	if (!kf_layer_finish(l, tmpdir, &res, err))
		return false;
	bool ok = rename(res.tmp_path, path) == 0 || kf_err_set(err, "%s: %s", path, strerror(errno));
	if (!ok)
		unlink(res.tmp_path);
	free(res.tmp_path);
	return ok;
}

/* A relative name without "." or ".." components (a leading "./" and
 * trailing "/" allowed), or NULL; the part to use, malloc'd. */
static char *safe_name(const char *name)
{
	while (strncmp(name, "./", 2) == 0)
		name += 2;
	if (!*name || name[0] == '/')
		return NULL;
	char *n = strdup(name);
	size_t len = strlen(n);
	while (len && n[len - 1] == '/')
		n[--len] = '\0';
	for (char *c = n; *c;) {
		size_t k = strcspn(c, "/");
		if (k == 0 || (k == 1 && c[0] == '.') || (k == 2 && c[0] == '.' && c[1] == '.')) {
			free(n);
			return NULL;
		}
		c += k;
		if (*c)
			c++;
	}
	return n;
}

/* A symbolic link's target, from the folder of name, as a name inside the
 * archive (lexically: "." and ".." resolved, never above the top), or
 * NULL. malloc'd. */
static char *link_target(const char *name, const char *target)
{
	if (!target || !*target || target[0] == '/')
		return NULL;
	kf_buf b = KF_BUF_INIT;
	const char *slash = strrchr(name, '/');
	if (slash)
		kf_buf_add(&b, name, (size_t)(slash - name) + 1);
	kf_buf_adds(&b, target);
	/* resolve the components */
	KF_VEC(char *) parts = {0};
	char *save = NULL;
	bool ok = true;
	for (char *c = strtok_r(b.ptr, "/", &save); c && ok; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0)
			ok = parts.n > 0 && (parts.n--, true);
		else
			kf_vec_push(&parts, c);
	}
	kf_buf out = KF_BUF_INIT;
	for (size_t i = 0; ok && i < parts.n; i++) {
		if (i)
			kf_buf_addc(&out, '/');
		kf_buf_adds(&out, parts.v[i]);
	}
	kf_vec_free(&parts);
	kf_buf_release(&b);
	if (!ok || !out.len) {
		kf_buf_release(&out);
		return NULL;
	}
	return kf_buf_detach(&out, NULL);
}

static bool copy_data(struct archive *a, int fd, const char *name, kf_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t offset;
	int r;
	while ((r = archive_read_data_block(a, &buf, &size, &offset)) == ARCHIVE_OK)
		if (!kf_write_all(fd, buf, size))
			return kf_err_set(err, "%s: %s", name, strerror(errno));
	if (r != ARCHIVE_EOF)
		return kf_err_set(err, "%s: %s", name, archive_error_string(a));
	return true;
}

bool kf_oci_archive_extract(const char *path, const char *dir, kf_err *err)
{
	if (mkdir(dir, 0700) != 0)
		return kf_err_set(err, "%s: %s", dir, strerror(errno));
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	bool ok = true;
	KF_VEC(char *) links = {0}; /* name, target, … */
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		ok = kf_err_set(err, "%s: %s", path, archive_error_string(a));
	struct archive_entry *e;
	while (ok) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			ok = kf_err_set(err, "%s: %s", path, archive_error_string(a));
			break;
		}
		const char *raw = archive_entry_pathname(e);
		char *name = raw ? safe_name(raw) : NULL;
		mode_t type = archive_entry_filetype(e);
		if (!name && raw && type == AE_IFDIR && (strcmp(raw, ".") == 0 || strcmp(raw, "./") == 0))
			continue; /* the top folder */
		if (!name) {
			ok = kf_err_set(err, "%s: '%s' is not a name inside the archive", path, raw ? raw : "");
			break;
		}
		char *out = kf_path_join(dir, name);
		char *slash = strrchr(out, '/');
		*slash = '\0';
		bool parent = kf_mkdirs(out, 0755);
		*slash = '/';
		if (!parent) {
			ok = kf_err_set(err, "%s: %s: %s", path, name, strerror(errno));
		} else if (type == AE_IFDIR) {
			if (mkdir(out, 0755) != 0 && errno != EEXIST)
				ok = kf_err_set(err, "%s: %s: %s", path, name, strerror(errno));
		} else if (type == AE_IFLNK) {
			/* docker's archives link repeated layers: kept as a hard
			 * link to a file of the archive, made at the end */
			char *to = link_target(name, archive_entry_symlink(e));
			if (!to) {
				ok = kf_err_set(err, "%s: '%s' links outside the archive", path, name);
			} else {
				kf_vec_push(&links, name);
				kf_vec_push(&links, to);
				name = NULL;
			}
		} else if (type != AE_IFREG) {
			ok = kf_err_set(err, "%s: '%s' is not a regular file, a folder or a link", path, name);
		} else {
			/* O_EXCL: a name given twice is refused, not written twice */
			int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (fd < 0)
				ok = kf_err_set(err, "%s: %s: %s", path, name, strerror(errno));
			else
				ok = copy_data(a, fd, name, err);
			if (fd >= 0 && close(fd) != 0 && ok)
				ok = kf_err_set(err, "%s: %s", out, strerror(errno));
		}
		free(out);
		free(name);
	}
	archive_read_free(a);
	/* the links, each to a regular file of the archive (a link to a link
	 * waits for that one: as many passes as links at the most) */
	for (size_t pass = 0; ok && links.n && pass <= links.n / 2; pass++) {
		size_t kept = 0;
		for (size_t i = 0; i < links.n; i += 2) {
			char *from = kf_path_join(dir, links.v[i + 1]), *to = kf_path_join(dir, links.v[i]);
			struct stat st;
			bool made = lstat(from, &st) == 0 && S_ISREG(st.st_mode) && link(from, to) == 0;
			free(from);
			free(to);
			if (made) {
				free(links.v[i]);
				free(links.v[i + 1]);
			} else {
				links.v[kept++] = links.v[i];
				links.v[kept++] = links.v[i + 1];
			}
		}
		links.n = kept;
	}
	if (ok && links.n)
		ok = kf_err_set(err, "%s: '%s' links to '%s', which is no file of the archive", path, links.v[0], links.v[1]);
	for (size_t i = 0; i < links.n; i++)
		free(links.v[i]);
	kf_vec_free(&links);
	return ok;
}

/* A file of a docker archive named in its manifest.json, as a blob of the
 * layout dir (renamed, it is in the same folder tree); its descriptor. */
static json_t *docker_blob(const char *dir, const char *file, const char *media_type, kf_err *err)
{
	char *rel = file ? safe_name(file) : NULL;
	if (!rel) {
		kf_err_set(err, "manifest.json names '%s', which is not a file of the archive", file ? file : "");
		return NULL;
	}
	char *p = kf_path_join(dir, rel);
	free(rel);
	char digest[KF_DIGEST_LEN + 1];
	uint64_t size;
	struct stat st;
	json_t *desc = NULL;
	char *blob = NULL;
	if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) || !kf_sha256_file(p, digest, &size))
		kf_err_set(err, "manifest.json names '%s', which is not a file of the archive", file);
	else if (link(p, blob = kf_oci_blob_path(dir, digest)) != 0 && errno != EEXIST)
		kf_err_set(err, "%s: %s", p, strerror(errno));
	else
		desc = kf_json_descriptor(media_type, digest, size);
	free(blob);
	free(p);
	return desc;
}

bool kf_docker_archive_to_layout(const char *dir, kf_err *err)
{
	char *mpath = kf_path_join(dir, "manifest.json");
	json_error_t je;
	json_t *list = json_load_file(mpath, 0, &je);
	free(mpath);
	if (!json_is_array(list)) {
		json_decref(list);
		return kf_err_set(err, "manifest.json:%d:%d: not docker save's list of images", je.line, je.column);
	}
	bool ok = kf_oci_init(dir, err);
	json_t *index = ok ? kf_oci_index_read(dir, err) : NULL;
	ok = index != NULL;
	size_t i;
	json_t *img;
	json_array_foreach(list, i, img) {
		if (!ok)
			break;
		json_t *config = docker_blob(dir, json_string_value(json_object_get(img, "Config")), KF_MT_CONFIG, err);
		json_t *layers = json_array();
		size_t k;
		json_t *l;
		ok = config != NULL && json_is_array(json_object_get(img, "Layers"));
		json_array_foreach(json_object_get(img, "Layers"), k, l) {
			json_t *d = ok ? docker_blob(dir, json_string_value(l), "application/vnd.oci.image.layer.v1.tar", err) : NULL;
			ok = d != NULL;
			if (ok)
				json_array_append_new(layers, d);
		}
		json_t *m = json_pack("{s:i,s:s,s:o,s:o}", "schemaVersion", 2, "mediaType", KF_MT_MANIFEST, "config",
				      config ? config : json_null(), "layers", layers);
		json_t *desc = NULL;
		if (ok)
			ok = kf_oci_put_json(dir, m, KF_MT_MANIFEST, &desc, err);
		json_decref(m);
		/* each of its names; none: the ref name of an unnamed image */
		json_t *tags = json_object_get(img, "RepoTags");
		json_t *t;
		json_array_foreach(ok ? tags : NULL, k, t) if (json_is_string(t))
			kf_oci_index_tag(index, json_string_value(t), desc);
		if (ok && json_array_size(tags) == 0)
			kf_oci_index_tag(index, "latest", desc);
		json_decref(desc);
	}
	if (ok)
		ok = kf_oci_index_write(dir, index, err);
	json_decref(index);
	json_decref(list);
	return ok;
}

bool kf_oci_export(const char *store, const json_t *desc, const char *out, const char *default_tag, const char *tmpdir,
		   const kf_layer_options *lo, kf_err *err)
{
	bool archive = strncmp(out, "oci-archive:", 12) == 0;
	if (!archive && strncmp(out, "oci:", 4) != 0)
		return kf_err_set(err, "%s: expected oci:DIR[:TAG] or oci-archive:FILE[:TAG]", out);
	char *path = strdup(out + (archive ? 12 : 4));
	const char *tag = default_tag;
	char *colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	}
	char *dir = archive ? kf_path_join(tmpdir, "archive-layout") : path;
	bool ok = true;
	if (!archive && access(dir, F_OK) == 0 && !kf_oci_is_layout(dir)) {
		struct stat st;
		bool empty_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && rmdir(dir) == 0;
		if (!empty_dir)
			ok = kf_err_set(err, "%s: %s exists and is not an OCI layout: give a new or empty directory", out, dir);
	}
	kf_err e;
	if (ok && !(kf_oci_init(dir, &e) && kf_oci_copy_image(store, dir, desc, false, &e)))
		ok = kf_err_set(err, "%s: %s", out, e.msg);
	json_t *index = ok ? kf_oci_index_read(dir, &e) : NULL;
	if (ok && !index)
		ok = kf_err_set(err, "%s: %s", out, e.msg);
	if (index) {
		kf_oci_index_tag(index, tag, desc);
		if (!kf_oci_index_write(dir, index, &e))
			ok = kf_err_set(err, "%s: %s", out, e.msg);
		else /* what a replaced image alone used goes */
			kf_oci_gc(dir, index);
		json_decref(index);
	}
	if (ok && archive && !kf_oci_archive_write(dir, tmpdir, path, lo, &e))
		ok = kf_err_set(err, "%s: %s", out, e.msg);
	if (archive)
		kf_remove_tree(dir);
	if (dir != path)
		free(dir);
	free(path);
	return ok;
}
