/* kfc.c - the kfc command: a thin front end over the library, one command a
 * file (cmd_NAME.c). The command table below makes the dispatch, the usage
 * and the suggestion for a mistyped command.
 */
#include <stdio.h>
#include <string.h>

#include "base/suggest.h"
#include "cli/kfc.h"
#include "config.h"

static int run_lint(int argc, char **argv)
{
	return kf_cmd_lint(argc, argv, "kfc lint");
}

typedef struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	/* its line in the usage; NULL: the line of the command before names it too */
	const char *summary;
} command;

static const command commands[] = {
	{"parse", kf_cmd_parse,
	 "kfc parse [--dump=buildkit|json] [--format=text|json] [--color=auto|always|never]\n"
	 "                 [--stdin-filename=NAME] FILE...|-"},
	{"fmt", kf_cmd_fmt, "kfc fmt [-w|--check|--diff] [--indent=N] FILE|DIR...|-   (kfc fmt --help)"},
	{"lint", run_lint, "kfc lint [-f FORMAT] FILE|DIR...|-                      (kfc lint --help)"},
#ifdef KF_WITH_BUILD
	{"build", kf_cmd_build, "kfc build [-f KUBEFILE] [-t NAME:TAG] [-o oci:DIR] [CONTEXT]   (kfc build --help)"},
	{"plan", kf_cmd_plan, "kfc plan [-f KUBEFILE] [CONTEXT]                         (the build plan, JSON)"},
	{"images", kf_cmd_images, "kfc images | kfc inspect REF | kfc rmi REF...            (the local store)"},
	{"inspect", kf_cmd_inspect, NULL},
	{"rmi", kf_cmd_rmi, NULL},
	{"save", kf_cmd_save, "kfc save -o FILE NAME[:TAG]... | kfc load -i FILE      (oci-archive files)"},
	{"load", kf_cmd_load, NULL},
	{"tag", kf_cmd_tag, "kfc tag NAME[:TAG] NEW[:TAG]...                      (more names, no copy)"},
	{"pull", kf_cmd_pull, "kfc pull [--platform=P] [--tls-verify=false] NAME[:TAG]  (from a registry)"},
	{"push", kf_cmd_push, "kfc push [--tls-verify=false] NAME[:TAG] [DEST]         (to a registry)"},
	{"manifest", kf_cmd_manifest,
	 "kfc manifest create|add|remove|inspect|push|rm ...     (image indexes; kfc manifest --help)"},
	{"login", kf_cmd_login, "kfc login -u USER [--password-stdin] REGISTRY | kfc logout REGISTRY"},
	{"logout", kf_cmd_logout, NULL},
	{"fsck", kf_cmd_fsck, "kfc fsck [--repair]                     (verifies the local store's blobs)"},
	{"cache", kf_cmd_cache, "kfc cache ls | kfc cache prune [--keep-storage SIZE] [--filter until=24h]"},
	{"imagelist", kf_cmd_imagelist,
	 "kfc imagelist [--format=text|json] [--image-list FILE] PATH...\n"
	 "                                                    (kfc imagelist --help)"},
#endif
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

void kf_kfc_usage(FILE *f)
{
	const char *lead = "usage: ";
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (commands[i].summary) {
			fprintf(f, "%s%s\n", lead, commands[i].summary);
			lead = "       ";
		}
	fputs("       kfc --version\n"
	      "\n"
	      "Parses Kubefiles and reports their syntax errors as path:line:col diagnostics.\n"
	      "Exit status: 0 no errors, 1 errors found, 2 usage or I/O error.\n",
	      f);
}

static void unknown_command(const char *name)
{
	const char *names[NCOMMANDS];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	const char *s = kf_suggest(kf_str_cstr(name), names, NCOMMANDS, false);
	if (s)
		fprintf(stderr, "kfc: unknown command '%s' (did you mean %s?)\n", name, s);
	else
		fprintf(stderr, "kfc: unknown command '%s'\n", name);
	kf_kfc_usage(stderr);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		kf_kfc_usage(stderr);
		return KF_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("kfc %s\n", PACKAGE_VERSION);
		return KF_EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		kf_kfc_usage(stdout);
		return KF_EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	unknown_command(argv[1]);
	return KF_EXIT_USAGE;
}
