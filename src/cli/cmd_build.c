/* cmd_build.c - kfc build and kfc plan: a thin front end over build.h (the
 * store's commands are in cmd_store.c). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"
#include "base/fsutil.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "build/build.h"
#include "build/synth.h"
#include "cli/kfc.h"
#include "lint/lint.h"
#include "oci/layer.h"
#include "build/rcache.h"
#include "oci/store.h"
#include "registry/mirrors.h"

static void build_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: kfc %s [-f KUBEFILE] [-t NAME[:TAG]]... [-o oci:DIR[:TAG]|oci-archive:FILE[:TAG]]...\n"
		"                 [--build-arg K=V]... [--platform OS/ARCH[/VARIANT][,...]] [--no-cache]\n"
		"                 [--compression=gzip|zstd|none] [--compression-level=N] [--threads=N]\n"
		"                 [--isolation=auto|bwrap|none] [--progress=auto|tty|plain|quiet]\n"
		"                 [--type=kube-installer|app-installer]\n"
		"                 [--max-download-size=SIZE] [--download-stall-timeout=SECONDS]\n"
		"                 [--pull=missing|always|never] [--tls-verify=true|false] [--push]\n"
		"                 [--build-mode=all|lite] [--save-image=true|false] [--jobs=N]\n"
		"                 [--image-list-with-auth FILE] [--label K=V]... [--annotation K=V]...\n"
		"                 [--env K[=V]]... [--iidfile FILE] [--metadata-file FILE] [-q]\n"
		"                 [--cache-to=registry:REF|oci:DIR[,mode=min|max]]\n"
		"                 [--cache-from=registry:REF|oci:DIR]...\n"
		"                 [--image-list FILE]... [--ignored-image-list FILE]...\n"
		"                 [--cluster-runtime T] [--cluster-runtime-version V] [--cri T] [--cri-version V]\n"
		"                 [CONTEXT]\n"
		"       kfc %s --from IMAGE [--startup-cmd CMD]... [--container-images REF[,REF]...]...\n"
		"                 [--build-context PATH]... [--print-kubefile] [the options above] [CONTEXT]\n"
		"\n"
		"%s\n"
		"The context defaults to '.', the Kubefile to the first of CONTEXT/Sealfile, Kubefile, Dockerfile,\n"
		"Containerfile; with --from, the Kubefile is\n"
		"written from the options (--print-kubefile shows it). Exit status: 0 built, 1 an error in\n"
		"the Kubefile or the build, 2 a usage error, 130 interrupted. Several platforms (--platform\n"
		"linux/amd64,linux/arm64): one build each, and an image index of them (docs/build.md).\n",
		prog, prog,
		strcmp(prog, "plan") == 0
			? "Prints the build plan (JSON) that kfc build would execute."
			: "Builds a ClusterImage into the local store (-t) and the outputs given (-o).\n"
			  "Prints the manifest digest.");
}

/* SIZE: bytes, or with a binary unit k, M, G, T (as docker's sizes), an
 * optional "B" or "iB" after it */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-')
		return false;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v == 0 || (shift && v > (~0ull >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

/* ---- what a build shows ---------------------------------------------------------------- */

enum progress { PROGRESS_AUTO, PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_QUIET };

typedef struct shown {
	enum progress progress;
	bool tty;           /* the step lines are rewritten in place */
	kf_transfer pull;   /* the FROM image's blobs, when it is pulled */
} shown;

static void fmt_size(char *buf, size_t len, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f kB", n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1f MB", n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", n / 1e9);
}

/* [5/21] COPY … as it starts; its result as it ends: one line rewritten on
 * a terminal, two lines in plain progress. */
static void show_step(void *ud, const kf_build_step_event *e)
{
	shown *sh = ud;
	if (sh->progress == PROGRESS_QUIET)
		return;
	if (e->state == KF_BUILD_STEP_NOTED || e->state == KF_BUILD_STEP_STARTED) {
		if (e->state == KF_BUILD_STEP_NOTED && sh->tty)
			return;
		if (sh->tty)
			fprintf(stderr, "[%zu/%zu] %.70s …", e->index + 1, e->count, e->created_by);
		else
			fprintf(stderr, "[%zu/%zu] %s\n", e->index + 1, e->count, e->created_by);
		fflush(stderr);
		return;
	}
	char what[128], sz[32], tsz[32];
	fmt_size(sz, sizeof sz, e->size);
	if (e->state == KF_BUILD_STEP_CACHED)
		snprintf(what, sizeof what, e->size ? "CACHED %s" : "CACHED (no change)", sz);
	else if (e->state == KF_BUILD_STEP_UNCHANGED)
		snprintf(what, sizeof what, "no change");
	else {
		fmt_size(tsz, sizeof tsz, e->tar_size);
		snprintf(what, sizeof what, "%s (%s in %llu entries)", sz, tsz, (unsigned long long)e->entries);
	}
	if (sh->tty)
		fprintf(stderr, "\r\033[K[%zu/%zu] %.70s  %s  %.2fs\n", e->index + 1, e->count, e->created_by, what,
			e->secs);
	else
		fprintf(stderr, "[%zu/%zu] => %s in %.2fs\n", e->index + 1, e->count, what, e->secs);
	fflush(stderr);
}

static void show_message(void *ud, kf_severity sev, const char *code, const char *msg)
{
	shown *sh = ud;
	if (sev == KF_SEV_ERROR)
		fprintf(stderr, "kfc build: %s [%s]\n", msg, code);
	else if (sh->progress != PROGRESS_QUIET)
		fprintf(stderr, "kfc build: warning: %s [%s]\n", msg, code);
}

static void show_files(void *ud, const char *rendered)
{
	shown *sh = ud;
	if (sh->progress != PROGRESS_QUIET)
		fputs(rendered, stderr);
}

static void show_blob(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished)
{
	kf_transfer_blob(&((shown *)ud)->pull, digest, done, total, finished);
}

/* a container image of the cache, in the store */
static void show_image(void *ud, const kf_build_image_event *e)
{
	shown *sh = ud;
	if (sh->progress == PROGRESS_QUIET)
		return;
	if (sh->pull.tty)
		fputs("\r\033[K", stderr); /* the transfer's line: all its blobs are in */
	char *familiar = kf_imageref_familiar(e->name);
	fprintf(stderr, "  image %s %.19s: %u blob%s fetched (%.1f MB), %u in the store\n", familiar, e->digest, e->fetched,
		e->fetched == 1 ? "" : "s", (double)e->bytes / 1e6, e->present);
	free(familiar);
}

static void show_platform(void *ud, const char *platform, size_t index, size_t count)
{
	shown *sh = ud;
	if (sh->progress != PROGRESS_QUIET)
		fprintf(stderr, "platform %s (%zu/%zu)\n", platform, index + 1, count);
}

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
	sh->tty = sh->progress == PROGRESS_TTY || (sh->progress == PROGRESS_AUTO && isatty(2));
	static const kf_transfer_mode modes[] = {KF_TRANSFER_AUTO, KF_TRANSFER_TTY, KF_TRANSFER_PLAIN,
						  KF_TRANSFER_QUIET}; /* as enum progress */
	kf_transfer_init(&sh->pull, modes[sh->progress], "fetched");
	kf_build_report report = {sh, show_step, show_message, show_files, show_blob, show_image, show_platform};
	kf_build_result res;
	int status = diags.nerrors ? KF_EXIT_PROBLEMS
				   : kf_build_platforms(o, platforms, nplatforms, doc, model, &diags, &report, &res);
	kf_transfer_end(&sh->pull);
	if (status == 0 && res.plan) {
		char *t = json_dumps(res.plan, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
	} else if (status == 0) {
		if (sh->progress != PROGRESS_QUIET)
			fprintf(stderr, "built %s%s in %.2fs%s%s\n", res.digest, nplatforms > 1 ? " (an index)" : "", res.secs,
				o->ntags ? " as " : o->noutputs ? "" : " (untagged: name it with -t or -o)",
				o->ntags ? o->tags[0] : "");
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

static const struct option build_opts[] = {
	{"file", required_argument, NULL, 'f'},
	{"tag", required_argument, NULL, 't'},
	{"output", required_argument, NULL, 'o'},
	{"build-arg", required_argument, NULL, O_ARG},
	{"platform", required_argument, NULL, O_PLATFORM},
	{"compression", required_argument, NULL, O_COMP},
	{"compression-level", required_argument, NULL, O_LEVEL},
	{"threads", required_argument, NULL, O_THREADS},
	{"no-cache", no_argument, NULL, O_NOCACHE},
	{"isolation", required_argument, NULL, O_ISO},
	{"progress", required_argument, NULL, O_PROGRESS},
	{"type", required_argument, NULL, O_TYPE},
	{"image-list", required_argument, NULL, O_LIST},
	{"ignored-image-list", required_argument, NULL, O_IGNORED},
	{"cluster-runtime", required_argument, NULL, O_RUNTIME},
	{"cluster-runtime-version", required_argument, NULL, O_RUNTIME_V},
	{"cri", required_argument, NULL, O_CRI},
	{"cri-version", required_argument, NULL, O_CRI_V},
	{"from", required_argument, NULL, O_FROM},
	{"startup-cmd", required_argument, NULL, O_CMD},
	{"container-images", required_argument, NULL, O_IMAGES},
	{"build-context", required_argument, NULL, O_CONTEXT},
	{"print-kubefile", no_argument, NULL, O_PRINT},
	{"pull", required_argument, NULL, O_PULL},
	{"tls-verify", required_argument, NULL, O_TLS},
	{"push", no_argument, NULL, O_PUSH},
	{"max-download-size", required_argument, NULL, O_MAXDL},
	{"download-stall-timeout", required_argument, NULL, O_STALL},
	{"build-mode", required_argument, NULL, O_MODE},
	{"save-image", required_argument, NULL, O_SAVE},
	{"jobs", required_argument, NULL, O_JOBS},
	{"image-list-with-auth", required_argument, NULL, O_AUTHLIST},
	{"label", required_argument, NULL, O_LABEL},
	{"annotation", required_argument, NULL, O_ANNO},
	{"env", required_argument, NULL, O_ENV},
	{"iidfile", required_argument, NULL, O_IIDFILE},
	{"metadata-file", required_argument, NULL, O_METAFILE},
	{"cache-to", required_argument, NULL, O_CACHE_TO},
	{"cache-from", required_argument, NULL, O_CACHE_FROM},
	{"quiet", no_argument, NULL, 'q'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
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
		if (!parse_size(arg, &o->max_download))
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
	default: build_usage(stderr, b->prog); return false;
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
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:o:qh", build_opts, NULL)) != -1) {
		if (c == 'h') {
			build_usage(stdout, b->prog);
			return KF_EXIT_OK;
		}
		if (!build_option(b, c, optarg))
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
	build_cli b = {.prog = plan_only ? "plan" : "build", .show = {PROGRESS_AUTO, false}};
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
