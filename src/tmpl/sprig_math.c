/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_math.c - sprig's arithmetic: int64 operations on cast's
 * conversions (add, sub, mul, div, mod, max, min), float ones through
 * shopspring/decimal (addf, subf, mulf, divf: exact decimal arithmetic on
 * the shortest decimal form of each float, so `addf 0.1 0.2` is 0.3),
 * floor, ceil, round, and the integer sequences until, untilStep, seq
 * (charged against the memory limit before they are made).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tmpl/sprig_impl.h"

#define DIV_ZERO "runtime error: integer divide by zero"

/* Go's int64 arithmetic wraps */
static int64_t wrap_add(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static int64_t wrap_mul(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a * (uint64_t)b);
}

KF_SPRIG_FN(add)
{
	int64_t s = 0;
	for (size_t i = 0; i < nargs; i++)
		s = wrap_add(s, kf_sprig_to_int64(args[i]));
	*out = kf_tv_int(s);
	return true;
}

KF_SPRIG_FN(add1)
{
	*out = kf_tv_int(wrap_add(kf_sprig_to_int64(args[0]), 1));
	return true;
}

KF_SPRIG_FN(sub)
{
	*out = kf_tv_int((int64_t)((uint64_t)kf_sprig_to_int64(args[0]) - (uint64_t)kf_sprig_to_int64(args[1])));
	return true;
}

KF_SPRIG_FN(mul)
{
	int64_t s = kf_sprig_to_int64(args[0]);
	for (size_t i = 1; i < nargs; i++)
		s = wrap_mul(s, kf_sprig_to_int64(args[i]));
	*out = kf_tv_int(s);
	return true;
}

KF_SPRIG_FN(div)
{
	int64_t a = kf_sprig_to_int64(args[0]), b = kf_sprig_to_int64(args[1]);
	if (b == 0)
		return kf_tmpl_call_fail(c, DIV_ZERO);
	*out = kf_tv_int(b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b);
	return true;
}

KF_SPRIG_FN(mod)
{
	int64_t a = kf_sprig_to_int64(args[0]), b = kf_sprig_to_int64(args[1]);
	if (b == 0)
		return kf_tmpl_call_fail(c, DIV_ZERO);
	*out = kf_tv_int(b == -1 ? 0 : a % b);
	return true;
}

KF_SPRIG_FN(max)
{
	int64_t m = kf_sprig_to_int64(args[0]);
	for (size_t i = 1; i < nargs; i++) {
		int64_t v = kf_sprig_to_int64(args[i]);
		if (v > m)
			m = v;
	}
	*out = kf_tv_int(m);
	return true;
}

KF_SPRIG_FN(min)
{
	int64_t m = kf_sprig_to_int64(args[0]);
	for (size_t i = 1; i < nargs; i++) {
		int64_t v = kf_sprig_to_int64(args[i]);
		if (v < m)
			m = v;
	}
	*out = kf_tv_int(m);
	return true;
}

/* math.Max and math.Min: NaN wins, and +0 beats -0 */
static double go_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

static double go_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

KF_SPRIG_FN(maxf)
{
	double m = kf_sprig_to_float64(args[0]);
	for (size_t i = 1; i < nargs; i++)
		m = go_max(m, kf_sprig_to_float64(args[i]));
	*out = kf_tv_float(m);
	return true;
}

KF_SPRIG_FN(minf)
{
	double m = kf_sprig_to_float64(args[0]);
	for (size_t i = 1; i < nargs; i++)
		m = go_min(m, kf_sprig_to_float64(args[i]));
	*out = kf_tv_float(m);
	return true;
}

/* ---- shopspring/decimal, as far as sprig uses it ---------------------------------------- */

typedef struct dec {
	__int128 coef; /* value = coef * 10^exp */
	int exp;
	bool big;      /* out of what 128 bits hold: the double below is used */
	double f;
} dec;

static bool dec_from(kf_tmpl_call *c, double f, dec *d)
{
	if (isnan(f) || isinf(f))
		return kf_tmpl_call_fail(c, "Cannot create a Decimal from %s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
	/* the shortest decimal that reads back as f, as FormatFloat(f, 'g', -1) */
	char buf[64];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec - 1, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	char *e = strchr(buf, 'e');
	int exp = atoi(e + 1);
	__int128 coef = 0;
	int digits_after = 0;
	bool after = false, neg = false;
	for (char *p = buf; p < e; p++) {
		if (*p == '-')
			neg = true;
		else if (*p == '.')
			after = true;
		else {
			coef = coef * 10 + (*p - '0');
			digits_after += after;
		}
	}
	d->coef = neg ? -coef : coef;
	d->exp = exp - digits_after;
	d->big = false;
	d->f = f;
	return true;
}

static const __int128 I128_LIMIT = (__int128)1 << 120;

static bool scale_up(dec *d, int to_exp)
{
	while (d->exp > to_exp) {
		if (d->coef > I128_LIMIT / 10 || d->coef < -I128_LIMIT / 10)
			return false;
		d->coef *= 10;
		d->exp--;
	}
	return true;
}

static double dec_double(const dec *d)
{
	if (d->big)
		return d->f;
	char buf[64];
	unsigned __int128 u = d->coef < 0 ? (unsigned __int128)(-d->coef) : (unsigned __int128)d->coef;
	char digits[48];
	int n = 0;
	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	int k = 0;
	if (d->coef < 0)
		buf[k++] = '-';
	while (n)
		buf[k++] = digits[--n];
	snprintf(buf + k, sizeof buf - (size_t)k, "e%d", d->exp);
	return strtod(buf, NULL);
}

enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };

static bool dec_op(kf_tmpl_call *c, dec *a, const dec *b0, int op)
{
	dec b = *b0;
	double fa = dec_double(a), fb = dec_double(&b);
	if (op == OP_DIV) {
		if (b.coef == 0 && !b.big)
			return kf_tmpl_call_fail(c, "decimal division by 0");
		/* Div rounds the quotient to 16 decimal places */
		long double q = (long double)fa / (long double)fb;
		char buf[128];
		snprintf(buf, sizeof buf, "%.16Lf", q);
		return dec_from(c, strtod(buf, NULL), a);
	}
	if (a->big || b.big) {
		a->f = op == OP_ADD ? fa + fb : op == OP_SUB ? fa - fb : fa * fb;
		a->big = true;
		return true;
	}
	if (op == OP_MUL) {
		bool fits = a->coef == 0 || b.coef == 0 ||
			    (a->coef < ((__int128)1 << 62) && a->coef > -((__int128)1 << 62) && b.coef < ((__int128)1 << 62) &&
			     b.coef > -((__int128)1 << 62));
		if (!fits) {
			a->f = fa * fb;
			a->big = true;
			return true;
		}
		a->coef *= b.coef;
		a->exp += b.exp;
		return true;
	}
	int to = a->exp < b.exp ? a->exp : b.exp;
	if (!scale_up(a, to) || !scale_up(&b, to)) {
		a->f = op == OP_ADD ? fa + fb : fa - fb;
		a->big = true;
		return true;
	}
	a->coef = op == OP_ADD ? a->coef + b.coef : a->coef - b.coef;
	return true;
}

static bool decimal_fold(kf_tmpl_call *c, double first, const kf_tv *rest, size_t n, int op, kf_tv *out)
{
	dec acc, d;
	if (!dec_from(c, first, &acc))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!dec_from(c, kf_sprig_to_float64(rest[i]), &d) || !dec_op(c, &acc, &d, op))
			return false;
	*out = kf_tv_float(dec_double(&acc));
	return true;
}

KF_SPRIG_FN(addf)
{
	return decimal_fold(c, 0, args, nargs, OP_ADD, out);
}

KF_SPRIG_FN(add1f)
{
	kf_tv one = kf_tv_int(1);
	return decimal_fold(c, kf_sprig_to_float64(args[0]), &one, 1, OP_ADD, out);
}

KF_SPRIG_FN(subf)
{
	return decimal_fold(c, kf_sprig_to_float64(args[0]), args + 1, nargs - 1, OP_SUB, out);
}

KF_SPRIG_FN(mulf)
{
	return decimal_fold(c, kf_sprig_to_float64(args[0]), args + 1, nargs - 1, OP_MUL, out);
}

KF_SPRIG_FN(divf)
{
	return decimal_fold(c, kf_sprig_to_float64(args[0]), args + 1, nargs - 1, OP_DIV, out);
}

KF_SPRIG_FN(floor)
{
	*out = kf_tv_float(floor(kf_sprig_to_float64(args[0])));
	return true;
}

KF_SPRIG_FN(ceil)
{
	*out = kf_tv_float(ceil(kf_sprig_to_float64(args[0])));
	return true;
}

/* a float64 parameter: a float, or an int the template wrote as a literal */
static bool arg_float(kf_tmpl_call *c, const kf_tv *args, size_t i, double *f)
{
	if (args[i].kind == KF_TV_FLOAT) {
		*f = args[i].u.f;
		return true;
	}
	if (args[i].kind == KF_TV_INT) {
		*f = (double)args[i].u.i;
		return true;
	}
	if (args[i].kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "invalid value; expected float64");
	return kf_tmpl_call_fail(c, "wrong type for value; expected float64; got %s", kf_tv_type_name(args[i]));
}

/* round A PLACES [ROUND_ON] */
KF_SPRIG_FN(round)
{
	int64_t p;
	double on = .5;
	if (!kf_sprig_arg_int(c, args, 1, &p) || (nargs > 2 && !arg_float(c, args, 2, &on)))
		return false;
	double v = kf_sprig_to_float64(args[0]);
	double pw = pow(10, (double)p), digit = pw * v, ip;
	double frac = modf(digit, &ip);
	double r = frac >= on ? ceil(digit) : floor(digit);
	*out = kf_tv_float(r / pw);
	return true;
}

/* ---- sequences ------------------------------------------------------------------------------- */

/* how many items untilStep(start, stop, step) makes */
static uint64_t step_count(int64_t start, int64_t stop, int64_t step)
{
	if (stop < start) {
		if (step >= 0)
			return 0;
		return (uint64_t)((((__int128)start - stop) - 1) / -(__int128)step + 1);
	}
	if (step <= 0 || stop == start)
		return 0;
	return (uint64_t)((((__int128)stop - start) - 1) / step + 1);
}

static bool make_steps(kf_tmpl_call *c, int64_t start, int64_t stop, int64_t step, kf_tv *out)
{
	uint64_t n = step_count(start, stop, step);
	if (n > SIZE_MAX / sizeof(kf_tv) || !kf_tmpl_call_charge(c, (size_t)n * sizeof(kf_tv)))
		return n > SIZE_MAX / sizeof(kf_tv) ? kf_tmpl_call_fail(c, "runtime error: makeslice: len out of range")
						    : false;
	kf_arena *a = kf_tmpl_call_arena(c);
	*out = kf_tv_new_list(a, (size_t)n);
	__int128 v = start;
	for (uint64_t i = 0; i < n; i++, v += step)
		kf_tv_list_push(a, out->u.list, kf_tv_int((int64_t)v));
	return true;
}

KF_SPRIG_FN(until)
{
	int64_t n;
	if (!kf_sprig_arg_int(c, args, 0, &n))
		return false;
	return make_steps(c, 0, n, n < 0 ? -1 : 1, out);
}

KF_SPRIG_FN(until_step)
{
	int64_t a, b, s;
	if (!kf_sprig_arg_int(c, args, 0, &a) || !kf_sprig_arg_int(c, args, 1, &b) || !kf_sprig_arg_int(c, args, 2, &s))
		return false;
	return make_steps(c, a, b, s, out);
}

/* seq: like the seq command, the numbers space-separated */
KF_SPRIG_FN(seq)
{
	int64_t p[3] = {0, 0, 0};
	for (size_t i = 0; i < nargs && i < 3; i++)
		if (!kf_sprig_arg_int(c, args, i, &p[i]))
			return false;
	for (size_t i = 3; i < nargs; i++) {
		int64_t x;
		if (!kf_sprig_arg_int(c, args, i, &x))
			return false;
	}
	int64_t start, end, step;
	switch (nargs) {
	case 1:
		start = 1, end = p[0], step = end < start ? -1 : 1;
		end = wrap_add(end, step);
		break;
	case 2:
		start = p[0], end = p[1], step = end < start ? -1 : 1;
		end = wrap_add(end, step);
		break;
	case 3:
		start = p[0], end = p[2], step = p[1];
		if (end < start) {
			if (step > 0) {
				*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
				return true;
			}
			end = wrap_add(end, -1);
		} else {
			end = wrap_add(end, 1);
		}
		break;
	default:
		*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
		return true;
	}
	uint64_t n = step_count(start, end, step);
	if (n > SIZE_MAX / 32 || !kf_tmpl_call_charge(c, (size_t)n * 21))
		return n > SIZE_MAX / 32 ? kf_tmpl_call_fail(c, "runtime error: makeslice: len out of range") : false;
	kf_buf b = KF_BUF_INIT;
	__int128 v = start;
	for (uint64_t i = 0; i < n; i++, v += step)
		kf_buf_printf(&b, i ? " %lld" : "%lld", (long long)v);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* randInt MIN MAX: a fixed "random" number, MIN (sprig.h) */
KF_SPRIG_FN(rand_int)
{
	int64_t lo, hi;
	if (!kf_sprig_arg_int(c, args, 0, &lo) || !kf_sprig_arg_int(c, args, 1, &hi))
		return false;
	if (hi <= lo)
		return kf_tmpl_call_fail(c, "invalid argument to Intn");
	*out = kf_tv_int(lo);
	return true;
}
