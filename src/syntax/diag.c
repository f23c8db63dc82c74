/* SPDX-License-Identifier: Apache-2.0 */
/* diag.c - see diag.h */
#include "syntax/diag.h"

#include "syntax/jsonutil.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void kf_diag_bag_init(kf_diag_bag *bag, kf_arena *arena)
{
	memset(bag, 0, sizeof(*bag));
	bag->arena = arena;
}

void kf_diag_bag_release(kf_diag_bag *bag)
{
	free(bag->items);
	bag->items = NULL;
	bag->len = bag->cap = bag->nerrors = 0;
}

kf_diag *kf_diag_addv(kf_diag_bag *bag, kf_severity sev, kf_span span, const char *code, const char *fmt,
		      va_list ap)
{
	if (bag->len == bag->cap) {
		bag->cap = bag->cap ? bag->cap * 2 : 16;
		bag->items = kf_xrealloc(bag->items, bag->cap * sizeof(*bag->items));
	}
	/* One formatting pass: most messages fit the stack buffer, and a
	 * message already made ("%s") is only copied.  The language server
	 * adds hundreds of diagnostics per keystroke. */
	char *msg;
	if (strcmp(fmt, "%s") == 0) {
		const char *text = va_arg(ap, const char *);
		msg = kf_arena_strndup(bag->arena, text, strlen(text));
	} else {
		char small[512];
		va_list ap2;
		va_copy(ap2, ap);
		int n = vsnprintf(small, sizeof(small), fmt, ap);
		if (n < 0)
			n = 0;
		if ((size_t)n < sizeof(small)) {
			msg = kf_arena_strndup(bag->arena, small, (size_t)n);
		} else {
			msg = kf_arena_alloc(bag->arena, (size_t)n + 1);
			vsnprintf(msg, (size_t)n + 1, fmt, ap2);
		}
		va_end(ap2);
	}
	kf_diag *d = &bag->items[bag->len++];
	d->severity = sev;
	d->span = span;
	d->code = code;
	d->message = msg;
	d->fix = NULL;
	if (sev == KF_SEV_ERROR)
		bag->nerrors++;
	return d;
}

kf_diag *kf_diag_add(kf_diag_bag *bag, kf_severity sev, kf_span span,
		     const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_diag *d = kf_diag_addv(bag, sev, span, code, fmt, ap);
	va_end(ap);
	return d;
}

void kf_diag_set_fix(kf_diag_bag *bag, kf_diag *d, kf_span span,
		     const char *replacement, const char *title)
{
	kf_fix *f = KF_ARENA_NEW(bag->arena, kf_fix);
	f->span = span;
	f->replacement = kf_arena_strndup(bag->arena, replacement, strlen(replacement));
	f->title = kf_arena_strndup(bag->arena, title, strlen(title));
	d->fix = f;
}

/* A merge sort, because qsort is not stable. Diagnostics arrive mostly in
 * order, so runs that are already sorted are merged in one pass. */
void kf_diag_bag_sort(kf_diag_bag *bag)
{
	size_t n = bag->len;
	if (n < 2)
		return;
	kf_diag *a = bag->items, *tmp = kf_xmalloc(n * sizeof(*tmp));
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			if (mid == hi || a[mid - 1].span.start <= a[mid].span.start) {
				memcpy(tmp + lo, a + lo, (hi - lo) * sizeof(*a));
				continue;
			}
			while (i < mid && j < hi)
				tmp[k++] = a[j].span.start < a[i].span.start ? a[j++] : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		kf_diag *t = a;
		a = tmp;
		tmp = t;
	}
	if (a != bag->items) {
		memcpy(bag->items, a, n * sizeof(*a));
		tmp = a;
	}
	free(tmp);
}

const char *kf_severity_name(kf_severity sev)
{
	switch (sev) {
	case KF_SEV_ERROR: return "error";
	case KF_SEV_WARNING: return "warning";
	case KF_SEV_INFO: return "info";
	case KF_SEV_STYLE: return "style";
	}
	return "error";
}

static const char *sev_color(kf_severity sev)
{
	switch (sev) {
	case KF_SEV_ERROR: return "\033[1;31m";
	case KF_SEV_WARNING: return "\033[1;35m";
	case KF_SEV_INFO: return "\033[1;36m";
	case KF_SEV_STYLE: return "\033[1;34m";
	}
	return "";
}

void kf_diag_render_text(kf_buf *out, const kf_source *src, const kf_diag *d,
			 unsigned flags)
{
	bool color = flags & KF_RENDER_COLOR;
	kf_position pos = kf_source_position(src, d->span.start);
	if (color)
		kf_buf_adds(out, "\033[1m");
	kf_buf_printf(out, "%s:%u:%u:", src->path, pos.line + 1, pos.col32 + 1);
	if (color)
		kf_buf_printf(out, "\033[0m %s%s:\033[0m", sev_color(d->severity),
			      kf_severity_name(d->severity));
	else
		kf_buf_printf(out, " %s:", kf_severity_name(d->severity));
	if (d->code)
		kf_buf_printf(out, " %s [%s]\n", d->message, d->code);
	else
		kf_buf_printf(out, " %s\n", d->message);
	if (!(flags & KF_RENDER_SOURCE))
		return;
	kf_str line = kf_source_line_text(src, pos.line);
	/* Replace tabs by single spaces so that the caret lines up in any
	 * terminal; control bytes would do the same harm. */
	kf_buf_adds(out, "  ");
	for (size_t i = 0; i < line.len; i++) {
		unsigned char c = (unsigned char)line.ptr[i];
		kf_buf_addc(out, c == '\t' || c < 0x20 || c == 0x7f ? ' ' : (char)c);
	}
	kf_buf_adds(out, "\n  ");
	for (uint32_t i = 0; i < pos.col32; i++)
		kf_buf_addc(out, ' ');
	if (color)
		kf_buf_adds(out, sev_color(d->severity));
	kf_buf_addc(out, '^');
	/* underline to the end of the span or of the line, whichever is first */
	uint32_t line_end_off = (uint32_t)(line.ptr + line.len - src->text);
	uint32_t end = d->span.end < line_end_off ? d->span.end : line_end_off;
	if (end > d->span.start + 1) {
		kf_position epos = kf_source_position(src, end);
		for (uint32_t i = pos.col32 + 1; i < epos.col32; i++)
			kf_buf_addc(out, '~');
	}
	if (color)
		kf_buf_adds(out, "\033[0m");
	kf_buf_addc(out, '\n');
}

void *kf_diag_to_json(const kf_source *src, const kf_diag *d)
{
	kf_position s = kf_source_position(src, d->span.start);
	kf_position e = kf_source_position(src, d->span.end);
	json_t *o = json_object();
	json_object_set_new(o, "file", kf_json_str(kf_str_cstr(src->path)));
	json_object_set_new(o, "line", json_integer(s.line + 1));
	json_object_set_new(o, "column", json_integer(s.col32 + 1));
	json_object_set_new(o, "endLine", json_integer(e.line + 1));
	json_object_set_new(o, "endColumn", json_integer(e.col32 + 1));
	json_object_set_new(o, "level", json_string(kf_severity_name(d->severity)));
	json_object_set_new(o, "code", d->code ? json_string(d->code) : json_null());
	json_object_set_new(o, "message", kf_json_str(kf_str_cstr(d->message)));
	if (d->fix) {
		kf_position fs = kf_source_position(src, d->fix->span.start);
		kf_position fe = kf_source_position(src, d->fix->span.end);
		json_t *f = json_object();
		json_object_set_new(f, "title", kf_json_str(kf_str_cstr(d->fix->title)));
		json_object_set_new(f, "line", json_integer(fs.line + 1));
		json_object_set_new(f, "column", json_integer(fs.col32 + 1));
		json_object_set_new(f, "endLine", json_integer(fe.line + 1));
		json_object_set_new(f, "endColumn", json_integer(fe.col32 + 1));
		json_object_set_new(f, "replacement", kf_json_str(kf_str_cstr(d->fix->replacement)));
		json_object_set_new(o, "fix", f);
	}
	return o;
}
