/* SPDX-License-Identifier: Apache-2.0 */
/* buf.c - see buf.h */
#include "base/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/arena.h"

bool kf_str_eq_nocase(kf_str a, const char *s)
{
	size_t n = strlen(s);
	if (a.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)s[i];
		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

bool kf_str_has_prefix(kf_str a, const char *prefix)
{
	size_t n = strlen(prefix);
	return a.len >= n && memcmp(a.ptr, prefix, n) == 0;
}

void kf_buf_grow(kf_buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	/* double, or give exactly what is asked when that is more */
	size_t cap = b->cap ? b->cap * 2 : 64;
	if (cap < b->len + extra + 1)
		cap = b->len + extra + 1;
	b->ptr = kf_xrealloc(b->ptr, cap);
	b->ptr[b->len] = '\0';
	b->cap = cap;
}

void kf_buf_add(kf_buf *b, const void *p, size_t n)
{
	kf_buf_grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, p, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void kf_buf_adds(kf_buf *b, const char *s)
{
	kf_buf_add(b, s, strlen(s));
}

void kf_buf_addstr(kf_buf *b, kf_str s)
{
	kf_buf_add(b, s.ptr, s.len);
}

void kf_buf_printf(kf_buf *b, const char *fmt, ...)
{
	/* one pass into the free space when the text fits, else a second one
	 * into exactly enough */
	kf_buf_grow(b, 128);
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->ptr + b->len, room, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n >= room) {
		kf_buf_grow(b, (size_t)n);
		vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap2);
	}
	if (n > 0)
		b->len += (size_t)n;
	b->ptr[b->len] = '\0';
	va_end(ap2);
}

void kf_buf_reset(kf_buf *b)
{
	b->len = 0;
	if (b->cap)
		b->ptr[0] = '\0';
}

void kf_buf_release(kf_buf *b)
{
	free(b->ptr);
	*b = KF_BUF_INIT;
}

char *kf_buf_detach(kf_buf *b, size_t *len)
{
	if (!b->cap)
		kf_buf_grow(b, 0);
	char *p = b->ptr;
	if (len)
		*len = b->len;
	*b = KF_BUF_INIT;
	return p;
}

void kf_buf_add_rune(kf_buf *b, uint32_t cp)
{
	char t[4];
	size_t n;
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		t[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6));
		t[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12));
		t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		t[0] = (char)(0xf0 | (cp >> 18));
		t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	kf_buf_add(b, t, n);
}
