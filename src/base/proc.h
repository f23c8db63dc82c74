/* SPDX-License-Identifier: Apache-2.0 */
/* proc.h - the process runner: runs a program with its standard output
 * captured, within a time limit and an address-space limit.
 *
 * The child gets /dev/null (or the bytes of input) as standard input, a
 * pipe as standard output,
 * and the caller's standard error (or the same pipe, with on_output); it runs in a process group of its own,
 * so that at the time limit it is killed with everything it started
 * (SIGKILL to the group). On Linux it is also killed if the caller dies.
 * The child is always reaped before kf_proc_run returns, and no
 * descriptor of the runner is left open in the caller or passed to the
 * child. No signal handler is installed; SIGPIPE cannot reach the caller,
 * which only reads.
 */
#ifndef KF_PROC_H
#define KF_PROC_H

#include <signal.h>
#include <stddef.h>

#include "base/buf.h"

/* The most bytes of input: PIPE_BUF, which a pipe always takes whole. */
#define KF_PROC_INPUT_MAX 4096

typedef struct kf_proc {
	char *const *argv;   /* NULL-terminated */
	const char *path;    /* the program; NULL: argv[0], looked up with kf_proc_which */
	int dir_fd;          /* the child's working directory; -1: the caller's */
	unsigned timeout_ms; /* wall-clock limit from the start; 0: none */
	size_t max_memory;   /* bytes of address space (RLIMIT_AS); 0: no limit */
	int out_fd;          /* 0: standard output captured into out; else the child's
			      * standard output is this descriptor (1, 2) */
	char *const *envp;   /* the child's environment; NULL: the caller's */
	volatile sig_atomic_t *cancel; /* when set (by a signal handler): SIGTERM to the child's
			      * group, SIGKILL half a second later; NULL: never */
	const char *input;   /* NULL: standard input is /dev/null; else the child reads
			      * these input_len bytes, then the end of the file */
	size_t input_len;    /* at most KF_PROC_INPUT_MAX: a pipe takes them at once */
	/* when set (out_fd 0): the child's standard output and error are one
	 * pipe, whose bytes are handed to on_output as they come (not added to
	 * out); reading stops when the child has ended, with what it left in
	 * the pipe, even if something it started still holds the pipe open */
	void (*on_output)(void *ud, const char *data, size_t len);
	void *output_ud;
} kf_proc;

typedef enum kf_proc_end {
	KF_PROC_NOT_RUN,   /* it could not be started (not found, or exec failed): status is an errno
			    * (E2BIG: input longer than KF_PROC_INPUT_MAX) */
	KF_PROC_EXITED,    /* status is its exit status */
	KF_PROC_SIGNALED,  /* killed by a signal the runner did not send: status is the signal */
	KF_PROC_TIMED_OUT, /* killed by the runner at the time limit */
	KF_PROC_CANCELLED, /* killed by the runner when *cancel was set */
} kf_proc_end;

/* The program name would run as, malloc'd: name itself when it holds a
 * '/', else the first executable file of that name in PATH (as execvp
 * looks); NULL when there is none. */
char *kf_proc_which(const char *name);

/* Runs p; what it writes on standard output is added to out (also when it
 * fails or times out). */
kf_proc_end kf_proc_run(const kf_proc *p, kf_buf *out, int *status);

#endif
