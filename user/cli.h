/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CLI_H
#define PCIPASS_CLI_H

#include <getopt.h>
#include <stdio.h>

#ifndef PCIPASS_VERSION
#define PCIPASS_VERSION "0.1.0"
#endif

/* Every command accepts the global options too, so "pcipass list -j" and
 * "pcipass -j list" both work.  A leading ':' makes getopt report a missing
 * argument distinctly; the messages are printed by cli_getopt() because
 * getopt would name the subcommand instead of the program.
 */
#define CLI_SHORTOPTS(extra) ":jph" extra
#define CLI_LONGOPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "pretty", no_argument, NULL, 'p' }, \
	{ "help", no_argument, NULL, 'h' }

int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts);
void cli_usage(FILE *f);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_list(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_host(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_claim(int argc, char **argv);
int cmd_release(int argc, char **argv);
int cmd_persist(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_help(int argc, char **argv);

#endif
