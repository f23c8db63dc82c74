/* test_tmpl.c - unit tests of the Go template engine (src/tmpl/): values
 * printed as Go's fmt prints them, YAML and JSON as helm reads and writes
 * them (toYaml's bytes checked against helm v3.8.1), and templates
 * executed as Go's text/template executes them, errors worded as Go's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/err.h"
#include "tmpl/value.h"

/* ---- values ---- */

static void expect_print(kf_tv v, const char *want)
{
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, v);
	assert_string_equal(b.ptr ? b.ptr : "", want);
	kf_buf_release(&b);
}

static void test_print_floats(void **state)
{
	(void)state;
	expect_print(kf_tv_float(1000000), "1e+06");
	expect_print(kf_tv_float(123456), "123456");
	expect_print(kf_tv_float(1.5e-7), "1.5e-07");
	expect_print(kf_tv_float(3), "3");
	expect_print(kf_tv_float(0.1), "0.1");
	expect_print(kf_tv_float(0.0001), "0.0001");
	expect_print(kf_tv_float(0.00001), "1e-05");
	expect_print(kf_tv_float(-2.5), "-2.5");
	expect_print(kf_tv_float(123456789), "1.23456789e+08");
	expect_print(kf_tv_float(1e21), "1e+21");
	expect_print(kf_tv_float(0), "0");
	expect_print(kf_tv_float(1.0 / 3), "0.3333333333333333");
	expect_print(kf_tv_int(-42), "-42");
	expect_print(kf_tv_nil(), "<nil>");
	expect_print(kf_tv_bool(true), "true");
}

static void test_print_collections(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	kf_tv l = kf_tv_new_list(&a, 0);
	kf_tv_list_push(&a, l.u.list, kf_tv_cstr(&a, "a"));
	kf_tv_list_push(&a, l.u.list, kf_tv_cstr(&a, "b"));
	expect_print(l, "[a b]");
	kf_tv m = kf_tv_new_map(&a);
	kf_tv_map_set(&a, m.u.map, "b", 1, kf_tv_float(2));
	kf_tv_map_set(&a, m.u.map, "a", 1, kf_tv_float(1));
	kf_tv_map_set(&a, m.u.map, "c", 1, l);
	expect_print(m, "map[a:1 b:2 c:[a b]]");
	assert_true(kf_tv_map_del(m.u.map, "b", 1));
	assert_null(kf_tv_map_get(m.u.map, "b", 1));
	expect_print(m, "map[a:1 c:[a b]]");
	assert_true(kf_tv_equal(m, kf_tv_deep_copy(&a, m)));
	assert_false(kf_tv_equal(kf_tv_int(1), kf_tv_float(1)));
	assert_string_equal(kf_tv_type_name(m), "map[string]interface {}");
	assert_string_equal(kf_tv_type_name(l), "[]interface {}");
	kf_arena_release(&a);
}

static void test_big_map(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	kf_buf y = KF_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		kf_buf_printf(&y, "k%d: %d\n", (i * 7919) % 100000, i);
	kf_tv v;
	kf_err e;
	assert_true(kf_tv_from_yaml(&a, y.ptr, y.len, false, &v, &e));
	assert_int_equal(v.u.map->len, 100000);
	kf_tv *x = kf_tv_map_get(v.u.map, "k7919", 5);
	assert_non_null(x);
	assert_true(x->kind == KF_TV_FLOAT && x->u.f == 1);
	kf_tv m = kf_tv_new_map(&a);
	for (int i = 100000; i > 0; i--) {
		char k[32];
		int n = snprintf(k, sizeof k, "%d", i);
		kf_tv_map_set(&a, m.u.map, k, (size_t)n, kf_tv_int(i));
	}
	assert_int_equal(m.u.map->len, 100000);
	kf_buf_release(&y);
	kf_arena_release(&a);
}

static kf_tv yaml_value(kf_arena *a, const char *text)
{
	kf_tv v;
	kf_err e;
	if (!kf_tv_from_yaml(a, text, strlen(text), false, &v, &e))
		fail_msg("%s: %s", text, e.msg);
	return v;
}

/* the value of key "v" in YAML "v: TEXT", printed with %v and its type */
static void expect_scalar(const char *scalar, const char *type, const char *printed)
{
	kf_arena a;
	kf_arena_init(&a);
	char text[256];
	snprintf(text, sizeof text, "v: %s\n", scalar);
	kf_tv v = yaml_value(&a, text);
	kf_tv *x = kf_tv_map_get(v.u.map, "v", 1);
	assert_non_null(x);
	assert_string_equal(kf_tv_type_name(*x), type);
	expect_print(*x, printed);
	kf_arena_release(&a);
}

static void test_yaml_scalars(void **state)
{
	(void)state;
	expect_scalar("yes", "bool", "true");
	expect_scalar("Off", "bool", "false");
	expect_scalar("y", "bool", "true");
	expect_scalar("'yes'", "string", "yes");
	expect_scalar("~", "<nil>", "<nil>");
	expect_scalar("null", "<nil>", "<nil>");
	expect_scalar("", "<nil>", "<nil>");
	expect_scalar("0x1F", "float64", "31");
	expect_scalar("0o17", "float64", "15");
	expect_scalar("0755", "float64", "493");
	expect_scalar("1_000", "float64", "1000");
	expect_scalar("1000000", "float64", "1e+06");
	expect_scalar("1.5", "float64", "1.5");
	expect_scalar("1e3", "float64", "1000");
	expect_scalar(".5", "float64", "0.5");
	expect_scalar("08", "float64", "8");
	expect_scalar("1.2.3", "string", "1.2.3");
	expect_scalar("2001-12-14", "string", "2001-12-14");
	expect_scalar("\"3\"", "string", "3");
	expect_scalar("v1.0", "string", "v1.0");
}

static void test_yaml_keys_merge(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	expect_print(yaml_value(&a, "1: a\nyes: b\n1.5: c\nx: d\n"), "map[1:a 1.5:c true:b x:d]");
	expect_print(yaml_value(&a, "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\n"), "map[base:map[a:1 b:2] m:map[a:1 b:3]]");
	expect_print(yaml_value(&a, "x: &x {a: 1}\nz: &y {a: 2, c: 3}\nm:\n  <<: [*x, *y]\n"),
		     "map[m:map[a:1 c:3] x:map[a:1] z:map[a:2 c:3]]");
	kf_tv v = kf_tv_nil();
	kf_err e;
	assert_true(kf_tv_from_yaml(&a, "", 0, false, &v, &e));
	assert_int_equal(v.kind, KF_TV_NIL);
	assert_true(kf_tv_from_yaml(&a, "a\n---\nb\n", 8, true, &v, &e));
	expect_print(v, "[a b]");
	assert_false(kf_tv_from_yaml(&a, "a: [", 4, false, &v, &e));
	assert_string_equal(e.msg, "2:1: did not find expected node content");
	kf_arena_release(&a);
}

static void test_yaml_alias_bomb(void **state)
{
	(void)state;
	kf_buf y = KF_BUF_INIT;
	kf_buf_adds(&y, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (int i = 1; i < 9; i++) {
		kf_buf_printf(&y, "a%d: &a%d [", i, i);
		for (int j = 0; j < 10; j++)
			kf_buf_printf(&y, "%s*a%d", j ? ", " : "", i - 1);
		kf_buf_adds(&y, "]\n");
	}
	kf_arena a;
	kf_arena_init(&a);
	kf_tv v;
	kf_err e;
	assert_false(kf_tv_from_yaml(&a, y.ptr, y.len, false, &v, &e));
	assert_non_null(strstr(e.msg, "document contains excessive aliasing"));
	kf_buf_release(&y);
	kf_arena_release(&a);
}

static void expect_yaml(kf_tv v, const char *want)
{
	kf_buf b = KF_BUF_INIT;
	kf_err e;
	if (!kf_tv_to_yaml(&b, v, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(b.ptr ? b.ptr : "", want);
	kf_buf_release(&b);
}

static void test_to_yaml(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	expect_yaml(kf_tv_cstr(&a, "yes"), "\"yes\"\n");
	expect_yaml(kf_tv_cstr(&a, "1.0"), "\"1.0\"\n");
	expect_yaml(kf_tv_cstr(&a, ""), "\"\"\n");
	expect_yaml(kf_tv_cstr(&a, "a: b"), "'a: b'\n");
	expect_yaml(kf_tv_cstr(&a, " lead"), "' lead'\n");
	expect_yaml(kf_tv_cstr(&a, "plain"), "plain\n");
	expect_yaml(kf_tv_cstr(&a, "a\nb\n"), "|\n  a\n  b\n");
	expect_yaml(kf_tv_cstr(&a, "a\nb"), "|-\n  a\n  b\n");
	expect_yaml(kf_tv_cstr(&a, "1:20"), "\"1:20\"\n");
	expect_yaml(kf_tv_cstr(&a, "2001-12-14"), "\"2001-12-14\"\n");
	expect_yaml(kf_tv_float(1000000), "1000000\n");
	expect_yaml(kf_tv_float(1.5), "1.5\n");
	expect_yaml(kf_tv_float(1e21), "1e+21\n");
	expect_yaml(kf_tv_nil(), "null\n");
	expect_yaml(kf_tv_cstr(&a, "<<"), "<<\n");
	expect_yaml(kf_tv_cstr(&a, "\n"), "|2+\n\n");
	expect_yaml(kf_tv_float(1e20), "1e+20\n");
	expect_yaml(kf_tv_float(1e-6), "1e-06\n");
	expect_yaml(yaml_value(&a, "b: {x: [1, 2], \"y\": {}}\na: []\nc: 'on'\n"),
		    "a: []\nb:\n  x:\n  - 1\n  - 2\n  \"y\": {}\nc: \"on\"\n");
	expect_yaml(yaml_value(&a, "a10: 1\na2: 2\n_x: 3\nB: 4\n"), "_x: 3\nB: 4\na2: 2\na10: 1\n");
	kf_arena_release(&a);
}

static void expect_json(kf_tv v, bool pretty, const char *want)
{
	kf_buf b = KF_BUF_INIT;
	kf_err e;
	if (!kf_tv_to_json(&b, v, pretty, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(b.ptr ? b.ptr : "", want);
	kf_buf_release(&b);
}

static void test_json(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	kf_tv v;
	kf_err e;
	const char *j = "{\"b\":[1,2.5,1e21,0.0000001],\"a\":\"<x&y>\",\"c\":null,\"d\":{}}";
	assert_true(kf_tv_from_json(&a, j, strlen(j), &v, &e));
	expect_json(v, false, "{\"a\":\"\\u003cx\\u0026y\\u003e\",\"b\":[1,2.5,1e+21,1e-7],\"c\":null,\"d\":{}}");
	expect_json(yaml_value(&a, "a: [1]\n"), true, "{\n  \"a\": [\n    1\n  ]\n}");
	expect_json(kf_tv_float(1e20), false, "100000000000000000000");
	assert_false(kf_tv_from_json(&a, "{", 1, &v, &e));
	kf_arena_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_floats),    cmocka_unit_test(test_print_collections),
		cmocka_unit_test(test_big_map),         cmocka_unit_test(test_yaml_scalars),
		cmocka_unit_test(test_yaml_keys_merge), cmocka_unit_test(test_yaml_alias_bomb),
		cmocka_unit_test(test_to_yaml),         cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
