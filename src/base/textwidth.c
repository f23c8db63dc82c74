/* SPDX-License-Identifier: Apache-2.0 */
/* textwidth.c - see textwidth.h */
#include <string.h>

#include "base/textwidth.h"

/* The character that begins s (n > 0 bytes): its length, its code point
 * in *cp, or -1 for a byte that begins no well-formed UTF-8 character. */
static size_t utf8_next(const unsigned char *s, size_t n, long *cp)
{
	unsigned c = s[0];
	size_t len;
	long v;
	*cp = -1;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, v = c & 0x07;
	else
		return 1;
	if (len > n)
		return 1;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10ffff)) || (v >= 0xd800 && v <= 0xdfff))
		return 1;
	*cp = v;
	return len;
}

/* Columns a code point takes: combining marks none, East Asian wide and
 * emoji two, the rest one. */
static int char_width(long cp)
{
	static const long zero[][2] = {{0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x0610, 0x061a},
				       {0x064b, 0x065f}, {0x200b, 0x200f}, {0x20d0, 0x20ff}, {0xfe00, 0xfe0f},
				       {0xfe20, 0xfe2f}};
	static const long wide[][2] = {{0x1100, 0x115f}, {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf},
				       {0x4e00, 0x9fff}, {0xa000, 0xa4cf}, {0xac00, 0xd7a3}, {0xf900, 0xfaff},
				       {0xfe30, 0xfe4f}, {0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x1f300, 0x1f64f},
				       {0x1f900, 0x1f9ff}, {0x20000, 0x3fffd}};
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

int kf_text_width(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	int total = 0;
	for (size_t i = 0; i < n;) {
		long cp;
		i += utf8_next(u + i, n - i, &cp);
		total += cp < 0x20 || cp == 0x7f ? 1 : char_width(cp);
	}
	return total;
}

int kf_text_put(kf_buf *out, const char *s, int cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s);
	int total = kf_text_width(s);
	int room = total <= cols ? cols : cols - 1; /* a cut line ends with "…" */
	int used = 0;
	for (size_t i = 0; i < n;) {
		long cp;
		size_t len = utf8_next(u + i, n - i, &cp);
		int w = cp < 0x20 || cp == 0x7f ? 1 : char_width(cp);
		if (used + w > room)
			break;
		if (cp < 0)
			kf_buf_addc(out, '?');
		else if (cp < 0x20 || cp == 0x7f)
			kf_buf_addc(out, ' ');
		else
			kf_buf_add(out, s + i, len);
		used += w;
		i += len;
	}
	if (total > cols && cols > 0) {
		kf_buf_adds(out, "…");
		used++;
	}
	return used;
}
