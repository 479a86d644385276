// SPDX-License-Identifier: GPL-2.0
/*
 * Drives `pcipass export` (cmd/export.c: its options, the formats, the
 * atomic write) without the kernel module, for tests/export/:
 *
 *   PCIPASS_SYSROOT=DIR export_run export FORMAT [OPTIONS]
 *
 * The devices come from DIR's /sys/bus/pci/devices instead of the
 * module's dump (tests/sysfs_devs.c); everything else export reads (VM
 * hook records, claims.conf, the host checks) comes from DIR through the
 * sysroot as in pcipass-test.  Exit statuses are export's.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "export/export.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/names.h"
#include "tests/sysfs_devs.h"

int main(int argc, char **argv)
{
	struct pp_devlist l = { 0 };
	struct export_opts o = { 0 };
	int at = 1, rc;

	/* -j before "export", as main.c takes it: for the usage error */
	if (at < argc && !strcmp(argv[at], "-j")) {
		print_set_json(true);
		at++;
	}
	if (at >= argc || strcmp(argv[at], "export")) {
		fputs("usage: PCIPASS_SYSROOT=DIR export_run [-j] export FORMAT [OPTIONS]\n",
		      stderr);
		return EXIT_USAGE;
	}
	optind = 0;
	rc = export_parse(argc - at, argv + at, &o);
	if (rc >= 0)
		return rc;
	sysfs_devs_read(&l);
	rc = export_run(&l, &o);
	print_cleanup();
	names_cleanup();
	devlist_free(&l);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = EXIT_RUNTIME;
	return rc;
}
