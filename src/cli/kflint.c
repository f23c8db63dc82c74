/* SPDX-License-Identifier: Apache-2.0 */
/* kflint.c - the kflint command: the linter's command line (cmd_lint.c). */
#include "cli/kfc.h"

int main(int argc, char **argv)
{
	return kf_cmd_lint(argc, argv, &kf_command_kflint);
}
