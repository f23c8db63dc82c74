/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_textwidth.c - libFuzzer target: any bytes, cut to any number of
 * columns (the first byte) by kf_text_put, give well-formed UTF-8 without
 * control characters, no wider than the columns, whose width
 * kf_text_width agrees with; text that fits comes whole (sanitised), text
 * that does not ends with "…".
 *
 *   fuzz/run.sh textwidth
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/textwidth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* well-formed UTF-8 with no C0 control character nor DEL */
static int clean_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (!len || i + len > n || (len == 1 && (c < 0x20 || c == 0x7f)))
			return 0;
		long v = len == 1 ? (long)c : (long)(c & (0x7f >> len));
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			v = v << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int cols = data[0] - 8; /* some below zero */
	char *s = malloc(size);
	if (!s)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	kf_buf out = KF_BUF_INIT;
	int w = kf_text_width(s);
	int used = kf_text_put(&out, s, cols);
	const char *o = out.ptr ? out.ptr : "";
	if (!clean_utf8((const unsigned char *)o, out.len) || strlen(o) != out.len)
		abort();
	if (kf_text_width(o) != used || used > (cols > 0 ? cols : 0))
		abort();
	if (w <= cols && used != w)
		abort(); /* it fits: all of it */
	if (w > cols && cols > 0 && (out.len < 3 || memcmp(o + out.len - 3, "…", 3) != 0))
		abort();
	kf_buf_release(&out);
	free(s);
	return 0;
}
