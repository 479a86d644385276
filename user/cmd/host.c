// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass host: is this machine ready for PCI passthrough?  A checklist in
 * the order of a passthrough guide; each item passes, warns, fails or is
 * only information, with the fix in plain words.  Needs neither root nor
 * the pcipass module.
 */
#include <string.h>

#include "cli.h"
#include "host/host.h"
#include "lib/print.h"
#include "lib/util.h"

#define NAME_WIDTH 19	/* longest name, "Interrupt remapping" */

static const char howto[] =
	"GRUB: add them to GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, "
	"then update-grub; systemd-boot (Proxmox on ZFS/UEFI): add them to "
	"the single line in /etc/kernel/cmdline, then proxmox-boot-tool "
	"refresh; reboot afterwards";

static void upper(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
	buf[i] = '\0';
}

/* JSON null when absent, and then no text line at all. */
static void print_optional(const char *key, const char *fmt, const char *value)
{
	if (value)
		print_string(PRINT_ANY, key, fmt, value);
	else
		print_null(PRINT_JSON, key, NULL, NULL);
}

static void print_item(const struct host_check *c, const struct host_facts *f,
		       const struct host_verdict *v)
{
	const char *st = host_status_name(v->status);
	char word[8];

	upper(st, word, sizeof(word));
	open_json_object(NULL);
	print_string(PRINT_JSON, "id", NULL, c->id);
	print_string(PRINT_JSON, "status", NULL, st);
	print_string(PRINT_FP, NULL, "[%s] ", word);
	print_string(PRINT_JSON, "name", NULL, c->name);
	print_text("%-*s  ", NAME_WIDTH, c->name);
	print_string(PRINT_ANY, "summary", "%s\n", v->summary);
	print_optional("detail", "       note: %s\n", v->detail);
	print_optional("fix", "       fix:  %s\n", v->fix);
	print_bool(PRINT_JSON, "fix_cmdline", NULL, v->fix && v->fix_cmdline);
	open_json_object("facts");
	c->facts(f);
	close_json_object();
	close_json_object();
}

static void print_counts(const unsigned int *n)
{
	open_json_object("counts");
	print_uint(PRINT_ANY, "pass", "\n%u pass", n[HOST_PASS]);
	print_uint(PRINT_ANY, "warn", ", %u warn", n[HOST_WARN]);
	print_uint(PRINT_ANY, "fail", ", %u fail", n[HOST_FAIL]);
	print_uint(PRINT_ANY, "info", ", %u info\n", n[HOST_INFO]);
	close_json_object();
}

/* Returns the number of failed checks. */
static unsigned int run_checks(const struct host_facts *f)
{
	unsigned int n[HOST_NSTATUS] = { 0 };
	bool cmdline_fix = false;

	open_json_object(NULL);
	print_opt_string(PRINT_ANY, "kernel_release",
			 "Host readiness for PCI passthrough, kernel %s\n\n",
			 f->release, "unknown");
	open_json_array("checks");
	for (size_t i = 0; i < host_nchecks; i++) {
		struct host_verdict v = { 0 };

		host_checks[i]->judge(f, &v);
		print_item(host_checks[i], f, &v);
		n[v.status]++;
		cmdline_fix |= v.fix && v.fix_cmdline;
		host_verdict_free(&v);
	}
	close_json_array();
	print_counts(n);
	print_optional("kernel_parameter_howto", "kernel parameters: %s\n",
		       cmdline_fix ? howto : NULL);
	close_json_object();
	return n[HOST_FAIL];
}

static int cmd_host(int argc, char **argv)
{
	struct host_facts f = { 0 };
	unsigned int failed;
	int c;

	c = cli_getopt(argc, argv, &cli_cmd_host);
	if (c == 'h')
		return cli_help(&cli_cmd_host);
	if (c != -1)
		return EXIT_USAGE;
	if (optind < argc)
		return cli_usage_error("host: unexpected argument '%s'",
				       argv[optind]);

	host_gather(&f);
	failed = run_checks(&f);
	host_facts_free(&f);
	return failed ? EXIT_NOT_READY : EXIT_OK;
}

const struct cli_cmd cli_cmd_host = {
	.name = "host",
	.run = cmd_host,
	.synopsis = "",
	.summary = "host readiness for PCI passthrough (a checklist)",
	.help =
	"Walks a passthrough checklist: CPU virtualization, IOMMU in\n"
	"firmware and kernel, default DMA domain, interrupt remapping,\n"
	"kernel parameters, VFIO modules, ACS override, Secure Boot and\n"
	"the pcipass module, persisted claims and persisted VF counts\n"
	"(sriov.conf: bad lines by number, each PF entry against the PFs\n"
	"present).  Each item is PASS, WARN, FAIL or INFO, with the fix\n"
	"when it is not PASS.  Needs neither root nor the module.\n"
	"\n"
	"Exit status: 0 ready (no check failed; warnings allowed), 9 not\n"
	"ready (a check failed), 1 could not run (e.g. no output written),\n"
	"2 usage error.\n",
};
