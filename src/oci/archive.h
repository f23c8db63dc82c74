/* SPDX-License-Identifier: Apache-2.0 */
/* archive.h - OCI layouts as one tar file (oci-archive, as skopeo and
 * podman write and read them): kfc build -o oci-archive:, kfc save and
 * kfc load.
 */
#ifndef KF_ARCHIVE_H
#define KF_ARCHIVE_H

#include <jansson.h>
#include <stdbool.h>

#include "base/err.h"
#include "oci/layer.h"

/* Writes the layout dir as an uncompressed tar at path (through a
 * temporary file in tmpdir, renamed over path: never half written); lo
 * gives the entries' times and the interrupt flag. */
bool kf_oci_archive_write(const char *dir, const char *tmpdir, const char *path, const kf_layer_options *lo,
			  kf_err *err);

/* Extracts the archive at path (an oci-archive, or a docker archive) into
 * the new folder dir: regular files and folders only, every name relative
 * and without "." or ".." (any other entry, a link, a device, is an error
 * naming it), each file written once (O_EXCL, O_NOFOLLOW). Nothing is
 * trusted: the caller copies the images into the store with
 * kf_oci_copy_image(..., verify = true). */
bool kf_oci_archive_extract(const char *path, const char *dir, kf_err *err);

/* Makes the docker archive extracted in dir (manifest.json: Config,
 * RepoTags, Layers, as docker save writes it) an OCI layout in place: its
 * files become blobs (hard links) under their digests, each image gets an
 * OCI manifest (uncompressed tar layers), tagged with each of its
 * RepoTags ("latest" when it has none). */
bool kf_docker_archive_to_layout(const char *dir, kf_err *err);

/* Writes the image desc of the layout store into out: oci:DIR[:TAG] (a
 * new, empty or existing layout; the image replaces the tag's) or
 * oci-archive:FILE[:TAG] (made in tmpdir); TAG defaults to default_tag.
 * Messages start with out. For kfc build -o and kfc push. */
bool kf_oci_export(const char *store, const json_t *desc, const char *out, const char *default_tag, const char *tmpdir,
		   const kf_layer_options *lo, kf_err *err);

#endif
