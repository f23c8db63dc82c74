/* features.c - kfls's answers to feature requests. Each reads the
 * document's tree, diagnostics and model (built by the library) and turns
 * them into LSP shapes: nothing here parses Kubefile text. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema/apptype.h"
#include "syntax/expand.h"
#include "syntax/instrdoc.h"
#include "syntax/jsonutil.h"
#include "kfls.h"
#include "config/images.h"

/* ---- helpers -------------------------------------------------------------- */

static json_t *position_param(kfls *s, kfls_doc *d, json_t *params, uint32_t *off, kfls_error *err)
{
	if (!kfls_offset(s, &d->src, json_object_get(params, "position"), off)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "missing or bad position";
		return NULL;
	}
	return json_true();
}

static bool range_param(kfls *s, kfls_doc *d, json_t *range, kf_span *sp)
{
	return range && kfls_offset(s, &d->src, json_object_get(range, "start"), &sp->start) &&
	       kfls_offset(s, &d->src, json_object_get(range, "end"), &sp->end) && sp->start <= sp->end;
}

static bool contains(kf_span sp, uint32_t off)
{
	return sp.start <= off && off <= sp.end;
}

/* the instruction under the cursor: its span, end included */
static const kf_instr *instr_at(const kfls_doc *d, uint32_t off)
{
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		if (in->span.start > off)
			break;
		if (contains(in->span, off))
			return in;
	}
	return NULL;
}

/* A word's text range without the quotes of a JSON string literal. */
static kf_span inner_span(const kfls_doc *d, const kf_word *w)
{
	kf_span sp = w->span;
	if (sp.end - sp.start >= 2 && d->src.text[sp.start] == '"' && d->src.text[sp.end - 1] == '"') {
		sp.start++;
		sp.end--;
	}
	return sp;
}

static bool names_app(kf_kind k)
{
	return k == KF_INSTR_APP || k == KF_INSTR_CNI || k == KF_INSTR_CSI || k == KF_INSTR_APPCMDS ||
	       k == KF_INSTR_APPENV;
}

static bool declares_app(kf_kind k)
{
	return k == KF_INSTR_APP || k == KF_INSTR_CNI || k == KF_INSTR_CSI;
}

/* ---- symbols: apps and variables ------------------------------------------------ */

typedef enum { SYM_NONE, SYM_APP, SYM_VAR } sym_kind;

typedef struct sym {
	sym_kind kind;
	kf_str name;
	kf_span span; /* the name under the cursor */
	const kf_var_use *use;
	const kf_var_def *def;
} sym;

/* a variable reference's name inside its span ($X, ${X…}) */
static kf_span use_name_span(const kfls_doc *d, const kf_var_use *u)
{
	const char *t = d->src.text;
	for (uint32_t p = u->span.start; p + u->name.len <= u->span.end; p++)
		if (memcmp(t + p, u->name.ptr, u->name.len) == 0)
			return (kf_span){p, p + (uint32_t)u->name.len};
	return u->span;
}

static sym symbol_at(kfls_doc *d, uint32_t off)
{
	sym r = {SYM_NONE, KF_STR_NULL, {0, 0}, NULL, NULL};
	const kf_instr *in = instr_at(d, off);
	if (in && names_app((kf_kind)in->kind) && kf_instr_name(in) && contains(kf_instr_name(in)->span, off)) {
		r.kind = SYM_APP;
		r.name = kf_instr_name(in)->text;
		r.span = inner_span(d, kf_instr_name(in));
		return r;
	}
	if (in && in->kind == KF_INSTR_LAUNCH) {
		for (uint32_t i = 0; i < in->nargs; i++) {
			if (contains(in->args[i].span, off)) {
				r.kind = SYM_APP;
				r.name = in->args[i].text;
				r.span = inner_span(d, &in->args[i]);
				return r;
			}
		}
	}
	const kf_model *m = kfls_model(d);
	for (uint32_t i = 0; i < m->ndefs; i++) {
		if (contains(m->defs[i].span, off)) {
			r.kind = SYM_VAR;
			r.name = m->defs[i].name;
			r.span = m->defs[i].span;
			r.def = &m->defs[i];
			return r;
		}
	}
	for (uint32_t i = 0; i < m->nuses; i++) {
		if (contains(m->uses[i].span, off)) {
			r.kind = SYM_VAR;
			r.name = m->uses[i].name;
			r.span = use_name_span(d, &m->uses[i]);
			r.use = &m->uses[i];
			r.def = m->uses[i].def;
			return r;
		}
	}
	return r;
}

typedef struct occurrence {
	kf_span span;
	bool decl;
} occurrence;
typedef KF_VEC(occurrence) occ_vec;

static void occurrences(kfls_doc *d, const sym *sy, occ_vec *out)
{
	if (sy->kind == SYM_APP) {
		for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
			const kf_instr *in = d->ast->instrs[i];
			const kf_word *nm = kf_instr_name(in);
			if (names_app((kf_kind)in->kind) && nm && kf_str_eq(nm->text, sy->name)) {
				occurrence o = {inner_span(d, nm), declares_app((kf_kind)in->kind)};
				kf_vec_push(out, o);
			}
			if (in->kind == KF_INSTR_LAUNCH)
				for (uint32_t k = 0; k < in->nargs; k++)
					if (kf_str_eq(in->args[k].text, sy->name)) {
						occurrence o = {inner_span(d, &in->args[k]), false};
						kf_vec_push(out, o);
					}
		}
	} else if (sy->kind == SYM_VAR) {
		const kf_model *m = kfls_model(d);
		/* definitions and uses, in source order */
		uint32_t i = 0, k = 0;
		while (i < m->ndefs || k < m->nuses) {
			bool take_def = k >= m->nuses || (i < m->ndefs && m->defs[i].span.start <= m->uses[k].span.start);
			if (take_def) {
				if (kf_str_eq(m->defs[i].name, sy->name)) {
					occurrence o = {m->defs[i].span, true};
					kf_vec_push(out, o);
				}
				i++;
			} else {
				if (kf_str_eq(m->uses[k].name, sy->name)) {
					occurrence o = {use_name_span(d, &m->uses[k]), false};
					kf_vec_push(out, o);
				}
				k++;
			}
		}
	}
}

static json_t *definition(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	sym sy = symbol_at(d, off);
	if (sy.kind == SYM_APP) {
		const kf_app *app = kf_model_app(kfls_model(d), sy.name);
		if (app && kf_instr_name(app->decl))
			return json_pack("[o]", kfls_location(s, d, inner_span(d, kf_instr_name(app->decl))));
	} else if (sy.kind == SYM_VAR) {
		const kf_var_def *def = sy.def;
		if (!def && !sy.use)
			return json_null();
		if (!def) {
			/* not in scope at the use: the first definition anywhere */
			const kf_model *m = kfls_model(d);
			for (uint32_t i = 0; i < m->ndefs && !def; i++)
				if (kf_str_eq(m->defs[i].name, sy.name))
					def = &m->defs[i];
		}
		if (def)
			return json_pack("[o]", kfls_location(s, d, def->span));
	}
	return json_null();
}

static json_t *references(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	bool decl = json_is_true(json_object_get(json_object_get(params, "context"), "includeDeclaration"));
	sym sy = symbol_at(d, off);
	occ_vec occ = {NULL, 0, 0};
	occurrences(d, &sy, &occ);
	json_t *arr = json_array();
	for (size_t i = 0; i < occ.n; i++)
		if (decl || !occ.v[i].decl)
			json_array_append_new(arr, kfls_location(s, d, occ.v[i].span));
	kf_vec_free(&occ);
	return arr;
}

static json_t *highlight(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	sym sy = symbol_at(d, off);
	occ_vec occ = {NULL, 0, 0};
	occurrences(d, &sy, &occ);
	json_t *arr = json_array();
	for (size_t i = 0; i < occ.n; i++)
		json_array_append_new(arr, json_pack("{s:o,s:i}", "range", kfls_range(s, &d->src, occ.v[i].span),
						     "kind", occ.v[i].decl ? 3 : 2));
	kf_vec_free(&occ);
	return arr;
}

static json_t *prepare_rename(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	sym sy = symbol_at(d, off);
	if (sy.kind == SYM_NONE || (sy.kind == SYM_VAR && sy.use && sy.use->builtin && !sy.def))
		return json_null();
	return json_pack("{s:o,s:o}", "range", kfls_range(s, &d->src, sy.span), "placeholder", kfls_str(sy.name));
}

static bool valid_name(sym_kind k, const char *n)
{
	if (!*n)
		return false;
	if (k == SYM_VAR) {
		if (!((*n >= 'A' && *n <= 'Z') || (*n >= 'a' && *n <= 'z') || *n == '_'))
			return false;
		return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") == strlen(n);
	}
	/* an app name: a path segment (application/apps/<name>/) */
	return strspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == strlen(n) &&
	       strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

static json_t *rename_req(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	const char *nn = json_string_value(json_object_get(params, "newName"));
	sym sy = symbol_at(d, off);
	if (sy.kind == SYM_NONE || (sy.kind == SYM_VAR && sy.use && sy.use->builtin && !sy.def)) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = "no app or variable here";
		return NULL;
	}
	if (!nn || !valid_name(sy.kind, nn)) {
		err->code = KF_RPC_REQUEST_FAILED;
		err->message = sy.kind == SYM_APP ? "not a valid app name (letters, digits, '.', '_', '-')"
						  : "not a valid variable name";
		return NULL;
	}
	occ_vec occ = {NULL, 0, 0};
	occurrences(d, &sy, &occ);
	json_t *edits = json_array();
	for (size_t i = 0; i < occ.n; i++)
		json_array_append_new(edits, kfls_text_edit(s, &d->src, occ.v[i].span, nn, strlen(nn)));
	kf_vec_free(&occ);
	json_t *changes = json_object();
	json_object_set_new(changes, d->uri, edits);
	return json_pack("{s:o}", "changes", changes);
}

/* ---- diagnostics ------------------------------------------------------------------- */

static json_t *diag_json(kfls *s, kfls_doc *d, const kf_diag *g)
{
	static const int sev[] = {1, 2, 3, 4};
	json_t *j = json_pack("{s:o,s:i,s:s,s:s,s:o}", "range", kfls_range(s, &d->src, g->span), "severity",
			      sev[g->severity & 3], "code", g->code, "source", "kflint", "message",
			      kfls_str(kf_str_cstr(g->message)));
	return j;
}

json_t *kfls_diagnostics_json(kfls *s, kfls_doc *d)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < d->diags.len; i++)
		json_array_append_new(arr, diag_json(s, d, &d->diags.items[i]));
	return arr;
}

void kfls_diagnostics_text(kfls *s, kfls_doc *d, kf_buf *b)
{
	kf_buf_addc(b, '[');
	for (size_t i = 0; i < d->diags.len; i++) {
		const kf_diag *g = &d->diags.items[i];
		kf_buf_adds(b, i ? ",{\"range\":" : "{\"range\":");
		kfls_json_range(s, b, &d->src, g->span);
		kf_buf_adds(b, ",\"severity\":");
		kfls_json_uint(b, (unsigned)(g->severity & 3) + 1);
		kf_buf_adds(b, ",\"code\":");
		kfls_json_string(b, g->code, strlen(g->code));
		kf_buf_adds(b, ",\"source\":\"kflint\",\"message\":");
		kfls_json_string(b, g->message, strlen(g->message));
		kf_buf_addc(b, '}');
	}
	kf_buf_addc(b, ']');
}

static json_t *pull_diagnostics(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	kf_buf_adds(&s->raw, "{\"kind\":\"full\",\"items\":");
	kfls_diagnostics_text(s, d, &s->raw);
	kf_buf_addc(&s->raw, '}');
	s->raw_result = true;
	return NULL;
}

/* ---- formatting ------------------------------------------------------------------- */

static json_t *edits_json(kfls *s, kfls_doc *d, const kf_edits *e)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < e->n; i++)
		json_array_append_new(arr, kfls_text_edit(s, &d->src, e->v[i].span, e->v[i].text, strlen(e->v[i].text)));
	return arr;
}

static json_t *formatting(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	kf_fmt_options opt;
	kfls_fmt_options(s, d, json_object_get(params, "options"), &opt);
	kf_buf out = KF_BUF_INIT;
	kf_format(d->ast, &opt, &out);
	json_t *arr = json_array();
	const char *a = d->src.text, *b = out.ptr ? out.ptr : "";
	size_t na = d->src.len, nb = out.len;
	if (na != nb || memcmp(a, b, na) != 0) {
		/* one edit: the changed lines between the common head and tail */
		size_t pre = 0, lpre = 0;
		while (pre < na && pre < nb && a[pre] == b[pre])
			if (a[pre++] == '\n')
				lpre = pre;
		size_t suf = 0, lsuf = 0;
		while (suf < na - lpre && suf < nb - lpre && a[na - 1 - suf] == b[nb - 1 - suf])
			if (a[na - 1 - suf++] == '\n')
				lsuf = suf - 1;
		if (lsuf > na - lpre || lsuf > nb - lpre)
			lsuf = 0;
		kf_span sp = {(uint32_t)lpre, (uint32_t)(na - lsuf)};
		json_array_append_new(arr, kfls_text_edit(s, &d->src, sp, b + lpre, nb - lsuf - lpre));
	}
	kf_buf_release(&out);
	return arr;
}

static json_t *range_formatting(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	kf_span sp;
	if (!d)
		return NULL;
	if (!range_param(s, d, json_object_get(params, "range"), &sp)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "missing or bad range";
		return NULL;
	}
	kf_fmt_options opt;
	kfls_fmt_options(s, d, json_object_get(params, "options"), &opt);
	kf_edits e = {NULL, 0, 0};
	kf_format_range(d->ast, &opt, sp, &e);
	json_t *arr = edits_json(s, d, &e);
	kf_edits_release(&e);
	return arr;
}

/* typing the escape character formats the line it ends */
static json_t *on_type_formatting(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	const char *ch = json_string_value(json_object_get(params, "ch"));
	if (!ch || ch[0] != d->ast->escape || ch[1])
		return json_array();
	kf_pline l = kf_source_pline(&d->src, off > 0 ? off - 1 : 0);
	kf_fmt_options opt;
	kfls_fmt_options(s, d, json_object_get(params, "options"), &opt);
	kf_edits e = {NULL, 0, 0};
	kf_format_range(d->ast, &opt, (kf_span){l.start, l.end}, &e);
	json_t *arr = edits_json(s, d, &e);
	kf_edits_release(&e);
	return arr;
}

/* ---- hover ---------------------------------------------------------------------- */

/* the files an app's hover lists: the first few, and how many in all */
#define KFLS_HOVER_FILES 20
typedef struct hover_files {
	kf_buf *b;
	kf_str top; /* the source's path, as written */
	size_t total;
} hover_files;

static bool hover_file(void *ctx, const char *rel, unsigned type)
{
	hover_files *hf = ctx;
	if (type == S_IFDIR)
		return true;
	if (hf->total++ < KFLS_HOVER_FILES)
		kf_buf_printf(hf->b, "- `%.*s/%s`\n", (int)hf->top.len, hf->top.ptr, rel);
	return true;
}

/* What an app's local sources hold in the build context. */
static void app_files(kfls *s, kfls_doc *d, const kf_app_source *srcs, uint32_t n, kf_buf *b)
{
	kf_buf list = KF_BUF_INIT, path = KF_BUF_INIT;
	hover_files hf = {&list, {NULL, 0}, 0};
	bool local = false;
	for (uint32_t i = 0; i < n; i++) {
		if (srcs[i].scheme != KF_SCHEME_LOCAL || !srcs[i].path.len)
			continue;
		local = true;
		kf_str p = srcs[i].path;
		while (p.len > 1 && p.ptr[p.len - 1] == '/')
			p.len--;
		kf_buf_reset(&path);
		kf_buf_printf(&path, "%s/%.*s", d->dir, (int)p.len, p.ptr);
		unsigned t = kf_fscache_type(s->fs, path.ptr);
		hf.top = p;
		if (!t)
			kf_buf_printf(&list, "- `%.*s`: missing\n", (int)p.len, p.ptr);
		else if (t == S_IFDIR)
			kf_fscache_walk(s->fs, path.ptr, hover_file, &hf);
		else if (hf.total++ < KFLS_HOVER_FILES)
			kf_buf_printf(&list, "- `%.*s`\n", (int)p.len, p.ptr);
	}
	if (local) {
		kf_buf_printf(b, "\nFiles in the build context (%zu):\n", hf.total);
		kf_buf_add(b, list.ptr, list.len);
		if (hf.total > KFLS_HOVER_FILES)
			kf_buf_printf(b, "- and %zu more\n", hf.total - KFLS_HOVER_FILES);
	}
	kf_buf_release(&list);
	kf_buf_release(&path);
}

static void app_hover(kfls *s, kfls_doc *d, const kf_app *app, kf_buf *b)
{
	const kf_instr *decl = app->last;
	uint32_t n;
	const kf_app_source *srcs = kf_app_sources(decl, &n);
	kf_fscache_begin(s->fs);
	kf_app_type t = kf_app_detect_type(s->fs, d->dir, srcs, n);
	kf_buf_printf(b, "**app** `%.*s` (%s", (int)app->name.len, app->name.ptr, kf_kind_name((kf_kind)decl->kind));
	kf_buf_printf(b, ", type: %s)\n\n", kf_app_type_name(t));
	kf_buf_adds(b, "Sources:\n");
	for (uint32_t i = 0; i < n; i++)
		kf_buf_printf(b, "- `%.*s`\n", (int)srcs[i].word->text.len, srcs[i].word->text.ptr);
	app_files(s, d, srcs, n, b);
	kf_buf_printf(b, "\nFiles go to `application/apps/%.*s/`.", (int)app->name.len, app->name.ptr);
	if (app->appcmds) {
		kf_span sp = kf_instr_args_span(app->appcmds);
		kf_buf_printf(b, " Installed by APPCMDS `%.*s`.", (int)(sp.end - sp.start), d->src.text + sp.start);
	}
	kf_buf_adds(b, app->launched ? " Launched by LAUNCH.\n" : " Not launched.\n");
}

static void var_hover(kfls_doc *d, const sym *sy, kf_buf *b)
{
	kf_buf_printf(b, "**variable** `%.*s`", (int)sy->name.len, sy->name.ptr);
	const kf_var_def *def = sy->def;
	if (!def) {
		if (sy->use && sy->use->builtin)
			kf_buf_adds(b, ": always defined, from the target platform\n");
		else
			kf_buf_adds(b, ": not defined at this point\n");
		return;
	}
	const kf_instr *in = def->in;
	for (uint32_t i = 0; i < in->npairs; i++) {
		const kf_pair *pr = &in->pairs[i];
		if (pr->key.start != def->span.start)
			continue;
		kf_word v = kf_pair_value(pr);
		if (def->is_arg && pr->sep == KF_SEP_NONE)
			kf_buf_adds(b, " (ARG without a default: set with `--build-arg`)\n");
		else
			kf_buf_printf(b, " = `%.*s` (%s, line %u)\n", (int)v.text.len, v.text.ptr,
				      def->is_arg ? "ARG default" : "ENV",
				      kf_source_line(&d->src, def->span.start) + 1);
		return;
	}
	kf_buf_adds(b, "\n");
}

static json_t *hover(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	const kf_instr *in = instr_at(d, off);
	kf_buf b = KF_BUF_INIT;
	kf_span range = {0, 0};
	if (in && in->kind != KF_INSTR_ERROR && contains(kf_instr_keyword_span(in), off)) {
		kf_instr_doc_hover((kf_kind)in->kind, &b);
		range = kf_instr_keyword_span(in);
	}
	uint32_t nf;
	const kf_flag *fl = in ? kf_instr_flags(in, &nf) : NULL;
	for (uint32_t i = 0; !b.len && fl && i < nf; i++) {
		if (!contains(fl[i].span, off))
			continue;
		const kf_flag_doc *fd = kf_instr_doc_flag((kf_kind)in->kind, fl[i].name);
		if (fd)
			kf_buf_printf(&b, "`--%s%s%s`: %s\n", fd->name, fd->value ? "=" : "", fd->value ? fd->value : "",
				      fd->summary);
		else
			kf_buf_printf(&b, "%s has no flag `--%.*s`\n", kf_kind_name((kf_kind)in->kind), (int)fl[i].name.len,
				      fl[i].name.ptr);
		range = fl[i].span;
	}
	if (!b.len) {
		sym sy = symbol_at(d, off);
		if (sy.kind == SYM_APP) {
			const kf_app *app = kf_model_app(kfls_model(d), sy.name);
			if (app)
				app_hover(s, d, app, &b);
			else
				kf_buf_printf(&b, "**app** `%.*s`: not declared in this Kubefile (it may come from the base image)\n",
					      (int)sy.name.len, sy.name.ptr);
		} else if (sy.kind == SYM_VAR) {
			var_hover(d, &sy, &b);
		}
		range = sy.span;
	}
	if (!b.len)
		return json_null();
	json_t *r = json_pack("{s:{s:s,s:o},s:o}", "contents", "kind", "markdown", "value",
			      kfls_str(kf_str_make(b.ptr, b.len)), "range", kfls_range(s, &d->src, range));
	kf_buf_release(&b);
	return r;
}

/* ---- completion ------------------------------------------------------------------ */

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void add_item(json_t *items, const char *label, int kind, const char *detail, const char *text, bool snippet,
		     json_t *range)
{
	json_t *it = json_pack("{s:s,s:i}", "label", label, "kind", kind);
	if (detail)
		json_object_set_new(it, "detail", json_string(detail));
	if (range)
		json_object_set_new(it, "textEdit", json_pack("{s:O,s:s}", "range", range, "newText", text));
	else
		json_object_set_new(it, "insertText", json_string(text));
	if (snippet)
		json_object_set_new(it, "insertTextFormat", json_integer(2));
	json_array_append_new(items, it);
}

/* the image references of the local store (store.h: the store kfc build
 * writes); its index.json is replaced whole, so it is read without a lock */
static void store_images(json_t *items, json_t *range)
{
	size_t n;
	char **names = kf_local_images(&n);
	for (size_t i = 0; i < n; i++)
		add_item(items, names[i], 20, "local store", names[i], false, range);
	kf_local_images_free(names, n);
}

/* local:// paths: the entries of the directory typed so far, in the build
 * context (no hidden ones, at most 1000) */
static void local_paths(kfls *s, kfls_doc *d, kf_str typed, json_t *items, json_t *range)
{
	const char *slash = NULL;
	for (size_t i = 0; i < typed.len; i++)
		if (typed.ptr[i] == '/')
			slash = typed.ptr + i;
	size_t dlen = slash ? (size_t)(slash - typed.ptr) + 1 : 0;
	kf_buf dir = KF_BUF_INIT;
	kf_buf_printf(&dir, "%s/%.*s", d->dir, (int)dlen, typed.ptr);
	kf_fsdir l;
	kf_fscache_begin(s->fs);
	/* never outside the build context */
	if (strstr(dir.ptr, "..") || !kf_fscache_list(s->fs, dir.ptr, &l)) {
		kf_buf_release(&dir);
		return;
	}
	kf_buf full = KF_BUF_INIT, label = KF_BUF_INIT, text = KF_BUF_INIT;
	size_t shown = 0;
	for (size_t i = 0; i < l.n && shown < 1000; i++) {
		const kf_fsentry *e = &l.entries[i];
		if (e->name[0] == '.')
			continue;
		bool isdir = e->type == S_IFDIR;
		if (e->type == S_IFLNK) {
			kf_buf_reset(&full);
			kf_buf_printf(&full, "%s%s", dir.ptr, e->name);
			isdir = kf_fscache_type(s->fs, full.ptr) == S_IFDIR;
		}
		kf_buf_reset(&label);
		kf_buf_printf(&label, "%s%s", e->name, isdir ? "/" : "");
		kf_buf_reset(&text);
		kf_buf_printf(&text, "local://%.*s%s", (int)dlen, typed.ptr, label.ptr);
		add_item(items, label.ptr, isdir ? 19 : 17, NULL, text.ptr, false, range);
		shown++;
	}
	kf_fsdir_release(&l);
	kf_buf_release(&full);
	kf_buf_release(&label);
	kf_buf_release(&text);
	kf_buf_release(&dir);
}

static json_t *completion(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	const char *t = d->src.text;
	json_t *items = json_array();
	const kf_instr *in = instr_at(d, off);
	kf_pline pl = kf_source_pline(&d->src, off);
	uint32_t from = in ? in->span.start : pl.start;
	if (from < pl.start && in && kf_source_line(&d->src, in->span.start) != kf_source_line(&d->src, off)) {
		/* a continuation line: the instruction still starts at from */
	}
	/* the word being typed */
	uint32_t ws = off;
	while (ws > from && !blank(t[ws - 1]) && t[ws - 1] != '[' && t[ws - 1] != ',' && t[ws - 1] != '"')
		ws--;
	json_t *range = kfls_range(s, &d->src, (kf_span){ws, off});
	/* how many words come before it in the instruction */
	uint32_t nwords = 0;
	kf_str first = KF_STR_NULL;
	for (uint32_t p = from; p < ws;) {
		while (p < ws && blank(t[p]))
			p++;
		uint32_t q = p;
		while (q < ws && !blank(t[q]))
			q++;
		if (q > p) {
			if (!nwords)
				first = kf_str_make(t + p, q - p);
			nwords++;
		}
		p = q;
	}
	kf_str word = kf_str_make(t + ws, off - ws);
	bool comment = t[pl.first] == '#' && pl.first < off;
	if (comment) {
	} else if (nwords == 0) {
		size_t n;
		const char *const *names = kf_kind_names(&n);
		for (size_t k = 0; k < n; k++) {
			const kf_instr_doc *doc = kf_instr_doc_get((kf_kind)(k + 1));
			add_item(items, names[k], 14, doc ? doc->synopsis : NULL, doc ? doc->snippet : names[k], true, range);
		}
	} else {
		kf_kind kind = kf_kind_lookup(first);
		const char *dollar = NULL;
		for (size_t i = 0; i < word.len; i++)
			if (word.ptr[i] == '$')
				dollar = word.ptr + i;
		if (dollar) {
			uint32_t vs = (uint32_t)(dollar - t) + 1 + (dollar[1] == '{');
			json_t *vr = kfls_range(s, &d->src, (kf_span){vs, off});
			const kf_model *m = kfls_model(d);
			json_t *seen = json_object();
			for (uint32_t i = 0; i < m->ndefs; i++) {
				const kf_var_def *v = &m->defs[i];
				if (v->span.start >= from)
					break;
				char *nm = kf_arena_strndup(&s->req, v->name.ptr, v->name.len);
				if (json_object_get(seen, nm))
					continue;
				json_object_set_new(seen, nm, json_true());
				add_item(items, nm, 6, v->is_arg ? "ARG" : "ENV", nm, false, vr);
			}
			static const char *const builtin[] = {"ARCH", "TARGETARCH", "TARGETOS", "TARGETPLATFORM"};
			for (size_t i = 0; i < 4; i++)
				if (!json_object_get(seen, builtin[i]))
					add_item(items, builtin[i], 21, "target platform", builtin[i], false, vr);
			json_decref(seen);
			json_decref(vr);
		} else if (word.len >= 2 && word.ptr[0] == '-' && word.ptr[1] == '-') {
			const kf_instr_doc *doc = kf_instr_doc_get(kind);
			for (const kf_flag_doc *f = doc ? doc->flags : NULL; f && f->name; f++) {
				char *lbl = kf_arena_printf(&s->req, "--%s", f->name);
				char *txt = kf_arena_printf(&s->req, "--%s%s", f->name, f->value ? "=" : "");
				add_item(items, lbl, 5, f->summary, txt, false, range);
			}
		} else if (kf_str_has_prefix(word, "local://")) {
			local_paths(s, d, kf_str_make(word.ptr + 8, word.len - 8), items, range);
		} else if (kind == KF_INSTR_LAUNCH || ((kind == KF_INSTR_APPCMDS || kind == KF_INSTR_APPENV) && nwords == 1)) {
			const kf_model *m = kfls_model(d);
			for (uint32_t i = 0; i < m->napps; i++) {
				if (m->apps[i].decl->span.start >= from)
					continue;
				char *nm = kf_arena_strndup(&s->req, m->apps[i].name.ptr, m->apps[i].name.len);
				add_item(items, nm, 7, kf_kind_name((kf_kind)m->apps[i].decl->kind), nm, false, range);
			}
		} else if (declares_app(kind) && nwords >= 2) {
			add_item(items, "local://", 17, "a path in the build context", "local://", false, range);
		} else if (kind == KF_INSTR_FROM && nwords == 1) {
			add_item(items, "scratch", 20, "an empty base", "scratch", false, range);
			store_images(items, range);
		}
	}
	json_decref(range);
	return json_pack("{s:b,s:o}", "isIncomplete", 0, "items", items);
}

/* ---- signature help --------------------------------------------------------------- */

static json_t *signature_help(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	uint32_t off;
	if (!d || !position_param(s, d, params, &off, err))
		return NULL;
	const kf_instr *in = instr_at(d, off);
	kf_kind kind = in ? (kf_kind)in->kind : KF_INSTR_ERROR;
	if (!in) {
		/* a keyword typed on its own line, not parsed yet */
		kf_pline pl = kf_source_pline(&d->src, off);
		uint32_t q = pl.first;
		while (q < pl.end && !blank(d->src.text[q]))
			q++;
		kind = kf_kind_lookup(kf_str_make(d->src.text + pl.first, q - pl.first));
	}
	const kf_instr_doc *doc = kf_instr_doc_get(kind);
	if (!doc)
		return json_null();
	return json_pack("{s:[{s:s,s:{s:s,s:s}}],s:i}", "signatures", "label", doc->synopsis, "documentation", "kind",
			 "markdown", "value", doc->summary, "activeSignature", 0);
}

/* ---- document symbols ---------------------------------------------------------------- */

static json_t *symbol(kfls *s, kfls_doc *d, const char *name, const char *detail, int kind, kf_span range,
		      kf_span sel)
{
	json_t *j = json_pack("{s:s,s:i,s:o,s:o}", "name", name, "kind", kind, "range", kfls_range(s, &d->src, range),
			      "selectionRange", kfls_range(s, &d->src, sel));
	if (detail)
		json_object_set_new(j, "detail", json_string(detail));
	return j;
}

static char *word_cstr(kfls *s, kf_str w)
{
	return kf_arena_strndup(&s->req, w.ptr ? w.ptr : "", w.len);
}

/* app name -> index in m->apps, for documents with thousands of apps */
typedef struct app_index {
	uint32_t *slot; /* index + 1; 0: empty */
	uint32_t mask;
} app_index;

static uint32_t hash_str(kf_str k)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < k.len; i++)
		h = (h ^ (unsigned char)k.ptr[i]) * 16777619u;
	return h;
}

static void app_index_build(kfls *s, const kf_model *m, app_index *ix)
{
	uint32_t cap = 16;
	while (cap < m->napps * 2)
		cap *= 2;
	ix->slot = kf_arena_zalloc(&s->req, cap * sizeof(uint32_t));
	ix->mask = cap - 1;
	for (uint32_t a = 0; a < m->napps; a++) {
		uint32_t h = hash_str(m->apps[a].name) & ix->mask;
		while (ix->slot[h])
			h = (h + 1) & ix->mask;
		ix->slot[h] = a + 1;
	}
}

static uint32_t app_index_find(const app_index *ix, const kf_model *m, kf_str name)
{
	for (uint32_t h = hash_str(name) & ix->mask; ix->slot[h]; h = (h + 1) & ix->mask)
		if (kf_str_eq(m->apps[ix->slot[h] - 1].name, name))
			return ix->slot[h] - 1;
	return m->napps;
}

static json_t *document_symbols(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	const kf_model *m = kfls_model(d);
	json_t *arr = json_array();
	json_t *start = NULL;
	json_t **app_sym = kf_arena_zalloc(&s->req, sizeof(json_t *) * (m->napps + 1));
	app_index ix;
	app_index_build(s, m, &ix);
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		kf_kind k = (kf_kind)in->kind;
		kf_span kw = kf_instr_keyword_span(in);
		const kf_word *nm = kf_instr_name(in);
		if (k == KF_INSTR_FROM && kf_from_image(in)) {
			json_array_append_new(arr, symbol(s, d, word_cstr(s, kf_from_image(in)->text), "base", 2, in->span,
							  kf_from_image(in)->span));
		} else if (names_app(k) && nm) {
			uint32_t a = app_index_find(&ix, m, nm->text);
			json_t *child = symbol(s, d, kf_kind_name(k), NULL, declares_app(k) ? 7 : 6, in->span, kw);
			if (a == m->napps) { /* not declared: on its own */
				json_array_append_new(arr, child);
				continue;
			}
			if (!app_sym[a]) {
				app_sym[a] = symbol(s, d, word_cstr(s, nm->text), kf_kind_name((kf_kind)m->apps[a].decl->kind), 5,
						    in->span, inner_span(d, nm));
				json_object_set_new(app_sym[a], "children", json_array());
				json_array_append_new(arr, app_sym[a]);
			} else {
				json_object_set_new(app_sym[a], "range",
						    json_pack("{s:O,s:o}", "start",
							      json_object_get(json_object_get(app_sym[a], "range"), "start"),
							      "end", kfls_pos(s, &d->src, in->span.end)));
			}
			json_array_append_new(json_object_get(app_sym[a], "children"), child);
		} else if (k == KF_INSTR_ARG || k == KF_INSTR_ENV) {
			for (uint32_t p = 0; p < in->npairs; p++)
				json_array_append_new(arr, symbol(s, d, word_cstr(s, kf_pair_key(&in->pairs[p]).text),
								  kf_kind_name(k), 13, in->span, in->pairs[p].key));
		} else if (k == KF_INSTR_LAUNCH || k == KF_INSTR_CMDS || k == KF_INSTR_CMD) {
			json_t *child = symbol(s, d, kf_kind_name(k), NULL, 24, in->span, kw);
			if (k == KF_INSTR_LAUNCH) {
				json_t *ch = json_array();
				for (uint32_t a = 0; a < in->nargs; a++)
					json_array_append_new(ch, symbol(s, d, word_cstr(s, in->args[a].text), "app", 5,
									 in->args[a].span, in->args[a].span));
				json_object_set_new(child, "children", ch);
			}
			if (!start) {
				start = symbol(s, d, "start", "what runs when the cluster starts", 3, in->span, kw);
				json_object_set_new(start, "children", json_array());
				json_array_append_new(arr, start);
			} else {
				json_object_set_new(start, "range",
						    json_pack("{s:O,s:o}", "start",
							      json_object_get(json_object_get(start, "range"), "start"), "end",
							      kfls_pos(s, &d->src, in->span.end)));
			}
			json_array_append_new(json_object_get(start, "children"), child);
		}
	}
	return arr;
}

/* ---- folding ----------------------------------------------------------------------- */

static json_t *fold(uint32_t a, uint32_t b, const char *kind)
{
	json_t *j = json_pack("{s:I,s:I}", "startLine", (json_int_t)a, "endLine", (json_int_t)b);
	if (kind)
		json_object_set_new(j, "kind", json_string(kind));
	return j;
}

static json_t *folding(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	json_t *arr = json_array();
	uint32_t ti = 0;
	for (uint32_t i = 0; i <= d->ast->ninstrs; i++) {
		/* comment blocks before this instruction */
		uint32_t lim = i < d->ast->ninstrs ? d->ast->instrs[i]->span.start : UINT32_MAX;
		while (ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < lim) {
			const kf_trivia *t = &d->ast->trivia[ti];
			if (t->kind != KF_TRIVIA_COMMENT || t->in_continuation) {
				ti++;
				continue;
			}
			uint32_t a = kf_source_line(&d->src, t->span.start), b = a;
			ti++;
			while (ti < d->ast->ntrivia && d->ast->trivia[ti].kind == KF_TRIVIA_COMMENT &&
			       !d->ast->trivia[ti].in_continuation &&
			       kf_source_line(&d->src, d->ast->trivia[ti].span.start) == b + 1) {
				b++;
				ti++;
			}
			if (b > a)
				json_array_append_new(arr, fold(a, b, "comment"));
		}
		if (i == d->ast->ninstrs)
			break;
		const kf_instr *in = d->ast->instrs[i];
		uint32_t a = kf_source_line(&d->src, in->span.start);
		uint32_t b = kf_source_line(&d->src, in->span.end > in->span.start ? in->span.end - 1 : in->span.end);
		uint32_t nh;
		const kf_heredoc *h = kf_instr_heredocs(in, &nh);
		uint32_t hs = nh ? kf_source_line(&d->src, h[0].marker.start) : b;
		/* the continued lines, then each heredoc body */
		if (hs > a)
			json_array_append_new(arr, fold(a, hs, NULL));
		for (uint32_t k = 0; k < nh; k++) {
			uint32_t ml = kf_source_line(&d->src, h[k].marker.start);
			uint32_t el = kf_source_line(&d->src, h[k].terminated ? h[k].end.start : in->span.end);
			if (el > ml)
				json_array_append_new(arr, fold(ml, el, "region"));
		}
		(void)b;
	}
	return arr;
}

/* ---- semantic tokens ------------------------------------------------------------------ */

enum { TT_KEYWORD, TT_PARAMETER, TT_VARIABLE, TT_STRING, TT_COMMENT, TT_MACRO, TT_CLASS, TT_PROPERTY, TT_OPERATOR };
static const char *const token_types[] = {"keyword", "parameter", "variable", "string", "comment",
					  "macro", "class", "property", "operator"};
enum { TM_DECLARATION = 1, TM_DEPRECATED = 2 };
static const char *const token_mods[] = {"declaration", "deprecated"};

typedef struct tok {
	kf_span span;
	int type, mods;
} tok;
typedef KF_VEC(tok) tok_vec;

typedef struct tok_out {
	kfls *s;
	const kf_source *src;
	kf_buf *data;
	bool first;
	uint32_t line, col; /* of the previous token */
	/* a cursor, so that tokens in order cost their own length: its
	 * offset, line, column, and the start of the next line */
	uint32_t cur_off, cur_line, cur_col, cur_next;
} tok_out;

static void push_tok(tok_vec *v, kf_span sp, int type, int mods)
{
	if (sp.end > sp.start) {
		tok t = {sp, type, mods};
		kf_vec_push(v, t);
	}
}

/* one token per physical line of span */
/* the column of off (after the cursor, or anywhere: then a lookup) */
static uint32_t col_at(tok_out *o, uint32_t off)
{
	const kf_source *src = o->src;
	if (off < o->cur_off || off >= o->cur_next) {
		kf_position p = kf_source_position(src, off);
		o->cur_off = off;
		o->cur_line = p.line;
		o->cur_col = o->s->utf8 ? p.col8 : p.col16;
		o->cur_next = p.line + 1 < src->nlines ? src->lines[p.line + 1] : (uint32_t)src->len + 1;
		return o->cur_col;
	}
	const unsigned char *t = (const unsigned char *)src->text;
	if (o->s->utf8) {
		o->cur_col += off - o->cur_off;
	} else {
		for (uint32_t i = o->cur_off; i < off;) {
			uint32_t cp;
			int n = kf_utf8_seqlen(t + i, off - i, &cp);
			if (n <= 0) {
				n = 1;
				cp = 0;
			}
			o->cur_col += cp >= 0x10000 ? 2 : 1;
			i += (uint32_t)n;
		}
	}
	o->cur_off = off;
	return o->cur_col;
}

/* one token per physical line of span */
static void emit(tok_out *o, kf_span sp, int type, int mods)
{
	while (sp.start < sp.end) {
		uint32_t ca = col_at(o, sp.start), line = o->cur_line;
		uint32_t next = o->cur_next, lend = next > o->src->len ? (uint32_t)o->src->len : next - 1;
		if (lend > sp.start && o->src->text[lend - 1] == '\r')
			lend--;
		uint32_t e = sp.end < lend ? sp.end : lend;
		if (e > sp.start) {
			uint32_t cb = col_at(o, e);
			uint32_t dl = line - o->line, dc = dl ? ca : ca - o->col;
			uint32_t v[5] = {dl, dc, cb - ca, (uint32_t)type, (uint32_t)mods};
			for (int k = 0; k < 5; k++) {
				if (!o->first)
					kf_buf_addc(o->data, ',');
				o->first = false;
				kfls_json_uint(o->data, v[k]);
			}
			o->line = line;
			o->col = ca;
		}
		if (next <= sp.start || next > o->src->len)
			break;
		sp.start = next;
	}
}

static int cmp_tok(const void *a, const void *b)
{
	const tok *x = a, *y = b;
	return x->span.start < y->span.start ? -1 : x->span.start > y->span.start;
}

static bool expands_vars(kf_kind k)
{
	return k != KF_INSTR_RUN && k != KF_INSTR_CMD && k != KF_INSTR_CMDS && k != KF_INSTR_APPCMDS &&
	       k != KF_INSTR_ERROR;
}

static void instr_tokens(kfls_doc *d, const kf_instr *in, const kf_model *m, uint32_t *ui, tok_vec *v)
{
	kf_kind k = (kf_kind)in->kind;
	size_t base = v->n;
	if (k != KF_INSTR_ERROR)
		push_tok(v, kf_instr_keyword_span(in), TT_KEYWORD,
			 k == KF_INSTR_MAINTAINER || k == KF_INSTR_CMD ? TM_DEPRECATED : 0);
	uint32_t nf;
	const kf_flag *fl = kf_instr_flags(in, &nf);
	for (uint32_t i = 0; i < nf; i++)
		push_tok(v, fl[i].span, TT_PARAMETER, 0);
	const kf_word *nm = kf_instr_name(in);
	if (nm)
		push_tok(v, nm->span, names_app(k) ? TT_CLASS : TT_KEYWORD, declares_app(k) ? TM_DECLARATION : 0);
	for (uint32_t i = 0; i < in->npairs; i++) {
		const kf_pair *pr = &in->pairs[i];
		bool var = k == KF_INSTR_ARG || k == KF_INSTR_ENV;
		push_tok(v, pr->key, var ? TT_VARIABLE : TT_PROPERTY, var ? TM_DECLARATION : 0);
		if (pr->sep != KF_SEP_NONE)
			push_tok(v, pr->value, TT_STRING, 0);
	}
	if (k == KF_INSTR_LAUNCH) {
		for (uint32_t i = 0; i < in->nargs; i++)
			push_tok(v, in->args[i].span, TT_CLASS, 0);
	} else if (in->form == KF_FORM_JSON || (in->form == KF_FORM_WORDS && k != KF_INSTR_ERROR)) {
		for (uint32_t i = 0; i < in->nargs; i++)
			if (!(kf_from_as(in) == &in->args[i]))
				push_tok(v, in->args[i].span, TT_STRING, 0);
			else
				push_tok(v, in->args[i].span, TT_KEYWORD, 0);
	}
	uint32_t nh;
	const kf_heredoc *h = kf_instr_heredocs(in, &nh);
	for (uint32_t i = 0; i < nh; i++) {
		push_tok(v, h[i].marker, TT_OPERATOR, 0);
		push_tok(v, h[i].body, TT_STRING, 0);
		push_tok(v, h[i].end, TT_OPERATOR, 0);
	}
	/* variable uses cut the tokens they are in */
	while (*ui < m->nuses && m->uses[*ui].span.start < in->span.start)
		(*ui)++;
	size_t nb = v->n;
	while (*ui < m->nuses && m->uses[*ui].span.start < in->span.end) {
		kf_span u = m->uses[*ui].span;
		(*ui)++;
		if (!expands_vars(k))
			continue;
		for (size_t i = base; i < nb; i++) {
			tok t = v->v[i];
			if (t.span.end <= u.start || t.span.start >= u.end || t.type == TT_VARIABLE)
				continue;
			v->v[i].span.end = u.start > t.span.start ? u.start : t.span.start;
			if (t.span.end > u.end) {
				tok rest = {{u.end, t.span.end}, t.type, t.mods};
				kf_vec_push(v, rest);
			}
		}
		push_tok(v, u, TT_VARIABLE, 0);
	}
	if (v->n - base > 1)
		qsort(v->v + base, v->n - base, sizeof(tok), cmp_tok);
}

static json_t *semantic_tokens(kfls *s, kfls_doc *d, kf_span range)
{
	const kf_model *m = kfls_model(d);
	kf_buf_adds(&s->raw, "{\"data\":[");
	tok_out o = {s, &d->src, &s->raw, true, 0, 0, 0, 0, 0, 0};
	tok_vec v = {NULL, 0, 0};
	uint32_t ti = 0, ui = 0;
	for (uint32_t i = 0; i <= d->ast->ninstrs; i++) {
		uint32_t lim = i < d->ast->ninstrs ? d->ast->instrs[i]->span.start : UINT32_MAX;
		for (; ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < lim; ti++) {
			const kf_trivia *t = &d->ast->trivia[ti];
			if (t->span.end < range.start || t->span.start > range.end || t->kind == KF_TRIVIA_BLANK)
				continue;
			emit(&o, t->span, t->kind == KF_TRIVIA_COMMENT ? TT_COMMENT : TT_MACRO, 0);
		}
		if (i == d->ast->ninstrs)
			break;
		const kf_instr *in = d->ast->instrs[i];
		if (in->span.end < range.start || in->span.start > range.end)
			continue;
		v.n = 0;
		instr_tokens(d, in, m, &ui, &v);
		/* comments inside the instruction's continuation come in order too */
		for (size_t k = 0; k < v.n; k++) {
			while (ti < d->ast->ntrivia && d->ast->trivia[ti].span.start < v.v[k].span.start) {
				const kf_trivia *t = &d->ast->trivia[ti++];
				if (t->kind == KF_TRIVIA_COMMENT)
					emit(&o, t->span, TT_COMMENT, 0);
			}
			if (k == 0 || v.v[k].span.start >= v.v[k - 1].span.end)
				emit(&o, v.v[k].span, v.v[k].type, v.v[k].mods);
		}
	}
	kf_vec_free(&v);
	kf_buf_adds(&s->raw, "]}");
	s->raw_result = true;
	return NULL;
}

static json_t *semantic_full(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	return semantic_tokens(s, d, (kf_span){0, (uint32_t)d->src.len});
}

static json_t *semantic_range(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	kf_span sp;
	if (!d)
		return NULL;
	if (!range_param(s, d, json_object_get(params, "range"), &sp)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "missing or bad range";
		return NULL;
	}
	return semantic_tokens(s, d, sp);
}

/* ---- document links ------------------------------------------------------------------- */

static void uri_escape(kf_buf *b, const char *p, size_t n)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/";
	for (size_t i = 0; i < n; i++) {
		if (p[i] && strchr(ok, p[i]))
			kf_buf_addc(b, p[i]);
		else
			kf_buf_printf(b, "%%%02X", (unsigned char)p[i]);
	}
}

static json_t *document_links(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	json_t *arr = json_array();
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		uint32_t n;
		const kf_app_source *src = kf_app_sources(d->ast->instrs[i], &n);
		for (uint32_t k = 0; k < n; k++) {
			if (src[k].scheme != KF_SCHEME_LOCAL || !d->path)
				continue;
			kf_buf t = KF_BUF_INIT;
			kf_buf_adds(&t, "file://");
			uri_escape(&t, d->dir, strlen(d->dir));
			kf_buf_addc(&t, '/');
			kf_str p = src[k].path;
			while (p.len && p.ptr[0] == '/')
				p.ptr++, p.len--;
			uri_escape(&t, p.ptr, p.len);
			json_array_append_new(arr, json_pack("{s:o,s:s}", "range",
							     kfls_range(s, &d->src, inner_span(d, src[k].word)), "target", t.ptr));
			kf_buf_release(&t);
		}
	}
	return arr;
}

/* ---- code actions ---------------------------------------------------------------------- */

static json_t *edit_action(kfls *s, kfls_doc *d, const char *title, const char *kind, kf_span sp, const char *text,
			   json_t *diag)
{
	json_t *changes = json_object();
	json_object_set_new(changes, d->uri, json_pack("[o]", kfls_text_edit(s, &d->src, sp, text, strlen(text))));
	json_t *a = json_pack("{s:s,s:s,s:{s:o}}", "title", title, "kind", kind, "edit", "changes", changes);
	if (diag) {
		json_object_set_new(a, "diagnostics", json_pack("[o]", diag));
		json_object_set_new(a, "isPreferred", json_true());
	}
	return a;
}

static bool overlaps(kf_span a, kf_span b)
{
	return a.start <= b.end && b.start <= a.end;
}

/* the start of the line after the one where off is */
static uint32_t next_line(const kfls_doc *d, uint32_t off)
{
	return kf_source_pline(&d->src, off).next;
}

static json_t *code_actions(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	kf_span r;
	if (!d)
		return NULL;
	if (!range_param(s, d, json_object_get(params, "range"), &r)) {
		err->code = KF_RPC_INVALID_PARAMS;
		err->message = "missing or bad range";
		return NULL;
	}
	json_t *arr = json_array();
	const char *nl = d->ast->crlf ? "\r\n" : "\n";
	/* every autofix of a diagnostic in the range */
	for (size_t i = 0; i < d->diags.len; i++) {
		const kf_diag *g = &d->diags.items[i];
		if (!overlaps(g->span, r))
			continue;
		if (g->fix)
			json_array_append_new(arr, edit_action(s, d, g->fix->title, "quickfix", g->fix->span,
							       g->fix->replacement, diag_json(s, d, g)));
		if (strcmp(g->code, "KF107") == 0) {
			/* declare the app named here, before the instruction that names it */
			const kf_instr *in = instr_at(d, g->span.start);
			kf_str name = kf_str_make(d->src.text + g->span.start, g->span.end - g->span.start);
			if (in && name.len && name.ptr[0] == '"' && name.len >= 2)
				name = kf_str_make(name.ptr + 1, name.len - 2);
			if (in && valid_name(SYM_APP, kf_arena_strndup(&s->req, name.ptr, name.len))) {
				uint32_t at = kf_source_pline(&d->src, in->span.start).start;
				char *text = kf_arena_printf(&s->req, "APP %.*s local://%.*s%s", (int)name.len, name.ptr,
							     (int)name.len, name.ptr, nl);
				char *title = kf_arena_printf(&s->req, "declare app %.*s", (int)name.len, name.ptr);
				json_array_append_new(arr, edit_action(s, d, title, "quickfix", (kf_span){at, at}, text,
								       diag_json(s, d, g)));
			}
		}
	}
	const kf_model *m = kfls_model(d);
	for (uint32_t i = 0; i < d->ast->ninstrs; i++) {
		const kf_instr *in = d->ast->instrs[i];
		if (!overlaps(in->span, r) || in->broken)
			continue;
		const kf_word *nm = kf_instr_name(in);
		if (declares_app((kf_kind)in->kind) && nm) {
			const kf_app *app = kf_model_app(m, nm->text);
			if (app && !app->appcmds) {
				uint32_t at = next_line(d, in->span.end > in->span.start ? in->span.end - 1 : in->span.end);
				bool eol = at > 0 && d->src.text[at - 1] == '\n';
				char *text = kf_arena_printf(&s->req, "%sAPPCMDS %.*s [\"bash\", \"install.sh\"]%s", eol ? "" : nl,
							     (int)nm->text.len, nm->text.ptr, eol ? nl : "");
				char *title = kf_arena_printf(&s->req, "add APPCMDS for app %.*s", (int)nm->text.len, nm->text.ptr);
				json_array_append_new(arr, edit_action(s, d, title, "refactor", (kf_span){at, at}, text, NULL));
			}
		}
		kf_edit e;
		if (kf_json_form(d->ast, in, &e)) {
			json_array_append_new(arr, edit_action(s, d, "convert to JSON form", "refactor.rewrite", e.span, e.text,
							       NULL));
			free(e.text);
		}
	}
	return arr;
}

/* ---- the table ------------------------------------------------------------------------ */

typedef struct feature {
	const char *name;
	kfls_handler fn;
} feature;

static const feature features[] = {
	{"textDocument/diagnostic", pull_diagnostics},
	{"textDocument/formatting", formatting},
	{"textDocument/rangeFormatting", range_formatting},
	{"textDocument/onTypeFormatting", on_type_formatting},
	{"textDocument/completion", completion},
	{"textDocument/hover", hover},
	{"textDocument/signatureHelp", signature_help},
	{"textDocument/definition", definition},
	{"textDocument/references", references},
	{"textDocument/documentHighlight", highlight},
	{"textDocument/prepareRename", prepare_rename},
	{"textDocument/rename", rename_req},
	{"textDocument/documentSymbol", document_symbols},
	{"textDocument/foldingRange", folding},
	{"textDocument/semanticTokens/full", semantic_full},
	{"textDocument/semanticTokens/range", semantic_range},
	{"textDocument/documentLink", document_links},
	{"textDocument/codeAction", code_actions},
};

kfls_handler kfls_feature(const char *method)
{
	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (strcmp(features[i].name, method) == 0)
			return features[i].fn;
	return NULL;
}

void kfls_capabilities(kfls *s, json_t *c)
{
	json_t *types = json_array(), *mods = json_array();
	for (size_t i = 0; i < sizeof(token_types) / sizeof(token_types[0]); i++)
		json_array_append_new(types, json_string(token_types[i]));
	for (size_t i = 0; i < sizeof(token_mods) / sizeof(token_mods[0]); i++)
		json_array_append_new(mods, json_string(token_mods[i]));
	json_object_set_new(c, "diagnosticProvider",
			    json_pack("{s:s,s:b,s:b}", "identifier", "kflint", "interFileDependencies", 0,
				      "workspaceDiagnostics", 0));
	json_object_set_new(c, "documentFormattingProvider", json_true());
	json_object_set_new(c, "documentRangeFormattingProvider", json_true());
	json_object_set_new(c, "documentOnTypeFormattingProvider",
			    json_pack("{s:s,s:[s]}", "firstTriggerCharacter", "\\", "moreTriggerCharacter", "`"));
	json_object_set_new(c, "completionProvider",
			    json_pack("{s:[s,s,s,s,s]}", "triggerCharacters", "$", "{", "-", "/", " "));
	json_object_set_new(c, "hoverProvider", json_true());
	json_object_set_new(c, "signatureHelpProvider", json_pack("{s:[s]}", "triggerCharacters", " "));
	json_object_set_new(c, "definitionProvider", json_true());
	json_object_set_new(c, "referencesProvider", json_true());
	json_object_set_new(c, "documentHighlightProvider", json_true());
	json_object_set_new(c, "renameProvider", json_pack("{s:b}", "prepareProvider", 1));
	json_object_set_new(c, "documentSymbolProvider", json_true());
	json_object_set_new(c, "foldingRangeProvider", json_true());
	json_object_set_new(c, "semanticTokensProvider",
			    json_pack("{s:{s:o,s:o},s:b,s:b}", "legend", "tokenTypes", types, "tokenModifiers", mods,
				      "range", 1, "full", 1));
	json_object_set_new(c, "documentLinkProvider", json_pack("{s:b}", "resolveProvider", 0));
	json_object_set_new(c, "codeActionProvider",
			    json_pack("{s:[s,s,s]}", "codeActionKinds", "quickfix", "refactor", "refactor.rewrite"));
}
