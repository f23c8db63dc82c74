/* unpack.h - reading tar archives into a directory (libarchive): image
 * layers with their whiteouts, and the local archives ADD extracts.
 */
#ifndef KF_UNPACK_H
#define KF_UNPACK_H

#include <stdbool.h>
#include <stddef.h>

/* Is path a tar archive (plain, or compressed by gzip, bzip2, xz or zstd)? */
bool kf_is_archive_file(const char *path);

/* Extracts an archive into dir: no absolute paths, no "..", no writing
 * through symbolic links; owners are not restored. With whiteouts, the
 * OCI whiteouts (.wh.NAME, .wh..wh..opq) remove what they name instead of
 * being extracted. */
bool kf_unpack(const char *archive, const char *dir, bool whiteouts, char *err, size_t errlen);
/* The same for the entries under one of the top-level directories named
 * (NULL-terminated, such as "manifests"), whiteouts included. */
bool kf_unpack_only(const char *archive, const char *dir, const char *const *tops, char *err, size_t errlen);

/* The content of one file of a layer stack (top layer last), as the
 * stacked file system shows it; NULL if absent (whiteouts honoured).
 * malloc'd, *len set. */
char *kf_layers_read_file(const char *const *layers, size_t n, const char *name, size_t *len);

#endif
