/* SPDX-License-Identifier: Apache-2.0 */
/* test_rcache.c - the shared build cache's pieces: the --cache-to and
 * --cache-from values, the cache config's checks, and a layer's digests
 * computed without writing it (the content key of another machine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "build/rcache.h"
#include "oci/layer.h"

static void spec_ok(const char *arg, bool to, bool registry, const char *where, bool max)
{
	kf_cache_spec s;
	kf_err e = {""};
	assert_true(kf_cache_spec_parse(arg, to, &s, &e));
	assert_int_equal(s.registry, registry);
	assert_string_equal(s.where, where);
	assert_int_equal(s.max, max);
	kf_cache_spec_release(&s);
}

static void spec_bad(const char *arg, bool to, const char *msg)
{
	kf_cache_spec s;
	kf_err e = {""};
	assert_false(kf_cache_spec_parse(arg, to, &s, &e));
	assert_string_equal(e.msg, msg);
	assert_null(s.where);
}

static void test_specs(void **state)
{
	(void)state;
	spec_ok("registry:reg.example.com/app:cache", true, true, "reg.example.com/app:cache", false);
	spec_ok("registry:app", false, true, "docker.io/library/app:latest", false);
	spec_ok("registry:127.0.0.1:5000/a/b:c,mode=max", true, true, "127.0.0.1:5000/a/b:c", true);
	spec_ok("oci:/ci/cache,mode=min", true, false, "/ci/cache", false);
	spec_ok("oci:rel/dir", false, false, "rel/dir", false);
	spec_bad("type=registry,ref=x", true, "--cache-to=type=registry,ref=x: give registry:REF or oci:DIR");
	spec_bad("oci:", false, "--cache-from=oci:: no folder");
	spec_bad("registry:,mode=max", true, "--cache-to=registry:,mode=max: no image name");
	spec_bad("oci:d,mode=max", false, "--cache-from=oci:d,mode=max: unknown option 'mode=max'");
	spec_bad("oci:d,mode=all", true, "--cache-to=oci:d,mode=all: unknown option 'mode=all' (mode=min or mode=max)");
	spec_bad("registry:Up/x", true, "--cache-to=registry:Up/x: 'Up/x' is no image name: the name must be lower case");
}

#define D(c) "sha256:" c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c
#define LAYER "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D("a") "\",\"size\":99}"

static void config_bad(const char *text, const char *msg)
{
	json_t *r, *l, *f;
	kf_err e = {""};
	assert_false(kf_cache_config_parse(text, strlen(text), &r, &l, &f, &e));
	assert_string_equal(e.msg, msg);
	assert_null(r);
	assert_null(l);
	assert_null(f);
}

static void test_config(void **state)
{
	(void)state;
	const char *good = "{\"version\":1,\"records\":{\"" D("1") "\":{\"layer\":" LAYER ",\"diff_id\":\"" D("2") "\"},\""
			   D("3") "\":{\"layer\":null}},\"links\":{\"" D("4") "\":\"" D("1") "\"},\"facts\":{\"" D("5")
			   "\":{\"images\":[]}}}";
	json_t *r, *l, *f;
	kf_err e = {""};
	assert_true(kf_cache_config_parse(good, strlen(good), &r, &l, &f, &e));
	assert_int_equal(json_object_size(r), 2);
	assert_string_equal(json_string_value(json_object_get(l, D("4"))), D("1"));
	assert_non_null(json_object_get(f, D("5")));
	/* against a manifest: its layer must be one of the manifest's */
	json_t *cfg = json_loads(good, 0, NULL);
	json_t *layers = json_loads("[" LAYER "]", 0, NULL);
	json_t *r2, *l2, *f2;
	assert_true(kf_cache_config_check(cfg, layers, &r2, &l2, &f2, &e));
	json_decref(r2);
	json_decref(l2);
	json_decref(f2);
	json_t *other = json_array();
	assert_false(kf_cache_config_check(cfg, other, &r2, &l2, &f2, &e));
	assert_string_equal(e.msg, "record " D("1") ": its layer is not one of the manifest's");
	json_decref(other);
	json_decref(layers);
	json_decref(cfg);
	json_decref(r);
	json_decref(l);
	json_decref(f);

	config_bad("[]", "the cache config is not a JSON object");
	config_bad("{\"version\":2,\"records\":{}}", "the cache config is not of version 1");
	config_bad("{\"version\":1}", "the cache config has no \"records\" object");
	config_bad("{\"version\":1,\"records\":{\"x\":{\"layer\":null}}}", "the cache config has a key that is no digest");
	config_bad("{\"version\":1,\"records\":{\"" D("1") "\":{}}}", "record " D("1") ": no \"layer\"");
	config_bad("{\"version\":1,\"records\":{\"" D("1") "\":{\"layer\":" LAYER "}}}",
		   "record " D("1") ": no valid \"diff_id\"");
	config_bad("{\"version\":1,\"records\":{},\"links\":{\"" D("1") "\":\"x\"}}",
		   "the cache config has a link that is no pair of digests");
	config_bad("{\"version\":1,\"records\":{},\"facts\":{\"" D("1") "\":[]}}",
		   "the cache config has a fact that is no digest and object");
	config_bad("{\"version\":1,\"version\":1,\"records\":{}}",
		   "the cache config is not JSON: duplicate object key near '\"version\"'");
}

/* kf_layer_finish with no folder: the same digests, no file */
static void test_layer_digests_only(void **state)
{
	(void)state;
	kf_layer_options o = {KF_COMPRESS_NONE, 0, 1, 1700000000, 1700000000, NULL, NULL, NULL};
	kf_layer_result a, b;
	kf_err e;
	char dir[] = "/tmp/kf-test-rcache-XXXXXX";
	assert_non_null(mkdtemp(dir));
	for (int i = 0; i < 2; i++) {
		kf_layer *l = kf_layer_new(&o);
		kf_layer_add_data(l, "etc/hello", "hello\n", 6, 0644, NULL);
		kf_layer_add_data(l, "a/b/c", "c", 1, 0600, NULL);
		assert_true(kf_layer_finish(l, i ? NULL : dir, i ? &b : &a, &e));
	}
	assert_non_null(a.tmp_path);
	assert_null(b.tmp_path);
	assert_string_equal(a.diff_id, b.diff_id);
	assert_string_equal(a.digest, b.digest);
	assert_int_equal(a.size, b.size);
	unlink(a.tmp_path);
	free(a.tmp_path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_specs),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_layer_digests_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
