// SPDX-License-Identifier: GPL-2.0
#include <errno.h>

#include <linux/pcipass.h>

#include "cli.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/nl.h"

static void print_module(const struct pnl *nl, int rc, unsigned int version)
{
	if (rc) {
		print_bool(PRINT_JSON, "module_loaded", NULL, false);
		print_null(PRINT_ANY, "module_family_version",
			   "kernel module:   %s\n",
			   rc == -ENOENT ? "not loaded" : "unknown");
		print_null(PRINT_JSON, "module_family_id", NULL, NULL);
		return;
	}
	print_bool(PRINT_JSON, "module_loaded", NULL, true);
	print_uint(PRINT_ANY, "module_family_version",
		   "kernel module:   family version %u", version);
	print_uint(PRINT_ANY, "module_family_id", " (genl family id %u)\n",
		   (unsigned int)nl->family);
	if (version > PCIPASS_FAMILY_VERSION)
		print_text("note: the module is newer than this CLI; attributes it added are not shown\n");
}

static int cmd_version(int argc, char **argv)
{
	unsigned int version = 0;
	struct pnl nl;
	int c, rc;

	c = cli_getopt(argc, argv, &cli_cmd_version);
	if (c == 'h')
		return cli_help(&cli_cmd_version);
	if (c != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error("version: unexpected argument '%s'",
				       argv[optind]);

	rc = pnl_open(&nl);
	if (!rc)
		rc = pnl_family_version(&nl, &version);

	open_json_object(NULL);
	print_string(PRINT_ANY, "version", "pcipass %s\n", PCIPASS_VERSION);
	print_uint(PRINT_ANY, "family_version",
		   "netlink ABI:     family '" PCIPASS_FAMILY_NAME "' version %u\n",
		   PCIPASS_FAMILY_VERSION);
	print_module(&nl, rc, version);
	close_json_object();

	if (rc)
		pnl_perror(&nl);
	pnl_close(&nl);
	return rc ? EXIT_RUNTIME : EXIT_OK;
}

const struct cli_cmd cli_cmd_version = {
	.name = "version",
	.run = cmd_version,
	.synopsis = "",
	.summary = "CLI and kernel module versions",
	.help =
	"The CLI's version, the netlink ABI version it speaks and the loaded\n"
	"module's.  'pcipass --version' prints only the CLI's.\n"
	"\n"
	"Exit status: 0 success, 1 the module is not loaded or did not\n"
	"answer (the versions known are still printed), 2 usage error.\n",
};
