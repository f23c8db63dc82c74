/* SPDX-License-Identifier: Apache-2.0 */
/* shellcheck.c - see shellcheck.h */
#include "lint/shellcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/proc.h"
#include "base/vec.h"

/* GHC's runtime exits with this status when the heap cannot grow (here:
 * the address-space limit) */
#define GHC_EXIT_HEAP_OVERFLOW 251

/* What sealos changes in a command before the shell reads it, and so
 * ShellCheck too: a $(NAME) given as PLACEHOLDER, or $$ as $. Its offset
 * and length in the script, and in the command's text. */
typedef struct placed {
	size_t script_at, script_len, text_at, len;
} placed;

/* sealos' $(NAME) becomes this word: $$ is a number to ShellCheck, so it
 * asks for no quotes (SC2086), does not call single quotes a mistake
 * (SC2016) and reads no comparison with it as constant (SC2050, SC2157,
 * SC2193), unlike any literal word or $$ with letters after it. */
#define PLACEHOLDER "$$"

/* One command to check: its word (text and span) in the Kubefile, and skip,
 * the bytes of the span before the text (1 for a JSON string's quote). */
typedef struct command {
	kf_word w;
	uint32_t skip;
	bool sealos;  /* sealos run substitutes its $(NAME) first */
	char *joined; /* APPCMDS: the words joined, which w.text points into */
	placed *subs; /* its sealos variables, in order, once written */
	size_t nsubs;
	char *script; /* what ShellCheck reads (its text and a newline, then a NUL), once made */
	size_t script_len;
} command;

typedef KF_VEC(command) commands;

/* The byte offset of ShellCheck's 1-based column, which counts a tab as
 * reaching the next multiple of 8. */
static size_t byte_of_column(const char *line, size_t len, long col)
{
	long vis = 1;
	size_t i = 0;
	while (i < len && vis < col) {
		vis = line[i] == '\t' ? ((vis - 1) / 8 + 1) * 8 + 1 : vis + 1;
		i++;
	}
	return i;
}

static kf_severity level(const char *s)
{
	if (s && strcmp(s, "error") == 0)
		return KF_SEV_ERROR;
	if (s && strcmp(s, "warning") == 0)
		return KF_SEV_WARNING;
	if (s && strcmp(s, "info") == 0)
		return KF_SEV_INFO;
	return KF_SEV_STYLE;
}

/* The commands of the document, in order. */
static void collect(const kf_document *doc, const kf_model *m, commands *cs)
{
	bool sealos = m->dialect == KF_DIALECT_SEALOS;
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->broken)
			continue;
		kf_kind k = (kf_kind)in->kind;
		bool start = k == KF_INSTR_CMD || k == KF_INSTR_CMDS;
		if (k == KF_INSTR_RUN && in->form == KF_FORM_SHELL && in->nargs == 1) {
			uint32_t nh;
			kf_instr_heredocs(in, &nh);
			if (nh == 0)
				kf_vec_push(cs, ((command){.w = in->args[0]}));
		} else if (start && in->form == KF_FORM_SHELL && in->nargs == 1) {
			kf_vec_push(cs, ((command){.w = in->args[0], .sealos = sealos && k == KF_INSTR_CMD}));
		} else if (start && in->form == KF_FORM_JSON) {
			/* each string is one whole command line */
			for (uint32_t a = 0; a < in->nargs; a++)
				kf_vec_push(cs, ((command){.w = in->args[a], .skip = 1, .sealos = sealos && k == KF_INSTR_CMD}));
		} else if (k == KF_INSTR_APPCMDS && in->nargs) {
			/* the words joined with spaces make the command */
			kf_buf joined = KF_BUF_INIT;
			for (uint32_t a = 0; a < in->nargs; a++) {
				if (a)
					kf_buf_addc(&joined, ' ');
				kf_buf_addstr(&joined, in->args[a].text);
			}
			size_t n;
			char *p = kf_buf_detach(&joined, &n);
			command c = {.w = {kf_instr_args_span(in), kf_str_make(p ? p : "", n)},
				     .skip = in->form == KF_FORM_SHELL ? 0 : 1, .joined = p};
			kf_vec_push(cs, c);
		}
	}
}

/* The script shellcheck reads for c: its text and a newline. In a
 * command sealos runs, the text sealos gives the shell: each sealos
 * variable (kf_model_sealos_var) as PLACEHOLDER and $$ as $, noted in
 * c->subs to map columns back; a real command substitution ($(date),
 * $(kubectl get ns)) stays as it is. RUN is not sealos': buildah runs it
 * when the image is built, where $(NAME) is the shell's. */
static void script_of(const kf_model *m, command *c, kf_buf *script)
{
	kf_buf_reset(script);
	kf_str t = c->w.text;
	size_t pos = 0, s, e, from = 0;
	KF_VEC(placed) subs = {0};
	kf_sealos_tok k;
	while (c->sealos && (k = kf_sealos_next(t, &pos, &s, &e)) != KF_SEALOS_NONE) {
		const char *as = k == KF_SEALOS_DOLLAR ? "$" : PLACEHOLDER;
		if (k == KF_SEALOS_REF && !kf_model_sealos_var(m, kf_str_make(t.ptr + s + 2, e - s - 3)))
			continue;
		kf_buf_add(script, t.ptr + from, s - from);
		kf_vec_push(&subs, ((placed){script->len, strlen(as), s, e - s}));
		kf_buf_adds(script, as);
		from = e;
	}
	kf_buf_add(script, t.ptr + from, t.len - from);
	kf_buf_addc(script, '\n');
	free(c->subs);
	c->subs = subs.v;
	c->nsubs = subs.n;
	free(c->script);
	c->script = kf_xmalloc(script->len + 1); /* a string: the cache's key */
	memcpy(c->script, script->ptr, script->len);
	c->script[script->len] = '\0';
	c->script_len = script->len - 1;
}

/* The offset in c's text of byte at of its script; a byte inside a
 * replacement is the start of what it replaced, or its end for an end. */
static size_t text_of(const command *c, size_t at, bool end)
{
	size_t shift = 0;
	for (size_t i = 0; i < c->nsubs; i++) {
		const placed *p = &c->subs[i];
		if (at <= p->script_at)
			break;
		if (at < p->script_at + p->script_len)
			return end ? p->text_at + p->len : p->text_at;
		shift = p->text_at + p->len - (p->script_at + p->script_len);
	}
	return at + shift;
}

/* One finding c of ShellCheck on command cmd, as a diagnostic. */
static void report(kf_diag_bag *out, const command *cmd, json_t *c)
{
	const kf_word *w = &cmd->w;
	uint32_t skip = cmd->skip;
	/* exact places when the word is its source text */
	bool exact = w->span.end - w->span.start == w->text.len + 2 * skip;
	long line = (long)json_integer_value(json_object_get(c, "line"));
	long col = (long)json_integer_value(json_object_get(c, "column"));
	long ecol = (long)json_integer_value(json_object_get(c, "endColumn"));
	long eline = (long)json_integer_value(json_object_get(c, "endLine"));
	kf_span at = w->span;
	if (exact && line == 1) {
		/* columns of the script, bytes of the text */
		size_t a = text_of(cmd, byte_of_column(cmd->script, cmd->script_len, col), false);
		size_t b = eline == 1 ? text_of(cmd, byte_of_column(cmd->script, cmd->script_len, ecol), true) : w->text.len;
		at = (kf_span){w->span.start + skip + (uint32_t)a, w->span.start + skip + (uint32_t)(b > a ? b : a)};
	}
	char code[32];
	snprintf(code, sizeof(code), "SC%lld", (long long)json_integer_value(json_object_get(c, "code")));
	/* the code must outlive this function: keep it in the arena */
	char *kept = kf_arena_strndup(out->arena, code, strlen(code));
	kf_diag_add(out, level(json_string_value(json_object_get(c, "level"))), at, kept, "%s",
		    json_string_value(json_object_get(c, "message")));
}

/* The index of a file given to shellcheck (its name is the index in
 * decimal), or -1 if name is none of them. */
static long file_index(const char *name, size_t n)
{
	if (!name || !*name || strspn(name, "0123456789") != strlen(name) || strlen(name) > 9)
		return -1;
	long i = strtol(name, NULL, 10);
	return (size_t)i < n ? i : -1;
}

/* ShellCheck's JSON output split by the files given (n of them): one
 * array of findings per file, in ShellCheck's order (the order one
 * process per command would have reported them). */
static void split_findings(const kf_buf *res, size_t n, json_t **per)
{
	json_error_t err;
	json_t *j = res->len ? json_loadb(res->ptr, res->len, 0, &err) : NULL;
	json_t *comments = json_object_get(j, "comments");
	for (size_t f = 0; f < n; f++)
		per[f] = json_array();
	size_t i;
	json_t *c;
	json_array_foreach(comments, i, c) {
		long f = file_index(json_string_value(json_object_get(c, "file")), n);
		if (f >= 0)
			json_array_append(per[f], c);
	}
	json_decref(j);
}

/* Two generations of KF_SHELLCHECK_CACHE_SCRIPTS scripts at most: when
 * the new one is full it becomes the old one, and a script found in the
 * old one moves to the new one. The commands of one file (at most
 * shellcheck-max-commands) stay while they are used. */
struct kf_shellcheck_cache {
	json_t *now, *old; /* script text -> the array of ShellCheck's findings */
};

kf_shellcheck_cache *kf_shellcheck_cache_new(void)
{
	kf_shellcheck_cache *c = kf_xcalloc(1, sizeof(*c));
	c->now = json_object();
	c->old = json_object();
	return c;
}

void kf_shellcheck_cache_free(kf_shellcheck_cache *c)
{
	if (!c)
		return;
	json_decref(c->now);
	json_decref(c->old);
	free(c);
}

/* a script with a NUL byte is never cached: it cannot be a key */
static bool cacheable(const kf_shellcheck_cache *cache, const command *c)
{
	return cache && !memchr(c->script, '\0', c->script_len);
}

static void cache_put(kf_shellcheck_cache *cache, const command *c, json_t *found)
{
	if (!cacheable(cache, c))
		return;
	if (json_object_size(cache->now) >= KF_SHELLCHECK_CACHE_SCRIPTS) {
		json_decref(cache->old);
		cache->old = cache->now;
		cache->now = json_object();
	}
	json_object_set(cache->now, c->script, found);
}

/* The findings cached for c's script (a new reference), or NULL */
static json_t *cache_get(kf_shellcheck_cache *cache, const command *c)
{
	if (!cacheable(cache, c))
		return NULL;
	json_t *f = json_object_get(cache->now, c->script);
	if (f)
		return json_incref(f);
	if (!(f = json_object_get(cache->old, c->script)))
		return NULL;
	json_incref(f);
	json_object_del(cache->old, c->script);
	cache_put(cache, c, f);
	return f;
}

__attribute__((format(printf, 3, 4)))
static void skipped(kf_diag_bag *out, const command *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_diag_addv(out, KF_SEV_INFO, c->w.span, KF_SHELLCHECK_SKIPPED, fmt, ap);
	va_end(ap);
}

/* " and N more after it", or nothing */
static const char *more(char *buf, size_t size, size_t n)
{
	if (n)
		snprintf(buf, size, " and %zu more after it", n);
	else
		buf[0] = '\0';
	return buf;
}

/* Writes the scripts of given[0..n) (script_of made them) into a new
 * private folder, as files named 0, 1, …; returns its descriptor, with
 * its path in dir, or -1 with a message in why (and nothing left on
 * disk). */
static int write_scripts(const command *const *given, size_t n, kf_buf *dir, kf_buf *why)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || *tmp != '/')
		tmp = "/tmp";
	kf_buf_printf(dir, "%s/kflint-shellcheck-XXXXXX", tmp);
	if (!mkdtemp(dir->ptr)) {
		kf_buf_printf(why, "cannot make a temporary folder in %s: %s", tmp, strerror(errno));
		return -1;
	}
	int dfd = open(dir->ptr, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0) {
		kf_buf_printf(why, "%s: %s", dir->ptr, strerror(errno));
		rmdir(dir->ptr);
		return -1;
	}
	size_t done = 0;
	for (; done < n; done++) {
		char name[32];
		snprintf(name, sizeof(name), "%zu", done);
		const char *script = given[done]->script;
		size_t len = given[done]->script_len + 1; /* and its newline */
		int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			kf_buf_printf(why, "%s/%s: %s", dir->ptr, name, strerror(errno));
			break;
		}
		size_t at = 0;
		errno = 0;
		while (at < len) {
			ssize_t w = write(fd, script + at, len - at);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			at += (size_t)w;
		}
		int e = at < len ? (errno ? errno : EIO) : 0;
		if (close(fd) != 0 && !e)
			e = errno;
		if (e) {
			kf_buf_printf(why, "%s/%s: %s", dir->ptr, name, strerror(e));
			done++;
			break;
		}
	}
	if (done == n && !why->len)
		return dfd;
	for (size_t i = 0; i < done; i++) {
		char name[32];
		snprintf(name, sizeof(name), "%zu", i);
		unlinkat(dfd, name, 0);
	}
	close(dfd);
	rmdir(dir->ptr);
	return -1;
}

bool kf_shellcheck(const kf_document *doc, const kf_model *m, const kf_shellcheck_limits *lim,
		   kf_shellcheck_cache *cache, kf_diag_bag *out)
{
	kf_shellcheck_limits l = lim ? *lim : (kf_shellcheck_limits){0};
	if (!l.command_bytes)
		l.command_bytes = KF_SHELLCHECK_COMMAND_BYTES;
	if (!l.file_bytes)
		l.file_bytes = KF_SHELLCHECK_FILE_BYTES;
	if (!l.commands)
		l.commands = KF_SHELLCHECK_COMMANDS;
	if (!l.timeout)
		l.timeout = KF_SHELLCHECK_TIMEOUT;
	if (!l.memory)
		l.memory = KF_SHELLCHECK_MEMORY;
	/* not installed: nothing to do, and nothing to say */
	char *prog = kf_proc_which("shellcheck");
	if (!prog)
		return false;
	commands cs = {0};
	collect(doc, m, &cs);
	/* the commands given, within the limits, in order */
	commands given = {0};
	size_t total = 0;
	char buf[64];
	for (size_t i = 0; i < cs.n; i++) {
		const command *c = &cs.v[i];
		if (given.n == l.commands) {
			skipped(out, c, "ShellCheck skipped this command%s: the file has more than %zu commands "
				"(shellcheck-max-commands)", more(buf, sizeof(buf), cs.n - i - 1), l.commands);
			break;
		}
		if (c->w.text.len > l.command_bytes) {
			skipped(out, c, "ShellCheck skipped this command: it is %zu bytes, over the limit of %zu "
				"(shellcheck-max-command-bytes)", c->w.text.len, l.command_bytes);
			continue;
		}
		if (total + c->w.text.len + 1 > l.file_bytes) {
			skipped(out, c, "ShellCheck skipped this command%s: the file's commands pass the limit of %zu "
				"bytes (shellcheck-max-file-bytes)", more(buf, sizeof(buf), cs.n - i - 1), l.file_bytes);
			break;
		}
		total += c->w.text.len + 1;
		kf_vec_push(&given, *c);
	}
	bool ok = true;
	/* the scripts; those the cache does not know are given to shellcheck */
	kf_buf script = KF_BUF_INIT;
	json_t **found = kf_xcalloc(given.n ? given.n : 1, sizeof(*found));
	KF_VEC(const command *) run = {0};
	KF_VEC(size_t) run_at = {0};
	for (size_t i = 0; i < given.n; i++) {
		script_of(m, &given.v[i], &script);
		if (!(found[i] = cache_get(cache, &given.v[i]))) {
			kf_vec_push(&run, (const command *)&given.v[i]);
			kf_vec_push(&run_at, i);
		}
	}
	kf_buf_release(&script);
	if (run.n) {
		kf_buf dir = KF_BUF_INIT, why = KF_BUF_INIT, res = KF_BUF_INIT;
		int dfd = write_scripts(run.v, run.n, &dir, &why);
		if (dfd < 0) {
			skipped(out, &given.v[0], "ShellCheck was not run: %s", why.ptr);
			ok = false;
		} else {
			KF_VEC(char *) argv = {0};
			static const char *const opts[] = {"shellcheck", "--format=json1", "--shell=sh",
							   "--exclude=SC2154"};
			for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
				kf_vec_push(&argv, kf_xstrdup(opts[i]));
			for (size_t i = 0; i < run.n; i++) {
				snprintf(buf, sizeof(buf), "%zu", i);
				kf_vec_push(&argv, kf_xstrdup(buf));
			}
			kf_vec_push(&argv, NULL);
			kf_proc p = {.argv = argv.v, .path = prog, .dir_fd = dfd, .timeout_ms = l.timeout * 1000u,
				     .max_memory = (size_t)l.memory << 20};
			int status;
			kf_proc_end end = kf_proc_run(&p, &res, &status);
			for (size_t i = 0; i < run.n; i++)
				unlinkat(dfd, argv.v[4 + i], 0);
			close(dfd);
			rmdir(dir.ptr);
			for (size_t i = 0; i + 1 < argv.n; i++)
				free(argv.v[i]);
			kf_vec_free(&argv);
			if (end == KF_PROC_TIMED_OUT) {
				skipped(out, &given.v[0], "ShellCheck was stopped after %u s (shellcheck-timeout): the "
					"file's commands are not checked", l.timeout);
				ok = false;
			} else if (end == KF_PROC_EXITED && status == GHC_EXIT_HEAP_OVERFLOW) {
				skipped(out, &given.v[0], "ShellCheck ran out of memory (shellcheck-max-memory: %u MiB): "
					"the file's commands are not checked", l.memory);
				ok = false;
			} else if (end != KF_PROC_EXITED || status >= 3) {
				/* not installed, or it failed: as documented, no message */
				ok = false;
			} else {
				json_t **per = kf_xcalloc(run.n, sizeof(*per));
				split_findings(&res, run.n, per);
				for (size_t i = 0; i < run.n; i++) {
					cache_put(cache, run.v[i], per[i]);
					found[run_at.v[i]] = per[i];
				}
				free(per);
			}
		}
		kf_buf_release(&res);
		kf_buf_release(&why);
		kf_buf_release(&dir);
	}
	/* in the order of the commands; nothing when shellcheck failed */
	for (size_t i = 0; i < given.n; i++) {
		size_t k;
		json_t *c;
		if (ok) {
			json_array_foreach(found[i], k, c)
				report(out, &given.v[i], c);
		}
		json_decref(found[i]);
	}
	free(found);
	kf_vec_free(&run);
	kf_vec_free(&run_at);
	free(prog);
	for (size_t i = 0; i < cs.n; i++)
		free(cs.v[i].joined);
	for (size_t i = 0; i < given.n; i++) {
		free(given.v[i].subs);
		free(given.v[i].script);
	}
	kf_vec_free(&cs);
	kf_vec_free(&given);
	return ok;
}
