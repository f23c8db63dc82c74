/* SPDX-License-Identifier: Apache-2.0 */
/* rpc.h - JSON-RPC 2.0 over stdio with LSP's Content-Length framing.
 *
 * kf_rpc_read returns one message's body at a time. A frame with a bad
 * header block is reported (KF_RPC_BAD, with a reason) and the reader
 * finds the next frame by itself, so that one broken message never stops
 * the server nor costs it the messages after it; docs/kfls.md
 * ("Framing") states the rules. Memory is bounded by the largest message
 * accepted, whatever the input. kf_rpc_pending says whether more input is
 * already waiting, which lets the server read ahead and honour
 * $/cancelRequest for requests it has not started.
 */
#ifndef KF_RPC_H
#define KF_RPC_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "base/buf.h"

/* Messages larger than this are refused (their body is skipped). */
#define KF_RPC_MAX_MESSAGE ((size_t)64 << 20)
/* Header lines longer than this (before the line break) are not headers. */
#define KF_RPC_MAX_HEADER_LINE 1024

typedef enum kf_rpc_status {
	KF_RPC_MESSAGE, /* *body is a message (malloc'd, NUL-terminated) */
	KF_RPC_BAD,     /* a frame that could not be read: *why says why (static) */
	KF_RPC_EOF,
} kf_rpc_status;

typedef struct kf_rpc {
	int in, out;
	kf_buf buf;      /* bytes read but not yet consumed */
	size_t pos;      /* start of the unconsumed bytes in buf */
	bool eof;
	/* the frame being read */
	int state;       /* in a header block, a body, or looking for a frame */
	bool in_header;  /* a line of the header block has been read */
	unsigned nlength; /* Content-Length fields in the block */
	size_t length;   /* the last one's value (capped past KF_RPC_MAX_MESSAGE) */
	const char *bad; /* why the block is refused, once it is */
	/* a frame that kf_rpc_pending read ahead */
	bool ahead;
	kf_rpc_status ahead_status;
	char *ahead_body;
	size_t ahead_len;
	const char *ahead_why;
} kf_rpc;

void kf_rpc_init(kf_rpc *rpc, int in, int out);
void kf_rpc_release(kf_rpc *rpc);
/* The next frame: a message (*body, *len), a bad frame (*why, a static
 * string), or the end of input. Blocks until one is complete. */
kf_rpc_status kf_rpc_read(kf_rpc *rpc, char **body, size_t *len, const char **why);
/* Is a whole frame already buffered, or input waiting on the fd? */
bool kf_rpc_pending(kf_rpc *rpc);
/* Writes one message (steals the reference). Returns false on a write error. */
bool kf_rpc_send(kf_rpc *rpc, json_t *msg);

/* Writes one message whose JSON text is already made. */
bool kf_rpc_send_text(kf_rpc *rpc, const char *json, size_t len);

/* JSON-RPC and LSP error codes */
enum {
	KF_RPC_PARSE_ERROR = -32700,
	KF_RPC_INVALID_REQUEST = -32600,
	KF_RPC_METHOD_NOT_FOUND = -32601,
	KF_RPC_INVALID_PARAMS = -32602,
	KF_RPC_INTERNAL_ERROR = -32603,
	KF_RPC_SERVER_NOT_INITIALIZED = -32002,
	KF_RPC_REQUEST_FAILED = -32803,
	KF_RPC_REQUEST_CANCELLED = -32800,
};

#endif
