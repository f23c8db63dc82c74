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
bool kf_write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, bool sync, kf_err *err);
/* mkdir -p */
bool kf_mkdirs(const char *path, mode_t mode);
/* rm -rf, never following a symbolic link (not even one at path
 * itself, whatever slashes end it); quiet */
void kf_remove_tree(const char *path);

#endif
