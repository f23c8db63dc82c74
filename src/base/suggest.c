/* SPDX-License-Identifier: Apache-2.0 */
/* suggest.c - see suggest.h */
#include "base/suggest.h"

#include <stdlib.h>

#include "base/arena.h"

static unsigned char fold(unsigned char c, bool nocase)
{
	return nocase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

size_t kf_edit_distance(kf_str a, kf_str b, bool nocase)
{
	size_t n = a.len, m = b.len;
	/* three rows of the dynamic programming table */
	size_t *rows = kf_xmalloc(3 * (m + 1) * sizeof(size_t));
	size_t *pp = rows, *prev = rows + m + 1, *cur = rows + 2 * (m + 1);
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		unsigned char ca = fold((unsigned char)a.ptr[i - 1], nocase);
		for (size_t j = 1; j <= m; j++) {
			unsigned char cb = fold((unsigned char)b.ptr[j - 1], nocase);
			size_t cost = ca != cb;
			size_t d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (prev[j - 1] + cost < d)
				d = prev[j - 1] + cost;
			if (i > 1 && j > 1 && ca == fold((unsigned char)b.ptr[j - 2], nocase) &&
			    fold((unsigned char)a.ptr[i - 2], nocase) == cb && pp[j - 2] + 1 < d)
				d = pp[j - 2] + 1;
			cur[j] = d;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[m];
	free(rows);
	return d;
}

const char *kf_suggest(kf_str word, const char *const *cands, size_t n, bool nocase)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t limit = (word.len + 2) / 3;
	if (limit > 2)
		limit = 2;
	if (word.len == 0 || word.len > 256)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t d = kf_edit_distance(word, kf_str_cstr(cands[i]), nocase);
		if (d > 0 && d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
