/* SPDX-License-Identifier: Apache-2.0 */
/* yamlload.h - the project's one YAML loader: libyaml's events made into
 * libyaml documents, with limits against hostile input.
 *
 * libyaml's own loader (yaml_parser_load) looks every alias up in a list
 * of the document's anchors, and every new anchor too (to refuse a
 * duplicate): 200,000 anchors take minutes. This loader reads the same
 * events (yaml_parser_parse) and builds the same yaml_document_t, with the
 * anchors in a hash table, and checks each limit before it builds anything:
 * the nesting depth of sequences and mappings, the number of nodes, anchors
 * and alias uses of a document.
 *
 * Flow collections ([…], {…}) have a limit of their own, lower: libyaml's
 * scanner checks a "simple key" of every open flow level for each token,
 * so that a token costs in proportion to the flow levels open (at 255
 * levels, four times as much as at one). The scanner reads ahead of the
 * parser only while a simple key is possible, that is at most 1024
 * characters on the same line, so a limit checked on the parser's events
 * bounds it too: no pre-check of the raw text is needed.
 *
 * What differs from yaml_parser_load: an alias of a collection that is
 * still open (`&a [*a]`, a document that contains itself) is an error, as
 * in Kubernetes' YAML reader, so that every document is a DAG; everything
 * else (tags, styles, marks, the messages of invalid YAML, of a duplicate
 * anchor and of an undefined alias) is as libyaml's.
 *
 * A walk that follows aliases can still visit a node many times (the
 * "billion laughs": ten aliases of ten aliases of …); walkers bound their
 * visits by KF_YAML_WALK_EXTRA past the document's own nodes.
 *
 * Usage:
 *     kf_yaml_loader ld;
 *     kf_yaml_loader_init(&ld, text, len, NULL);
 *     yaml_document_t doc;
 *     int r;
 *     while ((r = kf_yaml_load(&ld, &doc)) == KF_YAML_DOC) {
 *             walk(yaml_document_get_root_node(&doc));
 *             yaml_document_delete(&doc);
 *     }
 *     if (r == KF_YAML_ERROR)
 *             report(ld.error.mark.line + 1, ld.error.mark.column + 1, ld.error.problem);
 *     kf_yaml_loader_release(&ld);
 */
#ifndef KF_YAMLLOAD_H
#define KF_YAMLLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* The default limits, per document. Real Kubernetes manifests nest at
 * most about 40 levels deep (CRD schemas; in JSON, all of them flow), Helm
 * values far less. */
#define KF_YAML_MAX_DEPTH 256
#define KF_YAML_MAX_FLOW_DEPTH 64
#define KF_YAML_MAX_ANCHORS 100000
#define KF_YAML_MAX_ALIASES 100000
#define KF_YAML_MAX_NODES 1000000

/* How many nodes a walk may visit past the document's own, through
 * aliases, in one file (the walkers' budget). */
#define KF_YAML_WALK_EXTRA 1000000

typedef struct kf_yaml_limits {
	size_t depth;      /* nesting of sequences and mappings */
	size_t flow_depth; /* nesting of flow sequences and mappings */
	size_t anchors; /* anchors of a document */
	size_t aliases; /* alias uses of a document */
	size_t nodes;   /* nodes of a document: scalars, sequences, mappings */
} kf_yaml_limits;

#define KF_YAML_LIMITS_INIT \
	((kf_yaml_limits){KF_YAML_MAX_DEPTH, KF_YAML_MAX_FLOW_DEPTH, KF_YAML_MAX_ANCHORS, KF_YAML_MAX_ALIASES, \
			  KF_YAML_MAX_NODES})

typedef enum kf_yaml_status {
	KF_YAML_ERROR = -1, /* invalid YAML or a limit crossed: see the loader's error */
	KF_YAML_END = 0,    /* no more documents */
	KF_YAML_DOC = 1,    /* a document was loaded */
} kf_yaml_status;

typedef enum kf_yaml_error_kind {
	KF_YAML_INVALID, /* libyaml's error (reader, scanner, parser, memory) or a composer error */
	KF_YAML_TOO_DEEP,
	KF_YAML_TOO_DEEP_FLOW,
	KF_YAML_TOO_MANY_ANCHORS,
	KF_YAML_TOO_MANY_ALIASES,
	KF_YAML_TOO_MANY_NODES,
} kf_yaml_error_kind;

typedef struct kf_yaml_error {
	kf_yaml_error_kind kind;
	/* Invalid YAML: libyaml's problem (NULL when it gave none, e.g. out of
	 * memory) and context (or NULL), as yaml_parser_load would set them.
	 * A limit: "nested deeper than 256 levels", "flow collections nested
	 * deeper than 64 levels", "more than 100000 anchors in a document",
	 * "more than 100000 aliases in a document", "more than 1000000 nodes in
	 * a document" (with the limits in force), and no context. */
	const char *problem;
	const char *context;
	yaml_mark_t mark; /* where: the problem's mark, or the event that crossed the limit (0-based) */
	char text[96];    /* private: the text of a limit's problem */
} kf_yaml_error;

typedef struct kf_yaml_loader {
	yaml_parser_t parser;
	kf_yaml_limits limits;
	kf_yaml_error error; /* set when kf_yaml_load returned KF_YAML_ERROR */
	/* private */
	int state; /* 0 before the stream, 1 in it, 2 ended, 3 failed */
	struct kf_yaml_anchor *anchors; /* this document's, in the order defined */
	size_t nanchors, capanchors;
	uint32_t *slots; /* open addressing: index + 1 into anchors, or 0 */
	size_t nslots;
	struct kf_yaml_frame *stack; /* the open collections */
	size_t depth, capstack;
	size_t flow; /* how many of the open collections are flow collections */
	size_t naliases, nnodes;
	uint64_t seed; /* of the anchors' hash */
} kf_yaml_loader;

/* Reads text[0, len) (UTF-8, or UTF-16 with a BOM, as libyaml reads it);
 * the text must outlive the loader. limits: NULL for KF_YAML_LIMITS_INIT. */
void kf_yaml_loader_init(kf_yaml_loader *ld, const char *text, size_t len, const kf_yaml_limits *limits);
void kf_yaml_loader_release(kf_yaml_loader *ld);

/* Loads the next document into *doc (free it with yaml_document_delete).
 * Returns KF_YAML_DOC, KF_YAML_END (doc zeroed: deleting it is harmless), or
 * KF_YAML_ERROR (doc zeroed, ld->error set); after an error or the end,
 * every call returns the same. */
kf_yaml_status kf_yaml_load(kf_yaml_loader *ld, yaml_document_t *doc);

/* An index of a loaded document's mappings, for documents looked into
 * many times (a chart's values: a template may look up a million keys in a
 * mapping of a million): the value of a key in constant time, built for
 * each mapping at its first look-up. The document must not change while
 * the index is used. */
typedef struct kf_yaml_index {
	yaml_document_t *doc;
	/* private */
	unsigned char *indexed; /* per node: its pairs are in the table */
	struct kf_yaml_ientry *slots;
	size_t nslots, used;
	uint64_t seed;
} kf_yaml_index;

void kf_yaml_index_init(kf_yaml_index *ix, yaml_document_t *doc);
void kf_yaml_index_release(kf_yaml_index *ix);
/* The value of key[0, klen) in map (a scalar key compared byte for
 * byte; the last pair wins, as in helm), or NULL; NULL when map is not a
 * mapping. */
yaml_node_t *kf_yaml_index_get(kf_yaml_index *ix, yaml_node_t *map, const char *key, size_t klen);

/* The number of nodes of a loaded document. */
static inline size_t kf_yaml_node_count(const yaml_document_t *doc)
{
	return (size_t)(doc->nodes.top - doc->nodes.start);
}

#endif
