/* cmd_build.c - kfc build and kfc plan: a thin front end over build.h (the
 * store's commands are in cmd_store.c). */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/vec.h"
#include "build/build.h"
#include "build/synth.h"
#include "cli/kfc.h"
#include "lint/lint.h"
#include "oci/layer.h"

static void build_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: kfc %s [-f KUBEFILE] [-t NAME[:TAG]]... [-o oci:DIR[:TAG]|oci-archive:FILE[:TAG]]...\n"
		"                 [--build-arg K=V]... [--platform OS/ARCH[/VARIANT]] [--no-cache]\n"
		"                 [--compression=gzip|zstd|none] [--compression-level=N] [--threads=N]\n"
		"                 [--isolation=auto|bwrap|none] [--progress=auto|tty|plain|quiet]\n"
		"                 [--type=kube-installer|app-installer]\n"
		"                 [--max-download-size=SIZE] [--download-stall-timeout=SECONDS]\n"
		"                 [--image-list FILE]... [--ignored-image-list FILE]...\n"
		"                 [--cluster-runtime T] [--cluster-runtime-version V] [--cri T] [--cri-version V]\n"
		"                 [CONTEXT]\n"
		"       kfc %s --from IMAGE [--startup-cmd CMD]... [--container-images REF[,REF]...]...\n"
		"                 [--build-context PATH]... [--print-kubefile] [the options above] [CONTEXT]\n"
		"\n"
		"%s\n"
		"The context defaults to '.', the Kubefile to CONTEXT/Kubefile; with --from, the Kubefile is\n"
		"written from the options (--print-kubefile shows it). Exit status: 0 built, 1 an error in\n"
		"the Kubefile or the build, 2 a usage error, 130 interrupted.\n",
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

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

/* ---- what a build shows ---------------------------------------------------------------- */

enum progress { PROGRESS_AUTO, PROGRESS_TTY, PROGRESS_PLAIN, PROGRESS_QUIET };

typedef struct shown {
	enum progress progress;
	bool tty;           /* the step lines are rewritten in place */
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

static void show_message(void *ud, kf_severity sev, const char *msg)
{
	shown *sh = ud;
	if (sev == KF_SEV_ERROR)
		fprintf(stderr, "kfc build: %s\n", msg);
	else if (sh->progress != PROGRESS_QUIET)
		fprintf(stderr, "kfc build: warning: %s\n", msg);
}

static void show_files(void *ud, const char *rendered)
{
	shown *sh = ud;
	if (sh->progress != PROGRESS_QUIET)
		fputs(rendered, stderr);
}

/* Loads and checks the Kubefile (the linter's errors stop the build; its
 * warnings are kflint's business), then builds, sharing the one model. */
static int run_build(kf_build_options *o, shown *sh, const char *ctxarg, const char *kubefile, const char *text)
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
	} else if (asprintf(&kfpath, "%s/Kubefile", ctxarg) < 0) {
		abort();
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
	kf_build_report report = {sh, show_step, show_message, show_files};
	kf_build_result res;
	int status = diags.nerrors ? KF_EXIT_PROBLEMS : kf_build(o, doc, model, &diags, &report, &res);
	if (status == 0 && res.plan) {
		char *t = json_dumps(res.plan, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
	} else if (status == 0) {
		if (sh->progress != PROGRESS_QUIET)
			fprintf(stderr, "built %s in %.2fs%s%s\n", res.digest, res.secs,
				o->ntags ? " as " : o->noutputs ? "" : " (untagged: name it with -t or -o)",
				o->ntags ? o->tags[0] : "");
		printf("%s\n", res.digest);
	} else if (status == KF_EXIT_INTERRUPTED) {
		fprintf(stderr, "kfc build: interrupted: nothing was written\n");
	}
	if (status == 0)
		json_decref(res.plan);
	kf_diag_bag_sort(&diags);
	kf_buf out = KF_BUF_INIT;
	for (size_t i = 0; i < diags.len; i++)
		kf_diag_render_text(&out, &src, &diags.items[i], KF_RENDER_SOURCE);
	if (out.len)
		fwrite(out.ptr, 1, out.len, stderr);
	kf_buf_release(&out);
	kf_diag_bag_release(&diags);
	kf_model_free(model);
	kf_document_free(doc);
	kf_source_release(&src);
	free(kfpath);
	return status;
}

static int build_main(int argc, char **argv, bool plan_only)
{
	const char *prog = plan_only ? "plan" : "build";
	kf_build_options o = {0};
	o.compression = KF_COMPRESS_GZIP;
	KF_VEC(const char *) tags = {0}, outs = {0}, args = {0}, lists = {0}, ignored = {0}, cmds = {0}, images = {0},
			      contexts = {0};
	kf_synth syn = {0};
	const char *kubefile = NULL, *kubefile_text = NULL;
	shown show = {PROGRESS_AUTO, false};
	bool print_kubefile = false;
	char *text = NULL;
	enum { O_ARG = 256, O_PLATFORM, O_COMP, O_LEVEL, O_NOCACHE, O_ISO, O_PROGRESS, O_TYPE, O_THREADS, O_LIST,
	       O_IGNORED, O_RUNTIME, O_RUNTIME_V, O_CRI, O_CRI_V, O_FROM, O_CMD, O_IMAGES, O_CONTEXT, O_PRINT,
	       O_MAXDL, O_STALL };
	static const struct option opts[] = {
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
		{"max-download-size", required_argument, NULL, O_MAXDL},
		{"download-stall-timeout", required_argument, NULL, O_STALL},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, status = KF_EXIT_USAGE;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': kubefile = optarg; break;
		case 't': kf_vec_push(&tags, optarg); break;
		case 'o':
			if (strncmp(optarg, "oci:", 4) != 0 && strncmp(optarg, "oci-archive:", 12) != 0) {
				fprintf(stderr, "kfc %s: -o %s: expected oci:DIR[:TAG] or oci-archive:FILE[:TAG]\n", prog, optarg);
				goto out;
			}
			kf_vec_push(&outs, optarg);
			break;
		case O_ARG:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "kfc %s: --build-arg %s: expected NAME=VALUE\n", prog, optarg);
				goto out;
			}
			kf_vec_push(&args, optarg);
			break;
		case O_PLATFORM: o.platform = optarg; break;
		case O_COMP:
			if (!kf_compression_parse(optarg, &o.compression)) {
				fprintf(stderr, "kfc %s: --compression=%s: gzip, zstd or none\n", prog, optarg);
				goto out;
			}
			break;
		case O_LEVEL:
			o.level = (int)strtol(optarg, &end, 10);
			if (*end || o.level < 1 || o.level > 19) {
				fprintf(stderr, "kfc %s: --compression-level=%s: 1 to 9 for gzip, 1 to 19 for zstd\n", prog, optarg);
				goto out;
			}
			break;
		case O_THREADS:
			o.threads = (int)strtol(optarg, &end, 10);
			if (*end || o.threads < 1 || o.threads > 64) {
				fprintf(stderr, "kfc %s: --threads=%s: 1 to 64\n", prog, optarg);
				goto out;
			}
			break;
		case O_NOCACHE: o.no_cache = true; break;
		case O_MAXDL:
			if (!parse_size(optarg, &o.max_download)) {
				fprintf(stderr, "kfc %s: --max-download-size=%s: give a size in bytes, such as 500M or 2G\n", prog,
					optarg);
				goto out;
			}
			break;
		case O_STALL:
			o.stall_timeout = (int)strtol(optarg, &end, 10);
			if (*end || !*optarg || o.stall_timeout < 1 || o.stall_timeout > 86400) {
				fprintf(stderr, "kfc %s: --download-stall-timeout=%s: a number of seconds, 1 to 86400\n", prog,
					optarg);
				goto out;
			}
			break;
		case O_ISO:
			if (strcmp(optarg, "auto") == 0) o.isolation = KF_ISOLATION_AUTO;
			else if (strcmp(optarg, "bwrap") == 0) o.isolation = KF_ISOLATION_BWRAP;
			else if (strcmp(optarg, "none") == 0) o.isolation = KF_ISOLATION_NONE;
			else {
				fprintf(stderr, "kfc %s: --isolation=%s: auto, bwrap or none\n", prog, optarg);
				goto out;
			}
			break;
		case O_PROGRESS:
			if (strcmp(optarg, "auto") == 0) show.progress = PROGRESS_AUTO;
			else if (strcmp(optarg, "tty") == 0) show.progress = PROGRESS_TTY;
			else if (strcmp(optarg, "plain") == 0) show.progress = PROGRESS_PLAIN;
			else if (strcmp(optarg, "quiet") == 0) show.progress = PROGRESS_QUIET;
			else {
				fprintf(stderr, "kfc %s: --progress=%s: auto, tty, plain or quiet\n", prog, optarg);
				goto out;
			}
			break;
		case O_TYPE:
			if (strcmp(optarg, "kube-installer") != 0 && strcmp(optarg, "app-installer") != 0) {
				fprintf(stderr, "kfc %s: --type=%s: kube-installer or app-installer\n", prog, optarg);
				goto out;
			}
			o.image_type = optarg;
			break;
		case O_LIST: kf_vec_push(&lists, optarg); break;
		case O_IGNORED: kf_vec_push(&ignored, optarg); break;
		case O_RUNTIME: o.cluster_runtime = optarg; break;
		case O_RUNTIME_V: o.cluster_runtime_version = optarg; break;
		case O_CRI: o.cri = optarg; break;
		case O_CRI_V: o.cri_version = optarg; break;
		case O_FROM: syn.from = optarg; break;
		case O_CMD: kf_vec_push(&cmds, optarg); break;
		case O_IMAGES:
			/* REF[,REF]... */
			for (char *p = optarg, *next; *p; p = next) {
				next = p + strcspn(p, ",");
				if (*next)
					*next++ = '\0';
				if (*p)
					kf_vec_push(&images, p);
			}
			break;
		case O_CONTEXT: kf_vec_push(&contexts, optarg); break;
		case O_PRINT: print_kubefile = true; break;
		case 'h':
			build_usage(stdout, prog);
			status = KF_EXIT_OK;
			goto out;
		default:
			build_usage(stderr, prog);
			goto out;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, "kfc %s: one context directory, not %d\n", prog, argc - optind);
		goto out;
	}
	if (o.compression == KF_COMPRESS_GZIP && o.level > 9) {
		fprintf(stderr, "kfc %s: --compression-level=%d: gzip has levels 1 to 9\n", prog, o.level);
		goto out;
	}
	const char *ctxarg = optind < argc ? argv[optind] : ".";
	o.context = ctxarg;
	o.tags = tags.v;
	o.ntags = tags.n;
	o.outputs = outs.v;
	o.noutputs = outs.n;
	o.build_args = args.v;
	o.nbuild_args = args.n;
	o.plan_only = plan_only;
	o.image_lists = lists.v;
	o.nimage_lists = lists.n;
	o.ignored_image_lists = ignored.v;
	o.nignored_image_lists = ignored.n;
	if (!syn.from && (cmds.n || images.n || contexts.n || print_kubefile)) {
		fprintf(stderr, "kfc %s: --startup-cmd, --container-images, --build-context and --print-kubefile "
				"build without a Kubefile: give --from IMAGE (scratch for none)\n", prog);
		goto out;
	}
	if (syn.from) {
		if (kubefile) {
			fprintf(stderr, "kfc %s: --from builds without a Kubefile: not with -f\n", prog);
			goto out;
		}
		/* the Kubefile the options describe; the descriptor is in its LABELs */
		syn.platform = o.platform;
		syn.cluster_runtime = o.cluster_runtime;
		syn.cluster_runtime_version = o.cluster_runtime_version;
		syn.cri = o.cri;
		syn.cri_version = o.cri_version;
		syn.startup_cmds = cmds.v;
		syn.nstartup_cmds = cmds.n;
		syn.images = images.v;
		syn.nimages = images.n;
		syn.contexts = contexts.v;
		syn.ncontexts = contexts.n;
		char err[1024];
		text = kf_synth_kubefile(&syn, o.context, err, sizeof err);
		if (!text) {
			fprintf(stderr, "kfc %s: %s\n", prog, err);
			goto out;
		}
		if (print_kubefile) {
			fputs(text, stdout);
			status = KF_EXIT_OK;
			goto out;
		}
		kubefile_text = text;
		o.cluster_runtime = o.cluster_runtime_version = o.cri = o.cri_version = NULL;
	}
	/* the build stops on these, within a second, and writes nothing */
	struct sigaction sa = {0};
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	o.interrupted = &interrupted;
	status = run_build(&o, &show, ctxarg, kubefile, kubefile_text);
out:
	free(text);
	kf_vec_free(&lists);
	kf_vec_free(&ignored);
	kf_vec_free(&cmds);
	kf_vec_free(&images);
	kf_vec_free(&contexts);
	kf_vec_free(&tags);
	kf_vec_free(&outs);
	kf_vec_free(&args);
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
