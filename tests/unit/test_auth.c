/* SPDX-License-Identifier: Apache-2.0 */
/* test_auth.c - unit tests of registry/auth.c: the credential files in
 * podman's order, the keys that match a registry, base64 and identity
 * tokens, credential helpers (little shell scripts on PATH), broken and
 * oversized files, login and logout; WWW-Authenticate challenges as Docker
 * Hub, GHCR and Harbor send them; token answers. Each test has its own
 * HOME, XDG_RUNTIME_DIR and PATH under a temporary folder; nothing goes to
 * the network.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/fsutil.h"
#include "registry/auth.h"

static char T[256];       /* the test's folder */
static char *saved_path;  /* PATH before the test */

static const char *at(const char *rel)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", T, rel);
	return buf[k];
}

static void put(const char *rel, const char *text)
{
	char *dir = strdup(at(rel));
	*strrchr(dir, '/') = '\0';
	assert_true(kf_mkdirs(dir, 0755));
	free(dir);
	FILE *f = fopen(at(rel), "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return strdup(buf);
}

static int setup(void **state)
{
	(void)state;
	snprintf(T, sizeof T, "%s/kf-auth-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(T));
	assert_true(kf_mkdirs(at("home"), 0755) && kf_mkdirs(at("run"), 0700) && kf_mkdirs(at("bin"), 0755));
	setenv("HOME", at("home"), 1);
	setenv("XDG_RUNTIME_DIR", at("run"), 1);
	unsetenv("REGISTRY_AUTH_FILE");
	unsetenv("DOCKER_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	saved_path = strdup(getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
	char path[1024];
	snprintf(path, sizeof path, "%s:%s", at("bin"), saved_path);
	setenv("PATH", path, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	kf_remove_tree(T);
	setenv("PATH", saved_path, 1);
	free(saved_path);
	return 0;
}

/* the lookup finds user and secret in the file rel (NULL: none) */
static void expect_creds(const char *registry, const char *repo, const char *user, const char *secret,
			 const char *rel)
{
	kf_creds c;
	kf_err err = {""};
	kf_creds_result r = kf_creds_lookup(registry, repo, &c, &err);
	if (r == KF_CREDS_ERROR)
		fail_msg("%s %s: %s", registry, repo ? repo : "", err.msg);
	if (!user) {
		if (r != KF_CREDS_NONE)
			fail_msg("%s %s: found %s in %s", registry, repo ? repo : "", c.user, c.source);
		assert_null(c.user);
		return;
	}
	if (r != KF_CREDS_FOUND)
		fail_msg("%s %s: none found", registry, repo ? repo : "");
	assert_string_equal(c.user, user);
	assert_string_equal(c.secret, secret);
	assert_string_equal(c.source, at(rel));
	assert_false(c.identity_token);
	assert_null(c.helper);
	kf_creds_release(&c);
}

/* the lookup fails with the message want, "%s" in it standing for T */
static void expect_error(const char *registry, const char *repo, const char *want)
{
	kf_creds c;
	kf_err err = {""};
	assert_int_equal(kf_creds_lookup(registry, repo, &c, &err), KF_CREDS_ERROR);
	assert_null(c.user);
	char full[2048];
	const char *mark = strstr(want, "%s");
	if (mark)
		snprintf(full, sizeof full, "%.*s%s%s", (int)(mark - want), want, T, mark + 2);
	else
		snprintf(full, sizeof full, "%s", want);
	assert_string_equal(err.msg, full);
}


static void put_auth(const char *rel, const char *key, const char *b64)
{
	char text[1024];
	snprintf(text, sizeof text, "{\"auths\": {\"%s\": {\"auth\": \"%s\"}}}", key, b64);
	put(rel, text);
}

#define RUN_FILE "run/containers/auth.json"
#define CONFIG_FILE "home/.config/containers/auth.json"
#define DOCKER_FILE "home/.docker/config.json"
#define LEGACY_FILE "home/.dockercfg"

/* base64 of "run:1", "cfg:2", "dock:3", "old:4", "env:5", "only:6" */
#define B_RUN "cnVuOjE="
#define B_CFG "Y2ZnOjI="
#define B_DOCK "ZG9jazoz"
#define B_OLD "b2xkOjQ="
#define B_ENV "ZW52OjU="
#define B_ONLY "b25seTo2"

/* Each file answers for the registries it has, in podman's order; a file
 * without an entry for the registry lets the next one answer. */
static void test_order(void **state)
{
	(void)state;
	put(RUN_FILE, "{\"auths\": {\"a.io\": {\"auth\": \"" B_RUN "\"}}}");
	put(CONFIG_FILE, "{\"auths\": {\"a.io\": {\"auth\": \"" B_CFG "\"}, \"b.io\": {\"auth\": \"" B_CFG "\"}}}");
	put(DOCKER_FILE, "{\"auths\": {\"b.io\": {\"auth\": \"" B_DOCK "\"}, \"c.io\": {\"auth\": \"" B_DOCK "\"}}}");
	/* docker's old format: the entries alone, the keys URLs */
	put(LEGACY_FILE, "{\"https://c.io/v1/\": {\"auth\": \"" B_OLD "\", \"email\": \"x@y\"},"
			 " \"d.io\": {\"auth\": \"" B_OLD "\"}}");
	expect_creds("a.io", NULL, "run", "1", RUN_FILE);
	expect_creds("b.io", NULL, "cfg", "2", CONFIG_FILE);
	expect_creds("c.io", NULL, "dock", "3", DOCKER_FILE);
	expect_creds("d.io", "x/y", "old", "4", LEGACY_FILE);
	expect_creds("e.io", NULL, NULL, NULL, NULL);
	/* DOCKER_CONFIG takes the place of ~/.docker */
	put("dc/config.json", "{\"auths\": {\"e.io\": {\"auth\": \"" B_ENV "\"}}}");
	setenv("DOCKER_CONFIG", at("dc"), 1);
	expect_creds("e.io", NULL, "env", "5", "dc/config.json");
	expect_creds("c.io", NULL, "old", "4", LEGACY_FILE);
	unsetenv("DOCKER_CONFIG");
	/* XDG_CONFIG_HOME moves the second file */
	put("xdg/containers/auth.json", "{\"auths\": {\"b.io\": {\"auth\": \"" B_ENV "\"}}}");
	setenv("XDG_CONFIG_HOME", at("xdg"), 1);
	expect_creds("b.io", NULL, "env", "5", "xdg/containers/auth.json");
	unsetenv("XDG_CONFIG_HOME");
	/* an XDG_RUNTIME_DIR that does not exist is passed over */
	setenv("XDG_RUNTIME_DIR", at("nowhere"), 1);
	expect_creds("a.io", NULL, "cfg", "2", CONFIG_FILE);
	setenv("XDG_RUNTIME_DIR", at("run"), 1);
	/* REGISTRY_AUTH_FILE is the only file read */
	put("only.json", "{\"auths\": {\"f.io\": {\"auth\": \"" B_ONLY "\"}}}");
	setenv("REGISTRY_AUTH_FILE", at("only.json"), 1);
	expect_creds("f.io", NULL, "only", "6", "only.json");
	expect_creds("a.io", NULL, NULL, NULL, NULL);
	expect_creds("c.io", NULL, NULL, NULL, NULL);
	/* ... even when it does not exist */
	setenv("REGISTRY_AUTH_FILE", at("none.json"), 1);
	expect_creds("a.io", NULL, NULL, NULL, NULL);
	unsetenv("REGISTRY_AUTH_FILE");
	/* an empty variable is an unset one */
	setenv("REGISTRY_AUTH_FILE", "", 1);
	expect_creds("a.io", NULL, "run", "1", RUN_FILE);
	unsetenv("REGISTRY_AUTH_FILE");
	/* a file without "auths", or with an empty one, has no entry */
	put(RUN_FILE, "{\"auths\": {}}");
	expect_creds("a.io", NULL, "cfg", "2", CONFIG_FILE);
	put(RUN_FILE, "{}");
	expect_creds("a.io", NULL, "cfg", "2", CONFIG_FILE);
	put(RUN_FILE, "{\"auths\": null}");
	expect_creds("a.io", NULL, "cfg", "2", CONFIG_FILE);
}

/* "host/ns/repo" beats "host/ns", which beats "host", in one file; a
 * repository key of a later file does not beat the host in an earlier one */
static void test_specific_keys(void **state)
{
	(void)state;
	put(CONFIG_FILE, "{\"auths\": {"
			 "\"quay.io\": {\"auth\": \"" B_RUN "\"},"
			 "\"quay.io/ns/repo\": {\"auth\": \"" B_DOCK "\"},"
			 "\"quay.io/ns\": {\"auth\": \"" B_CFG "\"},"
			 "\"quay.io/ns/repo/deeper\": {\"auth\": \"" B_OLD "\"}}}");
	expect_creds("quay.io", "ns/repo", "dock", "3", CONFIG_FILE);
	expect_creds("quay.io", "ns/repo/deeper", "old", "4", CONFIG_FILE);
	expect_creds("quay.io", "ns/other", "cfg", "2", CONFIG_FILE);
	expect_creds("quay.io", "ns", "cfg", "2", CONFIG_FILE);
	expect_creds("quay.io", "nsx/repo", "run", "1", CONFIG_FILE);
	expect_creds("quay.io", NULL, "run", "1", CONFIG_FILE);
	expect_creds("quay.io", "", "run", "1", CONFIG_FILE);
	put(RUN_FILE, "{\"auths\": {\"quay.io\": {\"auth\": \"" B_ENV "\"}}}");
	expect_creds("quay.io", "ns/repo", "env", "5", RUN_FILE);
	/* a namespace key alone is no key for the host */
	put(RUN_FILE, "{\"auths\": {\"r.io/ns\": {\"auth\": \"" B_ENV "\"}}}");
	expect_creds("r.io", NULL, NULL, NULL, NULL);
	expect_creds("r.io", "other", NULL, NULL, NULL);
	expect_creds("r.io", "ns/x", "env", "5", RUN_FILE);
	/* the repository does not reach into another registry's keys */
	expect_creds("r.io.evil", "ns/x", NULL, NULL, NULL);
}

/* Docker Hub as docker writes it, and its other names */
static void test_docker_hub(void **state)
{
	(void)state;
	put_auth(DOCKER_FILE, "https://index.docker.io/v1/", B_DOCK);
	expect_creds("docker.io", "library/nginx", "dock", "3", DOCKER_FILE);
	expect_creds("docker.io", NULL, "dock", "3", DOCKER_FILE);
	expect_creds("index.docker.io", NULL, "dock", "3", DOCKER_FILE);
	expect_creds("registry-1.docker.io", NULL, "dock", "3", DOCKER_FILE);
	expect_creds("docker.com", NULL, NULL, NULL, NULL);
	put_auth(DOCKER_FILE, "index.docker.io", B_DOCK);
	expect_creds("docker.io", "labring/kubernetes", "dock", "3", DOCKER_FILE);
	put_auth(DOCKER_FILE, "registry-1.docker.io", B_DOCK);
	expect_creds("docker.io", "labring/kubernetes", "dock", "3", DOCKER_FILE);
	put_auth(DOCKER_FILE, "http://docker.io", B_DOCK);
	expect_creds("docker.io", NULL, "dock", "3", DOCKER_FILE);
	/* an exact key beats another name of the registry, wherever it is */
	put(DOCKER_FILE, "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" B_OLD "\"},"
			 " \"docker.io\": {\"auth\": \"" B_DOCK "\"}}}");
	expect_creds("docker.io", NULL, "dock", "3", DOCKER_FILE);
	/* among other names, the first in the file */
	put(DOCKER_FILE, "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"" B_OLD "\"},"
			 " \"index.docker.io\": {\"auth\": \"" B_DOCK "\"}}}");
	expect_creds("docker.io", NULL, "old", "4", DOCKER_FILE);
	/* the empty entry docker writes beside a credential store is none */
	put(DOCKER_FILE, "{\"auths\": {\"docker.io\": {}, \"https://index.docker.io/v1/\": {\"auth\": \"" B_OLD "\"}}}");
	expect_creds("docker.io", NULL, "old", "4", DOCKER_FILE);
	put(DOCKER_FILE, "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"\"}}}");
	expect_creds("docker.io", NULL, NULL, NULL, NULL);
}

/* keys written as URLs match their host (and port) */
static void test_url_keys(void **state)
{
	(void)state;
	put(CONFIG_FILE, "{\"auths\": {"
			 "\"https://r.example:5000/v2/\": {\"auth\": \"" B_RUN "\"},"
			 "\"http://localhost:5000\": {\"auth\": \"" B_CFG "\"},"
			 "\"https://plain.io\": {\"auth\": \"" B_DOCK "\"},"
			 "\"https://x.io.evil/\": {\"auth\": \"" B_OLD "\"},"
			 "\"ftp://y.io\": {\"auth\": \"" B_OLD "\"}}}");
	expect_creds("r.example:5000", "a/b", "run", "1", CONFIG_FILE);
	expect_creds("r.example", NULL, NULL, NULL, NULL);
	expect_creds("localhost:5000", NULL, "cfg", "2", CONFIG_FILE);
	expect_creds("localhost", NULL, NULL, NULL, NULL);
	expect_creds("plain.io", NULL, "dock", "3", CONFIG_FILE);
	expect_creds("x.io", NULL, NULL, NULL, NULL);
	expect_creds("y.io", NULL, NULL, NULL, NULL);
	/* a key with a path but no scheme is a repository key, not a URL */
	put_auth(CONFIG_FILE, "z.io/v2/", B_RUN);
	expect_creds("z.io", NULL, NULL, NULL, NULL);
}

/* "auth" padded or not; bad base64; no ':' */
static void test_base64(void **state)
{
	(void)state;
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwdw==");
	expect_creds("a.io", NULL, "user", "pw", CONFIG_FILE);
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwdw");
	expect_creds("a.io", NULL, "user", "pw", CONFIG_FILE);
	put_auth(CONFIG_FILE, "a.io", "YWI6Yw");
	expect_creds("a.io", NULL, "ab", "c", CONFIG_FILE);
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwYXNz");
	expect_creds("a.io", NULL, "user", "pass", CONFIG_FILE);
	/* the password keeps its ':', an empty one is a password */
	put_auth(CONFIG_FILE, "a.io", "dTpwOnE="); /* u:p:q */
	expect_creds("a.io", NULL, "u", "p:q", CONFIG_FILE);
	put_auth(CONFIG_FILE, "a.io", "dTo="); /* u: */
	expect_creds("a.io", NULL, "u", "", CONFIG_FILE);
	/* NUL bytes after the password go (containers/image's way) */
	put_auth(CONFIG_FILE, "a.io", "dTpwAAA="); /* u:p\0\0 */
	expect_creds("a.io", NULL, "u", "p", CONFIG_FILE);
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwdw!");
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64");
	put_auth(CONFIG_FILE, "a.io", "YWI6Yw="); /* padding to no multiple of 4 */
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64");
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwdw===");
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64");
	put_auth(CONFIG_FILE, "a.io", "dXNlc=pwdw==");
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64");
	put_auth(CONFIG_FILE, "a.io", "dXNlcjpwd");
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64");
	put_auth(CONFIG_FILE, "a.io", "dXNlcnBhc3M="); /* userpass */
	expect_error("a.io", NULL,
		     "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64 of \"user:password\": "
		     "it has no ':' between the user and the password");
	put_auth(CONFIG_FILE, "a.io", "dQBwOnE="); /* u\0p:q */
	expect_error("a.io", NULL,
		     "%s/" CONFIG_FILE ":1:29: \"auth\" of \"a.io\" is not base64 of \"user:password\": "
		     "it holds a NUL byte");
	/* an entry of another registry is not looked at */
	put(CONFIG_FILE, "{\"auths\": {\"bad.io\": {\"auth\": \"!!\"}, \"a.io\": {\"auth\": \"YTpi\"}}}");
	expect_creds("a.io", NULL, "a", "b", CONFIG_FILE);
	/* the message never holds the secret */
	put_auth(CONFIG_FILE, "a.io", "c2VjcmV0c2VjcmV0"); /* secretsecret */
	kf_creds c;
	kf_err err = {""};
	assert_int_equal(kf_creds_lookup("a.io", NULL, &c, &err), KF_CREDS_ERROR);
	assert_null(strstr(err.msg, "secret"));
	assert_null(strstr(err.msg, "c2Vj"));
}

/* "identitytoken" is the secret, sent as a refresh token */
static void test_identity_token(void **state)
{
	(void)state;
	put(DOCKER_FILE, "{\"auths\": {\"https://index.docker.io/v1/\": "
			 "{\"auth\": \"dXNlcjo=\", \"identitytoken\": \"eyJhbGciOi.refresh\"}}}");
	kf_creds c;
	kf_err err = {""};
	assert_int_equal(kf_creds_lookup("docker.io", "a/b", &c, &err), KF_CREDS_FOUND);
	assert_string_equal(c.user, "user");
	assert_string_equal(c.secret, "eyJhbGciOi.refresh");
	assert_true(c.identity_token);
	assert_string_equal(c.source, at(DOCKER_FILE));
	kf_creds_release(&c);
	assert_null(c.user);
	/* a token alone: the user is empty */
	put(DOCKER_FILE, "{\"auths\": {\"a.io\": {\"identitytoken\": \"tok\"}}}");
	assert_int_equal(kf_creds_lookup("a.io", NULL, &c, &err), KF_CREDS_FOUND);
	assert_string_equal(c.user, "");
	assert_string_equal(c.secret, "tok");
	assert_true(c.identity_token);
	kf_creds_release(&c);
	/* an empty token is none: the password counts */
	put(DOCKER_FILE, "{\"auths\": {\"a.io\": {\"auth\": \"dTpw\", \"identitytoken\": \"\"}}}");
	assert_int_equal(kf_creds_lookup("a.io", NULL, &c, &err), KF_CREDS_FOUND);
	assert_string_equal(c.secret, "p");
	assert_false(c.identity_token);
	kf_creds_release(&c);
}

/* files that are not JSON, or not of the expected shape */
static void test_malformed(void **state)
{
	(void)state;
	put(RUN_FILE, "{\"auths\": {,}}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:12: string or '}' expected");
	put(RUN_FILE, "{\n  \"auths\": {\n    \"a.io\" {\"auth\": \"dTpw\"}\n  }\n}\n");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":3:12: ':' expected");
	/* jansson's quote of the text, which may be a secret, is left out */
	put(RUN_FILE, "{\"auths\": {\"a.io\": {\"auth\": \"c2VjcmV0");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:37: premature end of input");
	put(RUN_FILE, "");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:1: '[' or '{' expected near end of file");
	put(RUN_FILE, "{\"a\": \"\\u0000\"}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:14: \\u0000 is not allowed");
	/* the shape, located by the value */
	put(RUN_FILE, "\n  [1, 2]");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":2:3: a credentials file holds a JSON object");
	put(RUN_FILE, "{\"auths\": [\"a.io\"]}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:11: \"auths\" must be an object");
	put(RUN_FILE, "{\"auths\": {\n\t\"b.io\": \"dTpw\"}}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":2:10: the entry \"b.io\" of \"auths\" must be an object");
	put(RUN_FILE, "{\"auths\": {\n\t\"b.io\": {\"auth\": {\"x\": 1}, \"auth\": 5}}}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":2:37: \"auth\" of \"b.io\" must be a string");
	put(RUN_FILE, "{\"auths\": {\"\\u00e9.io\": {\"x\": [1, {\"y\": \"}\"}],\n"
		      "  \"identitytoken\": true}}}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":2:20: \"identitytoken\" of \"\xc3\xa9.io\" must be a string");
	put(RUN_FILE, "{\"credHelpers\": {\"a.io\": [\"x\"]}}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:26: the helper of \"a.io\" in \"credHelpers\" must be a string");
	put(RUN_FILE, "{\"credHelpers\": \"pass\"}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:17: \"credHelpers\" must be an object");
	put(RUN_FILE, "{\"credsStore\": 1}");
	expect_error("a.io", NULL, "%s/" RUN_FILE ":1:16: \"credsStore\" must be a string");
	put(LEGACY_FILE, "{\"https://a.io/v1/\": 3}");
	unlink(at(RUN_FILE));
	expect_error("a.io", NULL, "%s/" LEGACY_FILE ":1:22: the entry \"https://a.io/v1/\" must be an object");
	/* a folder, and a registry that is not one */
	unlink(at(LEGACY_FILE));
	assert_true(kf_mkdirs(at(RUN_FILE), 0700));
	expect_error("a.io", NULL, "%s/" RUN_FILE ": Is a directory");
	rmdir(at(RUN_FILE));
	expect_error("a.io/b", NULL, "\"a.io/b\" is not a registry (host[:port])");
	expect_error("", NULL, "\"\" is not a registry (host[:port])");
	/* unreadable */
	if (geteuid() != 0) {
		put(RUN_FILE, "{}");
		chmod(at(RUN_FILE), 0);
		expect_error("a.io", NULL, "%s/" RUN_FILE ": Permission denied");
	}
}

/* more than 1 MiB is refused, before it is parsed */
static void test_too_large(void **state)
{
	(void)state;
	size_t n = (size_t)2 << 20;
	char *big = malloc(n + 1);
	memset(big, ' ', n);
	memcpy(big, "{\"auths\": {}}", 13);
	big[n] = '\0';
	put(CONFIG_FILE, big);
	free(big);
	expect_error("a.io", NULL, "%s/" CONFIG_FILE ": larger than 1 MiB, too large for a credentials file");
	/* 1 MiB exactly is read */
	truncate(at(CONFIG_FILE), (off_t)1 << 20);
	expect_creds("a.io", NULL, NULL, NULL, NULL);
}

/* a helper script: answers for ghcr.io and Docker Hub, "not found" else */
static const char HELPER[] =
	"#!/bin/sh\n"
	"[ \"$1\" = get ] || exit 9\n"
	"read -r server\n"
	"case $server in\n"
	"ghcr.io) echo '{\"ServerURL\":\"ghcr.io\",\"Username\":\"gh\",\"Secret\":\"ghs\"}' ;;\n"
	"https://index.docker.io/v1/) printf '{\"Username\":\"<token>\",\"Secret\":\"idt\"}' ;;\n"
	"empty.io) echo '{\"Username\":\"\",\"Secret\":\"\"}' ;;\n"
	"bad.io) echo 'not json' ;;\n"
	"fail.io) echo 'the keyring is locked'; exit 3 ;;\n"
	"*) echo 'credentials not found in native keychain'; exit 1 ;;\n"
	"esac\n";

static void put_helper(const char *name, const char *text)
{
	char rel[128];
	snprintf(rel, sizeof rel, "bin/docker-credential-%s", name);
	put(rel, text);
	chmod(at(rel), 0755);
}

static void expect_helper(const char *registry, const char *user, const char *secret, bool token, const char *rel)
{
	kf_creds c;
	kf_err err = {""};
	kf_creds_result r = kf_creds_lookup(registry, NULL, &c, &err);
	if (r != KF_CREDS_FOUND)
		fail_msg("%s: %d %s", registry, r, err.msg);
	assert_string_equal(c.user, user);
	assert_string_equal(c.secret, secret);
	assert_int_equal(c.identity_token, token);
	assert_string_equal(c.source, at(rel));
	assert_string_equal(c.helper, "kftest");
	kf_creds_release(&c);
}

/* credHelpers and credsStore run docker-credential-NAME get */
static void test_helpers(void **state)
{
	(void)state;
	put_helper("kftest", HELPER);
	put(DOCKER_FILE, "{\"auths\": {\"ghcr.io\": {\"auth\": \"" B_DOCK "\"}, \"plain.io\": {\"auth\": \"" B_DOCK
			 "\"}},"
			 " \"credHelpers\": {\"ghcr.io\": \"kftest\", \"nohelper.io\": \"nohelper\","
			 " \"fail.io\": \"kftest\", \"bad.io\": \"kftest\", \"empty.io\": \"kftest\","
			 " \"../x.io\": \"../kftest\", \"unknown.io\": \"kftest\"}}");
	/* the helper beats the file's entry */
	expect_helper("ghcr.io", "gh", "ghs", false, DOCKER_FILE);
	expect_creds("plain.io", NULL, "dock", "3", DOCKER_FILE);
	/* "not found", or an empty answer: the next file is read */
	expect_creds("unknown.io", NULL, NULL, NULL, NULL);
	expect_creds("empty.io", NULL, NULL, NULL, NULL);
	put(LEGACY_FILE, "{\"https://unknown.io/v1/\": {\"auth\": \"" B_OLD "\"}}");
	expect_creds("unknown.io", NULL, "old", "4", LEGACY_FILE);
	expect_error("nohelper.io", NULL,
		     "%s/" DOCKER_FILE ": docker-credential-nohelper get (credHelpers entry \"nohelper.io\"): "
		     "not found in PATH");
	expect_error("fail.io", NULL,
		     "%s/" DOCKER_FILE ": docker-credential-kftest get (credHelpers entry \"fail.io\"): "
		     "exit status 3: the keyring is locked");
	expect_error("bad.io", NULL,
		     "%s/" DOCKER_FILE ": docker-credential-kftest get (credHelpers entry \"bad.io\"): "
		     "the answer is not {\"Username\": …, \"Secret\": …}");
	put(DOCKER_FILE, "{\"credHelpers\": {\"x.io\": \"../kftest\"}}");
	expect_error("x.io", NULL,
		     "%s/" DOCKER_FILE ": the credential helper \"../kftest\" of credHelpers entry \"x.io\" "
		     "is not a program name");
	/* credsStore: Docker Hub by its index URL, "<token>" an identity token */
	put(DOCKER_FILE, "{\"auths\": {\"https://index.docker.io/v1/\": {}, \"quay.io\": {\"auth\": \"" B_DOCK "\"}},"
			 " \"credsStore\": \"kftest\"}");
	expect_helper("docker.io", "", "idt", true, DOCKER_FILE);
	expect_helper("ghcr.io", "gh", "ghs", false, DOCKER_FILE);
	expect_creds("quay.io", NULL, "dock", "3", DOCKER_FILE);
	expect_creds("unknown.io", NULL, "old", "4", LEGACY_FILE);
	/* a helper that hangs is killed at the time limit: not tested here
	 * (60 s); one that the file names but that is not there fails */
	put(DOCKER_FILE, "{\"credsStore\": \"desktop-missing\"}");
	expect_error("a.io", NULL,
		     "%s/" DOCKER_FILE ": docker-credential-desktop-missing get (credsStore): not found in PATH");
	/* the legacy file has no helpers */
	put(DOCKER_FILE, "{}");
	put(LEGACY_FILE, "{\"credsStore\": {}, \"credHelpers\": {}}");
	expect_creds("credsStore", NULL, NULL, NULL, NULL);
}

static void expect_mode(const char *path, mode_t want)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, want);
}

/* login writes the entry, keeps the rest; logout removes just it */
static void test_login_logout(void **state)
{
	(void)state;
	static const char original[] =
		"{\"auths\": {\"other.io\": {\"auth\": \"" B_CFG "\", \"email\": \"a@b\"},"
		" \"r.io\": {\"identitytoken\": \"old\"}},"
		" \"credHelpers\": {\"gcr.io\": \"gcloud\"},"
		" \"unknown\": [1, 2.5, -0.001, 1e300, {\"x\": null, \"\\u00e9\": \"\\u2028\"}, true, 9007199254740993]}";
	put(RUN_FILE, original);
	chmod(at(RUN_FILE), 0644);
	char *path = NULL;
	kf_err err = {""};
	if (!kf_creds_store("r.io", "me", "p:w d", &path, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(path, at(RUN_FILE));
	free(path);
	expect_mode(at(RUN_FILE), 0600);
	expect_creds("r.io", "x/y", "me", "p:w d", RUN_FILE);
	expect_creds("other.io", NULL, "cfg", "2", RUN_FILE);
	/* everything else as it was */
	json_t *want = json_loads(original, 0, NULL), *got = json_load_file(at(RUN_FILE), 0, NULL);
	assert_non_null(got);
	json_object_set_new(json_object_get(want, "auths"), "r.io", json_pack("{s:s}", "auth", "bWU6cDp3IGQ="));
	assert_true(json_equal(want, got));
	json_decref(got);
	/* logout: the entry goes, nothing else */
	if (!kf_creds_erase("r.io", &path, &err))
		fail_msg("%s", err.msg);
	assert_string_equal(path, at(RUN_FILE));
	free(path);
	got = json_load_file(at(RUN_FILE), 0, NULL);
	json_object_del(json_object_get(want, "auths"), "r.io");
	assert_true(json_equal(want, got));
	json_decref(got);
	json_decref(want);
	expect_mode(at(RUN_FILE), 0600);
	expect_creds("r.io", NULL, NULL, NULL, NULL);
	/* a second logout */
	path = NULL;
	assert_false(kf_creds_erase("r.io", &path, &err));
	assert_null(path);
	char msg[1024];
	snprintf(msg, sizeof msg, "not logged in to r.io: %s/" RUN_FILE " has no entry for it", T);
	assert_string_equal(err.msg, msg);
	/* the file's layout: podman's, a tab a level */
	unlink(at(RUN_FILE));
	assert_false(kf_creds_erase("r.io", NULL, &err));
	assert_string_equal(err.msg, msg);
	kf_remove_tree(at("run/containers"));
	assert_true(kf_creds_store("localhost:5000", "u", "p", NULL, &err));
	expect_mode(at("run/containers"), 0700);
	expect_mode(at(RUN_FILE), 0600);
	char *text = slurp(at(RUN_FILE));
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"localhost:5000\": {\n\t\t\t\"auth\": \"dTpw\"\n\t\t}\n\t}\n}\n");
	free(text);
	assert_true(kf_creds_store("quay.io/ns", "n", "s", NULL, &err));
	expect_creds("quay.io", "ns/x", "n", "s", RUN_FILE);
	expect_creds("quay.io", "other/x", NULL, NULL, NULL);
	assert_true(kf_creds_erase("localhost:5000", NULL, &err));
	text = slurp(at(RUN_FILE));
	assert_string_equal(text, "{\n\t\"auths\": {\n\t\t\"quay.io/ns\": {\n\t\t\t\"auth\": \"bjpz\"\n\t\t}\n\t}\n}\n");
	free(text);
	assert_true(kf_creds_erase("quay.io/ns", NULL, &err));
	text = slurp(at(RUN_FILE));
	assert_string_equal(text, "{\n\t\"auths\": {}\n}\n");
	free(text);
}

/* where login writes, and what it refuses */
static void test_login_places(void **state)
{
	(void)state;
	kf_err err = {""};
	char *path = NULL;
	/* no XDG_RUNTIME_DIR: ~/.config/containers/auth.json */
	unsetenv("XDG_RUNTIME_DIR");
	assert_true(kf_creds_store("a.io", "u", "p", &path, &err));
	assert_string_equal(path, at(CONFIG_FILE));
	free(path);
	expect_mode(at("home/.config/containers"), 0700);
	setenv("XDG_RUNTIME_DIR", at("run"), 1);
	expect_creds("a.io", NULL, "u", "p", CONFIG_FILE);
	/* REGISTRY_AUTH_FILE */
	setenv("REGISTRY_AUTH_FILE", at("deep/er/auth.json"), 1);
	assert_true(kf_creds_store("a.io", "v", "q", &path, &err));
	assert_string_equal(path, at("deep/er/auth.json"));
	free(path);
	expect_creds("a.io", NULL, "v", "q", "deep/er/auth.json");
	unsetenv("REGISTRY_AUTH_FILE");
	/* an XDG_RUNTIME_DIR that does not exist */
	setenv("XDG_RUNTIME_DIR", at("nowhere"), 1);
	assert_false(kf_creds_store("a.io", "u", "p", &path, &err));
	assert_null(path);
	char msg[1024];
	snprintf(msg, sizeof msg, "XDG_RUNTIME_DIR names %s/nowhere, which is not a folder: create it or unset XDG_RUNTIME_DIR",
		 T);
	assert_string_equal(err.msg, msg);
	setenv("XDG_RUNTIME_DIR", at("run"), 1);
	/* a user with ':', a URL, a registry the file gives to a helper */
	assert_false(kf_creds_store("a.io", "u:v", "p", NULL, &err));
	assert_string_equal(err.msg, "the user name \"u:v\" is empty or holds a ':'");
	assert_false(kf_creds_store("a.io", "", "p", NULL, &err));
	assert_string_equal(err.msg, "the user name \"\" is empty or holds a ':'");
	assert_false(kf_creds_store("https://a.io", "u", "p", NULL, &err));
	assert_string_equal(err.msg, "\"https://a.io\" is not a registry: write host[:port] (or host/namespace)");
	assert_false(kf_creds_erase("a.io@sha256", NULL, &err));
	assert_string_equal(err.msg, "\"a.io@sha256\" is not a registry: write host[:port] (or host/namespace)");
	put(RUN_FILE, "{\"credHelpers\": {\"gcr.io\": \"gcloud\"}}");
	assert_false(kf_creds_store("gcr.io", "u", "p", NULL, &err));
	snprintf(msg, sizeof msg,
		 "%s/" RUN_FILE ": gcr.io has the credential helper docker-credential-gcloud (\"credHelpers\"): log in with it",
		 T);
	assert_string_equal(err.msg, msg);
	/* a broken file is not overwritten */
	put(RUN_FILE, "{\"auths\": {\"x\": 1}}");
	assert_false(kf_creds_store("a.io", "u", "p", NULL, &err));
	snprintf(msg, sizeof msg, "%s/" RUN_FILE ":1:17: the entry \"x\" of \"auths\" must be an object", T);
	assert_string_equal(err.msg, msg);
	assert_false(kf_creds_erase("x", NULL, &err));
	assert_string_equal(err.msg, msg);
	char *text = slurp(at(RUN_FILE));
	assert_string_equal(text, "{\"auths\": {\"x\": 1}}");
	free(text);
}

static void test_basic_auth(void **state)
{
	(void)state;
	char *h = kf_basic_auth("user", "pass");
	assert_string_equal(h, "Basic dXNlcjpwYXNz");
	free(h);
	h = kf_basic_auth("", "");
	assert_string_equal(h, "Basic Og==");
	free(h);
	h = kf_basic_auth("\xc3\xa9", "a:b");
	assert_string_equal(h, "Basic w6k6YTpi");
	free(h);
}

static void expect_challenge(const char *header, kf_auth_scheme scheme, const char *realm, const char *service,
			     const char *scope, const char *error)
{
	kf_challenge c;
	if (!kf_challenge_parse(header, &c))
		fail_msg("not understood: %s", header);
	assert_int_equal(c.scheme, scheme);
	const char *want[] = {realm, service, scope, error};
	char *got[] = {c.realm, c.service, c.scope, c.error};
	for (int i = 0; i < 4; i++) {
		if (!want[i] && got[i])
			fail_msg("%s: parameter %d is '%s'", header, i, got[i]);
		if (want[i] && !got[i])
			fail_msg("%s: parameter %d missing", header, i);
		if (want[i])
			assert_string_equal(got[i], want[i]);
	}
	kf_challenge_release(&c);
	assert_null(c.realm);
}

static void expect_no_challenge(const char *header)
{
	kf_challenge c;
	if (kf_challenge_parse(header, &c))
		fail_msg("understood: %s", header);
	assert_int_equal(c.scheme, KF_AUTH_NONE);
	assert_null(c.realm);
	kf_challenge_release(&c);
}

static void test_challenges(void **state)
{
	(void)state;
	/* Docker Hub, GHCR, Harbor, Quay, as they send them */
	expect_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			 "scope=\"repository:library/nginx:pull\"",
			 KF_AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
			 "repository:library/nginx:pull", NULL);
	expect_challenge("Bearer realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:user/image:pull\"",
			 KF_AUTH_BEARER, "https://ghcr.io/token", "ghcr.io", "repository:user/image:pull", NULL);
	expect_challenge("Bearer realm=\"https://harbor.example.com/service/token\",service=\"harbor-registry\","
			 "scope=\"repository:library/nginx:pull,push\"",
			 KF_AUTH_BEARER, "https://harbor.example.com/service/token", "harbor-registry",
			 "repository:library/nginx:pull,push", NULL);
	expect_challenge("Bearer realm=\"https://quay.io/v2/auth\",service=\"quay.io\"", KF_AUTH_BEARER,
			 "https://quay.io/v2/auth", "quay.io", NULL, NULL);
	/* insufficient scope, the comma inside quotes */
	expect_challenge("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
			 "scope=\"repository:samalba/my-app:pull,push\",error=\"insufficient_scope\"",
			 KF_AUTH_BEARER, "https://auth.docker.io/token", "registry.docker.io",
			 "repository:samalba/my-app:pull,push", "insufficient_scope");
	/* escapes, blanks around '=' and ',', names in any case, bare values */
	expect_challenge("bearer  Realm = \"a\\\"b\\\\c\\d\" ,\tSERVICE=svc ,, scope=\"\"", KF_AUTH_BEARER,
			 "a\"b\\cd", "svc", "", NULL);
	expect_challenge("BEARER realm=https://r.io/token,service=r.io", KF_AUTH_BEARER, "https://r.io/token", "r.io",
			 NULL, NULL);
	/* unknown parameters; the first of a repeated one */
	expect_challenge("Bearer foo=\"x,y\", realm=\"r1\", bar=baz, realm=\"r2\"", KF_AUTH_BEARER, "r1", NULL, NULL,
			 NULL);
	/* Basic */
	expect_challenge("Basic realm=\"Registry Realm\"", KF_AUTH_BASIC, "Registry Realm", NULL, NULL, NULL);
	expect_challenge("basic", KF_AUTH_BASIC, NULL, NULL, NULL, NULL);
	expect_challenge("Basic realm=\"https://1.dkr.ecr.us-east-1.amazonaws.com/\",service=\"ecr.amazonaws.com\"",
			 KF_AUTH_BASIC, "https://1.dkr.ecr.us-east-1.amazonaws.com/", "ecr.amazonaws.com", NULL, NULL);
	/* two challenges: Bearer wins, in either order; others are passed over */
	expect_challenge("Basic realm=\"b\", Bearer realm=\"t\",service=\"s\"", KF_AUTH_BEARER, "t", "s", NULL, NULL);
	expect_challenge("Bearer realm=\"t\", Basic realm=\"b\"", KF_AUTH_BEARER, "t", NULL, NULL, NULL);
	expect_challenge("Negotiate abc==, Basic realm=\"b\"", KF_AUTH_BASIC, "b", NULL, NULL, NULL);
	expect_challenge("Newauth realm=\"apps\", type=1, title=\"Login to \\\"apps\\\"\", Basic realm=\"simple\"",
			 KF_AUTH_BASIC, "simple", NULL, NULL, NULL);
	expect_challenge("Basic realm=\"b\", Basic realm=\"c\"", KF_AUTH_BASIC, "b", NULL, NULL, NULL);
	/* a Bearer without realm cannot be used */
	expect_challenge("Bearer service=\"s\", Basic realm=\"b\"", KF_AUTH_BASIC, "b", NULL, NULL, NULL);
	expect_challenge("Bearer realm=\"\", Basic", KF_AUTH_BASIC, NULL, NULL, NULL, NULL);
	expect_no_challenge("Bearer service=\"s\"");
	/* not understood */
	expect_no_challenge("");
	expect_no_challenge("   ,  ");
	expect_no_challenge("Negotiate");
	expect_no_challenge("Digest realm=\"x\"");
	expect_no_challenge("realm=\"x\"");
	expect_no_challenge("Bearer realm=\"unterminated");
	expect_no_challenge("Bearer realm=\"x\" service=\"y\"");
	expect_no_challenge("Bearer realm=\"x\",service=");
	expect_no_challenge("Bearer realm=\"x\"garbage");
	expect_no_challenge("Bearer realm=\"a\nb\"");
	expect_no_challenge("Bearer realm=\"a\\");
	expect_no_challenge("Bear@er realm=\"x\"");
	expect_no_challenge("\"Bearer\"");
	expect_no_challenge(NULL);
	/* 9 KiB: refused; 8 KiB: read */
	size_t n = 9 * 1024;
	char *big = malloc(n + 1);
	memset(big, 'a', n);
	memcpy(big, "Bearer realm=\"", 14);
	big[n - 1] = '"';
	big[n] = '\0';
	expect_no_challenge(big);
	big[KF_AUTH_HEADER_MAX - 1] = '"';
	big[KF_AUTH_HEADER_MAX] = '\0';
	kf_challenge c;
	assert_true(kf_challenge_parse(big, &c));
	assert_int_equal(strlen(c.realm), KF_AUTH_HEADER_MAX - 15);
	kf_challenge_release(&c);
	free(big);
}

static void expect_token(const char *body, time_t now, const char *want, time_t want_expires)
{
	char *tok = NULL;
	time_t exp = 0;
	kf_err err = {""};
	if (!kf_token_parse(body, strlen(body), now, &tok, &exp, &err))
		fail_msg("%s: %s", body, err.msg);
	assert_string_equal(tok, want);
	assert_int_equal(exp, want_expires);
	free(tok);
}

static void expect_bad_token(const char *body, size_t len, const char *msg)
{
	char *tok = (char *)"x";
	time_t exp = 1;
	kf_err err = {""};
	assert_false(kf_token_parse(body, len, 1000, &tok, &exp, &err));
	assert_null(tok);
	assert_string_equal(err.msg, msg);
}

static void test_tokens(void **state)
{
	(void)state;
	const time_t now = 1700000000;
	/* "token", else "access_token"; expires_in, at least 60 s, 60 s when absent */
	expect_token("{\"token\": \"t1\", \"access_token\": \"a1\", \"expires_in\": 300}", now, "t1", now + 290);
	expect_token("{\"access_token\": \"a1\", \"expires_in\": 300}", now, "a1", now + 290);
	expect_token("{\"token\": \"\", \"access_token\": \"a1\"}", now, "a1", now + 50);
	expect_token("{\"token\": null, \"access_token\": \"a1\"}", now, "a1", now + 50);
	expect_token("{\"token\": \"t1\"}", now, "t1", now + 50);
	expect_token("{\"token\": \"t1\", \"expires_in\": 5}", now, "t1", now + 50);
	expect_token("{\"token\": \"t1\", \"expires_in\": -5}", now, "t1", now + 50);
	expect_token("{\"token\": \"t1\", \"expires_in\": 120.9}", now, "t1", now + 110);
	expect_token("{\"token\": \"t1\", \"expires_in\": 1e300}", now, "t1", now + 365 * 86400 - 10);
	/* issued_at counts from the server's issue */
	expect_token("{\"token\": \"t1\", \"expires_in\": 300, \"issued_at\": \"2023-11-14T22:13:20Z\"}", 5, "t1",
		     1700000000 + 290);
	expect_token("{\"token\": \"t1\", \"expires_in\": 300, \"issued_at\": \"2023-11-14T22:13:20.123456789Z\"}", 5,
		     "t1", 1700000000 + 290);
	expect_token("{\"token\": \"t1\", \"issued_at\": \"2023-11-15T00:13:20+02:00\"}", 5, "t1", 1700000000 + 50);
	expect_token("{\"token\": \"t1\", \"issued_at\": \"2023-11-14T21:13:20-01:00\"}", 5, "t1", 1700000000 + 50);
	expect_token("{\"token\": \"t1\", \"issued_at\": \"2024-02-29T00:00:00z\"}", 5, "t1", 1709164800 + 50);
	expect_token("{\"token\": \"t1\", \"issued_at\": null, \"refresh_token\": \"r\"}", now, "t1", now + 50);
	/* bad answers; the message never quotes them */
	expect_bad_token("<html>Bad Gateway</html>", 24, "token answer: not JSON (line 1, column 1)");
	expect_bad_token("{\"token\": \"secret", 17, "token answer: not JSON (line 1, column 17)");
	expect_bad_token("", 0, "token answer: not JSON (line 1, column 1)");
	expect_bad_token("{\"token\": \"a\"}\0x", 16, "token answer: not JSON (line 1, column 15)");
	expect_bad_token("[\"token\"]", 9, "token answer: not a JSON object");
	expect_bad_token("{}", 2, "token answer: no \"token\" or \"access_token\"");
	expect_bad_token("{\"token\": \"\"}", 13, "token answer: no \"token\" or \"access_token\"");
	expect_bad_token("{\"token\": 5}", 12, "token answer: \"token\" is not a string");
	expect_bad_token("{\"access_token\": [\"a\"]}", 23, "token answer: \"access_token\" is not a string");
	expect_bad_token("{\"token\": \"a\\r\\nX-Evil: 1\"}", 27,
			 "token answer: the token holds a character that cannot go in a header");
	expect_bad_token("{\"token\": \"a b\"}", 16, "token answer: the token holds a character that cannot go in a header");
	expect_bad_token("{\"token\": \"a\", \"expires_in\": \"300\"}", 35, "token answer: \"expires_in\" is not a number");
	const char *bad_times[] = {"2023-11-14", "2023-11-14T22:13:20", "2023-13-14T22:13:20Z", "2023-02-29T00:00:00Z",
				   "2023-11-14T24:00:00Z", "2023-11-14T22:13:60Z", "2023-11-14T22:13:20.Z",
				   "2023-11-14T22:13:20+0200", "2023-11-14 22:13:20Z", "2023-11-14T22:13:20Z ", "x"};
	for (size_t i = 0; i < sizeof bad_times / sizeof *bad_times; i++) {
		char body[256];
		snprintf(body, sizeof body, "{\"token\": \"a\", \"issued_at\": \"%s\"}", bad_times[i]);
		expect_bad_token(body, strlen(body), "token answer: \"issued_at\" is not an RFC 3339 time");
	}
	expect_bad_token("{\"token\": \"a\", \"issued_at\": 1700000000}", 39,
			 "token answer: \"issued_at\" is not an RFC 3339 time");
	char *big = calloc(1, ((size_t)1 << 20) + 2);
	memset(big, ' ', ((size_t)1 << 20) + 1);
	expect_bad_token(big, ((size_t)1 << 20) + 1, "token answer: larger than 1 MiB");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_specific_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_docker_hub, setup, teardown),
		cmocka_unit_test_setup_teardown(test_url_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_base64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_logout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_places, setup, teardown),
		cmocka_unit_test(test_basic_auth),
		cmocka_unit_test(test_challenges),
		cmocka_unit_test(test_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
