/* SPDX-License-Identifier: Apache-2.0 */
/* proc.c - see proc.h */
#include "base/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "base/arena.h"

extern char **environ;

/* Resolved before fork, so that the child calls only async-signal-safe
 * functions. */
char *kf_proc_which(const char *name)
{
	if (strchr(name, '/'))
		return kf_xstrdup(name);
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	kf_buf b = KF_BUF_INIT;
	for (;;) {
		size_t n = strcspn(path, ":");
		kf_buf_reset(&b);
		if (n)
			kf_buf_add(&b, path, n);
		else
			kf_buf_addc(&b, '.');
		kf_buf_addc(&b, '/');
		kf_buf_adds(&b, name);
		struct stat st;
		if (stat(b.ptr, &st) == 0 && S_ISREG(st.st_mode) && access(b.ptr, X_OK) == 0)
			return kf_buf_detach(&b, NULL);
		if (!path[n])
			break;
		path += n + 1;
	}
	kf_buf_release(&b);
	return NULL;
}

/* fd onto target in the child; dup2 onto itself would keep FD_CLOEXEC */
static int move_fd(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has the child ended? It is left a zombie (not reaped), so that its pid,
 * which is also its process group's id, cannot be taken by another
 * process while the group is killed. */
static bool ended(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		if (errno != EINTR)
			return true; /* no such child: nothing to wait for */
	return si.si_pid == pid;
}

/* A pipe's reading end holding data (at most PIPE_BUF bytes, which an
 * empty pipe takes in one write that cannot block), the writing end
 * closed; -1 with errno. */
static int open_input(const char *data, size_t len)
{
	int fd[2];
	if (pipe2(fd, O_CLOEXEC) != 0)
		return -1;
	ssize_t w;
	while ((w = write(fd[1], data, len)) < 0 && errno == EINTR)
		;
	int e = w == (ssize_t)len ? 0 : w < 0 ? errno : EIO;
	close(fd[1]);
	if (e) {
		close(fd[0]);
		errno = e;
		return -1;
	}
	return fd[0];
}

/* What the ended child left in its output pipe, to on_output: no more
 * than a pipe holds, so that what it started cannot keep us reading. */
static void drain(int fd, const kf_proc *p)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return;
	char chunk[8192];
	for (size_t total = 0; total < (1u << 20);) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		p->on_output(p->output_ud, chunk, (size_t)n);
		total += (size_t)n;
	}
}

kf_proc_end kf_proc_run(const kf_proc *p, kf_buf *out, int *status)
{
	*status = 0;
	char *prog = p->path ? kf_xstrdup(p->path) : kf_proc_which(p->argv[0]);
	if (!prog) {
		*status = ENOENT;
		return KF_PROC_NOT_RUN;
	}
	if (p->input && p->input_len > KF_PROC_INPUT_MAX) {
		free(prog);
		*status = E2BIG;
		return KF_PROC_NOT_RUN;
	}
	/* res: the child's output; err: errno of a failed exec (closed by a
	 * successful one); devnull: the child's input, /dev/null or a pipe
	 * already holding the input, whose writing end is closed */
	int res[2] = {-1, -1}, err[2] = {-1, -1}, devnull = p->input ? open_input(p->input, p->input_len)
								    : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(res, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
		*status = errno;
		if (devnull >= 0)
			close(devnull);
		if (res[0] >= 0) {
			close(res[0]);
			close(res[1]);
		}
		free(prog);
		return KF_PROC_NOT_RUN;
	}
	pid_t parent = getpid();
	int64_t start = now_ms();
	pid_t pid = fork();
	if (pid == 0) {
		/* the child: async-signal-safe calls only */
		int e = 0;
		setpgid(0, 0);
#ifdef __linux__
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
#endif
		if (move_fd(devnull, 0) != 0 || move_fd(p->out_fd ? p->out_fd : res[1], 1) != 0 ||
		    (p->on_output && !p->out_fd && dup2(1, 2) < 0))
			e = errno;
		if (!e && p->dir_fd >= 0 && fchdir(p->dir_fd) != 0)
			e = errno;
		if (!e && p->max_memory) {
			/* never above a limit the caller already has */
			rlim_t want = (rlim_t)p->max_memory;
			struct rlimit cur;
			if (getrlimit(RLIMIT_AS, &cur) == 0 && cur.rlim_cur != RLIM_INFINITY && cur.rlim_cur < want)
				want = cur.rlim_cur;
			struct rlimit rl = {want, want};
			if (setrlimit(RLIMIT_AS, &rl) != 0)
				e = errno;
		}
		if (!e) {
			execve(prog, p->argv, p->envp ? p->envp : environ);
			e = errno;
		}
		ssize_t w = write(err[1], &e, sizeof(e));
		(void)w;
		_exit(127);
	}
	int fork_errno = errno;
	free(prog);
	close(devnull);
	close(res[1]);
	close(err[1]);
	if (pid < 0) {
		close(res[0]);
		close(err[0]);
		*status = fork_errno;
		return KF_PROC_NOT_RUN;
	}
	/* the parent sets the group too, so that a kill cannot come before
	 * the child's own setpgid (this fails harmlessly once it has exec'd) */
	setpgid(pid, pid);
	int exec_errno = 0;
	ssize_t got;
	while ((got = read(err[0], &exec_errno, sizeof(exec_errno))) < 0 && errno == EINTR)
		;
	close(err[0]);
	bool timed_out = false;
	int64_t deadline = p->timeout_ms ? start + p->timeout_ms : 0;
	/* read until the end of the output or the deadline (with on_output:
	 * or the child's end, or the cancel flag) */
	char chunk[8192];
	bool sink = p->on_output && !p->out_fd;
	for (bool open_out = got <= 0; open_out;) {
		int wait = sink ? 100 : -1;
		if (sink && ((p->cancel && *p->cancel) || ended(pid))) {
			drain(res[0], p);
			break;
		}
		if (deadline) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				timed_out = true;
				break;
			}
			if (wait < 0 || left < wait)
				wait = left > INT32_MAX ? INT32_MAX : (int)left;
		}
		struct pollfd pf = {res[0], POLLIN, 0};
		int r = poll(&pf, 1, wait);
		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		ssize_t n = read(res[0], chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		if (sink)
			p->on_output(p->output_ud, chunk, (size_t)n);
		else
			kf_buf_add(out, chunk, (size_t)n);
	}
	close(res[0]);
	/* the output is closed (or the time is up): wait for the exit, still
	 * within the deadline; a child whose output is not captured, or that
	 * may be cancelled, is looked at every 20 ms at least */
	long most = p->out_fd || p->cancel ? 20 * 1000 * 1000 : 10 * 1000 * 1000;
	int64_t cancelled = 0;
	for (long nap = 50 * 1000; !timed_out && !ended(pid); nap = nap < most ? nap * 2 : most) {
		if (deadline && now_ms() >= deadline) {
			timed_out = true;
			break;
		}
		if (p->cancel && *p->cancel) {
			if (!cancelled) {
				cancelled = now_ms();
				kill(-pid, SIGTERM);
			} else if (now_ms() - cancelled > 500) {
				break;
			}
		}
		/* it closed its output, so it is most likely exiting now */
		struct timespec ts = {0, nap};
		nanosleep(&ts, NULL);
	}
	/* whatever it started and left running goes with it; the group still
	 * exists, since its leader is not reaped yet */
	kill(-pid, SIGKILL);
	if (timed_out)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got > 0) {
		*status = exec_errno;
		return KF_PROC_NOT_RUN;
	}
	if (timed_out)
		return KF_PROC_TIMED_OUT;
	if (cancelled)
		return KF_PROC_CANCELLED;
	if (WIFSIGNALED(st)) {
		*status = WTERMSIG(st);
		return KF_PROC_SIGNALED;
	}
	*status = WEXITSTATUS(st);
	return KF_PROC_EXITED;
}
