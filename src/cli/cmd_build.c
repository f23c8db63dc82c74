/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_build.c - kfc build and kfc plan: a thin front end over build.h (the
 * store's commands are in cmd_store.c). */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/files.h"
#include "base/fsutil.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "build/build.h"
#include "build/synth.h"
#include "cli/kfc.h"
#include "cli/progress.h"
#include "lint/lint.h"
#include "oci/layer.h"
#include "build/rcache.h"
#include "oci/store.h"
#include "registry/mirrors.h"

/* SIZE (kfc.h): bytes, or with a binary unit k, M, G, T (as docker's
 * sizes; 1.5G too), an optional "B" or "iB" after it */
bool kf_parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0 || s[0] == '-' || s[0] == '+' || (s[0] != '.' && (s[0] < '0' || s[0] > '9')))
		return false;
	uint64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (mul > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v * (double)mul > 1.8e19)
		return false;
	*out = (uint64_t)(v * (double)mul);
	return true;
}

/* ---- what a build shows ---------------------------------------------------------------- */

enum progress { PROGRESS_AUTO, PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_QUIET };

typedef struct shown {
	enum progress progress;
	kf_build_view *view; /* progress.c draws the build */
} shown;

/* --iidfile: the image's digest, as buildah writes its image ID (kfc
 * names an image by its manifest digest, as registries do); --metadata-file:
 * docker buildx's keys. */
static int write_id_files(const kf_build_options *o, const kf_build_result *res, const char *iidfile,
			  const char *metadata_file)
{
	kf_err e;
	if (iidfile && !kf_write_file_atomic(iidfile, res->digest, strlen(res->digest), 0644, false, &e)) {
		fprintf(stderr, "kfc build: --iidfile %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	if (!metadata_file)
		return KF_EXIT_OK;
	json_t *m = json_pack("{s:s}", "containerimage.digest", res->digest);
	if (res->config_digest[0])
		json_object_set_new(m, "containerimage.config.digest", json_string(res->config_digest));
	kf_buf names = KF_BUF_INIT;
	for (size_t i = 0; i < o->ntags; i++)
		kf_buf_printf(&names, "%s%s", i ? "," : "", o->tags[i]);
	if (names.len)
		json_object_set_new(m, "image.name", json_string(names.ptr));
	kf_buf_release(&names);
	char *text = json_dumps(m, JSON_INDENT(2) | JSON_SORT_KEYS);
	bool ok = kf_write_file_atomic(metadata_file, text, strlen(text), 0644, false, &e);
	free(text);
	json_decref(m);
	if (!ok) {
		fprintf(stderr, "kfc build: --metadata-file %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	return KF_EXIT_OK;
}

/* Loads and checks the Kubefile (the linter's errors stop the build; its
 * warnings are kflint's business), then builds, sharing the one model. */
static int run_build(kf_build_options *o, shown *sh, const char *ctxarg, const char *kubefile, const char *text,
		     const char *const *platforms, size_t nplatforms,
		     const char *iidfile, const char *metadata_file)
{
	char context[PATH_MAX];
	struct stat st;
	if (!realpath(ctxarg, context)) {
		fprintf(stderr, "kfc build: context %s: %s\n", ctxarg, strerror(errno));
		return KF_EXIT_USAGE;
	}
	if (stat(context, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "kfc build: context %s: not a directory\n", ctxarg);
		return KF_EXIT_USAGE;
	}
	o->context = context;
	char *kfpath = NULL;
	if (text) {
		if (asprintf(&kfpath, "%s/Kubefile (from the command line)", ctxarg) < 0)
			abort();
	} else if (kubefile) {
		kfpath = strdup(kubefile);
	} else if (!(kfpath = kf_find_kubefile(ctxarg))) {
		fprintf(stderr, "kfc build: no Kubefile in %s: looked for Sealfile, Kubefile, Dockerfile and Containerfile "
				"(as sealos build does); name one with -f\n",
			ctxarg);
		return KF_EXIT_USAGE;
	}
	kf_source src;
	const char *serr = NULL;
	bool loaded = text ? kf_source_init_mem(&src, kfpath, text, strlen(text), &serr)
			   : kf_source_init_file(&src, kfpath, NULL, &serr);
	if (!loaded) {
		fprintf(stderr, "kfc build: %s: %s\n", kfpath, serr ? serr : strerror(errno));
		free(kfpath);
		return KF_EXIT_USAGE;
	}
	kf_document *doc = kf_parse(&src);
	kf_model *model = kf_model_build(doc, KF_DIALECT_AUTO);
	kf_diag_bag diags;
	kf_diag_bag_init(&diags, &doc->arena);
	kf_lint_options lo = {.dialect = KF_DIALECT_AUTO, .context_dir = context, .model = model};
	kf_lint(doc, &lo, &diags);
	size_t w = 0;
	for (size_t i = 0; i < diags.len; i++)
		if (diags.items[i].severity == KF_SEV_ERROR)
			diags.items[w++] = diags.items[i];
	diags.len = diags.nerrors = w;
	static const kf_transfer_mode modes[] = {KF_TRANSFER_AUTO, KF_TRANSFER_TTY, KF_TRANSFER_PLAIN,
						  KF_TRANSFER_QUIET}; /* as enum progress */
	sh->view = kf_build_view_new(modes[sh->progress]);
	kf_build_report report = kf_build_view_report(sh->view);
	kf_build_result res;
	int status = diags.nerrors ? KF_EXIT_PROBLEMS
				   : kf_build_platforms(o, platforms, nplatforms, doc, model, &diags, &report, &res);
	kf_build_view_end(sh->view, status);
	if (status == 0 && res.plan) {
		char *t = json_dumps(res.plan, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
	} else if (status == 0) {
		/* the digest once: on standard output unless that is a terminal
		 * where the line on standard error names it (docs/build.md) */
		char after[PATH_MAX];
		snprintf(after, sizeof after, "%s in %.2fs%s%s", nplatforms > 1 ? " (an index)" : "", res.secs,
			 o->ntags ? " as " : o->noutputs ? "" : " (untagged: name it with -t or -o)",
			 o->ntags ? o->tags[0] : "");
		kf_build_view_built(sh->view, res.digest, after);
		if (sh->progress == PROGRESS_QUIET || !isatty(STDOUT_FILENO))
			printf("%s\n", res.digest);
		status = write_id_files(o, &res, iidfile, metadata_file);
	} else if (status == KF_EXIT_INTERRUPTED) {
		fprintf(stderr, "kfc build: interrupted: nothing was written\n");
	}
	if (status == 0)
		json_decref(res.plan);
	kf_diag_bag_sort(&diags);
	kf_buf out = KF_BUF_INIT;
	for (size_t i = 0; i < diags.len; i++)
		kf_diag_render_text(&out, &src, &diags.items[i], KF_RENDER_SOURCE);
	kf_term_write(stderr, &out);
	kf_buf_release(&out);
	kf_build_view_free(sh->view);
	sh->view = NULL;
	kf_diag_bag_release(&diags);
	kf_model_free(model);
	kf_document_free(doc);
	kf_source_release(&src);
	free(kfpath);
	return status;
}

enum { L_TAGS, L_OUTS, L_ARGS, L_IMAGE_LISTS, L_IGNORED, L_CMDS, L_IMAGES, L_CONTEXTS, L_PLATFORMS, L_LABELS, L_ANNOS,
       L_ENVS, L_CACHE_FROM, NLISTS };

/* kfc build's and kfc plan's command line */
typedef struct build_cli {
	const char *prog; /* "build" or "plan" */
	kf_build_options o;
	KF_VEC(const char *) lists[NLISTS]; /* the options given many times */
	kf_synth syn;
	const char *kubefile;
	shown show;
	bool print_kubefile;
	bool push;          /* --push: each -t to its registry once built */
	const char *auth_list; /* --image-list-with-auth FILE */
	const char *iidfile, *metadata_file;
	KF_VEC(char *) owned;  /* K=V strings made from the environment */
} build_cli;

enum { O_ARG = 256, O_PLATFORM, O_COMP, O_LEVEL, O_NOCACHE, O_ISO, O_PROGRESS, O_TYPE, O_THREADS, O_LIST,
       O_IGNORED, O_RUNTIME, O_RUNTIME_V, O_CRI, O_CRI_V, O_FROM, O_CMD, O_IMAGES, O_CONTEXT, O_PRINT, O_PULL, O_TLS, O_PUSH,
       O_MAXDL, O_STALL, O_MODE, O_SAVE, O_JOBS, O_AUTHLIST, O_LABEL, O_ANNO, O_ENV, O_IIDFILE, O_METAFILE,
       O_CACHE_TO, O_CACHE_FROM };

/* kfc build's options; kfc plan's are those after the first N_WRITING,
 * which write an image */
#define N_WRITING 6
static const kf_opt build_opts[] = {
	{"tag", 't', "NAME[:TAG]", NULL, KF_COMPLETE_NONE, "name the image in the local store (repeatable)"},
	{"output", 'o', "oci:DIR[:TAG]|oci-archive:FILE[:TAG]", NULL, KF_COMPLETE_FILE,
	 "write the image there too (repeatable)"},
	{"quiet", 'q', NULL, NULL, KF_COMPLETE_NONE, "no progress; only the digest"},
	{"push", O_PUSH, NULL, NULL, KF_COMPLETE_NONE, "push each -t name to its registry once built"},
	{"iidfile", O_IIDFILE, "FILE", NULL, KF_COMPLETE_FILE, "write the image's digest to FILE"},
	{"metadata-file", O_METAFILE, "FILE", NULL, KF_COMPLETE_FILE, "write the build's metadata (JSON) to FILE"},
	{"file", 'f', "KUBEFILE", NULL, KF_COMPLETE_FILE, "the Kubefile (default: CONTEXT/Sealfile, Kubefile, ...)"},
	{"build-arg", O_ARG, "K=V", NULL, KF_COMPLETE_NONE, "an ARG's value (repeatable; K: from the environment)"},
	{"platform", O_PLATFORM, "OS/ARCH[/VARIANT][,...]", NULL, KF_COMPLETE_NONE,
	 "the platform (several: an image index)"},
	{"no-cache", O_NOCACHE, NULL, NULL, KF_COMPLETE_NONE, "run every step, the cache unused"},
	{"compression", O_COMP, "ALGO", "gzip|zstd|none", KF_COMPLETE_NONE, "the layers' compression (default: gzip)"},
	{"compression-level", O_LEVEL, "N", NULL, KF_COMPLETE_NONE, "1 to 9 for gzip, 1 to 19 for zstd"},
	{"threads", O_THREADS, "N", NULL, KF_COMPLETE_NONE, "compression threads, 1 to 64"},
	{"isolation", O_ISO, "WHAT", "auto|bwrap|none", KF_COMPLETE_NONE, "how RUN is isolated (default: auto)"},
	{"progress", O_PROGRESS, "MODE", "auto|tty|plain|quiet", KF_COMPLETE_NONE,
	 "how the steps are shown (default: auto)"},
	{"type", O_TYPE, "TYPE", "kube-installer|app-installer", KF_COMPLETE_NONE, "the image's type"},
	{"max-download-size", O_MAXDL, "SIZE", NULL, KF_COMPLETE_NONE, "the most a remote source may be (500M, 2G)"},
	{"download-stall-timeout", O_STALL, "SECONDS", NULL, KF_COMPLETE_NONE,
	 "give up a download that stalls this long"},
	{"pull", O_PULL, "POLICY", "missing|always|never", KF_COMPLETE_NONE,
	 "when the FROM image is pulled (default: missing)"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "check registries' certificates (default: true)"},
	{"build-mode", O_MODE, "MODE", "all|lite", KF_COMPLETE_NONE, "lite: no container images cached"},
	{"save-image", O_SAVE, "BOOL", "true|false", KF_COMPLETE_NONE, "cache the container images (default: true)"},
	{"jobs", O_JOBS, "N", NULL, KF_COMPLETE_NONE, "images fetched at once, 1 to 64"},
	{"image-list-with-auth", O_AUTHLIST, "FILE", NULL, KF_COMPLETE_FILE, "more images, with their credentials"},
	{"label", O_LABEL, "K=V", NULL, KF_COMPLETE_NONE, "a label of the image (repeatable)"},
	{"annotation", O_ANNO, "K=V", NULL, KF_COMPLETE_NONE, "an annotation of the manifest (repeatable)"},
	{"env", O_ENV, "K[=V]", NULL, KF_COMPLETE_NONE, "an environment variable of the image (repeatable)"},
	{"image-list", O_LIST, "FILE", NULL, KF_COMPLETE_FILE, "an image list to cache too (repeatable)"},
	{"ignored-image-list", O_IGNORED, "FILE", NULL, KF_COMPLETE_FILE, "images not to cache (repeatable)"},
	{"cluster-runtime", O_RUNTIME, "T", NULL, KF_COMPLETE_NONE, "the cluster runtime's type (a label)"},
	{"cluster-runtime-version", O_RUNTIME_V, "V", NULL, KF_COMPLETE_NONE, "its version"},
	{"cri", O_CRI, "T", NULL, KF_COMPLETE_NONE, "the container runtime's type (a label)"},
	{"cri-version", O_CRI_V, "V", NULL, KF_COMPLETE_NONE, "its version"},
	{"from", O_FROM, "IMAGE", NULL, KF_COMPLETE_NONE, "build without a Kubefile, from IMAGE (scratch: none)"},
	{"startup-cmd", O_CMD, "CMD", NULL, KF_COMPLETE_NONE, "with --from: a command the cluster starts with"},
	{"container-images", O_IMAGES, "REF[,REF]...", NULL, KF_COMPLETE_NONE, "with --from: images to cache"},
	{"build-context", O_CONTEXT, "PATH", NULL, KF_COMPLETE_FILE, "with --from: a path copied in (repeatable)"},
	{"print-kubefile", O_PRINT, NULL, NULL, KF_COMPLETE_NONE, "with --from: print the Kubefile, build nothing"},
	{"cache-to", O_CACHE_TO, "registry:REF|oci:DIR[,mode=min|max]", NULL, KF_COMPLETE_NONE,
	 "export the step cache there (docs/build.md, Sharing the cache)"},
	{"cache-from", O_CACHE_FROM, "registry:REF|oci:DIR", NULL, KF_COMPLETE_NONE,
	 "import a step cache from there (repeatable)"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

static int build_command(int argc, char **argv);
static int plan_command(int argc, char **argv);

const kf_command kf_command_build = {
	"build", "kfc build", "build a ClusterImage",
	"usage: kfc build [OPTION]... [CONTEXT]\n"
	"       kfc build --from IMAGE [--startup-cmd CMD]... [--container-images REF[,REF]...]...\n"
	"                 [--build-context PATH]... [--print-kubefile] [OPTION]... [CONTEXT]\n"
	"\n"
	"Builds a ClusterImage into the local store (-t) and the outputs given (-o), and prints\n"
	"its manifest digest. The context defaults to '.', the Kubefile to the first of\n"
	"CONTEXT/Sealfile, Kubefile, Dockerfile, Containerfile; with --from, the Kubefile is\n"
	"written from the options (--print-kubefile shows it). Several platforms (--platform\n"
	"linux/amd64,linux/arm64): one build each, and an image index of them (docs/build.md).\n"
	"Exit status: 0 built, 1 an error in the Kubefile or the build, 2 a usage error,\n"
	"130 interrupted.\n",
	build_opts, KF_COMPLETE_DIR, NULL, build_command,
};

const kf_command kf_command_plan = {
	"plan", "kfc plan", "print the build plan (JSON) kfc build would execute",
	"usage: kfc plan [OPTION]... [CONTEXT]\n"
	"\n"
	"Prints the build plan (JSON) that kfc build would execute with these options: the\n"
	"steps, their inputs and cache keys (docs/build.md). It builds nothing and writes no\n"
	"image, so kfc build's -t, -o, --push, --iidfile, --metadata-file and -q are not its.\n"
	"Exit status: 0 planned, 1 an error in the Kubefile, 2 a usage error.\n",
	build_opts + N_WRITING, KF_COMPLETE_DIR, NULL, plan_command,
};

/* A usage error: "kfc build: " and the message; false. */
static bool usage_error(const build_cli *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool usage_error(const build_cli *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "kfc %s: ", b->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return false;
}

/* A decimal number from lo to hi (lo >= 1) */
static bool parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end || errno || v < lo || v > hi)
		return false;
	*out = (int)v;
	return true;
}

/* The place of s in words (NULL-terminated); -1 when it is none of them */
static int word_index(const char *s, const char *const *words)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(s, words[i]) == 0)
			return i;
	return -1;
}

/* REF[,REF]... into the list l (empty items too when keep_empty) */
static void push_refs(build_cli *b, int l, char *list, bool keep_empty)
{
	for (char *p = list, *next; *p || keep_empty; p = next) {
		next = p + strcspn(p, ",");
		bool last = !*next;
		if (*next)
			*next++ = '\0';
		if (*p || keep_empty)
			kf_vec_push(&b->lists[l], p);
		if (last)
			break;
	}
}

/* -o oci:DIR[:TAG] | oci-archive:FILE[:TAG], checked before anything is
 * built: a path, whose folder is there and writable; DIR, when it is
 * there, a folder; FILE not one. */
static bool check_output(const build_cli *b, const char *arg)
{
	bool layout = strncmp(arg, "oci:", 4) == 0;
	char *path = kf_xstrdup(arg + (layout ? 4 : 12));
	char *colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/'))
		*colon = '\0'; /* the tag */
	const char *problem = NULL;
	struct stat st;
	char *parent = NULL;
	if (!*path) {
		problem = layout ? "no folder: expected oci:DIR[:TAG]" : "no file: expected oci-archive:FILE[:TAG]";
	} else if (stat(path, &st) == 0) {
		if (layout && !S_ISDIR(st.st_mode))
			problem = "not a folder";
		else if (!layout && S_ISDIR(st.st_mode))
			problem = "a folder, not a file";
	}
	if (!problem) {
		parent = kf_xstrdup(path);
		char *sl = strrchr(parent, '/');
		if (!sl)
			strcpy(parent, ".");
		else
			sl[sl == parent] = '\0';
		if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode) || access(parent, W_OK | X_OK) != 0) {
			int err = errno;
			bool ok = usage_error(b, "-o %s: %s: %s", arg, parent,
					      stat(parent, &st) == 0 && !S_ISDIR(st.st_mode) ? "not a folder" : strerror(err));
			free(parent);
			free(path);
			return ok;
		}
	}
	free(parent);
	free(path);
	return problem ? usage_error(b, "-o %s: %s", arg, problem) : true;
}

/* One option c with its argument arg; false after a usage error. */
static bool build_option(build_cli *b, int c, char *arg)
{
	static const char *const isolations[] = {"auto", "bwrap", "none", NULL}; /* as kf_isolation */
	static const char *const progresses[] = {"auto", "tty", "plain", "quiet", NULL}; /* as enum progress */
	static const char *const types[] = {"kube-installer", "app-installer", NULL};
	static const char *const pulls[] = {"missing", "always", "never", NULL}; /* as kf_pull_policy */
	static const char *const bools[] = {"false", "true", NULL};
	static const char *const modes[] = {"all", "lite", NULL}; /* as kf_build_mode */
	kf_build_options *o = &b->o;
	int i;
	switch (c) {
	case 'f': b->kubefile = arg; break;
	case 't': {
		kf_err e;
		char *name = kf_store_name(arg, &e);
		if (!name)
			return usage_error(b, "-t %s", e.msg);
		free(name);
		kf_vec_push(&b->lists[L_TAGS], arg);
		break;
	}
	case 'o':
		if (strncmp(arg, "oci:", 4) != 0 && strncmp(arg, "oci-archive:", 12) != 0)
			return usage_error(b, "-o %s: expected oci:DIR[:TAG] or oci-archive:FILE[:TAG]", arg);
		if (!check_output(b, arg))
			return false;
		kf_vec_push(&b->lists[L_OUTS], arg);
		break;
	case O_ARG: /* NAME=VALUE, or NAME: its value in the environment (none: not given), as docker */
	case O_ENV: {
		const char *what = c == O_ARG ? "--build-arg" : "--env";
		if (arg[0] == '=' || !arg[0])
			return usage_error(b, "%s %s: expected NAME=VALUE or NAME", what, arg);
		const char *v = strchr(arg, '=') ? NULL : getenv(arg);
		char *kv = NULL;
		if (!strchr(arg, '=') && !v)
			break;
		if (v && asprintf(&kv, "%s=%s", arg, v) < 0)
			abort();
		if (kv)
			kf_vec_push(&b->owned, kv);
		kf_vec_push(&b->lists[c == O_ARG ? L_ARGS : L_ENVS], kv ? kv : arg);
		break;
	}
	case O_LABEL:
	case O_ANNO:
		if (arg[0] == '=' || !arg[0])
			return usage_error(b, "%s %s: expected KEY=VALUE", c == O_LABEL ? "--label" : "--annotation", arg);
		kf_vec_push(&b->lists[c == O_LABEL ? L_LABELS : L_ANNOS], arg);
		break;
	case O_IIDFILE: b->iidfile = arg; break;
	case O_METAFILE: b->metadata_file = arg; break;
	case 'q': b->show.progress = PROGRESS_QUIET; break;
	case O_PLATFORM:
		/* A,B: a build each (kf_build_platforms); the last --platform wins */
		o->platform = strchr(arg, ',') ? NULL : arg;
		b->lists[L_PLATFORMS].n = 0;
		if (!o->platform)
			push_refs(b, L_PLATFORMS, arg, true);
		break;
	case O_COMP:
		if (!kf_compression_parse(arg, &o->compression))
			return usage_error(b, "--compression=%s: gzip, zstd or none", arg);
		break;
	case O_LEVEL:
		if (!parse_int(arg, 1, 19, &o->level))
			return usage_error(b, "--compression-level=%s: 1 to 9 for gzip, 1 to 19 for zstd", arg);
		break;
	case O_THREADS:
		if (!parse_int(arg, 1, 64, &o->threads))
			return usage_error(b, "--threads=%s: 1 to 64", arg);
		break;
	case O_NOCACHE: o->no_cache = true; break;
	case O_MAXDL:
		if (!kf_parse_size(arg, &o->max_download) || o->max_download == 0)
			return usage_error(b, "--max-download-size=%s: give a size in bytes, such as 500M or 2G", arg);
		break;
	case O_STALL:
		if (!parse_int(arg, 1, 86400, &o->stall_timeout))
			return usage_error(b, "--download-stall-timeout=%s: a number of seconds, 1 to 86400", arg);
		break;
	case O_ISO:
		if ((i = word_index(arg, isolations)) < 0)
			return usage_error(b, "--isolation=%s: auto, bwrap or none", arg);
		o->isolation = (kf_isolation)i;
		break;
	case O_PROGRESS:
		if ((i = word_index(arg, progresses)) < 0)
			return usage_error(b, "--progress=%s: auto, tty, plain or quiet", arg);
		b->show.progress = (enum progress)i;
		break;
	case O_TYPE:
		if (word_index(arg, types) < 0)
			return usage_error(b, "--type=%s: kube-installer or app-installer", arg);
		o->image_type = arg;
		break;
	case O_LIST: kf_vec_push(&b->lists[L_IMAGE_LISTS], arg); break;
	case O_IGNORED: kf_vec_push(&b->lists[L_IGNORED], arg); break;
	case O_RUNTIME: o->cluster_runtime = arg; break;
	case O_RUNTIME_V: o->cluster_runtime_version = arg; break;
	case O_CRI: o->cri = arg; break;
	case O_CRI_V: o->cri_version = arg; break;
	case O_FROM: b->syn.from = arg; break;
	case O_CMD: kf_vec_push(&b->lists[L_CMDS], arg); break;
	case O_IMAGES: push_refs(b, L_IMAGES, arg, false); break;
	case O_CONTEXT: kf_vec_push(&b->lists[L_CONTEXTS], arg); break;
	case O_PRINT: b->print_kubefile = true; break;
	case O_PULL:
		if ((i = word_index(arg, pulls)) < 0)
			return usage_error(b, "--pull=%s: missing, always or never", arg);
		o->pull = (kf_pull_policy)i;
		break;
	case O_PUSH: b->push = true; break;
	case O_CACHE_TO:
	case O_CACHE_FROM: {
		kf_cache_spec spec;
		kf_err e;
		if (!kf_cache_spec_parse(arg, c == O_CACHE_TO, &spec, &e))
			return usage_error(b, "%s", e.msg);
		kf_cache_spec_release(&spec);
		if (c == O_CACHE_TO)
			o->cache_to = arg;
		else
			kf_vec_push(&b->lists[L_CACHE_FROM], arg);
		break;
	}
	case O_MODE:
		if ((i = word_index(arg, modes)) < 0)
			return usage_error(b, "--build-mode=%s: all or lite", arg);
		o->build_mode = (kf_build_mode)i;
		break;
	case O_SAVE:
		if ((i = word_index(arg, bools)) < 0)
			return usage_error(b, "--save-image=%s: true or false", arg);
		o->no_save_image = i == 0;
		break;
	case O_AUTHLIST: b->auth_list = arg; break;
	case O_JOBS:
		if (!parse_int(arg, 1, 64, &o->jobs))
			return usage_error(b, "--jobs=%s: 1 to 64", arg);
		break;
	case O_TLS:
		if ((i = word_index(arg, bools)) < 0)
			return usage_error(b, "--tls-verify=%s: true or false", arg);
		o->tls_verify_off = i == 0;
		break;
	default: return false;
	}
	return true;
}

/* What the options say together, and the context directory (argv[optind]) */
static bool build_check(build_cli *b, int argc, char **argv)
{
	kf_build_options *o = &b->o;
	if (argc - optind > 1)
		return usage_error(b, "one context directory, not %d", argc - optind);
	if (o->compression == KF_COMPRESS_GZIP && o->level > 9)
		return usage_error(b, "--compression-level=%d: gzip has levels 1 to 9", o->level);
	o->context = optind < argc ? argv[optind] : ".";
	o->tags = b->lists[L_TAGS].v;
	o->ntags = b->lists[L_TAGS].n;
	o->outputs = b->lists[L_OUTS].v;
	o->noutputs = b->lists[L_OUTS].n;
	o->build_args = b->lists[L_ARGS].v;
	o->nbuild_args = b->lists[L_ARGS].n;
	o->labels = b->lists[L_LABELS].v;
	o->cache_from = b->lists[L_CACHE_FROM].v;
	o->ncache_from = b->lists[L_CACHE_FROM].n;
	o->nlabels = b->lists[L_LABELS].n;
	o->annotations = b->lists[L_ANNOS].v;
	o->nannotations = b->lists[L_ANNOS].n;
	o->envs = b->lists[L_ENVS].v;
	o->nenvs = b->lists[L_ENVS].n;
	o->image_lists = b->lists[L_IMAGE_LISTS].v;
	o->nimage_lists = b->lists[L_IMAGE_LISTS].n;
	o->ignored_image_lists = b->lists[L_IGNORED].v;
	o->nignored_image_lists = b->lists[L_IGNORED].n;
	if (!b->syn.from && (b->lists[L_CMDS].n || b->lists[L_IMAGES].n || b->lists[L_CONTEXTS].n ||
			    b->print_kubefile))
		return usage_error(b, "--startup-cmd, --container-images, --build-context and --print-kubefile "
				      "build without a Kubefile: give --from IMAGE (scratch for none)");
	if (b->syn.from && b->kubefile)
		return usage_error(b, "--from builds without a Kubefile: not with -f");
	return true;
}

/* Reads the command line into b: -1 to build, else the exit status (after
 * --help or a usage error). */
static int build_options(build_cli *b, int argc, char **argv)
{
	int c;
	kf_optparse p;
	kf_opts_begin(&p, b->o.plan_only ? &kf_command_plan : &kf_command_build);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		if (c == KF_OPT_HELP)
			return KF_EXIT_OK;
		if (c == KF_OPT_ERROR || !build_option(b, c, optarg))
			return KF_EXIT_USAGE;
	}
	return build_check(b, argc, argv) ? -1 : KF_EXIT_USAGE;
}

/* With --from: the Kubefile the options describe, its descriptor in its
 * LABELs (malloc'd); NULL after a message. */
static char *synthesize(build_cli *b)
{
	kf_synth *syn = &b->syn;
	kf_build_options *o = &b->o;
	syn->platform = o->platform;
	syn->cluster_runtime = o->cluster_runtime;
	syn->cluster_runtime_version = o->cluster_runtime_version;
	syn->cri = o->cri;
	syn->cri_version = o->cri_version;
	syn->startup_cmds = b->lists[L_CMDS].v;
	syn->nstartup_cmds = b->lists[L_CMDS].n;
	syn->images = b->lists[L_IMAGES].v;
	syn->nimages = b->lists[L_IMAGES].n;
	syn->contexts = b->lists[L_CONTEXTS].v;
	syn->ncontexts = b->lists[L_CONTEXTS].n;
	char err[1024];
	char *text = kf_synth_kubefile(syn, o->context, err, sizeof err);
	if (!text)
		usage_error(b, "%s", err);
	/* they are in the Kubefile's LABELs now */
	o->cluster_runtime = o->cluster_runtime_version = o->cri = o->cri_version = NULL;
	return text;
}

static int build_main(int argc, char **argv, bool plan_only)
{
	build_cli b = {.prog = plan_only ? "plan" : "build", .show = {PROGRESS_AUTO, NULL}};
	b.o.compression = KF_COMPRESS_GZIP;
	b.o.plan_only = plan_only;
	char *text = NULL;
	int status = build_options(&b, argc, argv);
	if (status < 0 && b.syn.from && !(text = synthesize(&b)))
		status = KF_EXIT_USAGE;
	if (status < 0 && b.print_kubefile) {
		fputs(text, stdout);
		status = KF_EXIT_OK;
	}
	if (status < 0) {
		/* the build stops on these, within a second, and writes nothing */
		b.o.interrupted = kf_term_catch_interrupts();
		kf_registries regs = {0};
		kf_auth_images auth = {0};
		status = kf_cli_registries(&regs, "kfc build") ? -1 : KF_EXIT_PROBLEMS;
		b.o.registries = &regs;
		kf_err ae;
		if (status < 0 && b.auth_list && !kf_auth_images_load(b.auth_list, &regs, &auth, &ae)) {
			fprintf(stderr, "kfc %s: --image-list-with-auth %s\n", b.prog, ae.msg);
			status = KF_EXIT_USAGE;
		}
		b.o.extra_images = (const char *const *)auth.names;
		b.o.nextra_images = auth.n;
		if (status < 0)
			status = run_build(&b.o, &b.show, b.o.context, b.kubefile, text, b.lists[L_PLATFORMS].v,
					   b.lists[L_PLATFORMS].n, b.iidfile, b.metadata_file);
		for (size_t i = 0; status == 0 && b.push && !b.o.plan_only && i < b.o.ntags; i++) {
			kf_err e;
			char *name = kf_store_name(b.o.tags[i], &e); /* checked with -t */
			status = kf_push_image(name, name, !b.o.tls_verify_off, b.show.progress == PROGRESS_QUIET, false, 0,
					       b.lists[L_PLATFORMS].n > 1);
			free(name);
		}
		kf_registries_release(&regs);
		kf_auth_images_release(&auth);
	}
	free(text);
	for (size_t i = 0; i < NLISTS; i++)
		kf_vec_free(&b.lists[i]);
	for (size_t i = 0; i < b.owned.n; i++)
		free(b.owned.v[i]);
	kf_vec_free(&b.owned);
	return status;
}

int kf_cmd_build(int argc, char **argv)
{
	return build_main(argc, argv, false);
}

int kf_cmd_plan(int argc, char **argv)
{
	return build_main(argc, argv, true);
}

static int build_command(int argc, char **argv)
{
	return kf_cmd_build(argc, argv);
}

static int plan_command(int argc, char **argv)
{
	return kf_cmd_plan(argc, argv);
}
