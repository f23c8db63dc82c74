/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_date.c - sprig's date functions on a fixed clock.
 *
 * now is 1970-01-01T00:00:00Z, or SOURCE_DATE_EPOCH when it is set
 * (sprig.h), so a render is the same on every run. Time values are
 * objects of Go's type time.Time with the methods charts call (Unix,
 * Year, Format...); times are in UTC, and a zone name other than UTC
 * (Local included) is taken as UTC too. Layouts are Go's reference-time
 * layouts ("2006-01-02T15:04:05Z07:00"); durations print as Go's
 * time.Duration does ("1h2m3s").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/sprig_impl.h"

typedef struct gotime {
	int64_t sec; /* since the Unix epoch */
	int32_t nsec;
	int32_t off;   /* a fixed zone's offset east of UTC, in seconds (toDate's "+02:00"); 0 is UTC */
	char zone[8];  /* a zone's name toDate read ("PST", at offset 0 as Go makes it), or "" */
} gotime;

#define NS_PER_SEC 1000000000LL

/* ---- civil dates --------------------------------------------------------------------------------- */

typedef struct civil {
	int64_t year;
	int month, day, hour, min, sec, wday, yday;
} civil;

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static civil to_civil(gotime t)
{
	civil c;
	int64_t days = floor_div(t.sec, 86400), rem = t.sec - days * 86400;
	c.hour = (int)(rem / 3600);
	c.min = (int)(rem % 3600 / 60);
	c.sec = (int)(rem % 60);
	c.wday = (int)((days % 7 + 11) % 7); /* 1970-01-01 was a Thursday */
	int64_t z = days + 719468, era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = yoe + era * 400 + (c.month <= 2);
	c.yday = (int)(days - days_from_civil(c.year, 1, 1)) + 1;
	return c;
}

static const char *const month_names[] = {"January", "February", "March",     "April",   "May",      "June",
					  "July",    "August",   "September", "October", "November", "December"};
static const char *const day_names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

/* ---- Go's layouts ----------------------------------------------------------------------------------- */

enum std {
	S_NONE, S_LONG_MONTH, S_MONTH, S_NUM_MONTH, S_ZERO_MONTH, S_LONG_WEEKDAY, S_WEEKDAY, S_DAY, S_UNDER_DAY,
	S_ZERO_DAY, S_HOUR, S_HOUR12, S_ZERO_HOUR12, S_MINUTE, S_ZERO_MINUTE, S_SECOND, S_ZERO_SECOND, S_LONG_YEAR,
	S_YEAR, S_PM, S_pm, S_TZ, S_ISO_TZ, S_ISO_SHORT_TZ, S_ISO_COLON_TZ, S_ISO_SECS_TZ, S_ISO_COLON_SECS_TZ,
	S_NUM_TZ, S_NUM_SHORT_TZ, S_NUM_COLON_TZ, S_NUM_SECS_TZ, S_NUM_COLON_SECS_TZ, S_FRAC, S_FRAC9,
	S_ZERO_YEARDAY, S_UNDER_YEARDAY
};

static bool starts(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && !memcmp(p, w, k);
}

/* Go's nextStdChunk: the literal prefix length in *pre, the chunk's kind
 * and length; S_NONE when the layout has no more chunks */
static enum std next_chunk(const char *l, size_t n, size_t *pre, size_t *len, int *digits)
{
	static const struct {
		const char *w;
		enum std s;
	} tz[] = {{"Z070000", S_ISO_SECS_TZ},      {"Z07:00:00", S_ISO_COLON_SECS_TZ}, {"Z0700", S_ISO_TZ},
		  {"Z07:00", S_ISO_COLON_TZ},      {"Z07", S_ISO_SHORT_TZ},            {"-070000", S_NUM_SECS_TZ},
		  {"-07:00:00", S_NUM_COLON_SECS_TZ}, {"-0700", S_NUM_TZ},             {"-07:00", S_NUM_COLON_TZ},
		  {"-07", S_NUM_SHORT_TZ}};
	for (size_t i = 0; i < n; i++) {
		const char *p = l + i;
		size_t r = n - i;
		*pre = i;
		switch (p[0]) {
		case 'J':
			if (starts(p, r, "January")) { *len = 7; return S_LONG_MONTH; }
			if (starts(p, r, "Jan")) { *len = 3; return S_MONTH; }
			break;
		case 'M':
			if (starts(p, r, "Monday")) { *len = 6; return S_LONG_WEEKDAY; }
			if (starts(p, r, "Mon")) { *len = 3; return S_WEEKDAY; }
			if (starts(p, r, "MST")) { *len = 3; return S_TZ; }
			break;
		case '0':
			if (r >= 2 && p[1] >= '1' && p[1] <= '6') {
				static const enum std z[] = {S_ZERO_MONTH, S_ZERO_DAY, S_ZERO_HOUR12, S_ZERO_MINUTE,
							     S_ZERO_SECOND, S_YEAR};
				*len = 2;
				return z[p[1] - '1'];
			}
			if (starts(p, r, "002")) {
				*len = 3;
				return S_ZERO_YEARDAY;
			}
			break;
		case '1':
			if (starts(p, r, "15")) { *len = 2; return S_HOUR; }
			*len = 1;
			return S_NUM_MONTH;
		case '2':
			if (starts(p, r, "2006")) { *len = 4; return S_LONG_YEAR; }
			*len = 1;
			return S_DAY;
		case '_':
			if (r >= 2 && p[1] == '2') {
				if (starts(p + 1, r - 1, "2006")) { /* a literal _, then the year */
					*pre = i + 1;
					*len = 4;
					return S_LONG_YEAR;
				}
				*len = 2;
				return S_UNDER_DAY;
			}
			if (starts(p, r, "__2")) {
				*len = 3;
				return S_UNDER_YEARDAY;
			}
			break;
		case '3': *len = 1; return S_HOUR12;
		case '4': *len = 1; return S_MINUTE;
		case '5': *len = 1; return S_SECOND;
		case 'P':
			if (starts(p, r, "PM")) { *len = 2; return S_PM; }
			break;
		case 'p':
			if (starts(p, r, "pm")) { *len = 2; return S_pm; }
			break;
		case '-':
		case 'Z':
			for (size_t k = 0; k < sizeof tz / sizeof *tz; k++) {
				char w[16];
				snprintf(w, sizeof w, "%s", tz[k].w);
				w[0] = p[0];
				if ((p[0] == 'Z') == (tz[k].w[0] == 'Z') && starts(p, r, w)) {
					*len = strlen(w);
					return tz[k].s;
				}
			}
			break;
		case '.':
		case ',':
			if (r >= 2 && (p[1] == '0' || p[1] == '9')) {
				size_t j = 1;
				while (j < r && p[j] == p[1])
					j++;
				if (!(j < r && p[j] >= '0' && p[j] <= '9')) {
					*len = j;
					*digits = (int)(j - 1);
					return p[1] == '0' ? S_FRAC : S_FRAC9;
				}
			}
			break;
		default:
			break;
		}
	}
	*pre = n;
	*len = 0;
	return S_NONE;
}

static void pad(kf_buf *b, int64_t v, int width)
{
	kf_buf_printf(b, "%0*lld", width, (long long)v);
}

/* a zone offset as the layout's -07, -0700, -07:00, -070000, -07:00:00 */
static void zone(kf_buf *b, int32_t off, enum std s)
{
	int32_t a = off < 0 ? -off : off;
	bool colon = s == S_ISO_COLON_TZ || s == S_NUM_COLON_TZ || s == S_ISO_COLON_SECS_TZ || s == S_NUM_COLON_SECS_TZ;
	bool secs = s == S_ISO_SECS_TZ || s == S_NUM_SECS_TZ || s == S_ISO_COLON_SECS_TZ || s == S_NUM_COLON_SECS_TZ;
	kf_buf_printf(b, "%c%02d", off < 0 ? '-' : '+', (int)(a / 3600));
	if (s == S_ISO_SHORT_TZ || s == S_NUM_SHORT_TZ)
		return;
	kf_buf_printf(b, colon ? ":%02d" : "%02d", (int)(a / 60 % 60));
	if (secs)
		kf_buf_printf(b, colon ? ":%02d" : "%02d", (int)(a % 60));
}

static void format_time(kf_buf *b, gotime t, kf_str layout)
{
	civil c = to_civil((gotime){t.sec + t.off, t.nsec, 0, ""});
	const char *l = layout.ptr;
	size_t n = layout.len;
	while (n > 0) {
		size_t pre, len;
		int digits = 0;
		enum std s = next_chunk(l, n, &pre, &len, &digits);
		kf_buf_add(b, l, pre);
		if (s == S_NONE)
			break;
		switch (s) {
		case S_YEAR: pad(b, (c.year % 100 + 100) % 100, 2); break;
		case S_LONG_YEAR:
			if (c.year < 0)
				kf_buf_printf(b, "-%04lld", (long long)-c.year);
			else
				pad(b, c.year, 4);
			break;
		case S_MONTH: kf_buf_add(b, month_names[c.month - 1], 3); break;
		case S_LONG_MONTH: kf_buf_adds(b, month_names[c.month - 1]); break;
		case S_NUM_MONTH: kf_buf_printf(b, "%d", c.month); break;
		case S_ZERO_MONTH: pad(b, c.month, 2); break;
		case S_WEEKDAY: kf_buf_add(b, day_names[c.wday], 3); break;
		case S_LONG_WEEKDAY: kf_buf_adds(b, day_names[c.wday]); break;
		case S_DAY: kf_buf_printf(b, "%d", c.day); break;
		case S_UNDER_DAY: kf_buf_printf(b, "%2d", c.day); break;
		case S_ZERO_DAY: pad(b, c.day, 2); break;
		case S_HOUR: pad(b, c.hour, 2); break;
		case S_HOUR12: kf_buf_printf(b, "%d", c.hour % 12 ? c.hour % 12 : 12); break;
		case S_ZERO_HOUR12: pad(b, c.hour % 12 ? c.hour % 12 : 12, 2); break;
		case S_MINUTE: kf_buf_printf(b, "%d", c.min); break;
		case S_ZERO_MINUTE: pad(b, c.min, 2); break;
		case S_SECOND: kf_buf_printf(b, "%d", c.sec); break;
		case S_ZERO_SECOND: pad(b, c.sec, 2); break;
		case S_PM: kf_buf_adds(b, c.hour >= 12 ? "PM" : "AM"); break;
		case S_pm: kf_buf_adds(b, c.hour >= 12 ? "pm" : "am"); break;
		case S_ZERO_YEARDAY: pad(b, c.yday, 3); break;
		case S_UNDER_YEARDAY: kf_buf_printf(b, "%3d", c.yday); break;
		case S_TZ:
			if (t.zone[0])
				kf_buf_adds(b, t.zone);
			else if (t.off == 0)
				kf_buf_adds(b, "UTC");
			else
				zone(b, t.off, S_NUM_TZ);
			break;
		case S_ISO_TZ: case S_ISO_SHORT_TZ: case S_ISO_COLON_TZ: case S_ISO_SECS_TZ: case S_ISO_COLON_SECS_TZ:
			if (t.off == 0)
				kf_buf_addc(b, 'Z');
			else
				zone(b, t.off, s);
			break;
		case S_NUM_TZ: case S_NUM_SHORT_TZ: case S_NUM_COLON_TZ: case S_NUM_SECS_TZ: case S_NUM_COLON_SECS_TZ:
			zone(b, t.off, s);
			break;
		case S_FRAC:
		case S_FRAC9: {
			char frac[16];
			snprintf(frac, sizeof frac, "%09d", (int)t.nsec);
			int k = digits > 9 ? 9 : digits;
			if (s == S_FRAC9)
				while (k > 0 && frac[k - 1] == '0')
					k--;
			if (s == S_FRAC || k > 0) {
				kf_buf_addc(b, l[pre]);
				kf_buf_add(b, frac, (size_t)k);
			}
			break;
		}
		default: break;
		}
		l += pre + len;
		n -= pre + len;
	}
}

/* ---- the time.Time object ----------------------------------------------------------------------- */

static int time_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a, kf_tv *out,
		    kf_buf *err);
static void time_print(kf_tv_object *self, kf_buf *out);

static const kf_tv_class time_class = {"time.Time", time_get, time_print, NULL};

static kf_tv time_tv(kf_arena *a, gotime t)
{
	gotime *p = KF_ARENA_NEW(a, gotime);
	*p = t;
	return kf_tv_new_object(a, &time_class, p);
}

static void time_print(kf_tv_object *self, kf_buf *out)
{
	format_time(out, *(gotime *)self->data, KF_STR_LIT("2006-01-02 15:04:05.999999999 -0700 MST"));
}

static int time_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a, kf_tv *out,
		    kf_buf *err)
{
	gotime t = *(gotime *)self->data;
	civil c = to_civil((gotime){t.sec + t.off, t.nsec, 0, ""});
	if (!strcmp(name, "Format")) {
		if (nargs != 1) {
			kf_buf_printf(err, "wrong number of args for Format: want 1 got %zu", nargs);
			return -1;
		}
		if (args[0].kind != KF_TV_STRING) {
			kf_buf_printf(err, "wrong type for value; expected string; got %s", kf_tv_type_name(args[0]));
			return -1;
		}
		kf_buf b = KF_BUF_INIT;
		format_time(&b, t, kf_str_make(args[0].u.s.p, args[0].u.s.len));
		*out = kf_tv_str(a, b.ptr ? b.ptr : "", b.len);
		kf_buf_release(&b);
		return 1;
	}
	static const char *const names[] = {"Unix", "UnixNano", "Year", "Day", "Hour", "Minute", "Second",
					    "Nanosecond", "YearDay", "Month", "Weekday", "UTC", "Local", "String"};
	size_t k = 0;
	while (k < sizeof names / sizeof *names && strcmp(name, names[k]))
		k++;
	if (k == sizeof names / sizeof *names)
		return 0;
	if (nargs) {
		kf_buf_printf(err, "wrong number of args for %s: want 0 got %zu", name, nargs);
		return -1;
	}
	switch (k) {
	case 0: *out = kf_tv_int(t.sec); break;
	case 1: *out = kf_tv_int((int64_t)((uint64_t)t.sec * NS_PER_SEC + (uint64_t)t.nsec)); break;
	case 2: *out = kf_tv_int(c.year); break;
	case 3: *out = kf_tv_int(c.day); break;
	case 4: *out = kf_tv_int(c.hour); break;
	case 5: *out = kf_tv_int(c.min); break;
	case 6: *out = kf_tv_int(c.sec); break;
	case 7: *out = kf_tv_int(t.nsec); break;
	case 8: *out = kf_tv_int(c.yday); break;
	case 9: *out = kf_tv_cstr(a, month_names[c.month - 1]); break;
	case 10: *out = kf_tv_cstr(a, day_names[c.wday]); break;
	case 11:
	case 12: /* UTC, Local: both UTC here */
		t.off = 0;
		t.zone[0] = '\0';
		*out = time_tv(a, t);
		break;
	default: {
		kf_buf b = KF_BUF_INIT;
		time_print(self, &b);
		*out = kf_tv_str(a, b.ptr, b.len);
		kf_buf_release(&b);
	}
	}
	return 1;
}

static gotime fixed_now(void)
{
	gotime t = {0, 0, 0, ""};
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (e && *e) {
		char *end;
		long long v = strtoll(e, &end, 10);
		if (!*end)
			t.sec = v;
	}
	return t;
}

static bool is_time(kf_tv v)
{
	return v.kind == KF_TV_OBJECT && v.u.obj->cls == &time_class;
}

/* the date argument of date, dateInZone, ago: a time, an int as Unix
 * seconds, else now */
static gotime time_of(kf_tv v)
{
	if (is_time(v))
		return *(gotime *)v.u.obj->data;
	if (v.kind == KF_TV_INT)
		return (gotime){v.u.i, 0, 0, ""};
	return fixed_now();
}

static bool arg_time(kf_tmpl_call *c, const kf_tv *args, size_t i, gotime *t)
{
	if (is_time(args[i])) {
		*t = *(gotime *)args[i].u.obj->data;
		return true;
	}
	if (args[i].kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "invalid value; expected time.Time");
	return kf_tmpl_call_fail(c, "wrong type for value; expected time.Time; got %s", kf_tv_type_name(args[i]));
}

KF_SPRIG_FN(now)
{
	*out = time_tv(kf_tmpl_call_arena(c), fixed_now());
	return true;
}

static bool date_common(kf_tmpl_call *c, kf_str layout, kf_tv date, kf_tv *out)
{
	kf_buf b = KF_BUF_INIT;
	gotime t = time_of(date);
	t.off = 0; /* t.In(loc): every zone is UTC here */
	t.zone[0] = '\0';
	format_time(&b, t, layout);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(date)
{
	kf_str f;
	if (!kf_sprig_arg_str(c, args, 0, &f))
		return false;
	return date_common(c, f, args[1], out);
}

KF_SPRIG_FN(date_in_zone)
{
	kf_str f, zone;
	if (!kf_sprig_arg_str(c, args, 0, &f) || !kf_sprig_arg_str(c, args, 2, &zone))
		return false;
	return date_common(c, f, args[1], out);
}

KF_SPRIG_FN(html_date)
{
	return date_common(c, KF_STR_LIT("2006-01-02"), args[0], out);
}

KF_SPRIG_FN(html_date_in_zone)
{
	kf_str zone;
	if (!kf_sprig_arg_str(c, args, 1, &zone))
		return false;
	return date_common(c, KF_STR_LIT("2006-01-02"), args[0], out);
}

KF_SPRIG_FN(unix_epoch)
{
	gotime t;
	if (!arg_time(c, args, 0, &t))
		return false;
	*out = kf_tv_str_owned(kf_arena_printf(kf_tmpl_call_arena(c), "%lld", (long long)t.sec), 0);
	out->u.s.len = strlen(out->u.s.p);
	return true;
}

/* ---- parsing ------------------------------------------------------------------------------------ */

static bool take_num(kf_str *v, int min, int max, int64_t *out)
{
	size_t i = 0;
	int64_t x = 0;
	while (i < v->len && i < (size_t)max && v->ptr[i] >= '0' && v->ptr[i] <= '9')
		x = x * 10 + (v->ptr[i++] - '0');
	if ((int)i < min)
		return false;
	*out = x;
	v->ptr += i;
	v->len -= i;
	return true;
}

static int take_name(kf_str *v, const char *const *names, size_t count, size_t len)
{
	for (size_t k = 0; k < count; k++) {
		size_t l = len ? len : strlen(names[k]);
		if (v->len >= l && !strncasecmp(v->ptr, names[k], l)) {
			v->ptr += l;
			v->len -= l;
			return (int)k;
		}
	}
	return -1;
}

/* time.Parse, for the layouts charts write: numbers, names, zones as
 * UTC offsets; on an error Go's message */
static bool parse_time(kf_str layout, kf_str value, gotime *t, kf_buf *err)
{
	kf_str l = layout, v = value;
	int64_t year = 1, month = 1, day = 1, hour = 0, min = 0, sec = 0, nsec = 0, off = 0;
	char zname[8] = "";
	bool pm = false, pm_set = false;
	while (true) {
		size_t pre, len;
		int digits = 0;
		enum std s = next_chunk(l.ptr, l.len, &pre, &len, &digits);
		if (v.len < pre || memcmp(v.ptr, l.ptr, pre)) {
			kf_buf_printf(err, "parsing time \"%.*s\" as \"%.*s\": cannot parse \"%.*s\" as \"%.*s\"",
				      (int)value.len, value.ptr, (int)layout.len, layout.ptr, (int)v.len, v.ptr, (int)pre,
				      l.ptr);
			return false;
		}
		v.ptr += pre;
		v.len -= pre;
		if (s == S_NONE) {
			if (v.len) {
				kf_buf_printf(err, "parsing time \"%.*s\": extra text: \"%.*s\"", (int)value.len, value.ptr,
					      (int)v.len, v.ptr);
				return false;
			}
			break;
		}
		kf_str chunk = kf_str_make(l.ptr + pre, len);
		kf_str before = v;
		bool ok = true;
		int k;
		switch (s) {
		case S_LONG_YEAR: ok = take_num(&v, 4, 4, &year); break;
		case S_YEAR:
			ok = take_num(&v, 2, 2, &year);
			year += year >= 69 ? 1900 : 2000;
			break;
		case S_MONTH:
			ok = (k = take_name(&v, month_names, 12, 3)) >= 0;
			month = k + 1;
			break;
		case S_LONG_MONTH:
			ok = (k = take_name(&v, month_names, 12, 0)) >= 0;
			month = k + 1;
			break;
		case S_NUM_MONTH: ok = take_num(&v, 1, 2, &month); break;
		case S_ZERO_MONTH: ok = take_num(&v, 2, 2, &month); break;
		case S_WEEKDAY: ok = take_name(&v, day_names, 7, 3) >= 0; break;
		case S_LONG_WEEKDAY: ok = take_name(&v, day_names, 7, 0) >= 0; break;
		case S_UNDER_DAY:
			if (v.len && v.ptr[0] == ' ') {
				v.ptr++;
				v.len--;
			}
			/* fall through */
		case S_DAY: ok = take_num(&v, 1, 2, &day); break;
		case S_ZERO_DAY: ok = take_num(&v, 2, 2, &day); break;
		case S_HOUR: ok = take_num(&v, 2, 2, &hour); break;
		case S_HOUR12: ok = take_num(&v, 1, 2, &hour); break;
		case S_ZERO_HOUR12: ok = take_num(&v, 2, 2, &hour); break;
		case S_MINUTE: ok = take_num(&v, 1, 2, &min); break;
		case S_ZERO_MINUTE: ok = take_num(&v, 2, 2, &min); break;
		case S_SECOND: ok = take_num(&v, 1, 2, &sec); break;
		case S_ZERO_SECOND: ok = take_num(&v, 2, 2, &sec); break;
		case S_PM:
		case S_pm:
			if (v.len >= 2 && (!strncasecmp(v.ptr, "PM", 2) || !strncasecmp(v.ptr, "AM", 2))) {
				pm = (v.ptr[0] | 0x20) == 'p';
				pm_set = true;
				v.ptr += 2;
				v.len -= 2;
			} else {
				ok = false;
			}
			break;
		case S_TZ:
			if (v.len >= 3 && !memcmp(v.ptr, "UTC", 3)) {
				v.ptr += 3;
				v.len -= 3;
			} else {
				size_t i = 0;
				while (i < v.len && v.ptr[i] >= 'A' && v.ptr[i] <= 'Z')
					i++;
				ok = i >= 3 && i <= 5;
				if (ok)
					snprintf(zname, sizeof zname, "%.*s", (int)i, v.ptr);
				v.ptr += i;
				v.len -= i;
			}
			break;
		case S_FRAC:
		case S_FRAC9: {
			if (v.len && (v.ptr[0] == '.' || v.ptr[0] == ',')) {
				v.ptr++;
				v.len--;
				int64_t f = 0;
				int nd = 0;
				while (v.len && v.ptr[0] >= '0' && v.ptr[0] <= '9') {
					if (nd < 9)
						f = f * 10 + (v.ptr[0] - '0'), nd++;
					v.ptr++;
					v.len--;
				}
				while (nd < 9)
					f *= 10, nd++;
				nsec = f;
			} else if (s == S_FRAC) {
				ok = false;
			}
			break;
		}
		default: /* the numeric and ISO zones */
			if ((s == S_ISO_TZ || s == S_ISO_SHORT_TZ || s == S_ISO_COLON_TZ || s == S_ISO_SECS_TZ ||
			     s == S_ISO_COLON_SECS_TZ) &&
			    v.len && v.ptr[0] == 'Z') {
				v.ptr++;
				v.len--;
				break;
			}
			if (!v.len || (v.ptr[0] != '+' && v.ptr[0] != '-')) {
				ok = false;
				break;
			} else {
				int sign = v.ptr[0] == '-' ? -1 : 1;
				v.ptr++;
				v.len--;
				int64_t hh = 0, mm = 0, ss = 0;
				ok = take_num(&v, 2, 2, &hh);
				bool colon = s == S_ISO_COLON_TZ || s == S_NUM_COLON_TZ || s == S_ISO_COLON_SECS_TZ ||
					     s == S_NUM_COLON_SECS_TZ;
				bool short_tz = s == S_ISO_SHORT_TZ || s == S_NUM_SHORT_TZ;
				bool secs = s == S_ISO_SECS_TZ || s == S_NUM_SECS_TZ || s == S_ISO_COLON_SECS_TZ ||
					    s == S_NUM_COLON_SECS_TZ;
				if (ok && !short_tz) {
					if (colon) {
						ok = v.len && v.ptr[0] == ':';
						if (ok)
							v.ptr++, v.len--;
					}
					ok = ok && take_num(&v, 2, 2, &mm);
					if (ok && secs) {
						if (colon) {
							ok = v.len && v.ptr[0] == ':';
							if (ok)
								v.ptr++, v.len--;
						}
						ok = ok && take_num(&v, 2, 2, &ss);
					}
				}
				off = sign * (hh * 3600 + mm * 60 + ss);
			}
			break;
		}
		if (!ok) {
			kf_buf_printf(err, "parsing time \"%.*s\" as \"%.*s\": cannot parse \"%.*s\" as \"%.*s\"",
				      (int)value.len, value.ptr, (int)layout.len, layout.ptr, (int)before.len, before.ptr,
				      (int)chunk.len, chunk.ptr);
			return false;
		}
		l.ptr += pre + len;
		l.len -= pre + len;
	}
	if (pm_set && pm && hour < 12)
		hour += 12;
	else if (pm_set && !pm && hour == 12)
		hour = 0;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	const char *range = NULL;
	if (month < 1 || month > 12)
		range = "month";
	else if (day < 1 || day > mdays[month - 1] || (month == 2 && day == 29 && !is_leap(year)))
		range = "day";
	else if (hour > 23)
		range = "hour";
	else if (min > 59)
		range = "minute";
	else if (sec > 59)
		range = "second";
	if (range) {
		kf_buf_printf(err, "parsing time \"%.*s\": %s out of range", (int)value.len, value.ptr, range);
		return false;
	}
	t->sec = days_from_civil(year, (int)month, (int)day) * 86400 + hour * 3600 + min * 60 + sec - off;
	t->nsec = (int32_t)nsec;
	t->off = (int32_t)off;
	snprintf(t->zone, sizeof t->zone, "%s", zname);
	return true;
}

/* toDate LAYOUT VALUE (mustToDate returns the error) */
KF_SPRIG_FN(to_date)
{
	kf_str f, v;
	if (!kf_sprig_arg_str(c, args, 0, &f) || !kf_sprig_arg_str(c, args, 1, &v))
		return false;
	gotime t;
	kf_buf err = KF_BUF_INIT;
	if (!parse_time(f, v, &t, &err)) {
		if (!strncmp(kf_tmpl_call_name(c), "must", 4)) {
			bool r = kf_tmpl_call_fail(c, "%s", err.ptr);
			kf_buf_release(&err);
			return r;
		}
		t = (gotime){-62135596800LL, 0, 0, ""}; /* Go's zero time */
	}
	kf_buf_release(&err);
	*out = time_tv(kf_tmpl_call_arena(c), t);
	return true;
}

/* ---- durations ----------------------------------------------------------------------------------- */

/* time.ParseDuration */
static bool parse_duration(kf_str s, int64_t *out)
{
	static const struct {
		const char *u;
		uint64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"\xC2\xB5s", 1000}, {"\xCE\xBCs", 1000}, {"ms", 1000000},
		     {"s", 1000000000ULL}, {"m", 60000000000ULL}, {"h", 3600000000000ULL}};
	size_t i = 0;
	bool neg = false;
	if (i < s.len && (s.ptr[i] == '-' || s.ptr[i] == '+'))
		neg = s.ptr[i++] == '-';
	if (s.len - i == 1 && s.ptr[i] == '0') {
		*out = 0;
		return true;
	}
	if (i == s.len)
		return false;
	long double total = 0;
	while (i < s.len) {
		long double v = 0, scale = 1;
		size_t st = i;
		while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9')
			v = v * 10 + (s.ptr[i++] - '0');
		bool pre = i > st, post = false;
		if (i < s.len && s.ptr[i] == '.') {
			i++;
			size_t fs = i;
			while (i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9') {
				scale /= 10;
				v += (s.ptr[i++] - '0') * scale;
			}
			post = i > fs;
		}
		if (!pre && !post)
			return false;
		size_t us = i;
		while (i < s.len && s.ptr[i] != '.' && !(s.ptr[i] >= '0' && s.ptr[i] <= '9'))
			i++;
		if (us == i)
			return false;
		size_t k = 0;
		for (; k < sizeof units / sizeof *units; k++)
			if (strlen(units[k].u) == i - us && !memcmp(units[k].u, s.ptr + us, i - us))
				break;
		if (k == sizeof units / sizeof *units)
			return false;
		total += v * (long double)units[k].ns;
		if (total > 9223372036854775807.0L)
			return false;
	}
	*out = (int64_t)(neg ? -total : total);
	return true;
}

KF_SPRIG_FN(date_modify)
{
	kf_str f;
	gotime t;
	if (!kf_sprig_arg_str(c, args, 0, &f) || !arg_time(c, args, 1, &t))
		return false;
	int64_t d;
	if (!parse_duration(f, &d)) {
		if (!strncmp(kf_tmpl_call_name(c), "must", 4))
			return kf_tmpl_call_fail(c, "time: invalid duration \"%.*s\"", (int)f.len, f.ptr);
		*out = args[1];
		return true;
	}
	int64_t ns = (int64_t)t.nsec + d % NS_PER_SEC;
	t.sec += d / NS_PER_SEC + floor_div(ns, NS_PER_SEC);
	t.nsec = (int32_t)(ns - floor_div(ns, NS_PER_SEC) * NS_PER_SEC);
	*out = time_tv(kf_tmpl_call_arena(c), t);
	return true;
}

/* time.Duration's String */
static void duration_string(kf_buf *b, int64_t d)
{
	char buf[40];
	int w = (int)sizeof buf;
	uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	if (u == 0) {
		kf_buf_adds(b, "0s");
		return;
	}
	int prec;
	const char *unit;
	if (u < 1000000000ULL) {
		if (u < 1000) {
			prec = 0, unit = "ns";
		} else if (u < 1000000) {
			prec = 3, unit = "\xC2\xB5s";
		} else {
			prec = 6, unit = "ms";
		}
	} else {
		prec = 9, unit = "s";
	}
	w -= (int)strlen(unit);
	memcpy(buf + w, unit, strlen(unit));
	/* the fraction, trailing zeros dropped */
	bool print = false;
	for (int i = 0; i < prec; i++) {
		int digit = (int)(u % 10);
		print = print || digit != 0;
		if (print)
			buf[--w] = (char)('0' + digit);
		u /= 10;
	}
	if (print)
		buf[--w] = '.';
	if (prec == 9) {
		uint64_t s = u % 60, m = u / 60 % 60, h = u / 3600;
		do
			buf[--w] = (char)('0' + s % 10);
		while ((s /= 10) > 0);
		if (u >= 60) {
			buf[--w] = 'm';
			do
				buf[--w] = (char)('0' + m % 10);
			while ((m /= 10) > 0);
			if (h > 0) {
				buf[--w] = 'h';
				do
					buf[--w] = (char)('0' + h % 10);
				while ((h /= 10) > 0);
			}
		}
	} else {
		do
			buf[--w] = (char)('0' + u % 10);
		while ((u /= 10) > 0);
	}
	if (d < 0)
		buf[--w] = '-';
	kf_buf_add(b, buf + w, sizeof buf - (size_t)w);
}

/* ago DATE: now minus DATE, rounded to seconds */
KF_SPRIG_FN(ago)
{
	gotime t = time_of(args[0]), now = fixed_now();
	int64_t secs = now.sec - t.sec;
	int64_t ns = (int64_t)now.nsec - t.nsec;
	if (ns >= 500000000)
		secs++;
	else if (ns <= -500000000)
		secs--;
	kf_buf b = KF_BUF_INIT;
	duration_string(&b, (int64_t)((uint64_t)secs * (uint64_t)NS_PER_SEC));
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* duration SECONDS: a string of digits or an int64; anything else is 0 */
KF_SPRIG_FN(duration)
{
	int64_t n = 0;
	if (args[0].kind == KF_TV_STRING) {
		char *end;
		char tmp[32];
		if (args[0].u.s.len < sizeof tmp) {
			memcpy(tmp, args[0].u.s.p, args[0].u.s.len);
			tmp[args[0].u.s.len] = '\0';
			long long v = strtoll(tmp, &end, 10);
			if (*tmp && !*end && tmp[0] != ' ' && tmp[0] != '\t')
				n = v;
		}
	} else if (args[0].kind == KF_TV_INT) {
		n = args[0].u.i;
	}
	kf_buf b = KF_BUF_INIT;
	duration_string(&b, (int64_t)((uint64_t)n * (uint64_t)NS_PER_SEC));
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* durationRound: the largest whole unit, "2h", "3mo", "1y" */
KF_SPRIG_FN(duration_round)
{
	int64_t d = 0;
	if (args[0].kind == KF_TV_STRING) {
		if (!parse_duration(kf_str_make(args[0].u.s.p, args[0].u.s.len), &d))
			d = 0;
	} else if (args[0].kind == KF_TV_INT) {
		d = args[0].u.i;
	} else if (is_time(args[0])) {
		gotime t = *(gotime *)args[0].u.obj->data, now = fixed_now();
		d = (int64_t)((uint64_t)(now.sec - t.sec) * (uint64_t)NS_PER_SEC + (uint64_t)(now.nsec - t.nsec));
	}
	uint64_t u = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	const uint64_t sec = 1000000000ULL, minute = 60 * sec, hour = 60 * minute, day = 24 * hour, month = 30 * day,
		       year = 365 * day;
	char buf[32];
	if (u > year)
		snprintf(buf, sizeof buf, "%lluy", (unsigned long long)(u / year));
	else if (u > month)
		snprintf(buf, sizeof buf, "%llumo", (unsigned long long)(u / month));
	else if (u > day)
		snprintf(buf, sizeof buf, "%llud", (unsigned long long)(u / day));
	else if (u > hour)
		snprintf(buf, sizeof buf, "%lluh", (unsigned long long)(u / hour));
	else if (u > minute)
		snprintf(buf, sizeof buf, "%llum", (unsigned long long)(u / minute));
	else if (u > sec)
		snprintf(buf, sizeof buf, "%llus", (unsigned long long)(u / sec));
	else
		snprintf(buf, sizeof buf, "0s");
	*out = kf_tv_cstr(kf_tmpl_call_arena(c), buf);
	return true;
}
