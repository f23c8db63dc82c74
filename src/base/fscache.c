/* SPDX-License-Identifier: Apache-2.0 */
/* fscache.c - see fscache.h. */
#include "base/fscache.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/vec.h"

/* A listing is kept for directories up to this size; a larger one is read
 * each time it is listed (and its entries are stat'ed one by one). */
#define KF_FSCACHE_MAX_ENTRIES 65536u
/* Directories not asked about for this many runs are forgotten ... */
#define KF_FSCACHE_IDLE_RUNS 128u
/* ... and past this many directories, those not asked about in the last
 * run are too. */
#define KF_FSCACHE_MAX_DIRS 4096u
/* A listing read within this many seconds of the directory's last change
 * may miss a change stamped with the same time. */
#define KF_FSCACHE_RACY_SECONDS 2

/* MISSING: not a directory.  UNREAD: a directory whose names are asked
 * for one by one until it has been asked about twice (a one-shot lint of a
 * file beside thousands of others reads no listing).  LISTED: its listing
 * is kept.  UNLISTED: too large to keep, or unreadable: asked one by one. */
enum dir_state { DIR_MISSING, DIR_UNREAD, DIR_LISTED, DIR_UNLISTED };

typedef struct fsdir_rec {
	char *path;
	uint64_t hash;
	unsigned long checked; /* the run it was last validated in */
	unsigned long used;    /* the run it was last asked about in */
	unsigned long asked;   /* how many times, in all */
	enum dir_state state;
	bool racy;
	dev_t dev;
	ino_t ino;
	struct timespec mtime, ctime;
	kf_fsdir list;
} dir_rec;

struct kf_fscache {
	dir_rec **slots; /* open addressing, linear probing; cap a power of two */
	size_t cap, n;
	unsigned long run;
	size_t reads;
};

static uint64_t hash_path(const char *s)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

kf_fscache *kf_fscache_new(void)
{
	kf_fscache *fs = kf_xcalloc(1, sizeof(*fs));
	fs->cap = 64;
	fs->slots = kf_xcalloc(fs->cap, sizeof(*fs->slots));
	fs->run = 1;
	return fs;
}

static void dir_free(dir_rec *d)
{
	kf_fsdir_release(&d->list);
	free(d->path);
	free(d);
}

void kf_fscache_free(kf_fscache *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->cap; i++)
		if (fs->slots[i])
			dir_free(fs->slots[i]);
	free(fs->slots);
	free(fs);
}

static void place(dir_rec **slots, size_t cap, dir_rec *d)
{
	size_t i = (size_t)d->hash & (cap - 1);
	while (slots[i])
		i = (i + 1) & (cap - 1);
	slots[i] = d;
}

/* Rebuilds the table with room for twice its entries, dropping the
 * directories last asked about before run min_used. */
static void rebuild(kf_fscache *fs, unsigned long min_used)
{
	size_t n = 0;
	for (size_t i = 0; i < fs->cap; i++) {
		dir_rec *d = fs->slots[i];
		if (d && d->used < min_used) {
			dir_free(d);
			fs->slots[i] = NULL;
		} else if (d) {
			n++;
		}
	}
	size_t cap = 64;
	while (cap < 2 * n + 2)
		cap *= 2;
	dir_rec **slots = kf_xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < fs->cap; i++)
		if (fs->slots[i])
			place(slots, cap, fs->slots[i]);
	free(fs->slots);
	fs->slots = slots;
	fs->cap = cap;
	fs->n = n;
}

void kf_fscache_begin(kf_fscache *fs)
{
	if (!fs)
		return;
	fs->run++;
	if (fs->run % KF_FSCACHE_IDLE_RUNS == 0 && fs->run > KF_FSCACHE_IDLE_RUNS)
		rebuild(fs, fs->run - KF_FSCACHE_IDLE_RUNS);
	if (fs->n > KF_FSCACHE_MAX_DIRS)
		rebuild(fs, fs->run - 1);
}

static unsigned stat_type(const char *path, bool follow)
{
	struct stat st;
	if ((follow ? stat(path, &st) : lstat(path, &st)) != 0)
		return 0;
	return (unsigned)(st.st_mode & S_IFMT);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const kf_fsentry *)a)->name, ((const kf_fsentry *)b)->name);
}

/* Reads the listing of path into *out (one allocation: the entries, then
 * the names).  limit: give up (false) past that many entries. */
static bool read_listing(const char *path, kf_fsdir *out, size_t limit)
{
	out->entries = NULL;
	out->n = 0;
	out->own = NULL;
	DIR *dp = opendir(path);
	if (!dp)
		return false;
	KF_VEC(kf_fsentry) ents = {NULL, 0, 0};
	kf_buf names = KF_BUF_INIT;
	kf_buf full = KF_BUF_INIT;
	bool ok = true;
	struct dirent *e;
	while ((e = readdir(dp))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (ents.n >= limit) {
			ok = false;
			break;
		}
		unsigned type;
		if (e->d_type != DT_UNKNOWN) {
			type = (unsigned)DTTOIF(e->d_type);
		} else {
			kf_buf_reset(&full);
			kf_buf_printf(&full, "%s/%s", path, e->d_name);
			type = stat_type(full.ptr, false);
		}
		/* the name's offset in names, until names stops moving */
		kf_fsentry fe = {(const char *)(uintptr_t)names.len, type};
		kf_vec_push(&ents, fe);
		kf_buf_add(&names, e->d_name, strlen(e->d_name) + 1);
	}
	closedir(dp);
	kf_buf_release(&full);
	if (ok) {
		size_t head = ents.n * sizeof(kf_fsentry);
		char *block = kf_xmalloc(head + names.len + 1);
		kf_fsentry *v = (kf_fsentry *)(void *)block;
		char *pool = block + head;
		if (names.len)
			memcpy(pool, names.ptr, names.len);
		for (size_t i = 0; i < ents.n; i++) {
			v[i].name = pool + (uintptr_t)ents.v[i].name;
			v[i].type = ents.v[i].type;
		}
		qsort(v, ents.n, sizeof(*v), by_name);
		out->entries = v;
		out->n = ents.n;
		out->own = block;
	}
	kf_vec_free(&ents);
	kf_buf_release(&names);
	return ok;
}

void kf_fsdir_release(kf_fsdir *list)
{
	free(list->own);
	list->entries = NULL;
	list->n = 0;
	list->own = NULL;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

static bool recent(const struct stat *st)
{
	struct timespec now;
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return true;
	time_t last = st->st_mtim.tv_sec > st->st_ctim.tv_sec ? st->st_mtim.tv_sec : st->st_ctim.tv_sec;
	return now.tv_sec - last <= KF_FSCACHE_RACY_SECONDS;
}

/* The directory at path as of this run, validated once per run; its
 * listing is read when list, or at its second question. */
static dir_rec *dir_get(kf_fscache *fs, const char *path, bool list)
{
	uint64_t h = hash_path(path);
	size_t i = (size_t)h & (fs->cap - 1);
	dir_rec *d;
	while ((d = fs->slots[i]) && !(d->hash == h && strcmp(d->path, path) == 0))
		i = (i + 1) & (fs->cap - 1);
	if (!d) {
		if (2 * (fs->n + 1) > fs->cap) {
			rebuild(fs, 0);
			return dir_get(fs, path, list);
		}
		d = kf_xcalloc(1, sizeof(*d));
		d->path = kf_xstrdup(path);
		d->hash = h;
		d->state = DIR_MISSING;
		fs->slots[i] = d;
		fs->n++;
	}
	d->used = fs->run;
	d->asked++;
	if (d->checked != fs->run) {
		d->checked = fs->run;
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
			kf_fsdir_release(&d->list);
			d->state = DIR_MISSING;
			return d;
		}
		bool same = d->state != DIR_MISSING && !d->racy && d->dev == st.st_dev && d->ino == st.st_ino &&
			    same_time(d->mtime, st.st_mtim) && same_time(d->ctime, st.st_ctim);
		if (!same) {
			kf_fsdir_release(&d->list);
			d->state = DIR_UNREAD;
			d->dev = st.st_dev;
			d->ino = st.st_ino;
			d->mtime = st.st_mtim;
			d->ctime = st.st_ctim;
			d->racy = recent(&st);
		}
	}
	if (d->state == DIR_UNREAD && (list || d->asked > 1)) {
		fs->reads++;
		d->state = read_listing(path, &d->list, KF_FSCACHE_MAX_ENTRIES) ? DIR_LISTED : DIR_UNLISTED;
	}
	return d;
}

size_t kf_fscache_reads(const kf_fscache *fs)
{
	return fs ? fs->reads : 0;
}

unsigned kf_fscache_type(kf_fscache *fs, const char *path)
{
	if (!fs || !*path)
		return stat_type(path, true);
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	const char *base = slash ? slash + 1 : path;
	size_t blen = len - (size_t)(base - path);
	if (!blen || (blen == 1 && base[0] == '.') || (blen == 2 && base[0] == '.' && base[1] == '.'))
		return stat_type(path, true);
	/* the directory and the name, on the stack unless they are long */
	char small[1024];
	size_t dlen = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
	char *dir = dlen + 1 + blen + 1 <= sizeof(small) ? small : kf_xmalloc(dlen + 1 + blen + 1);
	memcpy(dir, !slash ? "." : path, dlen);
	dir[dlen] = '\0';
	char *name = dir + dlen + 1;
	memcpy(name, base, blen);
	name[blen] = '\0';
	dir_rec *d = dir_get(fs, dir, false);
	unsigned type = 0;
	if (d->state == DIR_LISTED) {
		kf_fsentry key = {name, 0};
		const kf_fsentry *e = bsearch(&key, d->list.entries, d->list.n, sizeof(key), by_name);
		type = e ? e->type : 0;
		if (type == S_IFLNK)
			type = stat_type(path, true);
	} else if (d->state != DIR_MISSING) {
		type = stat_type(path, true);
	}
	if (dir != small)
		free(dir);
	return type;
}

bool kf_fscache_list(kf_fscache *fs, const char *path, kf_fsdir *out)
{
	if (fs) {
		dir_rec *d = dir_get(fs, path, true);
		if (d->state == DIR_MISSING)
			return false;
		if (d->state == DIR_LISTED) {
			*out = d->list;
			out->own = NULL; /* the cache keeps it */
			return true;
		}
		/* too large to keep, or unreadable: read for the caller */
	}
	return read_listing(path, out, SIZE_MAX);
}

/* path holds the directory to list: the walk's top, then "/" rel; the
 * relative part starts at path->ptr + top */
static bool walk(kf_fscache *fs, kf_buf *path, size_t top, kf_fswalk_fn *fn, void *ctx, unsigned depth)
{
	kf_fsdir l;
	if (depth > 256 || !kf_fscache_list(fs, path->ptr, &l))
		return true;
	size_t len = path->len;
	bool go = true;
	for (size_t i = 0; i < l.n && go; i++) {
		kf_buf_addc(path, '/');
		kf_buf_adds(path, l.entries[i].name);
		go = fn(ctx, path->ptr + top, l.entries[i].type);
		if (go && l.entries[i].type == S_IFDIR)
			go = walk(fs, path, top, fn, ctx, depth + 1);
		path->len = len;
		path->ptr[len] = '\0';
	}
	kf_fsdir_release(&l);
	return go;
}

bool kf_fscache_walk(kf_fscache *fs, const char *dir, kf_fswalk_fn *fn, void *ctx)
{
	if (kf_fscache_type(fs, dir) != S_IFDIR)
		return false;
	kf_buf path = KF_BUF_INIT;
	kf_buf_adds(&path, dir);
	while (path.len > 1 && path.ptr[path.len - 1] == '/')
		path.ptr[--path.len] = '\0';
	walk(fs, &path, path.len + 1, fn, ctx, 0);
	kf_buf_release(&path);
	return true;
}
