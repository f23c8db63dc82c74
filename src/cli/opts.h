/* SPDX-License-Identifier: Apache-2.0 */
/* opts.h - one description of a command and its options, from which come
 * getopt_long's table, the option list of --help, the message for an
 * unknown option (with a suggestion) and the shell completions
 * (completion.c), so that what a command parses, what it documents and
 * what a shell offers cannot disagree.
 *
 * A usage error is two lines on standard error, as GNU tools print them:
 *
 *   kfc build: unrecognized option '--pusj' (did you mean '--push'?)
 *   Try 'kfc build --help'.
 *
 * -h and --help are every command's: its usage on standard output, exit
 * status 0, nothing else done.
 */
#ifndef KF_OPTS_H
#define KF_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* How a shell completes an argument or an operand: not at all, with
 * paths, folders, the commands of the program (kfc help), shells (kfc
 * completion) */
typedef enum kf_complete {
	KF_COMPLETE_NONE,
	KF_COMPLETE_FILE,
	KF_COMPLETE_DIR,
	KF_COMPLETE_COMMANDS,
	KF_COMPLETE_SHELLS
} kf_complete;

typedef struct kf_opt {
	const char *name;   /* the long name, without "--"; NULL ends a table */
	int key;            /* the short letter, or a number >= 256: a long option only */
	const char *arg;    /* its argument's placeholder (FILE, N); NULL: it takes none */
	const char *values; /* the words its argument may be, "text|json"; NULL: any */
	kf_complete complete; /* an argument that is a path */
	const char *help;   /* one line of --help */
} kf_opt;

/* Keys for long options only start here */
#define KF_OPT_LONG 256

typedef struct kf_command {
	const char *name;    /* "build", "create"; the program's name for a program */
	const char *prog;    /* what messages start with: "kfc build", "kflint" */
	const char *summary; /* its line in kfc --help, and its description in the completions */
	/* the usage: synopsis and description (what it does, its exit status);
	 * the option list follows it */
	const char *usage;
	const kf_opt *opts;  /* NULL: no options but --help */
	kf_complete operands; /* what its operands are */
	const struct kf_command *const *subs; /* its subcommands (NULL-terminated), or NULL */
	int (*run)(int argc, char **argv);
} kf_command;

/* What kf_opts_next returns besides an option's key (and -1, the end) */
enum { KF_OPT_HELP = -2, KF_OPT_ERROR = -3 };

typedef struct kf_optparse {
	const kf_command *cmd;
	struct option longs[80];
	char shorts[96];
} kf_optparse;

/* Readies p for the command line of cmd (argv[0] its name). */
void kf_opts_begin(kf_optparse *p, const kf_command *cmd);

/* The key of the next option, its argument in optarg; -1 after the last
 * (optind is the first operand); KF_OPT_HELP after -h or --help (the usage
 * printed on standard output); KF_OPT_ERROR after a usage error (printed
 * on standard error). */
int kf_opts_next(kf_optparse *p, int argc, char **argv);

/* The usage of cmd and its option list. */
void kf_opts_usage(const kf_command *cmd, FILE *f);

/* "PROG: " and the message, then "Try 'PROG --help'." on standard error:
 * a usage error found after the options were read. */
void kf_usage_error(const kf_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "PROG: unknown command 'x' (did you mean 'y'?)" and the Try line, for a
 * word that names none of cmd's subcommands. */
void kf_unknown_command(const kf_command *cmd, const char *word);

/* The subcommand of cmd named name, or NULL */
const kf_command *kf_subcommand(const kf_command *cmd, const char *name);

/* A command made of subcommands (kfc manifest, kfc cache): reads its own
 * options (only --help), then runs the subcommand argv names with the rest;
 * a missing or unknown subcommand is a usage error. Returns the exit status. */
int kf_opts_dispatch(const kf_command *cmd, int argc, char **argv);

/* kfc's and kflint's and kfls's --version: "PROG VERSION" and the licence */
void kf_print_version(const char *prog);

/* The shell completions (completion.c): bash, zsh or fish, for the
 * programs given; false for another shell. */
bool kf_completion_write(FILE *f, const char *shell, const kf_command *const *progs, size_t n);

#endif
