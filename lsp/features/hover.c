/* SPDX-License-Identifier: Apache-2.0 */
/* hover.c - what the cursor is on: an instruction's documentation, a
 * flag's, an app (its type, sources and their files in the build context,
 * what installs and launches it), a variable (its value and where it is
 * set). */
#include <sys/stat.h>

#include "base/fscache.h"
#include "sema/apptype.h"
#include "syntax/instrdoc.h"
#include "syntax/jsonutil.h"
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

/* the files an app's hover lists: the first few, and how many in all */
#define KFLS_HOVER_FILES 20
typedef struct hover_files {
	kf_buf *b;
	kf_str top; /* the source's path, as written */
	size_t total;
	size_t walked; /* entries, folders included */
} hover_files;

/* entries a hover walks at most: a source of local://. in a folder such as
 * / or a home directory would otherwise be walked whole at each hover */
#define KFLS_HOVER_WALK 10000

static bool hover_file(void *ctx, const char *rel, unsigned type)
{
	hover_files *hf = ctx;
	if (++hf->walked > KFLS_HOVER_WALK)
		return false;
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
	hover_files hf = {&list, {NULL, 0}, 0, 0};
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
		kf_buf_printf(b, "\nFiles in the build context (%s%zu):\n", hf.walked > KFLS_HOVER_WALK ? "more than " : "",
			      hf.total);
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

static void var_hover(kfls_doc *d, const kfls_sym *sy, kf_buf *b)
{
	kf_buf_printf(b, "**variable** `%.*s`", (int)sy->name.len, sy->name.ptr);
	const kf_var_def *def = sy->def;
	bool sealos = sy->use && sy->use->sealos;
	int len = (int)sy->name.len;
	if (!def) {
		if (sealos && sy->use->builtin)
			kf_buf_adds(b, ": set by sealos run (rootfs images)\n");
		else if (sealos)
			kf_buf_printf(b, ": not in the image's Env: sealos run leaves `$(%.*s)` as written unless "
				      "`sealos run -e %.*s=…` sets it\n", len, sy->name.ptr, len, sy->name.ptr);
		else if (sy->use && sy->use->builtin)
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
		break;
	}
	if (sealos && def->is_arg)
		kf_buf_printf(b, "\nAn ARG is not in the image's Env, so sealos run does not substitute `$(%.*s)`: "
			      "use ENV.\n", len, sy->name.ptr);
	else if (sealos)
		kf_buf_printf(b, "\nsealos run writes the Env's value in place of `$(%.*s)` before the shell reads "
			      "the command.\n", len, sy->name.ptr);
}

json_t *kfls_hover(kfls *s, json_t *params, kfls_error *err)
{
	uint32_t off;
	kfls_doc *d = kfls_doc_position(s, params, &off, err);
	if (!d)
		return NULL;
	const kf_instr *in = kfls_instr_at(d, off);
	kf_buf b = KF_BUF_INIT;
	kf_span range = {0, 0};
	if (in && in->kind != KF_INSTR_ERROR && kfls_contains(kf_instr_keyword_span(in), off)) {
		kf_instr_doc_hover((kf_kind)in->kind, &b);
		range = kf_instr_keyword_span(in);
	}
	uint32_t nf;
	const kf_flag *fl = in ? kf_instr_flags(in, &nf) : NULL;
	for (uint32_t i = 0; !b.len && fl && i < nf; i++) {
		if (!kfls_contains(fl[i].span, off))
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
		kfls_sym sy = kfls_symbol_at(d, off);
		if (sy.kind == KFLS_SYM_APP) {
			const kf_app *app = kf_model_app(kfls_model(d), sy.name);
			if (app)
				app_hover(s, d, app, &b);
			else
				kf_buf_printf(&b, "**app** `%.*s`: not declared in this Kubefile (it may come from the base image)\n",
					      (int)sy.name.len, sy.name.ptr);
		} else if (sy.kind == KFLS_SYM_VAR) {
			var_hover(d, &sy, &b);
		}
		range = sy.span;
	}
	if (!b.len)
		return json_null();
	json_t *r = json_pack("{s:{s:s,s:o},s:o}", "contents", "kind", "markdown", "value",
			      kf_json_str(kf_str_make(b.ptr, b.len)), "range", kfls_range(s, &d->src, range));
	kf_buf_release(&b);
	return r;
}

