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
	{ "node", 'n', "NAME",
	  "proxmox-mapping: the node's name (default: this host's)" },
	{ "config", 'c', NULL,
	  "proxmox-mapping: pci.cfg's section instead of the pvesh command" },
	{ 0 },
};

static int parse_format(const char *fmt, struct export_opts *o)
{
	if (!strcmp(fmt, "prometheus"))
		o->format = EXPORT_PROMETHEUS;
	else if (!strcmp(fmt, "nfd"))
		o->format = EXPORT_NFD;
	else if (!strcmp(fmt, "proxmox-mapping"))
		o->format = EXPORT_PROXMOX_MAPPING;
	else
		return cli_usage_error("export: unknown FORMAT '%s': expected prometheus, nfd or proxmox-mapping",
				       fmt);
	return -1;
}

/* proxmox-mapping NAME ADDR|SLOT...: the words after the format. */
static int parse_mapping_args(int argc, char **argv, struct export_opts *o)
{
	if (argc < 2)
		return cli_usage_error("export proxmox-mapping: needs NAME and ADDR|SLOT...");
	if (!pve_configid_valid(argv[0]))
		return cli_usage_error("export: mapping name '%s': a letter, then letters, digits, '-' or '_'",
				       argv[0]);
	o->map_name = argv[0];
	o->addrs = argv + 1;
	o->naddrs = (size_t)argc - 1;
	if (!o->node[0])
		pve_nodename(o->node);
	if (!pve_node_valid(o->node))
		return cli_usage_error("export: node name '%s' is not one Proxmox takes: use --node",
				       o->node);
	/* JSON goes to stdout only: --output is for the text a tool reads */
	if (is_json_context() && o->output)
		return cli_usage_error("export: --output writes the text form, not JSON");
	return -1;
}

int export_parse(int argc, char **argv, struct export_opts *o)
{
	bool node = false;
	int c, rc;

	while ((c = cli_getopt(argc, argv, &cli_cmd_export)) != -1) {
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			snprintf(o->node, sizeof(o->node), "%s", optarg);
			node = true;
			if (strlen(optarg) >= sizeof(o->node))
				o->node[0] = '-';	/* invalid: reported below */
			break;
		case 'c':
			o->config = true;
			break;
		case 'h':
			return cli_help(&cli_cmd_export);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("export: missing FORMAT: prometheus, nfd or proxmox-mapping");
	rc = parse_format(argv[optind], o);
	if (rc >= 0)
		return rc;
	if (o->output && !*o->output)
		return cli_usage_error("export: --output needs a file name");
	if (o->format == EXPORT_PROXMOX_MAPPING)
		return parse_mapping_args(argc - optind - 1, argv + optind + 1, o);
	if (node || o->config)
		return cli_usage_error("export: --node and --config are for proxmox-mapping");
	if (optind + 1 < argc)
		return cli_usage_error("export: unexpected argument '%s'",
				       argv[optind + 1]);
	/* The formats are Prometheus's and NFD's; --json has none to give. */
	if (is_json_context())
		return cli_usage_error("export: no JSON form: the output is in %s's format",
				       argv[optind]);
	return -1;
}

int export_run(struct pp_devlist *l, const struct export_opts *o)
{
	struct export_facts f;
	struct outfile out;
	int err;

	if (o->format == EXPORT_PROXMOX_MAPPING)
		return export_pvemap(o);
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
	if (o.format == EXPORT_PROXMOX_MAPPING)	/* sysfs: no module needed */
		return export_pvemap(&o);
	if (device_dump_or_report(&list))
		return EXIT_RUNTIME;
	rc = export_run(&list, &o);
	devlist_free(&list);
	return rc;
}

const struct cli_cmd cli_cmd_export = {
	.name = "export",
	.run = cmd_export,
	.synopsis = "prometheus|nfd [--output FILE]\n"
		    "proxmox-mapping [--node NAME] [--config] [--output FILE] NAME ADDR|SLOT...",
	.summary = "this node's passthrough facts for Prometheus, NFD or Proxmox",
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
	"proxmox-mapping\n"
	"            a Proxmox VE PCI resource mapping NAME of the functions\n"
	"            named, with the id, subsystem-id and iommugroup Proxmox\n"
	"            checks before a VM starts, read from sysfs (no module\n"
	"            needed): the 'pvesh create /cluster/mapping/pci' command\n"
	"            or, with --config, the section of /etc/pve/mapping/pci.cfg\n"
	"            (add its map lines to an existing mapping's section).  A\n"
	"            SLOT (0000:01:00) is one map of every function, with\n"
	"            function 0's IDs (Proxmox's all-functions form); several\n"
	"            arguments are several maps, which Proxmox treats as a pool\n"
	"            of interchangeable devices.  node= is --node, else this\n"
	"            host's name up to the first dot, as Proxmox names nodes.\n"
	"            --json prints the maps, the command and the section.\n"
	"            'pcipass drift' checks the mappings later.\n"
	"\n"
	"--output writes a hidden temporary file in FILE's directory and\n"
	"renames it over FILE: readers never see a half-written file.\n"
	"prometheus and nfd have no JSON form (a usage error).\n"
	"\n"
	"Exit status: 0 success, 1 could not run (module, kernel error,\n"
	"FILE not writable, no such function, no IOMMU group), 2 usage\n"
	"error.\n",
};
