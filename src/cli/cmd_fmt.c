/* SPDX-License-Identifier: Apache-2.0 */
/* kfc_fmt.c - kfc fmt: the formatter's command line.
 *
 *   kfc fmt [-w|--check|--diff] [--indent=N] [--use-tabs] [--rewrite=LIST]
 *           [--config=FILE] [--stdin-filename=NAME] FILE|DIR...|-
 *
 * Settings, each overriding the one before: the defaults, .editorconfig
 * (indent_style, indent_size), the fmt section of .kflint.yaml, the
 * command line (docs/formatting.md).
 */
#include <editorconfig/editorconfig.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "syntax/ast.h"
#include "base/buf.h"
#include "config/kfconfig.h"
#include "config/settings.h"
#include "syntax/diag.h"
#include "base/files.h"
#include "syntax/format.h"
#include "cli/kfc.h"
#include "cli/opts.h"
#include "base/fsutil.h"
#include "base/proc.h"
#include "syntax/source.h"


enum mode { MODE_PRINT, MODE_WRITE, MODE_CHECK, MODE_DIFF };

typedef struct fmt_cli {
	enum mode mode;
	int indent, use_tabs, rewrite_legacy_env, rewrite_cmds_json; /* -1: not given */
	const char *config;
	const char *stdin_name;
	unsigned first_line, last_line; /* --lines, 1-based; 0: the whole file */
} fmt_cli;

/* indent_style and indent_size from the .editorconfig files of path */
static void editorconfig(const char *path, kf_fmt_options *opt)
{
	char real[PATH_MAX];
	kf_buf full = KF_BUF_INIT;
	if (realpath(path, real)) {
		kf_buf_adds(&full, real);
	} else {
		/* a file to be (stdin with --stdin-filename): its directory */
		char *dir = kf_xstrdup(path);
		bool found = realpath(dirname(dir), real) != NULL;
		free(dir);
		if (!found)
			return;
		const char *base = strrchr(path, '/');
		kf_buf_printf(&full, "%s/%s", real, base ? base + 1 : path);
	}
	editorconfig_handle h = editorconfig_handle_init();
	if (editorconfig_parse(full.ptr, h) == 0) {
		int n = editorconfig_handle_get_name_value_count(h);
		for (int i = 0; i < n; i++) {
			const char *name, *value;
			editorconfig_handle_get_name_value(h, i, &name, &value);
			if (strcmp(name, "indent_style") == 0)
				opt->use_tabs = strcmp(value, "tab") == 0;
			else if (strcmp(name, "indent_size") == 0 && atoi(value) > 0 && atoi(value) <= 16)
				opt->indent = (unsigned)atoi(value);
		}
	}
	editorconfig_handle_destroy(h);
	kf_buf_release(&full);
}

/* The options for one file. Returns false on a bad config file. */
static bool options_for(const fmt_cli *cli, const char *path, kf_fmt_options *opt)
{
	kf_fmt_options def = KF_FMT_OPTIONS_INIT;
	*opt = def;
	editorconfig(path, opt);
	kf_config cfg;
	kf_config_init(&cfg);
	char *found = NULL;
	if (!cli->config) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", path);
		found = kf_config_find(NULL, dirname(dir));
	}
	const char *cfile = cli->config ? cli->config : found;
	if (cfile) {
		char *err = NULL;
		if (!kf_config_load(&cfg, cfile, &err)) {
			fprintf(stderr, "kfc fmt: %s\n", err);
			free(err);
			free(found);
			return false;
		}
	}
	free(found);
	kf_config_apply_fmt(&cfg, opt);
	kf_config_release(&cfg);
	if (cli->indent > 0)
		opt->indent = (unsigned)cli->indent;
	if (cli->use_tabs >= 0)
		opt->use_tabs = cli->use_tabs;
	if (cli->rewrite_legacy_env >= 0)
		opt->rewrite_legacy_env = cli->rewrite_legacy_env;
	if (cli->rewrite_cmds_json >= 0)
		opt->rewrite_cmds_json = cli->rewrite_cmds_json;
	return true;
}

/* Rewrites path with text, keeping its links, owner and mode. */
static bool write_in_place(const char *path, const kf_buf *text)
{
	kf_err err;
	if (!kf_rewrite_file(path, text->ptr ? text->ptr : "", text->len, &err)) {
		fprintf(stderr, "kfc fmt: %s\n", err.msg);
		return false;
	}
	return true;
}

/* A unified diff of old and new, by diff(1) from diffutils. */
static bool show_diff(const char *name, const kf_source *src, const kf_buf *text)
{
	char a[] = "/tmp/kfc-fmt-a-XXXXXX", b[] = "/tmp/kfc-fmt-b-XXXXXX";
	int fa = mkstemp(a), fb = mkstemp(b);
	bool ok = fa >= 0 && fb >= 0 && kf_write_all(fa, src->text, src->len) &&
		  kf_write_all(fb, text->ptr ? text->ptr : "", text->len);
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	if (ok) {
		kf_buf la = KF_BUF_INIT, lb = KF_BUF_INIT;
		kf_buf_printf(&la, "a/%s", name);
		kf_buf_printf(&lb, "b/%s", name);
		char *argv[] = {"diff", "-u", "--label", la.ptr, "--label", lb.ptr, a, b, NULL};
		fflush(stdout);
		kf_proc p = {.argv = argv, .dir_fd = -1, .out_fd = 1};
		kf_buf none = KF_BUF_INIT;
		int status = 0;
		kf_proc_end end = kf_proc_run(&p, &none, &status);
		kf_buf_release(&none);
		if (end == KF_PROC_NOT_RUN) {
			fprintf(stderr, "kfc fmt: cannot run diff: %s\n", strerror(status));
			ok = false;
		} else if (end != KF_PROC_EXITED || status > 1) {
			fprintf(stderr, "kfc fmt: diff failed\n");
			ok = false;
		}
		kf_buf_release(&la);
		kf_buf_release(&lb);
	}
	if (fa >= 0)
		unlink(a);
	if (fb >= 0)
		unlink(b);
	return ok;
}

/* Formats one file; returns the exit status it contributes. */
static int format_file(const fmt_cli *cli, const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? (cli->stdin_name ? cli->stdin_name : "-") : path;
	kf_fmt_options opt;
	if (!options_for(cli, is_stdin && cli->stdin_name ? cli->stdin_name : (is_stdin ? "./-" : path), &opt))
		return KF_EXIT_USAGE;
	kf_source src;
	const char *err;
	if (!kf_source_init_file(&src, path, name, &err)) {
		fprintf(stderr, "kfc fmt: %s: %s\n", path, err);
		return KF_EXIT_USAGE;
	}
	kf_document *doc = kf_parse(&src);
	if (doc->diags.nerrors)
		fprintf(stderr, "kfc fmt: %s: %zu syntax error%s: the lines that do not parse are left as they are\n",
			name, doc->diags.nerrors, doc->diags.nerrors == 1 ? "" : "s");
	kf_buf out = KF_BUF_INIT;
	if (cli->first_line) {
		/* the range entry point, as an editor calls it */
		uint32_t a = cli->first_line - 1, b = cli->last_line - 1;
		kf_span range = {a < src.nlines ? src.lines[a] : (uint32_t)src.len,
				 b < src.nlines ? kf_source_pline(&src, src.lines[b]).end : (uint32_t)src.len};
		kf_edits edits = {NULL, 0, 0};
		kf_format_range(doc, &opt, range, &edits);
		kf_edits_apply(&src, &edits, &out);
		kf_edits_release(&edits);
	} else {
		kf_format(doc, &opt, &out);
	}
	bool same = out.len == src.len && (out.len == 0 || memcmp(out.ptr, src.text, out.len) == 0);
	int status = KF_EXIT_OK;
	switch (cli->mode) {
	case MODE_PRINT:
		if (out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len)
			status = KF_EXIT_USAGE;
		break;
	case MODE_WRITE:
		if (is_stdin) {
			if (out.len && fwrite(out.ptr, 1, out.len, stdout) != out.len)
				status = KF_EXIT_USAGE;
		} else if (!same && !write_in_place(path, &out)) {
			status = KF_EXIT_USAGE;
		} else if (!same) {
			/* one name a line on standard output, as gofmt -l and
			 * prettier --write list them: xargs can take them */
			printf("%s\n", path);
		}
		break;
	case MODE_CHECK:
	case MODE_DIFF:
		if (!same) {
			status = KF_EXIT_PROBLEMS;
			if (!show_diff(name, &src, &out))
				status = KF_EXIT_USAGE;
		}
		break;
	}
	kf_buf_release(&out);
	kf_document_free(doc);
	kf_source_release(&src);
	return status;
}

static bool parse_rewrite(fmt_cli *cli, const char *list)
{
	cli->rewrite_legacy_env = cli->rewrite_cmds_json = 0;
	char *copy = kf_xstrdup(list), *save = NULL;
	bool ok = true;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "legacy-env") == 0)
			cli->rewrite_legacy_env = 1;
		else if (strcmp(t, "cmds-json") == 0)
			cli->rewrite_cmds_json = 1;
		else if (strcmp(t, "none") != 0) {
			fprintf(stderr, "kfc fmt: unknown rewrite '%s' (legacy-env, cmds-json or none)\n", t);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

enum { O_CHECK = KF_OPT_LONG, O_DIFF, O_INDENT, O_TABS, O_REWRITE, O_CONFIG, O_STDIN_NAME, O_LINES };

static const kf_opt fmt_opts[] = {
	{"write", 'w', NULL, NULL, KF_COMPLETE_NONE, "rewrite the files in place, naming each one rewritten"},
	{"check", O_CHECK, NULL, NULL, KF_COMPLETE_NONE, "exit status 1 and a diff when a file is not formatted"},
	{"diff", O_DIFF, NULL, NULL, KF_COMPLETE_NONE, "print a unified diff of what would change"},
	{"indent", O_INDENT, "N", NULL, KF_COMPLETE_NONE, "indent continuation lines by N spaces (1 to 16)"},
	{"use-tabs", O_TABS, NULL, NULL, KF_COMPLETE_NONE, "indent with tabs"},
	{"rewrite", O_REWRITE, "LIST", "legacy-env|cmds-json|none", KF_COMPLETE_NONE,
	 "rewrites to apply, comma-separated"},
	{"config", O_CONFIG, "FILE", NULL, KF_COMPLETE_FILE, "the settings file (default: .kflint.yaml found upwards)"},
	{"stdin-filename", O_STDIN_NAME, "NAME", NULL, KF_COMPLETE_FILE, "the name standard input is shown as"},
	{"lines", O_LINES, "FIRST:LAST", NULL, KF_COMPLETE_NONE, "format only the instructions on those lines"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_fmt = {
	"fmt", "kfc fmt", "format Kubefiles",
	"usage: kfc fmt [-w|--write | --check | --diff] [OPTION]... FILE|DIR...|-\n"
	"\n"
	"Formats Kubefiles: prints them, rewrites them (-w, which prints the name of each\n"
	"file it rewrote on standard output), or shows what would change (--check, --diff: exit status 1\n"
	"and a unified diff when a file is not formatted). A directory stands for the\n"
	"Kubefiles under it. --lines formats only the instructions on those lines.\n"
	"Exit status: 0 formatted, 1 a file is not (--check, --diff), 2 a usage or I/O error.\n",
	fmt_opts, KF_COMPLETE_FILE, NULL, kf_cmd_fmt,
};

int kf_cmd_fmt(int argc, char **argv)
{
	fmt_cli cli = {MODE_PRINT, -1, -1, -1, -1, NULL, NULL, 0, 0};
	kf_optparse p;
	int c, modes = 0;
	kf_opts_begin(&p, &kf_command_fmt);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case 'w': cli.mode = MODE_WRITE; modes++; break;
		case O_CHECK: cli.mode = MODE_CHECK; modes++; break;
		case O_DIFF: cli.mode = MODE_DIFF; modes++; break;
		case O_INDENT: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 16) {
				fprintf(stderr, "kfc fmt: --indent takes a number from 1 to 16\n");
				return KF_EXIT_USAGE;
			}
			cli.indent = (int)v;
			break;
		}
		case O_TABS: cli.use_tabs = 1; break;
		case O_REWRITE:
			if (!parse_rewrite(&cli, optarg))
				return KF_EXIT_USAGE;
			break;
		case O_CONFIG: cli.config = optarg; break;
		case O_STDIN_NAME: cli.stdin_name = optarg; break;
		case O_LINES:
			if (sscanf(optarg, "%u:%u", &cli.first_line, &cli.last_line) != 2 || cli.first_line == 0 ||
			    cli.last_line < cli.first_line) {
				fprintf(stderr, "kfc fmt: --lines takes FIRST:LAST, 1-based, FIRST <= LAST\n");
				return KF_EXIT_USAGE;
			}
			break;
		case KF_OPT_HELP: return KF_EXIT_OK;
		default: return KF_EXIT_USAGE;
		}
	}
	if (modes > 1) {
		fprintf(stderr, "kfc fmt: -w, --check and --diff exclude each other\n");
		return KF_EXIT_USAGE;
	}
	if (optind >= argc) {
		fprintf(stderr, "kfc fmt: no input file (use - for standard input)\n");
		return KF_EXIT_USAGE;
	}
	int status = KF_EXIT_OK;
	kf_paths files = {NULL, 0, 0};
	for (int i = optind; i < argc; i++) {
		char *err = NULL;
		if (!kf_collect_kubefiles(argv[i], &files, &err)) {
			fprintf(stderr, "kfc fmt: %s\n", err);
			free(err);
			status = KF_EXIT_USAGE;
		}
	}
	for (size_t i = 0; i < files.n; i++) {
		int s = format_file(&cli, files.v[i]);
		if (s > status)
			status = s;
	}
	kf_paths_release(&files);
	if (fflush(stdout) != 0) {
		perror("kfc fmt: write error");
		status = KF_EXIT_USAGE;
	}
	return status;
}
