// SPDX-License-Identifier: GPL-2.0
/*
 * Drives `pcipass list` (cmd/list.c: its options, both forms, colour)
 * without the kernel module, for the tests in tests/tree/:
 *
 *   PCIPASS_SYSROOT=DIR list_run [-j|-p] list [OPTIONS]
 *
 * The devices come from DIR's /sys/bus/pci/devices instead of the
 * module's dump, as the module would report them (tests/sysfs_devs.c).
 * Exit statuses are list's.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/list.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/names.h"
#include "tests/sysfs_devs.h"

/* -j, -p before "list", as main.c takes them; returns argv's "list". */
static int global_opts(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-p"))
			print_set_pretty(true);
		else if (strcmp(argv[i], "-j"))
			return -1;
		print_set_json(true);
	}
	return i < argc && !strcmp(argv[i], "list") ? i : -1;
}

int main(int argc, char **argv)
{
	struct pp_devlist l = { 0 };
	struct list_opts o = { .color = COLOR_AUTO };
	int at = global_opts(argc, argv), rc;

	if (at < 0) {
		fputs("usage: PCIPASS_SYSROOT=DIR list_run [-j|-p] list [OPTIONS]\n",
		      stderr);
		return EXIT_USAGE;
	}
	optind = 0;
	rc = list_parse(argc - at, argv + at, &o);
	if (rc >= 0)
		return rc;
	sysfs_devs_read(&l);
	list_print(&l, &o);
	rc = print_flush() ? EXIT_RUNTIME : EXIT_OK;
	print_cleanup();
	names_cleanup();
	devlist_free(&l);
	return rc;
}
