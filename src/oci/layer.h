/* SPDX-License-Identifier: Apache-2.0 */
/* layer.h - writing one image layer: a tar stream (libarchive, pax), its
 * compression (gzip, zstd or none), both digests, into a blob file.
 *
 * The caller adds entries in any order; kf_layer_finish sorts them by
 * name (the last one added for a name wins), adds the parent directories
 * they imply, and streams the tar. Times are whole seconds and clamped to
 * the epoch when one is set (SOURCE_DATE_EPOCH); owners are numeric with
 * empty user and group names; atime, ctime, device and inode numbers are
 * not stored; hard links within the layer are stored once (libarchive's
 * link resolver). So the same files give the same bytes.
 *
 * Compression runs beside the tar writer on worker threads. gzip: the tar
 * stream is cut into fixed-size chunks (the cut points depend only on the
 * stream, not on the thread count), each chunk is compressed by libarchive
 * as one gzip member, and the members are written in order; a gzip file of
 * several members (RFC 1952 §2.2) is one valid stream to every reader.
 * zstd: one stream, compressed by libzstd's workers, whose output does not
 * depend on their number. The uncompressed
 * digest (the diff_id) and the compressed one are computed on the way,
 * and the blob is written to a temporary file (mode 0644) in the directory
 * given, for the caller to rename by digest.
 */
#ifndef KF_LAYER_H
#define KF_LAYER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/err.h"
#include "base/fsutil.h"
#include "oci/digest.h"

typedef enum kf_compression {
	KF_COMPRESS_GZIP,
	KF_COMPRESS_ZSTD,
	KF_COMPRESS_NONE,
} kf_compression;

const char *kf_compression_name(kf_compression c);
bool kf_compression_parse(const char *s, kf_compression *out);
/* The OCI media type of a layer so compressed. */
const char *kf_compression_media_type(kf_compression c);

typedef struct kf_layer_options {
	kf_compression compression;
	int level;          /* 0: the compressor's default */
	int threads;        /* compression threads; 0: one per online CPU */
	int64_t epoch;      /* SOURCE_DATE_EPOCH, or -1 */
	int64_t now;        /* the time of implied directories without an epoch */
	/* when set (by a signal handler), kf_layer_finish stops soon with an
	 * "interrupted" error; NULL: never */
	volatile sig_atomic_t *cancel;
	/* while kf_layer_finish writes (NULL: not called): the entries begun,
	 * the bytes of the tar so far (hashed) and of the blob (compressed),
	 * after every piece of the tar, at least every 128 KiB */
	void (*progress)(void *ud, uint64_t entries, uint64_t tar_bytes, uint64_t blob_bytes);
	void *progress_ud;
} kf_layer_options;

/* An entry's owner and mode: -1 keeps what the file on disk has (or 0 for
 * owners). mode is the permission bits only. */
typedef struct kf_layer_meta {
	long uid, gid;
	int mode;
	int dir_mode;       /* for directories; -1: as mode */
} kf_layer_meta;

#define KF_LAYER_META_DEFAULT ((kf_layer_meta){-1, -1, -1, -1})

typedef struct kf_layer kf_layer;

typedef struct kf_layer_result {
	char digest[KF_DIGEST_LEN + 1];  /* of the blob */
	char diff_id[KF_DIGEST_LEN + 1]; /* of the tar */
	uint64_t size;                   /* of the blob */
	uint64_t tar_size;
	uint64_t nentries;
	char *tmp_path;                  /* malloc'd: the blob, to be renamed */
} kf_layer_result;

kf_layer *kf_layer_new(const kf_layer_options *opt);
/* The file or directory (not its contents) or symlink at disk, as name. */
void kf_layer_add_path(kf_layer *l, const char *name, const char *disk, const kf_layer_meta *meta);
/* A regular file's bytes from disk (followed if a link), as name, with
 * mode and the layer's time (the epoch, else now) instead of the file's:
 * for files whose bytes are all that matters (a store's blobs). */
void kf_layer_add_file(kf_layer *l, const char *name, const char *disk, int mode, const kf_layer_meta *meta);
/* A directory's contents (not itself) under prefix ("" for the top);
 * false with err if it cannot be walked, or "interrupted" once the
 * options' cancel flag is set. */
bool kf_layer_add_tree(kf_layer *l, const char *prefix, const char *disk_dir, const kf_layer_meta *meta,
		       kf_err *err);
/* kf_layer_add_tree with a filter (NULL: everything; kf_tree_walk, in
 * base/fsutil.h, says what it picks: a directory entered but not added is
 * added, with its own metadata, once something under it is). */
bool kf_layer_add_tree_filtered(kf_layer *l, const char *prefix, const char *disk_dir, const kf_layer_meta *meta,
				kf_tree_filter *filter, void *ctx, kf_err *err);
void kf_layer_add_data(kf_layer *l, const char *name, const void *data, size_t len, int mode,
		       const kf_layer_meta *meta);
/* A whiteout for name (.wh.<base>). */
void kf_layer_add_whiteout(kf_layer *l, const char *name);
size_t kf_layer_count(const kf_layer *l);

/* Writes the layer into a temporary file in tmpdir. On failure, returns
 * false with a message in err and removes the file. Frees l either way.
 * tmpdir NULL: the digests and sizes only, nothing written (tmp_path
 * NULL). */
bool kf_layer_finish(kf_layer *l, const char *tmpdir, kf_layer_result *out, kf_err *err);
void kf_layer_free(kf_layer *l);

#endif
