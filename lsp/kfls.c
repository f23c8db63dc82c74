/* SPDX-License-Identifier: Apache-2.0 */
/* kfls.c - the Kubefile language server: LSP 3.17 over stdio.
 *
 * The loop (kfls_serve; main.c is the command): it reads messages (rpc.h),
 * reading ahead so that $/cancelRequest reaches a request before it runs,
 * answers the lifecycle (initialize, initialized, shutdown, exit) and
 * hands every other method to its row of the method table (methods.h).
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "base/vec.h"
#include "documents.h"
#include "methods.h"
#include "kfls.h"
#include "session.h"

/* ---- lifecycle ------------------------------------------------------------ */

static json_t *initialize(kfls *s, json_t *params, kfls_error *err)
{
	json_t *caps = json_object_get(params, "capabilities");
	json_t *encs = json_object_get(json_object_get(caps, "general"), "positionEncodings");
	size_t i;
	json_t *e;
	s->utf8 = false;
	json_array_foreach(encs, i, e)
		if (json_is_string(e) && strcmp(json_string_value(e), "utf-8") == 0)
			s->utf8 = true;
	s->watch_files = json_is_true(json_object_get(
		json_object_get(json_object_get(caps, "workspace"), "didChangeWatchedFiles"), "dynamicRegistration"));
	json_t *opts = json_object_get(params, "initializationOptions");
	json_t *k = json_object_get(opts, "kubefile");
	if (!json_is_object(k))
		k = json_is_object(opts) && json_object_size(opts) ? opts : NULL;
	if (k) {
		json_decref(s->client_settings);
		s->client_settings = json_incref(k);
	}
	s->initialized = true;
	json_t *sc = json_object();
	json_object_set_new(sc, "positionEncoding", json_string(s->utf8 ? "utf-8" : "utf-16"));
	kfls_method_capabilities(sc);
	return json_pack("{s:o,s:{s:s,s:s}}", "capabilities", sc, "serverInfo", "name", "kfls", "version",
			 PACKAGE_VERSION);
}

static json_t *initialized(kfls *s, json_t *params, kfls_error *err)
{
	/* ask to hear of settings files changing, if the client can watch */
	if (s->watch_files)
		kf_rpc_send(&s->rpc, json_pack("{s:s,s:s,s:s,s:{s:[{s:s,s:s,s:{s:[{s:s}]}}]}}", "jsonrpc", "2.0", "id",
					       "kfls-watch", "method", "client/registerCapability", "params",
					       "registrations", "id", "kflint-settings", "method",
					       "workspace/didChangeWatchedFiles", "registerOptions", "watchers",
					       "globPattern", "**/.kflint.{yaml,yml}"));
	return NULL;
}

static json_t *shutdown_req(kfls *s, json_t *params, kfls_error *err)
{
	s->shutdown = true;
	return json_null();
}

/* The handler of a method: the lifecycle's are the loop's own, the others
 * the table's. NULL: no such method. */
static kfls_handler find_handler(const char *name)
{
	if (strcmp(name, "initialize") == 0)
		return initialize;
	if (strcmp(name, "initialized") == 0)
		return initialized;
	if (strcmp(name, "shutdown") == 0)
		return shutdown_req;
	const kfls_method *m = kfls_method_find(name);
	return m ? m->handler : NULL;
}

/* ---- the loop ----------------------------------------------------------------- */

static void send_error(kfls *s, json_t *id, int code, const char *message)
{
	kf_rpc_send(&s->rpc, json_pack("{s:s,s:O,s:{s:i,s:s}}", "jsonrpc", "2.0", "id", id ? id : json_null(),
				       "error", "code", code, "message", message));
}

/* A message read and not yet handled. A frame or body that could not be
 * read is queued too (msg NULL, why set), so that answers keep the order of
 * the input. */
typedef struct queued {
	json_t *msg;
	bool cancelled;
	const char *why;
} queued;

static bool same_id(json_t *a, json_t *b)
{
	return a && b && json_equal(a, b);
}

/* Answers the request id with what its handler returned (result, a
 * reference this takes; or s->raw; or err). */
static void reply(kfls *s, json_t *id, json_t *result, const kfls_error *err)
{
	if (err->code) {
		send_error(s, id, err->code, err->message);
		json_decref(result);
	} else if (s->raw_result) {
		char *ids = json_dumps(id, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":", ids ? ids : "null");
		kf_buf_add(&b, s->raw.ptr, s->raw.len);
		kf_buf_addc(&b, '}');
		kf_rpc_send_text(&s->rpc, b.ptr, b.len);
		kf_buf_release(&b);
		free(ids);
	} else {
		kf_rpc_send(&s->rpc, json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result",
					       result ? result : json_null()));
	}
}

/* Handles one message; returns false when the server should exit. */
static bool handle(kfls *s, queued *q, int *status)
{
	json_t *msg = q->msg;
	if (!msg) {
		send_error(s, NULL, KF_RPC_PARSE_ERROR, q->why);
		return true;
	}
	json_t *id = json_object_get(msg, "id");
	json_t *m = json_object_get(msg, "method");
	if (!json_is_object(msg) || (!m && !id)) {
		send_error(s, NULL, KF_RPC_INVALID_REQUEST, "not a JSON-RPC message");
		return true;
	}
	if (id && !json_is_string(id) && !json_is_integer(id)) {
		send_error(s, NULL, KF_RPC_INVALID_REQUEST, "id must be a number or a string");
		return true;
	}
	if (!m) /* a response to a request of ours */
		return true;
	if (!json_is_string(m)) {
		send_error(s, id, KF_RPC_INVALID_REQUEST, "method must be a string");
		return true;
	}
	const char *name = json_string_value(m);
	if (strcmp(name, "exit") == 0) {
		*status = s->shutdown ? 0 : 1;
		return false;
	}
	if (q->cancelled) {
		if (id)
			send_error(s, id, KF_RPC_REQUEST_CANCELLED, "request cancelled");
		return true;
	}
	if (!s->initialized && strcmp(name, "initialize") != 0) {
		if (id)
			send_error(s, id, KF_RPC_SERVER_NOT_INITIALIZED, "the server is not initialized");
		return true;
	}
	if (s->shutdown && id) {
		send_error(s, id, KF_RPC_INVALID_REQUEST, "the server is shutting down");
		return true;
	}
	if (s->initialized && strcmp(name, "initialize") == 0 && id) {
		send_error(s, id, KF_RPC_INVALID_REQUEST, "the server is already initialized");
		return true;
	}
	kfls_handler fn = find_handler(name);
	if (!fn) {
		if (id) /* unknown notifications ($/…) are ignored, as LSP says */
			send_error(s, id, KF_RPC_METHOD_NOT_FOUND, "method not found");
		return true;
	}
	json_t *params = json_object_get(msg, "params");
	if (json_is_null(params)) /* some clients send "params": null for none */
		params = NULL;
	if (params && !json_is_object(params) && !json_is_array(params)) {
		if (id)
			send_error(s, id, KF_RPC_INVALID_PARAMS, "params must be an object");
		return true;
	}
	kfls_error err = {0, NULL};
	s->raw_result = false;
	kf_buf_reset(&s->raw);
	json_t *result = fn(s, params, &err);
	if (id)
		reply(s, id, result, &err);
	else
		json_decref(result);
	return true;
}

int kfls_serve(int in, int out)
{
	kfls s;
	memset(&s, 0, sizeof(s));
	s.push_diagnostics = true;
	kf_rpc_init(&s.rpc, in, out);
	s.fs = kf_fscache_new();
	s.shellcheck = kf_shellcheck_cache_new();
	kf_arena_init(&s.req);
	KF_VEC(queued) queue = {NULL, 0, 0};
	int status = 1;
	bool running = true;
	while (running) {
		/* read one message, then whatever else is already waiting, so a
		 * $/cancelRequest can reach a request before it runs */
		do {
			char *body = NULL;
			size_t len = 0;
			const char *why = NULL;
			kf_rpc_status st = kf_rpc_read(&s.rpc, &body, &len, &why);
			if (st == KF_RPC_EOF) {
				running = false;
				break;
			}
			if (st == KF_RPC_BAD) {
				queued q = {NULL, false, why};
				kf_vec_push(&queue, q);
				continue;
			}
			json_error_t jerr;
			json_t *msg = json_loadb(body, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
			free(body);
			if (!msg) {
				queued q = {NULL, false, "invalid JSON"};
				kf_vec_push(&queue, q);
				continue;
			}
			json_t *m = json_object_get(msg, "method");
			if (json_is_string(m) && strcmp(json_string_value(m), "$/cancelRequest") == 0) {
				json_t *cid = json_object_get(json_object_get(msg, "params"), "id");
				for (size_t i = 0; i < queue.n; i++)
					if (same_id(json_object_get(queue.v[i].msg, "id"), cid))
						queue.v[i].cancelled = true;
				json_decref(msg);
				continue;
			}
			queued q = {msg, false, NULL};
			kf_vec_push(&queue, q);
		} while (queue.n < 256 && kf_rpc_pending(&s.rpc));
		size_t i = 0;
		for (; i < queue.n; i++) {
			bool go_on = handle(&s, &queue.v[i], &status);
			json_decref(queue.v[i].msg);
			kf_arena_release(&s.req);
			if (!go_on) {
				running = false;
				i++;
				break;
			}
		}
		for (; i < queue.n; i++)
			json_decref(queue.v[i].msg);
		queue.n = 0;
	}
	kf_vec_free(&queue);
	kfls_docs_free(&s);
	json_decref(s.client_settings);
	kf_fscache_free(s.fs);
	kf_shellcheck_cache_free(s.shellcheck);
	kf_buf_release(&s.pub);
	kf_buf_release(&s.raw);
	kf_arena_release(&s.req);
	kf_rpc_release(&s.rpc);
	return status;
}
