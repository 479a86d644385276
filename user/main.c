// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "filter.h"
#include "names.h"
#include "print.h"
#include "util.h"

struct command {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *args;
	const char *desc;
};

static const struct command commands[] = {
	{ "list", cmd_list, "[-c|--class CLASS[,...]]",
	  "IOMMU groups with their devices" },
	{ "show", cmd_show, "ADDR",
	  "details of one function or a whole slot" },
	{ "check", cmd_check, "ADDR|GROUP",
	  "can it go to a VM: verdict, reasons, what goes along" },
	{ "host", cmd_host, "",
	  "host readiness for PCI passthrough (a checklist)" },
	{ "claim", cmd_claim, "ADDR|--group N [...]",
	  "bind a whole IOMMU group to vfio-pci, all or nothing" },
	{ "release", cmd_release, "ADDR|--group N [...]",
	  "give a claimed group back to its drivers" },
	{ "persist", cmd_persist, "list|remove ADDR|apply|wait|boot-option",
	  "claims kept across reboots (claim --persist)" },
	{ "hook", cmd_hook, "proxmox VMID PHASE | libvirt NAME OP SUBOP",
	  "a VM's hook: claim its groups at start, give them back at stop" },
	{ "monitor", cmd_monitor, "[--count N]",
	  "print device, driver and claim events as they happen" },
	{ "version", cmd_version, "",
	  "CLI and kernel module versions" },
	{ "help", cmd_help, "", "this help" },
};

void cli_usage(FILE *f)
{
	fprintf(f, "Usage: pcipass [OPTIONS] COMMAND [ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char synopsis[64];

		snprintf(synopsis, sizeof(synopsis), "%s %s", commands[i].name,
			 commands[i].args);
		fprintf(f, "  %-30s %s\n", synopsis, commands[i].desc);
	}
	fputs("\n"
	      "Options (before or after COMMAND):\n"
	      "  -j, --json      JSON output (keys: see README-json.md)\n"
	      "  -p, --pretty    pretty-printed JSON (implies --json)\n"
	      "  -h, --help      show this help\n"
	      "  -V, --version   show the CLI version and exit\n"
	      "\n"
	      "ADDR is [DDDD:]BB:DD[.F] in hex, as lspci prints it: 01:00.0,\n"
	      "0000:01:00.0, or 01:00 for every function of slot 01:00.\n"
	      "\n"
	      "Classes for list --class (a group is listed when any member\n"
	      "matches; matching members are marked with '*'):\n", f);
	class_filter_help(f);
	fputs("\n"
	      "Group states (one word per IOMMU group).  Bridges on pcieport or\n"
	      "on no driver do not count; a bridge on another driver (shpchp)\n"
	      "does, as the kernel will not hand its group to VFIO; pci-stub\n"
	      "counts as unbound:\n"
	      "  vfio      no member on a host driver, at least one on vfio-pci\n"
	      "            (or a vfio-pci variant): ready for passthrough\n"
	      "  partial   some members on vfio-pci, others on host drivers:\n"
	      "            VFIO refuses the group until those are unbound\n"
	      "  host      members on host drivers, none on vfio-pci\n"
	      "  unbound   no member bound to any driver\n"
	      "  bridge    the group holds only bridges: nothing to pass through\n"
	      "\n"
	      "host walks a passthrough checklist: CPU virtualization, IOMMU in\n"
	      "firmware and kernel, default DMA domain, interrupt remapping,\n"
	      "kernel parameters, VFIO modules, ACS override, Secure Boot and\n"
	      "the pcipass module.  Each item is PASS, WARN, FAIL or INFO, with\n"
	      "the fix when it is not PASS.  Needs neither root nor the module.\n"
	      "\n"
	      "check ADDR|GROUP (needs root): ADDR as above, a slot meaning all\n"
	      "its functions; GROUP is an IOMMU group number in decimal, as in\n"
	      "/sys/kernel/iommu_groups/N (no ':', so never an address), meaning\n"
	      "every endpoint of the group.  Bridges and host bridges stay with\n"
	      "the host and never count.  The verdict:\n"
	      "  ready             the IOMMU group holds nothing else to pass\n"
	      "  needs companions  it also holds other functions of the same\n"
	      "                    device (e.g. a GPU's audio function): pass\n"
	      "                    them along\n"
	      "  not isolatable    it also holds other devices, joined by a port\n"
	      "                    without ACS, a PCIe-to-PCI bridge or a DMA\n"
	      "                    alias, or chipset functions (ISA/LPC bridge,\n"
	      "                    SMBus): only another slot, a firmware ACS\n"
	      "                    setting or other hardware fixes that\n"
	      "                    (pcie_acs_override only hides it)\n"
	      "  no IOMMU          the function has no IOMMU group\n"
	      "A separate line says whether VFIO can take the group now, or what\n"
	      "to unbind first.\n"
	      "\n"
	      "claim ADDR|SLOT|--group N [--driver D] [--dry-run] [--force]\n"
	      "(needs root) binds every function of the IOMMU group to D\n"
	      "(default vfio-pci), all or nothing: safety checks first (disks\n"
	      "in use, the root filesystem and NICs with addresses by pcipass;\n"
	      "boot VGA, SR-IOV VFs, a claim for another driver by the\n"
	      "kernel), then in the kernel driver_override, unbind and bind;\n"
	      "on any failure every member is put back.  A SLOT counts only\n"
	      "when all its functions are in one group.  --dry-run checks and\n"
	      "prints the plan; --force takes the boot VGA, disks in use and\n"
	      "active NICs anyway (never the root filesystem).\n"
	      "release ADDR|SLOT|--group N [--dry-run] gives a claimed group\n"
	      "back to its original drivers and overrides.\n"
	      "--persist (claim, release) also records the group's functions\n"
	      "in /etc/pcipass/claims.conf (or drops them): by topology path,\n"
	      "IDs and serial number; the module claims them whenever it loads\n"
	      "and when they appear (its claims= option, written into\n"
	      "/etc/modprobe.d/pcipass.conf).\n"
	      "The kernel runs each in its own context; both wait for it up to\n"
	      "--timeout SEC (default 60).  A timeout or Ctrl-C ends the wait,\n"
	      "not the transaction (exit 8, naming the driver it waits for).\n"
	      "\n"
	      "persist list shows each recorded function and whether it is\n"
	      "present, moved (found by serial number) or replaced; persist\n"
	      "remove ADDR|PATH drops entries; persist apply checks a hand-\n"
	      "edited claims.conf and rewrites the module option; persist wait\n"
	      "[--timeout SEC] (at boot, pcipass-persist.service) loads the\n"
	      "module and waits until every function present is on its driver;\n"
	      "persist boot-option prints the option the initramfs gets (the\n"
	      "initramfs-tools hook asks for it).\n"
	      "The initramfs carries the claims: after a change, run\n"
	      "update-initramfs -u -k all, or host drivers bind them first.\n"
	      "\n"
	      "monitor [--count N] prints one line (or JSON object) per event:\n"
	      "devices added and removed, drivers bound and unbound, overrides\n"
	      "pcipass changed, claims and releases; it ends after N events, or\n"
	      "on Ctrl-C (status 0).  Needs no privileges.\n"
	      "\n"
	      "Exit status: 0 success, 1 runtime error (module not loaded,\n"
	      "kernel error, no such device; for host: a check failed; for\n"
	      "claim: a step failed and everything was put back), 2 usage\n"
	      "error; for check: 0 ready, 3 needs companions, 4 not\n"
	      "isolatable, 5 no IOMMU; for claim and release: 6 refused by a\n"
	      "safety check (nothing changed), 7 a failure could not be undone\n"
	      "(the host needs attention: see the 'fix:' lines), 8 still\n"
	      "running when the wait ended.\n", f);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pcipass: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
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

/* Returns the next command-specific option, -1 at the end, 'h' for help
 * and '?' after reporting a bad option.
 */
int cli_getopt(int argc, char **argv, const char *shortopts,
	       const struct option *longopts)
{
	int c;

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

int cmd_help(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_LONGOPTS, { 0 } };
	int c = cli_getopt(argc, argv, CLI_SHORTOPTS(""), longopts);

	if (c == '?')
		return EXIT_USAGE;
	cli_usage(stdout);
	return EXIT_OK;
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Global options stop at the command name ('+'); the command then parses
 * the rest with its own table, which includes the global ones again.
 */
static int parse_global(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c = cli_getopt(argc, argv, "+" CLI_SHORTOPTS("V"), longopts);

	switch (c) {
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
	const struct command *cmd;
	int rc = parse_global(argc, argv);

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
	rc = cmd->handler(argc, argv);
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
