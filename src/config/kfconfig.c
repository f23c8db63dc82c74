/* SPDX-License-Identifier: Apache-2.0 */
/* kfconfig.c - see kfconfig.h */
#include "config/kfconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/suggest.h"
#include "syntax/yamlload.h"

int kf_severity_parse(const char *s)
{
	static const char *const names[] = {"error", "warning", "info", "style"};
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void kf_config_init(kf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->failure_threshold = -1;
	cfg->shellcheck = -1;
	cfg->sc_limits.command_bytes = cfg->sc_limits.file_bytes = cfg->sc_limits.commands = -1;
	cfg->sc_limits.timeout = cfg->sc_limits.memory = -1;
	cfg->fmt.indent = -1;
	cfg->fmt.use_tabs = -1;
	cfg->fmt.rewrite_legacy_env = -1;
	cfg->fmt.rewrite_cmds_json = -1;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void kf_config_release(kf_config *cfg)
{
	free(cfg->path);
	free_list(cfg->ignored, cfg->nignored);
	free_list(cfg->override_codes, cfg->noverrides);
	free(cfg->override_levels);
	free(cfg->dialect);
	free_list(cfg->trusted_registries, cfg->ntrusted);
	free(cfg->format);
	kf_config_init(cfg);
}

typedef struct reader {
	yaml_document_t doc;
	const char *path;
	char **err;
	size_t budget; /* nodes left to visit: each once, and KF_YAML_WALK_EXTRA more through aliases */
	const yaml_node_t *at; /* the top-level key being read */
} reader;

/* Larger settings files are not read. */
#define MAX_FILE ((size_t)16 << 20)

__attribute__((format(printf, 3, 4)))
static bool fail(reader *r, const yaml_node_t *n, const char *fmt, ...)
{
	kf_buf b = KF_BUF_INIT;
	va_list ap;
	kf_buf_printf(&b, "%s:%zu:%zu: ", r->path, n ? n->start_mark.line + 1 : 1,
		      n ? n->start_mark.column + 1 : 1);
	va_start(ap, fmt);
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kf_buf_adds(&b, msg);
	*r->err = kf_buf_detach(&b, NULL);
	return false;
}

/* Counts a visit of n; false (with the error, at the top-level key whose
 * value led there) when the budget is spent. */
static bool visit(reader *r, const yaml_node_t *n)
{
	if (r->budget) {
		r->budget--;
		return true;
	}
	return fail(r, r->at ? r->at : n, "YAML over a limit: more than %d nodes visited through aliases",
		    KF_YAML_WALK_EXTRA);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static bool get_uint(reader *r, const yaml_node_t *n, const char *key, int lo, int hi, int *out)
{
	const char *s = scalar(n);
	char *end;
	long v = s ? strtol(s, &end, 10) : 0;
	if (!s || !*s || *end || v < lo || v > hi)
		return fail(r, n, "%s must be a whole number from %d to %d", key, lo, hi);
	*out = (int)v;
	return true;
}

static bool read_fmt(reader *r, yaml_node_t *map, kf_config *cfg)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(r, map, "fmt must be a mapping");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&r->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&r->doc, p->value);
		const char *key = scalar(k);
		if (!visit(r, v))
			return false;
		if (!key)
			return fail(r, k, "a key must be a string");
		if (strcmp(key, "indent") == 0) {
			if (!get_uint(r, v, "fmt.indent", 1, 16, &cfg->fmt.indent))
				return false;
		} else if (strcmp(key, "indent_style") == 0) {
			const char *s = scalar(v);
			if (s && strcmp(s, "space") == 0)
				cfg->fmt.use_tabs = 0;
			else if (s && strcmp(s, "tab") == 0)
				cfg->fmt.use_tabs = 1;
			else
				return fail(r, v, "fmt.indent_style must be space or tab");
		} else if (strcmp(key, "rewrite") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(r, v, "fmt.rewrite must be a list (legacy-env, cmds-json)");
			cfg->fmt.rewrite_legacy_env = cfg->fmt.rewrite_cmds_json = 0;
			for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(&r->doc, *it);
				const char *s = scalar(e);
				if (!visit(r, e))
					return false;
				if (s && strcmp(s, "legacy-env") == 0)
					cfg->fmt.rewrite_legacy_env = 1;
				else if (s && strcmp(s, "cmds-json") == 0)
					cfg->fmt.rewrite_cmds_json = 1;
				else
					return fail(r, e, "unknown rewrite '%s' (legacy-env or cmds-json)", s ? s : "");
			}
		} else {
			static const char *const keys[] = {"indent", "indent_style", "rewrite"};
			const char *s = kf_suggest(kf_str_cstr(key), keys, 3, true);
			if (s)
				return fail(r, k, "unknown key fmt.%s (did you mean fmt.%s?)", key, s);
			return fail(r, k, "unknown key fmt.%s (indent, indent_style, rewrite)", key);
		}
	}
	return true;
}

static bool get_bool(reader *r, const yaml_node_t *n, const char *key, int *out)
{
	const char *s = scalar(n);
	if (s && (strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 || strcasecmp(s, "on") == 0))
		*out = 1;
	else if (s && (strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 || strcasecmp(s, "off") == 0))
		*out = 0;
	else
		return fail(r, n, "%s must be true or false", key);
	return true;
}

static bool get_list(reader *r, const yaml_node_t *n, const char *key, char ***out, size_t *nout)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(r, n, "%s must be a list", key);
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	char **v = kf_xcalloc(cnt ? cnt : 1, sizeof(char *));
	size_t k = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		const char *s = scalar(yaml_document_get_node(&r->doc, *it));
		if (!visit(r, yaml_document_get_node(&r->doc, *it))) {
			free_list(v, k);
			return false;
		}
		if (!s || !*s) {
			free_list(v, k);
			return fail(r, yaml_document_get_node(&r->doc, *it), "%s must be a list of strings", key);
		}
		v[k++] = kf_xstrdup(s);
	}
	free_list(*out, *nout);
	*out = v;
	*nout = k;
	return true;
}

static bool read_lint_key(reader *r, const char *key, yaml_node_t *k, yaml_node_t *v, kf_config *cfg)
{
	if (strcmp(key, "ignored") == 0)
		return get_list(r, v, "ignored", &cfg->ignored, &cfg->nignored);
	if (strcmp(key, "trusted-registries") == 0)
		return get_list(r, v, "trusted-registries", &cfg->trusted_registries, &cfg->ntrusted);
	if (strcmp(key, "shellcheck") == 0)
		return get_bool(r, v, "shellcheck", &cfg->shellcheck);
	/* the limits of ShellCheck (docs/kflint.md): none can be turned off */
	static const struct {
		const char *key;
		int lo, hi;
		size_t at;
	} limits[] = {
		{"shellcheck-max-command-bytes", 1, 1 << 30, offsetof(kf_config, sc_limits.command_bytes)},
		{"shellcheck-max-file-bytes", 1, 1 << 30, offsetof(kf_config, sc_limits.file_bytes)},
		{"shellcheck-max-commands", 1, 1000000, offsetof(kf_config, sc_limits.commands)},
		{"shellcheck-timeout", 1, 86400, offsetof(kf_config, sc_limits.timeout)},
		{"shellcheck-max-memory", 128, 1 << 20, offsetof(kf_config, sc_limits.memory)},
	};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (strcmp(key, limits[i].key) == 0)
			return get_uint(r, v, limits[i].key, limits[i].lo, limits[i].hi,
					(int *)((char *)cfg + limits[i].at));
	if (strcmp(key, "failure-threshold") == 0) {
		const char *s = scalar(v);
		int t = kf_severity_parse(s);
		if (s && strcmp(s, "none") == 0)
			t = KF_THRESHOLD_NONE;
		if (t < 0)
			return fail(r, v, "failure-threshold must be error, warning, info, style or none");
		cfg->failure_threshold = t;
		return true;
	}
	if (strcmp(key, "dialect") == 0 || strcmp(key, "format") == 0) {
		const char *s = scalar(v);
		static const char *const dialects[] = {"auto", "sealer", "sealer-legacy", "sealos"};
		static const char *const formats[] = {"tty", "json", "sarif", "checkstyle", "gnu", "github", "junit",
					      "codeclimate", "gitlab_codeclimate"};
		bool d = key[0] == 'd';
		const char *const *ok = d ? dialects : formats;
		size_t n = d ? sizeof(dialects) / sizeof(dialects[0]) : sizeof(formats) / sizeof(formats[0]);
		for (size_t i = 0; s && i < n; i++) {
			if (strcmp(s, ok[i]) == 0) {
				char **dst = d ? &cfg->dialect : &cfg->format;
				free(*dst);
				*dst = kf_xstrdup(s);
				return true;
			}
		}
		return fail(r, v, d ? "dialect must be auto, sealer, sealer-legacy or sealos"
				    : "format must be tty, json, sarif, checkstyle, gnu, github, junit, codeclimate or "
				      "gitlab_codeclimate");
	}
	if (strcmp(key, "severity") == 0) {
		if (v->type != YAML_MAPPING_NODE)
			return fail(r, v, "severity must be a mapping of rule codes to levels");
		for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
			yaml_node_t *rk = yaml_document_get_node(&r->doc, p->key);
			yaml_node_t *rv = yaml_document_get_node(&r->doc, p->value);
			const char *code = scalar(rk);
			int lvl = kf_severity_parse(scalar(rv));
			if (!visit(r, rv))
				return false;
			if (!code)
				return fail(r, rk, "a rule code must be a string");
			if (lvl < 0)
				return fail(r, rv, "the severity of %s must be error, warning, info or style", code);
			cfg->override_codes = kf_xrealloc(cfg->override_codes, (cfg->noverrides + 1) * sizeof(char *));
			cfg->override_levels = kf_xrealloc(cfg->override_levels, (cfg->noverrides + 1) * sizeof(int));
			cfg->override_codes[cfg->noverrides] = kf_xstrdup(code);
			cfg->override_levels[cfg->noverrides++] = lvl;
		}
		return true;
	}
	/* hadolint's spellings (trustedRegistries, failure_threshold) and typos */
	static const char *const keys[] = {"ignored", "trusted-registries", "shellcheck", "shellcheck-max-command-bytes",
					   "shellcheck-max-file-bytes", "shellcheck-max-commands", "shellcheck-timeout",
					   "shellcheck-max-memory", "failure-threshold", "dialect", "format", "severity", "fmt"};
	char folded[64];
	size_t n = 0;
	for (const char *c = key; *c && n + 1 < sizeof folded; c++)
		folded[n++] = *c == '_' ? '-' : *c;
	folded[n] = '\0';
	const char *s = kf_suggest(kf_str_cstr(folded), keys, sizeof keys / sizeof keys[0], true);
	if (!s && strcmp(folded, key) != 0)
		for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !s; i++)
			if (strcasecmp(folded, keys[i]) == 0)
				s = keys[i];
	if (s)
		return fail(r, k, "unknown key '%s' (did you mean '%s'?)", key, s);
	return fail(r, k, "unknown key '%s'", key);
}

bool kf_config_load(kf_config *cfg, const char *path, char **err)
{
	reader r;
	r.path = path;
	r.err = err;
	FILE *f = fopen(path, "rb");
	if (!f) {
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "%s: %s", path, strerror(errno));
		*err = kf_buf_detach(&b, NULL);
		return false;
	}
	kf_buf text = KF_BUF_INIT;
	char chunk[65536];
	size_t got;
	while (text.len <= MAX_FILE && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		kf_buf_add(&text, chunk, got);
	if (ferror(f) || text.len > MAX_FILE) {
		kf_buf b = KF_BUF_INIT;
		if (text.len > MAX_FILE)
			kf_buf_printf(&b, "%s: the file is larger than %zu MiB", path, MAX_FILE >> 20);
		else
			kf_buf_printf(&b, "%s: %s", path, strerror(errno));
		*err = kf_buf_detach(&b, NULL);
		kf_buf_release(&text);
		fclose(f);
		return false;
	}
	fclose(f);
	/* the first document; the others are not read, as before */
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text.ptr ? text.ptr : "", text.len, NULL);
	bool ok = kf_yaml_load(&ld, &r.doc) != KF_YAML_ERROR;
	if (!ok) {
		const kf_yaml_error *e = &ld.error;
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "%s:%zu:%zu: %s%s", path, e->mark.line + 1, e->mark.column + 1,
			      e->kind != KF_YAML_INVALID ? "YAML over a limit: " : "",
			      e->problem ? e->problem : "invalid YAML");
		*err = kf_buf_detach(&b, NULL);
	}
	kf_yaml_loader_release(&ld);
	kf_buf_release(&text);
	if (!ok)
		return false;
	r.budget = kf_yaml_node_count(&r.doc) + KF_YAML_WALK_EXTRA;
	r.at = NULL;
	yaml_node_t *root = yaml_document_get_root_node(&r.doc);
	if (root && root->type == YAML_SCALAR_NODE && !*root->data.scalar.value)
		root = NULL; /* an empty document */
	if (root && root->type != YAML_MAPPING_NODE)
		ok = fail(&r, root, "the file must be a mapping of settings");
	for (yaml_node_pair_t *p = root && ok ? root->data.mapping.pairs.start : NULL;
	     root && ok && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&r.doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&r.doc, p->value);
		const char *key = scalar(k);
		r.at = k;
		if (!visit(&r, v)) {
			ok = false;
		} else if (!key) {
			ok = fail(&r, k, "a key must be a string");
		} else if (strcmp(key, "fmt") == 0) {
			ok = read_fmt(&r, v, cfg);
		} else {
			ok = read_lint_key(&r, key, k, v, cfg);
		}
	}
	yaml_document_delete(&r.doc);
	if (ok) {
		free(cfg->path);
		cfg->path = kf_xstrdup(path);
	}
	return ok;
}

char *kf_config_find(kf_fscache *fs, const char *dir)
{
	char cur[PATH_MAX];
	if (!realpath(dir && *dir ? dir : ".", cur))
		return NULL;
	kf_buf b = KF_BUF_INIT;
	for (;;) {
		static const char *const names[] = {".kflint.yaml", ".kflint.yml"};
		for (size_t i = 0; i < 2; i++) {
			kf_buf_reset(&b);
			kf_buf_printf(&b, "%s/%s", strcmp(cur, "/") == 0 ? "" : cur, names[i]);
			if (kf_fscache_type(fs, b.ptr) == S_IFREG)
				return kf_buf_detach(&b, NULL);
		}
		kf_buf_reset(&b);
		kf_buf_printf(&b, "%s/.git", strcmp(cur, "/") == 0 ? "" : cur);
		unsigned git = kf_fscache_type(fs, b.ptr);
		if (git == S_IFDIR || git == S_IFREG || strcmp(cur, "/") == 0)
			break;
		char *slash = strrchr(cur, '/');
		if (slash == cur)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	kf_buf_reset(&b);
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	if (xdg && *xdg)
		kf_buf_printf(&b, "%s/kflint/config.yaml", xdg);
	else if (home && *home)
		kf_buf_printf(&b, "%s/.config/kflint/config.yaml", home);
	if (b.len && kf_fscache_type(fs, b.ptr) == S_IFREG)
		return kf_buf_detach(&b, NULL);
	kf_buf_release(&b);
	return NULL;
}
