/* SPDX-License-Identifier: Apache-2.0 */
/* arena.h - bump allocation for everything that lives as long as a document.
 *
 * An arena hands out memory that is never freed piece by piece: the whole
 * arena is released in one call. Every AST node, cooked string and diagnostic
 * of a document lives in its arena, so a document is freed by kf_arena_release.
 *
 * Out of memory is not recoverable here: kf_xmalloc and the arena print one
 * line and abort, so no caller checks for NULL.
 */
#ifndef KF_ARENA_H
#define KF_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* What kf_arena_alloc aligns to: enough for pointers, size_t and 64-bit
 * integers and doubles, which is all the project stores. */
#define KF_ARENA_ALIGN 8

void *kf_xmalloc(size_t n);
void *kf_xcalloc(size_t n, size_t size);
void *kf_xrealloc(void *p, size_t n);
char *kf_xstrdup(const char *s);

struct kf_arena_chunk;

typedef struct kf_arena {
	struct kf_arena_chunk *head; /* newest chunk: allocations come from it */
	size_t chunk_size;           /* size of the next ordinary chunk */
	size_t used;                 /* bytes handed out, for statistics */
} kf_arena;

/* An arena needs no setup beyond zeroing; this sets the chunk size. */
void kf_arena_init(kf_arena *a);
/* Frees every chunk; the arena can be used again afterwards. */
void kf_arena_release(kf_arena *a);

/* Memory aligned for pointers and 64-bit integers (not for long double),
 * uninitialised. n may be 0. */
void *kf_arena_alloc(kf_arena *a, size_t n);
void *kf_arena_zalloc(kf_arena *a, size_t n);
/* A NUL-terminated copy of n bytes of p. */
char *kf_arena_strndup(kf_arena *a, const char *p, size_t n);
char *kf_arena_printf(kf_arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void *kf_arena_memdup(kf_arena *a, const void *p, size_t n);

#define KF_ARENA_NEW(a, type) ((type *)kf_arena_zalloc((a), sizeof(type)))
#define KF_ARENA_ARRAY(a, type, n) ((type *)kf_arena_alloc((a), sizeof(type) * (n)))

#endif
