/* SPDX-License-Identifier: Apache-2.0 */
/* unpack.h - reading tar archives into a directory (libarchive): image
 * layers with their whiteouts, and the local archives ADD extracts.
 */
#ifndef KF_UNPACK_H
#define KF_UNPACK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

/* Is path a tar archive (plain, or compressed by gzip, bzip2, xz or zstd)? */
bool kf_is_archive_file(const char *path);

/* Extracts an archive into dir as if dir were the root (a chroot): no
 * absolute paths or ".." in names; a symbolic link met on an entry's way
 * is followed inside dir, never out of it; a hard link must name a file
 * already inside; owners are not restored. With whiteouts (an image
 * layer), the OCI whiteouts (.wh.NAME, .wh..wh..opq) remove what they name
 * inside dir, never following a link, instead of being extracted. When
 * *cancel is set (by a signal handler) it stops with "interrupted". */
bool kf_unpack(const char *archive, const char *dir, bool whiteouts, volatile sig_atomic_t *cancel, kf_err *err);
/* The same for the entries under one of the top-level directories named
 * (NULL-terminated, such as "manifests"), whiteouts included. */
bool kf_unpack_only(const char *archive, const char *dir, const char *const *tops, volatile sig_atomic_t *cancel,
		    kf_err *err);

/* The content of one file of a layer stack (top layer last), as the
 * stacked file system shows it; NULL if absent (whiteouts honoured).
 * malloc'd, *len set. */
char *kf_layers_read_file(const char *const *layers, size_t n, const char *name, size_t *len);

/* Each regular file of at most max bytes under prefix (such as
 * "registry/docker/registry/v2/repositories/") of a layer stack that want
 * (NULL: all) accepts, bottom layer first, as fn(name, content, len); a whiteout as fn(name, NULL, 0)
 * where name is what it hides: an entry, or with a trailing '/' a
 * folder's contents. False when a layer cannot be read. */
bool kf_layers_each_file(const char *const *layers, size_t n, const char *prefix, size_t max,
			 bool (*want)(void *ud, const char *name), void (*fn)(void *ud, const char *name, const char *data, size_t len), void *ud,
			 kf_err *err);

#endif
