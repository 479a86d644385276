// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass: predict IOMMU groups from a snapshot of PCI functions.
 *
 * This replays the rules of the kernel's pci_device_group() over the
 * snapshot, function by function in the order the PCI core added them,
 * exactly as the kernel met them when it formed the groups.  Each function
 * either joins the group of a function met earlier -- which of its rules
 * did it is the reason reported to userspace -- or founds a group of its
 * own:
 *
 *   1. a PCIe-to-PCI/PCI-X or conventional bridge above it takes
 *      ownership of its DMA: it joins that bridge (bridge-alias);
 *   2. a bridge above it whose path to the root complex is not isolated
 *      by ACS: it joins the lowest such bridge (upstream-acs);
 *   3. a function on its bus it is a DMA alias of, or that is one of its
 *      aliases (dma-alias);
 *   4. another function of its multifunction device, when neither has ACS
 *      isolation (multifunction).
 *
 * Pure data in, data out: no locks, no struct pci_dev, so that KUnit can
 * check every rule on synthetic topologies.
 */

#include <linux/bitmap.h>
#include <linux/errno.h>
#include <linux/pci.h>
#include <kunit/visibility.h>

#include <uapi/linux/pcipass.h>

#include "isolation.h"

/*
 * DMA alias chains (rule 3) are searched depth first, as the kernel does.
 * Real chains are a few functions long; the bound keeps the stack small
 * whatever a snapshot holds.
 */
#define PCIPASS_ALIAS_DEPTH	16

/**
 * pcipass_acs_missing() - what a function lacks to be isolating
 * @node: the function
 * @state: set to its enum pcipass_acs_state
 *
 * Mirrors the kernel's pci_acs_enabled() without its device-specific
 * quirks: only root and downstream ports and the functions of a
 * multifunction device need ACS; flags a capability does not implement
 * count as hard-wired on; conventional PCI and PCI(-X)/PCIe bridges never
 * isolate.
 *
 * Return: the required ACS flags @node does not provide; 0 when it is
 * isolating.
 */
u16 pcipass_acs_missing(const struct pcipass_node *node, u8 *state)
{
	u16 missing;

	*state = PCIPASS_ACS_STATE_NEVER;
	if (!(node->flags & PCIPASS_NODE_PCIE))
		return PCIPASS_ACS_REQUIRED;
	switch (node->pcie_type) {
	case PCI_EXP_TYPE_PCIE_BRIDGE:
	case PCI_EXP_TYPE_PCI_BRIDGE:
	case PCI_EXP_TYPE_RC_EC:
		return PCIPASS_ACS_REQUIRED;
	case PCI_EXP_TYPE_DOWNSTREAM:
	case PCI_EXP_TYPE_ROOT_PORT:
		break;
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_UPSTREAM:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		if (node->flags & PCIPASS_NODE_MULTIFUNCTION)
			break;
		fallthrough;
	default:
		*state = PCIPASS_ACS_STATE_NOT_APPLICABLE;
		return 0;
	}
	if (!(node->flags & PCIPASS_NODE_ACS)) {
		*state = PCIPASS_ACS_STATE_ABSENT;
		return PCIPASS_ACS_REQUIRED;
	}
	missing = PCIPASS_ACS_REQUIRED & node->acs_cap & ~node->acs_ctrl;
	*state = missing ? PCIPASS_ACS_STATE_DISABLED :
			   PCIPASS_ACS_STATE_ENABLED;
	return missing;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_acs_missing);

static bool pcipass_isolating(const struct pcipass_node *node)
{
	u8 state;

	return !pcipass_acs_missing(node, &state);
}

static bool pcipass_same_bus(const struct pcipass_node *a,
			     const struct pcipass_node *b)
{
	return a->addr.domain == b->addr.domain && a->addr.bus == b->addr.bus;
}

static bool pcipass_grouped(const struct pcipass_topo *t, int i)
{
	return t->nodes[i].pred >= 0;
}

/* The first function from @i up to the root bus that does not isolate. */
static int pcipass_path_culprit(const struct pcipass_topo *t, int i)
{
	for (; i >= 0; i = t->nodes[i].up)
		if (!pcipass_isolating(&t->nodes[i]))
			return i;
	return -1;
}

static void pcipass_link_set(struct pcipass_link *link, u8 code, int peer,
			     int cause, u16 missing)
{
	link->code = code;
	link->peer = peer;
	link->cause = cause;
	link->missing = missing;
}

/*
 * Whether a bridge presents its own requester ID for the devices below
 * it, as pci_for_each_dma_alias() decides: every conventional bridge, and
 * among PCIe bridges only PCIe-to-PCI/PCI-X and PCI/PCI-X-to-PCIe ones.
 * Root, upstream and downstream ports forward IDs unchanged, and so does
 * a bridge reporting any other PCIe type.
 */
static bool pcipass_bridge_aliases(const struct pcipass_node *br)
{
	if (!(br->flags & PCIPASS_NODE_PCIE))
		return true;
	return br->pcie_type == PCI_EXP_TYPE_PCI_BRIDGE ||
	       br->pcie_type == PCI_EXP_TYPE_PCIE_BRIDGE;
}

/*
 * Rule 1.  Up through the bridges above, the walk stopping at a bridge
 * that hosts its own translation unit.  *@last ends at the highest
 * aliasing bridge passed, where rule 2 starts.
 */
static bool pcipass_rule_bridge(const struct pcipass_topo *t, int i,
				int *last, struct pcipass_link *link)
{
	const struct pcipass_node *br;
	int b;

	*last = i;
	for (b = t->nodes[i].up; b >= 0; b = br->up) {
		br = &t->nodes[b];
		if (br->flags & PCIPASS_NODE_XLATE_ROOT)
			break;
		if (!pcipass_bridge_aliases(br))
			continue;
		*last = b;
		if (pcipass_grouped(t, b)) {
			pcipass_link_set(link, PCIPASS_REASON_BRIDGE_ALIAS, b,
					 b, 0);
			return true;
		}
	}
	return false;
}

/* Rule 2, from *@start (moved up past bridges that had no group). */
static bool pcipass_rule_upstream(const struct pcipass_topo *t, int *start,
				  struct pcipass_link *link)
{
	u8 state;
	int b, culprit;

	for (b = t->nodes[*start].up; b >= 0; b = t->nodes[b].up) {
		culprit = pcipass_path_culprit(t, b);
		if (culprit < 0)
			break;
		*start = b;
		if (pcipass_grouped(t, b)) {
			pcipass_link_set(link, PCIPASS_REASON_UPSTREAM_ACS, b,
					 culprit,
					 pcipass_acs_missing(&t->nodes[culprit],
							     &state));
			return true;
		}
	}
	return false;
}

static bool pcipass_dma_aliases(const struct pcipass_node *a,
				const struct pcipass_node *b)
{
	return ((a->flags & PCIPASS_NODE_DMA_ALIAS) &&
		test_bit(b->addr.devfn, a->dma_alias)) ||
	       ((b->flags & PCIPASS_NODE_DMA_ALIAS) &&
		test_bit(a->addr.devfn, b->dma_alias));
}

static int pcipass_function_group(const struct pcipass_topo *t, int n,
				  unsigned long *seen, int depth, int *via);

/*
 * The grouped function reachable from @n through DMA aliases on its bus,
 * or -1.  @seen holds the devfns visited; *@via is set at depth 0 to the
 * first alias taken.
 */
static int pcipass_alias_group(const struct pcipass_topo *t, int n,
			       unsigned long *seen, int depth, int *via)
{
	unsigned int j;
	int g;

	if (depth > PCIPASS_ALIAS_DEPTH ||
	    test_and_set_bit(t->nodes[n].addr.devfn, seen))
		return -1;
	if (pcipass_grouped(t, n))
		return n;
	for (j = 0; j < t->n; j++) {
		if (j == n || !pcipass_same_bus(&t->nodes[j], &t->nodes[n]) ||
		    !pcipass_dma_aliases(&t->nodes[n], &t->nodes[j]))
			continue;
		g = pcipass_alias_group(t, j, seen, depth + 1, NULL);
		if (g < 0)
			g = pcipass_function_group(t, j, seen, depth + 1, NULL);
		if (g >= 0) {
			if (via)
				*via = j;
			return g;
		}
	}
	return -1;
}

/* Rule 4: a sibling function without ACS, or one of its aliases. */
static int pcipass_function_group(const struct pcipass_topo *t, int n,
				  unsigned long *seen, int depth, int *via)
{
	const struct pcipass_node *node = &t->nodes[n], *sib;
	unsigned int j;
	int g;

	if (!(node->flags & PCIPASS_NODE_MULTIFUNCTION) ||
	    pcipass_isolating(node))
		return -1;
	for (j = 0; j < t->n; j++) {
		sib = &t->nodes[j];
		if (j == n || !pcipass_same_bus(sib, node) ||
		    PCI_SLOT(sib->addr.devfn) != PCI_SLOT(node->addr.devfn) ||
		    pcipass_isolating(sib))
			continue;
		g = pcipass_alias_group(t, j, seen, depth + 1, NULL);
		if (g >= 0) {
			if (via)
				*via = j;
			return g;
		}
	}
	return -1;
}

/* Rules 3 and 4, from @start. */
static bool pcipass_rule_alias(const struct pcipass_topo *t, int start,
			       struct pcipass_link *link)
{
	DECLARE_BITMAP(seen, PCIPASS_DEVFNS);
	u8 state;
	int g, via = -1;

	bitmap_zero(seen, PCIPASS_DEVFNS);
	g = pcipass_alias_group(t, start, seen, 0, &via);
	if (g >= 0) {
		pcipass_link_set(link, PCIPASS_REASON_DMA_ALIAS, g, via, 0);
		return true;
	}
	g = pcipass_function_group(t, start, seen, 0, &via);
	if (g >= 0) {
		pcipass_link_set(link, PCIPASS_REASON_MULTIFUNCTION, g, via,
				 pcipass_acs_missing(&t->nodes[via], &state));
		return true;
	}
	return false;
}

static void pcipass_predict_one(struct pcipass_topo *t, int i)
{
	struct pcipass_node *node = &t->nodes[i];
	struct pcipass_link *link = &node->join;
	int start;

	if (!(node->flags & PCIPASS_NODE_IOMMU)) {
		pcipass_link_set(link, PCIPASS_REASON_NO_IOMMU, -1, -1, 0);
		return;
	}
	if (pcipass_rule_bridge(t, i, &start, link) ||
	    pcipass_rule_upstream(t, &start, link) ||
	    pcipass_rule_alias(t, start, link)) {
		node->pred = t->nodes[link->peer].pred;
		return;
	}
	pcipass_link_set(link, PCIPASS_REASON_ISOLATED, -1, -1, 0);
	node->pred = i;
}

/**
 * pcipass_predict() - predict the IOMMU group of every function
 * @t: the snapshot; fills each node's @pred and @join
 *
 * Functions without an IOMMU get no group (@pred -1, reason no-iommu) and
 * never link others, as in the kernel.
 */
void pcipass_predict(struct pcipass_topo *t)
{
	unsigned int i;

	for (i = 0; i < t->n; i++)
		t->nodes[i].pred = -1;
	for (i = 0; i < t->n; i++)
		pcipass_predict_one(t, i);
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_predict);

/**
 * pcipass_topo_find() - index of a function in a snapshot
 * @t: the snapshot
 * @addr: the function's address
 *
 * Return: its index, or -ENODEV.
 */
int pcipass_topo_find(const struct pcipass_topo *t,
		      const struct pcipass_addr *addr)
{
	const struct pcipass_addr *a;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		a = &t->nodes[i].addr;
		if (a->domain == addr->domain && a->bus == addr->bus &&
		    a->devfn == addr->devfn)
			return i;
	}
	return -ENODEV;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_topo_find);
