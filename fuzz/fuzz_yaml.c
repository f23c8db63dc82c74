/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_yaml.c - libFuzzer target: any bytes are read as a manifest file by
 * image discovery (kf_imagelist_scan_manifest_text, the path of
 * `kfc imagelist FILE.yaml`), with no crash, leak or hang, and every
 * warning located inside the text. The same bytes then go through the
 * loader beside libyaml's own: where ours loads a document, libyaml's must
 * load the same one, node for node; where ours finds the YAML invalid,
 * libyaml's must say the same at the same place. The index of each loaded
 * document's mappings finds what a search finds (the last equal key).
 *
 *   fuzz/run.sh yaml
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syntax/diag.h"
#include "discovery/imagelist.h"
#include "syntax/yamlload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                         \
	do {                             \
		if (!(c))                \
			__builtin_trap(); \
	} while (0)

static bool same_mark(yaml_mark_t a, yaml_mark_t b)
{
	return a.index == b.index && a.line == b.line && a.column == b.column;
}

static void same_doc(yaml_document_t *a, yaml_document_t *b)
{
	CHECK(kf_yaml_node_count(a) == kf_yaml_node_count(b));
	CHECK(same_mark(a->start_mark, b->start_mark) && same_mark(a->end_mark, b->end_mark));
	for (size_t i = 0; i < kf_yaml_node_count(a); i++) {
		yaml_node_t *x = &a->nodes.start[i], *y = &b->nodes.start[i];
		CHECK(x->type == y->type && strcmp((char *)x->tag, (char *)y->tag) == 0);
		CHECK(same_mark(x->start_mark, y->start_mark) && same_mark(x->end_mark, y->end_mark));
		if (x->type == YAML_SCALAR_NODE) {
			CHECK(x->data.scalar.length == y->data.scalar.length && x->data.scalar.style == y->data.scalar.style);
			CHECK(memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) == 0);
		} else if (x->type == YAML_SEQUENCE_NODE) {
			size_t n = (size_t)(x->data.sequence.items.top - x->data.sequence.items.start);
			CHECK(n == (size_t)(y->data.sequence.items.top - y->data.sequence.items.start));
			CHECK(!n || memcmp(x->data.sequence.items.start, y->data.sequence.items.start,
					   n * sizeof(yaml_node_item_t)) == 0);
		} else {
			size_t n = (size_t)(x->data.mapping.pairs.top - x->data.mapping.pairs.start);
			CHECK(n == (size_t)(y->data.mapping.pairs.top - y->data.mapping.pairs.start));
			CHECK(!n || memcmp(x->data.mapping.pairs.start, y->data.mapping.pairs.start,
					   n * sizeof(yaml_node_pair_t)) == 0);
		}
	}
}

static bool same_key(const yaml_node_t *a, const yaml_node_t *b)
{
	return a->type == YAML_SCALAR_NODE && b->type == YAML_SCALAR_NODE &&
	       a->data.scalar.length == b->data.scalar.length &&
	       memcmp(a->data.scalar.value, b->data.scalar.value, a->data.scalar.length) == 0;
}

static void check_index(yaml_document_t *d)
{
	kf_yaml_index ix;
	kf_yaml_index_init(&ix, d);
	for (size_t i = 0; i < kf_yaml_node_count(d); i++) {
		yaml_node_t *m = &d->nodes.start[i];
		if (m->type != YAML_MAPPING_NODE || m->data.mapping.pairs.top - m->data.mapping.pairs.start > 200)
			continue;
		for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(d, p->key);
			if (k->type != YAML_SCALAR_NODE)
				continue;
			yaml_node_t *want = NULL;
			for (yaml_node_pair_t *q = p; q < m->data.mapping.pairs.top; q++)
				if (same_key(k, yaml_document_get_node(d, q->key)))
					want = yaml_document_get_node(d, q->value);
			CHECK(kf_yaml_index_get(&ix, m, (const char *)k->data.scalar.value, k->data.scalar.length) == want);
		}
	}
	kf_yaml_index_release(&ix);
}

static void differential(const char *text, size_t len)
{
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, len, NULL);
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		kf_yaml_loader_release(&ld);
		return;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	for (;;) {
		yaml_document_t ours, theirs;
		kf_yaml_status r = kf_yaml_load(&ld, &ours);
		if (r == KF_YAML_ERROR &&
		    (ld.error.kind != KF_YAML_INVALID || strcmp(ld.error.problem, "found recursive alias") == 0))
			break; /* a limit, or what libyaml's loader accepts and ours does not */
		int ok = yaml_parser_load(&p, &theirs);
		if (r == KF_YAML_ERROR) {
			CHECK(!ok);
			CHECK((ld.error.problem == NULL) == (p.problem == NULL));
			CHECK(!p.problem || strcmp(ld.error.problem, p.problem) == 0);
			CHECK((ld.error.context == NULL) == (p.context == NULL));
			CHECK(!p.context || strcmp(ld.error.context, p.context) == 0);
			CHECK(same_mark(ld.error.mark, p.problem_mark));
			break;
		}
		CHECK(ok);
		if (r == KF_YAML_END) {
			CHECK(!yaml_document_get_root_node(&theirs));
			yaml_document_delete(&theirs);
			break;
		}
		same_doc(&ours, &theirs);
		check_index(&ours);
		yaml_document_delete(&ours);
		yaml_document_delete(&theirs);
	}
	yaml_parser_delete(&p);
	kf_yaml_loader_release(&ld);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kf_imagelist l;
	kf_imagelist_init(&l);
	kf_imagelist_scan_manifest_text(&l, "fuzz.yaml", (const char *)data, size);
	kf_buf out = KF_BUF_INIT;
	for (size_t i = 0; i < l.nfiles; i++) {
		const kf_imagelist_file *f = l.files[i];
		for (size_t k = 0; k < f->diags.len; k++) {
			const kf_diag *d = &f->diags.items[k];
			CHECK(d->span.start <= d->span.end && d->span.end <= f->src.len);
			kf_diag_render_text(&out, &f->src, d, KF_RENDER_SOURCE);
		}
	}
	for (size_t i = 0; i < l.len; i++)
		CHECK(l.items[i].image && l.items[i].line >= 1 && l.items[i].col >= 1);
	kf_buf_release(&out);
	kf_imagelist_release(&l);
	if (!memchr(data, '\0', size))
		differential((const char *)data, size);
	return 0;
}
