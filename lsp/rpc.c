/* SPDX-License-Identifier: Apache-2.0 */
/* rpc.c - Content-Length framing over file descriptors.
 *
 * The reader is a state machine over a buffer (step), fed by fill only
 * when it needs more: kf_rpc_pending can run it without blocking. Header
 * lines are read one at a time and bounded, junk is searched through and
 * dropped as it comes, and only a body the reader has accepted is held
 * whole: the input cannot make it hold more. docs/kfls.md ("Framing") has
 * the rules, tests/security/12-kfls.sh checks each of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "rpc.h"

void kf_rpc_init(kf_rpc *rpc, int in, int out)
{
	memset(rpc, 0, sizeof(*rpc));
	rpc->in = in;
	rpc->out = out;
#ifdef F_SETPIPE_SZ
	/* A 2,000-line document's diagnostics are ~90 KB, more than a pipe's
	 * default 64 KiB: with room for a whole message the server does not
	 * wait for the client to drain the pipe half-way through it.  The
	 * kernel caps the size (pipe-max-size); failing is harmless. */
	struct stat st;
	if (fstat(out, &st) == 0 && S_ISFIFO(st.st_mode) && fcntl(out, F_GETPIPE_SZ) < (1 << 20))
		(void)fcntl(out, F_SETPIPE_SZ, 1 << 20);
#endif
}

void kf_rpc_release(kf_rpc *rpc)
{
	kf_buf_release(&rpc->buf);
	if (rpc->ahead)
		free(rpc->ahead_body);
	rpc->ahead = false;
}

/* Reads what is available (at least one byte, unless at end of input). */
static bool fill(kf_rpc *rpc)
{
	if (rpc->eof)
		return false;
	if (rpc->pos > 0 && rpc->pos == rpc->buf.len) {
		rpc->buf.len = rpc->pos = 0;
	} else if (rpc->pos > (1u << 20)) {
		memmove(rpc->buf.ptr, rpc->buf.ptr + rpc->pos, rpc->buf.len - rpc->pos);
		rpc->buf.len -= rpc->pos;
		rpc->pos = 0;
	}
	kf_buf_grow(&rpc->buf, 65536);
	for (;;) {
		ssize_t n = read(rpc->in, rpc->buf.ptr + rpc->buf.len, rpc->buf.cap - rpc->buf.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rpc->eof = true;
			return false;
		}
		rpc->buf.len += (size_t)n;
		rpc->buf.ptr[rpc->buf.len] = '\0';
		return true;
	}
}

/* Where the reader is. A frame is a header block (lines up to an empty
 * line) and a body; after a bad block the reader looks for the next
 * "Content-Length:" to start over from. */
enum { READ_HEADER, READ_BODY, READ_SEARCH };
enum { NEED_MORE = -1 }; /* from step(): no whole frame is buffered */

static const char length_key[] = "content-length:";
#define LENGTH_KEY (sizeof(length_key) - 1)

static void frame_reset(kf_rpc *rpc, int state)
{
	rpc->state = state;
	rpc->in_header = false;
	rpc->nlength = 0;
	rpc->length = 0;
	rpc->bad = NULL;
}

/* An HTTP token character (RFC 9110), of which header names are made. */
static bool tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *skip_blank(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* A Content-Length value: blanks, decimal digits, blanks. Values past
 * KF_RPC_MAX_MESSAGE are all KF_RPC_MAX_MESSAGE + 1 (no overflow). */
static bool parse_length(const char *v, const char *e, size_t *len)
{
	v = skip_blank(v, e);
	const char *d = v;
	size_t n = 0;
	for (; d < e && *d >= '0' && *d <= '9'; d++)
		n = n > KF_RPC_MAX_MESSAGE ? n : n * 10 + (size_t)(*d - '0');
	if (d == v || skip_blank(d, e) != e)
		return false;
	*len = n > KF_RPC_MAX_MESSAGE ? KF_RPC_MAX_MESSAGE + 1 : n;
	return true;
}

/* Does a Content-Type value name UTF-8, or no charset at all? LSP knows
 * only utf-8 ("utf8" from old clients). */
static bool charset_ok(const char *v, const char *e)
{
	const char *semi;
	while ((semi = memchr(v, ';', (size_t)(e - v)))) {
		v = skip_blank(semi + 1, e);
		if ((size_t)(e - v) < 8 || strncasecmp(v, "charset=", 8) != 0)
			continue;
		const char *c = v + 8, *ce = memchr(c, ';', (size_t)(e - c));
		if (!ce)
			ce = e;
		while (ce > c && (ce[-1] == ' ' || ce[-1] == '\t'))
			ce--;
		if (ce - c >= 2 && *c == '"' && ce[-1] == '"')
			c++, ce--;
		size_t n = (size_t)(ce - c);
		return (n == 5 && strncasecmp(c, "utf-8", 5) == 0) || (n == 4 && strncasecmp(c, "utf8", 4) == 0);
	}
	return true;
}

/* Reads one header line [p, e) into the block's state; returns why it is
 * not a header field, or NULL. */
static const char *header_field(kf_rpc *rpc, const char *p, const char *e)
{
	const char *c = p;
	while (c < e && tchar((unsigned char)*c))
		c++;
	if (c == p || c == e || *c != ':')
		return "invalid header line";
	size_t nlen = (size_t)(c - p);
	if (nlen == LENGTH_KEY - 1 && strncasecmp(p, length_key, nlen) == 0) {
		size_t len;
		if (!parse_length(c + 1, e, &len))
			return "missing or invalid Content-Length";
		if (++rpc->nlength > 1 && !rpc->bad)
			rpc->bad = "more than one Content-Length";
		if (len > KF_RPC_MAX_MESSAGE && !rpc->bad)
			rpc->bad = "message too large";
		rpc->length = len;
	} else if (nlen == 12 && strncasecmp(p, "content-type", 12) == 0) {
		if (!charset_ok(c + 1, e) && !rpc->bad)
			rpc->bad = "unsupported charset";
	}
	return NULL;
}

/* A bad frame: the block's first problem is reported and the reader looks
 * for the next frame from skip on. */
static int refuse(kf_rpc *rpc, size_t skip, const char *why, const char **whyp)
{
	*whyp = rpc->bad ? rpc->bad : why;
	rpc->pos = skip;
	frame_reset(rpc, READ_SEARCH);
	return KF_RPC_BAD;
}

/* The first "Content-Length:" (any case) in [p, p + n), or NULL. */
static const char *find_length_key(const char *p, size_t n)
{
	for (size_t i = 0; i + LENGTH_KEY <= n; i++)
		if ((p[i] | 0x20) == 'c' && strncasecmp(p + i, length_key, LENGTH_KEY) == 0)
			return p + i;
	return NULL;
}

/* Reads a frame from what is buffered, without blocking: a message, a
 * bad frame, or NEED_MORE. Consumes what it has read. */
static int step(kf_rpc *rpc, char **body, size_t *blen, const char **why)
{
	if (!rpc->buf.ptr) /* nothing read yet */
		return NEED_MORE;
	for (;;) {
		const char *p = rpc->buf.ptr + rpc->pos;
		size_t n = rpc->buf.len - rpc->pos;
		if (rpc->state == READ_SEARCH) {
			const char *k = find_length_key(p, n);
			if (!k) {
				/* keep only what may be the start of the key */
				if (n >= LENGTH_KEY)
					rpc->pos += n - (LENGTH_KEY - 1);
				return NEED_MORE;
			}
			rpc->pos += (size_t)(k - p);
			frame_reset(rpc, READ_HEADER);
			continue;
		}
		if (rpc->state == READ_BODY) {
			if (n < rpc->length)
				return NEED_MORE;
			size_t len = rpc->length;
			frame_reset(rpc, READ_HEADER);
			char *b = malloc(len + 1);
			if (!b) {
				rpc->pos += len;
				*why = "out of memory";
				return KF_RPC_BAD;
			}
			memcpy(b, p, len);
			b[len] = '\0';
			rpc->pos += len;
			*body = b;
			*blen = len;
			return KF_RPC_MESSAGE;
		}
		/* a header line, ended by "\n" or "\r\n" */
		size_t most = KF_RPC_MAX_HEADER_LINE + 2;
		const char *nl = memchr(p, '\n', n < most ? n : most);
		if (!nl) {
			if (n < most)
				return NEED_MORE;
			return refuse(rpc, rpc->pos + 1, "header line too long", why);
		}
		const char *le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		size_t next = rpc->pos + (size_t)(nl - p) + 1;
		if (le - p > KF_RPC_MAX_HEADER_LINE)
			return refuse(rpc, rpc->pos + 1, "header line too long", why);
		if (le == p) {
			rpc->pos = next;
			if (!rpc->in_header) /* blank lines between frames */
				continue;
			if (rpc->bad || !rpc->nlength)
				return refuse(rpc, next, "missing or invalid Content-Length", why);
			rpc->state = READ_BODY;
			continue;
		}
		rpc->in_header = true;
		const char *wrong = header_field(rpc, p, le);
		if (wrong)
			return refuse(rpc, rpc->pos + 1, wrong, why);
		rpc->pos = next;
	}
}

/* The end of input: a frame cut short is reported once. */
static kf_rpc_status at_eof(kf_rpc *rpc, const char **why)
{
	const char *cut = NULL;
	if (rpc->state == READ_BODY) {
		cut = "input ended inside a message";
	} else if (rpc->state == READ_HEADER) {
		bool junk = rpc->in_header;
		for (size_t i = rpc->pos; i < rpc->buf.len; i++)
			junk |= rpc->buf.ptr[i] != '\r' && rpc->buf.ptr[i] != '\n';
		if (junk)
			cut = "input ended inside a header";
	}
	rpc->pos = rpc->buf.len;
	frame_reset(rpc, READ_SEARCH);
	if (!cut)
		return KF_RPC_EOF;
	*why = cut;
	return KF_RPC_BAD;
}

kf_rpc_status kf_rpc_read(kf_rpc *rpc, char **body, size_t *blen, const char **why)
{
	if (rpc->ahead) {
		rpc->ahead = false;
		*body = rpc->ahead_body;
		*blen = rpc->ahead_len;
		*why = rpc->ahead_why;
		rpc->ahead_body = NULL;
		return rpc->ahead_status;
	}
	for (;;) {
		int st = step(rpc, body, blen, why);
		if (st != NEED_MORE)
			return (kf_rpc_status)st;
		if (!fill(rpc))
			return at_eof(rpc, why);
	}
}

bool kf_rpc_pending(kf_rpc *rpc)
{
	if (rpc->ahead)
		return true;
	int st = step(rpc, &rpc->ahead_body, &rpc->ahead_len, &rpc->ahead_why);
	if (st != NEED_MORE) {
		rpc->ahead = true;
		rpc->ahead_status = (kf_rpc_status)st;
		return true;
	}
	if (rpc->eof)
		return false;
	struct pollfd p = {rpc->in, POLLIN, 0};
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

/* Writes the header and the body with one system call (the reader wakes
 * once), continuing after a short write. */
bool kf_rpc_send_text(kf_rpc *rpc, const char *json, size_t len)
{
	char hdr[64];
	int h = snprintf(hdr, sizeof(hdr), "Content-Length: %zu\r\n\r\n", len);
	struct iovec v[2] = {{hdr, (size_t)h}, {(void *)json, len}};
	struct iovec *iv = v;
	int n = 2;
	while (n) {
		ssize_t w = writev(rpc->out, iv, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		while (n && (size_t)w >= iv->iov_len) {
			w -= (ssize_t)iv->iov_len;
			iv++;
			n--;
		}
		if (n) {
			iv->iov_base = (char *)iv->iov_base + w;
			iv->iov_len -= (size_t)w;
		}
	}
	return true;
}

bool kf_rpc_send(kf_rpc *rpc, json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(msg);
	if (!s)
		return false;
	bool ok = kf_rpc_send_text(rpc, s, strlen(s));
	free(s);
	return ok;
}
