/* SPDX-License-Identifier: Apache-2.0 */
/* build_fetch.c - downloads of ADD and APP URLs, through libcurl, bounded
 * in size and speed and stopped by an interruption. See builder.h. */
#include "build/builder.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

typedef struct download {
	FILE *f;
	uint64_t got, max;
	bool too_big;
	volatile sig_atomic_t *interrupted;
	builder *b;
} download;

static size_t curl_write(char *p, size_t size, size_t n, void *ud)
{
	download *d = ud;
	size_t len = size * n;
	if (d->got + len > d->max) {
		d->too_big = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	d->got += len;
	return fwrite(p, 1, len, d->f);
}

/* Called at least once a second, even while nothing arrives. */
static int curl_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	download *d = ud;
	if (dlnow > 0) {
		d->b->counters.fetched = (uint64_t)dlnow;
		d->b->counters.fetch_total = dltotal > 0 ? (uint64_t)dltotal : 0;
		kf_builder_counters(d->b);
	}
	return d->interrupted && *d->interrupted ? 1 : 0;
}

/* "1 GiB", "512 MiB", "300 KiB" or bytes: a size as --max-download-size takes it */
static void fmt_binary(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = {"GiB", "MiB", "KiB"};
	for (int i = 0; i < 3; i++) {
		uint64_t u = 1ull << (10 * (3 - i));
		if (n >= u && n % u == 0) {
			snprintf(buf, len, "%llu %s", (unsigned long long)(n / u), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu bytes", (unsigned long long)n);
}

/* Downloads url into dest, bounded by the size cap, the stall timeout and
 * the front end's interruption (docs/build.md, "Security model"). */
bool kf_builder_fetch(builder *b, const kf_plan_step *step, const char *url, const char *dest, int64_t *mtime)
{
	FILE *f = fopen(dest, "wb");
	if (!f) {
		kf_builder_error(b, step, "KF606", "%s: %s", dest, strerror(errno));
		return false;
	}
	download d = {f, 0, b->o->max_download ? b->o->max_download : KF_MAX_DOWNLOAD_DEFAULT, false,
		      b->o->interrupted, b};
	long stall = b->o->stall_timeout > 0 ? b->o->stall_timeout : KF_STALL_TIMEOUT_DEFAULT;
	CURL *c = curl_easy_init();
	char ebuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &d);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, curl_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, &d);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)d.max);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, (long)KF_STALL_SPEED);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, stall);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_FILETIME, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)KF_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "kfc/" PACKAGE_VERSION);
	CURLcode r = curl_easy_perform(c);
	long ft = -1;
	curl_easy_getinfo(c, CURLINFO_FILETIME, &ft);
	*mtime = ft > 0 ? ft : -1;
	double connected = 0;
	curl_easy_getinfo(c, CURLINFO_CONNECT_TIME, &connected);
	curl_easy_cleanup(c);
	bool ok = fclose(f) == 0 && r == CURLE_OK;
	char sz[32];
	fmt_binary(sz, sizeof sz, d.max);
	if (r == CURLE_ABORTED_BY_CALLBACK)
		kf_builder_error(b, step, "KF608", "fetching %s: interrupted", url);
	else if (r == CURLE_FILESIZE_EXCEEDED || d.too_big)
		kf_builder_error(b, step, "KF602", "fetching %s: larger than the --max-download-size of %s", url, sz);
	else if (r == CURLE_OPERATION_TIMEDOUT && connected > 0)
		kf_builder_error(b, step, "KF602", "fetching %s: less than 1 kB/s for %ld s (--download-stall-timeout)", url, stall);
	else if (r == CURLE_OPERATION_TIMEDOUT)
		kf_builder_error(b, step, "KF602", "fetching %s: no connection within %d s", url, KF_CONNECT_TIMEOUT);
	else if (r != CURLE_OK)
		kf_builder_error(b, step, "KF602", "fetching %s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(r));
	else if (!ok)
		kf_builder_error(b, step, "KF606", "%s: %s", dest, strerror(errno));
	return ok;
}
