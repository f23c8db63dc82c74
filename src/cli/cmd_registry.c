/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_registry.c - kfc pull (an image from a registry into the local
 * store), kfc login and kfc logout (docs/registries.md). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/imageref.h"
#include "cli/kfc.h"
#include "oci/archive.h"
#include "oci/oci.h"
#include "oci/store.h"
#include "registry/auth.h"
#include "registry/client.h"
#include "registry/mirrors.h"
#include "sema/platform.h"

enum { O_PLATFORM = KF_OPT_LONG, O_TLS, O_JOBS, O_ALL, O_PROGRESS, O_STDIN };

static const kf_opt pull_opts[] = {
	{"platform", O_PLATFORM, "OS/ARCH[/VARIANT]", NULL, KF_COMPLETE_NONE, "the image of an index (default: this machine's)"},
	{"all-platforms", O_ALL, NULL, NULL, KF_COMPLETE_NONE, "every image of an index, the name on the index"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "false: no certificate check, and plain HTTP allowed"},
	{"jobs", O_JOBS, "N", NULL, KF_COMPLETE_NONE, "blobs fetched at once, 1 to 64 (default 4)"},
	{"progress", O_PROGRESS, "MODE", "auto|tty|plain|quiet", KF_COMPLETE_NONE,
	 "one line rewritten (tty), a line per blob (plain)"},
	{"quiet", 'q', NULL, NULL, KF_COMPLETE_NONE, "no progress on standard error"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_pull = {
	"pull", "kfc pull", "pull an image from a registry into the store",
	"usage: kfc pull [OPTION]... NAME[:TAG|@DIGEST]\n"
	"\n"
	"Pulls an image from its registry into the local store (blobs the store has are not fetched)\n"
	"and prints its manifest digest. The platform defaults to this machine's.\n"
	"Exit status: 0 pulled, 1 the pull failed, 2 a usage error, 130 interrupted.\n",
	pull_opts, KF_COMPLETE_NONE, NULL, kf_cmd_pull,
};

bool kf_cli_registries(kf_registries *r, const char *prog)
{
	kf_err e;
	if (kf_registries_load(r, &e))
		return true;
	fprintf(stderr, "%s: %s\n", prog, e.msg);
	return false;
}

typedef struct pull_cli {
	const char *ref, *platform;
	bool tls_verify, quiet, all;
	int jobs;
	kf_transfer_mode progress;
} pull_cli;

/* --jobs=N: 1 to 64 */
static bool parse_jobs(const char *prog, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || v < 1 || v > 64) {
		fprintf(stderr, "%s: --jobs=%s: 1 to 64\n", prog, s);
		return false;
	}
	*out = (int)v;
	return true;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kf_transfer_init(kf_transfer *t, kf_transfer_mode mode, const char *verb)
{
	memset(t, 0, sizeof *t);
	t->quiet = mode == KF_TRANSFER_QUIET;
	t->tty = mode == KF_TRANSFER_TTY || (mode == KF_TRANSFER_AUTO && isatty(STDERR_FILENO));
	t->verb = verb;
	pthread_mutex_init(&t->lock, NULL);
	t->moving = json_object();
	t->start = now_s();
}

void kf_transfer_end(kf_transfer *t)
{
	if (!t->moving)
		return;
	if (t->tty && t->last > 0)
		fputs("\r\033[K", stderr);
	json_decref(t->moving);
	t->moving = NULL;
	pthread_mutex_destroy(&t->lock);
}

void kf_transfer_blob(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished)
{
	kf_transfer *t = ud;
	(void)total;
	if (t->quiet)
		return;
	pthread_mutex_lock(&t->lock);
	if (finished) {
		json_object_del(t->moving, digest);
		t->done += done;
		t->finished++;
		if (!t->tty)
			fprintf(stderr, "%s %.19s %llu bytes\n", t->verb, digest, (unsigned long long)done);
	} else {
		json_object_set_new(t->moving, digest, json_integer((json_int_t)done));
	}
	double now = now_s();
	if (t->tty && (now - t->last >= 0.2 || finished)) {
		uint64_t bytes = t->done;
		const char *k;
		json_t *v;
		json_object_foreach(t->moving, k, v) bytes += (uint64_t)json_integer_value(v);
		double rate = now > t->start ? (double)bytes / (now - t->start) / 1e6 : 0;
		fprintf(stderr, "\r\033[K%s %u blob%s, %.1f MB, %.1f MB/s", t->verb, t->finished,
			t->finished == 1 ? "" : "s", (double)bytes / 1e6, rate);
		t->last = now;
	}
	pthread_mutex_unlock(&t->lock);
}

static bool parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*out = false;
	else
		return false;
	return true;
}

static int pull_args(int argc, char **argv, pull_cli *c)
{
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &kf_command_pull);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1) {
		switch (ch) {
		case O_PLATFORM: c->platform = optarg; break;
		case O_ALL: c->all = true; break;
		case O_PROGRESS:
			if (!kf_transfer_mode_parse(optarg, &c->progress)) {
				fprintf(stderr, "kfc pull: --progress=%s: auto, tty, plain or quiet\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case O_JOBS:
			if (!parse_jobs("kfc pull", optarg, &c->jobs))
				return KF_EXIT_USAGE;
			break;
		case O_TLS:
			if (!parse_bool(optarg, &c->tls_verify)) {
				fprintf(stderr, "kfc pull: --tls-verify=%s: true or false\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case 'q': c->quiet = true; break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		if (argc == optind)
			kf_usage_error(&kf_command_pull, "no image named");
		else
			kf_usage_error(&kf_command_pull, "one image, not %d", argc - optind);
		return KF_EXIT_USAGE;
	}
	c->ref = argv[optind];
	return -1;
}

bool kf_pull_image(kf_store *s, const char *name, const kf_platform_want *want, const kf_pull_how *how,
		   kf_pull_result *r, kf_err *e)
{
	kf_registries regs;
	if (!kf_registries_load(&regs, e))
		return false;
	/* blobs arrive in a folder of this process, which the next one
	 * removes if this one is killed */
	char *tmp = kf_store_mktemp(s, e);
	kf_transfer sh;
	kf_transfer_init(&sh, (kf_transfer_mode)how->progress, "fetched");
	kf_registry_options o = {.tls_verify = how->tls_verify, .progress = kf_transfer_blob, .ud = &sh, .tmpdir = tmp,
				 .registries = &regs, .jobs = how->jobs, .all_platforms = how->all};
	o.interrupted = kf_term_catch_interrupts();
	bool ok = tmp && kf_registry_pull(s->dir, name, want, &o, r, e);
	kf_transfer_end(&sh);
	kf_store_rmtemp(tmp);
	if (ok) {
		json_t *desc = kf_json_descriptor(r->media_type, r->digest, r->size);
		ok = kf_store_tag(s, &name, 1, desc, e);
		json_decref(desc);
	}
	kf_registries_release(&regs);
	return ok;
}

int kf_cmd_pull(int argc, char **argv)
{
	pull_cli c = {NULL, NULL, true, false, false, 0, KF_TRANSFER_AUTO};
	int status = pull_args(argc, argv, &c);
	if (status >= 0)
		return status;
	kf_platform plat;
	if (!kf_platform_parse(c.platform, &plat)) {
		fprintf(stderr, "kfc pull: --platform=%s: expected OS/ARCH[/VARIANT], such as linux/arm64\n", c.platform);
		return KF_EXIT_USAGE;
	}
	kf_err e;
	char *name = kf_store_name(c.ref, &e);
	if (!name) {
		fprintf(stderr, "kfc pull: %s\n", e.msg);
		return KF_EXIT_USAGE;
	}
	kf_store s;
	if (!kf_store_open(&s, false, &e)) {
		fprintf(stderr, "kfc pull: store: %s\n", e.msg);
		free(name);
		return KF_EXIT_PROBLEMS;
	}
	kf_platform_want want = {plat.os, plat.arch, plat.variant};
	kf_pull_how how = {c.tls_verify, c.quiet ? KF_TRANSFER_QUIET : c.progress, c.jobs, c.all};
	kf_pull_result r;
	bool ok = kf_pull_image(&s, name, &want, &how, &r, &e);
	if (ok) {
		if (!c.quiet)
			fprintf(stderr, "pulled %s: %u blob%s fetched (%llu bytes), %u already in the store\n", c.ref,
				r.fetched, r.fetched == 1 ? "" : "s", (unsigned long long)r.bytes, r.present);
		printf("%s\n", r.digest);
	} else {
		fprintf(stderr, "kfc pull: %s\n", e.msg);
	}
	kf_store_close(&s);
	free(name);
	if (!ok && *kf_term_catch_interrupts())
		return KF_EXIT_INTERRUPTED;
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

/* ---- push ------------------------------------------------------------------------------------ */

const kf_opt kf_push_opts[] = {
	{"all", O_ALL, NULL, NULL, KF_COMPLETE_NONE, "a name on an index: every image of it, then the index"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "false: no certificate check, and plain HTTP allowed"},
	{"jobs", O_JOBS, "N", NULL, KF_COMPLETE_NONE, "blobs uploaded at once, 1 to 64 (default 4)"},
	{"quiet", 'q', NULL, NULL, KF_COMPLETE_NONE, "no progress on standard error"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_push = {
	"push", "kfc push", "push an image to a registry or an OCI layout",
	"usage: kfc push [OPTION]... NAME[:TAG] [DEST]\n"
	"\n"
	"Pushes an image of the local store to its registry, or to DEST (a name, docker://NAME,\n"
	"oci:DIR[:TAG] or oci-archive:FILE[:TAG]): the blobs the registry lacks, then the manifest,\n"
	"whose digest stays the same, and prints the digest.\n"
	"Exit status: 0 pushed, 1 the push failed, 2 a usage error, 130 interrupted.\n",
	kf_push_opts, KF_COMPLETE_NONE, NULL, kf_cmd_push,
};

/* Pushes the store's image named name (a store name) to dest (a store
 * name); messages as kfc push prints them. Also for kfc build --push. */
/* Where a push may mount blobs from: for each blob of the store's images
 * named in other repositories of the registry pushed to, the first such
 * repository (digest -> repository). */
typedef struct mounts {
	json_t *map;
} mounts;

static const char *mount_source(void *ud, const char *digest)
{
	return json_string_value(json_object_get(((mounts *)ud)->map, digest));
}

static void find_mounts(const char *store, const char *dest, mounts *m)
{
	m->map = json_object();
	kf_imageref to;
	if (kf_imageref_parse(kf_str_cstr(dest), &to))
		return;
	kf_err e;
	json_t *index = kf_oci_index_read(store, &e);
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *ref = json_string_value(json_object_get(json_object_get(d, "annotations"), KF_ANN_REF));
		kf_imageref r;
		if (!ref || kf_imageref_parse(kf_str_cstr(ref), &r) || !kf_str_eq(r.domain, to.domain) ||
		    kf_str_eq(r.path, to.path))
			continue;
		char *repo = strndup(r.path.ptr, r.path.len);
		json_t *man = kf_oci_read_json(store, json_string_value(json_object_get(d, "digest")), &e);
		size_t k;
		json_t *l;
		json_array_foreach(json_object_get(man, "layers"), k, l) {
			const char *ld = json_string_value(json_object_get(l, "digest"));
			if (ld && !json_object_get(m->map, ld))
				json_object_set_new(m->map, ld, json_string(repo));
		}
		json_decref(man);
		free(repo);
	}
	json_decref(index);
}

int kf_push_image(const char *name, const char *dest, bool tls_verify, bool quiet, bool print_digest, int jobs,
		  bool all)
{
	kf_store s;
	kf_err e;
	if (!kf_store_open(&s, false, &e)) {
		fprintf(stderr, "kfc push: store: %s\n", e.msg);
		return KF_EXIT_PROBLEMS;
	}
	json_t *desc = kf_store_lookup(&s, name, &e);
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	bool ok = desc != NULL;
	if (ok && kf_oci_is_index_type(json_string_value(json_object_get(desc, "mediaType"))) && !all)
		ok = kf_err_set(&e, "'%s' names an index of several images: push them all with --all", name);
	mounts mnt;
	find_mounts(s.dir, dest, &mnt);
	kf_transfer sh;
	kf_transfer_init(&sh, quiet ? KF_TRANSFER_QUIET : KF_TRANSFER_AUTO, "uploaded");
	kf_registry_options o = {.tls_verify = tls_verify, .progress = kf_transfer_blob, .ud = &sh, .jobs = jobs,
				 .mount_source = mount_source, .mount_ud = &mnt};
	/* KFC_UPLOAD_CHUNK_SIZE: bytes a PATCH carries (default 64 MiB) */
	const char *chunk = getenv("KFC_UPLOAD_CHUNK_SIZE");
	if (chunk && strtoull(chunk, NULL, 10) > 0)
		o.chunk_size = strtoull(chunk, NULL, 10);
	o.interrupted = kf_term_catch_interrupts();
	kf_push_result r;
	if (ok)
		ok = kf_registry_push(s.dir, digest, dest, &o, &r, &e);
	kf_transfer_end(&sh);
	if (ok) {
		if (!quiet) {
			char *familiar = kf_imageref_familiar(dest);
			fprintf(stderr, "pushed %s: %u blob%s uploaded (%llu bytes), %u mounted, %u already there\n",
				familiar, r.pushed, r.pushed == 1 ? "" : "s", (unsigned long long)r.bytes, r.mounted,
				r.present);
			free(familiar);
		}
		if (ok && print_digest)
			printf("%s\n", digest);
	}
	json_decref(desc);
	if (!ok)
		fprintf(stderr, "kfc push: %s\n", e.msg);
	json_decref(mnt.map);
	kf_store_close(&s);
	if (!ok && o.interrupted && *o.interrupted)
		return KF_EXIT_INTERRUPTED;
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

/* kfc push NAME oci:DIR[:TAG] | oci-archive:FILE[:TAG] */
static int push_layout(const char *ref, const char *out, bool quiet)
{
	kf_err e;
	char *name = kf_store_name(ref, &e);
	if (!name) {
		fprintf(stderr, "kfc push: %s\n", e.msg);
		return KF_EXIT_USAGE;
	}
	kf_store s;
	if (!kf_store_open(&s, false, &e)) {
		fprintf(stderr, "kfc push: store: %s\n", e.msg);
		free(name);
		return KF_EXIT_PROBLEMS;
	}
	/* an image, or an index with its images */
	char *tmp = NULL;
	json_t *desc = kf_store_lookup(&s, name, &e);
	bool ok = desc && (tmp = kf_store_mktemp(&s, &e)) != NULL;
	if (ok) {
		const char *sl = strrchr(name, '/'), *colon = strrchr(sl ? sl : name, ':');
		kf_layer_options lo = kf_cli_archive_options();
		ok = kf_oci_export(s.dir, desc, out, colon ? colon + 1 : "latest", tmp, &lo, &e);
		if (ok && !quiet)
			fprintf(stderr, "pushed %s to %s\n", ref, out);
		if (ok)
			printf("%s\n", json_string_value(json_object_get(desc, "digest")));
	}
	json_decref(desc);
	if (!ok)
		fprintf(stderr, "kfc push: %s\n", e.msg);
	kf_store_rmtemp(tmp);
	kf_store_close(&s);
	free(name);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

int kf_cmd_push(int argc, char **argv)
{
	bool tls_verify = true, quiet = false, all = false;
	int ch, jobs = 0;
	kf_optparse p;
	kf_opts_begin(&p, &kf_command_push);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1) {
		switch (ch) {
		case O_TLS:
			if (!parse_bool(optarg, &tls_verify)) {
				fprintf(stderr, "kfc push: --tls-verify=%s: true or false\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case O_ALL: all = true; break;
		case O_JOBS:
			if (!parse_jobs("kfc push", optarg, &jobs))
				return KF_EXIT_USAGE;
			break;
		case 'q': quiet = true; break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	if (argc - optind < 1 || argc - optind > 2) {
		if (argc == optind)
			kf_usage_error(&kf_command_push, "no image named");
		else
			kf_usage_error(&kf_command_push, "an image and a destination, not %d words", argc - optind);
		return KF_EXIT_USAGE;
	}
	const char *dest_arg = argc - optind == 2 ? argv[optind + 1] : argv[optind];
	if (strncmp(dest_arg, "docker://", 9) == 0)
		dest_arg += 9;
	kf_err e;
	if (strncmp(dest_arg, "oci:", 4) == 0 || strncmp(dest_arg, "oci-archive:", 12) == 0)
		return push_layout(argv[optind], dest_arg, quiet);
	char *name = kf_store_name(argv[optind], &e);
	char *dest = name ? kf_store_name(dest_arg, &e) : NULL;
	int status = KF_EXIT_USAGE;
	if (!dest)
		fprintf(stderr, "kfc push: %s\n", e.msg);
	else
		status = kf_push_image(name, dest, tls_verify, quiet, true, jobs, all);
	free(name);
	free(dest);
	return status;
}

/* ---- login, logout --------------------------------------------------------------------------- */

static const kf_opt login_opts[] = {
	{"username", 'u', "USER", NULL, KF_COMPLETE_NONE, "the user name"},
	{"password-stdin", O_STDIN, NULL, NULL, KF_COMPLETE_NONE, "read the password from standard input"},
	{"tls-verify", O_TLS, "BOOL", "true|false", KF_COMPLETE_NONE, "check the registry's certificate (default: true)"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_login = {
	"login", "kfc login", "keep a registry's credentials",
	"usage: kfc login -u USER [--password-stdin] [--tls-verify=true|false] REGISTRY\n"
	"\n"
	"Checks the credentials against the registry, then keeps them in the containers\n"
	"auth file ($REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json), mode 0600;\n"
	"the password is read from standard input with --password-stdin, else asked for.\n"
	"Exit status: 0 logged in, 1 the registry refused, 2 a usage error.\n",
	login_opts, KF_COMPLETE_NONE, NULL, kf_cmd_login,
};

const kf_command kf_command_logout = {
	"logout", "kfc logout", "forget a registry's credentials",
	"usage: kfc logout REGISTRY\n"
	"\n"
	"Removes the registry's entry from the containers auth file (kfc login --help).\n"
	"Exit status: 0 logged out, 1 no entry or the file could not be written, 2 a usage error.\n",
	NULL, KF_COMPLETE_NONE, NULL, kf_cmd_logout,
};

/* "https://host:5000/" -> "host:5000", as docker accepts it */
static char *registry_arg(const char *s)
{
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	char *r = strdup(s);
	size_t n = strlen(r);
	while (n && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

static char *read_password(bool from_stdin)
{
	if (!from_stdin) {
		if (!isatty(STDIN_FILENO))
			return NULL;
		char *p = getpass("Password: ");
		return p ? strdup(p) : NULL;
	}
	kf_buf b = KF_BUF_INIT;
	char buf[4096];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, stdin)) > 0 && b.len < 65536)
		kf_buf_add(&b, buf, got);
	while (b.len && (b.ptr[b.len - 1] == '\n' || b.ptr[b.len - 1] == '\r'))
		b.ptr[--b.len] = '\0';
	return kf_buf_detach(&b, NULL);
}

int kf_cmd_login(int argc, char **argv)
{
	const char *user = NULL;
	bool from_stdin = false, tls_verify = true;
	int ch;
	kf_optparse p;
	kf_opts_begin(&p, &kf_command_login);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1) {
		switch (ch) {
		case 'u': user = optarg; break;
		case O_STDIN: from_stdin = true; break;
		case O_TLS:
			if (!parse_bool(optarg, &tls_verify)) {
				fprintf(stderr, "kfc login: --tls-verify=%s: true or false\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	if (argc - optind != 1 || !user) {
		if (!user)
			kf_usage_error(&kf_command_login, "no user: give -u USER");
		else
			kf_usage_error(&kf_command_login, "one registry, not %d", argc - optind);
		return KF_EXIT_USAGE;
	}
	char *password = read_password(from_stdin);
	if (!password || !*password) {
		fprintf(stderr, "kfc login: no password (give it on standard input with --password-stdin)\n");
		free(password);
		return KF_EXIT_USAGE;
	}
	char *registry = registry_arg(argv[optind]);
	kf_registry_options o = {.tls_verify = tls_verify};
	o.interrupted = kf_term_catch_interrupts();
	kf_err e;
	char *path = NULL;
	bool ok = kf_registry_login(registry, user, password, &o, &e) &&
		  kf_creds_store(registry, user, password, &path, &e);
	if (ok)
		fprintf(stderr, "logged in to %s (credentials in %s)\n", registry, path);
	else
		fprintf(stderr, "kfc login: %s\n", e.msg);
	free(path);
	memset(password, 0, strlen(password));
	free(password);
	free(registry);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

int kf_cmd_logout(int argc, char **argv)
{
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &kf_command_logout);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	if (argc - optind != 1) {
		kf_usage_error(&kf_command_logout, "one registry, not %d", argc - optind);
		return KF_EXIT_USAGE;
	}
	char *registry = registry_arg(argv[optind]);
	kf_err e;
	char *path = NULL;
	bool ok = kf_creds_erase(registry, &path, &e);
	if (ok)
		fprintf(stderr, "logged out of %s (%s)\n", registry, path);
	else
		fprintf(stderr, "kfc logout: %s\n", e.msg);
	free(path);
	free(registry);
	return ok ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

bool kf_transfer_mode_parse(const char *s, kf_transfer_mode *out)
{
	static const char *const names[] = {"auto", "tty", "plain", "quiet"}; /* as kf_transfer_mode */
	for (int i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (kf_transfer_mode)i;
			return true;
		}
	return false;
}
