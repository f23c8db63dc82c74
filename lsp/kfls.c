/* kfls.c - the Kubefile language server: LSP 3.17 over stdio.
 *
 * This file holds the message loop (kfls_serve; main.c is the command),
 * the lifecycle, document synchronisation and settings; features.c
 * answers the feature requests.
 * Every change re-parses and re-lints the document with the library's
 * kf_parse and kf_lint, the code kflint runs, with the same settings file
 * lookup (kf_config_find), so the editor shows what kflint prints.
 */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "syntax/jsonutil.h"
#include "kfls.h"

/* ---- positions ------------------------------------------------------- */

json_t *kfls_pos(kfls *s, const kf_source *src, uint32_t off)
{
	if (off > src->len)
		off = (uint32_t)src->len;
	kf_position p = kf_source_position(src, off);
	return json_pack("{s:I,s:I}", "line", (json_int_t)p.line, "character",
			 (json_int_t)(s->utf8 ? p.col8 : p.col16));
}

json_t *kfls_range(kfls *s, const kf_source *src, kf_span span)
{
	return json_pack("{s:o,s:o}", "start", kfls_pos(s, src, span.start), "end", kfls_pos(s, src, span.end));
}

bool kfls_offset(kfls *s, const kf_source *src, json_t *pos, uint32_t *off)
{
	json_t *l = json_object_get(pos, "line"), *c = json_object_get(pos, "character");
	if (!json_is_integer(l) || !json_is_integer(c) || json_integer_value(l) < 0 || json_integer_value(c) < 0)
		return false;
	json_int_t line = json_integer_value(l), col = json_integer_value(c);
	if ((size_t)line >= src->nlines) {
		*off = (uint32_t)src->len; /* past the end: the end */
		return true;
	}
	if (col > UINT32_MAX)
		col = UINT32_MAX;
	*off = s->utf8 ? kf_source_offset_utf8(src, (uint32_t)line, (uint32_t)col)
		       : kf_source_offset_utf16(src, (uint32_t)line, (uint32_t)col);
	return true;
}

void kfls_json_uint(kf_buf *b, uint64_t v)
{
	char t[24];
	int i = sizeof(t);
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kf_buf_add(b, t + i, sizeof(t) - (size_t)i);
}

/* the bytes a JSON string holds as they are: printable ASCII but the quote
 * and the backslash */
static inline bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void kfls_json_string(kf_buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n && json_plain(u[i]))
		i++;
	kf_buf_grow(b, n + 2);
	b->ptr[b->len++] = '"';
	memcpy(b->ptr + b->len, p, i);
	b->len += i;
	size_t run = i;
	while (i < n) {
		unsigned char c = u[i];
		if (json_plain(c)) {
			i++;
			continue;
		}
		kf_buf_add(b, p + run, i - run);
		if (c >= 0x80) {
			uint32_t cp;
			int l = kf_utf8_seqlen(u + i, n - i, &cp);
			if (l > 0) {
				kf_buf_add(b, p + i, (size_t)l);
				i += (size_t)l;
			} else {
				kf_buf_adds(b, "\\ufffd");
				i++;
			}
		} else {
			char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			if (c == '"' || c == '\\') {
				e[1] = (char)c;
				e[2] = 0;
			}
			kf_buf_adds(b, e);
			i++;
		}
		run = i;
	}
	kf_buf_add(b, p + run, n - run);
	kf_buf_addc(b, '"');
}

static void json_pos_text(kfls *s, kf_buf *b, const kf_source *src, uint32_t off)
{
	kf_position p = kf_source_position(src, off > src->len ? (uint32_t)src->len : off);
	kf_buf_adds(b, "{\"line\":");
	kfls_json_uint(b, p.line);
	kf_buf_adds(b, ",\"character\":");
	kfls_json_uint(b, s->utf8 ? p.col8 : p.col16);
	kf_buf_addc(b, '}');
}

void kfls_json_range(kfls *s, kf_buf *b, const kf_source *src, kf_span span)
{
	kf_buf_adds(b, "{\"start\":");
	json_pos_text(s, b, src, span.start);
	kf_buf_adds(b, ",\"end\":");
	json_pos_text(s, b, src, span.end);
	kf_buf_addc(b, '}');
}

json_t *kfls_location(kfls *s, kfls_doc *d, kf_span span)
{
	return json_pack("{s:s,s:o}", "uri", d->uri, "range", kfls_range(s, &d->src, span));
}

json_t *kfls_text_edit(kfls *s, const kf_source *src, kf_span span, const char *text, size_t len)
{
	return json_pack("{s:o,s:o}", "range", kfls_range(s, src, span), "newText", kfls_str(kf_str_make(text, len)));
}

json_t *kfls_str(kf_str str)
{
	return kf_json_str(str);
}

/* ---- documents --------------------------------------------------------- */

kfls_doc *kfls_find(kfls *s, const char *uri)
{
	for (kfls_doc *d = s->docs; d; d = d->next)
		if (strcmp(d->uri, uri) == 0)
			return d;
	return NULL;
}

kfls_doc *kfls_doc_param(kfls *s, json_t *params, kfls_error *err)
{
	const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
	kfls_doc *d = uri ? kfls_find(s, uri) : NULL;
	if (!d) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = uri ? "unknown document (not opened with didOpen)" : "missing textDocument.uri";
	}
	return d;
}

const kf_model *kfls_model(kfls_doc *d)
{
	if (!d->model)
		d->model = kf_model_build(d->ast, KF_DIALECT_AUTO);
	return d->model;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* file:///a%20b/Kubefile -> /a b/Kubefile; NULL for other URIs */
static char *uri_path(const char *uri)
{
	if (strncmp(uri, "file://", 7) != 0)
		return NULL;
	const char *p = uri + 7;
	if (*p != '/') { /* file://host/path: only localhost */
		if (strncmp(p, "localhost/", 10) != 0)
			return NULL;
		p += 9;
	}
	kf_buf b = KF_BUF_INIT;
	for (; *p && *p != '?' && *p != '#'; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			kf_buf_addc(&b, (char)(hexval(p[1]) * 16 + hexval(p[2])));
			p += 2;
		} else {
			kf_buf_addc(&b, *p);
		}
	}
	return kf_buf_detach(&b, NULL);
}

static void doc_clear_analysis(kfls_doc *d)
{
	if (d->model)
		kf_model_free(d->model);
	d->model = NULL;
	if (d->ast) {
		kf_diag_bag_release(&d->diags);
		kf_document_free(d->ast);
	}
	d->ast = NULL;
}

static void doc_free(kfls_doc *d)
{
	doc_clear_analysis(d);
	kf_source_release(&d->src);
	free(d->uri);
	free(d->path);
	free(d->dir);
	free(d->cfg_path);
	free(d->cfg_error);
	free(d);
}

/* ---- settings ----------------------------------------------------------- */

/* Finds (again, when settings changed) the document's settings file and
 * loads it into cfg; the caller releases cfg. A broken file is remembered
 * as d->cfg_error and the defaults are used. */
/* Starts a run of the file cache (what is on disk is looked at again) and
 * reads the document's settings file. */
static void doc_config(kfls *s, kfls_doc *d, kf_config *cfg)
{
	kf_fscache_begin(s->fs);
	kf_config_init(cfg);
	if (d->settings_gen != s->settings_gen || !d->cfg_path) {
		free(d->cfg_path);
		d->cfg_path = kf_config_find(s->fs, d->dir);
		d->settings_gen = s->settings_gen;
	}
	free(d->cfg_error);
	d->cfg_error = NULL;
	if (!d->cfg_path)
		return;
	if (kf_fscache_type(s->fs, d->cfg_path) != S_IFREG) {
		free(d->cfg_path);
		d->cfg_path = kf_config_find(s->fs, d->dir);
		if (!d->cfg_path)
			return;
	}
	char *err = NULL;
	if (!kf_config_load(cfg, d->cfg_path, &err)) {
		d->cfg_error = err;
		kf_config_release(cfg);
		kf_config_init(cfg);
	}
}

static json_t *setting(kfls *s, const char *key)
{
	return s->client_settings ? json_object_get(s->client_settings, key) : NULL;
}

/* The editor's settings (kubefile.*) over the settings file: each key the
 * client sets replaces the file's. */
static void client_lint_settings(kfls *s, kf_lint_settings *ls)
{
	json_t *v;
	if ((v = setting(s, "dialect")) && json_is_string(v))
		kf_dialect_parse(json_string_value(v), &ls->opt.dialect);
	if ((v = setting(s, "shellcheck")) && json_is_boolean(v))
		ls->opt.shellcheck = json_is_true(v);
	if ((v = setting(s, "ignore")) && json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
			if (json_is_string(e) && kf_lint_code_known(json_string_value(e)))
				kf_vec_push(&ls->ignored, json_string_value(e));
	}
	if ((v = setting(s, "severity")) && json_is_object(v)) {
		const char *k;
		json_t *e;
		json_object_foreach(v, k, e) {
			int lvl = json_is_string(e) ? kf_severity_parse(json_string_value(e)) : -1;
			if (lvl >= 0 && kf_lint_code_known(k)) {
				kf_severity_override o = {k, (kf_severity)lvl};
				kf_vec_push(&ls->overrides, o);
			}
		}
	}
	kf_lint_settings_sync(ls);
}

void kfls_fmt_options(kfls *s, kfls_doc *d, json_t *lsp_opts, kf_fmt_options *opt)
{
	kf_fmt_options def = KF_FMT_OPTIONS_INIT;
	*opt = def;
	json_t *v;
	/* the editor's indentation first, then the settings file, then kubefile.fmt */
	if ((v = json_object_get(lsp_opts, "tabSize")) && json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= 16)
		opt->indent = (unsigned)json_integer_value(v);
	if ((v = json_object_get(lsp_opts, "insertSpaces")) && json_is_boolean(v))
		opt->use_tabs = !json_is_true(v);
	kf_config cfg;
	doc_config(s, d, &cfg);
	kf_config_apply_fmt(&cfg, opt);
	kf_config_release(&cfg);
	json_t *f = setting(s, "fmt");
	if ((v = json_object_get(f, "indent")) && json_is_integer(v) && json_integer_value(v) > 0 &&
	    json_integer_value(v) <= 16)
		opt->indent = (unsigned)json_integer_value(v);
	if ((v = json_object_get(f, "useTabs")) && json_is_boolean(v))
		opt->use_tabs = json_is_true(v);
	if ((v = json_object_get(f, "rewriteLegacyEnv")) && json_is_boolean(v))
		opt->rewrite_legacy_env = json_is_true(v);
	if ((v = json_object_get(f, "rewriteCmdsJson")) && json_is_boolean(v))
		opt->rewrite_cmds_json = json_is_true(v);
}

/* ---- analysis ----------------------------------------------------------- */

static void doc_analyse(kfls *s, kfls_doc *d)
{
	doc_clear_analysis(d);
	d->ast = kf_parse(&d->src);
	kf_diag_bag_init(&d->diags, &d->ast->arena);
	kf_config cfg;
	doc_config(s, d, &cfg);
	kf_lint_settings ls;
	char *err = NULL;
	if (!kf_lint_settings_init(&ls, &cfg, false, &err)) {
		if (!d->cfg_error)
			d->cfg_error = err;
		else
			free(err);
		kf_lint_settings_release(&ls);
		kf_config_release(&cfg);
		kf_config_init(&cfg);
		kf_lint_settings_init(&ls, &cfg, false, &err);
	}
	client_lint_settings(s, &ls);
	ls.opt.context_dir = d->dir;
	ls.opt.fs = s->fs;
	kf_lint(d->ast, &ls.opt, &d->diags);
	if (d->cfg_error)
		kf_diag_add(&d->diags, KF_SEV_ERROR, (kf_span){0, 0}, "KF000", "settings: %s", d->cfg_error);
	kf_lint_settings_release(&ls);
	kf_config_release(&cfg);
}

static void publish(kfls *s, kfls_doc *d)
{
	if (!s->push_diagnostics)
		return;
	/* one buffer for every publication: no regrowing (and no page
	 * faults) per keystroke; a very large one is not kept */
	kf_buf *b = &s->pub;
	kf_buf_reset(b);
	kf_buf_adds(b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":");
	kfls_json_string(b, d->uri, strlen(d->uri));
	kf_buf_printf(b, ",\"version\":%lld,\"diagnostics\":", (long long)d->version);
	kfls_diagnostics_text(s, d, b);
	kf_buf_adds(b, "}}");
	kf_rpc_send_text(&s->rpc, b->ptr, b->len);
	if (b->cap > (4u << 20))
		kf_buf_release(b);
}

static bool set_text(kfls_doc *d, const char *text, size_t len, kfls_error *err)
{
	if (len > KFLS_MAX_DOCUMENT) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = "document too large";
		return false;
	}
	kf_source src;
	const char *why;
	if (!kf_source_init_mem(&src, d->path ? d->path : d->uri, text, len, &why)) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = "document too large";
		return false;
	}
	kf_source_release(&d->src);
	d->src = src;
	return true;
}

static json_t *did_open(kfls *s, json_t *params, kfls_error *err)
{
	json_t *td = json_object_get(params, "textDocument");
	const char *uri = json_string_value(json_object_get(td, "uri"));
	json_t *text = json_object_get(td, "text");
	if (!uri || !json_is_string(text)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "didOpen needs textDocument.uri and text";
		return NULL;
	}
	kfls_doc *d = kfls_find(s, uri);
	if (!d) {
		d = kf_xcalloc(1, sizeof(*d));
		d->uri = kf_xstrdup(uri);
		d->path = uri_path(uri);
		if (d->path) {
			char *tmp = kf_xstrdup(d->path);
			d->dir = kf_xstrdup(dirname(tmp));
			free(tmp);
		} else {
			d->dir = kf_xstrdup(".");
		}
		d->settings_gen = s->settings_gen;
		const char *e;
		kf_source_init_mem(&d->src, d->path ? d->path : uri, "", 0, &e);
		d->next = s->docs;
		s->docs = d;
	}
	json_t *ver = json_object_get(td, "version");
	d->version = json_is_integer(ver) ? json_integer_value(ver) : 0;
	if (!set_text(d, json_string_value(text), json_string_length(text), err))
		kf_source_release(&d->src), kf_source_init_mem(&d->src, d->uri, "", 0, &err->message);
	doc_analyse(s, d);
	publish(s, d);
	return NULL;
}

/* One contentChange: a range replaced, or (no range) the whole text. */
static bool apply_change(kfls *s, kfls_doc *d, json_t *ch, kfls_error *err)
{
	json_t *text = json_object_get(ch, "text");
	json_t *range = json_object_get(ch, "range");
	if (!json_is_string(text))
		goto bad;
	if (!range || json_is_null(range))
		return set_text(d, json_string_value(text), json_string_length(text), err);
	uint32_t a, b;
	if (!kfls_offset(s, &d->src, json_object_get(range, "start"), &a) ||
	    !kfls_offset(s, &d->src, json_object_get(range, "end"), &b))
		goto bad;
	if (b < a) {
		uint32_t t = a;
		a = b;
		b = t;
	}
	kf_buf nb = KF_BUF_INIT;
	kf_buf_add(&nb, d->src.text, a);
	kf_buf_add(&nb, json_string_value(text), json_string_length(text));
	kf_buf_add(&nb, d->src.text + b, d->src.len - b);
	bool ok = set_text(d, nb.ptr ? nb.ptr : "", nb.len, err);
	kf_buf_release(&nb);
	return ok;
bad:
	err->code = KF_RPC_INVALID_PARAMS;
	err->message = "bad contentChanges entry";
	return false;
}

static json_t *did_change(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	json_t *changes = json_object_get(params, "contentChanges");
	size_t i;
	json_t *ch;
	json_array_foreach(changes, i, ch)
		if (!apply_change(s, d, ch, err))
			break;
	json_t *ver = json_object_get(json_object_get(params, "textDocument"), "version");
	if (json_is_integer(ver))
		d->version = json_integer_value(ver);
	doc_analyse(s, d);
	publish(s, d);
	return NULL;
}

static json_t *did_close(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	for (kfls_doc **pp = &s->docs; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	if (s->push_diagnostics)
		kf_rpc_send(&s->rpc, json_pack("{s:s,s:s,s:{s:s,s:[]}}", "jsonrpc", "2.0", "method",
					       "textDocument/publishDiagnostics", "params", "uri", d->uri,
					       "diagnostics"));
	doc_free(d);
	return NULL;
}

static json_t *did_save(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	/* local:// sources may have appeared: check again */
	doc_analyse(s, d);
	publish(s, d);
	return NULL;
}

static void reanalyse_all(kfls *s)
{
	s->settings_gen++;
	for (kfls_doc *d = s->docs; d; d = d->next) {
		doc_analyse(s, d);
		publish(s, d);
	}
}

static json_t *did_change_configuration(kfls *s, json_t *params, kfls_error *err)
{
	json_t *settings = json_object_get(params, "settings");
	json_t *k = json_object_get(settings, "kubefile");
	json_decref(s->client_settings);
	s->client_settings = json_is_object(k) ? json_incref(k) : NULL;
	reanalyse_all(s);
	return NULL;
}

static json_t *did_change_watched(kfls *s, json_t *params, kfls_error *err)
{
	reanalyse_all(s);
	return NULL;
}

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
	json_object_set_new(sc, "textDocumentSync",
			    json_pack("{s:b,s:i,s:{s:b}}", "openClose", 1, "change", 2, "save", "includeText", 0));
	kfls_capabilities(s, sc);
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

typedef struct method {
	const char *name;
	kfls_handler fn;
} method;

static const method methods[] = {
	{"initialize", initialize},
	{"initialized", initialized},
	{"shutdown", shutdown_req},
	{"textDocument/didOpen", did_open},
	{"textDocument/didChange", did_change},
	{"textDocument/didClose", did_close},
	{"textDocument/didSave", did_save},
	{"workspace/didChangeConfiguration", did_change_configuration},
	{"workspace/didChangeWatchedFiles", did_change_watched},
};

static kfls_handler lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(methods[i].name, name) == 0)
			return methods[i].fn;
	return kfls_feature(name);
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
	kfls_handler fn = lookup(name);
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
	if (id && !err.code && s->raw_result) {
		char *ids = json_dumps(id, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":", ids ? ids : "null");
		kf_buf_add(&b, s->raw.ptr, s->raw.len);
		kf_buf_addc(&b, '}');
		kf_rpc_send_text(&s->rpc, b.ptr, b.len);
		kf_buf_release(&b);
		free(ids);
	} else if (id) {
		if (err.code)
			send_error(s, id, err.code, err.message);
		else
			kf_rpc_send(&s->rpc, json_pack("{s:s,s:O,s:o}", "jsonrpc", "2.0", "id", id, "result",
						       result ? result : json_null()));
		if (err.code)
			json_decref(result);
	} else {
		json_decref(result);
	}
	return true;
}

int kfls_serve(int in, int out)
{
	kfls s;
	memset(&s, 0, sizeof(s));
	s.push_diagnostics = true;
	kf_rpc_init(&s.rpc, in, out);
	s.fs = kf_fscache_new();
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
	while (s.docs) {
		kfls_doc *d = s.docs;
		s.docs = d->next;
		doc_free(d);
	}
	json_decref(s.client_settings);
	kf_fscache_free(s.fs);
	kf_buf_release(&s.pub);
	kf_buf_release(&s.raw);
	kf_arena_release(&s.req);
	kf_rpc_release(&s.rpc);
	return status;
}
