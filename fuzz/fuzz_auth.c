/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_auth.c - libFuzzer target: any bytes as a WWW-Authenticate header
 * (kf_challenge_parse), as a token server's answer (kf_token_parse) and as
 * a credentials file (kf_creds_lookup through REGISTRY_AUTH_FILE), with no
 * crash, leak or hang. A challenge understood is Basic or Bearer (a
 * Bearer with a realm), its values hold no control character but a tab,
 * and written back as a header it parses to the same values. A token is
 * visible ASCII, and expires within a year of its issue. A file's error
 * names the file, at a line and column inside the text.
 *
 * The credentials file is a memfd, named by /proc/self/fd; PATH is empty,
 * so that no credential helper a file names can run.
 *
 *   fuzz/run.sh auth
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "registry/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                         \
	do {                             \
		if (!(c))                \
			__builtin_trap(); \
	} while (0)

static void check_value(const char *v, size_t size)
{
	if (!v)
		return;
	CHECK(strlen(v) <= size);
	for (const char *c = v; *c; c++)
		CHECK((unsigned char)*c >= 0x20 || *c == '\t');
	CHECK(!strchr(v, 0x7f));
}

static void add_param(kf_buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	kf_buf_printf(b, ", %s=\"", name);
	for (const char *c = v; *c; c++) {
		if (*c == '"' || *c == '\\')
			kf_buf_addc(b, '\\');
		kf_buf_addc(b, *c);
	}
	kf_buf_addc(b, '"');
}

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void challenge(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	kf_challenge c;
	bool ok = kf_challenge_parse(text, &c);
	CHECK(ok == (c.scheme != KF_AUTH_NONE));
	if (ok) {
		CHECK(c.scheme == KF_AUTH_BASIC || (c.scheme == KF_AUTH_BEARER && c.realm && *c.realm));
		check_value(c.realm, size);
		check_value(c.service, size);
		check_value(c.scope, size);
		check_value(c.error, size);
		/* written back, the same values */
		kf_buf b = KF_BUF_INIT;
		kf_buf_adds(&b, c.scheme == KF_AUTH_BEARER ? "Bearer x=y" : "Basic x=y");
		add_param(&b, "realm", c.realm);
		add_param(&b, "service", c.service);
		add_param(&b, "scope", c.scope);
		add_param(&b, "error", c.error);
		kf_challenge again;
		if (b.len <= KF_AUTH_HEADER_MAX) {
			CHECK(kf_challenge_parse(b.ptr, &again));
			CHECK(again.scheme == c.scheme && same(again.realm, c.realm) && same(again.service, c.service) &&
			      same(again.scope, c.scope) && same(again.error, c.error));
			kf_challenge_release(&again);
		}
		kf_buf_release(&b);
	}
	kf_challenge_release(&c);
	free(text);
}

static void token(const uint8_t *data, size_t size)
{
	char *tok = NULL;
	time_t expires = 0;
	kf_err err = {""};
	const time_t now = 1700000000;
	if (kf_token_parse((const char *)data, size, now, &tok, &expires, &err)) {
		CHECK(tok && *tok);
		for (const char *c = tok; *c; c++)
			CHECK(*c > 0x20 && *c < 0x7f);
		/* issued_at is in the years 0 to 9999, give or take a day's offset */
		CHECK(expires >= -62167219200 - 86400 + 50 && expires <= 253402300799 + 86400 + 365 * 86400);
		CHECK(!err.msg[0]);
		free(tok);
	} else {
		CHECK(!tok && strncmp(err.msg, "token answer: ", 14) == 0);
	}
}

static int memfd = -1;
static char path[64];

static void creds_file(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("auth.json", MFD_CLOEXEC);
		CHECK(memfd >= 0);
		snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
		setenv("REGISTRY_AUTH_FILE", path, 1);
		setenv("PATH", "/nonexistent", 1);
	}
	CHECK(ftruncate(memfd, 0) == 0);
	CHECK(pwrite(memfd, data, size, 0) == (ssize_t)size);
	unsigned lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	const char *repos[] = {NULL, "ns/repo"};
	const char *registries[] = {"a.io", "docker.io"};
	for (int k = 0; k < 2; k++) {
		kf_creds c;
		kf_err err = {""};
		kf_creds_result r = kf_creds_lookup(registries[k], repos[k], &c, &err);
		if (r == KF_CREDS_FOUND) {
			CHECK(c.user && c.secret && c.source && strcmp(c.source, path) == 0);
		} else {
			CHECK(!c.user && !c.secret && !c.source);
		}
		if (r == KF_CREDS_ERROR) {
			size_t n = strlen(path);
			CHECK(strncmp(err.msg, path, n) == 0 && err.msg[n] == ':');
			unsigned line, col;
			if (sscanf(err.msg + n, ":%u:%u:", &line, &col) == 2)
				CHECK(line >= 1 && line <= lines && col >= 1 && col <= size + 1);
		}
		kf_creds_release(&c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	challenge(data, size);
	token(data, size);
	creds_file(data, size);
	return 0;
}
