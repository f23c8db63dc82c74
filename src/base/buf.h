/* SPDX-License-Identifier: Apache-2.0 */
/* buf.h - strings by pointer and length, and a growable byte buffer.
 *
 * kf_str never owns its bytes: it points into a source buffer or an arena.
 * kf_buf owns a malloc'd buffer that is always NUL-terminated; release it
 * with kf_buf_release (git's strbuf, in small).
 */
#ifndef KF_BUF_H
#define KF_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct kf_str {
	const char *ptr;
	size_t len;
} kf_str;

#define KF_STR_NULL ((kf_str){NULL, 0})
#define KF_STR_LIT(s) ((kf_str){(s), sizeof(s) - 1})

static inline kf_str kf_str_make(const char *p, size_t n)
{
	return (kf_str){p, n};
}

static inline kf_str kf_str_cstr(const char *s)
{
	return (kf_str){s, s ? strlen(s) : 0};
}

static inline bool kf_str_eq(kf_str a, kf_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static inline bool kf_str_eq_cstr(kf_str a, const char *s)
{
	return kf_str_eq(a, kf_str_cstr(s));
}

bool kf_str_eq_nocase(kf_str a, const char *s);
bool kf_str_has_prefix(kf_str a, const char *prefix);

typedef struct kf_buf {
	char *ptr; /* NUL-terminated whenever cap > 0 */
	size_t len;
	size_t cap;
} kf_buf;

#define KF_BUF_INIT ((kf_buf){NULL, 0, 0})

void kf_buf_grow(kf_buf *b, size_t extra);
void kf_buf_add(kf_buf *b, const void *p, size_t n);
static inline void kf_buf_addc(kf_buf *b, char c)
{
	if (b->len + 2 > b->cap)
		kf_buf_grow(b, 1);
	b->ptr[b->len++] = c;
	b->ptr[b->len] = '\0';
}
void kf_buf_adds(kf_buf *b, const char *s);
/* Appends code point cp in UTF-8; a surrogate or a value past U+10FFFF
 * (a negative int32 cast too) appends U+FFFD instead, as Go does. */
void kf_buf_add_rune(kf_buf *b, uint32_t cp);
void kf_buf_addstr(kf_buf *b, kf_str s);
void kf_buf_printf(kf_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kf_buf_reset(kf_buf *b);
void kf_buf_release(kf_buf *b);
/* Hands the malloc'd string to the caller and empties b. */
char *kf_buf_detach(kf_buf *b, size_t *len);

#endif
