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
#include <getopt.h>
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
	kf_fscache *files;       /* the disk, as every file of the run sees it */
} lint_cli;

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-f tty|json|sarif|checkstyle|gnu|github|junit|codeclimate|gitlab_codeclimate]\n"
		"       [--config=FILE] [--dialect=auto|sealer|sealer-legacy|sealos] [--ignore=CODE]...\n"
		"       [--severity=CODE=LEVEL]... [--failure-threshold=error|warning|info|style|none]\n"
		"       [--context=DIR] [--[no-]shellcheck] [--color=auto|always|never] [--stdin-filename=NAME]\n"
		"       [--list-rules] [-h|--help] [--version] FILE|DIR...|-\n"
		"\n"
		"Lints Kubefiles. A directory stands for the files under it named Kubefile,\n"
		"Kubefile.* or *.kubefile. Exit status: 0 nothing at or above the failure\n"
		"threshold (default: warning), 1 something is, 2 a usage, settings or I/O error.\n"
		"local:// sources are looked up in the build context: --context, or the\n"
		"Kubefile's directory.\n",
		prog);
}

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
}

typedef struct linted {
	kf_source src;
	kf_document *doc;
	kf_diag_bag diags;
} linted;

static const struct option lint_opts[] = {
	{"format", required_argument, NULL, 'f'},
	{"config", required_argument, NULL, 'c'},
	{"dialect", required_argument, NULL, 'd'},
	{"ignore", required_argument, NULL, 'i'},
	{"severity", required_argument, NULL, 's'},
	{"failure-threshold", required_argument, NULL, 't'},
	{"color", required_argument, NULL, 'C'},
	{"stdin-filename", required_argument, NULL, 'n'},
	{"context", required_argument, NULL, 'x'},
	{"shellcheck", no_argument, NULL, 'S'},
	{"no-shellcheck", no_argument, NULL, 'N'},
	{"list-rules", no_argument, NULL, 'l'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
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
	case 'd': {
		kf_dialect d;
		if (!kf_dialect_parse(arg, &d)) {
			fprintf(stderr, "%s: unknown dialect '%s' (auto, sealer, sealer-legacy, sealos)\n", prog, arg);
			return KF_EXIT_USAGE;
		}
		cli->dialect = (int)d;
		break;
	}
	case 'i': return add_ignored(cli, arg) ? -1 : KF_EXIT_USAGE;
	case 's': return add_override(cli, arg) ? -1 : KF_EXIT_USAGE;
	case 't':
		cli->threshold = strcmp(arg, "none") == 0 ? KF_THRESHOLD_NONE : kf_severity_parse(arg);
		if (cli->threshold < 0) {
			fprintf(stderr, "%s: --failure-threshold takes error, warning, info, style or none\n", prog);
			return KF_EXIT_USAGE;
		}
		break;
	case 'C':
		if (!kf_term_color_parse(arg, &cli->color)) {
			fprintf(stderr, "%s: --color takes auto, always or never\n", prog);
			return KF_EXIT_USAGE;
		}
		break;
	case 'n': cli->stdin_name = arg; break;
	case 'x': cli->context = arg; break;
	case 'S': cli->shellcheck = 1; break;
	case 'N': cli->shellcheck = 0; break;
	case 'l': list_rules(); return KF_EXIT_OK;
	case 'V': printf("%s %s\n", prog, PACKAGE_VERSION); return KF_EXIT_OK;
	case 'h': usage(stdout, prog); return KF_EXIT_OK;
	default: usage(stderr, prog); return KF_EXIT_USAGE;
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

int kf_cmd_lint(int argc, char **argv, const char *prog)
{
	lint_cli cli;
	memset(&cli, 0, sizeof(cli));
	cli.prog = prog;
	cli.format = cli.dialect = cli.threshold = cli.shellcheck = -1;
	cli.color = KF_COLOR_AUTO;
	int c, status = -1;
	optind = 1;
	while (status < 0 && (c = getopt_long(argc, argv, "f:h", lint_opts, NULL)) != -1)
		status = lint_option(&cli, c, optarg);
	if (status < 0 && optind >= argc) {
		fprintf(stderr, "%s: no input file (use - for standard input)\n", prog);
		usage(stderr, prog);
		status = KF_EXIT_USAGE;
	}
	if (status < 0)
		status = lint_run(&cli, argv + optind, argc - optind);
	kf_vec_free(&cli.ignored);
	kf_vec_free(&cli.overrides);
	return status;
}
