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

#include "base/files.h"
#include "base/fsutil.h"
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

/* Is name one a layout holds? Sets *is_dir for its folders. */
static bool layout_name(const char *name, bool *is_dir)
{
	if (strncmp(name, "./", 2) == 0)
		name += 2;
	size_t n = strlen(name);
	while (n && name[n - 1] == '/')
		n--;
	*is_dir = (n == 5 && strncmp(name, "blobs", 5) == 0) || (n == 12 && strncmp(name, "blobs/sha256", 12) == 0) ||
		  n == 0;
	if (*is_dir)
		return true;
	if ((n == 10 && strncmp(name, "oci-layout", 10) == 0) || (n == 10 && strncmp(name, "index.json", 10) == 0))
		return true;
	if (n != 13 + 64 || strncmp(name, "blobs/sha256/", 13) != 0)
		return false;
	for (size_t i = 13; i < n; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
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
	char *blobs = kf_path_join(dir, "blobs/sha256");
	bool ok = kf_mkdirs(blobs, 0755) || kf_err_set(err, "%s: %s", blobs, strerror(errno));
	free(blobs);
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	if (ok && archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
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
		const char *name = archive_entry_pathname(e);
		bool is_dir;
		if (!name || !layout_name(name, &is_dir)) {
			ok = kf_err_set(err, "%s: '%s' is no part of an OCI layout", path, name ? name : "");
			break;
		}
		mode_t type = archive_entry_filetype(e);
		if (is_dir ? type != AE_IFDIR : type != AE_IFREG) {
			ok = kf_err_set(err, "%s: '%s' is not a %s", path, name, is_dir ? "folder" : "regular file");
			break;
		}
		if (is_dir)
			continue;
		char *out = kf_path_join(dir, strncmp(name, "./", 2) == 0 ? name + 2 : name);
		/* O_EXCL: a name given twice is refused, not written twice */
		int fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			ok = kf_err_set(err, "%s: %s: %s", path, name, strerror(errno));
		else
			ok = copy_data(a, fd, name, err);
		if (fd >= 0 && close(fd) != 0 && ok)
			ok = kf_err_set(err, "%s: %s", out, strerror(errno));
		free(out);
	}
	archive_read_free(a);
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
