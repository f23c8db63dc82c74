/* SPDX-License-Identifier: Apache-2.0 */
/* progress.h - what kfc build shows on standard error while it works
 * (--progress, docs/build.md "Progress"): the builder's report
 * callbacks (build.h) drawn as lines.
 *
 * On a terminal (tty) the running step has a status line, redrawn ten
 * times a second at most from a thread of its own: the step, a timer in
 * tenths of a second and its counters (entries and bytes of its layer, a
 * download's bytes, blobs fetched), cut to the terminal's width (read at
 * each redraw) without cutting a UTF-8 character. Every other line (a
 * step's result, a RUN command's output, a message) clears the status
 * line first and is written whole; the status line comes back at the next
 * redraw. plain: a line as each step starts and one as it ends, a RUN
 * command's output as it comes; quiet: errors and RUN output only.
 */
#ifndef KF_PROGRESS_H
#define KF_PROGRESS_H

#include <stdbool.h>

#include "build/build.h"
#include "cli/kfc.h"

typedef struct kf_build_view kf_build_view;

/* A view on standard error: tty with KF_TRANSFER_AUTO when standard error
 * is a terminal. The report's callbacks draw into it (ud is the view). */
kf_build_view *kf_build_view_new(kf_transfer_mode mode);
kf_build_report kf_build_view_report(kf_build_view *v);
bool kf_build_view_tty(const kf_build_view *v);

/* The build is over (its exit status): the status line is cleared, a
 * RUN command's unfinished line ended, and a step left running is named
 * with "interrupted" (130) or "failed". Stops the drawing thread. */
void kf_build_view_end(kf_build_view *v, int status);

/* "built DIGEST" and what follows (" in 0.02s as app:v1"): one line, or
 * on a terminal too narrow for it, "built …" and the digest on a line of
 * its own (a digest is never cut). Nothing when quiet. */
void kf_build_view_built(kf_build_view *v, const char *digest, const char *after);

void kf_build_view_free(kf_build_view *v);

#endif
