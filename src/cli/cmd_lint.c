/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_lint.c - the linter's command line (kflint, and kfc lint).
 *
 *   kflint [-f FORMAT] [--config=FILE] [--dialect=D] [--ignore=CODE]...
 *          [--severity=CODE=LEVEL]... [--failure-threshold=LEVEL]
 *          [--color=auto|always|never] [--stdin-filename=NAME] [--list-rules]
 *          FILE|DIR...|-
 *
 * Settings, each overriding the one before: .kflint.yaml (found from each
 * file's directory, or --config), the environment (KFLINT_IGNORE, NO_COLOR),
 * the command line. Exit status: 0 when nothing reaches the failure
 * threshold, 1 when something does, 2 for a usage, configuration or I/O
 * error.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/arena.h"
#include "syntax/ast.h"
#include "config.h"
#include "base/files.h"
#include "cli/kfc.h"
#include "cli/opts.h"
#include "config/kfconfig.h"
#include "lint/lint.h"
#include "lint/report.h"
#include "config/settings.h"
#include "base/vec.h"

typedef struct lint_cli {
	const char *prog;
	const char *config;
	const char *stdin_name;
	const char *context;     /* --context; NULL: each Kubefile's directory */
	int format;              /* -1: not given */
	int dialect;             /* -1: not given */
	int threshold;           /* -1: not given */
	kf_color color;
	int shellcheck;          /* -1: not given */
	KF_VEC(const char *) ignored;
	KF_VEC(kf_severity_override) overrides;
	KF_VEC(const char *) trusted; /* --trusted-registry */
	kf_fscache *files;       /* the disk, as every file of the run sees it */
} lint_cli;

static void list_rules(void)
{
	size_t n;
	const kf_rule *const *rules = kf_rules(&n);
	for (size_t i = 0; i < n; i++)
		printf("%s  %-7s  %-24s %s\n", rules[i]->code, kf_severity_name(rules[i]->severity), rules[i]->name,
		       rules[i]->summary);
}

/* The settings for one file: its config file, then the environment, then
 * the command line. */
typedef struct file_settings {
	kf_config cfg;
	kf_lint_settings ls;
	char *env_ignore;
	char *context;
	KF_VEC(const char *) trusted; /* the file's and --trusted-registry's */
	int threshold;
	kf_report_format format;
} file_settings;

static bool settings_for(const lint_cli *cli, const char *path, file_settings *fs)
{
	memset(fs, 0, sizeof(*fs));
	kf_config_init(&fs->cfg);
	char *found = NULL;
	if (!cli->config) {
		char *dir = kf_xstrdup(path);
		found = kf_config_find(cli->files, dirname(dir));
		free(dir);
	}
	const char *cfile = cli->config ? cli->config : found;
	if (cfile) {
		char *err = NULL;
		if (!kf_config_load(&fs->cfg, cfile, &err)) {
			fprintf(stderr, "%s: %s\n", cli->prog, err);
			free(err);
			free(found);
			return false;
		}
	}
	free(found);
	char *err = NULL;
	if (!kf_lint_settings_init(&fs->ls, &fs->cfg, true, &err)) {
		fprintf(stderr, "%s: %s\n", cli->prog, err);
		free(err);
		return false;
	}
	const char *env = getenv("KFLINT_IGNORE");
	if (env && *env) {
		fs->env_ignore = kf_xstrdup(env);
		char *save = NULL;
		for (char *t = strtok_r(fs->env_ignore, ", ", &save); t; t = strtok_r(NULL, ", ", &save))
			kf_vec_push(&fs->ls.ignored, (const char *)t);
	}
	for (size_t i = 0; i < cli->ignored.n; i++)
		kf_vec_push(&fs->ls.ignored, cli->ignored.v[i]);
	for (size_t i = 0; i < cli->overrides.n; i++)
		kf_vec_push(&fs->ls.overrides, cli->overrides.v[i]);
	kf_lint_settings_sync(&fs->ls);
	if (cli->dialect >= 0)
		fs->ls.opt.dialect = (kf_dialect)cli->dialect;
	if (cli->context) {
		fs->context = kf_xstrdup(cli->context);
	} else {
		char *dir = kf_xstrdup(path);
		fs->context = kf_xstrdup(dirname(dir));
		free(dir);
	}
	fs->ls.opt.context_dir = fs->context;
	fs->ls.opt.fs = cli->files;
	if (cli->shellcheck >= 0)
		fs->ls.opt.shellcheck = cli->shellcheck;
	if (cli->trusted.n) {
		for (size_t i = 0; i < fs->ls.opt.ntrusted; i++)
			kf_vec_push(&fs->trusted, fs->ls.opt.trusted[i]);
		for (size_t i = 0; i < cli->trusted.n; i++)
			kf_vec_push(&fs->trusted, cli->trusted.v[i]);
		fs->ls.opt.trusted = fs->trusted.v;
		fs->ls.opt.ntrusted = fs->trusted.n;
	}
	fs->threshold = cli->threshold >= 0 ? cli->threshold : fs->ls.threshold;
	fs->format = KF_REPORT_TTY;
	if (fs->cfg.format)
		kf_report_format_parse(fs->cfg.format, &fs->format);
	if (cli->format >= 0)
		fs->format = (kf_report_format)cli->format;
	return true;
}

static void settings_release(file_settings *fs)
{
	kf_config_release(&fs->cfg);
	kf_lint_settings_release(&fs->ls);
	free(fs->env_ignore);
	free(fs->context);
	kf_vec_free(&fs->trusted);
}

typedef struct linted {
	kf_source src;
	kf_document *doc;
	kf_diag_bag diags;
} linted;

enum { O_DIALECT = KF_OPT_LONG, O_IGNORE, O_SEVERITY, O_COLOR, O_STDIN_NAME, O_CONTEXT, O_SHELLCHECK,
       O_NO_SHELLCHECK, O_LIST_RULES, O_NO_FAIL, O_NO_COLOR, O_TRUSTED };

/* kflint's and kfc lint's options; -c, -t, -V, --no-fail, --no-color and
 * --trusted-registry are hadolint's spellings */
static const kf_opt lint_opts[] = {
	{"format", 'f', "FORMAT", "tty|json|sarif|checkstyle|gnu|github|junit|codeclimate|gitlab_codeclimate", KF_COMPLETE_NONE,
	 "the report's format (default: tty)"},
	{"config", 'c', "FILE", NULL, KF_COMPLETE_FILE, "the settings file (default: .kflint.yaml found upwards)"},
	{"dialect", O_DIALECT, "D", "auto|sealer|sealer-legacy|sealos", KF_COMPLETE_NONE,
	 "the Kubefile dialect (default: auto)"},
	{"ignore", O_IGNORE, "CODE", NULL, KF_COMPLETE_NONE, "drop a rule's findings (repeatable, or CODE,CODE)"},
	{"severity", O_SEVERITY, "CODE=LEVEL", NULL, KF_COMPLETE_NONE, "a rule's level (repeatable)"},
	{"failure-threshold", 't', "LEVEL", "error|warning|info|style|none", KF_COMPLETE_NONE,
	 "exit 1 from this level up (default: warning)"},
	{"no-fail", O_NO_FAIL, NULL, NULL, KF_COMPLETE_NONE, "exit 0 whatever is found (--failure-threshold=none)"},
	{"trusted-registry", O_TRUSTED, "REGISTRY", NULL, KF_COMPLETE_NONE,
	 "a registry FROM may use (repeatable, with the settings file's)"},
	{"context", O_CONTEXT, "DIR", NULL, KF_COMPLETE_DIR, "the build context (default: each Kubefile's directory)"},
	{"shellcheck", O_SHELLCHECK, NULL, NULL, KF_COMPLETE_NONE, "check RUN and CMDS scripts with ShellCheck"},
	{"no-shellcheck", O_NO_SHELLCHECK, NULL, NULL, KF_COMPLETE_NONE, "do not run ShellCheck"},
	{"color", O_COLOR, "WHEN", "auto|always|never", KF_COMPLETE_NONE, "colour the tty report (default: auto)"},
	{"no-color", O_NO_COLOR, NULL, NULL, KF_COMPLETE_NONE, "no colour (--color=never)"},
	{"stdin-filename", O_STDIN_NAME, "NAME", NULL, KF_COMPLETE_FILE, "the name standard input is shown as"},
	{"list-rules", O_LIST_RULES, NULL, NULL, KF_COMPLETE_NONE, "list the rules and exit"},
	{"version", 'V', NULL, NULL, KF_COMPLETE_NONE, "print the version and the licence, and exit"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

#define LINT_USAGE(prog)                                                                                    \
	"usage: " prog " [OPTION]... FILE|DIR...|-\n"                                                        \
	"\n"                                                                                                \
	"Lints Kubefiles. A directory stands for the files under it named Kubefile,\n"                       \
	"Kubefile.* or *.kubefile. Exit status: 0 nothing at or above the failure\n"                         \
	"threshold (default: warning), 1 something is, 2 a usage, settings or I/O error.\n"                  \
	"local:// sources are looked up in the build context: --context, or the\n"                           \
	"Kubefile's directory.\n"

static int run_kfc_lint(int argc, char **argv)
{
	return kf_cmd_lint(argc, argv, &kf_command_lint);
}

const kf_command kf_command_lint = {
	"lint", "kfc lint", "lint Kubefiles (as kflint)", LINT_USAGE("kfc lint"), lint_opts, KF_COMPLETE_FILE, NULL,
	run_kfc_lint,
};

const kf_command kf_command_kflint = {
	"kflint", "kflint", "the Kubefile linter", LINT_USAGE("kflint"), lint_opts, KF_COMPLETE_FILE, NULL, NULL,
};

/* --ignore=CODE[,CODE]... */
static bool add_ignored(lint_cli *cli, char *list)
{
	char *save = NULL;
	for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		if (!kf_lint_code_known(t)) {
			fprintf(stderr, "%s: --ignore: no rule is named '%s' (see --list-rules)\n", cli->prog, t);
			return false;
		}
		kf_vec_push(&cli->ignored, (const char *)t);
	}
	return true;
}

/* --severity=CODE=LEVEL */
static bool add_override(lint_cli *cli, char *arg)
{
	char *eq = strchr(arg, '=');
	int lvl = eq ? kf_severity_parse(eq + 1) : -1;
	if (lvl < 0) {
		fprintf(stderr, "%s: --severity takes CODE=error|warning|info|style\n", cli->prog);
		return false;
	}
	*eq = '\0';
	if (!kf_lint_code_known(arg)) {
		fprintf(stderr, "%s: --severity: no rule is named '%s' (see --list-rules)\n", cli->prog, arg);
		return false;
	}
	kf_severity_override o = {arg, (kf_severity)lvl};
	kf_vec_push(&cli->overrides, o);
	return true;
}

/* One option c with its argument arg: -1 to go on, else the exit status
 * (after --help, --version, --list-rules or a usage error). */
static int lint_option(lint_cli *cli, int c, char *arg)
{
	const char *prog = cli->prog;
	switch (c) {
	case 'f': {
		kf_report_format f;
		if (!kf_report_format_parse(arg, &f)) {
			fprintf(stderr, "%s: unknown format '%s'\n", prog, arg);
			return KF_EXIT_USAGE;
		}
		cli->format = (int)f;
		break;
	}
	case 'c': cli->config = arg; break;
	case O_DIALECT: {
		kf_dialect d;
		if (!kf_dialect_parse(arg, &d)) {
			fprintf(stderr, "%s: unknown dialect '%s' (auto, sealer, sealer-legacy, sealos)\n", prog, arg);
			return KF_EXIT_USAGE;
		}
		cli->dialect = (int)d;
		break;
	}
	case O_IGNORE: return add_ignored(cli, arg) ? -1 : KF_EXIT_USAGE;
	case O_SEVERITY: return add_override(cli, arg) ? -1 : KF_EXIT_USAGE;
	case 't':
		cli->threshold = strcmp(arg, "none") == 0 ? KF_THRESHOLD_NONE : kf_severity_parse(arg);
		if (cli->threshold < 0) {
			fprintf(stderr, "%s: --failure-threshold takes error, warning, info, style or none\n", prog);
			return KF_EXIT_USAGE;
		}
		break;
	case O_COLOR:
		if (!kf_term_color_parse(arg, &cli->color)) {
			fprintf(stderr, "%s: --color takes auto, always or never\n", prog);
			return KF_EXIT_USAGE;
		}
		break;
	case O_STDIN_NAME: cli->stdin_name = arg; break;
	case O_CONTEXT: cli->context = arg; break;
	case O_SHELLCHECK: cli->shellcheck = 1; break;
	case O_NO_SHELLCHECK: cli->shellcheck = 0; break;
	case O_NO_FAIL: cli->threshold = KF_THRESHOLD_NONE; break;
	case O_NO_COLOR: cli->color = KF_COLOR_NEVER; break;
	case O_TRUSTED: kf_vec_push(&cli->trusted, (const char *)arg); break;
	case O_LIST_RULES: list_rules(); return KF_EXIT_OK;
	case 'V': kf_print_version(prog); return KF_EXIT_OK;
	case KF_OPT_HELP: return KF_EXIT_OK;
	default: return KF_EXIT_USAGE;
	}
	return -1;
}

/* Lints the file at path into l, and sets *format to the report format its
 * settings choose. Its exit status; KF_EXIT_USAGE when its settings or the
 * file could not be read, and l holds nothing. */
static int lint_file(const lint_cli *cli, const char *path, linted *l, kf_report_format *format)
{
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? (cli->stdin_name ? cli->stdin_name : "-") : path;
	file_settings fs;
	if (!settings_for(cli, is_stdin ? (cli->stdin_name ? cli->stdin_name : "./-") : path, &fs)) {
		settings_release(&fs);
		return KF_EXIT_USAGE;
	}
	*format = fs.format;
	int status = KF_EXIT_OK;
	const char *err;
	if (!kf_source_init_file(&l->src, path, name, &err)) {
		fprintf(stderr, "%s: %s: %s\n", cli->prog, path, err);
		status = KF_EXIT_USAGE;
	} else {
		l->doc = kf_parse(&l->src);
		kf_diag_bag_init(&l->diags, &l->doc->arena);
		kf_lint(l->doc, &fs.ls.opt, &l->diags);
		for (size_t k = 0; k < l->diags.len; k++)
			if (fs.threshold != KF_THRESHOLD_NONE && (int)l->diags.items[k].severity <= fs.threshold)
				status = KF_EXIT_PROBLEMS;
	}
	settings_release(&fs);
	return status;
}

/* Lints the files and folders args, writes the report; the exit status. */
static int lint_run(lint_cli *cli, char **args, int nargs)
{
	int status = KF_EXIT_OK;
	kf_paths files = {NULL, 0, 0};
	for (int i = 0; i < nargs; i++) {
		char *err = NULL;
		if (!kf_collect_kubefiles(args[i], &files, &err)) {
			fprintf(stderr, "%s: %s\n", cli->prog, err);
			free(err);
			status = KF_EXIT_USAGE;
		}
	}
	linted *docs = kf_xcalloc(files.n ? files.n : 1, sizeof(*docs));
	kf_report_file *rep = kf_xcalloc(files.n ? files.n : 1, sizeof(*rep));
	size_t nrep = 0;
	kf_report_format format = cli->format >= 0 ? (kf_report_format)cli->format : KF_REPORT_TTY;
	/* one run of one file cache for all the files: a directory of many
	 * Kubefiles is listed once, not stat'ed per source */
	cli->files = kf_fscache_new();
	kf_fscache_begin(cli->files);
	for (size_t i = 0; i < files.n; i++) {
		linted *l = &docs[nrep];
		int st = lint_file(cli, files.v[i], l, &format);
		if (st > status)
			status = st;
		if (st == KF_EXIT_USAGE)
			continue;
		rep[nrep++] = (kf_report_file){&l->src, l->diags.items, l->diags.len};
	}
	bool color = kf_term_color(cli->color, STDOUT_FILENO);
	kf_buf out = KF_BUF_INIT;
	char *cwd = getcwd(NULL, 0);
	kf_report_write(&out, format, rep, nrep, PACKAGE_VERSION, KF_RENDER_SOURCE | (color ? KF_RENDER_COLOR : 0),
			cwd);
	free(cwd);
	if (!kf_term_write(stdout, &out))
		status = KF_EXIT_USAGE;
	if (fflush(stdout) != 0)
		status = KF_EXIT_USAGE;
	kf_buf_release(&out);
	for (size_t i = 0; i < nrep; i++) {
		kf_diag_bag_release(&docs[i].diags);
		kf_document_free(docs[i].doc);
		kf_source_release(&docs[i].src);
	}
	free(docs);
	free(rep);
	kf_paths_release(&files);
	kf_fscache_free(cli->files);
	return status;
}

int kf_cmd_lint(int argc, char **argv, const kf_command *cmd)
{
	const char *prog = cmd->prog;
	lint_cli cli;
	memset(&cli, 0, sizeof(cli));
	cli.prog = prog;
	cli.format = cli.dialect = cli.threshold = cli.shellcheck = -1;
	cli.color = KF_COLOR_AUTO;
	int c, status = -1;
	kf_optparse p;
	kf_opts_begin(&p, cmd);
	while (status < 0 && (c = kf_opts_next(&p, argc, argv)) != -1)
		status = lint_option(&cli, c, optarg);
	if (status < 0 && optind >= argc) {
		kf_usage_error(cmd, "no input file (use - for standard input)");
		status = KF_EXIT_USAGE;
	}
	if (status < 0)
		status = lint_run(&cli, argv + optind, argc - optind);
	kf_vec_free(&cli.ignored);
	kf_vec_free(&cli.overrides);
	kf_vec_free(&cli.trusted);
	return status;
}
