/* SPDX-License-Identifier: Apache-2.0 */
/* build_run.c - the staged rootfs, RUN in its sandbox, and what RUN
 * changed as a layer. See builder.h and docs/build.md, "Security model". */
#include "build/builder.h"

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "oci/oci.h"
#include "base/proc.h"
#include "oci/unpack.h"
#include "base/vec.h"

char *kf_builder_blob(builder *b, const json_t *desc)
{
	return kf_oci_blob_path(b->store.dir, json_string_value(json_object_get(desc, "digest")));
}

/* Applies the layers not yet applied to the staged rootfs. */
bool kf_builder_stage(builder *b, const kf_plan_step *step)
{
	if (!b->rootfs) {
		if (asprintf(&b->rootfs, "%s/rootfs", b->tmp) < 0)
			abort();
		if (!kf_mkdirs(b->rootfs, 0755)) {
			kf_builder_error(b, step, "KF606", "%s: %s", b->rootfs, strerror(errno));
			return false;
		}
		b->staged = 0;
	}
	for (; b->staged < json_array_size(b->layers); b->staged++) {
		char *p = kf_builder_blob(b, json_array_get(b->layers, b->staged));
		kf_err err = {""};
		bool ok = kf_unpack(p, b->rootfs, true, b->o->interrupted, &err);
		free(p);
		if (!ok) {
			kf_builder_error(b, step, "KF605", "staging the rootfs: %s", err.msg);
			return false;
		}
	}
	return true;
}

typedef struct snap {
	char *name;
	mode_t mode;
	off_t size;
	struct timespec mtime, ctime;
	ino_t ino;
} snap;

typedef KF_VEC(snap) snaps;

/* Path order: '/' before every other byte, so that what is under a folder
 * comes right after it ("a", "a/b", "a-c") and the diff can skip it whole. */
static int cmp_path(const char *x, const char *y)
{
	for (;; x++, y++) {
		unsigned char a = (unsigned char)*x, b = (unsigned char)*y;
		if (a != b)
			return a == '/' ? (b ? -1 : 1) : b == '/' ? (a ? 1 : -1) : a < b ? -1 : 1;
		if (!a)
			return 0;
	}
}

static int cmp_snap(const void *a, const void *b)
{
	return cmp_path(((const snap *)a)->name, ((const snap *)b)->name);
}

static bool snapshot(const char *root, snaps *out)
{
	char *const paths[] = {(char *)root, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts)
		return false;
	size_t rl = strlen(root);
	FTSENT *f;
	while ((f = fts_read(fts))) {
		if (f->fts_info == FTS_DP || f->fts_level == 0)
			continue;
		if (!f->fts_statp)
			continue;
		snap s = {strdup(f->fts_path + rl + 1), f->fts_statp->st_mode, f->fts_statp->st_size,
			  f->fts_statp->st_mtim, f->fts_statp->st_ctim, f->fts_statp->st_ino};
		kf_vec_push(out, s);
	}
	fts_close(fts);
	if (out->n)
		qsort(out->v, out->n, sizeof(snap), cmp_snap);
	return true;
}

static void snaps_free(snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	kf_vec_free(s);
}

static bool same(const snap *a, const snap *b)
{
	return a->mode == b->mode && a->size == b->size && a->ino == b->ino && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static bool under(const char *name, const char *dir)
{
	size_t n = strlen(dir);
	return strncmp(name, dir, n) == 0 && name[n] == '/';
}

/* The differences between two snapshots as layer entries. */
static void diff_snaps(builder *b, kf_layer *l, const snaps *before, const snaps *after)
{
	size_t i = 0, j = 0;
	const char *deleted_dir = NULL;
	kf_buf disk = KF_BUF_INIT;
	kf_layer_meta meta = {0, 0, -1, -1};
	while (i < before->n || j < after->n) {
		int c = i >= before->n ? 1 : j >= after->n ? -1 : cmp_path(before->v[i].name, after->v[j].name);
		if (c < 0) {
			/* gone: one whiteout for the topmost path */
			if (!deleted_dir || !under(before->v[i].name, deleted_dir)) {
				kf_layer_add_whiteout(l, before->v[i].name);
				deleted_dir = before->v[i].name;
			}
			i++;
			continue;
		}
		const snap *a = &after->v[j];
		if (c == 0 && same(&before->v[i], a)) {
			i++, j++;
			continue;
		}
		if (c == 0 && (before->v[i].mode & S_IFMT) != (a->mode & S_IFMT)) {
			/* replaced by another kind: one whiteout, none for what was under it */
			kf_layer_add_whiteout(l, a->name);
			deleted_dir = before->v[i].name;
		}
		kf_buf_reset(&disk);
		kf_buf_printf(&disk, "%s/%s", b->rootfs, a->name);
		kf_layer_add_path(l, a->name, disk.ptr, &meta);
		if (c == 0)
			i++;
		j++;
	}
	kf_buf_release(&disk);
}

/* What RUN sees of the host, read-only: the programs and their libraries,
 * and the files of /etc that programs read to work (users, name
 * resolution, certificates, the dynamic linker, alternatives). Not /home,
 * /root, /var, /opt, /srv, /run, /mnt, the context or the store. */
static const char *const sandbox_dirs[] = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", NULL};
static const char *const sandbox_etc[] = {
	"alternatives", "ca-certificates", "ca-certificates.conf", "crypto-policies", "debian_version", "group",
	"host.conf", "hostname", "hosts", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "mime.types",
	"nsswitch.conf", "os-release", "passwd", "pki", "protocols", "resolv.conf", "services", "ssl", NULL};
/* Docker's default capabilities that a RUN in a rootfs folder needs (chown
 * and chmod of its files, running as another user), when kfc runs as root;
 * not mknod, net_raw, sys_chroot, setfcap, or anything of sys_admin's. */
static const char *const sandbox_caps[] = {"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID",
					   "CAP_KILL", "CAP_SETGID", "CAP_SETUID", NULL};

static void push_args(void *vec, ...)
{
	KF_VEC(char *) *av = vec;
	va_list ap;
	va_start(ap, vec);
	for (const char *a; (a = va_arg(ap, const char *));)
		kf_vec_push(av, strdup(a));
	va_end(ap);
}

/* bwrap's arguments for a RUN (docs/build.md, "Security model"). */
static void sandbox_argv(builder *b, bool net, void *vec)
{
	KF_VEC(char *) *av = vec;
	push_args(av, b->bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-uts",
		  "--unshare-cgroup-try", NULL);
	if (!net)
		push_args(av, "--unshare-net", NULL);
	/* root keeps its uid, so chown works, but only the capabilities above;
	 * anyone else gets a user namespace (and none) */
	if (geteuid() == 0) {
		push_args(av, "--cap-drop", "ALL", NULL);
		for (const char *const *c = sandbox_caps; *c; c++)
			push_args(av, "--cap-add", *c, NULL);
	} else {
		push_args(av, "--unshare-user", NULL);
	}
	char target[PATH_MAX];
	for (const char *const *d = sandbox_dirs; *d; d++) {
		struct stat st;
		if (lstat(*d, &st) != 0)
			continue;
		ssize_t n = S_ISLNK(st.st_mode) ? readlink(*d, target, sizeof target - 1) : -1;
		if (n > 0) {
			target[n] = '\0';
			push_args(av, "--symlink", target, *d, NULL);
		} else if (S_ISDIR(st.st_mode)) {
			push_args(av, "--ro-bind", *d, *d, NULL);
		}
	}
	for (const char *const *e = sandbox_etc; *e; e++) {
		char path[64];
		snprintf(path, sizeof path, "/etc/%s", *e);
		if (access(path, F_OK) == 0)
			push_args(av, "--ro-bind", path, path, NULL);
	}
	push_args(av, "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", b->rootfs, b->rootfs, "--chdir",
		  b->rootfs, "--", NULL);
}

/* Runs the command in the rootfs, its output on our standard error (or to
 * the front end's report->output), stopped
 * within a second when the front end asks (base/proc.h); false after an
 * error at the step. */
static bool run_command(builder *b, const kf_plan_step *step, char **argv, char **envp)
{
	int dir = open(b->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		kf_builder_error(b, step, "KF606", "%s: %s", b->rootfs, strerror(errno));
		return false;
	}
	kf_proc p = {.argv = argv, .path = argv[0], .dir_fd = dir, .out_fd = 2, .envp = envp,
		     .cancel = b->o->interrupted};
	if (b->report && b->report->output) {
		p.out_fd = 0;
		p.on_output = b->report->output;
		p.output_ud = b->report->ud;
	}
	kf_buf none = KF_BUF_INIT;
	int status;
	kf_proc_end end = kf_proc_run(&p, &none, &status);
	kf_buf_release(&none);
	close(dir);
	switch (end) {
	case KF_PROC_EXITED:
		if (status == 0)
			return true;
		kf_builder_error(b, step, "KF604", "the command failed with exit status %d", status);
		return false;
	case KF_PROC_SIGNALED:
		kf_builder_error(b, step, "KF604", "the command was killed by signal %d", status);
		return false;
	case KF_PROC_CANCELLED:
	case KF_PROC_TIMED_OUT:
		kf_builder_error(b, step, "KF608", "interrupted");
		return false;
	case KF_PROC_NOT_RUN:
		kf_builder_error(b, step, "KF604", "%s: %s", argv[0], strerror(status));
		return false;
	}
	return false;
}

bool kf_builder_run(builder *b, const kf_plan_step *step, kf_layer *l)
{
	if (!kf_builder_stage(b, step))
		return false;
	if (!step->nargv) {
		kf_builder_error(b, step, "KF604", "RUN has no command");
		return false;
	}
	snaps before = {0}, after = {0};
	if (!snapshot(b->rootfs, &before)) {
		kf_builder_error(b, step, "KF606", "%s: %s", b->rootfs, strerror(errno));
		return false;
	}
	KF_VEC(char *) av = {0};
	bool net = !step->network || strcmp(step->network, "none") != 0;
	if (b->bwrap)
		sandbox_argv(b, net, &av);
	for (size_t i = 0; i < step->nargv; i++) {
		const char *s = step->argv[i];
		if (i == 0 && !b->bwrap && !strchr(s, '/')) {
			char *p = kf_proc_which(s);
			kf_vec_push(&av, p ? p : strdup(s));
		} else {
			kf_vec_push(&av, strdup(s));
		}
	}
	kf_vec_push(&av, NULL);
	KF_VEC(char *) ev = {0};
	for (size_t i = 0; i < step->nenv; i++)
		kf_vec_push(&ev, strdup(step->env[i]));
	kf_vec_push(&ev, NULL);
	bool ran = run_command(b, step, av.v, ev.v);
	for (size_t k = 0; k < av.n; k++)
		free(av.v[k]);
	for (size_t k = 0; k < ev.n; k++)
		free(ev.v[k]);
	kf_vec_free(&av);
	kf_vec_free(&ev);
	bool ok = false;
	if (!ran) {
		/* reported */
	} else if (!snapshot(b->rootfs, &after)) {
		kf_builder_error(b, step, "KF606", "%s: %s", b->rootfs, strerror(errno));
	} else {
		diff_snaps(b, l, &before, &after);
		ok = true;
	}
	snaps_free(&before);
	snaps_free(&after);
	return ok;
}
