/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_semver.c - semver and semverCompare, as Masterminds/semver
 * v3.1.1 (what sprig v3.2.2 links) parses versions and constraints.
 *
 * The version and constraint grammars are semver's own regular
 * expressions, run through the same regex engine as regexMatch (so the
 * quirks of its operator alternation and of `[0-9|x|X|\*]` are kept), and
 * each operator is checked as semver checks it: "dirty" constraints
 * (1.x, 1.2, *) and the rule that a prerelease version only satisfies a
 * constraint that has a prerelease itself (so charts write ">=1.16-0").
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/sprig_impl.h"

#define CV_RE                                                                                                          \
	"v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-" \
	"9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
#define OPS_RE "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^"
#define VERSION_RE                                                                                                     \
	"^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-" \
	"Za-z\\-]+)*))?$"

typedef struct version {
	uint64_t major, minor, patch;
	kf_str pre, meta, original;
} version;

typedef struct regexes {
	kf_sprig_re *version, *constraint, *range, *find, *valid;
	void *md; /* the call's own match data */
} regexes;

static kf_sprig_re *re_make(const char *p)
{
	char err[256];
	return kf_sprig_re_compile(p, strlen(p), err, sizeof err);
}

/* compiled once for the process (semverCompare is called hundreds of
 * times a chart); each call matches with match data of its own */
static regexes shared;
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;

static void shared_init(void)
{
	shared.version = re_make(VERSION_RE);
	shared.constraint = re_make("^\\s*(" OPS_RE ")\\s*(" CV_RE ")\\s*$");
	shared.range = re_make("\\s*(" CV_RE ")\\s+-\\s+(" CV_RE ")\\s*");
	shared.find = re_make("(" OPS_RE ")\\s*(" CV_RE ")");
	shared.valid = re_make("^(\\s*(" OPS_RE ")\\s*(" CV_RE ")\\s*\\,?)+$");
}

static bool regexes_init(regexes *r)
{
	pthread_once(&shared_once, shared_init);
	*r = shared;
	r->md = kf_sprig_re_md_new();
	return r->version && r->constraint && r->range && r->find && r->valid && r->md;
}

static void regexes_release(regexes *r)
{
	kf_sprig_re_md_free(r->md);
}

#define MATCH(r, re, s, n, start, ov, pairs) kf_sprig_re_match_md((r)->re, (r)->md, s, n, start, ov, pairs)

static kf_str group(const char *s, const int64_t *ov, int g)
{
	if (ov[2 * g] < 0)
		return kf_str_make(s, 0);
	return kf_str_make(s + ov[2 * g], (size_t)(ov[2 * g + 1] - ov[2 * g]));
}

static bool all_in(kf_str s, const char *set)
{
	for (size_t i = 0; i < s.len; i++)
		if (!s.ptr[i] || !strchr(set, s.ptr[i]))
			return false;
	return true;
}

#define ALNUM "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789"

/* strconv.ParseUint(s, 10, 64) with semver's wrapping of its error */
static bool parse_segment(kf_str s, uint64_t *v, char *err, size_t errlen)
{
	uint64_t x = 0;
	for (size_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned)(s.ptr[i] - '0');
		if (x > (UINT64_MAX - d) / 10) {
			snprintf(err, errlen,
				 "Error parsing version segment: strconv.ParseUint: parsing \"%.*s\": value out of range",
				 (int)s.len, s.ptr);
			return false;
		}
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

/* each dot-separated part: digits without a leading zero, or letters,
 * digits and '-' */
static const char *check_parts(kf_str p, bool pre)
{
	size_t st = 0;
	for (size_t i = 0; i <= p.len; i++) {
		if (i < p.len && p.ptr[i] != '.')
			continue;
		kf_str part = kf_str_make(p.ptr + st, i - st);
		if (pre && all_in(part, "0123456789")) {
			if (part.len > 1 && part.ptr[0] == '0')
				return "Version segment starts with 0";
		} else if (!all_in(part, ALNUM)) {
			return pre ? "Invalid Prerelease string" : "Invalid Metadata string";
		}
		st = i + 1;
	}
	return NULL;
}

/* NewVersion */
static bool new_version(regexes *r, kf_str v, version *out, char *err, size_t errlen)
{
	int64_t ov[20];
	if (MATCH(r, version, v.ptr, v.len, 0, ov, 10) <= 0) {
		snprintf(err, errlen, "Invalid Semantic Version");
		return false;
	}
	memset(out, 0, sizeof *out);
	out->original = v;
	out->pre = group(v.ptr, ov, 5);
	out->meta = group(v.ptr, ov, 8);
	kf_str mi = group(v.ptr, ov, 2), pa = group(v.ptr, ov, 3);
	if (!parse_segment(group(v.ptr, ov, 1), &out->major, err, errlen))
		return false;
	if (mi.len && !parse_segment(kf_str_make(mi.ptr + 1, mi.len - 1), &out->minor, err, errlen))
		return false;
	if (pa.len && !parse_segment(kf_str_make(pa.ptr + 1, pa.len - 1), &out->patch, err, errlen))
		return false;
	const char *why = NULL;
	if (out->pre.len)
		why = check_parts(out->pre, true);
	if (!why && out->meta.len)
		why = check_parts(out->meta, false);
	if (why) {
		snprintf(err, errlen, "%s", why);
		return false;
	}
	return true;
}

static int cmp_u(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static bool parse_u64(kf_str s, uint64_t *v)
{
	if (s.len == 0 || !all_in(s, "0123456789"))
		return false;
	char tmp[32];
	if (s.len >= sizeof tmp)
		return false;
	memcpy(tmp, s.ptr, s.len);
	tmp[s.len] = '\0';
	errno = 0;
	*v = strtoull(tmp, NULL, 10);
	return errno == 0;
}

static int cmp_pre_part(kf_str s, kf_str o)
{
	if (kf_str_eq(s, o))
		return 0;
	if (s.len == 0)
		return -1;
	if (o.len == 0)
		return 1;
	uint64_t si, oi;
	bool sn = parse_u64(s, &si), on = parse_u64(o, &oi);
	if (!sn && !on) {
		size_t n = s.len < o.len ? s.len : o.len;
		int r = memcmp(s.ptr, o.ptr, n);
		if (r == 0)
			r = s.len > o.len ? 1 : -1;
		return r > 0 ? 1 : -1;
	}
	if (!on)
		return -1;
	if (!sn)
		return 1;
	return si > oi ? 1 : -1;
}

static kf_str nth_part(kf_str s, size_t k, size_t *count)
{
	size_t st = 0, idx = 0;
	kf_str r = kf_str_make(s.ptr, 0);
	*count = 1;
	for (size_t i = 0; i <= s.len; i++) {
		if (i < s.len && s.ptr[i] != '.')
			continue;
		if (idx == k)
			r = kf_str_make(s.ptr + st, i - st);
		idx++;
		st = i + 1;
	}
	*count = idx;
	return r;
}

static int cmp_pre(kf_str a, kf_str b)
{
	size_t na, nb;
	nth_part(a, 0, &na);
	nth_part(b, 0, &nb);
	size_t l = na > nb ? na : nb;
	for (size_t i = 0; i < l; i++) {
		size_t dummy;
		kf_str x = i < na ? nth_part(a, i, &dummy) : kf_str_make(a.ptr, 0);
		kf_str y = i < nb ? nth_part(b, i, &dummy) : kf_str_make(b.ptr, 0);
		int d = cmp_pre_part(x, y);
		if (d)
			return d;
	}
	return 0;
}

static int vcmp(const version *v, const version *o)
{
	int d;
	if ((d = cmp_u(v->major, o->major)) || (d = cmp_u(v->minor, o->minor)) || (d = cmp_u(v->patch, o->patch)))
		return d;
	if (!v->pre.len && !o->pre.len)
		return 0;
	if (!v->pre.len)
		return 1;
	if (!o->pre.len)
		return -1;
	return cmp_pre(v->pre, o->pre);
}

typedef struct constraint {
	version con;
	kf_str op;
	bool dirty, minor_dirty, patch_dirty;
	char verbuf[160];
} constraint;

static bool is_x(kf_str s)
{
	return kf_str_eq_cstr(s, "x") || kf_str_eq_cstr(s, "X") || kf_str_eq_cstr(s, "*");
}

static bool parse_constraint(regexes *r, kf_str c, constraint *k, char *err, size_t errlen)
{
	int64_t ov[40];
	memset(k, 0, sizeof *k);
	if (MATCH(r, constraint, c.ptr, c.len, 0, ov, 20) <= 0) {
		snprintf(err, errlen, "improper constraint: %.*s", (int)c.len, c.ptr);
		return false;
	}
	k->op = group(c.ptr, ov, 1);
	kf_str ver = group(c.ptr, ov, 2), m3 = group(c.ptr, ov, 3), m4 = group(c.ptr, ov, 4), m5 = group(c.ptr, ov, 5),
	       m6 = group(c.ptr, ov, 6);
	kf_str m4t = m4.len ? kf_str_make(m4.ptr + 1, m4.len - 1) : m4;
	kf_str m5t = m5.len ? kf_str_make(m5.ptr + 1, m5.len - 1) : m5;
	int n = -1;
	if (is_x(m3) || m3.len == 0) {
		n = snprintf(k->verbuf, sizeof k->verbuf, "0.0.0");
		k->dirty = true;
	} else if (is_x(m4t) || m4.len == 0) {
		k->minor_dirty = k->dirty = true;
		n = snprintf(k->verbuf, sizeof k->verbuf, "%.*s.0.0%.*s", (int)m3.len, m3.ptr, (int)m6.len, m6.ptr);
	} else if (is_x(m5t) || m5.len == 0) {
		k->dirty = k->patch_dirty = true;
		n = snprintf(k->verbuf, sizeof k->verbuf, "%.*s%.*s.0%.*s", (int)m3.len, m3.ptr, (int)m4.len, m4.ptr,
			     (int)m6.len, m6.ptr);
	}
	if (n >= 0) {
		if ((size_t)n >= sizeof k->verbuf) {
			snprintf(err, errlen, "constraint Parser Error");
			return false;
		}
		ver = kf_str_make(k->verbuf, (size_t)n);
	}
	char why[256];
	if (!new_version(r, ver, &k->con, why, sizeof why)) {
		snprintf(err, errlen, "constraint Parser Error");
		return false;
	}
	/* the constraint's original text, for messages: m[2] */
	k->con.original = group(c.ptr, ov, 2);
	return true;
}

/* the operators; false when v does not satisfy */
static bool check(const constraint *k, const version *v)
{
	const version *c = &k->con;
	kf_str op = k->op;
	bool pre_refused = v->pre.len && !c->pre.len;
	if (kf_str_eq_cstr(op, "!=")) {
		if (k->dirty) {
			if (pre_refused)
				return false;
			if (c->major != v->major)
				return true;
			if (c->minor != v->minor && !k->minor_dirty)
				return true;
			if (k->minor_dirty)
				return false;
			if (c->patch != v->patch && !k->patch_dirty)
				return true;
			if (k->patch_dirty) {
				if (v->pre.len || c->pre.len)
					return cmp_pre(v->pre, c->pre) != 0;
				return false;
			}
		}
		return vcmp(v, c) != 0;
	}
	if (pre_refused)
		return false;
	bool tilde = kf_str_eq_cstr(op, "~") || kf_str_eq_cstr(op, "~>");
	if (op.len == 0 || kf_str_eq_cstr(op, "=")) {
		if (!k->dirty)
			return vcmp(v, c) == 0;
		tilde = true;
	}
	if (tilde) {
		if (vcmp(v, c) < 0)
			return false;
		if (c->major == 0 && c->minor == 0 && c->patch == 0 && !k->minor_dirty && !k->patch_dirty)
			return true;
		if (v->major != c->major)
			return false;
		if (v->minor != c->minor && !k->minor_dirty)
			return false;
		return true;
	}
	if (kf_str_eq_cstr(op, ">")) {
		if (!k->dirty)
			return vcmp(v, c) == 1;
		if (v->major > c->major)
			return true;
		if (v->major < c->major || k->minor_dirty)
			return false;
		if (k->patch_dirty)
			return v->minor > c->minor;
		return vcmp(v, c) == 1;
	}
	if (kf_str_eq_cstr(op, "<"))
		return vcmp(v, c) < 0;
	if (kf_str_eq_cstr(op, ">=") || kf_str_eq_cstr(op, "=>"))
		return vcmp(v, c) >= 0;
	if (kf_str_eq_cstr(op, "<=") || kf_str_eq_cstr(op, "=<")) {
		if (!k->dirty)
			return vcmp(v, c) <= 0;
		if (v->major > c->major)
			return false;
		if (v->major == c->major && v->minor > c->minor && !k->minor_dirty)
			return false;
		return true;
	}
	if (kf_str_eq_cstr(op, "^")) {
		if (vcmp(v, c) < 0)
			return false;
		if (c->major > 0 || k->minor_dirty)
			return v->major == c->major;
		if (c->major == 0 && v->major > 0)
			return false;
		if (c->minor > 0 || k->patch_dirty)
			return v->minor == c->minor;
		return c->patch == v->patch;
	}
	return false;
}

/* rewriteRange: "1.2 - 1.4" becomes ">= 1.2, <= 1.4" */
static void rewrite_range(regexes *r, kf_str in, kf_buf *o)
{
	int64_t ov[44];
	kf_buf_addstr(o, in);
	/* every match in the original text, each replaced at its first
	 * occurrence in the text as rewritten so far */
	size_t pos = 0;
	while (pos <= in.len) {
		int rc = MATCH(r, range, in.ptr, in.len, pos, ov, 22);
		if (rc <= 0)
			break;
		kf_str all = group(in.ptr, ov, 0), a = group(in.ptr, ov, 1), b = group(in.ptr, ov, 11);
		kf_buf t = KF_BUF_INIT;
		kf_buf_printf(&t, ">= %.*s, <= %.*s", (int)a.len, a.ptr, (int)b.len, b.ptr);
		const char *at = all.len ? memmem(o->ptr, o->len, all.ptr, all.len) : o->ptr;
		if (at) {
			size_t off = (size_t)(at - o->ptr);
			kf_buf n = KF_BUF_INIT;
			kf_buf_add(&n, o->ptr, off);
			kf_buf_add(&n, t.ptr, t.len);
			kf_buf_add(&n, o->ptr + off + all.len, o->len - off - all.len);
			kf_buf_release(o);
			*o = n;
		}
		kf_buf_release(&t);
		pos = (size_t)ov[1] > pos ? (size_t)ov[1] : pos + 1;
	}
}

/* NewConstraint(c).Check(v); v NULL: only NewConstraint */
static bool constraint_check(regexes *r, kf_str cs, const version *v, bool *ok, char *err, size_t errlen)
{
	kf_buf text = KF_BUF_INIT;
	rewrite_range(r, cs, &text);
	const char *p = text.ptr ? text.ptr : "";
	size_t n = text.len;
	bool any = false, good = true;
	/* every "||" part must parse before any is checked */
	for (int pass = 0; pass < (v ? 2 : 1) && good; pass++) {
		size_t st = 0;
		for (size_t i = 0; i <= n && good; i++) {
			if (i < n && !(p[i] == '|' && i + 1 < n && p[i + 1] == '|'))
				continue;
			kf_str part = kf_str_make(p + st, i - st);
			st = i + 2;
			int64_t ov[40];
			if (MATCH(r, valid, part.ptr, part.len, 0, ov, 1) <= 0) {
				snprintf(err, errlen, "improper constraint: %.*s", (int)part.len, part.ptr);
				good = false;
				break;
			}
			bool joy = true;
			size_t pos = 0;
			int found = 0;
			while (pos <= part.len) {
				int rc = MATCH(r, find, part.ptr, part.len, pos, ov, 1);
				if (rc <= 0)
					break;
				kf_str one = group(part.ptr, ov, 0);
				constraint k;
				if (!parse_constraint(r, one, &k, err, errlen)) {
					good = false;
					break;
				}
				if (pass == 1 && joy && !check(&k, v))
					joy = false;
				found++;
				pos = (size_t)ov[1] > pos ? (size_t)ov[1] : pos + 1;
			}
			if (!good)
				break;
			if (found == 0) {
				constraint k;
				if (!parse_constraint(r, part, &k, err, errlen)) {
					good = false;
					break;
				}
				if (pass == 1 && !check(&k, v))
					joy = false;
			}
			if (pass == 1 && joy)
				any = true;
			i++;
		}
	}
	kf_buf_release(&text);
	*ok = any;
	return good;
}

KF_SPRIG_FN(semver_compare)
{
	kf_str cs, vs;
	if (!kf_sprig_arg_str(c, args, 0, &cs) || !kf_sprig_arg_str(c, args, 1, &vs))
		return false;
	regexes r;
	if (!regexes_init(&r)) {
		regexes_release(&r);
		return kf_tmpl_call_fail(c, "semver's expressions did not compile");
	}
	char err[600];
	bool ok = false;
	version v;
	bool good = constraint_check(&r, cs, NULL, &ok, err, sizeof err);
	/* as sprig: the constraint is parsed, then the version, then checked */
	if (good) {
		good = new_version(&r, vs, &v, err, sizeof err);
		if (good)
			good = constraint_check(&r, cs, &v, &ok, err, sizeof err);
	}
	regexes_release(&r);
	if (!good)
		return kf_tmpl_call_fail(c, "%s", err);
	*out = kf_tv_bool(ok);
	return true;
}

/* ---- the *semver.Version object ------------------------------------------------------------------ */

static void version_string(const version *v, kf_buf *b)
{
	kf_buf_printf(b, "%llu.%llu.%llu", (unsigned long long)v->major, (unsigned long long)v->minor,
		      (unsigned long long)v->patch);
	if (v->pre.len)
		kf_buf_printf(b, "-%.*s", (int)v->pre.len, v->pre.ptr);
	if (v->meta.len)
		kf_buf_printf(b, "+%.*s", (int)v->meta.len, v->meta.ptr);
}

static void version_print(kf_tv_object *self, kf_buf *out)
{
	version_string(self->data, out);
}

static int version_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a,
		       kf_tv *out, kf_buf *err);

static const kf_tv_class version_class = {"*semver.Version", version_get, version_print, NULL};

static int version_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a,
		       kf_tv *out, kf_buf *err)
{
	const version *v = self->data;
	static const char *const noarg[] = {"Major", "Minor", "Patch", "Prerelease", "Metadata", "Original", "String"};
	static const char *const onearg[] = {"Compare", "LessThan", "GreaterThan", "Equal"};
	for (size_t i = 0; i < sizeof noarg / sizeof *noarg; i++) {
		if (strcmp(name, noarg[i]))
			continue;
		if (nargs) {
			kf_buf_printf(err, "wrong number of args for %s: want 0 got %zu", name, nargs);
			return -1;
		}
		switch (i) {
		case 0: *out = kf_tv_int((int64_t)v->major); break;
		case 1: *out = kf_tv_int((int64_t)v->minor); break;
		case 2: *out = kf_tv_int((int64_t)v->patch); break;
		case 3: *out = kf_tv_str(a, v->pre.ptr, v->pre.len); break;
		case 4: *out = kf_tv_str(a, v->meta.ptr, v->meta.len); break;
		case 5: *out = kf_tv_str(a, v->original.ptr, v->original.len); break;
		default: {
			kf_buf b = KF_BUF_INIT;
			version_string(v, &b);
			*out = kf_tv_str(a, b.ptr, b.len);
			kf_buf_release(&b);
		}
		}
		return 1;
	}
	for (size_t i = 0; i < sizeof onearg / sizeof *onearg; i++) {
		if (strcmp(name, onearg[i]))
			continue;
		if (nargs != 1) {
			kf_buf_printf(err, "wrong number of args for %s: want 1 got %zu", name, nargs);
			return -1;
		}
		if (args[0].kind != KF_TV_OBJECT || args[0].u.obj->cls != &version_class) {
			kf_buf_printf(err, "wrong type for value; expected *semver.Version; got %s", kf_tv_type_name(args[0]));
			return -1;
		}
		int d = vcmp(v, args[0].u.obj->data);
		*out = i == 0 ? kf_tv_int(d) : kf_tv_bool(i == 1 ? d < 0 : i == 2 ? d > 0 : d == 0);
		return 1;
	}
	return 0;
}

KF_SPRIG_FN(semver)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	regexes r;
	if (!regexes_init(&r)) {
		regexes_release(&r);
		return kf_tmpl_call_fail(c, "semver's expressions did not compile");
	}
	char err[300];
	version *v = KF_ARENA_NEW(a, version);
	bool ok = new_version(&r, s, v, err, sizeof err);
	regexes_release(&r);
	if (!ok)
		return kf_tmpl_call_fail(c, "%s", err);
	*out = kf_tv_new_object(a, &version_class, v);
	return true;
}
