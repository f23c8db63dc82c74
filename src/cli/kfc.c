/* kfc.c - the kfc command: a thin front end over the library.
 *
 *   kfc parse [--dump=buildkit|json] [--format=text|json] FILE…|-
 * (kfc fmt, kfc lint and kfc imagelist are in files of their own)
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "syntax/ast.h"
#include "config.h"
#include "syntax/diag.h"
#include "syntax/dump.h"
#include "cli/kfc.h"
#include "syntax/jsonutil.h"
#include "syntax/source.h"

enum { EXIT_PROBLEMS = 1, EXIT_USAGE = 2 };

static void usage(FILE *f)
{
	fputs("usage: kfc parse [--dump=buildkit|json] [--format=text|json] [--color=auto|always|never]\n"
	      "                 [--stdin-filename=NAME] FILE...|-\n"
	      "       kfc fmt [-w|--check|--diff] [--indent=N] FILE|DIR...|-   (kfc fmt --help)\n"
	      "       kfc lint [-f FORMAT] FILE|DIR...|-                      (kfc lint --help)\n"
	      "       kfc build [-f KUBEFILE] [-t NAME:TAG] [-o oci:DIR] [CONTEXT]   (kfc build --help)\n"
	      "       kfc plan [-f KUBEFILE] [CONTEXT]                         (the build plan, JSON)\n"
	      "       kfc images | kfc inspect REF | kfc rmi REF...            (the local store)\n"
	      "       kfc fsck [--repair]                     (verifies the local store's blobs)\n"
	      "       kfc imagelist [--format=text|json] [--image-list FILE] PATH...\n"
	      "                                                    (kfc imagelist --help)\n"
	      "       kfc --version\n"
	      "\n"
	      "Parses Kubefiles and reports their syntax errors as path:line:col diagnostics.\n"
	      "Exit status: 0 no errors, 1 errors found, 2 usage or I/O error.\n",
	      f);
}

static void write_out(FILE *f, const kf_buf *b)
{
	if (b->len)
		fwrite(b->ptr, 1, b->len, f);
}

static int cmd_parse(int argc, char **argv)
{
	enum { DUMP_NONE, DUMP_BUILDKIT, DUMP_JSON } dump = DUMP_NONE;
	bool json_diags = false;
	int color = -1;
	const char *stdin_name = NULL;
	static const struct option opts[] = {
		{"dump", required_argument, NULL, 'd'},
		{"format", required_argument, NULL, 'f'},
		{"color", required_argument, NULL, 'c'},
		{"stdin-filename", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strcmp(optarg, "buildkit") == 0)
				dump = DUMP_BUILDKIT;
			else if (strcmp(optarg, "json") == 0)
				dump = DUMP_JSON;
			else {
				fprintf(stderr, "kfc parse: unknown dump format '%s' (buildkit or json)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json_diags = true;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "kfc parse: unknown format '%s' (text or json)\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (strcmp(optarg, "always") == 0)
				color = 1;
			else if (strcmp(optarg, "never") == 0)
				color = 0;
			else if (strcmp(optarg, "auto") == 0)
				color = -1;
			else {
				fprintf(stderr, "kfc parse: unknown color mode '%s'\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 's':
			stdin_name = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "kfc parse: no input file (use - for standard input)\n");
		return EXIT_USAGE;
	}
	if (color < 0)
		color = isatty(STDERR_FILENO) && !(getenv("NO_COLOR") && *getenv("NO_COLOR"));
	int status = 0;
	json_t *all = json_diags ? json_array() : NULL;
	for (int i = optind; i < argc; i++) {
		kf_source src;
		const char *err;
		bool is_stdin = strcmp(argv[i], "-") == 0;
		if (!kf_source_init_file(&src, argv[i], is_stdin ? (stdin_name ? stdin_name : "-") : NULL, &err)) {
			fprintf(stderr, "kfc parse: %s: %s\n", argv[i], err);
			status = EXIT_USAGE;
			continue;
		}
		kf_document *doc = kf_parse(&src);
		kf_buf out = KF_BUF_INIT;
		if (dump == DUMP_BUILDKIT)
			kf_dump_buildkit(&out, doc);
		else if (dump == DUMP_JSON)
			kf_dump_json(&out, doc);
		write_out(stdout, &out);
		kf_buf_release(&out);
		for (size_t k = 0; k < doc->diags.len; k++) {
			const kf_diag *d = &doc->diags.items[k];
			if (all) {
				json_array_append_new(all, kf_diag_to_json(&src, d));
			} else {
				kf_buf b = KF_BUF_INIT;
				kf_diag_render_text(&b, &src, d, KF_RENDER_SOURCE | (color ? KF_RENDER_COLOR : 0));
				write_out(stderr, &b);
				kf_buf_release(&b);
			}
		}
		if (doc->diags.nerrors && status == 0)
			status = EXIT_PROBLEMS;
		kf_document_free(doc);
		kf_source_release(&src);
	}
	if (all) {
		kf_buf b = KF_BUF_INIT;
		kf_json_dump(&b, all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		write_out(dump == DUMP_NONE ? stdout : stderr, &b);
		kf_buf_release(&b);
	}
	if (fflush(stdout) != 0) {
		perror("kfc: write error");
		return EXIT_USAGE;
	}
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("kfc %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "parse") == 0)
		return cmd_parse(argc - 1, argv + 1);
	if (strcmp(argv[1], "fmt") == 0)
		return kf_cmd_fmt(argc - 1, argv + 1);
	if (strcmp(argv[1], "lint") == 0)
		return kf_cmd_lint(argc - 1, argv + 1, "kfc lint");
#ifdef KF_WITH_BUILD
	if (strcmp(argv[1], "imagelist") == 0)
		return kf_cmd_imagelist(argc - 1, argv + 1);
	if (strcmp(argv[1], "build") == 0)
		return kf_cmd_build(argc - 1, argv + 1, false);
	if (strcmp(argv[1], "plan") == 0)
		return kf_cmd_build(argc - 1, argv + 1, true);
	if (strcmp(argv[1], "images") == 0)
		return kf_cmd_images(argc - 1, argv + 1);
	if (strcmp(argv[1], "inspect") == 0)
		return kf_cmd_inspect(argc - 1, argv + 1);
	if (strcmp(argv[1], "rmi") == 0)
		return kf_cmd_rmi(argc - 1, argv + 1);
	if (strcmp(argv[1], "fsck") == 0)
		return kf_cmd_fsck(argc - 1, argv + 1);
#endif
	fprintf(stderr, "kfc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
