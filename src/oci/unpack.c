/* SPDX-License-Identifier: Apache-2.0 */
/* unpack.c - tar archives into directories, through libarchive. */
#include "oci/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"
#include "oci/oci.h"

static struct archive *open_read(const char *path)
{
	struct archive *a = archive_read_new();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

bool kf_is_archive_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return false;
	struct archive *a = open_read(path);
	if (!a)
		return false;
	struct archive_entry *e;
	bool ok = archive_read_next_header(a, &e) == ARCHIVE_OK;
	archive_read_free(a);
	return ok;
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool wanted(const char *name, const char *const *tops)
{
	if (!tops)
		return true;
	for (; *tops; tops++) {
		size_t n = strlen(*tops);
		if (strncmp(name, *tops, n) == 0 && (name[n] == '\0' || name[n] == '/'))
			return true;
		/* a whiteout of the top directory itself: .wh.<top> */
		if (strncmp(name, ".wh.", 4) == 0 && strcmp(name + 4, *tops) == 0)
			return true;
	}
	return false;
}

static bool unpack(const char *archive, const char *dir, bool whiteouts, const char *const *tops,
		   volatile sig_atomic_t *cancel, kf_err *err);

bool kf_unpack(const char *archive, const char *dir, bool whiteouts, volatile sig_atomic_t *cancel, kf_err *err)
{
	return unpack(archive, dir, whiteouts, NULL, cancel, err);
}

bool kf_unpack_only(const char *archive, const char *dir, const char *const *tops, volatile sig_atomic_t *cancel,
		    kf_err *err)
{
	return unpack(archive, dir, true, tops, cancel, err);
}

/* Removes what a whiteout names: the path itself, never what a link at it
 * points to. */
static void remove_named(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode))
		kf_remove_tree(path);
	else
		unlink(path);
}

/* Empties a directory (an opaque whiteout), keeping it. */
static void empty_dir(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0) {
		kf_mkdirs(path, 0755);
		return;
	}
	if (!S_ISDIR(st.st_mode))
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	kf_buf p = KF_BUF_INIT;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		kf_buf_reset(&p);
		kf_buf_printf(&p, "%s/%s", path, de->d_name);
		remove_named(p.ptr);
	}
	closedir(d);
	kf_buf_release(&p);
}

static bool climbs(const char *name)
{
	size_t n = strlen(name);
	return name[0] == '/' || strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 || strstr(name, "/../") ||
	       (n >= 3 && strcmp(name + n - 3, "/..") == 0);
}

/* Every entry is written where a chroot at dir would put it: its parent
 * directory is resolved inside dir (kf_path_in_root), so a symbolic link
 * met on the way, from an earlier layer or this one, never leads out;
 * libarchive then gets a path without links and still refuses ".." and
 * links as a second guard. Whiteouts are applied the same way, removing
 * the named path itself and never following a link at it. */
static bool unpack(const char *archive, const char *dir, bool whiteouts, const char *const *tops,
		   volatile sig_atomic_t *cancel, kf_err *err)
{
	struct archive *a = open_read(archive);
	if (!a) {
		kf_err_set(err, "%s: not a readable tar archive", archive);
		return false;
	}
	char real[PATH_MAX];
	if (!realpath(dir, real)) {
		kf_err_set(err, "%s: %s", dir, strerror(errno));
		archive_read_free(a);
		return false;
	}
	dir = real;
	const char *what = whiteouts ? "image" : "archive";
	struct archive *w = archive_write_disk_new();
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						  ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
	kf_buf name = KF_BUF_INIT, path = KF_BUF_INIT, hlname = KF_BUF_INIT;
	/* the last parent directory resolved: entries come folder by folder */
	kf_buf last_dir = KF_BUF_INIT;
	char *last_res = NULL;
	struct archive_entry *e;
	bool ok = true;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (cancel && *cancel) {
			kf_err_set(err, "interrupted");
			ok = false;
			break;
		}
		/* our own copy: libarchive frees the entry's name when it is set */
		const char *n0 = archive_entry_pathname(e);
		if (!n0)
			continue;
		while (n0[0] == '.' && n0[1] == '/')
			n0 += 2;
		kf_buf_reset(&name);
		kf_buf_adds(&name, n0);
		while (name.len > 1 && name.ptr[name.len - 1] == '/')
			name.ptr[--name.len] = '\0';
		if (!name.len || strcmp(name.ptr, ".") == 0 || !wanted(name.ptr, tops))
			continue;
		if (climbs(name.ptr)) {
			kf_err_set(err, "%s: entry '%s' would be written outside the directory", archive, name.ptr);
			ok = false;
			break;
		}
		const char *b = base_of(name.ptr);
		size_t dl = b > name.ptr ? (size_t)(b - name.ptr - 1) : 0;
		if (!last_res || last_dir.len != dl || (dl && memcmp(last_dir.ptr, name.ptr, dl) != 0)) {
			kf_buf_reset(&last_dir);
			kf_buf_add(&last_dir, name.ptr, dl);
			free(last_res);
			last_res = kf_path_in_root(dir, last_dir.ptr ? last_dir.ptr : "", true);
			if (!last_res) {
				kf_err_set(err, "%s: %s: %s", archive, name.ptr, strerror(errno));
				ok = false;
				break;
			}
		}
		if (whiteouts && strncmp(b, ".wh.", 4) == 0) {
			if (strcmp(b, ".wh..wh..opq") == 0) {
				empty_dir(last_res);
			} else if (b[4] && strcmp(b + 4, ".") != 0 && strcmp(b + 4, "..") != 0) {
				kf_buf_reset(&path);
				kf_buf_printf(&path, "%s/%s", last_res, b + 4);
				remove_named(path.ptr);
			}
			/* the parent may be gone or emptied: resolve it again next time */
			free(last_res);
			last_res = NULL;
			continue;
		}
		kf_buf_reset(&path);
		kf_buf_printf(&path, "%s/%s", last_res, b);
		archive_entry_set_pathname(e, path.ptr);
		const char *hl = archive_entry_hardlink(e);
		char *hlfull = NULL;
		if (hl) {
			kf_buf_reset(&hlname);
			kf_buf_adds(&hlname, hl);
			struct stat st;
			hlfull = climbs(hlname.ptr) ? NULL : kf_path_in_root(dir, hlname.ptr, false);
			if (!hlfull || lstat(hlfull, &st) != 0 || S_ISDIR(st.st_mode)) {
				kf_err_set(err, "%s: %s: a hard link to %s, which is not a file of the %s", archive,
					 name.ptr, hlname.ptr, what);
				free(hlfull);
				ok = false;
				break;
			}
			archive_entry_set_hardlink(e, hlfull);
		}
		r = archive_write_header(w, e);
		free(hlfull);
		/* this entry may be a link or a folder that a later one's parent is */
		if (archive_entry_filetype(e) != AE_IFREG) {
			free(last_res);
			last_res = NULL;
		}
		if (r < ARCHIVE_WARN) {
			kf_err_set(err, "%s: %s: %s", archive, name.ptr, archive_error_string(w));
			ok = false;
			break;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK) {
				if (archive_write_data_block(w, buf, size, off) < ARCHIVE_OK) {
					r = ARCHIVE_FATAL;
					kf_err_set(err, "%s: %s: %s", archive, name.ptr, archive_error_string(w));
					break;
				}
				if (cancel && *cancel) {
					r = ARCHIVE_FATAL;
					kf_err_set(err, "interrupted");
					break;
				}
			}
			if (r != ARCHIVE_EOF) {
				if (r != ARCHIVE_FATAL || !err->msg[0])
					kf_err_set(err, "%s: %s: %s", archive, name.ptr, archive_error_string(a));
				ok = false;
				break;
			}
		}
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			kf_err_set(err, "%s: %s: %s", archive, name.ptr, archive_error_string(w));
			ok = false;
			break;
		}
	}
	if (ok && r != ARCHIVE_EOF) {
		kf_err_set(err, "%s: %s", archive, archive_error_string(a));
		ok = false;
	}
	free(last_res);
	kf_buf_release(&last_dir);
	kf_buf_release(&name);
	kf_buf_release(&path);
	kf_buf_release(&hlname);
	archive_write_close(w);
	archive_write_free(w);
	archive_read_free(a);
	return ok;
}

char *kf_layers_read_file(const char *const *layers, size_t n, const char *name, size_t *len)
{
	/* from the top layer down: the first layer that has the file or a
	 * whiteout of it (or of a parent) decides */
	size_t nl = strlen(name);
	for (size_t i = n; i-- > 0;) {
		struct archive *a = open_read(layers[i]);
		if (!a)
			continue;
		struct archive_entry *e;
		char *found = NULL;
		bool hidden = false;
		while (!found && !hidden && archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *p = archive_entry_pathname(e);
			while (p[0] == '.' && p[1] == '/')
				p += 2;
			const char *b = base_of(p);
			if (strncmp(b, ".wh.", 4) == 0) {
				size_t dl = (size_t)(b - p);
				if (strcmp(b, ".wh..wh..opq") == 0)
					hidden = dl < nl && strncmp(p, name, dl) == 0;
				else {
					size_t wl = dl + strlen(b + 4);
					hidden = strncmp(p, name, dl) == 0 && strncmp(b + 4, name + dl, wl - dl) == 0 &&
						 (name[wl] == '\0' || name[wl] == '/');
				}
				continue;
			}
			if (strcmp(p, name) != 0 || archive_entry_filetype(e) != AE_IFREG)
				continue;
			kf_buf b2 = KF_BUF_INIT;
			const void *buf;
			size_t size;
			la_int64_t off;
			while (archive_read_data_block(a, &buf, &size, &off) == ARCHIVE_OK)
				kf_buf_add(&b2, buf, size);
			*len = b2.len;
			found = b2.ptr ? b2.ptr : strdup("");
		}
		archive_read_free(a);
		if (found)
			return found;
		if (hidden)
			return NULL;
	}
	return NULL;
}

bool kf_layers_each_file(const char *const *layers, size_t n, const char *prefix, size_t max,
			 bool (*want)(void *ud, const char *name),
			 void (*fn)(void *ud, const char *name, const char *data, size_t len), void *ud,
			 kf_err *err)
{
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < n; i++) {
		struct archive *a = open_read(layers[i]);
		if (!a)
			return kf_err_set(err, "%s: not a layer kfc reads", layers[i]);
		struct archive_entry *e;
		int rc;
		kf_buf data = KF_BUF_INIT;
		while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
			const char *p = archive_entry_pathname(e);
			while (p[0] == '.' && p[1] == '/')
				p += 2;
			if (strncmp(p, prefix, pl) != 0)
				continue;
			const char *b = base_of(p);
			if (strncmp(b, ".wh.", 4) == 0) {
				/* what it hides: the named entry, or (opaque) the folder's contents */
				kf_buf hidden = KF_BUF_INIT;
				kf_buf_add(&hidden, p, (size_t)(b - p));
				if (strcmp(b, ".wh..wh..opq") != 0)
					kf_buf_adds(&hidden, b + 4);
				fn(ud, hidden.ptr ? hidden.ptr : "", NULL, 0);
				kf_buf_release(&hidden);
				continue;
			}
			if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) > (la_int64_t)max ||
			    (want && !want(ud, p)))
				continue;
			kf_buf_reset(&data);
			const void *buf;
			size_t size;
			la_int64_t off;
			while (archive_read_data_block(a, &buf, &size, &off) == ARCHIVE_OK)
				kf_buf_add(&data, buf, size);
			fn(ud, p, data.ptr ? data.ptr : "", data.len);
		}
		kf_buf_release(&data);
		if (rc != ARCHIVE_EOF)
			kf_err_set(err, "%s: %s", layers[i], archive_error_string(a));
		archive_read_free(a);
		if (rc != ARCHIVE_EOF)
			return false;
	}
	return true;
}
