/* SPDX-License-Identifier: Apache-2.0 */
/* progress.c - see progress.h */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/imageref.h"
#include "cli/progress.h"
#include "base/textwidth.h"

#define TICK_NS 100000000L /* the status line: ten redraws a second at most */
#define PARTIAL_WAIT 1.0   /* seconds an unfinished line of RUN output waits for its end */
#define PARTIAL_MAX 65536  /* an unfinished line this long is written at once */

struct kf_build_view {
	bool tty, quiet;
	kf_transfer pull; /* plain: a line per blob fetched */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t ticker;
	bool ticking, stop;
	bool shown; /* the status line is on the terminal */
	/* the running step (tty) */
	bool active, headed; /* headed: its name was written above its RUN output */
	size_t index, count;
	char *created_by;
	double t0;
	kf_build_progress_event counters;
	/* blobs being fetched (tty): digest → bytes so far; those done */
	json_t *moving;
	uint64_t fetched;
	unsigned blobs;
	double pull_t0; /* when the first of them began; 0: none */
	/* RUN output (tty): the end of a line not written yet, since when */
	kf_buf partial;
	double partial_at;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fmt_size(char *buf, size_t len, uint64_t n)
{
	if (n < 1000)
		snprintf(buf, len, "%llu B", (unsigned long long)n);
	else if (n < 1000000)
		snprintf(buf, len, "%.1f kB", n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, len, "%.1f MB", n / 1e6);
	else
		snprintf(buf, len, "%.2f GB", n / 1e9);
}

/* ---- text cut to a width --------------------------------------------------------------- */

/* The terminal's width, read each time (a resized window needs no
 * signal): standard error's, else COLUMNS, else 80. */
static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	long n = c ? strtol(c, NULL, 10) : 0;
	return n > 0 && n < 10000 ? (int)n : 80;
}

/* head, body and tail on one line of fewer columns than the terminal has
 * (a line as wide as the terminal wraps on some): body is cut first, to
 * twelve columns at the least; then the line as a whole. */
static void put_line(kf_buf *out, const char *head, const char *body, const char *tail)
{
	int width = term_width() - 1;
	int hw = kf_text_width(head), tw = kf_text_width(tail), bw = kf_text_width(body);
	int room = width - hw - tw, least = bw < 12 ? bw : 12;
	kf_buf line = KF_BUF_INIT;
	kf_text_put(&line, head, hw);
	kf_text_put(&line, body, room > least ? room : least);
	kf_text_put(&line, tail, tw);
	kf_text_put(out, line.ptr ? line.ptr : "", width);
	kf_buf_release(&line);
}

/* ---- drawing (under the lock) ------------------------------------------------------------- */

static void put(const kf_buf *b)
{
	if (b->len)
		fwrite(b->ptr, 1, b->len, stderr);
	fflush(stderr);
}

static void clear_status(kf_build_view *v)
{
	if (!v->shown)
		return;
	fputs("\r\033[K", stderr);
	v->shown = false;
}

/* the running step's name above its RUN output, once */
static void head_step(kf_build_view *v)
{
	if (!v->active || v->headed)
		return;
	kf_buf b = KF_BUF_INIT;
	char head[64];
	snprintf(head, sizeof head, "[%zu/%zu] ", v->index + 1, v->count);
	put_line(&b, head, v->created_by, "");
	kf_buf_addc(&b, '\n');
	put(&b);
	kf_buf_release(&b);
	v->headed = true;
}

/* the unfinished line of RUN output, ended */
static void end_partial(kf_build_view *v)
{
	if (!v->partial.len)
		return;
	clear_status(v);
	head_step(v);
	kf_buf_addc(&v->partial, '\n');
	put(&v->partial);
	kf_buf_reset(&v->partial);
}

/* the counters of the status line after its timer */
static void counters(const kf_build_view *v, kf_buf *tail)
{
	char a[32], b[32];
	const kf_build_progress_event *c = &v->counters;
	if (v->active && c->fetched && !c->entries && !c->bytes) { /* until the layer is written */
		fmt_size(a, sizeof a, c->fetched);
		fmt_size(b, sizeof b, c->fetch_total);
		kf_buf_printf(tail, c->fetch_total ? "  fetched %s of %s" : "  fetched %s", a, b);
	}
	if (v->active && (c->entries || c->bytes)) {
		fmt_size(a, sizeof a, c->bytes);
		kf_buf_printf(tail, "  %llu entr%s, %s", (unsigned long long)c->entries, c->entries == 1 ? "y" : "ies", a);
		if (c->blob && c->blob != c->bytes) {
			fmt_size(b, sizeof b, c->blob);
			kf_buf_printf(tail, " → %s", b);
		}
	}
	if (v->pull_t0 > 0) {
		uint64_t bytes = v->fetched;
		const char *k;
		json_t *n;
		json_object_foreach(v->moving, k, n) bytes += (uint64_t)json_integer_value(n);
		fmt_size(a, sizeof a, bytes);
		unsigned nb = v->blobs + (unsigned)json_object_size(v->moving); /* done and moving */
		kf_buf_printf(tail, "  %u blob%s, %s fetched", nb, nb == 1 ? "" : "s", a);
	}
}

static void draw_status(kf_build_view *v)
{
	double now = now_s();
	if (v->partial.len && now - v->partial_at >= PARTIAL_WAIT)
		end_partial(v);
	if (!v->active && (v->pull_t0 <= 0 || !json_object_size(v->moving)))
		return; /* between steps: only while blobs move */
	kf_buf tail = KF_BUF_INIT, out = KF_BUF_INIT;
	char head[64];
	double t0 = v->active ? v->t0 : v->pull_t0;
	snprintf(head, sizeof head, v->active ? "[%zu/%zu] " : "", v->index + 1, v->count);
	kf_buf_printf(&tail, "  %.1fs", now - t0);
	counters(v, &tail);
	kf_buf_adds(&out, "\r\033[K");
	put_line(&out, head, v->active ? v->created_by : "fetching", tail.ptr);
	put(&out);
	v->shown = true;
	kf_buf_release(&tail);
	kf_buf_release(&out);
}

static void reset_blobs(kf_build_view *v)
{
	json_object_clear(v->moving);
	v->fetched = 0;
	v->blobs = 0;
	v->pull_t0 = 0;
}

static void *tick(void *arg)
{
	kf_build_view *v = arg;
	pthread_mutex_lock(&v->lock);
	while (!v->stop) {
		/* from now, not from the last tick: a late tick is not caught up */
		struct timespec next;
		clock_gettime(CLOCK_MONOTONIC, &next);
		next.tv_nsec += TICK_NS;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (!v->stop && pthread_cond_timedwait(&v->wake, &v->lock, &next) != ETIMEDOUT)
			;
		if (!v->stop)
			draw_status(v);
	}
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

/* ---- the report's callbacks ------------------------------------------------------------- */

static void show_step(void *ud, const kf_build_step_event *e)
{
	kf_build_view *v = ud;
	if (v->quiet)
		return;
	if (!v->tty) {
		if (e->state == KF_BUILD_STEP_NOTED || e->state == KF_BUILD_STEP_STARTED) {
			fprintf(stderr, "[%zu/%zu] %s\n", e->index + 1, e->count, e->created_by);
			return;
		}
	}
	char what[160], sz[32], tsz[32];
	fmt_size(sz, sizeof sz, e->size);
	if (e->state == KF_BUILD_STEP_CACHED)
		snprintf(what, sizeof what, e->size ? "CACHED %s" : "CACHED (no change)", sz);
	else if (e->state == KF_BUILD_STEP_UNCHANGED)
		snprintf(what, sizeof what, "no change");
	else {
		fmt_size(tsz, sizeof tsz, e->tar_size);
		snprintf(what, sizeof what, "%s (%s in %llu entries)", sz, tsz, (unsigned long long)e->entries);
	}
	if (!v->tty) {
		fprintf(stderr, "[%zu/%zu] => %s in %.2fs\n", e->index + 1, e->count, what, e->secs);
		return;
	}
	pthread_mutex_lock(&v->lock);
	if (e->state == KF_BUILD_STEP_STARTED) {
		end_partial(v);
		free(v->created_by);
		v->created_by = strdup(e->created_by);
		v->index = e->index;
		v->count = e->count;
		v->t0 = now_s();
		v->counters = (kf_build_progress_event){.index = e->index, .count = e->count};
		v->active = v->created_by != NULL;
		v->headed = false;
		reset_blobs(v);
		pthread_mutex_unlock(&v->lock);
		return;
	}
	end_partial(v);
	char head[64], tail[200];
	snprintf(head, sizeof head, "[%zu/%zu] ", e->index + 1, e->count);
	if (e->state == KF_BUILD_STEP_NOTED)
		tail[0] = '\0';
	else
		snprintf(tail, sizeof tail, "  %s  %.2fs", what, e->secs);
	kf_buf b = KF_BUF_INIT;
	kf_buf_adds(&b, "\r\033[K");
	put_line(&b, head, e->created_by, tail);
	kf_buf_addc(&b, '\n');
	put(&b);
	kf_buf_release(&b);
	v->shown = false;
	if (e->state != KF_BUILD_STEP_NOTED) {
		v->active = false;
		reset_blobs(v);
	}
	pthread_mutex_unlock(&v->lock);
}

/* text (whole lines) to standard error, below the status line */
static void show_lines(kf_build_view *v, const char *text)
{
	pthread_mutex_lock(&v->lock);
	end_partial(v);
	clear_status(v);
	fputs(text, stderr);
	fflush(stderr);
	pthread_mutex_unlock(&v->lock);
}

static void show_message(void *ud, kf_severity sev, const char *code, const char *msg)
{
	kf_build_view *v = ud;
	if (sev != KF_SEV_ERROR && v->quiet)
		return;
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, sev == KF_SEV_ERROR ? "kfc build: %s [%s]\n" : "kfc build: warning: %s [%s]\n", msg, code);
	show_lines(v, b.ptr);
	kf_buf_release(&b);
}

static void show_files(void *ud, const char *rendered)
{
	kf_build_view *v = ud;
	if (!v->quiet)
		show_lines(v, rendered);
}

static void show_blob(void *ud, const char *digest, uint64_t done, uint64_t total, bool finished)
{
	kf_build_view *v = ud;
	if (!v->tty) {
		kf_transfer_blob(&v->pull, digest, done, total, finished);
		return;
	}
	pthread_mutex_lock(&v->lock);
	if (v->pull_t0 <= 0)
		v->pull_t0 = now_s();
	if (finished) {
		json_object_del(v->moving, digest);
		v->fetched += done;
		v->blobs++;
	} else {
		json_object_set_new(v->moving, digest, json_integer((json_int_t)done));
	}
	pthread_mutex_unlock(&v->lock);
}

/* a container image of the cache, in the store */
static void show_image(void *ud, const kf_build_image_event *e)
{
	kf_build_view *v = ud;
	if (v->quiet)
		return;
	char *familiar = kf_imageref_familiar(e->name);
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "  image %s %.19s: %u blob%s fetched (%.1f MB), %u in the store\n", familiar, e->digest,
		      e->fetched, e->fetched == 1 ? "" : "s", (double)e->bytes / 1e6, e->present);
	free(familiar);
	show_lines(v, b.ptr);
	kf_buf_release(&b);
}

static void show_platform(void *ud, const char *platform, size_t index, size_t count)
{
	kf_build_view *v = ud;
	if (v->quiet)
		return;
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "platform %s (%zu/%zu)\n", platform, index + 1, count);
	show_lines(v, b.ptr);
	kf_buf_release(&b);
}

static void show_progress(void *ud, const kf_build_progress_event *e)
{
	kf_build_view *v = ud;
	pthread_mutex_lock(&v->lock);
	if (v->active && e->index == v->index)
		v->counters = *e;
	pthread_mutex_unlock(&v->lock);
}

/* RUN output: whole lines below the status line, under the step's name */
static void show_output(void *ud, const char *data, size_t len)
{
	kf_build_view *v = ud;
	pthread_mutex_lock(&v->lock);
	if (!v->partial.len)
		v->partial_at = now_s();
	kf_buf_add(&v->partial, data, len);
	const char *nl = memrchr(v->partial.ptr, '\n', v->partial.len);
	if (nl) {
		size_t k = (size_t)(nl - v->partial.ptr) + 1;
		clear_status(v);
		head_step(v);
		fwrite(v->partial.ptr, 1, k, stderr);
		fflush(stderr);
		memmove(v->partial.ptr, v->partial.ptr + k, v->partial.len - k + 1);
		v->partial.len -= k;
		v->partial_at = now_s();
	}
	if (v->partial.len >= PARTIAL_MAX)
		end_partial(v);
	pthread_mutex_unlock(&v->lock);
}

/* ---- the view ---------------------------------------------------------------------------- */

kf_build_view *kf_build_view_new(kf_transfer_mode mode)
{
	kf_build_view *v = calloc(1, sizeof *v);
	if (!v)
		abort();
	v->quiet = mode == KF_TRANSFER_QUIET;
	v->tty = mode == KF_TRANSFER_TTY || (mode == KF_TRANSFER_AUTO && isatty(STDERR_FILENO));
	kf_transfer_init(&v->pull, v->quiet || v->tty ? KF_TRANSFER_QUIET : KF_TRANSFER_PLAIN, "fetched");
	v->moving = json_object();
	pthread_mutex_init(&v->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (v->tty) {
		/* the signals the front end catches go to another thread */
		sigset_t all, old;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		v->ticking = pthread_create(&v->ticker, NULL, tick, v) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	return v;
}

kf_build_report kf_build_view_report(kf_build_view *v)
{
	kf_build_report r = {v, show_step, show_message, show_files, show_blob, show_image, show_platform, NULL, NULL};
	if (v->tty) {
		/* elsewhere RUN writes on standard error itself */
		r.progress = show_progress;
		r.output = show_output;
	}
	return r;
}

bool kf_build_view_tty(const kf_build_view *v)
{
	return v->tty;
}

void kf_build_view_end(kf_build_view *v, int status)
{
	pthread_mutex_lock(&v->lock);
	v->stop = true;
	pthread_cond_broadcast(&v->wake);
	pthread_mutex_unlock(&v->lock);
	if (v->ticking)
		pthread_join(v->ticker, NULL);
	v->ticking = false;
	end_partial(v);
	if (v->tty && v->active) {
		char head[64], tail[64];
		snprintf(head, sizeof head, "[%zu/%zu] ", v->index + 1, v->count);
		snprintf(tail, sizeof tail, "  %s  %.2fs", status == KF_EXIT_INTERRUPTED ? "interrupted" : "failed",
			 now_s() - v->t0);
		kf_buf b = KF_BUF_INIT;
		kf_buf_adds(&b, "\r\033[K");
		put_line(&b, head, v->created_by, tail);
		kf_buf_addc(&b, '\n');
		put(&b);
		kf_buf_release(&b);
		v->shown = false;
		v->active = false;
	}
	clear_status(v);
	fflush(stderr);
	kf_transfer_end(&v->pull);
}

void kf_build_view_built(kf_build_view *v, const char *digest, const char *after)
{
	if (v->quiet)
		return;
	kf_buf b = KF_BUF_INIT;
	kf_buf_printf(&b, "built %s%s", digest, after);
	if (v->tty && kf_text_width(b.ptr) > term_width() - 1) {
		kf_buf_reset(&b);
		kf_buf_printf(&b, "built%s:\n%s", after, digest);
	}
	fprintf(stderr, "%s\n", b.ptr);
	kf_buf_release(&b);
}

void kf_build_view_free(kf_build_view *v)
{
	if (!v)
		return;
	if (v->ticking)
		kf_build_view_end(v, 0);
	json_decref(v->moving);
	kf_buf_release(&v->partial);
	free(v->created_by);
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->wake);
	free(v);
}
