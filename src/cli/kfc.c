/* SPDX-License-Identifier: Apache-2.0 */
/* kfc.c - the kfc command: a thin front end over the library, one command a
 * file (cmd_NAME.c). The command table below makes the dispatch, kfc's
 * usage, kfc help, the suggestion for a mistyped command and the shell
 * completions (kfc completion).
 */
#include <stdio.h>
#include <string.h>

#include "cli/kfc.h"
#include "cli/opts.h"
#include "config.h"

static int run_help(int argc, char **argv);
static int run_completion(int argc, char **argv);

static const kf_command help_command = {
	"help", "kfc help", "describe kfc, or a command",
	"usage: kfc help [COMMAND [SUBCOMMAND]]\n"
	"\n"
	"Prints kfc's usage, or a command's: 'kfc help build' is 'kfc build --help'.\n"
	"Exit status: 0, or 2 for a command kfc has not got.\n",
	NULL, KF_COMPLETE_COMMANDS, NULL, run_help,
};

static const kf_command completion_command = {
	"completion", "kfc completion", "print a shell's completions for kfc and kflint",
	"usage: kfc completion bash|zsh|fish\n"
	"\n"
	"Prints the completions of kfc and kflint for the shell, made from the commands'\n"
	"option tables. make install installs them where each shell looks for them; to try\n"
	"them in a running shell: source <(kfc completion bash), or kfc completion fish | source.\n"
	"Exit status: 0, 2 for another shell.\n",
	NULL, KF_COMPLETE_SHELLS, NULL, run_completion,
};

static const kf_command *const commands[] = {
	&kf_command_parse,
	&kf_command_fmt,
	&kf_command_lint,
#ifdef KF_WITH_BUILD
	&kf_command_build,
	&kf_command_plan,
	&kf_command_images,
	&kf_command_inspect,
	&kf_command_rmi,
	&kf_command_tag,
	&kf_command_save,
	&kf_command_load,
	&kf_command_pull,
	&kf_command_push,
	&kf_command_manifest,
	&kf_command_login,
	&kf_command_logout,
	&kf_command_fsck,
	&kf_command_cache,
	&kf_command_imagelist,
#endif
	&help_command,
	&completion_command,
	NULL,
};

enum { O_VERSION = 'V' };

static const kf_opt kfc_opts[] = {
	{"version", O_VERSION, NULL, NULL, KF_COMPLETE_NONE, "print the version and the licence, and exit"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

static const kf_command kfc = {
	"kfc", "kfc", NULL,
	"usage: kfc COMMAND [OPTION]... [ARG]...\n"
	"       kfc --version\n"
	"\n"
	"kfc builds ClusterImages from Kubefiles, checks and formats Kubefiles, and keeps\n"
	"images in a local store that it pulls to and pushes from registries.\n"
	"'kfc COMMAND --help' or 'kfc help COMMAND' describes a command.\n"
	"Exit status: 0 success, 1 problems found (errors in a Kubefile, a failed build),\n"
	"2 a usage, settings or I/O error, 130 interrupted.\n",
	kfc_opts, KF_COMPLETE_NONE, commands, NULL,
};

/* kfc help [COMMAND [SUBCOMMAND]] */
static int run_help(int argc, char **argv)
{
	const kf_command *cmd = &kfc;
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &help_command);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	for (int i = optind; i < argc; i++) {
		const kf_command *sub = kf_subcommand(cmd, argv[i]);
		if (!sub) {
			if (cmd->subs)
				kf_unknown_command(cmd, argv[i]);
			else
				kf_usage_error(&help_command, "'%s' has no command '%s'", cmd->prog, argv[i]);
			return KF_EXIT_USAGE;
		}
		cmd = sub;
	}
	kf_opts_usage(cmd, stdout);
	return kf_term_flush("kfc") ? KF_EXIT_OK : KF_EXIT_USAGE;
}

/* kfc completion bash|zsh|fish: kfc's and kflint's */
static int run_completion(int argc, char **argv)
{
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &completion_command);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	if (argc - optind != 1) {
		kf_usage_error(&completion_command, "name one shell: bash, zsh or fish");
		return KF_EXIT_USAGE;
	}
	const kf_command *progs[] = {&kfc, &kf_command_kflint};
	if (!kf_completion_write(stdout, argv[optind], progs, 2)) {
		kf_usage_error(&completion_command, "unknown shell '%s' (bash, zsh or fish)", argv[optind]);
		return KF_EXIT_USAGE;
	}
	return kf_term_flush("kfc") ? KF_EXIT_OK : KF_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		kf_opts_usage(&kfc, stderr);
		return KF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "version") == 0) {
		kf_print_version("kfc");
		return KF_EXIT_OK;
	}
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, &kfc);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1) {
		if (ch != O_VERSION)
			return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
		kf_print_version("kfc");
		return KF_EXIT_OK;
	}
	if (optind >= argc) {
		kf_opts_usage(&kfc, stderr);
		return KF_EXIT_USAGE;
	}
	const kf_command *cmd = kf_subcommand(&kfc, argv[optind]);
	if (!cmd) {
		kf_unknown_command(&kfc, argv[optind]);
		return KF_EXIT_USAGE;
	}
	return cmd->run(argc - optind, argv + optind);
}
