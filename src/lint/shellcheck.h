/* SPDX-License-Identifier: Apache-2.0 */
/* shellcheck.h - ShellCheck over the shell commands of a Kubefile.
 *
 * The shell form of RUN, and the commands that run when the cluster starts
 * (CMD, CMDS, APPCMDS: each JSON string is one command line), are given to
 * the shellcheck program as POSIX sh: each command is written to a file of
 * its own in a private temporary folder (mode 0600, never executed, removed
 * before returning), and one shellcheck process checks all the files of
 * the Kubefile, each on its own. Its findings come back as diagnostics
 * with their SC code, at the place in the Kubefile. In the sealos dialect,
 * a CMD is read as sealos gives it to the shell: each sealos variable
 * (kf_model_sealos_var) as a neutral $$, and $$ as $. SC2154 (a
 * variable not assigned) is left out: the commands' variables come from
 * ENV and from the cluster.
 *
 * A hostile Kubefile must not hold the linter: ShellCheck's time and
 * memory grow fast with some inputs, so what it is given and how long and
 * how large it may run are limited (kf_shellcheck_limits). A command that
 * is not checked because of a limit gets one info diagnostic
 * KF_SHELLCHECK_SKIPPED saying which limit; the rest goes on.
 */
#ifndef KF_SHELLCHECK_H
#define KF_SHELLCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "syntax/ast.h"
#include "syntax/diag.h"
#include "sema/model.h"

/* The code of "ShellCheck did not check this command" (docs/kflint.md). */
#define KF_SHELLCHECK_SKIPPED "KF401"

/* The defaults: far above any real Kubefile's commands (docs/kflint.md). */
#define KF_SHELLCHECK_COMMAND_BYTES 16384
#define KF_SHELLCHECK_FILE_BYTES 65536
#define KF_SHELLCHECK_COMMANDS 1000
#define KF_SHELLCHECK_TIMEOUT 30   /* seconds */
#define KF_SHELLCHECK_MEMORY 1024  /* MiB */

/* Each field 0 means its default. */
typedef struct kf_shellcheck_limits {
	size_t command_bytes; /* one command's text */
	size_t file_bytes;    /* all the commands of one file, a newline after each */
	size_t commands;      /* commands of one file */
	unsigned timeout;     /* seconds of the shellcheck process, wall clock */
	unsigned memory;      /* MiB of address space of the shellcheck process */
} kf_shellcheck_limits;

/* What ShellCheck said of each command script it read, for a caller that
 * lints the same commands again and again (kfls, at every keystroke): a
 * script found in it is not given to shellcheck again. ShellCheck's
 * findings depend only on the script (and on the process's environment:
 * SHELLCHECK_OPTS), so they are the same. It holds the last scripts used,
 * between KF_SHELLCHECK_CACHE_SCRIPTS and twice that many. */
typedef struct kf_shellcheck_cache kf_shellcheck_cache;
#define KF_SHELLCHECK_CACHE_SCRIPTS 1024

kf_shellcheck_cache *kf_shellcheck_cache_new(void);
void kf_shellcheck_cache_free(kf_shellcheck_cache *cache);

/* Returns false when shellcheck cannot be run (not installed, or it
 * failed); the diagnostics of the limits are in out all the same. lim may
 * be NULL: the defaults; cache may be NULL: none. */
bool kf_shellcheck(const kf_document *doc, const kf_model *model, const kf_shellcheck_limits *lim,
		   kf_shellcheck_cache *cache, kf_diag_bag *out);

#endif
