/* SPDX-License-Identifier: Apache-2.0 */
/* chart.h - helm's chart model for image discovery (docs/imagelist.md):
 * charts loaded as helm's loader loads them (chart.c), values coalesced and
 * dependencies processed as chartutil does (values.c), the user's values
 * as helm's --set and -f make them (strvals.c), templates rendered as
 * helm's engine renders them (render.c, with the template engine of
 * src/tmpl/), and printed as helm template prints them (manifests.c).
 *
 * Everything of one chart tree (files, values, metadata) lives in the
 * tree's arena; the tree is freed at once with kf_chart_tree_free.
 *
 * Problems are reported through a callback (kf_chart_report), located in
 * the file they concern with that file's text, so that the caller can turn
 * them into diagnostics; nothing here prints.
 *
 * Usage:
 *     kf_chart_tree *t = kf_chart_load_dir("mychart", "mychart", &rep);
 *     kf_chart_apply_values(t, user_values);     (ProcessDependencies)
 *     kf_chart_render(t, user_values, &rep, on_template, ud);
 *     kf_chart_tree_free(t);
 */
#ifndef KF_CHART_H
#define KF_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "tmpl/value.h"

/* The files of a chart larger than this are not read. */
#define KF_CHART_MAX_FILE ((size_t)16 << 20)
/* All the files of a chart tree together. */
#define KF_CHART_MAX_TOTAL ((size_t)128 << 20)
/* The limits of one template's execution (kf_tmpl_limits): its output,
 * and the values it makes. */
#define KF_CHART_MAX_OUTPUT ((size_t)16 << 20)
#define KF_CHART_MAX_VALUES ((size_t)64 << 20)
/* Subcharts nested deeper than this are not loaded. */
#define KF_CHART_MAX_DEPTH 8

/* A problem, located in a file: display is the file as shown
 * ("mychart/templates/a.yaml", "x.tgz!/mychart/values.yaml"), text its
 * content (NULL when the problem concerns no text: shown at 1:1), line and
 * col 1-based (0: the start). code: "KF3xx". */
typedef struct kf_chart_report {
	void (*report)(void *ud, const char *display, const char *text, size_t len, uint32_t line, uint32_t col,
		       const char *code, const char *msg);
	void *ud;
} kf_chart_report;

/* One file of a chart: name relative to the chart's root
 * ("templates/a.yaml"), as helm's chart.File. */
typedef struct kf_chart_file {
	const char *name;
	const char *data;
	size_t len;
	const char *display; /* for problems */
} kf_chart_file;

/* A dependency of Chart.yaml (or requirements.yaml), helm's
 * chart.Dependency. */
typedef struct kf_chart_dep {
	const char *name, *version, *repository, *condition, *alias;
	kf_tv tags;          /* list of strings, or nil */
	kf_tv import_values; /* list, or nil */
	bool enabled;
} kf_chart_dep;

typedef struct kf_chart kf_chart;

/* A chart: helm's chart.Chart. A chart given an alias is a copy of the
 * loaded one (meta_name changed) sharing its files and values. */
struct kf_chart {
	kf_tv meta;            /* Chart.yaml as decoded (a map), for .Chart */
	const char *name;      /* Metadata.Name (the alias once given one) */
	const char *version, *api_version, *type, *kube_version;
	kf_chart_dep **reqs;   /* Metadata.Dependencies */
	size_t nreqs;
	kf_tv values;          /* values.yaml (a map); coalescing changes it as helm does */
	kf_chart **deps;       /* Dependencies(): the loaded subcharts */
	size_t ndeps;
	kf_chart *parent;
	kf_chart_file *templates; /* templates/..., sorted by name */
	size_t ntemplates;
	kf_chart_file *files;     /* the other files, as .Files has them */
	size_t nfiles;
	const char *display;      /* the chart's folder as shown: "mychart" or "x.tgz!/mychart" */
	const char *chart_yaml_display;
	const char *chart_yaml_text;
	size_t chart_yaml_len;
};

typedef struct kf_chart_tree {
	kf_arena arena;
	kf_chart *root;
	size_t total; /* bytes of files read */
} kf_chart_tree;

/* ---- chart.c: loading -------------------------------------------------------------- */

/* Loads the chart folder path (shown as display), its subcharts in charts/
 * (folders and .tgz), with helm's .helmignore rules. NULL (with a report)
 * when it is no chart helm would load. */
kf_chart_tree *kf_chart_load_dir(const char *path, const char *display, const kf_chart_report *rep);
/* Loads a packaged chart: a gzip'd tar holding <dir>/Chart.yaml, from the
 * file path or from data[0, len) when data is not NULL. quiet: an archive
 * that is no chart is NULL without a report. */
kf_chart_tree *kf_chart_load_tgz(const char *path, const char *data, size_t len, const char *display,
				 const kf_chart_report *rep, bool quiet);
void kf_chart_tree_free(kf_chart_tree *t);
/* Is the folder a chart (Chart.yaml and templates/)? */
bool kf_chart_is_dir(const char *dir);

/* ---- values.c and strvals.c: values and dependencies ------------------------------------------------ */

/* helm's chartutil.CoalesceValues: vals (the user's, copied) over the
 * chart's values and its subcharts' (under their names), globals copied
 * down. Changes the charts' values as helm's does. */
kf_tv kf_chart_coalesce(kf_arena *a, kf_chart *c, kf_tv vals);
/* helm's CoalesceTables(dst, src): dst wins; tables merged deep; a nil in
 * dst deletes the key. Returns dst (src when dst is nil). */
kf_tv kf_chart_coalesce_tables(kf_arena *a, kf_tv dst, kf_tv src);
/* helm's chartutil.ProcessDependencies: aliases, condition, tags, the
 * disabled subcharts removed, import-values. */
void kf_chart_process_deps(kf_arena *a, kf_chart *c, kf_tv vals, const kf_chart_report *rep);

/* helm's strvals.ParseInto: one --set argument ("a.b=c,d[0]=x") into
 * vals (a map). False with a message in err (helm's words). */
bool kf_chart_strvals(kf_arena *a, const char *s, kf_tv vals, kf_buf *err);
/* A values file (-f) merged over vals as helm's MergeValues: maps merged
 * deep, the file's values win. False with a message when it is no YAML
 * map. */
bool kf_chart_merge_values_file(kf_arena *a, kf_tv vals, const char *text, size_t len, kf_buf *err);
/* helm's mergeMaps (values files and --set): b over a, maps merged deep */
kf_tv kf_chart_merge_maps(kf_arena *a, kf_tv x, kf_tv y);

/* Does version satisfy the semver constraint (Masterminds/semver v3, as
 * helm's IsCompatibleRange)? */
bool kf_chart_semver_check(const char *constraint, const char *version);

/* ---- render.c and manifests.c: rendering and printing -------------------------------------------------------------- */

/* One rendered template: name as helm names it ("mychart/templates/a.yaml"),
 * the file it came from, the output with "<no value>" removed. */
typedef void (*kf_chart_output_fn)(void *ud, const char *name, const kf_chart_file *f, const char *text,
				   size_t len);

/* helm template: ProcessDependencies with vals, the render values
 * (ToRenderValues), every template of the tree parsed in helm's order and
 * each non-partial one executed. Every template rendered without an error
 * is handed to out, in helm's order of names (sorted); NOTES.txt files are
 * rendered (helm would fail on them) but not handed out. Errors are
 * reported (KF309, KF311, KF312); lookup calls are reported (KF305). */
void kf_chart_render(kf_chart_tree *t, kf_tv vals, const kf_chart_report *rep, kf_chart_output_fn out,
		     void *ud);

/* helm template's printing of the rendered templates: documents split as
 * releaseutil.SplitManifests, sorted by kind in helm's install order
 * (hooks after), each "---\n# Source: NAME\nDOC\n". */
typedef struct kf_chart_manifests kf_chart_manifests;
kf_chart_manifests *kf_chart_manifests_new(void);
void kf_chart_manifests_add(kf_chart_manifests *m, const char *name, const char *text, size_t len);
void kf_chart_manifests_print(kf_chart_manifests *m, kf_buf *out);
void kf_chart_manifests_free(kf_chart_manifests *m);
/* Blanks (spaces, line ends kept) the documents of a rendered template
 * that helm template leaves out (a hook of an unknown event), so that
 * discovery reads what helm prints, at the same places. */
void kf_chart_blank_skipped(char *text, size_t len);

#endif
