// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "export/export.h"
#include "lib/print.h"
#include "lib/util.h"

static const struct cli_opt export_opts[] = {
	{ "output", 'o', "FILE",
	  "write FILE atomically (a temporary file, renamed) instead of stdout" },
	{ 0 },
};

int export_parse(int argc, char **argv, struct export_opts *o)
{
	const char *fmt;
	int c;

	while ((c = cli_getopt(argc, argv, &cli_cmd_export)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			return cli_help(&cli_cmd_export);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("export: missing FORMAT: prometheus or nfd");
	fmt = argv[optind];
	if (!strcmp(fmt, "prometheus"))
		o->format = EXPORT_PROMETHEUS;
	else if (!strcmp(fmt, "nfd"))
		o->format = EXPORT_NFD;
	else
		return cli_usage_error("export: unknown FORMAT '%s': expected prometheus or nfd",
				       fmt);
	if (optind + 1 < argc)
		return cli_usage_error("export: unexpected argument '%s'",
				       argv[optind + 1]);
	if (o->output && !*o->output)
		return cli_usage_error("export: --output needs a file name");
	/* The formats are Prometheus's and NFD's; --json has none to give. */
	if (is_json_context())
		return cli_usage_error("export: no JSON form: the output is in %s's format",
				       fmt);
	return -1;
}

int export_run(struct pp_devlist *l, const struct export_opts *o)
{
	struct export_facts f;
	struct outfile out;
	int err;

	err = outfile_open(&out, o->output);
	if (err) {
		pp_err("export: cannot create a temporary file next to %s: %s",
		       o->output, strerror(-err));
		return EXIT_RUNTIME;
	}
	export_gather(l, &f);
	if (o->format == EXPORT_PROMETHEUS)
		export_prometheus(out.f, &f);
	else
		export_nfd(out.f, &f);
	export_facts_free(&f);
	err = outfile_close(&out, true);
	if (err && o->output) {
		pp_err("export: writing %s: %s", o->output, strerror(-err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static int cmd_export(int argc, char **argv)
{
	struct pp_devlist list = { 0 };
	struct export_opts o = { 0 };
	int rc;

	rc = export_parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (device_dump_or_report(&list))
		return EXIT_RUNTIME;
	rc = export_run(&list, &o);
	devlist_free(&list);
	return rc;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.run = cmd_export,
	.synopsis = "prometheus|nfd [--output FILE]",
	.summary = "this node's passthrough facts for Prometheus or NFD",
	.opts = export_opts,
	.help =
	"This node's passthrough facts for fleet tools, in their formats.\n"
	"Any user may run it; the module is loaded on first use.\n"
	"\n"
	"prometheus  node_exporter's textfile collector format: per IOMMU\n"
	"            group its state (a 0/1 sample per state) and, on\n"
	"            vfio-pci, the driver and the VM a hook claimed it for;\n"
	"            per function its IDs, driver, isolation verdict (as\n"
	"            'pcipass check ADDR') and SR-IOV VFs; the checks of\n"
	"            'pcipass host'; claims.conf entries that do not match\n"
	"            the hardware.  pcipass-export-prometheus.timer writes\n"
	"            /var/lib/prometheus/node-exporter/pcipass.prom.\n"
	"nfd         a node-feature-discovery feature file (features.d):\n"
	"            labels feature.node.kubernetes.io/pcipass-*: IOMMU on,\n"
	"            host ready, per class (gpu net usb storage nvme) the\n"
	"            isolatable functions and those on vfio-pci, SR-IOV.\n"
	"\n"
	"--output writes a hidden temporary file in FILE's directory and\n"
	"renames it over FILE: readers never see a half-written file.\n"
	"There is no JSON form (a usage error).\n"
	"\n"
	"Exit status: 0 success, 1 could not run (module, kernel error,\n"
	"FILE not writable), 2 usage error.\n",
};
