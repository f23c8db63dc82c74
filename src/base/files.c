/* SPDX-License-Identifier: Apache-2.0 */
/* files.c - see files.h */
#include "base/files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/vec.h"

bool kf_is_kubefile_name(const char *base)
{
	size_t n = strlen(base);
	static const char *const names[] = {"Kubefile", "kubefile", "Sealfile", "sealfile"};
	for (size_t i = 0; i < 4; i++) {
		size_t k = strlen(names[i]);
		if (strncmp(base, names[i], k) == 0 && (base[k] == '\0' || (base[k] == '.' && names[i][0] <= 'Z')))
			return true; /* Kubefile, Kubefile.dev, kubefile (not kubefile.yaml) */
		if (n > k + 1 && base[n - k - 1] == '.' && strcasecmp(base + n - k, names[i]) == 0)
			return true; /* app.kubefile, app.Sealfile */
	}
	return false;
}

const char *const kf_default_kubefiles[] = {"Sealfile", "Kubefile", "Dockerfile", "Containerfile", NULL};

char *kf_find_kubefile(const char *dir)
{
	for (const char *const *n = kf_default_kubefiles; *n; n++) {
		char *p = kf_path_join(dir, *n);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			return p;
		free(p);
	}
	return NULL;
}

char *kf_path_join(const char *dir, const char *name)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
	return kf_buf_detach(&b, NULL);
}

static bool walk(const char *dir, kf_paths *out, char **err, int depth)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);
	if (n < 0) {
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "%s: %s", dir, strerror(errno));
		*err = kf_buf_detach(&b, NULL);
		return false;
	}
	bool ok = true;
	size_t before = out->n;
	KF_VEC(char *) dirs = {0};
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (name[0] != '.') {
			char *p = kf_path_join(dir, name);
			struct stat st;
			bool found = stat(p, &st) == 0;
			if (found && S_ISDIR(st.st_mode) && depth < 64)
				kf_vec_push(&dirs, p);
			else if (found && S_ISREG(st.st_mode) && kf_is_kubefile_name(name))
				kf_vec_push(out, p);
			else
				free(p);
		}
		free(ents[i]);
	}
	free(ents);
	/* a folder with no Kubefile by name: its Dockerfile or Containerfile,
	 * as kfc build (and sealos build) would take it */
	if (out->n == before) {
		char *p = kf_find_kubefile(dir);
		if (p)
			kf_vec_push(out, p);
	}
	for (size_t i = 0; i < dirs.n; i++) {
		if (ok)
			ok = walk(dirs.v[i], out, err, depth + 1);
		free(dirs.v[i]);
	}
	kf_vec_free(&dirs);
	return ok;
}

bool kf_collect_kubefiles(const char *path, kf_paths *out, char **err)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		size_t before = out->n;
		if (!walk(path, out, err, 0))
			return false;
		if (out->n == before) {
			kf_buf b = KF_BUF_INIT;
			kf_buf_printf(&b, "no Kubefile found under %s (looked for Kubefile, Sealfile, *.kubefile, *.sealfile, "
					  "and a folder's Dockerfile or Containerfile)",
				      path);
			*err = kf_buf_detach(&b, NULL);
			return false;
		}
		return true;
	}
	char *p = kf_xstrdup(path);
	kf_vec_push(out, p);
	return true;
}

void kf_paths_release(kf_paths *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	kf_vec_free(p);
}

char *kf_path_clean(const char *p, bool clamp)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_adds(&b, "");
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (b.len == 0) {
				if (clamp)
					continue;
				kf_buf_release(&b);
				return NULL;
			}
			char *slash = strrchr(b.ptr, '/');
			b.len = slash ? (size_t)(slash - b.ptr) : 0;
			b.ptr[b.len] = '\0';
			continue;
		}
		if (b.len)
			kf_buf_addc(&b, '/');
		kf_buf_add(&b, s, n);
	}
	return b.ptr;
}

/* Symbolic links followed on one lookup at most, as Linux's MAXSYMLINKS */
#define MAX_LINKS 40

char *kf_path_in_root(const char *root, const char *rel, bool follow_last)
{
	kf_buf out = KF_BUF_INIT;
	kf_buf_adds(&out, root);
	while (out.len > 1 && out.ptr[out.len - 1] == '/')
		out.ptr[--out.len] = '\0';
	size_t rootlen = out.len;
	/* what is left to walk: components separated by '/' */
	kf_buf todo = KF_BUF_INIT;
	kf_buf_adds(&todo, rel);
	size_t pos = 0;
	int links = 0;
	char target[4096];
	while (pos < todo.len) {
		while (pos < todo.len && todo.ptr[pos] == '/')
			pos++;
		size_t s = pos;
		while (pos < todo.len && todo.ptr[pos] != '/')
			pos++;
		size_t n = pos - s;
		if (n == 0 || (n == 1 && todo.ptr[s] == '.'))
			continue;
		if (n == 2 && todo.ptr[s] == '.' && todo.ptr[s + 1] == '.') {
			/* up, never above the root */
			while (out.len > rootlen && out.ptr[out.len - 1] != '/')
				out.len--;
			if (out.len > rootlen)
				out.len--;
			out.ptr[out.len] = '\0';
			continue;
		}
		size_t before = out.len;
		kf_buf_addc(&out, '/');
		kf_buf_add(&out, todo.ptr + s, n);
		bool last = true;
		for (size_t k = pos; k < todo.len; k++)
			if (todo.ptr[k] != '/') {
				last = false;
				break;
			}
		if (last && !follow_last)
			break;
		struct stat st;
		if (lstat(out.ptr, &st) != 0 || !S_ISLNK(st.st_mode))
			continue; /* a directory, a file, or not there yet */
		ssize_t tl = readlink(out.ptr, target, sizeof target - 1);
		if (tl < 0 || ++links > MAX_LINKS) {
			if (tl >= 0)
				errno = ELOOP;
			kf_buf_release(&out);
			kf_buf_release(&todo);
			return NULL;
		}
		target[tl] = '\0';
		/* the link's target, then the rest of the path */
		kf_buf rest = KF_BUF_INIT;
		kf_buf_adds(&rest, target);
		kf_buf_addc(&rest, '/');
		kf_buf_add(&rest, todo.ptr + pos, todo.len - pos);
		kf_buf_release(&todo);
		todo = rest;
		pos = 0;
		out.len = target[0] == '/' ? rootlen : before;
		out.ptr[out.len] = '\0';
	}
	kf_buf_release(&todo);
	return out.ptr;
}

char *kf_store_path(void)
{
	const char *e = getenv("KFC_STORE");
	char *p;
	if (e && *e)
		return strdup(e);
	e = getenv("XDG_DATA_HOME");
	if (e && *e) {
		if (asprintf(&p, "%s/kubefile/store", e) < 0)
			abort();
		return p;
	}
	e = getenv("HOME");
	if (asprintf(&p, "%s/.local/share/kubefile/store", e && *e ? e : "/tmp") < 0)
		abort();
	return p;
}
