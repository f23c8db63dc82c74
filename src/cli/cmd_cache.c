/* cmd_cache.c - kfc cache ls|prune: the local store's step cache, as
 * `docker builder du` and `docker builder prune` show and trim BuildKit's
 * (docs/build.md, "The local cache: kfc cache"). */
#include "cli/kfc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "base/vec.h"
#include "oci/oci.h"
#include "oci/store.h"

#define CACHE_USAGE                                                                                  \
	"usage: kfc cache ls [--format=json]\n"                                                        \
	"       kfc cache prune [--keep-storage SIZE] [--filter until=DURATION] [-f]\n"                    \
	"ls lists the records of the local store's build cache (one per step key): what each holds,\n" \
	"its layer's size and when a build last used it. prune removes records: all of them, those\n"  \
	"not used for DURATION (90m, 24h, 1h30m), or the least recently used until the layers of\n"    \
	"the others take at most SIZE (500M, 10G); then the blobs that neither a record nor a\n"       \
	"tagged image reaches. -f is accepted (prune does not ask).\n"

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

static int cache_ls(int argc, char **argv)
{
	bool json_out = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=json") == 0) {
			json_out = true;
		} else {
			fprintf(stderr, "kfc cache ls: unknown argument '%s'\n%s", argv[i], CACHE_USAGE);
			return KF_EXIT_USAGE;
		}
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

/* SIZE: bytes, or with k, M, G, T (powers of 1024; a trailing B or iB is
 * allowed) */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || v < 0)
		return false;
	uint64_t mul = 1;
	switch (*end) {
	case 'k': case 'K': mul = 1ull << 10; end++; break;
	case 'm': case 'M': mul = 1ull << 20; end++; break;
	case 'g': case 'G': mul = 1ull << 30; end++; break;
	case 't': case 'T': mul = 1ull << 40; end++; break;
	default: break;
	}
	if (mul > 1 && *end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end || v * (double)mul > 1.8e19)
		return false;
	*out = (uint64_t)(v * (double)mul);
	return true;
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
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = NULL;
		if (strcmp(a, "-f") == 0 || strcmp(a, "--force") == 0 || strcmp(a, "-a") == 0 || strcmp(a, "--all") == 0)
			continue;
		if (strncmp(a, "--keep-storage=", 15) == 0 || strcmp(a, "--keep-storage") == 0) {
			v = a[14] == '=' ? a + 15 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || !parse_size(v, &keep)) {
				fprintf(stderr, "kfc cache prune: --keep-storage %s: give a size, such as 500M or 10G\n", v ? v : "");
				return KF_EXIT_USAGE;
			}
			have_keep = true;
		} else if (strncmp(a, "--filter=", 9) == 0 || strcmp(a, "--filter") == 0) {
			v = a[8] == '=' ? a + 9 : i + 1 < argc ? argv[++i] : NULL;
			if (!v || strncmp(v, "until=", 6) != 0 || !parse_duration(v + 6, &until)) {
				fprintf(stderr, "kfc cache prune: --filter %s: give until=DURATION, such as until=24h\n", v ? v : "");
				return KF_EXIT_USAGE;
			}
			have_until = true;
		} else {
			fprintf(stderr, "kfc cache prune: unknown argument '%s'\n%s", a, CACHE_USAGE);
			return KF_EXIT_USAGE;
		}
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
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(CACHE_USAGE, argc < 2 ? stderr : stdout);
		return argc < 2 ? KF_EXIT_USAGE : KF_EXIT_OK;
	}
	if (strcmp(argv[1], "ls") == 0)
		return cache_ls(argc - 1, argv + 1);
	if (strcmp(argv[1], "prune") == 0)
		return cache_prune(argc - 1, argv + 1);
	fprintf(stderr, "kfc cache: unknown command '%s'\n%s", argv[1], CACHE_USAGE);
	return KF_EXIT_USAGE;
}
