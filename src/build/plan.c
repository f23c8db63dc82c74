/* SPDX-License-Identifier: Apache-2.0 */
/* plan.c - lowering a Kubefile to a build plan: one function per
 * instruction kind, over a lowering state that holds the variables in
 * scope and what the image config and the extension collect. See plan.h
 * and docs/build.md. */
#include "build/plan.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci/digest.h"
#include "syntax/expand.h"
#include "syntax/instrdoc.h"
#include "base/files.h"
#include "base/ignore.h"
#include "oci/unpack.h"
#include "base/vec.h"

/* ---- the lowering state ---------------------------------------------------------- */

typedef struct var {
	char *name;
	char *value; /* NULL: declared (ARG without a value), not set */
	bool is_env;
} var;

typedef struct lower {
	const kf_plan_input *in;
	kf_diag_bag *diags;
	kf_plan *plan;
	KF_VEC(var) vars;
	bool *arg_used;            /* which --build-arg an ARG took; NULL: not counted */
	char esc;
	char *workdir;             /* "" or a WORKDIR, without the leading '/' */
	bool failed;
	KF_VEC(kf_plan_step) steps;
	KF_VEC(kf_plan_source) srcs; /* the sources of the step being lowered */
	/* what the image config and the sealer extension collect */
	json_t *config, *labels;
	json_t *apps;              /* name → {declared, env, cmds, inherited, type, files} */
	json_t *ext_env;
	json_t *cmd_cmds, *cmds_cmds, *app_names;
	bool cmd_set;              /* a CMD in this Kubefile (ENTRYPOINT keeps its Cmd) */
} lower;

static void config_env_set(json_t *config, const char *k, const char *v);

static const char *S(lower *L, const char *s)
{
	return s ? kf_arena_strndup(&L->plan->arena, s, strlen(s)) : NULL;
}

static var *var_find(lower *L, const char *name, size_t n)
{
	for (size_t i = L->vars.n; i-- > 0;)
		if (strlen(L->vars.v[i].name) == n && memcmp(L->vars.v[i].name, name, n) == 0)
			return &L->vars.v[i];
	return NULL;
}

static void var_set(lower *L, const char *name, size_t n, const char *value, bool is_env)
{
	var *v = var_find(L, name, n);
	if (!v) {
		var nv = {strndup(name, n), NULL, is_env};
		kf_vec_push(&L->vars, nv);
		v = &L->vars.v[L->vars.n - 1];
	}
	free(v->value);
	v->value = value ? strdup(value) : NULL;
	v->is_env = v->is_env || is_env;
}

static void vars_release(lower *L)
{
	for (size_t i = 0; i < L->vars.n; i++) {
		free(L->vars.v[i].name);
		free(L->vars.v[i].value);
	}
	kf_vec_free(&L->vars);
}

static _Thread_local char builtin_buf[128];

static bool lookup(void *ctx, kf_str name, kf_str *value)
{
	lower *L = ctx;
	var *v = var_find(L, name.ptr, name.len);
	if (v) {
		if (!v->value)
			return false;
		*value = kf_str_cstr(v->value);
		return true;
	}
	const char *b = kf_builtin_value(name, &L->in->platform, builtin_buf, sizeof builtin_buf);
	if (b) {
		*value = kf_str_cstr(b);
		return true;
	}
	return false;
}

static void error_at(lower *L, kf_span span, const char *code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void error_at(lower *L, kf_span span, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kf_diag_add(L->diags, KF_SEV_ERROR, span, code, "%s", msg);
	L->failed = true;
}

/* A word with variables expanded and quotes removed; malloc'd, or NULL
 * after a diagnostic. */
static char *expand(lower *L, const kf_word *w)
{
	kf_expand_env env = {lookup, L};
	kf_buf out = KF_BUF_INIT;
	kf_expand_error e;
	if (!kf_expand_word(w->text, L->esc, &env, &out, &e)) {
		error_at(L, w->span, "KF501", "%s", e.detail[0] ? e.detail : e.message);
		kf_buf_release(&out);
		return NULL;
	}
	if (!out.ptr)
		return strdup("");
	return out.ptr;
}

static char *expand_str(lower *L, kf_str text, kf_span span)
{
	kf_word w = {span, text};
	return expand(L, &w);
}

/* ARG: each name takes its --build-arg, else its default; an ENV of the
 * same name wins, as in Docker. One binding for the ARGs before FROM (the
 * base image's name) and after it. */
static void bind_args(lower *L, const kf_instr *in)
{
	const kf_plan_input *pin = L->in;
	for (uint32_t k = 0; k < in->npairs; k++) {
		kf_word key = kf_pair_key(&in->pairs[k]);
		const char *given = NULL;
		for (size_t b = 0; b < pin->nbuild_args; b++)
			if (strncmp(pin->build_args[b], key.text.ptr, key.text.len) == 0 &&
			    pin->build_args[b][key.text.len] == '=') {
				given = pin->build_args[b] + key.text.len + 1;
				if (L->arg_used)
					L->arg_used[b] = true;
			}
		char *def = NULL;
		if (!given && in->pairs[k].sep != KF_SEP_NONE) {
			kf_word v = kf_pair_value(&in->pairs[k]);
			def = expand(L, &v);
		} else if (!given) {
			/* ARG TARGETARCH: the built-in's value, as Docker's
			 * automatic platform ARGs, not an empty one */
			char buf[128];
			const char *b = kf_builtin_value(key.text, &pin->platform, buf, sizeof buf);
			def = b ? strdup(b) : NULL;
		}
		var *old = var_find(L, key.text.ptr, key.text.len);
		if (!(old && old->is_env))
			var_set(L, key.text.ptr, key.text.len, given ? given : def, false);
		free(def);
	}
}

/* ---- paths ---------------------------------------------------------------------- */

/* A destination in the rootfs: relative to WORKDIR unless absolute, ".."
 * stops at the root. Returns the relative path without a leading slash. */
static char *dest_path(lower *L, const char *d)
{
	kf_buf b = KF_BUF_INIT;
	if (d[0] != '/')
		kf_buf_printf(&b, "%s/", L->workdir);
	kf_buf_adds(&b, d);
	char *r = kf_path_clean(b.ptr, true);
	kf_buf_release(&b);
	return r;
}

static bool is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Is the real path of full inside the real context? */
static bool inside_context(lower *L, const char *full)
{
	char real[PATH_MAX];
	if (!realpath(full, real))
		return true; /* missing: reported by the caller */
	size_t n = strlen(L->in->context);
	return strncmp(real, L->in->context, n) == 0 && (real[n] == '\0' || real[n] == '/' || n == 1);
}

/* Why the ignore set leaves out rel (a context path): "excluded by
 * .dockerignore:3", "the build's output". NULL when it is kept (a directory
 * kept for what an exception re-includes under it counts as kept). */
static const char *left_out(lower *L, const char *rel, bool is_dir, char *buf, size_t len)
{
	const kf_ignore *ig = L->in->ignore;
	unsigned line;
	if (!ig || !rel[0] || !kf_ignore_excluded(ig, rel, is_dir, &line))
		return NULL;
	if (is_dir && kf_ignore_may_reinclude(ig, rel))
		return NULL;
	if (!line)
		return "it is an output of this build (-o)";
	snprintf(buf, len, "%s:%u excludes it", base_name(kf_ignore_file(ig)), line);
	return buf;
}

typedef struct resolved {
	char *rel;   /* context-relative */
	bool is_dir;
} resolved;

typedef KF_VEC(resolved) resolved_vec;

/* Resolves one context source (a path or a glob) into files and
 * directories; false after a diagnostic. */
static bool resolve_source(lower *L, const char *src, kf_span span, const char *what, resolved_vec *out)
{
	if (src[0] == '/') {
		error_at(L, span, "KF502", "%s '%s' is an absolute path: a build reads only its context, write it relative to "
			 "the context",
			 what, src);
		return false;
	}
	char *rel = kf_path_clean(src, false);
	if (!rel) {
		error_at(L, span, "KF503", "%s '%s' is outside the build context: sources must be paths inside it", what, src);
		return false;
	}
	kf_buf full = KF_BUF_INIT;
	kf_buf_printf(&full, "%s%s%s", L->in->context, rel[0] ? "/" : "", rel);
	bool ok = true;
	if (is_glob(rel)) {
		glob_t g;
		int r = glob(full.ptr, GLOB_PERIOD | GLOB_NOSORT, NULL, &g);
		size_t nleft = 0;
		if (r != 0 || g.gl_pathc == 0) {
			error_at(L, span, "KF504", "%s '%s' matches no file in the build context", what, src);
			ok = false;
		} else {
			size_t n0 = out->n;
			for (size_t i = 0; i < g.gl_pathc && ok; i++) {
				const char *b = base_name(g.gl_pathv[i]);
				if (strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
					continue;
				if (!inside_context(L, g.gl_pathv[i])) {
					error_at(L, span, "KF503", "%s '%s' leads outside the build context through a symbolic link",
						 what, g.gl_pathv[i] + strlen(L->in->context) + 1);
					ok = false;
					break;
				}
				struct stat st;
				stat(g.gl_pathv[i], &st);
				const char *gr = g.gl_pathv[i] + strlen(L->in->context) + 1;
				char why[PATH_MAX];
				if (left_out(L, gr, S_ISDIR(st.st_mode), why, sizeof why)) {
					nleft++;
					continue;
				}
				resolved rs = {strdup(gr), S_ISDIR(st.st_mode)};
				kf_vec_push(out, rs);
			}
			if (ok && out->n == n0) {
				const char *f = kf_ignore_file(L->in->ignore);
				if (nleft)
					error_at(L, span, "KF504", "%s '%s' matches no file in the build context: %s leaves out the %zu it matches",
						 what, src, f ? base_name(f) : "-o", nleft);
				else
					error_at(L, span, "KF504", "%s '%s' matches no file in the build context", what, src);
				ok = false;
			}
			/* glob order is the file system's: sort */
			for (size_t i = n0 + 1; i < out->n; i++)
				for (size_t j = i; j > n0 && strcmp(out->v[j - 1].rel, out->v[j].rel) > 0; j--) {
					resolved t = out->v[j];
					out->v[j] = out->v[j - 1];
					out->v[j - 1] = t;
				}
		}
		if (r == 0)
			globfree(&g);
	} else {
		struct stat st;
		if (stat(full.ptr, &st) != 0) {
			if (lstat(full.ptr, &st) == 0)
				error_at(L, span, "KF504", "%s '%s' is a symbolic link to nothing", what, src);
			else
				error_at(L, span, "KF504", "%s '%s' not found in the build context (%s)", what, src, L->in->context);
			ok = false;
		} else if (!inside_context(L, full.ptr)) {
			error_at(L, span, "KF503", "%s '%s' leads outside the build context through a symbolic link", what, src);
			ok = false;
		} else {
			char why[PATH_MAX];
			const char *w = left_out(L, rel, S_ISDIR(st.st_mode), why, sizeof why);
			if (w) {
				error_at(L, span, "KF504", "%s '%s' is left out of the build context: %s", what, src, w);
				ok = false;
			} else {
				resolved rs = {strdup(rel), S_ISDIR(st.st_mode)};
				kf_vec_push(out, rs);
			}
		}
	}
	kf_buf_release(&full);
	free(rel);
	return ok;
}

static const char *url_basename(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	const char *end = p + strcspn(p, "?#");
	const char *slash = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '/')
			slash = q;
	if (!slash || slash + 1 >= end) {
		snprintf(buf, len, "download");
		return buf;
	}
	snprintf(buf, len, "%.*s", (int)(end - slash - 1), slash + 1);
	return buf;
}

static const kf_flag *flag(const kf_instr *in, const char *name)
{
	uint32_t n;
	const kf_flag *f = kf_instr_flags(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (kf_str_eq_cstr(f[i].name, name))
			return &f[i];
	return NULL;
}

/* The instruction's flags: one that kfc build refuses (syntax/instrdoc.h:
 * the table kflint's KF224 reads too), or that the instruction does not
 * take (kflint's KF217), is an error at the flag. */
static bool check_flags(lower *L, const kf_instr *in)
{
	uint32_t n;
	const kf_flag *f = kf_instr_flags(in, &n);
	bool ok = true;
	for (uint32_t i = 0; i < n; i++) {
		const kf_flag_refusal *r = kf_flag_refused((kf_kind)in->kind, f[i].name);
		if (r)
			error_at(L, f[i].span, r->code, "%s --%s %s", kf_kind_name((kf_kind)in->kind), r->name, r->why);
		else if (!kf_instr_doc_flag((kf_kind)in->kind, f[i].name))
			error_at(L, f[i].span, "KF505", "%s does not support --%.*s", kf_kind_name((kf_kind)in->kind),
				 (int)f[i].name.len, f[i].name.ptr);
		ok = ok && !r && kf_instr_doc_flag((kf_kind)in->kind, f[i].name);
	}
	return ok;
}

/* The heredoc whose marker is word w, or NULL. */
static const kf_heredoc *heredoc_of(const kf_instr *in, const kf_word *w)
{
	uint32_t n;
	const kf_heredoc *h = kf_instr_heredocs(in, &n);
	for (uint32_t i = 0; i < n; i++)
		if (h[i].marker.start >= w->span.start && h[i].marker.start < w->span.end + 1)
			return &h[i];
	return NULL;
}

static char *heredoc_text(lower *L, const kf_heredoc *h)
{
	if (h->quoted)
		return strndup(h->text.ptr, h->text.len);
	/* an unquoted heredoc expands variables, as the shell would, but keeps quotes */
	kf_buf out = KF_BUF_INIT;
	const char *p = h->text.ptr, *e = p + h->text.len;
	while (p < e) {
		if (*p == '$' && p + 1 < e && (p[1] == '{' || p[1] == '_' || (p[1] >= 'A' && p[1] <= 'Z') ||
					      (p[1] >= 'a' && p[1] <= 'z'))) {
			const char *s = p + 1;
			const char *t;
			if (*s == '{') {
				t = memchr(s, '}', (size_t)(e - s));
				if (!t) {
					kf_buf_add(&out, p, (size_t)(e - p));
					break;
				}
				t++;
			} else {
				t = s;
				while (t < e && (*t == '_' || (*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') ||
						 (*t >= '0' && *t <= '9')))
					t++;
			}
			kf_buf ref = KF_BUF_INIT;
			kf_buf_add(&ref, p, (size_t)(t - p));
			char *v = expand_str(L, kf_str_make(ref.ptr, ref.len), h->body);
			if (v)
				kf_buf_adds(&out, v);
			free(v);
			kf_buf_release(&ref);
			p = t;
			continue;
		}
		kf_buf_addc(&out, *p++);
	}
	return out.ptr ? out.ptr : strdup("");
}

/* ---- steps and sources ------------------------------------------------------------- */

static kf_step_kind kind_of(kf_kind k)
{
	switch (k) {
	case KF_INSTR_COPY: case KF_INSTR_ADD: case KF_INSTR_APP: case KF_INSTR_CNI: case KF_INSTR_CSI:
	case KF_INSTR_PLUGINS: case KF_INSTR_IMAGES:
		return KF_STEP_FILES;
	case KF_INSTR_RUN:
		return KF_STEP_RUN;
	default:
		return KF_STEP_CONFIG;
	}
}

/* The history text: the keyword and the arguments, continuations joined. */
static const char *created_by(lower *L, const kf_instr *in)
{
	const kf_document *doc = L->in->doc;
	kf_buf t = KF_BUF_INIT;
	kf_buf_adds(&t, kf_kind_name((kf_kind)in->kind));
	uint32_t nf;
	const kf_flag *fl = kf_instr_flags(in, &nf);
	for (uint32_t i = 0; i < nf; i++) {
		kf_buf_addc(&t, ' ');
		kf_buf_addstr(&t, fl[i].raw);
	}
	if (kf_instr_name(in)) {
		kf_buf_addc(&t, ' ');
		kf_buf_addstr(&t, kf_instr_name(in)->text);
	}
	if (in->form == KF_FORM_JSON) {
		kf_buf_addc(&t, ' ');
		kf_buf_add(&t, doc->src->text + in->json_start, in->span.end - in->json_start);
		while (t.len && (t.ptr[t.len - 1] == '\n' || t.ptr[t.len - 1] == '\r' || t.ptr[t.len - 1] == ' '))
			t.ptr[--t.len] = '\0';
	} else {
		for (uint32_t i = 0; i < in->nargs; i++) {
			kf_buf_addc(&t, ' ');
			kf_buf_addstr(&t, in->args[i].text);
		}
		for (uint32_t i = 0; i < in->npairs; i++) {
			kf_buf_addc(&t, ' ');
			kf_word k = kf_pair_key(&in->pairs[i]), v = kf_pair_value(&in->pairs[i]);
			kf_buf_addstr(&t, k.text);
			if (in->pairs[i].sep != KF_SEP_NONE) {
				kf_buf_addc(&t, in->pairs[i].sep == KF_SEP_SPACE ? ' ' : '=');
				kf_buf_addstr(&t, v.text);
			}
		}
	}
	const char *r = S(L, t.ptr ? t.ptr : "");
	kf_buf_release(&t);
	return r;
}

static kf_plan_step new_step(lower *L, const kf_instr *in, uint32_t index)
{
	kf_position pos = kf_source_position(L->in->doc->src, in->span.start);
	kf_plan_step st = {.index = index, .line = pos.line + 1, .instruction = (kf_kind)in->kind,
			   .created_by = created_by(L, in), .kind = kind_of((kf_kind)in->kind), .mode = -1};
	return st;
}

/* Adds a source to the step being lowered; the strings are copied. */
static kf_plan_source *add_source(lower *L, kf_source_type type, const char *path, const char *dest)
{
	kf_plan_source s = {.type = type, .path = S(L, path), .dest = S(L, dest)};
	kf_vec_push(&L->srcs, s);
	return &L->srcs.v[L->srcs.n - 1];
}

/* Context sources (paths or globs) of APP, CNI, CSI and PLUGINS into dir:
 * a directory's contents into dir itself, a file under its name. */
static void add_context_sources(lower *L, const char *path, kf_span span, const char *what, const char *dir)
{
	resolved_vec found = {0};
	if (resolve_source(L, path, span, what, &found))
		for (size_t k = 0; k < found.n; k++) {
			char *dest = found.v[k].is_dir ? strdup(dir) : kf_path_join(dir, base_name(found.v[k].rel));
			add_source(L, found.v[k].is_dir ? KF_SRC_DIR : KF_SRC_FILE, found.v[k].rel, dest);
			free(dest);
		}
	for (size_t k = 0; k < found.n; k++)
		free(found.v[k].rel);
	kf_vec_free(&found);
}

static const char *owner_of(lower *L, const kf_instr *in)
{
	const kf_flag *f = flag(in, "chown");
	if (!f)
		return NULL;
	char *v = expand_str(L, f->value, f->span);
	const char *r = S(L, v);
	free(v);
	return r;
}

static bool mode_value(lower *L, const kf_instr *in, kf_plan_step *st)
{
	const kf_flag *f = flag(in, "chmod");
	if (!f)
		return true;
	char *v = expand_str(L, f->value, f->span);
	if (!v)
		return false;
	char *end;
	long m = strtol(v, &end, 8);
	if (!*v || *end || m < 0 || m > 07777) {
		error_at(L, f->span, "KF506", "--chmod=%s is not an octal mode (such as 0644 or 755)", v);
		free(v);
		return false;
	}
	free(v);
	st->mode = (int)m;
	return true;
}

/* ---- one function per instruction kind -------------------------------------------- */

static void lower_arg(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	bind_args(L, in);
}

static void lower_env(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	for (uint32_t k = 0; k < in->npairs; k++) {
		kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
		char *v = expand(L, &val);
		if (!v)
			continue;
		char *kname = strndup(key.text.ptr, key.text.len);
		var_set(L, key.text.ptr, key.text.len, v, true);
		config_env_set(L->config, kname, v);
		json_object_set_new(L->ext_env, kname, json_string(v));
		free(kname);
		free(v);
	}
}

static void lower_label(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	for (uint32_t k = 0; k < in->npairs; k++) {
		kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
		char *kk = expand(L, &key), *v = expand(L, &val);
		if (kk && v)
			json_object_set_new(L->labels, kk, json_string(v));
		free(kk);
		free(v);
	}
}

static void lower_maintainer(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	if (!in->nargs)
		return;
	kf_span sp = {in->args[0].span.start, in->args[in->nargs - 1].span.end};
	kf_str t = {L->in->doc->src->text + sp.start, sp.end - sp.start};
	json_object_set_new(L->labels, "org.opencontainers.image.authors", json_stringn(t.ptr, t.len));
}

static void lower_kubeversion(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	if (!in->nargs)
		return;
	kf_buf t = KF_BUF_INIT;
	for (uint32_t k = 0; k < in->nargs; k++) {
		char *v = expand(L, &in->args[k]);
		if (k)
			kf_buf_addc(&t, ' ');
		if (v)
			kf_buf_adds(&t, v);
		free(v);
	}
	json_object_set_new(L->labels, "app.alpha.sealer.io/supported-kube-version", json_string(t.ptr ? t.ptr : ""));
	kf_buf_release(&t);
}

/* Is src the context's registry folder ("registry", "registry/", "./registry")? */
static bool is_registry_source(lower *L, const char *src)
{
	(void)L;
	char *rel = kf_path_clean(src, false);
	bool yes = rel && strcmp(rel, "registry") == 0;
	free(rel);
	return yes;
}

/* One source word of COPY or ADD: a heredoc, a URL (ADD) or context paths.
 * Returns how many items it gave. */
static size_t copy_source(lower *L, const kf_instr *in, uint32_t i, const char *dest, bool dest_dir,
			  const char *checksum, resolved_vec *found)
{
	bool is_add = in->kind == KF_INSTR_ADD;
	const kf_word *w = &in->args[i];
	const kf_heredoc *h = heredoc_of(in, w);
	if (h) {
		char *text = heredoc_text(L, h);
		char *delim = strndup(h->delim.ptr, h->delim.len);
		char *name = dest_dir ? kf_path_join(dest, delim) : strdup(dest);
		add_source(L, KF_SRC_DATA, NULL, name)->data = S(L, text);
		free(delim);
		free(text);
		free(name);
		return 1;
	}
	char *src = expand(L, w);
	if (!src)
		return 0;
	size_t nitems = 0;
	kf_str rest;
	kf_scheme sch = kf_scheme_of(kf_str_cstr(src), &rest);
	if (sch == KF_SCHEME_HTTP || sch == KF_SCHEME_HTTPS) {
		if (!is_add) {
			error_at(L, w->span, "KF507", "COPY does not fetch URLs: use ADD for '%s'", src);
		} else {
			char b[256];
			char *name = dest_dir ? kf_path_join(dest, url_basename(src, b, sizeof b)) : strdup(dest);
			kf_plan_source *s = add_source(L, KF_SRC_URL, NULL, name);
			s->url = S(L, src);
			s->checksum = S(L, checksum);
			free(name);
			nitems = 1;
		}
	} else if (sch != KF_SCHEME_NONE) {
		error_at(L, w->span, "KF507", "%s source '%s': only paths in the build context%s", kf_kind_name((kf_kind)in->kind),
			 src, is_add ? " and http(s):// URLs" : "");
	} else if (checksum) {
		error_at(L, w->span, "KF508", "ADD --checksum applies to URLs: '%s' is a path in the context", src);
	} else if (L->in->context_registry && is_registry_source(L, src)) {
		/* the context's own registry/, if it has one, then the build's
		 * cache of the context's images over it */
		size_t n0 = found->n;
		struct stat st;
		char full[PATH_MAX];
		snprintf(full, sizeof full, "%s/registry", L->in->context);
		if (lstat(full, &st) == 0 && resolve_source(L, src, w->span, "source", found))
			for (size_t k = n0; k < found->n; k++)
				add_source(L, found->v[k].is_dir ? KF_SRC_DIR : KF_SRC_FILE, found->v[k].rel, dest);
		add_source(L, KF_SRC_REGISTRY, "registry", dest);
		nitems = 1;
	} else {
		size_t n0 = found->n;
		if (resolve_source(L, src, w->span, "source", found))
			nitems = found->n - n0;
		char *rel = kf_path_clean(src, false);
		if (L->in->context_registry && nitems && rel && !rel[0]) {
			/* the whole context: the cache of its images in its registry/ */
			char *reg = kf_path_join(dest, "registry");
			add_source(L, KF_SRC_REGISTRY, "registry", reg);
			free(reg);
		}
		free(rel);
		for (size_t k = n0; k < found->n; k++) {
			resolved *r = &found->v[k];
			char full[PATH_MAX];
			snprintf(full, sizeof full, "%s/%s", L->in->context, r->rel);
			if (r->is_dir) {
				add_source(L, KF_SRC_DIR, r->rel, dest);
				continue;
			}
			bool many = kf_copy_nsrcs(in) > 1 || is_glob(src);
			bool archive = is_add && kf_is_archive_file(full);
			char *name = archive		 ? strdup(dest)
				     : (dest_dir || many) ? kf_path_join(dest, base_name(r->rel))
							  : strdup(dest);
			add_source(L, archive ? KF_SRC_ARCHIVE : KF_SRC_FILE, r->rel, name);
			free(name);
		}
	}
	free(src);
	return nitems;
}

/* COPY and ADD */
static void lower_copy(lower *L, const kf_instr *in, kf_plan_step *st)
{
	if (!check_flags(L, in))
		return;
	/* ADD --checksum=sha256:HEX: what a URL must download to */
	const kf_flag *ck = flag(in, "checksum");
	char *checksum = NULL;
	if (ck) {
		checksum = expand_str(L, ck->value, ck->span);
		if (checksum && !kf_digest_valid(checksum)) {
			error_at(L, ck->span, "KF508", "--checksum=%s: expected sha256: and 64 lower-case hex digits", checksum);
			free(checksum);
			return;
		}
	}
	st->owner = owner_of(L, in);
	uint32_t ns = kf_copy_nsrcs(in);
	const kf_word *dw = kf_copy_dest(in);
	char *d = NULL;
	if (!mode_value(L, in, st) || !ns || !dw || !(d = expand(L, dw))) {
		free(checksum);
		return;
	}
	bool dest_dir = d[0] == '\0' || d[strlen(d) - 1] == '/' || (strcmp(d, ".") == 0);
	char *dest = dest_path(L, d);
	resolved_vec found = {0};
	size_t nitems = 0;
	for (uint32_t i = 0; i < ns; i++)
		nitems += copy_source(L, in, i, dest, dest_dir, checksum, &found);
	if (nitems > 1 && !dest_dir && !L->failed)
		error_at(L, dw->span, "KF514",
			 "with more than one source the destination must be a directory and end with '/': write '%s/'", d);
	for (size_t k = 0; k < found.n; k++)
		free(found.v[k].rel);
	kf_vec_free(&found);
	free(checksum);
	free(d);
	free(dest);
}

/* APP, CNI, CSI: sources into application/apps/<name>/ */
static void lower_app(lower *L, const kf_instr *in, kf_plan_step *st)
{
	const kf_word *nw = kf_instr_name(in);
	char *name = nw ? expand(L, nw) : NULL;
	if (!name)
		return;
	st->app = S(L, name);
	char *dir = kf_path_join("application/apps", name);
	uint32_t n;
	const kf_app_source *srcs = kf_app_sources(in, &n);
	for (uint32_t i = 0; i < n; i++) {
		char *s = expand(L, srcs[i].word);
		if (!s)
			continue;
		kf_str rest;
		kf_scheme sch = kf_scheme_of(kf_str_cstr(s), &rest);
		if (sch == KF_SCHEME_HTTP || sch == KF_SCHEME_HTTPS) {
			char b[256];
			char *dest = kf_path_join(dir, url_basename(s, b, sizeof b));
			add_source(L, KF_SRC_URL, NULL, dest)->url = S(L, s);
			free(dest);
		} else if (sch == KF_SCHEME_LOCAL) {
			char *path = strndup(rest.ptr, rest.len);
			add_context_sources(L, path, srcs[i].word->span, "app source", dir);
			free(path);
		} else {
			error_at(L, srcs[i].word->span, "KF507", "app source '%s' must be local://PATH, http:// or https://", s);
		}
		free(s);
	}
	/* the app: a later declaration replaces it (its files accumulate) */
	json_t *app = json_object_get(L->apps, name);
	if (!app) {
		app = json_object();
		json_object_set_new(L->apps, name, app);
	}
	json_object_set_new(app, "declared", json_true());
	if (in->kind == KF_INSTR_CNI || in->kind == KF_INSTR_CSI) {
		char key[512];
		snprintf(key, sizeof key, "cluster.alpha.sealer.io/kube-%s-%s", in->kind == KF_INSTR_CNI ? "cni" : "csi", name);
		json_object_set_new(L->labels, key, json_string("true"));
	}
	free(dir);
	free(name);
}

static void lower_plugins(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	for (uint32_t k = 0; k < in->nargs; k++) {
		char *s = expand(L, &in->args[k]);
		if (!s)
			continue;
		kf_str rest;
		const char *path = kf_scheme_of(kf_str_cstr(s), &rest) == KF_SCHEME_LOCAL ? s + 8 : s;
		add_context_sources(L, path, in->args[k].span, "plugin source", "plugins");
		free(s);
	}
}

/* The lines of an IMAGES --file list: trimmed, without blanks and comments. */
static void image_file_lines(lower *L, const kf_flag *ff, kf_buf *lines)
{
	char *p = expand_str(L, ff->value, ff->span);
	resolved_vec found = {0};
	if (p && resolve_source(L, p, ff->span, "image list", &found) && found.n == 1 && !found.v[0].is_dir) {
		char full[PATH_MAX];
		snprintf(full, sizeof full, "%s/%s", L->in->context, found.v[0].rel);
		FILE *f = fopen(full, "r");
		char line[4096];
		while (f && fgets(line, sizeof line, f)) {
			char *s = line + strspn(line, " \t");
			s[strcspn(s, "\r\n")] = '\0';
			size_t n = strlen(s);
			while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				s[--n] = '\0';
			if (!*s || *s == '#')
				continue;
			kf_buf_printf(lines, "%s\n", s);
		}
		if (f)
			fclose(f);
	}
	for (size_t f = 0; f < found.n; f++)
		free(found.v[f].rel);
	kf_vec_free(&found);
	free(p);
}

static void lower_images(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	kf_buf lines = KF_BUF_INIT;
	const kf_flag *ff = flag(in, "file");
	if (ff)
		image_file_lines(L, ff, &lines);
	for (uint32_t k = 0; k < in->nargs; k++) {
		char *s = expand(L, &in->args[k]);
		if (s && *s)
			kf_buf_printf(&lines, "%s\n", s);
		free(s);
	}
	add_source(L, KF_SRC_APPEND, NULL, "manifests/imageList")->data = S(L, lines.ptr ? lines.ptr : "");
	kf_buf_release(&lines);
}

/* The RUN environment: ARGs and ENVs in scope, the platform, a PATH. */
static void run_env(lower *L, kf_plan_step *st)
{
	KF_VEC(const char *) env = {0};
	bool path = false;
	for (size_t i = 0; i < L->vars.n; i++) {
		if (!L->vars.v[i].value)
			continue;
		if (strcmp(L->vars.v[i].name, "PATH") == 0)
			path = true;
		kf_vec_push(&env, kf_arena_printf(&L->plan->arena, "%s=%s", L->vars.v[i].name, L->vars.v[i].value));
	}
	for (const char *const *k = kf_run_builtins; *k; k++) {
		if (var_find(L, *k, strlen(*k)))
			continue;
		char buf[128];
		kf_vec_push(&env, kf_arena_printf(&L->plan->arena, "%s=%s", *k,
						  kf_builtin_value(kf_str_cstr(*k), &L->in->platform, buf, sizeof buf)));
	}
	if (!path)
		kf_vec_push(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	kf_vec_take(&env, 0, &L->plan->arena, st->env, st->nenv);
	kf_vec_free(&env);
}

/* A RUN's shell script: the command line and the heredocs after it, as the
 * shell would read them from a file; RUN <<EOF alone: the body. */
static char *run_script(const kf_instr *in)
{
	const kf_word *w = &in->args[0];
	uint32_t nh;
	const kf_heredoc *h = kf_instr_heredocs(in, &nh);
	kf_buf script = KF_BUF_INIT;
	kf_str t = w->text;
	while (t.len && (t.ptr[t.len - 1] == ' ' || t.ptr[t.len - 1] == '\t'))
		t.len--;
	if (nh == 1 && t.len == h[0].marker.end - h[0].marker.start) {
		kf_buf_addstr(&script, h[0].text);
	} else {
		kf_buf_addstr(&script, w->text);
		for (uint32_t i = 0; i < nh; i++) {
			kf_buf_addc(&script, '\n');
			kf_buf_addstr(&script, h[i].text);
			kf_buf_addstr(&script, h[i].delim);
		}
	}
	return script.ptr ? script.ptr : strdup("");
}

static void lower_run(lower *L, const kf_instr *in, kf_plan_step *st)
{
	check_flags(L, in);
	const kf_flag *net = flag(in, "network");
	KF_VEC(const char *) argv = {0};
	if (in->form == KF_FORM_JSON) {
		for (uint32_t i = 0; i < in->nargs; i++)
			kf_vec_push(&argv, kf_arena_strndup(&L->plan->arena, in->args[i].text.ptr, in->args[i].text.len));
	} else if (in->nargs) {
		char *script = run_script(in);
		kf_vec_push(&argv, "/bin/sh");
		kf_vec_push(&argv, "-c");
		kf_vec_push(&argv, S(L, script));
		free(script);
	}
	kf_vec_take(&argv, 0, &L->plan->arena, st->argv, st->nargv);
	kf_vec_free(&argv);
	run_env(L, st);
	if (net) {
		char *v = expand_str(L, net->value, net->span);
		if (v && strcmp(v, "none") != 0 && strcmp(v, "default") != 0 && strcmp(v, "host") != 0)
			error_at(L, net->span, "KF510", "--network=%s: none, default or host", v);
		else if (v)
			st->network = strcmp(v, "none") == 0 ? "none" : "host";
		free(v);
	}
}

/* The app a LAUNCH, APPCMDS or APPENV word names, declared here or in the
 * base; NULL after a diagnostic. *name_out is malloc'd. */
static json_t *app_entry(lower *L, const kf_word *nw, char **name_out)
{
	char *name = expand(L, nw);
	if (!name)
		return NULL;
	json_t *app = json_object_get(L->apps, name);
	if (!app)
		error_at(L, nw->span, "KF511", "app '%s' is not declared, here or in the base image", name);
	*name_out = name;
	return app;
}

static void lower_appcmds(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	char *name = NULL;
	json_t *app = kf_instr_name(in) ? app_entry(L, kf_instr_name(in), &name) : NULL;
	if (app) {
		kf_buf t = KF_BUF_INIT;
		for (uint32_t k = 0; k < in->nargs; k++) {
			if (k)
				kf_buf_addc(&t, ' ');
			kf_buf_addstr(&t, in->args[k].text);
		}
		json_object_set_new(app, "cmds", json_pack("[s]", t.ptr ? t.ptr : ""));
		kf_buf_release(&t);
	}
	free(name);
}

static void lower_appenv(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	char *name = NULL;
	json_t *app = kf_instr_name(in) ? app_entry(L, kf_instr_name(in), &name) : NULL;
	if (app) {
		json_t *env = json_object_get(app, "env");
		if (!env) {
			env = json_object();
			json_object_set_new(app, "env", env);
		}
		for (uint32_t k = 0; k < in->npairs; k++) {
			kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
			char *v = expand(L, &val);
			char *kk = strndup(key.text.ptr, key.text.len);
			if (v)
				json_object_set_new(env, kk, json_string(v));
			free(kk);
			free(v);
		}
	}
	free(name);
}

static void lower_launch(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	json_decref(L->app_names);
	L->app_names = json_array();
	for (uint32_t k = 0; k < in->nargs; k++) {
		char *name = NULL;
		if (app_entry(L, &in->args[k], &name))
			json_array_append_new(L->app_names, json_string(name));
		free(name);
	}
}

static void append_words(json_t *arr, const kf_instr *in)
{
	for (uint32_t k = 0; k < in->nargs; k++)
		json_array_append_new(arr, json_stringn(in->args[k].text.ptr, in->args[k].text.len));
}

static void lower_cmds(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	json_decref(L->cmds_cmds);
	L->cmds_cmds = json_array();
	append_words(L->cmds_cmds, in);
}

/* CMD's and ENTRYPOINT's config value, as buildah and docker write it: the
 * JSON form's array, or the shell form's text behind the SHELL (default
 * /bin/sh -c) */
static json_t *exec_form(lower *L, const kf_instr *in)
{
	json_t *a = json_array();
	if (in->form == KF_FORM_JSON) {
		append_words(a, in);
	} else if (in->nargs) {
		json_t *sh = json_object_get(L->config, "Shell");
		if (json_array_size(sh)) {
			json_array_extend(a, sh);
		} else {
			json_array_append_new(a, json_string("/bin/sh"));
			json_array_append_new(a, json_string("-c"));
		}
		json_array_append_new(a, json_stringn(in->args[0].text.ptr, in->args[0].text.len));
	}
	return a;
}

static void lower_cmd(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	append_words(L->cmd_cmds, in);
	json_object_set_new(L->config, "Cmd", exec_form(L, in));
	L->cmd_set = true;
}

/* SHELL ["executable", "parameters"]: the shell of later shell forms */
static void lower_shell(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	if (in->form != KF_FORM_JSON || !in->nargs) {
		error_at(L, in->span, "KF516", "SHELL takes the JSON form: SHELL [\"/bin/bash\", \"-c\"]");
		return;
	}
	json_t *a = json_array();
	append_words(a, in);
	json_object_set_new(L->config, "Shell", a);
}

/* USER, WORKDIR, STOPSIGNAL: one config field each */
static void lower_config_word(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	char *v = in->nargs ? expand(L, &in->args[0]) : NULL;
	if (!v)
		return;
	const char *key = in->kind == KF_INSTR_USER ? "User" : in->kind == KF_INSTR_WORKDIR ? "WorkingDir" : "StopSignal";
	if (in->kind == KF_INSTR_WORKDIR) {
		char *w = dest_path(L, v);
		free(L->workdir);
		L->workdir = w;
		free(v);
		if (asprintf(&v, "/%s", w) < 0)
			abort();
	}
	json_object_set_new(L->config, key, json_string(v));
	free(v);
}

static void lower_entrypoint(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	json_object_set_new(L->config, "Entrypoint", exec_form(L, in));
	if (!L->cmd_set) /* docker and buildah: the base's Cmd does not outlive a new ENTRYPOINT */
		json_object_del(L->config, "Cmd");
}

/* EXPOSE, VOLUME: keys of an object of empty objects */
static void lower_config_set(lower *L, const kf_instr *in, kf_plan_step *st)
{
	(void)st;
	const char *key = in->kind == KF_INSTR_EXPOSE ? "ExposedPorts" : "Volumes";
	json_t *o = json_object_get(L->config, key);
	if (!o) {
		o = json_object();
		json_object_set_new(L->config, key, o);
	}
	for (uint32_t k = 0; k < in->nargs; k++) {
		char *v = expand(L, &in->args[k]);
		if (v && *v) {
			char *port = NULL;
			if (in->kind == KF_INSTR_EXPOSE && !strchr(v, '/') && asprintf(&port, "%s/tcp", v) < 0)
				abort();
			json_object_set_new(o, port ? port : v, json_object());
			free(port);
		}
		free(v);
	}
}

typedef void (*lower_fn)(lower *L, const kf_instr *in, kf_plan_step *st);

/* HEALTHCHECK, SHELL, ONBUILD and the rest: history only (NULL) */
static const lower_fn lowerers[KF_INSTR__COUNT] = {
	[KF_INSTR_ARG] = lower_arg,
	[KF_INSTR_ENV] = lower_env,
	[KF_INSTR_LABEL] = lower_label,
	[KF_INSTR_MAINTAINER] = lower_maintainer,
	[KF_INSTR_KUBEVERSION] = lower_kubeversion,
	[KF_INSTR_COPY] = lower_copy,
	[KF_INSTR_ADD] = lower_copy,
	[KF_INSTR_APP] = lower_app,
	[KF_INSTR_CNI] = lower_app,
	[KF_INSTR_CSI] = lower_app,
	[KF_INSTR_PLUGINS] = lower_plugins,
	[KF_INSTR_IMAGES] = lower_images,
	[KF_INSTR_RUN] = lower_run,
	[KF_INSTR_APPCMDS] = lower_appcmds,
	[KF_INSTR_APPENV] = lower_appenv,
	[KF_INSTR_LAUNCH] = lower_launch,
	[KF_INSTR_CMDS] = lower_cmds,
	[KF_INSTR_CMD] = lower_cmd,
	[KF_INSTR_USER] = lower_config_word,
	[KF_INSTR_WORKDIR] = lower_config_word,
	[KF_INSTR_STOPSIGNAL] = lower_config_word,
	[KF_INSTR_ENTRYPOINT] = lower_entrypoint,
	[KF_INSTR_SHELL] = lower_shell,
	[KF_INSTR_EXPOSE] = lower_config_set,
	[KF_INSTR_VOLUME] = lower_config_set,
};

/* ---- the whole lowering -------------------------------------------------------------- */

char *kf_plan_base_ref(const kf_plan_input *pin, kf_diag_bag *diags)
{
	lower L = {.in = pin, .diags = diags, .esc = pin->doc->escape};
	const kf_document *doc = pin->doc;
	char *ref = NULL;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->kind == KF_INSTR_ARG) {
			bind_args(&L, in);
			continue;
		}
		if (in->kind == KF_INSTR_FROM && kf_from_image(in))
			ref = expand(&L, kf_from_image(in));
		break;
	}
	vars_release(&L);
	if (!ref && !L.failed) {
		kf_span at = {0, 0};
		kf_diag_add(diags, KF_SEV_ERROR, at, "KF512", "the Kubefile has no FROM: start it with FROM scratch or FROM <image>");
	}
	return ref;
}

/* What the base image brings: its Env (in scope for the build) and labels,
 * its apps and its extension env. */
static void inherit_base(lower *L)
{
	const kf_plan_input *pin = L->in;
	if (pin->base_config) {
		json_t *e = json_object_get(pin->base_config, "Env");
		if (json_is_array(e))
			json_object_set_new(L->config, "Env", json_deep_copy(e));
		json_t *lb = json_object_get(pin->base_config, "Labels");
		if (json_is_object(lb))
			json_object_update(L->labels, lb);
		/* the rest of the base's config, as docker and buildah keep it */
		static const char *const kept[] = {"Cmd", "Entrypoint", "Shell", "User", "ExposedPorts", "Volumes",
						   "StopSignal", "WorkingDir", NULL};
		for (const char *const *k = kept; *k; k++) {
			json_t *v = json_object_get(pin->base_config, *k);
			if (v && !json_is_null(v))
				json_object_set_new(L->config, *k, json_deep_copy(v));
		}
		const char *wd = json_string_value(json_object_get(pin->base_config, "WorkingDir"));
		if (wd && *wd) {
			free(L->workdir);
			L->workdir = kf_path_clean(wd, true);
			if (!L->workdir)
				L->workdir = strdup("");
		}
	}
	size_t i;
	json_t *v;
	json_array_foreach(pin->base_apps, i, v) {
		const char *n = json_string_value(json_object_get(v, "name"));
		if (!n)
			continue;
		json_t *app = json_deep_copy(v);
		json_object_set_new(app, "inherited", json_true());
		json_object_set_new(L->apps, n, app);
	}
	if (json_is_object(pin->base_env))
		json_object_update(L->ext_env, (json_t *)pin->base_env);
	json_array_foreach(json_object_get(L->config, "Env"), i, v) {
		const char *kv = json_string_value(v);
		const char *eq = kv ? strchr(kv, '=') : NULL;
		if (eq)
			var_set(L, kv, (size_t)(eq - kv), eq + 1, true);
	}
}

/* The image's type, which sealer reads from the extension ("kube-installer",
 * "app-installer") and sealos from the label sealos.io.type ("rootfs",
 * "patch", "application"; none means application): --type, else the
 * label, else the dialect's (an app in sealos's, a cluster in sealer's);
 * the label is written when the image has none, so both agree. */
static const char *image_type(lower *L)
{
	const char *given = L->in->image_type;
	const char *label = json_string_value(json_object_get(L->labels, "sealos.io.type"));
	const char *of_label = !label ? NULL
			     : strcmp(label, "application") == 0 ? "app-installer"
			     : strcmp(label, "rootfs") == 0 || strcmp(label, "patch") == 0 ? "kube-installer"
										   : NULL;
	/* where the label is set: its LABEL here, else (the base's) FROM */
	kf_span at = {0, 0};
	const kf_document *doc = L->in->doc;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->kind == KF_INSTR_FROM && !at.end)
			at = in->span;
		for (uint32_t k = 0; in->kind == KF_INSTR_LABEL && k < in->npairs; k++)
			if (kf_str_eq_cstr(kf_pair_key(&in->pairs[k]).text, "sealos.io.type"))
				at = kf_pair_key(&in->pairs[k]).span;
	}
	if (label && !of_label)
		kf_diag_add(L->diags, KF_SEV_ERROR, at, "KF517",
			    "LABEL sealos.io.type=%s: sealos knows rootfs, patch and application", label);
	else if (given && of_label && strcmp(given, of_label) != 0)
		kf_diag_add(L->diags, KF_SEV_ERROR, at, "KF517",
			    "--type=%s, but the image's label sealos.io.type=%s makes it %s for sealos: sealer and sealos would "
			    "run it differently; drop one or make them agree",
			    given, label, strcmp(label, "application") == 0 ? "an application" : "a cluster rootfs");
	const char *type = given		? given
			   : of_label		? of_label
			   : L->in->model && L->in->model->dialect == KF_DIALECT_SEALOS ? "app-installer"
									       : "kube-installer";
	if (!label)
		json_object_set_new(L->labels, "sealos.io.type",
				    json_string(strcmp(type, "app-installer") == 0 ? "application" : "rootfs"));
	return type;
}

/* The sealer extension: apps in declaration order (the base's first). */
static json_t *extension(lower *L)
{
	json_t *ext = json_object();
	json_object_set_new(ext, "type", json_string(image_type(L)));
	json_t *applist = json_array();
	const char *an;
	json_t *av;
	json_object_foreach(L->apps, an, av) {
		json_t *a = json_object();
		json_object_set_new(a, "name", json_string(an));
		const char *keys[] = {"type", "files", "env", "cmds", "inherited", NULL};
		for (const char **k = keys; *k; k++)
			if (json_object_get(av, *k))
				json_object_set(a, *k, json_object_get(av, *k));
		json_array_append_new(applist, a);
	}
	json_object_set_new(ext, "applications", applist);
	json_object_set(ext, "env", L->ext_env);
	json_t *launch = json_object();
	if (json_array_size(L->cmd_cmds) || L->cmds_cmds) {
		json_t *all = json_array();
		json_array_extend(all, L->cmd_cmds);
		if (L->cmds_cmds)
			json_array_extend(all, L->cmds_cmds);
		json_object_set_new(launch, "cmds", all);
	}
	if (L->app_names)
		json_object_set(launch, "app_names", L->app_names);
	json_object_set_new(ext, "launch", launch);
	return ext;
}

static void lower_instr(lower *L, const kf_instr *in, uint32_t index, bool *saw_from)
{
	if (in->kind == KF_INSTR_ERROR || in->broken) {
		error_at(L, in->span, "KF513", "this line has a syntax error");
		return;
	}
	if (in->kind == KF_INSTR_FROM) {
		if (*saw_from)
			error_at(L, in->span, "KF509", "a second FROM starts a multi-stage build, which kfc build does not support");
		*saw_from = true;
		return;
	}
	kf_plan_step st = new_step(L, in, index);
	if (lowerers[in->kind])
		lowerers[in->kind](L, in, &st);
	if (st.kind == KF_STEP_FILES)
		kf_vec_take(&L->srcs, 0, &L->plan->arena, st.sources, st.nsources);
	L->srcs.n = 0;
	kf_vec_push(&L->steps, st);
}

static void warn_unused_args(lower *L)
{
	for (size_t b = 0; b < L->in->nbuild_args; b++)
		if (!L->arg_used[b]) {
			kf_span at = {0, 0};
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(L->in->build_args[b], "="), L->in->build_args[b]);
			kf_diag_add(L->diags, KF_SEV_WARNING, at, "KF515",
				    "build argument '%s' is not declared by an ARG: it was not used", name);
		}
}

kf_plan *kf_plan_lower(const kf_plan_input *pin, kf_diag_bag *diags)
{
	kf_plan *plan = kf_xcalloc(1, sizeof *plan);
	kf_arena_init(&plan->arena);
	lower L = {.in = pin, .diags = diags, .plan = plan, .esc = pin->doc->escape};
	L.workdir = strdup("");
	L.arg_used = kf_xcalloc(pin->nbuild_args + 1, sizeof(bool));
	L.config = json_object();
	L.labels = json_object();
	L.apps = json_object();
	L.ext_env = json_object();
	L.cmd_cmds = json_array();
	plan->context = S(&L, pin->context);
	plan->ignore = pin->ignore;
	plan->platform = pin->platform;
	inherit_base(&L);
	bool saw_from = false;
	for (uint32_t i = 0; i < pin->doc->ninstrs; i++)
		lower_instr(&L, pin->doc->instrs[i], i, &saw_from);
	warn_unused_args(&L);
	kf_vec_take(&L.steps, 0, &plan->arena, plan->steps, plan->nsteps);
	plan->extension = extension(&L);
	json_object_set_new(L.config, "Labels", L.labels);
	plan->config = L.config;
	plan->args = json_object();
	for (size_t i = 0; i < L.vars.n; i++)
		if (!L.vars.v[i].is_env && L.vars.v[i].value)
			json_object_set_new(plan->args, L.vars.v[i].name, json_string(L.vars.v[i].value));
	json_decref(L.apps);
	json_decref(L.ext_env);
	json_decref(L.cmd_cmds);
	json_decref(L.cmds_cmds);
	json_decref(L.app_names);
	vars_release(&L);
	kf_vec_free(&L.steps);
	kf_vec_free(&L.srcs);
	free(L.arg_used);
	free(L.workdir);
	if (L.failed) {
		kf_plan_free(plan);
		return NULL;
	}
	return plan;
}

void kf_plan_free(kf_plan *plan)
{
	if (!plan)
		return;
	json_decref(plan->args);
	json_decref(plan->config);
	json_decref(plan->extension);
	for (size_t i = 0; i < plan->nsteps; i++)
		for (size_t k = 0; k < plan->steps[i].nsources; k++)
			free(plan->steps[i].sources[k].disk);
	kf_arena_release(&plan->arena);
	free(plan);
}

static void config_env_set(json_t *config, const char *k, const char *v)
{
	json_t *env = json_object_get(config, "Env");
	if (!env) {
		env = json_array();
		json_object_set_new(config, "Env", env);
	}
	size_t kl = strlen(k);
	char *kv;
	if (asprintf(&kv, "%s=%s", k, v) < 0)
		abort();
	for (size_t i = 0; i < json_array_size(env); i++) {
		const char *e = json_string_value(json_array_get(env, i));
		if (e && strncmp(e, k, kl) == 0 && e[kl] == '=') {
			json_array_set_new(env, i, json_string(kv));
			free(kv);
			return;
		}
	}
	json_array_append_new(env, json_string(kv));
	free(kv);
}

/* ---- the plan as JSON ---------------------------------------------------------------- */

static const char *step_kind_name(kf_step_kind k)
{
	static const char *const names[] = {"files", "run", "config"};
	return names[k];
}

const char *kf_source_type_name(kf_source_type t)
{
	static const char *const names[] = {"file", "dir", "archive", "url", "data", "append", "registry"};
	return names[t];
}

static json_t *strings_json(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *source_json(const kf_plan_source *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "type", json_string(kf_source_type_name(s->type)));
	if (s->path)
		json_object_set_new(j, "path", json_string(s->path));
	json_object_set_new(j, "dest", json_string(s->dest));
	if (s->data)
		json_object_set_new(j, "data", json_string(s->data));
	if (s->url)
		json_object_set_new(j, "url", json_string(s->url));
	if (s->checksum)
		json_object_set_new(j, "checksum", json_string(s->checksum));
	return j;
}

json_t *kf_plan_step_to_json(const kf_plan_step *st, bool located)
{
	json_t *s = json_object();
	if (located) {
		json_object_set_new(s, "index", json_integer(st->index));
		json_object_set_new(s, "line", json_integer(st->line));
	}
	json_object_set_new(s, "instruction", json_string(kf_kind_name(st->instruction)));
	json_object_set_new(s, "created_by", json_string(st->created_by));
	json_object_set_new(s, "kind", json_string(step_kind_name(st->kind)));
	if (st->owner)
		json_object_set_new(s, "owner", json_string(st->owner));
	if (st->mode >= 0)
		json_object_set_new(s, "mode", json_integer(st->mode));
	if (st->app)
		json_object_set_new(s, "app", json_string(st->app));
	if (st->kind == KF_STEP_FILES) {
		json_t *srcs = json_array();
		for (size_t i = 0; i < st->nsources; i++)
			json_array_append_new(srcs, source_json(&st->sources[i]));
		json_object_set_new(s, "sources", srcs);
	}
	if (st->kind == KF_STEP_RUN) {
		json_object_set_new(s, "argv", strings_json(st->argv, st->nargv));
		json_object_set_new(s, "env", strings_json(st->env, st->nenv));
	}
	if (st->network)
		json_object_set_new(s, "network", json_string(st->network));
	return s;
}

json_t *kf_platform_to_json(const kf_platform *p)
{
	json_t *plat = json_pack("{s:s,s:s}", "os", p->os, "architecture", p->arch);
	if (p->variant[0])
		json_object_set_new(plat, "variant", json_string(p->variant));
	return plat;
}

json_t *kf_plan_to_json(const kf_plan *plan)
{
	json_t *j = json_object();
	json_object_set_new(j, "context", json_string(plan->context));
	json_object_set_new(j, "platform", kf_platform_to_json(&plan->platform));
	json_object_set(j, "args", plan->args);
	json_t *steps = json_array();
	for (size_t i = 0; i < plan->nsteps; i++)
		json_array_append_new(steps, kf_plan_step_to_json(&plan->steps[i], true));
	json_object_set_new(j, "steps", steps);
	json_object_set(j, "config", plan->config);
	json_object_set(j, "extension", plan->extension);
	return j;
}

const kf_instr *kf_plan_step_instr(const kf_document *doc, const kf_plan_step *step)
{
	return step && step->index < doc->ninstrs ? doc->instrs[step->index] : NULL;
}
