/* SPDX-License-Identifier: Apache-2.0 */
/* diagnostics.c - the diagnostics kflint finds, pushed and pulled
 * (diagnostics.h, methods.h). */
#include <string.h>

#include "syntax/jsonutil.h"
#include "lsp/methods.h"
#include "lsp/protocol.h"
#include "diagnostics.h"

json_t *kfls_diag_json(kfls *s, kfls_doc *d, const kf_diag *g)
{
	static const int sev[] = {1, 2, 3, 4};
	json_t *j = json_pack("{s:o,s:i,s:s,s:s,s:o}", "range", kfls_range(s, &d->src, g->span), "severity",
			      sev[g->severity & 3], "code", g->code, "source", "kflint", "message",
			      kf_json_str(kf_str_cstr(g->message)));
	return j;
}

/* the diagnostics array as JSON text */
static void diagnostics_text(kfls *s, kfls_doc *d, kf_buf *b)
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

void kfls_publish(kfls *s, kfls_doc *d)
{
	if (!s->push_diagnostics)
		return;
	/* one buffer for every publication: no regrowing (and no page
	 * faults) per keystroke; a very large one is not kept */
	kf_buf *b = &s->pub;
	kf_buf_reset(b);
	kf_buf_adds(b, "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/publishDiagnostics\",\"params\":{\"uri\":");
	kfls_json_string(b, d->uri, strlen(d->uri));
	kf_buf_printf(b, ",\"version\":%lld,\"diagnostics\":", (long long)d->version);
	diagnostics_text(s, d, b);
	kf_buf_adds(b, "}}");
	kf_rpc_send_text(&s->rpc, b->ptr, b->len);
	if (b->cap > (4u << 20))
		kf_buf_release(b);
}

void kfls_publish_empty(kfls *s, kfls_doc *d)
{
	if (s->push_diagnostics)
		kf_rpc_send(&s->rpc, json_pack("{s:s,s:s,s:{s:s,s:[]}}", "jsonrpc", "2.0", "method",
					       "textDocument/publishDiagnostics", "params", "uri", d->uri,
					       "diagnostics"));
}

json_t *kfls_pull_diagnostics(kfls *s, json_t *params, kfls_error *err)
{
	kfls_doc *d = kfls_doc_param(s, params, err);
	if (!d)
		return NULL;
	kf_buf_adds(&s->raw, "{\"kind\":\"full\",\"items\":");
	diagnostics_text(s, d, &s->raw);
	kf_buf_addc(&s->raw, '}');
	s->raw_result = true;
	return NULL;
}
