/* SPDX-License-Identifier: Apache-2.0 */
/* digest.c - SHA-256 through libcrypto. */
#include "oci/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void kf_sha256_init(kf_sha256 *h)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1)
		abort();
	h->ctx = c;
}

void kf_sha256_update(kf_sha256 *h, const void *p, size_t n)
{
	if (n && EVP_DigestUpdate(h->ctx, p, n) != 1)
		abort();
}

void kf_sha256_final(kf_sha256 *h, char out[KF_DIGEST_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		abort();
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[KF_DIGEST_LEN] = '\0';
}

void kf_sha256_abort(kf_sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void kf_sha256_bytes(const void *p, size_t n, char out[KF_DIGEST_LEN + 1])
{
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, p, n);
	kf_sha256_final(&h, out);
}

bool kf_sha256_file(const char *path, char out[KF_DIGEST_LEN + 1], uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	kf_sha256 h;
	kf_sha256_init(&h);
	static __thread unsigned char buf[1 << 16];
	uint64_t total = 0;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			kf_sha256_abort(&h);
			close(fd);
			errno = e;
			return false;
		}
		if (r == 0)
			break;
		kf_sha256_update(&h, buf, (size_t)r);
		total += (uint64_t)r;
	}
	close(fd);
	kf_sha256_final(&h, out);
	if (size)
		*size = total;
	return true;
}

bool kf_digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0 || strlen(s) != KF_DIGEST_LEN)
		return false;
	for (const char *p = s + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}
