/* SPDX-License-Identifier: Apache-2.0 */
/* fsutil.h - the file helpers every layer uses: mkdir -p, rm -rf that
 * never follows a link, and the one atomic writer (a temporary file beside
 * the target, then a rename). System errors travel as kf_err (err.h).
 */
#ifndef KF_FSUTIL_H
#define KF_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/err.h"

/* Writes data to path through a temporary file beside it, given mode, and
 * a rename: the file is never half written.  sync: flush the data to the
 * disk before the rename (a user's file; the store's files are rebuilt). */
/* write(2) until all of data is written (EINTR retried); false with errno. */
bool kf_write_all(int fd, const void *data, size_t len);
bool kf_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool sync, kf_err *err);
/* Rewrites a user's file with data, keeping the file the user has: a
 * symbolic link stays a link and its target is rewritten; the file keeps
 * its owner, group and mode. A file with one link is replaced as above
 * (a new file given its owner and mode, flushed, renamed over it). A file
 * with other hard links, or whose owner this process cannot give a new
 * file, keeps its inode: data goes to a temporary file beside it first,
 * flushed and read back, then over the file itself, and the temporary
 * file is removed; if that write fails midway the temporary file stays
 * and the message names it. */
bool kf_rewrite_file(const char *path, const void *data, size_t len, kf_err *err);
/* A filtered walk of a directory's tree (not the directory itself), as a
 * layer adds it and a cache key hashes it. filter (NULL: everything) says
 * of each entry (rel: its path under dir) to add it (a directory is
 * entered), to leave it out with what it holds, or to enter a directory
 * without adding it: it is visited, with its own path, just before the
 * first entry under it that is. visit gets the entry's path on disk and
 * under dir; false stops the walk. sorted: each folder's entries by name
 * (else the file system's order). False with err when a folder cannot be
 * read or visit said stop (then err is visit's to set). */
typedef enum kf_tree_pick { KF_TREE_ADD, KF_TREE_SKIP, KF_TREE_ENTER } kf_tree_pick;
typedef kf_tree_pick kf_tree_filter(void *ctx, const char *rel, bool is_dir);
bool kf_tree_walk(const char *dir, bool sorted, kf_tree_filter *filter, void *fctx,
		  bool (*visit)(void *ud, const char *path, const char *rel), void *ud, kf_err *err);

/* mkdir -p */
bool kf_mkdirs(const char *path, mode_t mode);
/* rm -rf, never following a symbolic link (not even one at path
 * itself, whatever slashes end it); quiet */
void kf_remove_tree(const char *path);

#endif
