/* SPDX-License-Identifier: Apache-2.0 */
/* yamlload.c - see yamlload.h.
 *
 * Every limit is checked on the event, before the node is built, so that a
 * hostile file costs no more than the limit. The anchors of a document are
 * in an open-addressing table keyed by a hash seeded per loader: an attacker
 * cannot prepare names that collide.
 */
#include "syntax/yamlload.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/arena.h"

struct kf_yaml_anchor {
	char *name;
	uint64_t hash;
	size_t slot;
	int node;
	bool open; /* a collection not yet ended: an alias of it is recursive */
	yaml_mark_t mark;
};

struct kf_yaml_frame {
	int node;
	int key;       /* a mapping's key still waiting for its value, or 0 */
	size_t anchor; /* 1 + the index of the anchor the collection defines, or 0 */
	bool flow;
};

enum { ST_BEFORE, ST_IN, ST_ENDED, ST_FAILED };

/* A seed for the hashes of names an attacker may choose. */
static uint64_t new_seed(const void *salt)
{
	uint64_t seed;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)salt;
	return seed;
}

static uint64_t hash_bytes(uint64_t seed, const char *s, size_t n)
{
	uint64_t h = seed ^ 14695981039346656037u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	h ^= h >> 33; /* spread the high bits into the low ones the tables use */
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	return h;
}

void kf_yaml_loader_init(kf_yaml_loader *ld, const char *text, size_t len, const kf_yaml_limits *limits)
{
	memset(ld, 0, sizeof(*ld));
	ld->limits = limits ? *limits : KF_YAML_LIMITS_INIT;
	/* libyaml counts nodes, items and pairs in an int */
	if (ld->limits.nodes > INT_MAX / 2)
		ld->limits.nodes = INT_MAX / 2;
	if (ld->limits.aliases > INT_MAX / 2)
		ld->limits.aliases = INT_MAX / 2;
	if (!yaml_parser_initialize(&ld->parser)) {
		ld->state = ST_FAILED;
		ld->error.kind = KF_YAML_INVALID;
		return;
	}
	if (len > INT_MAX / 2) { /* a scalar's length is an int in yaml_document_add_scalar */
		ld->state = ST_FAILED;
		ld->error.kind = KF_YAML_INVALID;
		ld->error.problem = "the text is too large";
		return;
	}
	yaml_parser_set_input_string(&ld->parser, (const unsigned char *)text, len);
	ld->seed = new_seed(ld);
}

static void anchors_clear(kf_yaml_loader *ld)
{
	for (size_t i = 0; i < ld->nanchors; i++) {
		ld->slots[ld->anchors[i].slot] = 0;
		free(ld->anchors[i].name);
	}
	ld->nanchors = 0;
}

void kf_yaml_loader_release(kf_yaml_loader *ld)
{
	anchors_clear(ld);
	free(ld->anchors);
	free(ld->slots);
	free(ld->stack);
	yaml_parser_delete(&ld->parser);
	memset(ld, 0, sizeof(*ld));
}

static uint64_t hash_name(const kf_yaml_loader *ld, const char *s)
{
	return hash_bytes(ld->seed, s, strlen(s));
}

/* The anchor named s, or NULL. */
static struct kf_yaml_anchor *anchor_find(const kf_yaml_loader *ld, const char *s, uint64_t h)
{
	if (!ld->nslots)
		return NULL;
	for (size_t j = h & (ld->nslots - 1);; j = (j + 1) & (ld->nslots - 1)) {
		uint32_t k = ld->slots[j];
		if (!k)
			return NULL;
		struct kf_yaml_anchor *a = &ld->anchors[k - 1];
		if (a->hash == h && strcmp(a->name, s) == 0)
			return a;
	}
}

static void slot_put(kf_yaml_loader *ld, size_t i)
{
	for (size_t j = ld->anchors[i].hash & (ld->nslots - 1);; j = (j + 1) & (ld->nslots - 1))
		if (!ld->slots[j]) {
			ld->slots[j] = (uint32_t)(i + 1);
			ld->anchors[i].slot = j;
			return;
		}
}

/* Takes name (malloc'd) for a new anchor of node; the caller checked that
 * there is none of that name. */
static size_t anchor_add(kf_yaml_loader *ld, char *name, uint64_t h, int node, bool open, yaml_mark_t mark)
{
	if ((ld->nanchors + 1) * 2 > ld->nslots) {
		size_t n = ld->nslots ? ld->nslots * 2 : 64;
		free(ld->slots);
		ld->slots = kf_xcalloc(n, sizeof(*ld->slots));
		ld->nslots = n;
		for (size_t i = 0; i < ld->nanchors; i++)
			slot_put(ld, i);
	}
	if (ld->nanchors == ld->capanchors) {
		ld->capanchors = ld->capanchors ? ld->capanchors * 2 : 16;
		ld->anchors = kf_xrealloc(ld->anchors, ld->capanchors * sizeof(*ld->anchors));
	}
	size_t i = ld->nanchors++;
	ld->anchors[i] = (struct kf_yaml_anchor){name, h, 0, node, open, mark};
	slot_put(ld, i);
	return i;
}

__attribute__((format(printf, 4, 5)))
static kf_yaml_status fail_limit(kf_yaml_loader *ld, kf_yaml_error_kind kind, yaml_mark_t mark, const char *fmt, ...)
{
	ld->error.kind = kind;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(ld->error.text, sizeof(ld->error.text), fmt, ap);
	va_end(ap);
	ld->error.problem = ld->error.text;
	ld->error.context = NULL;
	ld->error.mark = mark;
	return KF_YAML_ERROR;
}

static kf_yaml_status fail_invalid(kf_yaml_loader *ld, const char *problem, yaml_mark_t mark)
{
	ld->error.kind = KF_YAML_INVALID;
	ld->error.problem = problem;
	ld->error.context = NULL;
	ld->error.mark = mark;
	return KF_YAML_ERROR;
}

static kf_yaml_status fail_parser(kf_yaml_loader *ld)
{
	ld->error.kind = KF_YAML_INVALID;
	ld->error.problem = ld->parser.problem;
	ld->error.context = ld->parser.context;
	ld->error.mark = ld->parser.problem_mark;
	return KF_YAML_ERROR;
}

/* Adds node idx to the open collection, if any. */
static bool add_to_parent(kf_yaml_loader *ld, yaml_document_t *doc, int idx)
{
	if (!ld->depth)
		return true;
	struct kf_yaml_frame *f = &ld->stack[ld->depth - 1];
	if (doc->nodes.start[f->node - 1].type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(doc, f->node, idx);
	if (!f->key) {
		f->key = idx;
		return true;
	}
	int key = f->key;
	f->key = 0;
	return yaml_document_append_mapping_pair(doc, f->node, key, idx);
}

/* The limits and the anchor of a new node, checked before it is built. */
static kf_yaml_status check_node(kf_yaml_loader *ld, const yaml_event_t *ev, const yaml_char_t *anchor)
{
	if (ld->nnodes >= ld->limits.nodes)
		return fail_limit(ld, KF_YAML_TOO_MANY_NODES, ev->start_mark, "more than %zu nodes in a document",
				  ld->limits.nodes);
	if (!anchor)
		return KF_YAML_DOC;
	if (ld->nanchors >= ld->limits.anchors)
		return fail_limit(ld, KF_YAML_TOO_MANY_ANCHORS, ev->start_mark, "more than %zu anchors in a document",
				  ld->limits.anchors);
	if (anchor_find(ld, (const char *)anchor, hash_name(ld, (const char *)anchor))) {
		/* libyaml's composer error, word for word */
		ld->error.kind = KF_YAML_INVALID;
		ld->error.context = "found duplicate anchor; first occurrence";
		ld->error.problem = "second occurrence";
		ld->error.mark = ev->start_mark;
		return KF_YAML_ERROR;
	}
	return KF_YAML_DOC;
}

/* The tag a node gets: NULL for the default of its kind, as libyaml's
 * loader gives a node without a tag or with "!". */
static const yaml_char_t *node_tag(const yaml_char_t *tag)
{
	return !tag || strcmp((const char *)tag, "!") == 0 ? NULL : tag;
}

/* One event of a document's body; KF_YAML_DOC to go on. */
static kf_yaml_status load_event(kf_yaml_loader *ld, yaml_document_t *doc, yaml_event_t *ev)
{
	yaml_char_t **anchorp = NULL;
	int idx = 0;
	bool flow = false;
	switch (ev->type) {
	case YAML_ALIAS_EVENT: {
		if (ld->naliases >= ld->limits.aliases)
			return fail_limit(ld, KF_YAML_TOO_MANY_ALIASES, ev->start_mark,
					  "more than %zu aliases in a document", ld->limits.aliases);
		ld->naliases++;
		const char *name = (const char *)ev->data.alias.anchor;
		struct kf_yaml_anchor *a = anchor_find(ld, name, hash_name(ld, name));
		if (!a)
			return fail_invalid(ld, "found undefined alias", ev->start_mark);
		if (a->open)
			return fail_invalid(ld, "found recursive alias", ev->start_mark);
		if (!add_to_parent(ld, doc, a->node))
			return fail_invalid(ld, "cannot add the node to the document", ev->start_mark);
		return KF_YAML_DOC;
	}
	case YAML_SCALAR_EVENT:
		anchorp = &ev->data.scalar.anchor;
		if (check_node(ld, ev, *anchorp) != KF_YAML_DOC)
			return KF_YAML_ERROR;
		if (ev->data.scalar.length > INT_MAX)
			return fail_invalid(ld, "the scalar is too long", ev->start_mark);
		idx = yaml_document_add_scalar(doc, (yaml_char_t *)node_tag(ev->data.scalar.tag), ev->data.scalar.value,
					       (int)ev->data.scalar.length, ev->data.scalar.style);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (ld->depth >= ld->limits.depth)
			return fail_limit(ld, KF_YAML_TOO_DEEP, ev->start_mark, "nested deeper than %zu levels",
					  ld->limits.depth);
		flow = ev->type == YAML_SEQUENCE_START_EVENT
			       ? ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
			       : ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
		if (flow && ld->flow >= ld->limits.flow_depth)
			return fail_limit(ld, KF_YAML_TOO_DEEP_FLOW, ev->start_mark,
					  "flow collections nested deeper than %zu levels", ld->limits.flow_depth);
		if (ev->type == YAML_SEQUENCE_START_EVENT) {
			anchorp = &ev->data.sequence_start.anchor;
			if (check_node(ld, ev, *anchorp) != KF_YAML_DOC)
				return KF_YAML_ERROR;
			idx = yaml_document_add_sequence(doc, (yaml_char_t *)node_tag(ev->data.sequence_start.tag),
							 ev->data.sequence_start.style);
		} else {
			anchorp = &ev->data.mapping_start.anchor;
			if (check_node(ld, ev, *anchorp) != KF_YAML_DOC)
				return KF_YAML_ERROR;
			idx = yaml_document_add_mapping(doc, (yaml_char_t *)node_tag(ev->data.mapping_start.tag),
							ev->data.mapping_start.style);
		}
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		/* the parser pairs every end with its start */
		struct kf_yaml_frame *f = &ld->stack[--ld->depth];
		ld->flow -= f->flow;
		doc->nodes.start[f->node - 1].end_mark = ev->end_mark;
		if (f->anchor)
			ld->anchors[f->anchor - 1].open = false;
		return KF_YAML_DOC;
	}
	default:
		return fail_invalid(ld, "unexpected event", ev->start_mark);
	}
	if (!idx)
		return fail_invalid(ld, "cannot add the node to the document", ev->start_mark);
	ld->nnodes++;
	yaml_node_t *n = &doc->nodes.start[idx - 1];
	n->start_mark = ev->start_mark;
	n->end_mark = ev->end_mark;
	size_t anchor = 0;
	bool collection = ev->type != YAML_SCALAR_EVENT;
	if (*anchorp) {
		char *name = (char *)*anchorp;
		*anchorp = NULL; /* the table owns it now */
		anchor = 1 + anchor_add(ld, name, hash_name(ld, name), idx, collection, ev->start_mark);
	}
	if (!add_to_parent(ld, doc, idx))
		return fail_invalid(ld, "cannot add the node to the document", ev->start_mark);
	if (collection) {
		if (ld->depth == ld->capstack) {
			ld->capstack = ld->capstack ? ld->capstack * 2 : 16;
			ld->stack = kf_xrealloc(ld->stack, ld->capstack * sizeof(*ld->stack));
		}
		ld->stack[ld->depth++] = (struct kf_yaml_frame){idx, 0, anchor, flow};
		ld->flow += flow;
	}
	return KF_YAML_DOC;
}

kf_yaml_status kf_yaml_load(kf_yaml_loader *ld, yaml_document_t *doc)
{
	memset(doc, 0, sizeof(*doc));
	if (ld->state == ST_ENDED)
		return KF_YAML_END;
	if (ld->state == ST_FAILED)
		return KF_YAML_ERROR;
	yaml_event_t ev;
	if (ld->state == ST_BEFORE) {
		if (!yaml_parser_parse(&ld->parser, &ev))
			goto parser_error;
		yaml_event_delete(&ev); /* STREAM-START */
		ld->state = ST_IN;
	}
	if (!yaml_parser_parse(&ld->parser, &ev))
		goto parser_error;
	if (ev.type != YAML_DOCUMENT_START_EVENT) { /* STREAM-END */
		yaml_event_delete(&ev);
		ld->state = ST_ENDED;
		return KF_YAML_END;
	}
	bool ok = yaml_document_initialize(doc, ev.data.document_start.version_directive,
					   ev.data.document_start.tag_directives.start,
					   ev.data.document_start.tag_directives.end, ev.data.document_start.implicit, 1);
	yaml_mark_t start = ev.start_mark;
	yaml_event_delete(&ev);
	if (!ok) {
		memset(doc, 0, sizeof(*doc));
		ld->state = ST_FAILED;
		return fail_invalid(ld, "cannot start the document", start);
	}
	doc->start_mark = start;
	anchors_clear(ld);
	ld->depth = ld->flow = ld->naliases = ld->nnodes = 0;
	for (;;) {
		if (!yaml_parser_parse(&ld->parser, &ev)) {
			fail_parser(ld);
			break;
		}
		if (ev.type == YAML_DOCUMENT_END_EVENT) {
			doc->end_implicit = ev.data.document_end.implicit;
			doc->end_mark = ev.end_mark;
			yaml_event_delete(&ev);
			return KF_YAML_DOC;
		}
		kf_yaml_status r = load_event(ld, doc, &ev);
		yaml_event_delete(&ev);
		if (r != KF_YAML_DOC)
			break;
	}
	yaml_document_delete(doc);
	memset(doc, 0, sizeof(*doc));
	ld->state = ST_FAILED;
	return KF_YAML_ERROR;

parser_error:
	ld->state = ST_FAILED;
	return fail_parser(ld);
}

/* ---- the index of a document's mappings ---------------------------------- */

struct kf_yaml_ientry {
	uint64_t hash; /* of the mapping and the key */
	int map, key, value; /* node indexes (1-based); map 0: a free slot */
};

void kf_yaml_index_init(kf_yaml_index *ix, yaml_document_t *doc)
{
	memset(ix, 0, sizeof(*ix));
	ix->doc = doc;
	ix->indexed = kf_xcalloc(kf_yaml_node_count(doc) + 1, 1);
	ix->seed = new_seed(ix);
}

void kf_yaml_index_release(kf_yaml_index *ix)
{
	free(ix->indexed);
	free(ix->slots);
	memset(ix, 0, sizeof(*ix));
}

static uint64_t ientry_hash(const kf_yaml_index *ix, int map, const char *key, size_t klen)
{
	return hash_bytes(ix->seed + (uint64_t)map * 0x9e3779b97f4a7c15u, key, klen);
}

/* The slot of (map, key), or the free slot where it goes. */
static struct kf_yaml_ientry *ientry_find(kf_yaml_index *ix, int map, const char *key, size_t klen, uint64_t h)
{
	for (size_t j = h & (ix->nslots - 1);; j = (j + 1) & (ix->nslots - 1)) {
		struct kf_yaml_ientry *e = &ix->slots[j];
		if (!e->map)
			return e;
		if (e->hash == h && e->map == map) {
			const yaml_node_t *k = &ix->doc->nodes.start[e->key - 1];
			if (k->data.scalar.length == klen && memcmp(k->data.scalar.value, key, klen) == 0)
				return e;
		}
	}
}

static void index_grow(kf_yaml_index *ix)
{
	size_t n = ix->nslots ? ix->nslots * 2 : 64;
	struct kf_yaml_ientry *old = ix->slots;
	size_t nold = ix->nslots;
	ix->slots = kf_xcalloc(n, sizeof(*ix->slots));
	ix->nslots = n;
	for (size_t i = 0; i < nold; i++)
		if (old[i].map)
			for (size_t j = old[i].hash & (n - 1);; j = (j + 1) & (n - 1))
				if (!ix->slots[j].map) {
					ix->slots[j] = old[i];
					break;
				}
	free(old);
}

static void index_mapping(kf_yaml_index *ix, int m)
{
	yaml_node_t *map = &ix->doc->nodes.start[m - 1];
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const yaml_node_t *k = yaml_document_get_node(ix->doc, p->key);
		if (!k || k->type != YAML_SCALAR_NODE)
			continue;
		if ((ix->used + 1) * 2 > ix->nslots)
			index_grow(ix);
		const char *key = (const char *)k->data.scalar.value;
		uint64_t h = ientry_hash(ix, m, key, k->data.scalar.length);
		struct kf_yaml_ientry *e = ientry_find(ix, m, key, k->data.scalar.length, h);
		if (!e->map)
			ix->used++;
		*e = (struct kf_yaml_ientry){h, m, p->key, p->value}; /* the last pair wins */
	}
	ix->indexed[m - 1] = 1;
}

yaml_node_t *kf_yaml_index_get(kf_yaml_index *ix, yaml_node_t *map, const char *key, size_t klen)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	int m = (int)(map - ix->doc->nodes.start) + 1;
	if (!ix->indexed[m - 1])
		index_mapping(ix, m);
	if (!ix->nslots)
		return NULL;
	struct kf_yaml_ientry *e = ientry_find(ix, m, key, klen, ientry_hash(ix, m, key, klen));
	return e->map ? yaml_document_get_node(ix->doc, e->value) : NULL;
}
