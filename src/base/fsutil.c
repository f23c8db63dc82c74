/* fsutil.c - see fsutil.h */
#include "base/fsutil.h"

#include <errno.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"

bool kf_mkdirs(const char *path, mode_t mode)
{
	char *p = strdup(path);
	if (!p)
		abort();
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			free(p);
			return false;
		}
		*s = '/';
	}
	bool ok = mkdir(p, mode) == 0 || errno == EEXIST;
	free(p);
	return ok;
}

void kf_remove_tree(const char *path)
{
	/* "link/" would name the folder the link points to: the trailing
	 * slashes go, so a link at path is removed, not followed */
	char *p = strdup(path);
	if (!p)
		abort();
	for (size_t n = strlen(p); n > 1 && p[n - 1] == '/'; n--)
		p[n - 1] = '\0';
	char *const paths[] = {p, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts) {
		free(p);
		return;
	}
	FTSENT *f;
	while ((f = fts_read(fts))) {
		switch (f->fts_info) {
		case FTS_D:
			chmod(f->fts_accpath, 0700); /* a RUN may have left it unwritable */
			break;
		case FTS_DP:
			rmdir(f->fts_accpath);
			break;
		default:
			unlink(f->fts_accpath);
		}
	}
	fts_close(fts);
	free(p);
}

bool kf_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool sync, kf_err *err)
{
	kf_buf tmp = KF_BUF_INIT;
	kf_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		kf_err_set(err, "%s: cannot create a temporary file: %s", path, strerror(errno));
		kf_buf_release(&tmp);
		return false;
	}
	const char *c = data;
	size_t left = len;
	bool ok = true;
	while (left) {
		ssize_t w = write(fd, c, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			ok = kf_err_set(err, "%s: %s", path, strerror(errno));
			break;
		}
		c += w;
		left -= (size_t)w;
	}
	if (ok && (fchmod(fd, mode) != 0 || (sync && fsync(fd) != 0)))
		ok = kf_err_set(err, "%s: %s", path, strerror(errno));
	if (close(fd) != 0 && ok)
		ok = kf_err_set(err, "%s: %s", path, strerror(errno));
	if (ok && rename(tmp.ptr, path) != 0)
		ok = kf_err_set(err, "%s: %s", path, strerror(errno));
	if (!ok)
		unlink(tmp.ptr);
	kf_buf_release(&tmp);
	return ok;
}
