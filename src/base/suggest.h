/* SPDX-License-Identifier: Apache-2.0 */
/* suggest.h - "did you mean" for names that are close to a known one. */
#ifndef KF_SUGGEST_H
#define KF_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent
 * transpositions), ASCII case folded when nocase. */
size_t kf_edit_distance(kf_str a, kf_str b, bool nocase);

/* The candidate closest to word, if it is close enough to be a likely typo
 * (distance at most 2, and at most a third of the word's length, rounded
 * up); NULL otherwise. A candidate equal to word is not suggested. */
const char *kf_suggest(kf_str word, const char *const *cands, size_t n, bool nocase);

#endif
