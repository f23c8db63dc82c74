/* SPDX-License-Identifier: Apache-2.0 */
/* formatting.c - formatting a document, a range, and the line the escape
 * character ends as it is typed: the library's formatter (kf_format) with
 * the document's options (kfls_fmt_options). */
#include <string.h>

#include "syntax/format.h"
#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"

static json_t *edits_json(kfls *s, kfls_doc *d, const kf_edits *e)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < e->n; i++)
		json_array_append_new(arr, kfls_text_edit(s, &d->src, e->v[i].span, e->v[i].text, e->v[i].len));
	return arr;
}

json_t *kfls_formatting(kfls *s, json_t *params, kfls_error *err)
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

/* the edits that format span */
static json_t *format_span(kfls *s, kfls_doc *d, json_t *params, kf_span span)
{
	kf_fmt_options opt;
	kfls_fmt_options(s, d, json_object_get(params, "options"), &opt);
	kf_edits e = {NULL, 0, 0};
	kf_format_range(d->ast, &opt, span, &e);
	json_t *arr = edits_json(s, d, &e);
	kf_edits_release(&e);
	return arr;
}

json_t *kfls_range_formatting(kfls *s, json_t *params, kfls_error *err)
{
	kf_span sp;
	kfls_doc *d = kfls_doc_range(s, params, &sp, err);
	return d ? format_span(s, d, params, sp) : NULL;
}

/* typing the escape character formats the line it ends */
json_t *kfls_on_type_formatting(kfls *s, json_t *params, kfls_error *err)
{
	uint32_t off;
	kfls_doc *d = kfls_doc_position(s, params, &off, err);
	if (!d)
		return NULL;
	const char *ch = json_string_value(json_object_get(params, "ch"));
	if (!ch || ch[0] != d->ast->escape || ch[1])
		return json_array();
	kf_pline l = kf_source_pline(&d->src, off > 0 ? off - 1 : 0);
	return format_span(s, d, params, (kf_span){l.start, l.end});
}
