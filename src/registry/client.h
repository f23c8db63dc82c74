/* SPDX-License-Identifier: Apache-2.0 */
/* client.h - the registry client: the OCI distribution spec (1.1) and the
 * Docker registry API v2, on libcurl, between a registry and an OCI layout
 * on disk (the store).
 *
 * A pull reads the manifest by tag or digest (OCI manifest and index,
 * Docker schema2 manifest and manifest list), picks the platform's manifest
 * from an index as containerd does, and streams each blob that the layout
 * does not hold yet into a temporary file beside its blobs, hashing it on
 * the way: a blob whose digest or size is not its descriptor's is removed
 * and is an error; nothing enters the layout that was not verified. The
 * manifest is stored with the bytes the registry sent, so its digest is
 * the registry's.
 *
 * Authentication: anonymous, Basic, and Bearer tokens from the registry's
 * WWW-Authenticate challenge (registry/auth.h), tokens kept per scope for
 * their lifetime. Credentials never follow a redirect to another host.
 * TLS: the system's CAs plus certs.d folders (HOST[:PORT]/ with .crt files, client
 * certificates .cert with .key); tls_verify false skips the certificate
 * check and falls back to plain HTTP, as podman's --tls-verify=false.
 */
#ifndef KF_REGISTRY_CLIENT_H
#define KF_REGISTRY_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"
#include "oci/oci.h"

typedef struct kf_registry_options {
	bool tls_verify;
	/* folders of HOST[:PORT]/ CA and client certificates, ':'-separated;
	 * NULL: $KFC_CERTS_D, else /etc/containers/certs.d:/etc/docker/certs.d */
	const char *certs_d;
	int stall_timeout;                  /* seconds without a byte before a transfer fails; 0: 60 */
	int jobs;                           /* blobs moved at once, each on its own connection; 0: 4 */
	bool all_platforms;                 /* pull: every image of an index (the result names the index) */
	/* where blobs are written while they arrive (the layout's file
	 * system; a folder that the next run removes if this one is killed);
	 * NULL: beside the layout's blobs */
	const char *tmpdir;
	volatile sig_atomic_t *interrupted; /* polled during transfers; set: stop */
	/* a blob's progress, from any of the workers (several at once): done
	 * of total bytes while it moves, then once with finished when it is
	 * whole and verified (fetched) or accepted (uploaded) */
	void (*progress)(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished);
	/* kf_registry_fetch_all: item i of the batch is whole in the store
	 * (under a lock: one call at a time) */
	void (*image_done)(void *ud, size_t i);
	void *ud;
	/* push: the repository of the registry pushed to that holds a blob
	 * (mounted from there instead of uploaded), or NULL; NULL: none */
	const char *(*mount_source)(void *ud, const char *digest);
	void *mount_ud;
	/* push: blobs larger than this go in chunks of it (PATCH); 0:
	 * KF_UPLOAD_CHUNK */
	uint64_t chunk_size;
	/* mirrors and per-host settings (registry/mirrors.h); NULL: none */
	const struct kf_registries *registries;
} kf_registry_options;

/* The platform wanted from an index: kf_platform_want (oci/oci.h). */

/* What a pull did. */
typedef struct kf_pull_result {
	char digest[72];        /* the manifest of the platform's image */
	char index_digest[72];  /* the index it came from, "" when none */
	uint64_t size;          /* of the manifest */
	char media_type[96];    /* of the manifest */
	unsigned fetched, present; /* blobs fetched, blobs the layout had */
	uint64_t bytes;         /* fetched */
} kf_pull_result;

/* Pulls ref, a normalised name (base/imageref.h: "docker.io/library/x:1",
 * "127.0.0.1:5000/a/b@sha256:..."), into the OCI layout dir, for the
 * platform plat. Does not tag it: the caller points a name at
 * r->digest. */
bool kf_registry_pull(const char *dir, const char *ref, const kf_platform_want *plat,
		      const kf_registry_options *o, kf_pull_result *r, kf_err *err);

/* Many images at once (a ClusterImage's container images): first every
 * manifest is resolved, as kf_registry_pull resolves one (mirrors first;
 * o->jobs at once), a tag costing one HEAD request when the store dir
 * already holds what the registry names for it, a digest the store holds
 * none; then the blobs the store lacks, each once however many images
 * share it, o->jobs at once, and each manifest after its blobs. */
typedef struct kf_pull_item {
	const char *name;   /* in: a normalised name */
	bool ok;            /* out: resolved, then stored */
	kf_err err;         /* out: why not */
	kf_pull_result res; /* out */
} kf_pull_item;

typedef struct kf_pull_batch kf_pull_batch;

/* Resolves each item (items failing get ok false and their error; the
 * others go on). Nothing but indexes enters the store yet. */
kf_pull_batch *kf_registry_resolve_all(const char *dir, kf_pull_item *items, size_t n, const kf_platform_want *plat,
				       const kf_registry_options *o);
/* The platform manifest of resolved item i, or NULL. */
const json_t *kf_registry_batch_manifest(const kf_pull_batch *b, size_t i);
/* Fetches the blobs of the resolved items, and stores each item's
 * manifest as soon as its last blob is in (then o->image_done); false
 * with the first failure (its item's ok false, its err set). */
bool kf_registry_fetch_all(kf_pull_batch *b, kf_err *err);
void kf_registry_batch_free(kf_pull_batch *b);

/* An image read from a registry without pulling it: its manifest (the
 * platform's, from an index) and its config, both checked against their
 * digests. */
typedef struct kf_remote_image {
	json_t *manifest, *config;
	char digest[72];       /* of the manifest */
	char index_digest[72]; /* of the index it came from, "" when none */
	uint64_t size;
} kf_remote_image;

bool kf_registry_inspect(const char *name, const kf_platform_want *plat, const kf_registry_options *o,
			 kf_remote_image *img, kf_err *err);

/* The manifest or the index name (a normalised name) names in its
 * registry (or a mirror), with the bytes the registry sent (malloc'd into
 * *body, *len of them; checked against the digest when name has one):
 * kfc manifest inspect docker://. */
bool kf_registry_manifest(const char *name, const kf_registry_options *o, char **body, size_t *len, kf_err *err);

/* Fetches the blobs descs describe (n of them) from the repository of
 * name (a normalised name; its tag or digest is not used) into the OCI
 * layout dir, each verified as a pull verifies it; the ones dir holds are
 * not fetched. False with the first failure. */
bool kf_registry_fetch_blobs(const char *dir, const char *name, const json_t *const *descs, size_t n,
			     const kf_registry_options *o, kf_err *err);

/* What a push did. */
#define KF_UPLOAD_CHUNK (64ull << 20)

typedef struct kf_push_result {
	unsigned pushed, present; /* blobs uploaded, blobs the registry had */
	unsigned mounted;         /* blobs mounted from another repository */
	uint64_t bytes;           /* uploaded */
} kf_push_result;

/* Pushes the image whose manifest is the blob digest of the OCI layout dir
 * to name (a normalised name; its tag names the manifest there, else its
 * digest): each blob the registry lacks (HEAD) is uploaded (POST, then
 * one PUT, or PATCHes for a large one), or mounted from mount_source's
 * repository, and the manifest is put last, with its bytes unchanged, so
 * its digest there is the same. When digest is an index, each of its
 * images is pushed (by digest), then the index under the tag. */
bool kf_registry_push(const char *dir, const char *digest, const char *name, const kf_registry_options *o,
		      kf_push_result *r, kf_err *err);

/* kfc login: checks user and password against registry (host[:port]):
 * GET /v2/ with what its challenge asks (Basic, or a Bearer token got
 * with them, with no scope). True when the registry let them in. */
bool kf_registry_login(const char *registry, const char *user, const char *password, const kf_registry_options *o,
		       kf_err *err);

#endif
