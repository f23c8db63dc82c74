/* SPDX-License-Identifier: Apache-2.0 */
/* test_chart.c - unit tests of helm's render model (src/discovery/chart.h):
 * strvals (--set) with the cases of helm's own strvals tests, the merging
 * of values files, CoalesceTables, and helm template's splitting and
 * ordering of documents. The chart loading and rendering are tested on
 * charts by tests/imagelist.sh.
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
#include "discovery/chart.h"

static char *json_of(kf_tv v)
{
	kf_buf b = KF_BUF_INIT;
	kf_err e;
	if (!kf_tv_to_json(&b, v, false, &e))
		fail_msg("to json: %s", e.msg);
	return kf_buf_detach(&b, NULL);
}

/* --set s gives the JSON want, or fails with the message err */
static void set_case(const char *s, const char *want, const char *err)
{
	kf_arena a;
	kf_arena_init(&a);
	kf_tv v = kf_tv_new_map(&a);
	kf_buf e = KF_BUF_INIT;
	bool ok = kf_chart_strvals(&a, s, v, &e);
	if (err) {
		if (ok)
			fail_msg("--set %s: accepted, want error '%s'", s, err);
		if (!e.ptr || strcmp(e.ptr, err) != 0)
			fail_msg("--set %s: error '%s', want '%s'", s, e.ptr ? e.ptr : "", err);
	} else {
		if (!ok)
			fail_msg("--set %s: refused: %s", s, e.ptr ? e.ptr : "");
		char *got = json_of(v);
		if (strcmp(got, want) != 0)
			fail_msg("--set %s: %s, want %s", s, got, want);
		free(got);
	}
	kf_buf_release(&e);
	kf_arena_release(&a);
}

/* the cases of helm v3.8.1's pkg/strvals/parser_test.go (TestParseSet) */
static void test_strvals(void **state)
{
	(void)state;
	set_case("name1=value1", "{\"name1\":\"value1\"}", NULL);
	set_case("long_int_string=1234567890", "{\"long_int_string\":1234567890}", NULL);
	set_case("boolean=true", "{\"boolean\":true}", NULL);
	set_case("boolean=FALSE", "{\"boolean\":false}", NULL);
	set_case("is_null=null", "{\"is_null\":null}", NULL);
	set_case("zero=0", "{\"zero\":0}", NULL);
	set_case("leading_zeros=00009", "{\"leading_zeros\":\"00009\"}", NULL);
	set_case("name1=null,f=false,t=true", "{\"f\":false,\"name1\":null,\"t\":true}", NULL);
	set_case("name1=value1,name2=value2", "{\"name1\":\"value1\",\"name2\":\"value2\"}", NULL);
	set_case("name1=value1,name2=value2,", "{\"name1\":\"value1\",\"name2\":\"value2\"}", NULL);
	set_case("name1=,name2=value2", "{\"name1\":\"\",\"name2\":\"value2\"}", NULL);
	set_case("name1=one\\,two,name2=three\\,four", "{\"name1\":\"one,two\",\"name2\":\"three,four\"}", NULL);
	set_case("name1=one\\=two,name2=three\\=four", "{\"name1\":\"one=two\",\"name2\":\"three=four\"}", NULL);
	set_case("name1=one two three,name2=3 4 5", "{\"name1\":\"one two three\",\"name2\":\"3 4 5\"}", NULL);
	set_case("outer.inner=value", "{\"outer\":{\"inner\":\"value\"}}", NULL);
	set_case("outer.middle.inner=value", "{\"outer\":{\"middle\":{\"inner\":\"value\"}}}", NULL);
	set_case("outer.inner1=value,outer.inner2=value2", "{\"outer\":{\"inner1\":\"value\",\"inner2\":\"value2\"}}",
		 NULL);
	set_case("outer.inner1=value,outer.middle.inner=value",
		 "{\"outer\":{\"inner1\":\"value\",\"middle\":{\"inner\":\"value\"}}}", NULL);
	set_case("name1.name2=foo,name1.name2=bar", "{\"name1\":{\"name2\":\"bar\"}}", NULL);
	set_case("name1={value1,value2}", "{\"name1\":[\"value1\",\"value2\"]}", NULL);
	set_case("name1={value1,value2},name2={value1,value2}",
		 "{\"name1\":[\"value1\",\"value2\"],\"name2\":[\"value1\",\"value2\"]}", NULL);
	set_case("name1={1021,902}", "{\"name1\":[1021,902]}", NULL);
	set_case("name1.name2={value1,value2}", "{\"name1\":{\"name2\":[\"value1\",\"value2\"]}}", NULL);
	set_case("list[0]=foo", "{\"list\":[\"foo\"]}", NULL);
	set_case("list[0].foo=bar", "{\"list\":[{\"foo\":\"bar\"}]}", NULL);
	set_case("list[0].foo=bar,list[0].hello=world", "{\"list\":[{\"foo\":\"bar\",\"hello\":\"world\"}]}", NULL);
	set_case("list[0]=foo,list[1]=bar", "{\"list\":[\"foo\",\"bar\"]}", NULL);
	set_case("list[0]=foo,list[1]=bar,", "{\"list\":[\"foo\",\"bar\"]}", NULL);
	set_case("list[0]=foo,list[3]=bar", "{\"list\":[\"foo\",null,null,\"bar\"]}", NULL);
	set_case("illegal[0]name.foo=bar", NULL, "unexpected data at end of array index: \"name\"");
	set_case("noval[0]", "{\"noval\":[]}", NULL);
	set_case("noval[0]=", "{\"noval\":[\"\"]}", NULL);
	set_case("nested[0][0]=1", "{\"nested\":[[1]]}", NULL);
	set_case("nested[1][1]=1", "{\"nested\":[null,[null,1]]}", NULL);
	set_case("name1.name2[0].foo=bar,name1.name2[1].foo=bar",
		 "{\"name1\":{\"name2\":[{\"foo\":\"bar\"},{\"foo\":\"bar\"}]}}", NULL);
	set_case("name1.name2[1].foo=bar,name1.name2[0].foo=bar",
		 "{\"name1\":{\"name2\":[{\"foo\":\"bar\"},{\"foo\":\"bar\"}]}}", NULL);
	set_case("name1.name2[1].foo=bar", "{\"name1\":{\"name2\":[null,{\"foo\":\"bar\"}]}}", NULL);
	set_case("name1", NULL, "key \"name1\" has no value");
	set_case("name1=value1,name2", NULL, "key \"name2\" has no value");
	set_case("name1=value1,name2,name3=value3", NULL, "key \"name2\" has no value (cannot end with ,)");
	set_case("name1=value1,,,,name2=value2,", NULL, "key \"\" has no value (cannot end with ,)");
	set_case("name1.=value1", NULL, "key map \"name1\" has no value");
	set_case("name1={value1,value2", NULL, "list must terminate with '}'");
	set_case("list[-30].hello=world", NULL, "negative -30 index not allowed");
	set_case("", "{}", NULL);
}

/* -f files merge as helm's mergeMaps: maps deep, the later file wins */
static void test_values_files(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	kf_tv v = kf_tv_new_map(&a);
	kf_buf e = KF_BUF_INIT;
	const char *f1 = "a:\n  b: 1\n  c: [1, 2]\nd: x\n", *f2 = "a:\n  c: [3]\n  e: yes\nd: null\n";
	assert_true(kf_chart_merge_values_file(&a, v, f1, strlen(f1), &e));
	assert_true(kf_chart_merge_values_file(&a, v, f2, strlen(f2), &e));
	char *got = json_of(v);
	assert_string_equal(got, "{\"a\":{\"b\":1,\"c\":[3],\"e\":true},\"d\":null}");
	free(got);
	assert_false(kf_chart_merge_values_file(&a, v, "- a\n", 4, &e));
	assert_string_equal(e.ptr, "error unmarshaling JSON: json: cannot unmarshal array into Go value of type "
				   "map[string]interface {}");
	kf_buf_release(&e);
	kf_arena_release(&a);
}

/* CoalesceTables: dst wins, maps merged deep, a nil in dst deletes */
static void test_coalesce_tables(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	kf_tv dst, src;
	kf_err e;
	const char *d = "a: 1\nb: {x: 1}\nc: null\ne: {w: 1}\n", *s = "a: 2\nb: {x: 2, z: 3}\nc: 4\nd: 5\ne: 7\n";
	assert_true(kf_tv_from_yaml(&a, d, strlen(d), false, &dst, &e));
	assert_true(kf_tv_from_yaml(&a, s, strlen(s), false, &src, &e));
	kf_tv out = kf_chart_coalesce_tables(&a, dst, src);
	char *got = json_of(out);
	assert_string_equal(got, "{\"a\":1,\"b\":{\"x\":1,\"z\":3},\"d\":5,\"e\":{\"w\":1}}");
	free(got);
	kf_arena_release(&a);
}

/* helm template's printing: documents split as helm's regexp
 * (?:^|\s*\n)---\s* splits them (the "---" after a separator's blank
 * lines stays in the document, as helm prints it), kinds in install order,
 * hooks last, unknown hooks left out; checked with helm v3.8.1 */
static void test_manifests(void **state)
{
	(void)state;
	kf_chart_manifests *m = kf_chart_manifests_new();
	const char *a = "\n---\nkind: Deployment\nmetadata: {name: d}\n---   \n\n---\nkind: Service\n"
			"---\n# only a comment\n";
	const char *b = "kind: Job\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install\n"
			"---\nkind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: later\n---\nkind: Namespace\n";
	kf_chart_manifests_add(m, "c/templates/a.yaml", a, strlen(a));
	kf_chart_manifests_add(m, "c/templates/b.yaml", b, strlen(b));
	kf_chart_manifests_add(m, "c/templates/empty.yaml", " \n\n", 3);
	kf_buf out = KF_BUF_INIT;
	kf_chart_manifests_print(m, &out);
	assert_string_equal(out.ptr, "---\n# Source: c/templates/b.yaml\nkind: Namespace\n"
				     "---\n# Source: c/templates/a.yaml\n---\nkind: Service\n"
				     "---\n# Source: c/templates/a.yaml\nkind: Deployment\nmetadata: {name: d}\n"
				     "---\n# Source: c/templates/a.yaml\n# only a comment\n"
				     "---\n# Source: c/templates/b.yaml\nkind: Job\nmetadata:\n  annotations:\n"
				     "    helm.sh/hook: pre-install\n");
	kf_buf_release(&out);
	kf_chart_manifests_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strvals),
		cmocka_unit_test(test_values_files),
		cmocka_unit_test(test_coalesce_tables),
		cmocka_unit_test(test_manifests),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
