/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_sprig.c - libFuzzer target for sprig's functions (src/tmpl/sprig*.c).
 *
 * The input picks a function of kf_tmpl_sprig_funcs (first byte) and
 * up to five arguments of any type, each a NUL-separated segment whose
 * first byte says the type: 's' string, 'i' int, 'f' float, 'b' bool,
 * 'l' a list of the segment's lines, 'm' a map of its "k=v" lines,
 * 'n' nil. They are called as {{ fn .a0 .a1 ... }} through the engine,
 * under small limits: every call must end with a value or an error,
 * within the limits, without a crash or a sanitizer report.
 *
 * fuzz-sources: src/tmpl/value.c src/tmpl/parse.c src/tmpl/exec.c src/tmpl/builtins.c src/tmpl/helmfuncs.c src/tmpl/sprig.c src/tmpl/sprig_crypto.c src/tmpl/sprig_date.c src/tmpl/sprig_math.c src/tmpl/sprig_regex.c src/tmpl/sprig_semver.c src/tmpl/sprig_strings.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/sprig.h"
#include "tmpl/tmpl.h"

static kf_tv segment(kf_arena *a, const char *p, size_t n)
{
	if (n == 0)
		return kf_tv_nil();
	char t = p[0];
	p++, n--;
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%.*s", (int)(n < 63 ? n : 63), p);
	switch (t) {
	case 'i':
		return kf_tv_int(strtoll(tmp, NULL, 10));
	case 'f':
		return kf_tv_float(strtod(tmp, NULL));
	case 'b':
		return kf_tv_bool(n > 0 && p[0] == '1');
	case 'n':
		return kf_tv_nil();
	case 'l':
	case 'm': {
		kf_tv v = t == 'l' ? kf_tv_new_list(a, 0) : kf_tv_new_map(a);
		size_t st = 0;
		for (size_t i = 0; i <= n; i++) {
			if (i < n && p[i] != '\n')
				continue;
			const char *line = p + st;
			size_t len = i - st;
			st = i + 1;
			if (t == 'l') {
				kf_tv_list_push(a, v.u.list, kf_tv_str(a, line, len));
			} else {
				const char *eq = memchr(line, '=', len);
				size_t klen = eq ? (size_t)(eq - line) : len;
				kf_tv val = eq ? kf_tv_str(a, eq + 1, len - klen - 1) : kf_tv_new_map(a);
				kf_tv_map_set(a, v.u.map, line, klen, val);
			}
		}
		return v;
	}
	default:
		return kf_tv_str(a, p, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	size_t nfuncs = 0;
	while (kf_tmpl_sprig_funcs[nfuncs].name)
		nfuncs++;
	const kf_tmpl_func *f = &kf_tmpl_sprig_funcs[data[0] % nfuncs];
	/* scrypt's 32 MiB per call makes the fuzzer crawl */
	if (!strcmp(f->name, "derivePassword"))
		return 0;
	static const kf_tmpl_func *const tables[] = {kf_tmpl_builtins, kf_tmpl_sprig_funcs, NULL};
	kf_tmpl_limits lim = KF_TMPL_LIMITS_INIT;
	lim.memory = (size_t)8 << 20;
	lim.output = (size_t)1 << 20;
	lim.steps = 10000;
	kf_arena a;
	kf_arena_init(&a);
	kf_tv dot = kf_tv_new_map(&a);
	char tmpl[256];
	int len = snprintf(tmpl, sizeof tmpl, "{{ %s", f->name);
	const char *p = (const char *)data + 1, *end = (const char *)data + size;
	for (int i = 0; i < 5 && p < end; i++) {
		const char *z = memchr(p, 0, (size_t)(end - p));
		size_t n = z ? (size_t)(z - p) : (size_t)(end - p);
		char key[4] = {'a', (char)('0' + i), 0, 0};
		kf_tv_map_set(&a, dot.u.map, key, 2, segment(&a, p, n));
		len += snprintf(tmpl + len, sizeof tmpl - (size_t)len, " .%s", key);
		p += n + (z != NULL);
	}
	snprintf(tmpl + len, sizeof tmpl - (size_t)len, " }}");
	kf_tmpl_set *s = kf_tmpl_set_new(&lim, tables);
	kf_tmpl_error err;
	kf_buf out = KF_BUF_INIT;
	if (kf_tmpl_set_parse(s, "f", tmpl, strlen(tmpl), &err))
		(void)kf_tmpl_execute(s, &a, "f", dot, NULL, &out, &err);
	kf_buf_release(&out);
	kf_tmpl_set_free(s);
	kf_arena_release(&a);
	return 0;
}
