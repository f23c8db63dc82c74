/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_cache.c - kfc cache ls|prune: the local store's step cache, as
 * `docker builder du` and `docker builder prune` show and trim BuildKit's
 * (docs/build.md, "The local cache: kfc cache"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/vec.h"
#include "cli/kfc.h"
#include "cli/opts.h"
#include "oci/oci.h"
#include "oci/store.h"

/* One record. */
typedef struct rec {
	char key[80];
	int64_t used;
	const char *kind; /* layer, no layer, link, facts */
	char layer[80];   /* its layer's digest, or "" */
	uint64_t size;    /* the layer's, when the store has it */
	bool drop;
} rec;

typedef struct recs {
	KF_VEC(rec) v;
	const char *store;
} recs;

static bool collect(void *ud, const char *key, const json_t *j, int64_t used)
{
	recs *r = ud;
	rec x = {.used = used, .kind = "facts"};
	snprintf(x.key, sizeof x.key, "%s", key);
	json_t *layer = json_object_get(j, "layer");
	if (json_is_null(layer)) {
		x.kind = "no layer";
	} else if (layer) {
		x.kind = "layer";
		const char *d = json_string_value(json_object_get(layer, "digest"));
		uint64_t size = (uint64_t)json_integer_value(json_object_get(layer, "size"));
		if (d && kf_digest_valid(d)) {
			snprintf(x.layer, sizeof x.layer, "%s", d);
			x.size = kf_oci_has_blob(r->store, d, size) ? size : 0;
		}
	} else if (json_object_get(j, "content_key")) {
		x.kind = "link";
	}
	kf_vec_push(&r->v, x);
	return true;
}

/* The layers' bytes, each once, of the records not dropped */
static uint64_t layer_bytes(const recs *r)
{
	json_t *seen = json_object();
	uint64_t n = 0;
	for (size_t i = 0; i < r->v.n; i++) {
		const rec *x = &r->v.v[i];
		if (x->drop || !x->layer[0] || json_object_get(seen, x->layer))
			continue;
		json_object_set_new(seen, x->layer, json_true());
		n += x->size;
	}
	json_decref(seen);
	return n;
}

static void age(int64_t secs, char *out, size_t n)
{
	if (secs < 0)
		secs = 0;
	if (secs < 120)
		snprintf(out, n, "%llds ago", (long long)secs);
	else if (secs < 7200)
		snprintf(out, n, "%lldm ago", (long long)(secs / 60));
	else if (secs < 172800)
		snprintf(out, n, "%lldh ago", (long long)(secs / 3600));
	else
		snprintf(out, n, "%lldd ago", (long long)(secs / 86400));
}

static bool load(kf_store *s, bool exclusive, recs *r, const char *prog)
{
	kf_err e;
	if (!kf_store_open(s, exclusive, &e)) {
		fprintf(stderr, "%s: store: %s\n", prog, e.msg);
		return false;
	}
	r->store = s->dir;
	if (!kf_store_cache_each(s, collect, r, &e)) {
		fprintf(stderr, "%s: store: %s\n", prog, e.msg);
		kf_store_close(s);
		return false;
	}
	return true;
}

enum { O_FORMAT = KF_OPT_LONG, O_KEEP, O_FILTER, O_ALL };

static const kf_opt ls_opts[] = {
	{"format", O_FORMAT, "FORMAT", "text|json", KF_COMPLETE_NONE, "a table (text, default) or a JSON array"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

static const kf_opt prune_opts[] = {
	{"keep-storage", O_KEEP, "SIZE", NULL, KF_COMPLETE_NONE,
	 "remove the least recently used until the rest take at most SIZE (500M, 10G)"},
	{"filter", O_FILTER, "until=DURATION", NULL, KF_COMPLETE_NONE, "remove those not used for DURATION (24h, 90m)"},
	{"force", 'f', NULL, NULL, KF_COMPLETE_NONE, "accepted: prune does not ask"},
	{"all", 'a', NULL, NULL, KF_COMPLETE_NONE, "accepted: every record is a build cache record"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

static int cache_ls(int argc, char **argv);
static int cache_prune(int argc, char **argv);

static const kf_command cache_ls_command = {
	"ls", "kfc cache ls", "list the step cache's records",
	"usage: kfc cache ls [--format=text|json]\n"
	"\n"
	"Lists the records of the local store's build cache (one per step key): what each holds,\n"
	"its layer's size and when a build last used it.\n"
	"Exit status: 0 listed, 1 the store cannot be read, 2 a usage error.\n",
	ls_opts, KF_COMPLETE_NONE, NULL, cache_ls,
};

static const kf_command cache_prune_command = {
	"prune", "kfc cache prune", "remove step cache records and the blobs only they reached",
	"usage: kfc cache prune [--keep-storage SIZE] [--filter until=DURATION] [-f]\n"
	"\n"
	"Removes records of the local store's build cache: all of them, those not used for\n"
	"DURATION (90m, 24h, 1h30m), or the least recently used until the layers of the others\n"
	"take at most SIZE (500M, 10G); then the blobs that neither a record nor a tagged image\n"
	"reaches, as docker builder prune does.\n"
	"Exit status: 0 pruned, 1 the store cannot be read, 2 a usage error.\n",
	prune_opts, KF_COMPLETE_NONE, NULL, cache_prune,
};

static const kf_command *const cache_subs[] = {&cache_ls_command, &cache_prune_command, NULL};

const kf_command kf_command_cache = {
	"cache", "kfc cache", "the local step cache: list, prune",
	"usage: kfc cache ls|prune [OPTION]...\n"
	"\n"
	"The local store's build cache, as docker builder du and prune show and trim BuildKit's\n"
	"(docs/build.md, The local cache). 'kfc cache COMMAND --help' describes a command.\n",
	NULL, KF_COMPLETE_NONE, cache_subs, kf_cmd_cache,
};

static int cache_ls(int argc, char **argv)
{
	bool json_out = false;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &cache_ls_command);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		if (c != O_FORMAT)
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		if (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0) {
			json_out = optarg[0] == 'j';
		} else {
			fprintf(stderr, "kfc cache ls: unknown format '%s' (text or json)\n", optarg);
			return KF_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kf_usage_error(&cache_ls_command, "no operand expected");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	recs r = {0};
	if (!load(&s, false, &r, "kfc cache ls"))
		return KF_EXIT_PROBLEMS;
	int64_t now = (int64_t)time(NULL);
	if (json_out) {
		json_t *a = json_array();
		for (size_t i = 0; i < r.v.n; i++) {
			rec *x = &r.v.v[i];
			json_t *o = json_pack("{s:s,s:s,s:I}", "key", x->key, "kind", x->kind, "used", (json_int_t)x->used);
			if (x->layer[0]) {
				json_object_set_new(o, "layer", json_string(x->layer));
				json_object_set_new(o, "size", json_integer((json_int_t)x->size));
			}
			json_array_append_new(a, o);
		}
		json_t *doc = json_pack("{s:o,s:I}", "records", a, "layerBytes", (json_int_t)layer_bytes(&r));
		char *text = json_dumps(doc, JSON_INDENT(2));
		printf("%s\n", text);
		free(text);
		json_decref(doc);
	} else {
		printf("%-14s %-9s %-14s %12s  %s\n", "KEY", "KIND", "LAYER", "SIZE", "LAST USED");
		for (size_t i = 0; i < r.v.n; i++) {
			rec *x = &r.v.v[i];
			char when[32], size[24] = "-";
			age(now - x->used, when, sizeof when);
			if (x->layer[0])
				snprintf(size, sizeof size, "%llu", (unsigned long long)x->size);
			printf("%-14.14s %-9s %-14.14s %12s  %s\n", x->key + 7, x->kind, x->layer[0] ? x->layer + 7 : "-",
			       size, when);
		}
		printf("%zu record%s; their layers: %llu bytes\n", r.v.n, r.v.n == 1 ? "" : "s",
		       (unsigned long long)layer_bytes(&r));
	}
	kf_vec_free(&r.v);
	kf_store_close(&s);
	return KF_EXIT_OK;
}

/* DURATION: Go's, of h, m, s (and ms, us, ns, which round down): 24h, 1h30m */
static bool parse_duration(const char *s, int64_t *secs)
{
	double total = 0;
	if (!*s)
		return false;
	while (*s) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (end == s || errno || v < 0 || *s == '+' || *s == '-')
			return false;
		s = end;
		double unit;
		if (strncmp(s, "ns", 2) == 0)
			unit = 1e-9, s += 2;
		else if (strncmp(s, "us", 2) == 0 || strncmp(s, "\xc2\xb5s", 3) == 0)
			unit = 1e-6, s += *s == 'u' ? 2 : 3;
		else if (strncmp(s, "ms", 2) == 0)
			unit = 1e-3, s += 2;
		else if (*s == 's')
			unit = 1, s++;
		else if (*s == 'm')
			unit = 60, s++;
		else if (*s == 'h')
			unit = 3600, s++;
		else
			return false;
		total += v * unit;
	}
	if (total > 9.2e15)
		return false;
	*secs = (int64_t)total;
	return true;
}

static int cmp_used(const void *a, const void *b)
{
	const rec *x = *(rec *const *)a, *y = *(rec *const *)b;
	return x->used < y->used ? -1 : x->used > y->used ? 1 : strcmp(x->key, y->key);
}

static int cache_prune(int argc, char **argv)
{
	bool have_keep = false, have_until = false;
	uint64_t keep = 0;
	int64_t until = 0;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &cache_prune_command);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case 'f':
		case 'a':
			break;
		case O_KEEP:
			if (!kf_parse_size(optarg, &keep)) {
				fprintf(stderr, "kfc cache prune: --keep-storage %s: give a size, such as 500M or 10G\n", optarg);
				return KF_EXIT_USAGE;
			}
			have_keep = true;
			break;
		case O_FILTER:
			if (strncmp(optarg, "until=", 6) != 0 || !parse_duration(optarg + 6, &until)) {
				fprintf(stderr, "kfc cache prune: --filter %s: give until=DURATION, such as until=24h\n", optarg);
				return KF_EXIT_USAGE;
			}
			have_until = true;
			break;
		default:
			return c == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kf_usage_error(&cache_prune_command, "no operand expected");
		return KF_EXIT_USAGE;
	}
	kf_store s;
	recs r = {0};
	if (!load(&s, true, &r, "kfc cache prune"))
		return KF_EXIT_PROBLEMS;
	int64_t now = (int64_t)time(NULL);
	uint64_t before = layer_bytes(&r);
	for (size_t i = 0; i < r.v.n; i++) {
		rec *x = &r.v.v[i];
		x->drop = (!have_keep && !have_until) || (have_until && now - x->used > until);
	}
	if (have_keep) {
		/* the least recently used first, until the rest fit */
		KF_VEC(rec *) order = {0};
		for (size_t i = 0; i < r.v.n; i++)
			if (!r.v.v[i].drop)
				kf_vec_push(&order, &r.v.v[i]);
		qsort(order.v, order.n, sizeof *order.v, cmp_used);
		for (size_t i = 0; i < order.n && layer_bytes(&r) > keep; i++)
			order.v[i]->drop = true;
		kf_vec_free(&order);
	}
	size_t removed = 0;
	for (size_t i = 0; i < r.v.n; i++)
		if (r.v.v[i].drop && kf_store_cache_remove(&s, r.v.v[i].key))
			removed++;
	/* the blobs that neither the index nor a record kept reaches */
	kf_err e;
	json_t *index = kf_oci_index_read(s.dir, &e);
	size_t blobs = 0;
	if (index) {
		json_t *ms = json_object_get(index, "manifests");
		for (size_t i = 0; i < r.v.n; i++)
			if (!r.v.v[i].drop && r.v.v[i].layer[0])
				json_array_append_new(ms, json_pack("{s:s,s:s}", "mediaType",
								    "application/vnd.oci.image.layer.v1.tar", "digest",
								    r.v.v[i].layer));
		blobs = kf_oci_gc(s.dir, index);
		json_decref(index);
	} else {
		fprintf(stderr, "kfc cache prune: store: %s\n", e.msg);
	}
	uint64_t after = layer_bytes(&r);
	printf("removed %zu record%s and %zu blob%s; the records kept name %llu bytes of layers (%llu before)\n", removed,
	       removed == 1 ? "" : "s", blobs, blobs == 1 ? "" : "s", (unsigned long long)after,
	       (unsigned long long)before);
	kf_vec_free(&r.v);
	kf_store_close(&s);
	return index ? KF_EXIT_OK : KF_EXIT_PROBLEMS;
}

int kf_cmd_cache(int argc, char **argv)
{
	return kf_opts_dispatch(&kf_command_cache, argc, argv);
}
