/* SPDX-License-Identifier: Apache-2.0 */
/* test_proc.c - unit tests of proc.c: the output is captured, the exit
 * status or signal told, a program that cannot start said so; at the time
 * limit the child and what it started are killed and the child is reaped
 * (no zombie left); the address-space limit and the working directory
 * reach the child, and so does the input given for its standard input;
 * with on_output, standard output and error come together, in order, as
 * they are written, and a child that ended is not waited for because
 * something it started holds the pipe; the cancel flag stops it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/proc.h"

static kf_proc_end run_sh(const char *script, unsigned timeout_ms, size_t max_memory, kf_buf *out, int *status)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	kf_proc p = {.argv = argv, .dir_fd = -1, .timeout_ms = timeout_ms, .max_memory = max_memory};
	return kf_proc_run(&p, out, status);
}

/* no child of this process is left, reaped or not */
static void no_child_left(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_output(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = -1;
	assert_int_equal(run_sh("printf 'a\\nb'; exit 3", 0, 0, &out, &status), KF_PROC_EXITED);
	assert_int_equal(status, 3);
	assert_string_equal(out.ptr, "a\nb");
	kf_buf_reset(&out);
	/* more than a pipe holds */
	assert_int_equal(run_sh("head -c 200000 /dev/zero", 5000, 0, &out, &status), KF_PROC_EXITED);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 200000);
	kf_buf_reset(&out);
	/* standard input is /dev/null */
	assert_int_equal(run_sh("cat", 5000, 0, &out, &status), KF_PROC_EXITED);
	assert_int_equal(out.len, 0);
	assert_int_equal(run_sh("kill -USR1 $$", 5000, 0, &out, &status), KF_PROC_SIGNALED);
	assert_int_equal(status, SIGUSR1);
	kf_buf_release(&out);
	no_child_left();
}

static void test_not_run(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = 0;
	char *argv[] = {"kf-no-such-program", NULL};
	kf_proc p = {.argv = argv, .dir_fd = -1};
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_NOT_RUN);
	assert_int_equal(status, ENOENT);
	char *argv2[] = {"/etc/passwd", NULL};
	p.argv = argv2;
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_NOT_RUN);
	assert_int_equal(status, EACCES);
	kf_buf_release(&out);
	no_child_left();
}

static void test_timeout(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* a child that ignores SIGTERM, with a grandchild holding the output
	 * open and another one not */
	assert_int_equal(run_sh("trap '' TERM; sleep 100 & sleep 100 >/dev/null & echo $!; wait", 300, 0,
				&out, &status),
			 KF_PROC_TIMED_OUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_true(ms >= 300 && ms < 3000);
	no_child_left();
	/* the grandchild is gone (or a zombie of init's) */
	long gc = strtol(out.ptr, NULL, 10);
	assert_true(gc > 0);
	char path[64], st[512] = "";
	snprintf(path, sizeof(path), "/proc/%ld/stat", gc);
	for (int i = 0; i < 100; i++) {
		FILE *f = fopen(path, "r");
		if (!f)
			break;
		size_t n = fread(st, 1, sizeof(st) - 1, f);
		st[n] = '\0';
		fclose(f);
		char *paren = strrchr(st, ')');
		if (paren && paren[2] == 'Z')
			break;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
		st[0] = '\0';
	}
	char *paren = strrchr(st, ')');
	assert_true(!st[0] || (paren && paren[2] == 'Z'));
	/* a child that closes its output but does not exit */
	kf_buf_reset(&out);
	assert_int_equal(run_sh("exec >&-; sleep 100", 200, 0, &out, &status), KF_PROC_TIMED_OUT);
	no_child_left();
	kf_buf_release(&out);
}

static void test_limits(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = 0;
	assert_int_equal(run_sh("ulimit -v", 5000, (size_t)256 << 20, &out, &status), KF_PROC_EXITED);
	assert_string_equal(out.ptr, "262144\n");
	kf_buf_release(&out);
	no_child_left();
}

/* the working directory */
static void test_dir(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = 0;
	int dfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *argv[] = {"pwd", NULL};
	kf_proc p = {.argv = argv, .dir_fd = dfd, .timeout_ms = 5000};
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_EXITED);
	assert_string_equal(out.ptr, "/\n");
	close(dfd);
	kf_buf_release(&out);
}

/* the bytes of input are the child's standard input, then its end */
static void test_input(void **state)
{
	(void)state;
	kf_buf out = KF_BUF_INIT;
	int status = -1;
	char *argv[] = {"sh", "-c", "cat; echo \"[$?]\"", NULL};
	kf_proc p = {.argv = argv, .dir_fd = -1, .timeout_ms = 5000, .input = "a\0b\nc", .input_len = 5};
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_EXITED);
	assert_int_equal(status, 0);
	assert_int_equal(out.len, 9);
	assert_memory_equal(out.ptr, "a\0b\nc[0]\n", 9);
	/* empty input: the end at once */
	kf_buf_reset(&out);
	p.input_len = 0;
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_EXITED);
	assert_string_equal(out.ptr, "[0]\n");
	/* the most a pipe takes at once, and one byte more */
	static char big[KF_PROC_INPUT_MAX + 1];
	memset(big, 'x', sizeof(big));
	kf_buf_reset(&out);
	p.input = big;
	p.input_len = KF_PROC_INPUT_MAX;
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_EXITED);
	assert_int_equal(out.len, KF_PROC_INPUT_MAX + 4);
	p.input_len = KF_PROC_INPUT_MAX + 1;
	assert_int_equal(kf_proc_run(&p, &out, &status), KF_PROC_NOT_RUN);
	assert_int_equal(status, E2BIG);
	kf_buf_release(&out);
	no_child_left();
}

static void collect(void *ud, const char *data, size_t len)
{
	kf_buf_add(ud, data, len);
}

static double seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_on_output(void **state)
{
	(void)state;
	kf_buf got = KF_BUF_INIT, none = KF_BUF_INIT;
	int status = -1;
	char *argv[] = {"sh", "-c", "echo out; echo err >&2; echo out2; exit 4", NULL};
	kf_proc p = {.argv = argv, .dir_fd = -1, .on_output = collect, .output_ud = &got};
	assert_int_equal(kf_proc_run(&p, &none, &status), KF_PROC_EXITED);
	assert_int_equal(status, 4);
	assert_string_equal(got.ptr, "out\nerr\nout2\n");
	assert_int_equal(none.len, 0);
	/* a background process keeps the pipe: the child's end is enough */
	kf_buf_reset(&got);
	char *bg[] = {"sh", "-c", "sleep 5 & echo done", NULL};
	p.argv = bg;
	double t0 = seconds();
	assert_int_equal(kf_proc_run(&p, &none, &status), KF_PROC_EXITED);
	assert_true(seconds() - t0 < 3);
	assert_string_equal(got.ptr, "done\n");
	/* the cancel flag, while the child writes nothing */
	static volatile sig_atomic_t cancel = 1;
	char *slow[] = {"sh", "-c", "sleep 5", NULL};
	p.argv = slow;
	p.cancel = &cancel;
	t0 = seconds();
	assert_int_equal(kf_proc_run(&p, &none, &status), KF_PROC_CANCELLED);
	assert_true(seconds() - t0 < 3);
	kf_buf_release(&got);
	no_child_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output),
		cmocka_unit_test(test_not_run),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_dir),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_on_output),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
