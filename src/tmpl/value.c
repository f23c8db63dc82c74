/* SPDX-License-Identifier: Apache-2.0 */
/* value.c - the values of a template (value.h): making, reading, printing
 * as Go's fmt does, and YAML and JSON as helm reads and writes them.
 *
 * Maps are arrays of pairs sorted by key: a look-up is a binary search,
 * and a map decoded from YAML or JSON is sorted once at the end (not
 * kept sorted pair by pair), so a map of many keys stays cheap to make.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/err.h"
#include "syntax/yamlload.h"
#include "tmpl/tmplint.h"
#include "tmpl/value.h"

/* How deep and how long a value is walked for printing, comparing,
 * copying and writing as YAML or JSON. */
#define KF_TV_MAX_DEPTH 1000
#define KF_TV_MAX_TEXT ((size_t)64 << 20)

/* ---- making values -------------------------------------------------------------------- */

kf_tv kf_tv_str(kf_arena *a, const char *p, size_t len)
{
	return kf_tv_str_owned(kf_arena_strndup(a, p ? p : "", len), len);
}

kf_tv kf_tv_cstr(kf_arena *a, const char *s)
{
	return kf_tv_str(a, s, strlen(s));
}

kf_tv kf_tv_str_owned(const char *p, size_t len)
{
	kf_tv v = {.kind = KF_TV_STRING};
	v.u.s.p = p;
	v.u.s.len = len;
	return v;
}

kf_tv kf_tv_new_list(kf_arena *a, size_t cap)
{
	kf_tv v = {.kind = KF_TV_LIST};
	v.u.list = KF_ARENA_NEW(a, kf_tv_list);
	if (cap) {
		v.u.list->items = KF_ARENA_ARRAY(a, kf_tv, cap);
		v.u.list->cap = cap;
	}
	return v;
}

kf_tv kf_tv_new_map(kf_arena *a)
{
	kf_tv v = {.kind = KF_TV_MAP};
	v.u.map = KF_ARENA_NEW(a, kf_tv_map);
	return v;
}

kf_tv kf_tv_new_object(kf_arena *a, const kf_tv_class *cls, void *data)
{
	kf_tv v = {.kind = KF_TV_OBJECT};
	v.u.obj = KF_ARENA_NEW(a, kf_tv_object);
	v.u.obj->cls = cls;
	v.u.obj->data = data;
	return v;
}

void kf_tv_list_push(kf_arena *a, kf_tv_list *l, kf_tv v)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		kf_tv *items = KF_ARENA_ARRAY(a, kf_tv, cap);
		if (l->len)
			memcpy(items, l->items, l->len * sizeof *items);
		l->items = items;
		l->cap = cap;
	}
	l->items[l->len++] = v;
}

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* the index of key, or of where it would go (*found false) */
static size_t map_find(const kf_tv_map *m, const char *key, size_t klen, bool *found)
{
	size_t lo = 0, hi = m->len;
	*found = false;
	/* appending in order is the common case */
	if (hi && key_cmp(m->pairs[hi - 1].key, m->pairs[hi - 1].klen, key, klen) < 0)
		return hi;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(m->pairs[mid].key, m->pairs[mid].klen, key, klen);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

kf_tv *kf_tv_map_get(const kf_tv_map *m, const char *key, size_t klen)
{
	bool found;
	size_t i = map_find(m, key, klen, &found);
	return found ? &m->pairs[i].val : NULL;
}

static void map_reserve(kf_arena *a, kf_tv_map *m, size_t n)
{
	if (m->len + n <= m->cap)
		return;
	size_t cap = m->cap ? m->cap * 2 : 4;
	while (cap < m->len + n)
		cap *= 2;
	kf_tv_pair *p = KF_ARENA_ARRAY(a, kf_tv_pair, cap);
	if (m->len)
		memcpy(p, m->pairs, m->len * sizeof *p);
	m->pairs = p;
	m->cap = cap;
}

_Thread_local uint64_t kf_tv_moved;

kf_tv kf_tv_map_view(kf_arena *a, kf_tv v)
{
	if (v.kind == KF_TV_OBJECT && v.u.obj->cls->as_map)
		return v.u.obj->cls->as_map(v.u.obj, a);
	return v;
}

void kf_tv_map_set(kf_arena *a, kf_tv_map *m, const char *key, size_t klen, kf_tv v)
{
	bool found;
	size_t i = map_find(m, key, klen, &found);
	if (found) {
		m->pairs[i].val = v;
		return;
	}
	map_reserve(a, m, 1);
	kf_tv_moved += m->len - i;
	memmove(&m->pairs[i + 1], &m->pairs[i], (m->len - i) * sizeof *m->pairs);
	m->pairs[i].key = kf_arena_strndup(a, key, klen);
	m->pairs[i].klen = klen;
	m->pairs[i].val = v;
	m->len++;
}

bool kf_tv_map_del(kf_tv_map *m, const char *key, size_t klen)
{
	bool found;
	size_t i = map_find(m, key, klen, &found);
	if (!found)
		return false;
	kf_tv_moved += m->len - i - 1;
	memmove(&m->pairs[i], &m->pairs[i + 1], (m->len - i - 1) * sizeof *m->pairs);
	m->len--;
	return true;
}

/* Pairs appended unsorted (keys already in the arena) are sorted once; of
 * equal keys the last appended wins, as a later key does in Go. */
static void map_append_raw(kf_arena *a, kf_tv_map *m, const char *key, size_t klen, kf_tv v)
{
	map_reserve(a, m, 1);
	m->pairs[m->len++] = (kf_tv_pair){key, klen, v};
}

static int pair_cmp(const void *x, const void *y)
{
	const kf_tv_pair *a = x, *b = y;
	return key_cmp(a->key, a->klen, b->key, b->klen);
}

typedef struct seq_pair {
	kf_tv_pair p;
	size_t seq;
} seq_pair;

static int seq_pair_cmp(const void *x, const void *y)
{
	const seq_pair *a = x, *b = y;
	int c = pair_cmp(&a->p, &b->p);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void map_finish(kf_tv_map *m)
{
	if (m->len < 2)
		return;
	bool sorted = true;
	for (size_t i = 1; i < m->len && sorted; i++)
		sorted = pair_cmp(&m->pairs[i - 1], &m->pairs[i]) < 0;
	if (sorted)
		return;
	seq_pair *tmp = kf_xmalloc(m->len * sizeof *tmp);
	for (size_t i = 0; i < m->len; i++)
		tmp[i] = (seq_pair){m->pairs[i], i};
	qsort(tmp, m->len, sizeof *tmp, seq_pair_cmp);
	size_t n = 0;
	for (size_t i = 0; i < m->len; i++) {
		if (n && pair_cmp(&m->pairs[n - 1], &tmp[i].p) == 0)
			m->pairs[n - 1] = tmp[i].p;
		else
			m->pairs[n++] = tmp[i].p;
	}
	m->len = n;
	free(tmp);
}

static kf_tv copy_rec(kf_arena *a, kf_tv v, int depth)
{
	if (depth > KF_TV_MAX_DEPTH)
		return v; /* a value that holds itself: shared from here */
	if (v.kind == KF_TV_LIST) {
		kf_tv r = kf_tv_new_list(a, v.u.list->len);
		for (size_t i = 0; i < v.u.list->len; i++)
			r.u.list->items[i] = copy_rec(a, v.u.list->items[i], depth + 1);
		r.u.list->len = v.u.list->len;
		return r;
	}
	if (v.kind == KF_TV_MAP) {
		kf_tv r = kf_tv_new_map(a);
		kf_tv_map *m = r.u.map;
		if (v.u.map->len) {
			m->pairs = KF_ARENA_ARRAY(a, kf_tv_pair, v.u.map->len);
			m->cap = v.u.map->len;
		}
		for (size_t i = 0; i < v.u.map->len; i++) {
			m->pairs[i] = v.u.map->pairs[i];
			m->pairs[i].val = copy_rec(a, v.u.map->pairs[i].val, depth + 1);
		}
		m->len = v.u.map->len;
		return r;
	}
	return v;
}

kf_tv kf_tv_deep_copy(kf_arena *a, kf_tv v)
{
	return copy_rec(a, v, 0);
}

/* ---- reading values ------------------------------------------------------------------- */

bool kf_tv_truth(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_NIL:
		return false;
	case KF_TV_BOOL:
		return v.u.b;
	case KF_TV_INT:
		return v.u.i != 0;
	case KF_TV_FLOAT:
		return v.u.f != 0;
	case KF_TV_STRING:
		return v.u.s.len > 0;
	case KF_TV_LIST:
		return v.u.list->len > 0;
	case KF_TV_MAP:
		return v.u.map->len > 0;
	case KF_TV_OBJECT:
		return true;
	}
	return false;
}

const char *kf_tv_type_name(kf_tv v)
{
	switch (v.kind) {
	case KF_TV_NIL:
		return "<nil>";
	case KF_TV_BOOL:
		return "bool";
	case KF_TV_INT:
		return "int";
	case KF_TV_FLOAT:
		return "float64";
	case KF_TV_STRING:
		return "string";
	case KF_TV_LIST:
		return "[]interface {}";
	case KF_TV_MAP:
		return "map[string]interface {}";
	case KF_TV_OBJECT:
		return v.u.obj->cls && v.u.obj->cls->type_name ? v.u.obj->cls->type_name : "struct {}";
	}
	return "<nil>";
}

static bool equal_rec(kf_tv a, kf_tv b, int depth)
{
	if (a.kind != b.kind || depth > KF_TV_MAX_DEPTH)
		return false;
	switch (a.kind) {
	case KF_TV_NIL:
		return true;
	case KF_TV_BOOL:
		return a.u.b == b.u.b;
	case KF_TV_INT:
		return a.u.i == b.u.i;
	case KF_TV_FLOAT:
		return a.u.f == b.u.f;
	case KF_TV_STRING:
		return a.u.s.len == b.u.s.len && memcmp(a.u.s.p, b.u.s.p, a.u.s.len) == 0;
	case KF_TV_LIST:
		if (a.u.list == b.u.list)
			return true;
		if (a.u.list->len != b.u.list->len)
			return false;
		for (size_t i = 0; i < a.u.list->len; i++)
			if (!equal_rec(a.u.list->items[i], b.u.list->items[i], depth + 1))
				return false;
		return true;
	case KF_TV_MAP:
		if (a.u.map == b.u.map)
			return true;
		if (a.u.map->len != b.u.map->len)
			return false;
		for (size_t i = 0; i < a.u.map->len; i++) {
			const kf_tv_pair *x = &a.u.map->pairs[i], *y = &b.u.map->pairs[i];
			if (x->klen != y->klen || memcmp(x->key, y->key, x->klen) != 0 || !equal_rec(x->val, y->val, depth + 1))
				return false;
		}
		return true;
	case KF_TV_OBJECT:
		return a.u.obj == b.u.obj || (a.u.obj->cls == b.u.obj->cls && a.u.obj->data == b.u.obj->data);
	}
	return false;
}

bool kf_tv_equal(kf_tv a, kf_tv b)
{
	return equal_rec(a, b, 0);
}

/* ---- Go's float formatting ------------------------------------------------------------- */

/* The shortest decimal digits that read back as f (strconv's shortest):
 * digits without a point in d (NUL-terminated), and the decimal exponent
 * dp such that f = 0.d × 10^dp. bits 32 reads back as a float. */
static void shortest(double f, int bits, char *d, int *dp)
{
	char tmp[40];
	f = fabs(f);
	if (f == 0) {
		strcpy(d, "0");
		*dp = 1;
		return;
	}
	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec, f);
		bool same = bits == 32 ? strtof(tmp, NULL) == (float)f : strtod(tmp, NULL) == f;
		if (same || prec == 16)
			break;
	}
	/* tmp is "D.DDDDe±XX" */
	size_t n = 0;
	const char *p = tmp;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			d[n++] = *p;
	while (n > 1 && d[n - 1] == '0')
		n--;
	d[n] = '\0';
	*dp = atoi(p + 1) + 1;
}

static void add_exp(kf_buf *out, int exp, int mindigits)
{
	kf_buf_addc(out, 'e');
	kf_buf_addc(out, exp < 0 ? '-' : '+');
	kf_buf_printf(out, "%0*d", mindigits, exp < 0 ? -exp : exp);
}

/* strconv.FormatFloat(f, fmt, -1, bits) for fmt 'g', 'e' or 'f' */
static void format_float(kf_buf *out, double f, char fmt, int bits)
{
	if (isnan(f)) {
		kf_buf_adds(out, "NaN");
		return;
	}
	if (isinf(f)) {
		kf_buf_adds(out, f > 0 ? "+Inf" : "-Inf");
		return;
	}
	char d[40];
	int dp;
	shortest(f, bits, d, &dp);
	int nd = (int)strlen(d);
	if (signbit(f))
		kf_buf_addc(out, '-');
	if (fmt == 'g') {
		/* strconv: shortest 'g' switches to %e below 1e-4 and from 1e+06 */
		int exp = dp - 1;
		fmt = (exp < -4 || exp >= 6) ? 'e' : 'f';
	}
	if (fmt == 'e') {
		kf_buf_addc(out, d[0]);
		if (nd > 1) {
			kf_buf_addc(out, '.');
			kf_buf_add(out, d + 1, (size_t)nd - 1);
		}
		add_exp(out, dp - 1, 2);
		return;
	}
	/* 'f' */
	if (dp <= 0) {
		kf_buf_adds(out, "0.");
		for (int i = 0; i < -dp; i++)
			kf_buf_addc(out, '0');
		kf_buf_add(out, d, (size_t)nd);
	} else if (dp >= nd) {
		kf_buf_add(out, d, (size_t)nd);
		for (int i = nd; i < dp; i++)
			kf_buf_addc(out, '0');
	} else {
		kf_buf_add(out, d, (size_t)dp);
		kf_buf_addc(out, '.');
		kf_buf_add(out, d + dp, (size_t)(nd - dp));
	}
}

void kf_tv_format_float(kf_buf *out, double f, char fmt, int bits)
{
	format_float(out, f, fmt, bits);
}

static void print_rec(kf_buf *out, kf_tv v, int depth, size_t start)
{
	/* values made by functions can share (a list of one list twice,
	 * sixty times over) or hold themselves (set $d "d" $d): stop */
	if (depth > KF_TV_MAX_DEPTH || out->len - start > KF_TV_MAX_TEXT) {
		kf_buf_adds(out, "...");
		return;
	}
	switch (v.kind) {
	case KF_TV_NIL:
		kf_buf_adds(out, "<nil>");
		return;
	case KF_TV_BOOL:
		kf_buf_adds(out, v.u.b ? "true" : "false");
		return;
	case KF_TV_INT:
		kf_buf_printf(out, "%lld", (long long)v.u.i);
		return;
	case KF_TV_FLOAT:
		format_float(out, v.u.f, 'g', 64);
		return;
	case KF_TV_STRING:
		kf_buf_add(out, v.u.s.p, v.u.s.len);
		return;
	case KF_TV_LIST:
		kf_buf_addc(out, '[');
		for (size_t i = 0; i < v.u.list->len; i++) {
			if (i)
				kf_buf_addc(out, ' ');
			print_rec(out, v.u.list->items[i], depth + 1, start);
		}
		kf_buf_addc(out, ']');
		return;
	case KF_TV_MAP:
		kf_buf_adds(out, "map[");
		for (size_t i = 0; i < v.u.map->len; i++) {
			if (i)
				kf_buf_addc(out, ' ');
			kf_buf_add(out, v.u.map->pairs[i].key, v.u.map->pairs[i].klen);
			kf_buf_addc(out, ':');
			print_rec(out, v.u.map->pairs[i].val, depth + 1, start);
		}
		kf_buf_addc(out, ']');
		return;
	case KF_TV_OBJECT:
		if (v.u.obj->cls && v.u.obj->cls->print) {
			v.u.obj->cls->print(v.u.obj, out);
		} else {
			kf_buf_addc(out, '{');
			kf_buf_adds(out, kf_tv_type_name(v));
			kf_buf_addc(out, '}');
		}
		return;
	}
}

void kf_tv_print(kf_buf *out, kf_tv v)
{
	print_rec(out, v, 0, out->len);
}

/* ---- YAML in: go-yaml v2's resolution, then JSON's types ----------------------------------- */

typedef struct yin {
	kf_arena *a;
	yaml_document_t *doc;
	uint64_t budget; /* values that may still be made (aliases make many) */
	const char *err;
	yaml_mark_t errmark;
	char errbuf[256];
} yin;

typedef enum rkind { R_STR, R_NULL, R_BOOL, R_INT, R_FLOAT, R_MERGE, R_TIME } rkind;

typedef struct resolved {
	rkind kind;
	bool b;
	double f;
} resolved;

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* go-yaml's parseTimestamp: YYYY-M-D, optionally with a time */
static bool yaml_timestamp(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i != 4 || i == n || s[i] != '-')
		return false;
	i++;
	size_t st = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i - st < 1 || i - st > 2 || i == n || s[i] != '-')
		return false;
	i++;
	st = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i - st < 1 || i - st > 2)
		return false;
	if (i == n)
		return true;
	if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
		return false;
	i++;
	/* h:m:s, each 1-2 digits */
	for (int part = 0; part < 3; part++) {
		st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i - st < 1 || i - st > 2)
			return false;
		if (part < 2) {
			if (i == n || s[i] != ':')
				return false;
			i++;
		}
	}
	if (i < n && s[i] == '.') {
		i++;
		st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return false;
	}
	if (i == n)
		return true;
	if (s[i - 1] == ' ')
		return false;
	if (s[i] == 'Z' && i + 1 == n)
		return true;
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && all_digits(s + i + 1, 2) && s[i + 3] == ':' &&
	    all_digits(s + i + 4, 2))
		return true;
	return false;
}

/* Go's strconv.ParseInt(s, 0, 64) then ParseUint: into *v (as a double);
 * false when s is no integer */
static bool go_parse_int(const char *s, size_t n, double *v)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '+' || s[i] == '-')) {
		neg = s[i] == '-';
		i++;
	}
	int base = 10;
	if (n - i >= 2 && s[i] == '0') {
		char c = s[i + 1];
		if (c == 'x' || c == 'X')
			base = 16, i += 2;
		else if (c == 'o' || c == 'O')
			base = 8, i += 2;
		else if (c == 'b' || c == 'B')
			base = 2, i += 2;
		else
			base = 8, i += 1;
	}
	if (i >= n)
		return base == 8 && n - (neg || s[0] == '+') == 1 ? (*v = 0, true) : false;
	unsigned __int128 acc = 0;
	for (; i < n; i++) {
		int dv;
		char c = s[i];
		if (c >= '0' && c <= '9')
			dv = c - '0';
		else if (c >= 'a' && c <= 'f')
			dv = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			dv = c - 'A' + 10;
		else
			return false;
		if (dv >= base)
			return false;
		acc = acc * (unsigned)base + (unsigned)dv;
		if (acc > (unsigned __int128)UINT64_MAX)
			return false;
	}
	if (neg) {
		if (acc > (unsigned __int128)INT64_MAX + 1)
			return false;
		*v = -(double)(uint64_t)acc;
		if (acc == 0)
			*v = 0;
	} else {
		*v = (double)(uint64_t)acc;
	}
	return true;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i < n && s[i] == '.') {
		i++;
		size_t st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return false;
	} else {
		size_t st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return false;
		if (i < n && s[i] == '.') {
			i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == st)
			return false;
	}
	return i == n;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool base60_float(const char *s, size_t n)
{
	size_t i = 0;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	if (i >= n || s[i] < '0' || s[i] > '9')
		return false;
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	int groups = 0;
	while (i < n && s[i] == ':') {
		i++;
		size_t st = i;
		while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 2)
			i++;
		size_t k = i - st;
		if (k == 0 || (k == 2 && s[st] > '5'))
			return false;
		groups++;
	}
	if (!groups)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			i++;
	}
	return i == n;
}

static bool str_in(const char *s, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, s, n) == 0)
			return true;
	return false;
}

/* go-yaml v2's resolve of a plain scalar */
static resolved yaml_resolve(const char *s, size_t n)
{
	static const char *const trues[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
					    NULL};
	static const char *const falses[] = {"n",     "N",     "no",  "No",  "NO",  "false",
					     "False", "FALSE", "off", "Off", "OFF", NULL};
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const pinfs[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
	static const char *const ninfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	resolved r = {R_STR, false, 0};
	if (str_in(s, n, trues))
		return (resolved){R_BOOL, true, 0};
	if (str_in(s, n, falses))
		return (resolved){R_BOOL, false, 0};
	if (str_in(s, n, nulls))
		return (resolved){R_NULL, false, 0};
	if (str_in(s, n, nans))
		return (resolved){R_FLOAT, false, NAN};
	if (str_in(s, n, pinfs))
		return (resolved){R_FLOAT, false, INFINITY};
	if (str_in(s, n, ninfs))
		return (resolved){R_FLOAT, false, -INFINITY};
	if (n == 2 && s[0] == '<' && s[1] == '<')
		return (resolved){R_MERGE, false, 0};
	char c = s[0];
	if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))
		return r;
	if (yaml_timestamp(s, n))
		return (resolved){R_TIME, false, 0};
	/* underscores are dropped before the number is read */
	char small[64];
	char *plain = n < sizeof small ? small : kf_xmalloc(n + 1);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '_')
			plain[m++] = s[i];
	plain[m] = '\0';
	double v;
	if (go_parse_int(plain, m, &v)) {
		r = (resolved){R_INT, false, v};
	} else if (yaml_style_float(plain, m)) {
		errno = 0;
		v = strtod(plain, NULL);
		/* Go's ParseFloat fails on overflow (go-yaml then keeps the string) */
		if (!(errno == ERANGE && isinf(v)))
			r = (resolved){R_FLOAT, false, v};
	} else if (m > 2 && plain[0] == '-' && plain[1] == '0' && plain[2] == 'b') {
		/* go-yaml's "-0b…" */
		double bv;
		if (go_parse_int(plain, m, &bv))
			r = (resolved){R_INT, false, bv};
	}
	if (plain != small)
		free(plain);
	return r;
}

static bool yin_fail(yin *y, yaml_node_t *n, const char *msg)
{
	if (!y->err) {
		y->err = msg;
		y->errmark = n ? n->start_mark : (yaml_mark_t){0};
	}
	return false;
}

static bool yin_node(yin *y, yaml_node_t *n, int depth, kf_tv *out);

/* go-yaml v2 reads a merge in order: its keys replace those before it */
static bool yin_merge(yin *y, yaml_node_t *n, kf_tv_map *m, int depth)
{
	if (n->type == YAML_MAPPING_NODE) {
		kf_tv v;
		if (!yin_node(y, n, depth + 1, &v))
			return false;
		for (size_t i = 0; i < v.u.map->len; i++)
			map_append_raw(y->a, m, v.u.map->pairs[i].key, v.u.map->pairs[i].klen, v.u.map->pairs[i].val);
		return true;
	}
	if (n->type == YAML_SEQUENCE_NODE) {
		/* earlier maps take precedence: read from the last */
		for (yaml_node_item_t *it = n->data.sequence.items.top; it > n->data.sequence.items.start;) {
			it--;
			yaml_node_t *c = yaml_document_get_node(y->doc, *it);
			if (!c || c->type != YAML_MAPPING_NODE)
				return yin_fail(y, n, "map merge requires map or sequence of maps as the value");
			if (!yin_merge(y, c, m, depth + 1))
				return false;
		}
		return true;
	}
	return yin_fail(y, n, "map merge requires map or sequence of maps as the value");
}

/* sigs.k8s.io/yaml's key of a non-string key */
static bool yin_key(yin *y, yaml_node_t *k, const char **key, size_t *klen, bool *merge)
{
	*merge = false;
	if (k->type != YAML_SCALAR_NODE)
		return yin_fail(y, k, "invalid map key: a collection cannot be a key");
	const char *s = (const char *)k->data.scalar.value;
	size_t n = k->data.scalar.length;
	bool plain = k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	resolved r = plain ? yaml_resolve(s, n) : (resolved){R_STR, false, 0};
	kf_buf b = KF_BUF_INIT;
	switch (r.kind) {
	case R_MERGE:
		*merge = true;
		return true;
	case R_STR:
	case R_TIME:
		*key = kf_arena_strndup(y->a, s, n);
		*klen = n;
		return true;
	case R_BOOL:
		*key = r.b ? "true" : "false";
		*klen = strlen(*key);
		return true;
	case R_NULL:
		return yin_fail(y, k, "unsupported map key of type: <nil>");
	case R_INT:
		if (r.f >= -9.2e18 && r.f <= 9.2e18)
			kf_buf_printf(&b, "%lld", (long long)r.f);
		else
			kf_buf_printf(&b, "%.0f", r.f);
		break;
	case R_FLOAT:
		if (isnan(r.f))
			kf_buf_adds(&b, ".nan");
		else if (isinf(r.f))
			kf_buf_adds(&b, r.f > 0 ? ".inf" : "-.inf");
		else
			format_float(&b, r.f, 'g', 32);
		break;
	}
	*key = kf_arena_strndup(y->a, b.ptr, b.len);
	*klen = b.len;
	kf_buf_release(&b);
	return true;
}

static bool yin_node(yin *y, yaml_node_t *n, int depth, kf_tv *out)
{
	if (!n)
		return yin_fail(y, NULL, "invalid node");
	if (y->budget == 0)
		return yin_fail(y, n, "document contains excessive aliasing");
	y->budget--;
	if (depth > 10000)
		return yin_fail(y, n, "nested too deeply");
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		const char *tag = (const char *)n->tag;
		resolved r = {R_STR, false, 0};
		if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			r = yaml_resolve(s, len);
			if (tag && strcmp(tag, YAML_STR_TAG) != 0 && strncmp(tag, "tag:yaml.org,2002:", 18) == 0) {
				/* explicit !!null, !!bool, !!int, !!float as resolved */
			}
			if (tag && strcmp(tag, YAML_DEFAULT_SCALAR_TAG) != 0 && strcmp(tag, YAML_NULL_TAG) != 0 &&
			    strcmp(tag, YAML_BOOL_TAG) != 0 && strcmp(tag, YAML_INT_TAG) != 0 &&
			    strcmp(tag, YAML_FLOAT_TAG) != 0 && strncmp(tag, "tag:yaml.org,2002:", 18) == 0)
				r.kind = R_STR;
		} else if (tag && (strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0 ||
				   strcmp(tag, YAML_BOOL_TAG) == 0 || strcmp(tag, YAML_NULL_TAG) == 0)) {
			r = yaml_resolve(s, len);
		}
		switch (r.kind) {
		case R_NULL:
			*out = kf_tv_nil();
			return true;
		case R_BOOL:
			*out = kf_tv_bool(r.b);
			return true;
		case R_INT:
			*out = kf_tv_float(r.f);
			return true;
		case R_FLOAT:
			if (isnan(r.f) || isinf(r.f)) {
				snprintf(y->errbuf, sizeof y->errbuf, "json: unsupported value: %s",
					 isnan(r.f) ? "NaN" : r.f > 0 ? "+Inf" : "-Inf");
				return yin_fail(y, n, y->errbuf);
			}
			*out = kf_tv_float(r.f);
			return true;
		default:
			*out = kf_tv_str(y->a, s, len);
			return true;
		}
	}
	case YAML_SEQUENCE_NODE: {
		size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
		kf_tv l = kf_tv_new_list(y->a, cnt);
		for (size_t i = 0; i < cnt; i++) {
			yaml_node_t *c = yaml_document_get_node(y->doc, n->data.sequence.items.start[i]);
			if (!yin_node(y, c, depth + 1, &l.u.list->items[i]))
				return false;
			l.u.list->len = i + 1;
		}
		*out = l;
		return true;
	}
	case YAML_MAPPING_NODE: {
		kf_tv mv = kf_tv_new_map(y->a);
		kf_tv_map *m = mv.u.map;
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
			yaml_node_t *v = yaml_document_get_node(y->doc, p->value);
			if (!k || !v)
				return yin_fail(y, n, "invalid node");
			const char *key = NULL;
			size_t klen = 0;
			bool merge;
			if (!yin_key(y, k, &key, &klen, &merge))
				return false;
			if (merge) {
				/* pairs so far are unsorted: a merge appends after them */
				if (!yin_merge(y, v, m, depth))
					return false;
				continue;
			}
			kf_tv val;
			if (!yin_node(y, v, depth + 1, &val))
				return false;
			map_append_raw(y->a, m, key, klen, val);
		}
		map_finish(m);
		*out = mv;
		return true;
	}
	default:
		return yin_fail(y, n, "invalid node");
	}
}

/* go: go-yaml's wording ("yaml: line 1: problem"), else "line:col: problem" */
static bool from_yaml(kf_arena *a, const char *text, size_t len, bool all, kf_tv *out, char *msg, size_t msgsize,
		      bool go)
{
	kf_yaml_loader ld;
	kf_yaml_loader_init(&ld, text, len, NULL);
	kf_tv list = kf_tv_new_list(a, 0);
	*out = kf_tv_nil();
	/* values made: the documents' own nodes plus the walkers' budget */
	uint64_t budget = KF_YAML_WALK_EXTRA;
	bool ok = true;
	for (;;) {
		yaml_document_t doc;
		kf_yaml_status r = kf_yaml_load(&ld, &doc);
		if (r == KF_YAML_END)
			break;
		if (r == KF_YAML_ERROR) {
			kf_yaml_error *ye = &ld.error;
			const char *problem = ye->problem ? ye->problem : "out of memory";
			if (go) {
				/* go-yaml names the mark's 0-based line, one more for the scanner's */
				unsigned long line = (unsigned long)ye->mark.line;
				if (ye->kind == KF_YAML_INVALID && ld.parser.error == YAML_SCANNER_ERROR)
					line++;
				if (line)
					snprintf(msg, msgsize, "yaml: line %lu: %s", line, problem);
				else
					snprintf(msg, msgsize, "yaml: %s", problem);
			} else {
				snprintf(msg, msgsize, "%lu:%lu: %s", (unsigned long)ye->mark.line + 1,
					 (unsigned long)ye->mark.column + 1, problem);
			}
			ok = false;
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		yin y = {.a = a, .doc = &doc, .budget = budget + kf_yaml_node_count(&doc)};
		kf_tv v = kf_tv_nil();
		if (root && !yin_node(&y, root, 0, &v)) {
			if (go)
				snprintf(msg, msgsize, "%s%s", strncmp(y.err, "json:", 5) == 0 ? "" : "yaml: ", y.err);
			else
				snprintf(msg, msgsize, "%lu:%lu: %s", (unsigned long)y.errmark.line + 1,
					 (unsigned long)y.errmark.column + 1, y.err);
			yaml_document_delete(&doc);
			ok = false;
			break;
		}
		budget = y.budget > kf_yaml_node_count(&doc) ? y.budget - kf_yaml_node_count(&doc) : 0;
		yaml_document_delete(&doc);
		if (!all) {
			*out = v;
			break;
		}
		kf_tv_list_push(a, list.u.list, v);
	}
	kf_yaml_loader_release(&ld);
	if (ok && all)
		*out = list;
	return ok;
}

bool kf_tv_from_yaml(kf_arena *a, const char *text, size_t len, bool all, kf_tv *out, struct kf_err *e)
{
	char msg[512];
	if (from_yaml(a, text, len, all, out, msg, sizeof msg, false))
		return true;
	return kf_err_set(e, "%s", msg);
}

bool kf_tv_from_yaml_go(kf_arena *a, const char *text, size_t len, kf_tv *out, char *msg, size_t msgsize)
{
	return from_yaml(a, text, len, false, out, msg, msgsize, true);
}

/* ---- YAML out: sigs.k8s.io/yaml's Marshal through go-yaml v2 -------------------------------- */

/* go-yaml v2's key order (sorter.go): letters after other characters,
 * runs of digits compared as numbers */
static uint32_t utf8_at(const char *s, size_t n, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	uint32_t cp;
	size_t k;
	if (c < 0x80) {
		(*i)++;
		return c;
	} else if ((c & 0xe0) == 0xc0) {
		cp = c & 0x1f, k = 1;
	} else if ((c & 0xf0) == 0xe0) {
		cp = c & 0x0f, k = 2;
	} else if ((c & 0xf8) == 0xf0) {
		cp = c & 0x07, k = 3;
	} else {
		(*i)++;
		return 0xfffd;
	}
	if (*i + k >= n) {
		(*i)++;
		return 0xfffd;
	}
	for (size_t j = 1; j <= k; j++) {
		unsigned char d = (unsigned char)s[*i + j];
		if ((d & 0xc0) != 0x80) {
			(*i)++;
			return 0xfffd;
		}
		cp = (cp << 6) | (d & 0x3f);
	}
	*i += k + 1;
	return cp;
}

static uint32_t *runes(const char *s, size_t n, size_t *count)
{
	uint32_t *r = kf_xmalloc((n + 1) * sizeof *r);
	size_t i = 0, c = 0;
	while (i < n)
		r[c++] = utf8_at(s, n, &i);
	*count = c;
	return r;
}

static bool rune_letter(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == 0xaa || c == 0xb5 || c == 0xba ||
	       (c >= 0xc0 && c != 0xd7 && c != 0xf7 && c != 0xfffd);
}

static bool rune_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static bool goyaml_less(const uint32_t *ar, size_t an_, const uint32_t *br, size_t bn_)
{
	for (size_t i = 0; i < an_ && i < bn_; i++) {
		if (ar[i] == br[i])
			continue;
		bool al = rune_letter(ar[i]), bl = rune_letter(br[i]);
		if (al && bl)
			return ar[i] < br[i];
		if (al || bl)
			return bl;
		size_t ai, bi;
		/* int64 in Go, where a long run of digits wraps around */
		uint64_t an = 0, bn = 0;
		if (ar[i] == '0' || br[i] == '0') {
			for (size_t j = i; j-- > 0 && rune_digit(ar[j]);) {
				if (ar[j] != '0') {
					an = 1;
					bn = 1;
					break;
				}
			}
		}
		for (ai = i; ai < an_ && rune_digit(ar[ai]); ai++)
			an = an * 10 + (ar[ai] - '0');
		for (bi = i; bi < bn_ && rune_digit(br[bi]); bi++)
			bn = bn * 10 + (br[bi] - '0');
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (ai != bi)
			return ai < bi;
		return ar[i] < br[i];
	}
	return an_ < bn_;
}

typedef struct ykey {
	const kf_tv_pair *p;
	uint32_t *r;
	size_t n;
} ykey;

static void ykey_sort(ykey *k, size_t n)
{
	/* a merge sort: stable, and needs only "less" */
	if (n < 2)
		return;
	size_t h = n / 2;
	ykey_sort(k, h);
	ykey_sort(k + h, n - h);
	ykey *tmp = kf_xmalloc(n * sizeof *tmp);
	size_t i = 0, j = h, o = 0;
	while (i < h && j < n) {
		if (goyaml_less(k[j].r, k[j].n, k[i].r, k[i].n))
			tmp[o++] = k[j++];
		else
			tmp[o++] = k[i++];
	}
	while (i < h)
		tmp[o++] = k[i++];
	while (j < n)
		tmp[o++] = k[j++];
	memcpy(k, tmp, n * sizeof *tmp);
	free(tmp);
}

typedef struct yout {
	yaml_emitter_t em;
	kf_buf *out;
	const char *err;
	char errbuf[128];
	int depth;
} yout;

static int yout_write(void *data, unsigned char *buffer, size_t size)
{
	kf_buf_add((kf_buf *)data, buffer, size);
	return 1;
}

/* a string as JSON carries it: invalid UTF-8 bytes become U+FFFD */
static char *json_clean(const char *s, size_t n, size_t *outn)
{
	kf_buf b = KF_BUF_INIT;
	size_t i = 0;
	kf_buf_grow(&b, n + 1);
	while (i < n) {
		size_t st = i;
		uint32_t cp = utf8_at(s, n, &i);
		bool bad = cp == 0xfffd && !(i - st == 3 && (unsigned char)s[st] == 0xef);
		/* overlong forms and surrogates are invalid too */
		if (!bad && ((i - st == 2 && cp < 0x80) || (i - st == 3 && cp < 0x800) || (i - st == 4 && cp < 0x10000) ||
			     (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)) {
			bad = true;
			i = st + 1;
		}
		if (bad)
			kf_buf_adds(&b, "\xef\xbf\xbd");
		else
			kf_buf_add(&b, s + st, i - st);
	}
	*outn = b.len;
	return kf_buf_detach(&b, outn);
}

static bool yout_event(yout *y, yaml_event_t *ev)
{
	if (!yaml_emitter_emit(&y->em, ev)) {
		if (!y->err)
			y->err = y->em.problem ? y->em.problem : "emitter error";
		return false;
	}
	return true;
}

static bool yout_scalar(yout *y, const char *s, size_t n, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	if (!yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)YAML_STR_TAG, (yaml_char_t *)s, (int)n, 1, 1, style))
		return y->err = "out of memory", false;
	return yout_event(y, &ev);
}

/* go-yaml v2's stringv: plain when it reads back as the same string, else
 * double-quoted; literal when multi-line (the emitter may still choose
 * another style when the one asked for cannot hold the text) */
static bool yout_string(yout *y, const char *s, size_t n)
{
	size_t cn;
	char *c = json_clean(s, n, &cn);
	resolved r = cn ? yaml_resolve(c, cn) : (resolved){R_NULL, false, 0};
	/* go-yaml writes "<<" plain although it reads it as a merge */
	bool plain = (r.kind == R_STR || r.kind == R_MERGE) && !base60_float(c, cn);
	yaml_scalar_style_t style = memchr(c, '\n', cn) ? YAML_LITERAL_SCALAR_STYLE
				    : plain		  ? YAML_PLAIN_SCALAR_STYLE
							  : YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	bool ok = yout_scalar(y, c, cn, style);
	free(c);
	return ok;
}

static bool yout_value(yout *y, kf_tv v)
{
	if (++y->depth > KF_TV_MAX_DEPTH) {
		y->err = "json: nested too deeply";
		return false;
	}
	if (y->out->len > KF_TV_MAX_TEXT) {
		y->err = "json: value too large";
		return false;
	}
	bool ok = true;
	kf_buf b = KF_BUF_INIT;
	yaml_event_t ev;
	switch (v.kind) {
	case KF_TV_NIL:
		ok = yout_scalar(y, "null", 4, YAML_PLAIN_SCALAR_STYLE);
		break;
	case KF_TV_BOOL:
		ok = yout_scalar(y, v.u.b ? "true" : "false", v.u.b ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
		break;
	case KF_TV_INT:
		kf_buf_printf(&b, "%lld", (long long)v.u.i);
		ok = yout_scalar(y, b.ptr, b.len, YAML_PLAIN_SCALAR_STYLE);
		break;
	case KF_TV_FLOAT: {
		/* JSON writes it (integers without a point), go-yaml reads it back
		 * as an int or a float and writes that */
		double f = v.u.f;
		if (isnan(f) || isinf(f)) {
			snprintf(y->errbuf, sizeof y->errbuf, "json: unsupported value: %s",
				 isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
			y->err = y->errbuf;
			ok = false;
			break;
		}
		double af = fabs(f);
		if (af < 1e21 && f == floor(f) && af < 9.2e18)
			kf_buf_printf(&b, "%lld", (long long)f);
		else if (af < 1e21 && f == floor(f))
			format_float(&b, f, 'f', 64); /* beyond int64: go-yaml reads a uint or a float */
		else
			format_float(&b, f, 'g', 64);
		if (f == floor(f) && af >= 9.2e18 && af < 1e21) {
			/* a float64 that go-yaml reads back as a float: 'g' */
			double back = strtod(b.ptr, NULL);
			if (back > 18446744073709551615.0 || f < 0) {
				kf_buf_reset(&b);
				format_float(&b, f, 'g', 64);
			}
		}
		ok = yout_scalar(y, b.ptr, b.len, YAML_PLAIN_SCALAR_STYLE);
		break;
	}
	case KF_TV_STRING:
		ok = yout_string(y, v.u.s.p, v.u.s.len);
		break;
	case KF_TV_LIST:
		yaml_sequence_start_event_initialize(&ev, NULL, (yaml_char_t *)YAML_SEQ_TAG, 1, YAML_BLOCK_SEQUENCE_STYLE);
		ok = yout_event(y, &ev);
		for (size_t i = 0; ok && i < v.u.list->len; i++)
			ok = yout_value(y, v.u.list->items[i]);
		if (ok) {
			yaml_sequence_end_event_initialize(&ev);
			ok = yout_event(y, &ev);
		}
		break;
	case KF_TV_MAP: {
		size_t n = v.u.map->len;
		ykey *keys = kf_xmalloc((n + 1) * sizeof *keys);
		for (size_t i = 0; i < n; i++) {
			keys[i].p = &v.u.map->pairs[i];
			keys[i].r = runes(keys[i].p->key, keys[i].p->klen, &keys[i].n);
		}
		ykey_sort(keys, n);
		yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)YAML_MAP_TAG, 1, YAML_BLOCK_MAPPING_STYLE);
		ok = yout_event(y, &ev);
		for (size_t i = 0; ok && i < n; i++) {
			ok = yout_string(y, keys[i].p->key, keys[i].p->klen) && yout_value(y, keys[i].p->val);
		}
		if (ok) {
			yaml_mapping_end_event_initialize(&ev);
			ok = yout_event(y, &ev);
		}
		for (size_t i = 0; i < n; i++)
			free(keys[i].r);
		free(keys);
		break;
	}
	case KF_TV_OBJECT:
		/* a struct of no exported fields marshals as {} */
		yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)YAML_MAP_TAG, 1, YAML_BLOCK_MAPPING_STYLE);
		ok = yout_event(y, &ev);
		if (ok) {
			yaml_mapping_end_event_initialize(&ev);
			ok = yout_event(y, &ev);
		}
		break;
	}
	kf_buf_release(&b);
	y->depth--;
	return ok;
}

bool kf_tv_to_yaml(kf_buf *out, kf_tv v, struct kf_err *e)
{
	kf_buf tmp = KF_BUF_INIT;
	yout y = {.out = &tmp};
	if (!yaml_emitter_initialize(&y.em))
		return kf_err_set(e, "out of memory");
	yaml_emitter_set_output(&y.em, yout_write, &tmp);
	yaml_emitter_set_unicode(&y.em, 1);
	yaml_emitter_set_width(&y.em, 80);
	yaml_emitter_set_indent(&y.em, 2);
	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	bool ok = yout_event(&y, &ev);
	if (ok) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		ok = yout_event(&y, &ev);
	}
	ok = ok && yout_value(&y, v);
	if (ok) {
		yaml_document_end_event_initialize(&ev, 1);
		ok = yout_event(&y, &ev);
	}
	if (ok) {
		yaml_stream_end_event_initialize(&ev);
		ok = yout_event(&y, &ev);
	}
	yaml_emitter_delete(&y.em);
	if (!ok) {
		kf_buf_release(&tmp);
		return kf_err_set(e, "%s", y.err ? y.err : "emitter error");
	}
	/* go-yaml ends a document of one plain scalar without libyaml's "...": */
	if (tmp.len >= 5 && memcmp(tmp.ptr + tmp.len - 4, "...\n", 4) == 0 && tmp.ptr[tmp.len - 5] == '\n')
		tmp.len -= 4;
	kf_buf_add(out, tmp.ptr ? tmp.ptr : "", tmp.len);
	kf_buf_release(&tmp);
	return true;
}

/* ---- JSON -------------------------------------------------------------------------------- */

static bool jin(kf_arena *a, json_t *j, kf_tv *out)
{
	switch (json_typeof(j)) {
	case JSON_NULL:
		*out = kf_tv_nil();
		return true;
	case JSON_TRUE:
		*out = kf_tv_bool(true);
		return true;
	case JSON_FALSE:
		*out = kf_tv_bool(false);
		return true;
	case JSON_INTEGER:
		*out = kf_tv_float((double)json_integer_value(j));
		return true;
	case JSON_REAL:
		*out = kf_tv_float(json_real_value(j));
		return true;
	case JSON_STRING:
		*out = kf_tv_str(a, json_string_value(j), json_string_length(j));
		return true;
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		kf_tv l = kf_tv_new_list(a, n);
		for (size_t i = 0; i < n; i++)
			if (!jin(a, json_array_get(j, i), &l.u.list->items[i]))
				return false;
		l.u.list->len = n;
		*out = l;
		return true;
	}
	case JSON_OBJECT: {
		kf_tv m = kf_tv_new_map(a);
		const char *k;
		json_t *val;
		json_object_foreach(j, k, val)
		{
			kf_tv x;
			if (!jin(a, val, &x))
				return false;
			map_append_raw(a, m.u.map, kf_arena_strndup(a, k, strlen(k)), strlen(k), x);
		}
		map_finish(m.u.map);
		*out = m;
		return true;
	}
	}
	return false;
}

bool kf_tv_from_json(kf_arena *a, const char *text, size_t len, kf_tv *out, struct kf_err *e)
{
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	*out = kf_tv_nil();
	if (!j) {
		/* encoding/json's words for the two common cases */
		if ((size_t)je.position >= len || strstr(je.text, "end of file"))
			return kf_err_set(e, "unexpected end of JSON input");
		size_t at = (size_t)je.position > 0 ? (size_t)je.position - 1 : 0;
		return kf_err_set(e, "invalid character '%c' looking for beginning of value", text[at]);
	}
	bool ok = jin(a, j, out);
	json_decref(j);
	if (!ok)
		return kf_err_set(e, "invalid json");
	return true;
}

static void json_string_out(kf_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t cn;
	char *c = json_clean(s, n, &cn);
	kf_buf_addc(out, '"');
	for (size_t i = 0; i < cn; i++) {
		unsigned char ch = (unsigned char)c[i];
		if (ch == '"' || ch == '\\') {
			kf_buf_addc(out, '\\');
			kf_buf_addc(out, (char)ch);
		} else if (ch == '\n') {
			kf_buf_adds(out, "\\n");
		} else if (ch == '\r') {
			kf_buf_adds(out, "\\r");
		} else if (ch == '\t') {
			kf_buf_adds(out, "\\t");
		} else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') {
			kf_buf_adds(out, "\\u00");
			kf_buf_addc(out, hex[ch >> 4]);
			kf_buf_addc(out, hex[ch & 15]);
		} else if (ch == 0xe2 && i + 2 < cn && (unsigned char)c[i + 1] == 0x80 &&
			   ((unsigned char)c[i + 2] == 0xa8 || (unsigned char)c[i + 2] == 0xa9)) {
			kf_buf_adds(out, (unsigned char)c[i + 2] == 0xa8 ? "\\u2028" : "\\u2029");
			i += 2;
		} else {
			kf_buf_addc(out, (char)ch);
		}
	}
	kf_buf_addc(out, '"');
	free(c);
}

static void json_indent(kf_buf *out, bool pretty, int level)
{
	if (!pretty)
		return;
	kf_buf_addc(out, '\n');
	for (int i = 0; i < level; i++)
		kf_buf_adds(out, "  ");
}

static bool jout(kf_buf *out, kf_tv v, bool pretty, int level, struct kf_err *e)
{
	if (level > KF_TV_MAX_DEPTH)
		return kf_err_set(e, "json: nested too deeply");
	if (out->len > KF_TV_MAX_TEXT)
		return kf_err_set(e, "json: value too large");
	switch (v.kind) {
	case KF_TV_NIL:
		kf_buf_adds(out, "null");
		return true;
	case KF_TV_BOOL:
		kf_buf_adds(out, v.u.b ? "true" : "false");
		return true;
	case KF_TV_INT:
		kf_buf_printf(out, "%lld", (long long)v.u.i);
		return true;
	case KF_TV_FLOAT: {
		double f = v.u.f, af = fabs(f);
		if (isnan(f) || isinf(f))
			return kf_err_set(e, "json: unsupported value: %s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
		size_t st = out->len;
		format_float(out, f, af != 0 && (af < 1e-6 || af >= 1e21) ? 'e' : 'f', 64);
		/* e-09 → e-9 */
		size_t n = out->len - st;
		char *b = out->ptr + st;
		if (n >= 4 && b[n - 4] == 'e' && b[n - 3] == '-' && b[n - 2] == '0') {
			b[n - 2] = b[n - 1];
			out->len--;
			out->ptr[out->len] = '\0';
		}
		return true;
	}
	case KF_TV_STRING:
		json_string_out(out, v.u.s.p, v.u.s.len);
		return true;
	case KF_TV_LIST:
		if (v.u.list->len == 0) {
			kf_buf_adds(out, "[]");
			return true;
		}
		kf_buf_addc(out, '[');
		for (size_t i = 0; i < v.u.list->len; i++) {
			if (i)
				kf_buf_addc(out, ',');
			json_indent(out, pretty, level + 1);
			if (!jout(out, v.u.list->items[i], pretty, level + 1, e))
				return false;
		}
		json_indent(out, pretty, level);
		kf_buf_addc(out, ']');
		return true;
	case KF_TV_MAP:
		if (v.u.map->len == 0) {
			kf_buf_adds(out, "{}");
			return true;
		}
		kf_buf_addc(out, '{');
		for (size_t i = 0; i < v.u.map->len; i++) {
			if (i)
				kf_buf_addc(out, ',');
			json_indent(out, pretty, level + 1);
			json_string_out(out, v.u.map->pairs[i].key, v.u.map->pairs[i].klen);
			kf_buf_adds(out, pretty ? ": " : ":");
			if (!jout(out, v.u.map->pairs[i].val, pretty, level + 1, e))
				return false;
		}
		json_indent(out, pretty, level);
		kf_buf_addc(out, '}');
		return true;
	case KF_TV_OBJECT:
		kf_buf_adds(out, "{}");
		return true;
	}
	return true;
}

bool kf_tv_to_json(kf_buf *out, kf_tv v, bool pretty, struct kf_err *e)
{
	size_t st = out->len;
	if (!jout(out, v, pretty, 0, e)) {
		if (out->cap) {
			out->len = st;
			out->ptr[st] = '\0';
		}
		return false;
	}
	return true;
}
