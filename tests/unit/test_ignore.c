/* SPDX-License-Identifier: Apache-2.0 */
/* test_ignore.c - unit tests of ignore.c: Docker's ignore-file patterns
 * (the examples of Docker's documentation, exceptions, "**", a leading
 * '/', a directory excluded with a child re-included), the walk's
 * answers, located errors and the cost of a hostile pattern.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/ignore.h"

static kf_ignore *load(const char *text)
{
	kf_ignore *ig = kf_ignore_new();
	kf_err e;
	if (!kf_ignore_parse(ig, ".dockerignore", text, strlen(text), &e))
		fail_msg("'%s' refused: %s", text, e.msg);
	return ig;
}

/* Each path of out is excluded, each of in is not. */
static void expect(const char *text, const char *const *out, const char *const *in)
{
	kf_ignore *ig = load(text);
	for (size_t i = 0; out && out[i]; i++)
		if (!kf_ignore_excluded(ig, out[i], false, NULL))
			fail_msg("patterns '%s': '%s' should be excluded", text, out[i]);
	for (size_t i = 0; in && in[i]; i++)
		if (kf_ignore_excluded(ig, in[i], false, NULL))
			fail_msg("patterns '%s': '%s' should be kept", text, in[i]);
	kf_ignore_free(ig);
}

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_error(const char *text, const char *want)
{
	kf_ignore *ig = kf_ignore_new();
	kf_err e = {""};
	if (kf_ignore_parse(ig, "ctx/.dockerignore", text, strlen(text), &e))
		fail_msg("'%s' accepted", text);
	assert_string_equal(e.msg, want);
	kf_ignore_free(ig);
}

static void test_docs_examples(void **state)
{
	(void)state;
	/* Docker's documentation, "dockerignore file" */
	expect("# comment\n*/temp*\n*/*/temp*\ntemp?\n",
	       L("somedir/temporary.txt", "somedir/temp", "somedir/subdir/temporary.txt", "tempa", "tempb",
		 "somedir/temp/x"),
	       L("temp", "temporary.txt", "tempab", "a/b/c/temp", "# comment"));
	expect("**/*.go\n", L("a.go", "x/a.go", "x/y/z/a.go"), L("a.goo", "go"));
	expect("*.md\n!README.md\n", L("a.md", "CHANGES.md"), L("README.md", "x/a.md"));
	expect("*.md\n!README*.md\nREADME-secret.md\n", L("a.md", "README-secret.md"), L("README.md", "README-x.md"));
	expect("*.md\nREADME-secret.md\n!README*.md\n", L("a.md"), L("README-secret.md", "README.md"));
	/* everything but a few */
	expect("*\n!src\n!Kubefile\n", L("a", ".git", ".git/config", "b/c"), L("src", "src/main.c", "Kubefile"));
}

static void test_syntax(void **state)
{
	(void)state;
	/* a leading '/' and cleaning: relative to the context root */
	expect("/foo/bar\n", L("foo/bar", "foo/bar/baz"), L("x/foo/bar", "foo", "foo/barx"));
	expect("./a/../b/\n", L("b", "b/c"), L("a", "a/b"));
	expect("//x//y/\n", L("x/y"), L("x"));
	/* trailing and leading white space trimmed; a '#' after column 1 is a pattern */
	expect("  foo \t\r\n", L("foo"), L("foo "));
	expect(" #x\n#y\n", L("#x"), L("#y", "y"));
	expect("!  keep\n", NULL, L("keep"));
	/* the byte-order mark */
	expect("\xef\xbb\xbf" "bom\n", L("bom"), NULL);
	/* CRLF lines */
	expect("a\r\nb\r\n", L("a", "b"), NULL);
	/* classes: '^' negates, '!' is a member; escapes */
	expect("[a-c]x\n", L("ax", "bx", "cx"), L("dx", "x", "abx"));
	expect("[^a]x\n", L("bx", "!x"), L("ax"));
	expect("[!a]x\n", L("!x", "ax"), L("bx"));
	expect("\\*\n", L("*"), L("a"));
	expect("a\\[b\n", L("a[b"), L("ab"));
	expect("[[:digit:]]*\n", L("1abc", "9"), L("abc"));
	expect("?\n", L("a", "\xc3\xa9", "a/b"), L("ab", "\xc3\xa9x"));
	/* '*' and '?' stop at '/' */
	expect("a*\n", L("a", "abc", "a/b"), L("ba", "b/a"));
	expect("*/b\n", L("a/b", "x/b/c"), L("b", "a/x/b"));
}

static void test_double_star(void **state)
{
	(void)state;
	expect("a/**/b\n", L("a/b", "a/x/b", "a/x/y/b", "a/b/c"), L("a/xb", "b", "x/a/b"));
	expect("foo/**\n", L("foo/x", "foo/x/y"), L("foo", "foobar"));
	expect("**/foo\n", L("foo", "x/foo", "x/y/foo", "x/foo/y"), L("xfoo", "foox"));
	expect("**\n", L("a", "a/b", ".git"), NULL);
	expect("node_modules/**\n", L("node_modules/a", "node_modules/a/b/c.js"), L("node_modules", "x/node_modules/a"));
	expect("**/node_modules\n", L("node_modules/a", "x/node_modules/y/z"), L("node_modulesx"));
	/* Docker's quirks, kept: "**" glued to other characters */
	expect("**foo\n", L("foo", "xfoo", "a/xfoo"), L("foox"));
	expect("a**b\n", L("ab", "a/b", "ax/b", "a/x/b"), L("axb"));
	expect("foo**\n", L("foo", "foobar", "foo/x"), L("fo"));
	expect("**/*.pem\n", L("a.pem", "x/y/a.pem"), L("a.pem.txt"));
}

static void test_exceptions(void **state)
{
	(void)state;
	/* a directory excluded, a child re-included */
	expect("foo\n!foo/keep\n", L("foo/x", "foo/x/y", "foo/keepx"), L("foo/keep", "foo/keep/y"));
	/* nested exceptions: the last line that applies wins */
	expect("a\n!a/b\na/b/c\n!a/b/c/d\n", L("a/x", "a/b/c", "a/b/c/z", "a/b/c/z/w"),
	       L("a/b", "a/b/y", "a/b/c/d", "a/b/c/d/e"));
	/* an exception before the exclusion does nothing */
	expect("!a/b\na\n", L("a", "a/b"), NULL);
	/* wildcards in an exception */
	expect("*\n!*/keep\n", L("x", "x/y"), L("x/keep", "y/keep/z"));

	kf_ignore *ig = load("foo\n!foo/keep\nbar\n*.tmp\n!x/**/y\nx\n");
	assert_int_equal(kf_ignore_pick_entry(ig, "foo", true), KF_IGNORE_ENTER);
	assert_int_equal(kf_ignore_pick_entry(ig, "foo/other", true), KF_IGNORE_SKIP);
	assert_int_equal(kf_ignore_pick_entry(ig, "foo/keep", true), KF_IGNORE_KEEP);
	assert_int_equal(kf_ignore_pick_entry(ig, "bar", true), KF_IGNORE_SKIP);
	assert_int_equal(kf_ignore_pick_entry(ig, "a.tmp", false), KF_IGNORE_SKIP);
	assert_int_equal(kf_ignore_pick_entry(ig, "src", true), KF_IGNORE_KEEP);
	assert_int_equal(kf_ignore_pick_entry(ig, "x", true), KF_IGNORE_ENTER);
	assert_int_equal(kf_ignore_pick_entry(ig, "x/q/r", true), KF_IGNORE_ENTER);
	assert_true(kf_ignore_excluded(ig, "x/q/r/s", false, NULL));
	unsigned line = 0;
	assert_true(kf_ignore_excluded(ig, "bar/z", false, &line));
	assert_int_equal(line, 3);
	assert_false(kf_ignore_excluded(ig, "foo/keep", false, &line));
	assert_int_equal(line, 2);
	kf_ignore_free(ig);

	/* without exceptions, an excluded directory is never entered */
	ig = load("foo\n");
	assert_int_equal(kf_ignore_pick_entry(ig, "foo", true), KF_IGNORE_SKIP);
	kf_ignore_free(ig);
}

static void test_added_paths(void **state)
{
	(void)state;
	/* the build's output folder: out whatever the patterns say */
	kf_ignore *ig = load("*\n!out\n!out/**\n!src\n");
	kf_ignore_add_path(ig, "./out/");
	assert_true(kf_ignore_excluded(ig, "out", true, NULL));
	assert_true(kf_ignore_excluded(ig, "out/index.json", false, NULL));
	assert_true(kf_ignore_excluded(ig, "outx", false, NULL)); /* by "*" */
	assert_false(kf_ignore_may_reinclude(ig, "out"));
	assert_int_equal(kf_ignore_pick_entry(ig, "out", true), KF_IGNORE_SKIP);
	assert_false(kf_ignore_excluded(ig, "src/a", false, NULL));
	kf_ignore_free(ig);
	/* NULL: nothing ignored */
	assert_false(kf_ignore_excluded(NULL, "a", false, NULL));
	assert_int_equal(kf_ignore_pick_entry(NULL, ".git", true), KF_IGNORE_KEEP);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("ok\n  [abc\n", "ctx/.dockerignore:2:3: '[' is not closed by ']'");
	expect_error("!\n", "ctx/.dockerignore:1:1: '!' alone re-includes nothing: write the pattern after it");
	expect_error("x\n ! \n", "ctx/.dockerignore:2:2: '!' alone re-includes nothing: write the pattern after it");
	expect_error("abc\\\n", "ctx/.dockerignore:1:4: a '\\' at the end of a pattern escapes nothing");
	expect_error("a[z-a]\n", "ctx/.dockerignore:1:3: the range of the character class runs backwards");
	expect_error("[]a]\n",
		     "ctx/.dockerignore:1:2: a '-' or ']' inside a character class must be escaped as '\\-' or '\\]'");
	expect_error("[a-]\n",
		     "ctx/.dockerignore:1:4: a '-' or ']' inside a character class must be escaped as '\\-' or '\\]'");
	expect_error("\xc3\xa9\xc3\xa9[\n", "ctx/.dockerignore:1:3: '[' is not closed by ']'");
	expect_error("[[:nope:]]\n",
		     "ctx/.dockerignore:1:2: unknown character class: use one of [:alnum:], [:alpha:], [:digit:], "
		     "[:lower:], [:space:], [:upper:] …");
	/* the escapes that are fine */
	expect("[\\]]\n[\\-]\n", L("]", "-"), L("a"));
}

static void test_cost(void **state)
{
	(void)state;
	/* many '*' and "**": linear, not a power of the path's length */
	char path[4001];
	memset(path, 'a', 4000);
	path[4000] = '\0';
	for (int i = 1; i < 4000; i += 3)
		path[i] = '/';
	kf_ignore *ig = load("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n**/a/**/a/**/a/**/a/**/a/**/a/**/b\n!**a**a**a**a**a**a**c\n");
	clock_t t0 = clock();
	for (int i = 0; i < 20; i++)
		assert_false(kf_ignore_excluded(ig, path, false, NULL));
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0);
	kf_ignore_free(ig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docs_examples), cmocka_unit_test(test_syntax),   cmocka_unit_test(test_double_star),
		cmocka_unit_test(test_exceptions),    cmocka_unit_test(test_added_paths), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
