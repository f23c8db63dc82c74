/* SPDX-License-Identifier: Apache-2.0 */
/* completion.c - kfc completion bash|zsh|fish: the shells' completions of
 * kfc and kflint, written from the command tables and the option tables
 * (opts.h), so that they offer what the programs parse.
 *
 * Each command is a function named after its path ("kfc manifest create"
 * is _kfc_cmd_kfc_manifest_create in bash and zsh); bash's answer what
 * their options, subcommands and operands are to one engine, _kfc; zsh's
 * call _arguments; fish's are complete lines under a condition on the
 * subcommands typed (__kfc_is).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli/opts.h"

/* The command and its path from the program: "kfc manifest create" */
typedef struct node {
	const kf_command *cmd;
	char path[128];
} node;

typedef void (*visit_fn)(FILE *f, const node *n);

static void walk(FILE *f, const kf_command *cmd, const char *parent, visit_fn fn)
{
	node n = {cmd, ""};
	snprintf(n.path, sizeof n.path, "%s%s%s", parent ? parent : "", parent ? " " : "", cmd->name);
	fn(f, &n);
	for (const kf_command *const *s = cmd->subs; s && *s; s++)
		walk(f, *s, n.path, fn);
}

/* the path as a part of a function's name */
static void put_id(FILE *f, const char *path)
{
	for (const char *c = path; *c; c++)
		fputc(isalnum((unsigned char)*c) ? *c : '_', f);
}

/* the words of values, "text|json", with sep between them */
static void put_values(FILE *f, const char *values, const char *sep)
{
	for (const char *c = values; *c; c++)
		if (*c == '|')
			fputs(sep, f);
		else
			fputc(*c, f);
}

static bool is_short(int key)
{
	return key > 0 && key < KF_OPT_LONG && isalnum(key);
}

/* ---- bash ---------------------------------------------------------------------------------------- */

static void bash_command(FILE *f, const node *n)
{
	const kf_command *c = n->cmd;
	fputs("_kfc_cmd_", f);
	put_id(f, n->path);
	fputs("() {\n\tcase $1 in\n\tsubs) echo '", f);
	for (const kf_command *const *s = c->subs; s && *s; s++)
		fprintf(f, "%s%s", s == c->subs ? "" : " ", (*s)->name);
	fputs("' ;;\n\topts) echo '", f);
	for (const kf_opt *o = c->opts; o && o->name; o++) {
		if (is_short(o->key))
			fprintf(f, "-%c ", o->key);
		fprintf(f, "--%s ", o->name);
	}
	fputs("-h --help' ;;\n\targopts) echo ' ", f);
	for (const kf_opt *o = c->opts; o && o->name; o++) {
		if (!o->arg)
			continue;
		if (is_short(o->key))
			fprintf(f, "-%c ", o->key);
		fprintf(f, "--%s ", o->name);
	}
	static const char *const kinds[] = {"", "@file", "@dir", "@commands", "bash zsh fish"}; /* as kf_complete */
	fprintf(f, "' ;;\n\toperands) echo '%s' ;;\n\tvalue)\n\t\tcase $2 in\n", kinds[c->operands]);
	for (const kf_opt *o = c->opts; o && o->name; o++) {
		if (!o->arg || (!o->values && !o->complete))
			continue;
		fputs("\t\t", f);
		if (is_short(o->key))
			fprintf(f, "-%c|", o->key);
		fprintf(f, "--%s) echo '", o->name);
		if (o->values)
			put_values(f, o->values, " ");
		else
			fputs(kinds[o->complete], f);
		fputs("' ;;\n", f);
	}
	fputs("\t\tesac ;;\n\tesac\n}\n\n", f);
}

/* The engine: walks the words before the cursor into the subcommands,
 * (after kfc help: hid, the command it is asked about), then completes
 * the word at the cursor as an option, an option's
 * argument (--opt ARG, --opt=ARG whether or not = breaks words), a
 * subcommand or an operand. */
static const char bash_engine[] =
	"_kfc() {\n"
	"\tlocal id hid cur prev w i argnext= optw= pre= what\n"
	"\tid=_kfc_cmd_${COMP_WORDS[0]##*/} hid=_kfc_cmd_${COMP_WORDS[0]##*/}\n"
	"\tCOMPREPLY=()\n"
	"\ttype -t \"$id\" >/dev/null || return 0\n"
	"\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	"\t\tw=${COMP_WORDS[i]}\n"
	"\t\tif [[ $w == = ]]; then argnext=1; continue; fi\n"
	"\t\tif [[ -n $argnext ]]; then argnext=; continue; fi\n"
	"\t\tcase $w in\n"
	"\t\t--*=*) ;;\n"
	"\t\t-*) [[ \" $($id argopts) \" == *\" $w \"* ]] && argnext=1 ;;\n"
	"\t\t*)\n"
	"\t\t\tif [[ $id == *_help ]]; then\n"
	"\t\t\t\t[[ \" $($hid subs) \" == *\" $w \"* ]] && hid=${hid}_$w\n"
	"\t\t\telse\n"
	"\t\t\t\t[[ \" $($id subs) \" == *\" $w \"* ]] && id=${id}_$w\n"
	"\t\t\tfi ;;\n"
	"\t\tesac\n"
	"\tdone\n"
	"\tcur=${COMP_WORDS[COMP_CWORD]}\n"
	"\tprev=${COMP_WORDS[COMP_CWORD-1]}\n"
	"\tif [[ $cur == --*=* ]]; then\n"
	"\t\toptw=${cur%%=*} pre=${cur%%=*}= cur=${cur#*=}\n"
	"\telif [[ $cur == = && $prev == -* ]]; then\n"
	"\t\toptw=$prev cur=\n"
	"\telif [[ $prev == = ]]; then\n"
	"\t\toptw=${COMP_WORDS[COMP_CWORD-2]}\n"
	"\telif [[ -n $argnext ]]; then\n"
	"\t\toptw=$prev\n"
	"\tfi\n"
	"\tif [[ -n $optw ]]; then\n"
	"\t\twhat=$($id value \"$optw\")\n"
	"\telif [[ $cur == -* ]]; then\n"
	"\t\tCOMPREPLY=($(compgen -W \"$($id opts)\" -- \"$cur\"))\n"
	"\t\treturn 0\n"
	"\telse\n"
	"\t\twhat=$($id subs)\n"
	"\t\t[[ -n $what ]] || what=$($id operands)\n"
	"\tfi\n"
	"\tcase $what in\n"
	"\t@file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
	"\t@dir) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
	"\t@commands) COMPREPLY=($(compgen -W \"$($hid subs)\" -- \"$cur\")) ;;\n"
	"\t*) COMPREPLY=($(compgen -W \"$what\" -- \"$cur\")) ;;\n"
	"\tesac\n"
	"\tif [[ -n $pre ]]; then\n"
	"\t\tfor i in \"${!COMPREPLY[@]}\"; do COMPREPLY[i]=$pre${COMPREPLY[i]}; done\n"
	"\tfi\n"
	"\treturn 0\n"
	"}\n";

static void write_bash(FILE *f, const kf_command *const *progs, size_t n)
{
	fputs("# bash completion for kfc and kflint, made by 'kfc completion bash' from their option tables\n\n", f);
	for (size_t i = 0; i < n; i++)
		walk(f, progs[i], NULL, bash_command);
	fputs(bash_engine, f);
	fputs("\ncomplete -F _kfc", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", progs[i]->name);
	fputc('\n', f);
}

/* ---- zsh ----------------------------------------------------------------------------------------- */

/* text inside '…' as _arguments reads it: ' closed and reopened, and
 * the characters that end its fields escaped */
static void zsh_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else if (*s == ']' || *s == '[' || *s == ':' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
}

static const char *zsh_action(kf_complete c)
{
	static const char *const actions[] = {" ", "_files", "_files -/", "_kfc_commands", "(bash zsh fish)"};
	return actions[c];
}

static void zsh_command(FILE *f, const node *n)
{
	const kf_command *c = n->cmd;
	fputs("_kfc_cmd_", f);
	put_id(f, n->path);
	fputs("() {\n", f);
	if (c->subs) {
		fputs("\tlocal curcontext=$curcontext state line\n\tlocal -a subs\n\tsubs=(", f);
		for (const kf_command *const *s = c->subs; s && *s; s++) {
			fprintf(f, "\n\t\t'%s:", (*s)->name);
			zsh_text(f, (*s)->summary ? (*s)->summary : "");
			fputc('\'', f);
		}
		fputs("\n\t)\n", f);
	}
	fputs("\t_arguments -s -S", f);
	if (c->subs)
		fputs(" -C", f);
	for (const kf_opt *o = c->opts; o && o->name; o++) {
		fputs(" \\\n\t\t", f);
		if (is_short(o->key))
			fprintf(f, "'(-%c --%s)'{-%c%s,--%s%s}'[", o->key, o->name, o->key, o->arg ? "+" : "", o->name,
				o->arg ? "=" : "");
		else
			fprintf(f, "'--%s%s[", o->name, o->arg ? "=" : "");
		zsh_text(f, o->help);
		fputc(']', f);
		if (o->arg) {
			fputc(':', f);
			zsh_text(f, o->arg);
			fputc(':', f);
			if (o->values) {
				fputc('(', f);
				put_values(f, o->values, " ");
				fputc(')', f);
			} else {
				fputs(zsh_action(o->complete), f);
			}
		}
		fputc('\'', f);
	}
	fputs(" \\\n\t\t'(- *)'{-h,--help}'[show this help and exit]'", f);
	if (c->subs) {
		fputs(" \\\n\t\t'1:command:->cmd' \\\n\t\t'*::arg:->args'\n", f);
		fputs("\tcase $state in\n\tcmd) _describe -t commands command subs ;;\n\targs)\n\t\tcase $words[1] in\n", f);
		for (const kf_command *const *s = c->subs; s && *s; s++) {
			fprintf(f, "\t\t%s) _kfc_cmd_", (*s)->name);
			put_id(f, n->path);
			fprintf(f, "_%s ;;\n", (*s)->name);
		}
		fputs("\t\tesac ;;\n\tesac\n}\n\n", f);
		return;
	}
	fprintf(f, " \\\n\t\t'*:%s:%s'\n}\n\n",
		c->operands == KF_COMPLETE_FILE  ? "file"
		: c->operands == KF_COMPLETE_DIR ? "directory"
						 : "argument",
		zsh_action(c->operands));
}

static void write_zsh(FILE *f, const kf_command *const *progs, size_t n)
{
	fputs("#compdef", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", progs[i]->name);
	fputs("\n# zsh completion for kfc and kflint, made by 'kfc completion zsh' from their option tables\n\n", f);
	for (size_t i = 0; i < n; i++)
		walk(f, progs[i], NULL, zsh_command);
	fputs("_kfc_commands() {\n\tlocal -a cmds\n\tcmds=(", f);
	for (const kf_command *const *s = progs[0]->subs; s && *s; s++)
		fprintf(f, " %s", (*s)->name);
	fputs(" )\n\t_describe -t commands command cmds\n}\n\n", f);
	fputs("_kfc() {\n\tcase $service in\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "\t%s) _kfc_cmd_%s \"$@\" ;;\n", progs[i]->name, progs[i]->name);
	fputs("\tesac\n}\n\n", f);
	/* autoloaded from fpath: complete now; sourced: register */
	fputs("if [[ $zsh_eval_context[-1] == loadautofunc ]]; then\n\t_kfc \"$@\"\nelse\n\tcompdef _kfc", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s", progs[i]->name);
	fputs("\nfi\n", f);
}

/* ---- fish ---------------------------------------------------------------------------------------- */

/* text inside '…' as fish reads it */
static void fish_text(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void fish_subs(FILE *f, const node *n)
{
	if (!n->cmd->subs)
		return;
	fprintf(f, "\tcase '%s'\n\t\tprintf '%%s\\n'", n->path);
	for (const kf_command *const *s = n->cmd->subs; *s; s++)
		fprintf(f, " %s", (*s)->name);
	fputc('\n', f);
}

static const char *fish_prog; /* the program of the node being written */

static void fish_command(FILE *f, const node *n)
{
	const kf_command *c = n->cmd;
	const char *prog = fish_prog;
	for (const kf_command *const *s = c->subs; s && *s; s++) {
		fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -a %s -d ", prog, n->path, (*s)->name);
		fish_text(f, (*s)->summary ? (*s)->summary : "");
		fputc('\n', f);
	}
	for (const kf_opt *o = c->opts; o && o->name; o++) {
		fprintf(f, "complete -c %s -n '__kfc_is \"%s\"'", prog, n->path);
		if (is_short(o->key))
			fprintf(f, " -s %c", o->key);
		fprintf(f, " -l %s", o->name);
		if (o->arg && o->values) {
			fputs(" -x -a '", f);
			put_values(f, o->values, " ");
			fputc('\'', f);
		} else if (o->arg && o->complete == KF_COMPLETE_FILE) {
			fputs(" -r -F", f);
		} else if (o->arg && o->complete == KF_COMPLETE_DIR) {
			fputs(" -x -a '(__fish_complete_directories)'", f);
		} else if (o->arg) {
			fputs(" -x", f);
		}
		fputs(" -d ", f);
		fish_text(f, o->help);
		fputc('\n', f);
	}
	fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -s h -l help -d 'show this help and exit'\n", prog, n->path);
	switch (c->operands) {
	case KF_COMPLETE_FILE: fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -F\n", prog, n->path); break;
	case KF_COMPLETE_DIR:
		fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -a '(__fish_complete_directories)'\n", prog, n->path);
		break;
	case KF_COMPLETE_COMMANDS:
		fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -a '(__kfc_subs %s)'\n", prog, n->path, prog);
		break;
	case KF_COMPLETE_SHELLS: fprintf(f, "complete -c %s -n '__kfc_is \"%s\"' -a 'bash zsh fish'\n", prog, n->path); break;
	case KF_COMPLETE_NONE: break;
	}
}

static void write_fish(FILE *f, const kf_command *const *progs, size_t n)
{
	fputs("# fish completion for kfc and kflint, made by 'kfc completion fish' from their option tables\n\n", f);
	fputs("function __kfc_subs --description 'the subcommands of a command of kfc'\n\tswitch $argv[1]\n", f);
	for (size_t i = 0; i < n; i++)
		walk(f, progs[i], NULL, fish_subs);
	fputs("\tend\nend\n\n", f);
	fputs("function __kfc_is --description 'whether the commands typed are the ones given'\n"
	      "\tset -l tokens (commandline -opc)\n"
	      "\tset -l path (string replace -r '.*/' '' -- $tokens[1])\n"
	      "\tfor t in $tokens[2..-1]\n"
	      "\t\tif contains -- $t (__kfc_subs $path)\n"
	      "\t\t\tset path \"$path $t\"\n"
	      "\t\tend\n"
	      "\tend\n"
	      "\ttest \"$path\" = \"$argv[1]\"\n"
	      "end\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		fish_prog = progs[i]->name;
		fprintf(f, "\ncomplete -c %s -f\n", fish_prog);
		walk(f, progs[i], NULL, fish_command);
	}
}

bool kf_completion_write(FILE *f, const char *shell, const kf_command *const *progs, size_t n)
{
	if (strcmp(shell, "bash") == 0)
		write_bash(f, progs, n);
	else if (strcmp(shell, "zsh") == 0)
		write_zsh(f, progs, n);
	else if (strcmp(shell, "fish") == 0)
		write_fish(f, progs, n);
	else
		return false;
	return true;
}
