/* SPDX-License-Identifier: Apache-2.0 */
/* imagelist.h - container image discovery (docs/language.md, docs/imagelist.md).
 *
 * Finds the container images a ClusterImage's cluster will pull, in
 * Kubernetes manifests (the "image" of every item of a containers,
 * initContainers or ephemeralContainers list, at any depth, in every YAML
 * document), Helm charts (directories and packaged .tgz, rendered as helm
 * renders them, chart.h), image-list files (one reference a line) and the IMAGES
 * instructions of Kubefiles. Each image is validated, normalised
 * (imageref.h) and kept once, at the first place it was found.
 *
 * Problems (malformed YAML, binary or huge files, bad references, chart
 * templates that fail as helm would refuse them, images of lists and IMAGES
 * without a tag or with :latest) are warnings, located in the file they
 * concern; they never stop discovery elsewhere.
 *
 * Usage:
 *     kf_imagelist l;
 *     kf_imagelist_init(&l);
 *     kf_imagelist_scan_rootfs(&l, "/tmp/rootfs");
 *     for (size_t i = 0; i < l.len; i++) use(l.items[i].image, l.items[i].app);
 *     for (size_t i = 0; i < l.nfiles; i++) render(&l.files[i]->src, &l.files[i]->diags);
 *     kf_imagelist_release(&l);
 */
#ifndef KF_IMAGELIST_H
#define KF_IMAGELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/diag.h"
#include "syntax/source.h"
#include "tmpl/value.h"

/* Files larger than this are not read (a warning says so). */
#define KF_IMAGELIST_MAX_FILE ((size_t)16 << 20)

/* One image. Every string lives in the list's arena. */
typedef struct kf_image_entry {
	const char *image; /* normalised: docker.io/library/nginx:latest */
	const char *raw;   /* as found (a chart's: as resolved from its values) */
	const char *file;  /* where it was first found, as displayed (see below) */
	uint32_t line;     /* 1-based */
	uint32_t col;      /* 1-based, in code points */
	const char *app;   /* the app folder it was found under, or NULL */
} kf_image_entry;

/* The warnings of one file. src holds the file's text (empty when the file
 * was not read: too large, or unreadable), so that the diagnostics render
 * with kf_diag_render_text or kf_diag_to_json as any other. */
typedef struct kf_imagelist_file {
	kf_source src;
	kf_diag_bag diags;
} kf_imagelist_file;

typedef struct kf_imagelist {
	kf_arena arena;
	kf_image_entry *items; /* in the order found; malloc'd */
	size_t len, cap;
	kf_imagelist_file **files; /* the files with warnings, in the order found */
	size_t nfiles, capfiles;
	size_t nwarnings;
	/* set by the caller: no KF310 for images without a tag or with
	 * :latest (for a list of images to leave out, say) */
	bool allow_unpinned;
	/* set by the caller: what a build context's ignore file leaves out
	 * (base/ignore.h) of the paths under ignore_root is not scanned */
	const struct kf_ignore *ignore;
	const char *ignore_root;
	/* set by the caller: the values every chart is rendered with (helm's
	 * -f and --set merged, chart.h), a map in the list's arena, or nil */
	kf_tv values;
	/* set by the caller: sealos's conventions: a chart's
	 * <name>.values.yaml beside it is merged under values */
	bool sealos;
	/* private */
	const char **set; /* open-addressing hash set of the normalised images */
	size_t setcap;
} kf_imagelist;

void kf_imagelist_init(kf_imagelist *l);
/* Frees the entries, the warnings and their sources. */
void kf_imagelist_release(kf_imagelist *l);

/* Scans each path: a directory is walked in sorted order (hidden entries
 * skipped); a directory holding Chart.yaml and templates/ is a Helm chart,
 * a *.tgz holding <dir>/Chart.yaml a packaged one; files named like a
 * Kubefile are Kubefiles, files named imageList are image lists, *.yaml,
 * *.yml and *.json files are manifests; other files in a directory are
 * skipped. A file named on its own that is none of these is read as a
 * manifest. Paths are displayed as given. Entries get no app. */
void kf_imagelist_scan_paths(kf_imagelist *l, const char *const *paths, size_t n);

/* Reads path as an image list (one reference a line; blank lines and lines
 * starting with # skipped), whatever its name. app may be NULL. */
void kf_imagelist_scan_list(kf_imagelist *l, const char *path, const char *app);

/* Reads text[0, len) as a manifest file named display, as
 * kf_imagelist_scan_paths reads a *.yaml file (for tests and fuzzing). */
void kf_imagelist_scan_manifest_text(kf_imagelist *l, const char *display, const char *text, size_t len);

/* Scans a staged ClusterImage root file system by the conventions of spec
 * docs/language.md: manifests/ (YAML, and manifests/imageList), charts/ (charts), and
 * application/apps/<name>/ (everything an app holds, with app = <name>).
 * Files are displayed relative to rootfs ("manifests/app.yaml"); a rootfs
 * without some of these folders is fine. */
void kf_imagelist_scan_rootfs(kf_imagelist *l, const char *rootfs);

/* sealos build's scan of a build context (the sealos dialect): charts/
 * (each chart with its charts/<name>.values.yaml), manifests/, the image
 * lists of images/shim/, then what .sealignore names (as written or
 * normalised) is left out. The caller's ignore file applies as for
 * kf_imagelist_scan_paths. Files are displayed under ctx. */
void kf_imagelist_scan_context(kf_imagelist *l, const char *ctx);

/* Renders the chart (folder or .tgz) at path with l's values as `helm
 * template dryrun PATH --namespace default` prints it, appending to out;
 * warnings go to l. False when path is no chart. */
bool kf_imagelist_render_chart(kf_imagelist *l, const char *path, kf_buf *out);

#endif
