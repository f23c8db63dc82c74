/* shellcheck.c - see shellcheck.h */
#include "shellcheck.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"

extern char **environ;

/* Runs shellcheck on script; its JSON output in out. -1: cannot run it. */
static int run(const char *script, size_t n, kf_buf *out)
{
	int in[2], res[2];
	if (pipe(in) != 0)
		return -1;
	if (pipe(res) != 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, res[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, res[0]);
	char *argv[] = {"shellcheck", "--format=json1", "--shell=sh", "--exclude=SC2154", "-", NULL};
	pid_t pid;
	int rc = posix_spawnp(&pid, "shellcheck", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(res[1]);
	if (rc != 0) {
		close(in[1]);
		close(res[0]);
		return -1;
	}
	/* a command is one line: it fits in the pipe, so writing first
	 * cannot wait on shellcheck's output */
	void (*old)(int) = signal(SIGPIPE, SIG_IGN);
	for (size_t done = 0; done < n;) {
		ssize_t w = write(in[1], script + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	close(in[1]);
	char chunk[4096];
	ssize_t got;
	while ((got = read(res[0], chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		kf_buf_add(out, chunk, (size_t)got);
	}
	close(res[0]);
	signal(SIGPIPE, old);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* 127: the shell could not find it (posix_spawnp may report it late) */
	if (WIFEXITED(status) && WEXITSTATUS(status) >= 3)
		return -1;
	return 0;
}

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

/* Checks one command; where is its word (text and span) in the Kubefile,
 * skip the bytes of the span before the text (1 for a JSON string's
 * quote). */
static bool check_command(const kf_document *doc, const kf_model *m, const kf_word *w, uint32_t skip,
			  kf_diag_bag *out)
{
	kf_buf script = KF_BUF_INIT;
	kf_buf_addstr(&script, w->text);
	if (m->dialect == KF_DIALECT_SEALOS) {
		/* $(NAME) -> ${NAME}: same length, so columns stay */
		for (size_t i = 0; i + 2 < script.len; i++) {
			if (script.ptr[i] != '$' || script.ptr[i + 1] != '(')
				continue;
			size_t k = i + 2;
			while (k < script.len && ((script.ptr[k] >= 'A' && script.ptr[k] <= 'Z') ||
						  (script.ptr[k] >= 'a' && script.ptr[k] <= 'z') ||
						  (script.ptr[k] >= '0' && script.ptr[k] <= '9') || script.ptr[k] == '_'))
				k++;
			if (k < script.len && script.ptr[k] == ')' && k > i + 2) {
				script.ptr[i + 1] = '{';
				script.ptr[k] = '}';
			}
		}
	}
	kf_buf_addc(&script, '\n');
	kf_buf res = KF_BUF_INIT;
	int rc = run(script.ptr, script.len, &res);
	bool ok = rc == 0;
	json_error_t err;
	json_t *j = ok && res.len ? json_loadb(res.ptr, res.len, 0, &err) : NULL;
	json_t *comments = json_object_get(j, "comments");
	/* exact places when the word is its source text */
	bool exact = w->span.end - w->span.start == w->text.len + 2 * skip;
	for (size_t i = 0; i < json_array_size(comments); i++) {
		json_t *c = json_array_get(comments, i);
		long line = (long)json_integer_value(json_object_get(c, "line"));
		long col = (long)json_integer_value(json_object_get(c, "column"));
		long ecol = (long)json_integer_value(json_object_get(c, "endColumn"));
		long eline = (long)json_integer_value(json_object_get(c, "endLine"));
		kf_span at = w->span;
		if (exact && line == 1) {
			size_t a = byte_of_column(w->text.ptr, w->text.len, col);
			size_t b = eline == 1 ? byte_of_column(w->text.ptr, w->text.len, ecol) : w->text.len;
			at = (kf_span){w->span.start + skip + (uint32_t)a, w->span.start + skip + (uint32_t)(b > a ? b : a)};
		}
		char code[16];
		snprintf(code, sizeof(code), "SC%lld", (long long)json_integer_value(json_object_get(c, "code")));
		/* the code must outlive this function: keep it in the arena */
		char *kept = kf_arena_strndup(out->arena, code, strlen(code));
		kf_diag_add(out, level(json_string_value(json_object_get(c, "level"))), at, kept, "%s",
			    json_string_value(json_object_get(c, "message")));
	}
	json_decref(j);
	kf_buf_release(&res);
	kf_buf_release(&script);
	(void)doc;
	return ok;
}

bool kf_shellcheck(const kf_document *doc, const kf_model *m, kf_diag_bag *out)
{
	for (uint32_t i = 0; i < doc->ninstrs; i++) {
		const kf_instr *in = doc->instrs[i];
		if (in->broken)
			continue;
		kf_kind k = (kf_kind)in->kind;
		bool start = k == KF_INSTR_CMD || k == KF_INSTR_CMDS;
		if (k == KF_INSTR_RUN && in->form == KF_FORM_SHELL && in->nargs == 1) {
			uint32_t nh;
			kf_instr_heredocs(in, &nh);
			if (nh == 0 && !check_command(doc, m, &in->args[0], 0, out))
				return false;
		} else if (start && in->form == KF_FORM_SHELL && in->nargs == 1) {
			if (!check_command(doc, m, &in->args[0], 0, out))
				return false;
		} else if (start && in->form == KF_FORM_JSON) {
			/* each string is one whole command line */
			for (uint32_t a = 0; a < in->nargs; a++)
				if (!check_command(doc, m, &in->args[a], 1, out))
					return false;
		} else if (k == KF_INSTR_APPCMDS && in->nargs) {
			/* the words joined with spaces make the command */
			kf_word w = in->args[0];
			kf_buf joined = KF_BUF_INIT;
			for (uint32_t a = 0; a < in->nargs; a++) {
				if (a)
					kf_buf_addc(&joined, ' ');
				kf_buf_addstr(&joined, in->args[a].text);
			}
			w.text = kf_str_make(joined.ptr, joined.len);
			w.span = kf_instr_args_span(in);
			bool ok = check_command(doc, m, &w, in->form == KF_FORM_SHELL ? 0 : 1, out);
			kf_buf_release(&joined);
			if (!ok)
				return false;
		}
	}
	return true;
}
