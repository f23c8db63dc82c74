/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_regex.c - sprig's regex functions: Go's regexp (RE2 syntax) on
 * libpcre2-8.
 *
 * RE2 is close to a subset of PCRE, with leftmost-first matching as
 * PCRE's; the differences that matter are bridged here: a pattern is
 * rewritten where PCRE reads it otherwise (a '-' after a class escape in
 * a bracket is a literal in Go, \s is [\t\n\f\r ]), $ without (?m)
 * matches only at the very end (PCRE2_DOLLAR_ENDONLY), what RE2 refuses
 * (look-around, atomic groups, back-references) is refused with Go's
 * words, and Go's loops over successive matches (FindAll, ReplaceAll,
 * Split: an empty match right after a match is skipped) and its $1 /
 * ${name} expansion are written out. PCRE backtracks where RE2 does not,
 * so every match runs under a match limit; crossing it is an error.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/sprig_impl.h"

#define MATCH_LIMIT 5000000
#define DEPTH_LIMIT 5000

struct kf_sprig_re {
	pcre2_code *code;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	int ncap; /* capture groups + 1 */
	char *pcre;   /* the pattern as PCRE reads it, for the DFA matcher */
	size_t pcre_len;
};

/* Rewrites an RE2 pattern for PCRE2; returns false with Go's message for
 * what RE2 does not have. */
static bool translate(const char *p, size_t n, kf_buf *o, char *err, size_t errlen)
{
	bool in_class = false, class_first = false, after_class_escape = false;
	for (size_t i = 0; i < n; i++) {
		char ch = p[i];
		if (ch == '\\' && i + 1 < n) {
			char e = p[i + 1];
			if (e == 'Q') { /* \Q...\E: literal text, as it is */
				const char *end = NULL;
				for (size_t k = i + 2; k + 1 < n; k++)
					if (p[k] == '\\' && p[k + 1] == 'E') {
						end = p + k;
						break;
					}
				size_t stop = end ? (size_t)(end - p) + 2 : n;
				kf_buf_add(o, p + i, stop - i);
				i = stop - 1;
				continue;
			}
			if (e >= '1' && e <= '9' && !(i + 2 < n && p[i + 2] >= '0' && p[i + 2] <= '7')) {
				snprintf(err, errlen, "invalid escape sequence: `\\%c`", e);
				return false;
			}
			if (e == 's' && !in_class) {
				kf_buf_adds(o, "[\\t\\n\\f\\r ]");
			} else if (e == 'S' && !in_class) {
				kf_buf_adds(o, "[^\\t\\n\\f\\r ]");
			} else if (e == 's') {
				kf_buf_adds(o, "\\t\\n\\f\\r ");
			} else {
				kf_buf_add(o, p + i, 2);
			}
			after_class_escape = in_class && strchr("dDsSwWpP", e) != NULL;
			if (in_class && (e == 'p' || e == 'P') && i + 2 < n && p[i + 2] == '{') {
				const char *close = memchr(p + i + 2, '}', n - i - 2);
				if (close) {
					kf_buf_add(o, p + i + 2, (size_t)(close - (p + i + 2)) + 1);
					i = (size_t)(close - p) - 1;
				}
			}
			i++;
			class_first = false;
			continue;
		}
		if (in_class) {
			if (ch == '-' && after_class_escape && i + 1 < n && p[i + 1] != ']') {
				kf_buf_adds(o, "\\-");
				after_class_escape = false;
				continue;
			}
			if (ch == '[' && i + 1 < n && p[i + 1] == ':') {
				const char *close = NULL;
				for (size_t k = i + 2; k + 1 < n; k++)
					if (p[k] == ':' && p[k + 1] == ']') {
						close = p + k;
						break;
					}
				if (close) {
					kf_buf_add(o, p + i, (size_t)(close - (p + i)) + 2);
					i = (size_t)(close - p) + 1;
					after_class_escape = true;
					class_first = false;
					continue;
				}
			}
			if (ch == ']' && !class_first)
				in_class = false;
			after_class_escape = false;
			class_first = false;
			kf_buf_addc(o, ch);
			continue;
		}
		if (ch == '[') {
			in_class = true;
			class_first = true;
			kf_buf_addc(o, ch);
			if (i + 1 < n && p[i + 1] == '^') {
				kf_buf_addc(o, '^');
				i++;
			}
			continue;
		}
		if (ch == '(' && i + 2 < n && p[i + 1] == '?') {
			char k = p[i + 2];
			/* Go 1.17 knows (?P<name> but not (?<name>, nor look-around */
			if (k == '=' || k == '!' || k == '>' || k == '<' || k == '#' || k == '|' || k == '(' || k == '&' ||
			    k == '+' || k == 'R' || (k >= '0' && k <= '9')) {
				snprintf(err, errlen, "invalid or unsupported Perl syntax: `%.*s`", 3, p + i);
				return false;
			}
		}
		kf_buf_addc(o, ch);
	}
	return true;
}

/* Go's parse errors for the mistakes charts make; PCRE's words for the rest */
static void go_error(int code, const char *pat, size_t n, size_t off, char *err, size_t errlen)
{
	switch (code) {
	case 114: /* missing closing parenthesis */
		snprintf(err, errlen, "missing closing ): `%.*s`", (int)n, pat);
		return;
	case 122: /* unmatched closing parenthesis */
		snprintf(err, errlen, "unexpected ): `%.*s`", (int)n, pat);
		return;
	case 106: { /* missing terminating ] */
		const char *lb = off <= n ? memrchr(pat, '[', n) : NULL;
		size_t st = lb ? (size_t)(lb - pat) : 0;
		snprintf(err, errlen, "missing closing ]: `%.*s`", (int)(n - st), pat + st);
		return;
	}
	case 109: /* quantifier does not follow a repeatable item */
		snprintf(err, errlen, "missing argument to repetition operator: `%c`", off < n ? pat[off] : '*');
		return;
	default: {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(code, msg, sizeof msg);
		snprintf(err, errlen, "%s: `%.*s`", (const char *)msg, (int)n, pat);
	}
	}
}

kf_sprig_re *kf_sprig_re_compile(const char *pattern, size_t len, char *err, size_t errlen)
{
	kf_buf t = KF_BUF_INIT;
	char why[512];
	if (!translate(pattern, len, &t, why, sizeof why)) {
		snprintf(err, errlen, "error parsing regexp: %s", why);
		kf_buf_release(&t);
		return NULL;
	}
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)(t.ptr ? t.ptr : ""), t.len,
				       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off, NULL);
	if (!re) {
		kf_buf_release(&t);
		go_error(code, pattern, len, off, why, sizeof why);
		snprintf(err, errlen, "error parsing regexp: %s", why);
		return NULL;
	}
	kf_sprig_re *r = kf_xcalloc(1, sizeof *r);
	r->code = re;
	r->pcre = kf_buf_detach(&t, &r->pcre_len);
	r->md = pcre2_match_data_create_from_pattern(re, NULL);
	r->mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(r->mc, MATCH_LIMIT);
	pcre2_set_depth_limit(r->mc, DEPTH_LIMIT);
	uint32_t caps = 0;
	pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &caps);
	r->ncap = (int)caps + 1;
	return r;
}

void kf_sprig_re_free(kf_sprig_re *re)
{
	if (!re)
		return;
	pcre2_match_context_free(re->mc);
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re->pcre);
	free(re);
}

void *kf_sprig_re_md_new(void)
{
	return pcre2_match_data_create(64, NULL);
}

void kf_sprig_re_md_free(void *md)
{
	pcre2_match_data_free(md);
}

/* 0: no match, -1: the match limit, else pairs written */
int kf_sprig_re_match_md(kf_sprig_re *re, void *mdp, const char *s, size_t n, size_t start, int64_t *ov, int ovpairs)
{
	pcre2_match_data *md = mdp;
	int rc = pcre2_match(re->code, (PCRE2_SPTR)s, n, start, 0, md, re->mc);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0)
		return -1;
	if (rc == 0) /* the match data holds fewer pairs than the pattern has groups */
		rc = (int)pcre2_get_ovector_count(md);
	PCRE2_SIZE *v = pcre2_get_ovector_pointer(md);
	int pairs = re->ncap < ovpairs ? re->ncap : ovpairs;
	for (int i = 0; i < pairs; i++) {
		bool set = i < rc && v[2 * i] != PCRE2_UNSET;
		ov[2 * i] = set ? (int64_t)v[2 * i] : -1;
		ov[2 * i + 1] = set ? (int64_t)v[2 * i + 1] : -1;
	}
	return pairs;
}

int kf_sprig_re_match(kf_sprig_re *re, const char *s, size_t n, size_t start, int64_t *ov, int ovpairs)
{
	return kf_sprig_re_match_md(re, re->md, s, n, start, ov, ovpairs);
}

static bool valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t r;
		size_t w = kf_sprig_rune(s + i, n - i, &r);
		if (w == 1 && r == 0xFFFD)
			return false;
		i += w;
	}
	return true;
}

/* Whether re matches s at all, for regexMatch: when backtracking hits
 * the match limit, PCRE's DFA matcher (no backtracking, the same answer
 * to "is there a match") decides, as RE2's automaton would. -1: neither
 * could. */
static int re_exists(kf_sprig_re *re, const char *s, size_t n)
{
	int64_t ov[2];
	int rc = kf_sprig_re_match(re, s, n, 0, ov, 1);
	if (rc >= 0)
		return rc > 0;
	/* the DFA matcher's work is bounded by the text's and the pattern's
	 * sizes: no match limit of its own (the backtracking one would stop
	 * it); it wants valid UTF-8 and a pattern compiled without
	 * PCRE2_MATCH_INVALID_UTF */
	if (!valid_utf8(s, n))
		return -1;
	int code;
	PCRE2_SIZE off;
	pcre2_code *dfa = pcre2_compile((PCRE2_SPTR)(re->pcre ? re->pcre : ""), re->pcre_len,
					PCRE2_UTF | PCRE2_DOLLAR_ENDONLY, &code, &off, NULL);
	if (!dfa)
		return -1;
	int *ws = kf_xmalloc(20000 * sizeof *ws);
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	rc = pcre2_dfa_match(dfa, (PCRE2_SPTR)s, n, 0, PCRE2_DFA_SHORTEST, md, NULL, ws, 20000);
	pcre2_match_data_free(md);
	pcre2_code_free(dfa);
	free(ws);
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return rc >= 0 ? 1 : -1;
}

/* ---- the functions --------------------------------------------------------------------------- */

static bool is_must(kf_tmpl_call *c)
{
	return strncmp(kf_tmpl_call_name(c), "must", 4) == 0;
}

/* Compiles args[0]; on an error the must form returns Go's error, the
 * other panics as regexp.MustCompile does (soft: *re NULL, true). */
static bool compile(kf_tmpl_call *c, const kf_tv *args, kf_sprig_re **re, bool soft)
{
	kf_str p;
	if (!kf_sprig_arg_str(c, args, 0, &p))
		return false;
	char err[1200];
	*re = kf_sprig_re_compile(p.ptr, p.len, err, sizeof err);
	if (*re)
		return true;
	if (soft)
		return true;
	if (is_must(c))
		return kf_tmpl_call_fail(c, "%s", err);
	kf_buf q = KF_BUF_INIT;
	/* regexp's quote: in backquotes when strconv.CanBackquote */
	bool bq = true;
	for (size_t i = 0; i < p.len && bq;) {
		uint32_t r;
		size_t w = kf_sprig_rune(p.ptr + i, p.len - i, &r);
		bq = !(w == 1 && r == 0xFFFD) && r != '`' && r != 0xFEFF && (r >= 0x20 || r == '\t') && r != 0x7F;
		i += w;
	}
	if (bq) {
		kf_buf_addc(&q, '`');
		kf_buf_addstr(&q, p);
		kf_buf_addc(&q, '`');
	} else {
		kf_sprig_go_quote(&q, p.ptr, p.len);
	}
	bool r = kf_tmpl_call_fail(c, "regexp: Compile(%s): %s", q.ptr, err);
	kf_buf_release(&q);
	return r;
}

static bool limit(kf_tmpl_call *c, kf_sprig_re *re)
{
	kf_sprig_re_free(re);
	return kf_tmpl_call_fail(c, "regular expression too complex: match limit reached");
}

/* the width of the rune at s[pos] (0 at the end), as utf8.DecodeRune */
static size_t rune_width(const char *s, size_t n, size_t pos)
{
	uint32_t r;
	return pos < n ? kf_sprig_rune(s + pos, n - pos, &r) : 0;
}

/* Go's allMatches: successive matches, an empty one right after the
 * previous match left out; calls each(ctx, ov) for up to max matches */
typedef bool (*match_fn)(void *ctx, const int64_t *ov);

static int all_matches(kf_sprig_re *re, const char *s, size_t n, int64_t max, match_fn each, void *ctx)
{
	int64_t ov[2];
	int64_t prev_end = -1, count = 0;
	if (max < 0)
		max = (int64_t)n + 1;
	for (size_t pos = 0; count < max && pos <= n;) {
		int rc = kf_sprig_re_match(re, s, n, pos, ov, 1);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		bool accept = true;
		if (ov[1] == (int64_t)pos) {
			if (ov[0] == prev_end)
				accept = false;
			size_t w = rune_width(s, n, pos);
			pos += w ? w : 1;
		} else {
			pos = (size_t)ov[1];
		}
		prev_end = ov[1];
		if (accept) {
			if (!each(ctx, ov))
				return -2;
			count++;
		}
	}
	return 0;
}

KF_SPRIG_FN(regex_match)
{
	kf_sprig_re *re;
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 1, &s) || !compile(c, args, &re, !is_must(c)))
		return false;
	if (!re) {
		*out = kf_tv_bool(false);
		return true;
	}
	int rc = re_exists(re, s.ptr, s.len);
	if (rc < 0)
		return limit(c, re);
	kf_sprig_re_free(re);
	*out = kf_tv_bool(rc > 0);
	return true;
}

KF_SPRIG_FN(regex_find)
{
	kf_sprig_re *re;
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 1, &s) || !compile(c, args, &re, false))
		return false;
	int64_t ov[2];
	int rc = kf_sprig_re_match(re, s.ptr, s.len, 0, ov, 1);
	if (rc < 0)
		return limit(c, re);
	kf_sprig_re_free(re);
	*out = rc > 0 ? kf_tv_str(kf_tmpl_call_arena(c), s.ptr + ov[0], (size_t)(ov[1] - ov[0]))
		      : kf_tv_str(kf_tmpl_call_arena(c), "", 0);
	return true;
}

typedef struct collect {
	kf_tmpl_call *c;
	const char *s;
	kf_tv list;
} collect;

static bool collect_one(void *ctx, const int64_t *ov)
{
	collect *k = ctx;
	kf_arena *a = kf_tmpl_call_arena(k->c);
	if (!kf_tmpl_call_charge(k->c, sizeof(kf_tv)))
		return false;
	kf_tv_list_push(a, k->list.u.list, kf_tv_str(a, k->s + ov[0], (size_t)(ov[1] - ov[0])));
	return true;
}

KF_SPRIG_FN(regex_find_all)
{
	kf_sprig_re *re;
	kf_str s;
	int64_t n;
	if (!kf_sprig_arg_str(c, args, 1, &s) || !kf_sprig_arg_int(c, args, 2, &n) || !compile(c, args, &re, false))
		return false;
	collect k = {c, s.ptr, kf_tv_new_list(kf_tmpl_call_arena(c), 0)};
	int rc = all_matches(re, s.ptr, s.len, n, collect_one, &k);
	if (rc == -1)
		return limit(c, re);
	kf_sprig_re_free(re);
	if (rc == -2)
		return false;
	*out = k.list;
	return true;
}

/* regexp's extract: a $name or ${name} at t[0] */
static bool extract(kf_str t, kf_str *name, int *num, size_t *used)
{
	if (t.len < 2 || t.ptr[0] != '$')
		return false;
	bool brace = t.ptr[1] == '{';
	size_t st = brace ? 2 : 1, i = st;
	while (i < t.len) {
		uint32_t r;
		size_t w = kf_sprig_rune(t.ptr + i, t.len - i, &r);
		bool ok = r == '_' || (r >= '0' && r <= '9') || (r < 0x80 && ((r | 0x20) >= 'a' && (r | 0x20) <= 'z')) ||
			  (r >= 0xC0 && r != 0xFFFD && r != 0xD7 && r != 0xF7);
		if (!ok)
			break;
		i += w;
	}
	if (i == st)
		return false;
	*name = kf_str_make(t.ptr + st, i - st);
	if (brace) {
		if (i >= t.len || t.ptr[i] != '}')
			return false;
		i++;
	}
	*num = 0;
	for (size_t k = 0; k < name->len; k++) {
		if (name->ptr[k] < '0' || name->ptr[k] > '9' || *num >= 100000000) {
			*num = -1;
			break;
		}
		*num = *num * 10 + (name->ptr[k] - '0');
	}
	if (name->ptr[0] == '0' && name->len > 1)
		*num = -1;
	*used = i;
	return true;
}

static int group_of(kf_sprig_re *re, kf_str name)
{
	uint32_t count = 0, size = 0;
	PCRE2_SPTR table;
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *e = table + i * size;
		const char *nm = (const char *)e + 2;
		if (strlen(nm) == name.len && !memcmp(nm, name.ptr, name.len))
			return e[0] << 8 | e[1];
	}
	return -1;
}

/* regexp's expand of a ReplaceAllString template */
static void expand(kf_buf *b, kf_sprig_re *re, kf_str t, const char *s, const int64_t *ov, int pairs)
{
	while (t.len > 0) {
		const char *d = memchr(t.ptr, '$', t.len);
		if (!d)
			break;
		kf_buf_add(b, t.ptr, (size_t)(d - t.ptr));
		t = kf_str_make(d, t.len - (size_t)(d - t.ptr));
		if (t.len > 1 && t.ptr[1] == '$') {
			kf_buf_addc(b, '$');
			t = kf_str_make(t.ptr + 2, t.len - 2);
			continue;
		}
		kf_str name;
		int num;
		size_t used;
		if (!extract(t, &name, &num, &used)) {
			kf_buf_addc(b, '$');
			t = kf_str_make(t.ptr + 1, t.len - 1);
			continue;
		}
		t = kf_str_make(t.ptr + used, t.len - used);
		int g = num >= 0 ? num : group_of(re, name);
		if (g >= 0 && g < pairs && ov[2 * g] >= 0)
			kf_buf_add(b, s + ov[2 * g], (size_t)(ov[2 * g + 1] - ov[2 * g]));
	}
	kf_buf_addstr(b, t);
}

static bool replace_all(kf_tmpl_call *c, const kf_tv *args, kf_tv *out, bool literal)
{
	kf_sprig_re *re;
	kf_str s, repl;
	if (!kf_sprig_arg_str(c, args, 1, &s) || !kf_sprig_arg_str(c, args, 2, &repl) || !compile(c, args, &re, false))
		return false;
	int pairs = re->ncap;
	int64_t *ov = kf_xcalloc((size_t)pairs * 2, sizeof *ov);
	kf_buf b = KF_BUF_INIT;
	size_t last = 0, pos = 0;
	bool ok = true;
	while (pos <= s.len) {
		int rc = kf_sprig_re_match(re, s.ptr, s.len, pos, ov, pairs);
		if (rc < 0) {
			ok = false;
			break;
		}
		if (rc == 0)
			break;
		kf_buf_add(&b, s.ptr + last, (size_t)ov[0] - last);
		if ((size_t)ov[1] > last || ov[0] == 0) {
			if (literal)
				kf_buf_addstr(&b, repl);
			else
				expand(&b, re, repl, s.ptr, ov, pairs);
		}
		if (b.len > 4 * s.len + 4096 && !kf_tmpl_call_charge(c, b.len)) {
			kf_buf_release(&b);
			kf_sprig_re_free(re);
			free(ov);
			return false;
		}
		last = (size_t)ov[1];
		size_t w = rune_width(s.ptr, s.len, pos);
		if (pos + w > (size_t)ov[1])
			pos += w;
		else if (pos + 1 > (size_t)ov[1])
			pos++;
		else
			pos = (size_t)ov[1];
	}
	free(ov);
	if (!ok) {
		kf_buf_release(&b);
		return limit(c, re);
	}
	kf_sprig_re_free(re);
	kf_buf_add(&b, s.ptr + last, s.len - last);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(regex_replace_all)
{
	(void)nargs;
	return replace_all(c, args, out, false);
}

KF_SPRIG_FN(regex_replace_all_literal)
{
	(void)nargs;
	return replace_all(c, args, out, true);
}

typedef struct splitter {
	kf_tmpl_call *c;
	kf_str s;
	int64_t n;
	size_t beg, end;
	kf_tv list;
} splitter;

static bool split_one(void *ctx, const int64_t *ov)
{
	splitter *k = ctx;
	kf_arena *a = kf_tmpl_call_arena(k->c);
	if (k->n > 0 && (int64_t)k->list.u.list->len == k->n - 1)
		return true;
	if (!kf_tmpl_call_charge(k->c, sizeof(kf_tv)))
		return false;
	k->end = (size_t)ov[0];
	if (ov[1] != 0)
		kf_tv_list_push(a, k->list.u.list, kf_tv_str(a, k->s.ptr + k->beg, k->end - k->beg));
	k->beg = (size_t)ov[1];
	return true;
}

KF_SPRIG_FN(regex_split)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	kf_sprig_re *re;
	kf_str s, p;
	int64_t n;
	if (!kf_sprig_arg_str(c, args, 1, &s) || !kf_sprig_arg_int(c, args, 2, &n) || !compile(c, args, &re, false))
		return false;
	p = kf_str_make(args[0].u.s.p, args[0].u.s.len);
	*out = kf_tv_new_list(a, 0);
	if (n == 0) {
		kf_sprig_re_free(re);
		return true;
	}
	if (p.len > 0 && s.len == 0) {
		kf_sprig_re_free(re);
		kf_tv_list_push(a, out->u.list, kf_tv_str(a, "", 0));
		return true;
	}
	splitter k = {c, s, n, 0, 0, *out};
	int rc = all_matches(re, s.ptr, s.len, n, split_one, &k);
	if (rc == -1)
		return limit(c, re);
	kf_sprig_re_free(re);
	if (rc == -2)
		return false;
	if (k.end != s.len)
		kf_tv_list_push(a, out->u.list, kf_tv_str(a, s.ptr + k.beg, s.len - k.beg));
	return true;
}

/* regexp.QuoteMeta */
KF_SPRIG_FN(regex_quote_meta)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	for (size_t i = 0; i < s.len; i++) {
		if (strchr("\\.+*?()|[]{}^$", s.ptr[i]) && s.ptr[i])
			kf_buf_addc(&b, '\\');
		kf_buf_addc(&b, s.ptr[i]);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}
