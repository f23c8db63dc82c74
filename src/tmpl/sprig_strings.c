/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_strings.c - sprig's string functions: Go's strings package as
 * sprig calls it, goutils' and xstrings' helpers, base64 and base32, and
 * the path package. Byte-for-byte as Go: lengths and offsets are in
 * bytes, and an invalid UTF-8 byte is U+FFFD where Go's rune loops make
 * it so.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "tmpl/sprig_impl.h"

#define NEG_REPEAT "strings: negative Repeat count"

static kf_tv str_tv(kf_tmpl_call *c, const char *p, size_t n)
{
	return kf_tv_str(kf_tmpl_call_arena(c), p, n);
}

/* strings.Map with a case mapping */
static kf_tv map_case(kf_tmpl_call *c, kf_str s, uint32_t (*fn)(uint32_t))
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_grow(&b, s.len);
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		kf_buf_add_rune(&b, fn(r));
	}
	kf_tv v = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return v;
}

static bool one_str(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_str *s)
{
	return kf_sprig_arg_str(c, args, i, s);
}

KF_SPRIG_FN(upper)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	*out = map_case(c, s, kf_sprig_to_upper);
	return true;
}

KF_SPRIG_FN(lower)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	*out = map_case(c, s, kf_sprig_to_lower);
	return true;
}

/* strings.Title's word boundary */
static bool title_sep(uint32_t r)
{
	if (r < 0x80)
		return !((r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || r == '_');
	return kf_sprig_is_space(r);
}

KF_SPRIG_FN(title)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	uint32_t prev = ' ';
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		kf_buf_add_rune(&b, title_sep(prev) ? kf_sprig_to_upper(r) : r);
		prev = r;
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* goutils.Uncapitalize: the first letter of each space-separated word */
KF_SPRIG_FN(untitle)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	bool next = true;
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		if (kf_sprig_is_space(r)) {
			next = true;
		} else if (next) {
			r = kf_sprig_to_lower(r);
			next = false;
		}
		kf_buf_add_rune(&b, r);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

static bool is_upper(uint32_t r)
{
	return kf_sprig_to_lower(r) != r;
}

static bool is_lower(uint32_t r)
{
	return kf_sprig_to_upper(r) != r;
}

/* goutils.SwapCase */
KF_SPRIG_FN(swapcase)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	bool ws = true;
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		if (is_upper(r)) {
			r = kf_sprig_to_lower(r);
			ws = false;
		} else if (is_lower(r)) {
			r = kf_sprig_to_upper(r);
			ws = false;
		} else {
			ws = kf_sprig_is_space(r);
		}
		kf_buf_add_rune(&b, r);
	}
	(void)ws;
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* strings.TrimSpace */
KF_SPRIG_FN(trim)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	size_t b = 0, e = s.len;
	while (b < e) {
		uint32_t r;
		size_t w = kf_sprig_rune(s.ptr + b, e - b, &r);
		if (!kf_sprig_is_space(r) || (w == 1 && r == 0xFFFD))
			break;
		b += w;
	}
	while (e > b) {
		/* the last rune: back to its first byte */
		size_t st = e - 1;
		while (st > b && e - st < 4 && ((unsigned char)s.ptr[st] & 0xC0) == 0x80)
			st--;
		uint32_t r;
		size_t w = kf_sprig_rune(s.ptr + st, e - st, &r);
		if (st + w != e) {
			st = e - 1;
			r = 0xFFFD;
			w = 1;
		}
		if (!kf_sprig_is_space(r) || (w == 1 && r == 0xFFFD))
			break;
		e = st;
	}
	*out = str_tv(c, s.ptr + b, e - b);
	return true;
}

static bool in_cutset(kf_str cut, uint32_t r)
{
	for (size_t i = 0; i < cut.len;) {
		uint32_t q;
		i += kf_sprig_rune(cut.ptr + i, cut.len - i, &q);
		if (q == r)
			return true;
	}
	return false;
}

/* trimAll CUTSET S: strings.Trim(S, CUTSET) */
KF_SPRIG_FN(trim_all)
{
	kf_str cut, s;
	if (!one_str(c, args, 0, &cut) || !one_str(c, args, 1, &s))
		return false;
	size_t b = 0, e = s.len;
	while (b < e) {
		uint32_t r;
		size_t w = kf_sprig_rune(s.ptr + b, e - b, &r);
		if (!in_cutset(cut, r))
			break;
		b += w;
	}
	while (e > b) {
		size_t st = e - 1;
		while (st > b && e - st < 4 && ((unsigned char)s.ptr[st] & 0xC0) == 0x80)
			st--;
		uint32_t r;
		size_t w = kf_sprig_rune(s.ptr + st, e - st, &r);
		if (st + w != e) {
			st = e - 1;
			r = 0xFFFD;
		}
		if (!in_cutset(cut, r))
			break;
		e = st;
	}
	*out = str_tv(c, s.ptr + b, e - b);
	return true;
}

KF_SPRIG_FN(trim_prefix)
{
	kf_str p, s;
	if (!one_str(c, args, 0, &p) || !one_str(c, args, 1, &s))
		return false;
	if (s.len >= p.len && !memcmp(s.ptr, p.ptr, p.len))
		*out = str_tv(c, s.ptr + p.len, s.len - p.len);
	else
		*out = args[1];
	return true;
}

KF_SPRIG_FN(trim_suffix)
{
	kf_str p, s;
	if (!one_str(c, args, 0, &p) || !one_str(c, args, 1, &s))
		return false;
	if (s.len >= p.len && !memcmp(s.ptr + s.len - p.len, p.ptr, p.len))
		*out = str_tv(c, s.ptr, s.len - p.len);
	else
		*out = args[1];
	return true;
}

static bool has_sub(kf_str s, kf_str sub)
{
	if (sub.len == 0)
		return true;
	return sub.len <= s.len && memmem(s.ptr, s.len, sub.ptr, sub.len) != NULL;
}

KF_SPRIG_FN(contains)
{
	kf_str sub, s;
	if (!one_str(c, args, 0, &sub) || !one_str(c, args, 1, &s))
		return false;
	*out = kf_tv_bool(has_sub(s, sub));
	return true;
}

KF_SPRIG_FN(has_prefix)
{
	kf_str p, s;
	if (!one_str(c, args, 0, &p) || !one_str(c, args, 1, &s))
		return false;
	*out = kf_tv_bool(s.len >= p.len && !memcmp(s.ptr, p.ptr, p.len));
	return true;
}

KF_SPRIG_FN(has_suffix)
{
	kf_str p, s;
	if (!one_str(c, args, 0, &p) || !one_str(c, args, 1, &s))
		return false;
	*out = kf_tv_bool(s.len >= p.len && !memcmp(s.ptr + s.len - p.len, p.ptr, p.len));
	return true;
}

/* trunc N S: the first N bytes, or the last -N */
KF_SPRIG_FN(trunc)
{
	int64_t n;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &n) || !one_str(c, args, 1, &s))
		return false;
	int64_t len = (int64_t)s.len;
	if (n < 0 && len + n > 0)
		*out = str_tv(c, s.ptr + len + n, (size_t)-n);
	else if (n >= 0 && len > n)
		*out = str_tv(c, s.ptr, (size_t)n);
	else
		*out = args[1];
	return true;
}

/* goutils.AbbreviateFull */
static kf_tv abbreviate(kf_tmpl_call *c, kf_str s, int64_t offset, int64_t width)
{
	int64_t len = (int64_t)s.len;
	if (len == 0 || width < 4)
		return str_tv(c, "", 0);
	if (len <= width)
		return str_tv(c, s.ptr, s.len);
	if (offset > len)
		offset = len;
	if (len - offset < width - 3)
		offset = len - (width - 3);
	kf_buf b = KF_BUF_INIT;
	if (offset <= 4) {
		kf_buf_add(&b, s.ptr, (size_t)(width - 3));
		kf_buf_adds(&b, "...");
	} else if (width < 7) {
		return str_tv(c, "", 0);
	} else if (offset + width - 3 < len) {
		kf_tv rest = abbreviate(c, kf_str_make(s.ptr + offset, (size_t)(len - offset)), 0, width - 3);
		kf_buf_adds(&b, "...");
		kf_buf_add(&b, rest.u.s.p, rest.u.s.len);
	} else {
		kf_buf_adds(&b, "...");
		kf_buf_add(&b, s.ptr + len - (width - 3), (size_t)(width - 3));
	}
	kf_tv v = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return v;
}

KF_SPRIG_FN(abbrev)
{
	int64_t w;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &w) || !one_str(c, args, 1, &s))
		return false;
	*out = w < 4 ? args[1] : abbreviate(c, s, 0, w);
	return true;
}

KF_SPRIG_FN(abbrevboth)
{
	int64_t l, r;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &l) || !kf_sprig_arg_int(c, args, 1, &r) || !one_str(c, args, 2, &s))
		return false;
	*out = r < 4 || (l > 0 && r < 7) ? args[2] : abbreviate(c, s, l, r);
	return true;
}

/* substr START END S: Go's slice expressions, and their panics */
KF_SPRIG_FN(substr)
{
	int64_t st, en;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &st) || !kf_sprig_arg_int(c, args, 1, &en) || !one_str(c, args, 2, &s))
		return false;
	int64_t len = (int64_t)s.len;
	if (st < 0) {
		if (en < 0 || en > len)
			return kf_tmpl_call_fail(c, "runtime error: slice bounds out of range [:%lld] with length %lld",
						 (long long)en, (long long)len);
		*out = str_tv(c, s.ptr, (size_t)en);
		return true;
	}
	if (en < 0 || en > len) {
		if (st > len)
			return kf_tmpl_call_fail(c, "runtime error: slice bounds out of range [%lld:%lld]", (long long)st,
						 (long long)len);
		*out = str_tv(c, s.ptr + st, (size_t)(len - st));
		return true;
	}
	if (st > en)
		return kf_tmpl_call_fail(c, "runtime error: slice bounds out of range [%lld:%lld]", (long long)st,
					 (long long)en);
	*out = str_tv(c, s.ptr + st, (size_t)(en - st));
	return true;
}

/* strings.Repeat, charged before it is made */
static bool repeat_into(kf_tmpl_call *c, kf_buf *b, const char *p, size_t n, int64_t count)
{
	if (count < 0)
		return kf_tmpl_call_fail(c, NEG_REPEAT);
	if (n && (uint64_t)count > SIZE_MAX / 2 / n)
		return kf_tmpl_call_fail(c, "strings: Repeat count causes overflow");
	if (!kf_tmpl_call_charge(c, n * (size_t)count))
		return false;
	kf_buf_grow(b, n * (size_t)count);
	for (int64_t i = 0; i < count; i++)
		kf_buf_add(b, p, n);
	return true;
}

KF_SPRIG_FN(repeat)
{
	int64_t n;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &n) || !one_str(c, args, 1, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	bool ok = repeat_into(c, &b, s.ptr, s.len, n);
	if (ok)
		*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return ok;
}

static bool do_indent(kf_tmpl_call *c, const kf_tv *args, kf_tv *out, bool nl)
{
	int64_t n;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &n) || !one_str(c, args, 1, &s))
		return false;
	if (n < 0)
		return kf_tmpl_call_fail(c, NEG_REPEAT);
	size_t lines = 1;
	for (size_t i = 0; i < s.len; i++)
		lines += s.ptr[i] == '\n';
	if ((uint64_t)n > SIZE_MAX / 4 / lines)
		return kf_tmpl_call_fail(c, "strings: Repeat count causes overflow");
	if (!kf_tmpl_call_charge(c, s.len + lines * (size_t)n + 1))
		return false;
	kf_buf b = KF_BUF_INIT;
	kf_buf_grow(&b, s.len + lines * (size_t)n + 1);
	if (nl)
		kf_buf_addc(&b, '\n');
	size_t st = 0;
	for (size_t i = 0; i <= s.len; i++) {
		if (i < s.len && s.ptr[i] != '\n')
			continue;
		for (int64_t k = 0; k < n; k++)
			kf_buf_addc(&b, ' ');
		kf_buf_add(&b, s.ptr + st, i - st + (i < s.len));
		st = i + 1;
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(indent)
{
	(void)nargs;
	return do_indent(c, args, out, false);
}

KF_SPRIG_FN(nindent)
{
	(void)nargs;
	return do_indent(c, args, out, true);
}

/* goutils.DeleteWhiteSpace: byte by byte, as goutils does (a byte of a
 * multi-byte rune is written back as the rune of that value) */
KF_SPRIG_FN(nospace)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	size_t spaces = 0;
	for (size_t i = 0; i < s.len; i++)
		spaces += kf_sprig_is_space((unsigned char)s.ptr[i]);
	if (!spaces) {
		*out = args[0];
		return true;
	}
	kf_buf b = KF_BUF_INIT;
	for (size_t i = 0; i < s.len; i++)
		if (!kf_sprig_is_space((unsigned char)s.ptr[i]))
			kf_buf_add_rune(&b, (unsigned char)s.ptr[i]);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* goutils.Initials: byte by byte too */
KF_SPRIG_FN(initials)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	bool gap = true;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if (kf_sprig_is_space(ch)) {
			gap = true;
		} else if (gap) {
			kf_buf_add_rune(&b, ch);
			gap = false;
		}
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* shuffle: a fixed "random" order, the string as it is (sprig.h) */
KF_SPRIG_FN(shuffle)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	*out = args[0];
	return true;
}

/* goutils.WrapCustom */
static kf_tv wrap_custom(kf_tmpl_call *c, kf_str s, int64_t width, kf_str nl, bool long_words)
{
	if (s.len == 0)
		return str_tv(c, "", 0);
	if (nl.len == 0)
		nl = KF_STR_LIT("\n");
	if (width < 1)
		width = 1;
	size_t w = (uint64_t)width > s.len ? s.len + 1 : (size_t)width;
	size_t off = 0;
	kf_buf b = KF_BUF_INIT;
	while (s.len - off > w) {
		if (s.ptr[off] == ' ') {
			off++;
			continue;
		}
		size_t end = w + off + 1, at = SIZE_MAX;
		for (size_t i = end; i > off; i--)
			if (s.ptr[i - 1] == ' ') {
				at = i - 1;
				break;
			}
		if (at != SIZE_MAX) {
			kf_buf_add(&b, s.ptr + off, at - off);
			kf_buf_addstr(&b, nl);
			off = at + 1;
		} else if (long_words) {
			kf_buf_add(&b, s.ptr + off, w);
			kf_buf_addstr(&b, nl);
			off += w;
		} else {
			size_t e = w + off;
			const char *sp = memchr(s.ptr + e, ' ', s.len - e);
			if (!sp) {
				kf_buf_add(&b, s.ptr + off, s.len - off);
				off = s.len;
			} else {
				at = (size_t)(sp - s.ptr);
				kf_buf_add(&b, s.ptr + off, at - off);
				kf_buf_addstr(&b, nl);
				off = at + 1;
			}
		}
	}
	kf_buf_add(&b, s.ptr + off, s.len - off);
	kf_tv v = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return v;
}

KF_SPRIG_FN(wrap)
{
	int64_t w;
	kf_str s;
	if (!kf_sprig_arg_int(c, args, 0, &w) || !one_str(c, args, 1, &s))
		return false;
	*out = wrap_custom(c, s, w, KF_STR_NULL, false);
	return true;
}

KF_SPRIG_FN(wrap_with)
{
	int64_t w;
	kf_str sep, s;
	if (!kf_sprig_arg_int(c, args, 0, &w) || !one_str(c, args, 1, &sep) || !one_str(c, args, 2, &s))
		return false;
	*out = wrap_custom(c, s, w, sep, true);
	return true;
}

/* quote: each non-nil argument as Go's %q of its strval, space-separated */
KF_SPRIG_FN(quote)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_buf b = KF_BUF_INIT;
	bool first = true;
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].kind == KF_TV_NIL)
			continue;
		if (!first)
			kf_buf_addc(&b, ' ');
		first = false;
		kf_str s = kf_sprig_strval(a, args[i]);
		kf_sprig_go_quote(&b, s.ptr, s.len);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(squote)
{
	kf_buf b = KF_BUF_INIT;
	bool first = true;
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].kind == KF_TV_NIL)
			continue;
		if (!first)
			kf_buf_addc(&b, ' ');
		first = false;
		kf_buf_addc(&b, '\'');
		kf_tv_print(&b, args[i]);
		kf_buf_addc(&b, '\'');
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(cat)
{
	kf_buf b = KF_BUF_INIT;
	bool first = true;
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].kind == KF_TV_NIL)
			continue;
		if (!first)
			kf_buf_addc(&b, ' ');
		first = false;
		kf_tv_print(&b, args[i]);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* strings.Replace(src, old, new, -1); an empty old goes around each rune */
KF_SPRIG_FN(replace)
{
	kf_str old, nw, s;
	if (!one_str(c, args, 0, &old) || !one_str(c, args, 1, &nw) || !one_str(c, args, 2, &s))
		return false;
	if (kf_str_eq(old, nw)) {
		*out = args[2];
		return true;
	}
	size_t count = 0;
	if (old.len == 0) {
		for (size_t i = 0; i < s.len;) {
			uint32_t r;
			i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
			count++;
		}
		count++;
	} else {
		for (const char *p = s.ptr, *e = s.ptr + s.len; (p = memmem(p, (size_t)(e - p), old.ptr, old.len)); p += old.len)
			count++;
	}
	if (count == 0) {
		*out = args[2];
		return true;
	}
	if (nw.len && count > SIZE_MAX / 4 / nw.len)
		return kf_tmpl_call_fail(c, "runtime error: makeslice: len out of range");
	if (!kf_tmpl_call_charge(c, s.len + count * nw.len))
		return false;
	kf_buf b = KF_BUF_INIT;
	if (old.len == 0) {
		for (size_t i = 0; i < s.len;) {
			uint32_t r;
			size_t w = kf_sprig_rune(s.ptr + i, s.len - i, &r);
			kf_buf_addstr(&b, nw);
			kf_buf_add(&b, s.ptr + i, w);
			i += w;
		}
		kf_buf_addstr(&b, nw);
	} else {
		const char *p = s.ptr, *e = s.ptr + s.len, *q;
		while ((q = memmem(p, (size_t)(e - p), old.ptr, old.len))) {
			kf_buf_add(&b, p, (size_t)(q - p));
			kf_buf_addstr(&b, nw);
			p = q + old.len;
		}
		kf_buf_add(&b, p, (size_t)(e - p));
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(plural)
{
	kf_str one, many;
	int64_t n;
	if (!one_str(c, args, 0, &one) || !one_str(c, args, 1, &many) || !kf_sprig_arg_int(c, args, 2, &n))
		return false;
	*out = n == 1 ? args[0] : args[1];
	return true;
}

/* strings.SplitN(s, sep, n) into a list of strings (n < 0: all) */
static bool split_n(kf_tmpl_call *c, kf_str s, kf_str sep, int64_t n, kf_tv *list)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	*list = kf_tv_new_list(a, 0);
	if (n == 0)
		return true;
	if (!kf_tmpl_call_charge(c, (s.len + 1) * sizeof(kf_tv)))
		return false;
	if (sep.len == 0) { /* explode into runes; an invalid byte is U+FFFD */
		size_t runes = 0;
		for (size_t i = 0; i < s.len; runes++) {
			uint32_t r;
			i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		}
		if (n < 0 || (uint64_t)n > runes)
			n = (int64_t)runes;
		size_t i = 0;
		for (int64_t k = 0; k + 1 < n; k++) {
			uint32_t r;
			size_t w = kf_sprig_rune(s.ptr + i, s.len - i, &r);
			if (r == 0xFFFD)
				kf_tv_list_push(a, list->u.list, kf_tv_str(a, "\xEF\xBF\xBD", 3));
			else
				kf_tv_list_push(a, list->u.list, kf_tv_str(a, s.ptr + i, w));
			i += w;
		}
		if (n > 0)
			kf_tv_list_push(a, list->u.list, kf_tv_str(a, s.ptr + i, s.len - i));
		return true;
	}
	const char *p = s.ptr, *e = s.ptr + s.len, *q;
	int64_t k = 0;
	while ((n < 0 || k + 1 < n) && (q = memmem(p, (size_t)(e - p), sep.ptr, sep.len))) {
		kf_tv_list_push(a, list->u.list, kf_tv_str(a, p, (size_t)(q - p)));
		p = q + sep.len;
		k++;
	}
	kf_tv_list_push(a, list->u.list, kf_tv_str(a, p, (size_t)(e - p)));
	return true;
}

static kf_tv list_to_dict(kf_tmpl_call *c, kf_tv list)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_tv m = kf_tv_new_map(a);
	for (size_t i = 0; i < list.u.list->len; i++) {
		char key[32];
		int n = snprintf(key, sizeof key, "_%zu", i);
		kf_tv_map_set(a, m.u.map, key, (size_t)n, list.u.list->items[i]);
	}
	return m;
}

KF_SPRIG_FN(split)
{
	kf_str sep, s;
	kf_tv l;
	if (!one_str(c, args, 0, &sep) || !one_str(c, args, 1, &s) || !split_n(c, s, sep, -1, &l))
		return false;
	*out = list_to_dict(c, l);
	return true;
}

KF_SPRIG_FN(split_list)
{
	kf_str sep, s;
	if (!one_str(c, args, 0, &sep) || !one_str(c, args, 1, &s))
		return false;
	return split_n(c, s, sep, -1, out);
}

KF_SPRIG_FN(splitn)
{
	kf_str sep, s;
	int64_t n;
	kf_tv l;
	if (!one_str(c, args, 0, &sep) || !kf_sprig_arg_int(c, args, 1, &n) || !one_str(c, args, 2, &s) ||
	    !split_n(c, s, sep, n, &l))
		return false;
	*out = list_to_dict(c, l);
	return true;
}

/* join SEP V: V as toStrings gives it (nil items left out) */
KF_SPRIG_FN(join)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_str sep;
	if (!one_str(c, args, 0, &sep))
		return false;
	kf_tv v = args[1];
	kf_buf b = KF_BUF_INIT;
	if (v.kind == KF_TV_LIST) {
		bool first = true;
		for (size_t i = 0; i < v.u.list->len; i++) {
			if (v.u.list->items[i].kind == KF_TV_NIL)
				continue;
			if (!first)
				kf_buf_addstr(&b, sep);
			first = false;
			kf_buf_addstr(&b, kf_sprig_strval(a, v.u.list->items[i]));
		}
	} else if (v.kind != KF_TV_NIL) {
		kf_buf_addstr(&b, kf_sprig_strval(a, v));
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* ---- base64, base32 ---------------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void kf_tmpl_base64(kf_buf *out, const void *data, size_t n)
{
	/* libcrypto's encoder, in slices its int lengths hold */
	const unsigned char *p = data;
	while (n > 0) {
		size_t k = n > ((size_t)3 << 20) ? (size_t)3 << 20 : n;
		kf_buf_grow(out, (k + 2) / 3 * 4 + 1);
		int w = EVP_EncodeBlock((unsigned char *)out->ptr + out->len, p, (int)k);
		out->len += (size_t)w;
		out->ptr[out->len] = 0;
		p += k;
		n -= k;
	}
}

KF_SPRIG_FN(b64enc)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	kf_tmpl_base64(&b, s.ptr, s.len);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

static int b64val(unsigned char ch)
{
	const char *p = ch ? strchr(b64, ch) : NULL;
	return p ? (int)(p - b64) : -1;
}

/* encoding/base64's StdEncoding.DecodeString: newlines skipped, padding
 * required; false with the offset Go reports in *bad */
bool kf_sprig_b64_decode(const char *src, size_t n, kf_buf *b, long long *bad)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t si = 0;
	*bad = -1;
	while (si < n && *bad < 0) {
		int q[4] = {0, 0, 0, 0};
		size_t j = 0, dlen = 4;
		bool end = false;
		for (j = 0; j < 4; j++) {
			if (si == n) {
				if (j == 0)
					dlen = 0;
				else
					*bad = (long long)(si - j);
				end = true;
				break;
			}
			unsigned char ch = p[si++];
			int v = b64val(ch);
			if (v >= 0) {
				q[j] = v;
				continue;
			}
			if (ch == '\n' || ch == '\r') {
				j--;
				continue;
			}
			if (ch != '=' || j < 2) {
				*bad = (long long)si - 1;
				break;
			}
			if (j == 2) {
				while (si < n && (p[si] == '\n' || p[si] == '\r'))
					si++;
				if (si == n) {
					*bad = (long long)n;
					break;
				}
				if (p[si] != '=') {
					*bad = (long long)si - 1;
					break;
				}
				si++;
			}
			while (si < n && (p[si] == '\n' || p[si] == '\r'))
				si++;
			if (si < n)
				*bad = (long long)si;
			dlen = j;
			end = true;
			break;
		}
		if (*bad >= 0)
			break;
		uint32_t v = (uint32_t)q[0] << 18 | (uint32_t)q[1] << 12 | (uint32_t)q[2] << 6 | (uint32_t)q[3];
		unsigned char o[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
		if (dlen >= 2)
			kf_buf_add(b, o, dlen - 1);
		if (end)
			break;
	}
	return *bad < 0;
}

/* on an error sprig gives the error's text */
KF_SPRIG_FN(b64dec)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	long long bad;
	if (!kf_sprig_b64_decode(s.ptr, s.len, &b, &bad)) {
		kf_buf_reset(&b);
		kf_buf_printf(&b, "illegal base64 data at input byte %lld", bad);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(b32enc)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s.ptr;
	for (size_t i = 0; i < s.len; i += 5) {
		size_t k = s.len - i < 5 ? s.len - i : 5;
		uint64_t v = 0;
		for (size_t j = 0; j < 5; j++)
			v = v << 8 | (j < k ? p[i + j] : 0);
		static const size_t chars[6] = {0, 2, 4, 5, 7, 8};
		for (size_t j = 0; j < 8; j++)
			kf_buf_addc(&b, j < chars[k] ? b32[(v >> (35 - 5 * j)) & 31] : '=');
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* encoding/base32's StdEncoding.DecodeString: newlines dropped first; a
 * '=' is padding only among the last 8 characters; what follows the
 * padding is ignored, as Go 1.17 ignores it */
KF_SPRIG_FN(b32dec)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf in = KF_BUF_INIT, b = KF_BUF_INIT;
	for (size_t i = 0; i < s.len; i++)
		if (s.ptr[i] != '\n' && s.ptr[i] != '\r')
			kf_buf_addc(&in, s.ptr[i]);
	long long bad = -1;
	size_t olen = in.len, si = 0;
	bool end = false;
	while (si < olen && !end && bad < 0) {
		uint64_t v = 0;
		size_t dlen = 8, j = 0;
		while (j < 8) {
			if (si == olen) {
				bad = (long long)(si - j);
				break;
			}
			char ch = in.ptr[si++];
			size_t left = olen - si;
			if (ch == '=' && j >= 2 && left < 8) {
				if (left + j < 7) {
					bad = (long long)olen;
					break;
				}
				for (size_t k = 0; k < 7 - j; k++)
					if (left > k && in.ptr[si + k] != '=') {
						bad = (long long)(si + k) - 1;
						break;
					}
				if (bad >= 0)
					break;
				dlen = j;
				end = true;
				if (dlen == 1 || dlen == 3 || dlen == 6)
					bad = (long long)si - 1;
				break;
			}
			const char *q = ch ? strchr(b32, ch) : NULL;
			if (!q) {
				bad = (long long)si - 1;
				break;
			}
			v |= (uint64_t)(q - b32) << (35 - 5 * j);
			j++;
		}
		if (bad >= 0)
			break;
		static const size_t bytes[9] = {0, 0, 1, 0, 2, 3, 0, 4, 5};
		for (size_t k = 0; k < bytes[dlen]; k++)
			kf_buf_addc(&b, (char)(v >> (32 - 8 * k)));
	}
	if (bad >= 0) {
		kf_buf_reset(&b);
		kf_buf_printf(&b, "illegal base32 data at input byte %lld", bad);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	kf_buf_release(&in);
	return true;
}

/* ---- path ---------------------------------------------------------------------------------------- */

/* path.Clean */
static void path_clean(kf_buf *o, kf_str p)
{
	if (p.len == 0) {
		kf_buf_addc(o, '.');
		return;
	}
	bool rooted = p.ptr[0] == '/';
	size_t r = 0, dotdot = 0, start = o->len;
	if (rooted) {
		kf_buf_addc(o, '/');
		r = 1;
		dotdot = 1;
	}
	while (r < p.len) {
		if (p.ptr[r] == '/') {
			r++;
		} else if (p.ptr[r] == '.' && (r + 1 == p.len || p.ptr[r + 1] == '/')) {
			r++;
		} else if (p.ptr[r] == '.' && p.ptr[r + 1] == '.' && (r + 2 == p.len || p.ptr[r + 2] == '/')) {
			r += 2;
			size_t w = o->len - start;
			if (w > dotdot) {
				w--;
				while (w > dotdot && o->ptr[start + w] != '/')
					w--;
				o->len = start + w;
				o->ptr[o->len] = '\0';
			} else if (!rooted) {
				if (w > 0)
					kf_buf_addc(o, '/');
				kf_buf_adds(o, "..");
				dotdot = o->len - start;
			}
		} else {
			if ((rooted && o->len - start != 1) || (!rooted && o->len - start != 0))
				kf_buf_addc(o, '/');
			for (; r < p.len && p.ptr[r] != '/'; r++)
				kf_buf_addc(o, p.ptr[r]);
		}
	}
	if (o->len == start)
		kf_buf_addc(o, '.');
}

KF_SPRIG_FN(path_clean)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	path_clean(&b, s);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(path_base)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	if (s.len == 0) {
		*out = str_tv(c, ".", 1);
		return true;
	}
	while (s.len > 0 && s.ptr[s.len - 1] == '/')
		s.len--;
	const char *sl = s.len ? memrchr(s.ptr, '/', s.len) : NULL;
	if (sl) {
		s.len -= (size_t)(sl + 1 - s.ptr);
		s.ptr = sl + 1;
	}
	*out = s.len ? str_tv(c, s.ptr, s.len) : str_tv(c, "/", 1);
	return true;
}

KF_SPRIG_FN(path_dir)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	const char *sl = s.len ? memrchr(s.ptr, '/', s.len) : NULL;
	kf_buf b = KF_BUF_INIT;
	path_clean(&b, kf_str_make(s.ptr, sl ? (size_t)(sl + 1 - s.ptr) : 0));
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(path_ext)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	for (size_t i = s.len; i > 0 && s.ptr[i - 1] != '/'; i--)
		if (s.ptr[i - 1] == '.') {
			*out = str_tv(c, s.ptr + i - 1, s.len - i + 1);
			return true;
		}
	*out = str_tv(c, "", 0);
	return true;
}

KF_SPRIG_FN(path_is_abs)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	*out = kf_tv_bool(s.len > 0 && s.ptr[0] == '/');
	return true;
}

/* ---- xstrings' case conversions -------------------------------------------------------------- */

static bool is_connector(uint32_t r)
{
	return r == '-' || r == '_' || kf_sprig_is_space(r);
}

static bool is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	return r != 0xFFFD && (is_upper(r) || is_lower(r) || r >= 0x100) && !kf_sprig_is_space(r);
}

static bool is_alphabet(uint32_t r)
{
	return is_letter(r) && !(r >= 0x3400 && r <= 0x9FFF);
}

static bool is_number(uint32_t r)
{
	return r >= '0' && r <= '9';
}

static bool is_punct(uint32_t r)
{
	return r < 0x80 && strchr("!\"#%&'()*,-./:;?@[\\]_{}", (int)r) && r != 0;
}

/* xstrings.ToCamelCase */
KF_SPRIG_FN(camelcase)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	size_t i = 0, w = 0;
	uint32_t r0 = 0, r1;
	while (i < s.len) {
		w = kf_sprig_rune(s.ptr + i, s.len - i, &r0);
		i += w;
		if (!is_connector(r0)) {
			r0 = kf_sprig_to_upper(r0);
			break;
		}
		kf_buf_add_rune(&b, r0);
	}
	if (i >= s.len) {
		if (w)
			kf_buf_add_rune(&b, r0);
	} else {
		while (i < s.len) {
			r1 = r0;
			i += kf_sprig_rune(s.ptr + i, s.len - i, &r0);
			if (is_connector(r0) && is_connector(r1)) {
				kf_buf_add_rune(&b, r1);
				continue;
			}
			if (is_connector(r1)) {
				r0 = kf_sprig_to_upper(r0);
			} else {
				r0 = kf_sprig_to_lower(r0);
				kf_buf_add_rune(&b, r1);
			}
		}
		kf_buf_add_rune(&b, r0);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

enum { W_INVALID, W_NUMBER, W_UPPER, W_ALPHA, W_CONNECTOR, W_PUNCT, W_OTHER };

typedef struct word {
	int wt;
	kf_str word, rest;
} word;

/* xstrings' nextValidRune: skips invalid bytes; at the end, prev */
static uint32_t next_valid(kf_str s, uint32_t prev, size_t *size)
{
	*size = 0;
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		size_t w = kf_sprig_rune(s.ptr + i, s.len - i, &r);
		*size += w;
		if (!(r == 0xFFFD && w == 1))
			return r;
		i += w;
	}
	return prev;
}

static kf_str drop(kf_str s, size_t n)
{
	return kf_str_make(s.ptr + n, s.len - n);
}

/* xstrings' nextWord, with its offsets as they are */
static word next_word(kf_str str)
{
	word o = {W_INVALID, KF_STR_NULL, KF_STR_NULL};
	if (str.len == 0)
		return o;
	size_t off = 0, size;
	kf_str rem = str;
	uint32_t r = next_valid(rem, 0xFFFD, &size);
	off += size;
	if (r == 0xFFFD) {
		o.word = kf_str_make(str.ptr, off);
		o.rest = drop(str, off);
		return o;
	}
	if (is_connector(r) || is_punct(r)) {
		bool conn = is_connector(r);
		o.wt = conn ? W_CONNECTOR : W_PUNCT;
		rem = drop(rem, size);
		while (rem.len > 0) {
			r = next_valid(rem, r, &size);
			if (conn ? !is_connector(r) : !is_punct(r))
				break;
			off += size;
			rem = drop(rem, size);
		}
	} else if (is_upper(r)) {
		o.wt = W_UPPER;
		rem = drop(rem, size);
		if (rem.len > 0) {
			r = next_valid(rem, r, &size);
			if (is_upper(r)) {
				size_t prev = size;
				off += size;
				rem = drop(rem, size);
				while (rem.len > 0) {
					r = next_valid(rem, r, &size);
					if (!is_upper(r))
						break;
					prev = size;
					off += size;
					rem = drop(rem, size);
				}
				if (rem.len > 0 && is_alphabet(r)) {
					off -= prev;
					rem = drop(str, off);
				}
			} else if (is_alphabet(r)) {
				off += size;
				rem = drop(rem, size);
				while (rem.len > 0) {
					r = next_valid(rem, r, &size);
					if (!is_alphabet(r) || is_upper(r))
						break;
					off += size;
					rem = drop(rem, size);
				}
			}
		}
	} else if (is_alphabet(r) || is_number(r)) {
		bool alpha = is_alphabet(r);
		o.wt = alpha ? W_ALPHA : W_NUMBER;
		rem = drop(rem, size);
		while (rem.len > 0) {
			r = next_valid(rem, r, &size);
			if (alpha ? (!is_alphabet(r) || is_upper(r)) : !is_number(r))
				break;
			off += size;
			rem = drop(rem, size);
		}
	} else {
		o.wt = W_OTHER;
		rem = drop(rem, size);
		while (rem.len > 0) {
			r = next_valid(rem, r, &size);
			if (size == 0 || is_connector(r) || is_alphabet(r) || is_number(r) || is_punct(r))
				break;
			off += size;
			rem = drop(rem, size);
		}
	}
	o.word = kf_str_make(str.ptr, off);
	o.rest = rem;
	return o;
}

static void word_lower(kf_buf *b, int wt, kf_str s, char conn)
{
	if (wt != W_UPPER && wt != W_CONNECTOR) {
		kf_buf_addstr(b, s);
		return;
	}
	for (size_t i = 0; i < s.len;) {
		uint32_t r;
		i += kf_sprig_rune(s.ptr + i, s.len - i, &r);
		if (is_connector(r))
			kf_buf_addc(b, conn);
		else
			kf_buf_add_rune(b, is_upper(r) ? kf_sprig_to_lower(r) : r);
	}
}

/* xstrings' camelCaseToLowerCase */
static void to_lower_case(kf_buf *b, kf_str str, char conn)
{
	if (str.len == 0)
		return;
	word w = next_word(str);
	while (w.rest.len > 0) {
		if (w.wt != W_CONNECTOR)
			word_lower(b, w.wt, w.word, conn);
		int prev = w.wt;
		kf_str last = w.word;
		w = next_word(w.rest);
		switch (prev) {
		case W_NUMBER:
			while (w.wt == W_ALPHA || w.wt == W_NUMBER) {
				word_lower(b, w.wt, w.word, conn);
				w = next_word(w.rest);
			}
			if (w.wt != W_INVALID && w.wt != W_PUNCT)
				kf_buf_addc(b, conn);
			break;
		case W_CONNECTOR:
			word_lower(b, prev, last, conn);
			break;
		case W_PUNCT:
			break;
		default:
			if (w.wt != W_NUMBER) {
				if (w.wt != W_CONNECTOR && w.wt != W_PUNCT)
					kf_buf_addc(b, conn);
				break;
			}
			if (w.rest.len == 0)
				break;
			last = w.word;
			w = next_word(w.rest);
			if (w.wt != W_ALPHA) {
				word_lower(b, W_NUMBER, last, conn);
				if (w.wt != W_CONNECTOR && w.wt != W_PUNCT)
					kf_buf_addc(b, conn);
				break;
			}
			kf_buf_addc(b, conn);
			word_lower(b, W_NUMBER, last, conn);
			while (w.wt == W_ALPHA || w.wt == W_NUMBER) {
				word_lower(b, w.wt, w.word, conn);
				w = next_word(w.rest);
			}
			if (w.wt != W_INVALID && w.wt != W_CONNECTOR && w.wt != W_PUNCT)
				kf_buf_addc(b, conn);
		}
	}
	word_lower(b, w.wt, w.word, conn);
}

static bool case_fn(kf_tmpl_call *c, const kf_tv *args, kf_tv *out, char conn)
{
	kf_str s;
	if (!one_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	to_lower_case(&b, s, conn);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(snakecase)
{
	(void)nargs;
	return case_fn(c, args, out, '_');
}

KF_SPRIG_FN(kebabcase)
{
	(void)nargs;
	return case_fn(c, args, out, '-');
}
