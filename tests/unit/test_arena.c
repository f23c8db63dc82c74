/* SPDX-License-Identifier: Apache-2.0 */
/* test_arena.c - unit tests of arena.c, buf.c (kf_buf and the kf_str
 * helpers) and suggest.c.
 */
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
#include "base/suggest.h"

#define ALIGN_OK(p) (((uintptr_t)(p) % KF_ARENA_ALIGN) == 0)

/* ---- kf_x* ------------------------------------------------------------- */

static void test_xalloc(void **state)
{
	(void)state;
	char *s = kf_xstrdup("FROM alpine");
	assert_string_equal(s, "FROM alpine");
	free(s);

	s = kf_xstrdup("");
	assert_int_equal(s[0], '\0');
	free(s);

	unsigned char *z = kf_xcalloc(10, 3);
	for (size_t i = 0; i < 30; i++)
		assert_int_equal(z[i], 0);
	z = kf_xrealloc(z, 100);
	for (size_t i = 0; i < 30; i++)
		assert_int_equal(z[i], 0);
	free(z);

	/* zero sizes still give a pointer that free accepts */
	void *p = kf_xmalloc(0);
	assert_non_null(p);
	free(p);
	p = kf_xcalloc(0, 0);
	assert_non_null(p);
	free(p);
}

/* ---- kf_arena ---------------------------------------------------------- */

static void test_arena_init_release(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);

	/* releasing an arena that never allocated is harmless */
	kf_arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);

	/* a zeroed arena works without kf_arena_init */
	kf_arena z = {0};
	char *s = kf_arena_strndup(&z, "RUN", 3);
	assert_string_equal(s, "RUN");
	assert_non_null(z.head);
	kf_arena_release(&z);
	assert_null(z.head);
	assert_int_equal(z.used, 0);
}

static void test_arena_alignment(void **state)
{
	(void)state;
	static const size_t sizes[] = {1, 0, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1000,
				       1025, 5000, 1, 2, 3, 70000, 9, 4096, 1};
	kf_arena a;
	kf_arena_init(&a);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			char *p = kf_arena_alloc(&a, sizes[i]);
			assert_non_null(p);
			if (!ALIGN_OK(p))
				fail_msg("alloc(%zu) = %p is not aligned to %d", sizes[i],
					 (void *)p, KF_ARENA_ALIGN);
			if (sizes[i])
				memset(p, 0x5a, sizes[i]);
		}
	}
	/* the typed helpers too */
	double *ld = KF_ARENA_NEW(&a, double);
	assert_true(ALIGN_OK(ld));
	assert_true(*ld == 0.0);
	uint64_t *arr = KF_ARENA_ARRAY(&a, uint64_t, 3);
	assert_true(ALIGN_OK(arr));
	kf_arena_release(&a);
}

static unsigned char pattern(size_t i, size_t j)
{
	return (unsigned char)(i * 31 + j * 7 + 1);
}

static void test_arena_many_small(void **state)
{
	(void)state;
	enum { N = 20000 };
	kf_arena a;
	kf_arena_init(&a);
	unsigned char **ptrs = kf_xmalloc(N * sizeof(*ptrs));
	size_t total = 0;
	for (size_t i = 0; i < N; i++) {
		size_t n = 1 + i % 61;
		ptrs[i] = kf_arena_alloc(&a, n);
		assert_true(ALIGN_OK(ptrs[i]));
		for (size_t j = 0; j < n; j++)
			ptrs[i][j] = pattern(i, j);
		total += n;
	}
	/* far more than one chunk was needed */
	assert_true(total > 16u * 4096u);
	assert_true(a.used >= total);
	/* nothing written later overwrote an earlier allocation */
	for (size_t i = 0; i < N; i++) {
		size_t n = 1 + i % 61;
		for (size_t j = 0; j < n; j++)
			assert_int_equal(ptrs[i][j], pattern(i, j));
	}
	free(ptrs);
	kf_arena_release(&a);
	assert_null(a.head);
	assert_int_equal(a.used, 0);
}

static void test_arena_large(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);

	/* a large block as the very first allocation */
	size_t big1 = (6u << 20) + 3; /* more than the largest chunk */
	unsigned char *b1 = kf_arena_alloc(&a, big1);
	assert_true(ALIGN_OK(b1));
	memset(b1, 0xb1, big1);

	char *s1 = kf_arena_strndup(&a, "before", 6);

	/* a block larger than the current chunk, between small ones */
	size_t big2 = 100000;
	unsigned char *b2 = kf_arena_alloc(&a, big2);
	assert_true(ALIGN_OK(b2));
	memset(b2, 0xb2, big2);

	char *s2 = kf_arena_strndup(&a, "after", 5);
	char *s3 = kf_arena_printf(&a, "%d", 12345);

	assert_string_equal(s1, "before");
	assert_string_equal(s2, "after");
	assert_string_equal(s3, "12345");
	for (size_t i = 0; i < big1; i++)
		if (b1[i] != 0xb1)
			fail_msg("b1[%zu] = %#x", i, b1[i]);
	for (size_t i = 0; i < big2; i++)
		if (b2[i] != 0xb2)
			fail_msg("b2[%zu] = %#x", i, b2[i]);
	assert_true(a.used >= big1 + big2 + 6 + 1 + 5 + 1 + 6);
	kf_arena_release(&a);
	assert_null(a.head);
}

static void test_arena_zalloc(void **state)
{
	(void)state;
	enum { N = 3000 };
	static const unsigned char zero[N];
	kf_arena a;
	kf_arena_init(&a);

	/* dirty memory, freed by the release, is likely handed out again */
	for (int round = 0; round < 3; round++) {
		unsigned char *d = kf_arena_alloc(&a, 700);
		memset(d, 0xee, 700);
		d = kf_arena_alloc(&a, N);
		memset(d, 0xee, N);
		kf_arena_release(&a);

		unsigned char *z1 = kf_arena_zalloc(&a, 700);
		unsigned char *z2 = kf_arena_zalloc(&a, N);
		assert_true(ALIGN_OK(z1));
		assert_true(ALIGN_OK(z2));
		assert_memory_equal(z1, zero, 700);
		assert_memory_equal(z2, zero, N);
		memset(z1, 0xee, 700);
		memset(z2, 0xee, N);
		kf_arena_release(&a);
	}

	struct node {
		int kind;
		void *next;
		char name[13];
	} *nd = KF_ARENA_NEW(&a, struct node);
	assert_int_equal(nd->kind, 0);
	assert_null(nd->next);
	assert_memory_equal(nd->name, zero, sizeof(nd->name));

	assert_non_null(kf_arena_zalloc(&a, 0));
	kf_arena_release(&a);
}

static void test_arena_strndup(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);

	const char *src = "hello world";
	char *s = kf_arena_strndup(&a, src, 5);
	assert_ptr_not_equal(s, src);
	assert_string_equal(s, "hello");
	assert_int_equal(strlen(s), 5);

	/* the copy stops at n bytes, NUL or not */
	s = kf_arena_strndup(&a, "a\0b", 3);
	assert_memory_equal(s, "a\0b\0", 4);

	s = kf_arena_strndup(&a, "xyz", 0);
	assert_string_equal(s, "");
	/* with n == 0 the source is not read */
	s = kf_arena_strndup(&a, NULL, 0);
	assert_string_equal(s, "");

	/* a long string (bigger than a chunk) */
	char *big = kf_xmalloc(10001);
	for (size_t i = 0; i < 10000; i++)
		big[i] = (char)('a' + i % 26);
	big[10000] = '\0';
	s = kf_arena_strndup(&a, big, 10000);
	assert_string_equal(s, big);
	free(big);
	kf_arena_release(&a);
}

static void test_arena_printf(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);

	assert_string_equal(kf_arena_printf(&a, "%s-%d-%05.1f", "x", 42, 3.14159), "x-42-003.1");
	assert_string_equal(kf_arena_printf(&a, "%s", ""), "");
	assert_string_equal(kf_arena_printf(&a, "unknown instruction %.*s", 4, "FORMXX"),
			    "unknown instruction FORM");
	assert_string_equal(kf_arena_printf(&a, "%u%%", 100u), "100%");

	/* longer than a chunk */
	char *s = kf_arena_printf(&a, "<%0*d>", 9000, 7);
	assert_int_equal(strlen(s), 9002);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[1], '0');
	assert_int_equal(s[8999], '0');
	assert_int_equal(s[9000], '7');
	assert_int_equal(s[9001], '>');
	kf_arena_release(&a);
}

static void test_arena_memdup(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);

	static const unsigned char bytes[] = {0, 1, 2, 0xff, 0, 0x80, 'a'};
	unsigned char *m = kf_arena_memdup(&a, bytes, sizeof(bytes));
	assert_ptr_not_equal(m, bytes);
	assert_true(ALIGN_OK(m));
	assert_memory_equal(m, bytes, sizeof(bytes));

	uint32_t nums[] = {1, 0xdeadbeef, 42};
	uint32_t *n = kf_arena_memdup(&a, nums, sizeof(nums));
	nums[1] = 0;
	assert_int_equal(n[0], 1);
	assert_int_equal(n[1], 0xdeadbeef);
	assert_int_equal(n[2], 42);

	/* n == 0: a valid pointer, the source is not read */
	assert_non_null(kf_arena_memdup(&a, NULL, 0));
	kf_arena_release(&a);
}

static void test_arena_release_reuse(void **state)
{
	(void)state;
	kf_arena a;
	kf_arena_init(&a);

	for (int round = 0; round < 4; round++) {
		char *strs[300];
		for (int i = 0; i < 300; i++)
			strs[i] = kf_arena_printf(&a, "r%d-s%d", round, i);
		unsigned char *big = kf_arena_alloc(&a, 50000);
		memset(big, round, 50000);
		for (int i = 0; i < 300; i++) {
			char want[32];
			snprintf(want, sizeof(want), "r%d-s%d", round, i);
			assert_string_equal(strs[i], want);
		}
		assert_int_equal(big[0], round);
		assert_int_equal(big[49999], round);
		assert_non_null(a.head);
		kf_arena_release(&a);
		assert_null(a.head);
		assert_int_equal(a.used, 0);
	}
}

/* ---- kf_buf ------------------------------------------------------------ */

static void test_buf_add(void **state)
{
	(void)state;
	kf_buf b = KF_BUF_INIT;
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	kf_buf_add(&b, "FROM", 4);
	assert_int_equal(b.len, 4);
	assert_true(b.cap >= 5);
	assert_string_equal(b.ptr, "FROM");

	kf_buf_addc(&b, ' ');
	kf_buf_adds(&b, "alpine");
	kf_buf_addstr(&b, kf_str_make(":3.19xyz", 5));
	kf_buf_add(&b, "ignored", 0);
	kf_buf_addstr(&b, KF_STR_NULL);
	assert_int_equal(b.len, 16);
	assert_string_equal(b.ptr, "FROM alpine:3.19");
	assert_int_equal(b.ptr[16], '\0');

	/* embedded NUL bytes are kept, and a NUL still follows */
	kf_buf_add(&b, "\0z", 2);
	assert_int_equal(b.len, 18);
	assert_memory_equal(b.ptr, "FROM alpine:3.19\0z\0", 19);
	kf_buf_release(&b);
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);

	/* growth across many reallocations keeps the contents */
	for (size_t i = 0; i < 5000; i++)
		kf_buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 5000);
	assert_true(b.cap >= 5001);
	for (size_t i = 0; i < 5000; i++)
		assert_int_equal(b.ptr[i], 'a' + i % 26);
	assert_int_equal(b.ptr[5000], '\0');

	/* kf_buf_grow reserves without changing the contents */
	kf_buf_release(&b);
	kf_buf_grow(&b, 100);
	assert_int_equal(b.len, 0);
	assert_true(b.cap >= 101);
	size_t cap = b.cap;
	kf_buf_add(&b, "0123456789", 10);
	assert_int_equal(b.cap, cap);
	assert_string_equal(b.ptr, "0123456789");
	kf_buf_release(&b);
}

static void test_buf_printf(void **state)
{
	(void)state;
	kf_buf b = KF_BUF_INIT;

	kf_buf_printf(&b, "%s:%u:%u:", "Kubefile", 2u, 1u);
	assert_string_equal(b.ptr, "Kubefile:2:1:");
	assert_int_equal(b.len, 13);
	kf_buf_printf(&b, " %s [%s]", "boom", "KF001");
	assert_string_equal(b.ptr, "Kubefile:2:1: boom [KF001]");
	assert_int_equal(b.len, 26);

	/* an empty result changes nothing */
	kf_buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 26);
	assert_string_equal(b.ptr, "Kubefile:2:1: boom [KF001]");

	/* a result longer than the free space */
	kf_buf_printf(&b, "%0*d|", 1000, 5);
	assert_int_equal(b.len, 26 + 1001);
	assert_int_equal(strlen(b.ptr), 1027);
	assert_memory_equal(b.ptr, "Kubefile:2:1: boom [KF001]000", 29);
	assert_int_equal(b.ptr[1025], '5');
	assert_int_equal(b.ptr[1026], '|');
	kf_buf_release(&b);

	/* printf into an empty buffer */
	kf_buf_printf(&b, "%c%d", 'x', -7);
	assert_string_equal(b.ptr, "x-7");
	assert_int_equal(b.len, 3);
	kf_buf_release(&b);
}

static void test_buf_reset_detach(void **state)
{
	(void)state;
	kf_buf b = KF_BUF_INIT;

	kf_buf_adds(&b, "RUN make");
	char *old = b.ptr;
	size_t cap = b.cap;
	kf_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_ptr_equal(b.ptr, old);
	assert_string_equal(b.ptr, "");
	kf_buf_adds(&b, "CMD");
	assert_string_equal(b.ptr, "CMD");
	assert_int_equal(b.len, 3);

	/* reset of a never-used buffer */
	kf_buf e = KF_BUF_INIT;
	kf_buf_reset(&e);
	assert_null(e.ptr);
	assert_int_equal(e.len, 0);
	assert_int_equal(e.cap, 0);

	size_t len = 99;
	char *s = kf_buf_detach(&b, &len);
	assert_ptr_equal(s, old);
	assert_int_equal(len, 3);
	assert_string_equal(s, "CMD");
	assert_null(b.ptr);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	free(s);

	/* the buffer is usable after a detach; len may be NULL */
	kf_buf_adds(&b, "ENV a=b");
	s = kf_buf_detach(&b, NULL);
	assert_string_equal(s, "ENV a=b");
	assert_null(b.ptr);
	free(s);

	/* an emptied (reset) buffer detaches as "" */
	kf_buf_adds(&b, "x");
	kf_buf_reset(&b);
	len = 99;
	s = kf_buf_detach(&b, &len);
	assert_int_equal(len, 0);
	assert_string_equal(s, "");
	free(s);
}

/* ---- kf_str ------------------------------------------------------------ */

static void test_str_helpers(void **state)
{
	(void)state;
	kf_str s = kf_str_cstr("FROM");
	assert_int_equal(s.len, 4);
	s = kf_str_cstr(NULL);
	assert_null(s.ptr);
	assert_int_equal(s.len, 0);
	s = KF_STR_LIT("a\0b");
	assert_int_equal(s.len, 3);

	assert_true(kf_str_eq(KF_STR_LIT("RUN"), kf_str_make("RUNX", 3)));
	assert_false(kf_str_eq(KF_STR_LIT("RUN"), KF_STR_LIT("RUn")));
	assert_false(kf_str_eq(KF_STR_LIT("RUN"), KF_STR_LIT("RU")));
	assert_true(kf_str_eq(KF_STR_NULL, KF_STR_LIT("")));
	assert_true(kf_str_eq_cstr(kf_str_make("COPY --from", 4), "COPY"));
	assert_false(kf_str_eq_cstr(kf_str_make("COPY --from", 4), "COPY "));
}

static void test_str_eq_nocase(void **state)
{
	(void)state;
	assert_true(kf_str_eq_nocase(KF_STR_LIT("FROM"), "from"));
	assert_true(kf_str_eq_nocase(KF_STR_LIT("from"), "FROM"));
	assert_true(kf_str_eq_nocase(KF_STR_LIT("FrOm"), "fRoM"));
	assert_true(kf_str_eq_nocase(KF_STR_LIT("HEALTHCHECK"), "healthcheck"));
	assert_true(kf_str_eq_nocase(KF_STR_LIT(""), ""));
	assert_true(kf_str_eq_nocase(KF_STR_NULL, ""));
	/* only the length of the kf_str is compared */
	assert_true(kf_str_eq_nocase(kf_str_make("runtime", 3), "RUN"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("FROM"), "FRO"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("FRO"), "FROM"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("FROM"), "FRON"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT(""), "x"));
	/* only A-Z fold: '@' / '`', '[' / '{', digits, non-ASCII */
	assert_false(kf_str_eq_nocase(KF_STR_LIT("@"), "`"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("["), "{"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("^"), "~"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("1"), "Q"));
	assert_false(kf_str_eq_nocase(KF_STR_LIT("\xc3\x89"), "\xc3\xa9")); /* É é */
	assert_true(kf_str_eq_nocase(KF_STR_LIT("\xc3\xa9X"), "\xc3\xa9x"));
}

static void test_str_has_prefix(void **state)
{
	(void)state;
	assert_true(kf_str_has_prefix(KF_STR_LIT("--platform=linux/amd64"), "--platform="));
	assert_true(kf_str_has_prefix(KF_STR_LIT("--from"), "--from"));
	assert_true(kf_str_has_prefix(KF_STR_LIT("abc"), ""));
	assert_true(kf_str_has_prefix(KF_STR_LIT(""), ""));
	assert_false(kf_str_has_prefix(KF_STR_LIT("--plat"), "--platform"));
	assert_false(kf_str_has_prefix(KF_STR_LIT(""), "-"));
	assert_false(kf_str_has_prefix(KF_STR_LIT("FROM"), "fr")); /* case matters */
	assert_false(kf_str_has_prefix(KF_STR_LIT("xFROM"), "FROM"));
	/* the prefix must fit inside the kf_str's length */
	assert_false(kf_str_has_prefix(kf_str_make("abc", 2), "abc"));
	assert_true(kf_str_has_prefix(kf_str_make("abc", 2), "ab"));
}

/* ---- suggest.h --------------------------------------------------------- */

static size_t dist(const char *a, const char *b, bool nocase)
{
	size_t d = kf_edit_distance(kf_str_cstr(a), kf_str_cstr(b), nocase);
	/* the distance is symmetric */
	assert_int_equal(kf_edit_distance(kf_str_cstr(b), kf_str_cstr(a), nocase), d);
	return d;
}

static void test_edit_distance(void **state)
{
	(void)state;
	assert_int_equal(dist("FROM", "FROM", false), 0);
	assert_int_equal(dist("FORM", "FROM", false), 1); /* transposition */
	assert_int_equal(dist("RFOM", "FROM", false), 1);
	assert_int_equal(dist("FROM", "FRMO", false), 1);
	assert_int_equal(dist("FRM", "FROM", false), 1);  /* deletion */
	assert_int_equal(dist("FROOM", "FROM", false), 1); /* insertion */
	assert_int_equal(dist("FRAM", "FROM", false), 1); /* substitution */
	assert_int_equal(dist("ab", "ba", false), 1);
	assert_int_equal(dist("abcd", "badc", false), 2);
	assert_int_equal(dist("kitten", "sitting", false), 3);
	assert_int_equal(dist("flaw", "lawn", false), 2);
	/* optimal string alignment, not unrestricted Damerau-Levenshtein:
	 * "CA" -> "ABC" costs 3 (it would be 2 if edited twice) */
	assert_int_equal(dist("CA", "ABC", false), 3);
	assert_int_equal(dist("", "", false), 0);
	assert_int_equal(dist("", "ABC", false), 3);
	assert_int_equal(dist("WORKDIR", "", false), 7);
	assert_int_equal(dist("ENTRYPOINT", "HEALTHCHECK", false), 10);

	/* case folding */
	assert_int_equal(dist("from", "FROM", false), 4);
	assert_int_equal(dist("from", "FROM", true), 0);
	assert_int_equal(dist("form", "FROM", true), 1);
	assert_int_equal(dist("Form", "FROM", false), 3);
	assert_int_equal(dist("fORm", "FroM", true), 1);
	/* only ASCII letters fold: É (C3 89) vs é (C3 A9) is one byte apart */
	assert_int_equal(dist("\xc3\x89", "\xc3\xa9", true), 1);
	assert_int_equal(dist("@", "`", true), 1);

	/* only len bytes count */
	assert_int_equal(kf_edit_distance(kf_str_make("FROMXYZ", 4), KF_STR_LIT("FROM"), false), 0);
}

static const char *const instrs[] = {
	"FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY",
	"ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL",
	"HEALTHCHECK", "SHELL",
};
#define NINSTRS (sizeof(instrs) / sizeof(instrs[0]))

static const char *sug(const char *word, bool nocase)
{
	return kf_suggest(kf_str_cstr(word), instrs, NINSTRS, nocase);
}

static void test_suggest(void **state)
{
	(void)state;
	assert_string_equal(sug("FORM", false), "FROM");
	assert_string_equal(sug("form", true), "FROM");
	assert_null(sug("form", false));
	assert_string_equal(sug("WORKDR", false), "WORKDIR");
	assert_string_equal(sug("ENTRYPIONT", false), "ENTRYPOINT");
	assert_string_equal(sug("HEALTHCHEK", false), "HEALTHCHECK");
	assert_string_equal(sug("exposs", true), "EXPOSE");
	assert_string_equal(sug("Shel", true), "SHELL");

	/* the returned pointer is the candidate itself */
	assert_ptr_equal(sug("COPPY", false), instrs[8]);

	/* a far word */
	assert_null(sug("XYZZY", false));
	assert_null(sug("apt-get", true));
	/* an exact match is not a suggestion */
	assert_null(sug("FROM", false));
	assert_null(sug("from", true));
	assert_null(sug("HEALTHCHECK", false));
	assert_null(sug("expose", true));

	/* the limit is a third of the length, rounded up, at most 2 */
	assert_string_equal(sug("RN", false), "RUN");     /* len 2: 1 edit */
	assert_string_equal(sug("EN", false), "ENV");
	assert_null(sug("R", false));                     /* len 1: RUN is 2 away */
	assert_null(sug("CP", false));                    /* CMD and COPY are 2 away */
	assert_string_equal(sug("CPY", false), "COPY");   /* len 3: 1 edit */
	assert_string_equal(sug("CMX", false), "CMD");
	assert_null(sug("CXX", false));                   /* 2 edits from CMD */
	assert_string_equal(sug("XXPY", false), "COPY");  /* len 4: 2 edits */
	assert_string_equal(sug("CMDXX", false), "CMD");  /* len 5: 2 edits */
	assert_string_equal(sug("WORKDIRXX", false), "WORKDIR"); /* len 9: 2 edits */
	assert_null(sug("WORKDIRXXX", false));            /* len 10: capped at 2 */
	assert_null(sug("XXXXDIR", false));               /* 4 edits from WORKDIR */

	/* the closest candidate wins; on a tie, the first one */
	static const char *const two[] = {"ABD", "ABE", "ABC"};
	assert_string_equal(kf_suggest(KF_STR_LIT("ABCC"), two, 3, false), "ABC"); /* ABD: 2 */
	assert_string_equal(kf_suggest(KF_STR_LIT("ABX"), two, 3, false), "ABD");
	static const char *const far_first[] = {"ABXY", "ABCX"};
	assert_string_equal(kf_suggest(KF_STR_LIT("ABCD"), far_first, 2, false), "ABCX");

	/* degenerate inputs */
	assert_null(kf_suggest(KF_STR_LIT(""), instrs, NINSTRS, false));
	assert_null(kf_suggest(KF_STR_LIT("FORM"), instrs, 0, false));
	/* words longer than 256 bytes get no suggestion */
	char *longw = kf_xmalloc(258);
	memset(longw, 'A', 257);
	longw[257] = '\0';
	const char *cand[1] = {longw + 2}; /* 255 A's */
	assert_ptr_equal(kf_suggest(kf_str_make(longw, 256), cand, 1, false), longw + 2);
	assert_null(kf_suggest(kf_str_make(longw, 257), cand, 1, false));
	free(longw);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xalloc),
		cmocka_unit_test(test_arena_init_release),
		cmocka_unit_test(test_arena_alignment),
		cmocka_unit_test(test_arena_many_small),
		cmocka_unit_test(test_arena_large),
		cmocka_unit_test(test_arena_zalloc),
		cmocka_unit_test(test_arena_strndup),
		cmocka_unit_test(test_arena_printf),
		cmocka_unit_test(test_arena_memdup),
		cmocka_unit_test(test_arena_release_reuse),
		cmocka_unit_test(test_buf_add),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_reset_detach),
		cmocka_unit_test(test_str_helpers),
		cmocka_unit_test(test_str_eq_nocase),
		cmocka_unit_test(test_str_has_prefix),
		cmocka_unit_test(test_edit_distance),
		cmocka_unit_test(test_suggest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
