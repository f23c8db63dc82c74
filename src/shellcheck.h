/* shellcheck.h - ShellCheck over the shell commands of a Kubefile.
 *
 * The shell form of RUN, and the commands that run when the cluster starts
 * (CMD, CMDS, APPCMDS: each JSON string is one command line), are given to
 * the shellcheck program, one command at a time, as POSIX sh; its findings
 * come back as diagnostics with their SC code, at the place in the
 * Kubefile. In the sealos dialect, $(NAME) is sealos' own substitution and
 * is read as ${NAME}. SC2154 (a variable not assigned) is left out: the
 * commands' variables come from ENV and from the cluster.
 */
#ifndef KF_SHELLCHECK_H
#define KF_SHELLCHECK_H

#include <stdbool.h>

#include "ast.h"
#include "diag.h"
#include "model.h"

/* Returns false when shellcheck cannot be run (not installed). */
bool kf_shellcheck(const kf_document *doc, const kf_model *model, kf_diag_bag *out);

#endif
