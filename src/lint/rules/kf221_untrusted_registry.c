/* SPDX-License-Identifier: Apache-2.0 */
/* KF221 untrusted-registry: An image comes from a registry outside trusted-registries. See docs/rules/KF221.md. */
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>

#include "rules.h"
#include "base/files.h"
#include "discovery/imagelist.h"

/* The registry of a reference, as Docker reads it: a first component with
 * a '.' or ':', or localhost, is one; otherwise it is docker.io. */
static kf_str registry(kf_str ref)
{
	const char *slash = memchr(ref.ptr, '/', ref.len);
	if (slash) {
		kf_str first = kf_str_make(ref.ptr, (size_t)(slash - ref.ptr));
		if (memchr(first.ptr, '.', first.len) || memchr(first.ptr, ':', first.len) ||
		    kf_str_eq_cstr(first, "localhost"))
			return first;
	}
	return KF_STR_LIT("docker.io");
}

static bool trusted(const kf_lint_ctx *c, kf_str reg)
{
	for (size_t i = 0; i < c->opt->ntrusted; i++)
		if (kf_str_eq_cstr(reg, c->opt->trusted[i]))
			return true;
	return false;
}

static void judge(kf_lint_ctx *c, const kf_word *w)
{
	if (kf_str_eq_cstr(w->text, "scratch") || memchr(w->text.ptr, '$', w->text.len))
		return;
	kf_str reg = registry(w->text);
	if (!trusted(c, reg))
		kf_lint_report(c, w->span, "'%.*s' comes from %.*s, which is not a trusted registry",
			       (int)(w->text.len > 60 ? 60 : w->text.len), w->text.ptr, (int)reg.len, reg.ptr);
}

/* ---- the images discovery finds in the build context ------------------ */

/* A path of the context that an instruction brings into the image: a
 * COPY or ADD source, an APP/CNI/CSI local:// source, an IMAGES --file
 * list. rel is clean ("" for the whole context); glob when it holds
 * wildcards. */
typedef struct bringer {
	char *rel;
	bool glob;
	kf_span span;
} bringer;

typedef struct bringers {
	bringer v[256];
	size_t n;
} bringers;

static void add_bringer(bringers *b, kf_str path, kf_span span)
{
	if (b->n == sizeof(b->v) / sizeof(b->v[0]) || !path.len || memchr(path.ptr, '$', path.len) ||
	    memchr(path.ptr, '\0', path.len) || memmem(path.ptr, path.len, "://", 3) ||
	    (path.len >= 2 && path.ptr[0] == '<' && path.ptr[1] == '<'))
		return;
	char *raw = strndup(path.ptr, path.len);
	char *rel = kf_path_clean(raw, false);
	free(raw);
	if (!rel)
		return; /* outside the context */
	b->v[b->n++] = (bringer){rel, strpbrk(rel, "*?[") != NULL, span};
}

static bool has_flag(const kf_instr *in, const char *name)
{
	uint32_t n;
	const kf_flag *flags = kf_instr_flags(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (kf_str_eq_cstr(flags[i].name, name))
			return true;
	return false;
}

static void collect(kf_lint_ctx *c, bringers *b)
{
	KF_FOR_EACH_INSTR(c, in) {
		if ((in->kind == KF_INSTR_COPY || in->kind == KF_INSTR_ADD) && !has_flag(in, "from")) {
			for (uint32_t i = 0; i < kf_copy_nsrcs(in); i++)
				add_bringer(b, in->args[i].text, in->args[i].span);
		} else if (in->kind == KF_INSTR_IMAGES) {
			uint32_t n;
			const kf_flag *flags = kf_instr_flags(in, &n);
			for (uint32_t i = 0; i < n; i++)
				if (kf_str_eq_cstr(flags[i].name, "file"))
					add_bringer(b, flags[i].value, flags[i].span);
		} else {
			uint32_t n;
			const kf_app_source *s = kf_app_sources(in, &n);
			for (uint32_t i = 0; i < n; i++)
				if (s[i].scheme == KF_SCHEME_LOCAL || s[i].scheme == KF_SCHEME_NONE)
					add_bringer(b, s[i].path, s[i].word->span);
		}
	}
}

/* How closely a bringer's path names the file rel: the length of the path
 * it matches (the file, or a folder above it), -1 when it does not. */
static long match(const bringer *b, const char *rel)
{
	if (!b->rel[0])
		return 0;
	size_t n = strlen(b->rel);
	if (!b->glob)
		return strncmp(rel, b->rel, n) == 0 && (rel[n] == '/' || !rel[n]) ? (long)n : -1;
	/* a wildcard matches the file or a folder above it */
	char buf[PATH_MAX];
	size_t len = strlen(rel);
	if (len >= sizeof buf)
		return -1;
	memcpy(buf, rel, len + 1);
	for (;;) {
		if (fnmatch(b->rel, buf, FNM_PATHNAME) == 0)
			return (long)n;
		char *slash = strrchr(buf, '/');
		if (!slash)
			return -1;
		*slash = '\0';
	}
}

/* The entry's file as the context shows it (file without "CONTEXT/"):
 * NULL when it is not in the context. */
static const char *in_context(const char *ctx, const char *file)
{
	size_t n = strlen(ctx);
	while (n > 0 && ctx[n - 1] == '/')
		n--; /* "/" is "" then, and "/x" under it */
	if (strncmp(file, ctx, n) != 0 || file[n] != '/')
		return NULL;
	return file + n + 1;
}

/* Is the entry's file the document linted, or a Kubefile at the top of
 * the context? Their IMAGES words are judged where they are written, when
 * that Kubefile is linted. */
static bool own_words(const char *rel, const char *file, const char *self)
{
	const char *base = strrchr(rel, '/');
	if (!kf_is_kubefile_name(base ? base + 1 : rel))
		return false;
	if (!base)
		return true;
	char *real = self ? realpath(file, NULL) : NULL;
	bool same = real && strcmp(real, self) == 0;
	free(real);
	return same;
}

static void check_context(kf_lint_ctx *c)
{
	const kf_imagelist *l = kf_lint_context_images(c);
	if (!l || !l->len)
		return;
	const kf_instr *first = NULL;
	KF_FOR_EACH_INSTR(c, in) {
		if (!first)
			first = in;
	}
	if (!first)
		return;
	bringers *b = kf_xcalloc(1, sizeof(*b));
	collect(c, b);
	char *self = c->doc->src->path ? realpath(c->doc->src->path, NULL) : NULL;
	for (size_t i = 0; i < l->len; i++) {
		const kf_image_entry *e = &l->items[i];
		kf_str reg = registry(kf_str_make(e->image, strlen(e->image)));
		if (trusted(c, reg))
			continue;
		const char *shown_file = in_context(c->opt->context_dir, e->file);
		if (!shown_file)
			continue;
		/* a file inside a chart archive is brought by the archive */
		char *rel = strdup(shown_file), *bang = strstr(rel, "!/");
		if (bang)
			*bang = '\0';
		if (own_words(rel, e->file, self)) {
			free(rel);
			continue;
		}
		/* the source that names the file most closely; with none, the
		 * first instruction (sealos build saves the images of charts/,
		 * manifests/ and images/shim/ whether or not they are copied) */
		kf_span at = kf_instr_keyword_span(first);
		long best = -1;
		for (size_t k = 0; k < b->n; k++) {
			long m = match(&b->v[k], rel);
			if (m > best) {
				best = m;
				at = b->v[k].span;
			}
		}
		const char *shown = e->raw ? e->raw : e->image;
		kf_lint_report(c, at, "image %.*s (%s:%u:%u) is from %.*s, not a trusted registry",
			       (int)(strlen(shown) > 100 ? 100 : strlen(shown)), shown, shown_file, e->line, e->col,
			       (int)reg.len, reg.ptr);
		free(rel);
	}
	free(self);
	for (size_t k = 0; k < b->n; k++)
		free(b->v[k].rel);
	free(b);
}

static void check(kf_lint_ctx *c)
{
	if (!c->opt->ntrusted)
		return;
	KF_FOR_EACH_INSTR(c, in) {
		if (in->kind == KF_INSTR_FROM && kf_from_image(in))
			judge(c, kf_from_image(in));
		else if (in->kind == KF_INSTR_IMAGES)
			for (uint32_t i = 0; i < in->nargs; i++)
				judge(c, &in->args[i]);
	}
	check_context(c);
}

const kf_rule kf_rule_kf221 = {"KF221", "untrusted-registry", KF_SEV_WARNING,
	"An image comes from a registry outside trusted-registries", check};
