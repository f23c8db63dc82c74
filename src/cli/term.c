/* SPDX-License-Identifier: Apache-2.0 */
/* term.c - exit statuses, colour and output shared by the commands. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/term.h"

bool kf_term_color_parse(const char *when, kf_color *out)
{
	static const struct {
		const char *name;
		kf_color color;
	} words[] = {{"auto", KF_COLOR_AUTO}, {"always", KF_COLOR_ALWAYS}, {"never", KF_COLOR_NEVER}};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(when, words[i].name) == 0) {
			*out = words[i].color;
			return true;
		}
	return false;
}

bool kf_term_color(kf_color when, int fd)
{
	if (when != KF_COLOR_AUTO)
		return when == KF_COLOR_ALWAYS;
	const char *no_color = getenv("NO_COLOR");
	return isatty(fd) && !(no_color && *no_color);
}

bool kf_term_write(FILE *f, const kf_buf *b)
{
	return !b->len || fwrite(b->ptr, 1, b->len, f) == b->len;
}

bool kf_term_flush(const char *prog)
{
	/* a write that failed before leaves the stream's error set and may have
	 * left nothing to flush */
	if (fflush(stdout) == 0 && !ferror(stdout))
		return true;
	fprintf(stderr, "%s: write error: %s\n", prog, strerror(errno));
	return false;
}

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

volatile sig_atomic_t *kf_term_catch_interrupts(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	return &interrupted;
}
