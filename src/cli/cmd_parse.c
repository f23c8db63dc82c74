/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_parse.c - kfc parse: syntax errors as path:line:col diagnostics, and
 * the syntax tree as JSON or in BuildKit's dump format.
 *
 *   kfc parse [--dump=buildkit|json] [--format=text|json]
 *             [--color=auto|always|never] [--stdin-filename=NAME] FILE...|-
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/kfc.h"
#include "cli/opts.h"
#include "syntax/ast.h"
#include "syntax/diag.h"
#include "syntax/dump.h"
#include "syntax/jsonutil.h"
#include "syntax/source.h"

enum { O_DUMP = KF_OPT_LONG, O_COLOR, O_STDIN_NAME };

static const kf_opt parse_opts[] = {
	{"dump", O_DUMP, "FORMAT", "buildkit|json", KF_COMPLETE_NONE, "print the syntax tree (json) or BuildKit's dump"},
	{"format", 'f', "FORMAT", "text|json", KF_COMPLETE_NONE, "the diagnostics as text (default) or JSON"},
	{"color", O_COLOR, "WHEN", "auto|always|never", KF_COMPLETE_NONE, "colour the diagnostics (default: auto)"},
	{"stdin-filename", O_STDIN_NAME, "NAME", NULL, KF_COMPLETE_FILE, "the name standard input is shown as"},
	{NULL, 0, NULL, NULL, 0, NULL},
};

const kf_command kf_command_parse = {
	"parse", "kfc parse", "check Kubefiles' syntax (path:line:col diagnostics)",
	"usage: kfc parse [OPTION]... FILE...|-\n"
	"\n"
	"Parses Kubefiles and reports their syntax errors as path:line:col diagnostics.\n"
	"Exit status: 0 no errors, 1 errors found, 2 usage or I/O error.\n",
	parse_opts, KF_COMPLETE_FILE, NULL, kf_cmd_parse,
};

int kf_cmd_parse(int argc, char **argv)
{
	enum { DUMP_NONE, DUMP_BUILDKIT, DUMP_JSON } dump = DUMP_NONE;
	bool json_diags = false;
	kf_color when = KF_COLOR_AUTO;
	const char *stdin_name = NULL;
	kf_optparse p;
	int c;
	kf_opts_begin(&p, &kf_command_parse);
	while ((c = kf_opts_next(&p, argc, argv)) != -1) {
		switch (c) {
		case O_DUMP:
			if (strcmp(optarg, "buildkit") == 0)
				dump = DUMP_BUILDKIT;
			else if (strcmp(optarg, "json") == 0)
				dump = DUMP_JSON;
			else {
				fprintf(stderr, "kfc parse: unknown dump format '%s' (buildkit or json)\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				json_diags = true;
			else if (strcmp(optarg, "text") != 0) {
				fprintf(stderr, "kfc parse: unknown format '%s' (text or json)\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case O_COLOR:
			if (!kf_term_color_parse(optarg, &when)) {
				fprintf(stderr, "kfc parse: unknown color mode '%s'\n", optarg);
				return KF_EXIT_USAGE;
			}
			break;
		case O_STDIN_NAME:
			stdin_name = optarg;
			break;
		case KF_OPT_HELP:
			return KF_EXIT_OK;
		default:
			return KF_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "kfc parse: no input file (use - for standard input)\n");
		return KF_EXIT_USAGE;
	}
	bool color = kf_term_color(when, STDERR_FILENO);
	int status = 0;
	json_t *all = json_diags ? json_array() : NULL;
	for (int i = optind; i < argc; i++) {
		kf_source src;
		const char *err;
		bool is_stdin = strcmp(argv[i], "-") == 0;
		if (!kf_source_init_file(&src, argv[i], is_stdin ? (stdin_name ? stdin_name : "-") : NULL, &err)) {
			fprintf(stderr, "kfc parse: %s: %s\n", argv[i], err);
			status = KF_EXIT_USAGE;
			continue;
		}
		kf_document *doc = kf_parse(&src);
		kf_buf out = KF_BUF_INIT;
		if (dump == DUMP_BUILDKIT)
			kf_dump_buildkit(&out, doc);
		else if (dump == DUMP_JSON)
			kf_dump_json(&out, doc);
		kf_term_write(stdout, &out);
		kf_buf_release(&out);
		for (size_t k = 0; k < doc->diags.len; k++) {
			const kf_diag *d = &doc->diags.items[k];
			if (all) {
				json_array_append_new(all, kf_diag_to_json(&src, d));
			} else {
				kf_buf b = KF_BUF_INIT;
				kf_diag_render_text(&b, &src, d, KF_RENDER_SOURCE | (color ? KF_RENDER_COLOR : 0));
				kf_term_write(stderr, &b);
				kf_buf_release(&b);
			}
		}
		if (doc->diags.nerrors && status == 0)
			status = KF_EXIT_PROBLEMS;
		kf_document_free(doc);
		kf_source_release(&src);
	}
	if (all) {
		kf_buf b = KF_BUF_INIT;
		kf_json_dump(&b, all, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		kf_term_write(dump == DUMP_NONE ? stdout : stderr, &b);
		kf_buf_release(&b);
	}
	return kf_term_flush("kfc") ? status : KF_EXIT_USAGE;
}
