/* SPDX-License-Identifier: Apache-2.0 */
/* oci.c - OCI image layouts on disk. See oci.h. */
#include "oci/oci.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/files.h"

static bool layer_media_type(const char *media_type);




bool kf_oci_is_layout(const char *dir)
{
	char *p = kf_path_join(dir, "oci-layout");
	bool ok = access(p, F_OK) == 0;
	free(p);
	return ok;
}

bool kf_oci_init(const char *dir, kf_err *err)
{
	char *blobs = kf_path_join(dir, "blobs/sha256");
	bool ok = kf_mkdirs(blobs, 0755);
	if (!ok)
		kf_err_set(err, "%s: %s", dir, strerror(errno));
	free(blobs);
	if (!ok)
		return false;
	char *lay = kf_path_join(dir, "oci-layout");
	if (access(lay, F_OK) != 0) {
		static const char text[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		ok = kf_write_file_atomic(lay, text, sizeof text - 1, 0644, false, err);
	}
	free(lay);
	char *idx = kf_path_join(dir, "index.json");
	if (ok && access(idx, F_OK) != 0) {
		static const char text[] = "{\"schemaVersion\":2,\"mediaType\":\"" KF_MT_INDEX "\",\"manifests\":[]}";
		ok = kf_write_file_atomic(idx, text, sizeof text - 1, 0644, false, err);
	}
	free(idx);
	return ok;
}

char *kf_oci_blob_path(const char *dir, const char *digest)
{
	char *s;
	const char *colon = strchr(digest, ':');
	if (asprintf(&s, "%s/blobs/%.*s/%s", dir, colon ? (int)(colon - digest) : 0, digest,
		     colon ? colon + 1 : digest) < 0)
		abort();
	return s;
}

bool kf_oci_has_blob(const char *dir, const char *digest, uint64_t size)
{
	char *p = kf_oci_blob_path(dir, digest);
	struct stat st;
	bool ok = stat(p, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == size;
	free(p);
	return ok;
}

bool kf_oci_put_file(const char *dir, const char *tmp, const char *digest, kf_err *err)
{
	char *p = kf_oci_blob_path(dir, digest);
	bool ok = rename(tmp, p) == 0;
	if (!ok)
		kf_err_set(err, "%s: %s", p, strerror(errno));
	free(p);
	return ok;
}

bool kf_oci_put_bytes(const char *dir, const void *data, size_t len, char digest[KF_DIGEST_LEN + 1], kf_err *err)
{
	kf_sha256_bytes(data, len, digest);
	if (kf_oci_has_blob(dir, digest, len))
		return true;
	char *p = kf_oci_blob_path(dir, digest);
	bool ok = kf_write_file_atomic(p, data, len, 0644, false, err);
	free(p);
	return ok;
}


json_t *kf_json_descriptor(const char *media_type, const char *digest, uint64_t size)
{
	return json_pack("{s:s,s:s,s:I}", "mediaType", media_type, "digest", digest, "size", (json_int_t)size);
}

bool kf_oci_put_json(const char *dir, const json_t *doc, const char *media_type, json_t **desc, kf_err *err)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text)
		abort();
	char digest[KF_DIGEST_LEN + 1];
	size_t len = strlen(text);
	bool ok = kf_oci_put_bytes(dir, text, len, digest, err);
	free(text);
	if (ok)
		*desc = kf_json_descriptor(media_type, digest, len);
	return ok;
}

/* Copies a file through a temporary file and a rename. With want (a
 * digest and a size), the bytes are hashed on the way and a copy that is
 * not what its descriptor says is removed before it is renamed. */
static bool copy_file(const char *from, const char *to, const char *want, uint64_t want_size, kf_err *err)
{
	/* a blob of a layout we did not write may be a link or a FIFO */
	int in = open(from, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (want ? O_NOFOLLOW : 0));
	if (in < 0)
		return kf_err_set(err, "%s: %s", from, strerror(errno));
	struct stat st;
	if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(in);
		return kf_err_set(err, "%s: not a regular file", from);
	}
	if (want && (uint64_t)st.st_size != want_size) {
		close(in);
		return kf_err_set(err, "blob %s is %llu bytes by its descriptor, but the file has %llu", want,
				  (unsigned long long)want_size, (unsigned long long)st.st_size);
	}
	kf_sha256 h;
	if (want)
		kf_sha256_init(&h);
	kf_buf tmp = KF_BUF_INIT;
	kf_buf_printf(&tmp, "%s.tmp-XXXXXX", to);
	int out = mkstemp(tmp.ptr);
	bool ok = out >= 0;
	if (!ok)
		kf_err_set(err, "%s: %s", to, strerror(errno));
	static __thread char buf[1 << 17];
	while (ok) {
		ssize_t r = read(in, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ok = kf_err_set(err, "%s: %s", from, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (want)
			kf_sha256_update(&h, buf, (size_t)r);
		for (ssize_t off = 0; off < r;) {
			ssize_t w = write(out, buf + off, (size_t)(r - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				ok = kf_err_set(err, "%s: %s", to, strerror(errno));
				break;
			}
			off += w;
		}
	}
	close(in);
	if (want) {
		char got[KF_DIGEST_LEN + 1];
		kf_sha256_final(&h, got);
		if (ok && strcmp(got, want) != 0)
			ok = kf_err_set(err, "blob %s: its content hashes to %s", want, got);
	}
	if (out >= 0) {
		if (ok && fchmod(out, 0644) != 0)
			ok = kf_err_set(err, "%s: %s", to, strerror(errno));
		if (close(out) != 0 && ok)
			ok = kf_err_set(err, "%s: %s", to, strerror(errno));
		if (ok && rename(tmp.ptr, to) != 0)
			ok = kf_err_set(err, "%s: %s", to, strerror(errno));
		if (!ok)
			unlink(tmp.ptr);
	}
	kf_buf_release(&tmp);
	return ok;
}

bool kf_oci_copy_blob(const char *from, const char *to, const json_t *desc, bool verify, kf_err *err)
{
	if (!kf_oci_check_descriptor(desc, "blob", err))
		return false;
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	uint64_t size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
	char *src = kf_oci_blob_path(from, digest);
	char *dst = kf_oci_blob_path(to, digest);
	bool ok = true;
	if (kf_oci_has_blob(to, digest, size))
		; /* there, and hashed when it came */
	else if (verify)
		ok = copy_file(src, dst, digest, size, err);
	else if (link(src, dst) != 0 && errno != EEXIST)
		ok = copy_file(src, dst, NULL, 0, err);
	free(src);
	free(dst);
	return ok;
}

bool kf_oci_check_descriptor(const json_t *d, const char *what, kf_err *err)
{
	if (!json_is_object(d))
		return kf_err_set(err, "%s: not a descriptor (a JSON object)", what);
	const char *digest = json_string_value(json_object_get(d, "digest"));
	json_t *size = json_object_get(d, "size");
	if (!digest)
		return kf_err_set(err, "%s: no digest", what);
	if (!kf_digest_valid(digest))
		return kf_err_set(err, "%s: digest '%s' is not 'sha256:' and 64 lowercase hex digits", what, digest);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return kf_err_set(err, "%s: size is not a whole number of bytes", what);
	if (!json_is_string(json_object_get(d, "mediaType")))
		return kf_err_set(err, "%s: no mediaType", what);
	return true;
}

bool kf_oci_check_manifest(const json_t *m, kf_err *err)
{
	if (!json_is_object(m) || json_integer_value(json_object_get(m, "schemaVersion")) != 2)
		return kf_err_set(err, "not an image manifest of schemaVersion 2");
	if (!kf_oci_check_descriptor(json_object_get(m, "config"), "config", err))
		return false;
	json_t *layers = json_object_get(m, "layers");
	if (!json_is_array(layers))
		return kf_err_set(err, "no \"layers\" array");
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l) {
		char what[32];
		snprintf(what, sizeof what, "layer %zu", i + 1);
		if (!kf_oci_check_descriptor(l, what, err))
			return false;
		const char *mt = json_string_value(json_object_get(l, "mediaType"));
		if (!layer_media_type(mt))
			return kf_err_set(err, "%s: media type '%s' is not a layer kfc can read", what, mt);
	}
	return true;
}

static bool layer_media_type(const char *mt)
{
	static const char *const known[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
	};
	for (size_t i = 0; mt && i < sizeof known / sizeof *known; i++)
		if (strcmp(mt, known[i]) == 0)
			return true;
	return false;
}

static char *read_all(const char *path, size_t *len, size_t max, kf_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		kf_err_set(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	kf_buf b = KF_BUF_INIT;
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0) {
		kf_buf_add(&b, tmp, n);
		if (b.len > max) {
			fclose(f);
			kf_buf_release(&b);
			kf_err_set(err, "%s: larger than %zu bytes", path, max);
			return NULL;
		}
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		kf_buf_release(&b);
		kf_err_set(err, "%s: read error", path);
		return NULL;
	}
	*len = b.len;
	if (!b.ptr)
		return strdup("");
	return b.ptr;
}

json_t *kf_oci_read_json(const char *dir, const char *digest, kf_err *err)
{
	if (!kf_digest_valid(digest)) {
		kf_err_set(err, "%s: not a sha256 digest", digest);
		return NULL;
	}
	char *p = kf_oci_blob_path(dir, digest);
	size_t len = 0;
	char *text = read_all(p, &len, 64u << 20, err);
	if (!text) {
		free(p);
		return NULL;
	}
	char got[KF_DIGEST_LEN + 1];
	kf_sha256_bytes(text, len, got);
	json_t *doc = NULL;
	if (strcmp(got, digest) != 0) {
		kf_err_set(err, "%s: content does not match its digest", p);
	} else {
		json_error_t je;
		doc = json_loadb(text, len, 0, &je);
		if (!doc)
			kf_err_set(err, "%s:%d:%d: %s", p, je.line, je.column, je.text);
	}
	free(text);
	free(p);
	return doc;
}

json_t *kf_oci_index_read(const char *dir, kf_err *err)
{
	char *p = kf_path_join(dir, "index.json");
	size_t len = 0;
	char *text = read_all(p, &len, 64u << 20, err);
	json_t *doc = NULL;
	if (text) {
		json_error_t je;
		doc = json_loadb(text, len, 0, &je);
		if (!doc)
			kf_err_set(err, "%s:%d:%d: %s", p, je.line, je.column, je.text);
		else if (!json_is_array(json_object_get(doc, "manifests"))) {
			kf_err_set(err, "%s: no \"manifests\" array", p);
			json_decref(doc);
			doc = NULL;
		}
	}
	free(text);
	free(p);
	return doc;
}

bool kf_oci_index_write(const char *dir, const json_t *index, kf_err *err)
{
	char *text = json_dumps(index, JSON_COMPACT);
	char *p = kf_path_join(dir, "index.json");
	bool ok = kf_write_file_atomic(p, text, strlen(text), 0644, false, err);
	free(p);
	free(text);
	return ok;
}

static const char *ref_of(const json_t *desc)
{
	return json_string_value(json_object_get(json_object_get(desc, "annotations"), KF_ANN_REF));
}

static json_t *index_find(const json_t *index, const char *ref)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(index, "manifests"), i, d) {
		const char *r = ref_of(d);
		if (r && strcmp(r, ref) == 0)
			return d;
	}
	return NULL;
}

bool kf_oci_index_untag(json_t *index, const char *ref)
{
	json_t *arr = json_object_get(index, "manifests");
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const char *r = ref_of(json_array_get(arr, i));
		if (r && strcmp(r, ref) == 0) {
			json_array_remove(arr, i);
			return true;
		}
	}
	return false;
}

void kf_oci_index_tag(json_t *index, const char *ref, const json_t *desc)
{
	while (kf_oci_index_untag(index, ref))
		;
	json_t *d = json_deep_copy(desc);
	json_t *ann = json_object_get(d, "annotations");
	if (!ann) {
		ann = json_object();
		json_object_set_new(d, "annotations", ann);
	}
	json_object_set_new(ann, KF_ANN_REF, json_string(ref));
	json_array_append_new(json_object_get(index, "manifests"), d);
}

/* containerd's platform names: x86_64 is amd64, aarch64 arm64; arm64's
 * variant defaults to v8 and arm's to v7 */
static const char *norm_arch(const char *a)
{
	if (!a)
		return "";
	if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0)
		return "amd64";
	if (strcmp(a, "aarch64") == 0)
		return "arm64";
	return a;
}

static const char *norm_variant(const char *arch, const char *v)
{
	if (v && *v)
		return v;
	if (strcmp(arch, "arm64") == 0)
		return "v8";
	if (strcmp(arch, "arm") == 0)
		return "v7";
	return "";
}

const json_t *kf_oci_index_pick(const json_t *index, const kf_platform_want *want)
{
	const char *warch = norm_arch(want->arch);
	const char *wvar = want->variant && *want->variant ? norm_variant(warch, want->variant) : NULL;
	size_t i;
	json_t *m;
	const json_t *any = NULL;
	json_array_foreach(json_object_get(index, "manifests"), i, m) {
		const json_t *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *arch = norm_arch(json_string_value(json_object_get(p, "architecture")));
		const char *var = norm_variant(arch, json_string_value(json_object_get(p, "variant")));
		if (!os || strcmp(os, want->os) != 0 || strcmp(arch, warch) != 0)
			continue;
		if (wvar ? strcmp(var, wvar) == 0 : strcmp(var, norm_variant(warch, NULL)) == 0)
			return m;
		if (!wvar && !any)
			any = m;
	}
	return any;
}

bool kf_oci_platform_same(const kf_platform_want *a, const kf_platform_want *b)
{
	const char *aa = norm_arch(a->arch), *ba = norm_arch(b->arch);
	return a->os && b->os && strcmp(a->os, b->os) == 0 && strcmp(aa, ba) == 0 &&
	       strcmp(norm_variant(aa, a->variant), norm_variant(ba, b->variant)) == 0;
}

bool kf_oci_is_index_type(const char *mt)
{
	return mt && (strcmp(mt, KF_MT_INDEX) == 0 || strcmp(mt, KF_MT_DOCKER_LIST) == 0);
}

bool kf_image_load(const char *dir, const char *ref, kf_image *img, kf_err *err)
{
	return kf_image_load_for(dir, ref, NULL, img, err);
}

bool kf_image_load_for(const char *dir, const char *ref, const kf_platform_want *plat, kf_image *img, kf_err *err)
{
	memset(img, 0, sizeof *img);
	json_t *index = kf_oci_index_read(dir, err);
	if (!index)
		return false;
	json_t *desc = NULL;
	if (ref && *ref)
		desc = index_find(index, ref);
	else if (json_array_size(json_object_get(index, "manifests")) == 1)
		desc = json_array_get(json_object_get(index, "manifests"), 0);
	if (!desc) {
		json_decref(index);
		return kf_err_set(err, ref && *ref ? "%s: no image named '%s'" : "%s: no single image in the layout%s",
				  dir, ref ? ref : "");
	}
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	const char *mt = json_string_value(json_object_get(desc, "mediaType"));
	json_t *inner = NULL; /* an index's: the platform's manifest descriptor */
	if (digest && kf_oci_is_index_type(mt) && plat) {
		json_t *ix = kf_oci_read_json(dir, digest, err);
		const json_t *e = ix ? kf_oci_index_pick(ix, plat) : NULL;
		if (ix && !e)
			kf_err_set(err, "%s: '%s' is an index with no image for %s/%s%s%s", dir, ref ? ref : "", plat->os,
				   plat->arch, plat->variant && *plat->variant ? "/" : "", plat->variant ? plat->variant : "");
		inner = e ? json_incref((json_t *)e) : NULL;
		json_decref(ix);
		if (!inner) {
			json_decref(index);
			return false;
		}
		desc = inner;
		digest = json_string_value(json_object_get(desc, "digest"));
		mt = json_string_value(json_object_get(desc, "mediaType"));
	}
	if (!digest || (mt && strcmp(mt, KF_MT_MANIFEST) != 0 && strcmp(mt, KF_MT_DOCKER_MANIFEST) != 0)) {
		json_decref(inner);
		json_decref(index);
		return kf_err_set(err, "%s: '%s' is not an image manifest (%s)", dir, ref ? ref : "", mt ? mt : "?");
	}
	if (!kf_digest_valid(digest)) {
		json_decref(inner);
		json_decref(index);
		return kf_err_set(err, "%s: '%s': digest '%s' is not 'sha256:' and 64 lowercase hex digits", dir,
				  ref ? ref : "", digest);
	}
	snprintf(img->digest, sizeof img->digest, "%s", digest);
	img->size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
	json_decref(inner);
	json_decref(index);
	img->manifest = kf_oci_read_json(dir, img->digest, err);
	if (!img->manifest)
		return false;
	if (!kf_oci_check_manifest(img->manifest, err)) {
		kf_image_release(img);
		return false;
	}
	const char *cd = json_string_value(json_object_get(json_object_get(img->manifest, "config"), "digest"));
	img->config = kf_oci_read_json(dir, cd, err);
	if (!img->config) {
		kf_image_release(img);
		return false;
	}
	return true;
}

void kf_image_release(kf_image *img)
{
	json_decref(img->manifest);
	json_decref(img->config);
	img->manifest = img->config = NULL;
}

/* An image, or an index and what it names (an index in an index, up to
 * depth 4). */
static bool copy_image(const char *from, const char *to, const json_t *desc, bool verify, int depth, kf_err *err)
{
	if (!kf_oci_check_descriptor(desc, depth ? "an image of the index" : "manifest", err))
		return false;
	const char *digest = json_string_value(json_object_get(desc, "digest"));
	json_t *m = kf_oci_read_json(from, digest, err);
	if (!m)
		return false;
	bool ok = true;
	size_t i;
	json_t *l;
	if (kf_oci_is_index_type(json_string_value(json_object_get(desc, "mediaType")))) {
		if (depth >= 4)
			ok = kf_err_set(err, "%s: indexes nested deeper than 4", digest);
		else if (!json_is_array(json_object_get(m, "manifests")))
			ok = kf_err_set(err, "%s: an index without a \"manifests\" array", digest);
		json_array_foreach(json_object_get(m, "manifests"), i, l) {
			if (!ok)
				break;
			ok = copy_image(from, to, l, verify, depth + 1, err);
		}
	} else {
		ok = kf_oci_check_manifest(m, err) && kf_oci_copy_blob(from, to, json_object_get(m, "config"), verify, err);
		json_array_foreach(json_object_get(m, "layers"), i, l) {
			if (!ok)
				break;
			ok = kf_oci_copy_blob(from, to, l, verify, err);
		}
	}
	/* the manifest or the index last: it was hashed when it was read */
	ok = ok && kf_oci_copy_blob(from, to, desc, false, err);
	json_decref(m);
	return ok;
}

bool kf_oci_copy_image(const char *from, const char *to, const json_t *desc, bool verify, kf_err *err)
{
	return copy_image(from, to, desc, verify, 0, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

typedef struct digest_set {
	char **v;
	size_t n, cap;
} digest_set;

/* Adds d; false if it was there. Kept sorted. */
static bool set_add(digest_set *s, const char *d)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid], d);
		if (c == 0)
			return false;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = realloc(s->v, s->cap * sizeof *s->v);
		if (!s->v)
			abort();
	}
	memmove(s->v + lo + 1, s->v + lo, (s->n - lo) * sizeof *s->v);
	s->v[lo] = strdup(d);
	s->n++;
	return true;
}

static bool is_json_media_type(const char *mt)
{
	return mt && (strcmp(mt, KF_MT_MANIFEST) == 0 || strcmp(mt, KF_MT_INDEX) == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.v2+json") == 0 ||
		      strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* Marks what desc reaches: the blob, and for a manifest or an index what
 * it names (manifests, config, layers, subject), to any depth. */
static void mark(const char *dir, const json_t *desc, digest_set *keep, int depth)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	if (!d || !kf_digest_valid(d) || !set_add(keep, d) || depth > 16)
		return;
	if (!is_json_media_type(json_string_value(json_object_get(desc, "mediaType"))))
		return;
	kf_err err;
	json_t *doc = kf_oci_read_json(dir, d, &err);
	if (!doc)
		return;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "manifests"), i, c) mark(dir, c, keep, depth + 1);
	json_array_foreach(json_object_get(doc, "layers"), i, c) mark(dir, c, keep, depth + 1);
	json_array_foreach(json_object_get(doc, "blobs"), i, c) mark(dir, c, keep, depth + 1);
	mark(dir, json_object_get(doc, "config"), keep, depth + 1);
	mark(dir, json_object_get(doc, "subject"), keep, depth + 1);
	json_decref(doc);
}

static bool is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

size_t kf_oci_gc(const char *dir, const json_t *index)
{
	digest_set keep = {0};
	size_t i;
	json_t *desc;
	json_array_foreach(json_object_get(index, "manifests"), i, desc) mark(dir, desc, &keep, 0);
	char *blobs = kf_path_join(dir, "blobs/sha256");
	DIR *dh = opendir(blobs);
	size_t removed = 0;
	struct dirent *de;
	while (dh && (de = readdir(dh))) {
		/* blobs only: not the temporary files of a writer at work */
		if (!is_hex64(de->d_name))
			continue;
		char d[80];
		snprintf(d, sizeof d, "sha256:%.64s", de->d_name);
		const char *key = d;
		if (!keep.n || !bsearch(&key, keep.v, keep.n, sizeof *keep.v, cmp_str)) {
			char *p = kf_path_join(blobs, de->d_name);
			if (unlink(p) == 0)
				removed++;
			free(p);
		}
	}
	if (dh)
		closedir(dh);
	free(blobs);
	for (size_t k = 0; k < keep.n; k++)
		free(keep.v[k]);
	free(keep.v);
	return removed;
}
