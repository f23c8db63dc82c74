/* SPDX-License-Identifier: Apache-2.0 */
/* test_fscache.c - unit tests of fscache.c: the cache answers what stat(2)
 * and readdir(3) answer, walks in name order without following links, and
 * sees every change to the disk in the next run while reusing the
 * listings of directories that did not change.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/fscache.h"

static char top[] = "/tmp/kf-fscache.XXXXXX";

/* top/rel, in a buffer the next call reuses */
static const char *at(const char *rel)
{
	static char p[4096];
	snprintf(p, sizeof(p), "%s/%s", top, rel);
	return p;
}

static void touch(const char *rel)
{
	FILE *f = fopen(at(rel), "w");
	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(top))
		return -1;
	if (mkdir(at("a"), 0755) || mkdir(at("a/b"), 0755) || mkdir(at("a/b/c"), 0755))
		return -1;
	touch("a/x.yaml");
	touch("a/b/y.sh");
	touch("a/b/c/z.txt");
	if (symlink("x.yaml", at("a/link")) || symlink("nowhere", at("a/dangling")) || symlink("b", at("a/dirlink")))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* the cache and plain stat agree on every kind of path */
static void test_type(void **state)
{
	(void)state;
	static const char *const rels[] = {"a", "a/", "a//", "a/x.yaml", "a/b", "a/b/y.sh", "a/link", "a/dangling",
					   "a/dirlink", "a/dirlink/y.sh", "a/missing", "missing/x", "a/x.yaml/x", "a/.",
					   "a/..", "a/b/../x.yaml", ""};
	static const unsigned want[] = {S_IFDIR, S_IFDIR, S_IFDIR, S_IFREG, S_IFDIR, S_IFREG, S_IFREG, 0,
					S_IFDIR, S_IFREG, 0, 0, 0, S_IFDIR, S_IFDIR, S_IFREG, S_IFDIR};
	kf_fscache *fs = kf_fscache_new();
	for (size_t i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		const char *p = at(rels[i]);
		if (kf_fscache_type(NULL, p) != want[i] || kf_fscache_type(fs, p) != want[i])
			fail_msg("%s: stat %o, cache %o, want %o", rels[i], kf_fscache_type(NULL, p), kf_fscache_type(fs, p),
				 want[i]);
	}
	/* a relative path is looked up from the working directory */
	assert_int_equal(chdir(top), 0);
	assert_int_equal(kf_fscache_type(fs, "a"), S_IFDIR);
	assert_int_equal(kf_fscache_type(fs, "a/x.yaml"), S_IFREG);
	assert_int_equal(kf_fscache_type(fs, "nope"), 0);
	assert_int_equal(chdir("/"), 0);
	kf_fscache_free(fs);
}

static bool collect(void *ctx, const char *rel, unsigned type)
{
	kf_buf *b = ctx;
	kf_buf_printf(b, "%s:%c ", rel, type == S_IFDIR ? 'd' : type == S_IFLNK ? 'l' : 'f');
	return strcmp(rel, "x.yaml") != 0; /* stops there */
}

/* name order, directories entered after their own call, links not
 * followed, the callback can stop the walk; the same with and without a
 * cache */
static void test_walk(void **state)
{
	(void)state;
	kf_fscache *fs = kf_fscache_new();
	for (int cached = 0; cached < 2; cached++) {
		kf_buf b = KF_BUF_INIT;
		assert_true(kf_fscache_walk(cached ? fs : NULL, at("a"), collect, &b));
		assert_string_equal(b.ptr, "b:d b/c:d b/c/z.txt:f b/y.sh:f dangling:l dirlink:l link:l x.yaml:f ");
		kf_buf_release(&b);
	}
	assert_false(kf_fscache_walk(fs, at("a/x.yaml"), collect, NULL));
	assert_false(kf_fscache_walk(fs, at("missing"), collect, NULL));
	kf_fsdir l;
	assert_true(kf_fscache_list(fs, at("a/dirlink"), &l)); /* the directory itself is followed */
	assert_int_equal(l.n, 2);
	assert_string_equal(l.entries[0].name, "c");
	assert_string_equal(l.entries[1].name, "y.sh");
	kf_fsdir_release(&l);
	kf_fscache_free(fs);
}

/* Every change is seen in the next run, racy or not (one made during a run
 * may show in it or not); an unchanged
 * directory's listing is reused once its last change is old enough. */
static void test_fresh(void **state)
{
	(void)state;
	kf_fscache *fs = kf_fscache_new();
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/new.yaml")), 0);
	touch("a/b/new.yaml");
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/new.yaml")), S_IFREG);
	assert_int_equal(unlink(at("a/b/new.yaml")), 0);
	assert_int_equal(mkdir(at("a/b/new.yaml"), 0755), 0);
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/new.yaml")), S_IFDIR);
	assert_int_equal(rmdir(at("a/b/new.yaml")), 0);
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/new.yaml")), 0);

	/* past the racy window the listing is kept ... */
	sleep(3);
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/y.sh")), S_IFREG);
	size_t reads = kf_fscache_reads(fs);
	for (int i = 0; i < 3; i++) {
		kf_fscache_begin(fs);
		assert_int_equal(kf_fscache_type(fs, at("a/b/y.sh")), S_IFREG);
		assert_int_equal(kf_fscache_type(fs, at("a/b/gone")), 0);
	}
	assert_int_equal(kf_fscache_reads(fs), reads);
	/* ... until the directory changes */
	touch("a/b/gone");
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/gone")), S_IFREG);
	assert_int_equal(kf_fscache_reads(fs), reads + 1);
	char from[4096];
	snprintf(from, sizeof(from), "%s", at("a/b/gone"));
	assert_int_equal(rename(from, at("a/b/went")), 0);
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/gone")), 0);
	assert_int_equal(kf_fscache_type(fs, at("a/b/went")), S_IFREG);
	assert_int_equal(unlink(at("a/b/went")), 0);
	kf_fscache_free(fs);
}

/* a directory is listed at its second question: a one-shot question
 * costs a stat, not a listing; a walk lists at once */
static void test_lazy(void **state)
{
	(void)state;
	kf_fscache *fs = kf_fscache_new();
	kf_fscache_begin(fs);
	assert_int_equal(kf_fscache_type(fs, at("a/b/y.sh")), S_IFREG);
	assert_int_equal(kf_fscache_reads(fs), 0);
	assert_int_equal(kf_fscache_type(fs, at("a/b/nope")), 0);
	assert_int_equal(kf_fscache_reads(fs), 1);
	kf_fsdir l;
	assert_true(kf_fscache_list(fs, at("a/b/c"), &l));
	assert_int_equal(kf_fscache_reads(fs), 2);
	assert_int_equal(l.n, 1);
	kf_fsdir_release(&l);
	kf_fscache_free(fs);
}

/* many directories: the table grows, idle ones are forgotten, answers stay */
static void test_many(void **state)
{
	(void)state;
	kf_fscache *fs = kf_fscache_new();
	char rel[64];
	for (int run = 0; run < 300; run++) {
		kf_fscache_begin(fs);
		snprintf(rel, sizeof(rel), "a/d%d/x", run);
		assert_int_equal(kf_fscache_type(fs, at(rel)), 0);
		assert_int_equal(kf_fscache_type(fs, at("a/b/y.sh")), S_IFREG);
	}
	kf_fscache_free(fs);
	kf_fscache_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_lazy),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
