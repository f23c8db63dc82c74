/* SPDX-License-Identifier: Apache-2.0 */
/* apptype.c - see apptype.h */
#include "sema/apptype.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"

const char *kf_app_type_name(kf_app_type t)
{
	switch (t) {
	case KF_APP_UNKNOWN: return "unknown";
	case KF_APP_HELM: return "helm";
	case KF_APP_KUBE: return "kube";
	case KF_APP_SHELL: return "shell";
	case KF_APP_NONE: return "none";
	}
	return "unknown";
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

static bool has(kf_fscache *fs, kf_buf *dir, const char *name, unsigned type)
{
	size_t len = dir->len;
	kf_buf_addc(dir, '/');
	kf_buf_adds(dir, name);
	bool ok = kf_fscache_type(fs, dir->ptr) == type;
	dir->len = len;
	dir->ptr[len] = '\0';
	return ok;
}

/* what the files seen so far are */
typedef struct seen {
	unsigned yaml, sh, other;
} seen;

static void count(seen *c, const char *name)
{
	if (ends_with(name, ".yaml") || ends_with(name, ".yml"))
		c->yaml++;
	else if (ends_with(name, ".sh"))
		c->sh++;
	else
		c->other++;
}

/* nftw's FTW_F with FTW_PHYS: what is neither a directory nor a link */
static bool count_file(void *ctx, const char *rel, unsigned type)
{
	seen *c = ctx;
	if (type && type != S_IFDIR && type != S_IFLNK) {
		const char *slash = strrchr(rel, '/');
		count(c, slash ? slash + 1 : rel);
	}
	/* one file of another kind, or YAML and scripts together, decide the
	 * type (none): the rest of a large tree need not be walked */
	return !c->other && !(c->yaml && c->sh);
}

kf_app_type kf_app_detect_paths(kf_fscache *fs, const char *const *paths, size_t n)
{
	if (n == 0)
		return KF_APP_UNKNOWN;
	seen c = {0, 0, 0};
	bool helm = false;
	kf_buf dir = KF_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		unsigned t = kf_fscache_type(fs, paths[i]);
		if (!t) {
			kf_buf_release(&dir);
			return KF_APP_UNKNOWN;
		}
		if (t == S_IFDIR) {
			kf_buf_reset(&dir);
			kf_buf_adds(&dir, paths[i]);
			if (has(fs, &dir, "Chart.yaml", S_IFREG) && has(fs, &dir, "values.yaml", S_IFREG) &&
			    has(fs, &dir, "templates", S_IFDIR))
				helm = true;
			else if (!helm) /* a chart decides; its siblings need only exist */
				kf_fscache_walk(fs, dir.ptr, count_file, &c);
		} else if (ends_with(paths[i], ".tgz")) {
			helm = true;
		} else {
			count(&c, paths[i]);
		}
	}
	kf_buf_release(&dir);
	if (helm)
		return KF_APP_HELM;
	if (c.yaml && !c.sh && !c.other)
		return KF_APP_KUBE;
	if (c.sh && !c.yaml && !c.other)
		return KF_APP_SHELL;
	return KF_APP_NONE;
}

kf_app_type kf_app_detect_type(kf_fscache *fs, const char *context, const kf_app_source *srcs, uint32_t n)
{
	if (!context || n == 0)
		return KF_APP_UNKNOWN;
	char **paths = calloc(n, sizeof *paths);
	if (!paths)
		abort();
	bool remote = false;
	for (uint32_t i = 0; i < n; i++) {
		if (srcs[i].scheme != KF_SCHEME_LOCAL) {
			remote = true;
			break;
		}
		kf_buf p = KF_BUF_INIT;
		kf_buf_printf(&p, "%s/%.*s", context, (int)srcs[i].path.len, srcs[i].path.ptr);
		paths[i] = p.ptr;
	}
	kf_app_type type = remote ? KF_APP_UNKNOWN : kf_app_detect_paths(fs, (const char *const *)paths, n);
	for (uint32_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return type;
}
