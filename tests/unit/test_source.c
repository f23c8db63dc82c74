/* SPDX-License-Identifier: Apache-2.0 */
/* test_source.c - unit tests of source.c: the line table, positions in
 * bytes, UTF-16 units and code points, offsets from positions, UTF-8
 * decoding and reading files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/source.h"

/* A source of a string literal (which may hold NUL bytes). */
#define SRC_LIT(src, text) init_lit((src), (text), sizeof(text) - 1)

static void init_lit(kf_source *src, const char *text, size_t n)
{
	const char *err = NULL;
	assert_true(kf_source_init_mem(src, "Kubefile", text, n, &err));
	assert_null(err);
}

#define assert_pos(src, off, l, c8, c16, c32) \
	do { \
		kf_position p_ = kf_source_position((src), (off)); \
		assert_int_equal(p_.line, (l)); \
		assert_int_equal(p_.col8, (c8)); \
		assert_int_equal(p_.col16, (c16)); \
		assert_int_equal(p_.col32, (c32)); \
	} while (0)

#define assert_lines(src, ...) \
	do { \
		static const uint32_t want_[] = {__VA_ARGS__}; \
		size_t n_ = sizeof(want_) / sizeof(want_[0]); \
		assert_int_equal((src)->nlines, n_); \
		for (size_t i_ = 0; i_ < n_; i_++) \
			assert_int_equal((src)->lines[i_], want_[i_]); \
	} while (0)

#define assert_line_text(src, line, want) \
	do { \
		kf_str t_ = kf_source_line_text((src), (line)); \
		assert_int_equal(t_.len, sizeof(want) - 1); \
		assert_memory_equal(t_.ptr, (want), sizeof(want) - 1); \
	} while (0)

/* ---- kf_source_init_mem ------------------------------------------------ */

static void test_init_mem(void **state)
{
	(void)state;
	kf_source s;
	const char *err = NULL;
	static const char text[] = "FROM alpine\n";

	assert_true(kf_source_init_mem(&s, "dir/Kubefile", text, 12, &err));
	assert_null(err);
	assert_string_equal(s.path, "dir/Kubefile");
	assert_ptr_not_equal(s.text, text);
	assert_int_equal(s.len, 12);
	assert_memory_equal(s.text, "FROM alpine\n\0", 13);
	assert_int_equal(s.bom, 0);
	kf_source_release(&s);
	assert_null(s.text);
	assert_null(s.path);
	assert_null(s.lines);
	assert_int_equal(s.len, 0);
	assert_int_equal(s.nlines, 0);

	/* a NULL path is shown as "-"; only n bytes are copied */
	assert_true(kf_source_init_mem(&s, NULL, "RUN x\nCMD y", 5, &err));
	assert_string_equal(s.path, "-");
	assert_int_equal(s.len, 5);
	assert_string_equal(s.text, "RUN x");
	kf_source_release(&s);

	/* NUL bytes inside the text are kept; another NUL follows */
	SRC_LIT(&s, "a\0b");
	assert_int_equal(s.len, 3);
	assert_memory_equal(s.text, "a\0b\0", 4);
	kf_source_release(&s);

	/* empty text, even from a NULL pointer */
	assert_true(kf_source_init_mem(&s, "e", NULL, 0, &err));
	assert_int_equal(s.len, 0);
	assert_int_equal(s.text[0], '\0');
	kf_source_release(&s);

	/* the BOM is recorded only at the very start */
	SRC_LIT(&s, "\xef\xbb\xbf" "FROM x\n");
	assert_int_equal(s.bom, 3);
	assert_int_equal(s.len, 10);
	kf_source_release(&s);
	SRC_LIT(&s, "\xef\xbb\xbf");
	assert_int_equal(s.bom, 3);
	kf_source_release(&s);
	SRC_LIT(&s, "\xef\xbb");
	assert_int_equal(s.bom, 0);
	kf_source_release(&s);
	SRC_LIT(&s, " \xef\xbb\xbf");
	assert_int_equal(s.bom, 0);
	kf_source_release(&s);

	/* too large: refused before the text is read */
	err = NULL;
	assert_false(kf_source_init_mem(&s, "big", "", KF_SOURCE_MAX + 1, &err));
	assert_string_equal(err, "file too large (limit is 4 GiB)");
	assert_null(s.text);
	assert_null(s.lines);
	kf_source_release(&s);
}

/* ---- the line table ---------------------------------------------------- */

static void test_lines_lf(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\nRUN b\n");
	assert_lines(&s, 0, 7, 13);
	kf_source_release(&s);

	SRC_LIT(&s, "\n\n");
	assert_lines(&s, 0, 1, 2);
	kf_source_release(&s);

	SRC_LIT(&s, "\n");
	assert_lines(&s, 0, 1);
	kf_source_release(&s);
}

static void test_lines_crlf(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\r\nRUN b\r\n");
	assert_lines(&s, 0, 8, 15);
	kf_source_release(&s);

	/* a lone \r ends no line */
	SRC_LIT(&s, "a\rb\r\nc\r");
	assert_lines(&s, 0, 5);
	kf_source_release(&s);
}

static void test_lines_no_final_newline(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\nRUN b");
	assert_lines(&s, 0, 7);
	kf_source_release(&s);

	SRC_LIT(&s, "FROM a");
	assert_lines(&s, 0);
	kf_source_release(&s);
}

static void test_lines_empty(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "");
	assert_lines(&s, 0);
	assert_int_equal(kf_source_line(&s, 0), 0);
	assert_pos(&s, 0, 0, 0, 0, 0);
	assert_line_text(&s, 0, "");
	kf_source_release(&s);
}

static void test_lines_many(void **state)
{
	(void)state;
	kf_source s;
	kf_buf b = KF_BUF_INIT;
	/* more lines than the table's first allocation */
	for (int i = 0; i < 1000; i++)
		kf_buf_printf(&b, "%03d\n", i);
	init_lit(&s, b.ptr, b.len);
	assert_int_equal(s.nlines, 1001);
	for (uint32_t i = 0; i < 1001; i++)
		assert_int_equal(s.lines[i], 4 * i);
	assert_int_equal(kf_source_line(&s, 0), 0);
	assert_int_equal(kf_source_line(&s, 3), 0);
	assert_int_equal(kf_source_line(&s, 4), 1);
	assert_int_equal(kf_source_line(&s, 2001), 500);
	assert_int_equal(kf_source_line(&s, 3999), 999);
	assert_int_equal(kf_source_line(&s, 4000), 1000);
	assert_int_equal(kf_source_line(&s, 99999), 1000);
	assert_line_text(&s, 765, "765");
	assert_pos(&s, 4 * 765 + 2, 765, 2, 2, 2);
	kf_source_release(&s);
	kf_buf_release(&b);
}

static void test_source_line(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\nRUN b\n");
	assert_int_equal(kf_source_line(&s, 0), 0);
	assert_int_equal(kf_source_line(&s, 6), 0); /* the \n */
	assert_int_equal(kf_source_line(&s, 7), 1);
	assert_int_equal(kf_source_line(&s, 12), 1);
	assert_int_equal(kf_source_line(&s, 13), 2); /* the end */
	assert_int_equal(kf_source_line(&s, 500), 2);
	kf_source_release(&s);
}

/* ---- kf_source_position ------------------------------------------------ */

static void test_position_ascii(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\nRUN b\n");
	assert_pos(&s, 0, 0, 0, 0, 0);
	assert_pos(&s, 5, 0, 5, 5, 5);
	assert_pos(&s, 6, 0, 6, 6, 6);
	assert_pos(&s, 7, 1, 0, 0, 0);
	assert_pos(&s, 10, 1, 3, 3, 3);
	assert_pos(&s, 12, 1, 5, 5, 5);
	assert_pos(&s, 13, 2, 0, 0, 0);
	/* offsets past the end are clamped to the end */
	assert_pos(&s, 14, 2, 0, 0, 0);
	assert_pos(&s, UINT32_MAX, 2, 0, 0, 0);
	kf_source_release(&s);

	SRC_LIT(&s, "RUN b");
	assert_pos(&s, 5, 0, 5, 5, 5);
	assert_pos(&s, 1000, 0, 5, 5, 5);
	kf_source_release(&s);
}

/* "RUN " é (2 bytes) ♥ (U+2665, 3 bytes) 😀 (U+1F600, 4 bytes, 2 UTF-16
 * units) "x" on the second line: R=7 é=11 ♥=13 😀=16 x=20 \n=21 */
static const char uni[] = "FROM a\nRUN \xc3\xa9\xe2\x99\xa5\xf0\x9f\x98\x80x\n";

static void test_position_unicode(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, uni);
	assert_int_equal(s.len, 22);
	assert_lines(&s, 0, 7, 22);
	assert_pos(&s, 7, 1, 0, 0, 0);
	assert_pos(&s, 11, 1, 4, 4, 4);   /* before é */
	assert_pos(&s, 13, 1, 6, 5, 5);   /* after é */
	assert_pos(&s, 16, 1, 9, 6, 6);   /* after ♥ */
	assert_pos(&s, 20, 1, 13, 8, 7);  /* after 😀: two UTF-16 units */
	assert_pos(&s, 21, 1, 14, 9, 8);  /* the \n */
	assert_pos(&s, 22, 2, 0, 0, 0);
	/* an offset inside a character: each byte before it counts one */
	assert_pos(&s, 12, 1, 5, 5, 5);
	assert_pos(&s, 15, 1, 8, 7, 7);
	assert_pos(&s, 18, 1, 11, 8, 8);
	kf_source_release(&s);
}

static void test_position_invalid_utf8(void **state)
{
	(void)state;
	kf_source s;
	/* a \xff \xfe b \xc3( \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 z */
	SRC_LIT(&s, "a\xff\xfe" "b\xc3(\xc0\x80\xed\xa0\x80\xf4\x90\x80\x80z");
	assert_pos(&s, 1, 0, 1, 1, 1);
	assert_pos(&s, 3, 0, 3, 3, 3);      /* \xff and \xfe: one each */
	assert_pos(&s, 4, 0, 4, 4, 4);
	assert_pos(&s, 6, 0, 6, 6, 6);      /* a truncated lead byte */
	assert_pos(&s, 8, 0, 8, 8, 8);      /* an overlong NUL: two */
	assert_pos(&s, 11, 0, 11, 11, 11);  /* a surrogate: three */
	assert_pos(&s, 15, 0, 15, 15, 15);  /* past U+10FFFF: four */
	assert_pos(&s, 16, 0, 16, 16, 16);
	kf_source_release(&s);

	/* decoding resumes after an invalid byte: \x80 é 😀 ! = 5 units, 4 points */
	SRC_LIT(&s, "\x80\xc3\xa9\xf0\x9f\x98\x80!");
	assert_pos(&s, 8, 0, 8, 5, 4);
	kf_source_release(&s);
}

static void test_position_crlf(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "AB\r\nCD\r\nE");
	assert_pos(&s, 1, 0, 1, 1, 1);
	assert_pos(&s, 2, 0, 2, 2, 2); /* the \r */
	assert_pos(&s, 3, 0, 3, 3, 3); /* the \n */
	assert_pos(&s, 4, 1, 0, 0, 0); /* the \r is no column of line 2 */
	assert_pos(&s, 5, 1, 1, 1, 1);
	assert_pos(&s, 6, 1, 2, 2, 2);
	assert_pos(&s, 8, 2, 0, 0, 0);
	assert_pos(&s, 9, 2, 1, 1, 1);
	kf_source_release(&s);
}

static void test_position_bom(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "\xef\xbb\xbf" "FROM \xc3\xa9\nRUN y\n");
	assert_int_equal(s.bom, 3);
	assert_lines(&s, 0, 11, 17);
	/* offsets inside the BOM are column 0 */
	assert_pos(&s, 0, 0, 0, 0, 0);
	assert_pos(&s, 1, 0, 0, 0, 0);
	assert_pos(&s, 2, 0, 0, 0, 0);
	assert_pos(&s, 3, 0, 0, 0, 0);
	assert_pos(&s, 4, 0, 1, 1, 1);
	assert_pos(&s, 8, 0, 5, 5, 5);
	assert_pos(&s, 10, 0, 7, 6, 6);
	/* later lines are not shifted */
	assert_pos(&s, 11, 1, 0, 0, 0);
	assert_pos(&s, 14, 1, 3, 3, 3);
	kf_source_release(&s);

	/* a BOM elsewhere is an ordinary character (U+FEFF) */
	SRC_LIT(&s, "a\n\xef\xbb\xbf" "b");
	assert_int_equal(s.bom, 0);
	assert_pos(&s, 2, 1, 0, 0, 0);
	assert_pos(&s, 5, 1, 3, 1, 1);
	assert_line_text(&s, 1, "\xef\xbb\xbf" "b");
	kf_source_release(&s);
}

/* ---- kf_source_line_text ----------------------------------------------- */

static void test_line_text(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\nRUN b\n\nCMD c");
	assert_line_text(&s, 0, "FROM a");
	assert_line_text(&s, 1, "RUN b");
	assert_line_text(&s, 2, "");
	assert_line_text(&s, 3, "CMD c");
	/* the pointer is into the source text */
	assert_ptr_equal(kf_source_line_text(&s, 1).ptr, s.text + 7);
	/* a line past the last is empty, at the end of the text */
	kf_str t = kf_source_line_text(&s, 4);
	assert_int_equal(t.len, 0);
	assert_ptr_equal(t.ptr, s.text + s.len);
	t = kf_source_line_text(&s, UINT32_MAX);
	assert_int_equal(t.len, 0);
	assert_ptr_equal(t.ptr, s.text + s.len);
	kf_source_release(&s);

	SRC_LIT(&s, "FROM a\nRUN b\n");
	assert_line_text(&s, 1, "RUN b");
	t = kf_source_line_text(&s, 2);
	assert_int_equal(t.len, 0);
	assert_ptr_equal(t.ptr, s.text + 13);
	kf_source_release(&s);
}

static void test_line_text_crlf(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "FROM a\r\nRUN b\r\n\r\nx\ry\r\nlast\r");
	assert_line_text(&s, 0, "FROM a");
	assert_line_text(&s, 1, "RUN b");
	assert_line_text(&s, 2, "");
	assert_line_text(&s, 3, "x\ry");     /* a \r inside a line stays */
	assert_line_text(&s, 4, "last\r");   /* no \n: the \r ends no line */
	kf_source_release(&s);

	/* BOM: line 1 starts after it */
	SRC_LIT(&s, "\xef\xbb\xbf" "FROM x\r\nRUN y");
	assert_line_text(&s, 0, "FROM x");
	assert_ptr_equal(kf_source_line_text(&s, 0).ptr, s.text + 3);
	assert_line_text(&s, 1, "RUN y");
	kf_source_release(&s);

	SRC_LIT(&s, "\xef\xbb\xbf\r\n");
	assert_line_text(&s, 0, "");
	assert_line_text(&s, 1, "");
	kf_source_release(&s);

	SRC_LIT(&s, "\xef\xbb\xbf");
	assert_line_text(&s, 0, "");
	kf_source_release(&s);
}

/* ---- offsets from positions -------------------------------------------- */

static void test_offset_utf16(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, uni);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 0), 0);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 6), 6);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 7), 6);     /* clamped before \n */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 0), 7);
	assert_int_equal(kf_source_offset_utf16(&s, 1, 4), 11);    /* é */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 5), 13);    /* ♥ */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 6), 16);    /* 😀 */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 7), 20);    /* inside 😀: after it */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 8), 20);    /* x */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 9), 21);    /* line end */
	assert_int_equal(kf_source_offset_utf16(&s, 1, 10), 21);
	assert_int_equal(kf_source_offset_utf16(&s, 1, UINT32_MAX), 21);
	assert_int_equal(kf_source_offset_utf16(&s, 2, 0), 22);
	assert_int_equal(kf_source_offset_utf16(&s, 2, 5), 22);
	/* a line past the last: the end of the text */
	assert_int_equal(kf_source_offset_utf16(&s, 3, 0), 22);
	assert_int_equal(kf_source_offset_utf16(&s, 100, 100), 22);
	kf_source_release(&s);

	/* invalid bytes are one unit each */
	SRC_LIT(&s, "\xff\xfe" "ab");
	assert_int_equal(kf_source_offset_utf16(&s, 0, 1), 1);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 3), 3);
	kf_source_release(&s);
}

static void test_offset_utf8(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, uni);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 0), 0);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 6), 6);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 7), 6);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 0), 7);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 5), 12);   /* bytes, not characters */
	assert_int_equal(kf_source_offset_utf8(&s, 1, 14), 21);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 15), 21);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 1000000), 21);
	assert_int_equal(kf_source_offset_utf8(&s, 2, 3), 22);
	assert_int_equal(kf_source_offset_utf8(&s, 7, 0), 22);
	kf_source_release(&s);
}

static void test_offset_clamp_crlf_bom(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, "AB\r\nCD\r\n");
	/* the \r is not part of the line */
	assert_int_equal(kf_source_offset_utf16(&s, 0, 2), 2);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 3), 2);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 3), 2);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 1), 5);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 9), 6);
	assert_int_equal(kf_source_offset_utf16(&s, 1, 9), 6);
	kf_source_release(&s);

	SRC_LIT(&s, "\xef\xbb\xbf" "FROM\nx");
	assert_int_equal(kf_source_offset_utf16(&s, 0, 0), 3);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 2), 5);
	assert_int_equal(kf_source_offset_utf16(&s, 0, 9), 7);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 0), 3);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 2), 5);
	assert_int_equal(kf_source_offset_utf8(&s, 0, 9), 7);
	assert_int_equal(kf_source_offset_utf8(&s, 1, 1), 9);
	kf_source_release(&s);
}

static void round_trip(const kf_source *s)
{
	/* every offset at a character boundary maps to a position and back */
	uint32_t off = s->bom;
	while (off <= s->len) {
		kf_position p = kf_source_position(s, off);
		if (kf_source_offset_utf16(s, p.line, p.col16) != off)
			fail_msg("utf16 round trip of offset %u (line %u col16 %u)", off, p.line,
				 p.col16);
		if (kf_source_offset_utf8(s, p.line, p.col8) != off)
			fail_msg("utf8 round trip of offset %u (line %u col8 %u)", off, p.line,
				 p.col8);
		if (off == s->len)
			break;
		uint32_t cp;
		int n = kf_utf8_seqlen((const unsigned char *)s->text + off, s->len - off, &cp);
		off += n ? (uint32_t)n : 1;
		/* the \n of a \r\n ends the line with the \r */
		if (off < s->len && s->text[off] == '\n' && s->text[off - 1] == '\r')
			off++;
	}
}

static void test_offset_round_trip(void **state)
{
	(void)state;
	kf_source s;
	SRC_LIT(&s, uni);
	round_trip(&s);
	kf_source_release(&s);
	SRC_LIT(&s, "\xef\xbb\xbf\xe2\x99\xa5 \xf0\x9f\x98\x80\r\n\xff\xc3\xa9\n\nRUN \xe2\x99\xa5");
	round_trip(&s);
	kf_source_release(&s);

	/* and the positions of the first round trip are the expected ones */
	SRC_LIT(&s, uni);
	static const uint32_t offs[] = {7, 11, 13, 16, 20, 21};
	static const uint32_t c16[] = {0, 4, 5, 6, 8, 9};
	for (size_t i = 0; i < 6; i++) {
		kf_position p = kf_source_position(&s, offs[i]);
		assert_int_equal(p.col16, c16[i]);
		assert_int_equal(kf_source_offset_utf16(&s, 1, c16[i]), offs[i]);
		assert_int_equal(kf_source_offset_utf8(&s, 1, p.col8), offs[i]);
	}
	kf_source_release(&s);
}

/* ---- kf_utf8_seqlen ---------------------------------------------------- */

#define assert_seq(bytes, want_len, want_cp) \
	do { \
		uint32_t cp_ = 0xabcdef; \
		assert_int_equal(kf_utf8_seqlen((const unsigned char *)(bytes), \
						sizeof(bytes) - 1, &cp_), \
				 (want_len)); \
		assert_int_equal(cp_, (want_cp)); \
	} while (0)

#define assert_bad(bytes) \
	do { \
		uint32_t cp_ = 0; \
		assert_int_equal(kf_utf8_seqlen((const unsigned char *)(bytes), \
						sizeof(bytes) - 1, &cp_), 0); \
	} while (0)

static void test_utf8_valid(void **state)
{
	(void)state;
	assert_seq("A", 1, 0x41);
	assert_seq("\x7f", 1, 0x7f);
	assert_seq("\xc2\x80", 2, 0x80);
	assert_seq("\xc3\xa9", 2, 0xe9);
	assert_seq("\xdf\xbf", 2, 0x7ff);
	assert_seq("\xe0\xa0\x80", 3, 0x800);
	assert_seq("\xe2\x99\xa5", 3, 0x2665);
	assert_seq("\xed\x9f\xbf", 3, 0xd7ff);   /* just below the surrogates */
	assert_seq("\xee\x80\x80", 3, 0xe000);   /* just above */
	assert_seq("\xef\xbb\xbf", 3, 0xfeff);
	assert_seq("\xef\xbf\xbf", 3, 0xffff);
	assert_seq("\xf0\x90\x80\x80", 4, 0x10000);
	assert_seq("\xf0\x9f\x98\x80", 4, 0x1f600);
	assert_seq("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
	/* bytes after the sequence are not looked at */
	assert_seq("\xc3\xa9\xa9", 2, 0xe9);
	assert_seq("ab", 1, 0x61);

	uint32_t cp = 7;
	assert_int_equal(kf_utf8_seqlen((const unsigned char *)"", 1, &cp), 1); /* NUL */
	assert_int_equal(cp, 0);
	/* n == 0 */
	assert_int_equal(kf_utf8_seqlen((const unsigned char *)"A", 0, &cp), 0);
}

static void test_utf8_invalid(void **state)
{
	(void)state;
	/* overlong forms */
	assert_bad("\xc0\x80");
	assert_bad("\xc0\xaf");
	assert_bad("\xc1\xbf");
	assert_bad("\xe0\x80\x80");
	assert_bad("\xe0\x9f\xbf");
	assert_bad("\xf0\x80\x80\x80");
	assert_bad("\xf0\x8f\xbf\xbf");
	/* UTF-16 surrogates */
	assert_bad("\xed\xa0\x80");
	assert_bad("\xed\xad\xbf");
	assert_bad("\xed\xb0\x80");
	assert_bad("\xed\xbf\xbf");
	/* past U+10FFFF */
	assert_bad("\xf4\x90\x80\x80");
	assert_bad("\xf5\x80\x80\x80");
	assert_bad("\xf7\xbf\xbf\xbf");
	/* lead bytes of 5- and 6-byte forms, and 0xfe / 0xff */
	assert_bad("\xf8\x88\x80\x80\x80");
	assert_bad("\xfc\x84\x80\x80\x80\x80");
	assert_bad("\xfe");
	assert_bad("\xff");
	/* continuation bytes on their own */
	assert_bad("\x80");
	assert_bad("\xbf\x41");
	/* truncated sequences */
	assert_bad("\xc3");
	assert_bad("\xe2\x99");
	assert_bad("\xe2");
	assert_bad("\xf0\x9f\x98");
	assert_bad("\xf0");
	/* a sequence cut by n, although more bytes follow in memory */
	uint32_t cp = 0;
	assert_int_equal(kf_utf8_seqlen((const unsigned char *)"\xc3\xa9", 1, &cp), 0);
	assert_int_equal(kf_utf8_seqlen((const unsigned char *)"\xf0\x9f\x98\x80", 3, &cp), 0);
	/* a non-continuation byte inside the sequence */
	assert_bad("\xc3\x41");
	assert_bad("\xc3\xc3\xa9");
	assert_bad("\xe2\x41\xa5");
	assert_bad("\xe2\x99\x41");
	assert_bad("\xf0\x9f\x41\x80");
	assert_bad("\xf0\x9f\x98\xf0");
}

/* ---- kf_source_init_file ----------------------------------------------- */

static char *write_temp(const char *data, size_t n)
{
	char *path = kf_xstrdup("/tmp/kf_test_source_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		assert_true(w > 0);
		done += (size_t)w;
	}
	assert_int_equal(close(fd), 0);
	return path;
}

static void test_init_file(void **state)
{
	(void)state;
	static const char data[] = "\xef\xbb\xbf" "FROM a\r\nRUN \xc3\xa9\nCMD";
	char *path = write_temp(data, sizeof(data) - 1);
	kf_source s, named;
	const char *err = NULL, *err2 = NULL;
	/* read it twice, then remove it before anything can fail */
	bool ok = kf_source_init_file(&s, path, NULL, &err);
	bool ok2 = kf_source_init_file(&named, path, "Kubefile", &err2);
	assert_int_equal(unlink(path), 0);

	assert_true(ok);
	assert_null(err);
	assert_string_equal(s.path, path);
	assert_int_equal(s.len, sizeof(data) - 1);
	assert_memory_equal(s.text, data, sizeof(data)); /* with the NUL */
	assert_int_equal(s.bom, 3);
	assert_lines(&s, 0, 11, 18);
	assert_line_text(&s, 0, "FROM a");
	assert_line_text(&s, 1, "RUN \xc3\xa9");
	assert_line_text(&s, 2, "CMD");
	assert_pos(&s, 17, 1, 6, 5, 5);
	kf_source_release(&s);

	/* the display name replaces the path */
	assert_true(ok2);
	assert_null(err2);
	assert_string_equal(named.path, "Kubefile");
	assert_int_equal(named.len, sizeof(data) - 1);
	assert_memory_equal(named.text, data, sizeof(data));
	kf_source_release(&named);
	free(path);
}

static void test_init_file_large(void **state)
{
	(void)state;
	/* larger than the 64 KiB read chunk */
	enum { LINES = 3000, WIDTH = 50 };
	size_t n = LINES * WIDTH;
	char *data = kf_xmalloc(n);
	for (size_t i = 0; i < n; i++)
		data[i] = i % WIDTH == WIDTH - 1 ? '\n' : (char)('a' + i % 23);
	char *path = write_temp(data, n);
	kf_source s;
	const char *err = NULL;

	bool ok = kf_source_init_file(&s, path, NULL, &err);
	assert_int_equal(unlink(path), 0);
	assert_true(ok);
	assert_int_equal(s.len, n);
	assert_memory_equal(s.text, data, n);
	assert_int_equal(s.text[n], '\0');
	assert_int_equal(s.nlines, LINES + 1);
	assert_int_equal(s.lines[LINES], n);
	assert_int_equal(s.lines[1234], 1234 * WIDTH);
	assert_pos(&s, 2000 * WIDTH + 7, 2000, 7, 7, 7);
	kf_source_release(&s);
	free(path);
	free(data);
}

static void test_init_file_errors(void **state)
{
	(void)state;
	kf_source s;
	const char *err = NULL;

	/* a file that does not exist (a temp name, removed again) */
	char *path = write_temp("", 0);
	assert_int_equal(unlink(path), 0);
	assert_false(kf_source_init_file(&s, path, "Kubefile", &err));
	assert_non_null(err);
	assert_string_equal(err, strerror(ENOENT));
	assert_string_equal(err, "No such file or directory");
	assert_null(s.text);
	assert_null(s.path);
	assert_null(s.lines);
	kf_source_release(&s);
	free(path);

	/* a directory opens, but cannot be read */
	char dir[] = "/tmp/kf_test_dir_XXXXXX";
	assert_non_null(mkdtemp(dir));
	err = NULL;
	assert_false(kf_source_init_file(&s, dir, NULL, &err));
	assert_string_equal(err, strerror(EISDIR));
	assert_null(s.text);
	kf_source_release(&s);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_mem),
		cmocka_unit_test(test_lines_lf),
		cmocka_unit_test(test_lines_crlf),
		cmocka_unit_test(test_lines_no_final_newline),
		cmocka_unit_test(test_lines_empty),
		cmocka_unit_test(test_lines_many),
		cmocka_unit_test(test_source_line),
		cmocka_unit_test(test_position_ascii),
		cmocka_unit_test(test_position_unicode),
		cmocka_unit_test(test_position_invalid_utf8),
		cmocka_unit_test(test_position_crlf),
		cmocka_unit_test(test_position_bom),
		cmocka_unit_test(test_line_text),
		cmocka_unit_test(test_line_text_crlf),
		cmocka_unit_test(test_offset_utf16),
		cmocka_unit_test(test_offset_utf8),
		cmocka_unit_test(test_offset_clamp_crlf_bom),
		cmocka_unit_test(test_offset_round_trip),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_invalid),
		cmocka_unit_test(test_init_file),
		cmocka_unit_test(test_init_file_large),
		cmocka_unit_test(test_init_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
