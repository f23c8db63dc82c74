/* SPDX-License-Identifier: Apache-2.0 */
/* rcache.h - the build cache shared through an OCI registry or a folder:
 * kfc build --cache-to and --cache-from (docs/build.md, "Sharing the
 * cache").
 *
 * A cache is an OCI image manifest of its own artifactType
 * (KF_MT_CACHE): its config, of the same media type, maps step keys to
 * what the steps produced ({"layer": descriptor or null, "diff_id"}),
 * links the first key of a files step whose inputs are the same on every
 * machine to its content key, and holds what was learnt from the layers
 * alone ("facts", by kf_builder_layers_key); its layers are the step
 * layers, the same blobs as the image's. Importing reads the
 * manifest and the config only; a layer is fetched when a step finds its
 * key. Nothing here is fatal: a cache that cannot be read, is not a
 * cache, or lacks a blob is a warning (KF621), and the step runs.
 */
#ifndef KF_RCACHE_H
#define KF_RCACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

struct kf_build_options;
struct kf_build_report;

#define KF_MT_CACHE "application/vnd.kubefile.cache.v1+json"

/* A --cache-to or --cache-from value: registry:REF or oci:DIR, then
 * ",mode=min|max" (--cache-to only; min by default). */
typedef struct kf_cache_spec {
	bool registry;
	char *where; /* a normalised image name, or the folder */
	bool max;
} kf_cache_spec;

bool kf_cache_spec_parse(const char *arg, bool to, kf_cache_spec *out, kf_err *err);
void kf_cache_spec_release(kf_cache_spec *s);

/* A cache's config: checked (version 1; every key and digest a sha256
 * digest; every layer a descriptor that layers, the manifest's layers,
 * holds when layers is not NULL; every fact an object); *records, *links
 * and *facts get new references. kf_cache_config_parse is the same over
 * bytes. */
bool kf_cache_config_check(const json_t *cfg, const json_t *layers, json_t **records, json_t **links,
			   json_t **facts, kf_err *err);
bool kf_cache_config_parse(const char *data, size_t len, json_t **records, json_t **links, json_t **facts,
			   kf_err *err);

typedef struct kf_rcache kf_rcache;

/* The caches o names (none: NULL). Nothing is read yet. */
kf_rcache *kf_rcache_new(const struct kf_build_options *o);
void kf_rcache_free(kf_rcache *c);
/* Reads the --cache-from caches (once; store: the local store, which
 * their configs go through), warning through report about each one that
 * cannot be used. */
void kf_rcache_load(kf_rcache *c, const char *store, const struct kf_build_report *report);
/* Is there a --cache-to to write? */
bool kf_rcache_exports(const kf_rcache *c);
/* Has an imported cache been read? */
bool kf_rcache_usable(const kf_rcache *c);
/* The imported record of key, or NULL; *from: which cache has it. */
const json_t *kf_rcache_find(const kf_rcache *c, const char *key, size_t *from);
/* The content key an imported cache links first to, or NULL. */
const char *kf_rcache_find_link(const kf_rcache *c, const char *first);
/* What an imported cache knows under key that depends on the layers
 * alone (container image discovery, the scan of registry/), or NULL */
const json_t *kf_rcache_find_fact(const kf_rcache *c, const char *key);
void kf_rcache_note_fact(kf_rcache *c, const char *key, const json_t *fact);
/* Copies the layer desc of cache from into the store; false with err. */
bool kf_rcache_fetch(kf_rcache *c, size_t from, const char *store, const json_t *desc, kf_err *err);
/* What this build made, for --cache-to: a step's record under its key
 * (mode=min keeps those with a layer only), and a link. */
void kf_rcache_note(kf_rcache *c, const char *key, const json_t *rec);
void kf_rcache_note_link(kf_rcache *c, const char *first, const char *key);
/* Writes the --cache-to cache, if any (its blobs from the store); the
 * repositories of mount_from (names on the same registry) are asked to
 * mount the layers. False with err. */
bool kf_rcache_export(kf_rcache *c, const char *store, const char *const *mount_from, size_t nmount, kf_err *err);
/* A description of the --cache-to destination, for messages */
const char *kf_rcache_export_name(const kf_rcache *c);

#endif
