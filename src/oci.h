/* oci.h - OCI image layouts (image-spec v1.1) on disk: blobs by digest,
 * index.json, and reading an image (manifest, config) back by its ref name.
 *
 * Blobs are written to a temporary file beside blobs/ and renamed to their
 * digest, so a reader never sees a partial blob; index.json is replaced
 * the same way, last, so an image becomes visible whole or not at all.
 */
#ifndef KF_OCI_H
#define KF_OCI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"

#define KF_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define KF_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define KF_MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define KF_ANN_REF "org.opencontainers.image.ref.name"
#define KF_ANN_CREATED "org.opencontainers.image.created"

typedef struct kf_err {
	char msg[1024];
} kf_err;

bool kf_err_set(kf_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Creates dir (and its parents), oci-layout, blobs/sha256 and an empty
 * index.json where missing. */
bool kf_oci_init(const char *dir, kf_err *err);
bool kf_oci_is_layout(const char *dir);
/* dir/blobs/sha256/<hex>, malloc'd */
char *kf_oci_blob_path(const char *dir, const char *digest);
bool kf_oci_has_blob(const char *dir, const char *digest, uint64_t size);
/* Renames tmp (a file in the same file system) to the blob of digest. */
bool kf_oci_put_file(const char *dir, const char *tmp, const char *digest, kf_err *err);
bool kf_oci_put_bytes(const char *dir, const void *data, size_t len, char digest[KF_DIGEST_LEN + 1],
		      kf_err *err);
json_t *kf_json_descriptor(const char *media_type, const char *digest, uint64_t size);
/* A JSON document's compact bytes as a blob; sets desc to a new descriptor. */
bool kf_oci_put_json(const char *dir, const json_t *doc, const char *media_type, json_t **desc, kf_err *err);
/* Hard-links (or copies) a blob from one layout to another. */
bool kf_oci_copy_blob(const char *from, const char *to, const char *digest, kf_err *err);
/* A blob's JSON, checked against its digest. */
json_t *kf_oci_read_json(const char *dir, const char *digest, kf_err *err);

json_t *kf_oci_index_read(const char *dir, kf_err *err);
bool kf_oci_index_write(const char *dir, const json_t *index, kf_err *err);
/* The manifest descriptor named ref, or NULL (borrowed reference). */
json_t *kf_oci_index_find(const json_t *index, const char *ref);
/* Points ref at desc (a copy gets the ref annotation); other entries with
 * that ref lose it. */
void kf_oci_index_tag(json_t *index, const char *ref, const json_t *desc);
/* Removes ref; false if it was not there. */
bool kf_oci_index_untag(json_t *index, const char *ref);

/* An image read from a layout. */
typedef struct kf_image {
	json_t *manifest;
	json_t *config;
	char digest[KF_DIGEST_LEN + 1]; /* of the manifest */
	uint64_t size;
} kf_image;

bool kf_image_load(const char *dir, const char *ref, kf_image *img, kf_err *err);
void kf_image_release(kf_image *img);

/* Every blob a manifest reaches: itself, config, layers. */
bool kf_oci_copy_image(const char *from, const char *to, const json_t *manifest_desc, kf_err *err);
/* Removes the blobs that no manifest of the index reaches; returns how many. */
size_t kf_oci_gc(const char *dir, const json_t *index);

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
