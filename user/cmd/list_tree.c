// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass list --tree`.  The drawing is pci/tree.c's; this file says what
 * a function's line ends with (its group, the group's state, its driver)
 * and which functions --class keeps: the groups the groups form would
 * list, so a GPU is drawn with what shares its group and the bridges that
 * lead there.
 */
#include <stdlib.h>

#include "cmd/list.h"
#include "hook/vmhold.h"
#include "lib/color.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/devprint.h"
#include "pci/state.h"
#include "pci/tree.h"

struct group_info {
	uint32_t id;
	enum group_state state;
	bool matched;			/* a member matches --class */
	const struct vmhold *hold;	/* the VM a hook claimed it for */
};

struct tree_ctx {
	struct group_info *g;
	size_t ng;
	class_mask_t mask;
	struct vmhold *holds;
	size_t nholds;
};

/* One group's facts from its members, v[0..n). */
static void group_facts(struct tree_ctx *c, const struct pp_device *v,
			size_t n, struct group_info *g)
{
	char a[ADDR_STRLEN];

	g->id = v[0].iommu_group;
	g->state = group_state(v, n);
	g->matched = false;
	g->hold = NULL;
	for (size_t i = 0; i < n; i++) {
		g->matched |= class_filter_match(c->mask, v[i].class);
		if (g->state == GROUP_VFIO && !g->hold)
			g->hold = vmhold_find(c->holds, c->nholds,
					      addr_fmt(&v[i].addr, a));
	}
}

/* Sorts l by group; fills c->g in group order. */
static void collect_groups(struct tree_ctx *c, struct pp_devlist *l)
{
	size_t i = 0;

	devlist_sort_by_group(l);
	c->g = xrealloc(NULL, (l->n ? l->n : 1) * sizeof(*c->g));
	while (i < l->n && l->v[i].has_iommu_group) {
		size_t len = 1;

		while (i + len < l->n && l->v[i + len].has_iommu_group &&
		       l->v[i + len].iommu_group == l->v[i].iommu_group)
			len++;
		group_facts(c, &l->v[i], len, &c->g[c->ng++]);
		i += len;
	}
}

static const struct group_info *group_of(const struct tree_ctx *c,
					 const struct pp_device *d)
{
	size_t lo = 0, hi = c->ng;

	if (!d->has_iommu_group)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->g[mid].id == d->iommu_group)
			return &c->g[mid];
		if (c->g[mid].id < d->iommu_group)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Without a group a function stands alone, as in the groups form. */
static bool keep(const struct pp_device *d, void *arg)
{
	const struct tree_ctx *c = arg;
	const struct group_info *g = group_of(c, d);

	if (!c->mask)
		return true;
	return g ? g->matched : class_filter_match(c->mask, d->class);
}

/* "  NVIDIA Corporation GP104 ...  [group 1 partial: vfio-pci]" */
static void label(const struct pp_device *d, void *arg)
{
	const struct tree_ctx *c = arg;
	const struct group_info *g = group_of(c, d);
	struct pp_names n;

	names_lookup(d, &n);
	print_text("  ");
	print_text_vendor_device(d, &n);
	if (g) {
		print_text("  [%sgroup %u%s ", color_on(COLOR_GROUP), g->id,
			   color_off());
		list_print_state("state", "%s", g->state);
		vmhold_print_claimed_for(g->hold);
	} else {
		print_text("  [no group");
	}
	print_text(": %s]", d->driver ? d->driver :
			    d->driver_busy ? "?" : "-");
	if (c->mask && class_filter_match(c->mask, d->class))
		print_text(" *");
}

void list_print_tree(struct pp_devlist *l, const struct list_opts *o)
{
	struct tree_ctx c = { .mask = o->mask };
	struct tree_ops ops = { .keep = keep, .label = label, .arg = &c };
	size_t drawn;

	c.nholds = vmhold_load(&c.holds);
	collect_groups(&c, l);
	drawn = tree_print(l->v, l->n, &ops);
	if (!drawn && o->mask)
		print_text("no device matches --class %s\n", o->spec);
	else if (!drawn)
		print_text("no PCI devices\n");
	else if (o->mask)
		print_text("\n* = matches --class %s\n", o->spec);
	free(c.g);
	free(c.holds);
}
