/* kfconfig.c - see kfconfig.h */
#include "kfconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "arena.h"
#include "buf.h"

void kf_config_init(kf_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->fmt.indent = -1;
	cfg->fmt.use_tabs = -1;
	cfg->fmt.rewrite_legacy_env = -1;
	cfg->fmt.rewrite_cmds_json = -1;
}

void kf_config_release(kf_config *cfg)
{
	free(cfg->path);
	kf_config_init(cfg);
}

typedef struct reader {
	yaml_document_t doc;
	const char *path;
	char **err;
} reader;

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
				if (s && strcmp(s, "legacy-env") == 0)
					cfg->fmt.rewrite_legacy_env = 1;
				else if (s && strcmp(s, "cmds-json") == 0)
					cfg->fmt.rewrite_cmds_json = 1;
				else
					return fail(r, e, "unknown rewrite '%s' (legacy-env or cmds-json)", s ? s : "");
			}
		} else {
			return fail(r, k, "unknown key fmt.%s (indent, indent_style, rewrite)", key);
		}
	}
	return true;
}

/* The linter's keys: read by kflint (docs/kflint.md). */
static const char *const lint_keys[] = {
	"ignored", "ignore", "severity", "failure-threshold", "dialect", "trusted-registries",
	"shellcheck", "format", "rules",
};

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
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	bool ok = yaml_parser_load(&parser, &r.doc);
	if (!ok) {
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			      parser.problem_mark.column + 1, parser.problem ? parser.problem : "invalid YAML");
		*err = kf_buf_detach(&b, NULL);
		yaml_parser_delete(&parser);
		fclose(f);
		return false;
	}
	yaml_parser_delete(&parser);
	fclose(f);
	yaml_node_t *root = yaml_document_get_root_node(&r.doc);
	if (root && root->type == YAML_SCALAR_NODE && !*root->data.scalar.value)
		root = NULL; /* an empty document */
	if (root && root->type != YAML_MAPPING_NODE)
		ok = fail(&r, root, "the file must be a mapping of settings");
	for (yaml_node_pair_t *p = root && ok ? root->data.mapping.pairs.start : NULL;
	     ok && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(&r.doc, p->key);
		yaml_node_t *v = yaml_document_get_node(&r.doc, p->value);
		const char *key = scalar(k);
		if (!key) {
			ok = fail(&r, k, "a key must be a string");
		} else if (strcmp(key, "fmt") == 0) {
			ok = read_fmt(&r, v, cfg);
		} else {
			bool known = false;
			for (size_t i = 0; i < sizeof(lint_keys) / sizeof(lint_keys[0]); i++)
				known |= strcmp(key, lint_keys[i]) == 0;
			if (!known)
				ok = fail(&r, k, "unknown key '%s'", key);
		}
	}
	yaml_document_delete(&r.doc);
	if (ok) {
		free(cfg->path);
		cfg->path = kf_xstrdup(path);
	}
	return ok;
}

static bool exists(const char *path, bool dir)
{
	struct stat st;
	return stat(path, &st) == 0 && (dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
}

char *kf_config_find(const char *dir)
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
			if (exists(b.ptr, false))
				return kf_buf_detach(&b, NULL);
		}
		kf_buf_reset(&b);
		kf_buf_printf(&b, "%s/.git", strcmp(cur, "/") == 0 ? "" : cur);
		if (exists(b.ptr, true) || exists(b.ptr, false) || strcmp(cur, "/") == 0)
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
	if (b.len && exists(b.ptr, false))
		return kf_buf_detach(&b, NULL);
	kf_buf_release(&b);
	return NULL;
}
