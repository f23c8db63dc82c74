/* SPDX-License-Identifier: Apache-2.0 */
/* tmpl.h - Go's text/template in C, as helm uses it (docs/imagelist.md).
 *
 * A set of named templates (kf_tmpl_set) is parsed once and executed many
 * times. Parsing a file adds the file's own template (named as the file,
 * "mychart/templates/deploy.yaml") and every {{define "x"}} in it to the
 * set; a later define of the same name replaces an earlier one, as Go's
 * template.Parse does (helm parses subcharts first so that a parent's
 * defines win). The syntax and semantics are Go's (text/template and
 * text/template/parse): actions with trim markers {{- -}}, comments,
 * pipelines, variables and $, if/else if/else, range (lists, maps in key
 * order, integers), with/else, define, template, block, break, continue,
 * and Go's built-in functions (and, or, not, eq, ne, lt, le, gt, ge, len,
 * index, slice, print, printf, println, html, js, urlquery, call).
 *
 * Functions come from tables (kf_tmpl_func); the engine's own tables are
 * Go's built-ins (kf_tmpl_builtins) and helm's (kf_tmpl_helm_funcs:
 * include, tpl, required, fail, toYaml, fromYaml, fromYamlArray, toJson,
 * fromJson, fromJsonArray, lookup); sprig's are in sprig.h. A call of a
 * name no table has is an error at parse time, located, as in Go
 * (`function "foo" not defined`).
 *
 * Errors are located in the template ("mychart/templates/x.yaml:3:14") and
 * worded as Go words them ("executing \"x\" at <.Values.a.b>: nil pointer
 * evaluating interface {}.b"). Every execution is bounded (kf_tmpl_limits):
 * nesting of template/include calls, steps (actions, function calls and
 * range iterations), bytes of output, and bytes of values made; crossing a
 * limit is an error like any other, so a hostile chart costs at most the
 * limits.
 *
 * Usage:
 *     kf_tmpl_set *s = kf_tmpl_set_new(NULL, tables);
 *     kf_tmpl_error err;
 *     if (!kf_tmpl_set_parse(s, "c/templates/a.yaml", text, len, &err)) report(&err);
 *     kf_arena a; kf_arena_init(&a);
 *     kf_buf out = {0};
 *     if (!kf_tmpl_execute(s, &a, "c/templates/a.yaml", data, NULL, &out, &err)) report(&err);
 *     kf_arena_release(&a); kf_buf_release(&out); kf_tmpl_set_free(s);
 */
#ifndef KF_TMPL_H
#define KF_TMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "tmpl/value.h"

typedef struct kf_tmpl_limits {
	unsigned depth;       /* nested template/include/tpl calls (helm refuses past 1000) */
	uint64_t steps;       /* actions, function calls, range iterations of one execution */
	size_t output;        /* bytes one execution may write */
	size_t memory;        /* bytes of values (lists, maps, strings) one execution may make */
} kf_tmpl_limits;
#define KF_TMPL_LIMITS_INIT ((kf_tmpl_limits){1000, 50000000, (size_t)64 << 20, (size_t)512 << 20})

/* Where a problem is, and what. file is the template's name. */
typedef struct kf_tmpl_error {
	char file[512];
	/* line: 1-based. col: as Go prints it in "file:line:col", the bytes
	 * before the node on its line (0 at the line's start; helm prints
	 * the same number). A parse error has the line Go gives and the
	 * column of the token where the parser stopped (Go prints no column
	 * for parse errors: "template: file:line: msg"). 0 when unknown. */
	uint32_t line, col;
	char msg[1024];     /* Go's wording, without the "template: file:line:col: " prefix */
} kf_tmpl_error;

typedef struct kf_tmpl_set kf_tmpl_set;
typedef struct kf_tmpl_call kf_tmpl_call;

/* A function: args[0, nargs) evaluated; writes its result to *out and
 * returns true, or returns false after kf_tmpl_call_fail (the execution
 * stops: Go's "error calling NAME: MSG"). */
typedef bool (*kf_tmpl_fn)(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out);

typedef struct kf_tmpl_func {
	const char *name;
	kf_tmpl_fn fn;
	int min_args, max_args; /* max -1: variadic; checked before the call, Go's message */
} kf_tmpl_func;

/* tables: NULL-terminated list of arrays, each ended by {NULL}; a name in
 * a later table replaces an earlier one. limits: NULL for
 * KF_TMPL_LIMITS_INIT. */
kf_tmpl_set *kf_tmpl_set_new(const kf_tmpl_limits *limits, const kf_tmpl_func *const *tables);
void kf_tmpl_set_free(kf_tmpl_set *s);

/* Parses text[0, len) as the template named name (copied). On a syntax
 * error returns false and fills err; the set keeps what it had. */
bool kf_tmpl_set_parse(kf_tmpl_set *s, const char *name, const char *text, size_t len, kf_tmpl_error *err);
bool kf_tmpl_set_has(const kf_tmpl_set *s, const char *name);

/* Executes the template name with data as dot (and $), appending to out.
 * A missing value prints "<no value>" as in Go; helm removes those from
 * each rendered file (and tpl from its result), so a renderer does too.
 * Helm also rewords the errors of required and fail ("execution error at
 * (file:line:col): msg"); here they are Go's ("error calling required:
 * msg"). Beyond helm v3.8.1 (Go 1.17), range over an integer, break and
 * continue are accepted (Go 1.18 and 1.22), as issue 19 asks.
 * Values are made in a (freed by the caller). user is handed to functions
 * (kf_tmpl_call_user). missingkey: helm's default is Go's
 * "missingkey=zero" (a missing map key is nil, printed "<no value>");
 * the engine always behaves so. On an error returns false with err filled
 * (out holds what was written before it). */
bool kf_tmpl_execute(kf_tmpl_set *s, kf_arena *a, const char *name, kf_tv data, void *user, kf_buf *out,
		     kf_tmpl_error *err);

/* ---- for functions ------------------------------------------------------------------ */

kf_arena *kf_tmpl_call_arena(kf_tmpl_call *c);
void *kf_tmpl_call_user(kf_tmpl_call *c);
/* the name of the function being called, as written */
const char *kf_tmpl_call_name(kf_tmpl_call *c);
/* Sets the error of the call (Go's "error calling NAME: " is added by the
 * engine); returns false. */
bool kf_tmpl_call_fail(kf_tmpl_call *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Charges n bytes of values against the memory limit; false (and the call
 * failed) when it is crossed: functions that make large values (until,
 * repeat, toYaml) call it before they make them. */
bool kf_tmpl_call_charge(kf_tmpl_call *c, size_t n);
/* Executes the defined template name with data into out (helm's include);
 * counts toward the depth limit. */
bool kf_tmpl_call_include(kf_tmpl_call *c, const char *name, kf_tv data, kf_buf *out);
/* Parses text as a template (named as the calling template, as helm's tpl
 * does) with the set's defines and executes it with data (helm's tpl). */
bool kf_tmpl_call_tpl(kf_tmpl_call *c, const char *text, size_t len, kf_tv data, kf_buf *out);

/* ---- conversions functions share (Go's and sprig's rules) ----------------------------- */

/* sprig's toString / Go's fmt.Sprint of one value: strings as they are,
 * nil as "<nil>", the rest as kf_tv_print */
kf_tv kf_tmpl_to_string(kf_arena *a, kf_tv v);

/* Appends the standard base64 of data[0, n), padded (Go's
 * base64.StdEncoding; sprig's b64enc, helm's AsSecrets) */
void kf_tmpl_base64(kf_buf *out, const void *data, size_t n);

extern const kf_tmpl_func kf_tmpl_builtins[];
extern const kf_tmpl_func kf_tmpl_helm_funcs[];

#endif
