/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CLI_H
#define PCIPASS_CLI_H

#include <getopt.h>	/* optind, optarg: every command reads them */
#include <stdio.h>

#ifndef PCIPASS_VERSION
#define PCIPASS_VERSION "0.1.0"
#endif

/*
 * One option of a command.  The getopt tables and the command's help are
 * both built from these (cli.c), so the help cannot name an option the
 * command does not parse, nor leave one out.
 */
struct cli_opt {
	const char *name;	/* long name, without "--" */
	char letter;		/* short option, and what cli_getopt returns */
	const char *arg;	/* the argument's name in the help; NULL: a flag */
	const char *desc;	/* one line */
};

/*
 * A command: what main.c dispatches to and what `pcipass help CMD` prints.
 * Every command also accepts the global options (cli_global_opts), so
 * "pcipass list -j" and "pcipass -j list" both work.
 */
struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *synopsis;		/* its arguments, one line per form */
	const char *summary;		/* one line, for `pcipass help` */
	const struct cli_opt *opts;	/* its own options, { 0 }-terminated */
	const char *help;		/* arguments, behaviour, exit status */
	void (*help_extra)(FILE *f);	/* a list generated from code, after help */
};

extern const struct cli_opt cli_global_opts[];	/* --json, --pretty, --help */

/* Returns the next option of cmd (its own or a global one: --json and
 * --pretty are handled here), -1 at the end, 'h' for help and '?' after
 * reporting a bad option.  The first call also names cmd in usage errors.
 */
int cli_getopt(int argc, char **argv, const struct cli_cmd *cmd);
/* Prints cmd's help on stdout; returns EXIT_OK. */
int cli_help(const struct cli_cmd *cmd);
/* Prints an option list ("  -c, --class CLASS  desc"), as the help does. */
void cli_print_opts(FILE *f, const struct cli_opt *opts);
void cli_usage(FILE *f);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

extern const struct cli_cmd cli_cmd_list, cli_cmd_show, cli_cmd_check,
	cli_cmd_host, cli_cmd_claim, cli_cmd_release, cli_cmd_persist,
	cli_cmd_hook, cli_cmd_rom, cli_cmd_sriov, cli_cmd_monitor, cli_cmd_export,
	cli_cmd_drift,
	cli_cmd_version, cli_cmd_help;

#endif
