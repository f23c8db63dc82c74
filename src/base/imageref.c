/* SPDX-License-Identifier: Apache-2.0 */
/* imageref.c - see imageref.h. A hand-written matcher for Docker's
 * reference grammar: the regular expressions of distribution/reference,
 * anchored, with a reason for each way a word can fail. */
#include "base/imageref.h"

#include <stdlib.h>
#include <string.h>

static bool lower_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool alnum(char ch)
{
	return lower_alnum(ch) || (ch >= 'A' && ch <= 'Z');
}

static bool word_char(char ch)
{
	return alnum(ch) || ch == '_';
}

static bool hex_lower(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static const char *const bad_path = "name components are lower-case letters and digits, joined by . _ or -";

/* path-component ("/" path-component)* over [p, e) */
static const char *check_path(const char *p, const char *e)
{
	if (p == e)
		return "the name is empty";
	const char *q = p;
	for (;;) {
		/* alpha-numeric run */
		const char *run = q;
		while (q < e && lower_alnum(*q))
			q++;
		if (q == run) {
			if (q < e && *q >= 'A' && *q <= 'Z')
				return "the name must be lower case";
			return bad_path;
		}
		if (q == e)
			return NULL;
		if (*q == '/') {
			q++;
			continue;
		}
		/* a separator: "." | "_" | "__" | "-"+ */
		if (*q == '.') {
			q++;
		} else if (*q == '_') {
			q += (q + 1 < e && q[1] == '_') ? 2 : 1;
		} else if (*q == '-') {
			while (q < e && *q == '-')
				q++;
		} else if (*q >= 'A' && *q <= 'Z') {
			return "the name must be lower case";
		} else {
			return bad_path;
		}
		if (q == e || !lower_alnum(*q))
			return (q < e && *q >= 'A' && *q <= 'Z') ? "the name must be lower case" : bad_path;
	}
}

/* host [":" port] over [p, e): domain-name (components of letters, digits
 * and inner "-", joined by "."), or an IPv6 address in brackets */
static const char *check_domain(const char *p, const char *e)
{
	static const char *const bad = "the registry must be a host name or [IPv6 address], with an optional :port";
	const char *q = p;
	if (q < e && *q == '[') {
		q++;
		const char *start = q;
		while (q < e && (hex_lower(*q) || (*q >= 'A' && *q <= 'F') || *q == ':'))
			q++;
		if (q == start || q == e || *q != ']')
			return bad;
		q++;
	} else {
		for (;;) {
			if (q == e || !alnum(*q))
				return bad;
			while (q < e && (alnum(*q) || *q == '-'))
				q++;
			if (q[-1] == '-')
				return bad;
			if (q < e && *q == '.') {
				q++;
				continue;
			}
			break;
		}
	}
	if (q < e && *q == ':') {
		q++;
		if (q == e)
			return bad;
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	}
	return q == e ? NULL : bad;
}

const char *kf_imageref_parse(kf_str text, kf_imageref *ref)
{
	const char *p = text.ptr, *e = text.ptr + text.len;
	*ref = (kf_imageref){KF_STR_NULL, KF_STR_NULL, KF_STR_NULL, KF_STR_NULL};
	if (!text.len)
		return "the name is empty";
	const char *at = memchr(p, '@', text.len);
	if (at) {
		static const char *const bad_digest = "the digest must be sha256: and 64 hex digits";
		const char *d = at + 1;
		if (e - d != 7 + 64 || memcmp(d, "sha256:", 7) != 0)
			return bad_digest;
		for (const char *q = d + 7; q < e; q++)
			if (!hex_lower(*q))
				return bad_digest;
		ref->digest = kf_str_make(d, (size_t)(e - d));
		e = at;
	}
	/* the tag: after the last ':' that follows the last '/' */
	const char *slash = NULL, *colon = NULL;
	for (const char *q = p; q < e; q++) {
		if (*q == '/') {
			slash = q;
			colon = NULL;
		} else if (*q == ':') {
			colon = q;
		}
	}
	if (colon && (!slash || colon > slash)) {
		const char *t = colon + 1;
		if (t == e || e - t > 128)
			return "the tag must have 1 to 128 characters";
		if (!word_char(*t))
			return "the tag must start with a letter, digit or _";
		for (const char *q = t; q < e; q++)
			if (!word_char(*q) && *q != '.' && *q != '-')
				return "the tag may hold letters, digits, _, . and -";
		ref->tag = kf_str_make(t, (size_t)(e - t));
		e = colon;
	}
	if (p == e)
		return "the name is empty";
	if (e - p > KF_IMAGEREF_NAME_MAX)
		return "the name is longer than 255 characters";
	/* a first component with '.' or ':', or localhost, is a registry */
	const char *first_end = memchr(p, '/', (size_t)(e - p));
	if (first_end) {
		size_t n = (size_t)(first_end - p);
		if (memchr(p, '.', n) || memchr(p, ':', n) || (n == 9 && memcmp(p, "localhost", 9) == 0)) {
			const char *why = check_domain(p, first_end);
			if (why)
				return why;
			ref->domain = kf_str_make(p, n);
			p = first_end + 1;
		}
	}
	const char *why = check_path(p, e);
	if (why)
		return why;
	ref->path = kf_str_make(p, (size_t)(e - p));
	return NULL;
}

const char *kf_imageref_unpinned(kf_str text)
{
	if (!text.len)
		return "has no tag";
	if (memchr(text.ptr, '@', text.len))
		return NULL; /* pinned by digest */
	const char *name = text.ptr;
	for (size_t i = 0; i < text.len; i++)
		if (text.ptr[i] == '/')
			name = text.ptr + i + 1;
	const char *colon = memchr(name, ':', (size_t)(text.ptr + text.len - name));
	if (!colon)
		return "has no tag";
	if ((size_t)(text.ptr + text.len - colon) == 7 && memcmp(colon, ":latest", 7) == 0)
		return "uses :latest";
	return NULL;
}

/* Appends the normalised form of ref to out: the domain defaults to
 * docker.io (index.docker.io is docker.io), a one-component path on
 * docker.io gets "library/", and a reference with neither tag nor digest
 * gets ":latest". A tag and a digest are both kept.
 *   nginx               -> docker.io/library/nginx:latest
 *   quay.io/a/b@sha256:… -> quay.io/a/b@sha256:… */
static void imageref_normalise(kf_buf *out, const kf_imageref *ref)
{
	kf_str domain = ref->domain;
	if (!domain.len || kf_str_eq_cstr(domain, "index.docker.io"))
		domain = KF_STR_LIT("docker.io");
	kf_buf_addstr(out, domain);
	kf_buf_addc(out, '/');
	if (kf_str_eq_cstr(domain, "docker.io") && !memchr(ref->path.ptr, '/', ref->path.len))
		kf_buf_adds(out, "library/");
	kf_buf_addstr(out, ref->path);
	if (ref->tag.len) {
		kf_buf_addc(out, ':');
		kf_buf_addstr(out, ref->tag);
	} else if (!ref->digest.len) {
		kf_buf_adds(out, ":latest");
	}
	if (ref->digest.len) {
		kf_buf_addc(out, '@');
		kf_buf_addstr(out, ref->digest);
	}
}

char *kf_imageref_normalise_str(kf_str text, const char **why)
{
	kf_imageref ref;
	const char *w = kf_imageref_parse(text, &ref);
	if (w) {
		if (why)
			*why = w;
		return NULL;
	}
	kf_buf b = KF_BUF_INIT;
	imageref_normalise(&b, &ref);
	return kf_buf_detach(&b, NULL);
}

char *kf_imageref_familiar(const char *name)
{
	const char *p = name;
	if (strncmp(p, "docker.io/", 10) == 0) {
		p += 10;
		if (strncmp(p, "library/", 8) == 0 && !memchr(p + 8, '/', strcspn(p + 8, ":@")))
			p += 8;
	}
	char *s = strdup(p);
	if (!s)
		abort();
	return s;
}
