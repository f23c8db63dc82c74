/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_store.c - kfc images, kfc inspect, kfc rmi, kfc fsck: the local store
 * (store.h) and the images in it or in OCI layouts (oci.h).
 *
 *   kfc images [--format=json]
 *   kfc inspect [--format=json] NAME[:TAG]|oci:DIR[:TAG]
 *   kfc rmi NAME[:TAG]...
 *   kfc fsck [--repair]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/files.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "cli/kfc.h"
#include "oci/archive.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "registry/client.h"
#include "registry/distfs.h"
#include "registry/mirrors.h"
#include "sema/platform.h"

/* n bytes in kB below a megabyte, else in MB */
static void store_size(char *buf, size_t len, uint64_t n)
{
	if (n < 1000000)
		snprintf(buf, len, "%.1f kB", (double)n / 1e3);
	else
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
}

/* Opens the local store; false after "PROG: store: what went wrong" */
static bool store_open(kf_store *s, bool exclusive, const char *prog)
{
	kf_err e;
	if (kf_store_open(s, exclusive, &e))
		return true;
	fprintf(stderr, "%s: store: %s\n", prog, e.msg);
	return false;
}

static json_t *open_index(kf_store *s, bool exclusive)
{
	kf_err e;
	if (!store_open(s, exclusive, "kfc"))
		return NULL;
	json_t *index = kf_oci_index_read(s->dir, &e);
	if (!index) {
		fprintf(stderr, "kfc: store: %s\n", e.msg);
		kf_store_close(s);
	}
	return index;
}

static const kf_opt format_opts[] = {
	{"format", KF_OPT_LONG, "FORMAT", "text|json", KF_COMPLETE_NONE, "a table (text, default) or JSON"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_images = {
	"images", "kfc images", "list the images of the local store",
	"usage: kfc images [--format=text|json]\n"
	"\n"
	"Lists the images of the local store: name, tag, image ID (the manifest digest),\n"
	"creation time and size; JSON: an array of {name, repository, tag, digest, created,\n"
	"size}. Exit status: 0 listed, 1 the store could not be read, 2 a usage error.\n",
	format_opts, KF_COMPLETE_NONE, NULL, kf_cmd_images,
};

/* --format=text|json, the only option of images (no operands) and inspect */
static bool read_format(const kf_command *cmd, const char *arg, bool *json_out)
{
	if (strcmp(arg, "json") != 0 && strcmp(arg, "text") != 0) {
		fprintf(stderr, "%s: --format=%s: text or json\n", cmd->prog, arg);
		return false;
	}
	*json_out = arg[0] == 'j';
	return true;
}

int kf_cmd_images(int argc, char **argv)
{
	bool json_out = false;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_images);
	while ((c = kf_opts_next(&p, argc, argv)) != -1)
		if (c < 0 || !read_format(&kf_command_images, optarg, &json_out))
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	if (optind < argc) {
		kf_usage_error(&kf_command_images, "unexpected operand '%s'", argv[optind]);
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
		char *familiar = ref ? kf_imageref_familiar(ref) : NULL;
		if (familiar) {
			const char *sl = strrchr(familiar, '/');
			const char *colon = strrchr(sl ? sl : familiar, ':');
			snprintf(repo, sizeof repo, "%.*s", colon ? (int)(colon - familiar) : (int)strlen(familiar),
				 familiar);
			if (colon)
				snprintf(tag, sizeof tag, "%s", colon + 1);
		}
		free(familiar);
		if (json_out) {
			json_array_append_new(list, json_pack("{s:s?,s:s,s:s,s:s,s:s?,s:I}", "name", ref, "repository", repo,
							      "tag", tag, "digest", digest, "created", created, "size",
							      (json_int_t)size));
		} else {
			char sz[32];
			store_size(sz, sizeof sz, size);
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

/* What kfc inspect reads a docker:// name with. */
typedef struct remote_opts {
	bool tls_verify;
	const char *platform;
} remote_opts;

/* REF: a store name, oci:DIR[:TAG], or docker://NAME (read from its
 * registry, not pulled) */
static bool load_ref(const char *ref, const remote_opts *ro, kf_image *img, char **dir_out)
{
	kf_err e;
	bool ok;
	if (strncmp(ref, "docker://", 9) == 0) {
		kf_platform plat;
		char *name = kf_platform_parse(ro->platform, &plat) ? kf_store_name(ref + 9, &e) : NULL;
		if (!name && !kf_platform_parse(ro->platform, &plat))
			kf_err_set(&e, "--platform=%s: expected OS/ARCH[/VARIANT]", ro->platform);
		kf_registries regs = {0};
		if (name && !kf_cli_registries(&regs, "kfc inspect")) {
			free(name);
			return false;
		}
		kf_registry_options o = {.tls_verify = ro->tls_verify, .registries = &regs};
		o.interrupted = kf_term_catch_interrupts();
		kf_platform_want want = {plat.os, plat.arch, plat.variant};
		kf_remote_image r;
		ok = name && kf_registry_inspect(name, &want, &o, &r, &e);
		kf_registries_release(&regs);
		if (ok) {
			memset(img, 0, sizeof *img);
			img->manifest = r.manifest;
			img->config = r.config;
			snprintf(img->digest, sizeof img->digest, "%s", r.digest);
			img->size = r.size;
		}
		free(name);
		*dir_out = NULL;
	} else if (strncmp(ref, "oci:", 4) == 0) {
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
		if (!store_open(&s, false, "kfc"))
			return false;
		/* a name on an index: the image of --platform, else this
		 * machine's */
		kf_platform plat;
		char *r = kf_store_name(ref, &e);
		if (r && !kf_platform_parse(ro->platform, &plat)) {
			kf_err_set(&e, "--platform=%s: expected OS/ARCH[/VARIANT]", ro->platform);
			free(r);
			r = NULL;
		}
		kf_platform_want want = {plat.os, plat.arch, plat.variant};
		ok = r && kf_image_load_for(s.dir, r, &want, img, &e);
		free(r);
		*dir_out = strdup(s.dir);
		kf_store_close(&s);
	}
	if (!ok)
		fprintf(stderr, "kfc: %s\n", e.msg);
	return ok;
}

/* The cluster descriptor: what the labels and the extension say about the
 * cluster the image runs (docs/language.md). */
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

/* The container image cache in the image's registry/ (dir: the layout
 * holding its layers; NULL, a remote image: none read): {"images": the
 * tags cached (registry/distfs.h), "missing": the listed images it lacks,
 * "complete"}. */
static json_t *image_cache(const char *dir, const kf_image *img, const json_t *imgs)
{
	if (!dir)
		return NULL;
	KF_VEC(char *) paths = {0};
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(img->manifest, "layers"), i, v)
		kf_vec_push(&paths, kf_oci_blob_path(dir, json_string_value(json_object_get(v, "digest"))));
	json_t *scan = NULL;
	kf_err e;
	json_t *list = kf_distfs_list((const char *const *)paths.v, paths.n, "registry", &scan, &e);
	for (i = 0; i < paths.n; i++)
		free(paths.v[i]);
	kf_vec_free(&paths);
	if (!list) {
		fprintf(stderr, "kfc inspect: the container image cache: %s\n", e.msg);
		return NULL;
	}
	json_t *missing = json_array();
	json_array_foreach(imgs, i, v) {
		const char *name = json_string_value(json_object_get(v, "image"));
		if (name && !kf_distfs_has(scan, name))
			json_array_append_new(missing, json_string(name));
	}
	json_decref(scan);
	return json_pack("{s:o,s:b,s:o}", "images", list, "complete", json_array_size(missing) == 0, "missing", missing);
}

/* kfc inspect's text of the cache */
static void print_cache(const json_t *cache, size_t listed)
{
	json_t *tags = json_object_get(cache, "images");
	json_t *missing = json_object_get(cache, "missing");
	if (!cache || (!json_array_size(tags) && !listed))
		return;
	printf("Container image cache (registry/):\n");
	size_t i, j;
	json_t *t, *im;
	json_array_foreach(tags, i, t) {
		json_array_foreach(json_object_get(t, "images"), j, im) {
			json_t *p = json_object_get(im, "platform");
			char plat[128] = "";
			if (p)
				snprintf(plat, sizeof plat, "  %s/%s%s%s", json_string_value(json_object_get(p, "os")),
					 json_string_value(json_object_get(p, "architecture")),
					 json_object_get(p, "variant") ? "/" : "",
					 json_object_get(p, "variant") ? json_string_value(json_object_get(p, "variant")) : "");
			printf("  %s:%s  %s%s  %lld bytes\n", json_string_value(json_object_get(t, "repository")),
			       json_string_value(json_object_get(t, "tag")), json_string_value(json_object_get(im, "manifest")),
			       plat, (long long)json_integer_value(json_object_get(im, "size")));
		}
	}
	if (!json_array_size(missing)) {
		printf("  complete: every listed image is cached\n");
		return;
	}
	printf("  incomplete: %zu of %zu listed images not cached:\n", json_array_size(missing), listed);
	json_array_foreach(missing, i, t) printf("    %s\n", json_string_value(t));
}

/* kfc inspect's text: the image ref, read from img, its extension ext and
 * its container images imgs (either NULL when the image has none) */
static void print_image(const char *ref, const kf_image *img, const json_t *ext, const json_t *imgs,
			const json_t *cache)
{
	json_t *cfg = img->config;
	printf("Image:        %s\n", ref);
	printf("Digest:       %s\n", img->digest);
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
	print_cache(cache, json_array_size(imgs));
	printf("Layers:\n");
	json_t *diffs = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids");
	json_array_foreach(json_object_get(img->manifest, "layers"), i, v) {
		printf("  %s  %10lld  %s\n", json_string_value(json_object_get(v, "digest")),
		       (long long)json_integer_value(json_object_get(v, "size")),
		       json_string_value(json_array_get(diffs, i)));
	}
	printf("History:\n");
	json_array_foreach(json_object_get(cfg, "history"), i, v) printf(
		"  %s%s\n", json_string_value(json_object_get(v, "created_by")),
		json_is_true(json_object_get(v, "empty_layer")) ? "  (no layer)" : "");
}

enum { O_FORMAT = KF_OPT_LONG, O_TLS, O_PLATFORM };

static const kf_opt inspect_opts[] = {
	{"format", O_FORMAT, "FORMAT", "text|json", KF_COMPLETE_NONE, "text (default) or JSON"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "check the registry's certificate (docker://)"},
	{"platform", O_PLATFORM, "OS/ARCH[/VARIANT]", NULL, KF_COMPLETE_NONE,
	 "the image of an index (default: this machine's)"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_inspect = {
	"inspect", "kfc inspect", "describe an image (store, OCI layout or registry)",
	"usage: kfc inspect [OPTION]... NAME[:TAG]|oci:DIR[:TAG]|docker://NAME[:TAG]\n"
	"\n"
	"Describes an image of the local store, of an OCI layout or of a registry (read, not\n"
	"pulled): its digest, platform, cluster, labels, apps, container images and layers.\n"
	"Exit status: 0 described, 1 no such image or it could not be read, 2 a usage error.\n",
	inspect_opts, KF_COMPLETE_NONE, NULL, kf_cmd_inspect,
};

int kf_cmd_inspect(int argc, char **argv)
{
	bool json_out = false;
	remote_opts ro = {true, NULL};
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_inspect);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case O_FORMAT:
			if (!read_format(&kf_command_inspect, optarg, &json_out))
				return KF_EXIT_USAGE;
			break;
		case O_TLS:
			if (strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0) {
				fprintf(stderr, "kfc inspect: --tls-verify=%s: true or false\n", optarg);
				return KF_EXIT_USAGE;
			}
			ro.tls_verify = optarg[0] == 't';
			break;
		case O_PLATFORM: ro.platform = optarg; break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		if (argc == optind)
			kf_usage_error(&kf_command_inspect, "no image named");
		else
			kf_usage_error(&kf_command_inspect, "one image, not %d", argc - optind);
		return KF_EXIT_USAGE;
	}
	const char *ref = argv[optind];
	kf_image img;
	char *dir = NULL;
	if (!load_ref(ref, &ro, &img, &dir)) {
		free(dir);
		return KF_EXIT_PROBLEMS;
	}
	json_t *ann = json_object_get(img.manifest, "annotations");
	const char *ext_text = json_string_value(json_object_get(ann, KF_ANN_EXTENSION));
	const char *imgs_text = json_string_value(json_object_get(ann, KF_ANN_IMAGES));
	json_t *ext = ext_text ? json_loads(ext_text, 0, NULL) : NULL;
	json_t *imgs = imgs_text ? json_loads(imgs_text, 0, NULL) : NULL;
	json_t *cache = image_cache(dir, &img, imgs);
	if (json_out) {
		json_t *o = json_pack("{s:s,s:o,s:O,s:O,s:O*,s:O*,s:O*}", "digest", img.digest, "cluster",
				      cluster_descriptor(img.config, ext, imgs), "manifest", img.manifest, "config",
				      img.config, "extension", ext, "containerImages", imgs, "imageCache", cache);
		char *t = json_dumps(o, JSON_INDENT(2));
		printf("%s\n", t);
		free(t);
		json_decref(o);
	} else {
		print_image(ref, &img, ext, imgs, cache);
	}
	json_decref(cache);
	json_decref(ext);
	json_decref(imgs);
	kf_image_release(&img);
	free(dir);
	return KF_EXIT_OK;
}

typedef struct untag_ctx {
	char **refs; /* store names */
	size_t n;
	size_t missing;
	bool force; /* a missing name is no error */
} untag_ctx;

static bool untag_fn(json_t *index, void *ctx)
{
	untag_ctx *u = ctx;
	for (size_t i = 0; i < u->n; i++) {
		char *familiar = kf_imageref_familiar(u->refs[i]);
		if (!kf_oci_index_untag(index, u->refs[i])) {
			if (!u->force) {
				fprintf(stderr, "kfc rmi: no image named '%s'\n", familiar);
				u->missing++;
			}
		} else {
			printf("untagged %s\n", familiar);
		}
		free(familiar);
	}
	return true;
}

static const kf_opt rmi_opts[] = {
	{"force", 'f', NULL, NULL, KF_COMPLETE_NONE, "a name not in the store is no error"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_rmi = {
	"rmi", "kfc rmi", "remove images' names from the local store",
	"usage: kfc rmi [-f] NAME[:TAG]...\n"
	"\n"
	"Removes the names from the local store, then the blobs no name needs any more.\n"
	"The store has no containers that could hold an image, so -f only makes a name\n"
	"that is not there no error (as rm -f; podman rmi --ignore).\n"
	"Exit status: 0 removed, 1 a name was not in the store or the store failed,\n"
	"2 a usage error.\n",
	rmi_opts, KF_COMPLETE_NONE, NULL, kf_cmd_rmi,
};

int kf_cmd_rmi(int argc, char **argv)
{
	bool force = false;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_rmi);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		if (c == KF_OPT_HELP)
			return KF_EXIT_OK;
		if (c != 'f')
			return KF_EXIT_USAGE;
		force = true;
	}
	if (optind >= argc) {
		kf_usage_error(&kf_command_rmi, "no image named");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	if (!store_open(&s, true, "kfc rmi"))
		return KF_EXIT_PROBLEMS;
	kf_err e;
	untag_ctx u = {calloc((size_t)argc, sizeof(char *)), 0, 0, force};
	for (int i = optind; i < argc; i++) {
		char *name = kf_store_name(argv[i], &e);
		if (!name) {
			fprintf(stderr, "kfc rmi: %s\n", e.msg);
			u.missing++;
			continue;
		}
		u.refs[u.n++] = name;
	}
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

static const kf_opt fsck_opts[] = {
	{"repair", KF_OPT_LONG, NULL, NULL, KF_COMPLETE_NONE, "remove the blobs whose content is not their digest"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_fsck = {
	"fsck", "kfc fsck", "verify the local store's blobs",
	"usage: kfc fsck [--repair]\n"
	"\n"
	"Hashes every blob of the local store against its digest and checks that every image's\n"
	"manifest, config and layers are there. --repair removes the blobs whose content is not\n"
	"their digest. Exit status: 0 sound, 1 problems found, 2 a usage error.\n",
	fsck_opts, KF_COMPLETE_NONE, NULL, kf_cmd_fsck,
};

int kf_cmd_fsck(int argc, char **argv)
{
	bool repair = false;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_fsck);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		if (c < 0)
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		repair = true;
	}
	if (optind < argc) {
		kf_usage_error(&kf_command_fsck, "unexpected operand '%s'", argv[optind]);
		return KF_EXIT_USAGE;
	}
	kf_store s;
	if (!store_open(&s, repair, "kfc fsck"))
		return KF_EXIT_PROBLEMS;
	kf_err e;
	kf_fsck f = {.repair = repair, .report = fsck_line};
	bool ok = kf_store_fsck(&s, &f, &e);
	kf_store_close(&s);
	if (!ok) {
		fprintf(stderr, "kfc fsck: %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	char sz[32];
	store_size(sz, sizeof sz, f.bytes);
	printf("%zu blobs verified (%s), %zu images whole; %zu corrupt, %zu missing\n", f.blobs, sz, f.images,
	       f.corrupt, f.missing);
	if (f.removed)
		printf("removed %zu corrupt blob%s: a pull or a build fetches or makes %s again\n", f.removed,
		       f.removed == 1 ? "" : "s", f.removed == 1 ? "it" : "them");
	return f.corrupt || f.missing ? KF_EXIT_PROBLEMS : KF_EXIT_OK;
}

const kf_command kf_command_tag = {
	"tag", "kfc tag", "give a stored image more names",
	"usage: kfc tag NAME[:TAG] NEW[:TAG]...\n"
	"\n"
	"Gives a stored image more names (no copy, the same digest).\n"
	"Exit status: 0 tagged, 1 no such image or the store failed, 2 a usage error.\n",
	NULL, KF_COMPLETE_NONE, NULL, kf_cmd_tag,
};

int kf_cmd_tag(int argc, char **argv)
{
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_tag);
	while ((c = kf_opts_next(&p, argc, argv)) != -1)
		return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	if (argc - optind < 2) {
		kf_usage_error(&kf_command_tag, "give the image's name and one new name or more");
		return KF_EXIT_USAGE;
	}
	kf_err e;
	KF_VEC(char *) names = {0};
	char *src = kf_store_name(argv[optind], &e);
	bool ok = src != NULL;
	for (int i = optind + 1; ok && i < argc; i++) {
		char *n = kf_store_name(argv[i], &e);
		ok = n != NULL;
		if (ok)
			kf_vec_push(&names, n);
	}
	if (!ok) {
		fprintf(stderr, "kfc tag: %s\n", e.msg);
	} else {
		kf_store s;
		ok = store_open(&s, false, "kfc tag");
		json_t *desc = ok ? kf_store_lookup(&s, src, &e) : NULL;
		if (ok && !desc) {
			fprintf(stderr, "kfc tag: %s\n", e.msg);
			ok = false;
		} else if (ok) {
			ok = kf_store_tag(&s, (const char *const *)names.v, names.n, desc, &e);
			if (!ok)
				fprintf(stderr, "kfc tag: store: %s\n", e.msg);
		}
		json_decref(desc);
		if (s.dir)
			kf_store_close(&s);
	}
	for (size_t i = 0; i < names.n; i++)
		free(names.v[i]);
	kf_vec_free(&names);
	free(src);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

/* ---- save, load ------------------------------------------------------------------------------ */

static const kf_opt save_opts[] = {
	{"output", 'o', "FILE", NULL, KF_COMPLETE_FILE, "the oci-archive to write"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

static const kf_opt load_opts[] = {
	{"input", 'i', "FILE", NULL, KF_COMPLETE_FILE, "the archive to read"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_save = {
	"save", "kfc save", "write stored images into an oci-archive",
	"usage: kfc save -o FILE NAME[:TAG]...\n"
	"\n"
	"Writes stored images into one oci-archive (one layout, each image under its name).\n"
	"Exit status: 0 written, 1 no such image or a write failed, 2 a usage error.\n",
	save_opts, KF_COMPLETE_NONE, NULL, kf_cmd_save,
};

const kf_command kf_command_load = {
	"load", "kfc load", "read an oci-archive (or docker save's) into the store",
	"usage: kfc load -i FILE\n"
	"\n"
	"Reads an oci-archive, or an archive of docker save, into the local store, every blob\n"
	"checked against its digest, and prints each image's name and digest.\n"
	"Exit status: 0 loaded, 1 the archive could not be read, 2 a usage error.\n",
	load_opts, KF_COMPLETE_NONE, NULL, kf_cmd_load,
};

kf_layer_options kf_cli_archive_options(void)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	return (kf_layer_options){KF_COMPRESS_NONE, 0, 1, sde ? atoll(sde) : 0, (int64_t)time(NULL),
				  kf_term_catch_interrupts(), NULL, NULL};
}

/* the layout of a save or a load, in the store's private folder */
static char *scratch_layout(kf_store *s, char **tmp, kf_err *e)
{
	*tmp = kf_store_mktemp(s, e);
	return *tmp ? kf_path_join(*tmp, "layout") : NULL;
}

/* kfc save -o FILE NAME… / kfc load -i FILE: the options (*file, the
 * operands from optind), then the store opened; -1 to go on, else the
 * status */
static int save_load_start(const kf_command *cmd, int argc, char **argv, const char **file, kf_store *s)
{
	kf_optparse p;
	int c;
	bool save = cmd == &kf_command_save;
	*file = NULL;
	kf_opts_begin(&p, cmd);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		if (c < 0)
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		*file = optarg;
	}
	if (!*file) {
		kf_usage_error(cmd, save ? "no archive named: give -o FILE" : "no archive named: give -i FILE");
		return KF_EXIT_USAGE;
	}
	if (save && optind >= argc) {
		kf_usage_error(cmd, "no image named");
		return KF_EXIT_USAGE;
	}
	if (!save && optind < argc) {
		kf_usage_error(cmd, "unexpected operand '%s'", argv[optind]);
		return KF_EXIT_USAGE;
	}
	return store_open(s, false, cmd->prog) ? -1 : KF_EXIT_PROBLEMS;
}

int kf_cmd_save(int argc, char **argv)
{
	kf_store s;
	const char *file;
	int status = save_load_start(&kf_command_save, argc, argv, &file, &s);
	if (status >= 0)
		return status;
	kf_err e;
	char *tmp = NULL;
	char *dir = scratch_layout(&s, &tmp, &e);
	bool ok = dir && kf_oci_init(dir, &e);
	json_t *index = ok ? kf_oci_index_read(dir, &e) : NULL;
	ok = index != NULL;
	for (int i = optind; ok && i < argc; i++) {
		/* an image, or an index with its images */
		char *name = kf_store_name(argv[i], &e);
		json_t *desc = name ? kf_store_lookup(&s, name, &e) : NULL;
		ok = desc && kf_oci_copy_image(s.dir, dir, desc, false, &e);
		if (ok)
			kf_oci_index_tag(index, name, desc);
		json_decref(desc);
		free(name);
	}
	if (ok)
		ok = kf_oci_index_write(dir, index, &e);
	if (ok) {
		kf_layer_options lo = kf_cli_archive_options();
		ok = kf_oci_archive_write(dir, tmp, file, &lo, &e);
	}
	if (!ok)
		fprintf(stderr, "kfc save: %s\n", e.msg);
	json_decref(index);
	kf_store_rmtemp(tmp);
	free(dir);
	kf_store_close(&s);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

/* The name an archive's image is stored under: its ref name when that is
 * an image name (kfc save, skopeo's oci-archive:FILE:NAME), else (a bare
 * tag, as in oci-archive:FILE:v1) localhost/BASENAME:TAG, as podman names
 * an image it has no name for. */
static char *load_name(const char *ref, const char *file)
{
	if (ref && (strchr(ref, '/') || strchr(ref, ':')))
		return kf_store_name(ref, &(kf_err){0});
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strcspn(base, ".");
	kf_buf b = KF_BUF_INIT;
	kf_buf_adds(&b, "localhost/");
	for (size_t i = 0; i < n; i++) {
		char c = base[i];
		kf_buf_addc(&b, (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
	}
	kf_buf_printf(&b, ":%s", ref && *ref ? ref : "latest");
	char *name = kf_store_name(b.ptr, &(kf_err){0});
	kf_buf_release(&b);
	return name;
}

int kf_cmd_load(int argc, char **argv)
{
	kf_store s;
	const char *file;
	int status = save_load_start(&kf_command_load, argc, argv, &file, &s);
	if (status >= 0)
		return status;
	kf_err e;
	char *tmp = NULL;
	char *dir = scratch_layout(&s, &tmp, &e);
	bool ok = dir && kf_oci_archive_extract(file, dir, &e);
	if (ok) {
		/* docker save's archive: made a layout first */
		char *ix = kf_path_join(dir, "index.json"), *mf = kf_path_join(dir, "manifest.json");
		if (access(ix, F_OK) != 0 && access(mf, F_OK) == 0 && !kf_docker_archive_to_layout(dir, &e)) {
			char msg[sizeof e.msg];
			snprintf(msg, sizeof msg, "%s", e.msg);
			ok = kf_err_set(&e, "%s: %s", file, msg);
		}
		free(ix);
		free(mf);
	}
	json_t *index = ok ? kf_oci_index_read(dir, &e) : NULL;
	ok = index != NULL;
	size_t i, loaded = 0;
	json_t *d;
	json_array_foreach(ok ? json_object_get(index, "manifests") : NULL, i, d) {
		const char *ref = json_string_value(json_object_get(json_object_get(d, "annotations"), KF_ANN_REF));
		char *name = load_name(ref, file);
		const char *digest = json_string_value(json_object_get(d, "digest"));
		json_t *desc = json_pack("{s:O?,s:O?,s:O?}", "mediaType", json_object_get(d, "mediaType"), "digest",
					 json_object_get(d, "digest"), "size", json_object_get(d, "size"));
		ok = kf_oci_check_descriptor(desc, "an image of the archive", &e) &&
		     kf_oci_copy_image(dir, s.dir, desc, true, &e);
		if (ok && !name)
			ok = kf_err_set(&e, "'%s' is no image name", ref ? ref : "");
		if (ok)
			ok = kf_store_tag(&s, (const char *const *)&name, 1, desc, &e);
		if (ok) {
			char *familiar = kf_imageref_familiar(name);
			printf("loaded %s %s\n", familiar, digest);
			free(familiar);
			loaded++;
		}
		json_decref(desc);
		free(name);
		if (!ok)
			break;
	}
	if (ok && !loaded)
		ok = kf_err_set(&e, "%s: no image in the archive", file);
	if (!ok)
		fprintf(stderr, "kfc load: %s\n", e.msg);
	json_decref(index);
	kf_store_rmtemp(tmp);
	free(dir);
	kf_store_close(&s);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}
