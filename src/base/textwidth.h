/* SPDX-License-Identifier: Apache-2.0 */
/* textwidth.h - text for a terminal line (kfc build's progress): how many
 * columns UTF-8 text takes, and text cut to a number of columns without
 * cutting a character in half. */
#ifndef KF_TEXTWIDTH_H
#define KF_TEXTWIDTH_H

#include "base/buf.h"

/* The columns s takes: East Asian wide characters and emoji two,
 * combining marks none, every other character, control character or byte
 * that begins no well-formed UTF-8 character one. */
int kf_text_width(const char *s);

/* s as one line of at most cols columns onto out: control characters (a
 * heredoc's newlines) as spaces, a byte that begins no character as '?',
 * and when s is wider, cut before a whole character and ended with "…"
 * (nothing at all when cols is 0 or less). The columns taken. */
int kf_text_put(kf_buf *out, const char *s, int cols);

#endif
