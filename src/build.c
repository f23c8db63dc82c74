/* build.c - the builder: executes a plan into an OCI image. See build.h
 * and docs/build.md. */
#include "build.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apptype.h"
#include "config.h"
#include "digest.h"
#include "imagelist.h"
#include "model.h"
#include "oci.h"
#include "plan.h"
#include "store.h"
#include "unpack.h"
#include "vec.h"

#define EXTENSION_KEY "sealer.image.extension"
#define IMAGES_KEY "sealer.image.container.images"

/* Has the front end been asked to stop (kf_build_options.interrupted)? */
#define INTERRUPTED(b) ((b)->o->interrupted && *(b)->o->interrupted)

typedef struct builder {
	const kf_build_options *o;
	const kf_document *doc;
	const kf_instr *from; /* the FROM instruction, or NULL */
	kf_diag_bag *diags;
	kf_store store;
	char *tmp;          /* this build's private directory */
	char *blobtmp;      /* where layer blobs are written before their rename */
	kf_plan *plan;
	kf_layer_options lopt;
	int64_t now;
	char created[64];
	/* the image so far */
	json_t *layers;     /* descriptors */
	json_t *diff_ids;
	json_t *history;
	json_t *base_ext;   /* the base's sealer extension, or NULL */
	char key[KF_DIGEST_LEN + 1];
	/* the staged rootfs, once a RUN needs it */
	char *rootfs;
	size_t staged;      /* layers applied to it */
	json_t *apps;       /* name → {"paths":[disk…], "files":[…]} */
	const kf_build_report *report;
	char *bwrap;
	char isolation[8];
} builder;

/* A message of no file, to the front end. */
static void say(builder *b, kf_severity sev, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(builder *b, kf_severity sev, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (b->report && b->report->message)
		b->report->message(b->report->ud, sev, msg);
}

static void errorf(builder *b, const kf_plan_step *step, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errorf(builder *b, const kf_plan_step *step, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	const kf_instr *in = step ? kf_plan_step_instr(b->doc, step) : NULL;
	if (in) {
		kf_diag_add(b->diags, KF_SEV_ERROR, in->span, NULL, "%s", msg);
	} else {
		say(b, KF_SEV_ERROR, "%s", msg);
		b->diags->nerrors++;
	}
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A step's progress, to the front end. */
static void progress(builder *b, size_t i, size_t n, const kf_plan_step *step, kf_build_step_state state,
		     const kf_layer_result *res, double secs)
{
	if (!b->report || !b->report->step)
		return;
	kf_build_step_event e = {i, n, step->created_by, state, 0, 0, 0, secs};
	if (res) {
		e.size = res->size;
		e.tar_size = res->tar_size;
		e.entries = res->nentries;
	}
	b->report->step(b->report->ud, &e);
}

/* ---- fetching ------------------------------------------------------------------- */

typedef struct download {
	FILE *f;
	uint64_t got, max;
	bool too_big;
	volatile sig_atomic_t *interrupted;
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
static bool fetch(builder *b, const kf_plan_step *step, const char *url, const char *dest, int64_t *mtime)
{
	FILE *f = fopen(dest, "wb");
	if (!f) {
		errorf(b, step, "%s: %s", dest, strerror(errno));
		return false;
	}
	download d = {f, 0, b->o->max_download ? b->o->max_download : KF_MAX_DOWNLOAD_DEFAULT, false,
		      b->o->interrupted};
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
		errorf(b, step, "fetching %s: interrupted", url);
	else if (r == CURLE_FILESIZE_EXCEEDED || d.too_big)
		errorf(b, step, "fetching %s: larger than the --max-download-size of %s", url, sz);
	else if (r == CURLE_OPERATION_TIMEDOUT && connected > 0)
		errorf(b, step, "fetching %s: less than 1 kB/s for %ld s (--download-stall-timeout)", url, stall);
	else if (r == CURLE_OPERATION_TIMEDOUT)
		errorf(b, step, "fetching %s: no connection within %d s", url, KF_CONNECT_TIMEOUT);
	else if (r != CURLE_OK)
		errorf(b, step, "fetching %s: %s", url, ebuf[0] ? ebuf : curl_easy_strerror(r));
	else if (!ok)
		errorf(b, step, "%s: %s", dest, strerror(errno));
	return ok;
}

/* ---- the content of inputs, for cache keys ------------------------------------------- */

static int64_t clamp_time(const builder *b, int64_t t)
{
	return b->lopt.epoch >= 0 && t > b->lopt.epoch ? b->lopt.epoch : t;
}

/* What a source is, for the step's first key: its metadata (the inode,
 * size, mode and both times in nanoseconds, so that any write changes it),
 * or with content its bytes' digest (downloads, whose times are the
 * server's). */
static bool hash_path(builder *b, kf_sha256 *h, const char *path, const char *name, bool content)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return false;
	char line[PATH_MAX + 256];
	int n = content ? snprintf(line, sizeof line, "%s\t%o\t%lld\t%lld\t", name, (unsigned)st.st_mode,
				   (long long)st.st_size, (long long)clamp_time(b, st.st_mtime))
			: snprintf(line, sizeof line, "%s\t%o\t%lld\t%llu\t%llu\t%lld.%09ld\t%lld.%09ld\t", name,
				   (unsigned)st.st_mode, (long long)st.st_size, (unsigned long long)st.st_dev,
				   (unsigned long long)st.st_ino, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
				   (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
	kf_sha256_update(h, line, (size_t)n);
	if (S_ISREG(st.st_mode) && content) {
		char d[KF_DIGEST_LEN + 1];
		if (!kf_sha256_file(path, d, NULL))
			return false;
		kf_sha256_update(h, d, KF_DIGEST_LEN);
	} else if (S_ISLNK(st.st_mode)) {
		char t[PATH_MAX];
		ssize_t k = readlink(path, t, sizeof t);
		if (k > 0)
			kf_sha256_update(h, t, (size_t)k);
	}
	kf_sha256_update(h, "\n", 1);
	return true;
}

static int cmp_ftsent(const FTSENT **a, const FTSENT **b)
{
	return strcmp((*a)->fts_name, (*b)->fts_name);
}

static bool hash_tree(builder *b, kf_sha256 *h, const char *dir)
{
	char *const paths[] = {(char *)dir, NULL};
	FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, cmp_ftsent);
	if (!fts)
		return false;
	FTSENT *f;
	size_t root = strlen(dir);
	bool ok = true;
	while (ok && (f = fts_read(fts))) {
		if (f->fts_info == FTS_DP)
			continue;
		if (f->fts_info == FTS_DNR || f->fts_info == FTS_ERR || f->fts_info == FTS_NS) {
			ok = false;
			break;
		}
		ok = hash_path(b, h, f->fts_path, f->fts_path + root, false);
	}
	fts_close(fts);
	return ok;
}

/* ---- the staged rootfs and RUN ----------------------------------------------------- */

static char *blob_of(builder *b, const json_t *desc)
{
	return kf_oci_blob_path(b->store.dir, json_string_value(json_object_get(desc, "digest")));
}

/* Applies the layers not yet applied to the staged rootfs. */
static bool stage(builder *b, const kf_plan_step *step)
{
	if (!b->rootfs) {
		if (asprintf(&b->rootfs, "%s/rootfs", b->tmp) < 0)
			abort();
		if (!kf_mkdirs(b->rootfs, 0755)) {
			errorf(b, step, "%s: %s", b->rootfs, strerror(errno));
			return false;
		}
		b->staged = 0;
	}
	for (; b->staged < json_array_size(b->layers); b->staged++) {
		char *p = blob_of(b, json_array_get(b->layers, b->staged));
		char err[1024] = "";
		bool ok = kf_unpack(p, b->rootfs, true, b->o->interrupted, err, sizeof err);
		free(p);
		if (!ok) {
			errorf(b, step, "staging the rootfs: %s", err);
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

static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char *p;
		if (asprintf(&p, "%.*s/%s", (int)n, path, name) < 0)
			abort();
		if (access(p, X_OK) == 0)
			return p;
		free(p);
		path += n + (path[n] == ':');
	}
	return NULL;
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

static int run_argv(builder *b, const kf_plan_step *step, char **argv, char **envp)
{
	pid_t pid = fork();
	if (pid < 0) {
		errorf(b, step, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		if (chdir(b->rootfs) != 0)
			_exit(126);
		dup2(2, 1);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0) {
			dup2(devnull, 0);
			close(devnull);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execve(argv[0], argv, envp);
		fprintf(stderr, "kfc build: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	/* waited for in short naps, so that an interruption stops the command
	 * within a second: SIGTERM, then SIGKILL half a second later */
	int st = 0;
	double killed = 0;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno != EINTR))
			break;
		if (INTERRUPTED(b)) {
			if (killed == 0) {
				kill(pid, SIGTERM);
				killed = now_s();
			} else if (now_s() - killed > 0.5) {
				kill(pid, SIGKILL);
			}
		}
		struct timespec nap = {0, 10 * 1000 * 1000};
		nanosleep(&nap, NULL);
	}
	return st;
}

static bool do_run(builder *b, const kf_plan_step *step, kf_layer *l)
{
	if (!stage(b, step))
		return false;
	if (!step->nargv) {
		errorf(b, step, "RUN has no command");
		return false;
	}
	snaps before = {0}, after = {0};
	if (!snapshot(b->rootfs, &before)) {
		errorf(b, step, "%s: %s", b->rootfs, strerror(errno));
		return false;
	}
	KF_VEC(char *) av = {0};
	bool net = !step->network || strcmp(step->network, "none") != 0;
	if (b->bwrap)
		sandbox_argv(b, net, &av);
	for (size_t i = 0; i < step->nargv; i++) {
		const char *s = step->argv[i];
		if (i == 0 && !b->bwrap && !strchr(s, '/')) {
			char *p = find_program(s);
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
	int st = run_argv(b, step, av.v, ev.v);
	for (size_t k = 0; k < av.n; k++)
		free(av.v[k]);
	for (size_t k = 0; k < ev.n; k++)
		free(ev.v[k]);
	kf_vec_free(&av);
	kf_vec_free(&ev);
	bool ok = false;
	if (st < 0) {
		/* reported */
	} else if (INTERRUPTED(b)) {
		errorf(b, step, "interrupted");
	} else if (WIFSIGNALED(st)) {
		errorf(b, step, "the command was killed by signal %d", WTERMSIG(st));
	} else if (WEXITSTATUS(st) != 0) {
		errorf(b, step, "the command failed with exit status %d", WEXITSTATUS(st));
	} else if (!snapshot(b->rootfs, &after)) {
		errorf(b, step, "%s: %s", b->rootfs, strerror(errno));
	} else {
		diff_snaps(b, l, &before, &after);
		ok = true;
	}
	snaps_free(&before);
	snaps_free(&after);
	return ok;
}

/* ---- files steps ------------------------------------------------------------------- */

static bool owner_of(builder *b, const kf_plan_step *step, long *uid, long *gid)
{
	*uid = *gid = -1;
	const char *o = step->owner;
	if (!o)
		return true;
	char *end;
	const char *colon = strchr(o, ':');
	char user[256], group[256] = "";
	snprintf(user, sizeof user, "%.*s", colon ? (int)(colon - o) : (int)strlen(o), o);
	if (colon)
		snprintf(group, sizeof group, "%s", colon + 1);
	long u = strtol(user, &end, 10);
	if (!*user || *end) {
		if (strcmp(user, "root") == 0)
			u = 0;
		else {
			errorf(b, step, "--chown=%s: user names other than root are not resolved; give the numeric uid", o);
			return false;
		}
	}
	long g = u;
	if (*group) {
		g = strtol(group, &end, 10);
		if (*end) {
			if (strcmp(group, "root") == 0)
				g = 0;
			else {
				errorf(b, step, "--chown=%s: group names other than root are not resolved; give the numeric gid",
				       o);
				return false;
			}
		}
	}
	*uid = u;
	*gid = g;
	return true;
}

/* The sources of a files step as (disk path, destination) pairs, fetching
 * URLs into the build directory; the content goes into h. */
static bool prepare_sources(builder *b, const kf_plan_step *step, size_t index, kf_sha256 *h)
{
	const char *context = b->plan->context;
	for (size_t i = 0; i < step->nsources; i++) {
		kf_plan_source *s = &step->sources[i];
		const char *type = kf_source_type_name(s->type);
		const char *dest = s->dest;
		kf_sha256_update(h, type, strlen(type) + 1);
		kf_sha256_update(h, dest, strlen(dest) + 1);
		if (s->type == KF_SRC_DATA || s->type == KF_SRC_APPEND) {
			kf_sha256_update(h, s->data, strlen(s->data) + 1);
			continue;
		}
		char *disk = NULL;
		if (s->type == KF_SRC_URL) {
			const char *url = s->url;
			const char *slash = strrchr(dest, '/');
			char *dir;
			if (asprintf(&dir, "%s/fetch-%zu-%zu", b->tmp, index, i) < 0 ||
			    asprintf(&disk, "%s/%s", dir, slash ? slash + 1 : dest) < 0)
				abort();
			kf_mkdirs(dir, 0755);
			free(dir);
			int64_t mt = -1;
			if (!fetch(b, step, url, disk, &mt)) {
				free(disk);
				return false;
			}
			const char *want = s->checksum;
			char got[KF_DIGEST_LEN + 1];
			if (want && (!kf_sha256_file(disk, got, NULL) || strcmp(got, want) != 0)) {
				errorf(b, step, "%s: the download's digest is %s, not the --checksum %s", url, got, want);
				free(disk);
				return false;
			}
			/* ADD: 0600 and the server's time, as Docker has it; an app's files 0644 */
			chmod(disk, step->app ? 0644 : 0600);
			if (mt >= 0) {
				struct timespec ts[2] = {{mt, 0}, {mt, 0}};
				utimensat(AT_FDCWD, disk, ts, 0);
			}
		} else if (asprintf(&disk, "%s/%s", context, s->path) < 0) {
			abort();
		}
		free(s->disk);
		s->disk = disk;
		bool ok = s->type == KF_SRC_DIR ? hash_tree(b, h, disk) : hash_path(b, h, disk, "", s->type == KF_SRC_URL);
		if (!ok) {
			errorf(b, step, "%s: %s", disk, strerror(errno));
			return false;
		}
	}
	return true;
}

static bool do_files(builder *b, const kf_plan_step *step, kf_layer *l)
{
	long uid, gid;
	if (!owner_of(b, step, &uid, &gid))
		return false;
	kf_layer_meta meta = {uid, gid, step->mode, step->mode};
	for (size_t i = 0; i < step->nsources; i++) {
		const kf_plan_source *s = &step->sources[i];
		const char *dest = s->dest;
		const char *disk = s->disk;
		char err[1024] = "";
		if (s->type == KF_SRC_DATA) {
			kf_layer_add_data(l, dest, s->data, strlen(s->data), 0644, &meta);
		} else if (s->type == KF_SRC_APPEND) {
			/* manifests/imageList: what the image has, then the new lines */
			KF_VEC(char *) paths = {0};
			size_t k;
			json_t *ld;
			json_array_foreach(b->layers, k, ld) kf_vec_push(&paths, blob_of(b, ld));
			size_t len = 0;
			char *old = kf_layers_read_file((const char *const *)paths.v, paths.n, dest, &len);
			for (k = 0; k < paths.n; k++)
				free(paths.v[k]);
			kf_vec_free(&paths);
			kf_buf all = KF_BUF_INIT;
			if (old) {
				kf_buf_add(&all, old, len);
				if (len && old[len - 1] != '\n')
					kf_buf_addc(&all, '\n');
			}
			kf_buf_adds(&all, s->data);
			kf_layer_add_data(l, dest, all.ptr ? all.ptr : "", all.len, 0644, &meta);
			kf_buf_release(&all);
			free(old);
		} else if (s->type == KF_SRC_DIR) {
			if (!kf_layer_add_tree(l, dest, disk, &meta, err, sizeof err)) {
				errorf(b, step, "%s", err);
				return false;
			}
		} else if (s->type == KF_SRC_ARCHIVE) {
			char *x;
			if (asprintf(&x, "%s/extract-%zu", b->tmp, i) < 0)
				abort();
			kf_remove_tree(x);
			kf_mkdirs(x, 0755);
			bool ok = kf_unpack(disk, x, false, b->o->interrupted, err, sizeof err) &&
				  kf_layer_add_tree(l, dest, x, &meta, err, sizeof err);
			free(x);
			if (!ok) {
				errorf(b, step, "%s", err);
				return false;
			}
		} else {
			kf_layer_add_path(l, dest, disk, &meta);
		}
	}
	return true;
}

/* An app's files and disk paths, for its type and its "files" */
static void note_app(builder *b, const kf_plan_step *step)
{
	const char *name = step->app;
	if (!name)
		return;
	json_t *a = json_object_get(b->apps, name);
	if (!a) {
		a = json_pack("{s:[],s:[]}", "paths", "files");
		json_object_set_new(b->apps, name, a);
	}
	char prefix[PATH_MAX];
	snprintf(prefix, sizeof prefix, "application/apps/%s/", name);
	size_t pl = strlen(prefix);
	for (size_t i = 0; i < step->nsources; i++) {
		const kf_plan_source *s = &step->sources[i];
		const char *disk = s->disk;
		const char *dest = s->dest;
		json_array_append_new(json_object_get(a, "paths"), json_string(disk));
		if (s->type != KF_SRC_DIR) {
			json_array_append_new(json_object_get(a, "files"), json_string(dest + pl));
			continue;
		}
		char *const paths[] = {(char *)disk, NULL};
		FTS *fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
		FTSENT *f;
		size_t rl = strlen(disk);
		while (fts && (f = fts_read(fts)))
			if (f->fts_info == FTS_F || f->fts_info == FTS_SL)
				json_array_append_new(json_object_get(a, "files"), json_string(f->fts_path + rl + 1));
		if (fts)
			fts_close(fts);
	}
}

static int cmp_json_str(const void *x, const void *y)
{
	return strcmp(json_string_value(*(json_t *const *)x), json_string_value(*(json_t *const *)y));
}

/* ---- steps ---------------------------------------------------------------------------- */

static void step_key(const char *parent, const kf_plan_step *step, const char *inputs, char out[KF_DIGEST_LEN + 1]);

static void key_step(builder *b, const kf_plan_step *step, const char *inputs)
{
	char k[KF_DIGEST_LEN + 1];
	step_key(b->key, step, inputs, k);
	memcpy(b->key, k, sizeof k);
}

/* A step's key: its parent's, its plan entry (without where it is in the
 * Kubefile), and what its inputs are. */
static void step_key(const char *parent, const kf_plan_step *step, const char *inputs, char out[KF_DIGEST_LEN + 1])
{
	json_t *c = kf_plan_step_to_json(step, false);
	char *text = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, parent, strlen(parent));
	kf_sha256_update(&h, "\n", 1);
	kf_sha256_update(&h, text, strlen(text));
	kf_sha256_update(&h, "\n", 1);
	kf_sha256_update(&h, inputs, strlen(inputs));
	kf_sha256_final(&h, out);
	free(text);
	json_decref(c);
}

static void add_history(builder *b, const kf_plan_step *step, bool empty)
{
	json_t *h = json_pack("{s:s,s:s}", "created", b->created, "created_by", step->created_by);
	if (empty)
		json_object_set_new(h, "empty_layer", json_true());
	json_array_append_new(b->history, h);
}

static bool add_layer(builder *b, const json_t *desc, const char *diff_id)
{
	json_array_append(b->layers, (json_t *)desc);
	json_array_append_new(b->diff_ids, json_string(diff_id));
	return true;
}

/* Writes a layer into the store and appends it to the image; its
 * descriptor (a new reference), or NULL after an error. Frees l. */
static json_t *store_layer(builder *b, const kf_plan_step *step, kf_layer *l, kf_layer_result *res)
{
	char err[1024];
	kf_err e;
	if (!kf_layer_finish(l, b->blobtmp, res, err, sizeof err)) {
		errorf(b, step, "%s", err);
		return NULL;
	}
	bool ok = kf_oci_put_file(b->store.dir, res->tmp_path, res->digest, &e);
	if (!ok) {
		errorf(b, step, "%s", e.msg);
		unlink(res->tmp_path);
	}
	free(res->tmp_path);
	res->tmp_path = NULL;
	if (!ok)
		return NULL;
	json_t *desc = kf_json_descriptor(kf_compression_media_type(b->lopt.compression), res->digest, res->size);
	add_layer(b, desc, res->diff_id);
	return desc;
}

static bool run_step(builder *b, size_t idx, size_t n, kf_plan_step *step)
{
	double t0 = now_s();
	if (step->kind == KF_STEP_CONFIG) {
		progress(b, idx, n, step, KF_BUILD_STEP_NOTED, NULL, 0);
		key_step(b, step, "");
		add_history(b, step, true);
		return true;
	}
	progress(b, idx, n, step, KF_BUILD_STEP_STARTED, NULL, 0);
	kf_sha256 h;
	kf_sha256_init(&h);
	bool files = step->kind == KF_STEP_FILES;
	if (files && !prepare_sources(b, step, idx, &h)) {
		kf_sha256_abort(&h);
		return false;
	}
	char inputs[KF_DIGEST_LEN + 1];
	kf_sha256_final(&h, inputs);
	/* A files step has two keys. The first, from the sources' metadata,
	 * costs a stat per file and leads to the second, from the layer's
	 * content (its diff_id), which the build learns while it writes the
	 * layer; so neither a cold build nor a rebuild reads a file twice, and
	 * a file touched but not changed still leads to the same later keys. */
	char parent[KF_DIGEST_LEN + 1], first[KF_DIGEST_LEN + 1];
	memcpy(parent, b->key, sizeof parent);
	step_key(parent, step, inputs, first);
	memcpy(b->key, first, sizeof first);
	if (files) {
		note_app(b, step);
		json_t *link = b->o->no_cache ? NULL : kf_store_cache_get(&b->store, first);
		const char *second = json_string_value(json_object_get(link, "content_key"));
		if (second && kf_digest_valid(second))
			memcpy(b->key, second, KF_DIGEST_LEN + 1);
		json_decref(link);
	}

	json_t *rec = b->o->no_cache ? NULL : kf_store_cache_get(&b->store, b->key);
	if (rec) {
		json_t *desc = json_object_get(rec, "layer");
		const char *diff = json_string_value(json_object_get(rec, "diff_id"));
		bool usable = json_is_null(desc) ||
			      (desc && diff && kf_oci_has_blob(b->store.dir, json_string_value(json_object_get(desc, "digest")),
							       (uint64_t)json_integer_value(json_object_get(desc, "size"))));
		if (usable) {
			kf_layer_result cached = {0};
			if (desc && !json_is_null(desc)) {
				add_layer(b, desc, diff);
				add_history(b, step, false);
				cached.size = (uint64_t)json_integer_value(json_object_get(desc, "size"));
				progress(b, idx, n, step, KF_BUILD_STEP_CACHED, &cached, now_s() - t0);
			} else {
				add_history(b, step, true);
				progress(b, idx, n, step, KF_BUILD_STEP_CACHED, NULL, now_s() - t0);
			}
			if (b->rootfs && !stage(b, step)) {
				json_decref(rec);
				return false;
			}
			json_decref(rec);
			return true;
		}
		json_decref(rec);
	}

	kf_layer *l = kf_layer_new(&b->lopt);
	bool ok = files ? do_files(b, step, l) : do_run(b, step, l);
	if (!ok || INTERRUPTED(b)) {
		kf_layer_free(l);
		return false;
	}
	json_t *record;
	const char *content = "no layer";
	kf_layer_result res;
	if (kf_layer_count(l) == 0) {
		kf_layer_free(l);
		add_history(b, step, true);
		record = json_pack("{s:n}", "layer");
		progress(b, idx, n, step, KF_BUILD_STEP_UNCHANGED, NULL, now_s() - t0);
	} else {
		json_t *desc = store_layer(b, step, l, &res);
		if (!desc)
			return false;
		content = res.diff_id;
		add_history(b, step, false);
		record = json_pack("{s:o,s:s}", "layer", desc, "diff_id", res.diff_id);
		progress(b, idx, n, step, KF_BUILD_STEP_DONE, &res, now_s() - t0);
		/* a later RUN sees this layer */
		if (b->rootfs && files && !stage(b, step)) {
			json_decref(record);
			return false;
		}
		if (b->rootfs && !files)
			b->staged = json_array_size(b->layers); /* the rootfs already has it */
	}
	kf_err e;
	bool cached = true;
	if (files) {
		step_key(parent, step, content, b->key);
		json_t *link = json_pack("{s:s}", "content_key", b->key);
		cached = kf_store_cache_put(&b->store, first, link, &e);
		json_decref(link);
	}
	if (!cached || !kf_store_cache_put(&b->store, b->key, record, &e))
		say(b, KF_SEV_WARNING, "the cache was not written: %s", e.msg);
	json_decref(record);
	return true;
}

/* ---- the image ------------------------------------------------------------------------ */

static json_t *extension(builder *b)
{
	json_t *pe = b->plan->extension;
	json_t *ext = json_object();
	json_object_set_new(ext, "buildClient",
			    json_pack("{s:s,s:s}", "sealerVersion", "kfc/" PACKAGE_VERSION, "buildahVersion", ""));
	json_object_set_new(ext, "schemaVersion", json_string("v1alpha1"));
	json_object_set(ext, "type", json_object_get(pe, "type"));
	json_t *apps = json_array();
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(pe, "applications"), i, a) {
		const char *name = json_string_value(json_object_get(a, "name"));
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(name));
		json_t *seen = json_object_get(b->apps, name);
		json_t *files = json_array();
		const char *type = NULL;
		if (seen) {
			json_t *paths = json_object_get(seen, "paths");
			KF_VEC(const char *) pv = {0};
			size_t k;
			json_t *p;
			json_array_foreach(paths, k, p) kf_vec_push(&pv, json_string_value(p));
			kf_app_type t = kf_app_detect_paths(NULL, pv.v, pv.n);
			kf_vec_free(&pv);
			if (t == KF_APP_HELM || t == KF_APP_KUBE || t == KF_APP_SHELL)
				type = kf_app_type_name(t);
			if (t == KF_APP_HELM) {
				/* the chart's folder: the name of the directory (or .tgz) given */
				const char *first = json_string_value(json_array_get(paths, 0));
				const char *slash = first ? strrchr(first, '/') : NULL;
				json_array_append_new(files, json_string(slash ? slash + 1 : first ? first : name));
			} else if (t == KF_APP_KUBE || t == KF_APP_SHELL) {
				json_t *fl = json_object_get(seen, "files");
				size_t nf = json_array_size(fl);
				json_t **v = calloc(nf + 1, sizeof *v);
				for (k = 0; k < nf; k++)
					v[k] = json_array_get(fl, k);
				if (nf)
					qsort(v, nf, sizeof *v, cmp_json_str);
				for (k = 0; k < nf; k++)
					if (k == 0 || strcmp(json_string_value(v[k]), json_string_value(v[k - 1])) != 0)
						json_array_append(files, v[k]);
				free(v);
			}
		} else if (json_object_get(a, "inherited")) {
			type = json_string_value(json_object_get(a, "type"));
			json_decref(files);
			files = json_deep_copy(json_object_get(a, "files"));
			if (!files)
				files = json_array();
		}
		if (type)
			json_object_set_new(o, "type", json_string(type));
		json_object_set_new(o, "files", files);
		json_object_set_new(o, "version", json_string("v1"));
		if (json_object_size(json_object_get(a, "env")))
			json_object_set(o, "env", json_object_get(a, "env"));
		if (json_object_get(a, "cmds"))
			json_object_set(o, "cmds", json_object_get(a, "cmds"));
		json_array_append_new(apps, o);
	}
	json_object_set_new(ext, "applications", apps);
	json_object_set(ext, "env", json_object_get(pe, "env"));
	json_t *launch = json_object_get(pe, "launch");
	if (!json_object_size(launch) && b->base_ext && json_object_get(b->base_ext, "launch"))
		launch = json_object_get(b->base_ext, "launch");
	json_object_set(ext, "launch", launch);
	return ext;
}

static char *discovery_warnings(builder *b, const kf_imagelist *l, bool show);

/* The images of one list file, normalised, for --ignored-image-list. */
static bool read_ignored(builder *b, const char *path, json_t *set)
{
	kf_imagelist l;
	kf_imagelist_init(&l);
	kf_imagelist_scan_list(&l, path, NULL);
	bool ok = true;
	free(discovery_warnings(b, &l, true));
	for (size_t i = 0; i < l.nfiles; i++)
		for (size_t k = 0; k < l.files[i]->diags.len; k++)
			if (l.files[i]->diags.items[k].severity == KF_SEV_ERROR)
				ok = false;
	for (size_t i = 0; i < l.len; i++)
		json_object_set_new(set, l.items[i].image, json_true());
	kf_imagelist_release(&l);
	(void)b;
	return ok;
}

/* The diagnostics of the files a discovery read (list files, manifests,
 * charts), rendered; handed to the front end when show, and returned for
 * the cache, which replays them. */
static char *discovery_warnings(builder *b, const kf_imagelist *l, bool show)
{
	kf_buf out = KF_BUF_INIT;
	kf_buf_adds(&out, "");
	for (size_t i = 0; i < l->nfiles; i++)
		for (size_t k = 0; k < l->files[i]->diags.len; k++)
			kf_diag_render_text(&out, &l->files[i]->src, &l->files[i]->diags.items[k], KF_RENDER_SOURCE);
	if (show && out.len && b->report && b->report->files)
		b->report->files(b->report->ud, out.ptr);
	return out.ptr;
}

/* The images the rootfs references, [{"image", "app"?}], by the
 * conventions of spec §4. Discovery reads the staged rootfs when a RUN made
 * one, else the three folders unpacked from the layers; its result depends
 * on the layers alone, so it is cached by their digests, and an unchanged
 * rebuild decompresses nothing. */
static json_t *discover(builder *b)
{
	kf_sha256 h;
	kf_sha256_init(&h);
	kf_sha256_update(&h, "container-images-v1\n", 20);
	size_t k;
	json_t *ld;
	json_array_foreach(b->layers, k, ld) {
		const char *d = json_string_value(json_object_get(ld, "digest"));
		kf_sha256_update(&h, d, strlen(d));
	}
	char key[KF_DIGEST_LEN + 1];
	kf_sha256_final(&h, key);
	json_t *rec = kf_store_cache_get(&b->store, key);
	if (rec && json_is_array(json_object_get(rec, "images"))) {
		const char *w = json_string_value(json_object_get(rec, "warnings"));
		if (w && *w && b->report && b->report->files)
			b->report->files(b->report->ud, w);
		json_t *imgs = json_incref(json_object_get(rec, "images"));
		json_decref(rec);
		return imgs;
	}
	json_decref(rec);
	const char *rootfs = b->rootfs;
	char *tmp = NULL;
	if (!rootfs) {
		static const char *const tops[] = {"manifests", "charts", "application", NULL};
		if (asprintf(&tmp, "%s/discover", b->tmp) < 0)
			abort();
		kf_mkdirs(tmp, 0755);
		json_array_foreach(b->layers, k, ld) {
			char *p = blob_of(b, ld);
			char err[1024] = "";
			if (!kf_unpack_only(p, tmp, tops, b->o->interrupted, err, sizeof err))
				say(b, KF_SEV_WARNING, "container image discovery: %s", err);
			free(p);
		}
		rootfs = tmp;
	}
	kf_imagelist l;
	kf_imagelist_init(&l);
	kf_imagelist_scan_rootfs(&l, rootfs);
	char *warnings = discovery_warnings(b, &l, true);
	json_t *imgs = json_array();
	for (size_t i = 0; i < l.len; i++) {
		json_t *e = json_pack("{s:s}", "image", l.items[i].image);
		if (l.items[i].app)
			json_object_set_new(e, "app", json_string(l.items[i].app));
		json_array_append_new(imgs, e);
	}
	kf_imagelist_release(&l);
	if (tmp) {
		kf_remove_tree(tmp);
		free(tmp);
	}
	kf_err e;
	rec = json_pack("{s:O,s:s}", "images", imgs, "warnings", warnings);
	if (!kf_store_cache_put(&b->store, key, rec, &e))
		say(b, KF_SEV_WARNING, "the cache was not written: %s", e.msg);
	json_decref(rec);
	free(warnings);
	return imgs;
}

/* The sealer.image.container.images annotation: what the rootfs references,
 * then the --image-list files; --ignored-image-list ones left out; each
 * image once, with its app when it was found in an app's folder. */
static json_t *container_images(builder *b)
{
	json_t *found = discover(b);
	kf_imagelist l;
	kf_imagelist_init(&l);
	for (size_t i = 0; i < b->o->nimage_lists; i++)
		kf_imagelist_scan_list(&l, b->o->image_lists[i], NULL);
	free(discovery_warnings(b, &l, true));
	for (size_t i = 0; i < l.len; i++)
		json_array_append_new(found, json_pack("{s:s}", "image", l.items[i].image));
	kf_imagelist_release(&l);
	json_t *skip = json_object();
	for (size_t i = 0; i < b->o->nignored_image_lists; i++)
		read_ignored(b, b->o->ignored_image_lists[i], skip);
	json_t *arr = json_array();
	json_t *plat = kf_platform_to_json(&b->plan->platform);
	size_t i;
	json_t *f;
	json_array_foreach(found, i, f) {
		const char *img = json_string_value(json_object_get(f, "image"));
		if (json_object_get(skip, img))
			continue;
		json_object_set_new(skip, img, json_true()); /* once */
		json_t *e = json_pack("{s:s}", "image", img);
		if (json_object_get(f, "app"))
			json_object_set(e, "appName", json_object_get(f, "app"));
		json_object_set(e, "platform", plat);
		json_array_append_new(arr, e);
	}
	json_decref(skip);
	json_decref(found);
	json_decref(plat);
	return arr;
}

/* An image needs a layer (the image-spec's manifest schema asks for one):
 * an image with no file gets an empty one, with its own history entry. */
static bool ensure_layer(builder *b)
{
	if (json_array_size(b->layers))
		return true;
	kf_layer_result res;
	json_t *desc = store_layer(b, NULL, kf_layer_new(&b->lopt), &res);
	if (!desc)
		return false;
	json_decref(desc);
	json_array_append_new(b->history, json_pack("{s:s,s:s,s:s}", "created", b->created, "created_by",
						    "kfc build: an empty layer", "comment",
						    "no instruction changed a file; an image has at least one layer"));
	return true;
}

static bool write_image(builder *b, json_t **manifest_desc)
{
	if (!ensure_layer(b))
		return false;
	const kf_platform *plat = &b->plan->platform;
	json_t *cfg = json_object();
	json_object_set_new(cfg, "created", json_string(b->created));
	json_object_set_new(cfg, "architecture", json_string(plat->arch));
	json_object_set_new(cfg, "os", json_string(plat->os));
	if (plat->variant[0])
		json_object_set_new(cfg, "variant", json_string(plat->variant));
	json_t *c = json_deep_copy(b->plan->config);
	if (!json_object_size(json_object_get(c, "Labels")))
		json_object_del(c, "Labels");
	json_object_set_new(cfg, "config", c);
	json_object_set_new(cfg, "rootfs", json_pack("{s:s,s:O}", "type", "layers", "diff_ids", b->diff_ids));
	json_object_set(cfg, "history", b->history);
	kf_err e;
	json_t *cdesc = NULL;
	bool ok = kf_oci_put_json(b->store.dir, cfg, KF_MT_CONFIG, &cdesc, &e);
	json_decref(cfg);
	if (!ok) {
		errorf(b, NULL, "%s", e.msg);
		return false;
	}
	json_t *ext = extension(b);
	json_t *imgs = container_images(b);
	char *ext_text = json_dumps(ext, JSON_COMPACT);
	char *imgs_text = json_dumps(imgs, JSON_COMPACT);
	json_t *m = json_object();
	json_object_set_new(m, "schemaVersion", json_integer(2));
	json_object_set_new(m, "mediaType", json_string(KF_MT_MANIFEST));
	json_object_set_new(m, "config", cdesc);
	json_object_set(m, "layers", b->layers);
	json_object_set_new(m, "annotations", json_pack("{s:s,s:s,s:s}", KF_ANN_CREATED, b->created, EXTENSION_KEY,
						       ext_text, IMAGES_KEY, imgs_text));
	free(ext_text);
	free(imgs_text);
	json_decref(ext);
	json_decref(imgs);
	ok = kf_oci_put_json(b->store.dir, m, KF_MT_MANIFEST, manifest_desc, &e);
	json_decref(m);
	if (!ok)
		errorf(b, NULL, "%s", e.msg);
	else
		json_object_set_new(*manifest_desc, "platform", kf_platform_to_json(plat));
	return ok;
}

typedef struct tag_ctx {
	const char *const *refs;
	size_t n;
	const json_t *desc;
} tag_ctx;

static bool tag_fn(json_t *index, void *ctx)
{
	tag_ctx *t = ctx;
	for (size_t i = 0; i < t->n; i++)
		kf_oci_index_tag(index, t->refs[i], t->desc);
	return true;
}

/* oci:DIR[:tag] or oci-archive:FILE[:tag] */
static bool write_output(builder *b, const char *out, const json_t *desc)
{
	bool archive = strncmp(out, "oci-archive:", 12) == 0;
	const char *rest = out + (archive ? 12 : 4);
	char *path = strdup(rest);
	const char *tag = "latest";
	char *colon = strrchr(path, ':');
	if (colon && !strchr(colon, '/')) {
		*colon = '\0';
		tag = colon + 1;
	} else if (b->o->ntags) {
		const char *t = b->o->tags[0];
		const char *sl = strrchr(t, '/');
		const char *c = strrchr(sl ? sl : t, ':');
		if (c)
			tag = c + 1;
	}
	kf_err e;
	bool ok;
	char *dir = path;
	if (archive && asprintf(&dir, "%s/archive-layout", b->tmp) < 0)
		abort();
	if (!archive && access(dir, F_OK) == 0 && !kf_oci_is_layout(dir)) {
		struct stat st;
		bool empty_dir = stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && rmdir(dir) == 0;
		if (!empty_dir) {
			errorf(b, NULL, "%s exists and is not an OCI layout: give a new or empty directory", dir);
			free(path);
			return false;
		}
	}
	ok = kf_oci_init(dir, &e) && kf_oci_copy_image(b->store.dir, dir, desc, false, &e);
	json_t *index = ok ? kf_oci_index_read(dir, &e) : NULL;
	if (index) {
		kf_oci_index_tag(index, tag, desc);
		ok = kf_oci_index_write(dir, index, &e);
		/* what a replaced image alone used goes */
		if (ok)
			kf_oci_gc(dir, index);
		json_decref(index);
	} else {
		ok = false;
	}
	if (ok && archive) {
		kf_layer_options lo = {KF_COMPRESS_NONE, 0, 1, b->lopt.epoch, b->now, b->o->interrupted};
		kf_layer *l = kf_layer_new(&lo);
		char err[1024];
		kf_layer_result res;
		ok = kf_layer_add_tree(l, "", dir, NULL, err, sizeof err);
		if (ok)
			ok = kf_layer_finish(l, b->tmp, &res, err, sizeof err);
		else
			kf_layer_free(l);
		if (ok && rename(res.tmp_path, path) != 0) {
			snprintf(err, sizeof err, "%s: %s", path, strerror(errno));
			unlink(res.tmp_path);
			ok = false;
		}
		if (ok)
			free(res.tmp_path);
		if (!ok)
			kf_err_set(&e, "%s", err);
	}
	if (!ok)
		errorf(b, NULL, "%s: %s", out, e.msg);
	if (dir != path)
		free(dir);
	free(path);
	return ok;
}

/* ---- the base image -------------------------------------------------------------------- */

/* An error about the base image, at the FROM line. */
static void from_error(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void from_error(builder *b, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (b->from)
		kf_diag_add(b->diags, KF_SEV_ERROR, b->from->span, NULL, "%s", msg);
	else
		errorf(b, NULL, "%s", msg);
}

static bool load_base(builder *b, const char *ref, kf_image *img)
{
	kf_err e;
	if (strncmp(ref, "oci:", 4) == 0) {
		char *dir = strdup(ref + 4);
		char *tag = NULL;
		char *colon = strrchr(dir, ':');
		if (colon && !strchr(colon, '/')) {
			*colon = '\0';
			tag = colon + 1;
		}
		bool ok = kf_image_load(dir, tag, img, &e);
		if (ok) {
			/* its blobs into the store, where the build reads them */
			json_t *d = kf_json_descriptor(KF_MT_MANIFEST, img->digest, img->size);
			ok = kf_oci_copy_image(dir, b->store.dir, d, true, &e);
			json_decref(d);
			if (!ok)
				kf_image_release(img);
		}
		free(dir);
		if (!ok)
			from_error(b, "base image %s: %s", ref, e.msg);
		return ok;
	}
	char *r = kf_ref_with_tag(ref);
	bool ok = kf_image_load(b->store.dir, r, img, &e);
	if (!ok)
		from_error(b, "base image '%s' is not in the local store (%s); build it with -t %s, or name a layout "
			      "with FROM oci:DIR:TAG",
			   r, b->store.dir, r);
	free(r);
	return ok;
}

/* ---- the whole build ------------------------------------------------------------------- */

/* The platform: --platform, else FROM --platform=P, else the host's. */
static bool build_platform(builder *b, const kf_model *model, kf_platform *plat)
{
	const kf_build_options *o = b->o;
	char *from_platform = NULL;
	if (!o->platform && model->from) {
		uint32_t nf;
		const kf_flag *fl = kf_instr_flags(model->from, &nf);
		for (uint32_t i = 0; i < nf; i++)
			if (kf_str_eq_cstr(fl[i].name, "platform") && fl[i].value.len &&
			    !memchr(fl[i].value.ptr, '$', fl[i].value.len))
				from_platform = strndup(fl[i].value.ptr, fl[i].value.len);
	}
	bool ok = kf_platform_parse(o->platform ? o->platform : from_platform, plat);
	free(from_platform);
	if (!ok)
		say(b, KF_SEV_ERROR, "platform '%s': expected OS/ARCH[/VARIANT], such as linux/amd64",
		    o->platform ? o->platform : "FROM --platform");
	return ok;
}

/* What the base image brings to the plan. */
static void use_base(builder *b, const kf_image *base, kf_plan_input *pin)
{
	const char *ext =
		json_string_value(json_object_get(json_object_get(base->manifest, "annotations"), EXTENSION_KEY));
	b->base_ext = ext ? json_loads(ext, 0, NULL) : NULL;
	pin->base_apps = json_object_get(b->base_ext, "applications");
	pin->base_env = json_object_get(b->base_ext, "env");
	pin->base_config = json_object_get(base->config, "config");
	const char *barch = json_string_value(json_object_get(base->config, "architecture"));
	if (barch && strcmp(barch, pin->platform.arch) != 0)
		say(b, KF_SEV_WARNING, "the base image is for %s, the build for %s", barch, pin->platform.arch);
}

/* The cluster descriptor from the command line wins over LABEL. */
static void descriptor_labels(builder *b)
{
	const kf_build_options *o = b->o;
	json_t *labels = json_object_get(b->plan->config, "Labels");
	const char *keys[] = {"cluster-runtime-type", "cluster-runtime-version", "container-runtime-type",
			      "container-runtime-version"};
	const char *vals[] = {o->cluster_runtime, o->cluster_runtime_version, o->cri, o->cri_version};
	for (int i = 0; i < 4; i++)
		if (vals[i]) {
			char k[128];
			snprintf(k, sizeof k, "cluster.alpha.sealer.io/%s", keys[i]);
			json_object_set_new(labels, k, json_string(vals[i]));
		}
}

/* The private directory, the times, the layer options, the sandbox. */
static int prepare(builder *b)
{
	const kf_build_options *o = b->o;
	kf_err e;
	b->tmp = kf_store_mktemp(&b->store, &e);
	if (!b->tmp) {
		say(b, KF_SEV_ERROR, "%s", e.msg);
		return 1;
	}
	b->blobtmp = b->tmp;
	b->now = time(NULL);
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	b->lopt = (kf_layer_options){o->compression, o->level, o->threads, -1, b->now, o->interrupted};
	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);
		if (*end || v < 0) {
			say(b, KF_SEV_ERROR, "SOURCE_DATE_EPOCH=%s is not a number of seconds", sde);
			return 2;
		}
		b->lopt.epoch = v;
	}
	time_t ct = b->lopt.epoch >= 0 ? (time_t)b->lopt.epoch : (time_t)b->now;
	struct tm tm;
	gmtime_r(&ct, &tm);
	strftime(b->created, sizeof b->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (o->isolation != KF_ISOLATION_NONE) {
		b->bwrap = find_program("bwrap");
		if (!b->bwrap && o->isolation == KF_ISOLATION_BWRAP) {
			say(b, KF_SEV_ERROR, "--isolation=bwrap: bwrap (bubblewrap) is not installed");
			return 2;
		}
	}
	if (!b->bwrap && o->isolation == KF_ISOLATION_AUTO)
		for (size_t i = 0; i < b->plan->nsteps; i++)
			if (b->plan->steps[i].kind == KF_STEP_RUN) {
				say(b, KF_SEV_WARNING, "RUN runs without a sandbox, with all of this user's rights: "
						       "bubblewrap (bwrap) is not installed");
				break;
			}
	return 0;
}

/* The image so far: the base's layers, diff_ids and history, and the
 * first cache key. */
static void start_image(builder *b, const kf_image *base)
{
	const kf_build_options *o = b->o;
	const kf_platform *plat = &b->plan->platform;
	b->apps = json_object();
	b->layers = base ? json_deep_copy(json_object_get(base->manifest, "layers")) : NULL;
	b->diff_ids = base ? json_deep_copy(json_object_get(json_object_get(base->config, "rootfs"), "diff_ids")) : NULL;
	b->history = base && json_is_array(json_object_get(base->config, "history"))
			     ? json_deep_copy(json_object_get(base->config, "history"))
			     : NULL;
	if (!b->layers)
		b->layers = json_array();
	if (!b->diff_ids)
		b->diff_ids = json_array();
	if (!b->history)
		b->history = json_array();
	kf_sha256 h;
	kf_sha256_init(&h);
	char head[512];
	int n = snprintf(head, sizeof head, "kfc-build-v1\n%s\n%s/%s/%s\n%s:%d\n%lld\n", base ? base->digest : "scratch",
			 plat->os, plat->arch, plat->variant, kf_compression_name(o->compression), o->level,
			 (long long)b->lopt.epoch);
	kf_sha256_update(&h, head, (size_t)n);
	kf_sha256_final(&h, b->key);
}

/* Tags the image in the store and writes the outputs. */
static int publish(builder *b, const json_t *desc)
{
	const kf_build_options *o = b->o;
	int status = 0;
	kf_err e;
	if (o->ntags && !INTERRUPTED(b)) {
		KF_VEC(char *) refs = {0};
		for (size_t i = 0; i < o->ntags; i++)
			kf_vec_push(&refs, kf_ref_with_tag(o->tags[i]));
		tag_ctx tc = {(const char *const *)refs.v, refs.n, desc};
		if (!kf_store_update_index(&b->store, tag_fn, &tc, &e)) {
			say(b, KF_SEV_ERROR, "store: %s", e.msg);
			status = 1;
		}
		for (size_t i = 0; i < refs.n; i++)
			free(refs.v[i]);
		kf_vec_free(&refs);
	}
	for (size_t i = 0; status == 0 && i < o->noutputs && !INTERRUPTED(b); i++)
		if (!write_output(b, o->outputs[i], desc))
			status = 1;
	return status;
}

/* The steps, the image, its tags and outputs. */
static int execute(builder *b, const kf_image *base, kf_build_result *result)
{
	int status = prepare(b);
	if (status)
		return status;
	start_image(b, base);
	size_t nsteps = b->plan->nsteps;
	double t0 = now_s();
	for (size_t i = 0; i < nsteps && status == 0; i++)
		if (!run_step(b, i, nsteps, &b->plan->steps[i]) || INTERRUPTED(b))
			status = INTERRUPTED(b) ? 130 : 1;
	json_t *desc = NULL;
	if (status == 0 && !INTERRUPTED(b) && !write_image(b, &desc))
		status = 1;
	if (status == 0)
		status = publish(b, desc);
	if (INTERRUPTED(b))
		status = 130;
	if (status == 0) {
		snprintf(result->digest, sizeof result->digest, "%s", json_string_value(json_object_get(desc, "digest")));
		result->secs = now_s() - t0;
	}
	json_decref(desc);
	return status;
}

static void builder_release(builder *b)
{
	if (b->tmp) {
		kf_remove_tree(b->tmp);
		free(b->tmp);
	}
	free(b->rootfs);
	free(b->bwrap);
	kf_plan_free(b->plan);
	json_decref(b->layers);
	json_decref(b->diff_ids);
	json_decref(b->history);
	json_decref(b->apps);
	json_decref(b->base_ext);
	if (b->store.dir)
		kf_store_close(&b->store);
}

int kf_build(const kf_build_options *o, const kf_document *doc, const kf_model *model, kf_diag_bag *diags,
	     const kf_build_report *report, kf_build_result *result)
{
	builder B = {.o = o, .doc = doc, .diags = diags, .report = report};
	builder *b = &B;
	memset(result, 0, sizeof *result);
	kf_plan_input pin = {.doc = doc, .model = model, .context = o->context, .build_args = o->build_args,
			     .nbuild_args = o->nbuild_args, .image_type = o->image_type};
	if (!build_platform(b, model, &pin.platform))
		return 2;
	int status = 0;
	kf_image base = {0};
	bool have_base = false;
	kf_err e;
	char *base_ref = diags->nerrors ? NULL : kf_plan_base_ref(&pin, diags);
	bool from_scratch = base_ref && strcmp(base_ref, "scratch") == 0;
	if (diags->nerrors == 0 && (!o->plan_only || !from_scratch) && !kf_store_open(&b->store, false, &e)) {
		say(b, KF_SEV_ERROR, "store: %s", e.msg);
		free(base_ref);
		return 1;
	}
	if (diags->nerrors == 0 && base_ref && !from_scratch) {
		b->from = model->from;
		have_base = load_base(b, base_ref, &base);
		if (have_base)
			use_base(b, &base, &pin);
	}
	if (diags->nerrors == 0)
		b->plan = kf_plan_lower(&pin, diags);
	if (diags->nerrors || !b->plan) {
		status = 1;
	} else if (o->plan_only) {
		descriptor_labels(b);
		result->plan = kf_plan_to_json(b->plan);
		json_object_set_new(result->plan, "base",
				    have_base ? json_pack("{s:s,s:s}", "ref", base_ref, "digest", base.digest)
					      : json_string("scratch"));
	} else {
		descriptor_labels(b);
		status = execute(b, have_base ? &base : NULL, result);
	}
	if (diags->nerrors && status == 0)
		status = 1;
	builder_release(b);
	if (have_base)
		kf_image_release(&base);
	free(base_ref);
	return status;
}
