// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass hook proxmox VMID PHASE
 * pcipass hook libvirt NAME OPERATION SUB-OPERATION [EXTRA]  (XML on stdin)
 *
 * The VM managers' hooks (hook/hook.h).  A hook's output goes to the manager's
 * log (Proxmox's task log); its exit status decides whether the VM starts.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hook/hook.h"
#include "lib/util.h"

static int cmd_hook(int argc, char **argv)
{
	const char *kind;
	int c, n;

	c = cli_getopt(argc, argv, &cli_cmd_hook);
	if (c == 'h')
		return cli_help(&cli_cmd_hook);
	if (c != -1)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage_error("hook: expected proxmox VMID PHASE, or libvirt NAME OPERATION SUB-OPERATION");
	kind = argv[optind++];
	n = argc - optind;
	if (!strcmp(kind, "proxmox")) {
		if (n > 2)
			return cli_usage_error("hook proxmox: unexpected argument '%s'",
					       argv[optind + 2]);
		if (n != 2)
			return cli_usage_error("hook proxmox: expected VMID PHASE (as Proxmox runs a hookscript: 'pcipass-hook 101 pre-start')");
		return hook_proxmox(argv[optind], argv[optind + 1]);
	}
	if (!strcmp(kind, "libvirt")) {
		/* libvirt adds an EXTRA argument ("-", or a reason) */
		if (n > 4)
			return cli_usage_error("hook libvirt: unexpected argument '%s'",
					       argv[optind + 4]);
		if (n < 3)
			return cli_usage_error("hook libvirt: expected NAME OPERATION SUB-OPERATION [EXTRA] (as libvirt runs /etc/libvirt/hooks/qemu.d/pcipass)");
		return hook_libvirt(argv[optind], argv[optind + 1],
				    argv[optind + 2]);
	}
	return cli_usage_error("hook: unknown VM manager '%s' (proxmox, libvirt)", kind);
}

const struct cli_cmd cli_cmd_hook = {
	.name = "hook",
	.run = cmd_hook,
	.synopsis = "proxmox VMID PHASE\n"
		    "libvirt NAME OPERATION SUB-OPERATION [EXTRA]",
	.summary = "a VM's hook: claim its groups at start, give them back at stop",
	.help =
	"Run by the VM manager, as root, through the installed hooks\n"
	"(Proxmox: the hookscript local:snippets/pcipass-hook; libvirt:\n"
	"/etc/libvirt/hooks/qemu.d/pcipass).\n"
	"  proxmox VMID PHASE\n"
	"      pre-start claims every IOMMU group of the VM's hostpciN lines\n"
	"      (addresses, slots, mapping=) for it, all or none; post-stop\n"
	"      releases the groups recorded for it; other phases do nothing\n"
	"  libvirt NAME OPERATION SUB-OPERATION [EXTRA]\n"
	"      the domain XML on stdin; prepare begin claims the groups of\n"
	"      its managed='no' PCI hostdevs, release end gives them back;\n"
	"      any other operation prints nothing\n"
	"Which VM holds which group is recorded under /run/pcipass/vm.\n"
	"\n"
	"Exit status: 0 done, or nothing to do; otherwise the VM must not\n"
	"start: 1 could not run, 2 usage error, 6 refused by a check (the\n"
	"reason on stderr), 7 and 8 as for claim.\n",
};
