/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_chart.c - libFuzzer target: the parts of helm's render model that
 * read a user's or a chart's bytes before the template engine runs. The
 * first byte picks what the rest is:
 *   0  --set arguments, one a line (kf_chart_strvals, helm's strvals);
 *   1  a values file merged as -f (kf_chart_merge_values_file);
 *   2  a rendered template: split into documents, printed as helm template
 *      prints them, and blanked where helm leaves documents out;
 *   3  a packaged chart (.tgz) loaded as helm's loader loads it (chart.c),
 *      every problem reported through the callback.
 * No crash, leak or hang; what --set made prints as JSON; blanking keeps
 * the length and every line end.
 *
 *   fuzz/run.sh chart
 *
 * fuzz-sources: src/tmpl/value.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "discovery/chart.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void report(void *ud, const char *display, const char *text, size_t len, uint32_t line, uint32_t col,
		   const char *code, const char *msg)
{
	(void)display;
	(void)len;
	(void)line;
	(void)col;
	(void)msg;
	(void)text;
	if (!code || code[0] != 'K')
		abort();
	++*(size_t *)ud;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mode = data[0] % 4;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	kf_arena a;
	kf_arena_init(&a);
	if (mode == 0) {
		kf_tv vals = kf_tv_new_map(&a);
		char *copy = kf_arena_strndup(&a, text, len);
		for (char *line = copy; line;) {
			char *nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			kf_buf err = KF_BUF_INIT;
			if (!kf_chart_strvals(&a, line, vals, &err) && !err.len)
				abort(); /* a refusal says why */
			kf_buf_release(&err);
			line = nl ? nl + 1 : NULL;
		}
		kf_buf j = KF_BUF_INIT;
		kf_err e;
		if (!kf_tv_to_json(&j, vals, false, &e))
			abort();
		kf_buf_release(&j);
	} else if (mode == 1) {
		kf_tv vals = kf_tv_new_map(&a);
		kf_buf err = KF_BUF_INIT;
		kf_chart_merge_values_file(&a, vals, text, len, &err);
		kf_chart_merge_values_file(&a, vals, text, len, &err);
		kf_buf_release(&err);
	} else if (mode == 2) {
		kf_chart_manifests *m = kf_chart_manifests_new();
		kf_chart_manifests_add(m, "c/templates/a.yaml", text, len);
		kf_buf out = KF_BUF_INIT;
		kf_chart_manifests_print(m, &out);
		kf_buf_release(&out);
		kf_chart_manifests_free(m);
		char *copy = malloc(len + 1);
		memcpy(copy, text, len);
		copy[len] = '\0';
		kf_chart_blank_skipped(copy, len);
		for (size_t i = 0; i < len; i++)
			if ((text[i] == '\n') != (copy[i] == '\n') || (copy[i] != text[i] && copy[i] != ' '))
				abort();
		free(copy);
	} else {
		size_t n = 0;
		kf_chart_report rep = {report, &n};
		kf_chart_tree *t = kf_chart_load_tgz(NULL, text, len, "x.tgz", &rep, false);
		if (!t && n == 0)
			abort(); /* no chart, and no word of why */
		kf_chart_tree_free(t);
	}
	kf_arena_release(&a);
	return 0;
}
