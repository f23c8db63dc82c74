/* SPDX-License-Identifier: Apache-2.0 */
/* build.h - `kfc build`: a Kubefile and its context to an OCI ClusterImage.
 *
 * Given a parsed Kubefile and its semantic model (the front end has
 * checked it: the linter's errors stop a build before it starts), the
 * builder resolves the base image, lowers to a plan (plan.h), and executes it step
 * by step: files steps and RUN produce layers (layer.h), every step a
 * history entry; each step is keyed by its parent, its plan entry and the
 * content of its inputs, and an unchanged step reuses its cached layer.
 * The image is written into the local store (store.h) and to the outputs
 * asked for; nothing is visible until it is complete. docs/build.md.
 */
#ifndef KF_BUILD_H
#define KF_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "oci/digest.h"
#include "oci/layer.h"
#include "sema/model.h"

typedef enum kf_isolation { KF_ISOLATION_AUTO, KF_ISOLATION_BWRAP, KF_ISOLATION_NONE } kf_isolation;

/* FROM an image that is not in the store: pull it (the default), pull it
 * even when it is, or never. */
typedef enum kf_pull_policy { KF_PULL_MISSING, KF_PULL_ALWAYS, KF_PULL_NEVER } kf_pull_policy;

/* sealer's --build-mode: all caches the container images in registry/
 * (the default), lite does not (and neither does sealos's way) */
typedef enum kf_build_mode { KF_BUILD_MODE_ALL, KF_BUILD_MODE_LITE } kf_build_mode;

typedef struct kf_build_options {
	const char *context;            /* the build context: absolute, resolved */
	const char *const *tags;        /* name[:tag] into the store */
	size_t ntags;
	const char *const *outputs;     /* oci:DIR[:tag], oci-archive:FILE[:tag] */
	size_t noutputs;
	/* outputs written by a caller after this build (kf_build_platforms'),
	 * left out of the context as the outputs are */
	const char *const *later_outputs;
	size_t nlater_outputs;
	const char *const *build_args;  /* K=V */
	size_t nbuild_args;
	const char *platform;           /* NULL: the host's */
	const char *image_type;         /* kube-installer (default) or app-installer */
	kf_compression compression;
	int level;
	int threads;
	bool no_cache;
	kf_isolation isolation;
	bool plan_only;                 /* only the plan (kfc plan), in the result */
	/* container images: lists to add, lists of images to leave out */
	const char *const *image_lists;
	size_t nimage_lists;
	const char *const *ignored_image_lists;
	size_t nignored_image_lists;
	/* the cluster descriptor labels (docs/language.md); NULL: as the Kubefile has them */
	const char *cluster_runtime, *cluster_runtime_version, *cri, *cri_version;
	/* downloads (ADD and APP of a URL): the largest accepted, and how long
	 * one may receive less than KF_STALL_SPEED bytes a second; 0: the
	 * defaults below */
	uint64_t max_download;
	int stall_timeout;
	/* FROM's registry: the pull policy, and no certificate check (plain
	 * HTTP allowed) when tls_verify_off */
	kf_pull_policy pull;
	bool tls_verify_off;
	const struct kf_registries *registries; /* mirrors, per-host settings; NULL: none */
	/* the container image cache (docs/build.md): the mode, sealos's
	 * --save-image=false (the context's images not saved into a COPY's
	 * registry), images to add (--image-list-with-auth's, normalised),
	 * how many blobs move at once (0: 4) */
	kf_build_mode build_mode;
	bool no_save_image;
	/* buildah's --label, --annotation and --env: K=V each, over what the
	 * Kubefile and its base give (labels and env in the config,
	 * annotations in the manifest, under kfc's own) */
	const char *const *labels;
	size_t nlabels;
	const char *const *annotations;
	size_t nannotations;
	const char *const *envs;
	size_t nenvs;
	const char *const *extra_images;
	size_t nextra_images;
	int jobs;
	/* the shared cache (docs/build.md, "Sharing the cache"): caches to
	 * import (registry:REF, oci:DIR), one to export
	 * (registry:REF[,mode=min|max], oci:DIR[,mode=…]), NULL: none; the
	 * caller checks them with kf_cache_spec_parse (build/rcache.h) */
	const char *const *cache_from;
	size_t ncache_from;
	const char *cache_to;
	/* kf_build_platforms': the caches the platforms share (NULL: kf_build
	 * opens its own) */
	struct kf_rcache *rcache;
	/* set (by a signal handler of the front end) to stop the build: a
	 * running command, download or layer ends within a second, and the
	 * build returns 130 having written nothing; NULL: never */
	volatile sig_atomic_t *interrupted;
} kf_build_options;

#define KF_MAX_DOWNLOAD_DEFAULT (8ull << 30) /* 8 GiB */
#define KF_STALL_TIMEOUT_DEFAULT 60          /* seconds */
#define KF_STALL_SPEED 1000                  /* bytes a second */
#define KF_CONNECT_TIMEOUT 30                /* seconds */

/* What the builder tells the front end while it works. The library prints
 * nothing: every line a user sees comes from these callbacks (any may be
 * NULL). */
typedef enum kf_build_step_state {
	KF_BUILD_STEP_STARTED,   /* a files or RUN step begins */
	KF_BUILD_STEP_DONE,      /* it made a layer: size, tar_size, entries */
	KF_BUILD_STEP_UNCHANGED, /* it ran and changed no file */
	KF_BUILD_STEP_CACHED,    /* its result came from the cache: size (0: no layer) */
	KF_BUILD_STEP_NOTED,     /* a step that changes no file: history only */
} kf_build_step_state;

typedef struct kf_build_step_event {
	size_t index, count;
	const char *created_by;
	kf_build_step_state state;
	uint64_t size, tar_size, entries;
	double secs;
} kf_build_step_event;

/* A running step's counters as they grow (at most twenty times a second):
 * the entries begun in its layer and the bytes of its tar so far (read
 * and hashed: for a files step, what it has copied), the bytes of the
 * compressed blob, and what a download (ADD or APP of a URL) has received
 * of its total (0: the server did not say). */
typedef struct kf_build_progress_event {
	size_t index, count;
	uint64_t entries, bytes, blob;
	uint64_t fetched, fetch_total;
} kf_build_progress_event;

/* A container image of the cache, fetched into the store: its manifest,
 * blobs fetched and already there, bytes fetched. */
typedef struct kf_build_image_event {
	const char *name, *digest;
	unsigned fetched, present;
	uint64_t bytes;
} kf_build_image_event;

typedef struct kf_build_report {
	void *ud;
	void (*step)(void *ud, const kf_build_step_event *e);
	/* a problem that belongs to no file: an error that stops the build, or
	 * a warning (the cache not written, no sandbox…), with its code */
	void (*message)(void *ud, kf_severity severity, const char *code, const char *msg);
	/* the diagnostics of files other than the Kubefile (image lists,
	 * manifests, charts read by container image discovery), rendered:
	 * a cached discovery replays them as text */
	void (*files)(void *ud, const char *rendered);
	/* a blob of the FROM image being pulled: bytes done of total, then
	 * finished (from several threads at once) */
	void (*blob)(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished);
	/* a container image of the cache is in the store */
	void (*image)(void *ud, const kf_build_image_event *e);
	/* kf_build_platforms: the build of platform (the index-th of count,
	 * from 0) begins; its steps and messages follow */
	void (*platform)(void *ud, const char *platform, size_t index, size_t count);
	/* the running step's counters */
	void (*progress)(void *ud, const kf_build_progress_event *e);
	/* what a RUN command writes on its standard output and error, one
	 * stream, as it comes (pieces need not end lines); NULL: the command
	 * writes on the caller's standard error itself */
	void (*output)(void *ud, const char *data, size_t len);
} kf_build_report;

typedef struct kf_build_result {
	char digest[KF_DIGEST_LEN + 1]; /* the image's manifest digest */
	char config_digest[KF_DIGEST_LEN + 1]; /* its config's ("" for an index) */
	double secs;                    /* the steps, the image and its outputs */
	json_t *plan;                   /* plan_only: the plan, for the caller to print and json_decref */
} kf_build_result;

/* Runs a build (or makes its plan) of doc, whose model is model; located
 * problems go into diags (the document's), the rest through report.
 * Returns an exit status: 0, 1 for a problem in the Kubefile or the build,
 * 2 for a usage error, 130 when interrupted (o->interrupted). */
int kf_build(const kf_build_options *o, const kf_document *doc, const kf_model *model, kf_diag_bag *diags,
	     const kf_build_report *report, kf_build_result *result);

/* kfc build --platform A,B…: kf_build once for each of the n platforms
 * (o->platform each in turn, no tags, no outputs; report->platform says
 * which begins), stopping at the first that fails; then an OCI image index
 * of the images (each descriptor with its platform) into the store, the
 * tags pointed at it and the outputs written with it; result->digest is
 * the index's. A platform that is not OS/ARCH[/VARIANT], or one given
 * twice, is a usage error (2, KF614); so is a plan of several. With n 0
 * or 1 it is kf_build itself (n 1: with that platform). Returns as
 * kf_build. */
int kf_build_platforms(const kf_build_options *o, const char *const *platforms, size_t n, const kf_document *doc,
		       const kf_model *model, kf_diag_bag *diags, const kf_build_report *report,
		       kf_build_result *result);

#endif
