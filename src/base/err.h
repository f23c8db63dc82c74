/* SPDX-License-Identifier: Apache-2.0 */
/* err.h - the one way a system error travels (docs/hacking.md): a
 * function that can fail for a reason outside the user's text (a file that
 * cannot be read, a full disk, a server that does not answer) returns false
 * (or NULL) and writes one message into the caller's kf_err: "path: what
 * happened", lower case, no final period. A problem of the user's text is a
 * diagnostic (syntax/diag.h) instead.
 */
#ifndef KF_ERR_H
#define KF_ERR_H

#include <stdbool.h>

typedef struct kf_err {
	char msg[1024];
} kf_err;

/* Writes the message; returns false, so that `return kf_err_set(…)` fails. */
bool kf_err_set(kf_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
