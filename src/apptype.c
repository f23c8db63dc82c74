/* apptype.c - see apptype.h */
#define _XOPEN_SOURCE 700
#include "apptype.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"

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

static bool exists(const char *dir, const char *name, bool is_dir)
{
	kf_buf p = KF_BUF_INIT;
	kf_buf_printf(&p, "%s/%s", dir, name);
	struct stat st;
	bool ok = stat(p.ptr, &st) == 0 && (is_dir ? S_ISDIR(st.st_mode) : S_ISREG(st.st_mode));
	kf_buf_release(&p);
	return ok;
}

/* what the files seen so far are: nftw has no context argument */
static _Thread_local struct { unsigned yaml, sh, other; } seen;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	if (ends_with(path, ".yaml") || ends_with(path, ".yml"))
		seen.yaml++;
	else if (ends_with(path, ".sh"))
		seen.sh++;
	else
		seen.other++;
	return 0;
}

kf_app_type kf_app_detect_paths(const char *const *paths, size_t n)
{
	if (n == 0)
		return KF_APP_UNKNOWN;
	memset(&seen, 0, sizeof(seen));
	bool helm = false;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0)
			return KF_APP_UNKNOWN;
		if (S_ISDIR(st.st_mode)) {
			if (exists(paths[i], "Chart.yaml", false) && exists(paths[i], "values.yaml", false) &&
			    exists(paths[i], "templates", true))
				helm = true;
			else
				nftw(paths[i], visit, 16, FTW_PHYS);
		} else if (ends_with(paths[i], ".tgz")) {
			helm = true;
		} else {
			visit(paths[i], &st, FTW_F, NULL);
		}
	}
	if (helm)
		return KF_APP_HELM;
	if (seen.yaml && !seen.sh && !seen.other)
		return KF_APP_KUBE;
	if (seen.sh && !seen.yaml && !seen.other)
		return KF_APP_SHELL;
	return KF_APP_NONE;
}

kf_app_type kf_app_detect_type(const char *context, const kf_app_source *srcs, uint32_t n)
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
	kf_app_type type = remote ? KF_APP_UNKNOWN : kf_app_detect_paths((const char *const *)paths, n);
	for (uint32_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return type;
}
