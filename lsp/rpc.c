/* rpc.c - Content-Length framing over file descriptors. */
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

/* The end of the header block ("\r\n\r\n", or "\n\n" from a sloppy
 * client) at or after pos, or NULL. */
static const char *header_end(const kf_rpc *rpc, size_t *seplen)
{
	const char *p = rpc->buf.ptr + rpc->pos, *e = rpc->buf.ptr + rpc->buf.len;
	for (; p < e; p++) {
		if (p + 4 <= e && memcmp(p, "\r\n\r\n", 4) == 0) {
			*seplen = 4;
			return p;
		}
		if (p + 2 <= e && memcmp(p, "\n\n", 2) == 0) {
			*seplen = 2;
			return p;
		}
	}
	return NULL;
}

/* Content-Length of the header block [h, e); -1 if missing or bad. */
static long long content_length(const char *h, const char *e)
{
	long long len = -1;
	while (h < e) {
		const char *nl = memchr(h, '\n', (size_t)(e - h));
		const char *le = nl ? nl : e;
		static const char key[] = "content-length:";
		if ((size_t)(le - h) > sizeof(key) - 1 && strncasecmp(h, key, sizeof(key) - 1) == 0) {
			const char *v = h + sizeof(key) - 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			long long n = 0;
			const char *d = v;
			while (d < le && *d >= '0' && *d <= '9' && n < (1LL << 40))
				n = n * 10 + (*d++ - '0');
			while (d < le && (*d == ' ' || *d == '\t' || *d == '\r'))
				d++;
			if (d == v || d != le)
				return -1;
			len = n;
		}
		h = le + 1;
	}
	return len;
}

kf_rpc_status kf_rpc_read(kf_rpc *rpc, char **body, size_t *blen, const char **why)
{
	size_t sep;
	const char *he;
	while (!(he = header_end(rpc, &sep))) {
		if (rpc->buf.len - rpc->pos > 8192) {
			/* no header block ends in 8 KiB: drop what we have */
			rpc->pos = rpc->buf.len;
			*why = "header too long or missing";
			return KF_RPC_BAD;
		}
		if (!fill(rpc)) {
			bool junk = false;
			for (size_t i = rpc->pos; i < rpc->buf.len; i++)
				junk |= rpc->buf.ptr[i] != '\r' && rpc->buf.ptr[i] != '\n';
			rpc->pos = rpc->buf.len;
			if (junk) {
				*why = "input ended inside a header";
				return KF_RPC_BAD;
			}
			return KF_RPC_EOF;
		}
	}
	const char *hs = rpc->buf.ptr + rpc->pos;
	/* leading blank lines between frames are tolerated */
	while (hs < he && (*hs == '\r' || *hs == '\n'))
		hs++;
	long long len = content_length(hs, he);
	size_t body_start = (size_t)(he - rpc->buf.ptr) + sep;
	if (len < 0) {
		rpc->pos = body_start;
		*why = "missing or invalid Content-Length";
		return KF_RPC_BAD;
	}
	if ((size_t)len > KF_RPC_MAX_MESSAGE) {
		/* skip the body as it arrives */
		size_t left = (size_t)len;
		rpc->pos = body_start;
		while (left) {
			size_t have = rpc->buf.len - rpc->pos;
			size_t take = have < left ? have : left;
			rpc->pos += take;
			left -= take;
			if (left && !fill(rpc))
				break;
		}
		*why = "message too large";
		return KF_RPC_BAD;
	}
	rpc->pos = body_start; /* the header is consumed; fill may move the data */
	while (rpc->buf.len - rpc->pos < (size_t)len) {
		if (!fill(rpc)) {
			rpc->pos = rpc->buf.len;
			*why = "input ended inside a message";
			return KF_RPC_BAD;
		}
	}
	body_start = rpc->pos;
	char *b = malloc((size_t)len + 1);
	if (!b) {
		rpc->pos = body_start + (size_t)len;
		*why = "out of memory";
		return KF_RPC_BAD;
	}
	memcpy(b, rpc->buf.ptr + body_start, (size_t)len);
	b[len] = '\0';
	rpc->pos = body_start + (size_t)len;
	*body = b;
	*blen = (size_t)len;
	return KF_RPC_MESSAGE;
}

bool kf_rpc_pending(kf_rpc *rpc)
{
	size_t sep;
	const char *he = header_end(rpc, &sep);
	if (he) {
		long long len = content_length(rpc->buf.ptr + rpc->pos, he);
		size_t body_start = (size_t)(he - rpc->buf.ptr) + sep;
		if (len < 0 || rpc->buf.len - body_start >= (size_t)len)
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
