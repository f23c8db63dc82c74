/* SPDX-License-Identifier: Apache-2.0 */
/* vec.h - a growable array of any type, malloc'd (for scratch space that
 * is copied into an arena once its final size is known). */
#ifndef KF_VEC_H
#define KF_VEC_H

#include <stddef.h>

#include "base/arena.h"

#define KF_VEC(type) struct { type *v; size_t n, cap; }

#define kf_vec_reserve(vec, extra)                                                     \
	do {                                                                           \
		if ((vec)->n + (extra) > (vec)->cap) {                                 \
			size_t kf_cap_ = (vec)->cap ? (vec)->cap * 2 : 16;             \
			while (kf_cap_ < (vec)->n + (extra))                           \
				kf_cap_ *= 2;                                          \
			(vec)->v = kf_xrealloc((vec)->v, kf_cap_ * sizeof(*(vec)->v)); \
			(vec)->cap = kf_cap_;                                          \
		}                                                                      \
	} while (0)

#define kf_vec_push(vec, item)                 \
	do {                                   \
		kf_vec_reserve((vec), 1);      \
		(vec)->v[(vec)->n++] = (item); \
	} while (0)

#define kf_vec_free(vec)                   \
	do {                               \
		free((vec)->v);            \
		(vec)->v = NULL;           \
		(vec)->n = (vec)->cap = 0; \
	} while (0)

/* Copies the items from index mark to the end into the arena, drops them
 * from the vector, and stores the arena copy and its length. */
#define kf_vec_take(vec, mark, arena, out, outn)                                              \
	do {                                                                                  \
		size_t kf_n_ = (vec)->n - (mark);                                             \
		(outn) = (uint32_t)kf_n_;                                                     \
		(out) = kf_n_ ? kf_arena_memdup((arena), (vec)->v + (mark), kf_n_ * sizeof(*(vec)->v)) \
			      : NULL;                                                         \
		(vec)->n = (mark);                                                            \
	} while (0)

#endif
