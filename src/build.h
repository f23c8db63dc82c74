/* build.h - `kfc build`: a Kubefile and its context to an OCI ClusterImage.
 *
 * Parses and checks the Kubefile (the linter's errors stop the build),
 * resolves the base image, lowers to a plan (plan.h), and executes it step
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

#include "layer.h"

typedef enum kf_isolation { KF_ISOLATION_AUTO, KF_ISOLATION_BWRAP, KF_ISOLATION_NONE } kf_isolation;
typedef enum kf_progress { KF_PROGRESS_AUTO, KF_PROGRESS_TTY, KF_PROGRESS_PLAIN, KF_PROGRESS_QUIET } kf_progress;

typedef struct kf_build_options {
	const char *kubefile;           /* NULL: CONTEXT/Kubefile */
	const char *context;            /* "." by default */
	const char *const *tags;        /* name[:tag] into the store */
	size_t ntags;
	const char *const *outputs;     /* oci:DIR[:tag], oci-archive:FILE[:tag] */
	size_t noutputs;
	const char *const *build_args;  /* K=V */
	size_t nbuild_args;
	const char *platform;           /* NULL: the host's */
	const char *image_type;         /* kube-installer (default) or app-installer */
	kf_compression compression;
	int level;
	int threads;
	bool no_cache;
	kf_isolation isolation;
	kf_progress progress;
	bool plan_only;                 /* print the plan (kfc plan) instead of building */
	FILE *plan_out;
	/* the Kubefile text, when it does not come from a file (NULL: read kubefile) */
	const char *kubefile_text;
	/* container images: lists to add, lists of images to leave out */
	const char *const *image_lists;
	size_t nimage_lists;
	const char *const *ignored_image_lists;
	size_t nignored_image_lists;
	/* the cluster descriptor labels (spec §4); NULL: as the Kubefile has them */
	const char *cluster_runtime, *cluster_runtime_version, *cri, *cri_version;
	/* downloads (ADD and APP of a URL): the largest accepted, and how long
	 * one may receive less than KF_STALL_SPEED bytes a second; 0: the
	 * defaults below */
	uint64_t max_download;
	int stall_timeout;
	/* set (by a signal handler of the front end) to stop the build: a
	 * running command, download or layer ends within a second, and the
	 * build returns 130 having written nothing; NULL: never */
	volatile sig_atomic_t *interrupted;
} kf_build_options;

#define KF_MAX_DOWNLOAD_DEFAULT (8ull << 30) /* 8 GiB */
#define KF_STALL_TIMEOUT_DEFAULT 60          /* seconds */
#define KF_STALL_SPEED 1000                  /* bytes a second */
#define KF_CONNECT_TIMEOUT 30                /* seconds */

/* Runs a build (or prints its plan); returns an exit status: 0, 1 for a
 * problem in the Kubefile or the build, 2 for a usage error, 130 when
 * interrupted. Diagnostics and progress go to stderr, the image's
 * manifest digest to stdout. */
int kf_build(const kf_build_options *o);

#endif
