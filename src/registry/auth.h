/* SPDX-License-Identifier: Apache-2.0 */
/* auth.h - a registry's credentials (the files podman, skopeo and docker
 * keep them in, and docker's credential helpers), the WWW-Authenticate
 * challenges of a registry, and the answers of its token server
 * (docs/registries.md, "Credentials").
 *
 * Nothing here touches the network. Messages never hold a password, a
 * token or the text around one.
 */
#ifndef KF_REGISTRY_AUTH_H
#define KF_REGISTRY_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "base/err.h"

/* Files larger than this are refused; so are headers longer than
 * KF_AUTH_HEADER_MAX and token answers longer than KF_AUTH_FILE_MAX. */
#define KF_AUTH_FILE_MAX ((size_t)1 << 20)
#define KF_AUTH_HEADER_MAX 8192
/* How long a credential helper may take (milliseconds). */
#define KF_AUTH_HELPER_TIMEOUT_MS 60000

/* A registry's credentials; every string malloc'd, freed by
 * kf_creds_release. */
typedef struct kf_creds {
	char *user;          /* NULL: none; "" when an entry holds only an identity token */
	char *secret;        /* password, or the identity token when identity_token is true */
	bool identity_token; /* docker's "identitytoken": an OAuth refresh token, sent as refresh_token */
	char *source;        /* the file it came from (for messages) */
	char *helper;        /* the credential helper that gave it ("pass" for
			      * docker-credential-pass), named in source; NULL: the file itself */
} kf_creds;

typedef enum kf_creds_result {
	KF_CREDS_ERROR = -1, /* err says why */
	KF_CREDS_NONE = 0,   /* no credentials: out->user is NULL */
	KF_CREDS_FOUND = 1,  /* *out filled */
} kf_creds_result;

/* Finds the credentials for registry (host[:port], as a normalised image
 * name has it: "docker.io", "localhost:5000") and, when not NULL, its
 * repository ("labring/kubernetes"), in the files podman and skopeo
 * read, in their order:
 *
 *   $REGISTRY_AUTH_FILE, and then no other file; else
 *   $XDG_RUNTIME_DIR/containers/auth.json (/run/containers/UID/auth.json
 *       when XDG_RUNTIME_DIR is unset),
 *   ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json,
 *   $DOCKER_CONFIG/config.json (~/.docker/config.json when unset),
 *   ~/.dockercfg (docker's old format: the "auths" object alone).
 *
 * A missing file is passed over. The first file with an entry for the
 * registry answers, and within it: a "credHelpers" entry for the host
 * (the helper is run), then "auths" keys from the most specific
 * ("host/ns/repo", "host/ns") to the host itself, then keys written as
 * URLs ("https://host/v2/", "http://host") or as docker.io's other names
 * ("https://index.docker.io/v1/", "index.docker.io",
 * "registry-1.docker.io"), the first in the file's order; then the file's
 * "credsStore". An "auths" entry with neither "auth" nor "identitytoken"
 * (what docker writes beside a credential store) is no entry.
 *
 * "auth" is base64("user:password"), padded or not; "identitytoken" is
 * the secret when present. A helper is run as `docker-credential-NAME
 * get` through the process runner (base/proc.h), given the key on its
 * standard input, within KF_AUTH_HELPER_TIMEOUT_MS; its "credentials not
 * found" is no entry, and its user "<token>" marks an identity token.
 *
 * A file that cannot be read, that is larger than KF_AUTH_FILE_MAX, that
 * is not JSON or not of the expected shape, an "auth" that is not base64
 * of "user:password", a helper that fails: KF_CREDS_ERROR, with
 * "FILE:LINE:COL: why" (or "FILE: why") in err. out is always
 * initialised: release it whatever the answer. */
kf_creds_result kf_creds_lookup(const char *registry, const char *repository, kf_creds *out, kf_err *err);
void kf_creds_release(kf_creds *c);

/* The file kfc login writes: $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else (XDG_RUNTIME_DIR unset)
 * ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json. Malloc'd; NULL
 * with err when XDG_RUNTIME_DIR names no folder or there is no home. */
char *kf_creds_auth_path(kf_err *err);

/* kfc login: sets the "auths" entry of registry (a host[:port], or
 * "host/namespace[/repo]" for credentials of part of it) in the file
 * above to {"auth": base64(user:password)}, keeping every other key and
 * entry of the file; the folder is created 0700, the file written
 * atomically, mode 0600. *path_out (when not NULL): the file, malloc'd.
 * A user name with ':', a registry written as a URL, a file that is not
 * an auth file, or a "credHelpers" entry for registry in it: false with
 * err. */
bool kf_creds_store(const char *registry, const char *user, const char *password, char **path_out, kf_err *err);
/* kfc logout: removes the "auths" entry of registry (the key exactly as
 * login wrote it), keeping everything else; no entry: false with "not
 * logged in to REGISTRY: FILE has no entry for it". */
bool kf_creds_erase(const char *registry, char **path_out, kf_err *err);

/* A WWW-Authenticate challenge (RFC 7235 / the distribution token spec):
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull"
 *   Basic realm="Registry Realm"
 * Parameters are quoted strings (with \-escapes) or bare values (up to a
 * comma or a blank), separated by commas with optional blanks; scheme and
 * parameter names are case-insensitive, the first of a repeated parameter
 * counts. One header may hold several challenges (a scheme name starts the
 * next): Bearer is chosen over Basic, the first of a kind; other schemes
 * are passed over, a Bearer without realm too. Unknown parameters are
 * ignored. */
typedef enum kf_auth_scheme { KF_AUTH_NONE, KF_AUTH_BASIC, KF_AUTH_BEARER } kf_auth_scheme;
typedef struct kf_challenge {
	kf_auth_scheme scheme;
	char *realm, *service, *scope; /* malloc'd, NULL when absent */
	char *error;                   /* the "error" parameter ("insufficient_scope"), or NULL */
} kf_challenge;
/* false (out->scheme KF_AUTH_NONE): not understood: not the grammar, a
 * control character, longer than KF_AUTH_HEADER_MAX, or neither Basic nor
 * Bearer. out is always initialised. */
bool kf_challenge_parse(const char *header, kf_challenge *out);
void kf_challenge_release(kf_challenge *c);

/* The token server's answer: {"token": …, "access_token": …,
 * "expires_in": N, "issued_at": "RFC 3339"}: "token", or else
 * "access_token"; expires_in defaults to 60 s and is at least 60 (and at
 * most a year). now is the caller's clock (time(NULL)); *expires is when
 * the token must no longer be used: issued_at (or now when absent) plus
 * expires_in, less 10 s. A bad answer: false with err (never its text).
 * *token malloc'd. */
bool kf_token_parse(const char *body, size_t len, time_t now, char **token, time_t *expires, kf_err *err);

/* "Basic " + base64(user ":" password), malloc'd (an Authorization
 * header's value). */
char *kf_basic_auth(const char *user, const char *password);

#endif
