/* SPDX-License-Identifier: Apache-2.0 */
/* protocol.c - LSP's values: positions, ranges, locations, text edits, and
 * the JSON text writers (protocol.h). */
#include <string.h>

#include "syntax/jsonutil.h"
#include "rpc.h"
#include "protocol.h"

json_t *kfls_pos(kfls *s, const kf_source *src, uint32_t off)
{
	if (off > src->len)
		off = (uint32_t)src->len;
	kf_position p = kf_source_position(src, off);
	return json_pack("{s:I,s:I}", "line", (json_int_t)p.line, "character",
			 (json_int_t)(s->utf8 ? p.col8 : p.col16));
}

json_t *kfls_range(kfls *s, const kf_source *src, kf_span span)
{
	return json_pack("{s:o,s:o}", "start", kfls_pos(s, src, span.start), "end", kfls_pos(s, src, span.end));
}

bool kfls_offset(kfls *s, const kf_source *src, json_t *pos, uint32_t *off)
{
	json_t *l = json_object_get(pos, "line"), *c = json_object_get(pos, "character");
	if (!json_is_integer(l) || !json_is_integer(c) || json_integer_value(l) < 0 || json_integer_value(c) < 0)
		return false;
	json_int_t line = json_integer_value(l), col = json_integer_value(c);
	if ((size_t)line >= src->nlines) {
		*off = (uint32_t)src->len; /* past the end: the end */
		return true;
	}
	if (col > UINT32_MAX)
		col = UINT32_MAX;
	*off = s->utf8 ? kf_source_offset_utf8(src, (uint32_t)line, (uint32_t)col)
		       : kf_source_offset_utf16(src, (uint32_t)line, (uint32_t)col);
	return true;
}

void kfls_json_uint(kf_buf *b, uint64_t v)
{
	char t[24];
	int i = sizeof(t);
	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kf_buf_add(b, t + i, sizeof(t) - (size_t)i);
}

/* the bytes a JSON string holds as they are: printable ASCII but the quote
 * and the backslash */
static inline bool json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

void kfls_json_string(kf_buf *b, const char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)p;
	size_t i = 0;
	while (i < n && json_plain(u[i]))
		i++;
	kf_buf_grow(b, n + 2);
	b->ptr[b->len++] = '"';
	memcpy(b->ptr + b->len, p, i);
	b->len += i;
	size_t run = i;
	while (i < n) {
		unsigned char c = u[i];
		if (json_plain(c)) {
			i++;
			continue;
		}
		kf_buf_add(b, p + run, i - run);
		if (c >= 0x80) {
			uint32_t cp;
			int l = kf_utf8_seqlen(u + i, n - i, &cp);
			if (l > 0) {
				kf_buf_add(b, p + i, (size_t)l);
				i += (size_t)l;
			} else {
				kf_buf_adds(b, "\\ufffd");
				i++;
			}
		} else {
			char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
			if (c == '"' || c == '\\') {
				e[1] = (char)c;
				e[2] = 0;
			}
			kf_buf_adds(b, e);
			i++;
		}
		run = i;
	}
	kf_buf_add(b, p + run, n - run);
	kf_buf_addc(b, '"');
}

static void json_pos_text(kfls *s, kf_buf *b, const kf_source *src, uint32_t off)
{
	kf_position p = kf_source_position(src, off > src->len ? (uint32_t)src->len : off);
	kf_buf_adds(b, "{\"line\":");
	kfls_json_uint(b, p.line);
	kf_buf_adds(b, ",\"character\":");
	kfls_json_uint(b, s->utf8 ? p.col8 : p.col16);
	kf_buf_addc(b, '}');
}

void kfls_json_range(kfls *s, kf_buf *b, const kf_source *src, kf_span span)
{
	kf_buf_adds(b, "{\"start\":");
	json_pos_text(s, b, src, span.start);
	kf_buf_adds(b, ",\"end\":");
	json_pos_text(s, b, src, span.end);
	kf_buf_addc(b, '}');
}

json_t *kfls_location(kfls *s, const char *uri, const kf_source *src, kf_span span)
{
	return json_pack("{s:s,s:o}", "uri", uri, "range", kfls_range(s, src, span));
}

json_t *kfls_text_edit(kfls *s, const kf_source *src, kf_span span, const char *text, size_t len)
{
	return json_pack("{s:o,s:o}", "range", kfls_range(s, src, span), "newText", kf_json_str(kf_str_make(text, len)));
}

bool kfls_position_param(kfls *s, const kf_source *src, json_t *params, uint32_t *off, kfls_error *err)
{
	if (kfls_offset(s, src, json_object_get(params, "position"), off))
		return true;
	err->code = KF_RPC_INVALID_PARAMS;
	err->message = "missing or bad position";
	return false;
}

bool kfls_range_param(kfls *s, const kf_source *src, json_t *params, kf_span *sp, kfls_error *err)
{
	json_t *range = json_object_get(params, "range");
	if (range && kfls_offset(s, src, json_object_get(range, "start"), &sp->start) &&
	    kfls_offset(s, src, json_object_get(range, "end"), &sp->end) && sp->start <= sp->end)
		return true;
	err->code = KF_RPC_INVALID_PARAMS;
	err->message = "missing or bad range";
	return false;
}
