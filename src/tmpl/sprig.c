/* SPDX-License-Identifier: Apache-2.0 */
/* sprig.c - sprig's function table (sprig.h), the helpers its families
 * share (sprig_impl.h), and the families of defaults, types and
 * conversions, dicts and lists.
 *
 * Faithful to Masterminds/sprig v3.2.2 (what helm v3.8.1 links) in
 * results and in error messages. A panic in sprig's Go code is an error
 * of the call in text/template ("error calling first: Cannot find first
 * on type string"), so the same words are returned here; a nil value
 * whose reflect.Type Go dereferences gives Go's runtime error.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "tmpl/sprig.h"
#include "tmpl/sprig_impl.h"

#define NIL_DEREF "runtime error: invalid memory address or nil pointer dereference"

/* ---- argument checks (text/template's validateType) ----------------------------------- */

static bool wrong_type(kf_tmpl_call *c, const char *want, kf_tv v)
{
	if (v.kind == KF_TV_NIL)
		kf_tmpl_call_fail(c, "invalid value; expected %s", want);
	else
		kf_tmpl_call_fail(c, "wrong type for value; expected %s; got %s", want, kf_tv_type_name(v));
	return false;
}

bool kf_sprig_arg_str(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_str *out)
{
	*out = kf_str_make("", 0);
	if (args[i].kind != KF_TV_STRING)
		return wrong_type(c, "string", args[i]);
	*out = kf_str_make(args[i].u.s.p, args[i].u.s.len);
	return true;
}

bool kf_sprig_arg_int(kf_tmpl_call *c, const kf_tv *args, size_t i, int64_t *out)
{
	*out = 0;
	if (args[i].kind != KF_TV_INT)
		return wrong_type(c, "int", args[i]);
	*out = args[i].u.i;
	return true;
}

bool kf_sprig_arg_bool(kf_tmpl_call *c, const kf_tv *args, size_t i, bool *out)
{
	*out = false;
	if (args[i].kind != KF_TV_BOOL)
		return wrong_type(c, "bool", args[i]);
	*out = args[i].u.b;
	return true;
}

bool kf_sprig_arg_map(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_tv_map **out)
{
	*out = NULL;
	if (args[i].kind == KF_TV_NIL) {
		*out = NULL; /* Go's nil map: reads find nothing */
		return true;
	}
	if (args[i].kind != KF_TV_MAP)
		return wrong_type(c, "map[string]interface {}", args[i]);
	*out = args[i].u.map;
	return true;
}

/* ---- cast's conversions ------------------------------------------------------------------ */

int64_t kf_sprig_f2i(double f)
{
	if (isnan(f) || f >= 9223372036854775808.0 || f < -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/* strconv.ParseInt(s, 0, 64): a sign, then 0x/0o/0b/0 prefixes, and
 * underscores between digits or after a prefix (underscoreOK) */
static bool parse_int_base0(const char *p, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	if (i >= n)
		return false;
	unsigned base = 10;
	bool prefixed = false;
	if (p[i] == '0' && i + 1 < n) {
		char x = (char)(p[i + 1] | 0x20);
		if (x == 'x' || x == 'o' || x == 'b') {
			base = x == 'x' ? 16 : x == 'o' ? 8 : 2;
			i += 2;
		} else {
			base = 8;
			i += 1;
		}
		prefixed = true;
	}
	uint64_t v = 0;
	bool any = false;
	char prev = prefixed ? '0' : '!'; /* what came before: a digit ('0') or not */
	const uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < n; i++) {
		char ch = p[i];
		unsigned d;
		if (ch == '_') {
			if (prev != '0')
				return false;
			prev = '_';
			continue;
		}
		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')
			d = (unsigned)((ch | 0x20) - 'a' + 10);
		else
			return false;
		if (d >= base)
			return false;
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
		any = true;
		prev = '0';
	}
	if (prev == '_')
		return false;
	if (!any && !(base == 8 && prefixed))
		return false;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

int64_t kf_sprig_to_int64(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_INT:
		return v.u.i;
	case KF_TV_FLOAT:
		return kf_sprig_f2i(v.u.f);
	case KF_TV_BOOL:
		return v.u.b ? 1 : 0;
	case KF_TV_STRING: {
		int64_t r;
		return parse_int_base0(v.u.s.p, v.u.s.len, &r) ? r : 0;
	}
	default:
		return 0;
	}
}

/* strconv.ParseFloat: decimal and hex floats, inf and nan, underscores
 * only with a prefix (left out: then 0) */
static bool parse_float(const char *p, size_t n, double *out)
{
	if (n == 0 || n > 512 || memchr(p, '_', n) || memchr(p, 0, n))
		return false;
	char tmp[520];
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	/* strtod takes leading spaces and "infinity"s Go also takes; Go refuses spaces */
	if (tmp[0] == ' ' || (tmp[0] >= '\t' && tmp[0] <= '\r'))
		return false;
	char *end;
	double f = strtod(tmp, &end);
	if (end != tmp + n)
		return false;
	if (isinf(f)) {
		/* Go's ParseFloat fails on overflow, unless the text is inf itself */
		const char *q = tmp + (tmp[0] == '+' || tmp[0] == '-');
		if ((q[0] | 0x20) != 'i')
			return false;
	}
	*out = f;
	return true;
}

double kf_sprig_to_float64(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_INT:
		return (double)v.u.i;
	case KF_TV_FLOAT:
		return v.u.f;
	case KF_TV_BOOL:
		return v.u.b ? 1 : 0;
	case KF_TV_STRING: {
		double f;
		return parse_float(v.u.s.p, v.u.s.len, &f) ? f : 0;
	}
	default:
		return 0;
	}
}

bool kf_sprig_empty(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_NIL:
		return true;
	case KF_TV_BOOL:
		return !v.u.b;
	case KF_TV_INT:
		return v.u.i == 0;
	case KF_TV_FLOAT:
		return v.u.f == 0;
	case KF_TV_STRING:
		return v.u.s.len == 0;
	case KF_TV_LIST:
		return v.u.list->len == 0;
	case KF_TV_MAP:
		return v.u.map->len == 0;
	case KF_TV_OBJECT:
		return false;
	}
	return true;
}

const char *kf_sprig_kind(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_NIL:
		return "invalid";
	case KF_TV_BOOL:
		return "bool";
	case KF_TV_INT:
		return "int";
	case KF_TV_FLOAT:
		return "float64";
	case KF_TV_STRING:
		return "string";
	case KF_TV_LIST:
		return "slice";
	case KF_TV_MAP:
		return "map";
	case KF_TV_OBJECT: {
		const char *t = kf_tv_type_name(v);
		return t[0] == '*' ? "ptr" : "struct";
	}
	}
	return "invalid";
}

kf_str kf_sprig_strval(kf_arena *a, kf_tv v)
{
	if (v.kind == KF_TV_STRING)
		return kf_str_make(v.u.s.p, v.u.s.len);
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, v);
	kf_str s = kf_str_make(kf_arena_strndup(a, b.ptr ? b.ptr : "", b.len), b.len);
	kf_buf_release(&b);
	return s;
}

kf_tv kf_sprig_buf_tv(kf_tmpl_call *c, const kf_buf *b)
{
	return kf_tv_str(kf_tmpl_call_arena(c), b->ptr ? b->ptr : "", b->len);
}

/* ---- UTF-8 and a little of unicode ---------------------------------------------------------- */

size_t kf_sprig_rune(const char *s, size_t n, uint32_t *r)
{
	const unsigned char *p = (const unsigned char *)s;
	*r = 0xFFFD;
	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*r = p[0];
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2, v = p[0] & 0x1F, min = 0x80;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3, v = p[0] & 0x0F, min = 0x800;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4, v = p[0] & 0x07, min = 0x10000;
	} else {
		return 1;
	}
	if (n < len)
		return 1;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 1;
		v = v << 6 | (p[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 1;
	*r = v;
	return len;
}

bool kf_sprig_is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
	case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
		return true;
	default:
		return r >= 0x2000 && r <= 0x200A;
	}
}

/* Case mapping of the scripts charts write in: ASCII, Latin-1, Latin
 * Extended-A, Greek and Cyrillic; other runes are left as they are. */
uint32_t kf_sprig_to_upper(uint32_t r)
{
	if (r >= 'a' && r <= 'z')
		return r - 32;
	if (r < 0x80)
		return r;
	if ((r >= 0xE0 && r <= 0xFE && r != 0xF7) || (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) ||
	    (r >= 0x430 && r <= 0x44F))
		return r - 32;
	if (r == 0xFF)
		return 0x178;
	if (r == 0xB5)
		return 0x39C;
	if (r == 0x3C2)
		return 0x3A3;
	if (r >= 0x450 && r <= 0x45F)
		return r - 80;
	if (r >= 0x100 && r <= 0x17F && r != 0x130 && r != 0x131 && r != 0x138 && r != 0x149 && r != 0x17F) {
		bool odd_lower = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E);
		if (odd_lower ? (r & 1) == 0 : (r & 1) == 1)
			return r - 1;
	}
	if (r == 0x131)
		return 'I';
	if (r == 0x17F)
		return 'S';
	return r;
}

uint32_t kf_sprig_to_lower(uint32_t r)
{
	if (r >= 'A' && r <= 'Z')
		return r + 32;
	if (r < 0x80)
		return r;
	if ((r >= 0xC0 && r <= 0xDE && r != 0xD7) || (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) ||
	    (r >= 0x410 && r <= 0x42F))
		return r + 32;
	if (r == 0x178)
		return 0xFF;
	if (r >= 0x400 && r <= 0x40F)
		return r + 80;
	if (r == 0x130)
		return 'i';
	if (r >= 0x100 && r <= 0x17F && r != 0x131 && r != 0x138 && r != 0x149 && r != 0x17F) {
		bool odd_lower = (r >= 0x139 && r <= 0x148) || (r >= 0x179 && r <= 0x17E);
		if (odd_lower ? (r & 1) == 1 : (r & 1) == 0)
			return r + 1;
	}
	return r;
}

/* unicode.IsPrint, near enough: controls, format characters, private
 * use, surrogates and non-characters are not printable */
static bool is_print(uint32_t r)
{
	if (r < 0x20 || (r >= 0x7F && r <= 0x9F) || r == 0xAD)
		return false;
	if ((r >= 0x200B && r <= 0x200F) || (r >= 0x2028 && r <= 0x202E) || (r >= 0x2060 && r <= 0x206F))
		return false;
	if (r == 0x061C || r == 0x180E || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB))
		return false;
	if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000 || (r & 0xFFFE) == 0xFFFE || (r >= 0xFDD0 && r <= 0xFDEF))
		return false;
	if (r >= 0xE0000 && r <= 0xE0FFF)
		return false;
	return true;
}

void kf_sprig_go_quote(kf_buf *out, const char *p, size_t n)
{
	kf_buf_addc(out, '"');
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t w = kf_sprig_rune(p + i, n - i, &r);
		if (w == 1 && r == 0xFFFD) {
			kf_buf_printf(out, "\\x%02x", (unsigned char)p[i]);
			i++;
			continue;
		}
		i += w;
		switch (r) {
		case '"': kf_buf_adds(out, "\\\""); continue;
		case '\\': kf_buf_adds(out, "\\\\"); continue;
		case '\a': kf_buf_adds(out, "\\a"); continue;
		case '\b': kf_buf_adds(out, "\\b"); continue;
		case '\f': kf_buf_adds(out, "\\f"); continue;
		case '\n': kf_buf_adds(out, "\\n"); continue;
		case '\r': kf_buf_adds(out, "\\r"); continue;
		case '\t': kf_buf_adds(out, "\\t"); continue;
		case '\v': kf_buf_adds(out, "\\v"); continue;
		default: break;
		}
		if (is_print(r))
			kf_buf_add_rune(out, r);
		else if (r < 0x20 || r == 0x7F)
			kf_buf_printf(out, "\\x%02x", (unsigned)r);
		else if (r < 0x10000)
			kf_buf_printf(out, "\\u%04x", (unsigned)r);
		else
			kf_buf_printf(out, "\\U%08x", (unsigned)r);
	}
	kf_buf_addc(out, '"');
}

static bool is_must(kf_tmpl_call *c)
{
	return strncmp(kf_tmpl_call_name(c), "must", 4) == 0;
}

/* ---- defaults ------------------------------------------------------------------------------ */

KF_SPRIG_FN(default_)
{
	*out = nargs < 2 || kf_sprig_empty(args[1]) ? args[0] : args[1];
	return true;
}

KF_SPRIG_FN(empty)
{
	*out = kf_tv_bool(kf_sprig_empty(args[0]));
	return true;
}

KF_SPRIG_FN(coalesce)
{
	*out = kf_tv_nil();
	for (size_t i = 0; i < nargs; i++)
		if (!kf_sprig_empty(args[i])) {
			*out = args[i];
			break;
		}
	return true;
}

KF_SPRIG_FN(all)
{
	bool r = true;
	for (size_t i = 0; i < nargs && r; i++)
		r = !kf_sprig_empty(args[i]);
	*out = kf_tv_bool(r);
	return true;
}

KF_SPRIG_FN(any)
{
	bool r = false;
	for (size_t i = 0; i < nargs && !r; i++)
		r = !kf_sprig_empty(args[i]);
	*out = kf_tv_bool(r);
	return true;
}

KF_SPRIG_FN(ternary)
{
	bool b;
	if (!kf_sprig_arg_bool(c, args, 2, &b))
		return false;
	*out = b ? args[0] : args[1];
	return true;
}

static size_t value_size(kf_tv v)
{
	size_t n = sizeof(kf_tv);
	if (v.kind == KF_TV_STRING)
		return n;
	if (v.kind == KF_TV_LIST)
		for (size_t i = 0; i < v.u.list->len; i++)
			n += value_size(v.u.list->items[i]);
	if (v.kind == KF_TV_MAP)
		for (size_t i = 0; i < v.u.map->len; i++)
			n += sizeof(kf_tv_pair) + value_size(v.u.map->pairs[i].val);
	return n;
}

KF_SPRIG_FN(deep_copy)
{
	if (args[0].kind == KF_TV_NIL) /* copystructure asks reflect for the type of nothing */
		return kf_tmpl_call_fail(c, "reflect: call of reflect.Value.Type on zero Value");
	if (!kf_tmpl_call_charge(c, value_size(args[0])))
		return false;
	*out = kf_tv_deep_copy(kf_tmpl_call_arena(c), args[0]);
	return true;
}

KF_SPRIG_FN(must_deep_copy)
{
	return kf_sprig_fn_deep_copy(c, args, nargs, out);
}

/* ---- types ----------------------------------------------------------------------------------- */

KF_SPRIG_FN(type_of)
{
	*out = kf_tv_cstr(kf_tmpl_call_arena(c), kf_tv_type_name(args[0]));
	return true;
}

KF_SPRIG_FN(type_is)
{
	kf_str t;
	if (!kf_sprig_arg_str(c, args, 0, &t))
		return false;
	*out = kf_tv_bool(kf_str_eq_cstr(t, kf_tv_type_name(args[1])));
	return true;
}

KF_SPRIG_FN(type_is_like)
{
	kf_str t;
	if (!kf_sprig_arg_str(c, args, 0, &t))
		return false;
	const char *n = kf_tv_type_name(args[1]);
	*out = kf_tv_bool(kf_str_eq_cstr(t, n) || (n[0] == '*' && kf_str_eq_cstr(t, n + 1)));
	return true;
}

KF_SPRIG_FN(kind_of)
{
	*out = kf_tv_cstr(kf_tmpl_call_arena(c), kf_sprig_kind(args[0]));
	return true;
}

KF_SPRIG_FN(kind_is)
{
	kf_str t;
	if (!kf_sprig_arg_str(c, args, 0, &t))
		return false;
	*out = kf_tv_bool(kf_str_eq_cstr(t, kf_sprig_kind(args[1])));
	return true;
}

KF_SPRIG_FN(deep_equal)
{
	*out = kf_tv_bool(kf_tv_equal(args[0], args[1]));
	return true;
}

/* ---- conversions ------------------------------------------------------------------------------ */

KF_SPRIG_FN(to_string)
{
	kf_str s = kf_sprig_strval(kf_tmpl_call_arena(c), args[0]);
	*out = kf_tv_str_owned(s.ptr, s.len);
	return true;
}

/* sprig's strslice: a list's non-nil items as strings, nil as no items,
 * anything else as one string */
static kf_tv strslice(kf_arena *a, kf_tv v)
{
	kf_tv l = kf_tv_new_list(a, v.kind == KF_TV_LIST ? v.u.list->len : 1);
	if (v.kind == KF_TV_LIST) {
		for (size_t i = 0; i < v.u.list->len; i++) {
			kf_tv it = v.u.list->items[i];
			if (it.kind == KF_TV_NIL)
				continue;
			kf_str s = kf_sprig_strval(a, it);
			kf_tv_list_push(a, l.u.list, kf_tv_str_owned(s.ptr, s.len));
		}
	} else if (v.kind != KF_TV_NIL) {
		kf_str s = kf_sprig_strval(a, v);
		kf_tv_list_push(a, l.u.list, kf_tv_str_owned(s.ptr, s.len));
	}
	return l;
}

KF_SPRIG_FN(to_strings)
{
	*out = strslice(kf_tmpl_call_arena(c), args[0]);
	return true;
}

KF_SPRIG_FN(int_)
{
	*out = kf_tv_int(kf_sprig_to_int64(args[0]));
	return true;
}

KF_SPRIG_FN(int64_)
{
	*out = kf_tv_int(kf_sprig_to_int64(args[0]));
	return true;
}

KF_SPRIG_FN(float64_)
{
	*out = kf_tv_float(kf_sprig_to_float64(args[0]));
	return true;
}

/* strconv.Atoi: base 10, a sign, no prefixes; 0 on any error */
KF_SPRIG_FN(atoi)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	*out = kf_tv_int(0);
	if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
		neg = s.ptr[i++] == '-';
	if (i >= s.len)
		return true;
	const uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return true;
		unsigned d = (unsigned)(s.ptr[i] - '0');
		if (v > (limit - d) / 10)
			return true;
		v = v * 10 + d;
	}
	*out = kf_tv_int(neg ? (int64_t)(0 - v) : (int64_t)v);
	return true;
}

/* toDecimal: fmt.Sprint(v) read as octal */
KF_SPRIG_FN(to_decimal)
{
	kf_str s = kf_sprig_strval(kf_tmpl_call_arena(c), args[0]);
	size_t i = 0;
	bool neg = false;
	uint64_t v = 0;
	*out = kf_tv_int(0);
	if (i < s.len && (s.ptr[i] == '+' || s.ptr[i] == '-'))
		neg = s.ptr[i++] == '-';
	if (i >= s.len)
		return true;
	const uint64_t limit = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
	for (; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '7')
			return true;
		unsigned d = (unsigned)(s.ptr[i] - '0');
		if (v > (limit - d) / 8)
			return true;
		v = v * 8 + d;
	}
	*out = kf_tv_int(neg ? (int64_t)(0 - v) : (int64_t)v);
	return true;
}

/* getHostByName: no look-ups during discovery */
KF_SPRIG_FN(get_host_by_name)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
	return true;
}

/* ---- JSON (toJson, fromJson are helm's) ---------------------------------------------------- */

/* toPrettyJson, toRawJson and their must forms, mustToJson */
KF_SPRIG_FN(json)
{
	const char *name = kf_tmpl_call_name(c);
	bool pretty = strstr(name, "Pretty") != NULL, raw = strstr(name, "Raw") != NULL;
	kf_buf b = KF_BUF_INIT;
	kf_err e = {0};
	if (!kf_tv_to_json(&b, args[0], pretty, &e)) {
		kf_buf_release(&b);
		if (is_must(c))
			return kf_tmpl_call_fail(c, "%s", e.msg);
		*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
		return true;
	}
	if (raw) { /* SetEscapeHTML(false): <, > and & as they are */
		kf_buf r = KF_BUF_INIT;
		for (size_t i = 0; i < b.len; i++) {
			if (b.ptr[i] == '\\' && i + 5 < b.len && b.ptr[i + 1] == 'u') {
				const char *h = b.ptr + i + 2;
				char ch = !memcmp(h, "003c", 4) ? '<' : !memcmp(h, "003e", 4) ? '>' : !memcmp(h, "0026", 4) ? '&' : 0;
				if (ch) {
					kf_buf_addc(&r, ch);
					i += 5;
					continue;
				}
			}
			if (b.ptr[i] == '\\' && i + 1 < b.len) {
				kf_buf_add(&r, b.ptr + i, 2);
				i++;
				continue;
			}
			kf_buf_addc(&r, b.ptr[i]);
		}
		kf_buf_release(&b);
		b = r;
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* mustFromJson */
KF_SPRIG_FN(from_json)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	kf_err e = {0};
	if (!kf_tv_from_json(kf_tmpl_call_arena(c), s.ptr, s.len, out, &e))
		return kf_tmpl_call_fail(c, "%s", e.msg);
	return true;
}

/* ---- dicts ------------------------------------------------------------------------------------ */

KF_SPRIG_FN(list)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	*out = kf_tv_new_list(a, nargs);
	for (size_t i = 0; i < nargs; i++)
		kf_tv_list_push(a, out->u.list, args[i]);
	return true;
}

KF_SPRIG_FN(dict)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	*out = kf_tv_new_map(a);
	for (size_t i = 0; i < nargs; i += 2) {
		kf_str k = kf_sprig_strval(a, args[i]);
		kf_tv v = i + 1 < nargs ? args[i + 1] : kf_tv_str(a, "", 0);
		kf_tv_map_set(a, out->u.map, k.ptr, k.len, v);
	}
	return true;
}

KF_SPRIG_FN(get)
{
	kf_tv_map *m;
	kf_str k;
	if (!kf_sprig_arg_map(c, args, 0, &m) || !kf_sprig_arg_str(c, args, 1, &k))
		return false;
	kf_tv *v = m ? kf_tv_map_get(m, k.ptr, k.len) : NULL;
	*out = v ? *v : kf_tv_str(kf_tmpl_call_arena(c), "", 0);
	return true;
}

KF_SPRIG_FN(set)
{
	kf_tv_map *m;
	kf_str k;
	if (!kf_sprig_arg_map(c, args, 0, &m) || !kf_sprig_arg_str(c, args, 1, &k))
		return false;
	if (!m)
		return kf_tmpl_call_fail(c, "assignment to entry in nil map");
	kf_tv_map_set(kf_tmpl_call_arena(c), m, k.ptr, k.len, args[2]);
	*out = args[0];
	return true;
}

KF_SPRIG_FN(unset)
{
	kf_tv_map *m;
	kf_str k;
	if (!kf_sprig_arg_map(c, args, 0, &m) || !kf_sprig_arg_str(c, args, 1, &k))
		return false;
	if (m)
		kf_tv_map_del(m, k.ptr, k.len);
	*out = m ? args[0] : kf_tv_new_map(kf_tmpl_call_arena(c)); /* Go's nil map prints map[] */
	return true;
}

KF_SPRIG_FN(has_key)
{
	kf_tv_map *m;
	kf_str k;
	if (!kf_sprig_arg_map(c, args, 0, &m) || !kf_sprig_arg_str(c, args, 1, &k))
		return false;
	*out = kf_tv_bool(m && kf_tv_map_get(m, k.ptr, k.len));
	return true;
}

KF_SPRIG_FN(pluck)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_str k;
	if (!kf_sprig_arg_str(c, args, 0, &k))
		return false;
	*out = kf_tv_new_list(a, 0);
	for (size_t i = 1; i < nargs; i++) {
		kf_tv_map *m;
		if (!kf_sprig_arg_map(c, args, i, &m))
			return false;
		kf_tv *v = m ? kf_tv_map_get(m, k.ptr, k.len) : NULL;
		if (v)
			kf_tv_list_push(a, out->u.list, *v);
	}
	return true;
}

/* keys: Go's order is random; each map's keys come sorted here */
KF_SPRIG_FN(keys)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	*out = kf_tv_new_list(a, 0);
	for (size_t i = 0; i < nargs; i++) {
		kf_tv_map *m;
		if (!kf_sprig_arg_map(c, args, i, &m))
			return false;
		for (size_t j = 0; m && j < m->len; j++)
			kf_tv_list_push(a, out->u.list, kf_tv_str_owned(m->pairs[j].key, m->pairs[j].klen));
	}
	return true;
}

KF_SPRIG_FN(pick)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_tv_map *m;
	if (!kf_sprig_arg_map(c, args, 0, &m))
		return false;
	*out = kf_tv_new_map(a);
	for (size_t i = 1; i < nargs; i++) {
		kf_str k;
		if (!kf_sprig_arg_str(c, args, i, &k))
			return false;
		kf_tv *v = m ? kf_tv_map_get(m, k.ptr, k.len) : NULL;
		if (v)
			kf_tv_map_set(a, out->u.map, k.ptr, k.len, *v);
	}
	return true;
}

KF_SPRIG_FN(omit)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_tv_map *m;
	if (!kf_sprig_arg_map(c, args, 0, &m))
		return false;
	for (size_t i = 1; i < nargs; i++) {
		kf_str k;
		if (!kf_sprig_arg_str(c, args, i, &k))
			return false;
	}
	*out = kf_tv_new_map(a);
	for (size_t j = 0; m && j < m->len; j++) {
		bool drop = false;
		for (size_t i = 1; i < nargs && !drop; i++)
			drop = args[i].u.s.len == m->pairs[j].klen && !memcmp(args[i].u.s.p, m->pairs[j].key, m->pairs[j].klen);
		if (!drop)
			kf_tv_map_set(a, out->u.map, m->pairs[j].key, m->pairs[j].klen, m->pairs[j].val);
	}
	return true;
}

/* mergo v0.3.11's deep merge of map[string]interface{} src into dst:
 * a key dst lacks (or holds an empty value) takes src's; maps meet
 * recursively; overwrite lets src's scalars and lists win, but a map or
 * list of src never replaces a non-empty value of dst. A nil in src
 * replaces only with overwrite. Values are shared, not copied, as in Go. */
static void mergo(kf_arena *a, kf_tv_map *dst, const kf_tv_map *src, bool overwrite, unsigned depth)
{
	for (size_t i = 0; i < src->len; i++) {
		const kf_tv_pair *p = &src->pairs[i];
		kf_tv sv = p->val;
		kf_tv *dv = kf_tv_map_get(dst, p->key, p->klen);
		if (sv.kind == KF_TV_NIL) {
			if (overwrite)
				kf_tv_map_set(a, dst, p->key, p->klen, sv);
			continue;
		}
		if (sv.kind == KF_TV_MAP && dv && dv->kind == KF_TV_MAP && depth < 10000)
			mergo(a, dv->u.map, sv.u.map, overwrite, depth + 1);
		dv = kf_tv_map_get(dst, p->key, p->klen);
		if (dv && (sv.kind == KF_TV_MAP || sv.kind == KF_TV_LIST) && !kf_sprig_empty(*dv)) {
			if (sv.kind == KF_TV_LIST && overwrite)
				kf_tv_map_set(a, dst, p->key, p->klen, sv);
			continue;
		}
		if (overwrite || !dv || kf_sprig_empty(*dv))
			kf_tv_map_set(a, dst, p->key, p->klen, sv);
	}
}

static bool merge_common(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out, bool overwrite)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_tv_map *dst;
	if (!kf_sprig_arg_map(c, args, 0, &dst))
		return false;
	kf_tv d = args[0];
	for (size_t i = 1; i < nargs; i++) {
		kf_tv_map *src;
		if (!kf_sprig_arg_map(c, args, i, &src))
			return false;
		if (!src)
			continue;
		if (!dst) { /* mergo makes the nil map it was given */
			d = kf_tv_new_map(a);
			dst = d.u.map;
		}
		mergo(a, dst, src, overwrite, 0);
	}
	*out = d;
	return true;
}

KF_SPRIG_FN(merge)
{
	return merge_common(c, args, nargs, out, false);
}

KF_SPRIG_FN(merge_overwrite)
{
	return merge_common(c, args, nargs, out, true);
}

/* values: in key order (Go's is random) */
KF_SPRIG_FN(values)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_tv_map *m;
	if (!kf_sprig_arg_map(c, args, 0, &m))
		return false;
	*out = kf_tv_new_list(a, m ? m->len : 0);
	for (size_t j = 0; m && j < m->len; j++)
		kf_tv_list_push(a, out->u.list, m->pairs[j].val);
	return true;
}

/* Go's message for a failed type assertion x.(map[string]interface {}) */
static bool not_a(kf_tmpl_call *c, kf_tv v, const char *want)
{
	return kf_tmpl_call_fail(c, "interface conversion: interface {} is %s, not %s", kf_tv_type_name(v), want);
}

KF_SPRIG_FN(dig)
{
	if (nargs < 3)
		return kf_tmpl_call_fail(c, "dig needs at least three arguments");
	kf_tv d = args[nargs - 1];
	for (size_t i = 0; i + 2 < nargs; i++)
		if (args[i].kind != KF_TV_STRING)
			return not_a(c, args[i], "string");
	for (size_t i = 0; i + 2 < nargs; i++) {
		if (d.kind != KF_TV_MAP)
			return not_a(c, d, "map[string]interface {}");
		kf_tv *v = kf_tv_map_get(d.u.map, args[i].u.s.p, args[i].u.s.len);
		if (!v) {
			*out = args[nargs - 2];
			return true;
		}
		d = *v;
	}
	*out = d;
	return true;
}

/* ---- lists --------------------------------------------------------------------------------- */

/* sprig's reflect.TypeOf(list).Kind(): a nil list is a nil pointer in
 * Go; anything but a list is refused with words of the function's own */
static bool need_list(kf_tmpl_call *c, kf_tv v, const char *what)
{
	if (v.kind == KF_TV_LIST)
		return true;
	if (v.kind == KF_TV_NIL)
		kf_tmpl_call_fail(c, NIL_DEREF);
	else
		kf_tmpl_call_fail(c, "%s%s", what, kf_sprig_kind(v));
	return false;
}

static kf_tv sub_list(kf_arena *a, const kf_tv_list *l, size_t from, size_t to)
{
	kf_tv r = kf_tv_new_list(a, to - from);
	for (size_t i = from; i < to; i++)
		kf_tv_list_push(a, r.u.list, l->items[i]);
	return r;
}

KF_SPRIG_FN(push)
{
	if (!need_list(c, args[0], "Cannot push on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	if (!kf_tmpl_call_charge(c, (l->len + 1) * sizeof(kf_tv)))
		return false;
	*out = sub_list(a, l, 0, l->len);
	kf_tv_list_push(a, out->u.list, args[1]);
	return true;
}

KF_SPRIG_FN(prepend)
{
	if (!need_list(c, args[0], "Cannot prepend on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	if (!kf_tmpl_call_charge(c, (l->len + 1) * sizeof(kf_tv)))
		return false;
	*out = kf_tv_new_list(a, l->len + 1);
	kf_tv_list_push(a, out->u.list, args[1]);
	for (size_t i = 0; i < l->len; i++)
		kf_tv_list_push(a, out->u.list, l->items[i]);
	return true;
}

KF_SPRIG_FN(chunk)
{
	int64_t size;
	if (!kf_sprig_arg_int(c, args, 0, &size) || !need_list(c, args[1], "Cannot chunk type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[1].u.list;
	/* Go computes a negative or infinite number of chunks, or a chunk of
	 * negative length, for any size below 1 */
	if (size <= 0)
		return kf_tmpl_call_fail(c, "runtime error: makeslice: len out of range");
	size_t n = l->len == 0 ? 0 : (l->len - 1) / (size_t)size + 1;
	if (!kf_tmpl_call_charge(c, (n + l->len) * sizeof(kf_tv)))
		return false;
	*out = kf_tv_new_list(a, n);
	for (size_t i = 0; i < n; i++) {
		size_t from = i * (size_t)size, to = from + (size_t)size;
		if (to > l->len)
			to = l->len;
		if (from > to)
			from = to;
		kf_tv_list_push(a, out->u.list, sub_list(a, l, from, to));
	}
	return true;
}

KF_SPRIG_FN(first)
{
	if (!need_list(c, args[0], "Cannot find first on type "))
		return false;
	const kf_tv_list *l = args[0].u.list;
	*out = l->len ? l->items[0] : kf_tv_nil();
	return true;
}

KF_SPRIG_FN(last)
{
	if (!need_list(c, args[0], "Cannot find last on type "))
		return false;
	const kf_tv_list *l = args[0].u.list;
	*out = l->len ? l->items[l->len - 1] : kf_tv_nil();
	return true;
}

KF_SPRIG_FN(rest)
{
	if (!need_list(c, args[0], "Cannot find rest on type "))
		return false;
	const kf_tv_list *l = args[0].u.list;
	*out = sub_list(kf_tmpl_call_arena(c), l, l->len ? 1 : 0, l->len);
	return true;
}

KF_SPRIG_FN(initial)
{
	if (!need_list(c, args[0], "Cannot find initial on type "))
		return false;
	const kf_tv_list *l = args[0].u.list;
	*out = sub_list(kf_tmpl_call_arena(c), l, 0, l->len ? l->len - 1 : 0);
	return true;
}

KF_SPRIG_FN(reverse)
{
	if (!need_list(c, args[0], "Cannot find reverse on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	*out = kf_tv_new_list(a, l->len);
	for (size_t i = l->len; i > 0; i--)
		kf_tv_list_push(a, out->u.list, l->items[i - 1]);
	return true;
}

KF_SPRIG_FN(compact)
{
	if (!need_list(c, args[0], "Cannot compact on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	*out = kf_tv_new_list(a, 0);
	for (size_t i = 0; i < l->len; i++)
		if (!kf_sprig_empty(l->items[i]))
			kf_tv_list_push(a, out->u.list, l->items[i]);
	return true;
}

static bool in_list(const kf_tv *items, size_t n, kf_tv v)
{
	for (size_t i = 0; i < n; i++)
		if (kf_tv_equal(items[i], v))
			return true;
	return false;
}

KF_SPRIG_FN(uniq)
{
	if (!need_list(c, args[0], "Cannot find uniq on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	*out = kf_tv_new_list(a, 0);
	for (size_t i = 0; i < l->len; i++)
		if (!in_list(out->u.list->items, out->u.list->len, l->items[i]))
			kf_tv_list_push(a, out->u.list, l->items[i]);
	return true;
}

KF_SPRIG_FN(without)
{
	if (!need_list(c, args[0], "Cannot find without on type "))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	const kf_tv_list *l = args[0].u.list;
	*out = kf_tv_new_list(a, 0);
	for (size_t i = 0; i < l->len; i++)
		if (!in_list(args + 1, nargs - 1, l->items[i]))
			kf_tv_list_push(a, out->u.list, l->items[i]);
	return true;
}

KF_SPRIG_FN(has)
{
	if (args[1].kind == KF_TV_NIL) {
		*out = kf_tv_bool(false);
		return true;
	}
	if (!need_list(c, args[1], "Cannot find has on type "))
		return false;
	const kf_tv_list *l = args[1].u.list;
	*out = kf_tv_bool(in_list(l->items, l->len, args[0]));
	return true;
}

KF_SPRIG_FN(slice)
{
	if (!need_list(c, args[0], "list should be type of slice or array but "))
		return false;
	const kf_tv_list *l = args[0].u.list;
	if (l->len == 0) {
		*out = kf_tv_nil();
		return true;
	}
	int64_t start = nargs > 1 ? kf_sprig_to_int64(args[1]) : 0;
	int64_t end = nargs > 2 ? kf_sprig_to_int64(args[2]) : (int64_t)l->len;
	if (start < 0 || end < start || end > (int64_t)l->len)
		return kf_tmpl_call_fail(c, "reflect.Value.Slice: slice index out of bounds");
	*out = sub_list(kf_tmpl_call_arena(c), l, (size_t)start, (size_t)end);
	return true;
}

KF_SPRIG_FN(concat)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	size_t n = 0;
	for (size_t i = 0; i < nargs; i++) {
		if (args[i].kind == KF_TV_NIL)
			return kf_tmpl_call_fail(c, NIL_DEREF);
		if (args[i].kind != KF_TV_LIST)
			return kf_tmpl_call_fail(c, "Cannot concat type %s as list", kf_sprig_kind(args[i]));
		n += args[i].u.list->len;
	}
	if (!kf_tmpl_call_charge(c, n * sizeof(kf_tv)))
		return false;
	*out = kf_tv_new_list(a, n);
	for (size_t i = 0; i < nargs; i++)
		for (size_t j = 0; j < args[i].u.list->len; j++)
			kf_tv_list_push(a, out->u.list, args[i].u.list->items[j]);
	return true;
}

static int cmp_str_tv(const void *x, const void *y)
{
	const kf_tv *a = x, *b = y;
	size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
	int r = memcmp(a->u.s.p, b->u.s.p, n);
	if (r)
		return r;
	return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

KF_SPRIG_FN(sort_alpha)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	if (args[0].kind != KF_TV_LIST) {
		kf_str s = kf_sprig_strval(a, args[0]);
		*out = kf_tv_new_list(a, 1);
		kf_tv_list_push(a, out->u.list, kf_tv_str_owned(s.ptr, s.len));
		return true;
	}
	*out = strslice(a, args[0]);
	if (out->u.list->len > 1)
		qsort(out->u.list->items, out->u.list->len, sizeof(kf_tv), cmp_str_tv);
	return true;
}

/* ---- the table ------------------------------------------------------------------------------ */

/* Ordered by name. Left out of sprig v3.2.2's functions:
 *  - hello, urlParse, urlJoin;
 *  - toJson, fromJson and fail are helm's (kf_tmpl_helm_funcs);
 *  - env and expandenv: helm removes them from sprig's functions, so
 *    they are not defined (discovery does not read the environment).
 * Decided differences: time is fixed and random or key-making functions
 * give fixed values (sprig.h); keys and values come in key order;
 * getHostByName gives ""; osBase, osDir... follow Linux's paths (helm's
 * on Linux). */
const kf_tmpl_func kf_tmpl_sprig_funcs[] = {
	{"abbrev", kf_sprig_fn_abbrev, 2, 2},
	{"abbrevboth", kf_sprig_fn_abbrevboth, 3, 3},
	{"add", kf_sprig_fn_add, 0, -1},
	{"add1", kf_sprig_fn_add1, 1, 1},
	{"add1f", kf_sprig_fn_add1f, 1, 1},
	{"addf", kf_sprig_fn_addf, 0, -1},
	{"adler32sum", kf_sprig_fn_adler32sum, 1, 1},
	{"ago", kf_sprig_fn_ago, 1, 1},
	{"all", kf_sprig_fn_all, 0, -1},
	{"any", kf_sprig_fn_any, 0, -1},
	{"append", kf_sprig_fn_push, 2, 2},
	{"atoi", kf_sprig_fn_atoi, 1, 1},
	{"b32dec", kf_sprig_fn_b32dec, 1, 1},
	{"b32enc", kf_sprig_fn_b32enc, 1, 1},
	{"b64dec", kf_sprig_fn_b64dec, 1, 1},
	{"b64enc", kf_sprig_fn_b64enc, 1, 1},
	{"base", kf_sprig_fn_path_base, 1, 1},
	{"bcrypt", kf_sprig_fn_bcrypt, 1, 1},
	{"biggest", kf_sprig_fn_max, 1, -1},
	{"buildCustomCert", kf_sprig_fn_build_custom_cert, 2, 2},
	{"camelcase", kf_sprig_fn_camelcase, 1, 1},
	{"cat", kf_sprig_fn_cat, 0, -1},
	{"ceil", kf_sprig_fn_ceil, 1, 1},
	{"chunk", kf_sprig_fn_chunk, 2, 2},
	{"clean", kf_sprig_fn_path_clean, 1, 1},
	{"coalesce", kf_sprig_fn_coalesce, 0, -1},
	{"compact", kf_sprig_fn_compact, 1, 1},
	{"concat", kf_sprig_fn_concat, 0, -1},
	{"contains", kf_sprig_fn_contains, 2, 2},
	{"date", kf_sprig_fn_date, 2, 2},
	{"dateInZone", kf_sprig_fn_date_in_zone, 3, 3},
	{"dateModify", kf_sprig_fn_date_modify, 2, 2},
	{"date_in_zone", kf_sprig_fn_date_in_zone, 3, 3},
	{"date_modify", kf_sprig_fn_date_modify, 2, 2},
	{"decryptAES", kf_sprig_fn_decrypt_aes, 2, 2},
	{"deepCopy", kf_sprig_fn_deep_copy, 1, 1},
	{"deepEqual", kf_sprig_fn_deep_equal, 2, 2},
	{"default", kf_sprig_fn_default_, 1, -1},
	{"derivePassword", kf_sprig_fn_derive_password, 5, 5},
	{"dict", kf_sprig_fn_dict, 0, -1},
	{"dig", kf_sprig_fn_dig, 0, -1},
	{"dir", kf_sprig_fn_path_dir, 1, 1},
	{"div", kf_sprig_fn_div, 2, 2},
	{"divf", kf_sprig_fn_divf, 1, -1},
	{"duration", kf_sprig_fn_duration, 1, 1},
	{"durationRound", kf_sprig_fn_duration_round, 1, 1},
	{"empty", kf_sprig_fn_empty, 1, 1},
	{"encryptAES", kf_sprig_fn_encrypt_aes, 2, 2},
	{"ext", kf_sprig_fn_path_ext, 1, 1},
	{"first", kf_sprig_fn_first, 1, 1},
	{"float64", kf_sprig_fn_float64_, 1, 1},
	{"floor", kf_sprig_fn_floor, 1, 1},
	{"genCA", kf_sprig_fn_gen_ca, 2, 2},
	{"genCAWithKey", kf_sprig_fn_gen_ca_with_key, 3, 3},
	{"genPrivateKey", kf_sprig_fn_gen_private_key, 1, 1},
	{"genSelfSignedCert", kf_sprig_fn_gen_self_signed_cert, 4, 4},
	{"genSelfSignedCertWithKey", kf_sprig_fn_gen_self_signed_cert_with_key, 5, 5},
	{"genSignedCert", kf_sprig_fn_gen_signed_cert, 5, 5},
	{"genSignedCertWithKey", kf_sprig_fn_gen_signed_cert_with_key, 6, 6},
	{"get", kf_sprig_fn_get, 2, 2},
	{"getHostByName", kf_sprig_fn_get_host_by_name, 1, 1},
	{"has", kf_sprig_fn_has, 2, 2},
	{"hasKey", kf_sprig_fn_has_key, 2, 2},
	{"hasPrefix", kf_sprig_fn_has_prefix, 2, 2},
	{"hasSuffix", kf_sprig_fn_has_suffix, 2, 2},
	{"htmlDate", kf_sprig_fn_html_date, 1, 1},
	{"htmlDateInZone", kf_sprig_fn_html_date_in_zone, 2, 2},
	{"htpasswd", kf_sprig_fn_htpasswd, 2, 2},
	{"indent", kf_sprig_fn_indent, 2, 2},
	{"initial", kf_sprig_fn_initial, 1, 1},
	{"initials", kf_sprig_fn_initials, 1, 1},
	{"int", kf_sprig_fn_int_, 1, 1},
	{"int64", kf_sprig_fn_int64_, 1, 1},
	{"isAbs", kf_sprig_fn_path_is_abs, 1, 1},
	{"join", kf_sprig_fn_join, 2, 2},
	{"kebabcase", kf_sprig_fn_kebabcase, 1, 1},
	{"keys", kf_sprig_fn_keys, 0, -1},
	{"kindIs", kf_sprig_fn_kind_is, 2, 2},
	{"kindOf", kf_sprig_fn_kind_of, 1, 1},
	{"last", kf_sprig_fn_last, 1, 1},
	{"list", kf_sprig_fn_list, 0, -1},
	{"lower", kf_sprig_fn_lower, 1, 1},
	{"max", kf_sprig_fn_max, 1, -1},
	{"maxf", kf_sprig_fn_maxf, 1, -1},
	{"merge", kf_sprig_fn_merge, 1, -1},
	{"mergeOverwrite", kf_sprig_fn_merge_overwrite, 1, -1},
	{"min", kf_sprig_fn_min, 1, -1},
	{"minf", kf_sprig_fn_minf, 1, -1},
	{"mod", kf_sprig_fn_mod, 2, 2},
	{"mul", kf_sprig_fn_mul, 1, -1},
	{"mulf", kf_sprig_fn_mulf, 1, -1},
	{"mustAppend", kf_sprig_fn_push, 2, 2},
	{"mustChunk", kf_sprig_fn_chunk, 2, 2},
	{"mustCompact", kf_sprig_fn_compact, 1, 1},
	{"mustDateModify", kf_sprig_fn_date_modify, 2, 2},
	{"mustDeepCopy", kf_sprig_fn_must_deep_copy, 1, 1},
	{"mustFirst", kf_sprig_fn_first, 1, 1},
	{"mustFromJson", kf_sprig_fn_from_json, 1, 1},
	{"mustHas", kf_sprig_fn_has, 2, 2},
	{"mustInitial", kf_sprig_fn_initial, 1, 1},
	{"mustLast", kf_sprig_fn_last, 1, 1},
	{"mustMerge", kf_sprig_fn_merge, 1, -1},
	{"mustMergeOverwrite", kf_sprig_fn_merge_overwrite, 1, -1},
	{"mustPrepend", kf_sprig_fn_prepend, 2, 2},
	{"mustPush", kf_sprig_fn_push, 2, 2},
	{"mustRegexFind", kf_sprig_fn_regex_find, 2, 2},
	{"mustRegexFindAll", kf_sprig_fn_regex_find_all, 3, 3},
	{"mustRegexMatch", kf_sprig_fn_regex_match, 2, 2},
	{"mustRegexReplaceAll", kf_sprig_fn_regex_replace_all, 3, 3},
	{"mustRegexReplaceAllLiteral", kf_sprig_fn_regex_replace_all_literal, 3, 3},
	{"mustRegexSplit", kf_sprig_fn_regex_split, 3, 3},
	{"mustRest", kf_sprig_fn_rest, 1, 1},
	{"mustReverse", kf_sprig_fn_reverse, 1, 1},
	{"mustSlice", kf_sprig_fn_slice, 1, -1},
	{"mustToDate", kf_sprig_fn_to_date, 2, 2},
	{"mustToJson", kf_sprig_fn_json, 1, 1},
	{"mustToPrettyJson", kf_sprig_fn_json, 1, 1},
	{"mustToRawJson", kf_sprig_fn_json, 1, 1},
	{"mustUniq", kf_sprig_fn_uniq, 1, 1},
	{"mustWithout", kf_sprig_fn_without, 1, -1},
	{"must_date_modify", kf_sprig_fn_date_modify, 2, 2},
	{"nindent", kf_sprig_fn_nindent, 2, 2},
	{"nospace", kf_sprig_fn_nospace, 1, 1},
	{"now", kf_sprig_fn_now, 0, 0},
	{"omit", kf_sprig_fn_omit, 1, -1},
	{"osBase", kf_sprig_fn_path_base, 1, 1},
	{"osClean", kf_sprig_fn_path_clean, 1, 1},
	{"osDir", kf_sprig_fn_path_dir, 1, 1},
	{"osExt", kf_sprig_fn_path_ext, 1, 1},
	{"osIsAbs", kf_sprig_fn_path_is_abs, 1, 1},
	{"pick", kf_sprig_fn_pick, 1, -1},
	{"pluck", kf_sprig_fn_pluck, 1, -1},
	{"plural", kf_sprig_fn_plural, 3, 3},
	{"prepend", kf_sprig_fn_prepend, 2, 2},
	{"push", kf_sprig_fn_push, 2, 2},
	{"quote", kf_sprig_fn_quote, 0, -1},
	{"randAlpha", kf_sprig_fn_rand_string, 1, 1},
	{"randAlphaNum", kf_sprig_fn_rand_string, 1, 1},
	{"randAscii", kf_sprig_fn_rand_string, 1, 1},
	{"randBytes", kf_sprig_fn_rand_bytes, 1, 1},
	{"randInt", kf_sprig_fn_rand_int, 2, 2},
	{"randNumeric", kf_sprig_fn_rand_string, 1, 1},
	{"regexFind", kf_sprig_fn_regex_find, 2, 2},
	{"regexFindAll", kf_sprig_fn_regex_find_all, 3, 3},
	{"regexMatch", kf_sprig_fn_regex_match, 2, 2},
	{"regexQuoteMeta", kf_sprig_fn_regex_quote_meta, 1, 1},
	{"regexReplaceAll", kf_sprig_fn_regex_replace_all, 3, 3},
	{"regexReplaceAllLiteral", kf_sprig_fn_regex_replace_all_literal, 3, 3},
	{"regexSplit", kf_sprig_fn_regex_split, 3, 3},
	{"repeat", kf_sprig_fn_repeat, 2, 2},
	{"replace", kf_sprig_fn_replace, 3, 3},
	{"rest", kf_sprig_fn_rest, 1, 1},
	{"reverse", kf_sprig_fn_reverse, 1, 1},
	{"round", kf_sprig_fn_round, 2, 3},
	{"semver", kf_sprig_fn_semver, 1, 1},
	{"semverCompare", kf_sprig_fn_semver_compare, 2, 2},
	{"seq", kf_sprig_fn_seq, 0, -1},
	{"set", kf_sprig_fn_set, 3, 3},
	{"sha1sum", kf_sprig_fn_sha1sum, 1, 1},
	{"sha256sum", kf_sprig_fn_sha256sum, 1, 1},
	{"shuffle", kf_sprig_fn_shuffle, 1, 1},
	{"slice", kf_sprig_fn_slice, 1, -1},
	{"snakecase", kf_sprig_fn_snakecase, 1, 1},
	{"sortAlpha", kf_sprig_fn_sort_alpha, 1, 1},
	{"split", kf_sprig_fn_split, 2, 2},
	{"splitList", kf_sprig_fn_split_list, 2, 2},
	{"splitn", kf_sprig_fn_splitn, 3, 3},
	{"squote", kf_sprig_fn_squote, 0, -1},
	{"sub", kf_sprig_fn_sub, 2, 2},
	{"subf", kf_sprig_fn_subf, 1, -1},
	{"substr", kf_sprig_fn_substr, 3, 3},
	{"swapcase", kf_sprig_fn_swapcase, 1, 1},
	{"ternary", kf_sprig_fn_ternary, 3, 3},
	{"title", kf_sprig_fn_title, 1, 1},
	{"toDate", kf_sprig_fn_to_date, 2, 2},
	{"toDecimal", kf_sprig_fn_to_decimal, 1, 1},
	{"toPrettyJson", kf_sprig_fn_json, 1, 1},
	{"toRawJson", kf_sprig_fn_json, 1, 1},
	{"toString", kf_sprig_fn_to_string, 1, 1},
	{"toStrings", kf_sprig_fn_to_strings, 1, 1},
	{"trim", kf_sprig_fn_trim, 1, 1},
	{"trimAll", kf_sprig_fn_trim_all, 2, 2},
	{"trimPrefix", kf_sprig_fn_trim_prefix, 2, 2},
	{"trimSuffix", kf_sprig_fn_trim_suffix, 2, 2},
	{"trimall", kf_sprig_fn_trim_all, 2, 2},
	{"trunc", kf_sprig_fn_trunc, 2, 2},
	{"tuple", kf_sprig_fn_list, 0, -1},
	{"typeIs", kf_sprig_fn_type_is, 2, 2},
	{"typeIsLike", kf_sprig_fn_type_is_like, 2, 2},
	{"typeOf", kf_sprig_fn_type_of, 1, 1},
	{"uniq", kf_sprig_fn_uniq, 1, 1},
	{"unixEpoch", kf_sprig_fn_unix_epoch, 1, 1},
	{"unset", kf_sprig_fn_unset, 2, 2},
	{"until", kf_sprig_fn_until, 1, 1},
	{"untilStep", kf_sprig_fn_until_step, 3, 3},
	{"untitle", kf_sprig_fn_untitle, 1, 1},
	{"upper", kf_sprig_fn_upper, 1, 1},
	{"uuidv4", kf_sprig_fn_uuidv4, 0, 0},
	{"values", kf_sprig_fn_values, 1, 1},
	{"without", kf_sprig_fn_without, 1, -1},
	{"wrap", kf_sprig_fn_wrap, 2, 2},
	{"wrapWith", kf_sprig_fn_wrap_with, 3, 3},
	{NULL, NULL, 0, 0},
};
