/* SPDX-License-Identifier: Apache-2.0 */
/* jsonutil.c - see jsonutil.h */
#include "syntax/jsonutil.h"

#include <stdlib.h>

json_t *kf_json_str(kf_str s)
{
	json_t *j = json_stringn(s.ptr ? s.ptr : "", s.len);
	if (j)
		return j;
	/* not valid UTF-8: replace each invalid byte */
	kf_buf b = KF_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s.ptr, *e = p + s.len;
	while (p < e) {
		uint32_t cp;
		int n = kf_utf8_seqlen(p, (size_t)(e - p), &cp);
		if (n == 0) {
			kf_buf_adds(&b, "\xEF\xBF\xBD");
			p++;
		} else {
			kf_buf_add(&b, p, (size_t)n);
			p += n;
		}
	}
	j = json_stringn(b.ptr ? b.ptr : "", b.len);
	kf_buf_release(&b);
	return j ? j : json_string("");
}

json_t *kf_json_span(const kf_source *src, kf_span span)
{
	kf_position a = kf_source_position(src, span.start);
	kf_position b = kf_source_position(src, span.end);
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}", "start", (json_int_t)span.start, "end",
			 (json_int_t)span.end, "startLine", (json_int_t)a.line + 1, "startColumn",
			 (json_int_t)a.col32 + 1, "endLine", (json_int_t)b.line + 1, "endColumn",
			 (json_int_t)b.col32 + 1);
}

void kf_json_dump(kf_buf *out, json_t *j, size_t flags)
{
	char *s = json_dumps(j, flags);
	if (s) {
		kf_buf_adds(out, s);
		free(s);
	}
	kf_buf_addc(out, '\n');
	json_decref(j);
}
