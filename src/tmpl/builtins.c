/* SPDX-License-Identifier: Apache-2.0 */
/* builtins.c - Go's text/template built-in functions (Go 1.17, as helm
 * v3.8.1 has them: and and or evaluate all their arguments), and Go's
 * fmt for print, printf and println.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/tmplint.h"

/* ---- Go's fmt ---------------------------------------------------------------------------- */

typedef struct fspec {
	bool plus, minus, sharp, space, zero;
	int width, prec; /* -1 when absent */
	char verb;
} fspec;

static void pad(kf_buf *out, const char *s, size_t n, const fspec *f)
{
	/* width counts runes */
	size_t runes = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			runes++;
	size_t w = f->width > 0 ? (size_t)f->width : 0;
	if (runes >= w) {
		kf_buf_add(out, s, n);
		return;
	}
	size_t fill = w - runes;
	if (f->minus) {
		kf_buf_add(out, s, n);
		for (size_t i = 0; i < fill; i++)
			kf_buf_addc(out, ' ');
		return;
	}
	if (f->zero && n && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
		kf_buf_addc(out, s[0]);
		for (size_t i = 0; i < fill; i++)
			kf_buf_addc(out, '0');
		kf_buf_add(out, s + 1, n - 1);
		return;
	}
	for (size_t i = 0; i < fill; i++)
		kf_buf_addc(out, f->zero ? '0' : ' ');
	kf_buf_add(out, s, n);
}

static bool rune_printable(uint32_t c)
{
	return c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0) && c != 0xfffd && !(c >= 0xd800 && c <= 0xdfff) &&
	       c != 0x2028 && c != 0x2029 && c != 0xad;
}

static size_t dec_rune(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t k;
	uint32_t c, min;
	if ((s[0] & 0xe0) == 0xc0)
		k = 2, c = s[0] & 0x1f, min = 0x80;
	else if ((s[0] & 0xf0) == 0xe0)
		k = 3, c = s[0] & 0x0f, min = 0x800;
	else if ((s[0] & 0xf8) == 0xf0)
		k = 4, c = s[0] & 0x07, min = 0x10000;
	else
		return *cp = 0xfffd, 1;
	if (k > n)
		return *cp = 0xfffd, 1;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return *cp = 0xfffd, 1;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return *cp = 0xfffd, 1;
	*cp = c;
	return k;
}

/* strconv.Quote (quote '"') or QuoteRune (quote '\'') */
static void go_quote(kf_buf *out, const char *p, size_t n, char quote)
{
	const unsigned char *s = (const unsigned char *)p;
	kf_buf_addc(out, quote);
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = dec_rune(s + i, n - i, &cp);
		bool bad = cp == 0xfffd && !(k == 3);
		if (bad) {
			kf_buf_printf(out, "\\x%02x", s[i]);
			i++;
			continue;
		}
		i += k;
		if (cp == (uint32_t)quote || cp == '\\') {
			kf_buf_addc(out, '\\');
			kf_buf_addc(out, (char)cp);
		} else if (rune_printable(cp)) {
			kf_buf_add(out, s + i - k, k);
		} else {
			switch (cp) {
			case 7:
				kf_buf_adds(out, "\\a");
				break;
			case 8:
				kf_buf_adds(out, "\\b");
				break;
			case 12:
				kf_buf_adds(out, "\\f");
				break;
			case 10:
				kf_buf_adds(out, "\\n");
				break;
			case 13:
				kf_buf_adds(out, "\\r");
				break;
			case 9:
				kf_buf_adds(out, "\\t");
				break;
			case 11:
				kf_buf_adds(out, "\\v");
				break;
			default:
				if (cp < 0x20 || cp == 0x7f)
					kf_buf_printf(out, "\\x%02x", cp);
				else if (cp < 0x10000)
					kf_buf_printf(out, "\\u%04x", cp);
				else
					kf_buf_printf(out, "\\U%08x", cp);
			}
		}
	}
	kf_buf_addc(out, quote);
}

void kf_tmpl_quote(kf_buf *out, const char *s, size_t n)
{
	go_quote(out, s, n, '"');
}

static void fmt_value(kf_buf *out, kf_tv v, const fspec *f, int depth);

static void bad_verb(kf_buf *out, kf_tv v, char verb)
{
	kf_buf_printf(out, "%%!%c(", verb);
	if (v.kind == KF_TV_NIL) {
		kf_buf_adds(out, "<nil>");
	} else {
		kf_buf_adds(out, kf_tv_type_name(v));
		kf_buf_addc(out, '=');
		fspec vf = {.width = -1, .prec = -1, .verb = 'v'};
		fmt_value(out, v, &vf, 0);
	}
	kf_buf_addc(out, ')');
}

static void fmt_int(kf_buf *out, int64_t i, const fspec *f)
{
	kf_buf b = KF_BUF_INIT;
	uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
	const char *sign = i < 0 ? "-" : f->plus ? "+" : f->space ? " " : "";
	char digits[80];
	int base = 10;
	bool upper = false;
	switch (f->verb) {
	case 'b':
		base = 2;
		break;
	case 'o':
	case 'O':
		base = 8;
		break;
	case 'x':
		base = 16;
		break;
	case 'X':
		base = 16, upper = true;
		break;
	case 'c':
		kf_buf_add_rune(&b, (uint32_t)i);
		pad(out, b.ptr, b.len, f);
		kf_buf_release(&b);
		return;
	case 'q':
		go_quote(&b, "", 0, '\'');
		kf_buf_reset(&b);
		{
			kf_buf r = KF_BUF_INIT;
			kf_buf_add_rune(&r, (uint32_t)i);
			go_quote(&b, r.ptr, r.len, '\'');
			kf_buf_release(&r);
		}
		pad(out, b.ptr, b.len, f);
		kf_buf_release(&b);
		return;
	case 'U':
		kf_buf_printf(&b, "U+%04llX", (unsigned long long)i);
		pad(out, b.ptr, b.len, f);
		kf_buf_release(&b);
		return;
	default:
		break;
	}
	int nd = 0;
	do {
		int d = (int)(u % (unsigned)base);
		digits[nd++] = (char)(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
		u /= (unsigned)base;
	} while (u);
	/* a precision is a minimum of digits: zeros before them */
	int zeros = 0;
	if (f->prec >= 0) {
		if (f->prec > nd)
			zeros = f->prec - nd;
		if (f->prec == 0 && i == 0)
			nd = 0;
	}
	kf_buf_adds(&b, sign);
	if (f->sharp && base == 16)
		kf_buf_adds(&b, upper ? "0X" : "0x");
	if (f->sharp && base == 8 && nd && !zeros && digits[nd - 1] != '0')
		kf_buf_addc(&b, '0');
	if (f->verb == 'O')
		kf_buf_adds(&b, "0o");
	for (int z = 0; z < zeros; z++)
		kf_buf_addc(&b, '0');
	while (nd)
		kf_buf_addc(&b, digits[--nd]);
	fspec g = *f;
	if (f->prec >= 0)
		g.zero = false;
	pad(out, b.ptr, b.len, &g);
	kf_buf_release(&b);
}

static void fmt_float(kf_buf *out, double d, const fspec *f)
{
	kf_buf b = KF_BUF_INIT;
	char verb = f->verb == 'v' ? 'g' : f->verb;
	if (isinf(d) || isnan(d)) {
		const char *s = isnan(d) ? (f->plus ? "+NaN" : f->space ? " NaN" : "NaN")
			       : d > 0  ? (f->plus ? "+Inf" : f->space ? " Inf" : "+Inf")
					: "-Inf";
		if (!isnan(d) && d > 0 && !f->plus)
			s = f->space ? " Inf" : "+Inf";
		fspec g = *f;
		g.zero = false;
		pad(out, s, strlen(s), &g);
		return;
	}
	if ((verb == 'g' || verb == 'G') && f->prec < 0) {
		if (d >= 0 && f->plus)
			kf_buf_addc(&b, '+');
		else if (d >= 0 && f->space)
			kf_buf_addc(&b, ' ');
		kf_tv_format_float(&b, d, 'g', 64);
		if (verb == 'G')
			for (size_t i = 0; i < b.len; i++)
				if (b.ptr[i] == 'e')
					b.ptr[i] = 'E';
	} else {
		char cfmt[32];
		char conv = verb == 'F' ? 'f' : verb;
		if (conv == 'x' || conv == 'X')
			conv = conv == 'x' ? 'a' : 'A';
		snprintf(cfmt, sizeof cfmt, "%%%s%s%s.*%c", f->plus ? "+" : "", f->space ? " " : "", f->sharp ? "#" : "",
			 conv);
		int prec = f->prec >= 0 ? f->prec : (conv == 'a' || conv == 'A') ? -1 : 6;
		char tmp[512];
		if (prec < 0)
			snprintf(tmp, sizeof tmp, f->plus ? "%+a" : "%a", d);
		else {
			/* the C format made of Go's flags above */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			snprintf(tmp, sizeof tmp, cfmt, prec > 400 ? 400 : prec, d);
#pragma GCC diagnostic pop
		}
		kf_buf_adds(&b, tmp);
	}
	pad(out, b.ptr, b.len, f);
	kf_buf_release(&b);
}

static void fmt_string(kf_buf *out, const char *s, size_t n, const fspec *f)
{
	kf_buf b = KF_BUF_INIT;
	if (f->prec >= 0) {
		/* precision counts runes */
		size_t i = 0, r = 0;
		while (i < n && r < (size_t)f->prec) {
			i++;
			while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
				i++;
			r++;
		}
		n = i;
	}
	switch (f->verb) {
	case 'q':
		if (f->sharp && !memchr(s, '`', n) && !memchr(s, '\n', n)) {
			kf_buf_addc(&b, '`');
			kf_buf_add(&b, s, n);
			kf_buf_addc(&b, '`');
		} else {
			go_quote(&b, s, n, '"');
		}
		break;
	case 'x':
	case 'X':
		for (size_t i = 0; i < n; i++) {
			if (f->space && i)
				kf_buf_addc(&b, ' ');
			kf_buf_printf(&b, f->verb == 'x' ? "%02x" : "%02X", (unsigned char)s[i]);
		}
		break;
	default:
		kf_buf_add(&b, s, n);
	}
	pad(out, b.ptr ? b.ptr : "", b.len, f);
	kf_buf_release(&b);
}

/* %#v */
static void fmt_gosyntax(kf_buf *out, kf_tv v, bool top)
{
	switch (v.kind) {
	case KF_TV_NIL:
		kf_buf_adds(out, top ? "<nil>" : "interface {}(nil)");
		return;
	case KF_TV_STRING:
		go_quote(out, v.u.s.p, v.u.s.len, '"');
		return;
	case KF_TV_LIST:
		kf_buf_adds(out, "[]interface {}{");
		for (size_t i = 0; i < v.u.list->len; i++) {
			if (i)
				kf_buf_adds(out, ", ");
			fmt_gosyntax(out, v.u.list->items[i], false);
		}
		kf_buf_addc(out, '}');
		return;
	case KF_TV_MAP:
		kf_buf_adds(out, "map[string]interface {}{");
		for (size_t i = 0; i < v.u.map->len; i++) {
			if (i)
				kf_buf_adds(out, ", ");
			go_quote(out, v.u.map->pairs[i].key, v.u.map->pairs[i].klen, '"');
			kf_buf_addc(out, ':');
			fmt_gosyntax(out, v.u.map->pairs[i].val, false);
		}
		kf_buf_addc(out, '}');
		return;
	default:
		kf_tv_print(out, v);
	}
}

static void fmt_value(kf_buf *out, kf_tv v, const fspec *f, int depth)
{
	char verb = f->verb;
	if (verb == 'T') {
		const char *t = kf_tv_type_name(v);
		pad(out, t, strlen(t), f);
		return;
	}
	if (verb == 'v' && f->plus) {
		/* %+v: Go's plusV, no sign on numbers */
		fspec g = *f;
		g.plus = false;
		fmt_value(out, v, &g, depth);
		return;
	}
	if (verb == 'v' && f->sharp) {
		kf_buf b = KF_BUF_INIT;
		fmt_gosyntax(&b, v, depth == 0);
		pad(out, b.ptr, b.len, f);
		kf_buf_release(&b);
		return;
	}
	switch (v.kind) {
	case KF_TV_NIL:
		if (verb == 'v' || depth > 0)
			pad(out, "<nil>", 5, f);
		else
			bad_verb(out, v, verb);
		return;
	case KF_TV_BOOL:
		if (verb == 'v' || verb == 't')
			pad(out, v.u.b ? "true" : "false", v.u.b ? 4 : 5, f);
		else
			bad_verb(out, v, verb);
		return;
	case KF_TV_INT:
		if (strchr("vdboOxXcqU", verb)) {
			fspec g = *f;
			if (verb == 'v')
				g.verb = 'd';
			fmt_int(out, v.u.i, &g);
		} else {
			bad_verb(out, v, verb);
		}
		return;
	case KF_TV_FLOAT:
		if (strchr("vbeEfFgGxX", verb))
			fmt_float(out, v.u.f, f);
		else
			bad_verb(out, v, verb);
		return;
	case KF_TV_STRING:
		if (strchr("vsqxX", verb))
			fmt_string(out, v.u.s.p, v.u.s.len, f);
		else
			bad_verb(out, v, verb);
		return;
	case KF_TV_LIST:
		kf_buf_addc(out, '[');
		for (size_t i = 0; i < v.u.list->len; i++) {
			if (i)
				kf_buf_addc(out, ' ');
			fmt_value(out, v.u.list->items[i], f, depth + 1);
		}
		kf_buf_addc(out, ']');
		return;
	case KF_TV_MAP:
		kf_buf_adds(out, "map[");
		for (size_t i = 0; i < v.u.map->len; i++) {
			if (i)
				kf_buf_addc(out, ' ');
			fmt_value(out, kf_tv_str_owned(v.u.map->pairs[i].key, v.u.map->pairs[i].klen), f, depth + 1);
			kf_buf_addc(out, ':');
			fmt_value(out, v.u.map->pairs[i].val, f, depth + 1);
		}
		kf_buf_addc(out, ']');
		return;
	case KF_TV_OBJECT: {
		kf_buf b = KF_BUF_INIT;
		kf_tv_print(&b, v);
		pad(out, b.ptr, b.len, f);
		kf_buf_release(&b);
		return;
	}
	}
}

void kf_tmpl_sprintf(kf_buf *out, const char *fmt, size_t flen, const kf_tv *args, size_t nargs, size_t max)
{
	size_t argi = 0;
	size_t start = out->len;
	for (size_t i = 0; i < flen;) {
		if (out->len - start > max)
			return;
		if (fmt[i] != '%') {
			size_t st = i;
			while (i < flen && fmt[i] != '%')
				i++;
			kf_buf_add(out, fmt + st, i - st);
			continue;
		}
		i++;
		fspec f = {.width = -1, .prec = -1};
		for (; i < flen; i++) {
			char c = fmt[i];
			if (c == '+')
				f.plus = true;
			else if (c == '-')
				f.minus = true, f.zero = false;
			else if (c == '#')
				f.sharp = true;
			else if (c == ' ')
				f.space = true;
			else if (c == '0')
				f.zero = !f.minus;
			else
				break;
		}
		if (i < flen && fmt[i] == '*') {
			i++;
			if (argi < nargs && args[argi].kind == KF_TV_INT) {
				int64_t w = args[argi++].u.i;
				if (w < 0)
					f.minus = true, f.zero = false, w = -w;
				f.width = w > 1000000 ? 1000000 : (int)w;
			} else {
				argi++;
				kf_buf_adds(out, "%!(BADWIDTH)");
			}
		} else {
			while (i < flen && fmt[i] >= '0' && fmt[i] <= '9') {
				f.width = (f.width < 0 ? 0 : f.width) * 10 + (fmt[i] - '0');
				if (f.width > 1000000)
					f.width = 1000000;
				i++;
			}
		}
		if (i < flen && fmt[i] == '.') {
			i++;
			f.prec = 0;
			if (i < flen && fmt[i] == '*') {
				i++;
				if (argi < nargs && args[argi].kind == KF_TV_INT && args[argi].u.i >= 0) {
					int64_t p = args[argi++].u.i;
					f.prec = p > 1000000 ? 1000000 : (int)p;
				} else {
					argi++;
					f.prec = -1;
					kf_buf_adds(out, "%!(BADPREC)");
				}
			} else {
				while (i < flen && fmt[i] >= '0' && fmt[i] <= '9') {
					f.prec = f.prec * 10 + (fmt[i] - '0');
					if (f.prec > 1000000)
						f.prec = 1000000;
					i++;
				}
			}
		}
		if (i >= flen) {
			kf_buf_adds(out, "%!(NOVERB)");
			break;
		}
		/* the verb: one rune */
		uint32_t cp;
		size_t k = dec_rune((const unsigned char *)fmt + i, flen - i, &cp);
		i += k;
		if (cp == '%') {
			kf_buf_addc(out, '%');
			continue;
		}
		if (argi >= nargs) {
			kf_buf_adds(out, "%!");
			kf_buf_add_rune(out, cp);
			kf_buf_adds(out, "(MISSING)");
			continue;
		}
		if (cp >= 0x80) {
			kf_buf_adds(out, "%!");
			kf_buf_add_rune(out, cp);
			kf_buf_addc(out, '(');
			kf_tv v = args[argi++];
			if (v.kind == KF_TV_NIL) {
				kf_buf_adds(out, "<nil>");
			} else {
				kf_buf_adds(out, kf_tv_type_name(v));
				kf_buf_addc(out, '=');
				kf_tv_print(out, v);
			}
			kf_buf_addc(out, ')');
			continue;
		}
		f.verb = (char)cp;
		fmt_value(out, args[argi++], &f, 0);
	}
	if (argi < nargs) {
		kf_buf_adds(out, "%!(EXTRA ");
		for (size_t j = argi; j < nargs; j++) {
			if (j > argi)
				kf_buf_adds(out, ", ");
			if (args[j].kind == KF_TV_NIL) {
				kf_buf_adds(out, "<nil>");
			} else {
				kf_buf_adds(out, kf_tv_type_name(args[j]));
				kf_buf_addc(out, '=');
				kf_tv_print(out, args[j]);
			}
		}
		kf_buf_addc(out, ')');
	}
}

/* fmt.Sprint (spaces only between operands that are not strings) */
static void go_sprint(kf_buf *out, const kf_tv *args, size_t nargs, bool ln)
{
	bool prev_string = false;
	for (size_t i = 0; i < nargs; i++) {
		bool is_string = args[i].kind == KF_TV_STRING;
		if (i > 0 && (ln || (!is_string && !prev_string)))
			kf_buf_addc(out, ' ');
		kf_tv_print(out, args[i]);
		prev_string = is_string;
	}
	if (ln)
		kf_buf_addc(out, '\n');
}

static kf_tv buf_value(kf_tmpl_call *c, kf_buf *b)
{
	kf_tv v = kf_tv_str(kf_tmpl_call_arena(c), b->ptr ? b->ptr : "", b->len);
	kf_buf_release(b);
	return v;
}

/* ---- the functions ---------------------------------------------------------------------------- */

static bool fn_and(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)c;
	for (size_t i = 0; i < nargs; i++) {
		*out = args[i];
		if (!kf_tv_truth(args[i]))
			return true;
	}
	return true;
}

static bool fn_or(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)c;
	for (size_t i = 0; i < nargs; i++) {
		*out = args[i];
		if (kf_tv_truth(args[i]))
			return true;
	}
	return true;
}

static bool fn_not(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)c;
	(void)nargs;
	*out = kf_tv_bool(!kf_tv_truth(args[0]));
	return true;
}

static bool fn_len(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	kf_tv v = kf_tv_map_view(kf_tmpl_call_arena(c), args[0]);
	switch (v.kind) {
	case KF_TV_STRING:
		*out = kf_tv_int((int64_t)v.u.s.len);
		return true;
	case KF_TV_LIST:
		*out = kf_tv_int((int64_t)v.u.list->len);
		return true;
	case KF_TV_MAP:
		*out = kf_tv_int((int64_t)v.u.map->len);
		return true;
	case KF_TV_NIL:
		return kf_tmpl_call_fail(c, "len of nil pointer");
	default:
		return kf_tmpl_call_fail(c, "len of type %s", kf_tv_type_name(v));
	}
}

/* Go's indexArg: an integer index in [0, cap] */
static bool index_arg(kf_tmpl_call *c, kf_tv i, size_t cap, int64_t *x)
{
	if (i.kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "cannot index slice/array with nil");
	if (i.kind != KF_TV_INT)
		return kf_tmpl_call_fail(c, "cannot index slice/array with type %s", kf_tv_type_name(i));
	if (i.u.i < 0 || (uint64_t)i.u.i > cap)
		return kf_tmpl_call_fail(c, "index out of range: %lld", (long long)i.u.i);
	*x = i.u.i;
	return true;
}

static bool fn_index(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_tv item = args[0];
	if (item.kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "index of untyped nil");
	for (size_t k = 1; k < nargs; k++) {
		kf_tv ix = args[k];
		int64_t x;
		item = kf_tv_map_view(kf_tmpl_call_arena(c), item);
		switch (item.kind) {
		case KF_TV_NIL:
			return kf_tmpl_call_fail(c, "index of nil pointer");
		case KF_TV_LIST:
			if (!index_arg(c, ix, item.u.list->len, &x))
				return false;
			if ((size_t)x == item.u.list->len)
				return kf_tmpl_call_fail(c, "reflect: slice index out of range");
			item = item.u.list->items[x];
			break;
		case KF_TV_STRING:
			if (!index_arg(c, ix, item.u.s.len, &x))
				return false;
			if ((size_t)x == item.u.s.len)
				return kf_tmpl_call_fail(c, "reflect: string index out of range");
			item = kf_tv_int((unsigned char)item.u.s.p[x]);
			break;
		case KF_TV_MAP: {
			if (ix.kind == KF_TV_NIL)
				return kf_tmpl_call_fail(c, "value is nil; should be of type string");
			if (ix.kind != KF_TV_STRING)
				return kf_tmpl_call_fail(c, "value has type %s; should be string", kf_tv_type_name(ix));
			kf_tv *v = kf_tv_map_get(item.u.map, ix.u.s.p, ix.u.s.len);
			item = v ? *v : kf_tv_nil();
			break;
		}
		default:
			return kf_tmpl_call_fail(c, "can't index item of type %s", kf_tv_type_name(item));
		}
	}
	*out = item;
	return true;
}

static bool fn_slice(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_tv item = args[0];
	if (item.kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "slice of untyped nil");
	if (nargs - 1 > 3)
		return kf_tmpl_call_fail(c, "too many slice indexes: %zu", nargs - 1);
	size_t len;
	if (item.kind == KF_TV_STRING) {
		if (nargs - 1 == 3)
			return kf_tmpl_call_fail(c, "cannot 3-index slice a string");
		len = item.u.s.len;
	} else if (item.kind == KF_TV_LIST) {
		len = item.u.list->len;
	} else {
		return kf_tmpl_call_fail(c, "can't slice item of type %s", kf_tv_type_name(item));
	}
	int64_t idx[3] = {0, (int64_t)len, (int64_t)len};
	for (size_t k = 1; k < nargs; k++)
		if (!index_arg(c, args[k], len, &idx[k - 1]))
			return false;
	if (idx[0] > idx[1])
		return kf_tmpl_call_fail(c, "invalid slice index: %lld > %lld", (long long)idx[0], (long long)idx[1]);
	if (nargs - 1 == 3 && idx[1] > idx[2])
		return kf_tmpl_call_fail(c, "invalid slice index: %lld > %lld", (long long)idx[1], (long long)idx[2]);
	kf_arena *a = kf_tmpl_call_arena(c);
	if (item.kind == KF_TV_STRING) {
		*out = kf_tv_str(a, item.u.s.p + idx[0], (size_t)(idx[1] - idx[0]));
		return true;
	}
	size_t n = (size_t)(idx[1] - idx[0]);
	kf_tv l = kf_tv_new_list(a, n);
	if (n)
		memcpy(l.u.list->items, item.u.list->items + idx[0], n * sizeof(kf_tv));
	l.u.list->len = n;
	*out = l;
	return true;
}

static bool fn_print(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_buf b = KF_BUF_INIT;
	go_sprint(&b, args, nargs, false);
	*out = buf_value(c, &b);
	return true;
}

static bool fn_println(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_buf b = KF_BUF_INIT;
	go_sprint(&b, args, nargs, true);
	*out = buf_value(c, &b);
	return true;
}

static bool fn_printf(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	if (args[0].kind != KF_TV_STRING)
		return kf_tmpl_call_fail(c, "wrong type for value; expected string; got %s", kf_tv_type_name(args[0]));
	/* charged before it is made: the strings' bytes at least */
	size_t est = args[0].u.s.len;
	for (size_t i = 1; i < nargs; i++)
		if (args[i].kind == KF_TV_STRING)
			est += args[i].u.s.len;
	if (!kf_tmpl_call_charge(c, est))
		return false;
	kf_buf b = KF_BUF_INIT;
	kf_tmpl_sprintf(&b, args[0].u.s.p, args[0].u.s.len, args + 1, nargs - 1, kf_tmpl_call_budget(c));
	if (!kf_tmpl_call_charge(c, b.len)) {
		kf_buf_release(&b);
		return false;
	}
	*out = buf_value(c, &b);
	return true;
}

/* Go's evalArgs: one string as it is, else fmt.Sprint */
static void eval_args(kf_buf *b, const kf_tv *args, size_t nargs)
{
	if (nargs == 1 && args[0].kind == KF_TV_STRING)
		kf_buf_add(b, args[0].u.s.p, args[0].u.s.len);
	else
		go_sprint(b, args, nargs, false);
}

static bool fn_html(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_buf s = KF_BUF_INIT, b = KF_BUF_INIT;
	eval_args(&s, args, nargs);
	for (size_t i = 0; i < s.len; i++) {
		switch (s.ptr[i]) {
		case '"':
			kf_buf_adds(&b, "&#34;");
			break;
		case '\'':
			kf_buf_adds(&b, "&#39;");
			break;
		case '&':
			kf_buf_adds(&b, "&amp;");
			break;
		case '<':
			kf_buf_adds(&b, "&lt;");
			break;
		case '>':
			kf_buf_adds(&b, "&gt;");
			break;
		case '\0':
			kf_buf_adds(&b, "\xef\xbf\xbd");
			break;
		default:
			kf_buf_addc(&b, s.ptr[i]);
		}
	}
	kf_buf_release(&s);
	*out = buf_value(c, &b);
	return true;
}

static bool fn_js(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_buf s = KF_BUF_INIT, b = KF_BUF_INIT;
	eval_args(&s, args, nargs);
	const unsigned char *p = (const unsigned char *)(s.ptr ? s.ptr : "");
	for (size_t i = 0; i < s.len;) {
		unsigned char ch = p[i];
		if (ch < 0x80) {
			switch (ch) {
			case '\\':
				kf_buf_adds(&b, "\\\\");
				break;
			case '\'':
				kf_buf_adds(&b, "\\'");
				break;
			case '"':
				kf_buf_adds(&b, "\\\"");
				break;
			case '<':
				kf_buf_adds(&b, "\\u003C");
				break;
			case '>':
				kf_buf_adds(&b, "\\u003E");
				break;
			case '&':
				kf_buf_adds(&b, "\\u0026");
				break;
			case '=':
				kf_buf_adds(&b, "\\u003D");
				break;
			default:
				if (ch < ' ')
					kf_buf_printf(&b, "\\u%04X", ch);
				else
					kf_buf_addc(&b, (char)ch);
			}
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = dec_rune(p + i, s.len - i, &cp);
		if (rune_printable(cp) || (cp == 0xfffd && k == 3))
			kf_buf_add(&b, p + i, k);
		else
			kf_buf_printf(&b, "\\u%04X", cp);
		i += k;
	}
	kf_buf_release(&s);
	*out = buf_value(c, &b);
	return true;
}

static bool fn_urlquery(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	kf_buf s = KF_BUF_INIT, b = KF_BUF_INIT;
	eval_args(&s, args, nargs);
	for (size_t i = 0; i < s.len; i++) {
		unsigned char ch = (unsigned char)s.ptr[i];
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		    ch == '_' || ch == '.' || ch == '~')
			kf_buf_addc(&b, (char)ch);
		else if (ch == ' ')
			kf_buf_addc(&b, '+');
		else
			kf_buf_printf(&b, "%%%02X", ch);
	}
	kf_buf_release(&s);
	*out = buf_value(c, &b);
	return true;
}

static bool fn_call(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	(void)out;
	if (args[0].kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "call of nil");
	return kf_tmpl_call_fail(c, "non-function of type %s", kf_tv_type_name(args[0]));
}

/* ---- comparisons (Go 1.17's eq, lt and the rest) ---- */

typedef enum bkind { K_INVALID, K_BOOL, K_INT, K_FLOAT, K_STRING } bkind;

static bkind basic_kind(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_BOOL:
		return K_BOOL;
	case KF_TV_INT:
		return K_INT;
	case KF_TV_FLOAT:
		return K_FLOAT;
	case KF_TV_STRING:
		return K_STRING;
	default:
		return K_INVALID;
	}
}

static bool comparable(kf_tv v)
{
	return v.kind != KF_TV_LIST && v.kind != KF_TV_MAP;
}

static bool uncomparable(kf_tmpl_call *c, kf_tv v)
{
	kf_buf b = KF_BUF_INIT;
	kf_tv_print(&b, v);
	kf_tmpl_call_fail(c, "uncomparable type %s: %s", kf_tv_type_name(v), b.ptr ? b.ptr : "");
	kf_buf_release(&b);
	return false;
}

/* *r: whether a equals one of b[0, n) */
static bool go_eq(kf_tmpl_call *c, kf_tv a, const kf_tv *b, size_t n, bool *r)
{
	*r = false;
	bool azero = a.kind == KF_TV_NIL;
	if (!azero && !comparable(a))
		return uncomparable(c, a);
	if (n == 0)
		return kf_tmpl_call_fail(c, "missing argument for comparison");
	bkind k1 = basic_kind(a);
	for (size_t i = 0; i < n; i++) {
		kf_tv x = b[i];
		bool xzero = x.kind == KF_TV_NIL;
		bkind k2 = basic_kind(x);
		bool truth = false;
		if (k1 != k2) {
			if (!azero && !xzero)
				return kf_tmpl_call_fail(c, "incompatible types for comparison");
		} else {
			switch (k1) {
			case K_BOOL:
				truth = a.u.b == x.u.b;
				break;
			case K_INT:
				truth = a.u.i == x.u.i;
				break;
			case K_FLOAT:
				truth = a.u.f == x.u.f;
				break;
			case K_STRING:
				truth = a.u.s.len == x.u.s.len && memcmp(a.u.s.p, x.u.s.p, a.u.s.len) == 0;
				break;
			default:
				if (azero || xzero) {
					truth = azero && xzero;
				} else {
					if (!comparable(x))
						return uncomparable(c, x);
					truth = kf_tv_equal(a, x);
				}
			}
		}
		if (truth) {
			*r = true;
			return true;
		}
	}
	return true;
}

static bool go_lt(kf_tmpl_call *c, kf_tv a, kf_tv b, bool *r)
{
	*r = false;
	bkind k1 = basic_kind(a), k2 = basic_kind(b);
	if (k1 == K_INVALID || k2 == K_INVALID)
		return kf_tmpl_call_fail(c, "invalid type for comparison");
	if (k1 != k2)
		return kf_tmpl_call_fail(c, "incompatible types for comparison");
	switch (k1) {
	case K_BOOL:
		return kf_tmpl_call_fail(c, "invalid type for comparison");
	case K_INT:
		*r = a.u.i < b.u.i;
		break;
	case K_FLOAT:
		*r = a.u.f < b.u.f;
		break;
	case K_STRING: {
		size_t m = a.u.s.len < b.u.s.len ? a.u.s.len : b.u.s.len;
		int x = memcmp(a.u.s.p, b.u.s.p, m);
		*r = x < 0 || (x == 0 && a.u.s.len < b.u.s.len);
		break;
	}
	default:
		break;
	}
	return true;
}

static bool fn_eq(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	bool r;
	if (!go_eq(c, args[0], args + 1, nargs - 1, &r))
		return false;
	*out = kf_tv_bool(r);
	return true;
}

static bool fn_ne(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	bool r;
	if (!go_eq(c, args[0], args + 1, 1, &r))
		return false;
	*out = kf_tv_bool(!r);
	return true;
}

static bool fn_lt(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	bool r;
	if (!go_lt(c, args[0], args[1], &r))
		return false;
	*out = kf_tv_bool(r);
	return true;
}

static bool go_le(kf_tmpl_call *c, const kf_tv *args, bool *r)
{
	if (!go_lt(c, args[0], args[1], r))
		return false;
	if (*r)
		return true;
	return go_eq(c, args[0], args + 1, 1, r);
}

static bool fn_le(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	bool r;
	if (!go_le(c, args, &r))
		return false;
	*out = kf_tv_bool(r);
	return true;
}

static bool fn_gt(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	bool r;
	if (!go_le(c, args, &r))
		return false;
	*out = kf_tv_bool(!r);
	return true;
}

static bool fn_ge(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)
{
	(void)nargs;
	bool r;
	if (!go_lt(c, args[0], args[1], &r))
		return false;
	*out = kf_tv_bool(!r);
	return true;
}

const kf_tmpl_func kf_tmpl_builtins[] = {
	{"and", fn_and, 1, -1},
	{"call", fn_call, 1, -1},
	{"eq", fn_eq, 1, -1},
	{"ge", fn_ge, 2, 2},
	{"gt", fn_gt, 2, 2},
	{"html", fn_html, 0, -1},
	{"index", fn_index, 1, -1},
	{"js", fn_js, 0, -1},
	{"le", fn_le, 2, 2},
	{"len", fn_len, 1, 1},
	{"lt", fn_lt, 2, 2},
	{"ne", fn_ne, 2, 2},
	{"not", fn_not, 1, 1},
	{"or", fn_or, 1, -1},
	{"print", fn_print, 0, -1},
	{"printf", fn_printf, 1, -1},
	{"println", fn_println, 0, -1},
	{"slice", fn_slice, 1, -1},
	{"urlquery", fn_urlquery, 0, -1},
	{NULL, NULL, 0, 0},
};
