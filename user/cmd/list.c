// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "cli.h"
#include "cmd/list.h"
#include "hook/vmhold.h"
#include "lib/color.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/device.h"
#include "pci/devprint.h"
#include "pci/filter.h"
#include "pci/state.h"

static size_t run_length(const struct pp_device *v, size_t n)
{
	size_t i = 1;

	while (i < n && v[i].iommu_group == v[0].iommu_group)
		i++;
	return i;
}

static bool any_match(const struct pp_device *v, size_t n, class_mask_t mask)
{
	for (size_t i = 0; i < n; i++)
		if (class_filter_match(mask, v[i].class))
			return true;
	return false;
}

/* Which VM holds which group (the VM hooks' records), read once. */
static struct vmhold *holds;
static size_t nholds;

static const struct vmhold *held_for(const struct pp_device *v, size_t n)
{
	const struct vmhold *rec = NULL;
	char a[ADDR_STRLEN];

	for (size_t i = 0; i < n && !rec; i++)
		rec = vmhold_find(holds, nholds, addr_fmt(&v[i].addr, a));
	return rec;
}

/* Green ready, yellow the host's, red refused: what an operator looks
 * for; unbound and bridge-only groups stay plain.
 */
void list_print_state(const char *key, const char *fmt, int state)
{
	enum group_state st = state;
	bool coloured = st == GROUP_VFIO || st == GROUP_HOST ||
			st == GROUP_PARTIAL;

	if (coloured)
		print_text("%s", color_on(st == GROUP_VFIO ? COLOR_VFIO :
					  st == GROUP_HOST ? COLOR_HOST :
					  COLOR_BLOCKED));
	print_string(PRINT_ANY, key, fmt, group_state_name(st));
	if (coloured)
		print_text("%s", color_off());
}

static void print_group(const struct pp_device *v, size_t n, class_mask_t mask)
{
	enum group_state st = group_state(v, n);

	open_json_object(NULL);
	print_text("%sIOMMU group ", color_on(COLOR_GROUP));
	print_uint(PRINT_ANY, "id", "%u", v[0].iommu_group);
	print_text("%s: ", color_off());
	list_print_state("state", "%s", st);
	vmhold_print_claimed_for(st == GROUP_VFIO ? held_for(v, n) : NULL);
	if (st == GROUP_PARTIAL)
		print_text(" (vfio-pci and host drivers mixed: VFIO refuses this group)");
	print_text("\n");
	open_json_array("devices");
	for (size_t i = 0; i < n; i++)
		print_device_row(&v[i], class_filter_match(mask, v[i].class),
				 mask ? ROW_MARK_MATCH : ROW_NO_MARK);
	close_json_array();
	close_json_object();
}

/* Returns how many groups were printed. */
static size_t print_groups(const struct pp_device *v, size_t n,
			   class_mask_t mask)
{
	size_t shown = 0;

	open_json_array("groups");
	for (size_t i = 0; i < n && v[i].has_iommu_group;) {
		size_t len = run_length(&v[i], n - i);

		if (any_match(&v[i], len, mask)) {
			print_group(&v[i], len, mask);
			shown++;
		}
		i += len;
	}
	close_json_array();
	return shown;
}

/* Without a group there is no passthrough unit, so each function stands
 * alone and the filter applies per function.
 */
static size_t print_ungrouped(const struct pp_device *v, size_t n,
			      class_mask_t mask, bool after_groups)
{
	size_t shown = 0;

	open_json_array("ungrouped_devices");
	for (size_t i = 0; i < n; i++) {
		if (v[i].has_iommu_group ||
		    !class_filter_match(mask, v[i].class))
			continue;
		if (!shown)
			print_text("%sDevices without an IOMMU group:\n",
				   after_groups ? "\n" : "");
		print_device_row(&v[i], true, ROW_NO_MARK);
		shown++;
	}
	close_json_array();
	if (shown)
		print_text("note: passthrough needs an IOMMU: enable VT-d/AMD-Vi in firmware\n"
			   "      and, on Intel, boot with intel_iommu=on (AMD-Vi is on by default)\n");
	return shown;
}

static void print_groups_form(struct pp_devlist *l, class_mask_t mask,
			      const char *spec)
{
	size_t groups, ungrouped;

	devlist_sort_by_group(l);
	nholds = vmhold_load(&holds);
	open_json_object(NULL);
	groups = print_groups(l->v, l->n, mask);
	free(holds);
	holds = NULL;
	nholds = 0;
	ungrouped = print_ungrouped(l->v, l->n, mask, groups > 0);
	close_json_object();

	if (!groups && !ungrouped && mask)
		print_text("no device matches --class %s\n", spec);
	else if (!groups && !ungrouped)
		print_text("no PCI devices\n");
	else if (mask && groups)
		print_text("\n* = matches --class %s\n", spec);
}

void list_print(struct pp_devlist *l, const struct list_opts *o)
{
	color_setup(o->color);
	if (o->tree)
		list_print_tree(l, o);
	else
		print_groups_form(l, o->mask, o->spec);
}

static const struct cli_opt list_opts[] = {
	{ "class", 'c', "CLASS[,...]",
	  "only groups with a member of these classes (below)" },
	{ "tree", 't', NULL, "the PCI tree as lspci -tv draws it, with groups" },
	{ "color", 'C', "WHEN", "colour: auto (a terminal), always or never" },
	{ 0 },
};

int list_parse(int argc, char **argv, struct list_opts *o)
{
	int c;

	while ((c = cli_getopt(argc, argv, &cli_cmd_list)) != -1) {
		switch (c) {
		case 'c':
			o->spec = optarg;
			if (class_filter_parse(o->spec, &o->mask))
				return cli_usage_error("unknown class '%s': expected gpu, net, usb, storage or nvme",
						       o->spec);
			break;
		case 't':
			o->tree = true;
			break;
		case 'C':
			if (color_mode_parse(optarg, &o->color))
				return cli_usage_error("unknown --color '%s': expected auto, always or never",
						       optarg);
			break;
		case 'h':
			return cli_help(&cli_cmd_list);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("list: unexpected argument '%s'",
				       argv[optind]);
	/* A tree is a drawing; the groups form has every fact in JSON. */
	if (o->tree && is_json_context())
		return cli_usage_error("list: --tree has no JSON form: use 'pcipass --json list'");
	return -1;
}

static int cmd_list(int argc, char **argv)
{
	struct pp_devlist list = { 0 };
	struct list_opts o = { .color = COLOR_AUTO };
	int rc;

	rc = list_parse(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (device_dump_or_report(&list))
		return EXIT_RUNTIME;
	list_print(&list, &o);
	devlist_free(&list);
	return EXIT_OK;
}

const struct cli_cmd cli_cmd_list = {
	.name = "list",
	.run = cmd_list,
	.synopsis = "[--class CLASS[,...]] [--tree] [--color WHEN]",
	.summary = "IOMMU groups with their devices",
	.opts = list_opts,
	.help =
	"Every IOMMU group with its state and functions (address, IDs,\n"
	"driver, name), then the functions without a group.  Any user may\n"
	"run it; the module is loaded on first use.\n"
	"\n"
	"Each group gets one state word.  Bridges on pcieport or on no\n"
	"driver do not count; a bridge on another driver (shpchp) does, as\n"
	"the kernel will not hand its group to VFIO; pci-stub counts as\n"
	"unbound:\n"
	"  vfio      no member on a host driver, at least one on vfio-pci\n"
	"            (or a vfio-pci variant): ready for passthrough\n"
	"  partial   some members on vfio-pci, others on host drivers:\n"
	"            VFIO refuses the group until those are unbound\n"
	"  host      members on host drivers, none on vfio-pci\n"
	"  unbound   no member bound to any driver\n"
	"  bridge    the group holds only bridges: nothing to pass through\n"
	"\n"
	"--tree draws the PCI tree as 'lspci -tv' does (domains, root buses,\n"
	"bridges with their bus ranges, functions) and ends each function's\n"
	"line with its group, the group's state and its driver:\n"
	"  +-01.0-[01]--+-00.0  NVIDIA ...  [group 1 partial: vfio-pci]\n"
	"With --class it keeps the groups --class would list and the bridges\n"
	"that lead to them.  It has no JSON form (a usage error).\n"
	"\n"
	"--color: auto colours the states and group numbers when stdout is a\n"
	"terminal, TERM is set and not 'dumb' and NO_COLOR is unset or empty;\n"
	"always also into pipes and despite NO_COLOR; JSON never has colour.\n"
	"\n"
	"Exit status: 0 success, 1 could not run (module, kernel error),\n"
	"2 usage error.\n"
	"\n"
	"Classes for --class (a group is listed when any member matches;\n"
	"matching members are marked with '*'):\n",
	.help_extra = class_filter_help,
};
