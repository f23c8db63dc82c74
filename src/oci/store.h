/* SPDX-License-Identifier: Apache-2.0 */
/* store.h - the local image store: an OCI layout under the user's data
 * directory ($KFC_STORE, else $XDG_DATA_HOME/kubefile/store, else
 * ~/.local/share/kubefile/store), with the build cache and the temporary
 * directories of builds in progress beside it.
 *
 * Locks (flock): builds hold store.lock shared for their whole run, and
 * `kfc rmi` holds it exclusive while it removes unreachable blobs, so it
 * never removes a blob a build is about to reference; index.lock is held
 * exclusive for each read-modify-write of index.json. Blobs need no lock:
 * the same digest is the same bytes, and they appear by rename.
 */
#ifndef KF_STORE_H
#define KF_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/files.h"
#include "oci/oci.h"

typedef struct kf_store {
	char *dir;      /* the OCI layout */
	int lock_fd;    /* store.lock, or -1 */
} kf_store;

/* Opens (creating) the store and takes the store lock, shared or
 * exclusive. */
bool kf_store_open(kf_store *s, bool exclusive, kf_err *err);
void kf_store_close(kf_store *s);

/* Takes index.lock, reads the index, lets fn change it, writes it back.
 * fn returns false to abandon the change. */
bool kf_store_update_index(kf_store *s, bool (*fn)(json_t *index, void *ctx), void *ctx, kf_err *err);

/* The descriptor (media type, digest, size) the store name names: an
 * image manifest, or an index (kfc pull --all-platforms); NULL with err. */
json_t *kf_store_lookup(const kf_store *s, const char *name, kf_err *err);

/* Points each of names (store names, kf_store_name) at the image desc
 * describes, in one change of the index. */
bool kf_store_tag(kf_store *s, const char *const *names, size_t n, const json_t *desc, kf_err *err);

/* The same for names as a user gives them (kf_store_name normalises each;
 * one that is no name is the error, and nothing is tagged). */
bool kf_store_tag_refs(kf_store *s, const char *const *refs, size_t n, const json_t *desc, kf_err *err);

/* The build cache: one JSON record per step key under cache/. A record
 * read is marked used (its file's time). */
json_t *kf_store_cache_get(const kf_store *s, const char *key);
bool kf_store_cache_put(const kf_store *s, const char *key, const json_t *rec, kf_err *err);
/* fn for each record, in key order, with when it was last used (seconds
 * since the epoch); fn returns false to stop. False with err when cache/
 * cannot be read (none is no record). */
typedef bool (*kf_store_cache_fn)(void *ud, const char *key, const json_t *rec, int64_t used);
bool kf_store_cache_each(const kf_store *s, kf_store_cache_fn fn, void *ud, kf_err *err);
/* Removes the record of key; false when there was none. */
bool kf_store_cache_remove(const kf_store *s, const char *key);

/* A new private directory for a build under tmp/, removed by the build;
 * directories of builds that died are removed by the next one. */
char *kf_store_mktemp(const kf_store *s, kf_err *err);
/* Removes such a directory and frees its name; NULL is harmless. */
void kf_store_rmtemp(char *tmp);

/* kfc fsck: every blob of the store hashed against its name, and every
 * tagged image's manifest, config and layers found, of their sizes. Each
 * problem is passed to report (a message without the program's name);
 * with repair, a blob whose content is not its digest is removed (the
 * store must be open exclusive). False only when the store cannot be
 * read. */
typedef struct kf_fsck {
	bool repair;
	void (*report)(void *ud, const char *msg);
	void *ud;
	size_t blobs, images;   /* sound ones */
	uint64_t bytes;
	size_t corrupt, missing, removed;
} kf_fsck;

bool kf_store_fsck(kf_store *s, kf_fsck *f, kf_err *err);

/* The name the store keeps an image under: the reference normalised
 * (nginx -> docker.io/library/nginx:latest, labring/x:v1 ->
 * docker.io/labring/x:v1; base/imageref.h), malloc'd; NULL with err when
 * ref is no image name (upper case in the repository, a bad tag or
 * digest). Every store name is one: kf_store_open renames the images of a
 * store written before names were normalised. */
char *kf_store_name(const char *ref, kf_err *err);

#endif
