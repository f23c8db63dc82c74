/* SPDX-License-Identifier: Apache-2.0 */
/* fsutil.c - see fsutil.h */
#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/vec.h"

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

bool kf_write_all(int fd, const void *data, size_t len)
{
	const char *c = data;
	while (len) {
		ssize_t w = write(fd, c, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return false;
		c += w;
		len -= (size_t)w;
	}
	return true;
}

/* Writes data to a new temporary file beside path ("path.tmp-XXXXXX"),
 * given mode. With owner, the file first takes owner's uid and gid;
 * *owned says whether it could (when not, it keeps mode 0600). Returns its
 * name (malloc'd), or NULL with nothing left behind. Messages name the
 * file name. */
static char *write_temp(const char *path, const char *name, const void *data, size_t len, mode_t mode, bool sync,
			const struct stat *owner, bool *owned, kf_err *err)
{
	kf_buf tmp = KF_BUF_INIT;
	kf_buf_printf(&tmp, "%s.tmp-XXXXXX", path);
	int fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		kf_err_set(err, "%s: cannot create a temporary file: %s", name, strerror(errno));
		kf_buf_release(&tmp);
		return NULL;
	}
	bool ok = kf_write_all(fd, data, len);
	if (ok && owner) {
		/* chown before chmod: a chown may clear the set-id bits */
		*owned = fchown(fd, owner->st_uid, owner->st_gid) == 0;
		if (!*owned)
			mode = 0600;
	}
	if (ok && (fchmod(fd, mode) != 0 || (sync && fsync(fd) != 0)))
		ok = false;
	if (!ok)
		kf_err_set(err, "%s: %s", name, strerror(errno));
	if (close(fd) != 0 && ok)
		ok = kf_err_set(err, "%s: %s", name, strerror(errno));
	if (!ok) {
		unlink(tmp.ptr);
		kf_buf_release(&tmp);
		return NULL;
	}
	return kf_buf_detach(&tmp, NULL);
}

bool kf_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool sync, kf_err *err)
{
	char *tmp = write_temp(path, path, data, len, mode, sync, NULL, NULL, err);
	if (!tmp)
		return false;
	bool ok = rename(tmp, path) == 0 || kf_err_set(err, "%s: %s", path, strerror(errno));
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok;
}

/* Does the file at path hold exactly data? */
static bool holds(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	char buf[65536];
	size_t at = 0;
	bool same = true;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			same = r == 0 && at == len;
			break;
		}
		if ((size_t)r > len - at || memcmp(buf, (const char *)data + at, (size_t)r) != 0) {
			same = false;
			break;
		}
		at += (size_t)r;
	}
	close(fd);
	return same;
}

/* Writes data over the file st describes, at path, through its own inode.
 * A whole copy of data is at tmp first, read back: if the write fails or
 * is cut short, the text is not lost, and the message says where it is
 * (*touched: the file may have been changed). */
static bool write_through(const char *path, const char *name, const struct stat *st, const void *data, size_t len,
			  const char *tmp, bool *touched, kf_err *err)
{
	*touched = false;
	if (!holds(tmp, data, len))
		return kf_err_set(err, "%s: the temporary copy %s does not read back whole", name, tmp);
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return kf_err_set(err, "%s: %s", name, strerror(errno));
	struct stat now;
	bool ok = true;
	if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
		ok = kf_err_set(err, "%s: the file was replaced while it was being rewritten", name);
	} else {
		*touched = true;
		if (!kf_write_all(fd, data, len) || ftruncate(fd, (off_t)len) != 0 || fsync(fd) != 0)
			ok = kf_err_set(err, "%s: %s (the new text is in %s)", name, strerror(errno), tmp);
	}
	if (close(fd) != 0 && ok)
		ok = kf_err_set(err, "%s: %s (the new text is in %s)", name, strerror(errno), tmp);
	return ok;
}

bool kf_rewrite_file(const char *path, const void *data, size_t len, kf_err *err)
{
	char *real = realpath(path, NULL);
	if (!real)
		return kf_err_set(err, "%s: %s", path, strerror(errno));
	struct stat st;
	bool ok = false;
	if (stat(real, &st) != 0) {
		kf_err_set(err, "%s: %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		kf_err_set(err, "%s: not a regular file", path);
	} else {
		bool owned = false;
		bool links = st.st_nlink > 1;
		char *tmp = write_temp(real, path, data, len, links ? 0600 : st.st_mode & 07777, true,
				       links ? NULL : &st, &owned, err);
		if (tmp && !links && owned) {
			ok = rename(tmp, real) == 0 || kf_err_set(err, "%s: %s", path, strerror(errno));
			if (!ok)
				unlink(tmp);
		} else if (tmp) {
			/* other links, or an owner this process cannot give a
			 * new file: the file itself is written */
			bool touched;
			ok = write_through(real, path, &st, data, len, tmp, &touched, err);
			if (ok || !touched)
				unlink(tmp);
		}
		free(tmp);
	}
	free(real);
	return ok;
}

static int cmp_ftsent(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

bool kf_tree_walk(const char *dir, bool sorted, kf_tree_filter *filter, void *fctx,
		  bool (*visit)(void *ud, const char *path, const char *rel), void *ud, kf_err *err)
{
	char *const paths[] = {(char *)dir, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, sorted ? cmp_ftsent : NULL);
	if (!fts)
		return kf_err_set(err, "%s: %s", dir, strerror(errno));
	size_t root = strlen(dir);
	while (root > 1 && dir[root - 1] == '/')
		root--;
	/* the directories entered but not visited yet, outermost first */
	KF_VEC(FTSENT *) pending = {0};
	FTSENT *f;
	bool ok = true;
	while (ok && (f = fts_read(fts))) {
		if (f->fts_info == FTS_DP) {
			if (pending.n && pending.v[pending.n - 1] == f)
				pending.n--;
			continue;
		}
		if (f->fts_info == FTS_DNR || f->fts_info == FTS_ERR || f->fts_info == FTS_NS) {
			ok = kf_err_set(err, "%s: %s", f->fts_path, strerror(f->fts_errno));
			break;
		}
		if (f->fts_level == 0)
			continue;
		const char *rel = f->fts_path + root + 1;
		kf_tree_pick pick = filter ? filter(fctx, rel, f->fts_info == FTS_D) : KF_TREE_ADD;
		if (pick == KF_TREE_SKIP) {
			if (f->fts_info == FTS_D)
				fts_set(fts, f, FTS_SKIP);
			continue;
		}
		if (pick == KF_TREE_ENTER && f->fts_info == FTS_D) {
			kf_vec_push(&pending, f);
			continue;
		}
		for (size_t i = 0; ok && i <= pending.n; i++) {
			FTSENT *e = i < pending.n ? pending.v[i] : f;
			ok = visit(ud, e->fts_path, e->fts_path + root + 1);
		}
		pending.n = 0;
	}
	kf_vec_free(&pending);
	fts_close(fts);
	return ok;
}
