/* SPDX-License-Identifier: Apache-2.0 */
/* opts.c - see opts.h */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "cli/opts.h"
#include "cli/term.h"
#include "config.h"

static const kf_opt help_opt = {"help", 'h', NULL, NULL, KF_COMPLETE_NONE, "show this help and exit"};

static bool is_short(int key)
{
	return key > 0 && key < KF_OPT_LONG && isalnum(key);
}

void kf_opts_begin(kf_optparse *p, const kf_command *cmd)
{
	size_t n = 0, s = 0;
	memset(p, 0, sizeof *p);
	p->cmd = cmd;
	if (cmd->subs)
		p->shorts[s++] = '+'; /* the options before the command only */
	p->shorts[s++] = ':'; /* a missing argument is ':', not '?' */
	for (const kf_opt *o = cmd->opts; o && o->name; o++) {
		if (n + 2 >= sizeof p->longs / sizeof p->longs[0] || s + 3 >= sizeof p->shorts)
			abort(); /* a table too long: make the arrays longer */
		p->longs[n++] = (struct option){o->name, o->arg ? required_argument : no_argument, NULL, o->key};
		if (is_short(o->key)) {
			p->shorts[s++] = (char)o->key;
			if (o->arg)
				p->shorts[s++] = ':';
		}
	}
	p->longs[n++] = (struct option){"help", no_argument, NULL, 'h'};
	p->shorts[s++] = 'h';
	optind = 0; /* glibc starts over: a command after kfc's own options, a subcommand after manifest's */
	opterr = 0;
}

static void try_help(const kf_command *cmd)
{
	fprintf(stderr, "Try '%s --help'.\n", cmd->prog);
}

void kf_usage_error(const kf_command *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", cmd->prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	try_help(cmd);
}

/* The long option word names (a prefix of one or more): the one with key,
 * else NULL */
static const struct option *long_named(const kf_optparse *p, const char *word, int key)
{
	size_t len = strcspn(word, "=");
	for (const struct option *o = p->longs; o->name; o++)
		if (o->val == key && strncmp(o->name, word, len) == 0)
			return o;
	return NULL;
}

/* The messages of glibc's getopt_long, which says them itself when
 * opterr is set; here with the suggestion and the Try line. */
static void option_error(const kf_optparse *p, int c, int argc, char **argv)
{
	const char *prog = p->cmd->prog;
	const char *word = optind - 1 < argc && optind >= 1 ? argv[optind - 1] : "";
	bool is_long = strncmp(word, "--", 2) == 0 && word[2];
	const struct option *lo = is_long && optopt ? long_named(p, word + 2, optopt) : NULL;
	if (c == ':' && lo) {
		fprintf(stderr, "%s: option '--%s' requires an argument\n", prog, lo->name);
	} else if (c == ':') {
		fprintf(stderr, "%s: option requires an argument -- '%c'\n", prog, optopt);
	} else if (lo) {
		fprintf(stderr, "%s: option '--%s' doesn't allow an argument\n", prog, lo->name);
	} else if (optopt) {
		fprintf(stderr, "%s: invalid option -- '%c'\n", prog, optopt);
	} else {
		/* an unknown long option, or a prefix of several */
		const char *name = word + 2;
		size_t len = strcspn(name, "="), nmatch = 0, n = 0;
		const char *names[sizeof p->longs / sizeof p->longs[0]];
		for (const struct option *o = p->longs; o->name; o++) {
			names[n++] = o->name;
			nmatch += strncmp(o->name, name, len) == 0;
		}
		if (nmatch > 1) {
			fprintf(stderr, "%s: option '--%.*s' is ambiguous; possibilities:", prog, (int)len, name);
			for (const struct option *o = p->longs; o->name; o++)
				if (strncmp(o->name, name, len) == 0)
					fprintf(stderr, " '--%s'", o->name);
			fputc('\n', stderr);
		} else {
			const char *s = kf_suggest((kf_str){name, len}, names, n, false);
			fprintf(stderr, "%s: unrecognized option '%s'", prog, word);
			if (s)
				fprintf(stderr, " (did you mean '--%s'?)", s);
			fputc('\n', stderr);
		}
	}
	try_help(p->cmd);
}

int kf_opts_next(kf_optparse *p, int argc, char **argv)
{
	int c = getopt_long(argc, argv, p->shorts, p->longs, NULL);
	if (c == 'h') {
		kf_opts_usage(p->cmd, stdout);
		return KF_OPT_HELP;
	}
	if (c == '?' || c == ':') {
		option_error(p, c, argc, argv);
		return KF_OPT_ERROR;
	}
	return c;
}

/* "  -f, --file=KUBEFILE" */
static void opt_left(char *buf, size_t len, const kf_opt *o)
{
	const char *arg = o->arg ? (o->values ? o->values : o->arg) : NULL;
	if (is_short(o->key))
		snprintf(buf, len, "  -%c, --%s%s%s", o->key, o->name, arg ? "=" : "", arg ? arg : "");
	else
		snprintf(buf, len, "      --%s%s%s", o->name, arg ? "=" : "", arg ? arg : "");
}

void kf_opts_usage(const kf_command *cmd, FILE *f)
{
	fputs(cmd->usage, f);
	if (cmd->subs) {
		fputs("\nCommands:\n", f);
		for (const kf_command *const *s = cmd->subs; *s; s++)
			if ((*s)->summary)
				fprintf(f, "  %-12s %s\n", (*s)->name, (*s)->summary);
	}
	fputs("\nOptions:\n", f);
	enum { COL = 30 };
	char left[256];
	for (const kf_opt *o = cmd->opts; o && o->name; o++) {
		opt_left(left, sizeof left, o);
		if (strlen(left) + 2 > COL)
			fprintf(f, "%s\n%*s%s\n", left, COL, "", o->help);
		else
			fprintf(f, "%-*s%s\n", COL, left, o->help);
	}
	opt_left(left, sizeof left, &help_opt);
	fprintf(f, "%-*s%s\n", COL, left, help_opt.help);
}

const kf_command *kf_subcommand(const kf_command *cmd, const char *name)
{
	for (const kf_command *const *s = cmd->subs; s && *s; s++)
		if (strcmp((*s)->name, name) == 0)
			return *s;
	return NULL;
}

int kf_opts_dispatch(const kf_command *cmd, int argc, char **argv)
{
	kf_optparse p;
	int ch;
	kf_opts_begin(&p, cmd);
	while ((ch = kf_opts_next(&p, argc, argv)) != -1)
		return ch == KF_OPT_HELP ? KF_EXIT_OK : KF_EXIT_USAGE;
	if (optind >= argc) {
		kf_usage_error(cmd, "no command given");
		return KF_EXIT_USAGE;
	}
	const kf_command *sub = kf_subcommand(cmd, argv[optind]);
	if (!sub) {
		kf_unknown_command(cmd, argv[optind]);
		return KF_EXIT_USAGE;
	}
	return sub->run(argc - optind, argv + optind);
}

void kf_unknown_command(const kf_command *cmd, const char *word)
{
	const char *names[64];
	size_t n = 0;
	for (const kf_command *const *s = cmd->subs; s && *s && n < 64; s++)
		names[n++] = (*s)->name;
	const char *s = kf_suggest(kf_str_cstr(word), names, n, false);
	if (s)
		fprintf(stderr, "%s: unknown command '%s' (did you mean '%s'?)\n", cmd->prog, word, s);
	else
		fprintf(stderr, "%s: unknown command '%s'\n", cmd->prog, word);
	try_help(cmd);
}

void kf_print_version(const char *prog)
{
	printf("%s %s\n"
	       "License Apache-2.0: Apache License, Version 2.0 <https://www.apache.org/licenses/LICENSE-2.0>.\n"
	       "This is free software: you are free to change and redistribute it.\n"
	       "There is NO WARRANTY, to the extent permitted by law.\n",
	       prog, PACKAGE_VERSION);
}
