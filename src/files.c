/* files.c - see files.h */
#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "vec.h"

bool kf_is_kubefile_name(const char *base)
{
	size_t n = strlen(base);
	return strcmp(base, "Kubefile") == 0 || strncmp(base, "Kubefile.", 9) == 0 ||
	       (n > 9 && strcmp(base + n - 9, ".kubefile") == 0);
}

static char *join(const char *dir, const char *name)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/", name);
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
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (ok && name[0] != '.') {
			char *p = join(dir, name);
			struct stat st;
			bool found = stat(p, &st) == 0;
			if (found && S_ISDIR(st.st_mode) && depth < 64) {
				ok = walk(p, out, err, depth + 1);
				free(p);
			} else if (found && S_ISREG(st.st_mode) && kf_is_kubefile_name(name)) {
				kf_vec_push(out, p);
			} else {
				free(p);
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ok;
}

bool kf_collect_kubefiles(const char *path, kf_paths *out, char **err)
{
	struct stat st;
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return walk(path, out, err, 0);
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
