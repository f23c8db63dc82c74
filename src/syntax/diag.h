/* SPDX-License-Identifier: Apache-2.0 */
/* diag.h - the one diagnostics module.
 *
 * Everything that finds a problem (lexer, parser, semantic checks, lint
 * rules) adds a kf_diag to a kf_diag_bag; nothing below the front ends
 * prints. The front ends render a bag as text or JSON with the functions
 * here, so every tool reports a problem the same way.
 *
 * Messages are lowercase, without a final period, and name the thing at
 * fault. Codes are stable: KF0xx are syntax errors (docs/diagnostics.md).
 */
#ifndef KF_DIAG_H
#define KF_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "base/arena.h"
#include "base/buf.h"
#include "syntax/source.h"

typedef enum kf_severity {
	KF_SEV_ERROR,
	KF_SEV_WARNING,
	KF_SEV_INFO,
	KF_SEV_STYLE,
} kf_severity;

/* A certain fix: replace the text at span by replacement. */
typedef struct kf_fix {
	kf_span span;
	const char *replacement;
	const char *title; /* imperative, e.g. "insert a space after ENTRYPOINT" */
} kf_fix;

typedef struct kf_diag {
	kf_severity severity;
	kf_span span;
	const char *code;    /* static string, e.g. "KF002" */
	const char *message; /* arena */
	const kf_fix *fix;   /* arena, or NULL */
} kf_diag;

/* Diagnostics of one document. Strings live in the arena given at init;
 * the array itself is malloc'd and freed by kf_diag_bag_release. */
typedef struct kf_diag_bag {
	kf_arena *arena;
	kf_diag *items;
	size_t len;
	size_t cap;
	size_t nerrors;
} kf_diag_bag;

void kf_diag_bag_init(kf_diag_bag *bag, kf_arena *arena);
void kf_diag_bag_release(kf_diag_bag *bag);

kf_diag *kf_diag_add(kf_diag_bag *bag, kf_severity sev, kf_span span,
		     const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
kf_diag *kf_diag_addv(kf_diag_bag *bag, kf_severity sev, kf_span span, const char *code, const char *fmt,
		      va_list ap) __attribute__((format(printf, 5, 0)));
/* Attaches a fix to d (strings are copied into the bag's arena). */
void kf_diag_set_fix(kf_diag_bag *bag, kf_diag *d, kf_span span,
		     const char *replacement, const char *title);
/* Sorts by start offset; equal offsets keep the order they were added in. */
void kf_diag_bag_sort(kf_diag_bag *bag);

const char *kf_severity_name(kf_severity sev);

enum {
	KF_RENDER_SOURCE = 1 << 0, /* the source line and a caret under the span */
	KF_RENDER_COLOR = 1 << 1,  /* ANSI colours */
};

/* "path:line:col: error: message [code]" (1-based line, and the column
 * in code points, as editors count it), then optionally the line and a
 * caret. */
void kf_diag_render_text(kf_buf *out, const kf_source *src, const kf_diag *d,
			 unsigned flags);

/* One JSON object with file, line, column, endLine, endColumn (1-based, the
 * column in code points), level, code, message and fix. Returns a jansson
 * json_t * (declared void * to keep jansson out of this header). */
void *kf_diag_to_json(const kf_source *src, const kf_diag *d);

#endif
