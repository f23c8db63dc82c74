/* unpack.c - tar archives into directories, through libarchive. */
#include "unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "oci.h"

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

static bool unpack(const char *archive, const char *dir, bool whiteouts, const char *const *tops, char *err,
		   size_t errlen);

bool kf_unpack(const char *archive, const char *dir, bool whiteouts, char *err, size_t errlen)
{
	return unpack(archive, dir, whiteouts, NULL, err, errlen);
}

bool kf_unpack_only(const char *archive, const char *dir, const char *const *tops, char *err, size_t errlen)
{
	return unpack(archive, dir, true, tops, err, errlen);
}

static bool unpack(const char *archive, const char *dir, bool whiteouts, const char *const *tops, char *err,
		   size_t errlen)
{
	struct archive *a = open_read(archive);
	if (!a) {
		snprintf(err, errlen, "%s: not a readable tar archive", archive);
		return false;
	}
	char real[PATH_MAX];
	if (!realpath(dir, real)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		archive_read_free(a);
		return false;
	}
	dir = real;
	/* names are checked here and prefixed with dir, so libarchive sees
	 * absolute paths: it refuses ".." and symbolic links on the way */
	struct archive *w = archive_write_disk_new();
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
						  ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
	kf_buf path = KF_BUF_INIT;
	struct archive_entry *e;
	bool ok = true;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		if (!name[0] || strcmp(name, ".") == 0 || !wanted(name, tops))
			continue;
		if (name[0] == '/' || strcmp(name, "..") == 0 || strncmp(name, "../", 3) == 0 || strstr(name, "/../") ||
		    (strlen(name) >= 3 && strcmp(name + strlen(name) - 3, "/..") == 0)) {
			snprintf(err, errlen, "%s: entry '%s' would be written outside the directory", archive, name);
			ok = false;
			break;
		}
		const char *b = base_of(name);
		if (whiteouts && strncmp(b, ".wh.", 4) == 0) {
			kf_buf_reset(&path);
			kf_buf_printf(&path, "%s/%.*s", dir, (int)(b - name), name);
			if (strcmp(b, ".wh..wh..opq") == 0) {
				/* empty the directory, keep it */
				kf_buf target = KF_BUF_INIT;
				kf_buf_adds(&target, path.ptr);
				kf_remove_tree(target.ptr);
				kf_mkdirs(target.ptr, 0755);
				kf_buf_release(&target);
			} else {
				kf_buf_adds(&path, b + 4);
				if (strstr(path.ptr, "/../") == NULL)
					kf_remove_tree(path.ptr);
			}
			continue;
		}
		kf_buf_reset(&path);
		kf_buf_printf(&path, "%s/%s", dir, name);
		archive_entry_set_pathname(e, path.ptr);
		const char *hl = archive_entry_hardlink(e);
		char *hlfull = NULL;
		if (hl) {
			while (hl[0] == '.' && hl[1] == '/')
				hl += 2;
			if (asprintf(&hlfull, "%s/%s", dir, hl) < 0)
				abort();
			archive_entry_set_hardlink(e, hlfull);
		}
		r = archive_write_header(w, e);
		free(hlfull);
		if (r < ARCHIVE_WARN) {
			snprintf(err, errlen, "%s: %s: %s", archive, name, archive_error_string(w));
			ok = false;
			break;
		}
		if (archive_entry_size(e) > 0) {
			const void *buf;
			size_t size;
			la_int64_t off;
			while ((r = archive_read_data_block(a, &buf, &size, &off)) == ARCHIVE_OK)
				if (archive_write_data_block(w, buf, size, off) < ARCHIVE_OK) {
					r = ARCHIVE_FATAL;
					snprintf(err, errlen, "%s: %s: %s", archive, name, archive_error_string(w));
					break;
				}
			if (r != ARCHIVE_EOF) {
				if (r != ARCHIVE_FATAL || !err[0])
					snprintf(err, errlen, "%s: %s: %s", archive, name, archive_error_string(a));
				ok = false;
				break;
			}
		}
		if (archive_write_finish_entry(w) < ARCHIVE_WARN) {
			snprintf(err, errlen, "%s: %s: %s", archive, name, archive_error_string(w));
			ok = false;
			break;
		}
	}
	if (ok && r != ARCHIVE_EOF) {
		snprintf(err, errlen, "%s: %s", archive, archive_error_string(a));
		ok = false;
	}
	kf_buf_release(&path);
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
