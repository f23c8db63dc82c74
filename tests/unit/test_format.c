/* test_format.c - the formatter's library entry points: the whole
 * document, the range (edits), and applying edits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ast.h"
#include "format.h"

static char *format(const char *text, const kf_fmt_options *opt)
{
	kf_source src;
	const char *err;
	assert_true(kf_source_init_mem(&src, "Kubefile", text, strlen(text), &err));
	kf_document *doc = kf_parse(&src);
	kf_buf out = KF_BUF_INIT;
	kf_format(doc, opt, &out);
	kf_document_free(doc);
	kf_source_release(&src);
	return kf_buf_detach(&out, NULL);
}

static void test_whole_document(void **state)
{
	(void)state;
	kf_fmt_options opt = KF_FMT_OPTIONS_INIT;
	char *s = format("from   scratch\n\n\n\ncopy  a   b\ncmd [ \"a\",\"b\" ]", &opt);
	assert_string_equal(s, "FROM scratch\n\nCOPY a b\nCMD [\"a\", \"b\"]\n");
	free(s);
	s = format("", &opt);
	assert_string_equal(s, "");
	free(s);
	opt.indent = 2;
	s = format("run a \\\n        b\n", &opt);
	assert_string_equal(s, "RUN a \\\n  b\n");
	free(s);
	opt.use_tabs = true;
	s = format("run a \\\n        b\n", &opt);
	assert_string_equal(s, "RUN a \\\n\tb\n");
	free(s);
}

static void test_range_edits(void **state)
{
	(void)state;
	const char *text = "from  scratch\ncopy  a  b\nrun  x\n\n\n\nlaunch  y\n";
	kf_source src;
	const char *err;
	assert_true(kf_source_init_mem(&src, "Kubefile", text, strlen(text), &err));
	kf_document *doc = kf_parse(&src);
	kf_fmt_options opt = KF_FMT_OPTIONS_INIT;
	kf_edits edits = {NULL, 0, 0};
	/* line 2 only: one edit, for COPY, of its whole line */
	kf_format_range(doc, &opt, (kf_span){14, 24}, &edits);
	assert_int_equal(edits.n, 1);
	assert_int_equal(edits.v[0].span.start, 14);
	assert_int_equal(edits.v[0].span.end, 24);
	assert_string_equal(edits.v[0].text, "COPY a b");
	kf_buf out = KF_BUF_INIT;
	kf_edits_apply(&src, &edits, &out);
	assert_string_equal(out.ptr, "from  scratch\nCOPY a b\nrun  x\n\n\n\nlaunch  y\n");
	kf_buf_release(&out);
	kf_edits_release(&edits);
	/* from RUN to LAUNCH: the blank lines between collapse to one */
	kf_format_range(doc, &opt, (kf_span){25, (uint32_t)strlen(text)}, &edits);
	assert_int_equal(edits.n, 3);
	kf_edits_apply(&src, &edits, &out);
	assert_string_equal(out.ptr, "from  scratch\ncopy  a  b\nRUN x\n\nLAUNCH y\n");
	kf_buf_release(&out);
	kf_edits_release(&edits);
	kf_document_free(doc);
	kf_source_release(&src);
	/* a range that is formatted already gives no edit */
	text = "FROM scratch\ncopy  a  b\n";
	assert_true(kf_source_init_mem(&src, "Kubefile", text, strlen(text), &err));
	doc = kf_parse(&src);
	kf_format_range(doc, &opt, (kf_span){0, 5}, &edits);
	assert_int_equal(edits.n, 0);
	kf_edits_release(&edits);
	kf_document_free(doc);
	kf_source_release(&src);
}

static void test_broken_line_kept(void **state)
{
	(void)state;
	kf_fmt_options opt = KF_FMT_OPTIONS_INIT;
	char *s = format("from  scratch\nFOO   bar  \nenv  KEY\ncopy  a  b\n", &opt);
	assert_string_equal(s, "FROM scratch\nFOO   bar  \nenv  KEY\nCOPY a b\n");
	free(s);
}

static void test_rewrites(void **state)
{
	(void)state;
	kf_fmt_options opt = KF_FMT_OPTIONS_INIT;
	opt.rewrite_legacy_env = true;
	opt.rewrite_cmds_json = true;
	char *s = format("ENV a b  c\nENV b \"q\"\nCMDS echo \"hi\" there\n", &opt);
	assert_string_equal(s, "ENV a=\"b  c\"\nENV b \"q\"\nCMDS [\"echo \\\"hi\\\" there\"]\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_document),
		cmocka_unit_test(test_range_edits),
		cmocka_unit_test(test_broken_line_kept),
		cmocka_unit_test(test_rewrites),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
