/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_fmt.c - libFuzzer target: the formatter is idempotent and keeps the
 * meaning, on any bytes.
 *
 * For an input x (formatted with one of three settings, picked by its
 * length: four spaces, two, or a tab):
 *  - fmt(fmt(x)) == fmt(x);
 *  - x and fmt(x) say the same thing: the same instructions in the same
 *    order, each with the same kind, form, flags (name and decoded value),
 *    name, argument words, pairs (key, value, separator), heredocs (body
 *    and delimiter), ONBUILD inner instruction, keyword text when it is no
 *    keyword, and whether it is broken; the same comments and directives in
 *    the same order, each inside a continuation or not (a comment moved out
 *    of one could become a pragma); and the same diagnostic codes in the
 *    same order;
 *  - the range entry point over the whole file, then fmt, gives fmt(x).
 *
 * With the legacy-env rewrite on (three more settings), a legacy ENV or
 * LABEL pair may become key=value: there, each pair's key and value are
 * compared by what BuildKit makes of the value (kf_expand_word, with no
 * variable set and with every variable set), not by their spelling; an
 * expansion error must stay one, but its message may change (a ${ left
 * open meets the closing double quote of "a ${B" instead of the end).
 *
 * The only differences allowed are those docs/formatting.md lists: keyword
 * case, the blanks between the parts of an instruction (not in the AST),
 * the final line end (which a heredoc the end of the file cuts off takes),
 * the spacing of a JSON array (its strings are compared decoded), comments'
 * trailing blanks and indentation, blank lines, and in shell text (RUN, CMD,
 * ENTRYPOINT, SHELL, CMDS, APPCMDS, HEALTHCHECK) the length of a run of
 * blanks outside quotes: each run is read as one space there, so words can
 * neither join nor split, and quoted text is compared byte for byte. Every
 * other word (USER, a legacy ENV value, a word a continuation runs
 * through) must be byte for byte the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/expand.h"
#include "syntax/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* a field: its length, then its bytes, so that no two lists read alike */
static void field(kf_buf *m, kf_str s)
{
	kf_buf_printf(m, "%zu:", s.len);
	if (s.len)
		kf_buf_add(m, s.ptr, s.len);
	kf_buf_addc(m, ' ');
}

/* Shell text with each run of blanks outside quotes read as one space
 * (quotes and backslash escapes as a POSIX shell reads them, whatever the
 * Kubefile's escape character). */
static void shell_field(kf_buf *m, kf_str s, char esc)
{
	kf_buf t = KF_BUF_INIT;
	char quote = 0;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
		} else if (c == esc && i + 1 < s.len) {
			kf_buf_addc(&t, c);
			c = s.ptr[++i];
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
		} else if (c == '"' || c == '\'') {
			quote = c;
		} else if (blank(c)) {
			while (i + 1 < s.len && blank(s.ptr[i + 1]))
				i++;
			c = ' ';
		}
		kf_buf_addc(&t, c);
	}
	field(m, kf_str_make(t.ptr ? t.ptr : "", t.len));
	kf_buf_release(&t);
}

static bool shell_text(const kf_instr *in)
{
	switch ((kf_kind)in->kind) {
	case KF_INSTR_RUN: case KF_INSTR_CMD: case KF_INSTR_ENTRYPOINT: case KF_INSTR_SHELL:
	case KF_INSTR_CMDS: case KF_INSTR_APPCMDS: case KF_INSTR_HEALTHCHECK:
		return in->form == KF_FORM_SHELL;
	default:
		return false;
	}
}

static bool every_var(void *ctx, kf_str name, kf_str *value)
{
	(void)ctx;
	(void)name;
	*value = KF_STR_LIT("v a*l\\ue");
	return true;
}

/* a value as BuildKit's ProcessWord reads it, with no variable set and
 * with every one set */
static void value_field(kf_buf *m, kf_str v, char esc)
{
	kf_expand_env set = {every_var, NULL};
	const kf_expand_env *envs[] = {NULL, &set};
	for (int i = 0; i < 2; i++) {
		kf_buf t = KF_BUF_INIT;
		if (kf_expand_word(v, esc, envs[i], &t, NULL))
			field(m, kf_str_make(t.ptr ? t.ptr : "", t.len));
		else
			kf_buf_adds(m, "error ");
		kf_buf_release(&t);
	}
}

static void instr_meaning(kf_buf *m, const kf_document *doc, const kf_instr *in, bool rewrite)
{
	kf_buf_printf(m, "\n[%d form=%d broken=%d dashdash=%d legacy=%d] ", in->kind, in->form, in->broken,
		      in->dashdash, rewrite ? 0 : in->legacy);
	if (in->kind == KF_INSTR_ERROR)
		field(m, kf_instr_keyword(doc, in));
	uint32_t n;
	const kf_flag *fl = kf_instr_flags(in, &n);
	for (uint32_t i = 0; i < n; i++) {
		kf_buf_adds(m, "flag ");
		field(m, fl[i].name);
		kf_buf_printf(m, "%d ", fl[i].has_value);
		field(m, fl[i].value);
	}
	if (kf_instr_name(in)) {
		kf_buf_adds(m, "name ");
		field(m, kf_instr_name(in)->text);
	}
	for (uint32_t i = 0; i < in->nargs; i++) {
		kf_buf_adds(m, "arg ");
		if (shell_text(in))
			shell_field(m, in->args[i].text, '\\');
		else
			field(m, in->args[i].text);
	}
	for (uint32_t i = 0; i < in->npairs; i++) {
		kf_pair_sep sep = in->pairs[i].sep;
		if (rewrite && sep != KF_SEP_NONE) {
			kf_buf_adds(m, "pair ");
			field(m, kf_pair_key(&in->pairs[i]).text);
			value_field(m, kf_pair_value(&in->pairs[i]).text, doc->escape);
			continue;
		}
		kf_buf_printf(m, "pair %d ", sep);
		field(m, kf_pair_key(&in->pairs[i]).text);
		field(m, kf_pair_value(&in->pairs[i]).text);
	}
	const kf_heredoc *h = kf_instr_heredocs(in, &n);
	for (uint32_t i = 0; i < n; i++) {
		kf_buf_printf(m, "heredoc %d %d %d %d ", h[i].strip_tabs, h[i].quoted, h[i].terminated, h[i].fd);
		field(m, h[i].delim);
		/* a body the end of the file cuts off runs to the end of the
		 * file, which the formatter ends with a line end: that line
		 * end is not compared */
		kf_str body = h[i].text;
		const kf_source *src = doc->src;
		if (!h[i].terminated && src->len && src->text[src->len - 1] == '\n' && body.len &&
		    body.ptr[body.len - 1] == '\n')
			body.len--;
		field(m, body);
	}
	if (kf_onbuild_inner(in)) {
		kf_buf_adds(m, "onbuild");
		instr_meaning(m, doc, kf_onbuild_inner(in), rewrite);
	}
}

/* What a document says, as text to compare. */
static void meaning(kf_buf *m, const kf_document *doc, bool rewrite)
{
	kf_buf_printf(m, "escape %c", doc->escape);
	for (uint32_t i = 0; i < doc->ninstrs; i++)
		instr_meaning(m, doc, doc->instrs[i], rewrite);
	for (uint32_t i = 0; i < doc->ntrivia; i++) {
		const kf_trivia *t = &doc->trivia[i];
		if (t->kind == KF_TRIVIA_BLANK)
			continue;
		kf_str s = kf_str_make(doc->src->text + t->span.start, t->span.end - t->span.start);
		while (s.len && blank(s.ptr[s.len - 1]))
			s.len--;
		kf_buf_printf(m, "\ntrivia %d %d ", t->kind, t->in_continuation);
		field(m, s);
	}
	kf_buf_adds(m, "\ndiags");
	for (size_t i = 0; i < doc->diags.len; i++)
		kf_buf_printf(m, " %s", doc->diags.items[i].code);
}

typedef struct parsed {
	kf_source src;
	kf_document *doc;
} parsed;

static bool parse(parsed *p, const char *text, size_t len)
{
	const char *err;
	if (!kf_source_init_mem(&p->src, "fuzz", text ? text : "", len, &err))
		return false;
	p->doc = kf_parse(&p->src);
	return true;
}

static void release(parsed *p)
{
	kf_document_free(p->doc);
	kf_source_release(&p->src);
}

static bool same(const kf_buf *a, const kf_buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->ptr, b->ptr, a->len) == 0);
}

/* text on stderr, with the bytes that are not printable as \ooo */
static void show(const kf_buf *b)
{
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->ptr[i];
		if (c == '\n' || (c >= ' ' && c < 127 && c != '\\'))
			fputc(c, stderr);
		else
			fprintf(stderr, "\\%03o", c);
	}
	fputc('\n', stderr);
}

static void fail(const char *what, const kf_buf *a, const kf_buf *b)
{
	fprintf(stderr, "fuzz_fmt: %s\n--- before\n", what);
	show(a);
	fprintf(stderr, "--- after\n");
	show(b);
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const kf_fmt_options settings[] = {{4, false, false, false}, {2, false, false, false},
						  {4, true, false, false},  {4, false, true, false},
						  {2, false, true, false},  {4, true, true, false}};
	const kf_fmt_options *opt = &settings[size % 6];
	parsed x;
	if (!parse(&x, (const char *)data, size))
		return 0;
	kf_buf once = KF_BUF_INIT, twice = KF_BUF_INIT, m1 = KF_BUF_INIT, m2 = KF_BUF_INIT;
	kf_format(x.doc, opt, &once);
	parsed y;
	if (parse(&y, once.ptr, once.len)) {
		kf_format(y.doc, opt, &twice);
		if (!same(&once, &twice))
			fail("formatting twice changes the text", &once, &twice);
		meaning(&m1, x.doc, opt->rewrite_legacy_env);
		meaning(&m2, y.doc, opt->rewrite_legacy_env);
		if (!same(&m1, &m2))
			fail("the formatted text says something else", &m1, &m2);
		release(&y);
	}
	/* the range entry point over every line, then the whole formatter */
	kf_edits edits = {NULL, 0, 0};
	kf_format_range(x.doc, opt, (kf_span){0, (uint32_t)size}, &edits);
	kf_buf ranged = KF_BUF_INIT, again = KF_BUF_INIT;
	kf_edits_apply(&x.src, &edits, &ranged);
	kf_edits_release(&edits);
	parsed z;
	if (parse(&z, ranged.ptr, ranged.len)) {
		kf_format(z.doc, opt, &again);
		if (!same(&once, &again))
			fail("formatting the range, then the file, gives another text", &once, &again);
		release(&z);
	}
	kf_buf_release(&ranged);
	kf_buf_release(&again);
	kf_buf_release(&m1);
	kf_buf_release(&m2);
	kf_buf_release(&once);
	kf_buf_release(&twice);
	release(&x);
	return 0;
}
