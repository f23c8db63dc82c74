/* SPDX-License-Identifier: Apache-2.0 */
/* digest.h - SHA-256 digests in the OCI form "sha256:<64 hex digits>",
 * through OpenSSL's libcrypto (EVP), streaming or over a whole file.
 */
#ifndef KF_DIGEST_H
#define KF_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KF_DIGEST_LEN 71 /* "sha256:" + 64 */

typedef struct kf_sha256 {
	void *ctx; /* EVP_MD_CTX */
} kf_sha256;

void kf_sha256_init(kf_sha256 *h);
void kf_sha256_update(kf_sha256 *h, const void *p, size_t n);
/* Writes "sha256:<hex>" and a NUL into out, and releases h. */
void kf_sha256_final(kf_sha256 *h, char out[KF_DIGEST_LEN + 1]);
/* Releases h without a result. */
void kf_sha256_abort(kf_sha256 *h);

void kf_sha256_bytes(const void *p, size_t n, char out[KF_DIGEST_LEN + 1]);
/* The digest and size of a file; false (errno set) if it cannot be read. */
bool kf_sha256_file(const char *path, char out[KF_DIGEST_LEN + 1], uint64_t *size);
/* Is s "sha256:" and 64 lower-case hex digits? */
bool kf_digest_valid(const char *s);

#endif
