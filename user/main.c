// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/names.h"

/* In the order `pcipass help` lists them. */
static const struct cli_cmd *const commands[] = {
	&cli_cmd_list, &cli_cmd_show, &cli_cmd_check, &cli_cmd_host,
	&cli_cmd_claim, &cli_cmd_release, &cli_cmd_persist, &cli_cmd_hook,
	&cli_cmd_rom, &cli_cmd_sriov,
	&cli_cmd_monitor, &cli_cmd_export, &cli_cmd_drift, &cli_cmd_version,
	&cli_cmd_help,
};

/* The options before COMMAND: the global ones and --version. */
static const struct cli_opt version_opt[] = {
	{ "version", 'V', NULL, "show the CLI version and exit" },
	{ 0 },
};
static const struct cli_cmd global = { .opts = version_opt };

void cli_usage(FILE *f)
{
	fputs("Usage: pcipass [OPTIONS] COMMAND [ARGS]\n"
	      "PCI passthrough (VFIO): IOMMU groups, readiness, claims.\n"
	      "\nCommands:\n", f);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i]->name,
			commands[i]->summary);
	fputs("\nOptions (before or after COMMAND):\n", f);
	cli_print_opts(f, cli_global_opts);
	fputs("\nOptions before COMMAND only:\n", f);
	cli_print_opts(f, version_opt);
	fputs("\n"
	      "ADDR is [DDDD:]BB:DD[.F] in hex, as lspci prints it: 01:00.0,\n"
	      "0000:01:00.0, or 01:00 for every function of slot 01:00.\n"
	      "\n"
	      "Exit status: 0 success, 1 could not run (module not loaded,\n"
	      "kernel error, no such device), 2 usage error; check, host,\n"
	      "claim, release, hook, rom and sriov have more (see their help).\n"
	      "\n"
	      "'pcipass help COMMAND' (or 'pcipass COMMAND --help') shows a\n"
	      "command's arguments and options; 'man pcipass' has it all.\n", f);
}

static const struct cli_cmd *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i]->name, name))
			return commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int c = cli_getopt(argc, argv, &cli_cmd_help);

	if (c == 'h')
		return cli_help(&cli_cmd_help);
	if (c != -1)
		return EXIT_USAGE;
	if (optind >= argc) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (optind + 1 < argc)
		return cli_usage_error("help: unexpected argument '%s'",
				       argv[optind + 1]);
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error("help: unknown command '%s'",
				       argv[optind]);
	return cli_help(cmd);
}

const struct cli_cmd cli_cmd_help = {
	.name = "help",
	.run = cmd_help,
	.synopsis = "[COMMAND]",
	.summary = "this overview, or one command's arguments and options",
	.help = "Without COMMAND, the list of commands and the global options;\n"
		"with one, that command's usage, as 'pcipass COMMAND --help'.\n"
		"\n"
		"Exit status: 0 success, 2 usage error (an unknown command).\n",
};

/* Global options stop at the command name; the command then parses the
 * rest with its own table, which includes the global ones again.
 */
static int parse_global(int argc, char **argv)
{
	switch (cli_getopt(argc, argv, &global)) {
	case -1:
		return -1;
	case 'h':
		cli_usage(stdout);
		return EXIT_OK;
	case 'V':
		printf("pcipass %s\n", PCIPASS_VERSION);
		return EXIT_OK;
	default:
		return EXIT_USAGE;
	}
}

static int run(int argc, char **argv)
{
	const struct cli_cmd *cmd;
	int rc;

	if (sysroot_refused())
		return EXIT_RUNTIME;
	rc = parse_global(argc, argv);
	if (rc >= 0)
		return rc;
	if (optind >= argc) {
		cli_usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return cli_usage_error("unknown command '%s'", argv[optind]);

	argc -= optind;
	argv += optind;
	optind = 0;	/* full getopt reset: the command permutes its args */
	rc = cmd->run(argc, argv);
	/* Also after a runtime error: "version" still has a document to
	 * give when the module is missing.
	 */
	if (print_flush() && rc == EXIT_OK)
		rc = EXIT_RUNTIME;
	return rc;
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	print_cleanup();
	names_cleanup();
	/* Catch a full disk or closed pipe instead of exiting 0 after a
	 * truncated listing.
	 */
	if (fflush(stdout) == EOF || ferror(stdout)) {
		pp_err("write error on standard output");
		rc = EXIT_RUNTIME;
	}
	return rc;
}
