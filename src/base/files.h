/* SPDX-License-Identifier: Apache-2.0 */
/* files.h - finding the Kubefiles a command is given; paths. */
#ifndef KF_FILES_H
#define KF_FILES_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kf_paths {
	char **v; /* malloc'd strings */
	size_t n, cap;
} kf_paths;

/* Is base (a file name without directories) a Kubefile's name: Kubefile,
 * Kubefile.*, *.kubefile, kubefile, Sealfile, Sealfile.*, *.sealfile or
 * sealfile? */
bool kf_is_kubefile_name(const char *base);

/* The file names kfc build takes in a context, in sealos build's order:
 * Sealfile, Kubefile, Dockerfile, Containerfile (NULL-terminated). */
extern const char *const kf_default_kubefiles[];
/* dir's first file of those, malloc'd; NULL when it has none. */
char *kf_find_kubefile(const char *dir);

/* Adds path to out if it is a file (or "-"), or every Kubefile under it, in
 * sorted order, if it is a directory (hidden directories are skipped; a
 * folder with no file of a Kubefile's name gives its kf_find_kubefile). On
 * failure (a directory with none is one) returns false and sets *err to a
 * malloc'd message. */
bool kf_collect_kubefiles(const char *path, kf_paths *out, char **err);
void kf_paths_release(kf_paths *p);

/* dir/name, malloc'd: no '/' is added after an empty dir or one that ends
 * with '/'. The one path join. */
char *kf_path_join(const char *dir, const char *name);

/* p as a relative path without ".", "..", empty components or a leading
 * or trailing slash ("" for the top).  A ".." that climbs above the top is
 * dropped when clamp (a destination in a rootfs: "/.." is "/"), else the
 * answer is NULL (a source must stay inside its context).  Malloc'd. */
char *kf_path_clean(const char *p, bool clamp);

/* The path on disk that rel names under root when root is taken as the
 * file system's root, as a chroot would see it (and containerd applies a
 * layer): every symbolic link on the way is followed inside root, an
 * absolute target starting again at root, and ".." stops at root; the last
 * component is followed only when follow_last. Components that do not
 * exist are kept as they are. So the answer is always root or under it.
 * Malloc'd; NULL with errno (ELOOP after 40 links, or readlink's). */
char *kf_path_in_root(const char *root, const char *rel, bool follow_last);

/* The local image store kfc build writes: $KFC_STORE, else
 * $XDG_DATA_HOME/kubefile/store, else ~/.local/share/kubefile/store.
 * Malloc'd. */
char *kf_store_path(void);

#endif
