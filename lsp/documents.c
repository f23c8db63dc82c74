/* SPDX-License-Identifier: Apache-2.0 */
/* documents.c - the open documents: their text, edits, settings and
 * analysis (documents.h). */
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/kfconfig.h"
#include "config/settings.h"
#include "lint/lint.h"
#include "documents.h"
#include "protocol.h"

/* ---- finding them ------------------------------------------------------- */

static kfls_doc *find(kfls *s, const char *uri)
{
	for (kfls_doc *d = s->docs; d; d = d->next)
		if (strcmp(d->uri, uri) == 0)
			return d;
	return NULL;
}

kfls_doc *kfls_doc_param(kfls *s, json_t *params, kfls_error *err)
{
	const char *uri = json_string_value(json_object_get(json_object_get(params, "textDocument"), "uri"));
	kfls_doc *d = uri ? find(s, uri) : NULL;
	if (!d) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = uri ? "unknown document (not opened with didOpen)" : "missing textDocument.uri";
	}
	return d;
}

kfls_doc *kfls_doc_position(kfls *s, json_t *params, uint32_t *off, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d || !kfls_position_param(s, &d->src, params, off, err))
		return NULL;
	return d;
}

kfls_doc *kfls_doc_range(kfls *s, json_t *params, kf_span *range, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d || !kfls_range_param(s, &d->src, params, range, err))
		return NULL;
	return d;
}

/* ---- opening, changing, closing ------------------------------------------ */

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

kfls_doc *kfls_doc_open(kfls *s, const char *uri)
{
	kfls_doc *d = find(s, uri);
	if (d)
		return d;
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
	return d;
}

bool kfls_doc_set_text(kfls_doc *d, const char *text, size_t len, kfls_error *err)
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

bool kfls_doc_change(kfls *s, kfls_doc *d, json_t *ch, kfls_error *err)
{
	json_t *text = json_object_get(ch, "text");
	json_t *range = json_object_get(ch, "range");
	if (!json_is_string(text))
		goto bad;
	if (!range || json_is_null(range))
		return kfls_doc_set_text(d, json_string_value(text), json_string_length(text), err);
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
	bool ok = kfls_doc_set_text(d, nb.ptr ? nb.ptr : "", nb.len, err);
	kf_buf_release(&nb);
	return ok;
bad:
	err->code = KF_RPC_INVALID_PARAMS;
	err->message = "bad contentChanges entry";
	return false;
}

void kfls_doc_close(kfls *s, kfls_doc *d)
{
	for (kfls_doc **pp = &s->docs; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	doc_free(d);
}

void kfls_docs_free(kfls *s)
{
	while (s->docs) {
		kfls_doc *d = s->docs;
		s->docs = d->next;
		doc_free(d);
	}
}

/* ---- settings ----------------------------------------------------------- */

/* Starts a run of the file cache (what is on disk is looked at again),
 * finds (again, when settings changed) the document's settings file and
 * loads it into cfg; the caller releases cfg. A broken file is remembered
 * as d->cfg_error and the defaults are used. */
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

void kfls_doc_analyse(kfls *s, kfls_doc *d)
{
	doc_clear_analysis(d);
	d->ast = kf_parse(&d->src);
	kf_diag_bag_init(&d->diags, &d->ast->arena);
	kf_config cfg;
	doc_config(s, d, &cfg);
	kf_lint_settings ls;
	char *err = NULL;
	/* ShellCheck runs by default, as in kflint (docs/kfls.md) */
	if (!kf_lint_settings_init(&ls, &cfg, true, &err)) {
		if (!d->cfg_error)
			d->cfg_error = err;
		else
			free(err);
		kf_lint_settings_release(&ls);
		kf_config_release(&cfg);
		kf_config_init(&cfg);
		kf_lint_settings_init(&ls, &cfg, true, &err);
	}
	client_lint_settings(s, &ls);
	ls.opt.context_dir = d->dir;
	ls.opt.fs = s->fs;
	ls.opt.shellcheck_cache = s->shellcheck;
	kf_lint(d->ast, &ls.opt, &d->diags);
	if (d->cfg_error)
		kf_diag_add(&d->diags, KF_SEV_ERROR, (kf_span){0, 0}, "KF000", "settings: %s", d->cfg_error);
	kf_lint_settings_release(&ls);
	kf_config_release(&cfg);
}

const kf_model *kfls_model(kfls_doc *d)
{
	if (!d->model)
		d->model = kf_model_build(d->ast, KF_DIALECT_AUTO);
	return d->model;
}
