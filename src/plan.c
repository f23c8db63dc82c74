/* plan.c - lowering a Kubefile to a build plan. See plan.h and
 * docs/build.md. */
#include "plan.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "digest.h"
#include "expand.h"
#include "files.h"
#include "unpack.h"
#include "vec.h"

bool kf_platform_parse(const char *s, kf_platform *p)
{
	memset(p, 0, sizeof *p);
	if (!s) {
		struct utsname u;
		const char *arch = "amd64";
		if (uname(&u) == 0) {
			if (strcmp(u.machine, "aarch64") == 0)
				arch = "arm64";
			else if (strcmp(u.machine, "x86_64") != 0)
				arch = u.machine;
		}
		snprintf(p->os, sizeof p->os, "linux");
		snprintf(p->arch, sizeof p->arch, "%.31s", arch);
		if (strcmp(arch, "arm64") == 0)
			snprintf(p->variant, sizeof p->variant, "v8");
		return true;
	}
	char os[64], arch[64], variant[64] = "";
	int n = sscanf(s, "%63[a-z0-9]/%63[a-z0-9_]/%63[a-z0-9]", os, arch, variant);
	if (n < 2)
		return false;
	size_t len = strlen(os) + 1 + strlen(arch) + (n == 3 ? 1 + strlen(variant) : 0);
	if (len != strlen(s) || strlen(os) >= sizeof p->os || strlen(arch) >= sizeof p->arch ||
	    strlen(variant) >= sizeof p->variant)
		return false;
	snprintf(p->os, sizeof p->os, "%.31s", os);
	snprintf(p->arch, sizeof p->arch, "%.31s", arch);
	snprintf(p->variant, sizeof p->variant, "%.31s", variant);
	return true;
}

/* ---- variables ---------------------------------------------------------------- */

typedef struct var {
	char *name;
	char *value; /* NULL: declared (ARG without a value), not set */
	bool is_env;
} var;

typedef struct lower {
	const kf_plan_input *in;
	kf_diag_bag *diags;
	KF_VEC(var) vars;
	bool *arg_used;
	char esc;
	char *workdir;  /* "/" or a WORKDIR */
	bool failed;
} lower;

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

static const char *builtin(lower *L, kf_str name, char *buf, size_t len)
{
	const kf_platform *p = &L->in->platform;
	if (kf_str_eq_cstr(name, "ARCH") || kf_str_eq_cstr(name, "TARGETARCH") ||
	    kf_str_eq_cstr(name, "BUILDARCH"))
		return p->arch;
	if (kf_str_eq_cstr(name, "TARGETOS") || kf_str_eq_cstr(name, "BUILDOS"))
		return p->os;
	if (kf_str_eq_cstr(name, "TARGETVARIANT"))
		return p->variant;
	if (kf_str_eq_cstr(name, "TARGETPLATFORM") || kf_str_eq_cstr(name, "BUILDPLATFORM")) {
		snprintf(buf, len, "%s/%s%s%s", p->os, p->arch, p->variant[0] ? "/" : "", p->variant);
		return buf;
	}
	return NULL;
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
	const char *b = builtin(L, name, builtin_buf, sizeof builtin_buf);
	if (b) {
		*value = kf_str_cstr(b);
		return true;
	}
	return false;
}

static void error_at(lower *L, kf_span span, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error_at(lower *L, kf_span span, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kf_diag_add(L->diags, KF_SEV_ERROR, span, NULL, "%s", msg);
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
		error_at(L, w->span, "%s", e.detail[0] ? e.detail : e.message);
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
		error_at(L, span, "%s '%s' is an absolute path: a build reads only its context, write it relative to "
			 "the context",
			 what, src);
		return false;
	}
	char *rel = kf_path_clean(src, false);
	if (!rel) {
		error_at(L, span, "%s '%s' is outside the build context: sources must be paths inside it", what, src);
		return false;
	}
	kf_buf full = KF_BUF_INIT;
	kf_buf_printf(&full, "%s%s%s", L->in->context, rel[0] ? "/" : "", rel);
	bool ok = true;
	if (is_glob(rel)) {
		glob_t g;
		int r = glob(full.ptr, GLOB_PERIOD | GLOB_NOSORT, NULL, &g);
		if (r != 0 || g.gl_pathc == 0) {
			error_at(L, span, "%s '%s' matches no file in the build context", what, src);
			ok = false;
		} else {
			size_t n0 = out->n;
			for (size_t i = 0; i < g.gl_pathc && ok; i++) {
				const char *b = base_name(g.gl_pathv[i]);
				if (strcmp(b, ".") == 0 || strcmp(b, "..") == 0)
					continue;
				if (!inside_context(L, g.gl_pathv[i])) {
					error_at(L, span, "%s '%s' leads outside the build context through a symbolic link",
						 what, g.gl_pathv[i] + strlen(L->in->context) + 1);
					ok = false;
					break;
				}
				struct stat st;
				stat(g.gl_pathv[i], &st);
				resolved rs = {strdup(g.gl_pathv[i] + strlen(L->in->context) + 1), S_ISDIR(st.st_mode)};
				kf_vec_push(out, rs);
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
				error_at(L, span, "%s '%s' is a symbolic link to nothing", what, src);
			else
				error_at(L, span, "%s '%s' not found in the build context (%s)", what, src, L->in->context);
			ok = false;
		} else if (!inside_context(L, full.ptr)) {
			error_at(L, span, "%s '%s' leads outside the build context through a symbolic link", what, src);
			ok = false;
		} else {
			resolved rs = {strdup(rel), S_ISDIR(st.st_mode)};
			kf_vec_push(out, rs);
		}
	}
	kf_buf_release(&full);
	free(rel);
	return ok;
}

static json_t *src_json(const char *type, const char *path, const char *dest)
{
	json_t *s = json_object();
	json_object_set_new(s, "type", json_string(type));
	if (path)
		json_object_set_new(s, "path", json_string(path));
	json_object_set_new(s, "dest", json_string(dest));
	return s;
}

static char *join_dest(const char *dir, const char *name)
{
	char *s;
	if (asprintf(&s, "%s%s%s", dir, dir[0] ? "/" : "", name) < 0)
		abort();
	return s;
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

/* ---- instructions --------------------------------------------------------------- */

static json_t *new_step(lower *L, const kf_instr *in, uint32_t index, const char *kind)
{
	const kf_document *doc = L->in->doc;
	json_t *s = json_object();
	kf_position pos = kf_source_position(doc->src, in->span.start);
	json_object_set_new(s, "index", json_integer(index));
	json_object_set_new(s, "line", json_integer(pos.line + 1));
	json_object_set_new(s, "instruction", json_string(kf_kind_name((kf_kind)in->kind)));
	/* the history text: the keyword and the arguments, continuations joined */
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
	json_object_set_new(s, "created_by", json_string(t.ptr ? t.ptr : ""));
	kf_buf_release(&t);
	json_object_set_new(s, "kind", json_string(kind));
	return s;
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

static bool check_flags(lower *L, const kf_instr *in, const char *const *allowed)
{
	uint32_t n;
	const kf_flag *f = kf_instr_flags(in, &n);
	bool ok = true;
	for (uint32_t i = 0; i < n; i++) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			if (kf_str_eq_cstr(f[i].name, *a))
				known = true;
		if (!known) {
			error_at(L, f[i].span, "%s does not support --%.*s", kf_kind_name((kf_kind)in->kind),
				 (int)f[i].name.len, f[i].name.ptr);
			ok = false;
		}
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

static json_t *owner_json(lower *L, const kf_instr *in)
{
	const kf_flag *f = flag(in, "chown");
	if (!f)
		return NULL;
	char *v = expand_str(L, f->value, f->span);
	if (!v)
		return NULL;
	json_t *o = json_string(v);
	free(v);
	return o;
}

static bool mode_value(lower *L, const kf_instr *in, json_t *step)
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
		error_at(L, f->span, "--chmod=%s is not an octal mode (such as 0644 or 755)", v);
		free(v);
		return false;
	}
	free(v);
	json_object_set_new(step, "mode", json_integer(m));
	return true;
}

/* COPY and ADD */
static void lower_copy(lower *L, const kf_instr *in, json_t *step)
{
	static const char *const allowed_add[] = {"chown", "chmod", "link", "from", "checksum", NULL};
	static const char *const allowed_copy[] = {"chown", "chmod", "link", "from", NULL};
	bool is_add = in->kind == KF_INSTR_ADD;
	if (!check_flags(L, in, is_add ? allowed_add : allowed_copy))
		return;
	const kf_flag *from = flag(in, "from");
	if (from) {
		error_at(L, from->span, "%s --from needs a multi-stage build, which kfc build does not support",
			 kf_kind_name((kf_kind)in->kind));
		return;
	}
	/* ADD --checksum=sha256:HEX: what a URL must download to */
	const kf_flag *ck = flag(in, "checksum");
	char *checksum = NULL;
	if (ck) {
		checksum = expand_str(L, ck->value, ck->span);
		if (checksum && !kf_digest_valid(checksum)) {
			error_at(L, ck->span, "--checksum=%s: expected sha256: and 64 lower-case hex digits", checksum);
			free(checksum);
			return;
		}
	}
	json_t *owner = owner_json(L, in);
	if (owner)
		json_object_set_new(step, "owner", owner);
	if (!mode_value(L, in, step))
		return;
	uint32_t ns = kf_copy_nsrcs(in);
	const kf_word *dw = kf_copy_dest(in);
	if (!ns || !dw)
		return;
	char *d = expand(L, dw);
	if (!d)
		return;
	bool dest_dir = d[0] == '\0' || d[strlen(d) - 1] == '/' || (strcmp(d, ".") == 0);
	char *dest = dest_path(L, d);
	json_t *srcs = json_array();
	resolved_vec found = {0};
	size_t nitems = 0;
	for (uint32_t i = 0; i < ns; i++) {
		const kf_word *w = &in->args[i];
		const kf_heredoc *h = heredoc_of(in, w);
		if (h) {
			char *text = heredoc_text(L, h);
			char *delim = strndup(h->delim.ptr, h->delim.len);
			char *name = dest_dir ? join_dest(dest, delim) : strdup(dest);
			free(delim);
			json_t *s = src_json("data", NULL, name);
			json_object_set_new(s, "data", json_stringn(text, strlen(text)));
			json_array_append_new(srcs, s);
			free(text);
			free(name);
			nitems++;
			continue;
		}
		char *src = expand(L, w);
		if (!src)
			continue;
		kf_str rest;
		kf_scheme sch = kf_scheme_of(kf_str_cstr(src), &rest);
		if (sch == KF_SCHEME_HTTP || sch == KF_SCHEME_HTTPS) {
			if (!is_add) {
				error_at(L, w->span, "COPY does not fetch URLs: use ADD for '%s'", src);
			} else {
				char b[256];
				char *name = dest_dir ? join_dest(dest, url_basename(src, b, sizeof b)) : strdup(dest);
				json_t *s = src_json("url", NULL, name);
				json_object_set_new(s, "url", json_string(src));
				if (checksum)
					json_object_set_new(s, "checksum", json_string(checksum));
				json_array_append_new(srcs, s);
				free(name);
				nitems++;
			}
			free(src);
			continue;
		}
		if (sch != KF_SCHEME_NONE) {
			error_at(L, w->span, "%s source '%s': only paths in the build context%s", kf_kind_name((kf_kind)in->kind),
				 src, is_add ? " and http(s):// URLs" : "");
			free(src);
			continue;
		}
		if (checksum) {
			error_at(L, w->span, "ADD --checksum applies to URLs: '%s' is a path in the context", src);
			free(src);
			continue;
		}
		size_t n0 = found.n;
		if (resolve_source(L, src, w->span, "source", &found))
			nitems += found.n - n0;
		for (size_t k = n0; k < found.n; k++) {
			resolved *r = &found.v[k];
			char full[PATH_MAX];
			snprintf(full, sizeof full, "%s/%s", L->in->context, r->rel);
			if (r->is_dir) {
				json_array_append_new(srcs, src_json("dir", r->rel, dest));
			} else {
				bool many = ns > 1 || is_glob(src);
				const char *type = "file";
				if (is_add && kf_is_archive_file(full))
					type = "archive";
				char *name = strcmp(type, "archive") == 0 ? strdup(dest)
					     : (dest_dir || many) ? join_dest(dest, base_name(r->rel))
								  : strdup(dest);
				json_array_append_new(srcs, src_json(type, r->rel, name));
				free(name);
			}
		}
		free(src);
	}
	if (nitems > 1 && !dest_dir && !L->failed)
		error_at(L, dw->span,
			 "with more than one source the destination must be a directory and end with '/': write '%s/'", d);
	for (size_t k = 0; k < found.n; k++)
		free(found.v[k].rel);
	kf_vec_free(&found);
	json_object_set_new(step, "sources", srcs);
	free(checksum);
	free(d);
	free(dest);
}

/* APP, CNI, CSI: sources into application/apps/<name>/ */
static void lower_app(lower *L, const kf_instr *in, json_t *step, json_t *apps, json_t *labels)
{
	const kf_word *nw = kf_instr_name(in);
	if (!nw)
		return;
	char *name = expand(L, nw);
	if (!name)
		return;
	json_object_set_new(step, "app", json_string(name));
	char *dir = join_dest("application/apps", name);
	uint32_t n;
	const kf_app_source *srcs = kf_app_sources(in, &n);
	json_t *arr = json_array();
	for (uint32_t i = 0; i < n; i++) {
		char *s = expand(L, srcs[i].word);
		if (!s)
			continue;
		kf_str rest;
		kf_scheme sch = kf_scheme_of(kf_str_cstr(s), &rest);
		if (sch == KF_SCHEME_HTTP || sch == KF_SCHEME_HTTPS) {
			char b[256];
			char *dest = join_dest(dir, url_basename(s, b, sizeof b));
			json_t *j = src_json("url", NULL, dest);
			json_object_set_new(j, "url", json_string(s));
			json_array_append_new(arr, j);
			free(dest);
		} else if (sch == KF_SCHEME_LOCAL) {
			char *path = strndup(rest.ptr, rest.len);
			resolved_vec found = {0};
			if (resolve_source(L, path, srcs[i].word->span, "app source", &found))
				for (size_t k = 0; k < found.n; k++) {
					char *dest = found.v[k].is_dir ? strdup(dir) : join_dest(dir, base_name(found.v[k].rel));
					json_array_append_new(arr, src_json(found.v[k].is_dir ? "dir" : "file", found.v[k].rel, dest));
					free(dest);
				}
			for (size_t k = 0; k < found.n; k++)
				free(found.v[k].rel);
			kf_vec_free(&found);
			free(path);
		} else {
			error_at(L, srcs[i].word->span, "app source '%s' must be local://PATH, http:// or https://", s);
		}
		free(s);
	}
	json_object_set_new(step, "sources", arr);
	/* the app: a later declaration replaces it (its files accumulate) */
	json_t *app = json_object_get(apps, name);
	if (!app) {
		app = json_object();
		json_object_set_new(apps, name, app);
	}
	json_object_set_new(app, "declared", json_true());
	if (in->kind == KF_INSTR_CNI || in->kind == KF_INSTR_CSI) {
		char key[512];
		snprintf(key, sizeof key, "cluster.alpha.sealer.io/kube-%s-%s", in->kind == KF_INSTR_CNI ? "cni" : "csi", name);
		json_object_set_new(labels, key, json_string("true"));
	}
	free(dir);
	free(name);
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

/* The RUN environment: ARGs and ENVs in scope, the platform, a PATH. */
static json_t *run_env(lower *L)
{
	json_t *env = json_array();
	bool path = false;
	for (size_t i = 0; i < L->vars.n; i++) {
		if (!L->vars.v[i].value)
			continue;
		if (strcmp(L->vars.v[i].name, "PATH") == 0)
			path = true;
		char *kv;
		if (asprintf(&kv, "%s=%s", L->vars.v[i].name, L->vars.v[i].value) < 0)
			abort();
		json_array_append_new(env, json_string(kv));
		free(kv);
	}
	static const char *const b[] = {"ARCH", "TARGETARCH", "TARGETOS", "TARGETPLATFORM", NULL};
	for (const char *const *k = b; *k; k++) {
		if (var_find(L, *k, strlen(*k)))
			continue;
		char buf[128], *kv;
		if (asprintf(&kv, "%s=%s", *k, builtin(L, kf_str_cstr(*k), buf, sizeof buf)) < 0)
			abort();
		json_array_append_new(env, json_string(kv));
		free(kv);
	}
	if (!path)
		json_array_append_new(env, json_string("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	return env;
}

static void lower_run(lower *L, const kf_instr *in, json_t *step)
{
	static const char *const allowed[] = {"network", NULL};
	check_flags(L, in, allowed);
	const kf_flag *net = flag(in, "network");
	json_t *argv = json_array();
	if (in->form == KF_FORM_JSON) {
		for (uint32_t i = 0; i < in->nargs; i++)
			json_array_append_new(argv, json_stringn(in->args[i].text.ptr, in->args[i].text.len));
	} else if (in->nargs) {
		const kf_word *w = &in->args[0];
		uint32_t nh;
		const kf_heredoc *h = kf_instr_heredocs(in, &nh);
		kf_buf script = KF_BUF_INIT;
		/* RUN <<EOF alone: the body is the script; otherwise the shell reads
		 * the heredocs after the command line, as it would from a file */
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
		json_array_append_new(argv, json_string("/bin/sh"));
		json_array_append_new(argv, json_string("-c"));
		json_array_append_new(argv, json_stringn(script.ptr ? script.ptr : "", script.len));
		kf_buf_release(&script);
	}
	json_object_set_new(step, "argv", argv);
	json_object_set_new(step, "env", run_env(L));
	if (net) {
		char *v = expand_str(L, net->value, net->span);
		if (v && strcmp(v, "none") != 0 && strcmp(v, "default") != 0 && strcmp(v, "host") != 0)
			error_at(L, net->span, "--network=%s: none, default or host", v);
		else if (v)
			json_object_set_new(step, "network", json_string(strcmp(v, "none") == 0 ? "none" : "host"));
		free(v);
	}
}

static json_t *app_entry(json_t *apps, lower *L, const kf_word *nw, char **name_out)
{
	char *name = expand(L, nw);
	if (!name)
		return NULL;
	json_t *app = json_object_get(apps, name);
	if (!app)
		error_at(L, nw->span, "app '%s' is not declared, here or in the base image", name);
	*name_out = name;
	return app;
}

char *kf_plan_base_ref(const kf_plan_input *pin, kf_diag_bag *diags)
{
	lower L = {.in = pin, .diags = diags, .esc = pin->doc->escape};
	const kf_document *doc = pin->doc;
	char *ref = NULL;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->kind == KF_INSTR_ARG) {
			for (uint32_t k = 0; k < in->npairs; k++) {
				kf_word key = kf_pair_key(&in->pairs[k]);
				const char *given = NULL;
				for (size_t b = 0; b < pin->nbuild_args; b++)
					if (strncmp(pin->build_args[b], key.text.ptr, key.text.len) == 0 &&
					    pin->build_args[b][key.text.len] == '=')
						given = pin->build_args[b] + key.text.len + 1;
				char *def = NULL;
				if (!given && in->pairs[k].sep != KF_SEP_NONE) {
					kf_word v = kf_pair_value(&in->pairs[k]);
					def = expand(&L, &v);
				}
				var_set(&L, key.text.ptr, key.text.len, given ? given : def, false);
				free(def);
			}
		} else if (in->kind == KF_INSTR_FROM) {
			const kf_word *w = kf_from_image(in);
			if (w)
				ref = expand(&L, w);
			break;
		} else {
			break;
		}
	}
	for (size_t i = 0; i < L.vars.n; i++) {
		free(L.vars.v[i].name);
		free(L.vars.v[i].value);
	}
	kf_vec_free(&L.vars);
	if (!ref && !L.failed) {
		kf_span at = {0, 0};
		kf_diag_add(diags, KF_SEV_ERROR, at, NULL, "the Kubefile has no FROM: start it with FROM scratch or FROM <image>");
	}
	return ref;
}

json_t *kf_plan_lower(const kf_plan_input *pin, kf_diag_bag *diags)
{
	lower L = {.in = pin, .diags = diags, .esc = pin->doc->escape};
	L.workdir = strdup("");
	L.arg_used = calloc(pin->nbuild_args + 1, sizeof(bool));
	const kf_document *doc = pin->doc;
	json_t *plan = json_object();
	json_t *steps = json_array();
	json_t *config = json_object();
	json_t *labels = json_object();
	json_t *apps = json_object();   /* name → {declared, env, cmds, inherited} */
	json_t *ext_env = json_object();
	json_t *launch = json_object();
	json_t *cmd_cmds = json_array(), *cmds_cmds = NULL, *app_names = NULL;
	bool saw_from = false;

	json_object_set_new(plan, "context", json_string(pin->context));
	json_t *plat = json_pack("{s:s,s:s}", "os", pin->platform.os, "architecture", pin->platform.arch);
	if (pin->platform.variant[0])
		json_object_set_new(plat, "variant", json_string(pin->platform.variant));
	json_object_set_new(plan, "platform", plat);

	/* what the base image brings */
	if (pin->base_config) {
		json_t *e = json_object_get(pin->base_config, "Env");
		if (json_is_array(e))
			json_object_set_new(config, "Env", json_deep_copy(e));
		json_t *lb = json_object_get(pin->base_config, "Labels");
		if (json_is_object(lb))
			json_object_update(labels, lb);
	}
	size_t ai;
	json_t *ba;
	json_array_foreach(pin->base_apps, ai, ba) {
		const char *n = json_string_value(json_object_get(ba, "name"));
		if (!n)
			continue;
		json_t *app = json_deep_copy(ba);
		json_object_set_new(app, "inherited", json_true());
		json_object_set_new(apps, n, app);
	}
	if (json_is_object(pin->base_env))
		json_object_update(ext_env, (json_t *)pin->base_env);
	/* ENV of the base is in scope for the build */
	size_t ei;
	json_t *ev;
	json_array_foreach(json_object_get(config, "Env"), ei, ev) {
		const char *kv = json_string_value(ev);
		const char *eq = kv ? strchr(kv, '=') : NULL;
		if (eq)
			var_set(&L, kv, (size_t)(eq - kv), eq + 1, true);
	}

	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->kind == KF_INSTR_ERROR || in->broken) {
			error_at(&L, in->span, "this line has a syntax error");
			continue;
		}
		if (in->kind == KF_INSTR_FROM) {
			if (saw_from)
				error_at(&L, in->span, "a second FROM starts a multi-stage build, which kfc build does not support");
			saw_from = true;
			continue;
		}
		const char *kind = "config";
		switch (in->kind) {
		case KF_INSTR_COPY: case KF_INSTR_ADD: case KF_INSTR_APP: case KF_INSTR_CNI: case KF_INSTR_CSI:
		case KF_INSTR_PLUGINS: case KF_INSTR_IMAGES:
			kind = "files";
			break;
		case KF_INSTR_RUN:
			kind = "run";
			break;
		default:
			break;
		}
		json_t *step = new_step(&L, in, i, kind);
		switch (in->kind) {
		case KF_INSTR_ARG:
			for (uint32_t k = 0; k < in->npairs; k++) {
				kf_word key = kf_pair_key(&in->pairs[k]);
				const char *given = NULL;
				for (size_t b = 0; b < pin->nbuild_args; b++)
					if (strncmp(pin->build_args[b], key.text.ptr, key.text.len) == 0 &&
					    pin->build_args[b][key.text.len] == '=') {
						given = pin->build_args[b] + key.text.len + 1;
						L.arg_used[b] = true;
					}
				char *def = NULL;
				if (!given && in->pairs[k].sep != KF_SEP_NONE) {
					kf_word v = kf_pair_value(&in->pairs[k]);
					def = expand(&L, &v);
				}
				var *old = var_find(&L, key.text.ptr, key.text.len);
				if (!(old && old->is_env)) /* an ENV of the same name wins, as in Docker */
					var_set(&L, key.text.ptr, key.text.len, given ? given : def, false);
				free(def);
			}
			break;
		case KF_INSTR_ENV:
			for (uint32_t k = 0; k < in->npairs; k++) {
				kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
				char *v = expand(&L, &val);
				if (!v)
					continue;
				char *kname = strndup(key.text.ptr, key.text.len);
				var_set(&L, key.text.ptr, key.text.len, v, true);
				config_env_set(config, kname, v);
				json_object_set_new(ext_env, kname, json_string(v));
				free(kname);
				free(v);
			}
			break;
		case KF_INSTR_LABEL:
			for (uint32_t k = 0; k < in->npairs; k++) {
				kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
				char *kk = expand(&L, &key), *v = expand(&L, &val);
				if (kk && v)
					json_object_set_new(labels, kk, json_string(v));
				free(kk);
				free(v);
			}
			break;
		case KF_INSTR_MAINTAINER:
			if (in->nargs) {
				kf_span sp = {in->args[0].span.start, in->args[in->nargs - 1].span.end};
				kf_str t = {doc->src->text + sp.start, sp.end - sp.start};
				json_object_set_new(labels, "org.opencontainers.image.authors", json_stringn(t.ptr, t.len));
			}
			break;
		case KF_INSTR_KUBEVERSION:
			if (in->nargs) {
				kf_buf t = KF_BUF_INIT;
				for (uint32_t k = 0; k < in->nargs; k++) {
					char *v = expand(&L, &in->args[k]);
					if (k)
						kf_buf_addc(&t, ' ');
					if (v)
						kf_buf_adds(&t, v);
					free(v);
				}
				json_object_set_new(labels, "app.alpha.sealer.io/supported-kube-version",
						    json_string(t.ptr ? t.ptr : ""));
				kf_buf_release(&t);
			}
			break;
		case KF_INSTR_COPY:
		case KF_INSTR_ADD:
			lower_copy(&L, in, step);
			break;
		case KF_INSTR_APP:
		case KF_INSTR_CNI:
		case KF_INSTR_CSI:
			lower_app(&L, in, step, apps, labels);
			break;
		case KF_INSTR_PLUGINS: {
			json_t *arr = json_array();
			for (uint32_t k = 0; k < in->nargs; k++) {
				char *s = expand(&L, &in->args[k]);
				if (!s)
					continue;
				kf_str rest;
				const char *path = kf_scheme_of(kf_str_cstr(s), &rest) == KF_SCHEME_LOCAL ? s + 8 : s;
				resolved_vec found = {0};
				if (resolve_source(&L, path, in->args[k].span, "plugin source", &found))
					for (size_t f = 0; f < found.n; f++) {
						char *dest = found.v[f].is_dir ? strdup("plugins")
									       : join_dest("plugins", base_name(found.v[f].rel));
						json_array_append_new(arr, src_json(found.v[f].is_dir ? "dir" : "file",
										    found.v[f].rel, dest));
						free(dest);
					}
				for (size_t f = 0; f < found.n; f++)
					free(found.v[f].rel);
				kf_vec_free(&found);
				free(s);
			}
			json_object_set_new(step, "sources", arr);
			break;
		}
		case KF_INSTR_IMAGES: {
			kf_buf lines = KF_BUF_INIT;
			const kf_flag *ff = flag(in, "file");
			if (ff) {
				char *p = expand_str(&L, ff->value, ff->span);
				resolved_vec found = {0};
				if (p && resolve_source(&L, p, ff->span, "image list", &found) && found.n == 1 &&
				    !found.v[0].is_dir) {
					char full[PATH_MAX];
					snprintf(full, sizeof full, "%s/%s", pin->context, found.v[0].rel);
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
						kf_buf_printf(&lines, "%s\n", s);
					}
					if (f)
						fclose(f);
				}
				for (size_t f = 0; f < found.n; f++)
					free(found.v[f].rel);
				kf_vec_free(&found);
				free(p);
			}
			for (uint32_t k = 0; k < in->nargs; k++) {
				char *s = expand(&L, &in->args[k]);
				if (s && *s)
					kf_buf_printf(&lines, "%s\n", s);
				free(s);
			}
			json_t *arr = json_array();
			json_t *s = src_json("append", NULL, "manifests/imageList");
			json_object_set_new(s, "data", json_string(lines.ptr ? lines.ptr : ""));
			json_array_append_new(arr, s);
			json_object_set_new(step, "sources", arr);
			kf_buf_release(&lines);
			break;
		}
		case KF_INSTR_RUN:
			lower_run(&L, in, step);
			break;
		case KF_INSTR_APPCMDS: {
			char *name = NULL;
			json_t *app = kf_instr_name(in) ? app_entry(apps, &L, kf_instr_name(in), &name) : NULL;
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
			break;
		}
		case KF_INSTR_APPENV: {
			char *name = NULL;
			json_t *app = kf_instr_name(in) ? app_entry(apps, &L, kf_instr_name(in), &name) : NULL;
			if (app) {
				json_t *env = json_object_get(app, "env");
				if (!env) {
					env = json_object();
					json_object_set_new(app, "env", env);
				}
				for (uint32_t k = 0; k < in->npairs; k++) {
					kf_word key = kf_pair_key(&in->pairs[k]), val = kf_pair_value(&in->pairs[k]);
					char *v = expand(&L, &val);
					char *kk = strndup(key.text.ptr, key.text.len);
					if (v)
						json_object_set_new(env, kk, json_string(v));
					free(kk);
					free(v);
				}
			}
			free(name);
			break;
		}
		case KF_INSTR_LAUNCH:
			app_names = json_array();
			for (uint32_t k = 0; k < in->nargs; k++) {
				char *name = NULL;
				if (app_entry(apps, &L, &in->args[k], &name))
					json_array_append_new(app_names, json_string(name));
				free(name);
			}
			break;
		case KF_INSTR_CMDS:
			cmds_cmds = json_array();
			for (uint32_t k = 0; k < in->nargs; k++)
				json_array_append_new(cmds_cmds, json_stringn(in->args[k].text.ptr, in->args[k].text.len));
			break;
		case KF_INSTR_CMD:
			for (uint32_t k = 0; k < in->nargs; k++)
				json_array_append_new(cmd_cmds, json_stringn(in->args[k].text.ptr, in->args[k].text.len));
			break;
		case KF_INSTR_USER:
		case KF_INSTR_WORKDIR:
		case KF_INSTR_STOPSIGNAL:
			if (in->nargs) {
				char *v = expand(&L, &in->args[0]);
				if (v) {
					const char *key = in->kind == KF_INSTR_USER ? "User"
							  : in->kind == KF_INSTR_WORKDIR ? "WorkingDir" : "StopSignal";
					if (in->kind == KF_INSTR_WORKDIR) {
						char *w = dest_path(&L, v);
						free(L.workdir);
						L.workdir = w;
						free(v);
						if (asprintf(&v, "/%s", w) < 0)
							abort();
					}
					json_object_set_new(config, key, json_string(v));
				}
				free(v);
			}
			break;
		case KF_INSTR_ENTRYPOINT: {
			json_t *a = json_array();
			if (in->form == KF_FORM_JSON)
				for (uint32_t k = 0; k < in->nargs; k++)
					json_array_append_new(a, json_stringn(in->args[k].text.ptr, in->args[k].text.len));
			else if (in->nargs)
				json_array_append_new(a, json_string("/bin/sh")), json_array_append_new(a, json_string("-c")),
					json_array_append_new(a, json_stringn(in->args[0].text.ptr, in->args[0].text.len));
			json_object_set_new(config, "Entrypoint", a);
			break;
		}
		case KF_INSTR_EXPOSE:
		case KF_INSTR_VOLUME: {
			const char *key = in->kind == KF_INSTR_EXPOSE ? "ExposedPorts" : "Volumes";
			json_t *o = json_object_get(config, key);
			if (!o) {
				o = json_object();
				json_object_set_new(config, key, o);
			}
			for (uint32_t k = 0; k < in->nargs; k++) {
				char *v = expand(&L, &in->args[k]);
				if (v && *v) {
					char *port = NULL;
					if (in->kind == KF_INSTR_EXPOSE && !strchr(v, '/') && asprintf(&port, "%s/tcp", v) < 0)
						abort();
					json_object_set_new(o, port ? port : v, json_object());
					free(port);
				}
				free(v);
			}
			break;
		}
		default:
			break; /* HEALTHCHECK, SHELL, ONBUILD: history only */
		}
		json_array_append_new(steps, step);
	}
	for (size_t b = 0; b < pin->nbuild_args; b++)
		if (!L.arg_used[b]) {
			kf_span at = {0, 0};
			char name[256];
			snprintf(name, sizeof name, "%.*s", (int)strcspn(pin->build_args[b], "="), pin->build_args[b]);
			kf_diag_add(diags, KF_SEV_WARNING, at, NULL, "build argument '%s' is not declared by an ARG: it was not used",
				    name);
		}

	/* the extension: apps in declaration order (the base's first) */
	json_t *ext = json_object();
	json_object_set_new(ext, "type", json_string(pin->image_type ? pin->image_type : "kube-installer"));
	json_t *applist = json_array();
	const char *an;
	json_t *av;
	json_object_foreach(apps, an, av) {
		json_t *a = json_object();
		json_object_set_new(a, "name", json_string(an));
		const char *keys[] = {"type", "files", "env", "cmds", "inherited", NULL};
		for (const char **k = keys; *k; k++)
			if (json_object_get(av, *k))
				json_object_set(a, *k, json_object_get(av, *k));
		json_array_append_new(applist, a);
	}
	json_object_set_new(ext, "applications", applist);
	json_object_set_new(ext, "env", ext_env);
	if (json_array_size(cmd_cmds) || cmds_cmds) {
		json_t *all = json_array();
		json_array_extend(all, cmd_cmds);
		if (cmds_cmds)
			json_array_extend(all, cmds_cmds);
		json_object_set_new(launch, "cmds", all);
	}
	if (app_names)
		json_object_set_new(launch, "app_names", app_names);
	json_decref(cmd_cmds);
	json_decref(cmds_cmds);
	json_object_set_new(ext, "launch", launch);
	json_decref(apps);

	json_object_set_new(config, "Labels", labels);
	json_t *args = json_object();
	for (size_t i = 0; i < L.vars.n; i++)
		if (!L.vars.v[i].is_env && L.vars.v[i].value)
			json_object_set_new(args, L.vars.v[i].name, json_string(L.vars.v[i].value));
	json_object_set_new(plan, "args", args);
	json_object_set_new(plan, "steps", steps);
	json_object_set_new(plan, "config", config);
	json_object_set_new(plan, "extension", ext);
	for (size_t i = 0; i < L.vars.n; i++) {
		free(L.vars.v[i].name);
		free(L.vars.v[i].value);
	}
	kf_vec_free(&L.vars);
	free(L.arg_used);
	free(L.workdir);
	if (L.failed) {
		json_decref(plan);
		return NULL;
	}
	return plan;
}

const kf_instr *kf_plan_step_instr(const kf_document *doc, const json_t *step)
{
	json_int_t i = json_integer_value(json_object_get(step, "index"));
	return i >= 0 && (uint32_t)i < doc->ninstrs ? doc->instrs[i] : NULL;
}
