/* SPDX-License-Identifier: Apache-2.0 */
/* session.h - the state of one kfls session, which every part of the
 * server reads: the connection, the client's choices, the open documents
 * (documents.h), the per-message scratch; and what a method's handler is.
 *
 * Memory: the session owns everything it points to; kfls_serve (kfls.h)
 * makes it and frees it all when the session ends. A handler allocates
 * its scratch memory from s->req, released after every message.
 */
#ifndef KF_KFLS_SESSION_H
#define KF_KFLS_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/fscache.h"
#include "lint/shellcheck.h"
#include "rpc.h"

struct kfls_doc;

typedef struct kfls {
	kf_rpc rpc;
	bool initialized;
	bool shutdown;
	bool utf8;             /* positionEncoding utf-8 (else utf-16) */
	bool watch_files;      /* the client registers file watchers for us */
	bool push_diagnostics; /* send publishDiagnostics (on unless the client pulls only) */
	unsigned settings_gen; /* bumped when settings may have changed */
	json_t *client_settings; /* the "kubefile" section of the editor's settings, or NULL */
	struct kfls_doc *docs; /* the open documents (documents.h) */
	kf_fscache *fs;        /* the build contexts' files, between analyses */
	kf_shellcheck_cache *shellcheck; /* ShellCheck's findings by script: a keystroke outside
	                                  * a command runs no shellcheck */
	kf_arena req;          /* per-message scratch */
	kf_buf raw;            /* a handler's result as JSON text, when raw_result */
	kf_buf pub;            /* publishDiagnostics being written, kept between them */
	bool raw_result;
} kfls;

/* A request's error: an LSP error code and a static message. */
typedef struct kfls_error {
	int code;
	const char *message;
} kfls_error;

/* A method's handler. params is borrowed (NULL: none). It returns the
 * result, a new reference the loop sends and releases (NULL: null); or
 * sets err (code and message) and returns NULL; or writes the result's
 * JSON text to s->raw, sets s->raw_result and returns NULL. What a
 * notification's handler returns is released unsent. */
typedef json_t *(*kfls_handler)(kfls *s, json_t *params, kfls_error *err);

#endif
