/* SPDX-License-Identifier: Apache-2.0 */
/* links.c - document links: each local:// source of an app, to its file
 * or folder in the build context. */
#include <string.h>

#include "lsp/methods.h"
#include "lsp/documents.h"
#include "lsp/protocol.h"
#include "query.h"

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

json_t *kfls_document_links(kfls *s, json_t *params, kfls_error *err)
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
							     kfls_range(s, &d->src, kfls_inner_span(d, src[k].word)), "target", t.ptr));
			kf_buf_release(&t);
		}
	}
	return arr;
}

