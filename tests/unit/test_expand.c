/* SPDX-License-Identifier: Apache-2.0 */
/* test_expand.c - unit tests of expand.c against BuildKit's shell lexer tables.
 *
 * The tables are read from $KF_TESTDATA/corpus/buildkit/shell/{envVarTest,wordsTest}
 * (KF_TESTDATA is the path of the tests directory); FORMAT.md in that corpus
 * describes them. Every row is checked; a failing row is printed with its
 * line number, and the test fails at the end if any row failed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/expand.h"

/* ---- an environment of "KEY=value" strings; a later KEY wins ---------- */

struct env {
	char **kv;
	size_t n, cap;
};

static void env_add(struct env *e, const char *kv, size_t len)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 8;
		e->kv = kf_xrealloc(e->kv, e->cap * sizeof(*e->kv));
	}
	e->kv[e->n] = kf_xmalloc(len + 1);
	memcpy(e->kv[e->n], kv, len);
	e->kv[e->n][len] = '\0';
	e->n++;
}

static void env_release(struct env *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->kv[i]);
	free(e->kv);
	memset(e, 0, sizeof(*e));
}

/* As BuildKit's BuildEnvs on Unix: "K=v" sets K to v, "K" sets K to "". */
static bool env_lookup(void *ctx, kf_str name, kf_str *value)
{
	const struct env *e = ctx;

	for (size_t i = e->n; i-- > 0;) {
		const char *kv = e->kv[i], *eq = strchr(kv, '=');
		size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
		if (klen == name.len && memcmp(kv, name.ptr, klen) == 0) {
			*value = eq ? kf_str_cstr(eq + 1) : KF_STR_LIT("");
			return true;
		}
	}
	return false;
}

static kf_expand_env env_of(struct env *e)
{
	return (kf_expand_env){env_lookup, e};
}

static struct env env_make(const char *const *kvs)
{
	struct env e = {0};

	for (; kvs && *kvs; kvs++)
		env_add(&e, *kvs, strlen(*kvs));
	return e;
}

/* ---- reading the tables ----------------------------------------------- */

static char *read_table(const char *name, size_t *len)
{
	const char *dir = getenv("KF_TESTDATA");
	kf_buf path = KF_BUF_INIT, data = KF_BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f;

	if (!dir || !*dir)
		fail_msg("KF_TESTDATA is not set: it must be the path of the tests directory "
			 "(e.g. KF_TESTDATA=/work/main/tests)");
	kf_buf_printf(&path, "%s/corpus/buildkit/shell/%s", dir, name);
	f = fopen(path.ptr, "rb");
	if (!f) {
		print_error("cannot open %s: %s\n", path.ptr, strerror(errno));
		kf_buf_release(&path);
		fail_msg("test table %s is missing", name);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kf_buf_add(&data, chunk, n);
	fclose(f);
	kf_buf_release(&path);
	kf_buf_grow(&data, 0);
	return kf_buf_detach(&data, len);
}

/* Next line of text[*pos..len), without its "\n" (and "\r", as Go's
 * bufio.ScanLines drops it). Returns false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, kf_str *line)
{
	size_t start = *pos, end;

	if (start >= len)
		return false;
	end = start;
	while (end < len && text[end] != '\n')
		end++;
	*pos = end < len ? end + 1 : end;
	if (end > start && text[end - 1] == '\r')
		end--;
	*line = kf_str_make(text + start, end - start);
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static kf_str trim_left(kf_str s)
{
	while (s.len && is_blank(s.ptr[0])) {
		s.ptr++;
		s.len--;
	}
	return s;
}

static kf_str trim_space(kf_str s)
{
	s = trim_left(s);
	while (s.len && is_blank(s.ptr[s.len - 1]))
		s.len--;
	return s;
}

/* Splits s at each '|' into at most max fields; returns the field count
 * (more than max when there are too many). */
static size_t split_bars(kf_str s, kf_str *f, size_t max)
{
	size_t n = 0, start = 0;

	for (size_t i = 0; i <= s.len; i++) {
		if (i == s.len || s.ptr[i] == '|') {
			if (n < max)
				f[n] = kf_str_make(s.ptr + start, i - start);
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* ---- envVarTest --------------------------------------------------------- */

static void test_envvar_table(void **state)
{
	static const char *const base[] = {"PWD=/home", "SHELL=bash", "KOREAN=한국어", "NULL=", NULL};
	size_t len, pos = 0, lineno = 0, checked = 0, failed = 0, skipped = 0;
	char *text = read_table("envVarTest", &len);
	struct env e = env_make(base);
	kf_expand_env env = env_of(&e);
	kf_buf out = KF_BUF_INIT;
	kf_str line;

	(void)state;
	while (next_line(text, len, &pos, &line)) {
		kf_str f[3], platform, source, expected;
		kf_expand_error err;
		bool ok;

		lineno++;
		if (kf_str_has_prefix(line, "#"))
			continue;
		line = trim_space(line);
		if (!line.len)
			continue;
		if (split_bars(line, f, 3) != 3) {
			print_error("envVarTest:%zu: not PLATFORM|input|expected: %.*s\n", lineno,
				    (int)line.len, line.ptr);
			failed++;
			continue;
		}
		platform = trim_space(f[0]);
		source = trim_space(f[1]);
		expected = trim_space(f[2]);
		if (kf_str_eq_cstr(platform, "W")) {
			/* Windows-only row: there variable names are
			 * case-insensitive ($pwd is $PWD); we do Unix. */
			skipped++;
			continue;
		}
		if (!kf_str_eq_cstr(platform, "A") && !kf_str_eq_cstr(platform, "U")) {
			print_error("envVarTest:%zu: bad platform '%.*s'\n", lineno,
				    (int)platform.len, platform.ptr);
			failed++;
			continue;
		}
		checked++;
		kf_buf_reset(&out);
		ok = kf_expand_word(source, '\\', &env, &out, &err);
		if (kf_str_eq_cstr(expected, "error")) {
			if (ok) {
				print_error("envVarTest:%zu: %.*s: expected an error, got \"%s\"\n",
					    lineno, (int)source.len, source.ptr, out.ptr);
				failed++;
			}
		} else if (!ok) {
			print_error("envVarTest:%zu: %.*s: expected \"%.*s\", got error at %zu: %s\n",
				    lineno, (int)source.len, source.ptr, (int)expected.len,
				    expected.ptr, err.offset, err.detail);
			failed++;
		} else if (!kf_str_eq(kf_str_make(out.ptr, out.len), expected)) {
			print_error("envVarTest:%zu: %.*s: expected \"%.*s\", got \"%s\"\n", lineno,
				    (int)source.len, source.ptr, (int)expected.len, expected.ptr,
				    out.ptr);
			failed++;
		}
	}
	printf("envVarTest: %zu rows checked, %zu passed, %zu failed, %zu skipped (Windows)\n",
	       checked, checked - failed, failed, skipped);
	kf_buf_release(&out);
	free(text);
	env_release(&e);
	assert_true(checked > 0);
	assert_int_equal(failed, 0);
}

/* ---- wordsTest ------------------------------------------------------------ */

static void print_words(kf_buf *b, const kf_str *w, size_t n)
{
	kf_buf_adds(b, "[");
	for (size_t i = 0; i < n; i++)
		kf_buf_printf(b, "%s\"%.*s\"", i ? " " : "", (int)w[i].len, w[i].ptr);
	kf_buf_adds(b, "]");
}

static void test_words_table(void **state)
{
	struct env e = {0};
	kf_expand_env env = env_of(&e);
	size_t len, pos = 0, lineno = 0, checked = 0, failed = 0;
	char *text = read_table("wordsTest", &len);
	kf_str line;
	kf_arena arena;

	(void)state;
	kf_arena_init(&arena);
	while (next_line(text, len, &pos, &line)) {
		kf_str f[2], source, rest, want[64], *got;
		size_t nwant = 0, ngot;
		kf_expand_error err;
		bool ok, same;

		lineno++;
		if (kf_str_has_prefix(line, "#"))
			continue;
		if (kf_str_has_prefix(line, "ENV ")) {
			kf_str kv = kf_str_make(line.ptr + 3, line.len - 3);
			while (kv.len && kv.ptr[0] == ' ') {
				kv.ptr++;
				kv.len--;
			}
			env_add(&e, kv.ptr, kv.len);
			continue;
		}
		if (split_bars(line, f, 2) != 2) {
			print_error("wordsTest:%zu: should be exactly one '|': %.*s\n", lineno,
				    (int)line.len, line.ptr);
			failed++;
			continue;
		}
		source = trim_space(f[0]);
		/* only leading spaces go: trailing ones are part of the last word */
		rest = f[1];
		while (rest.len && rest.ptr[0] == ' ') {
			rest.ptr++;
			rest.len--;
		}
		for (size_t i = 0, start = 0; i <= rest.len && nwant < 64; i++) {
			if (i == rest.len || rest.ptr[i] == ',') {
				want[nwant++] = kf_str_make(rest.ptr + start, i - start);
				start = i + 1;
			}
		}
		checked++;
		ok = kf_expand_words(source, '\\', &env, &arena, &got, &ngot, &err);
		if (nwant == 1 && kf_str_eq_cstr(want[0], "error")) {
			same = !ok;
		} else {
			same = ok && ngot == nwant;
			for (size_t i = 0; same && i < nwant; i++)
				same = kf_str_eq(got[i], want[i]);
		}
		if (!same) {
			kf_buf msg = KF_BUF_INIT;
			print_words(&msg, want, nwant);
			kf_buf_adds(&msg, ", got ");
			if (ok)
				print_words(&msg, got, ngot);
			else
				kf_buf_printf(&msg, "error at %zu: %s", err.offset, err.detail);
			print_error("wordsTest:%zu: %.*s: expected %s\n", lineno, (int)source.len,
				    source.ptr, msg.ptr);
			kf_buf_release(&msg);
			failed++;
		}
	}
	printf("wordsTest: %zu rows checked, %zu passed, %zu failed, 0 skipped\n", checked,
	       checked - failed, failed);
	kf_arena_release(&arena);
	free(text);
	env_release(&e);
	assert_true(checked > 0);
	assert_int_equal(failed, 0);
}

/* ---- helpers for the focused tests --------------------------------------- */

/* Expands in; want NULL means an error is expected. */
static void check_word(const char *in, char esc, const char *const *kvs, const char *want)
{
	struct env e = env_make(kvs);
	kf_expand_env env = env_of(&e);
	kf_buf out = KF_BUF_INIT;
	kf_expand_error err;
	bool ok = kf_expand_word(kf_str_cstr(in), esc, &env, &out, &err);

	if (want && !ok)
		print_error("%s: unexpected error at %zu: %s\n", in, err.offset, err.detail);
	if (!want && ok)
		print_error("%s: expected an error, got \"%s\"\n", in, out.ptr);
	if (want && ok && strcmp(out.ptr, want) != 0)
		print_error("%s: expected \"%s\", got \"%s\"\n", in, want, out.ptr);
	assert_int_equal(ok, want != NULL);
	if (want)
		assert_string_equal(out.ptr, want);
	kf_buf_release(&out);
	env_release(&e);
}

/* Expects an error at offset with this static message (and detail, when
 * not NULL). */
static void check_error(const char *in, char esc, const char *const *kvs, size_t offset,
			const char *message, const char *detail)
{
	struct env e = env_make(kvs);
	kf_expand_env env = env_of(&e);
	kf_buf out = KF_BUF_INIT;
	kf_expand_error err;

	kf_buf_adds(&out, "keep");
	if (kf_expand_word(kf_str_cstr(in), esc, &env, &out, &err))
		fail_msg("%s: expected an error, got \"%s\"", in, out.ptr);
	if (err.offset != offset || strcmp(err.message, message) != 0)
		print_error("%s: got error at %zu: %s (%s)\n", in, err.offset, err.message,
			    err.detail);
	assert_int_equal(err.offset, offset);
	assert_string_equal(err.message, message);
	if (detail)
		assert_string_equal(err.detail, detail);
	assert_string_equal(out.ptr, "keep"); /* out is left as it was */
	kf_buf_release(&out);
	env_release(&e);
}

#define KF_TEST_MAX_REFS 16

struct refs {
	kf_var_ref r[KF_TEST_MAX_REFS];
	size_t n;
	size_t stop_after; /* 0: never stop */
};

static bool collect(void *ctx, const kf_var_ref *ref)
{
	struct refs *rs = ctx;

	assert_true(rs->n < KF_TEST_MAX_REFS);
	rs->r[rs->n++] = *ref;
	return !(rs->stop_after && rs->n >= rs->stop_after);
}

static void scan(const char *in, char esc, struct refs *rs)
{
	kf_expand_error err;

	memset(rs, 0, sizeof(*rs));
	if (!kf_expand_scan_refs(kf_str_cstr(in), esc, collect, rs, &err))
		fail_msg("%s: scan failed at %zu: %s", in, err.offset, err.detail);
}

static void check_ref(const char *in, const kf_var_ref *r, const char *whole, const char *name,
		      kf_var_op op, int depth)
{
	assert_int_equal(r->end - r->start, strlen(whole));
	assert_memory_equal(in + r->start, whole, strlen(whole));
	assert_int_equal(r->name_end - r->name_start, strlen(name));
	assert_memory_equal(in + r->name_start, name, strlen(name));
	assert_int_equal(r->op, op);
	assert_int_equal(r->depth, depth);
}

/* ---- focused tests ------------------------------------------------------------ */

static void test_scan_refs_offsets(void **state)
{
	struct refs rs;
	const char *in;

	(void)state;
	in = "a$FOO/${BAR}x";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 2);
	check_ref(in, &rs.r[0], "$FOO", "FOO", KF_VAR_PLAIN, 0);
	assert_int_equal(rs.r[0].start, 1);
	check_ref(in, &rs.r[1], "${BAR}", "BAR", KF_VAR_BRACED, 0);
	assert_int_equal(rs.r[1].start, 6);
	assert_int_equal(rs.r[1].name_start, 8);
	assert_false(rs.r[1].special);

	/* nested: outer first, then its nested ones, with depths */
	in = "x${A:-$B${C:+${D}}}y$E";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 5);
	check_ref(in, &rs.r[0], "${A:-$B${C:+${D}}}", "A", KF_VAR_DEFAULT, 0);
	assert_int_equal(rs.r[0].word_end - rs.r[0].word_start, strlen("$B${C:+${D}}"));
	assert_memory_equal(in + rs.r[0].word_start, "$B${C:+${D}}", strlen("$B${C:+${D}}"));
	check_ref(in, &rs.r[1], "$B", "B", KF_VAR_PLAIN, 1);
	check_ref(in, &rs.r[2], "${C:+${D}}", "C", KF_VAR_ALT, 1);
	check_ref(in, &rs.r[3], "${D}", "D", KF_VAR_BRACED, 2);
	check_ref(in, &rs.r[4], "$E", "E", KF_VAR_PLAIN, 0);

	/* single quotes: nothing; double quotes: expanded; escaped '$': nothing */
	in = "'$A ${B}' \"$C\" \\$D \\${E} \"\\$F\" $G";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 2);
	check_ref(in, &rs.r[0], "$C", "C", KF_VAR_PLAIN, 0);
	check_ref(in, &rs.r[1], "$G", "G", KF_VAR_PLAIN, 0);

	/* every operator */
	in = "${A-x}${B:-x}${C+x}${D:+x}${E?x}${F:?x}${G#x}${H##x}${I%x}${J%%x}${K/x/y}"
	     "${L//x/y}${M:#x}";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 13);
	static const kf_var_op ops[] = {
		KF_VAR_DEFAULT_UNSET, KF_VAR_DEFAULT, KF_VAR_ALT_UNSET, KF_VAR_ALT,
		KF_VAR_ERROR_UNSET, KF_VAR_ERROR, KF_VAR_TRIM_PREFIX, KF_VAR_TRIM_PREFIX_LONG,
		KF_VAR_TRIM_SUFFIX, KF_VAR_TRIM_SUFFIX_LONG, KF_VAR_REPLACE, KF_VAR_REPLACE_ALL,
		KF_VAR_TRIM_PREFIX,
	};
	for (size_t i = 0; i < 13; i++) {
		assert_int_equal(rs.r[i].op, ops[i]);
		assert_int_equal(rs.r[i].name_end - rs.r[i].name_start, 1);
		assert_int_equal(in[rs.r[i].name_start], 'A' + (int)i);
	}
	assert_memory_equal(in + rs.r[10].word_start, "x/y", 3);
	assert_int_equal(rs.r[10].word_end - rs.r[10].word_start, 3);
	assert_string_equal(kf_var_op_text(KF_VAR_DEFAULT), ":-");
	assert_string_equal(kf_var_op_text(KF_VAR_REPLACE_ALL), "//");
	assert_string_equal(kf_var_op_text(KF_VAR_BRACED), "");

	/* positional and special parameters; a lone '$' is no reference */
	in = "$1 ${10} $@ ${#} $$ $. $";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 5);
	check_ref(in, &rs.r[0], "$1", "1", KF_VAR_PLAIN, 0);
	check_ref(in, &rs.r[1], "${10}", "10", KF_VAR_BRACED, 0);
	check_ref(in, &rs.r[2], "$@", "@", KF_VAR_PLAIN, 0);
	check_ref(in, &rs.r[3], "${#}", "#", KF_VAR_BRACED, 0);
	check_ref(in, &rs.r[4], "$$", "$", KF_VAR_PLAIN, 0);
	for (size_t i = 0; i < 5; i++)
		assert_true(rs.r[i].special);

	/* non-ASCII names and text: byte offsets */
	in = "한$이름 ${KOREAN}";
	scan(in, '\\', &rs);
	assert_int_equal(rs.n, 2);
	check_ref(in, &rs.r[0], "$이름", "이름", KF_VAR_PLAIN, 0);
	assert_int_equal(rs.r[0].start, 3);
	check_ref(in, &rs.r[1], "${KOREAN}", "KOREAN", KF_VAR_BRACED, 0);

	/* stopping early */
	memset(&rs, 0, sizeof(rs));
	rs.stop_after = 2;
	assert_true(kf_expand_scan_refs(kf_str_cstr("$A $B $C $D"), '\\', collect, &rs, NULL));
	assert_int_equal(rs.n, 2);

	/* ${X?} needs no value to scan */
	scan("${UNSET?required}", '\\', &rs);
	assert_int_equal(rs.n, 1);
}

static void test_scan_refs_errors(void **state)
{
	struct refs rs;
	kf_expand_error err;

	(void)state;
	memset(&rs, 0, sizeof(rs));
	/* the complete references before the bad one are reported */
	assert_false(kf_expand_scan_refs(kf_str_cstr("$A ${B:-$C} ${D"), '\\', collect, &rs, &err));
	assert_int_equal(rs.n, 3);
	assert_int_equal(err.offset, 12);
	assert_string_equal(err.message, "missing '}' in ${...}");

	memset(&rs, 0, sizeof(rs));
	assert_false(kf_expand_scan_refs(kf_str_cstr("${A:=x}"), '\\', collect, &rs, &err));
	assert_int_equal(rs.n, 0);
	assert_int_equal(err.offset, 3);

	memset(&rs, 0, sizeof(rs));
	assert_false(kf_expand_scan_refs(kf_str_cstr("$A 'x"), '\\', collect, &rs, &err));
	assert_int_equal(rs.n, 1);
	assert_int_equal(err.offset, 3);
	assert_string_equal(err.message, "missing closing single quote");
}

static void test_backtick_escape(void **state)
{
	static const char *const env[] = {"PWD=/home", "X=a b", NULL};

	(void)state;
	check_word("he`$PWD", '`', env, "he$PWD");
	check_word("he``$PWD", '`', env, "he`/home");
	check_word("he\\$PWD", '`', env, "he\\/home");       /* '\\' is ordinary */
	check_word("c:\\dir\\file", '`', env, "c:\\dir\\file");
	check_word("\"a`\"b\"", '`', env, "a\"b");
	check_word("\"a`$PWD\"", '`', env, "a$PWD");
	check_word("\"a`tb\"", '`', env, "a`tb");            /* kept before other chars */
	check_word("\"a\\\"", '`', env, "a\\");              /* '\\' does not escape '"' */
	check_word("'a`'", '`', env, "a`");
	check_word("hello`", '`', env, "hello");
	check_word("he`'llo", '`', env, "he'llo");
	check_word("${X:-a`}b}", '`', env, "a b");
	check_word("${Y:-a`}b}", '`', env, "a}b");
	check_word("\"hello`\"", '`', env, NULL);

	/* words: an escaped space does not split */
	kf_arena arena;
	kf_str *w;
	size_t n;
	struct env e = env_make(env);
	kf_expand_env ke = env_of(&e);
	kf_arena_init(&arena);
	assert_true(kf_expand_words(kf_str_cstr("a` b c\\ d $X"), '`', &ke, &arena, &w, &n, NULL));
	assert_int_equal(n, 5);
	assert_true(kf_str_eq_cstr(w[0], "a b"));
	assert_true(kf_str_eq_cstr(w[1], "c\\"));
	assert_true(kf_str_eq_cstr(w[2], "d"));
	assert_true(kf_str_eq_cstr(w[3], "a"));
	assert_true(kf_str_eq_cstr(w[4], "b"));
	assert_int_equal(w[4].ptr[w[4].len], '\0');
	kf_arena_release(&arena);
	env_release(&e);
}

static void test_error_offsets(void **state)
{
	static const char *const env[] = {"SET=x", "EMPTY=", NULL};

	(void)state;
	check_error("ab'cd", '\\', env, 2, "missing closing single quote", NULL);
	check_error("ab\"cd\\\"", '\\', env, 2, "missing closing double quote", NULL);
	check_error("ab${", '\\', env, 2, "missing '}' in ${...}", NULL);
	check_error("ab${SET", '\\', env, 2, "missing '}' in ${...}", NULL);
	check_error("ab${SET:-x", '\\', env, 2, "missing '}' in ${...}", NULL);
	check_error("ab${SET:-${X}", '\\', env, 2, "missing '}' in ${...}", NULL);
	check_error("ab${}", '\\', env, 4, "bad substitution", NULL);
	check_error("ab${{x}", '\\', env, 4, "bad substitution", NULL);
	check_error("ab${:-x}", '\\', env, 4, "bad substitution", NULL);
	check_error("ab${SET:=x}", '\\', env, 7, "unsupported modifier in ${...}",
		    "unsupported modifier ':=' in ${...}");
	check_error("ab${SET=x}", '\\', env, 7, "unsupported modifier in ${...}",
		    "unsupported modifier '=' in ${...}");
	check_error("ab${.}", '\\', env, 4, "unsupported modifier in ${...}",
		    "unsupported modifier '.' in ${...}");
	check_error("ab${SET:x}", '\\', env, 7, "unsupported modifier in ${...}",
		    "unsupported modifier ':x' in ${...}");
	check_error("x ${NOPE?}", '\\', env, 2, "required variable is unset",
		    "NOPE: is not allowed to be unset");
	check_error("x ${NOPE:?must be $SET}", '\\', env, 2, "required variable is unset",
		    "NOPE: must be x");
	check_error("x ${EMPTY:?}", '\\', env, 2, "required variable is empty",
		    "EMPTY: is not allowed to be empty");
	check_error("x ${SET#\\x}", '\\', env, 2, "invalid pattern in ${...}", NULL);
	check_error("x ${SET/a/b", '\\', env, 2, "missing '}' in ${...}", NULL);
	check_error("x ${SET/ab}", '\\', env, 2, "missing '/' in ${...}", NULL);
	/* a nested error is reported where it is, unless it is at the end */
	check_error("${A:-${}}", '\\', env, 7, "bad substitution", NULL);
	check_error("${A:-'x}", '\\', env, 0, "missing '}' in ${...}", NULL);
	/* the escape character also counts in offsets */
	check_error("a\\'b'c", '\\', env, 4, "missing closing single quote", NULL);
	check_error("a`'b'c", '`', env, 4, "missing closing single quote", NULL);
	/* offsets are bytes */
	check_error("한국어'", '\\', env, 9, "missing closing single quote", NULL);

	/* deep nesting is refused, not a stack overflow */
	kf_buf in = KF_BUF_INIT;
	for (int i = 0; i < KF_EXPAND_MAX_DEPTH + 5; i++)
		kf_buf_adds(&in, "${A:-");
	for (int i = 0; i < KF_EXPAND_MAX_DEPTH + 5; i++)
		kf_buf_adds(&in, "}");
	kf_buf out = KF_BUF_INIT;
	kf_expand_error err;
	assert_false(kf_expand_word(kf_str_make(in.ptr, in.len), '\\', NULL, &out, &err));
	assert_string_equal(err.message, "too deeply nested ${...}");
	kf_buf_release(&in);
	kf_buf_release(&out);

	/* a NULL err is allowed */
	assert_false(kf_expand_word(kf_str_cstr("'"), '\\', NULL, &out, NULL));
	kf_buf_release(&out);
}

/* The pattern operators and ${X?} rows of BuildKit's lex_test.go
 * (TestProcessWithMatches, TestShellParserMandatoryEnvVars). */
static void test_pattern_ops(void **state)
{
	(void)state;
	static const char *const e1[] = {"FOO=()[]{}^$.*?|\\x", NULL};
	check_word("${FOO#()[]{\\}^$.\\*\\?|\\\\}", '\\', e1, "x");
	static const char *const e2[] = {"FOO=xx**", NULL};
	check_word("${FOO%%\\**}", '\\', e2, "xx");
	static const char *const e3[] = {"FOO=xxyy", "BAR=x", NULL};
	check_word("${FOO#*x*y}", '\\', e3, "y");
	check_word("${FOO#*}", '\\', e3, "xxyy");
	check_word("${FOO#$BAR}", '\\', e3, "xyy");
	check_word("${FOO#}", '\\', e3, "xxyy");
	check_word("${FOO##*x}", '\\', e3, "yy");
	check_word("${FOO##}", '\\', e3, "xxyy");
	check_word("${ABC:-.}${FOO%x}${ABC:-.}", '\\', e3, ".xxyy.");
	check_word("${FOO%}", '\\', e3, "xxyy");
	check_word("${FOO%y}", '\\', e3, "xxy");
	check_word("${FOO%%y*}", '\\', e3, "xx");
	check_word("${FOO%y*}", '\\', e3, "xxy");
	check_word("${FOO//ww}", '\\', e3, NULL);
	check_word("${FOO//}", '\\', e3, NULL);
	check_word("${FOO///}", '\\', e3, "xxyy");
	check_word("${NOPE///}", '\\', e3, "");
	static const char *const e4[] = {"FOO=xxyy", "BAR=", NULL};
	check_word("${FOO#$BAR}", '\\', e4, "xxyy");
	check_word("${FOO%%$BAR}", '\\', e4, "xxyy");
	check_word("${FOO/$BAR/ww}", '\\', e4, "wwxxyy");
	static const char *const e5[] = {"FOO=???y", NULL};
	check_word("${FOO#?\\?}", '\\', e5, "?y");
	static const char *const e6[] = {"FOO=a***yy*", NULL};
	check_word("${FOO%%\\**\\*}", '\\', e6, "a");
	static const char *const e7[] = {"FOO=/foo*/*/*.txt", "NEEDLE=\\*/", NULL};
	check_word("${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", '\\', e7, "/foo.*/*.txt - /foo..*.txt");
	static const char *const e8[] = {"FOO=/tmp/tmp/bar.txt", "NEEDLE=/tmp", NULL};
	check_word("${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", '\\', e8, "/tmp/bar.txt - /bar.txt");
	static const char *const e9[] = {"FOO=/a/foo/b/c.txt", "NEEDLE=/?/", "REPLACEMENT=/", NULL};
	check_word("${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}", '\\', e9,
		   "/foo/b/c.txt - /foo/c.txt");
	static const char *const e10[] = {"FOO=http://google.de", "NEEDLE=http://",
					  "REPLACEMENT=https://", NULL};
	check_word("${FOO/$NEEDLE/$REPLACEMENT}", '\\', e10, "https://google.de");
	static const char *const e11[] = {"FOO=/tmp/foo.txt", NULL};
	check_word("${FOO//\\//\\/}", '\\', e11, "\\/tmp\\/foo.txt");
	static const char *const e12[] = {"FOO=${FOO}-${FOO}", NULL};
	check_word("${FOO}", '\\', e12, "${FOO}-${FOO}"); /* values are not expanded again */
	static const char *const e13[] = {"VERSION=v1.2.3", "TARGETOS=linux", "TARGETARCH=arm",
					  "TARGETVARIANT=v7", NULL};
	check_word("something-${VERSION}.${TARGETOS}-${TARGETARCH}"
		   "${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz",
		   '\\', e13, "something-v1.2.3.linux-arm-v7.tar.gz");

	/* ${VAR?} and ${VAR:?} */
	static const char *const set[] = {"VAR=plain", "ARG=x", NULL};
	static const char *const empty[] = {"VAR=", "ARG=x", NULL};
	static const char *const unset[] = {"ARG=x", NULL};
	check_word("${VAR:?message here$ARG}", '\\', set, "plain");
	check_error("${VAR:?message here$ARG}", '\\', empty, 0, "required variable is empty",
		    "VAR: message herex");
	check_error("${VAR:?message here$ARG}", '\\', unset, 0, "required variable is unset",
		    "VAR: message herex");
	check_word("${VAR?message here$ARG}", '\\', set, "plain");
	check_word("${VAR?message here$ARG}", '\\', empty, "");
	check_error("${VAR?message here$ARG}", '\\', unset, 0, "required variable is unset",
		    "VAR: message herex");

	/* '*' and '?' do not match a newline, as in Go's regexp */
	static const char *const nl[] = {"V=a\nb\nc", NULL};
	check_word("${V#*b}", '\\', nl, "a\nb\nc");
	check_word("${V#a?b}", '\\', nl, "a\nb\nc");
	check_word("${V//?/x}", '\\', nl, "x\nx\nx");
	/* ReplaceAllString: empty matches and "$0" in the replacement */
	static const char *const ab[] = {"V=abc", "R=<$0>", "D=$$", NULL};
	check_word("${V///-}", '\\', ab, "-a-b-c-");
	check_word("${V//*/-}", '\\', ab, "-");
	check_word("${V//b/$R}", '\\', ab, "a<b>c");
	check_word("${V/b/$R}", '\\', ab, "a<$0>c");  /* only // expands the template */
	check_word("${V//b/$D}", '\\', ab, "a$c");
	check_word("${V:#a}", '\\', ab, "bc");        /* ${X:#} is ${X#} */
}

static void test_words_and_unicode(void **state)
{
	static const char *const env[] = {"SP=\xc2\xa0x\xe3\x80\x80y", "BAD=a\xff", "이름=v", NULL};
	struct env e = env_make(env);
	kf_expand_env ke = env_of(&e);
	kf_arena arena;
	kf_str *w;
	size_t n;

	(void)state;
	kf_arena_init(&arena);
	/* Unicode whitespace in an unquoted value splits words */
	assert_true(kf_expand_words(kf_str_cstr("$SP"), '\\', &ke, &arena, &w, &n, NULL));
	assert_int_equal(n, 2);
	assert_true(kf_str_eq_cstr(w[0], "x"));
	assert_true(kf_str_eq_cstr(w[1], "y"));
	/* "" is no word, but glues: "" x -> [x] */
	assert_true(kf_expand_words(kf_str_cstr("\"\" '' a \"\"b"), '\\', &ke, &arena, &w, &n, NULL));
	assert_int_equal(n, 2);
	assert_true(kf_str_eq_cstr(w[0], "a"));
	assert_true(kf_str_eq_cstr(w[1], "b"));
	assert_true(kf_expand_words(kf_str_cstr("   "), '\\', &ke, &arena, &w, &n, NULL));
	assert_int_equal(n, 0);
	assert_non_null(w);
	/* errors leave nothing */
	assert_false(kf_expand_words(kf_str_cstr("a 'b"), '\\', &ke, &arena, &w, &n, NULL));
	assert_null(w);
	assert_int_equal(n, 0);
	/* invalid UTF-8: U+FFFD from the input and from unquoted values in
	 * words; a quoted value is copied as it is */
	assert_true(kf_expand_words(kf_str_cstr("x\xfe $BAD \"$BAD\""), '\\', &ke, &arena, &w, &n,
				    NULL));
	assert_int_equal(n, 3);
	assert_true(kf_str_eq_cstr(w[0], "x\xef\xbf\xbd"));
	assert_true(kf_str_eq_cstr(w[1], "a\xef\xbf\xbd"));
	assert_true(kf_str_eq_cstr(w[2], "a\xff"));
	kf_arena_release(&arena);
	env_release(&e);

	check_word("$BAD", '\\', env, "a\xff");              /* values are copied */
	check_word("\xff", '\\', env, "\xef\xbf\xbd");
	check_word("\xef\xbb\xbf$BAD", '\\', env, "a\xff");  /* a leading BOM goes */
	check_word("a\xef\xbb\xbf", '\\', env, "a\xef\xbb\xbf");
	check_word("$이름.", '\\', env, "v.");                 /* Unicode letters in names */
	check_word("$٣x", '\\', env, "x");                     /* a non-ASCII digit run */
	check_word("${이름:+set}", '\\', env, "set");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envvar_table),
		cmocka_unit_test(test_words_table),
		cmocka_unit_test(test_scan_refs_offsets),
		cmocka_unit_test(test_scan_refs_errors),
		cmocka_unit_test(test_backtick_escape),
		cmocka_unit_test(test_error_offsets),
		cmocka_unit_test(test_pattern_ops),
		cmocka_unit_test(test_words_and_unicode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
