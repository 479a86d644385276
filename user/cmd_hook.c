// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass hook proxmox VMID PHASE
 * pcipass hook libvirt NAME OPERATION SUB-OPERATION [EXTRA]  (XML on stdin)
 *
 * The VM managers' hooks (hook.h).  A hook's output goes to the manager's
 * log (Proxmox's task log); its exit status decides whether the VM starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hook.h"
#include "util.h"

int cmd_hook(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_LONGOPTS, { 0 } };
	const char *kind;
	int c;

	while ((c = cli_getopt(argc, argv, CLI_SHORTOPTS(""), longopts)) != -1) {
		if (c != 'h')
			return EXIT_USAGE;
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (optind >= argc)
		return cli_usage_error("hook: expected proxmox VMID PHASE, or libvirt NAME OPERATION SUB-OPERATION");
	kind = argv[optind++];
	if (!strcmp(kind, "proxmox")) {
		if (argc - optind != 2)
			return cli_usage_error("hook proxmox: expected VMID PHASE (as Proxmox runs a hookscript: 'pcipass-hook 101 pre-start')");
		return hook_proxmox(argv[optind], argv[optind + 1]);
	}
	if (!strcmp(kind, "libvirt")) {
		/* libvirt adds an EXTRA argument ("-", or a reason) */
		if (argc - optind < 3 || argc - optind > 4)
			return cli_usage_error("hook libvirt: expected NAME OPERATION SUB-OPERATION [EXTRA] (as libvirt runs /etc/libvirt/hooks/qemu.d/pcipass)");
		return hook_libvirt(argv[optind], argv[optind + 1],
				    argv[optind + 2]);
	}
	return cli_usage_error("hook: unknown VM manager '%s' (proxmox, libvirt)", kind);
}
