/* SPDX-License-Identifier: Apache-2.0 */
/* test_parse.c - the parser's AST: typed fields, spans, trivia, recovery,
 * and BuildKit's line-number case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "syntax/ast.h"

typedef struct {
	kf_source src;
	kf_document *doc;
} parsed;

static parsed *parse_text(const char *text)
{
	parsed *p = calloc(1, sizeof(*p));
	const char *err;
	assert_true(kf_source_init_mem(&p->src, "Kubefile", text, strlen(text), &err));
	p->doc = kf_parse(&p->src);
	return p;
}

static void parsed_free(parsed *p)
{
	kf_document_free(p->doc);
	kf_source_release(&p->src);
	free(p);
}

/* the source text a span covers */
static char *span_text(const parsed *p, kf_span s)
{
	return strndup(p->src.text + s.start, s.end - s.start);
}

static void assert_str(kf_str s, const char *want)
{
	char *got = strndup(s.ptr, s.len);
	assert_string_equal(got, want);
	free(got);
}

static void assert_span_text(const parsed *p, kf_span s, const char *want)
{
	char *got = span_text(p, s);
	assert_string_equal(got, want);
	free(got);
}

static void test_from(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM --platform=linux/arm64 registry.local/k8s:v1.25 as Base\n");
	assert_int_equal(p->doc->diags.len, 0);
	assert_int_equal(p->doc->ninstrs, 1);
	const kf_instr *in = p->doc->instrs[0];
	assert_int_equal(in->kind, KF_INSTR_FROM);
	uint32_t nflags;
	const kf_flag *flags = kf_instr_flags(in, &nflags);
	assert_int_equal(nflags, 1);
	assert_str(flags[0].name, "platform");
	assert_str(flags[0].value, "linux/arm64");
	assert_str(kf_from_image(in)->text, "registry.local/k8s:v1.25");
	assert_span_text(p, kf_from_image(in)->span, "registry.local/k8s:v1.25");
	assert_str(kf_from_as(in)->text, "as");
	assert_str(kf_from_alias(in)->text, "Base");
	assert_span_text(p, in->span, "FROM --platform=linux/arm64 registry.local/k8s:v1.25 as Base");
	parsed_free(p);
}

static void test_copy_and_continuation_spans(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM scratch\nCOPY --chown=\"a b\":c x\\\ny \\\n  # skipped\n  /dest/\n");
	assert_int_equal(p->doc->diags.len, 0);
	const kf_instr *in = p->doc->instrs[1];
	assert_int_equal(in->kind, KF_INSTR_COPY);
	uint32_t nflags;
	const kf_flag *flags = kf_instr_flags(in, &nflags);
	assert_int_equal(nflags, 1);
	assert_str(flags[0].value, "a b:c");
	assert_str(flags[0].raw, "--chown=\"a b\":c");
	assert_int_equal(kf_copy_nsrcs(in), 1);
	/* "x\" + newline + "y" is the word "xy"; its span covers both lines */
	assert_str(in->args[0].text, "xy");
	assert_span_text(p, in->args[0].span, "x\\\ny");
	assert_str(kf_copy_dest(in)->text, "/dest/");
	assert_span_text(p, kf_copy_dest(in)->span, "/dest/");
	/* the comment inside the continuation is trivia */
	assert_int_equal(p->doc->ntrivia, 1);
	assert_int_equal(p->doc->trivia[0].kind, KF_TRIVIA_COMMENT);
	assert_true(p->doc->trivia[0].in_continuation);
	assert_span_text(p, p->doc->trivia[0].span, "# skipped");
	parsed_free(p);
}

static void test_cluster_instructions(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM scratch\n"
			       "APP web local://manifests/web.yaml https://x.io/a.yaml ftp://no bare\n"
			       "APPCMDS web [\"kubectl\", \"apply\", \"-f\", \"web.yaml\"]\n"
			       "APPENV web A=1 B=\"two words\"\n"
			       "LAUNCH web\n");
	assert_int_equal(p->doc->diags.len, 0);
	const kf_instr *app = p->doc->instrs[1];
	assert_int_equal(app->kind, KF_INSTR_APP);
	assert_str(kf_instr_name(app)->text, "web");
	uint32_t nsrcs;
	const kf_app_source *srcs = kf_app_sources(app, &nsrcs);
	assert_int_equal(nsrcs, 4);
	assert_int_equal(srcs[0].scheme, KF_SCHEME_LOCAL);
	assert_str(srcs[0].path, "manifests/web.yaml");
	assert_int_equal(srcs[1].scheme, KF_SCHEME_HTTPS);
	assert_int_equal(srcs[2].scheme, KF_SCHEME_OTHER);
	assert_int_equal(srcs[3].scheme, KF_SCHEME_NONE);
	const kf_instr *cmds = p->doc->instrs[2];
	assert_int_equal(cmds->kind, KF_INSTR_APPCMDS);
	assert_str(kf_instr_name(cmds)->text, "web");
	assert_int_equal(cmds->form, KF_FORM_JSON);
	assert_int_equal(cmds->nargs, 4);
	assert_str(cmds->args[3].text, "web.yaml");
	assert_span_text(p, cmds->args[3].span, "\"web.yaml\"");
	assert_span_text(p, kf_instr_args_span(cmds), "[\"kubectl\", \"apply\", \"-f\", \"web.yaml\"]");
	const kf_instr *env = p->doc->instrs[3];
	assert_int_equal(env->npairs, 2);
	assert_str(kf_pair_key(&env->pairs[1]).text, "B");
	assert_str(kf_pair_value(&env->pairs[1]).text, "\"two words\"");
	assert_span_text(p, env->pairs[1].value, "\"two words\"");
	assert_span_text(p, kf_pair_span(&env->pairs[1]), "B=\"two words\"");
	assert_int_equal(env->pairs[1].sep, KF_SEP_EQUALS);
	const kf_instr *launch = p->doc->instrs[4];
	assert_int_equal(launch->form, KF_FORM_WORDS);
	assert_str(launch->args[0].text, "web");
	parsed_free(p);
}

static void test_json_escapes_decoded(void **state)
{
	(void)state;
	parsed *p = parse_text("CMD [\"a\\\"b\", \"\\u00e9\\/\", \"\\u0000\"]\n");
	const kf_instr *in = p->doc->instrs[0];
	assert_int_equal(in->form, KF_FORM_JSON);
	assert_int_equal(in->nargs, 3);
	assert_str(in->args[0].text, "a\"b");
	assert_str(in->args[1].text, "\xc3\xa9/");
	assert_int_equal(in->args[2].text.len, 1);
	assert_int_equal(in->args[2].text.ptr[0], '\0');
	parsed_free(p);
}

static void test_heredoc(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM scratch\r\nRUN <<-EOT sh\r\n\techo 1\r\n\tEOT\r\nLAUNCH a\r\n");
	assert_int_equal(p->doc->diags.len, 0);
	assert_true(p->doc->crlf);
	const kf_instr *run = p->doc->instrs[1];
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(run, &n);
	assert_int_equal(n, 1);
	assert_str(h->delim, "EOT");
	assert_true(h->strip_tabs);
	assert_true(h->terminated);
	assert_str(h->text, "echo 1\n");
	assert_span_text(p, h->marker, "<<-EOT");
	assert_span_text(p, h->body, "\techo 1\r\n");
	assert_span_text(p, h->end, "\tEOT");
	assert_int_equal(p->doc->instrs[2]->kind, KF_INSTR_LAUNCH);
	parsed_free(p);
	/* a "\r" that the end of the file ends a body with is no content of
	 * it, as "\r\n" is none (it was kept, and formatting changed it) */
	p = parse_text("RUN <<EOT\nab\r");
	h = kf_instr_heredocs(p->doc->instrs[0], &n);
	assert_int_equal(n, 1);
	assert_false(h->terminated);
	assert_str(h->text, "ab");
	parsed_free(p);
	p = parse_text("RUN <<EOT\nab\r\n");
	h = kf_instr_heredocs(p->doc->instrs[0], &n);
	assert_str(h->text, "ab\n");
	parsed_free(p);
}

/* a legacy key is raw text up to a blank: a quote in it opens nothing,
 * however many blanks follow (one blank gave a warning, two none) */
static void test_legacy_key_quote(void **state)
{
	(void)state;
	for (int blanks = 1; blanks <= 2; blanks++) {
		parsed *p = parse_text(blanks == 1 ? "ENV \\ \"\n" : "ENV \\  \"\n");
		assert_int_equal(p->doc->diags.len, 0);
		assert_int_equal(p->doc->instrs[0]->npairs, 1);
		assert_str(kf_pair_key(&p->doc->instrs[0]->pairs[0]).text, "\\");
		assert_str(kf_pair_value(&p->doc->instrs[0]->pairs[0]).text, "\"");
		parsed_free(p);
	}
}

/* the "\r" of a "\r\n" is no part of a line: a quote left open does not
 * run over it, and "\\'" at the end of a line is the same on a CRLF line */
static void test_crlf_line_content(void **state)
{
	(void)state;
	parsed *p = parse_text("ENV A=\"x\r\nENV B=\\'\r\n");
	assert_int_equal(p->doc->ninstrs, 2);
	assert_int_equal(p->doc->instrs[0]->npairs, 1);
	assert_str(kf_pair_value(&p->doc->instrs[0]->pairs[0]).text, "\"x");
	assert_span_text(p, p->doc->instrs[0]->span, "ENV A=\"x");
	assert_str(kf_pair_value(&p->doc->instrs[1]->pairs[0]).text, "\\'");
	assert_int_equal(p->doc->diags.len, 1); /* the open quote of line 1 only */
	assert_string_equal(p->doc->diags.items[0].code, "KF012");
	assert_int_equal(p->doc->diags.items[0].span.start, 6);
	parsed_free(p);
}

/* five broken lines: five diagnostics, and every good line in the AST */
static void test_recovery(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM scratch\nBAD one\nENV A=1\nENV B\nLABEL x=y\nCMD [1]\n"
			       "COPY a b\nFROM\nLAUNCH a\nENTRYPOINT[\"x\"]\nAPP a local://a.yaml\n");
	assert_int_equal(p->doc->diags.nerrors, 5);
	assert_int_equal(p->doc->ninstrs, 11);
	static const kf_kind kinds[] = {KF_INSTR_FROM, KF_INSTR_ERROR, KF_INSTR_ENV, KF_INSTR_ENV,
					KF_INSTR_LABEL, KF_INSTR_CMD, KF_INSTR_COPY, KF_INSTR_FROM,
					KF_INSTR_LAUNCH, KF_INSTR_ERROR, KF_INSTR_APP};
	static const bool broken[] = {false, true, false, true, false, true, false, true, false, true, false};
	for (size_t i = 0; i < 11; i++) {
		assert_int_equal(p->doc->instrs[i]->kind, kinds[i]);
		assert_int_equal(p->doc->instrs[i]->broken, broken[i]);
	}
	static const uint32_t lines[] = {1, 3, 5, 7, 9};
	for (size_t i = 0; i < 5; i++) {
		kf_position pos = kf_source_position(&p->src, p->doc->diags.items[i].span.start);
		assert_int_equal(pos.line, lines[i]);
	}
	assert_string_equal(p->doc->diags.items[0].code, "KF002");
	assert_string_equal(p->doc->diags.items[4].code, "KF002");
	assert_non_null(p->doc->diags.items[4].fix);
	assert_string_equal(p->doc->diags.items[4].fix->replacement, "ENTRYPOINT ");
	parsed_free(p);
}

static void test_utf16_columns(void **state)
{
	(void)state;
	/* "é" is 2 bytes and 1 UTF-16 unit, "😀" 4 bytes and 2 units */
	parsed *p = parse_text("FROM scratch\nLABEL a=\"é😀\" FOO\n");
	assert_int_equal(p->doc->diags.len, 1);
	kf_position pos = kf_source_position(&p->src, p->doc->diags.items[0].span.start);
	assert_int_equal(pos.line, 1);
	assert_int_equal(pos.col8, 17);
	assert_int_equal(pos.col16, 14);
	assert_int_equal(pos.col32, 13);
	parsed_free(p);
}

static void test_directives_and_escape(void **state)
{
	(void)state;
	parsed *p = parse_text("# syntax=x\n# ESCAPE = `\nFROM scratch\nRUN a `\n b\\\n");
	assert_int_equal(p->doc->diags.len, 0);
	assert_int_equal(p->doc->escape, '`');
	assert_int_equal(p->doc->ndirectives, 2);
	assert_str(p->doc->directives[1].name.text, "escape");
	assert_str(p->doc->directives[1].value.text, "`");
	assert_str(p->doc->instrs[1]->args[0].text, "a  b\\");
	parsed_free(p);
}

/* BuildKit's testfile-line: each instruction's first and last line */
static void test_buildkit_lines(void **state)
{
	(void)state;
	const char *dir = getenv("KF_TESTDATA");
	assert_non_null(dir);
	char path[4096];
	snprintf(path, sizeof(path), "%s/corpus/buildkit/testfile-line/Dockerfile", dir);
	kf_source src;
	const char *err;
	assert_true(kf_source_init_file(&src, path, NULL, &err));
	kf_document *doc = kf_parse(&src);
	assert_int_equal(doc->diags.nerrors, 0);
	snprintf(path, sizeof(path), "%s/corpus/buildkit/testfile-line/EXPECTED-LINES", dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char what[32];
	unsigned a, b, child = 0, checked = 0;
	while (fscanf(f, "%31s %u %u", what, &a, &b) == 3) {
		kf_span s;
		if (strcmp(what, "root") == 0) {
			s.start = doc->instrs[0]->span.start;
			s.end = doc->instrs[doc->ninstrs - 1]->span.end;
		} else {
			assert_true(child < doc->ninstrs);
			s = doc->instrs[child++]->span;
		}
		assert_int_equal(kf_source_position(&src, s.start).line + 1, a);
		assert_int_equal(kf_source_position(&src, s.end).line + 1, b);
		checked++;
	}
	fclose(f);
	assert_int_equal(checked, 4);
	assert_int_equal(child, doc->ninstrs);
	kf_document_free(doc);
	kf_source_release(&src);
}

static void test_instr_at(void **state)
{
	(void)state;
	parsed *p = parse_text("FROM scratch\n\nCOPY a b\n");
	assert_ptr_equal(kf_document_instr_at(p->doc, 0), p->doc->instrs[0]);
	assert_ptr_equal(kf_document_instr_at(p->doc, 16), p->doc->instrs[1]);
	assert_null(kf_document_instr_at(p->doc, 13));
	parsed_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_copy_and_continuation_spans),
		cmocka_unit_test(test_cluster_instructions),
		cmocka_unit_test(test_json_escapes_decoded),
		cmocka_unit_test(test_heredoc),
		cmocka_unit_test(test_crlf_line_content),
		cmocka_unit_test(test_legacy_key_quote),
		cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_utf16_columns),
		cmocka_unit_test(test_directives_and_escape),
		cmocka_unit_test(test_buildkit_lines),
		cmocka_unit_test(test_instr_at),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
