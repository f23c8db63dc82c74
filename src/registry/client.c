/* SPDX-License-Identifier: Apache-2.0 */
/* client.c - the registry client. See client.h. */
#include "config.h"

#include "registry/client.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"
#include "base/imageref.h"
#include "base/vec.h"
#include "oci/oci.h"
#include "registry/auth.h"
#include "registry/mirrors.h"

#define MANIFEST_MAX (4u << 20)   /* the largest manifest or index read */
#define CONNECT_TIMEOUT 30L
#define RESUMES 3                 /* how many times a cut blob transfer is resumed */
#define SYSTEM_CAS "/etc/ssl/certs/ca-certificates.crt"

static const char *const manifest_accept =
	"Accept: " KF_MT_MANIFEST ", " KF_MT_INDEX ", " KF_MT_DOCKER_MANIFEST ", " KF_MT_DOCKER_LIST;

/* ---- a session with one repository of one registry ------------------------------------ */

typedef struct session {
	const kf_registry_options *o;
	char *host;      /* host[:port] as the API is reached (docker.io: registry-1.docker.io) */
	char *name_host; /* as the name has it, for credentials and certs.d */
	char *repo;      /* the repository path */
	char *scheme;    /* "https" or "http" */
	CURL *curl;
	char *auth;      /* the Authorization header's value, or NULL */
	time_t auth_expires;
	kf_buf cas;      /* the CA bundle with certs.d's, or empty for the default */
	char *client_cert, *client_key;
	const kf_creds *given; /* kfc login's or registries.yaml's, instead of the auth files' */
	kf_creds config_creds; /* registries.yaml's, when it has some for this host */
	bool verify;           /* check certificates; false: plain HTTP allowed too */
	bool fixed_scheme;     /* an endpoint's scheme: no fallback */
	kf_imageref ref;       /* what it was opened for, and where (for clones) */
	const kf_endpoint *ep;
	/* the blob being moved, for progress: its digest, size, and the
	 * bytes moved before the current request (a resumed or chunked one) */
	const char *blob;
	uint64_t blob_size, blob_base;
} session;

/* What a request sends: bytes in memory, or size bytes of a file from
 * offset. */
typedef struct upload {
	const char *content_type;
	const void *data;
	size_t len;
	FILE *file; /* sought to offset before each attempt */
	uint64_t offset, size;
	uint64_t left; /* private: what the attempt has still to send */
	const char *range; /* a Content-Range header's value, or NULL */
} upload;

static size_t on_read(char *p, size_t size, size_t n, void *ud)
{
	upload *up = ud;
	size_t want = size * n;
	if (want > up->left)
		want = (size_t)up->left;
	size_t got = want ? fread(p, 1, want, up->file) : 0;
	up->left -= got;
	return got;
}

/* One request's exchange: what it sends (up) and the response. */
typedef struct response {
	upload *up;
	long status;
	char *www_auth, *content_type, *location;
	char *digest_header; /* Docker-Content-Digest */
	kf_buf body;   /* small bodies: manifests, tokens, errors */
	size_t limit;  /* the most body kept */
	bool overflow;
	/* a blob streamed to fd, hashed on its way */
	int fd;
	kf_sha256 *hash;
	uint64_t got, want;
	uint64_t synced; /* bytes whose write-back has been started */
	bool too_long;
	int werr;           /* errno of a failed write to fd (disk full) */
	const char *digest; /* for progress */
} response;

static void response_reset(response *r)
{
	free(r->www_auth);
	free(r->content_type);
	free(r->location);
	free(r->digest_header);
	r->www_auth = r->content_type = r->location = r->digest_header = NULL;
	r->status = 0;
	kf_buf_reset(&r->body);
	r->overflow = false;
}

static void response_release(response *r)
{
	response_reset(r);
	kf_buf_release(&r->body);
}

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	const char *v = line + k + 1, *e = line + n;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == '\r' || e[-1] == '\n' || e[-1] == ' '))
		e--;
	return strndup(v, (size_t)(e - v));
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	response *r = ud;
	size_t len = size * n;
	/* a new response (after a redirect) starts with its status line */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		free(r->www_auth);
		free(r->content_type);
		free(r->location);
		free(r->digest_header);
		r->www_auth = r->content_type = r->location = r->digest_header = NULL;
		const char *sp = memchr(p, ' ', len);
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		if (r->fd >= 0 && r->status == 200 && r->got > 0) {
			/* the whole blob again (a server that ignores Range) */
			if (ftruncate(r->fd, 0) != 0 || lseek(r->fd, 0, SEEK_SET) != 0)
				return 0;
			kf_sha256_abort(r->hash);
			kf_sha256_init(r->hash);
			r->got = r->synced = 0;
		}
	}
	char *v;
	if ((v = header_value(p, len, "WWW-Authenticate"))) {
		free(r->www_auth);
		r->www_auth = v;
	} else if ((v = header_value(p, len, "Content-Type"))) {
		free(r->content_type);
		r->content_type = v;
	} else if ((v = header_value(p, len, "Location"))) {
		free(r->location);
		r->location = v;
	} else if ((v = header_value(p, len, "Docker-Content-Digest"))) {
		free(r->digest_header);
		r->digest_header = v;
	}
	return len;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	response *r = ud;
	size_t len = size * n;
	if (r->fd >= 0 && (r->status == 200 || r->status == 206)) {
		if (r->got + len > r->want) {
			r->too_long = true;
			return 0;
		}
		if (!kf_write_all(r->fd, p, len)) {
			r->werr = errno;
			return 0;
		}
		kf_sha256_update(r->hash, p, len);
		r->got += len;
		/* start writing back every 8 MiB, so that the fsync at the end
		 * does not wait for the whole blob */
		if (r->got - r->synced >= (8u << 20)) {
			sync_file_range(r->fd, (off_t)r->synced, (off_t)(r->got - r->synced), SYNC_FILE_RANGE_WRITE);
			r->synced = r->got;
		}
		return len;
	}
	if (r->body.len + len > r->limit) {
		r->overflow = true;
		return 0;
	}
	kf_buf_add(&r->body, p, len);
	return len;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	(void)dltotal;
	(void)ultotal;
	const session *s = ud;
	if (s->blob && s->o->progress && (dlnow > 0 || ulnow > 0)) {
		uint64_t now = s->blob_base + (uint64_t)(dlnow > 0 ? dlnow : ulnow);
		s->o->progress(s->o->ud, s->blob, now < s->blob_size ? now : s->blob_size, s->blob_size, false);
	}
	return s->o->interrupted && *s->o->interrupted ? 1 : 0;
}

/* A file's bytes appended to b; false when it cannot be read */
static bool append_file(kf_buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	char buf[8192];
	size_t got;
	while ((got = fread(buf, 1, sizeof buf, f)) > 0)
		kf_buf_add(b, buf, got);
	fclose(f);
	kf_buf_addc(b, '\n');
	return true;
}

/* A CA file added to the session's bundle; CAINFO_BLOB replaces the
 * default bundle, so the system's CAs go first. False when it cannot be
 * read. */
static bool add_ca(session *s, const char *path)
{
	if (!s->cas.len)
		append_file(&s->cas, SYSTEM_CAS);
	return append_file(&s->cas, path);
}

/* certs.d: HOST[:PORT]/ under each folder; *.crt are CAs (added to the
 * system's), *.cert and *.key a client certificate */
static void load_certs_d(session *s)
{
	const char *dirs = s->o->certs_d ? s->o->certs_d : getenv("KFC_CERTS_D");
	if (!dirs)
		dirs = "/etc/containers/certs.d:/etc/docker/certs.d";
	char *list = strdup(dirs);
	char *save = NULL;
	for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *folder = kf_path_join(d, s->name_host);
		DIR *dp = opendir(folder);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			size_t n = strlen(de->d_name);
			char *p = kf_path_join(folder, de->d_name);
			if (n > 4 && strcmp(de->d_name + n - 4, ".crt") == 0) {
				add_ca(s, p);
			} else if (n > 5 && strcmp(de->d_name + n - 5, ".cert") == 0 && !s->client_cert) {
				s->client_cert = strdup(p);
			} else if (n > 4 && strcmp(de->d_name + n - 4, ".key") == 0 && !s->client_key) {
				s->client_key = strdup(p);
			}
			free(p);
		}
		if (dp)
			closedir(dp);
		free(folder);
	}
	free(list);
}

/* A session with ref's repository at its registry, or at the endpoint ep
 * (a mirror) when not NULL; registries.yaml's settings for the host. */
static bool session_open(session *s, const kf_imageref *ref, const kf_registry_options *o, const kf_endpoint *ep,
			 kf_err *err)
{
	memset(s, 0, sizeof *s);
	s->o = o;
	s->ref = *ref;
	s->ep = ep;
	s->verify = o->tls_verify;
	s->name_host = ep ? strdup(ep->host) : strndup(ref->domain.ptr, ref->domain.len);
	s->host = strdup(strcmp(s->name_host, "docker.io") == 0 ? "registry-1.docker.io" : s->name_host);
	s->repo = strndup(ref->path.ptr, ref->path.len);
	s->scheme = ep && strcmp(ep->scheme, "http") == 0 ? "http" : "https";
	s->fixed_scheme = ep != NULL;
	s->curl = curl_easy_init();
	if (!s->curl)
		return kf_err_set(err, "cannot start libcurl");
	load_certs_d(s);
	const kf_host_config *c = kf_registries_config(o->registries, s->name_host);
	if (c && c->insecure_skip_verify)
		s->verify = false;
	if (c && c->ca_file) {
		if (!add_ca(s, c->ca_file))
			return kf_err_set(err, "%s: %s (ca_file of %s in %s)", c->ca_file, strerror(errno), s->name_host,
					  o->registries->path);
	}
	if (c && c->cert_file && c->key_file) {
		free(s->client_cert);
		free(s->client_key);
		s->client_cert = strdup(c->cert_file);
		s->client_key = strdup(c->key_file);
	}
	if (c && c->username && c->password) {
		s->config_creds.user = strdup(c->username);
		s->config_creds.secret = strdup(c->password);
		s->given = &s->config_creds;
	}
	return true;
}

static void session_close(session *s)
{
	if (s->curl)
		curl_easy_cleanup(s->curl);
	free(s->host);
	free(s->name_host);
	free(s->repo);
	free(s->auth);
	free(s->client_cert);
	free(s->client_key);
	kf_creds_release(&s->config_creds);
	kf_buf_release(&s->cas);
	memset(s, 0, sizeof *s);
}

/* ---- what every session shares ----------------------------------------------------------- */

/* One connection cache (and DNS cache and TLS sessions) for every session
 * of the process, so that the many sessions of a batch (an image each)
 * reuse the connections of the ones before; and the hosts that did not
 * speak TLS (with tls_verify off), so that only the first session to one
 * tries. */
static pthread_once_t shared_once = PTHREAD_ONCE_INIT;
static CURLSH *shared;
static pthread_mutex_t shared_locks[CURL_LOCK_DATA_LAST];
static pthread_mutex_t plain_lock = PTHREAD_MUTEX_INITIALIZER;
static char plain_hosts[16][256];
static size_t nplain;

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access access, void *ud)
{
	(void)h;
	(void)access;
	(void)ud;
	pthread_mutex_lock(&shared_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *ud)
{
	(void)h;
	(void)ud;
	pthread_mutex_unlock(&shared_locks[data]);
}

static void shared_init(void)
{
	for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
		pthread_mutex_init(&shared_locks[i], NULL);
	shared = curl_share_init();
	if (!shared)
		return;
	curl_share_setopt(shared, CURLSHOPT_LOCKFUNC, share_lock);
	curl_share_setopt(shared, CURLSHOPT_UNLOCKFUNC, share_unlock);
	curl_share_setopt(shared, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
	curl_share_setopt(shared, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(shared, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

static bool is_plain(const char *host)
{
	pthread_mutex_lock(&plain_lock);
	bool yes = false;
	for (size_t i = 0; i < nplain && !yes; i++)
		yes = strcmp(plain_hosts[i], host) == 0;
	pthread_mutex_unlock(&plain_lock);
	return yes;
}

static void note_plain(const char *host)
{
	pthread_mutex_lock(&plain_lock);
	if (nplain < sizeof plain_hosts / sizeof plain_hosts[0] && strlen(host) < sizeof plain_hosts[0])
		snprintf(plain_hosts[nplain++], sizeof plain_hosts[0], "%s", host);
	pthread_mutex_unlock(&plain_lock);
}

/* One HTTP exchange, with what the session knows of TLS and credentials;
 * auth: send the session's Authorization (never to another host: curl
 * drops it on a redirect that leaves the host). */
static CURLcode perform(session *s, const char *method, const char *url, const char *accept, const char *range,
			const char *auth, response *r, char *ebuf)
{
	CURL *c = s->curl;
	curl_easy_reset(c);
	pthread_once(&shared_once, shared_init);
	if (shared)
		curl_easy_setopt(c, CURLOPT_SHARE, shared);
	struct curl_slist *h = NULL;
	kf_buf line = KF_BUF_INIT;
	if (accept)
		h = curl_slist_append(h, accept);
	if (auth) {
		kf_buf_printf(&line, "Authorization: %s", auth);
		h = curl_slist_append(h, line.ptr);
	}
	if (range) {
		kf_buf_reset(&line);
		kf_buf_printf(&line, "Range: %s", range);
		h = curl_slist_append(h, line.ptr);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	upload *up = r->up;
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		h = curl_slist_append(h, "Expect:");
		if (up && up->content_type) {
			kf_buf_reset(&line);
			kf_buf_printf(&line, "Content-Type: %s", up->content_type);
			h = curl_slist_append(h, line.ptr);
		}
		if (up && up->range) {
			kf_buf_reset(&line);
			kf_buf_printf(&line, "Content-Range: %s", up->range);
			h = curl_slist_append(h, line.ptr);
		}
		if (up && up->file) {
			fseeko(up->file, (off_t)up->offset, SEEK_SET);
			up->left = up->size;
			curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
			curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
			curl_easy_setopt(c, CURLOPT_READDATA, up);
			curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up->size);
		} else {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, up && up->data ? up->data : "");
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(up ? up->len : 0));
		}
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (long)(s->o->stall_timeout > 0 ? s->o->stall_timeout : 60));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kfc/" PACKAGE_VERSION);
	/* threads: no signals; big reads (16 KiB reads cost 32,000 system
	 * calls for 500 MB) */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L << 10);
	if (!s->verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (s->cas.len) {
		struct curl_blob blob = {s->cas.ptr, s->cas.len, CURL_BLOB_COPY};
		curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (s->client_cert && s->client_key) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, s->client_cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, s->client_key);
	}
	ebuf[0] = '\0';
	CURLcode rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(h);
	kf_buf_release(&line);
	return rc;
}

/* A token for the session's repository from a Bearer challenge. */
static bool fetch_token(session *s, const kf_challenge *ch, const kf_creds *cr, kf_err *err)
{
	char *svc = ch->service ? curl_easy_escape(s->curl, ch->service, 0) : NULL;
	kf_buf scope = KF_BUF_INIT, url = KF_BUF_INIT;
	if (ch->scope)
		kf_buf_adds(&scope, ch->scope);
	else if (*s->repo)
		kf_buf_printf(&scope, "repository:%s:pull", s->repo);
	char *sc = scope.len ? curl_easy_escape(s->curl, scope.ptr, 0) : NULL;
	/* a login asks for no scope, as docker's does */
	kf_buf form = KF_BUF_INIT;
	response r = {.fd = -1, .limit = 1u << 20};
	upload up = {.content_type = "application/x-www-form-urlencoded"};
	char *basic = NULL;
	if (cr->user && cr->identity_token) {
		/* docker's identity token: an OAuth refresh token, POSTed */
		char *rt = curl_easy_escape(s->curl, cr->secret, 0);
		kf_buf_printf(&form, "grant_type=refresh_token&client_id=kfc&refresh_token=%s", rt);
		curl_free(rt);
		if (sc)
			kf_buf_printf(&form, "&scope=%s", sc);
		if (svc)
			kf_buf_printf(&form, "&service=%s", svc);
		kf_buf_adds(&url, ch->realm);
		up.data = form.ptr;
		up.len = form.len;
		r.up = &up;
	} else {
		kf_buf_printf(&url, "%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?");
		if (sc)
			kf_buf_printf(&url, "scope=%s&", sc);
		if (svc)
			kf_buf_printf(&url, "service=%s&", svc);
		url.ptr[--url.len] = '\0';
		basic = cr->user ? kf_basic_auth(cr->user, cr->secret) : NULL;
	}
	curl_free(svc);
	curl_free(sc);
	kf_buf_release(&scope);
	char ebuf[CURL_ERROR_SIZE];
	CURLcode rc = perform(s, r.up ? "POST" : "GET", url.ptr, NULL, NULL, basic, &r, ebuf);
	r.up = NULL;
	free(basic);
	if (form.ptr)
		memset(form.ptr, 0, form.len); /* the refresh token */
	kf_buf_release(&form);
	bool ok = false;
	if (rc != CURLE_OK) {
		kf_err_set(err, "%s: token from %s: %s", s->name_host, ch->realm, ebuf[0] ? ebuf : curl_easy_strerror(rc));
	} else if (r.status == 401 || r.status == 403) {
		kf_err_set(err, "%s: the token server %s refused %s (HTTP %ld)%s", s->name_host, ch->realm,
			   cr->user ? "the credentials" : "an anonymous request", r.status,
			   cr->user ? "" : "; log in with kfc login");
	} else if (r.status != 200) {
		kf_err_set(err, "%s: the token server %s answered HTTP %ld", s->name_host, ch->realm, r.status);
	} else {
		char *token = NULL;
		time_t expires;
		ok = kf_token_parse(r.body.ptr ? r.body.ptr : "", r.body.len, time(NULL), &token, &expires, err);
		if (ok) {
			free(s->auth);
			kf_buf b = KF_BUF_INIT;
			kf_buf_printf(&b, "Bearer %s", token);
			s->auth = kf_buf_detach(&b, NULL);
			s->auth_expires = expires;
			free(token);
		}
	}
	kf_buf_release(&url);
	response_release(&r);
	return ok;
}

/* After a 401: what the challenge asks, with the user's credentials */
static bool authenticate(session *s, const char *www_auth, kf_err *err)
{
	kf_challenge ch;
	if (!www_auth || !kf_challenge_parse(www_auth, &ch))
		return kf_err_set(err, "%s: access denied (HTTP 401) with no challenge kfc understands", s->name_host);
	kf_creds cr = {0};
	if (s->given) {
		cr.user = strdup(s->given->user);
		cr.secret = strdup(s->given->secret);
	} else if (kf_creds_lookup(s->name_host, s->repo, &cr, err) == KF_CREDS_ERROR) {
		kf_creds_release(&cr);
		kf_challenge_release(&ch);
		return false;
	}
	bool ok;
	if (cr.user && cr.identity_token && ch.scheme != KF_AUTH_BEARER) {
		ok = kf_err_set(err, "%s: the credentials in %s are an identity token, which only a token server "
				     "takes; this registry asks for Basic credentials (kfc login %s)",
				s->name_host, cr.source ? cr.source : "the auth file", s->name_host);
	} else if (ch.scheme == KF_AUTH_BEARER && ch.realm) {
		ok = fetch_token(s, &ch, &cr, err);
	} else if (ch.scheme == KF_AUTH_BASIC && cr.user) {
		free(s->auth);
		s->auth = kf_basic_auth(cr.user, cr.secret);
		s->auth_expires = 0;
		ok = true;
	} else {
		ok = kf_err_set(err, "%s: authentication required and no credentials found (kfc login %s)", s->name_host,
				s->name_host);
	}
	kf_creds_release(&cr);
	kf_challenge_release(&ch);
	return ok;
}

/* The error of a request still refused with the credentials kfc has: a
 * token without the scope asked (insufficient_scope: a read-only user's
 * push), or credentials the registry does not take. */
static bool denied(const session *s, const char *www_auth, kf_err *err)
{
	kf_challenge ch = {0};
	if (www_auth && kf_challenge_parse(www_auth, &ch) && ch.error && strcmp(ch.error, "insufficient_scope") == 0)
		kf_err_set(err, "%s: denied: the credentials kfc has do not grant %s (insufficient_scope)", s->name_host,
			   ch.scope ? ch.scope : "this request");
	else
		kf_err_set(err, "%s: access denied (HTTP 401) with the credentials kfc has", s->name_host);
	kf_challenge_release(&ch);
	return false;
}

/* GET or HEAD path under /v2/ with authentication, the scheme fallback
 * and (for blobs) resuming; r->status is the final status. */
static bool request(session *s, const char *method, const char *path, const char *accept, response *r, kf_err *err)
{
	if (!s->verify && !s->fixed_scheme && strcmp(s->scheme, "https") == 0 && is_plain(s->host))
		s->scheme = "http"; /* this process found it speaks no TLS */
	for (int attempt = 0; attempt < 3; attempt++) {
		kf_buf url = KF_BUF_INIT;
		if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0)
			kf_buf_adds(&url, path); /* an upload's Location */
		else if (path[0] == '/')
			kf_buf_printf(&url, "%s://%s%s", s->scheme, s->host, path);
		else
			kf_buf_printf(&url, "%s://%s/v2/%s", s->scheme, s->host, path);
		char ebuf[CURL_ERROR_SIZE];
		if (s->auth && s->auth_expires && time(NULL) >= s->auth_expires) {
			free(s->auth);
			s->auth = NULL;
		}
		response_reset(r);
		char range[64];
		if (r->fd >= 0 && r->got)
			snprintf(range, sizeof range, "bytes=%llu-", (unsigned long long)r->got);
		CURLcode rc = perform(s, method, url.ptr, accept, r->fd >= 0 && r->got ? range : NULL, s->auth, r, ebuf);
		kf_buf_release(&url);
		if (rc != CURLE_OK && !s->verify && !s->fixed_scheme && strcmp(s->scheme, "https") == 0 &&
		    (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR)) {
			s->scheme = "http"; /* --tls-verify=false: plain HTTP allowed */
			note_plain(s->host);
			attempt--;
			continue;
		}
		if (rc == CURLE_ABORTED_BY_CALLBACK && s->o->interrupted && *s->o->interrupted)
			return kf_err_set(err, "interrupted");
		if (rc != CURLE_OK)
			return kf_err_set(err, "%s: %s", s->name_host, ebuf[0] ? ebuf : curl_easy_strerror(rc));
		if (r->status != 401)
			return true;
		if (attempt == 2)
			return denied(s, r->www_auth, err);
		if (!authenticate(s, r->www_auth, err))
			return false;
	}
	return false;
}

/* The registry's error body, for a message: "MANIFEST_UNKNOWN: manifest unknown" */
static void describe_error(const response *r, char *out, size_t n)
{
	json_t *j = r->body.len ? json_loadb(r->body.ptr, r->body.len, 0, NULL) : NULL;
	json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
	const char *code = json_string_value(json_object_get(e0, "code"));
	const char *msg = json_string_value(json_object_get(e0, "message"));
	if (code)
		snprintf(out, n, "HTTP %ld, %s%s%s", r->status, code, msg ? ": " : "", msg ? msg : "");
	else
		snprintf(out, n, "HTTP %ld", r->status);
	json_decref(j);
}

/* ---- manifests ----------------------------------------------------------------------- */

/* A manifest or an index as the registry sent it. */
typedef struct manifest {
	kf_buf body;
	char digest[KF_DIGEST_LEN + 1];
	char *media_type; /* the document's own, else the Content-Type's */
	json_t *doc;
} manifest;

static void manifest_release(manifest *m)
{
	kf_buf_release(&m->body);
	free(m->media_type);
	json_decref(m->doc);
	memset(m, 0, sizeof *m);
}

/* A manifest or an index of the store, with its own bytes (so that its
 * digest stays); its media type (the document's, else the OCI
 * manifest's). */
static bool read_stored(const char *dir, const char *digest, kf_buf *body, json_t **doc, const char **mt, kf_err *err)
{
	char *p = kf_oci_blob_path(dir, digest);
	FILE *f = fopen(p, "rb");
	char buf[65536];
	size_t got;
	while (f && (got = fread(buf, 1, sizeof buf, f)) > 0 && body->len <= MANIFEST_MAX)
		kf_buf_add(body, buf, got);
	if (f)
		fclose(f);
	free(p);
	*doc = body->len && body->len <= MANIFEST_MAX ? json_loadb(body->ptr, body->len, 0, NULL) : NULL;
	*mt = json_string_value(json_object_get(*doc, "mediaType"));
	if (!*mt)
		*mt = json_object_get(*doc, "manifests") ? KF_MT_INDEX : KF_MT_MANIFEST;
	if (!json_is_object(*doc))
		return kf_err_set(err, "manifest %s: not in the store, or not JSON", digest);
	return true;
}

/* The manifest digest of the store dir names, as m, when dir holds it
 * (a manifest is stored after its blobs: the image is whole). */
static bool from_store(const char *dir, const char *digest, manifest *m)
{
	kf_buf body = KF_BUF_INIT;
	json_t *doc = NULL;
	const char *mt;
	kf_err e;
	char *p = kf_oci_blob_path(dir, digest);
	bool there = access(p, F_OK) == 0;
	free(p);
	if (!there || !read_stored(dir, digest, &body, &doc, &mt, &e)) {
		json_decref(doc);
		kf_buf_release(&body);
		return false;
	}
	m->body = body;
	snprintf(m->digest, sizeof m->digest, "%s", digest);
	m->media_type = strdup(mt);
	m->doc = doc;
	return true;
}

/* Fetches the manifest or index at reference (a tag or a digest) and
 * parses it; checks it against the digest when reference is one. With a
 * store dir, what it holds is not fetched again: a digest it has is read
 * from it without a request, and a tag costs a HEAD request when the
 * digest the registry names for it is there. */
static bool get_manifest(session *s, const char *reference, const char *dir, manifest *m, kf_err *err)
{
	memset(m, 0, sizeof *m);
	if (dir && strncmp(reference, "sha256:", 7) == 0 && from_store(dir, reference, m))
		return true;
	if (dir && strncmp(reference, "sha256:", 7) != 0) {
		response h = {.fd = -1, .limit = 64u << 10};
		kf_buf hp = KF_BUF_INIT;
		kf_buf_printf(&hp, "%s/manifests/%s", s->repo, reference);
		bool asked = request(s, "HEAD", hp.ptr, manifest_accept, &h, err);
		bool found = asked && h.status == 200 && h.digest_header && strncmp(h.digest_header, "sha256:", 7) == 0 &&
			     strlen(h.digest_header) == KF_DIGEST_LEN && from_store(dir, h.digest_header, m);
		kf_buf_release(&hp);
		response_release(&h);
		if (found || !asked) /* there, or the registry cannot be asked (denied, down) */
			return found;
	}
	response r = {.fd = -1, .limit = MANIFEST_MAX};
	kf_buf path = KF_BUF_INIT;
	kf_buf_printf(&path, "%s/manifests/%s", s->repo, reference);
	bool ok = request(s, "GET", path.ptr, manifest_accept, &r, err);
	kf_buf_release(&path);
	if (ok && r.overflow) {
		ok = kf_err_set(err, "%s/%s:%s: the manifest is larger than %u bytes", s->name_host, s->repo, reference,
				MANIFEST_MAX);
	} else if (ok && r.status != 200) {
		char why[256];
		describe_error(&r, why, sizeof why);
		ok = kf_err_set(err, "%s/%s: manifest %s: %s", s->name_host, s->repo, reference, why);
	}
	if (ok) {
		kf_sha256_bytes(r.body.ptr ? r.body.ptr : "", r.body.len, m->digest);
		if (strncmp(reference, "sha256:", 7) == 0 && strcmp(reference, m->digest) != 0)
			ok = kf_err_set(err, "%s/%s: the manifest served for %s has the digest %s", s->name_host, s->repo,
					reference, m->digest);
	}
	if (ok) {
		m->body = r.body;
		r.body = (kf_buf)KF_BUF_INIT;
		m->doc = json_loadb(m->body.ptr ? m->body.ptr : "", m->body.len, 0, NULL);
		const char *inner = json_string_value(json_object_get(m->doc, "mediaType"));
		if (inner)
			m->media_type = strdup(inner);
		else if (r.content_type)
			m->media_type = strndup(r.content_type, strcspn(r.content_type, "; "));
		if (!json_is_object(m->doc))
			ok = kf_err_set(err, "%s/%s: manifest %s is not a JSON object", s->name_host, s->repo, reference);
	}
	response_release(&r);
	if (!ok)
		manifest_release(m);
	return ok;
}


/* ---- blobs ------------------------------------------------------------------------------- */

/* What moving blobs did: moved (fetched or uploaded), present (already
 * there), bytes moved. */
typedef struct blob_stats {
	unsigned moved, present, mounted;
	uint64_t bytes;
} blob_stats;

/* Streams the blob of desc into the layout, verified; resumes a cut
 * transfer with Range. */
static bool get_blob(session *s, const char *dir, const json_t *desc, blob_stats *res, kf_err *err)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	uint64_t size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
	if (kf_oci_has_blob(dir, digest, size)) {
		res->present++;
		return true;
	}
	kf_buf tmp = KF_BUF_INIT;
	if (s->o->tmpdir)
		kf_buf_printf(&tmp, "%s/pull-XXXXXX", s->o->tmpdir);
	else
		kf_buf_printf(&tmp, "%s/blobs/sha256/.pull-XXXXXX", dir);
	int fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		kf_err_set(err, "%s: %s", tmp.ptr, strerror(errno));
		kf_buf_release(&tmp);
		return false;
	}
	kf_sha256 h;
	kf_sha256_init(&h);
	response r = {.fd = fd, .hash = &h, .want = size, .limit = 64u << 10, .digest = digest};
	kf_buf path = KF_BUF_INIT;
	kf_buf_printf(&path, "%s/blobs/%s", s->repo, digest);
	bool ok = false;
	s->blob = digest;
	s->blob_size = size;
	for (int tries = 0; tries <= RESUMES; tries++) {
		uint64_t before = r.got;
		s->blob_base = r.got;
		kf_err e;
		bool done = request(s, "GET", path.ptr, NULL, &r, &e);
		if (done && (r.status == 200 || r.status == 206) && r.got == size && !r.too_long) {
			ok = true;
			break;
		}
		if (done && r.status != 200 && r.status != 206) {
			char why[256];
			describe_error(&r, why, sizeof why);
			kf_err_set(err, "%s/%s: blob %s: %s", s->name_host, s->repo, digest, why);
			break;
		}
		if (r.werr) {
			kf_err_set(err, "%s/%s: blob %s: writing it into %s: %s", s->name_host, s->repo, digest,
				   s->o->tmpdir ? s->o->tmpdir : dir, strerror(r.werr));
			break;
		}
		if (r.too_long) {
			kf_err_set(err, "%s/%s: blob %s is larger than its descriptor says (%llu bytes)", s->name_host,
				   s->repo, digest, (unsigned long long)size);
			break;
		}
		if (s->o->interrupted && *s->o->interrupted) {
			kf_err_set(err, "interrupted");
			break;
		}
		/* cut short: resume from what arrived, if anything did */
		if (r.got == before || tries == RESUMES) {
			if (done)
				kf_err_set(err, "%s/%s: blob %s ended after %llu of %llu bytes", s->name_host, s->repo, digest,
					   (unsigned long long)r.got, (unsigned long long)size);
			else
				*err = e;
			break;
		}
	}
	s->blob = NULL;
	kf_buf_release(&path);
	char got[KF_DIGEST_LEN + 1];
	kf_sha256_final(&h, got);
	if (ok && strcmp(got, digest) != 0)
		ok = kf_err_set(err, "%s/%s: blob %s: its bytes have the digest %s", s->name_host, s->repo, digest, got);
	if (ok && (fsync(fd) != 0 || fchmod(fd, 0644) != 0))
		ok = kf_err_set(err, "%s: %s", tmp.ptr, strerror(errno));
	close(fd);
	if (ok)
		ok = kf_oci_put_file(dir, tmp.ptr, digest, err);
	if (!ok)
		unlink(tmp.ptr);
	else {
		res->moved++;
		res->bytes += size;
		if (s->o->progress)
			s->o->progress(s->o->ud, digest, size, size, true);
	}
	response_release(&r);
	kf_buf_release(&tmp);
	return ok;
}

/* ---- several tasks at once ----------------------------------------------------------------- */

typedef bool (*blob_fn)(session *s, const char *dir, const json_t *desc, blob_stats *st, kf_err *err);

/* n tasks run by up to jobs threads; each thread has a session of its
 * own, which the task binds to the repository it needs (bind). */
typedef struct pool {
	size_t n, next;
	bool (*task)(struct pool *p, session *s, size_t i, blob_stats *st, kf_err *err);
	void *ctx;
	bool keep_going; /* a failed task does not stop the others */
	pthread_mutex_t lock;
	bool failed;
	kf_err err;
	blob_stats st;
} pool;

/* A session like main (the same endpoint, scheme and token), its own
 * connection. */
static bool session_clone(session *s, const session *main, kf_err *err)
{
	if (!session_open(s, &main->ref, main->o, main->ep, err))
		return false;
	s->scheme = main->scheme;
	s->auth = main->auth ? strdup(main->auth) : NULL;
	s->auth_expires = main->auth_expires;
	return true;
}

/* s becomes a session like main: when it is open on the same host, by the
 * same scheme and endpoint, only the repository and the token change and
 * its connection is kept; else it is opened again. */
static bool session_bind(session *s, const session *main, kf_err *err)
{
	if (s->curl && s->ep == main->ep && strcmp(s->name_host, main->name_host) == 0 &&
	    strcmp(s->scheme, main->scheme) == 0) {
		if (strcmp(s->repo, main->repo) != 0) {
			free(s->repo);
			s->repo = strdup(main->repo);
			s->ref = main->ref;
			free(s->auth);
			s->auth = main->auth ? strdup(main->auth) : NULL;
			s->auth_expires = main->auth_expires;
		}
		return true;
	}
	if (s->curl)
		session_close(s);
	return session_clone(s, main, err);
}

static void *worker(void *arg)
{
	pool *p = arg;
	session s;
	memset(&s, 0, sizeof s);
	kf_err err;
	blob_stats st = {0, 0, 0, 0};
	bool ok = true;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (!ok && !p->failed) {
			p->failed = true;
			p->err = err;
		}
		size_t i = p->failed && !p->keep_going ? p->n : p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			break;
		ok = p->task(p, &s, i, &st, &err);
	}
	pthread_mutex_lock(&p->lock);
	p->st.moved += st.moved;
	p->st.present += st.present;
	p->st.mounted += st.mounted;
	p->st.bytes += st.bytes;
	pthread_mutex_unlock(&p->lock);
	if (s.curl)
		session_close(&s);
	return NULL;
}

/* Runs the pool's tasks, jobs at once (each on a connection of its own);
 * false with the first failure's error. */
static bool pool_run(pool *p, int jobs, blob_stats *st, kf_err *err)
{
	size_t want = jobs > 0 ? (size_t)jobs : 4;
	if (want > p->n)
		want = p->n;
	pthread_mutex_init(&p->lock, NULL);
	pthread_t t[64];
	size_t started = 0;
	for (; started < want && started < 64; started++)
		if (pthread_create(&t[started], NULL, worker, p) != 0)
			break;
	if (started == 0 && p->n)
		worker(p); /* no thread: this one does it all */
	for (size_t k = 0; k < started; k++)
		pthread_join(t[k], NULL);
	pthread_mutex_destroy(&p->lock);
	if (st)
		*st = p->st;
	if (p->failed)
		*err = p->err;
	return !p->failed;
}

/* each_blob's tasks: one blob of one image */
typedef struct blob_tasks {
	const session *main;
	const char *dir;
	const json_t *const *descs;
	blob_fn fn;
} blob_tasks;

static bool blob_task(pool *p, session *s, size_t i, blob_stats *st, kf_err *err)
{
	const blob_tasks *bt = p->ctx;
	return session_bind(s, bt->main, err) && bt->fn(s, bt->dir, bt->descs[i], st, err);
}

/* fn on each blob of a manifest (config, then layers), o->jobs at once
 * (default 4), each on a connection of its own. */
static bool each_blob(const session *main, const char *dir, const json_t *doc, blob_fn fn, blob_stats *st,
		      kf_err *err)
{
	KF_VEC(const json_t *) descs = {0};
	kf_vec_push(&descs, json_object_get(doc, "config"));
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(doc, "layers"), i, l) kf_vec_push(&descs, l);
	blob_tasks bt = {main, dir, descs.v, fn};
	pool p = {.n = descs.n, .task = blob_task, .ctx = &bt};
	bool ok = pool_run(&p, main->o->jobs, st, err);
	kf_vec_free(&descs);
	return ok;
}

/* ---- pull -------------------------------------------------------------------------------- */

/* The image manifest of name for the platform: the manifest at
 * reference, or the platform's from the index there (kept in the layout
 * dir when dir is not NULL; its digest in index_digest). */
static bool resolve(session *s, const char *name, const char *reference, const kf_platform_want *plat,
		    const char *dir, manifest *m, char index_digest[72], kf_err *err)
{
	bool ok = get_manifest(s, reference, dir, m, err);
	if (!plat) /* kf_registry_manifest: as it is */
		return ok;
	if (ok && kf_oci_is_index_type(m->media_type)) {
		kf_sha256_bytes(m->body.ptr, m->body.len, index_digest);
		if (dir)
			ok = kf_oci_put_bytes(dir, m->body.ptr, m->body.len, index_digest, err);
		const json_t *e = ok ? kf_oci_index_pick(m->doc, plat) : NULL;
		if (ok && !e && s->o->all_platforms) /* all of them: any to start with */
			e = json_array_get(json_object_get(m->doc, "manifests"), 0);
		if (ok && !e)
			ok = kf_err_set(err, "%s: no image for %s/%s%s%s in its index", name, plat->os, plat->arch,
					plat->variant && *plat->variant ? "/" : "", plat->variant ? plat->variant : "");
		if (ok)
			ok = kf_oci_check_descriptor(e, "the platform's manifest", err);
		if (ok) {
			char *d = strdup(json_string_value(json_object_get(e, "digest")));
			manifest_release(m);
			ok = get_manifest(s, d, dir, m, err);
			free(d);
		}
	}
	const char *mt = m->media_type;
	if (ok && (!mt || (strcmp(mt, KF_MT_MANIFEST) != 0 && strcmp(mt, KF_MT_DOCKER_MANIFEST) != 0)))
		ok = kf_err_set(err, "%s: '%s' is not an image manifest kfc reads", name, mt ? mt : "no media type");
	if (ok && !kf_oci_check_manifest(m->doc, err))
		ok = false;
	return ok;
}

/* name, a normalised name (with its registry) */
static bool parse_name(const char *name, kf_imageref *ref, kf_err *err)
{
	const char *why = kf_imageref_parse(kf_str_cstr(name), ref);
	if (why)
		return kf_err_set(err, "'%s' is no image name: %s", name, why);
	if (!ref->domain.len)
		return kf_err_set(err, "'%s' is not a normalised name", name);
	return true;
}

/* The platform's image manifest of name (a normalised name), from the
 * registry's mirrors in registries.yaml's order, then the registry
 * itself: the first that answers serves the blobs too (s is left open on
 * it). *reference: the digest or tag (malloc'd). */
static bool find(session *s, const char *name, const kf_registry_options *o, const kf_platform_want *plat,
		 const char *dir, manifest *m, char index_digest[72], char **reference, kf_err *err)
{
	memset(s, 0, sizeof *s);
	memset(m, 0, sizeof *m);
	kf_imageref ref;
	if (!parse_name(name, &ref, err))
		return false;
	*reference = ref.digest.len ? strndup(ref.digest.ptr, ref.digest.len)
				    : strndup(ref.tag.len ? ref.tag.ptr : "latest", ref.tag.len ? ref.tag.len : 6);
	char *domain = strndup(ref.domain.ptr, ref.domain.len);
	const kf_mirror *mirror = kf_registries_mirror(o->registries, domain);
	size_t n = mirror ? mirror->n : 0;
	kf_buf tried = KF_BUF_INIT;
	bool ok = false;
	for (size_t i = 0; i <= n && !ok; i++) {
		const kf_endpoint *ep = i < n ? &mirror->endpoints[i] : NULL;
		kf_err e;
		ok = session_open(s, &ref, o, ep, &e) && resolve(s, name, *reference, plat, dir, m, index_digest, &e);
		if (ok)
			break;
		session_close(s);
		if (o->interrupted && *o->interrupted) {
			kf_buf_reset(&tried);
			kf_buf_adds(&tried, "interrupted");
			break;
		}
		if (ep)
			kf_buf_printf(&tried, "mirror %s://%s: %s; ", ep->scheme, ep->host, e.msg);
		else
			kf_buf_printf(&tried, "%s%s", n ? "the registry: " : "", e.msg);
	}
	if (!ok)
		kf_err_set(err, "%s", tried.ptr ? tried.ptr : "");
	kf_buf_release(&tried);
	free(domain);
	return ok;
}

/* --all-platforms: every other image of the index the pull came from
 * (kept in dir, index_digest), blobs first and each manifest last; then
 * the result names the index. */
static bool pull_others(session *s, const char *dir, const char *done, kf_pull_result *res, kf_err *err)
{
	json_t *ix = kf_oci_read_json(dir, res->index_digest, err);
	bool ok = ix != NULL;
	size_t i;
	json_t *e;
	json_array_foreach(ok ? json_object_get(ix, "manifests") : NULL, i, e) {
		const char *d = json_string_value(json_object_get(e, "digest"));
		if (!ok)
			break;
		if (!kf_oci_check_descriptor(e, "an image of the index", err)) {
			ok = false;
			break;
		}
		if (strcmp(d, done) == 0)
			continue;
		manifest m;
		ok = get_manifest(s, d, dir, &m, err);
		if (ok && (!m.media_type || kf_oci_is_index_type(m.media_type)))
			ok = kf_err_set(err, "%s: an index inside an index is not pulled", d);
		if (ok)
			ok = kf_oci_check_manifest(m.doc, err);
		blob_stats st = {0, 0, 0, 0};
		if (ok)
			ok = each_blob(s, dir, m.doc, get_blob, &st, err);
		res->fetched += st.moved;
		res->present += st.present;
		res->bytes += st.bytes;
		if (ok)
			ok = kf_oci_put_bytes(dir, m.body.ptr, m.body.len, m.digest, err);
		manifest_release(&m);
	}
	if (ok) {
		char *p = kf_oci_blob_path(dir, res->index_digest);
		struct stat st;
		res->size = stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
		free(p);
		const char *mt = json_string_value(json_object_get(ix, "mediaType"));
		snprintf(res->media_type, sizeof res->media_type, "%s", mt ? mt : KF_MT_INDEX);
		snprintf(res->digest, sizeof res->digest, "%s", res->index_digest);
	}
	json_decref(ix);
	return ok;
}

/* ---- many images at once ------------------------------------------------------------------- */

struct kf_pull_batch {
	const char *dir;
	const kf_registry_options *o;
	kf_platform_want plat;
	kf_pull_item *items;
	size_t n;
	session *sess;  /* each item's, open on the registry or mirror that answered */
	manifest *mans; /* each item's platform manifest */
};

static bool resolve_task(pool *p, session *unused, size_t i, blob_stats *st, kf_err *err)
{
	(void)unused;
	(void)st;
	kf_pull_batch *b = p->ctx;
	kf_pull_item *it = &b->items[i];
	char *reference = NULL;
	it->ok = find(&b->sess[i], it->name, b->o, &b->plat, b->dir, &b->mans[i], it->res.index_digest, &reference,
		      &it->err);
	free(reference);
	if (it->ok) {
		snprintf(it->res.digest, sizeof it->res.digest, "%s", b->mans[i].digest);
		snprintf(it->res.media_type, sizeof it->res.media_type, "%s", b->mans[i].media_type);
		it->res.size = b->mans[i].body.len;
	} else {
		*err = it->err;
	}
	return it->ok;
}

kf_pull_batch *kf_registry_resolve_all(const char *dir, kf_pull_item *items, size_t n, const kf_platform_want *plat,
				       const kf_registry_options *o)
{
	kf_pull_batch *b = calloc(1, sizeof *b);
	if (!b)
		abort();
	*b = (kf_pull_batch){dir, o, *plat, items, n, calloc(n + 1, sizeof(session)), calloc(n + 1, sizeof(manifest))};
	if (!b->sess || !b->mans)
		abort();
	for (size_t i = 0; i < n; i++) {
		memset(&items[i].res, 0, sizeof items[i].res);
		items[i].ok = false;
		items[i].err.msg[0] = '\0';
	}
	pool p = {.n = n, .task = resolve_task, .ctx = b, .keep_going = true};
	kf_err e;
	pool_run(&p, o->jobs, NULL, &e);
	return b;
}

const json_t *kf_registry_batch_manifest(const kf_pull_batch *b, size_t i)
{
	return i < b->n && b->items[i].ok ? b->mans[i].doc : NULL;
}

/* the fetch's tasks: a blob, the first item that needs it, and every item
 * waiting for it */
typedef struct fetch_task {
	size_t item;
	const json_t *desc;
	size_t *waiting; /* indexes of the items that need it */
	size_t nwaiting;
} fetch_task;

typedef struct fetch_tasks {
	kf_pull_batch *b;
	fetch_task *v;
	size_t *left; /* each item's blobs still to come */
} fetch_tasks;

/* Item i has all its blobs: its manifest into the store (no reader sees
 * a manifest whose blobs are missing), then the caller told. */
static void item_done(kf_pull_batch *b, size_t i)
{
	kf_pull_item *it = &b->items[i];
	if (it->ok && !kf_oci_put_bytes(b->dir, b->mans[i].body.ptr, b->mans[i].body.len, b->mans[i].digest, &it->err))
		it->ok = false;
	if (it->ok && b->o->image_done)
		b->o->image_done(b->o->ud, i);
}

static bool fetch_task_run(pool *p, session *s, size_t i, blob_stats *st, kf_err *err)
{
	fetch_tasks *ft = p->ctx;
	kf_pull_batch *b = ft->b;
	const fetch_task *t = &ft->v[i];
	blob_stats one = {0, 0, 0, 0};
	bool ok = session_bind(s, &b->sess[t->item], err) && get_blob(s, b->dir, t->desc, &one, err);
	pthread_mutex_lock(&p->lock);
	kf_pull_item *it = &b->items[t->item];
	it->res.fetched += one.moved;
	it->res.present += one.present;
	it->res.bytes += one.bytes;
	if (!ok && it->ok) {
		it->ok = false;
		it->err = *err;
	}
	for (size_t k = 0; ok && k < t->nwaiting; k++)
		if (--ft->left[t->waiting[k]] == 0)
			item_done(b, t->waiting[k]);
	pthread_mutex_unlock(&p->lock);
	st->moved += one.moved;
	st->present += one.present;
	st->bytes += one.bytes;
	return ok;
}

bool kf_registry_fetch_all(kf_pull_batch *b, kf_err *err)
{
	KF_VEC(fetch_task) tasks = {0};
	json_t *seen = json_object(); /* digest → its task's index */
	size_t *left = calloc(b->n + 1, sizeof *left);
	if (!left)
		abort();
	for (size_t i = 0; i < b->n; i++) {
		if (!b->items[i].ok)
			continue;
		const json_t *doc = b->mans[i].doc;
		KF_VEC(const json_t *) descs = {0};
		kf_vec_push(&descs, json_object_get(doc, "config"));
		size_t k;
		json_t *l;
		json_array_foreach(json_object_get(doc, "layers"), k, l) kf_vec_push(&descs, l);
		for (k = 0; k < descs.n; k++) {
			const char *d = json_string_value(json_object_get(descs.v[k], "digest"));
			uint64_t size = (uint64_t)json_integer_value(json_object_get(descs.v[k], "size"));
			json_t *at = json_object_get(seen, d);
			if (!at && kf_oci_has_blob(b->dir, d, size)) {
				b->items[i].res.present++;
				continue;
			}
			if (!at) {
				at = json_integer((json_int_t)tasks.n);
				json_object_set_new(seen, d, at);
				kf_vec_push(&tasks, ((fetch_task){i, descs.v[k], NULL, 0}));
			}
			fetch_task *t = &tasks.v[json_integer_value(at)];
			bool again = false; /* a blob twice in one image counts once */
			for (size_t w = 0; w < t->nwaiting; w++)
				again = again || t->waiting[w] == i;
			if (again)
				continue;
			size_t *nw = realloc(t->waiting, (t->nwaiting + 1) * sizeof *nw);
			if (!nw)
				abort();
			t->waiting = nw;
			t->waiting[t->nwaiting++] = i;
			left[i]++;
		}
		kf_vec_free(&descs);
	}
	json_decref(seen);
	/* the images the store holds every blob of are done already */
	for (size_t i = 0; i < b->n; i++)
		if (b->items[i].ok && left[i] == 0)
			item_done(b, i);
	fetch_tasks ft = {b, tasks.v, left};
	pool p = {.n = tasks.n, .task = fetch_task_run, .ctx = &ft};
	bool ok = pool_run(&p, b->o->jobs, NULL, err);
	for (size_t i = 0; i < tasks.n; i++)
		free(tasks.v[i].waiting);
	kf_vec_free(&tasks);
	free(left);
	for (size_t i = 0; ok && i < b->n; i++)
		if (!b->items[i].ok && b->items[i].err.msg[0]) {
			*err = b->items[i].err;
			ok = false;
		}
	return ok;
}

void kf_registry_batch_free(kf_pull_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		manifest_release(&b->mans[i]);
		if (b->sess[i].curl)
			session_close(&b->sess[i]);
	}
	free(b->sess);
	free(b->mans);
	free(b);
}

bool kf_registry_pull(const char *dir, const char *name, const kf_platform_want *plat, const kf_registry_options *o,
		      kf_pull_result *res, kf_err *err)
{
	kf_pull_item it = {.name = name};
	kf_pull_batch *b = kf_registry_resolve_all(dir, &it, 1, plat, o);
	bool ok = it.ok;
	if (!ok)
		*err = it.err;
	else
		ok = kf_registry_fetch_all(b, err);
	*res = it.res;
	if (ok && o->all_platforms && res->index_digest[0])
		ok = pull_others(&b->sess[0], dir, res->digest, res, err);
	kf_registry_batch_free(b);
	return ok;
}

bool kf_registry_inspect(const char *name, const kf_platform_want *plat, const kf_registry_options *o,
			 kf_remote_image *img, kf_err *err)
{
	memset(img, 0, sizeof *img);
	session s;
	char *reference = NULL;
	manifest m = {0};
	bool ok = find(&s, name, o, plat, NULL, &m, img->index_digest, &reference, err);
	/* the config, into memory, checked against its digest */
	const char *cd = ok ? json_string_value(json_object_get(json_object_get(m.doc, "config"), "digest")) : NULL;
	response r = {.fd = -1, .limit = MANIFEST_MAX};
	kf_buf path = KF_BUF_INIT;
	if (ok) {
		kf_buf_printf(&path, "%s/blobs/%s", s.repo, cd);
		ok = request(&s, "GET", path.ptr, NULL, &r, err);
	}
	if (ok && (r.status != 200 || r.overflow)) {
		char why[256];
		describe_error(&r, why, sizeof why);
		ok = kf_err_set(err, "%s/%s: config %s: %s", s.name_host, s.repo, cd, r.overflow ? "too large" : why);
	}
	if (ok) {
		char got[KF_DIGEST_LEN + 1];
		kf_sha256_bytes(r.body.ptr ? r.body.ptr : "", r.body.len, got);
		if (strcmp(got, cd) != 0)
			ok = kf_err_set(err, "%s/%s: config %s: its bytes have the digest %s", s.name_host, s.repo, cd, got);
	}
	if (ok) {
		img->config = json_loadb(r.body.ptr ? r.body.ptr : "", r.body.len, 0, NULL);
		if (!json_is_object(img->config))
			ok = kf_err_set(err, "%s/%s: config %s is not a JSON object", s.name_host, s.repo, cd);
	}
	if (ok) {
		img->manifest = json_incref(m.doc);
		snprintf(img->digest, sizeof img->digest, "%s", m.digest);
		img->size = m.body.len;
	} else {
		json_decref(img->config);
		img->config = NULL;
	}
	kf_buf_release(&path);
	response_release(&r);
	manifest_release(&m);
	free(reference);
	session_close(&s);
	return ok;
}

bool kf_registry_manifest(const char *name, const kf_registry_options *o, char **body, size_t *len, kf_err *err)
{
	session s;
	char *reference = NULL;
	manifest m = {0};
	char index_digest[72] = "";
	bool ok = find(&s, name, o, NULL, NULL, &m, index_digest, &reference, err);
	if (ok) {
		*len = m.body.len;
		*body = kf_buf_detach(&m.body, NULL);
		if (!*body)
			*body = strdup("");
	}
	manifest_release(&m);
	free(reference);
	session_close(&s);
	return ok;
}

/* ---- single blobs ------------------------------------------------------------------------ */

bool kf_registry_fetch_blobs(const char *dir, const char *name, const json_t *const *descs, size_t n,
			     const kf_registry_options *o, kf_err *err)
{
	kf_imageref ref;
	if (!parse_name(name, &ref, err))
		return false;
	session s;
	memset(&s, 0, sizeof s);
	if (!session_open(&s, &ref, o, NULL, err))
		return false;
	blob_stats st = {0, 0, 0, 0};
	/* the first on this session (it learns the scheme and the token), the
	 * others o->jobs at once */
	bool ok = n == 0 || (kf_oci_check_descriptor(descs[0], "blob", err) && get_blob(&s, dir, descs[0], &st, err));
	for (size_t i = 1; ok && i < n; i++)
		ok = kf_oci_check_descriptor(descs[i], "blob", err);
	if (ok && n > 1) {
		blob_tasks bt = {&s, dir, descs + 1, get_blob};
		pool p = {.n = n - 1, .task = blob_task, .ctx = &bt};
		ok = pool_run(&p, o->jobs, NULL, err);
	}
	session_close(&s);
	return ok;
}

/* ---- login ------------------------------------------------------------------------------- */

bool kf_registry_login(const char *registry, const char *user, const char *password, const kf_registry_options *o,
		       kf_err *err)
{
	kf_imageref ref = {kf_str_cstr(registry), KF_STR_LIT(""), KF_STR_NULL, KF_STR_NULL};
	session s;
	bool ok = session_open(&s, &ref, o, NULL, err);
	kf_creds given = {.user = (char *)user, .secret = (char *)password};
	s.given = &given;
	response r = {.fd = -1, .limit = 64u << 10};
	if (ok)
		ok = request(&s, "GET", "", NULL, &r, err);
	/* a registry that asks for nothing takes any credentials; one that
	 * asked was answered with these */
	if (ok && r.status != 200) {
		char why[256];
		describe_error(&r, why, sizeof why);
		ok = kf_err_set(err, "%s: /v2/ answered %s", s.name_host, why);
	}
	response_release(&r);
	session_close(&s);
	return ok;
}

/* ---- push -------------------------------------------------------------------------------- */

/* Uploads the blob of desc from the layout unless the registry has it:
 * HEAD, then POST for an upload and one PUT of the whole blob. */
static bool put_blob(session *s, const char *dir, const json_t *desc, blob_stats *res, kf_err *err)
{
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	uint64_t size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
	response r = {.fd = -1, .limit = 64u << 10};
	kf_buf path = KF_BUF_INIT;
	kf_buf_printf(&path, "%s/blobs/%s", s->repo, digest);
	bool ok = request(s, "HEAD", path.ptr, NULL, &r, err);
	if (ok && r.status == 200) {
		res->present++;
		kf_buf_release(&path);
		response_release(&r);
		return true;
	}
	char *blob = kf_oci_blob_path(dir, digest);
	FILE *f = ok ? fopen(blob, "rb") : NULL;
	if (ok && !f)
		ok = kf_err_set(err, "%s: %s", blob, strerror(errno));
	/* a blob the store knows in another repository of this registry is
	 * mounted from there (201); else the registry starts an upload (202) */
	const char *from = s->o->mount_source ? s->o->mount_source(s->o->mount_ud, digest) : NULL;
	kf_buf_reset(&path);
	kf_buf_printf(&path, "%s/blobs/uploads/", s->repo);
	if (from)
		kf_buf_printf(&path, "?mount=%s&from=%s", digest, from);
	if (ok)
		ok = request(s, "POST", path.ptr, NULL, &r, err);
	bool mounted = ok && from && r.status == 201;
	if (ok && !mounted && (r.status != 202 || !r.location)) {
		char why[256];
		describe_error(&r, why, sizeof why);
		ok = kf_err_set(err, "%s/%s: starting the upload of %s: %s", s->name_host, s->repo, digest, why);
	}
	/* a large blob goes in chunks (PATCH), each with its range; the PUT
	 * that closes the upload carries the rest (all of a small blob) */
	uint64_t chunk = s->o->chunk_size ? s->o->chunk_size : KF_UPLOAD_CHUNK, at = 0;
	s->blob = digest;
	s->blob_size = size;
	while (ok && !mounted && size - at > chunk) {
		char range[64];
		snprintf(range, sizeof range, "%llu-%llu", (unsigned long long)at, (unsigned long long)(at + chunk - 1));
		upload up = {.content_type = "application/octet-stream", .file = f, .offset = at, .size = chunk, .range = range};
		char *loc = strdup(r.location);
		r.up = &up;
		s->blob_base = at;
		ok = request(s, "PATCH", loc, NULL, &r, err);
		r.up = NULL;
		free(loc);
		if (ok && (r.status != 202 || !r.location)) {
			char why[256];
			describe_error(&r, why, sizeof why);
			ok = kf_err_set(err, "%s/%s: uploading %s (bytes %s): %s", s->name_host, s->repo, digest, range, why);
		}
		at += chunk;
	}
	if (ok && !mounted) {
		kf_buf_reset(&path);
		kf_buf_printf(&path, "%s%sdigest=%s", r.location, strchr(r.location, '?') ? "&" : "?", digest);
		upload up = {.content_type = "application/octet-stream", .file = f, .offset = at, .size = size - at};
		r.up = &up;
		s->blob_base = at;
		ok = request(s, "PUT", path.ptr, NULL, &r, err);
		r.up = NULL;
		if (ok && r.status != 201) {
			char why[256];
			describe_error(&r, why, sizeof why);
			ok = kf_err_set(err, "%s/%s: uploading %s: %s", s->name_host, s->repo, digest, why);
		}
	}
	s->blob = NULL;
	if (ok && mounted) {
		res->mounted++;
	} else if (ok) {
		res->moved++;
		res->bytes += size;
		if (s->o->progress)
			s->o->progress(s->o->ud, digest, size, size, true);
	}
	if (f)
		fclose(f);
	free(blob);
	kf_buf_release(&path);
	response_release(&r);
	return ok;
}

/* PUT of a manifest or an index under reference (a tag or its digest) */
static bool put_manifest(session *s, const kf_buf *body, const char *mt, const char *reference, kf_err *err)
{
	kf_buf path = KF_BUF_INIT;
	kf_buf_printf(&path, "%s/manifests/%s", s->repo, reference);
	upload up = {.content_type = mt, .data = body->ptr, .len = body->len};
	response r = {.fd = -1, .limit = 64u << 10, .up = &up};
	bool ok = request(s, "PUT", path.ptr, NULL, &r, err);
	if (ok && r.status != 201) {
		char why[256];
		describe_error(&r, why, sizeof why);
		ok = kf_err_set(err, "%s/%s: manifest %s: %s", s->name_host, s->repo, reference, why);
	}
	response_release(&r);
	kf_buf_release(&path);
	return ok;
}

/* One image: its blobs first, its manifest last (no reader sees a
 * manifest whose blobs are missing), under reference. */
static bool push_image(session *s, const char *dir, const char *digest, const char *reference, blob_stats *st,
		       kf_err *err)
{
	kf_buf body = KF_BUF_INIT;
	json_t *doc = NULL;
	const char *mt;
	bool ok = read_stored(dir, digest, &body, &doc, &mt, err);
	if (ok && strcmp(mt, KF_MT_MANIFEST) != 0 && strcmp(mt, KF_MT_DOCKER_MANIFEST) != 0)
		ok = kf_err_set(err, "manifest %s: '%s' is not an image manifest kfc pushes", digest, mt);
	if (ok)
		ok = kf_oci_check_manifest(doc, err);
	blob_stats one = {0, 0, 0, 0};
	if (ok)
		ok = each_blob(s, dir, doc, put_blob, &one, err);
	st->moved += one.moved;
	st->present += one.present;
	st->mounted += one.mounted;
	st->bytes += one.bytes;
	if (ok)
		ok = put_manifest(s, &body, mt, reference, err);
	json_decref(doc);
	kf_buf_release(&body);
	return ok;
}

bool kf_registry_push(const char *dir, const char *digest, const char *name, const kf_registry_options *o,
		      kf_push_result *res, kf_err *err)
{
	memset(res, 0, sizeof *res);
	kf_imageref ref;
	if (!parse_name(name, &ref, err))
		return false;
	kf_buf body = KF_BUF_INIT;
	json_t *doc = NULL;
	const char *mt;
	bool ok = read_stored(dir, digest, &body, &doc, &mt, err);
	bool index = ok && kf_oci_is_index_type(mt);
	session s;
	memset(&s, 0, sizeof s);
	if (ok)
		ok = session_open(&s, &ref, o, NULL, err);
	char *reference = ref.tag.len ? strndup(ref.tag.ptr, ref.tag.len) : strdup(digest);
	blob_stats st = {0, 0, 0, 0};
	if (ok && !index) {
		ok = push_image(&s, dir, digest, reference, &st, err);
	} else if (ok) {
		/* an index: each of its images by digest, then the index */
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(doc, "manifests"), i, e) {
			ok = kf_oci_check_descriptor(e, "an image of the index", err) &&
			     push_image(&s, dir, json_string_value(json_object_get(e, "digest")),
					json_string_value(json_object_get(e, "digest")), &st, err);
			if (!ok)
				break;
		}
		if (ok)
			ok = put_manifest(&s, &body, mt, reference, err);
	}
	res->pushed = st.moved;
	res->present = st.present;
	res->mounted = st.mounted;
	res->bytes = st.bytes;
	free(reference);
	json_decref(doc);
	kf_buf_release(&body);
	session_close(&s);
	return ok;
}
