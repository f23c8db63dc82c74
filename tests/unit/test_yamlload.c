/* SPDX-License-Identifier: Apache-2.0 */
/* test_yamlload.c - unit tests of yamlload.c: the documents are libyaml's
 * (node for node, against yaml_parser_load), aliases resolve to their
 * anchors, each limit and error is reported where it is crossed, and the
 * index of mappings finds what a search would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "syntax/yamlload.h"

static void assert_mark(yaml_mark_t a, yaml_mark_t b)
{
	assert_int_equal(a.index, b.index);
	assert_int_equal(a.line, b.line);
	assert_int_equal(a.column, b.column);
}

/* Every document of text is the same from both loaders. */
static void expect_same(const char *text)
{
	yaml_parser_t p;
	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, strlen(text), NULL);
	for (;;) {
		yaml_document_t want, got;
		assert_true(yaml_parser_load(&p, &want));
		kf_yaml_status r = kf_yaml_load(&ld, &got);
		if (!yaml_document_get_root_node(&want)) {
			assert_int_equal(r, KF_YAML_END);
			yaml_document_delete(&want);
			break;
		}
		assert_int_equal(r, KF_YAML_DOC);
		assert_int_equal(kf_yaml_node_count(&got), kf_yaml_node_count(&want));
		assert_int_equal(got.start_implicit, want.start_implicit);
		assert_int_equal(got.end_implicit, want.end_implicit);
		assert_mark(got.start_mark, want.start_mark);
		assert_mark(got.end_mark, want.end_mark);
		for (size_t i = 0; i < kf_yaml_node_count(&want); i++) {
			yaml_node_t *a = &want.nodes.start[i], *b = &got.nodes.start[i];
			assert_int_equal(b->type, a->type);
			assert_string_equal(b->tag, a->tag);
			assert_mark(b->start_mark, a->start_mark);
			assert_mark(b->end_mark, a->end_mark);
			if (a->type == YAML_SCALAR_NODE) {
				assert_int_equal(b->data.scalar.length, a->data.scalar.length);
				assert_memory_equal(b->data.scalar.value, a->data.scalar.value, a->data.scalar.length);
				assert_int_equal(b->data.scalar.style, a->data.scalar.style);
			} else if (a->type == YAML_SEQUENCE_NODE) {
				size_t n = (size_t)(a->data.sequence.items.top - a->data.sequence.items.start);
				assert_int_equal(b->data.sequence.items.top - b->data.sequence.items.start, n);
				assert_memory_equal(b->data.sequence.items.start, a->data.sequence.items.start,
						    n * sizeof(yaml_node_item_t));
				assert_int_equal(b->data.sequence.style, a->data.sequence.style);
			} else {
				size_t n = (size_t)(a->data.mapping.pairs.top - a->data.mapping.pairs.start);
				assert_int_equal(b->data.mapping.pairs.top - b->data.mapping.pairs.start, n);
				assert_memory_equal(b->data.mapping.pairs.start, a->data.mapping.pairs.start,
						    n * sizeof(yaml_node_pair_t));
				assert_int_equal(b->data.mapping.style, a->data.mapping.style);
			}
		}
		yaml_document_delete(&want);
		yaml_document_delete(&got);
	}
	yaml_parser_delete(&p);
	kf_yaml_loader_release(&ld);
}

static void test_same_as_libyaml(void **state)
{
	(void)state;
	expect_same("");
	expect_same("# only a comment\n");
	expect_same("x\n");
	expect_same("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: redis:7\n");
	expect_same("a: 1\n---\n- b\n- {c: [d, e], 'f': \"g\"}\n...\n--- !!map\n? complex\n: key\n");
	expect_same("%YAML 1.1\n%TAG !e! tag:example.com,2000:\n--- !e!thing\nx: !!str 1\ny: ! 2\nz: !local 3\n");
	expect_same("base: &b {image: nginx, port: 80}\nuse: *b\nlist: &l [*b, *b]\nmore: [*l, *l]\n");
	expect_same("s: |\n  literal\n  text\nf: >\n  folded\n  text\nq: 'it''s'\nd: \"\\u00e9\\n\"\n");
	expect_same("- &a x\n- *a\n- &b\n  k: *a\n- [*b, &c y, *c]\n");
	expect_same("{a: [1, 2, {b: [3]}], c: {}}\n");
	expect_same("key: \xc3\xa9t\xc3\xa9\nl\xc3\xa9: [\xe2\x82\xac]\n");
}

static yaml_node_t *get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);
		if (k->type == YAML_SCALAR_NODE && strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static void test_aliases(void **state)
{
	(void)state;
	/* enough anchors to grow the table a few times */
	kf_buf b = KF_BUF_INIT;
	for (int i = 0; i < 3000; i++)
		kf_buf_printf(&b, "a%d: &n%d v%d\n", i, i, i);
	for (int i = 2999; i >= 0; i--)
		kf_buf_printf(&b, "b%d: *n%d\n", i, i);
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, b.ptr, b.len, NULL);
	yaml_document_t d;
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_DOC);
	yaml_node_t *root = yaml_document_get_root_node(&d);
	assert_int_equal(kf_yaml_node_count(&d), 1 + 3000 * 2 + 3000);
	for (int i = 0; i < 3000; i++) {
		char ka[16], kb[16], v[16];
		snprintf(ka, sizeof(ka), "a%d", i);
		snprintf(kb, sizeof(kb), "b%d", i);
		snprintf(v, sizeof(v), "v%d", i);
		yaml_node_t *va = get(&d, root, ka), *vb = get(&d, root, kb);
		assert_non_null(va);
		assert_ptr_equal(va, vb);
		assert_string_equal(va->data.scalar.value, v);
	}
	yaml_document_delete(&d);
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_END);
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_END);
	kf_yaml_loader_release(&ld);
	kf_buf_release(&b);

	/* anchors are per document: the second may use the names again */
	const char *two = "a: &x 1\nb: *x\n---\na: &x 2\nb: *x\n";
	kf_yaml_loader_init(&ld, two, strlen(two), NULL);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_DOC);
		yaml_node_t *v = get(&d, yaml_document_get_root_node(&d), "b");
		assert_int_equal(v->data.scalar.value[0], '0' + i);
		yaml_document_delete(&d);
	}
	kf_yaml_loader_release(&ld);
}

/* text's first document fails with kind and problem at line:col (1-based);
 * the documents before it load. */
static void expect_error(const char *text, const kf_yaml_limits *lim, int docs_before, kf_yaml_error_kind kind,
			 const char *problem, const char *context, size_t line, size_t col)
{
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, strlen(text), lim);
	yaml_document_t d;
	for (int i = 0; i < docs_before; i++) {
		assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_DOC);
		yaml_document_delete(&d);
	}
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_ERROR);
	assert_null(yaml_document_get_root_node(&d));
	yaml_document_delete(&d); /* harmless */
	assert_int_equal(ld.error.kind, kind);
	assert_string_equal(ld.error.problem, problem);
	if (context)
		assert_string_equal(ld.error.context, context);
	else
		assert_null(ld.error.context);
	assert_int_equal(ld.error.mark.line + 1, line);
	assert_int_equal(ld.error.mark.column + 1, col);
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_ERROR); /* and stays so */
	kf_yaml_loader_release(&ld);
	if (kind != KF_YAML_INVALID || strcmp(problem, "found recursive alias") == 0)
		return;
	/* libyaml's loader says the same, at the same place */
	yaml_parser_t p;
	assert_true(yaml_parser_initialize(&p));
	yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
	for (int i = 0; i <= docs_before; i++) {
		int ok = yaml_parser_load(&p, &d);
		assert_int_equal(ok, i < docs_before);
		if (ok)
			yaml_document_delete(&d);
	}
	assert_string_equal(p.problem, problem);
	if (context)
		assert_string_equal(p.context, context);
	else
		assert_null(p.context);
	assert_int_equal(p.problem_mark.line + 1, line);
	assert_int_equal(p.problem_mark.column + 1, col);
	yaml_parser_delete(&p);
}

static void test_limits(void **state)
{
	(void)state;
	kf_yaml_limits lim = {.depth = 3, .flow_depth = 2, .anchors = 2, .aliases = 2, .nodes = 8};
	/* three levels are fine, the fourth is not: block and flow alike */
	expect_error("a:\n  b:\n    c: x\n---\na:\n  b:\n    c:\n      d: x\n", &lim, 1, KF_YAML_TOO_DEEP,
		     "nested deeper than 3 levels", NULL, 8, 7);
	expect_error("- - [x]\n- - - [x]\n", &lim, 0, KF_YAML_TOO_DEEP, "nested deeper than 3 levels", NULL, 2, 7);
	expect_error("[[x]]\n--- {a: [[x]]}\n", &lim, 1, KF_YAML_TOO_DEEP_FLOW,
		     "flow collections nested deeper than 2 levels", NULL, 2, 10);
	expect_error("a: &a 1\nb: &b 2\nc: &c 3\n", &lim, 0, KF_YAML_TOO_MANY_ANCHORS,
		     "more than 2 anchors in a document", NULL, 3, 4);
	expect_error("a: &a 1\nb: *a\nc: *a\nd: *a\n", &lim, 0, KF_YAML_TOO_MANY_ALIASES,
		     "more than 2 aliases in a document", NULL, 4, 4);
	expect_error("[1, 2, 3, 4, 5, 6, 7]\n---\n[1, 2, 3, 4, 5, 6, 7, 8]\n", &lim, 1, KF_YAML_TOO_MANY_NODES,
		     "more than 8 nodes in a document", NULL, 3, 23);

	/* the defaults */
	kf_buf b = KF_BUF_INIT;
	for (int i = 0; i < KF_YAML_MAX_DEPTH + 1; i++)
		kf_buf_printf(&b, "%*s- \n", 2 * i, "");
	expect_error(b.ptr, NULL, 0, KF_YAML_TOO_DEEP, "nested deeper than 256 levels", NULL, 257, 513);
	kf_buf_reset(&b);
	for (int i = 0; i < 100000; i++)
		kf_buf_adds(&b, "[");
	expect_error(b.ptr, NULL, 0, KF_YAML_TOO_DEEP_FLOW, "flow collections nested deeper than 64 levels", NULL, 1,
		     65);
	kf_buf_release(&b);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("a: 1\nb: *nope\n", NULL, 0, KF_YAML_INVALID, "found undefined alias", NULL, 2, 4);
	expect_error("a: &x 1\nb: &x 2\n", NULL, 0, KF_YAML_INVALID, "second occurrence",
		     "found duplicate anchor; first occurrence", 2, 4);
	expect_error("a: &r\n  b: [1, *r]\n", NULL, 0, KF_YAML_INVALID, "found recursive alias", NULL, 2, 10);
	/* an alias of a finished collection inside a later one is fine */
	expect_same("a: &r [1]\nb: [*r, {c: *r}]\n");
	/* libyaml's own errors, with its words and marks */
	expect_error("ok: 1\n---\nkind: Pod\nspec: [unclosed\n  containers: x\n", NULL, 1, KF_YAML_INVALID,
		     "did not find expected ',' or ']'", "while parsing a flow sequence", 5, 13);
	expect_error("a: 'unterminated\n", NULL, 0, KF_YAML_INVALID, "found unexpected end of stream",
		     "while scanning a quoted scalar", 2, 1);
	expect_error("a: b: c\n", NULL, 0, KF_YAML_INVALID, "mapping values are not allowed in this context", NULL,
		     1, 5);
}

static void test_index(void **state)
{
	(void)state;
	kf_buf b = KF_BUF_INIT;
	kf_buf_adds(&b, "a: 1\nb: {c: 2, 'd': \"3\"}\n[x]: 4\na: 5\nlist: [1]\n\"\": empty\n");
	for (int i = 0; i < 5000; i++)
		kf_buf_printf(&b, "k%d: {v: %d}\n", i, i);
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, b.ptr, b.len, NULL);
	yaml_document_t d;
	assert_int_equal(kf_yaml_load(&ld, &d), KF_YAML_DOC);
	kf_yaml_index ix;
	kf_yaml_index_init(&ix, &d);
	yaml_node_t *root = yaml_document_get_root_node(&d);
	assert_string_equal(kf_yaml_index_get(&ix, root, "a", 1)->data.scalar.value, "5"); /* the last wins */
	yaml_node_t *bm = kf_yaml_index_get(&ix, root, "b", 1);
	assert_string_equal(kf_yaml_index_get(&ix, bm, "c", 1)->data.scalar.value, "2");
	assert_string_equal(kf_yaml_index_get(&ix, bm, "d", 1)->data.scalar.value, "3");
	assert_null(kf_yaml_index_get(&ix, bm, "a", 1)); /* keys are per mapping */
	assert_null(kf_yaml_index_get(&ix, root, "c", 1));
	assert_null(kf_yaml_index_get(&ix, root, "ab", 1 + 1));
	assert_string_equal(kf_yaml_index_get(&ix, root, "abc", 0)->data.scalar.value, "empty");
	assert_null(kf_yaml_index_get(&ix, kf_yaml_index_get(&ix, root, "list", 4), "1", 1)); /* not a mapping */
	assert_null(kf_yaml_index_get(&ix, NULL, "a", 1));
	for (int i = 4999; i >= 0; i--) {
		char k[16], v[16];
		snprintf(k, sizeof(k), "k%d", i);
		snprintf(v, sizeof(v), "%d", i);
		yaml_node_t *m = kf_yaml_index_get(&ix, root, k, strlen(k));
		assert_non_null(m);
		assert_string_equal(kf_yaml_index_get(&ix, m, "v", 1)->data.scalar.value, v);
		assert_ptr_equal(m, get(&d, root, k));
	}
	kf_yaml_index_release(&ix);
	yaml_document_delete(&d);
	kf_yaml_loader_release(&ld);
	kf_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_libyaml),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
