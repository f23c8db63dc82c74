/* SPDX-License-Identifier: Apache-2.0 */
/* sprig_crypto.c - sprig's hashes, random values, keys and ciphers.
 *
 * The hashes (sha1sum, sha256sum, adler32sum), derivePassword and the
 * AES functions compute what sprig computes (libcrypto). What sprig
 * draws from a random source is fixed here, so that discovery is
 * deterministic (sprig.h): random strings cycle through their alphabet,
 * uuidv4 is the nil v4 UUID, bcrypt and htpasswd give a well-formed
 * bcrypt string made from the password's digest (not a real bcrypt),
 * encryptAES uses a zero IV, and the key and certificate makers give PEM
 * blocks of the right type and about the right size whose bytes are made
 * from their arguments (not real keys or certificates).
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmpl/sprig_impl.h"

static bool digest(kf_tmpl_call *c, const kf_tv *args, const EVP_MD *md, kf_tv *out)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (!EVP_Digest(s.ptr, s.len, h, &n, md, NULL))
		return kf_tmpl_call_fail(c, "digest failed");
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	for (unsigned i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	*out = kf_tv_str(kf_tmpl_call_arena(c), hex, 2 * n);
	return true;
}

KF_SPRIG_FN(sha1sum)
{
	return digest(c, args, EVP_sha1(), out);
}

KF_SPRIG_FN(sha256sum)
{
	return digest(c, args, EVP_sha256(), out);
}

KF_SPRIG_FN(adler32sum)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < s.len; i++) {
		a = (a + (unsigned char)s.ptr[i]) % 65521;
		b = (b + a) % 65521;
	}
	char buf[16];
	int n = snprintf(buf, sizeof buf, "%u", (unsigned)(b << 16 | a));
	*out = kf_tv_str(kf_tmpl_call_arena(c), buf, (size_t)n);
	return true;
}

/* ---- fixed "random" values --------------------------------------------------------------- */

/* randAlphaNum, randAlpha, randNumeric, randAscii N: N characters of the
 * function's alphabet, in its order */
KF_SPRIG_FN(rand_string)
{
	int64_t n;
	if (!kf_sprig_arg_int(c, args, 0, &n))
		return false;
	const char *name = kf_tmpl_call_name(c);
	const char *set = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (!strcmp(name, "randAlpha"))
		set = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	else if (!strcmp(name, "randNumeric"))
		set = "0123456789";
	else if (!strcmp(name, "randAscii"))
		set = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
	if (n <= 0) { /* goutils refuses a negative length; sprig drops the error */
		*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
		return true;
	}
	if (!kf_tmpl_call_charge(c, (size_t)n))
		return false;
	size_t len = strlen(set);
	char *p = kf_arena_alloc(kf_tmpl_call_arena(c), (size_t)n + 1);
	for (int64_t i = 0; i < n; i++)
		p[i] = set[(size_t)i % len];
	p[n] = '\0';
	*out = kf_tv_str_owned(p, (size_t)n);
	return true;
}

/* randBytes N: base64 of N fixed bytes (0, 1, 2, ...) */
KF_SPRIG_FN(rand_bytes)
{
	int64_t n;
	if (!kf_sprig_arg_int(c, args, 0, &n))
		return false;
	if (n < 0)
		return kf_tmpl_call_fail(c, "runtime error: makeslice: len out of range");
	/* the bytes and their base64: about 2n, charged without overflow */
	if (!kf_tmpl_call_charge(c, (uint64_t)n > SIZE_MAX / 4 ? SIZE_MAX : (size_t)n * 2 + 4))
		return false;
	unsigned char *p = kf_arena_alloc(kf_tmpl_call_arena(c), (size_t)n + 1);
	for (int64_t i = 0; i < n; i++)
		p[i] = (unsigned char)i;
	kf_buf b = KF_BUF_INIT;
	kf_tmpl_base64(&b, p, (size_t)n);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(uuidv4)
{
	*out = kf_tv_cstr(kf_tmpl_call_arena(c), "00000000-0000-4000-8000-000000000000");
	return true;
}

/* a bcrypt string of cost 10 ("$2a$10$" + 53 characters of bcrypt's
 * alphabet) made from the SHA-256 of the password */
static void fake_bcrypt(kf_buf *b, kf_str pw)
{
	static const char tab[] = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char h[64];
	unsigned int n = 0;
	EVP_Digest(pw.ptr, pw.len, h, &n, EVP_sha512(), NULL);
	kf_buf_adds(b, "$2a$10$");
	for (int i = 0; i < 53; i++)
		kf_buf_addc(b, tab[h[i] & 63]);
}

KF_SPRIG_FN(bcrypt)
{
	kf_str s;
	if (!kf_sprig_arg_str(c, args, 0, &s))
		return false;
	kf_buf b = KF_BUF_INIT;
	fake_bcrypt(&b, s);
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(htpasswd)
{
	kf_str u, p;
	if (!kf_sprig_arg_str(c, args, 0, &u) || !kf_sprig_arg_str(c, args, 1, &p))
		return false;
	kf_buf b = KF_BUF_INIT;
	if (memchr(u.ptr, ':', u.len)) {
		kf_buf_adds(&b, "invalid username: ");
		kf_buf_addstr(&b, u);
	} else {
		kf_buf_addstr(&b, u);
		kf_buf_addc(&b, ':');
		fake_bcrypt(&b, p);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* ---- derivePassword: the Master Password algorithm, as sprig ------------------------------ */

static const char *template_for(kf_str type, unsigned char seed0)
{
	static const char *const maximum[] = {"anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"};
	static const char *const lng[] = {
		"CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv", "CvccCvcvCvcvno",
		"CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc", "CvcvCvcvnoCvcc", "CvcvCvcvCvccno",
		"CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno", "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno",
		"CvccnoCvcvCvcc", "CvccCvcvnoCvcc", "CvccCvcvCvccno"};
	static const char *const medium[] = {"CvcnoCvc", "CvcCvcno"};
	static const char *const shrt[] = {"Cvcn"};
	static const char *const basic[] = {"aaanaaan", "aannaaan", "aaannaaa"};
	static const char *const pin[] = {"nnnn"};
	static const struct {
		const char *name;
		const char *const *t;
		size_t n;
	} types[] = {{"maximum", maximum, 2}, {"long", lng, 21}, {"medium", medium, 2},
		     {"short", shrt, 1},     {"basic", basic, 3}, {"pin", pin, 1}};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if (kf_str_eq_cstr(type, types[i].name))
			return types[i].t[seed0 % types[i].n];
	return NULL;
}

static const char *template_chars(char ch)
{
	switch (ch) {
	case 'V': return "AEIOU";
	case 'C': return "BCDFGHJKLMNPQRSTVWXYZ";
	case 'v': return "aeiou";
	case 'c': return "bcdfghjklmnpqrstvwxyz";
	case 'A': return "AEIOUBCDFGHJKLMNPQRSTVWXYZ";
	case 'a': return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
	case 'n': return "0123456789";
	case 'o': return "@&%?,=[]_:-+*$#!'^~;()/.";
	default: return "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()";
	}
}

static void put_be32(kf_buf *b, uint32_t v)
{
	unsigned char t[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
	kf_buf_add(b, t, 4);
}

KF_SPRIG_FN(derive_password)
{
	kf_str type, pw, user, site;
	if (args[0].kind != KF_TV_INT || args[0].u.i < 0 || args[0].u.i > UINT32_MAX)
		return kf_tmpl_call_fail(c, "wrong type for value; expected uint32; got %s", kf_tv_type_name(args[0]));
	uint32_t counter = (uint32_t)args[0].u.i;
	if (!kf_sprig_arg_str(c, args, 1, &type) || !kf_sprig_arg_str(c, args, 2, &pw) ||
	    !kf_sprig_arg_str(c, args, 3, &user) || !kf_sprig_arg_str(c, args, 4, &site))
		return false;
	kf_arena *a = kf_tmpl_call_arena(c);
	if (!template_for(type, 0)) {
		*out = kf_tv_str_owned(kf_arena_printf(a, "cannot find password template %.*s", (int)type.len, type.ptr),
				       strlen("cannot find password template ") + type.len);
		return true;
	}
	static const char seed[] = "com.lyndir.masterpassword";
	kf_buf salt = KF_BUF_INIT, msg = KF_BUF_INIT;
	kf_buf_adds(&salt, seed);
	put_be32(&salt, (uint32_t)user.len);
	kf_buf_addstr(&salt, user);
	unsigned char key[64];
	bool ok = EVP_PBE_scrypt(pw.ptr, pw.len, (const unsigned char *)salt.ptr, salt.len, 32768, 8, 2,
				 (uint64_t)64 << 20, key, sizeof key) == 1;
	kf_buf_release(&salt);
	if (!ok) {
		kf_buf_release(&msg);
		return kf_tmpl_call_fail(c, "failed to derive password: scrypt failed");
	}
	kf_buf_adds(&msg, seed);
	put_be32(&msg, (uint32_t)site.len);
	kf_buf_addstr(&msg, site);
	put_be32(&msg, counter);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)msg.ptr, msg.len, mac, &maclen);
	kf_buf_release(&msg);
	const char *t = template_for(type, mac[0]);
	size_t n = strlen(t);
	char *p = kf_arena_alloc(a, n + 1);
	for (size_t i = 0; i < n; i++) {
		const char *set = template_chars(t[i]);
		p[i] = set[mac[i + 1] % strlen(set)];
	}
	p[n] = '\0';
	*out = kf_tv_str_owned(p, n);
	return true;
}

/* ---- keys and certificates: PEM blocks of fixed bytes ---------------------------------------- */

/* n bytes: SHA-256 in counter mode over label and text */
static void fixed_bytes(unsigned char *o, size_t n, const char *label, kf_str text)
{
	for (uint32_t blk = 0; n > 0; blk++) {
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();
		unsigned char h[32], cb[4] = {(unsigned char)(blk >> 24), (unsigned char)(blk >> 16),
					      (unsigned char)(blk >> 8), (unsigned char)blk};
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		EVP_DigestUpdate(ctx, label, strlen(label));
		EVP_DigestUpdate(ctx, text.ptr, text.len);
		EVP_DigestUpdate(ctx, cb, 4);
		EVP_DigestFinal_ex(ctx, h, NULL);
		EVP_MD_CTX_free(ctx);
		size_t k = n < 32 ? n : 32;
		memcpy(o, h, k);
		o += k;
		n -= k;
	}
}

/* encoding/pem's EncodeToMemory: base64 in lines of 64 */
static void pem_block(kf_buf *b, const char *type, const char *label, kf_str text, size_t n)
{
	unsigned char bytes[2400];
	if (n > sizeof bytes)
		n = sizeof bytes;
	fixed_bytes(bytes, n, label, text);
	bytes[0] = 0x30; /* a DER SEQUENCE, as the real thing starts */
	kf_buf body = KF_BUF_INIT;
	kf_tmpl_base64(&body, bytes, n);
	kf_buf_printf(b, "-----BEGIN %s-----\n", type);
	for (size_t i = 0; i < body.len; i += 64) {
		kf_buf_add(b, body.ptr + i, body.len - i < 64 ? body.len - i : 64);
		kf_buf_addc(b, '\n');
	}
	kf_buf_printf(b, "-----END %s-----\n", type);
	kf_buf_release(&body);
}

KF_SPRIG_FN(gen_private_key)
{
	kf_str t;
	if (!kf_sprig_arg_str(c, args, 0, &t))
		return false;
	kf_buf b = KF_BUF_INIT;
	if (t.len == 0 || kf_str_eq_cstr(t, "rsa"))
		pem_block(&b, "RSA PRIVATE KEY", "rsa", t, 2349);
	else if (kf_str_eq_cstr(t, "dsa"))
		pem_block(&b, "DSA PRIVATE KEY", "dsa", t, 854);
	else if (kf_str_eq_cstr(t, "ecdsa"))
		pem_block(&b, "EC PRIVATE KEY", "ecdsa", t, 121);
	else if (kf_str_eq_cstr(t, "ed25519"))
		pem_block(&b, "PRIVATE KEY", "ed25519", t, 48);
	else {
		kf_buf_adds(&b, "Unknown type ");
		kf_buf_addstr(&b, t);
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

/* sprig's certificate struct: fields Cert and Key */
typedef struct cert {
	kf_tv cert, key;
} cert;

static int cert_get(kf_tv_object *self, const char *name, const kf_tv *args, size_t nargs, kf_arena *a, kf_tv *out,
		    kf_buf *err)
{
	(void)args;
	(void)a;
	const cert *ct = self->data;
	if (strcmp(name, "Cert") && strcmp(name, "Key"))
		return 0;
	if (nargs) {
		kf_buf_printf(err, "%s has arguments but cannot be invoked as function", name);
		return -1;
	}
	*out = !strcmp(name, "Cert") ? ct->cert : ct->key;
	return 1;
}

static void cert_print(kf_tv_object *self, kf_buf *out)
{
	const cert *ct = self->data;
	kf_buf_addc(out, '{');
	kf_tv_print(out, ct->cert);
	kf_buf_addc(out, ' ');
	kf_tv_print(out, ct->key);
	kf_buf_addc(out, '}');
}

static const kf_tv_class cert_class = {"sprig.certificate", cert_get, cert_print, NULL};

static bool make_cert(kf_tmpl_call *c, kf_str cn, const char *label, kf_tv *out)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	cert *ct = KF_ARENA_NEW(a, cert);
	kf_buf b = KF_BUF_INIT;
	char l2[64];
	snprintf(l2, sizeof l2, "%s-cert", label);
	pem_block(&b, "CERTIFICATE", l2, cn, 800 + cn.len);
	ct->cert = kf_sprig_buf_tv(c, &b);
	kf_buf_reset(&b);
	snprintf(l2, sizeof l2, "%s-key", label);
	pem_block(&b, "RSA PRIVATE KEY", l2, cn, 1191);
	ct->key = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	*out = kf_tv_new_object(a, &cert_class, ct);
	return true;
}

static const char *check_private_key(kf_str pem, char *buf, size_t n);

static bool set_cert(kf_tmpl_call *c, kf_tv cert_pem, kf_tv key_pem, kf_tv *out)
{
	kf_arena *a = kf_tmpl_call_arena(c);
	cert *ct = KF_ARENA_NEW(a, cert);
	ct->cert = cert_pem;
	ct->key = key_pem;
	*out = kf_tv_new_object(a, &cert_class, ct);
	return true;
}

/* the ...WithKey forms: the key must parse as sprig parses it; the
 * certificate is made as without a key, the key given back as it came */
static bool with_key(kf_tmpl_call *c, const kf_tv *args, size_t i, kf_str cn, const char *label, kf_tv *out)
{
	kf_str pem;
	if (!kf_sprig_arg_str(c, args, i, &pem))
		return false;
	char buf[300];
	const char *why = check_private_key(pem, buf, sizeof buf);
	if (why)
		return kf_tmpl_call_fail(c, "parsing private key: %s", why);
	if (!make_cert(c, cn, label, out))
		return false;
	((cert *)out->u.obj->data)->key = args[i];
	return true;
}

static bool arg_list(kf_tmpl_call *c, const kf_tv *args, size_t i)
{
	if (args[i].kind == KF_TV_LIST || args[i].kind == KF_TV_NIL)
		return true;
	return kf_tmpl_call_fail(c, "wrong type for value; expected []interface {}; got %s", kf_tv_type_name(args[i]));
}

KF_SPRIG_FN(gen_ca)
{
	kf_str cn;
	int64_t days;
	if (!kf_sprig_arg_str(c, args, 0, &cn) || !kf_sprig_arg_int(c, args, 1, &days))
		return false;
	return make_cert(c, cn, "ca", out);
}

/* The arguments the certificate functions share: cn, ips, alternate
 * names, days (checked, as sprig's are, but the fixed certificate uses
 * only cn) */
static bool cert_args(kf_tmpl_call *c, const kf_tv *args, kf_str *cn)
{
	int64_t days;
	return kf_sprig_arg_str(c, args, 0, cn) && arg_list(c, args, 1) && arg_list(c, args, 2) &&
	       kf_sprig_arg_int(c, args, 3, &days);
}

/* the signing CA argument: a certificate genCA made */
static bool ca_arg(kf_tmpl_call *c, kf_tv ca)
{
	if (ca.kind == KF_TV_OBJECT && ca.u.obj->cls == &cert_class)
		return true;
	if (ca.kind == KF_TV_NIL)
		return kf_tmpl_call_fail(c, "invalid value; expected sprig.certificate");
	return kf_tmpl_call_fail(c, "wrong type for value; expected sprig.certificate; got %s", kf_tv_type_name(ca));
}

KF_SPRIG_FN(gen_self_signed_cert)
{
	kf_str cn;
	if (!cert_args(c, args, &cn))
		return false;
	return make_cert(c, cn, "self", out);
}

KF_SPRIG_FN(gen_signed_cert)
{
	kf_str cn;
	if (!cert_args(c, args, &cn) || !ca_arg(c, args[4]))
		return false;
	return make_cert(c, cn, "signed", out);
}

KF_SPRIG_FN(gen_ca_with_key)
{
	kf_str cn;
	int64_t days;
	if (!kf_sprig_arg_str(c, args, 0, &cn) || !kf_sprig_arg_int(c, args, 1, &days))
		return false;
	return with_key(c, args, 2, cn, "ca", out);
}

KF_SPRIG_FN(gen_self_signed_cert_with_key)
{
	kf_str cn;
	if (!cert_args(c, args, &cn))
		return false;
	return with_key(c, args, 4, cn, "self", out);
}

KF_SPRIG_FN(gen_signed_cert_with_key)
{
	kf_str cn;
	if (!cert_args(c, args, &cn) || !ca_arg(c, args[4]))
		return false;
	return with_key(c, args, 5, cn, "signed", out);
}

/* ---- keys and certificates the chart gives: checked as sprig checks them --------------- */

/* encoding/pem's Decode: the first block, its type and bytes */
static bool pem_decode(kf_str text, char **type, unsigned char **der, long *len)
{
	BIO *bio = BIO_new_mem_buf(text.ptr, (int)text.len);
	char *header = NULL;
	bool ok = bio && PEM_read_bio(bio, type, &header, der, len) == 1;
	OPENSSL_free(header);
	BIO_free(bio);
	return ok;
}

/* sprig's parsePrivateKeyPEM; NULL when good, else the message in buf */
static const char *check_private_key(kf_str pem, char *buf, size_t n)
{
	char *type = NULL;
	unsigned char *der = NULL;
	long len = 0;
	if (!pem_decode(pem, &type, &der, &len))
		return "no PEM data in input";
	const unsigned char *p = der;
	const char *why = NULL;
	size_t tl = strlen(type);
	if (!strcmp(type, "PRIVATE KEY")) {
		PKCS8_PRIV_KEY_INFO *k = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
		EVP_PKEY *pk = k ? EVP_PKCS82PKEY(k) : NULL;
		if (!pk)
			why = "decoding PEM as PKCS#8: x509: failed to parse private key";
		EVP_PKEY_free(pk);
		PKCS8_PRIV_KEY_INFO_free(k);
	} else if (tl < 12 || strcmp(type + tl - 12, " PRIVATE KEY")) {
		snprintf(buf, n, "no private key data in PEM block of type %s", type);
		why = buf;
	} else if (!strcmp(type, "RSA PRIVATE KEY") || !strcmp(type, "EC PRIVATE KEY") ||
		   !strcmp(type, "DSA PRIVATE KEY")) {
		int kind = type[0] == 'R' ? EVP_PKEY_RSA : type[0] == 'E' ? EVP_PKEY_EC : EVP_PKEY_DSA;
		EVP_PKEY *pk = d2i_PrivateKey(kind, NULL, &p, len);
		if (!pk) {
			snprintf(buf, n, "parsing %.*s private key from PEM: asn1: structure error", (int)(tl - 12), type);
			why = buf;
		}
		EVP_PKEY_free(pk);
	} else {
		snprintf(buf, n, "invalid private key type %s", type);
		why = buf;
	}
	OPENSSL_free(type);
	OPENSSL_free(der);
	return why;
}

/* buildCustomCert B64CERT B64KEY: the chart's own certificate and key */
KF_SPRIG_FN(build_custom_cert)
{
	kf_str bc, bk;
	if (!kf_sprig_arg_str(c, args, 0, &bc) || !kf_sprig_arg_str(c, args, 1, &bk))
		return false;
	kf_buf crt = KF_BUF_INIT, key = KF_BUF_INIT;
	long long bad;
	const char *why = NULL;
	char buf[300];
	if (!kf_sprig_b64_decode(bc.ptr, bc.len, &crt, &bad)) {
		why = "unable to decode base64 certificate";
	} else if (!kf_sprig_b64_decode(bk.ptr, bk.len, &key, &bad)) {
		why = "unable to decode base64 private key";
	} else {
		char *type = NULL;
		unsigned char *der = NULL;
		long len = 0;
		if (!pem_decode(kf_str_make(crt.ptr ? crt.ptr : "", crt.len), &type, &der, &len)) {
			why = "unable to decode certificate";
		} else {
			const unsigned char *p = der;
			X509 *x = d2i_X509(NULL, &p, len);
			if (!x)
				why = "error parsing certificate: decodedCert.Bytes: x509: malformed certificate";
			X509_free(x);
		}
		OPENSSL_free(type);
		OPENSSL_free(der);
		if (!why) {
			const char *kw = check_private_key(kf_str_make(key.ptr ? key.ptr : "", key.len), buf, sizeof buf);
			if (kw) {
				char msg[400];
				snprintf(msg, sizeof msg, "error parsing private key: %s", kw);
				kf_buf_release(&crt);
				kf_buf_release(&key);
				return kf_tmpl_call_fail(c, "%s", msg);
			}
		}
	}
	if (why) {
		kf_buf_release(&crt);
		kf_buf_release(&key);
		return kf_tmpl_call_fail(c, "%s", why);
	}
	bool ok = set_cert(c, kf_sprig_buf_tv(c, &crt), kf_sprig_buf_tv(c, &key), out);
	kf_buf_release(&crt);
	kf_buf_release(&key);
	return ok;
}

/* ---- AES-256-CBC, sprig's way (key: the password cut or zero-padded to 32 bytes) ---------- */

static void aes_key(kf_str pw, unsigned char key[32])
{
	memset(key, 0, 32);
	memcpy(key, pw.ptr, pw.len < 32 ? pw.len : 32);
}

/* CBC over whole blocks without padding of OpenSSL's own */
static bool cbc(const unsigned char key[32], const unsigned char iv[16], const unsigned char *in, size_t n,
		unsigned char *o, bool enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int l1 = 0, l2 = 0;
	bool ok = ctx && EVP_CipherInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, iv, enc) == 1 &&
		  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_CipherUpdate(ctx, o, &l1, in, (int)n) == 1 &&
		  EVP_CipherFinal_ex(ctx, o + l1, &l2) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

KF_SPRIG_FN(encrypt_aes)
{
	kf_str pw, text;
	if (!kf_sprig_arg_str(c, args, 0, &pw) || !kf_sprig_arg_str(c, args, 1, &text))
		return false;
	if (text.len == 0) {
		*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
		return true;
	}
	if (text.len > (size_t)1 << 30 || !kf_tmpl_call_charge(c, text.len * 3 + 64))
		return text.len > (size_t)1 << 30 ? kf_tmpl_call_fail(c, "plaintext too long") : false;
	unsigned char key[32];
	aes_key(pw, key);
	size_t pad = 16 - text.len % 16, n = text.len + pad;
	unsigned char *buf = kf_xmalloc(16 + 2 * n);
	unsigned char *plain = buf + 16 + n;
	memset(buf, 0, 16); /* the IV: fixed (sprig.h) */
	memcpy(plain, text.ptr, text.len);
	memset(plain + text.len, (int)pad, pad);
	bool ok = cbc(key, buf, plain, n, buf + 16, true);
	kf_buf b = KF_BUF_INIT;
	if (ok)
		kf_tmpl_base64(&b, buf, 16 + n);
	free(buf);
	if (!ok) {
		kf_buf_release(&b);
		return kf_tmpl_call_fail(c, "aes encryption failed");
	}
	*out = kf_sprig_buf_tv(c, &b);
	kf_buf_release(&b);
	return true;
}

KF_SPRIG_FN(decrypt_aes)
{
	kf_str pw, text;
	if (!kf_sprig_arg_str(c, args, 0, &pw) || !kf_sprig_arg_str(c, args, 1, &text))
		return false;
	if (text.len == 0) {
		*out = kf_tv_str(kf_tmpl_call_arena(c), "", 0);
		return true;
	}
	kf_buf raw = KF_BUF_INIT;
	long long bad;
	if (!kf_sprig_b64_decode(text.ptr, text.len, &raw, &bad)) {
		kf_buf_release(&raw);
		return kf_tmpl_call_fail(c, "illegal base64 data at input byte %lld", bad);
	}
	if (raw.len < 16) {
		size_t n = raw.len;
		kf_buf_release(&raw);
		return kf_tmpl_call_fail(c, "runtime error: slice bounds out of range [:16] with capacity %zu", n);
	}
	size_t n = raw.len - 16;
	if (n % 16) {
		kf_buf_release(&raw);
		return kf_tmpl_call_fail(c, "crypto/cipher: input not full blocks");
	}
	if (n == 0) {
		kf_buf_release(&raw);
		return kf_tmpl_call_fail(c, "runtime error: index out of range [-1]");
	}
	unsigned char key[32];
	aes_key(pw, key);
	unsigned char *plain = kf_xmalloc(n);
	bool ok = cbc(key, (const unsigned char *)raw.ptr, (const unsigned char *)raw.ptr + 16, n, plain, false);
	kf_buf_release(&raw);
	if (!ok) {
		free(plain);
		return kf_tmpl_call_fail(c, "aes decryption failed");
	}
	size_t pad = plain[n - 1];
	if (pad > n) {
		free(plain);
		return kf_tmpl_call_fail(c, "runtime error: slice bounds out of range [:%lld]", (long long)n - (long long)pad);
	}
	*out = kf_tv_str(kf_tmpl_call_arena(c), (const char *)plain, n - pad);
	free(plain);
	return true;
}
