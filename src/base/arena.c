/* SPDX-License-Identifier: Apache-2.0 */
/* arena.c - see arena.h. Chunks grow geometrically up to a cap, so a large
 * document costs few mallocs and a small one wastes little. */
#include "base/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct kf_arena_chunk {
	struct kf_arena_chunk *prev;
	size_t size; /* usable bytes after the header */
	size_t off;
	max_align_t data[];
};

#define KF_ARENA_MIN_CHUNK (4u << 10)
#define KF_ARENA_MAX_CHUNK (8u << 20)
/* Chunks this large are aligned to it, so that the kernel can back them
 * with transparent huge pages: a large document then costs a few page
 * faults instead of one per 4 KiB, which on a virtual machine is most of
 * the time spent parsing it. */
#define KF_HUGE_PAGE (2u << 20)
/* Everything the project stores needs at most pointer alignment; rounding
 * to max_align_t (16) would waste a third of a 24-byte word array. */
#define KF_ALIGN ((size_t)KF_ARENA_ALIGN)
_Static_assert(_Alignof(void *) <= KF_ARENA_ALIGN && _Alignof(uint64_t) <= KF_ARENA_ALIGN &&
		       _Alignof(double) <= KF_ARENA_ALIGN, "KF_ARENA_ALIGN too small");

static void oom(size_t n)
{
	fprintf(stderr, "kubefile: out of memory (%zu bytes)\n", n);
	abort();
}

void *kf_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *kf_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *kf_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom(n);
	return q;
}

char *kf_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(kf_xmalloc(n), s, n);
}

/* A chunk of size bytes in all, header included. */
static struct kf_arena_chunk *chunk_alloc(size_t size)
{
	void *p = NULL;
	if (size >= KF_HUGE_PAGE) {
		if (posix_memalign(&p, KF_HUGE_PAGE, size) != 0)
			oom(size);
#ifdef MADV_HUGEPAGE
		madvise(p, size, MADV_HUGEPAGE);
#endif
		return p;
	}
	return kf_xmalloc(size);
}

void kf_arena_init(kf_arena *a)
{
	a->head = NULL;
	a->chunk_size = KF_ARENA_MIN_CHUNK;
	a->used = 0;
}

void kf_arena_release(kf_arena *a)
{
	struct kf_arena_chunk *c = a->head;
	while (c) {
		struct kf_arena_chunk *prev = c->prev;
		free(c);
		c = prev;
	}
	kf_arena_init(a);
}

void *kf_arena_alloc(kf_arena *a, size_t n)
{
	size_t need = (n + KF_ALIGN - 1) & ~(KF_ALIGN - 1);
	struct kf_arena_chunk *c = a->head;
	if (need < n)
		oom(n);
	if (!c || c->size - c->off < need) {
		size_t size = a->chunk_size ? a->chunk_size : KF_ARENA_MIN_CHUNK;
		if (need > size / 4) {
			/* A big block gets a chunk of its own behind the current
			 * one, so the free tail of the current chunk stays in use. */
			struct kf_arena_chunk *big = kf_xmalloc(sizeof(*big) + need);
			big->size = need;
			big->off = need;
			if (c) {
				big->prev = c->prev;
				c->prev = big;
			} else {
				big->prev = NULL;
				a->head = big;
			}
			a->used += need;
			return big->data;
		}
		c = chunk_alloc(size);
		c->prev = a->head;
		c->size = size - sizeof(*c);
		c->off = 0;
		a->head = c;
		if (size < KF_ARENA_MAX_CHUNK)
			a->chunk_size = size * 2;
	}
	void *p = (char *)c->data + c->off;
	c->off += need;
	a->used += need;
	return p;
}

void *kf_arena_zalloc(kf_arena *a, size_t n)
{
	return memset(kf_arena_alloc(a, n), 0, n);
}

void *kf_arena_memdup(kf_arena *a, const void *p, size_t n)
{
	return n ? memcpy(kf_arena_alloc(a, n), p, n) : kf_arena_alloc(a, 0);
}

char *kf_arena_strndup(kf_arena *a, const char *p, size_t n)
{
	char *s = kf_arena_alloc(a, n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *kf_arena_printf(kf_arena *a, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	char *s = kf_arena_alloc(a, (size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return s;
}
