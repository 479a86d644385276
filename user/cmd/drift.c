// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass drift [FILE]`: which of Proxmox's PCI resource mappings no
 * longer describe this node's hardware (a card moved to another slot,
 * another card in its slot, a new IOMMU group after a BIOS update), and
 * the map line that would describe it now.  Proxmox notices only when a
 * VM using the mapping fails to start; this says so beforehand.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pve/mapping.h"

static const struct cli_opt drift_opts[] = {
	{ "node", 'n', "NAME",
	  "judge the maps of node NAME (default: this host's name)" },
	{ 0 },
};

/* A function's facts, the map's words for them. */
static void print_fn(const char *key, const struct pve_fn *f)
{
	char id[16];

	if (!f) {
		print_null(PRINT_JSON, key, NULL, NULL);
		return;
	}
	open_json_object(key);
	print_string(PRINT_JSON, "address", NULL, f->addr);
	snprintf(id, sizeof(id), "%04x:%04x", f->vendor, f->device);
	print_string(PRINT_JSON, "id", NULL, id);
	snprintf(id, sizeof(id), "%04x:%04x", f->sub_vendor, f->sub_device);
	print_opt_string(PRINT_JSON, "subsystem_id", NULL,
			 f->has_sub ? id : NULL, NULL);
	if (f->has_group)
		print_uint(PRINT_JSON, "iommugroup", NULL, f->group);
	else
		print_null(PRINT_JSON, "iommugroup", NULL, NULL);
	close_json_object();
}

/* What one path says, in a phrase after "PATH: ". */
static void print_finding(const struct pve_map *m,
			  const struct pve_path_drift *p)
{
	char id[16];

	switch (p->status) {
	case PVE_DRIFT_GROUP:
		print_uint(PRINT_FP, NULL, " now in IOMMU group %u", p->at->group);
		print_uint(PRINT_FP, NULL, ", the map says %u", m->group);
		break;
	case PVE_DRIFT_MOVED:
		print_string(PRINT_FP, NULL, " moved to %s", p->now[0]->addr);
		if (p->at) {
			snprintf(id, sizeof(id), "%04x:%04x", p->at->vendor,
				 p->at->device);
			print_string(PRINT_FP, NULL, " (its place holds %s)", id);
		}
		break;
	case PVE_DRIFT_AMBIGUOUS:
		print_text(" its IDs are at");
		for (size_t i = 0; i < p->nnow; i++)
			print_string(PRINT_FP, NULL, " %s", p->now[i]->addr);
		print_text(": which is it?");
		break;
	case PVE_DRIFT_SWAPPED:
		snprintf(id, sizeof(id), "%04x:%04x", p->at->vendor,
			 p->at->device);
		print_string(PRINT_FP, NULL, " swapped: now %s", id);
		snprintf(id, sizeof(id), "%04x:%04x", p->at->sub_vendor,
			 p->at->sub_device);
		if (p->at->has_sub)
			print_string(PRINT_FP, NULL, " subsystem %s", id);
		break;
	case PVE_DRIFT_ABSENT:
		print_text(" absent: no function there, its IDs nowhere");
		break;
	default:
		print_text(" ok");
		break;
	}
	print_text("\n");
}

static void print_path(const struct pve_map *m, size_t i,
		       const struct pve_path_drift *p)
{
	char buf[ADDR_STRLEN];

	open_json_object(NULL);
	print_string(PRINT_ANY, "path", "    %s:", pve_path_fmt(&m->path[i], buf));
	print_string(PRINT_JSON, "status", NULL, pve_drift_key(p->status));
	print_fn("at", p->at);
	open_json_array("found_at");
	for (size_t k = 0; k < p->nnow; k++)
		print_string(PRINT_JSON, NULL, NULL, p->now[k]->addr);
	close_json_array();
	print_finding(m, p);
	close_json_object();
}

static void print_map(const struct pve_map_drift *d)
{
	const struct pve_map *m = d->m;

	open_json_object(NULL);
	print_string(PRINT_ANY, "mapping", "%s", m->mapping);
	print_uint(PRINT_ANY, "line", " (line %u)", (unsigned int)m->line);
	print_string(PRINT_JSON, "node", NULL, m->node);
	print_string(PRINT_JSON, "map", NULL, m->raw);
	print_string(PRINT_ANY, "status", ": %s", pve_drift_key(d->status));
	if (d->status == PVE_DRIFT_SKIPPED)
		print_string(PRINT_FP, NULL, " (node %s)", m->node);
	print_text("\n");
	open_json_array("paths");
	for (size_t i = 0; d->status != PVE_DRIFT_SKIPPED && i < m->npaths; i++)
		if (d->path[i].status != PVE_DRIFT_OK || is_json_context())
			print_path(m, i, &d->path[i]);
	close_json_array();
	if (d->status == PVE_DRIFT_OK || d->status == PVE_DRIFT_SKIPPED)
		;	/* nothing to fix */
	else if (d->fix)
		print_string(PRINT_ANY, "fix", "    now: map %s\n", d->fix);
	else
		print_null(PRINT_ANY, "fix", "    now: %s\n",
			   "no single answer: edit the map by hand");
	close_json_object();
}

static void print_report(const char *file, const char *node,
			 const struct pve_mapcfg *c,
			 const struct pve_map_drift *d, size_t stale)
{
	size_t skipped = 0;

	for (size_t i = 0; i < c->n; i++)
		skipped += d[i].status == PVE_DRIFT_SKIPPED;
	open_json_object(NULL);
	print_string(PRINT_ANY, "file", "%s", file);
	print_string(PRINT_ANY, "node", ": node %s", node);
	print_uint(PRINT_ANY, "maps", ", %u maps", (unsigned int)c->n);
	print_uint(PRINT_ANY, "ok", ": %u match", (unsigned int)(c->n - stale - skipped));
	print_uint(PRINT_ANY, "stale", ", %u stale", (unsigned int)stale);
	print_uint(PRINT_ANY, "skipped", ", %u of other nodes\n",
		   (unsigned int)skipped);
	open_json_array("entries");
	for (size_t i = 0; i < c->n; i++)
		print_map(&d[i]);
	close_json_array();
	close_json_object();
}

static int drift_run(const char *file, const char *node)
{
	struct pve_map_drift *d;
	struct pve_mapcfg c;
	struct pve_hw hw;
	size_t stale;
	int bad;

	bad = pve_mapcfg_load(file, &c, stderr);
	if (bad < 0) {
		pp_err("drift: %s: %s", file, strerror(-bad));
		return EXIT_DRIFT_BADFILE;
	}
	pve_hw_scan(&hw);
	d = xrealloc(NULL, (c.n ? c.n : 1) * sizeof(*d));
	stale = pve_drift_judge(&c, &hw, node, d);
	print_report(file, node, &c, d, stale);
	pve_drift_free(d, c.n);
	free(d);
	pve_hw_free(&hw);
	pve_mapcfg_free(&c);
	/* a bad line hides a map: the file needs fixing before any verdict */
	return bad ? EXIT_DRIFT_BADFILE : stale ? EXIT_DRIFT : EXIT_OK;
}

static int cmd_drift(int argc, char **argv)
{
	char node[PVE_NODE_MAX], dflt[4096];
	const char *file;
	int c;

	pve_nodename(node);
	while ((c = cli_getopt(argc, argv, &cli_cmd_drift)) != -1) {
		switch (c) {
		case 'n':
			if (!pve_node_valid(optarg))
				return cli_usage_error("drift: '%s' is not a node name",
						       optarg);
			snprintf(node, sizeof(node), "%s", optarg);
			break;
		case 'h':
			return cli_help(&cli_cmd_drift);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 < argc)
		return cli_usage_error("drift: unexpected argument '%s'",
				       argv[optind + 1]);
	file = optind < argc ? argv[optind] :
	       sysroot_path(PVE_MAPPING_CFG, dflt, sizeof(dflt));
	if (!node[0]) {
		pp_err("drift: this host has no name: use --node");
		return EXIT_RUNTIME;
	}
	return drift_run(file, node);
}

const struct cli_cmd cli_cmd_drift = {
	.name = "drift",
	.run = cmd_drift,
	.synopsis = "[--node NAME] [FILE]",
	.summary = "Proxmox PCI mappings that no longer match this node",
	.opts = drift_opts,
	.help =
	"Reads Proxmox VE's PCI resource mappings (FILE, default\n"
	"/etc/pve/mapping/pci.cfg) and judges every map of this node (its\n"
	"node= is this host's name, uname's up to the first dot, as Proxmox\n"
	"names nodes) against the hardware, by Proxmox's rules: the id and\n"
	"subsystem-id at each path (a path without a function: function 0 of\n"
	"the slot) and the iommugroup of the first path.  Any user may run\n"
	"it; it reads sysfs, not the module.  Each map is one of:\n"
	"\n"
	"ok             it matches\n"
	"group_changed  the same function, in another IOMMU group\n"
	"moved          its IDs (with the subsystem IDs, same function number)\n"
	"               at one other address no matching map names\n"
	"ambiguous      its IDs at several such addresses (a map holds no\n"
	"               serial number to tell them apart)\n"
	"swapped        other IDs at its path, its own nowhere\n"
	"absent         no function at its path, its IDs nowhere\n"
	"skipped        a map of another node\n"
	"\n"
	"For each map that does not match, the map line that matches now\n"
	"(paths followed, IDs and group of what the first path holds), unless\n"
	"a path has no single answer.  Bad lines are reported as FILE:LINE:\n"
	"on stderr; the other maps are still judged.\n"
	"\n"
	"Exit status: 0 every map of this node matches, 3 a map does not\n"
	"match, 4 FILE unreadable or with bad lines (wins over 3), 1 could\n"
	"not run, 2 usage error.\n",
};
