/* SPDX-License-Identifier: Apache-2.0 */
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

#include "base/err.h"
#include "base/fsutil.h"
#include "oci/digest.h"

#define KF_MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define KF_MT_INDEX "application/vnd.oci.image.index.v1+json"
#define KF_MT_CONFIG "application/vnd.oci.image.config.v1+json"
/* Docker's schema2 manifest and manifest list, which registries serve too */
#define KF_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define KF_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define KF_ANN_REF "org.opencontainers.image.ref.name"
#define KF_ANN_CREATED "org.opencontainers.image.created"
/* sealer's: the image extension (JSON text), the container images (JSON text) */
#define KF_ANN_EXTENSION "sealer.image.extension"
#define KF_ANN_IMAGES "sealer.image.container.images"


/* Creates dir (and its parents), oci-layout, blobs/sha256 and an empty
 * index.json where missing. */
bool kf_oci_init(const char *dir, kf_err *err);
bool kf_oci_is_layout(const char *dir);
/* dir/blobs/sha256/<hex>, malloc'd */
char *kf_oci_blob_path(const char *dir, const char *digest);
bool kf_oci_has_blob(const char *dir, const char *digest, uint64_t size);
/* Renames tmp (a file in the same file system) to the blob of digest. */
bool kf_oci_put_file(const char *dir, const char *tmp, const char *digest, kf_err *err);
json_t *kf_json_descriptor(const char *media_type, const char *digest, uint64_t size);
/* Bytes as a blob (unless it is there); sets digest to theirs. */
bool kf_oci_put_bytes(const char *dir, const void *data, size_t len, char digest[KF_DIGEST_LEN + 1], kf_err *err);
/* A JSON document's compact bytes as a blob; sets desc to a new descriptor. */
bool kf_oci_put_json(const char *dir, const json_t *doc, const char *media_type, json_t **desc, kf_err *err);
/* Copies the blob of desc from one layout to another, unless it is there.
 * verify (a layout we did not write): the copy is hashed on its way and
 * refused unless its digest and size are the descriptor's, and the source
 * must be a regular file; else the blob is hard-linked when it can be. */
bool kf_oci_copy_blob(const char *from, const char *to, const json_t *desc, bool verify, kf_err *err);
/* Is desc a descriptor kfc can use: a mediaType, a digest that is
 * "sha256:" and 64 hex digits (never a path), a size >= 0? what names it in
 * the error ("layer 2"). */
bool kf_oci_check_descriptor(const json_t *desc, const char *what, kf_err *err);
/* An image manifest's shape: schemaVersion 2, a config and layers whose
 * descriptors pass kf_oci_check_descriptor, layers of media types kfc reads. */
bool kf_oci_check_manifest(const json_t *manifest, kf_err *err);
/* A blob's JSON, checked against its digest. */
json_t *kf_oci_read_json(const char *dir, const char *digest, kf_err *err);

json_t *kf_oci_index_read(const char *dir, kf_err *err);
bool kf_oci_index_write(const char *dir, const json_t *index, kf_err *err);
/* Points ref at desc (a copy gets the ref annotation); other entries with
 * that ref lose it. */
void kf_oci_index_tag(json_t *index, const char *ref, const json_t *desc);
/* Removes ref; false if it was not there. */
bool kf_oci_index_untag(json_t *index, const char *ref);

/* A platform as the OCI image spec writes it ("linux", "arm64", "v8");
 * variant NULL or "" for any. */
typedef struct kf_platform_want {
	const char *os, *arch, *variant;
} kf_platform_want;

/* Are a and b the same platform, as kf_oci_index_pick compares them
 * (x86_64 is amd64, arm64 without a variant arm64/v8)? */
bool kf_oci_platform_same(const kf_platform_want *a, const kf_platform_want *b);

/* Is mt an image index's (OCI's, or Docker's manifest list)? */
bool kf_oci_is_index_type(const char *mt);
/* The entry of index for the platform, as containerd picks it: the same
 * os and architecture (x86_64 is amd64, aarch64 arm64), and the variant
 * when one is wanted (arm64 without one is arm64/v8, arm arm/v7); without
 * one, the default variant first, then any. NULL when none. */
const json_t *kf_oci_index_pick(const json_t *index, const kf_platform_want *want);

/* An image read from a layout. */
typedef struct kf_image {
	json_t *manifest;
	json_t *config;
	char digest[KF_DIGEST_LEN + 1]; /* of the manifest */
	uint64_t size;
} kf_image;

bool kf_image_load(const char *dir, const char *ref, kf_image *img, kf_err *err);
/* The same; when ref names an image index, the image of the platform plat
 * in it (with plat NULL, an index is an error as with kf_image_load). */
bool kf_image_load_for(const char *dir, const char *ref, const kf_platform_want *plat, kf_image *img, kf_err *err);
void kf_image_release(kf_image *img);

/* Every blob a manifest reaches: itself, config, layers (verify: as for
 * kf_oci_copy_blob; the manifest is checked with kf_oci_check_manifest);
 * for an index, every image it names and the index itself, last. */
bool kf_oci_copy_image(const char *from, const char *to, const json_t *manifest_desc, bool verify, kf_err *err);
/* Removes the blobs that nothing in the index reaches: what its entries
 * name, and what the manifests and indexes among them name (config,
 * layers, child manifests, subject), to any depth. Only names of 64 hex
 * digits are removed. Returns how many. */
size_t kf_oci_gc(const char *dir, const json_t *index);


#endif
