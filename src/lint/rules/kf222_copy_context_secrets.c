/* SPDX-License-Identifier: Apache-2.0 */
/* KF222 copy-context-secrets: COPY or ADD of a folder of the build context takes .git/ or files that look like
 * secrets into the image. See docs/rules/KF222.md. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "rules.h"
#include "base/files.h"
#include "base/ignore.h"

/* How far a folder is looked into: entries, and depth. */
#define MAX_ENTRIES 50000
#define MAX_DEPTH 32
#define SHOWN 3

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && strcmp(s + n - k, suf) == 0;
}

/* The names docs/rules/KF222.md lists. */
static bool looks_secret(const char *name, bool is_dir)
{
	if (is_dir)
		return strcmp(name, ".git") == 0;
	static const char *const exact[] = {".env", ".npmrc", ".netrc", ".pypirc", ".git-credentials", NULL};
	static const char *const suffixes[] = {".pem", ".key", ".p12", ".pfx", NULL};
	static const char *const prefixes[] = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "kubeconfig", NULL};
	for (size_t i = 0; exact[i]; i++)
		if (strcmp(name, exact[i]) == 0)
			return true;
	if (strncmp(name, ".env.", 5) == 0)
		return !has_suffix(name, ".example") && !has_suffix(name, ".sample") && !has_suffix(name, ".template");
	for (size_t i = 0; suffixes[i]; i++)
		if (has_suffix(name, suffixes[i]))
			return true;
	for (size_t i = 0; prefixes[i]; i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return !has_suffix(name, ".pub");
	return false;
}

typedef struct finder {
	kf_lint_ctx *c;
	const kf_ignore *ig;
	char *shown[SHOWN]; /* the first found */
	size_t nfound;
	size_t budget;
} finder;

static void found(finder *f, const char *rel, size_t skip, bool is_dir)
{
	if (f->nfound >= SHOWN) {
		f->nfound++;
		return;
	}
	kf_buf b = KF_BUF_INIT;
	kf_buf_adds(&b, rel + skip);
	if (is_dir)
		kf_buf_addc(&b, '/');
	f->shown[f->nfound++] = kf_buf_detach(&b, NULL);
}

/* The entries under disk (the context's rel), as the ignore file leaves
 * them; skip: how much of rel the message leaves out (the source's own
 * path). */
static void walk(finder *f, const char *disk, const char *rel, size_t skip, int depth)
{
	kf_fsdir d;
	if (depth > MAX_DEPTH || !kf_fscache_list(f->c->fs, disk, &d))
		return;
	for (size_t i = 0; i < d.n && f->budget; i++, f->budget--) {
		const char *name = d.entries[i].name;
		bool is_dir = d.entries[i].type == S_IFDIR;
		char *r = rel[0] ? kf_path_join(rel, name) : strdup(name);
		kf_ignore_pick pick = kf_ignore_pick_entry(f->ig, r, is_dir);
		bool secret = pick == KF_IGNORE_KEEP && looks_secret(name, is_dir);
		if (secret)
			found(f, r, skip, is_dir);
		if (is_dir && pick != KF_IGNORE_SKIP && !(secret && strcmp(name, ".git") == 0)) {
			char *sub = kf_path_join(disk, name);
			walk(f, sub, r, skip, depth + 1);
			free(sub);
		}
		free(r);
	}
	kf_fsdir_release(&d);
}

static bool from_flag(const kf_instr *in)
{
	uint32_t n;
	const kf_flag *flags = kf_instr_flags(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (kf_str_eq_cstr(flags[i].name, "from"))
			return true;
	return false;
}

static void check_source(kf_lint_ctx *c, const kf_ignore *ig, const kf_word *w)
{
	kf_str s = w->text;
	if (!s.len || memchr(s.ptr, '$', s.len) || s.ptr[0] == '/' || (s.len >= 2 && s.ptr[0] == '<' && s.ptr[1] == '<') ||
	    memchr(s.ptr, '*', s.len) || memchr(s.ptr, '?', s.len) || memchr(s.ptr, '[', s.len) ||
	    memmem(s.ptr, s.len, "://", 3))
		return;
	char *src = strndup(s.ptr, s.len);
	char *rel = kf_path_clean(src, false);
	free(src);
	if (!rel)
		return; /* outside the context */
	char *disk = rel[0] ? kf_path_join(c->opt->context_dir, rel) : strdup(c->opt->context_dir);
	if (kf_fscache_type(c->fs, disk) == S_IFDIR && kf_ignore_pick_entry(ig, rel, true) != KF_IGNORE_SKIP) {
		finder f = {c, ig, {NULL}, 0, MAX_ENTRIES};
		walk(&f, disk, rel, rel[0] ? strlen(rel) + 1 : 0, 0);
		if (f.nfound) {
			/* "a", "a and b", "a, b and c", "a, b, c and 2 more" */
			size_t n = f.nfound < SHOWN ? f.nfound : SHOWN;
			kf_buf list = KF_BUF_INIT;
			for (size_t i = 0; i < n; i++) {
				if (i)
					kf_buf_adds(&list, i + 1 == n && f.nfound <= SHOWN ? " and " : ", ");
				kf_buf_adds(&list, f.shown[i]);
				free(f.shown[i]);
			}
			if (f.nfound > SHOWN)
				kf_buf_printf(&list, " and %zu more", f.nfound - SHOWN);
			const char *file = kf_ignore_file(ig);
			kf_lint_report(c, w->span, "'%.*s' takes %s into the image: leave %s out in %s", (int)s.len, s.ptr,
				       list.ptr, f.nfound == 1 ? "it" : "them", file ? strrchr(file, '/') + 1 : "a .dockerignore file");
			kf_buf_release(&list);
		}
	}
	free(disk);
	free(rel);
}

static void check(kf_lint_ctx *c)
{
	if (!c->opt->context_dir)
		return;
	kf_ignore *ig = NULL;
	bool loaded = false;
	KF_FOR_EACH_INSTR(c, in) {
		if ((in->kind != KF_INSTR_COPY && in->kind != KF_INSTR_ADD) || from_flag(in))
			continue;
		if (!loaded) {
			kf_err e;
			loaded = true;
			if (!kf_ignore_load(c->opt->context_dir, &ig, &e))
				return; /* the build says what is wrong with it */
		}
		for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++)
			check_source(c, ig, &in->args[i]);
	}
	kf_ignore_free(ig);
}

const kf_rule kf_rule_kf222 = {"KF222", "copy-context-secrets", KF_SEV_WARNING,
	"COPY or ADD of a folder of the build context takes .git/ or files that look like secrets into the image", check};
