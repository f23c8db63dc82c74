/* SPDX-License-Identifier: Apache-2.0 */
/* test_imageref.c - unit tests of imageref.c: Docker's reference grammar
 * (the cases of distribution/reference's tests that apply without
 * variables) and the normalisation of docs/language.md.
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
#include "base/imageref.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_norm(const char *in, const char *want)
{
	const char *why = "unset";
	char *got = kf_imageref_normalise_str(kf_str_cstr(in), &why);
	if (!got)
		fail_msg("'%s' rejected: %s", in, why);
	assert_string_equal(got, want);
	free(got);
}

static void expect_bad(const char *in, const char *why_want)
{
	const char *why = NULL;
	char *got = kf_imageref_normalise_str(kf_str_cstr(in), &why);
	if (got)
		fail_msg("'%s' accepted as '%s'", in, got);
	assert_string_equal(why, why_want);
}

static void test_normalise(void **state)
{
	(void)state;
	expect_norm("nginx", "docker.io/library/nginx:latest");
	expect_norm("nginx:1.25", "docker.io/library/nginx:1.25");
	expect_norm("library/nginx", "docker.io/library/nginx:latest");
	expect_norm("bitnami/redis:7", "docker.io/bitnami/redis:7");
	expect_norm("docker.io/nginx", "docker.io/library/nginx:latest");
	expect_norm("index.docker.io/nginx:1", "docker.io/library/nginx:1");
	expect_norm("index.docker.io/a/b", "docker.io/a/b:latest");
	expect_norm("quay.io/coreos/etcd", "quay.io/coreos/etcd:latest");
	expect_norm("localhost/foo", "localhost/foo:latest");
	expect_norm("localhost:5000/foo/bar:1", "localhost:5000/foo/bar:1");
	expect_norm("registry:5000/x", "registry:5000/x:latest");
	expect_norm("[::1]:5000/x:y", "[::1]:5000/x:y");
	expect_norm("nginx@sha256:" D64, "docker.io/library/nginx@sha256:" D64);
	expect_norm("k8s.io/a/b:v1@sha256:" D64, "k8s.io/a/b:v1@sha256:" D64);
	expect_norm("docker.io/a__b.c-d---e/f_g:W.1-x_Y", "docker.io/a__b.c-d---e/f_g:W.1-x_Y");
	expect_norm("local/x", "docker.io/local/x:latest"); /* no "." or ":": a path */
}

static void expect_familiar(const char *in, const char *want)
{
	char *got = kf_imageref_familiar(in);
	assert_string_equal(got, want);
	free(got);
}

/* docker's short form of a normalised name (what `kfc images` shows) */
static void test_familiar(void **state)
{
	(void)state;
	expect_familiar("docker.io/library/nginx:latest", "nginx:latest");
	expect_familiar("docker.io/library/nginx@sha256:" D64, "nginx@sha256:" D64);
	expect_familiar("docker.io/labring/kubernetes:v1.25.0", "labring/kubernetes:v1.25.0");
	expect_familiar("docker.io/library/a/b:1", "library/a/b:1");
	expect_familiar("docker.io/librar", "librar");
	expect_familiar("quay.io/library/x:1", "quay.io/library/x:1");
	expect_familiar("127.0.0.1:5000/labring/x:v1", "127.0.0.1:5000/labring/x:v1");
}

static void test_parts(void **state)
{
	(void)state;
	kf_imageref r;
	assert_null(kf_imageref_parse(kf_str_cstr("reg.io:443/a/b:t@sha256:" D64), &r));
	assert_true(kf_str_eq_cstr(r.domain, "reg.io:443"));
	assert_true(kf_str_eq_cstr(r.path, "a/b"));
	assert_true(kf_str_eq_cstr(r.tag, "t"));
	assert_true(kf_str_eq_cstr(r.digest, "sha256:" D64));
	assert_null(kf_imageref_parse(kf_str_cstr("a/b"), &r));
	assert_int_equal(r.domain.len, 0);
	assert_int_equal(r.tag.len, 0);
	assert_int_equal(r.digest.len, 0);
}

static void test_invalid(void **state)
{
	(void)state;
	const char *lower = "the name must be lower case";
	const char *comp = "name components are lower-case letters and digits, joined by . _ or -";
	const char *dig = "the digest must be sha256: and 64 hex digits";
	expect_bad("", "the name is empty");
	expect_bad(":tag", "the name is empty");
	expect_bad("quay.io/", "the name is empty");
	expect_bad("Nginx", lower);
	expect_bad("docker.io/library/Nginx:1.25", lower);
	expect_bad("Foo/bar", lower);
	expect_bad("a//b", comp);
	expect_bad("a/", comp);
	expect_bad("-a", comp);
	expect_bad("a-", comp);
	expect_bad("a..b", comp);
	expect_bad("a___b", comp);
	expect_bad("a_.b", comp);
	expect_bad("a b", comp);
	expect_bad("$IMAGE", comp);
	expect_bad("a:", "the tag must have 1 to 128 characters");
	expect_bad("a:.x", "the tag must start with a letter, digit or _");
	/* a first component with "." or ":" is a registry, and must be one */
	expect_bad("a:x/y", "the registry must be a host name or [IPv6 address], with an optional :port");
	expect_bad("a_b.c/x", "the registry must be a host name or [IPv6 address], with an optional :port");
	expect_bad("a:x$", "the tag may hold letters, digits, _, . and -");
	expect_bad("a@sha256:abc", dig);
	expect_bad("a@sha512:" D64, dig);
	expect_bad("a@sha256:" D64 "0", dig);
	expect_bad("a@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", dig);
	expect_bad("-bad.io/a", "the registry must be a host name or [IPv6 address], with an optional :port");
	expect_bad("bad-.io/a", "the registry must be a host name or [IPv6 address], with an optional :port");
	expect_bad("reg.io:x/a", "the registry must be a host name or [IPv6 address], with an optional :port");
	expect_bad("[::1/a", "the registry must be a host name or [IPv6 address], with an optional :port");
}

static void test_lengths(void **state)
{
	(void)state;
	char name[300], ref[400];
	memset(name, 'a', 255);
	name[255] = '\0';
	kf_imageref r;
	assert_null(kf_imageref_parse(kf_str_cstr(name), &r));
	snprintf(ref, sizeof(ref), "%s:%s", name, "v1"); /* the limit is on the name, not the tag */
	assert_null(kf_imageref_parse(kf_str_cstr(ref), &r));
	name[255] = 'a';
	name[256] = '\0';
	expect_bad(name, "the name is longer than 255 characters");
	char tag[140];
	memset(tag, 't', 128);
	tag[128] = '\0';
	snprintf(ref, sizeof(ref), "a:%s", tag);
	assert_null(kf_imageref_parse(kf_str_cstr(ref), &r));
	snprintf(ref, sizeof(ref), "a:%st", tag);
	expect_bad(ref, "the tag must have 1 to 128 characters");
}

/* KF202's, KF125's and discovery's judgement of a moving tag */
static void test_unpinned(void **state)
{
	(void)state;
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("nginx")), "has no tag");
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("localhost:5000/nginx")), "has no tag");
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("reg.io:443/a/b")), "has no tag");
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("nginx:latest")), "uses :latest");
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("reg.io:443/a/b:latest")), "uses :latest");
	assert_string_equal(kf_imageref_unpinned(kf_str_cstr("")), "has no tag");
	assert_null(kf_imageref_unpinned(kf_str_cstr("nginx:1.25")));
	assert_null(kf_imageref_unpinned(kf_str_cstr("nginx:latest2")));
	assert_null(kf_imageref_unpinned(kf_str_cstr("nginx:latest@sha256:" D64)));
	assert_null(kf_imageref_unpinned(kf_str_cstr("nginx@sha256:" D64)));
	assert_null(kf_imageref_unpinned(kf_str_cstr("localhost:5000"))); /* the tag 5000 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_familiar),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_unpinned),
		cmocka_unit_test(test_lengths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
