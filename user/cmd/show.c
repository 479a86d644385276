// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/device.h"
#include "nl/group.h"
#include "nl/nl.h"
#include "pci/acs.h"
#include "pci/devprint.h"
#include "pci/names.h"
#include "pci/pcie.h"
#include "pci/state.h"
#include "pci/vfio_holders.h"

/* Everything is fetched before anything is printed, so a failure half way
 * leaves no half-written JSON document or listing behind.
 */
struct show_item {
	struct pp_device dev;
	struct pp_devlist peers;	/* the rest of dev's IOMMU group */
	enum group_state state;
};

struct show_set {
	struct show_item *v;
	size_t n;
};

static void show_set_free(struct show_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		device_free(&s->v[i].dev);
		devlist_free(&s->v[i].peers);
	}
	free(s->v);
}

static struct show_item *show_set_add(struct show_set *s)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	memset(&s->v[s->n], 0, sizeof(s->v[s->n]));
	return &s->v[s->n++];
}

/* The state needs the device itself next to its peers; shallow copies
 * suffice since group_state() only reads.
 */
static enum group_state item_group_state(const struct show_item *it)
{
	size_t n = it->peers.n + 1;
	struct pp_device *all = xrealloc(NULL, n * sizeof(*all));
	enum group_state st;

	all[0] = it->dev;
	memcpy(&all[1], it->peers.v, it->peers.n * sizeof(*all));
	st = group_state(all, n);
	free(all);
	return st;
}

static int fetch_peers(struct pnl *nl, struct show_item *it)
{
	struct pp_group g;
	int rc;

	rc = group_get(nl, it->dev.iommu_group, &g);
	if (rc)
		return rc;
	for (size_t i = 0; i < g.n && !rc; i++) {
		struct pp_device *p;

		if (addr_eq(&g.members[i], &it->dev.addr))
			continue;
		p = devlist_push(&it->peers);
		rc = device_get(nl, &g.members[i], p);
		if (rc == -ENODEV) {
			/* Hot-removed since the group was read. */
			it->peers.n--;
			rc = 0;
		}
	}
	group_free(&g);
	it->state = item_group_state(it);
	return rc;
}

static int fetch_slot(struct pnl *nl, const struct pp_addr *slot,
		      struct show_set *set)
{
	struct pp_devlist all = { 0 };
	int rc = devlist_get_slot(nl, &all, slot);

	if (rc) {
		devlist_free(&all);
		return rc;
	}
	for (size_t i = 0; i < all.n; i++) {
		/* Move ownership of the strings into the set. */
		show_set_add(set)->dev = all.v[i];
		memset(&all.v[i], 0, sizeof(all.v[i]));
	}
	devlist_free(&all);
	return 0;
}

static int cmp_item_addr(const void *pa, const void *pb)
{
	const struct show_item *a = pa, *b = pb;

	return addr_cmp(&a->dev.addr, &b->dev.addr);
}

static int fetch(struct pnl *nl, const struct pp_addr *a,
		 enum addr_scope scope, struct show_set *set)
{
	int rc;

	if (scope == ADDR_FUNCTION)
		rc = device_get(nl, a, &show_set_add(set)->dev);
	else
		rc = fetch_slot(nl, a, set);
	if (rc)
		return rc;
	qsort(set->v, set->n, sizeof(*set->v), cmp_item_addr);
	for (size_t i = 0; i < set->n && !rc; i++)
		if (set->v[i].dev.has_iommu_group)
			rc = fetch_peers(nl, &set->v[i]);
	return rc;
}

static void label(const char *l)
{
	print_text("  %-17s ", l);
}

static void print_ids(const struct pp_device *d, const struct pp_names *n)
{
	label("vendor:device");
	print_uint(PRINT_ANY, "vendor", "%04x", d->vendor);
	print_uint(PRINT_ANY, "device", ":%04x\n", d->device);

	label("subsystem");
	print_uint(PRINT_ANY, "subsystem_vendor", "%04x", d->subsystem_vendor);
	print_uint(PRINT_ANY, "subsystem_device", ":%04x", d->subsystem_device);
	if (n->subsystem_vendor)
		print_text("  %s", n->subsystem_vendor);
	if (n->subsystem_device)
		print_text(" %s", n->subsystem_device);
	print_text("\n");

	label("class");
	print_uint(PRINT_ANY, "class", "%06x", d->class);
	print_text("  %s", n->class ? n->class : "unknown class");
	if (n->prog_if)
		print_text(" (%s)", n->prog_if);
	print_text("\n");

	label("revision");
	print_uint(PRINT_ANY, "revision", "%02x\n", d->revision);
	label("header type");
	print_uint(PRINT_ANY, "header_type", "%u", d->header_type);
	print_text(" (%s)\n", header_type_words(d->header_type) ?
		   header_type_words(d->header_type) : "unknown");
	print_json_names(n, true);
}

static void print_pcie_type(const struct pp_device *d)
{
	const char *words;

	label("PCIe type");
	if (!d->has_pcie_type) {
		print_null(PRINT_ANY, "pcie_type", "%s\n", d->restricted ?
			   "unknown (needs root: CAP_SYS_ADMIN)" :
			   "none (conventional PCI)");
		print_null(PRINT_JSON, "pcie_type_name", NULL, NULL);
		return;
	}
	print_uint(PRINT_JSON, "pcie_type", NULL, d->pcie_type);
	print_opt_string(PRINT_JSON, "pcie_type_name", NULL,
			 pcie_type_key(d->pcie_type), NULL);
	words = pcie_type_words(d->pcie_type);
	if (words)
		print_text("%s\n", words);
	else
		print_text("unknown type %u\n", d->pcie_type);
}

static void print_function_kind(const struct pp_device *d)
{
	char addr[ADDR_STRLEN];

	label("multifunction");
	print_bool(PRINT_ANY, "multifunction", "%s\n", d->multifunction);
	label("SR-IOV VF");
	print_bool(PRINT_ANY, "virtfn", "%s", d->virtfn);
	if (d->has_physfn)
		print_string(PRINT_ANY, "physfn", " (PF %s)",
			     addr_fmt(&d->physfn, addr));
	else
		print_null(PRINT_JSON, "physfn", NULL, NULL);
	print_text("\n");
}

static void print_drivers(const struct pp_device *d)
{
	label("driver");
	print_opt_string(PRINT_ANY, "driver", "%s\n", d->driver, d->driver_busy ?
			 "unknown (a driver probe or removal is in progress)" :
			 "none");
	label("driver_override");
	print_opt_string(PRINT_ANY, "driver_override", "%s\n",
			 d->driver_override, "none");
}

/* Only a group on vfio-pci can have a VFIO user (a VM). */
static void print_vfio_user(const struct show_item *it)
{
	bool known = true;
	char *who = NULL;

	if (it->state == GROUP_VFIO)
		who = vfio_holders_of_group(it->dev.iommu_group, &known);
	if (who || !known)
		label("in use by");
	if (who) {
		print_string(PRINT_ANY, "vfio_user",
			     "%s through VFIO: stop the VM before claim or release\n",
			     who);
	} else {
		print_null(PRINT_JSON, "vfio_user", NULL, NULL);
		if (!known)
			print_text("unknown (run as root to see VFIO users)\n");
	}
	free(who);
}

/* The VM a hook claimed the group for (hook/vmhold.h), when the group is
 * still on the record's driver.
 */
static void print_claimed_for(const struct show_item *it)
{
	const struct vmhold *rec = NULL;
	struct vmhold *v = NULL;
	char a[ADDR_STRLEN];
	size_t n = 0;

	if (it->state == GROUP_VFIO)
		n = vmhold_load(&v);
	if (n)
		rec = vmhold_find(v, n, addr_fmt(&it->dev.addr, a));
	vmhold_print_claimed_for(rec);
	free(v);
}

static void print_group_info(const struct show_item *it)
{
	const struct pp_device *d = &it->dev;

	label("IOMMU group");
	if (!d->has_iommu_group) {
		print_null(PRINT_ANY, "iommu_group", "%s\n",
			   "none (no IOMMU: enable VT-d/AMD-Vi in firmware; on Intel boot with intel_iommu=on)");
		print_null(PRINT_JSON, "iommu_group_state", NULL, NULL);
		print_null(PRINT_JSON, "claimed_for", NULL, NULL);
		print_null(PRINT_JSON, "iommu_group_peers", NULL, NULL);
		/* no group, no VFIO user; the key stays, as every key does */
		print_null(PRINT_JSON, "vfio_user", NULL, NULL);
		return;
	}
	print_uint(PRINT_ANY, "iommu_group", "%u", d->iommu_group);
	print_string(PRINT_ANY, "iommu_group_state", " (%s",
		     group_state_name(it->state));
	print_claimed_for(it);
	print_text(")");
	print_text(it->peers.n ? ", other members:\n" : ", no other members\n");
	open_json_array("iommu_group_peers");
	for (size_t i = 0; i < it->peers.n; i++)
		print_device_row(&it->peers.v[i], true, ROW_NO_MARK);
	close_json_array();
	print_vfio_user(it);
}

static void print_upstream(const struct pp_device *d)
{
	char addr[ADDR_STRLEN];

	label("upstream bridge");
	print_opt_string(PRINT_ANY, "upstream", "%s\n",
			 d->has_upstream ? addr_fmt(&d->upstream, addr) : NULL,
			 "none (root bus)");
}

static void print_acs(const struct pp_device *d)
{
	label("ACS");
	acs_print(PRINT_ANY, d->has_acs ? &d->acs : NULL, d->restricted ?
		  "unknown (needs root: CAP_SYS_ADMIN)" : "no ACS capability");
}

static void print_item(const struct show_item *it)
{
	const struct pp_device *d = &it->dev;
	char addr[ADDR_STRLEN];
	struct pp_names n;

	names_lookup(d, &n);
	open_json_object(NULL);
	print_string(PRINT_ANY, "address", "%s ", addr_fmt(&d->addr, addr));
	print_text_description(d, &n);
	print_text("\n");
	print_ids(d, &n);
	print_pcie_type(d);
	print_function_kind(d);
	print_drivers(d);
	print_group_info(it);
	print_upstream(d);
	print_acs(d);
	print_bool(PRINT_JSON, "restricted", NULL, d->restricted);
	print_bool(PRINT_JSON, "driver_busy", NULL, d->driver_busy);
	close_json_object();
}

static void print_set(const struct show_set *set)
{
	bool restricted = false;

	open_json_object(NULL);
	open_json_array("devices");
	for (size_t i = 0; i < set->n; i++) {
		if (i)
			print_text("\n");
		print_item(&set->v[i]);
		restricted |= set->v[i].dev.restricted;
	}
	close_json_array();
	close_json_object();
	if (restricted)
		print_text("\nnote: the kernel withholds the PCIe port type and ACS registers\n"
			   "      from unprivileged users, as sysfs does for extended config space\n");
}

static int show(const struct pp_addr *a, enum addr_scope scope,
		const char *arg)
{
	struct show_set set = { 0 };
	struct pnl nl;
	int rc;

	if (pnl_open_or_report(&nl))
		return EXIT_RUNTIME;
	rc = fetch(&nl, a, scope, &set);
	if (rc) {
		pnl_perror(&nl);
	} else if (!set.n) {
		pp_err("no PCI function in slot %s", arg);
		rc = -ENODEV;
	} else {
		print_set(&set);
	}
	show_set_free(&set);
	pnl_close(&nl);
	return rc ? EXIT_RUNTIME : EXIT_OK;
}

static int cmd_show(int argc, char **argv)
{
	enum addr_scope scope;
	struct pp_addr a;
	int c;

	c = cli_getopt(argc, argv, &cli_cmd_show);
	if (c == 'h')
		return cli_help(&cli_cmd_show);
	if (c != -1)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage_error("show: missing ADDR, e.g. 'pcipass show 01:00.0'");
	if (optind + 1 < argc)
		return cli_usage_error("show: unexpected argument '%s'",
				       argv[optind + 1]);
	if (addr_parse(argv[optind], &a, &scope))
		return cli_usage_error("invalid PCI address '%s': expected [DDDD:]BB:DD[.F]",
				       argv[optind]);
	return show(&a, scope, argv[optind]);
}

const struct cli_cmd cli_cmd_show = {
	.name = "show",
	.run = cmd_show,
	.synopsis = "ADDR",
	.summary = "details of one function or a whole slot",
	.help =
	"ADDR is [DDDD:]BB:DD[.F] in hex, as lspci prints it; a slot\n"
	"(01:00) shows each of its functions.  For each: IDs, class, PCIe\n"
	"type, driver and driver_override, who uses it through VFIO, its\n"
	"IOMMU group with the group's state and other members, the upstream\n"
	"bridge and the ACS capability.  Any user may run it; the PCIe type\n"
	"and the ACS registers (extended config space) only root sees.\n"
	"\n"
	"Exit status: 0 success, 1 could not run (module, kernel error, no\n"
	"such device), 2 usage error.\n",
};
