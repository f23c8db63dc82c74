/* SPDX-License-Identifier: Apache-2.0 */
/* main.c - the kfls command: its options, then kfls_serve on stdio.
 *
 *   kfls [--stdio] [--version] [--help] [--print-instruction-docs]
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "syntax/instrdoc.h"
#include "kfls.h"

static void usage(FILE *f)
{
	fputs("usage: kfls [--stdio] [--version] [--help] [--print-instruction-docs]\n"
	      "\n"
	      "The Kubefile language server: speaks LSP 3.17 on standard input and output.\n"
	      "Editors start it; see kfls(1) and docs/kfls.md.\n",
	      f);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--stdio") == 0)
			continue;
		if (strcmp(argv[i], "--version") == 0) {
			/* as kfc's and kflint's (cli/opts.c) */
			printf("kfls %s\n"
			       "License Apache-2.0: Apache License, Version 2.0 <https://www.apache.org/licenses/LICENSE-2.0>.\n"
			       "This is free software: you are free to change and redistribute it.\n"
			       "There is NO WARRANTY, to the extent permitted by law.\n",
			       PACKAGE_VERSION);
			return 0;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--print-instruction-docs") == 0) {
			kf_buf b = KF_BUF_INIT;
			kf_instr_docs_markdown(&b);
			fwrite(b.ptr, 1, b.len, stdout);
			kf_buf_release(&b);
			return 0;
		}
		fprintf(stderr, "kfls: unknown argument '%s'\n", argv[i]);
		usage(stderr);
		return 2;
	}
	return kfls_serve(STDIN_FILENO, STDOUT_FILENO);
}
