/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_tmpl.c - libFuzzer target: the bytes before the first NUL are a
 * template, parsed and executed with every function table the engine has
 * (Go's built-ins and helm's) against a small fixed data value; the bytes
 * after it are values YAML, read as helm reads values.yaml and used as
 * .Values when they load. No crash, leak or hang (the limits are small);
 * an error is located inside the template; and what toYaml writes of the
 * values reads back as values toYaml writes the same way.
 *
 *   fuzz/run.sh tmpl
 *
 * fuzz-sources: src/tmpl/value.c src/tmpl/parse.c src/tmpl/exec.c src/tmpl/builtins.c src/tmpl/helmfuncs.c
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tmpl/tmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed_values[] = "image: {repository: nginx, tag: \"1.25\"}\n"
				   "replicas: 3\nlist: [a, 1, null, {k: v}]\nflag: true\nname: x\n";

/* toYaml's text reads back as values that toYaml writes the same way
 * (not as equal values: -0 becomes 0 on the way, as in go-yaml) */
static void check_round_trip(kf_arena *a, kf_tv v)
{
	kf_buf y1 = KF_BUF_INIT, y2 = KF_BUF_INIT, j = KF_BUF_INIT;
	kf_err e;
	if (kf_tv_to_yaml(&y1, v, &e)) {
		kf_tv back;
		if (!kf_tv_from_yaml(a, y1.ptr, y1.len, false, &back, &e))
			abort(); /* toYaml wrote what cannot be read */
		if (!kf_tv_to_yaml(&y2, back, &e) || y1.len != y2.len || memcmp(y1.ptr, y2.ptr, y1.len) != 0)
			abort(); /* toYaml changed the values */
	}
	kf_tv_to_json(&j, v, false, &e);
	kf_buf_release(&y1);
	kf_buf_release(&y2);
	kf_buf_release(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	const char *text = (const char *)data;
	const char *nul = memchr(text, '\0', size);
	size_t tlen = nul ? (size_t)(nul - text) : size;
	kf_arena a;
	kf_arena_init(&a);
	kf_err e;
	kf_tv values;
	bool own = nul && kf_tv_from_yaml(&a, nul + 1, size - tlen - 1, false, &values, &e);
	if (own)
		check_round_trip(&a, values);
	else if (!kf_tv_from_yaml(&a, fixed_values, sizeof fixed_values - 1, false, &values, &e))
		abort();
	kf_tv root = kf_tv_new_map(&a);
	kf_tv_map_set(&a, root.u.map, "Values", 6, values);
	kf_tv chart = kf_tv_new_map(&a);
	kf_tv_map_set(&a, chart.u.map, "Name", 4, kf_tv_cstr(&a, "c"));
	kf_tv_map_set(&a, root.u.map, "Chart", 5, chart);

	const kf_tmpl_func *tables[] = {kf_tmpl_builtins, kf_tmpl_helm_funcs, NULL};
	kf_tmpl_limits lim = {20, 20000, 1 << 20, 16 << 20};
	kf_tmpl_set *s = kf_tmpl_set_new(&lim, tables);
	kf_tmpl_error err;
	static const char helpers[] = "{{ define \"h\" }}<{{ . }}>{{ end }}{{ define \"r\" }}{{ include \"r\" . }}{{ end }}";
	if (!kf_tmpl_set_parse(s, "c/templates/_helpers.tpl", helpers, sizeof helpers - 1, &err))
		abort();
	kf_buf out = KF_BUF_INIT;
	if (kf_tmpl_set_parse(s, "c/templates/x.yaml", text, tlen, &err)) {
		if (!kf_tmpl_execute(s, &a, "c/templates/x.yaml", root, NULL, &out, &err)) {
			if (out.len > lim.output)
				abort();
		}
	} else {
		/* a parse error is on a line of the text */
		size_t lines = 1;
		for (size_t i = 0; i < tlen; i++)
			lines += text[i] == '\n';
		if (err.line < 1 || err.line > lines)
			abort();
	}
	if (!memchr(err.msg, '\0', sizeof err.msg))
		abort();
	kf_buf_release(&out);
	kf_tmpl_set_free(s);
	kf_arena_release(&a);
	return 0;
}
