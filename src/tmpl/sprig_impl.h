/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_impl.h - what the files of sprig's functions (sprig*.c) share:
 * the checks Go's text/template makes on an argument given to a typed
 * parameter, spf13/cast's conversions that sprig's numbers go through,
 * sprig's empty and strval, and the functions the table in sprig.c names.
 *
 * Not for use outside src/tmpl/sprig*.c.
 */
#ifndef KF_TMPL_SPRIG_IMPL_H
#define KF_TMPL_SPRIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "tmpl/tmpl.h"
#include "tmpl/value.h"

/* A parameter of Go type string / int / bool / map[string]interface {}:
 * args[i] must be of that type, as text/template checks it ("wrong type
 * for value; expected int; got float64", "invalid value; expected
 * string" for nil). A nil map is allowed and gives NULL. */
bool kf_sprig_arg_str(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_str *out);
bool kf_sprig_arg_int(kf_tmpl_call *c, const kf_tv *args, size_t i, int64_t *out);
bool kf_sprig_arg_bool(kf_tmpl_call *c, const kf_tv *args, size_t i, bool *out);
bool kf_sprig_arg_map(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_tv_map **out);

/* spf13/cast v1.3.1: ToInt64 / ToFloat64 with the error dropped (0) */
int64_t kf_sprig_to_int64(kf_tv v);
double kf_sprig_to_float64(kf_tv v);
/* Go's int64(f) as amd64 computes it (out of range: INT64_MIN) */
int64_t kf_sprig_f2i(double f);
/* sprig's empty: nil, false, 0, "" and empty lists and maps */
bool kf_sprig_empty(kf_tv v);
/* reflect.Kind's name of v: "invalid", "string", "slice", "map", "ptr"... */
const char *kf_sprig_kind(kf_tv v);
/* sprig's strval (toString) */
kf_str kf_sprig_strval(kf_arena *a, kf_tv v);
/* Go's %q of p[0, n) (strconv.Quote) */
void kf_sprig_go_quote(kf_buf *out, const char *p, size_t n);
/* a string value made from the bytes of b (copied into the call's arena) */
kf_tv kf_sprig_buf_tv(kf_tmpl_call *c, const kf_buf *b);
/* one UTF-8 rune at p[0, n): its length (1 for an invalid byte, rune
 * U+FFFD as Go's utf8.DecodeRune) */
size_t kf_sprig_rune(const char *p, size_t n, uint32_t *r);
bool kf_sprig_is_space(uint32_t r);
uint32_t kf_sprig_to_upper(uint32_t r);
uint32_t kf_sprig_to_lower(uint32_t r);
/* Go's base64.StdEncoding.DecodeString into b; false with the offset of
 * Go's "illegal base64 data at input byte N" in *bad */
bool kf_sprig_b64_decode(const char *p, size_t n, kf_buf *b, long long *bad);
/* the regular expression of sprig's regex functions, for semver's use */
typedef struct kf_sprig_re kf_sprig_re;
kf_sprig_re *kf_sprig_re_compile(const char *pattern, size_t len, char *err, size_t errlen);
/* the submatches of the first match in s[0, n), as offset pairs (-1 when
 * a group did not take part); returns the number of pairs, 0 when none */
int kf_sprig_re_match(kf_sprig_re *re, const char *s, size_t n, size_t start, int64_t *ov, int ovpairs);
void kf_sprig_re_free(kf_sprig_re *re);
/* the same with match data of the caller's (kf_sprig_re_md_new), so that
 * one compiled expression serves many threads */
void *kf_sprig_re_md_new(void);
void kf_sprig_re_md_free(void *md);
int kf_sprig_re_match_md(kf_sprig_re *re, void *md, const char *s, size_t n, size_t start, int64_t *ov, int ovpairs);

#define KF_SPRIG_FN(name) bool kf_sprig_fn_##name(kf_tmpl_call *c, const kf_tv *args, size_t nargs, kf_tv *out)

/* sprig.c: defaults, types, conversions, dicts, lists */
KF_SPRIG_FN(default_);
KF_SPRIG_FN(empty);
KF_SPRIG_FN(coalesce);
KF_SPRIG_FN(all);
KF_SPRIG_FN(any);
KF_SPRIG_FN(ternary);
KF_SPRIG_FN(deep_copy);
KF_SPRIG_FN(must_deep_copy);
KF_SPRIG_FN(type_of);
KF_SPRIG_FN(type_is);
KF_SPRIG_FN(type_is_like);
KF_SPRIG_FN(kind_of);
KF_SPRIG_FN(kind_is);
KF_SPRIG_FN(deep_equal);
KF_SPRIG_FN(to_string);
KF_SPRIG_FN(to_strings);
KF_SPRIG_FN(int_);
KF_SPRIG_FN(int64_);
KF_SPRIG_FN(float64_);
KF_SPRIG_FN(atoi);
KF_SPRIG_FN(to_decimal);
KF_SPRIG_FN(get_host_by_name);
KF_SPRIG_FN(list);
KF_SPRIG_FN(dict);
KF_SPRIG_FN(get);
KF_SPRIG_FN(set);
KF_SPRIG_FN(unset);
KF_SPRIG_FN(has_key);
KF_SPRIG_FN(pluck);
KF_SPRIG_FN(keys);
KF_SPRIG_FN(pick);
KF_SPRIG_FN(omit);
KF_SPRIG_FN(merge);
KF_SPRIG_FN(merge_overwrite);
KF_SPRIG_FN(values);
KF_SPRIG_FN(dig);
KF_SPRIG_FN(push);
KF_SPRIG_FN(prepend);
KF_SPRIG_FN(chunk);
KF_SPRIG_FN(first);
KF_SPRIG_FN(last);
KF_SPRIG_FN(rest);
KF_SPRIG_FN(initial);
KF_SPRIG_FN(reverse);
KF_SPRIG_FN(compact);
KF_SPRIG_FN(uniq);
KF_SPRIG_FN(without);
KF_SPRIG_FN(has);
KF_SPRIG_FN(slice);
KF_SPRIG_FN(concat);
KF_SPRIG_FN(sort_alpha);
KF_SPRIG_FN(json);
KF_SPRIG_FN(from_json);

/* sprig_strings.c */
KF_SPRIG_FN(abbrev);
KF_SPRIG_FN(abbrevboth);
KF_SPRIG_FN(trunc);
KF_SPRIG_FN(trim);
KF_SPRIG_FN(trim_all);
KF_SPRIG_FN(trim_prefix);
KF_SPRIG_FN(trim_suffix);
KF_SPRIG_FN(upper);
KF_SPRIG_FN(lower);
KF_SPRIG_FN(title);
KF_SPRIG_FN(untitle);
KF_SPRIG_FN(swapcase);
KF_SPRIG_FN(substr);
KF_SPRIG_FN(repeat);
KF_SPRIG_FN(nospace);
KF_SPRIG_FN(initials);
KF_SPRIG_FN(shuffle);
KF_SPRIG_FN(wrap);
KF_SPRIG_FN(wrap_with);
KF_SPRIG_FN(contains);
KF_SPRIG_FN(has_prefix);
KF_SPRIG_FN(has_suffix);
KF_SPRIG_FN(quote);
KF_SPRIG_FN(squote);
KF_SPRIG_FN(cat);
KF_SPRIG_FN(indent);
KF_SPRIG_FN(nindent);
KF_SPRIG_FN(replace);
KF_SPRIG_FN(plural);
KF_SPRIG_FN(split);
KF_SPRIG_FN(split_list);
KF_SPRIG_FN(splitn);
KF_SPRIG_FN(join);
KF_SPRIG_FN(b64enc);
KF_SPRIG_FN(b64dec);
KF_SPRIG_FN(b32enc);
KF_SPRIG_FN(b32dec);
KF_SPRIG_FN(path_base);
KF_SPRIG_FN(path_dir);
KF_SPRIG_FN(path_clean);
KF_SPRIG_FN(path_ext);
KF_SPRIG_FN(path_is_abs);
KF_SPRIG_FN(snakecase);
KF_SPRIG_FN(camelcase);
KF_SPRIG_FN(kebabcase);

/* sprig_math.c */
KF_SPRIG_FN(add);
KF_SPRIG_FN(add1);
KF_SPRIG_FN(sub);
KF_SPRIG_FN(mul);
KF_SPRIG_FN(div);
KF_SPRIG_FN(mod);
KF_SPRIG_FN(max);
KF_SPRIG_FN(min);
KF_SPRIG_FN(maxf);
KF_SPRIG_FN(minf);
KF_SPRIG_FN(addf);
KF_SPRIG_FN(add1f);
KF_SPRIG_FN(subf);
KF_SPRIG_FN(mulf);
KF_SPRIG_FN(divf);
KF_SPRIG_FN(floor);
KF_SPRIG_FN(ceil);
KF_SPRIG_FN(round);
KF_SPRIG_FN(until);
KF_SPRIG_FN(until_step);
KF_SPRIG_FN(seq);
KF_SPRIG_FN(rand_int);

/* sprig_regex.c */
KF_SPRIG_FN(regex_match);
KF_SPRIG_FN(regex_find);
KF_SPRIG_FN(regex_find_all);
KF_SPRIG_FN(regex_replace_all);
KF_SPRIG_FN(regex_replace_all_literal);
KF_SPRIG_FN(regex_split);
KF_SPRIG_FN(regex_quote_meta);

/* sprig_semver.c */
KF_SPRIG_FN(semver);
KF_SPRIG_FN(semver_compare);

/* sprig_crypto.c */
KF_SPRIG_FN(sha1sum);
KF_SPRIG_FN(sha256sum);
KF_SPRIG_FN(adler32sum);
KF_SPRIG_FN(rand_string);
KF_SPRIG_FN(rand_bytes);
KF_SPRIG_FN(uuidv4);
KF_SPRIG_FN(bcrypt);
KF_SPRIG_FN(htpasswd);
KF_SPRIG_FN(derive_password);
KF_SPRIG_FN(gen_private_key);
KF_SPRIG_FN(gen_ca);
KF_SPRIG_FN(gen_self_signed_cert);
KF_SPRIG_FN(gen_signed_cert);
KF_SPRIG_FN(build_custom_cert);
KF_SPRIG_FN(gen_ca_with_key);
KF_SPRIG_FN(gen_self_signed_cert_with_key);
KF_SPRIG_FN(gen_signed_cert_with_key);
KF_SPRIG_FN(encrypt_aes);
KF_SPRIG_FN(decrypt_aes);

/* sprig_date.c */
KF_SPRIG_FN(now);
KF_SPRIG_FN(date);
KF_SPRIG_FN(date_in_zone);
KF_SPRIG_FN(html_date);
KF_SPRIG_FN(html_date_in_zone);
KF_SPRIG_FN(to_date);
KF_SPRIG_FN(unix_epoch);
KF_SPRIG_FN(date_modify);
KF_SPRIG_FN(ago);
KF_SPRIG_FN(duration);
KF_SPRIG_FN(duration_round);

#endif
