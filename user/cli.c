// SPDX-License-Identifier: GPL-2.0
/*
 * Option parsing and help for every command, from the command's own
 * option table (struct cli_cmd in cli.h): getopt's tables are built from
 * the same entries the help prints.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/print.h"
#include "lib/util.h"

const struct cli_opt cli_global_opts[] = {
	{ "json", 'j', NULL, "JSON output (keys: see README-json.md)" },
	{ "pretty", 'p', NULL, "pretty-printed JSON (implies --json)" },
	{ "help", 'h', NULL, "show this help" },
	{ 0 },
};

/* The command being parsed: usage errors point at its help. */
static const struct cli_cmd *current;

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pcipass: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	/* help's own mistakes (an unknown command) want the overview */
	if (current && current->name && strcmp(current->name, "help"))
		fprintf(stderr, "\nTry 'pcipass help %s'.\n", current->name);
	else
		fputs("\nTry 'pcipass --help'.\n", stderr);
	return EXIT_USAGE;
}

/* getopt leaves only optopt and the argument list to go by; a long option
 * is recognised by its "--" (optopt is 0 only for unknown long options).
 */
static void report_bad_option(int c, char **argv)
{
	const char *arg = argv[optind - 1];
	bool is_long = !strncmp(arg, "--", 2);

	if (c == ':' && is_long)
		cli_usage_error("option '%s' requires an argument", arg);
	else if (c == ':')
		cli_usage_error("option '-%c' requires an argument", optopt);
	else if (!optopt)
		cli_usage_error("unknown option '%s'", arg);
	else if (is_long && strchr(arg, '='))
		cli_usage_error("option '%.*s' takes no argument",
				(int)(strchr(arg, '=') - arg), arg);
	else
		cli_usage_error("unknown option '-%c'", optopt);
}

#define MAX_OPTS 16

static size_t count_opts(const struct cli_opt *o)
{
	size_t n = 0;

	while (o && o[n].name)
		n++;
	return n;
}

/* Appends opts to getopt's tables. */
static void add_opts(const struct cli_opt *opts, struct option *lo,
		     size_t *nlo, char *so, size_t *nso)
{
	for (size_t i = 0; i < count_opts(opts); i++) {
		const struct cli_opt *o = &opts[i];

		lo[*nlo].name = o->name;
		lo[*nlo].has_arg = o->arg ? required_argument : no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = o->letter;
		(*nlo)++;
		so[(*nso)++] = o->letter;
		if (o->arg)
			so[(*nso)++] = ':';
	}
}

/*
 * A command without a name stands for the options before COMMAND (main.c):
 * getopt then stops at the first word that is not an option ('+'), the
 * command's name.  A leading ':' makes getopt report a missing argument
 * distinctly; the messages are printed here because getopt would name the
 * command instead of the program.
 */
static void build_tables(const struct cli_cmd *cmd, struct option *lo,
			 char *so)
{
	size_t nlo = 0, nso = 0;

	if (!cmd->name)
		so[nso++] = '+';
	so[nso++] = ':';
	add_opts(cli_global_opts, lo, &nlo, so, &nso);
	add_opts(cmd->opts, lo, &nlo, so, &nso);
	memset(&lo[nlo], 0, sizeof(lo[nlo]));
	so[nso] = '\0';
}

/* A programming error in a command's table, caught on its first use (the
 * help tests run every command's --help): a letter taken twice would be
 * parsed as whichever getopt finds first.
 */
static bool table_ok(const struct cli_cmd *cmd)
{
	const struct cli_opt *o = cmd->opts;
	const char *name = cmd->name ? cmd->name : "pcipass";

	if (count_opts(cli_global_opts) + count_opts(o) > MAX_OPTS) {
		pp_err("%s: too many options (MAX_OPTS in cli.c)", name);
		return false;
	}
	for (size_t i = 0; i < count_opts(o); i++) {
		bool dup = false;

		for (size_t j = 0; j < count_opts(cli_global_opts); j++)
			dup |= o[i].letter == cli_global_opts[j].letter;
		for (size_t j = 0; j < i; j++)
			dup |= o[i].letter == o[j].letter;
		if (dup) {
			pp_err("%s: option -%c taken twice", name, o[i].letter);
			return false;
		}
	}
	return true;
}

int cli_getopt(int argc, char **argv, const struct cli_cmd *cmd)
{
	static struct option longopts[MAX_OPTS + 1];
	static char shortopts[2 * MAX_OPTS + 3];
	int c;

	if (!table_ok(cmd))
		return '?';
	if (current != cmd) {
		current = cmd;
		build_tables(cmd, longopts, shortopts);
	}
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			print_set_pretty(true);
			/* fall through */
		case 'j':
			print_set_json(true);
			continue;
		case '?':
		case ':':
			report_bad_option(c, argv);
			return '?';
		default:
			return c;
		}
	}
	return -1;
}

void cli_print_opts(FILE *f, const struct cli_opt *opts)
{
	size_t width = 0;

	for (size_t i = 0; i < count_opts(opts); i++) {
		size_t w = strlen(opts[i].name) +
			   (opts[i].arg ? strlen(opts[i].arg) + 1 : 0);

		if (w > width)
			width = w;
	}
	for (size_t i = 0; i < count_opts(opts); i++) {
		const struct cli_opt *o = &opts[i];
		int w = (int)(width - strlen(o->name));

		fprintf(f, "  -%c, --%s%s%-*s  %s\n", o->letter, o->name,
			o->arg ? " " : "", w - (o->arg ? 1 : 0),
			o->arg ? o->arg : "", o->desc);
	}
}

static void cli_cmd_usage(FILE *f, const struct cli_cmd *cmd)
{
	const char *s = cmd->synopsis;

	/* one line per form: "list\nremove ADDR..." is two */
	fputs("Usage:", f);
	do {
		size_t len = strcspn(s, "\n");

		fprintf(f, "%s pcipass %s%s%.*s\n", s == cmd->synopsis ? "" : "      ",
			cmd->name, len ? " " : "", (int)len, s);
		s += len + !!s[len];
	} while (*s);
	/* the summary is lower case in the overview's column */
	fprintf(f, "%c%s.\n", toupper((unsigned char)cmd->summary[0]),
		cmd->summary + 1);
	if (count_opts(cmd->opts)) {
		fputs("\nOptions:\n", f);
		cli_print_opts(f, cmd->opts);
	}
	fputs("\nGlobal options (also before the command):\n", f);
	cli_print_opts(f, cli_global_opts);
	if (cmd->help[0])
		fprintf(f, "\n%s", cmd->help);
	if (cmd->help_extra)
		cmd->help_extra(f);
}

int cli_help(const struct cli_cmd *cmd)
{
	cli_cmd_usage(stdout, cmd);
	return EXIT_OK;
}
