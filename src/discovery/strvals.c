/* SPDX-License-Identifier: Apache-2.0 */
/* strvals.c - the user's values as helm's options make them (chart.h,
 * docs/imagelist.md): --set parsed as helm's pkg/strvals, -f files merged
 * as helm's mergeMaps.
 */
#include "discovery/chart.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"

/* ---- --set (helm's strvals) --------------------------------------------------------------------- */

typedef struct sparser {
	kf_arena *a;
	const char *p, *e;
	kf_buf *err;
	int depth;
} sparser;

enum { S_OK, S_EOF, S_ERR, S_NOTLIST };

/* runesUntil: the text up to a stop character (backslash escapes the next);
 * *last is the stop, 0 at the end */
static void until(sparser *S, const char *stop, kf_buf *out, int *last)
{
	kf_buf_reset(out);
	while (S->p < S->e) {
		char ch = *S->p++;
		if (strchr(stop, ch)) {
			*last = ch;
			return;
		}
		if (ch == '\\') {
			if (S->p >= S->e) {
				*last = 0;
				return;
			}
			ch = *S->p++;
		}
		kf_buf_addc(out, ch);
	}
	*last = 0;
}

static kf_tv typed_val(sparser *S, const char *v, size_t n)
{
	if (n == 4 && strncasecmp(v, "true", 4) == 0)
		return kf_tv_bool(true);
	if (n == 5 && strncasecmp(v, "false", 5) == 0)
		return kf_tv_bool(false);
	if (n == 4 && strncasecmp(v, "null", 4) == 0)
		return kf_tv_nil();
	if (n == 1 && v[0] == '0')
		return kf_tv_int(0);
	if (n && v[0] != '0') {
		char *end;
		errno = 0;
		char *t = kf_arena_strndup(S->a, v, n);
		long long x = strtoll(t, &end, 10);
		/* Go's ParseInt: an optional sign, digits only */
		bool digits = n > (size_t)(t[0] == '+' || t[0] == '-');
		for (size_t i = (t[0] == '+' || t[0] == '-'); i < n && digits; i++)
			digits = isdigit((unsigned char)t[i]);
		if (digits && !errno && *end == '\0')
			return kf_tv_int(x);
	}
	return kf_tv_str(S->a, v, n);
}

static int val_list(sparser *S, kf_tv *out)
{
	*out = kf_tv_new_list(S->a, 0);
	if (S->p >= S->e)
		return S_EOF;
	if (*S->p != '{')
		return S_NOTLIST;
	S->p++;
	kf_buf b = KF_BUF_INIT;
	for (;;) {
		int last;
		until(S, ",}", &b, &last);
		if (!last) {
			kf_buf_release(&b);
			kf_buf_adds(S->err, "list must terminate with '}'");
			return S_ERR;
		}
		kf_tv_list_push(S->a, out->u.list, typed_val(S, b.ptr ? b.ptr : "", b.len));
		if (last == '}') {
			if (S->p < S->e && *S->p == ',')
				S->p++;
			kf_buf_release(&b);
			return S_OK;
		}
	}
}

static int skey(sparser *S, kf_tv data);

static kf_tv set_index(sparser *S, kf_tv list, long idx, kf_tv val)
{
	kf_tv l = list.kind == KF_TV_LIST ? list : kf_tv_new_list(S->a, 0);
	while ((long)l.u.list->len <= idx)
		kf_tv_list_push(S->a, l.u.list, kf_tv_nil());
	l.u.list->items[idx] = val;
	return l;
}

static bool key_index(sparser *S, long *idx)
{
	kf_buf b = KF_BUF_INIT;
	int last;
	until(S, "]", &b, &last);
	char *end;
	errno = 0;
	long v = strtol(b.ptr ? b.ptr : "", &end, 10);
	bool ok = last && b.len && !errno && *end == '\0' && v < 65536;
	if (!last)
		kf_buf_adds(S->err, "error parsing index: EOF");
	else if (!ok)
		kf_buf_printf(S->err, "error parsing index: strconv.Atoi: parsing \"%s\": invalid syntax",
			      b.ptr ? b.ptr : "");
	kf_buf_release(&b);
	*idx = v;
	return ok;
}

static int list_item(sparser *S, kf_tv *list, long i)
{
	if (i < 0) {
		kf_buf_printf(S->err, "negative %ld index not allowed", i);
		return S_ERR;
	}
	if (++S->depth > 64) {
		kf_buf_adds(S->err, "nested too deep");
		return S_ERR;
	}
	kf_buf k = KF_BUF_INIT;
	int last;
	until(S, "[.=", &k, &last);
	int r = S_OK;
	if (k.len) {
		kf_buf_printf(S->err, "unexpected data at end of array index: \"%s\"", k.ptr);
		r = S_ERR;
	} else if (!last) {
		r = S_EOF;
	} else if (last == '=') {
		kf_tv vl;
		int e = val_list(S, &vl);
		if (e == S_OK) {
			*list = set_index(S, *list, i, vl);
		} else if (e == S_EOF) {
			*list = set_index(S, *list, i, kf_tv_cstr(S->a, ""));
		} else if (e == S_NOTLIST) {
			kf_buf v = KF_BUF_INIT;
			int l2;
			until(S, ",", &v, &l2);
			*list = set_index(S, *list, i, typed_val(S, v.ptr ? v.ptr : "", v.len));
			kf_buf_release(&v);
		} else {
			r = e;
		}
	} else if (last == '[') {
		long next;
		if (!key_index(S, &next)) {
			r = S_ERR;
		} else {
			kf_tv crt = kf_tv_nil();
			if (list->kind == KF_TV_LIST && (long)list->u.list->len > i)
				crt = list->u.list->items[i];
			r = list_item(S, &crt, next);
			if (r != S_ERR)
				*list = set_index(S, *list, i, crt);
		}
	} else if (last == '.') {
		kf_tv inner = kf_tv_nil();
		if (list->kind == KF_TV_LIST && (long)list->u.list->len > i && list->u.list->items[i].kind == KF_TV_MAP)
			inner = list->u.list->items[i];
		if (inner.kind != KF_TV_MAP)
			inner = kf_tv_new_map(S->a);
		r = skey(S, inner);
		if (r != S_ERR)
			*list = set_index(S, *list, i, inner);
	}
	kf_buf_release(&k);
	S->depth--;
	return r == S_EOF ? S_OK : r;
}

static int skey(sparser *S, kf_tv data)
{
	if (++S->depth > 64) {
		kf_buf_adds(S->err, "nested too deep");
		return S_ERR;
	}
	kf_buf k = KF_BUF_INIT;
	int last, r = S_OK;
	until(S, "=[,.", &k, &last);
	const char *key = k.ptr ? k.ptr : "";
	if (!last) {
		if (k.len) {
			kf_buf_printf(S->err, "key \"%s\" has no value", key);
			r = S_ERR;
		} else {
			r = S_EOF;
		}
	} else if (last == '[') {
		long i;
		if (!key_index(S, &i)) {
			r = S_ERR;
		} else {
			kf_tv *cur = kf_tv_get(data, key);
			kf_tv list = cur ? *cur : kf_tv_new_list(S->a, 0);
			if (list.kind != KF_TV_LIST) {
				kf_buf_printf(S->err, "unable to parse key: interface conversion: interface {} is %s, not "
						      "[]interface {}",
					      kf_tv_type_name(list));
				r = S_ERR;
			} else {
				r = list_item(S, &list, i);
				if (k.len)
					kf_tv_put(S->a, data, key, list);
			}
		}
	} else if (last == '=') {
		kf_tv vl;
		int e = val_list(S, &vl);
		if (e == S_OK) {
			if (k.len)
				kf_tv_put(S->a, data, key, vl);
		} else if (e == S_EOF) {
			if (k.len)
				kf_tv_put(S->a, data, key, kf_tv_cstr(S->a, ""));
			r = S_EOF;
		} else if (e == S_NOTLIST) {
			kf_buf v = KF_BUF_INIT;
			int l2;
			until(S, ",", &v, &l2);
			if (k.len)
				kf_tv_put(S->a, data, key, typed_val(S, v.ptr ? v.ptr : "", v.len));
			kf_buf_release(&v);
			r = l2 ? S_OK : S_EOF;
		} else {
			r = e;
		}
	} else if (last == ',') {
		if (k.len)
			kf_tv_put(S->a, data, key, kf_tv_cstr(S->a, ""));
		kf_buf_printf(S->err, "key \"%s\" has no value (cannot end with ,)", key);
		r = S_ERR;
	} else if (last == '.') {
		kf_tv *cur = kf_tv_get(data, key);
		kf_tv inner;
		if (cur && cur->kind != KF_TV_MAP) {
			kf_buf_printf(S->err, "unable to parse key: interface conversion: interface {} is %s, not "
					      "map[string]interface {}",
				      kf_tv_type_name(*cur));
			r = S_ERR;
		} else {
			inner = cur ? *cur : kf_tv_new_map(S->a);
			r = skey(S, inner);
			if (r != S_ERR && inner.u.map->len == 0) {
				kf_buf_printf(S->err, "key map \"%s\" has no value", key);
				r = S_ERR;
			}
			if (r != S_ERR && k.len)
				kf_tv_put(S->a, data, key, inner);
		}
	}
	kf_buf_release(&k);
	S->depth--;
	return r;
}

bool kf_chart_strvals(kf_arena *a, const char *s, kf_tv vals, kf_buf *err)
{
	sparser S = {a, s, s + strlen(s), err, 0};
	for (;;) {
		int r = skey(&S, vals);
		if (r == S_EOF || (r == S_OK && S.p >= S.e))
			return true;
		if (r == S_ERR)
			return false;
	}
}

/* ---- values files ---------------------------------------------------------------------------- */

kf_tv kf_chart_merge_maps(kf_arena *a, kf_tv x, kf_tv y)
{
	kf_tv out = kf_tv_new_map(a);
	if (x.kind == KF_TV_MAP)
		for (size_t i = 0; i < x.u.map->len; i++)
			kf_tv_map_set(a, out.u.map, x.u.map->pairs[i].key, x.u.map->pairs[i].klen, x.u.map->pairs[i].val);
	if (y.kind == KF_TV_MAP)
		for (size_t i = 0; i < y.u.map->len; i++) {
			kf_tv_pair *p = &y.u.map->pairs[i];
			kf_tv *cur = kf_tv_map_get(out.u.map, p->key, p->klen);
			if (p->val.kind == KF_TV_MAP && cur && cur->kind == KF_TV_MAP)
				kf_tv_map_set(a, out.u.map, p->key, p->klen, kf_chart_merge_maps(a, *cur, p->val));
			else
				kf_tv_map_set(a, out.u.map, p->key, p->klen, p->val);
		}
	return out;
}

bool kf_chart_merge_values_file(kf_arena *a, kf_tv vals, const char *text, size_t len, kf_buf *err)
{
	kf_tv v;
	struct kf_err e;
	if (!kf_tv_from_yaml(a, text, len, false, &v, &e)) {
		kf_buf_adds(err, e.msg);
		return false;
	}
	if (v.kind == KF_TV_NIL)
		return true;
	if (v.kind != KF_TV_MAP) {
		kf_buf_printf(err, "error unmarshaling JSON: json: cannot unmarshal %s into Go value of type "
				   "map[string]interface {}",
			      v.kind == KF_TV_LIST ? "array" : v.kind == KF_TV_STRING ? "string" : "number");
		return false;
	}
	kf_tv m = kf_chart_merge_maps(a, vals, v);
	/* vals is the caller's map: its content becomes the merge */
	vals.u.map->len = 0;
	for (size_t i = 0; i < m.u.map->len; i++)
		kf_tv_map_set(a, vals.u.map, m.u.map->pairs[i].key, m.u.map->pairs[i].klen, m.u.map->pairs[i].val);
	return true;
}
