/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_manifest.c - kfc manifest: image indexes (manifest lists) in the
 * local store, made of images built or pulled one platform at a time, as
 * buildah manifest and sealos manifest make them (docs/registries.md,
 * "kfc manifest"). An index is a blob of the store like a manifest, its
 * canonical bytes written by kf_oci_put_json; a change writes a new blob
 * and moves the name to it, under the store's index lock. Pushing goes
 * through kfc push (cmd_registry.c), removing through kfc rmi.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/imageref.h"
#include "base/vec.h"
#include "cli/kfc.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "registry/client.h"
#include "registry/mirrors.h"
#include "sema/platform.h"

/* What add and create are told. */
typedef struct add_opts {
	const char *os, *arch, *variant;
	KF_VEC(const char *) annotations; /* K=V */
	bool tls_verify;
} add_opts;

enum { O_OS = KF_OPT_LONG, O_ARCH, O_VARIANT, O_ANN, O_TLS };

/* add's options; the others have --tls-verify only (the last) */
static const kf_opt add_opts_table[] = {
	{"os", O_OS, "OS", NULL, KF_COMPLETE_NONE, "the image's OS (default: its config's)"},
	{"arch", O_ARCH, "ARCH", NULL, KF_COMPLETE_NONE, "its architecture"},
	{"variant", O_VARIANT, "V", NULL, KF_COMPLETE_NONE, "its variant"},
	{"annotation", O_ANN, "K=V", NULL, KF_COMPLETE_NONE, "an annotation of its entry (repeatable)"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "check the registry's certificate (default: true)"},
	{NULL, 0, NULL, NULL, 0, NULL},
};
#define TLS_ONLY (add_opts_table + 4)

static int cmd_create(int argc, char **argv);
static int cmd_add(int argc, char **argv);
static int cmd_remove(int argc, char **argv);
static int cmd_inspect(int argc, char **argv);
static int cmd_push(int argc, char **argv);
static int cmd_rm(int argc, char **argv);

static const kf_command manifest_create = {
	"create", "kfc manifest create", "make an index of images",
	"usage: kfc manifest create [--tls-verify=false] NAME [IMAGE...]\n"
	"\n"
	"Makes an image index under NAME in the local store, of the images given (pulled when\n"
	"the store has not got them), and prints its digest.\n"
	"Exit status: 0 made, 1 NAME exists or an image could not be had, 2 a usage error.\n",
	TLS_ONLY, KF_COMPLETE_NONE, NULL, cmd_create,
};

static const kf_command manifest_add = {
	"add", "kfc manifest add", "put an image in an index",
	"usage: kfc manifest add [OPTION]... NAME IMAGE\n"
	"\n"
	"Puts an image in the index NAME (pulled when it is not in the store), its platform\n"
	"from its config unless --os, --arch, --variant say, in place of an image of the same\n"
	"platform, and prints the index's new digest.\n"
	"Exit status: 0 added, 1 no such index or image, 2 a usage error.\n",
	add_opts_table, KF_COMPLETE_NONE, NULL, cmd_add,
};

static const kf_command manifest_remove = {
	"remove", "kfc manifest remove", "take an image out of an index",
	"usage: kfc manifest remove NAME DIGEST\n"
	"\n"
	"Takes the image of DIGEST out of the index NAME and prints the index's new digest.\n"
	"Exit status: 0 removed, 1 no such index or image in it, 2 a usage error.\n",
	NULL, KF_COMPLETE_NONE, NULL, cmd_remove,
};

static const kf_command manifest_inspect = {
	"inspect", "kfc manifest inspect", "print an index",
	"usage: kfc manifest inspect [--tls-verify=false] NAME|docker://NAME\n"
	"\n"
	"Prints the index (or manifest) NAME of the local store, or of a registry (docker://).\n"
	"Exit status: 0 printed, 1 no such index, 2 a usage error.\n",
	TLS_ONLY, KF_COMPLETE_NONE, NULL, cmd_inspect,
};

static const kf_command manifest_push = {
	"push", "kfc manifest push", "push an index's images, then the index",
	"usage: kfc manifest push [OPTION]... NAME [DEST]\n"
	"\n"
	"Pushes the index's images and then the index (kfc push --all).\n"
	"Exit status: 0 pushed, 1 the push failed, 2 a usage error, 130 interrupted.\n",
	kf_push_opts, KF_COMPLETE_NONE, NULL, cmd_push,
};

static const kf_command manifest_rm = {
	"rm", "kfc manifest rm", "remove indexes",
	"usage: kfc manifest rm NAME...\n"
	"\n"
	"Removes the indexes' names from the local store (kfc rmi of indexes only).\n"
	"Exit status: 0 removed, 1 a name is no index, 2 a usage error.\n",
	NULL, KF_COMPLETE_NONE, NULL, cmd_rm,
};

static const kf_command *const manifest_subs[] = {&manifest_create, &manifest_add, &manifest_remove,
						  &manifest_inspect, &manifest_push, &manifest_rm, NULL};

const kf_command kf_command_manifest = {
	"manifest", "kfc manifest", "image indexes (manifest lists) in the local store",
	"usage: kfc manifest COMMAND [OPTION]... ARG...\n"
	"\n"
	"Image indexes (manifest lists) in the local store, made of images built or pulled one\n"
	"platform at a time, as buildah manifest and sealos manifest make them.\n"
	"'kfc manifest COMMAND --help' describes a command.\n",
	NULL, KF_COMPLETE_NONE, manifest_subs, kf_cmd_manifest,
};

/* No options but --help: -1 to go on (the operands from optind), else the
 * exit status */
static int no_opts(const kf_command *cmd, int argc, char **argv)
{
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, cmd);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	return -1;
}

/* Reads the options of cmd (add's, or --tls-verify only); -1 to go on,
 * else the exit status. */
static int read_opts(const kf_command *cmd, int argc, char **argv, add_opts *a)
{
	const char *prog = cmd->prog;
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, cmd);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1) {
		switch (ch) {
		case O_OS: a->os = optarg; break;
		case O_ARCH: a->arch = optarg; break;
		case O_VARIANT: a->variant = optarg; break;
		case O_ANN:
			if (!strchr(optarg, '=') || optarg[0] == '=') {
				fprintf(stderr, "%s: --annotation %s: expected KEY=VALUE\n", prog, optarg);
				return KF_EXIT_USAGE;
			}
			kf_vec_push(&a->annotations, optarg);
			break;
		case O_TLS:
			if (strcmp(optarg, "true") != 0 && strcmp(optarg, "false") != 0) {
				fprintf(stderr, "%s: --tls-verify=%s: true or false\n", prog, optarg);
				return KF_EXIT_USAGE;
			}
			a->tls_verify = strcmp(optarg, "true") == 0;
			break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	return -1;
}

/* A store name as kfc prints it ("app:v1", not "docker.io/library/app:v1"),
 * in a buffer the next call reuses. */
static const char *fam(const char *name)
{
	static char buf[1024];
	char *f = kf_imageref_familiar(name);
	snprintf(buf, sizeof buf, "%s", f ? f : name);
	free(f);
	return buf;
}

static void say(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *prog, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool is_index(const json_t *desc)
{
	return kf_oci_is_index_type(json_string_value(json_object_get(desc, "mediaType")));
}

/* The store's index named name (a store name); NULL after a message. */
static json_t *find_index(const char *prog, kf_store *s, const char *name)
{
	kf_err e;
	json_t *desc = kf_store_lookup(s, name, &e);
	if (!desc) {
		say(prog, "no index named '%s' in the local store (make one with kfc manifest create)", fam(name));
	} else if (!is_index(desc)) {
		say(prog, "'%s' is an image, not an index (make an index with kfc manifest create)", fam(name));
		json_decref(desc);
		desc = NULL;
	}
	return desc;
}

/* The descriptor of the image arg names, as an entry of an index: its
 * platform from its config unless a says, a's annotations; the image
 * pulled (as a build's FROM is) when the store has not got it. NULL
 * after a message. */
static json_t *image_entry(const char *prog, kf_store *s, const char *arg, const add_opts *a)
{
	kf_err e;
	char *name = kf_store_name(arg, &e);
	if (!name) {
		fprintf(stderr, "%s: %s\n", prog, e.msg);
		return NULL;
	}
	json_t *desc = kf_store_lookup(s, name, &e);
	if (!desc) {
		kf_platform host;
		kf_platform_parse(NULL, &host);
		kf_platform_want want = {a->os ? a->os : host.os, a->arch ? a->arch : host.arch,
					 a->variant ? a->variant : a->arch ? "" : host.variant};
		kf_pull_how how = {a->tls_verify, KF_TRANSFER_QUIET, 0, false};
		kf_pull_result r;
		if (kf_pull_image(s, name, &want, &how, &r, &e))
			desc = kf_store_lookup(s, name, &e);
		else
			say(prog, "'%s' is not in the local store, and pulling it failed: %s", fam(name), e.msg);
	}
	if (desc && is_index(desc)) {
		say(prog, "'%s' is an image index, not an image: add its images one by one", fam(name));
		json_decref(desc);
		desc = NULL;
	}
	kf_image img = {0};
	if (desc && !kf_image_load(s->dir, name, &img, &e)) {
		say(prog, "'%s' is not an image: %s", fam(name), e.msg);
		json_decref(desc);
		desc = NULL;
	}
	free(name);
	if (!desc)
		return NULL;
	json_t *cfg = img.config;
	const char *os = a->os ? a->os : json_string_value(json_object_get(cfg, "os"));
	const char *arch = a->arch ? a->arch : json_string_value(json_object_get(cfg, "architecture"));
	const char *variant = a->variant ? a->variant : a->arch ? NULL : json_string_value(json_object_get(cfg, "variant"));
	json_t *entry = NULL;
	if (!os || !arch) {
		fprintf(stderr, "%s: %s: its config names no platform: give --os and --arch\n", prog, arg);
	} else {
		json_t *plat = json_pack("{s:s,s:s}", "os", os, "architecture", arch);
		if (variant && *variant)
			json_object_set_new(plat, "variant", json_string(variant));
		entry = json_pack("{s:O,s:O,s:O,s:o}", "mediaType", json_object_get(desc, "mediaType"), "digest",
				  json_object_get(desc, "digest"), "size", json_object_get(desc, "size"), "platform", plat);
		if (a->annotations.n) {
			json_t *ann = json_object();
			for (size_t i = 0; i < a->annotations.n; i++) {
				const char *kv = a->annotations.v[i];
				char *k = strndup(kv, (size_t)(strchr(kv, '=') - kv));
				json_object_set_new(ann, k, json_string(strchr(kv, '=') + 1));
				free(k);
			}
			json_object_set_new(entry, "annotations", ann);
		}
	}
	kf_image_release(&img);
	json_decref(desc);
	return entry;
}

static kf_platform_want entry_platform(const json_t *e)
{
	const json_t *p = json_object_get(e, "platform");
	return (kf_platform_want){json_string_value(json_object_get(p, "os")),
				  json_string_value(json_object_get(p, "architecture")),
				  json_string_value(json_object_get(p, "variant"))};
}

/* entry into the index doc, in place of the images of its digest or its
 * platform (the first of them; the others go) */
static void put_entry(json_t *doc, const json_t *entry)
{
	json_t *arr = json_object_get(doc, "manifests");
	kf_platform_want want = entry_platform(entry);
	const char *digest = json_string_value(json_object_get(entry, "digest"));
	bool placed = false;
	for (size_t i = 0; i < json_array_size(arr);) {
		json_t *e = json_array_get(arr, i);
		kf_platform_want have = entry_platform(e);
		const char *d = json_string_value(json_object_get(e, "digest"));
		if (!(d && strcmp(d, digest) == 0) && !kf_oci_platform_same(&have, &want)) {
			i++;
		} else if (!placed) {
			json_array_set(arr, i++, (json_t *)entry);
			placed = true;
		} else {
			json_array_remove(arr, i);
		}
	}
	if (!placed)
		json_array_append(arr, (json_t *)entry);
}

/* ---- one change of an index, under the store's index lock ------------------------------------- */

typedef struct change {
	const char *prog;
	const char *name;       /* a store name */
	const json_t *entry;    /* add: the image's entry */
	const char *remove;     /* remove: the digest */
	kf_store *s;
	bool failed;
	char digest[KF_DIGEST_LEN + 1]; /* the new index's */
} change;

static bool change_fn(json_t *index, void *ctx)
{
	change *c = ctx;
	c->failed = true;
	const json_t *desc = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *ref = json_string_value(json_object_get(json_object_get(d, "annotations"), KF_ANN_REF));
		if (ref && strcmp(ref, c->name) == 0)
			desc = d;
	}
	if (!desc || !is_index(desc)) { /* gone since it was looked up */
		say(c->prog, "no index named '%s' in the local store (make one with kfc manifest create)", fam(c->name));
		return false;
	}
	kf_err e;
	json_t *doc = kf_oci_read_json(c->s->dir, json_string_value(json_object_get(desc, "digest")), &e);
	if (!doc || !json_is_array(json_object_get(doc, "manifests"))) {
		fprintf(stderr, "%s: %s\n", c->prog, doc ? "the index has no \"manifests\" array" : e.msg);
		json_decref(doc);
		return false;
	}
	bool ok = true;
	if (c->entry) {
		put_entry(doc, c->entry);
	} else {
		json_t *arr = json_object_get(doc, "manifests");
		size_t before = json_array_size(arr);
		for (size_t k = 0; k < json_array_size(arr);) {
			const char *dg = json_string_value(json_object_get(json_array_get(arr, k), "digest"));
			if (dg && strcmp(dg, c->remove) == 0)
				json_array_remove(arr, k);
			else
				k++;
		}
		if (json_array_size(arr) == before) {
			say(c->prog, "the index '%s' has no image %s", fam(c->name), c->remove);
			ok = false;
		}
	}
	json_t *nd = NULL;
	if (ok && !kf_oci_put_json(c->s->dir, doc, json_string_value(json_object_get(desc, "mediaType")), &nd, &e)) {
		fprintf(stderr, "%s: store: %s\n", c->prog, e.msg);
		ok = false;
	}
	if (ok) {
		snprintf(c->digest, sizeof c->digest, "%s", json_string_value(json_object_get(nd, "digest")));
		kf_oci_index_tag(index, c->name, nd);
		c->failed = false;
	}
	json_decref(nd);
	json_decref(doc);
	return ok;
}

/* Applies c; prints the new digest. Returns the exit status. */
static int apply(change *c)
{
	kf_err e;
	if (!kf_store_update_index(c->s, change_fn, c, &e)) {
		fprintf(stderr, "%s: store: %s\n", c->prog, e.msg);
		return KF_EXIT_PROBLEMS;
	}
	if (c->failed)
		return KF_EXIT_PROBLEMS;
	printf("%s\n", c->digest);
	return KF_EXIT_OK;
}

/* ---- the subcommands --------------------------------------------------------------------------- */

/* Opens the store and makes argv[first] a store name; false after a
 * message */
static bool start(const char *prog, kf_store *s, const char *arg, char **name)
{
	kf_err e;
	*name = kf_store_name(arg, &e);
	if (!*name) {
		fprintf(stderr, "%s: %s\n", prog, e.msg);
		return false;
	}
	if (!kf_store_open(s, false, &e)) {
		fprintf(stderr, "%s: store: %s\n", prog, e.msg);
		free(*name);
		*name = NULL;
		return false;
	}
	return true;
}

static int cmd_create(int argc, char **argv)
{
	const char *prog = "kfc manifest create";
	add_opts a = {.tls_verify = true};
	int status = read_opts(&manifest_create, argc, argv, &a);
	if (status >= 0)
		return status;
	if (argc - optind < 1) {
		kf_usage_error(&manifest_create, "no index named");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	char *name;
	if (!start(prog, &s, argv[optind], &name))
		return KF_EXIT_PROBLEMS;
	kf_err e;
	json_t *old = kf_store_lookup(&s, name, &e);
	json_t *doc = json_pack("{s:i,s:s,s:[]}", "schemaVersion", 2, "mediaType", KF_MT_INDEX, "manifests");
	status = KF_EXIT_OK;
	if (old) {
		say(prog, "'%s' exists already: add to it with kfc manifest add, or remove it with kfc manifest rm", fam(name));
		status = KF_EXIT_PROBLEMS;
	}
	for (int i = optind + 1; status == KF_EXIT_OK && i < argc; i++) {
		json_t *entry = image_entry(prog, &s, argv[i], &a);
		if (entry)
			put_entry(doc, entry);
		else
			status = KF_EXIT_PROBLEMS;
		json_decref(entry);
	}
	json_t *desc = NULL;
	if (status == KF_EXIT_OK &&
	    !(kf_oci_put_json(s.dir, doc, KF_MT_INDEX, &desc, &e) && kf_store_tag(&s, (const char *const *)&name, 1, desc, &e))) {
		fprintf(stderr, "%s: store: %s\n", prog, e.msg);
		status = KF_EXIT_PROBLEMS;
	}
	if (status == KF_EXIT_OK)
		printf("%s\n", json_string_value(json_object_get(desc, "digest")));
	json_decref(desc);
	json_decref(doc);
	json_decref(old);
	kf_store_close(&s);
	free(name);
	kf_vec_free(&a.annotations);
	return status;
}

static int cmd_add(int argc, char **argv)
{
	const char *prog = "kfc manifest add";
	add_opts a = {.tls_verify = true};
	int status = read_opts(&manifest_add, argc, argv, &a);
	if (status < 0 && argc - optind != 2) {
		kf_usage_error(&manifest_add, "give the index's name and an image");
		status = KF_EXIT_USAGE;
	}
	if (status >= 0) {
		kf_vec_free(&a.annotations);
		return status;
	}
	kf_store s;
	char *name;
	if (!start(prog, &s, argv[optind], &name)) {
		kf_vec_free(&a.annotations);
		return KF_EXIT_PROBLEMS;
	}
	json_t *desc = find_index(prog, &s, name);
	json_t *entry = desc ? image_entry(prog, &s, argv[optind + 1], &a) : NULL;
	status = KF_EXIT_PROBLEMS;
	if (entry) {
		change c = {.prog = prog, .name = name, .entry = entry, .s = &s};
		status = apply(&c);
	}
	json_decref(entry);
	json_decref(desc);
	kf_store_close(&s);
	free(name);
	kf_vec_free(&a.annotations);
	return status;
}

static int cmd_remove(int argc, char **argv)
{
	const char *prog = "kfc manifest remove";
	int status = no_opts(&manifest_remove, argc, argv);
	if (status >= 0)
		return status;
	if (argc - optind != 2) {
		kf_usage_error(&manifest_remove, "give the index's name and a digest");
		return KF_EXIT_USAGE;
	}
	argv += optind - 1;
	if (!kf_digest_valid(argv[2])) {
		fprintf(stderr, "%s: '%s' is not a digest (sha256: and 64 lowercase hex digits)\n", prog, argv[2]);
		return KF_EXIT_USAGE;
	}
	kf_store s;
	char *name;
	if (!start(prog, &s, argv[1], &name))
		return KF_EXIT_PROBLEMS;
	json_t *desc = find_index(prog, &s, name);
	status = KF_EXIT_PROBLEMS;
	if (desc) {
		change c = {.prog = prog, .name = name, .remove = argv[2], .s = &s};
		status = apply(&c);
	}
	json_decref(desc);
	kf_store_close(&s);
	free(name);
	return status;
}

/* The JSON as buildah prints it: four spaces an indent */
static void print_pretty(const json_t *doc)
{
	char *t = json_dumps(doc, JSON_INDENT(4));
	printf("%s\n", t);
	free(t);
}

static int cmd_inspect(int argc, char **argv)
{
	const char *prog = "kfc manifest inspect";
	add_opts a = {.tls_verify = true};
	int status = read_opts(&manifest_inspect, argc, argv, &a);
	if (status >= 0)
		return status;
	if (argc - optind != 1) {
		kf_usage_error(&manifest_inspect, "one index, not %d", argc - optind);
		return KF_EXIT_USAGE;
	}
	const char *ref = argv[optind];
	kf_err e;
	json_t *doc = NULL;
	if (strncmp(ref, "docker://", 9) == 0) {
		char *name = kf_store_name(ref + 9, &e);
		kf_registries regs = {0};
		if (!name) {
			fprintf(stderr, "%s: %s\n", prog, e.msg);
			return KF_EXIT_USAGE;
		}
		if (!kf_cli_registries(&regs, prog)) {
			free(name);
			return KF_EXIT_PROBLEMS;
		}
		kf_registry_options o = {.tls_verify = a.tls_verify, .registries = &regs};
		o.interrupted = kf_term_catch_interrupts();
		char *body = NULL;
		size_t len = 0;
		if (kf_registry_manifest(name, &o, &body, &len, &e))
			doc = json_loadb(body, len, 0, NULL);
		else
			fprintf(stderr, "%s: %s\n", prog, e.msg);
		free(body);
		free(name);
		kf_registries_release(&regs);
	} else {
		kf_store s;
		char *name;
		if (!start(prog, &s, ref, &name))
			return KF_EXIT_PROBLEMS;
		json_t *desc = kf_store_lookup(&s, name, &e);
		if (!desc)
			say(prog, "no index or image named '%s' in the local store", fam(name));
		else if (!(doc = kf_oci_read_json(s.dir, json_string_value(json_object_get(desc, "digest")), &e)))
			fprintf(stderr, "%s: %s\n", prog, e.msg);
		json_decref(desc);
		kf_store_close(&s);
		free(name);
	}
	if (doc)
		print_pretty(doc);
	status = doc ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
	json_decref(doc);
	return status;
}

/* kfc push --all: the images, then the index */
static int cmd_push(int argc, char **argv)
{
	/* its help and its usage errors are its own */
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &manifest_push);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		if (ch < 0)
			return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	char **args = calloc((size_t)argc + 2, sizeof *args);
	if (!args)
		abort();
	args[0] = (char *)"push";
	args[1] = (char *)"--all";
	for (int i = 1; i < argc; i++)
		args[i + 1] = argv[i];
	int status = kf_cmd_push(argc + 1, args);
	free(args);
	return status;
}

/* kfc rmi of indexes only */
static int cmd_rm(int argc, char **argv)
{
	const char *prog = "kfc manifest rm";
	int status = no_opts(&manifest_rm, argc, argv);
	if (status >= 0)
		return status;
	if (optind >= argc) {
		kf_usage_error(&manifest_rm, "no index named");
		return KF_EXIT_USAGE;
	}
	argc -= optind - 1;
	argv += optind - 1;
	bool ok = true;
	for (int i = 1; ok && i < argc; i++) {
		kf_store s = {0};
		char *name = NULL;
		ok = start(prog, &s, argv[i], &name);
		json_t *desc = ok ? find_index(prog, &s, name) : NULL;
		ok = desc != NULL;
		json_decref(desc);
		if (s.dir)
			kf_store_close(&s);
		free(name);
	}
	if (!ok)
		return KF_EXIT_PROBLEMS;
	argv[0] = (char *)"rmi";
	return kf_cmd_rmi(argc, argv);
}

int kf_cmd_manifest(int argc, char **argv)
{
	return kf_opts_dispatch(&kf_command_manifest, argc, argv);
}
