/* SPDX-License-Identifier: Apache-2.0 */
/* source.c - see source.h */
#include "syntax/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/arena.h"

#define KF_SOURCE_HUGE ((size_t)2 << 20)

static void build_lines(kf_source *src)
{
	/* counted first, so that the table is allocated once at its size */
	size_t n = 1;
	const char *p = src->text, *end = src->text + src->len;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		n++;
	}
	uint32_t *lines = kf_xmalloc(n * sizeof(*lines));
	size_t i = 0;
	lines[i++] = 0;
	p = src->text;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		lines[i++] = (uint32_t)(p - src->text);
	}
	src->lines = lines;
	src->nlines = n;
}

static void finish(kf_source *src, const char *path)
{
	src->path = kf_xstrdup(path ? path : "-");
	src->bom = (src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
	build_lines(src);
}

bool kf_source_init_mem(kf_source *src, const char *path, const char *text,
			size_t n, const char **err)
{
	memset(src, 0, sizeof(*src));
	if (n > KF_SOURCE_MAX) {
		*err = "file too large (limit is 4 GiB)";
		return false;
	}
	src->text = kf_xmalloc(n + 1);
	if (n)
		memcpy(src->text, text, n);
	src->text[n] = '\0';
	src->len = n;
	finish(src, path);
	return true;
}

bool kf_source_init_file(kf_source *src, const char *file,
			 const char *display_name, const char **err)
{
	memset(src, 0, sizeof(*src));
	bool is_stdin = strcmp(file, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(file, "rb");
	if (!f) {
		*err = strerror(errno);
		return false;
	}
	kf_buf b = KF_BUF_INIT;
	struct stat st;
	/* A regular file is read into a buffer of its size, not a doubling
	 * one; a large one aligned for transparent huge pages (see arena.c). */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < KF_SOURCE_MAX) {
		size_t cap = (size_t)st.st_size + 1;
		void *p = NULL;
		if (cap >= KF_SOURCE_HUGE && posix_memalign(&p, KF_SOURCE_HUGE, cap) == 0) {
#ifdef MADV_HUGEPAGE
			madvise(p, cap, MADV_HUGEPAGE);
#endif
			b.ptr = p;
			b.cap = cap;
			b.ptr[0] = '\0';
		} else {
			kf_buf_grow(&b, (size_t)st.st_size);
		}
	}
	for (;;) {
		if (b.cap - b.len <= 1) {
			/* full: grow only if there is more to read */
			int c = fgetc(f);
			if (c == EOF)
				break;
			kf_buf_grow(&b, 65536);
			b.ptr[b.len++] = (char)c;
			b.ptr[b.len] = '\0';
			continue;
		}
		size_t got = fread(b.ptr + b.len, 1, b.cap - b.len - 1, f);
		if (got == 0)
			break;
		b.len += got;
		b.ptr[b.len] = '\0';
		if (b.len > KF_SOURCE_MAX) {
			*err = "file too large (limit is 4 GiB)";
			goto fail;
		}
	}
	if (ferror(f)) {
		*err = errno ? strerror(errno) : "read error";
		goto fail;
	}
	if (!is_stdin)
		fclose(f);
	src->text = kf_buf_detach(&b, &src->len);
	finish(src, display_name ? display_name : file);
	return true;
fail:
	if (!is_stdin)
		fclose(f);
	kf_buf_release(&b);
	return false;
}

void kf_source_release(kf_source *src)
{
	free(src->path);
	free(src->text);
	free(src->lines);
	memset(src, 0, sizeof(*src));
}

uint32_t kf_source_line(const kf_source *src, uint32_t offset)
{
	size_t lo = 0, hi = src->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (src->lines[mid] <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

int kf_utf8_seqlen(const unsigned char *p, size_t n, uint32_t *cp)
{
	uint32_t c;
	int len;
	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xE0) == 0xC0) {
		c = p[0] & 0x1F;
		len = 2;
	} else if ((p[0] & 0xF0) == 0xE0) {
		c = p[0] & 0x0F;
		len = 3;
	} else if ((p[0] & 0xF8) == 0xF0) {
		c = p[0] & 0x07;
		len = 4;
	} else {
		return 0;
	}
	if ((size_t)len > n)
		return 0;
	for (int i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past U+10FFFF are invalid */
	if ((len == 2 && c < 0x80) || (len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0;
	*cp = c;
	return len;
}

static uint32_t line_start(const kf_source *src, uint32_t line)
{
	uint32_t s = src->lines[line];
	return line == 0 ? src->bom : s;
}

/* End of a line's text: before its "\n" or "\r\n". */
static uint32_t line_end(const kf_source *src, uint32_t line)
{
	uint32_t e = line + 1 < src->nlines ? src->lines[line + 1] - 1 : (uint32_t)src->len;
	if (line + 1 < src->nlines && e > line_start(src, line) && src->text[e - 1] == '\r')
		e--;
	return e;
}

kf_position kf_source_position(const kf_source *src, uint32_t offset)
{
	kf_position pos = {0, 0, 0, 0};
	if (offset > src->len)
		offset = (uint32_t)src->len;
	pos.line = kf_source_line(src, offset);
	uint32_t s = line_start(src, pos.line);
	if (offset < s)
		offset = s;
	const unsigned char *p = (const unsigned char *)src->text + s;
	const unsigned char *e = (const unsigned char *)src->text + offset;
	pos.col8 = offset - s;
	while (p < e) {
		if (*p < 0x80) { /* ASCII: one unit in every encoding, no decoding */
			pos.col16++;
			pos.col32++;
			p++;
			continue;
		}
		uint32_t cp;
		int n = kf_utf8_seqlen(p, (size_t)(e - p), &cp);
		if (n == 0) {
			/* an invalid byte, or a sequence cut by the offset */
			n = 1;
			cp = 0;
		}
		pos.col16 += cp >= 0x10000 ? 2 : 1;
		pos.col32++;
		p += n;
	}
	return pos;
}

kf_str kf_source_line_text(const kf_source *src, uint32_t line)
{
	if (line >= src->nlines)
		return kf_str_make(src->text + src->len, 0);
	uint32_t s = line_start(src, line), e = line_end(src, line);
	return kf_str_make(src->text + s, e - s);
}

uint32_t kf_source_offset_utf16(const kf_source *src, uint32_t line, uint32_t col16)
{
	if (line >= src->nlines)
		return (uint32_t)src->len;
	uint32_t s = line_start(src, line), e = line_end(src, line);
	const unsigned char *p = (const unsigned char *)src->text + s;
	const unsigned char *end = (const unsigned char *)src->text + e;
	uint32_t units = 0;
	while (p < end && units < col16) {
		uint32_t cp;
		int n = kf_utf8_seqlen(p, (size_t)(end - p), &cp);
		if (n == 0) {
			n = 1;
			cp = 0;
		}
		units += cp >= 0x10000 ? 2 : 1;
		p += n;
	}
	return (uint32_t)((const char *)p - src->text);
}

uint32_t kf_source_offset_utf8(const kf_source *src, uint32_t line, uint32_t col8)
{
	if (line >= src->nlines)
		return (uint32_t)src->len;
	uint32_t s = line_start(src, line), e = line_end(src, line);
	return col8 > e - s ? e : s + col8;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

kf_pline kf_source_pline(const kf_source *src, uint32_t pos)
{
	kf_pline l;
	const char *nl = memchr(src->text + pos, '\n', src->len - pos);
	l.start = pos;
	l.next = nl ? (uint32_t)(nl - src->text) + 1 : (uint32_t)src->len;
	l.end = nl ? (uint32_t)(nl - src->text) : (uint32_t)src->len;
	while (l.end > pos && src->text[l.end - 1] == '\r')
		l.end--;
	l.first = pos;
	while (l.first < l.end && is_blank(src->text[l.first]))
		l.first++;
	return l;
}

uint32_t kf_continuation_at(const char *text, uint32_t start, uint32_t end, char esc)
{
	uint32_t t = end;
	while (t > start && (text[t - 1] == ' ' || text[t - 1] == '\t'))
		t--;
	if (t > start && text[t - 1] == esc && (t - 1 == start || text[t - 2] != esc))
		return t - 1;
	return UINT32_MAX;
}
