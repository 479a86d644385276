// SPDX-License-Identifier: GPL-2.0
/*
 * Drives the host side of "pcipass check" (devextra, impact, snippet)
 * without the kernel module, for the golden tests in tests/impact/:
 *
 *   PCIPASS_SYSROOT=DIR impact_run [-j|-p] [--primary-gpu] ADDR...
 *   impact_run --compare-net	(tests/netcmp.c)
 *
 * prints, for the given functions, what "check" prints from these
 * libraries: the extras of each, the host impact and the snippets, then
 * whether impact_has_critical() said yes, and what a claim would refuse
 * to take (impact_holds()).  Exit 0, or 2 on bad usage.
 */
#include <stdio.h>
#include <string.h>

#include "check/snippet.h"
#include "impact/impact.h"
#include "lib/print.h"
#include "lib/util.h"
#include "netcmp.h"
#include "pci/devextra.h"

/* What a claim would refuse (impact/claim.c), after check's verdict. */
static void print_holds(const struct impact *im)
{
	struct impact_hold *v;
	size_t n = impact_holds(im, &v);

	print_text("claim holds:%s\n", n ? "" : " none");
	open_json_array("claim_holds");
	for (size_t i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "address", "  %s", v[i].addr);
		print_string(PRINT_ANY, "reason", "  %s",
			     impact_hold_word(v[i].kind));
		print_string(PRINT_ANY, "detail", "  %s\n", v[i].detail);
		close_json_object();
	}
	close_json_array();
	impact_holds_free(v, n);
}

static void run(const char *const *addrs, size_t n, bool primary_gpu)
{
	struct impact *im = impact_collect(addrs, n);

	if (!im) {
		pp_err("out of memory");
		return;
	}
	open_json_object(NULL);
	open_json_array("devices");
	for (size_t i = 0; i < n; i++) {
		open_json_object(NULL);
		print_string(PRINT_ANY, "address", "%s\n", addrs[i]);
		devextra_print(addrs[i]);
		close_json_object();
	}
	close_json_array();
	print_text("\n");
	impact_print(im);
	print_text("\n");
	snippet_print(addrs, n, primary_gpu);
	print_bool(PRINT_ANY, "critical", "\ncritical: %s\n",
		   impact_has_critical(im));
	print_holds(im);
	close_json_object();
	impact_free(im);
}

int main(int argc, char **argv)
{
	bool primary_gpu = false;
	int i;

	if (argc == 2 && !strcmp(argv[1], "--compare-net"))
		return netcmp_run();
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-j")) {
			print_set_json(true);
		} else if (!strcmp(argv[i], "-p")) {
			print_set_json(true);
			print_set_pretty(true);
		} else if (!strcmp(argv[i], "--primary-gpu")) {
			primary_gpu = true;
		} else {
			fprintf(stderr, "usage: impact_run [-j|-p] [--primary-gpu] ADDR...\n");
			return EXIT_USAGE;
		}
	}
	run((const char *const *)&argv[i], argc - i, primary_gpu);
	print_flush();
	print_cleanup();
	return EXIT_OK;
}
