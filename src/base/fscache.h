/* SPDX-License-Identifier: Apache-2.0 */
/* fscache.h - what exists in the build context, remembered between runs.
 *
 * The linter asks, for every local:// source and every settings-file
 * candidate, whether a path exists, and walks app directories to tell a
 * chart from manifests or scripts.  kflint does that once; the language
 * server does it after every keystroke.  A kf_fscache keeps each
 * directory's listing (names and lstat-like types from readdir) and, in a
 * new run (kf_fscache_begin), revalidates a directory with one stat of the
 * directory itself: a listing is reused while the directory's device,
 * inode, modification and change times are those it was read with.
 * Adding, removing or renaming an entry changes them; a listing read
 * within two seconds of the directory's last change is not trusted (the
 * timestamps are coarser than the changes they stamp) and is read again
 * the next run.  A change made during a run may show in it or not; it
 * shows in the next one.  A directory is listed from its second question
 * on (before that a name costs one stat), so a one-shot run beside
 * thousands of files reads no listing.
 *
 * Every function takes a NULL cache too: then each question costs what a
 * plain stat(2) or readdir(3) would.  A cache belongs to one thread.
 */
#ifndef KF_FSCACHE_H
#define KF_FSCACHE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct kf_fscache kf_fscache;

/* One entry of a listing: its name and its type as lstat(2) gives it
 * (S_IFREG, S_IFDIR, S_IFLNK, ... ; 0 when it vanished before it could be
 * asked). */
typedef struct kf_fsentry {
	const char *name;
	unsigned type;
} kf_fsentry;

/* A directory's entries, sorted by name (strcmp), without "." and "..".
 * Valid until kf_fsdir_release, and no longer than the next
 * kf_fscache_begin. */
typedef struct kf_fsdir {
	const kf_fsentry *entries;
	size_t n;
	void *own; /* private: what kf_fsdir_release frees (NULL: the cache's) */
} kf_fsdir;

kf_fscache *kf_fscache_new(void);
void kf_fscache_free(kf_fscache *fs);

/* Starts a run: directories are revalidated when next asked about;
 * directories not asked about for a long while are forgotten. */
void kf_fscache_begin(kf_fscache *fs);

/* What path is, following symbolic links as stat(2) does: its S_IFMT
 * type, or 0 when it does not exist or cannot be reached. */
unsigned kf_fscache_type(kf_fscache *fs, const char *path);

/* The listing of the directory at path (following symbolic links), or
 * false when it is not a readable directory.  Give a listing back with
 * kf_fsdir_release. */
bool kf_fscache_list(kf_fscache *fs, const char *path, kf_fsdir *out);
void kf_fsdir_release(kf_fsdir *dir);

/* How many directory listings the cache has read (for tests and
 * benchmarks: a listing reused costs none). */
size_t kf_fscache_reads(const kf_fscache *fs);

/* Calls fn for every entry below the directory dir, depth first in name
 * order, with its path relative to dir and its lstat type; directories
 * are entered after their own call, symbolic links are not followed.  fn
 * returns false to stop the walk.  Returns false when dir is not a
 * readable directory. */
typedef bool kf_fswalk_fn(void *ctx, const char *rel, unsigned type);
bool kf_fscache_walk(kf_fscache *fs, const char *dir, kf_fswalk_fn *fn, void *ctx);

#endif
