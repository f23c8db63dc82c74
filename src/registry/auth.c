/* SPDX-License-Identifier: Apache-2.0 */
/* auth.c - see auth.h. Four parts: the credential files (reading,
 * matching a registry, login and logout), docker's credential helpers,
 * WWW-Authenticate challenges, and token answers.
 *
 * The files are read whole (at most KF_AUTH_FILE_MAX) and parsed by
 * jansson, which keeps the order of an object's keys, so that a file
 * login rewrites keeps everything it held, in its order. jansson gives no
 * positions after parsing: a value of the wrong type is located by a small
 * scan of the text (locate), without recursion.
 */
#include "registry/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/fsutil.h"
#include "base/proc.h"

/* ---- base64 ------------------------------------------------------------ */

static bool is_alnum_ascii(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The bytes of base64 text s (padded or not), malloc'd and NUL-terminated
 * (*n without the NUL); NULL when s is not base64. */
static unsigned char *b64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), data = 0;
	while (data < len && (is_alnum_ascii(s[data]) || s[data] == '+' || s[data] == '/'))
		data++;
	/* after the data, only the '=' that make a multiple of 4, or none */
	size_t pad = len - data;
	for (size_t i = data; i < len; i++)
		if (s[i] != '=')
			return NULL;
	if (data % 4 == 1 || (pad && (data % 4 == 0 || (data + pad) % 4)))
		return NULL;
	size_t want = (data % 4) ? 4 - data % 4 : 0; /* the padding EVP_DecodeBlock needs */
	char *in = kf_xmalloc(data + want + 1);
	memcpy(in, s, data);
	memset(in + data, '=', want);
	in[data + want] = '\0';
	unsigned char *out = kf_xmalloc((data + want) / 4 * 3 + 1);
	int got = EVP_DecodeBlock(out, (const unsigned char *)in, (int)(data + want));
	free(in);
	if (got < 0 || (size_t)got < want) {
		free(out);
		return NULL;
	}
	*n = (size_t)got - want; /* EVP_DecodeBlock counts the padding as zero bytes */
	out[*n] = '\0';
	return out;
}

static char *b64_encode(const void *data, size_t len)
{
	char *out = kf_xmalloc((len + 2) / 3 * 4 + 1);
	EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

char *kf_basic_auth(const char *user, const char *password)
{
	kf_buf plain = KF_BUF_INIT, h = KF_BUF_INIT;
	kf_buf_printf(&plain, "%s:%s", user, password);
	char *enc = b64_encode(plain.ptr, plain.len);
	OPENSSL_cleanse(plain.ptr, plain.len);
	kf_buf_release(&plain);
	kf_buf_printf(&h, "Basic %s", enc);
	free(enc);
	return kf_buf_detach(&h, NULL);
}

/* ---- where a value is in a JSON text ----------------------------------- */

static size_t skip_ws(const char *t, size_t len, size_t i)
{
	while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
		i++;
	return i;
}

/* past the string that starts at t[i] ('"') */
static size_t skip_string(const char *t, size_t len, size_t i)
{
	for (i++; i < len && t[i] != '"'; i++)
		if (t[i] == '\\')
			i++;
	return i < len ? i + 1 : len;
}

/* past the value at t[i]: brackets are counted, strings skipped */
static size_t skip_value(const char *t, size_t len, size_t i)
{
	size_t depth = 0;
	while (i < len) {
		char c = t[i];
		if (c == '"') {
			i = skip_string(t, len, i);
		} else if (c == '{' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			if (!depth)
				return i;
			depth--;
			i++;
		} else if (!depth && (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
			return i;
		} else {
			i++;
		}
		if (!depth && i > 0 && (t[i - 1] == '"' || t[i - 1] == '}' || t[i - 1] == ']'))
			return i;
	}
	return i;
}

/* Is the JSON string at t[i..end) (quotes included) key? */
static bool string_is(const char *t, size_t i, size_t end, const char *key)
{
	kf_buf b = KF_BUF_INIT;
	for (i++; i + 1 < end; i++) {
		if (t[i] != '\\') {
			kf_buf_addc(&b, t[i]);
			continue;
		}
		char c = t[++i];
		if (c != 'u') {
			const char *from = "bfnrt", *to = "\b\f\n\r\t", *at = strchr(from, c);
			kf_buf_addc(&b, at && c ? to[at - from] : c);
			continue;
		}
		unsigned u = 0;
		for (int k = 0; k < 4 && i + 1 < end; k++) {
			char h = t[++i];
			u = u * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
		}
		if (u >= 0xd800 && u < 0xdc00 && i + 6 < end && t[i + 1] == '\\' && t[i + 2] == 'u') {
			unsigned lo = 0;
			for (int k = 0; k < 4; k++) {
				char h = t[i + 3 + k];
				lo = lo * 16 + (unsigned)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
			}
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		}
		if (u < 0x80) {
			kf_buf_addc(&b, (char)u);
		} else if (u < 0x800) {
			kf_buf_addc(&b, (char)(0xc0 | u >> 6));
			kf_buf_addc(&b, (char)(0x80 | (u & 0x3f)));
		} else if (u < 0x10000) {
			kf_buf_addc(&b, (char)(0xe0 | u >> 12));
			kf_buf_addc(&b, (char)(0x80 | ((u >> 6) & 0x3f)));
			kf_buf_addc(&b, (char)(0x80 | (u & 0x3f)));
		} else {
			kf_buf_addc(&b, (char)(0xf0 | u >> 18));
			kf_buf_addc(&b, (char)(0x80 | ((u >> 12) & 0x3f)));
			kf_buf_addc(&b, (char)(0x80 | ((u >> 6) & 0x3f)));
			kf_buf_addc(&b, (char)(0x80 | (u & 0x3f)));
		}
	}
	bool same = b.len == strlen(key) && (!b.len || memcmp(b.ptr, key, b.len) == 0);
	kf_buf_release(&b);
	return same;
}

/* The offset of the value of member key of the object at t[obj] (the
 * last one, as jansson keeps), or SIZE_MAX. */
static size_t find_member(const char *t, size_t len, size_t obj, const char *key)
{
	size_t found = SIZE_MAX, i = obj + 1;
	for (;;) {
		i = skip_ws(t, len, i);
		if (i >= len || t[i] != '"')
			return found;
		size_t kend = skip_string(t, len, i);
		bool match = string_is(t, i, kend, key);
		i = skip_ws(t, len, kend);
		if (i >= len || t[i] != ':')
			return found;
		i = skip_ws(t, len, i + 1);
		if (match)
			found = i;
		i = skip_ws(t, len, skip_value(t, len, i));
		if (i >= len || t[i] != ',')
			return found;
		i++;
	}
}

/* "LINE:COL" of the value at path (n keys from the top object) in a
 * valid JSON text, as jansson counts: lines from 1, columns in characters
 * from 1. A key not found stops the walk at its object. */
static void locate(kf_buf *out, const char *t, size_t len, const char *const *path, size_t n)
{
	size_t at = skip_ws(t, len, 0);
	for (size_t k = 0; k < n && at < len && t[at] == '{'; k++) {
		size_t v = find_member(t, len, at, path[k]);
		if (v == SIZE_MAX)
			break;
		at = v;
	}
	unsigned line = 1, col = 1;
	for (size_t i = 0; i < at && i < len; i++) {
		if (t[i] == '\n') {
			line++;
			col = 1;
		} else if (((unsigned char)t[i] & 0xc0) != 0x80) {
			col++;
		}
	}
	kf_buf_printf(out, "%u:%u", line, col);
}

/* ---- reading a credentials file ---------------------------------------- */

typedef struct auth_file {
	const char *path;
	char *text;
	size_t len;
	json_t *root;
	bool legacy; /* ~/.dockercfg: the "auths" object alone */
} auth_file;

/* Sets err to "PATH:LINE:COL: message", the place of the value at path. */
__attribute__((format(printf, 5, 6))) static bool shape_err(kf_err *err, const auth_file *f, const char *const *path,
							     size_t n, const char *fmt, ...)
{
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "%s:", f->path);
	locate(&b, f->text, f->len, path, n);
	kf_buf_adds(&b, ": ");
	va_list ap;
	va_start(ap, fmt);
	char msg[512];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	kf_buf_adds(&b, msg);
	kf_err_set(err, "%s", b.ptr);
	kf_buf_release(&b);
	return false;
}

/* jansson's message without the text it quotes (" near '…'"), which may be
 * part of a secret, and without its flag's name */
static void json_message(char *out, size_t size, const char *text)
{
	snprintf(out, size, "%s", text);
	char *near = strstr(out, " near '");
	if (near)
		*near = '\0';
	char *flag = strstr(out, " without JSON_ALLOW_NUL");
	if (flag)
		*flag = '\0';
}

/* Reads path whole: false with *missing when it does not exist (or,
 * when optional, may not be read), err untouched; false with err when it
 * cannot be read or is too large. */
static bool read_small(const char *path, bool optional, kf_buf *out, bool *missing, kf_err *err)
{
	*missing = false;
	/* O_NONBLOCK: a FIFO does not hold the open */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR || (optional && errno == EACCES)) {
			*missing = true;
			return false;
		}
		return kf_err_set(err, "%s: %s", path, strerror(errno));
	}
	struct stat st;
	bool ok = true;
	if (fstat(fd, &st) != 0)
		ok = kf_err_set(err, "%s: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		ok = kf_err_set(err, "%s: %s", path, strerror(EISDIR));
	else if (!S_ISREG(st.st_mode))
		ok = kf_err_set(err, "%s: not a regular file", path);
	else if ((uint64_t)st.st_size > KF_AUTH_FILE_MAX)
		ok = kf_err_set(err, "%s: larger than 1 MiB, too large for a credentials file", path);
	char chunk[8192];
	while (ok) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ok = kf_err_set(err, "%s: %s", path, strerror(errno));
		if (r <= 0)
			break;
		kf_buf_add(out, chunk, (size_t)r);
		if (out->len > KF_AUTH_FILE_MAX)
			ok = kf_err_set(err, "%s: larger than 1 MiB, too large for a credentials file", path);
	}
	close(fd);
	if (!ok)
		kf_buf_release(out);
	return ok;
}

static bool is_string_or_null(const json_t *v)
{
	return !v || json_is_string(v) || json_is_null(v);
}

/* Checks the shape both docker and podman require: "auths" an object of
 * objects whose "auth" and "identitytoken" are strings, "credHelpers" an
 * object of strings, "credsStore" a string. */
static bool check_shape(const auth_file *f, kf_err *err)
{
	if (!json_is_object(f->root))
		return shape_err(err, f, NULL, 0, "a credentials file holds a JSON object");
	json_t *auths = f->legacy ? f->root : json_object_get(f->root, "auths");
	const char *in = f->legacy ? NULL : "auths";
	if (auths && !json_is_null(auths) && !json_is_object(auths))
		return shape_err(err, f, &in, 1, "\"auths\" must be an object");
	const char *key;
	json_t *v;
	json_object_foreach(auths, key, v) {
		const char *p[] = {in, key, "auth"};
		const char *const *at = f->legacy ? p + 1 : p;
		size_t n = f->legacy ? 1 : 2;
		if (!json_is_object(v))
			return shape_err(err, f, at, n, "the entry \"%s\"%s must be an object", key,
					 f->legacy ? "" : " of \"auths\"");
		if (!is_string_or_null(json_object_get(v, "auth")))
			return shape_err(err, f, at, n + 1, "\"auth\" of \"%s\" must be a string", key);
		p[2] = "identitytoken";
		if (!is_string_or_null(json_object_get(v, "identitytoken")))
			return shape_err(err, f, at, n + 1, "\"identitytoken\" of \"%s\" must be a string", key);
	}
	if (f->legacy)
		return true;
	json_t *helpers = json_object_get(f->root, "credHelpers");
	const char *hp[] = {"credHelpers", NULL};
	if (helpers && !json_is_null(helpers) && !json_is_object(helpers))
		return shape_err(err, f, hp, 1, "\"credHelpers\" must be an object");
	json_object_foreach(helpers, key, v) {
		hp[1] = key;
		if (!json_is_string(v))
			return shape_err(err, f, hp, 2, "the helper of \"%s\" in \"credHelpers\" must be a string", key);
	}
	const char *sp = "credsStore";
	if (!is_string_or_null(json_object_get(f->root, "credsStore")))
		return shape_err(err, f, &sp, 1, "\"credsStore\" must be a string");
	return true;
}

/* Loads path into f: false with *missing when there is no such file,
 * false with err when it is not a credentials file. */
static bool load_file(auth_file *f, const char *path, bool legacy, bool optional, bool *missing, kf_err *err)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	f->legacy = legacy;
	kf_buf b = KF_BUF_INIT;
	if (!read_small(path, optional, &b, missing, err))
		return false;
	f->text = kf_buf_detach(&b, &f->len);
	if (!f->text) {
		f->text = kf_xstrdup("");
		f->len = 0;
	}
	json_error_t je;
	f->root = json_loadb(f->text, f->len, 0, &je);
	if (!f->root) {
		char msg[sizeof je.text];
		json_message(msg, sizeof msg, je.text);
		return kf_err_set(err, "%s:%d:%d: %s", path, je.line < 1 ? 1 : je.line, je.column < 1 ? 1 : je.column,
				  msg);
	}
	return check_shape(f, err);
}

static void release_file(auth_file *f)
{
	json_decref(f->root);
	if (f->text)
		OPENSSL_cleanse(f->text, f->len);
	free(f->text);
	memset(f, 0, sizeof *f);
}

/* ---- matching a registry ------------------------------------------------ */

/* docker.io's names, as containers/image normalises them */
static kf_str normal_registry(kf_str r)
{
	if (kf_str_eq_cstr(r, "docker.io") || kf_str_eq_cstr(r, "registry-1.docker.io"))
		return KF_STR_LIT("index.docker.io");
	return r;
}

/* The registry a key names: a URL's host ("https://host/v2/" -> host), or
 * the key itself (in ~/.dockercfg, what comes before a '/' too). */
static kf_str key_registry(const char *key, bool legacy)
{
	kf_str k = kf_str_cstr(key);
	bool url = false;
	for (int i = 0; i < 2 && !url; i++) {
		const char *scheme = i ? "https://" : "http://";
		if (kf_str_has_prefix(k, scheme)) {
			k.ptr += strlen(scheme);
			k.len -= strlen(scheme);
			url = true;
		}
	}
	if (url || legacy) {
		const char *slash = memchr(k.ptr, '/', k.len);
		if (slash)
			k.len = (size_t)(slash - k.ptr);
	}
	return normal_registry(k);
}

static bool has_content(const json_t *entry)
{
	const char *a = json_string_value(json_object_get(entry, "auth"));
	const char *t = json_string_value(json_object_get(entry, "identitytoken"));
	return (a && *a) || (t && *t);
}

/* The key of obj's member for registry: "registry/repository" and its
 * prefixes, the most specific first, down to the registry itself (not in
 * ~/.dockercfg); else the first key that names the registry another way
 * (key_registry). with_content: only entries that hold credentials count.
 * NULL: none. */
static const char *match_key(json_t *obj, const char *registry, const char *repository, bool legacy,
			     bool with_content)
{
	if (!json_is_object(obj))
		return NULL;
	const char *hit = NULL;
	if (!legacy) {
		kf_buf k = KF_BUF_INIT;
		kf_buf_adds(&k, registry);
		if (repository && *repository)
			kf_buf_printf(&k, "/%s", repository);
		for (;;) {
			void *it = json_object_iter_at(obj, k.ptr);
			if (it && (!with_content || has_content(json_object_iter_value(it))))
				hit = json_object_iter_key(it);
			char *slash = strrchr(k.ptr, '/');
			if (hit || !slash)
				break;
			*slash = '\0';
		}
		kf_buf_release(&k);
	}
	kf_str want = normal_registry(kf_str_cstr(registry));
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (hit)
			break;
		if (kf_str_eq(key_registry(key, legacy), want) && (!with_content || has_content(v)))
			hit = key;
	}
	return hit;
}

void kf_creds_release(kf_creds *c)
{
	if (c->secret)
		OPENSSL_cleanse(c->secret, strlen(c->secret));
	free(c->user);
	free(c->secret);
	free(c->source);
	free(c->helper);
	memset(c, 0, sizeof *c);
}

/* The credentials of entry key of f's "auths". */
static kf_creds_result decode_entry(const auth_file *f, const char *key, kf_creds *out, kf_err *err)
{
	json_t *entry = json_object_get(f->legacy ? f->root : json_object_get(f->root, "auths"), key);
	const char *auth = json_string_value(json_object_get(entry, "auth"));
	const char *token = json_string_value(json_object_get(entry, "identitytoken"));
	const char *p[] = {"auths", key, "auth"};
	const char *const *at = f->legacy ? p + 1 : p;
	size_t n = f->legacy ? 2 : 3;
	char *user = NULL, *password = NULL;
	if (auth && *auth) {
		size_t len;
		unsigned char *plain = b64_decode(auth, &len);
		if (!plain) {
			shape_err(err, f, at, n, "\"auth\" of \"%s\" is not base64", key);
			return KF_CREDS_ERROR;
		}
		/* a password may end with NUL bytes (containers/image drops them) */
		while (len && !plain[len - 1])
			len--;
		char *colon = memchr(plain, ':', len);
		const char *why = !colon ? "has no ':' between the user and the password"
			     : memchr(plain, '\0', len) ? "holds a NUL byte" : NULL;
		if (why) {
			OPENSSL_cleanse(plain, len);
			free(plain);
			shape_err(err, f, at, n, "\"auth\" of \"%s\" is not base64 of \"user:password\": it %s", key, why);
			return KF_CREDS_ERROR;
		}
		*colon = '\0';
		plain[len] = '\0';
		user = kf_xstrdup((char *)plain);
		password = kf_xstrdup(colon + 1);
		OPENSSL_cleanse(plain, len);
		free(plain);
	}
	if (token && *token) {
		out->user = user ? user : kf_xstrdup("");
		out->secret = kf_xstrdup(token);
		out->identity_token = true;
		if (password)
			OPENSSL_cleanse(password, strlen(password));
		free(password);
	} else {
		out->user = user;
		out->secret = password;
	}
	out->source = kf_xstrdup(f->path);
	return KF_CREDS_FOUND;
}

/* ---- credential helpers -------------------------------------------------- */

static bool helper_name_ok(const char *name)
{
	if (!*name || *name == '.' || strlen(name) > 64)
		return false;
	for (const char *c = name; *c; c++)
		if (!is_alnum_ascii(*c) && *c != '-' && *c != '_' && *c != '.')
			return false;
	return true;
}

/* The first line of a helper's failure, at most 200 bytes, printable. */
static void first_line(char *out, size_t size, const kf_buf *b)
{
	size_t n = 0;
	for (size_t i = 0; b->ptr && i < b->len && n + 1 < size && n < 200; i++) {
		unsigned char c = (unsigned char)b->ptr[i];
		if (c == '\n' || c == '\r')
			break;
		out[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	out[n] = '\0';
}

/* Asks docker-credential-NAME for server's credentials. */
static kf_creds_result run_helper(const char *file, const char *what, const char *name, const char *server,
				  kf_creds *out, kf_err *err)
{
	if (!helper_name_ok(name)) {
		kf_err_set(err, "%s: the credential helper \"%s\" of %s is not a program name", file, name, what);
		return KF_CREDS_ERROR;
	}
	char prog[96];
	snprintf(prog, sizeof prog, "docker-credential-%s", name);
	char *argv[] = {prog, "get", NULL};
	kf_proc p = {.argv = argv,
		     .dir_fd = -1,
		     .timeout_ms = KF_AUTH_HELPER_TIMEOUT_MS,
		     .input = server,
		     .input_len = strlen(server)};
	kf_buf b = KF_BUF_INIT;
	int status = 0;
	kf_proc_end end = p.input_len > KF_PROC_INPUT_MAX ? KF_PROC_NOT_RUN : kf_proc_run(&p, &b, &status);
	kf_creds_result r = KF_CREDS_ERROR;
	char line[256];
	if (end == KF_PROC_NOT_RUN && p.input_len > KF_PROC_INPUT_MAX) {
		kf_err_set(err, "%s: %s get (%s): the server name is too long", file, prog, what);
	} else if (end == KF_PROC_NOT_RUN && status == ENOENT) {
		kf_err_set(err, "%s: %s get (%s): not found in PATH", file, prog, what);
	} else if (end == KF_PROC_NOT_RUN) {
		kf_err_set(err, "%s: %s get (%s): %s", file, prog, what, strerror(status));
	} else if (end == KF_PROC_TIMED_OUT) {
		kf_err_set(err, "%s: %s get (%s): no answer within %d s", file, prog, what,
			   KF_AUTH_HELPER_TIMEOUT_MS / 1000);
	} else if (end != KF_PROC_EXITED) {
		kf_err_set(err, "%s: %s get (%s): killed by signal %d", file, prog, what, status);
	} else if (status != 0) {
		first_line(line, sizeof line, &b);
		if (strcmp(line, "credentials not found in native keychain") == 0)
			r = KF_CREDS_NONE;
		else
			kf_err_set(err, "%s: %s get (%s): exit status %d%s%s", file, prog, what, status, *line ? ": " : "",
				   line);
	} else {
		json_t *doc = b.len <= KF_AUTH_FILE_MAX ? json_loadb(b.ptr ? b.ptr : "", b.len, 0, NULL) : NULL;
		const char *user = json_string_value(json_object_get(doc, "Username"));
		const char *secret = json_string_value(json_object_get(doc, "Secret"));
		if (!json_is_object(doc) || !user || !secret) {
			kf_err_set(err, "%s: %s get (%s): the answer is not {\"Username\": …, \"Secret\": …}", file, prog,
				   what);
		} else if (*user || *secret) {
			out->identity_token = strcmp(user, "<token>") == 0;
			out->user = kf_xstrdup(out->identity_token ? "" : user);
			out->secret = kf_xstrdup(secret);
			out->source = kf_xstrdup(file);
			out->helper = kf_xstrdup(name);
			r = KF_CREDS_FOUND;
		} else {
			r = KF_CREDS_NONE;
		}
		json_decref(doc);
	}
	if (b.ptr)
		OPENSSL_cleanse(b.ptr, b.len);
	kf_buf_release(&b);
	return r;
}

/* ---- the lookup ------------------------------------------------------------- */

/* The credentials f holds for registry: its credHelpers entry, its auths
 * entry, its credsStore. */
static kf_creds_result lookup_in(const auth_file *f, const char *registry, const char *repository, kf_creds *out,
				 kf_err *err)
{
	json_t *auths = f->legacy ? f->root : json_object_get(f->root, "auths");
	if (!f->legacy) {
		json_t *helpers = json_object_get(f->root, "credHelpers");
		const char *key = match_key(helpers, registry, NULL, false, false);
		if (key) {
			kf_buf what = KF_BUF_INIT;
			kf_buf_printf(&what, "credHelpers entry \"%s\"", key);
			kf_creds_result r =
				run_helper(f->path, what.ptr, json_string_value(json_object_get(helpers, key)), key, out, err);
			kf_buf_release(&what);
			return r;
		}
	}
	const char *key = match_key(auths, registry, repository, f->legacy, true);
	if (key)
		return decode_entry(f, key, out, err);
	const char *store = f->legacy ? NULL : json_string_value(json_object_get(f->root, "credsStore"));
	if (store && *store) {
		/* docker keeps Docker Hub's credentials under its old index URL */
		bool hub = kf_str_eq_cstr(normal_registry(kf_str_cstr(registry)), "index.docker.io");
		return run_helper(f->path, "credsStore", store, hub ? "https://index.docker.io/v1/" : registry, out, err);
	}
	return KF_CREDS_NONE;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? v : NULL;
}

static const char *home_dir(void)
{
	const char *h = env("HOME");
	if (h)
		return h;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

/* ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json, or NULL */
static char *config_auth_path(void)
{
	kf_buf b = KF_BUF_INIT;
	const char *xdg = env("XDG_CONFIG_HOME"), *home = home_dir();
	if (xdg)
		kf_buf_printf(&b, "%s/containers/auth.json", xdg);
	else if (home)
		kf_buf_printf(&b, "%s/.config/containers/auth.json", home);
	return kf_buf_detach(&b, NULL);
}

typedef struct auth_place {
	char *path;
	bool legacy;
	bool optional; /* an unreadable file is passed over */
} auth_place;

/* The files in the order they are read (auth.h); returns how many. */
static size_t auth_places(auth_place places[5])
{
	size_t n = 0;
	const char *file = env("REGISTRY_AUTH_FILE");
	if (file) {
		places[n++] = (auth_place){kf_xstrdup(file), false, false};
		return n;
	}
	const char *run = env("XDG_RUNTIME_DIR"), *home = home_dir(), *docker = env("DOCKER_CONFIG");
	kf_buf b = KF_BUF_INIT;
	if (run)
		kf_buf_printf(&b, "%s/containers/auth.json", run);
	else
		kf_buf_printf(&b, "/run/containers/%u/auth.json", (unsigned)getuid());
	/* /run/containers may be root's alone: a user without XDG_RUNTIME_DIR
	 * reads on, as without the file */
	places[n++] = (auth_place){kf_buf_detach(&b, NULL), false, !run};
	char *config = config_auth_path();
	if (config)
		places[n++] = (auth_place){config, false, false};
	if (docker)
		kf_buf_printf(&b, "%s/config.json", docker);
	else if (home)
		kf_buf_printf(&b, "%s/.docker/config.json", home);
	if (b.len)
		places[n++] = (auth_place){kf_buf_detach(&b, NULL), false, false};
	if (home) {
		kf_buf_printf(&b, "%s/.dockercfg", home);
		places[n++] = (auth_place){kf_buf_detach(&b, NULL), true, false};
	}
	kf_buf_release(&b);
	return n;
}

kf_creds_result kf_creds_lookup(const char *registry, const char *repository, kf_creds *out, kf_err *err)
{
	memset(out, 0, sizeof *out);
	if (!registry || !*registry || strchr(registry, '/')) {
		kf_err_set(err, "\"%s\" is not a registry (host[:port])", registry ? registry : "");
		return KF_CREDS_ERROR;
	}
	auth_place places[5];
	size_t n = auth_places(places);
	kf_creds_result r = KF_CREDS_NONE;
	for (size_t i = 0; i < n && r == KF_CREDS_NONE; i++) {
		auth_file f;
		bool missing;
		if (load_file(&f, places[i].path, places[i].legacy, places[i].optional, &missing, err))
			r = lookup_in(&f, registry, repository, out, err);
		else if (!missing)
			r = KF_CREDS_ERROR;
		release_file(&f);
	}
	for (size_t i = 0; i < n; i++)
		free(places[i].path);
	if (r != KF_CREDS_FOUND)
		kf_creds_release(out);
	return r;
}

/* ---- login and logout ------------------------------------------------------- */

char *kf_creds_auth_path(kf_err *err)
{
	const char *file = env("REGISTRY_AUTH_FILE"), *run = env("XDG_RUNTIME_DIR");
	if (file)
		return kf_xstrdup(file);
	if (run) {
		struct stat st;
		if (stat(run, &st) != 0 || !S_ISDIR(st.st_mode)) {
			kf_err_set(err, "XDG_RUNTIME_DIR names %s, which is not a folder: create it or unset XDG_RUNTIME_DIR",
				   run);
			return NULL;
		}
		kf_buf b = KF_BUF_INIT;
		kf_buf_printf(&b, "%s/containers/auth.json", run);
		return kf_buf_detach(&b, NULL);
	}
	char *p = config_auth_path();
	if (!p)
		kf_err_set(err, "no home folder (HOME is unset) for containers/auth.json: set REGISTRY_AUTH_FILE");
	return p;
}

/* Podman's layout: one tab a level, a line end at the end. */
static char *dump_tabs(const json_t *root, size_t *len)
{
	char *text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	if (!text)
		abort();
	kf_buf b = KF_BUF_INIT;
	bool start = true;
	for (const char *c = text; *c; c++) {
		if (start && *c == ' ') {
			kf_buf_addc(&b, '\t');
			continue;
		}
		start = *c == '\n';
		kf_buf_addc(&b, *c);
	}
	kf_buf_addc(&b, '\n');
	free(text);
	return kf_buf_detach(&b, len);
}

/* Loads the file login and logout write (an empty object when there is
 * none), runs edit on it and writes it back. */
static bool edit_auth_file(const char *registry, bool (*edit)(auth_file *f, const char *registry, void *arg, kf_err *err),
			   void *arg, char **path_out, kf_err *err)
{
	if (path_out)
		*path_out = NULL;
	if (!registry || !*registry || strncmp(registry, "http://", 7) == 0 || strncmp(registry, "https://", 8) == 0 ||
	    strpbrk(registry, "@ \t\r\n"))
		return kf_err_set(err, "\"%s\" is not a registry: write host[:port] (or host/namespace)",
				  registry ? registry : "");
	char *path = kf_creds_auth_path(err);
	if (!path)
		return false;
	auth_file f;
	bool missing, ok = load_file(&f, path, false, false, &missing, err);
	if (!ok && missing) {
		f.root = json_object();
		ok = true;
	}
	if (ok && !json_is_object(json_object_get(f.root, "auths")))
		json_object_set_new(f.root, "auths", json_object());
	if (ok)
		ok = edit(&f, registry, arg, err);
	if (ok) {
		size_t len;
		char *text = dump_tabs(f.root, &len);
		char *dir = kf_xstrdup(path), *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (!kf_mkdirs(dir, 0700))
				ok = kf_err_set(err, "%s: %s", dir, strerror(errno));
		}
		free(dir);
		ok = ok && kf_write_file_atomic(path, text, len, 0600, true, err);
		OPENSSL_cleanse(text, len);
		free(text);
	}
	release_file(&f);
	if (ok && path_out)
		*path_out = path;
	else
		free(path);
	return ok;
}

typedef struct login {
	const char *user, *password;
} login;

static bool set_entry(auth_file *f, const char *registry, void *arg, kf_err *err)
{
	const login *l = arg;
	const char *helper = json_string_value(json_object_get(json_object_get(f->root, "credHelpers"), registry));
	if (helper)
		return kf_err_set(err, "%s: %s has the credential helper docker-credential-%s (\"credHelpers\"): log in with it",
				  f->path, registry, helper);
	json_t *entry = json_object();
	char *auth = kf_basic_auth(l->user, l->password);
	json_object_set_new(entry, "auth", json_string(auth + strlen("Basic ")));
	OPENSSL_cleanse(auth, strlen(auth));
	free(auth);
	json_object_set_new(json_object_get(f->root, "auths"), registry, entry);
	return true;
}

bool kf_creds_store(const char *registry, const char *user, const char *password, char **path_out, kf_err *err)
{
	if (path_out)
		*path_out = NULL;
	if (!user || !*user || strchr(user, ':'))
		return kf_err_set(err, "the user name \"%s\" is empty or holds a ':'", user ? user : "");
	login l = {user, password ? password : ""};
	return edit_auth_file(registry, set_entry, &l, path_out, err);
}

static bool del_entry(auth_file *f, const char *registry, void *arg, kf_err *err)
{
	(void)arg;
	if (json_object_del(json_object_get(f->root, "auths"), registry) != 0)
		return kf_err_set(err, "not logged in to %s: %s has no entry for it", registry, f->path);
	return true;
}

bool kf_creds_erase(const char *registry, char **path_out, kf_err *err)
{
	return edit_auth_file(registry, del_entry, NULL, path_out, err);
}

/* ---- WWW-Authenticate --------------------------------------------------------- */

static bool is_tchar(unsigned char c)
{
	return is_alnum_ascii((char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

typedef struct span {
	size_t start, len;
	bool quoted; /* a quoted string's inside, its escapes still there */
	bool set;
} span;

typedef struct challenge {
	kf_auth_scheme scheme;
	span realm, service, scope, error;
} challenge;

typedef struct hdr {
	const char *s;
	size_t i, n;
} hdr;

static size_t token_len(const hdr *h, size_t i)
{
	size_t j = i;
	while (j < h->n && is_tchar((unsigned char)h->s[j]))
		j++;
	return j - i;
}

static size_t skip_blanks(const hdr *h, size_t i)
{
	while (i < h->n && is_blank(h->s[i]))
		i++;
	return i;
}

/* A parameter's value at h->s[i]: a quoted string or a bare value; the
 * index after it, or SIZE_MAX. */
static size_t param_value(const hdr *h, size_t i, span *v)
{
	if (i < h->n && h->s[i] == '"') {
		size_t j = i + 1;
		for (; j < h->n && h->s[j] != '"'; j++)
			if (h->s[j] == '\\' && ++j >= h->n)
				return SIZE_MAX;
		if (j >= h->n)
			return SIZE_MAX;
		*v = (span){i + 1, j - i - 1, true, true};
		return j + 1;
	}
	size_t j = i;
	while (j < h->n && h->s[j] != ',' && !is_blank(h->s[j]) && h->s[j] != '"')
		j++;
	if (j == i || h->s[i] == '=')
		return SIZE_MAX;
	*v = (span){i, j - i, false, true};
	return j;
}

/* "name = value" at i: the index after it, or SIZE_MAX when there is no
 * parameter there (nothing is changed then). */
static size_t param(const hdr *h, size_t i, challenge *c)
{
	size_t nl = token_len(h, i);
	size_t eq = skip_blanks(h, i + nl);
	if (!nl || eq >= h->n || h->s[eq] != '=')
		return SIZE_MAX;
	span v;
	size_t end = param_value(h, skip_blanks(h, eq + 1), &v);
	if (end == SIZE_MAX)
		return SIZE_MAX;
	static const char *const names[] = {"realm", "service", "scope", "error"};
	span *slots[] = {&c->realm, &c->service, &c->scope, &c->error};
	for (size_t k = 0; k < 4; k++)
		if (nl == strlen(names[k]) && strncasecmp(h->s + i, names[k], nl) == 0 && !slots[k]->set)
			*slots[k] = v;
	return end;
}

/* token68 at i (RFC 7235 2.1): the index after it, or SIZE_MAX */
static size_t token68(const hdr *h, size_t i)
{
	size_t j = i;
	while (j < h->n && h->s[j] && (is_alnum_ascii(h->s[j]) || strchr("-._~+/", h->s[j])))
		j++;
	if (j == i)
		return SIZE_MAX;
	while (j < h->n && h->s[j] == '=')
		j++;
	return j;
}

static char *span_dup(const hdr *h, const span *v)
{
	if (!v->set)
		return NULL;
	kf_buf b = KF_BUF_INIT;
	for (size_t i = v->start; i < v->start + v->len; i++) {
		if (v->quoted && h->s[i] == '\\')
			i++;
		kf_buf_addc(&b, h->s[i]);
	}
	if (!b.ptr)
		return kf_xstrdup("");
	return kf_buf_detach(&b, NULL);
}

/* A challenge is over: the first usable Bearer and the first Basic are
 * kept. */
static void finish(const challenge *c, challenge *bearer, challenge *basic)
{
	if (c->scheme == KF_AUTH_BEARER && c->realm.len && bearer->scheme == KF_AUTH_NONE)
		*bearer = *c;
	if (c->scheme == KF_AUTH_BASIC && basic->scheme == KF_AUTH_NONE)
		*basic = *c;
}

/* A challenge at i: its scheme, then a parameter or a token68 (or
 * nothing); the index after it, or SIZE_MAX. */
static size_t scheme_start(const hdr *h, size_t i, challenge *c)
{
	size_t nl = token_len(h, i);
	if (!nl)
		return SIZE_MAX;
	memset(c, 0, sizeof *c);
	if (nl == 6 && strncasecmp(h->s + i, "bearer", 6) == 0)
		c->scheme = KF_AUTH_BEARER;
	else if (nl == 5 && strncasecmp(h->s + i, "basic", 5) == 0)
		c->scheme = KF_AUTH_BASIC;
	i += nl;
	if (i < h->n && h->s[i] != ',' && !is_blank(h->s[i]))
		return SIZE_MAX;
	i = skip_blanks(h, i);
	if (i >= h->n || h->s[i] == ',')
		return i;
	size_t end = param(h, i, c);
	return end != SIZE_MAX ? end : token68(h, i);
}

bool kf_challenge_parse(const char *header, kf_challenge *out)
{
	memset(out, 0, sizeof *out);
	if (!header)
		return false;
	size_t n = strnlen(header, KF_AUTH_HEADER_MAX + 1);
	if (n > KF_AUTH_HEADER_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)header[i] < 0x20 && header[i] != '\t') || header[i] == 0x7f)
			return false;
	hdr h = {header, 0, n};
	challenge cur = {0}, bearer = {0}, basic = {0};
	bool open = false; /* a challenge has begun: parameters may follow */
	for (;;) {
		/* the list's elements: empty ones are allowed (RFC 7230 7) */
		while (h.i < n && (is_blank(header[h.i]) || header[h.i] == ','))
			h.i++;
		if (h.i >= n)
			break;
		/* "name=value" goes on with the challenge; a token alone
		 * starts the next */
		size_t end = open ? param(&h, h.i, &cur) : SIZE_MAX;
		if (end == SIZE_MAX) {
			if (open)
				finish(&cur, &bearer, &basic);
			end = scheme_start(&h, h.i, &cur);
			if (end == SIZE_MAX)
				return false;
			open = true;
		}
		h.i = skip_blanks(&h, end);
		if (h.i < n && header[h.i] != ',')
			return false;
	}
	if (open)
		finish(&cur, &bearer, &basic);
	const challenge *c = bearer.scheme != KF_AUTH_NONE ? &bearer : basic.scheme != KF_AUTH_NONE ? &basic : NULL;
	if (!c)
		return false;
	out->scheme = c->scheme;
	out->realm = span_dup(&h, &c->realm);
	out->service = span_dup(&h, &c->service);
	out->scope = span_dup(&h, &c->scope);
	out->error = span_dup(&h, &c->error);
	return true;
}

void kf_challenge_release(kf_challenge *c)
{
	free(c->realm);
	free(c->service);
	free(c->scope);
	free(c->error);
	memset(c, 0, sizeof *c);
}

/* ---- token answers ---------------------------------------------------------------- */

/* days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, int n, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* RFC 3339's date-time ("2024-01-02T03:04:05.123Z", "…+02:00") in
 * seconds since the epoch. */
static bool parse_rfc3339(const char *s, int64_t *t)
{
	unsigned y, mo, d, h, mi, sec;
	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' ||
	    !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 || sec > 59)
		return false;
	const char *z = s + 19;
	if (*z == '.') {
		if (z[1] < '0' || z[1] > '9')
			return false;
		for (z++; *z >= '0' && *z <= '9'; z++)
			;
	}
	int64_t offset = 0;
	if ((*z == 'Z' || *z == 'z') && !z[1]) {
		offset = 0;
	} else if ((*z == '+' || *z == '-') && strlen(z) == 6 && z[3] == ':') {
		unsigned oh, om;
		if (!digits(z + 1, 2, &oh) || !digits(z + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset = (int64_t)(oh * 3600 + om * 60) * (*z == '-' ? -1 : 1);
	} else {
		return false;
	}
	*t = days_from_civil(y, mo, d) * 86400 + (int64_t)(h * 3600 + mi * 60 + sec) - offset;
	return true;
}

/* A token goes into an Authorization header: visible ASCII only. */
static bool header_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* The member name of a token answer that is present but not a non-empty
 * string, or of the chosen token. */
static const char *pick_token(json_t *doc, const char **bad)
{
	*bad = NULL;
	const char *names[] = {"token", "access_token"};
	for (size_t k = 0; k < 2; k++) {
		json_t *v = json_object_get(doc, names[k]);
		if (v && !json_is_string(v) && !json_is_null(v)) {
			*bad = names[k];
			return NULL;
		}
		const char *s = json_string_value(v);
		if (s && *s)
			return s;
	}
	return NULL;
}

bool kf_token_parse(const char *body, size_t len, time_t now, char **token, time_t *expires, kf_err *err)
{
	*token = NULL;
	*expires = 0;
	if (len > KF_AUTH_FILE_MAX)
		return kf_err_set(err, "token answer: larger than 1 MiB");
	json_error_t je;
	json_t *doc = json_loadb(body ? body : "", body ? len : 0, 0, &je);
	if (!doc)
		return kf_err_set(err, "token answer: not JSON (line %d, column %d)", je.line < 1 ? 1 : je.line,
				  je.column < 1 ? 1 : je.column);
	bool ok = true;
	const char *bad, *tok = NULL;
	json_t *ein = json_object_get(doc, "expires_in");
	json_t *iat = json_object_get(doc, "issued_at");
	int64_t issued = (int64_t)now, lifetime = 60;
	if (!json_is_object(doc))
		ok = kf_err_set(err, "token answer: not a JSON object");
	else if (!(tok = pick_token(doc, &bad)))
		ok = bad ? kf_err_set(err, "token answer: \"%s\" is not a string", bad)
			 : kf_err_set(err, "token answer: no \"token\" or \"access_token\"");
	else if (!header_safe(tok))
		ok = kf_err_set(err, "token answer: the token holds a character that cannot go in a header");
	else if (ein && !json_is_null(ein) && !json_is_number(ein))
		ok = kf_err_set(err, "token answer: \"expires_in\" is not a number");
	else if (iat && !json_is_null(iat) &&
		 (!json_is_string(iat) || !parse_rfc3339(json_string_value(iat), &issued)))
		ok = kf_err_set(err, "token answer: \"issued_at\" is not an RFC 3339 time");
	if (ok) {
		double e = json_is_number(ein) ? json_number_value(ein) : 60;
		const double year = 365.0 * 86400;
		lifetime = e < 60 ? 60 : e > year ? (int64_t)year : (int64_t)e;
		int64_t at;
		if (__builtin_add_overflow(issued, lifetime - 10, &at) || at != (int64_t)(time_t)at)
			at = issued;
		*expires = (time_t)at;
		*token = kf_xstrdup(tok);
	}
	json_decref(doc);
	return ok;
}
