/* SPDX-License-Identifier: Apache-2.0 */
/* test_diag.c - unit tests of diag.c (the bag, text rendering, JSON) and
 * jsonutil.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/diag.h"
#include "syntax/jsonutil.h"
#include "syntax/source.h"

#define SPAN(a, b) ((kf_span){(a), (b)})

static void init_src(kf_source *src, const char *path, const char *text, size_t n)
{
	const char *err = NULL;
	assert_true(kf_source_init_mem(src, path, text, n, &err));
}

#define SRC_LIT(src, text) init_src((src), "Kubefile", (text), sizeof(text) - 1)

/* The JSON text of j, with sorted keys and no spaces; releases j. */
static char *dump(json_t *j)
{
	assert_non_null(j);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY);
	assert_non_null(s);
	json_decref(j);
	return s;
}

#define assert_json(j, want) \
	do { \
		char *s_ = dump(j); \
		assert_string_equal(s_, (want)); \
		free(s_); \
	} while (0)

/* ---- the bag ----------------------------------------------------------- */

static void test_bag_add(void **state)
{
	(void)state;
	kf_arena a;
	kf_diag_bag bag;
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);
	assert_ptr_equal(bag.arena, &a);
	assert_null(bag.items);
	assert_int_equal(bag.len, 0);
	assert_int_equal(bag.nerrors, 0);

	kf_diag *d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(5, 9), "KF002",
				 "unknown instruction %s (did you mean %s?)", "FORM", "FROM");
	assert_ptr_equal(d, &bag.items[0]);
	assert_int_equal(d->severity, KF_SEV_ERROR);
	assert_int_equal(d->span.start, 5);
	assert_int_equal(d->span.end, 9);
	assert_string_equal(d->code, "KF002");
	assert_string_equal(d->message, "unknown instruction FORM (did you mean FROM?)");
	assert_null(d->fix);
	assert_int_equal(bag.len, 1);
	assert_int_equal(bag.nerrors, 1);

	kf_diag_add(&bag, KF_SEV_WARNING, SPAN(0, 0), "KF101", "w %d", 1);
	kf_diag_add(&bag, KF_SEV_INFO, SPAN(1, 2), "KF102", "i");
	kf_diag_add(&bag, KF_SEV_STYLE, SPAN(2, 3), "KF103", "s");
	kf_diag_add(&bag, KF_SEV_ERROR, SPAN(3, 4), "KF001", "%s", "");
	assert_int_equal(bag.len, 5);
	assert_int_equal(bag.nerrors, 2); /* only errors count */
	assert_string_equal(bag.items[1].message, "w 1");
	assert_int_equal(bag.items[1].severity, KF_SEV_WARNING);
	assert_int_equal(bag.items[2].severity, KF_SEV_INFO);
	assert_int_equal(bag.items[3].severity, KF_SEV_STYLE);
	assert_string_equal(bag.items[4].message, "");

	/* growth keeps every diagnostic */
	for (int i = 0; i < 100; i++)
		kf_diag_add(&bag, i % 2 ? KF_SEV_WARNING : KF_SEV_ERROR, SPAN(i, i + 1), "KF009",
			    "diag %d", i);
	assert_int_equal(bag.len, 105);
	assert_int_equal(bag.nerrors, 52);
	for (int i = 0; i < 100; i++) {
		char want[32];
		snprintf(want, sizeof(want), "diag %d", i);
		assert_string_equal(bag.items[5 + i].message, want);
		assert_int_equal(bag.items[5 + i].span.start, i);
		assert_int_equal(bag.items[5 + i].severity, i % 2 ? KF_SEV_WARNING : KF_SEV_ERROR);
	}
	/* the first message is still intact */
	assert_string_equal(bag.items[0].message, "unknown instruction FORM (did you mean FROM?)");

	kf_diag_bag_release(&bag);
	assert_null(bag.items);
	assert_int_equal(bag.len, 0);
	assert_int_equal(bag.cap, 0);
	assert_int_equal(bag.nerrors, 0);
	kf_arena_release(&a);
}

static void test_bag_fix(void **state)
{
	(void)state;
	kf_arena a;
	kf_diag_bag bag;
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);

	kf_diag *d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 4), "KF002", "unknown instruction");
	char repl[] = "FROM";
	char title[] = "replace FORM by FROM";
	kf_diag_set_fix(&bag, d, SPAN(0, 4), repl, title);
	/* the strings were copied */
	repl[0] = 'X';
	title[0] = 'X';
	assert_non_null(d->fix);
	assert_int_equal(d->fix->span.start, 0);
	assert_int_equal(d->fix->span.end, 4);
	assert_string_equal(d->fix->replacement, "FROM");
	assert_string_equal(d->fix->title, "replace FORM by FROM");

	/* an empty replacement is a deletion */
	kf_diag_set_fix(&bag, d, SPAN(1, 2), "", "remove it");
	assert_string_equal(d->fix->replacement, "");
	assert_string_equal(d->fix->title, "remove it");
	assert_int_equal(d->fix->span.start, 1);

	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
}

static void test_bag_sort(void **state)
{
	(void)state;
	kf_arena a;
	kf_diag_bag bag;
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);

	/* sorting an empty bag or a single diagnostic changes nothing */
	kf_diag_bag_sort(&bag);
	assert_int_equal(bag.len, 0);
	kf_diag_add(&bag, KF_SEV_ERROR, SPAN(9, 10), "KF001", "only");
	kf_diag_bag_sort(&bag);
	assert_string_equal(bag.items[0].message, "only");
	kf_diag_bag_release(&bag);

	kf_diag_bag_init(&bag, &a);
	kf_diag_add(&bag, KF_SEV_ERROR, SPAN(10, 11), "KF001", "a");
	kf_diag_add(&bag, KF_SEV_WARNING, SPAN(5, 20), "KF001", "b");
	kf_diag_add(&bag, KF_SEV_ERROR, SPAN(10, 10), "KF001", "c");
	kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 1), "KF001", "d");
	kf_diag_add(&bag, KF_SEV_INFO, SPAN(5, 6), "KF001", "e");
	kf_diag_bag_sort(&bag);
	static const char *const want[] = {"d", "b", "e", "a", "c"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(bag.items[i].message, want[i]);
	/* the rest of each diagnostic moved with it */
	assert_int_equal(bag.items[1].span.end, 20);
	assert_int_equal(bag.items[1].severity, KF_SEV_WARNING);
	assert_int_equal(bag.items[2].severity, KF_SEV_INFO);
	assert_int_equal(bag.nerrors, 3);
	kf_diag_bag_release(&bag);

	/* many equal offsets: insertion order is kept within each offset */
	kf_diag_bag_init(&bag, &a);
	enum { N = 300 };
	for (int i = 0; i < N; i++)
		kf_diag_add(&bag, KF_SEV_ERROR, SPAN((uint32_t)((i * 7) % 5), 100), "KF001", "%d",
			    i);
	kf_diag_bag_sort(&bag);
	assert_int_equal(bag.len, N);
	int last_start = -1, last_i = -1;
	for (size_t k = 0; k < N; k++) {
		int start = (int)bag.items[k].span.start, i = atoi(bag.items[k].message);
		assert_int_equal(start, (i * 7) % 5);
		if (start == last_start && i < last_i)
			fail_msg("offset %d: diag %d after diag %d", start, i, last_i);
		assert_true(start >= last_start);
		last_start = start;
		last_i = i;
	}
	/* 60 per offset: offset 0 holds diags 0, 5, ..., 295; offset 1
	 * 3, 8, ...; offset 2 1, 6, ...; offset 4 2, 7, ..., 297 */
	assert_string_equal(bag.items[0].message, "0");
	assert_string_equal(bag.items[1].message, "5");
	assert_string_equal(bag.items[59].message, "295");
	assert_string_equal(bag.items[60].message, "3");
	assert_string_equal(bag.items[120].message, "1");
	assert_string_equal(bag.items[299].message, "297");
	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
}

static void test_severity_name(void **state)
{
	(void)state;
	assert_string_equal(kf_severity_name(KF_SEV_ERROR), "error");
	assert_string_equal(kf_severity_name(KF_SEV_WARNING), "warning");
	assert_string_equal(kf_severity_name(KF_SEV_INFO), "info");
	assert_string_equal(kf_severity_name(KF_SEV_STYLE), "style");
	assert_string_equal(kf_severity_name((kf_severity)42), "error");
}

/* ---- text rendering ---------------------------------------------------- */

/* Renders one diagnostic of text (file "Kubefile") and compares. */
static void check_render(const char *text, size_t n, kf_severity sev, kf_span span,
			 const char *msg, unsigned flags, const char *want)
{
	kf_source src;
	kf_arena a;
	kf_diag_bag bag;
	kf_buf out = KF_BUF_INIT;

	init_src(&src, "Kubefile", text, n);
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);
	kf_diag *d = kf_diag_add(&bag, sev, span, "KF001", "%s", msg);
	kf_diag_render_text(&out, &src, d, flags);
	assert_non_null(out.ptr);
	assert_string_equal(out.ptr, want);
	assert_int_equal(out.len, strlen(want));
	kf_buf_release(&out);
	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);
}

#define RENDER(text, sev, span, msg, flags, want) \
	check_render((text), sizeof(text) - 1, (sev), (span), (msg), (flags), (want))

static void test_render_plain(void **state)
{
	(void)state;
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(5, 8), "boom", 0,
	       "Kubefile:2:1: error: boom [KF001]\n");
	RENDER("FROM\nRUN x\n", KF_SEV_WARNING, SPAN(9, 10), "w", 0,
	       "Kubefile:2:5: warning: w [KF001]\n");
	RENDER("FROM\nRUN x\n", KF_SEV_INFO, SPAN(0, 0), "i", 0,
	       "Kubefile:1:1: info: i [KF001]\n");
	RENDER("FROM\nRUN x\n", KF_SEV_STYLE, SPAN(11, 11), "at the end", 0,
	       "Kubefile:3:1: style: at the end [KF001]\n");
	/* the message is printed as it is, % and all */
	RENDER("FROM\n", KF_SEV_ERROR, SPAN(0, 4), "100% wrong %s", 0,
	       "Kubefile:1:1: error: 100% wrong %s [KF001]\n");

	/* the output is appended to what the buffer holds */
	kf_source src;
	kf_arena a;
	kf_diag_bag bag;
	kf_buf out = KF_BUF_INIT;
	SRC_LIT(&src, "FROM\nRUN x\n");
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);
	kf_diag *d1 = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 4), "KF010", "first");
	kf_diag *d2 = kf_diag_add(&bag, KF_SEV_WARNING, SPAN(9, 10), "KF011", "second");
	kf_buf_adds(&out, ">");
	kf_diag_render_text(&out, &src, d1, 0);
	kf_diag_render_text(&out, &src, d2, KF_RENDER_SOURCE);
	assert_string_equal(out.ptr, ">Kubefile:1:1: error: first [KF010]\n"
				     "Kubefile:2:5: warning: second [KF011]\n"
				     "  RUN x\n"
				     "      ^\n");
	kf_buf_release(&out);
	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);
}

static void test_render_source(void **state)
{
	(void)state;
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(5, 8), "boom", KF_RENDER_SOURCE,
	       "Kubefile:2:1: error: boom [KF001]\n"
	       "  RUN x\n"
	       "  ^~~\n");
	RENDER("FROM alpine AS build\n", KF_SEV_WARNING, SPAN(12, 14), "lowercase",
	       KF_RENDER_SOURCE,
	       "Kubefile:1:13: warning: lowercase [KF001]\n"
	       "  FROM alpine AS build\n"
	       "              ^~\n");
	/* the line is shown without its \r\n */
	RENDER("FROM a\r\nRUN b\r\n", KF_SEV_ERROR, SPAN(8, 13), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:1: error: m [KF001]\n"
	       "  RUN b\n"
	       "  ^~~~~\n");
	/* the last line, without a final newline */
	RENDER("FROM a\nRUN b", KF_SEV_ERROR, SPAN(11, 12), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:5: error: m [KF001]\n"
	       "  RUN b\n"
	       "      ^\n");
	/* a diagnostic at the very end, after the final newline */
	RENDER("FROM a\n", KF_SEV_ERROR, SPAN(7, 7), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:1: error: m [KF001]\n"
	       "  \n"
	       "  ^\n");
	/* a diagnostic on the \n itself: the caret goes after the text */
	RENDER("FROM\n", KF_SEV_ERROR, SPAN(4, 5), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:5: error: m [KF001]\n"
	       "  FROM\n"
	       "      ^\n");
}

static void test_render_tab_and_controls(void **state)
{
	(void)state;
	/* a tab is one space, so the caret lines up */
	RENDER("RUN\tx\n", KF_SEV_ERROR, SPAN(4, 5), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:5: error: m [KF001]\n"
	       "  RUN x\n"
	       "      ^\n");
	RENDER("\t\tRUN x\n", KF_SEV_ERROR, SPAN(2, 5), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:3: error: m [KF001]\n"
	       "    RUN x\n"
	       "    ^~~\n");
	/* other control bytes and DEL too */
	RENDER("a\x01" "b\x7f" "c\rd\n", KF_SEV_ERROR, SPAN(6, 7), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:7: error: m [KF001]\n"
	       "  a b c d\n"
	       "        ^\n");
}

static void test_render_unicode(void **state)
{
	(void)state;
	/* R0 U1 N2 _3 é4-5 _6 x7: the column counts code points */
	RENDER("RUN \xc3\xa9 x\n", KF_SEV_ERROR, SPAN(7, 8), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:7: error: m [KF001]\n"
	       "  RUN \xc3\xa9 x\n"
	       "        ^\n");
	/* a span over é is one caret; é and a space are "^~" */
	RENDER("RUN \xc3\xa9 x\n", KF_SEV_ERROR, SPAN(4, 6), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:5: error: m [KF001]\n"
	       "  RUN \xc3\xa9 x\n"
	       "      ^\n");
	RENDER("RUN \xc3\xa9 x\n", KF_SEV_ERROR, SPAN(4, 7), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:5: error: m [KF001]\n"
	       "  RUN \xc3\xa9 x\n"
	       "      ^~\n");
	/* ♥ (3 bytes) and 😀 (4 bytes) are one column each */
	RENDER("a\xe2\x99\xa5\xf0\x9f\x98\x80" "bcd\n", KF_SEV_ERROR, SPAN(8, 10), "m",
	       KF_RENDER_SOURCE,
	       "Kubefile:1:4: error: m [KF001]\n"
	       "  a\xe2\x99\xa5\xf0\x9f\x98\x80" "bcd\n"
	       "     ^~\n");
	/* a BOM is not shown and takes no column */
	RENDER("\xef\xbb\xbf" "FROM x\n", KF_SEV_ERROR, SPAN(3, 7), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:1: error: m [KF001]\n"
	       "  FROM x\n"
	       "  ^~~~\n");
	RENDER("\xef\xbb\xbf" "FROM x\n", KF_SEV_ERROR, SPAN(8, 9), "m", 0,
	       "Kubefile:1:6: error: m [KF001]\n");
}

static void test_render_span_edges(void **state)
{
	(void)state;
	/* a zero-width span: one caret */
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(8, 8), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:4: error: m [KF001]\n"
	       "  RUN x\n"
	       "     ^\n");
	/* a one-byte span: one caret */
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(8, 9), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:4: error: m [KF001]\n"
	       "  RUN x\n"
	       "     ^\n");
	/* a span past the end of its line is underlined to the line end */
	RENDER("FROM a\nRUN b\n", KF_SEV_ERROR, SPAN(2, 13), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:3: error: m [KF001]\n"
	       "  FROM a\n"
	       "    ^~~~\n");
	RENDER("FROM a\r\nRUN b\r\n", KF_SEV_ERROR, SPAN(0, 15), "m", KF_RENDER_SOURCE,
	       "Kubefile:1:1: error: m [KF001]\n"
	       "  FROM a\n"
	       "  ^~~~~~\n");
	RENDER("FROM a\nRUN b", KF_SEV_ERROR, SPAN(7, 500), "m", KF_RENDER_SOURCE,
	       "Kubefile:2:1: error: m [KF001]\n"
	       "  RUN b\n"
	       "  ^~~~~\n");
}

static void test_render_color(void **state)
{
	(void)state;
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(5, 8), "boom", KF_RENDER_COLOR,
	       "\033[1mKubefile:2:1:\033[0m \033[1;31merror:\033[0m boom [KF001]\n");
	RENDER("FROM\nRUN x\n", KF_SEV_ERROR, SPAN(5, 8), "boom",
	       KF_RENDER_COLOR | KF_RENDER_SOURCE,
	       "\033[1mKubefile:2:1:\033[0m \033[1;31merror:\033[0m boom [KF001]\n"
	       "  RUN x\n"
	       "  \033[1;31m^~~\033[0m\n");
	RENDER("FROM\n", KF_SEV_WARNING, SPAN(1, 2), "w", KF_RENDER_COLOR | KF_RENDER_SOURCE,
	       "\033[1mKubefile:1:2:\033[0m \033[1;35mwarning:\033[0m w [KF001]\n"
	       "  FROM\n"
	       "   \033[1;35m^\033[0m\n");
	RENDER("FROM\n", KF_SEV_INFO, SPAN(0, 0), "i", KF_RENDER_COLOR,
	       "\033[1mKubefile:1:1:\033[0m \033[1;36minfo:\033[0m i [KF001]\n");
	RENDER("FROM\n", KF_SEV_STYLE, SPAN(0, 0), "s", KF_RENDER_COLOR,
	       "\033[1mKubefile:1:1:\033[0m \033[1;34mstyle:\033[0m s [KF001]\n");
}

/* ---- JSON -------------------------------------------------------------- */

static void test_diag_json(void **state)
{
	(void)state;
	kf_source src;
	kf_arena a;
	kf_diag_bag bag;
	SRC_LIT(&src, "FROM\nRUN x\n");
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);

	kf_diag *d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(5, 8), "KF001", "boom");
	json_t *j = kf_diag_to_json(&src, d);
	assert_true(json_is_object(j));
	assert_null(json_object_get(j, "fix"));
	assert_int_equal(json_object_size(j), 8);
	assert_json(j, "{\"code\":\"KF001\",\"column\":1,\"endColumn\":4,\"endLine\":2,"
		       "\"file\":\"Kubefile\",\"level\":\"error\",\"line\":2,\"message\":\"boom\"}");

	/* a span over two lines; the other levels */
	d = kf_diag_add(&bag, KF_SEV_WARNING, SPAN(2, 9), "KF101", "two lines");
	assert_json(kf_diag_to_json(&src, d),
		    "{\"code\":\"KF101\",\"column\":3,\"endColumn\":5,\"endLine\":2,"
		    "\"file\":\"Kubefile\",\"level\":\"warning\",\"line\":1,\"message\":\"two lines\"}");
	d = kf_diag_add(&bag, KF_SEV_INFO, SPAN(11, 11), "KF102", "end");
	assert_json(kf_diag_to_json(&src, d),
		    "{\"code\":\"KF102\",\"column\":1,\"endColumn\":1,\"endLine\":3,"
		    "\"file\":\"Kubefile\",\"level\":\"info\",\"line\":3,\"message\":\"end\"}");
	d = kf_diag_add(&bag, KF_SEV_STYLE, SPAN(0, 4), "KF103", "say \"hi\"\n\\");
	assert_json(kf_diag_to_json(&src, d),
		    "{\"code\":\"KF103\",\"column\":1,\"endColumn\":5,\"endLine\":1,"
		    "\"file\":\"Kubefile\",\"level\":\"style\",\"line\":1,"
		    "\"message\":\"say \\\"hi\\\"\\n\\\\\"}");

	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);
}

static void test_diag_json_fix(void **state)
{
	(void)state;
	kf_source src;
	kf_arena a;
	kf_diag_bag bag;
	SRC_LIT(&src, "FORM a\nRUN x\n");
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);

	kf_diag *d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 4), "KF002",
				 "unknown instruction FORM");
	kf_diag_set_fix(&bag, d, SPAN(0, 4), "FROM", "replace FORM by FROM");
	json_t *j = kf_diag_to_json(&src, d);
	json_t *f = json_object_get(j, "fix");
	assert_true(json_is_object(f));
	assert_int_equal(json_object_size(f), 6);
	assert_string_equal(json_string_value(json_object_get(f, "replacement")), "FROM");
	assert_json(j, "{\"code\":\"KF002\",\"column\":1,\"endColumn\":5,\"endLine\":1,"
		       "\"file\":\"Kubefile\",\"fix\":{\"column\":1,\"endColumn\":5,\"endLine\":1,"
		       "\"line\":1,\"replacement\":\"FROM\",\"title\":\"replace FORM by FROM\"},"
		       "\"level\":\"error\",\"line\":1,\"message\":\"unknown instruction FORM\"}");

	/* a fix elsewhere than the diagnostic, over a line end */
	d = kf_diag_add(&bag, KF_SEV_WARNING, SPAN(8, 9), "KF104", "m");
	kf_diag_set_fix(&bag, d, SPAN(6, 7), " \\\n", "continue the line");
	assert_json(kf_diag_to_json(&src, d),
		    "{\"code\":\"KF104\",\"column\":2,\"endColumn\":3,\"endLine\":2,"
		    "\"file\":\"Kubefile\",\"fix\":{\"column\":7,\"endColumn\":1,\"endLine\":2,"
		    "\"line\":1,\"replacement\":\" \\\\\\n\",\"title\":\"continue the line\"},"
		    "\"level\":\"warning\",\"line\":2,\"message\":\"m\"}");

	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);
}

static void test_diag_json_unicode(void **state)
{
	(void)state;
	kf_source src;
	kf_arena a;
	kf_diag_bag bag;
	/* columns are code points: x is after RUN_é♥😀 (7 points, 13 bytes) */
	SRC_LIT(&src, "RUN \xc3\xa9\xe2\x99\xa5\xf0\x9f\x98\x80x\n");
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);

	kf_diag *d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(13, 14), "KF001", "at x");
	assert_json(kf_diag_to_json(&src, d),
		    "{\"code\":\"KF001\",\"column\":8,\"endColumn\":9,\"endLine\":1,"
		    "\"file\":\"Kubefile\",\"level\":\"error\",\"line\":1,\"message\":\"at x\"}");

	/* invalid UTF-8 in the message still gives a valid string */
	d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(4, 6), "KF001", "bad %s byte", "\xff");
	assert_string_equal(d->message, "bad \xff byte");
	json_t *j = kf_diag_to_json(&src, d);
	json_t *m = json_object_get(j, "message");
	assert_true(json_is_string(m));
	assert_string_equal(json_string_value(m), "bad \xef\xbf\xbd byte");
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_string_equal(s, "{\"code\":\"KF001\",\"column\":5,\"endColumn\":6,\"endLine\":1,"
			       "\"file\":\"Kubefile\",\"level\":\"error\",\"line\":1,"
			       "\"message\":\"bad \\uFFFD byte\"}");
	free(s);
	json_decref(j);

	/* a valid non-ASCII message is kept as it is */
	d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 0), "KF001", "\xe2\x99\xa5");
	j = kf_diag_to_json(&src, d);
	assert_string_equal(json_string_value(json_object_get(j, "message")), "\xe2\x99\xa5");
	json_decref(j);

	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);

	/* invalid UTF-8 in the file name, and a fix title */
	init_src(&src, "dir\xfe/Kubefile", "FROM\n", 5);
	kf_arena_init(&a);
	kf_diag_bag_init(&bag, &a);
	d = kf_diag_add(&bag, KF_SEV_ERROR, SPAN(0, 4), "KF001", "m");
	kf_diag_set_fix(&bag, d, SPAN(0, 4), "x\xc0", "t\xed\xa0\x80");
	j = kf_diag_to_json(&src, d);
	assert_string_equal(json_string_value(json_object_get(j, "file")),
			    "dir\xef\xbf\xbd/Kubefile");
	json_t *f = json_object_get(j, "fix");
	assert_string_equal(json_string_value(json_object_get(f, "replacement")),
			    "x\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(f, "title")),
			    "t\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);
	kf_diag_bag_release(&bag);
	kf_arena_release(&a);
	kf_source_release(&src);
}

/* ---- jsonutil.h -------------------------------------------------------- */

static void check_json_str(kf_str in, const char *want, size_t want_len)
{
	json_t *j = kf_json_str(in);
	assert_true(json_is_string(j));
	assert_int_equal(json_string_length(j), want_len);
	assert_memory_equal(json_string_value(j), want, want_len + 1);
	json_decref(j);
}

#define JSON_STR(in, want) check_json_str((in), (want), sizeof(want) - 1)

static void test_json_str(void **state)
{
	(void)state;
	JSON_STR(KF_STR_LIT("FROM alpine"), "FROM alpine");
	JSON_STR(KF_STR_LIT(""), "");
	JSON_STR(KF_STR_NULL, "");
	JSON_STR(KF_STR_LIT("h\xc3\xa9\xe2\x99\xa5\xf0\x9f\x98\x80"),
		 "h\xc3\xa9\xe2\x99\xa5\xf0\x9f\x98\x80");
	/* only len bytes */
	JSON_STR(kf_str_make("abc\xff", 3), "abc");
	/* a NUL byte is kept */
	JSON_STR(KF_STR_LIT("a\0b"), "a\0b");
	/* each invalid byte becomes U+FFFD */
	JSON_STR(KF_STR_LIT("a\xff" "b"), "a\xef\xbf\xbd" "b");
	JSON_STR(KF_STR_LIT("\xff\xfe"), "\xef\xbf\xbd\xef\xbf\xbd");
	JSON_STR(KF_STR_LIT("\xe2\x99"), "\xef\xbf\xbd\xef\xbf\xbd");         /* truncated */
	JSON_STR(KF_STR_LIT("\xc0\x80"), "\xef\xbf\xbd\xef\xbf\xbd");         /* overlong */
	JSON_STR(KF_STR_LIT("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"); /* surrogate */
	/* valid characters around invalid bytes are kept */
	JSON_STR(KF_STR_LIT("\xc3\xa9\xff\xe2\x99\xa5\x80"),
		 "\xc3\xa9\xef\xbf\xbd\xe2\x99\xa5\xef\xbf\xbd");
	JSON_STR(KF_STR_LIT("\xc3\xa9\xff\0z"), "\xc3\xa9\xef\xbf\xbd\0z");

	/* the JSON text escapes what it must */
	assert_json(kf_json_str(KF_STR_LIT("q\"b\\n\n\t\x01")), "\"q\\\"b\\\\n\\n\\t\\u0001\"");
}

static void test_json_span(void **state)
{
	(void)state;
	kf_source src;
	/* line 2: R7 U8 N9 _10 é11-12 _13 x14 \n15 */
	SRC_LIT(&src, "FROM a\nRUN \xc3\xa9 x\n");
	assert_json(kf_json_span(&src, SPAN(11, 15)),
		    "{\"end\":15,\"endColumn\":8,\"endLine\":2,\"start\":11,\"startColumn\":5,"
		    "\"startLine\":2}");
	assert_json(kf_json_span(&src, SPAN(0, 0)),
		    "{\"end\":0,\"endColumn\":1,\"endLine\":1,\"start\":0,\"startColumn\":1,"
		    "\"startLine\":1}");
	assert_json(kf_json_span(&src, SPAN(5, 16)),
		    "{\"end\":16,\"endColumn\":1,\"endLine\":3,\"start\":5,\"startColumn\":6,"
		    "\"startLine\":1}");
	/* offsets are kept as given; lines and columns are clamped */
	assert_json(kf_json_span(&src, SPAN(16, 99)),
		    "{\"end\":99,\"endColumn\":1,\"endLine\":3,\"start\":16,\"startColumn\":1,"
		    "\"startLine\":3}");
	kf_source_release(&src);

	/* with a BOM: offset 3 is column 1 */
	SRC_LIT(&src, "\xef\xbb\xbf" "FROM a\n");
	assert_json(kf_json_span(&src, SPAN(3, 7)),
		    "{\"end\":7,\"endColumn\":5,\"endLine\":1,\"start\":3,\"startColumn\":1,"
		    "\"startLine\":1}");
	kf_source_release(&src);
}

static void test_json_dump(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	kf_buf_adds(&out, "#");
	kf_json_dump(&out, json_pack("{s:i,s:[s,b]}", "a", 1, "b", "x", 1),
		     JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(out.ptr, "#{\"a\":1,\"b\":[\"x\",true]}\n");
	kf_json_dump(&out, kf_json_str(KF_STR_LIT("s")), JSON_ENCODE_ANY);
	assert_string_equal(out.ptr, "#{\"a\":1,\"b\":[\"x\",true]}\n\"s\"\n");
	/* nothing to dump: only the newline */
	kf_json_dump(&out, NULL, 0);
	assert_string_equal(out.ptr, "#{\"a\":1,\"b\":[\"x\",true]}\n\"s\"\n\n");
	kf_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bag_add),
		cmocka_unit_test(test_bag_fix),
		cmocka_unit_test(test_bag_sort),
		cmocka_unit_test(test_severity_name),
		cmocka_unit_test(test_render_plain),
		cmocka_unit_test(test_render_source),
		cmocka_unit_test(test_render_tab_and_controls),
		cmocka_unit_test(test_render_unicode),
		cmocka_unit_test(test_render_span_edges),
		cmocka_unit_test(test_render_color),
		cmocka_unit_test(test_diag_json),
		cmocka_unit_test(test_diag_json_fix),
		cmocka_unit_test(test_diag_json_unicode),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_json_span),
		cmocka_unit_test(test_json_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
