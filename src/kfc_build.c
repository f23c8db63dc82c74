/* kfc_build.c - kfc build, kfc plan, kfc images, kfc inspect, kfc rmi: thin
 * front ends over build.h, oci.h and store.h. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "build.h"
#include "kfc.h"
#include "oci.h"
#include "store.h"
#include "vec.h"

static void build_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: kfc %s [-f KUBEFILE] [-t NAME[:TAG]]... [-o oci:DIR[:TAG]|oci-archive:FILE[:TAG]]...\n"
		"                 [--build-arg K=V]... [--platform OS/ARCH[/VARIANT]] [--no-cache]\n"
		"                 [--compression=gzip|zstd|none] [--compression-level=N] [--threads=N]\n"
		"                 [--isolation=auto|bwrap|none] [--progress=auto|tty|plain|quiet]\n"
		"                 [--type=kube-installer|app-installer] [CONTEXT]\n"
		"\n"
		"%s\n"
		"The context defaults to '.', the Kubefile to CONTEXT/Kubefile. Exit status: 0 built,\n"
		"1 an error in the Kubefile or the build, 2 a usage error, 130 interrupted.\n",
		prog,
		strcmp(prog, "plan") == 0
			? "Prints the build plan (JSON) that kfc build would execute."
			: "Builds a ClusterImage into the local store (-t) and the outputs given (-o).\n"
			  "Prints the manifest digest.");
}

int kf_cmd_build(int argc, char **argv, bool plan_only)
{
	const char *prog = plan_only ? "plan" : "build";
	kf_build_options o = {0};
	o.compression = KF_COMPRESS_GZIP;
	KF_VEC(const char *) tags = {0}, outs = {0}, args = {0};
	enum { O_ARG = 256, O_PLATFORM, O_COMP, O_LEVEL, O_NOCACHE, O_ISO, O_PROGRESS, O_TYPE, O_THREADS };
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, status = KF_EXIT_USAGE;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:t:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': o.kubefile = optarg; break;
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
			if (strcmp(optarg, "auto") == 0) o.progress = KF_PROGRESS_AUTO;
			else if (strcmp(optarg, "tty") == 0) o.progress = KF_PROGRESS_TTY;
			else if (strcmp(optarg, "plain") == 0) o.progress = KF_PROGRESS_PLAIN;
			else if (strcmp(optarg, "quiet") == 0) o.progress = KF_PROGRESS_QUIET;
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
	o.context = optind < argc ? argv[optind] : ".";
	o.tags = tags.v;
	o.ntags = tags.n;
	o.outputs = outs.v;
	o.noutputs = outs.n;
	o.build_args = args.v;
	o.nbuild_args = args.n;
	o.plan_only = plan_only;
	if (!plan_only && !tags.n && !outs.n && o.progress != KF_PROGRESS_QUIET)
		fprintf(stderr, "kfc build: note: no -t or -o: the image goes into the store untagged\n");
	status = kf_build(&o);
out:
	kf_vec_free(&tags);
	kf_vec_free(&outs);
	kf_vec_free(&args);
	return status;
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
	const char *ext_text = json_string_value(json_object_get(ann, "sealer.image.extension"));
	const char *imgs_text = json_string_value(json_object_get(ann, "sealer.image.container.images"));
	json_t *ext = ext_text ? json_loads(ext_text, 0, NULL) : NULL;
	json_t *imgs = imgs_text ? json_loads(imgs_text, 0, NULL) : NULL;
	if (json_out) {
		json_t *o = json_pack("{s:s,s:O,s:O,s:O*,s:O*}", "digest", img.digest, "manifest", img.manifest, "config",
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
