/* SPDX-License-Identifier: Apache-2.0 */
/* term.h - what kfc's and kflint's commands share at the terminal: the
 * exit statuses, --color and whether a stream gets colour, writing a
 * buffer out. */
#ifndef KF_TERM_H
#define KF_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"

/* The exit statuses of every command (docs/hacking.md) */
enum {
	KF_EXIT_OK = 0,
	KF_EXIT_PROBLEMS = 1,      /* errors or findings, a failed build */
	KF_EXIT_USAGE = 2,         /* a usage, settings or I/O error */
	KF_EXIT_INTERRUPTED = 130, /* a signal stopped a build */
};

/* --color=auto|always|never */
typedef enum kf_color { KF_COLOR_AUTO = -1, KF_COLOR_NEVER = 0, KF_COLOR_ALWAYS = 1 } kf_color;

/* Reads auto, always or never into *out; false for any other word (the
 * command says so in its own words). */
bool kf_term_color_parse(const char *when, kf_color *out);

/* Whether what is written to the file descriptor fd is coloured: always,
 * never, or with auto when fd is a terminal and NO_COLOR is unset or
 * empty. */
bool kf_term_color(kf_color when, int fd);

/* Writes b's bytes to f; false when not all of them were written. */
bool kf_term_write(FILE *f, const kf_buf *b);

/* Flushes standard output; false after "PROG: write error: what went
 * wrong" on standard error when that or an earlier write to it failed. */
bool kf_term_flush(const char *prog);

/* From now on SIGINT, SIGTERM and SIGHUP set the flag returned (to the
 * signal's number) instead of ending the process: the library polls it
 * and stops within a second (a build, a pull). */
volatile sig_atomic_t *kf_term_catch_interrupts(void);

#endif
