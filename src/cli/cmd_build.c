/* kfc_build.c - kfc build, kfc plan, kfc images, kfc inspect, kfc rmi: thin
 * front ends over build.h, oci.h and store.h. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build/build.h"
#include "cli/kfc.h"
#include "lint/lint.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "build/synth.h"
#include "base/vec.h"

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

/* ---- images, inspect, rmi -------------------------------------------------------------- */

static json_t *open_index(kf_store *s, bool exclusive)
{
	kf_err e;
	if (!kf_store_open(s, exclusive, &e)) {
		fprintf(stderr, "kfc: store: %s\n", e.msg);
		return NULL;
	}
	json_t *index = kf_oci_index_read(s->dir, &e);
	if (!index) {
		fprintf(stderr, "kfc: store: %s\n", e.msg);
		kf_store_close(s);
	}
	return index;
}

int kf_cmd_images(int argc, char **argv)
{
	bool json_out = argc > 1 && strcmp(argv[1], "--format=json") == 0;
	if (argc > 1 && !json_out) {
		fprintf(stderr, "usage: kfc images [--format=json]\n");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	json_t *index = open_index(&s, false);
	if (!index)
		return KF_EXIT_PROBLEMS;
	json_t *list = json_array();
	if (!json_out)
		printf("%-40s %-16s %-19s %-20s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
	size_t i;
	json_t *d;
	json_t *sorted = json_deep_copy(json_object_get(index, "manifests"));
	size_t nm = json_array_size(sorted);
	for (size_t a = 1; a < nm; a++) /* by name */
		for (size_t k = a; k > 0; k--) {
			const char *x = json_string_value(json_object_get(json_object_get(json_array_get(sorted, k - 1), "annotations"), KF_ANN_REF));
			const char *y = json_string_value(json_object_get(json_object_get(json_array_get(sorted, k), "annotations"), KF_ANN_REF));
			if (strcmp(x ? x : "", y ? y : "") <= 0)
				break;
			json_t *t = json_incref(json_array_get(sorted, k - 1));
			json_array_set(sorted, k - 1, json_array_get(sorted, k));
			json_array_set_new(sorted, k, t);
		}
	json_array_foreach(sorted, i, d) {
		const char *ref = json_string_value(json_object_get(json_object_get(d, "annotations"), KF_ANN_REF));
		const char *digest = json_string_value(json_object_get(d, "digest"));
		kf_err e;
		json_t *m = kf_oci_read_json(s.dir, digest, &e);
		uint64_t size = (uint64_t)json_integer_value(json_object_get(json_object_get(m, "config"), "size"));
		size_t k;
		json_t *l;
		json_array_foreach(json_object_get(m, "layers"), k, l) size += (uint64_t)json_integer_value(json_object_get(l, "size"));
		const char *created = json_string_value(json_object_get(json_object_get(m, "annotations"), KF_ANN_CREATED));
		char repo[512] = "<none>", tag[128] = "<none>";
		if (ref) {
			const char *sl = strrchr(ref, '/');
			const char *colon = strrchr(sl ? sl : ref, ':');
			snprintf(repo, sizeof repo, "%.*s", colon ? (int)(colon - ref) : (int)strlen(ref), ref);
			if (colon)
				snprintf(tag, sizeof tag, "%s", colon + 1);
		}
		if (json_out) {
			json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s?,s:I}", "repository", repo, "tag", tag, "digest",
							      digest, "created", created, "size", (json_int_t)size));
		} else {
			char sz[32];
			if (size < 1000000)
				snprintf(sz, sizeof sz, "%.1f kB", size / 1e3);
			else
				snprintf(sz, sizeof sz, "%.1f MB", size / 1e6);
			printf("%-40s %-16s %-19.19s %-20s %s\n", repo, tag, digest + 7, created ? created : "", sz);
		}
		json_decref(m);
	}
	if (json_out) {
		char *t = json_dumps(list, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
	}
	json_decref(list);
	json_decref(sorted);
	json_decref(index);
	kf_store_close(&s);
	return KF_EXIT_OK;
}

/* REF: a store name, or oci:DIR[:TAG] */
static bool load_ref(const char *ref, kf_image *img, char **dir_out)
{
	kf_err e;
	bool ok;
	if (strncmp(ref, "oci:", 4) == 0) {
		char *dir = strdup(ref + 4);
		char *colon = strrchr(dir, ':');
		const char *tag = NULL;
		if (colon && !strchr(colon, '/')) {
			*colon = '\0';
			tag = colon + 1;
		}
		ok = kf_image_load(dir, tag, img, &e);
		*dir_out = dir;
	} else {
		kf_store s;
		if (!kf_store_open(&s, false, &e)) {
			fprintf(stderr, "kfc: store: %s\n", e.msg);
			return false;
		}
		char *r = kf_ref_with_tag(ref);
		ok = kf_image_load(s.dir, r, img, &e);
		free(r);
		*dir_out = strdup(s.dir);
		kf_store_close(&s);
	}
	if (!ok)
		fprintf(stderr, "kfc: %s\n", e.msg);
	return ok;
}

/* The cluster descriptor: what the labels and the extension say about the
 * cluster the image runs (spec §4). */
static json_t *cluster_descriptor(const json_t *cfg, const json_t *ext, const json_t *imgs)
{
	json_t *labels = json_object_get(json_object_get(cfg, "config"), "Labels");
	json_t *d = json_object();
	const char *lv[4];
	const char *keys[] = {"cluster-runtime-type", "cluster-runtime-version", "container-runtime-type",
			      "container-runtime-version"};
	for (int i = 0; i < 4; i++) {
		char key[128];
		snprintf(key, sizeof key, "cluster.alpha.sealer.io/%s", keys[i]);
		lv[i] = json_string_value(json_object_get(labels, key));
	}
	char buf[512];
	if (lv[0] || lv[1]) {
		snprintf(buf, sizeof buf, "%s%s%s", lv[0] ? lv[0] : "?", lv[1] ? " " : "", lv[1] ? lv[1] : "");
		json_object_set_new(d, "runtime", json_string(buf));
	}
	if (lv[2] || lv[3]) {
		snprintf(buf, sizeof buf, "%s%s%s", lv[2] ? lv[2] : "?", lv[3] ? " " : "", lv[3] ? lv[3] : "");
		json_object_set_new(d, "cri", json_string(buf));
	}
	json_t *cni = json_array(), *csi = json_array();
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v) {
		if (strncmp(k, "cluster.alpha.sealer.io/kube-cni-", 33) == 0)
			json_array_append_new(cni, json_string(k + 33));
		else if (strncmp(k, "cluster.alpha.sealer.io/kube-csi-", 33) == 0)
			json_array_append_new(csi, json_string(k + 33));
	}
	json_object_set_new(d, "cni", cni);
	json_object_set_new(d, "csi", csi);
	const char *kv = json_string_value(json_object_get(labels, "app.alpha.sealer.io/supported-kube-version"));
	if (kv)
		json_object_set_new(d, "kubernetes", json_string(kv));
	json_t *start = json_array();
	json_t *launch = json_object_get(ext, "launch");
	size_t i;
	json_array_foreach(json_object_get(launch, "cmds"), i, v) json_array_append(start, v);
	json_array_foreach(json_object_get(launch, "app_names"), i, v) {
		snprintf(buf, sizeof buf, "app %s", json_string_value(v));
		json_array_append_new(start, json_string(buf));
	}
	json_object_set_new(d, "start", start);
	json_t *apps = json_array();
	json_array_foreach(json_object_get(ext, "applications"), i, v) json_array_append(apps, json_object_get(v, "name"));
	json_object_set_new(d, "apps", apps);
	json_t *images = json_array();
	json_array_foreach(imgs, i, v) json_array_append(images, json_object_get(v, "image"));
	json_object_set_new(d, "images", images);
	return d;
}

int kf_cmd_inspect(int argc, char **argv)
{
	bool json_out = false;
	const char *ref = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=json") == 0)
			json_out = true;
		else if (!ref && argv[i][0] != '-')
			ref = argv[i];
		else
			ref = NULL, i = argc;
	}
	if (!ref) {
		fprintf(stderr, "usage: kfc inspect [--format=json] NAME[:TAG]|oci:DIR[:TAG]\n");
		return KF_EXIT_USAGE;
	}
	kf_image img;
	char *dir = NULL;
	if (!load_ref(ref, &img, &dir)) {
		free(dir);
		return KF_EXIT_PROBLEMS;
	}
	json_t *ann = json_object_get(img.manifest, "annotations");
	const char *ext_text = json_string_value(json_object_get(ann, KF_ANN_EXTENSION));
	const char *imgs_text = json_string_value(json_object_get(ann, KF_ANN_IMAGES));
	json_t *ext = ext_text ? json_loads(ext_text, 0, NULL) : NULL;
	json_t *imgs = imgs_text ? json_loads(imgs_text, 0, NULL) : NULL;
	if (json_out) {
		json_t *o = json_pack("{s:s,s:o,s:O,s:O,s:O*,s:O*}", "digest", img.digest, "cluster",
				      cluster_descriptor(img.config, ext, imgs), "manifest", img.manifest, "config",
				      img.config, "extension", ext, "containerImages", imgs);
		char *t = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
		json_decref(o);
	} else {
		json_t *cfg = img.config;
		printf("Image:        %s\n", ref);
		printf("Digest:       %s\n", img.digest);
		printf("Created:      %s\n", json_string_value(json_object_get(cfg, "created")));
		printf("Platform:     %s/%s%s%s\n", json_string_value(json_object_get(cfg, "os")),
		       json_string_value(json_object_get(cfg, "architecture")), json_object_get(cfg, "variant") ? "/" : "",
		       json_object_get(cfg, "variant") ? json_string_value(json_object_get(cfg, "variant")) : "");
		if (ext)
			printf("Type:         %s\n", json_string_value(json_object_get(ext, "type")));
		json_t *labels = json_object_get(json_object_get(cfg, "config"), "Labels");
		const char *k;
		json_t *v;
		json_t *cluster = cluster_descriptor(cfg, ext, imgs);
		printf("Cluster:\n");
		static const char *const rows[][2] = {
			{"runtime", "  Runtime:            "}, {"cri", "  Container runtime:  "},
			{"cni", "  CNI:                "}, {"csi", "  CSI:                "},
			{"kubernetes", "  Kubernetes:         "}, {"start", "  Start:              "},
		};
		for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++) {
			json_t *f = json_object_get(cluster, rows[r][0]);
			printf("%s", rows[r][1]);
			if (json_is_string(f)) {
				printf("%s\n", json_string_value(f));
			} else if (json_array_size(f)) {
				size_t j;
				json_t *x;
				json_array_foreach(f, j, x) printf("%s%s", j ? (r == 5 ? "\n                      " : ", ") : "",
								 json_string_value(x));
				printf("\n");
			} else {
				printf("-\n");
			}
		}
		printf("  Apps:               %zu\n  Container images:   %zu\n", json_array_size(json_object_get(ext, "applications")),
		       json_array_size(imgs));
		json_decref(cluster);
		if (json_object_size(labels)) {
			printf("Labels:\n");
			json_object_foreach(labels, k, v) printf("  %s=%s\n", k, json_string_value(v));
		}
		json_t *env = json_object_get(json_object_get(cfg, "config"), "Env");
		size_t i;
		if (json_array_size(env)) {
			printf("Env:\n");
			json_array_foreach(env, i, v) printf("  %s\n", json_string_value(v));
		}
		json_t *apps = json_object_get(ext, "applications");
		if (json_array_size(apps)) {
			printf("Apps:\n");
			json_array_foreach(apps, i, v) {
				json_t *t = json_object_get(v, "type");
				printf("  %s (%s)", json_string_value(json_object_get(v, "name")), t ? json_string_value(t) : "untyped");
				size_t j;
				json_t *f;
				json_array_foreach(json_object_get(v, "files"), j, f) printf("%s%s", j ? ", " : ": ", json_string_value(f));
				json_t *cmds = json_object_get(v, "cmds");
				json_array_foreach(cmds, j, f) printf("\n    cmds: %s", json_string_value(f));
				printf("\n");
			}
		}
		json_t *launch = json_object_get(ext, "launch");
		if (json_object_size(launch)) {
			printf("Launch:\n");
			json_array_foreach(json_object_get(launch, "app_names"), i, v) printf("  app %s\n", json_string_value(v));
			json_array_foreach(json_object_get(launch, "cmds"), i, v) printf("  cmd %s\n", json_string_value(v));
		}
		if (json_array_size(imgs)) {
			printf("Container images:\n");
			json_array_foreach(imgs, i, v) {
				json_t *app = json_object_get(v, "appName");
				if (app)
					printf("  %s  (app %s)\n", json_string_value(json_object_get(v, "image")),
					       json_string_value(app));
				else
					printf("  %s\n", json_string_value(json_object_get(v, "image")));
			}
		}
		printf("Layers:\n");
		json_t *diffs = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
		json_array_foreach(json_object_get(img.manifest, "layers"), i, v) {
			printf("  %s  %10lld  %s\n", json_string_value(json_object_get(v, "digest")),
			       (long long)json_integer_value(json_object_get(v, "size")),
			       json_string_value(json_array_get(diffs, i)));
		}
		printf("History:\n");
		json_array_foreach(json_object_get(cfg, "history"), i, v) printf(
			"  %s%s\n", json_string_value(json_object_get(v, "created_by")),
			json_is_true(json_object_get(v, "empty_layer")) ? "  (no layer)" : "");
	}
	json_decref(ext);
	json_decref(imgs);
	kf_image_release(&img);
	free(dir);
	return KF_EXIT_OK;
}

typedef struct untag_ctx {
	char **refs;
	size_t n;
	size_t missing;
} untag_ctx;

static bool untag_fn(json_t *index, void *ctx)
{
	untag_ctx *u = ctx;
	for (size_t i = 0; i < u->n; i++)
		if (!kf_oci_index_untag(index, u->refs[i])) {
			fprintf(stderr, "kfc rmi: no image named '%s'\n", u->refs[i]);
			u->missing++;
		} else {
			printf("untagged %s\n", u->refs[i]);
		}
	return true;
}

#define FSCK_USAGE                                                                                  \
	"usage: kfc fsck [--repair]\n"                                                                 \
	"Hashes every blob of the local store against its digest and checks that every image's\n"     \
	"manifest, config and layers are there. --repair removes the blobs whose content is not\n"    \
	"their digest. Exit status: 0 sound, 1 problems found.\n"

int kf_cmd_rmi(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: kfc rmi NAME[:TAG]...\n");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	kf_err e;
	if (!kf_store_open(&s, true, &e)) {
		fprintf(stderr, "kfc rmi: store: %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	untag_ctx u = {calloc((size_t)argc, sizeof(char *)), 0, 0};
	for (int i = 1; i < argc; i++)
		u.refs[u.n++] = kf_ref_with_tag(argv[i]);
	bool ok = kf_store_update_index(&s, untag_fn, &u, &e);
	if (!ok)
		fprintf(stderr, "kfc rmi: store: %s\n", e.msg);
	json_t *index = ok ? kf_oci_index_read(s.dir, &e) : NULL;
	if (index) {
		size_t n = kf_oci_gc(s.dir, index);
		if (n)
			printf("removed %zu unreferenced blob%s\n", n, n == 1 ? "" : "s");
		json_decref(index);
	}
	for (size_t i = 0; i < u.n; i++)
		free(u.refs[i]);
	free(u.refs);
	kf_store_close(&s);
	return !ok ? KF_EXIT_PROBLEMS : u.missing ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
}

static void fsck_line(void *ud, const char *msg)
{
	(void)ud;
	fprintf(stderr, "kfc fsck: %s\n", msg);
}

int kf_cmd_fsck(int argc, char **argv)
{
	bool repair = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--repair") == 0) {
			repair = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(FSCK_USAGE, stdout);
			return KF_EXIT_OK;
		} else {
			fprintf(stderr, "kfc fsck: unrecognized argument '%s'\n%s", argv[i], FSCK_USAGE);
			return KF_EXIT_USAGE;
		}
	}
	kf_store s;
	kf_err e;
	if (!kf_store_open(&s, repair, &e)) {
		fprintf(stderr, "kfc fsck: store: %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	kf_fsck f = {.repair = repair, .report = fsck_line};
	bool ok = kf_store_fsck(&s, &f, &e);
	kf_store_close(&s);
	if (!ok) {
		fprintf(stderr, "kfc fsck: %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	char sz[32];
	if (f.bytes < 1000000)
		snprintf(sz, sizeof sz, "%.1f kB", (double)f.bytes / 1e3);
	else
		snprintf(sz, sizeof sz, "%.1f MB", (double)f.bytes / 1e6);
	printf("%zu blobs verified (%s), %zu images whole; %zu corrupt, %zu missing\n", f.blobs, sz, f.images,
	       f.corrupt, f.missing);
	if (f.removed)
		printf("removed %zu corrupt blob%s: a pull or a build fetches or makes %s again\n", f.removed,
		       f.removed == 1 ? "" : "s", f.removed == 1 ? "it" : "them");
	return f.corrupt || f.missing ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
}
