/* SPDX-License-Identifier: Apache-2.0 */
/* layer.c - a layer: sorted tar entries, streamed through a chunked,
 * multi-threaded compressor, with both digests. See layer.h. */
#include "oci/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/files.h"
#include "base/vec.h"

const char *kf_compression_name(kf_compression c)
{
	switch (c) {
	case KF_COMPRESS_GZIP: return "gzip";
	case KF_COMPRESS_ZSTD: return "zstd";
	case KF_COMPRESS_NONE: return "none";
	}
	return "?";
}

bool kf_compression_parse(const char *s, kf_compression *out)
{
	for (int c = KF_COMPRESS_GZIP; c <= KF_COMPRESS_NONE; c++)
		if (strcmp(s, kf_compression_name((kf_compression)c)) == 0) {
			*out = (kf_compression)c;
			return true;
		}
	return false;
}

const char *kf_compression_media_type(kf_compression c)
{
	switch (c) {
	case KF_COMPRESS_GZIP: return "application/vnd.oci.image.layer.v1.tar+gzip";
	case KF_COMPRESS_ZSTD: return "application/vnd.oci.image.layer.v1.tar+zstd";
	case KF_COMPRESS_NONE: return "application/vnd.oci.image.layer.v1.tar";
	}
	return "";
}

/* ---- entries ------------------------------------------------------------ */

enum { E_DISK, E_DATA, E_DIR, E_WHITEOUT, E_FILE };

typedef struct entry {
	const char *name; /* relative, no leading or trailing slash */
	const char *disk;
	const char *data;
	size_t len;
	int kind;
	int mode;
	long uid, gid;
	size_t seq;       /* order of addition: the last one wins */
} entry;

struct kf_layer {
	kf_layer_options opt;
	kf_arena arena;
	KF_VEC(entry) entries;
};

kf_layer *kf_layer_new(const kf_layer_options *opt)
{
	kf_layer *l = calloc(1, sizeof *l);
	if (!l)
		abort();
	l->opt = *opt;
	kf_arena_init(&l->arena);
	return l;
}

void kf_layer_free(kf_layer *l)
{
	if (!l)
		return;
	kf_arena_release(&l->arena);
	kf_vec_free(&l->entries);
	free(l);
}

size_t kf_layer_count(const kf_layer *l)
{
	return l->entries.n;
}

/* "./a//b/" → "a/b"; a ".." stays inside the layer */
static const char *clean_name(kf_layer *l, const char *name)
{
	char *c = kf_path_clean(name, true);
	const char *r = kf_arena_strndup(&l->arena, c, strlen(c));
	free(c);
	return r;
}

static entry *push(kf_layer *l, const char *name, int kind, const kf_layer_meta *meta)
{
	entry e = {0};
	e.name = clean_name(l, name);
	e.kind = kind;
	e.mode = meta ? meta->mode : -1;
	e.uid = meta ? meta->uid : -1;
	e.gid = meta ? meta->gid : -1;
	e.seq = l->entries.n;
	kf_vec_push(&l->entries, e);
	return &l->entries.v[l->entries.n - 1];
}

void kf_layer_add_path(kf_layer *l, const char *name, const char *disk, const kf_layer_meta *meta)
{
	entry *e = push(l, name, E_DISK, meta);
	e->disk = kf_arena_strndup(&l->arena, disk, strlen(disk));
	if (meta && meta->dir_mode >= 0) {
		struct stat st;
		if (lstat(disk, &st) == 0 && S_ISDIR(st.st_mode))
			e->mode = meta->dir_mode;
	}
}

void kf_layer_add_file(kf_layer *l, const char *name, const char *disk, int mode, const kf_layer_meta *meta)
{
	entry *e = push(l, name, E_FILE, meta);
	e->disk = kf_arena_strndup(&l->arena, disk, strlen(disk));
	e->mode = mode;
}

bool kf_layer_add_tree(kf_layer *l, const char *prefix, const char *disk_dir, const kf_layer_meta *meta,
		       kf_err *err)
{
	return kf_layer_add_tree_filtered(l, prefix, disk_dir, meta, NULL, NULL, err);
}

typedef struct tree_add {
	kf_layer *l;
	const char *prefix;
	const kf_layer_meta *meta;
	kf_buf name;
	kf_err *err;
} tree_add;

static bool add_entry(void *ud, const char *path, const char *rel)
{
	tree_add *t = ud;
	if (t->l->opt.cancel && *t->l->opt.cancel) {
		kf_err_set(t->err, "interrupted");
		return false;
	}
	kf_buf_reset(&t->name);
	kf_buf_printf(&t->name, "%s/%s", t->prefix, rel);
	kf_layer_add_path(t->l, t->name.ptr, path, t->meta);
	return true;
}

bool kf_layer_add_tree_filtered(kf_layer *l, const char *prefix, const char *disk_dir, const kf_layer_meta *meta,
				kf_tree_filter *filter, void *ctx, kf_err *err)
{
	tree_add t = {l, prefix, meta, KF_BUF_INIT, err};
	bool ok = kf_tree_walk(disk_dir, false, filter, ctx, add_entry, &t, err);
	kf_buf_release(&t.name);
	return ok;
}

void kf_layer_add_data(kf_layer *l, const char *name, const void *data, size_t len, int mode,
		       const kf_layer_meta *meta)
{
	entry *e = push(l, name, E_DATA, meta);
	if (e->mode < 0)
		e->mode = mode;
	char *d = kf_arena_alloc(&l->arena, len + 1);
	if (len)
		memcpy(d, data, len);
	d[len] = '\0';
	e->data = d;
	e->len = len;
}


void kf_layer_add_whiteout(kf_layer *l, const char *name)
{
	const char *n = clean_name(l, name);
	const char *slash = strrchr(n, '/');
	char *w = slash ? kf_arena_printf(&l->arena, "%.*s/.wh.%s", (int)(slash - n), n, slash + 1)
			: kf_arena_printf(&l->arena, ".wh.%s", n);
	entry *e = push(l, w, E_WHITEOUT, NULL);
	e->mode = 0;
}


static int cmp_entry(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- the compressing pipeline ---------------------------------------------- */

#define CHUNK (4u << 20)
#define MAXSLOTS 16

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

typedef struct slot {
	unsigned char *in;
	size_t inlen;
	kf_buf out;
	int state;
	bool failed;
	char error[160];
} slot;

typedef struct pipeline {
	kf_compression comp;
	int level;
	int nthreads;
	int nslots;
	slot slots[MAXSLOTS];
	int head;             /* the slot being filled */
	int tail;             /* the oldest slot not yet written */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t threads[MAXSLOTS];
	bool stop;
	int fd;
	kf_sha256 tar_hash, blob_hash;
	uint64_t tar_size, blob_size;
	bool failed;
	char error[256];
	struct archive *stream; /* zstd: one stream, compressed by libzstd's own workers */
	volatile sig_atomic_t *cancel;
	const kf_layer_options *opt; /* its progress callback */
	uint64_t entries;             /* begun, for it */
} pipeline;

static bool compress_chunk(int comp, int level, const unsigned char *in, size_t n, kf_buf *out, char *err,
			   size_t errlen);

/* Compresses a slot, unless the layer was interrupted: then what waits
 * is dropped, so that stopping takes one chunk's time at most. */
static void compress_slot(pipeline *p, slot *s)
{
	kf_buf_reset(&s->out);
	if (p->cancel && *p->cancel) {
		s->failed = true;
		snprintf(s->error, sizeof s->error, "interrupted");
		return;
	}
	s->failed = !compress_chunk(p->comp, p->level, s->in, s->inlen, &s->out, s->error, sizeof s->error);
}

static void *worker(void *arg)
{
	pipeline *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		slot *s = NULL;
		/* the oldest ready slot first, so the writer is never kept waiting */
		for (int k = 0, i = p->tail; k < p->nslots; k++, i = (i + 1) % p->nslots)
			if (p->slots[i].state == SLOT_READY) {
				s = &p->slots[i];
				break;
			}
		if (!s) {
			if (p->stop)
				break;
			pthread_cond_wait(&p->cv, &p->mu);
			continue;
		}
		s->state = SLOT_BUSY;
		pthread_mutex_unlock(&p->mu);
		compress_slot(p, s);
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

static bool write_all(pipeline *p, const void *buf, size_t n)
{
	const char *c = buf;
	while (n) {
		ssize_t w = write(p->fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			if (!p->failed)
				snprintf(p->error, sizeof p->error, "writing the layer: %s", strerror(errno));
			p->failed = true;
			return false;
		}
		c += w;
		n -= (size_t)w;
	}
	return true;
}

static void emit(pipeline *p, const void *buf, size_t n)
{
	if (p->comp != KF_COMPRESS_NONE) /* uncompressed: the blob is the tar, hashed once */
		kf_sha256_update(&p->blob_hash, buf, n);
	p->blob_size += n;
	write_all(p, buf, n);
}

static la_ssize_t stream_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	pipeline *p = ud;
	emit(p, buf, n);
	if (p->failed) {
		archive_set_error(a, EIO, "%s", p->error);
		return -1;
	}
	return (la_ssize_t)n;
}

/* The zstd stream: libarchive's raw format and zstd filter with workers. */
static struct archive *open_stream(pipeline *p, int level, int threads)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char opt[32];
	bool ok = archive_write_set_format_raw(a) == ARCHIVE_OK && archive_write_add_filter_zstd(a) == ARCHIVE_OK;
	snprintf(opt, sizeof opt, "%d", level > 0 ? level : 3);
	ok = ok && archive_write_set_filter_option(a, "zstd", "compression-level", opt) == ARCHIVE_OK;
	snprintf(opt, sizeof opt, "%d", threads > 0 ? threads : 1);
	ok = ok && archive_write_set_filter_option(a, "zstd", "threads", opt) == ARCHIVE_OK;
	ok = ok && archive_write_set_bytes_per_block(a, 0) == ARCHIVE_OK;
	ok = ok && archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK;
	ok = ok && archive_write_open2(a, p, NULL, stream_write, NULL, NULL) == ARCHIVE_OK;
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
	archive_entry_free(e);
	if (!ok) {
		snprintf(p->error, sizeof p->error, "compressing the layer: %s",
			 archive_error_string(a) ? archive_error_string(a) : "zstd is not available");
		p->failed = true;
	}
	return a;
}

/* Waits for the oldest slot, writes it out and frees it. */
static void drain_one(pipeline *p)
{
	slot *s = &p->slots[p->tail];
	if (p->nthreads > 0) {
		pthread_mutex_lock(&p->mu);
		while (s->state != SLOT_DONE)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	if (s->failed && !p->failed) {
		p->failed = true;
		snprintf(p->error, sizeof p->error, "%s", s->error);
	}
	if (!p->failed)
		emit(p, s->out.ptr, s->out.len);
	s->state = SLOT_FREE;
	s->inlen = 0;
	p->tail = (p->tail + 1) % p->nslots;
}

/* Hands the slot being filled to the compressors. */
static void submit(pipeline *p)
{
	slot *s = &p->slots[p->head];
	if (s->inlen == 0)
		return;
	if (p->nthreads == 0) {
		compress_slot(p, s);
		s->state = SLOT_DONE;
	} else {
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_READY;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	p->head = (p->head + 1) % p->nslots;
	if (p->head == p->tail || p->nthreads == 0)
		drain_one(p);
}

static void feed(pipeline *p, const void *buf, size_t n)
{
	kf_sha256_update(&p->tar_hash, buf, n);
	p->tar_size += n;
	if (p->comp == KF_COMPRESS_NONE) {
		emit(p, buf, n);
		return;
	}
	if (p->stream) {
		if (!p->failed && archive_write_data(p->stream, buf, n) != (la_ssize_t)n) {
			snprintf(p->error, sizeof p->error, "compressing the layer: %s", archive_error_string(p->stream));
			p->failed = true;
		}
		return;
	}
	const unsigned char *c = buf;
	while (n) {
		slot *s = &p->slots[p->head];
		if (!s->in) {
			s->in = malloc(CHUNK);
			if (!s->in)
				abort();
		}
		size_t k = CHUNK - s->inlen;
		if (k > n)
			k = n;
		memcpy(s->in + s->inlen, c, k);
		s->inlen += k;
		c += k;
		n -= k;
		if (s->inlen == CHUNK)
			submit(p);
	}
}

static void pipeline_start(pipeline *p, const kf_layer_options *opt, int fd)
{
	memset(p, 0, sizeof *p);
	p->comp = opt->compression;
	p->level = opt->level;
	p->cancel = opt->cancel;
	p->opt = opt;
	p->fd = fd;
	kf_sha256_init(&p->tar_hash);
	kf_sha256_init(&p->blob_hash);
	int t = opt->threads;
	if (t <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		t = c > 0 ? (int)c : 1;
	}
	if (t > MAXSLOTS / 2)
		t = MAXSLOTS / 2;
	if (p->comp == KF_COMPRESS_ZSTD) {
		/* zstd compresses one stream on its own worker threads; its output
		 * does not depend on their number (as long as there is one) */
		p->stream = open_stream(p, opt->level, t);
		t = 0;
	}
	if (p->comp == KF_COMPRESS_NONE || t == 1)
		t = 0; /* compress on this thread */
	p->nthreads = t;
	p->nslots = t ? 2 * t + 1 : 1;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int i = 0; i < t; i++)
		if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
			abort();
}

/* Flushes and stops the pipeline; false if anything failed. */
static bool pipeline_finish(pipeline *p, kf_layer_result *out)
{
	if (p->stream) {
		if (archive_write_close(p->stream) != ARCHIVE_OK && !p->failed) {
			snprintf(p->error, sizeof p->error, "compressing the layer: %s", archive_error_string(p->stream));
			p->failed = true;
		}
		archive_write_free(p->stream);
		p->stream = NULL;
	} else if (p->comp != KF_COMPRESS_NONE) {
		submit(p);
		while (p->slots[p->tail].state != SLOT_FREE)
			drain_one(p);
	}
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	for (int i = 0; i < MAXSLOTS; i++) {
		free(p->slots[i].in);
		kf_buf_release(&p->slots[i].out);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	kf_sha256_final(&p->tar_hash, out->diff_id);
	if (p->comp == KF_COMPRESS_NONE) {
		kf_sha256_abort(&p->blob_hash);
		memcpy(out->digest, out->diff_id, sizeof out->digest);
	} else {
		kf_sha256_final(&p->blob_hash, out->digest);
	}
	out->size = p->blob_size;
	out->tar_size = p->tar_size;
	return !p->failed;
}

/* One chunk through libarchive's "raw" format with the gzip filter: a
 * complete member, without block padding or a time stamp. */
static la_ssize_t buf_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	(void)a;
	kf_buf_add(ud, buf, n);
	return (la_ssize_t)n;
}

static bool compress_chunk(int comp, int level, const unsigned char *in, size_t n, kf_buf *out, char *err,
			   size_t errlen)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char opt[64];
	(void)comp; /* gzip: zstd has a stream of its own (open_stream) */
	bool ok = archive_write_set_format_raw(a) == ARCHIVE_OK;
	ok = ok && archive_write_add_filter_gzip(a) == ARCHIVE_OK;
	ok = ok && archive_write_set_filter_option(a, "gzip", "timestamp", NULL) == ARCHIVE_OK;
	if (level > 0) {
		snprintf(opt, sizeof opt, "%d", level);
		ok = ok && archive_write_set_filter_option(a, "gzip", "compression-level", opt) == ARCHIVE_OK;
	}
	ok = ok && archive_write_set_bytes_per_block(a, 0) == ARCHIVE_OK;
	ok = ok && archive_write_set_bytes_in_last_block(a, 1) == ARCHIVE_OK;
	ok = ok && archive_write_open2(a, out, NULL, buf_write, NULL, NULL) == ARCHIVE_OK;
	archive_entry_set_pathname(e, "layer.tar");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)n);
	ok = ok && archive_write_header(a, e) == ARCHIVE_OK;
	ok = ok && archive_write_data(a, in, n) == (la_ssize_t)n;
	ok = ok && archive_write_close(a) == ARCHIVE_OK;
	if (!ok)
		snprintf(err, errlen, "compressing the layer: %s", archive_error_string(a) ? archive_error_string(a) : "failed");
	archive_entry_free(e);
	archive_write_free(a);
	return ok;
}

/* ---- the tar stream ---------------------------------------------------------- */

static la_ssize_t tar_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	(void)a;
	pipeline *p = ud;
	feed(p, buf, n);
	if (p->opt->progress)
		p->opt->progress(p->opt->progress_ud, p->entries, p->tar_size, p->blob_size);
	if (p->failed) {
		archive_set_error(a, EIO, "%s", p->error);
		return -1;
	}
	return (la_ssize_t)n;
}

static int64_t clamp(const kf_layer_options *o, int64_t t)
{
	if (o->epoch >= 0 && t > o->epoch)
		return o->epoch;
	return t < 0 ? 0 : t;
}

static void set_common(struct archive_entry *ae, const kf_layer_options *o, const entry *e, int64_t mtime)
{
	archive_entry_unset_atime(ae);
	archive_entry_unset_ctime(ae);
	archive_entry_unset_birthtime(ae);
	archive_entry_set_mtime(ae, clamp(o, mtime), 0);
	archive_entry_set_uid(ae, e->uid >= 0 ? e->uid : 0);
	archive_entry_set_gid(ae, e->gid >= 0 ? e->gid : 0);
	archive_entry_set_uname(ae, NULL);
	archive_entry_set_gname(ae, NULL);
}

static bool cancelled(const kf_layer_options *o, kf_err *err)
{
	if (!o->cancel || !*o->cancel)
		return false;
	kf_err_set(err, "interrupted");
	return true;
}

static bool write_file_data(struct archive *a, const kf_layer_options *o, const char *path, int64_t size, kf_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		kf_err_set(err, "%s: %s", path, strerror(errno));
		return false;
	}
	static __thread char buf[1 << 17];
	int64_t left = size;
	while (left > 0) {
		ssize_t r = read(fd, buf, left < (int64_t)sizeof buf ? (size_t)left : sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			kf_err_set(err, "%s: %s", path, r < 0 ? strerror(errno) : "file shrank while it was read");
			close(fd);
			return false;
		}
		if (archive_write_data(a, buf, (size_t)r) != r) {
			kf_err_set(err, "%s", archive_error_string(a));
			close(fd);
			return false;
		}
		if (cancelled(o, err)) {
			close(fd);
			return false;
		}
		left -= r;
	}
	close(fd);
	return true;
}

static bool write_entry(struct archive *a, struct archive_entry_linkresolver *res, const kf_layer_options *o,
			const entry *e, kf_err *err)
{
	struct archive_entry *ae = archive_entry_new();
	struct archive_entry *spare = NULL;
	bool ok = true;
	const char *disk = NULL;
	archive_entry_set_pathname(ae, e->name);
	switch (e->kind) {
	case E_DIR:
		archive_entry_set_filetype(ae, AE_IFDIR);
		archive_entry_set_perm(ae, (mode_t)e->mode);
		set_common(ae, o, e, o->epoch >= 0 ? o->epoch : o->now);
		break;
	case E_DATA:
	case E_WHITEOUT:
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, (mode_t)e->mode);
		archive_entry_set_size(ae, (la_int64_t)e->len);
		set_common(ae, o, e, o->epoch >= 0 ? o->epoch : o->now);
		break;
	case E_FILE: {
		struct stat st;
		bool there = stat(e->disk, &st) == 0;
		if (!there || !S_ISREG(st.st_mode)) {
			kf_err_set(err, "%s: %s", e->disk, there ? "not a file" : strerror(errno));
			archive_entry_free(ae);
			return false;
		}
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, (mode_t)e->mode);
		archive_entry_set_size(ae, (la_int64_t)st.st_size);
		set_common(ae, o, e, o->epoch >= 0 ? o->epoch : o->now);
		disk = e->disk;
		break;
	}
	case E_DISK: {
		struct stat st;
		if (lstat(e->disk, &st) != 0) {
			kf_err_set(err, "%s: %s", e->disk, strerror(errno));
			archive_entry_free(ae);
			return false;
		}
		if (S_ISSOCK(st.st_mode)) {
			archive_entry_free(ae);
			return true; /* sockets are not stored, as tar does */
		}
		archive_entry_copy_stat(ae, &st);
		if (e->mode >= 0)
			archive_entry_set_perm(ae, (mode_t)e->mode);
		set_common(ae, o, e, st.st_mtime);
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlink(e->disk, target, sizeof target - 1);
			if (n < 0) {
				kf_err_set(err, "%s: %s", e->disk, strerror(errno));
				archive_entry_free(ae);
				return false;
			}
			target[n] = '\0';
			archive_entry_set_symlink(ae, target);
			archive_entry_set_size(ae, 0);
		} else if (S_ISREG(st.st_mode)) {
			disk = e->disk;
			if (st.st_nlink > 1) {
				archive_entry_linkify(res, &ae, &spare);
				if (ae && archive_entry_hardlink(ae))
					disk = NULL;
			}
		} else {
			archive_entry_set_size(ae, 0);
		}
		break;
	}
	}
	if (ae) {
		archive_entry_set_dev(ae, 0);
		archive_entry_set_ino(ae, 0);
		archive_entry_set_nlink(ae, 1);
		if (archive_write_header(a, ae) != ARCHIVE_OK) {
			kf_err_set(err, "%s: %s", e->name, archive_error_string(a));
			ok = false;
		} else if (e->kind == E_DATA && e->len) {
			ok = archive_write_data(a, e->data, e->len) == (la_ssize_t)e->len;
			if (!ok)
				kf_err_set(err, "%s", archive_error_string(a));
		} else if (disk && archive_entry_size(ae) > 0) {
			ok = write_file_data(a, o, disk, archive_entry_size(ae), err);
		}
		archive_entry_free(ae);
	}
	if (spare)
		archive_entry_free(spare);
	return ok;
}

/* Does a component of name begin with ".wh."? */
static bool has_whiteout_name(const char *name)
{
	for (const char *c = name; c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (strncmp(c, ".wh.", 4) == 0)
			return true;
	}
	return false;
}

/* What an entry is when it is not a directory ("file", "symbolic link"…),
 * else NULL. */
static const char *not_a_dir(const entry *e)
{
	if (e->kind == E_DIR)
		return NULL;
	if (e->kind != E_DISK)
		return "file";
	struct stat st;
	if (lstat(e->disk, &st) != 0 || S_ISDIR(st.st_mode))
		return NULL;
	return S_ISLNK(st.st_mode) ? "symbolic link" : S_ISREG(st.st_mode) ? "file" : "special file";
}

bool kf_layer_finish(kf_layer *l, const char *tmpdir, kf_layer_result *out, kf_err *err)
{
	memset(out, 0, sizeof *out);
	/* sort, drop all but the last entry of each name, add parents */
	if (l->entries.n)
		qsort(l->entries.v, l->entries.n, sizeof(entry), cmp_entry);
	KF_VEC(entry) list = {0};
	for (size_t i = 0; i < l->entries.n; i++) {
		entry *e = &l->entries.v[i];
		if (!e->name[0])
			continue;
		if (i + 1 < l->entries.n && strcmp(e->name, l->entries.v[i + 1].name) == 0)
			continue;
		kf_vec_push(&list, *e);
	}
	/* no name of ours may read as a whiteout; implied parents: each
	 * name's directories that are not entries, and none that is not a
	 * directory in this layer (an entry under a link would be written
	 * wherever the link points) */
	bool ok = true;
	size_t nlisted = list.n;
	for (size_t i = 0; i < nlisted && ok; i++)
		if (list.v[i].kind != E_WHITEOUT && has_whiteout_name(list.v[i].name)) {
			kf_err_set(err, "%s: a name that begins with .wh. would be read as a deletion (an OCI whiteout); rename the "
				 "file or leave it out",
				 list.v[i].name);
			ok = false;
		}
	for (size_t i = 0; i < nlisted && ok; i++) {
		const char *n = list.v[i].name;
		for (const char *s = strchr(n, '/'); s; s = strchr(s + 1, '/')) {
			char *dir = kf_arena_strndup(&l->arena, n, (size_t)(s - n));
			size_t lo = 0, hi = nlisted;
			while (lo < hi) {
				size_t mid = (lo + hi) / 2;
				if (strcmp(list.v[mid].name, dir) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			bool found = lo < nlisted && strcmp(list.v[lo].name, dir) == 0;
			const char *kind = found ? not_a_dir(&list.v[lo]) : NULL;
			if (kind && ok) {
				kf_err_set(err, "%s is a %s in this layer, and %s is under it", dir, kind, n);
				ok = false;
			}
			if (!found) {
				entry d = {.name = dir, .kind = E_DIR, .mode = 0755, .uid = -1, .gid = -1};
				kf_vec_push(&list, d);
			}
		}
	}
	if (list.n > nlisted) {
		qsort(list.v, list.n, sizeof(entry), cmp_entry);
		size_t w = 0;
		for (size_t i = 0; i < list.n; i++)
			if (w == 0 || strcmp(list.v[w - 1].name, list.v[i].name) != 0)
				list.v[w++] = list.v[i];
		list.n = w;
	}

	if (!ok) {
		kf_vec_free(&list);
		kf_layer_free(l);
		return false;
	}
	char *tmp = NULL;
	if (asprintf(&tmp, "%s/layer-XXXXXX", tmpdir ? tmpdir : "/dev/null") < 0)
		abort();
	int fd = tmpdir ? mkstemp(tmp) : open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		kf_err_set(err, "%s: %s", tmpdir ? tmpdir : "/dev/null", strerror(errno));
		free(tmp);
		kf_vec_free(&list);
		kf_layer_free(l);
		return false;
	}
	pipeline p;
	pipeline_start(&p, &l->opt, fd);
	struct archive *a = archive_write_new();
	struct archive_entry_linkresolver *res = archive_entry_linkresolver_new();
	archive_write_set_format_pax_restricted(a);
	archive_entry_linkresolver_set_strategy(res, archive_format(a) ? archive_format(a)
								   : ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	archive_write_set_bytes_per_block(a, 0); /* unblocked: no copy into 10 KiB blocks, no padding */
	ok = archive_write_open2(a, &p, NULL, tar_write, NULL, NULL) == ARCHIVE_OK;
	if (!ok)
		kf_err_set(err, "%s", archive_error_string(a));
	for (size_t i = 0; ok && i < list.n; i++) {
		p.entries = i + 1;
		ok = !cancelled(&l->opt, err) && write_entry(a, res, &l->opt, &list.v[i], err);
	}
	if (ok && archive_write_close(a) != ARCHIVE_OK) {
		kf_err_set(err, "%s", archive_error_string(a));
		ok = false;
	}
	archive_write_free(a);
	archive_entry_linkresolver_free(res);
	bool pok = pipeline_finish(&p, out);
	if (ok && !pok) {
		kf_err_set(err, "%s", p.error);
		ok = false;
	}
	if (ok && tmpdir && fchmod(fd, 0644) != 0) {
		kf_err_set(err, "%s: %s", tmp, strerror(errno));
		ok = false;
	}
	if (close(fd) != 0 && ok) {
		kf_err_set(err, "%s: %s", tmp, strerror(errno));
		ok = false;
	}
	out->nentries = list.n;
	kf_vec_free(&list);
	kf_layer_free(l);
	if (!ok || !tmpdir) {
		if (tmpdir)
			unlink(tmp);
		free(tmp);
		return ok;
	}
	out->tmp_path = tmp;
	return true;
}
