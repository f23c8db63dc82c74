/* SPDX-License-Identifier: Apache-2.0 */
/* distfs.h - a ClusterImage's container image cache: docker
 * distribution's filesystem storage, the folder `registry/` of the rootfs
 * that `sealer run` and `sealos run` serve with a stock registry
 * (docs/build.md, "Container image cache"):
 *
 *   docker/registry/v2/blobs/sha256/<2 hex>/<hex>/data
 *   docker/registry/v2/repositories/<repo>/_layers/sha256/<hex>/link
 *   docker/registry/v2/repositories/<repo>/_manifests/revisions/sha256/<hex>/link
 *   docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/current/link
 *   docker/registry/v2/repositories/<repo>/_manifests/tags/<tag>/index/sha256/<hex>/link
 *
 * a link holding "sha256:<hex>", the repository named without its
 * registry host (library/nginx, calico/node), as sealer's image saver and
 * sealos's registry save write it. An image named by an index keeps the
 * index (its tag names it, so a served digest is the source registry's)
 * and the manifest of the build's platform with its blobs.
 */
#ifndef KF_DISTFS_H
#define KF_DISTFS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"
#include "oci/layer.h"

#define KF_DISTFS_ROOT "docker/registry/v2"

/* One image of the cache. */
typedef struct kf_distfs_image {
	const char *name;     /* normalised: docker.io/library/nginx:1.25, or …@sha256:… */
	const char *index;    /* the index its name names, or NULL */
	const char *manifest; /* the platform's image manifest */
} kf_distfs_image;

/* The repository (no registry host) and tag or digest of a normalised
 * name, malloc'd; false when it is no name. */
bool kf_distfs_repo(const char *name, char **repo, char **reference);

/* Adds the cache of the images (their manifests and blobs read from the
 * OCI layout store) to l under prefix (such as "registry"): every link,
 * every blob once, files 0644 with the layer's time. False with err when a
 * manifest or blob is missing from the store. */
bool kf_distfs_add(kf_layer *l, const char *prefix, const char *store, const kf_distfs_image *imgs, size_t n,
		   kf_err *err);

/* What the cache in a layer stack holds (bottom layer first; whiteouts
 * honoured): {"<repo>:<tag>": "sha256:…" (what the tag names),
 * "<repo>@sha256:…": true (each revision)}; prefix as for kf_distfs_add.
 * NULL with err when a layer cannot be read. */
json_t *kf_distfs_scan(const char *const *layers, size_t n, const char *prefix, kf_err *err);

/* Is the normalised name in what kf_distfs_scan found? A tag must name
 * a revision there; a digest must be one. */
bool kf_distfs_has(const json_t *scan, const char *name);

/* Each tag of the cache in a layer stack, sorted: [{"repository",
 * "tag", "digest" (what the tag names), "images": [{"manifest", "size"
 * (its config and layers), "platform"? (from its index)}]}], an index
 * listing only the images the cache holds; *scan (when not NULL) gets
 * what kf_distfs_scan finds. NULL with err when a layer cannot be read. */
json_t *kf_distfs_list(const char *const *layers, size_t n, const char *prefix, json_t **scan, kf_err *err);

#endif
