/* SPDX-License-Identifier: Apache-2.0 */
/* mirrors.c - registries.yaml. See mirrors.h. */
#include "registry/mirrors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/files.h"
#include "base/imageref.h"
#include "syntax/yamlload.h"

#define MAX_FILE (1u << 20)

typedef struct reader {
	const char *path;
	yaml_document_t doc;
	size_t budget; /* nodes a walk may still visit (aliases repeat them) */
	kf_err *err;
} reader;

static bool fail(reader *rd, const yaml_node_t *n, const char *what)
{
	return kf_err_set(rd->err, "%s:%zu:%zu: %s", rd->path, n ? n->start_mark.line + 1 : 1,
			  n ? n->start_mark.column + 1 : 1, what);
}

static yaml_node_t *node(reader *rd, int id)
{
	if (rd->budget == 0)
		return NULL;
	rd->budget--;
	return yaml_document_get_node(&rd->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* "https://host:port[/]", "http://host", or a bare "host" (https) */
static bool endpoint(reader *rd, const yaml_node_t *n, kf_endpoint *e)
{
	const char *s = scalar(n);
	if (!s || !*s)
		return fail(rd, n, "an endpoint is a URL such as https://mirror.example.com:5000");
	const char *host = s;
	e->scheme = strdup("https");
	if (strncmp(s, "https://", 8) == 0) {
		host = s + 8;
	} else if (strncmp(s, "http://", 7) == 0) {
		host = s + 7;
		free(e->scheme);
		e->scheme = strdup("http");
	} else if (strstr(s, "://")) {
		return fail(rd, n, "an endpoint's scheme is http or https");
	}
	size_t len = strcspn(host, "/");
	const char *rest = host + len;
	if (!len || (*rest && strcmp(rest, "/") != 0 && strcmp(rest, "/v2") != 0 && strcmp(rest, "/v2/") != 0))
		return fail(rd, n, "an endpoint is a scheme and a host[:port], without a path");
	e->host = strndup(host, len);
	return true;
}

/* Loads text (the file path) into rd's document; *root: its root, NULL
 * for an empty file. False with a located error. */
static bool load(reader *rd, const char *path, const char *text, size_t len, yaml_node_t **root, kf_err *err)
{
	memset(rd, 0, sizeof *rd);
	rd->path = path;
	rd->err = err;
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, len, NULL);
	bool ok = kf_yaml_load(&ld, &rd->doc) != KF_YAML_ERROR;
	if (!ok)
		kf_err_set(err, "%s:%zu:%zu: %s%s", path, ld.error.mark.line + 1, ld.error.mark.column + 1,
			   ld.error.kind != KF_YAML_INVALID ? "YAML over a limit: " : "",
			   ld.error.problem ? ld.error.problem : "invalid YAML");
	kf_yaml_loader_release(&ld);
	rd->budget = ok ? kf_yaml_node_count(&rd->doc) + KF_YAML_WALK_EXTRA : 0;
	*root = ok ? yaml_document_get_root_node(&rd->doc) : NULL;
	if (*root && (*root)->type == YAML_SCALAR_NODE && !*(*root)->data.scalar.value)
		*root = NULL; /* an empty file */
	return ok;
}

static bool read_mirrors(reader *rd, yaml_node_t *map, kf_registries *r)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(rd, map, "mirrors is a mapping of registry names");
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	r->mirrors = calloc(n ? n : 1, sizeof *r->mirrors);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key), *v = node(rd, p->value);
		if (!k || !v)
			return fail(rd, map, "the file's aliases lead too far");
		if (!scalar(k))
			return fail(rd, k, "a mirror's key is a registry name");
		yaml_node_t *list = NULL;
		for (yaml_node_pair_t *q = v->type == YAML_MAPPING_NODE ? v->data.mapping.pairs.start : NULL;
		     q && q < v->data.mapping.pairs.top; q++) {
			yaml_node_t *kk = node(rd, q->key);
			const char *key = scalar(kk);
			if (key && strcmp(key, "endpoint") == 0)
				list = node(rd, q->value);
			else if (key && strcmp(key, "rewrite") == 0)
				return fail(rd, kk, "rewrite is not supported");
			else
				return fail(rd, kk, "a mirror has an endpoint list only");
		}
		if (!list || list->type != YAML_SEQUENCE_NODE)
			return fail(rd, v, "a mirror needs an endpoint list");
		kf_mirror *m = &r->mirrors[r->nmirrors++];
		m->registry = strdup(scalar(k));
		size_t ne = (size_t)(list->data.sequence.items.top - list->data.sequence.items.start);
		m->endpoints = calloc(ne ? ne : 1, sizeof *m->endpoints);
		for (yaml_node_item_t *it = list->data.sequence.items.start; it < list->data.sequence.items.top; it++) {
			yaml_node_t *e = node(rd, *it);
			if (!e)
				return fail(rd, list, "the file's aliases lead too far");
			if (!endpoint(rd, e, &m->endpoints[m->n++]))
				return false;
		}
	}
	return true;
}

/* auth: {username, password}; tls: {ca_file, cert_file, key_file, insecure_skip_verify} */
static bool read_config(reader *rd, yaml_node_t *v, kf_host_config *c)
{
	if (v->type != YAML_MAPPING_NODE)
		return fail(rd, v, "a host's settings are a mapping (auth, tls)");
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key), *sub = node(rd, p->value);
		const char *key = scalar(k);
		if (!k || !sub || !key || (strcmp(key, "auth") != 0 && strcmp(key, "tls") != 0))
			return fail(rd, k, "a host has auth and tls settings only");
		if (sub->type != YAML_MAPPING_NODE)
			return fail(rd, sub, "auth and tls are mappings");
		for (yaml_node_pair_t *q = sub->data.mapping.pairs.start; q < sub->data.mapping.pairs.top; q++) {
			yaml_node_t *kk = node(rd, q->key), *vv = node(rd, q->value);
			const char *name = scalar(kk), *val = scalar(vv);
			if (!kk || !vv || !name || !val)
				return fail(rd, kk ? kk : sub, "a setting is a name and a text");
			char **slot = NULL;
			if (strcmp(key, "auth") == 0 && strcmp(name, "username") == 0)
				slot = &c->username;
			else if (strcmp(key, "auth") == 0 && strcmp(name, "password") == 0)
				slot = &c->password;
			else if (strcmp(key, "tls") == 0 && strcmp(name, "ca_file") == 0)
				slot = &c->ca_file;
			else if (strcmp(key, "tls") == 0 && strcmp(name, "cert_file") == 0)
				slot = &c->cert_file;
			else if (strcmp(key, "tls") == 0 && strcmp(name, "key_file") == 0)
				slot = &c->key_file;
			else if (strcmp(key, "tls") == 0 && strcmp(name, "insecure_skip_verify") == 0) {
				if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
					return fail(rd, vv, "insecure_skip_verify is true or false");
				c->insecure_skip_verify = strcmp(val, "true") == 0;
				continue;
			} else {
				return fail(rd, kk, strcmp(key, "auth") == 0 ? "auth has username and password"
									   : "tls has ca_file, cert_file, key_file and insecure_skip_verify");
			}
			free(*slot);
			*slot = strdup(val);
		}
	}
	return true;
}

static bool read_configs(reader *rd, yaml_node_t *map, kf_registries *r)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(rd, map, "configs is a mapping of hosts");
	size_t n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	r->configs = calloc(n ? n : 1, sizeof *r->configs);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key), *v = node(rd, p->value);
		if (!k || !v || !scalar(k))
			return fail(rd, k, "a config's key is a host[:port]");
		kf_host_config *c = &r->configs[r->nconfigs++];
		c->host = strdup(scalar(k));
		if (!read_config(rd, v, c))
			return false;
	}
	return true;
}

bool kf_registries_load_text(kf_registries *r, const char *path, const char *text, size_t len, kf_err *err)
{
	memset(r, 0, sizeof *r);
	r->path = strdup(path);
	reader rd;
	yaml_node_t *root = NULL;
	bool ok = load(&rd, path, text, len, &root, err);
	if (root && root->type != YAML_MAPPING_NODE)
		ok = fail(&rd, root, "the file is a mapping: mirrors, configs");
	for (yaml_node_pair_t *p = root && ok ? root->data.mapping.pairs.start : NULL;
	     root && ok && p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(&rd, p->key), *v = node(&rd, p->value);
		const char *key = scalar(k);
		if (key && strcmp(key, "mirrors") == 0 && v && !r->mirrors)
			ok = read_mirrors(&rd, v, r);
		else if (key && strcmp(key, "configs") == 0 && v && !r->configs)
			ok = read_configs(&rd, v, r);
		else
			ok = fail(&rd, k, "unknown key: the file has mirrors and configs");
	}
	yaml_document_delete(&rd.doc);
	if (!ok)
		kf_registries_release(r);
	return ok;
}

/* A file of at most MAX_FILE bytes, into text. */
static bool read_text(const char *path, kf_buf *text, kf_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return kf_err_set(err, "%s: %s", path, strerror(errno));
	char chunk[65536];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && text->len <= MAX_FILE)
		kf_buf_add(text, chunk, got);
	fclose(f);
	return text->len <= MAX_FILE || kf_err_set(err, "%s: the file is larger than 1 MiB", path);
}

bool kf_registries_load_file(kf_registries *r, const char *path, kf_err *err)
{
	memset(r, 0, sizeof *r);
	kf_buf text = KF_BUF_INIT;
	bool ok = read_text(path, &text, err) &&
		  kf_registries_load_text(r, path, text.ptr ? text.ptr : "", text.len, err);
	kf_buf_release(&text);
	return ok;
}

bool kf_registries_load(kf_registries *r, kf_err *err)
{
	memset(r, 0, sizeof *r);
	const char *env = getenv("KFC_REGISTRIES");
	if (env && *env)
		return kf_registries_load_file(r, env, err);
	const char *home = getenv("HOME");
	char *user = home ? kf_path_join(home, ".config/kfc/registries.yaml") : NULL;
	const char *paths[] = {user, "/etc/kfc/registries.yaml"};
	bool ok = true;
	for (size_t i = 0; i < 2; i++) {
		struct stat st;
		if (paths[i] && stat(paths[i], &st) == 0) {
			ok = kf_registries_load_file(r, paths[i], err);
			break;
		}
	}
	free(user);
	return ok;
}

void kf_registries_release(kf_registries *r)
{
	for (size_t i = 0; i < r->nmirrors; i++) {
		for (size_t k = 0; k < r->mirrors[i].n; k++) {
			free(r->mirrors[i].endpoints[k].scheme);
			free(r->mirrors[i].endpoints[k].host);
		}
		free(r->mirrors[i].endpoints);
		free(r->mirrors[i].registry);
	}
	free(r->mirrors);
	for (size_t i = 0; i < r->nconfigs; i++) {
		kf_host_config *c = &r->configs[i];
		free(c->host);
		free(c->username);
		free(c->password);
		free(c->ca_file);
		free(c->cert_file);
		free(c->key_file);
	}
	free(r->configs);
	free(r->path);
	memset(r, 0, sizeof *r);
}

const kf_mirror *kf_registries_mirror(const kf_registries *r, const char *registry)
{
	const kf_mirror *any = NULL;
	for (size_t i = 0; r && i < r->nmirrors; i++) {
		if (strcmp(r->mirrors[i].registry, registry) == 0)
			return &r->mirrors[i];
		if (strcmp(r->mirrors[i].registry, "*") == 0)
			any = &r->mirrors[i];
	}
	return any;
}

const kf_host_config *kf_registries_config(const kf_registries *r, const char *host)
{
	for (size_t i = 0; r && i < r->nconfigs; i++)
		if (strcmp(r->configs[i].host, host) == 0)
			return &r->configs[i];
	return NULL;
}

/* ---- sealer's --image-list-with-auth ------------------------------------------------------ */

/* registry's settings in r, added when it has none */
static kf_host_config *config_for(kf_registries *r, const char *registry)
{
	for (size_t i = 0; i < r->nconfigs; i++)
		if (strcmp(r->configs[i].host, registry) == 0)
			return &r->configs[i];
	kf_host_config *c = realloc(r->configs, (r->nconfigs + 1) * sizeof *c);
	if (!c)
		abort();
	r->configs = c;
	c = &r->configs[r->nconfigs++];
	memset(c, 0, sizeof *c);
	c->host = strdup(registry);
	return c;
}

/* one section: registry, username, password, images */
static bool read_section(reader *rd, yaml_node_t *sec, kf_registries *r, kf_auth_images *out)
{
	if (sec->type != YAML_MAPPING_NODE)
		return fail(rd, sec, "a section is a mapping: registry, username, password, images");
	const char *registry = NULL, *user = NULL, *password = NULL;
	yaml_node_t *images = NULL;
	for (yaml_node_pair_t *p = sec->data.mapping.pairs.start; p < sec->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(rd, p->key), *v = node(rd, p->value);
		const char *key = scalar(k);
		if (!k || !v || !key)
			return fail(rd, k ? k : sec, "a section's keys are registry, username, password and images");
		if (strcmp(key, "images") == 0 && v->type == YAML_SEQUENCE_NODE)
			images = v;
		else if (strcmp(key, "registry") == 0 && scalar(v))
			registry = scalar(v);
		else if (strcmp(key, "username") == 0 && scalar(v))
			user = scalar(v);
		else if (strcmp(key, "password") == 0 && scalar(v))
			password = scalar(v);
		else
			return fail(rd, k, "a section has registry, username and password (texts) and images (a list)");
	}
	size_t n = images ? (size_t)(images->data.sequence.items.top - images->data.sequence.items.start) : 0;
	if (!n)
		return true; /* nothing to fetch: its credentials are not needed */
	if (!user || !*user || !password || !*password)
		return fail(rd, sec, "a section with images needs a username and a password");
	const char *host = registry && *registry ? registry : "docker.io";
	kf_host_config *c = config_for(r, host);
	free(c->username);
	free(c->password);
	c->username = strdup(user);
	c->password = strdup(password);
	for (yaml_node_item_t *it = images->data.sequence.items.start; it < images->data.sequence.items.top; it++) {
		yaml_node_t *e = node(rd, *it);
		const char *img = scalar(e);
		if (!img || !*img)
			return fail(rd, e ? e : images, "an image is a name such as nginx:1.25");
		/* a name without a registry is the section's, as sealer reads it */
		size_t first = strcspn(img, "/");
		bool has_domain = img[first] == '/' && (memchr(img, '.', first) || memchr(img, ':', first) ||
							(first == 9 && strncmp(img, "localhost", 9) == 0));
		kf_buf full = KF_BUF_INIT;
		if (has_domain || !registry || !*registry)
			kf_buf_adds(&full, img);
		else
			kf_buf_printf(&full, "%s/%s", registry, img);
		const char *why = NULL;
		char *norm = kf_imageref_normalise_str(kf_str_make(full.ptr, full.len), &why);
		kf_buf_release(&full);
		if (!norm) {
			kf_buf m = KF_BUF_INIT;
			kf_buf_printf(&m, "'%s' is no image name: %s", img, why ? why : "invalid");
			bool r2 = fail(rd, e, m.ptr);
			kf_buf_release(&m);
			return r2;
		}
		char **v = realloc(out->names, (out->n + 1) * sizeof *v);
		if (!v)
			abort();
		out->names = v;
		out->names[out->n++] = norm;
	}
	return true;
}

bool kf_auth_images_load(const char *path, kf_registries *r, kf_auth_images *out, kf_err *err)
{
	memset(out, 0, sizeof *out);
	kf_buf text = KF_BUF_INIT;
	if (!read_text(path, &text, err)) {
		kf_buf_release(&text);
		return false;
	}
	reader rd;
	yaml_node_t *root = NULL;
	bool ok = load(&rd, path, text.ptr ? text.ptr : "", text.len, &root, err);
	kf_buf_release(&text);
	if (root && root->type != YAML_SEQUENCE_NODE)
		ok = fail(&rd, root, "the file is a list of sections: registry, username, password, images");
	for (yaml_node_item_t *it = root && ok ? root->data.sequence.items.start : NULL;
	     root && ok && it < root->data.sequence.items.top; it++) {
		yaml_node_t *sec = node(&rd, *it);
		ok = sec ? read_section(&rd, sec, r, out) : fail(&rd, root, "the file's aliases lead too far");
	}
	yaml_document_delete(&rd.doc);
	if (!ok)
		kf_auth_images_release(out);
	return ok;
}

void kf_auth_images_release(kf_auth_images *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->names[i]);
	free(a->names);
	memset(a, 0, sizeof *a);
}
