// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass: the isolation answer for one PCI function -- its path to the
 * root complex, why it shares its group, how the prediction compares with
 * the kernel's group, and whether VFIO can take that group.
 *
 * Locking: pcipass_isolation_get() takes no lock across the snapshot; the
 * readiness check takes one device lock at a time (bounded wait, see
 * core.c) to read ->driver, never while holding another lock.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include <uapi/linux/pcipass.h>

#include "isolation.h"

/* Room for up to PCIPASS_ISO_LIST_MAX entries of each list. */
static int pcipass_iso_alloc(struct pcipass_isolation *iso)
{
	const size_t max = PCIPASS_ISO_LIST_MAX;

	iso->hops = kcalloc(max, sizeof(*iso->hops), GFP_KERNEL);
	iso->reasons = kcalloc(max, sizeof(*iso->reasons), GFP_KERNEL);
	iso->predicted = kcalloc(max, sizeof(*iso->predicted), GFP_KERNEL);
	iso->kernel_only = kcalloc(max, sizeof(*iso->kernel_only), GFP_KERNEL);
	iso->predicted_only = kcalloc(max, sizeof(*iso->predicted_only),
				      GFP_KERNEL);
	iso->blockers = kcalloc(max, sizeof(*iso->blockers), GFP_KERNEL);
	if (!iso->hops || !iso->reasons || !iso->predicted ||
	    !iso->kernel_only || !iso->predicted_only || !iso->blockers)
		return -ENOMEM;
	return 0;
}

/* Append to a list of PCIPASS_ISO_LIST_MAX entries; false when full. */
static bool pcipass_iso_room(struct pcipass_isolation *iso, unsigned int *nr)
{
	if (*nr < PCIPASS_ISO_LIST_MAX)
		return true;
	iso->truncated = true;
	return false;
}

static void pcipass_iso_hops(const struct pcipass_topo *t, int idx,
			     struct pcipass_isolation *iso)
{
	const struct pcipass_node *node;
	struct pcipass_iso_hop *hop;

	for (; idx >= 0; idx = node->up) {
		node = &t->nodes[idx];
		if (!pcipass_iso_room(iso, &iso->nr_hops))
			return;
		hop = &iso->hops[iso->nr_hops++];
		hop->addr = node->addr;
		hop->flags = node->flags & (PCIPASS_NODE_PCIE | PCIPASS_NODE_ACS);
		hop->pcie_type = node->pcie_type;
		hop->acs_pos = node->acs_pos;
		hop->acs_cap = node->acs_cap;
		hop->acs_ctrl = node->acs_ctrl;
		hop->missing = pcipass_acs_missing(node, &hop->state);
	}
}

static void pcipass_iso_reason(const struct pcipass_topo *t, int subject,
			       struct pcipass_isolation *iso)
{
	const struct pcipass_link *link = &t->nodes[subject].join;
	struct pcipass_iso_reason *r;

	if (!pcipass_iso_room(iso, &iso->nr_reasons))
		return;
	r = &iso->reasons[iso->nr_reasons++];
	r->code = link->code;
	r->missing = link->missing;
	r->subject = t->nodes[subject].addr;
	r->has_peer = link->peer >= 0;
	if (r->has_peer)
		r->peer = t->nodes[link->peer].addr;
	r->has_cause = link->cause >= 0;
	if (r->has_cause)
		r->cause = t->nodes[link->cause].addr;
}

static void pcipass_iso_add(struct pcipass_isolation *iso,
			    struct pcipass_addr *list, unsigned int *nr,
			    const struct pcipass_addr *addr)
{
	if (pcipass_iso_room(iso, nr))
		list[(*nr)++] = *addr;
}

/*
 * Walk the snapshot once: members of the predicted group, members of the
 * kernel's group, and the links that formed the predicted group, in the
 * order they were formed.
 */
static void pcipass_iso_groups(const struct pcipass_topo *t, int idx,
			       struct pcipass_isolation *iso)
{
	const struct pcipass_node *me = &t->nodes[idx], *node;
	bool in_pred, in_kernel;
	unsigned int i;

	for (i = 0; i < t->n; i++) {
		node = &t->nodes[i];
		in_pred = me->pred >= 0 && node->pred == me->pred;
		in_kernel = iso->has_group &&
			    (node->flags & PCIPASS_NODE_IOMMU) &&
			    node->group == iso->group;
		if (in_pred) {
			pcipass_iso_add(iso, iso->predicted,
					&iso->nr_predicted, &node->addr);
			if (node->join.code != PCIPASS_REASON_ISOLATED)
				pcipass_iso_reason(t, i, iso);
		}
		if (in_kernel && !in_pred)
			pcipass_iso_add(iso, iso->kernel_only,
					&iso->nr_kernel_only, &node->addr);
		if (in_pred && !in_kernel)
			pcipass_iso_add(iso, iso->predicted_only,
					&iso->nr_predicted_only, &node->addr);
	}
	/* Alone, or no IOMMU: the function's own link says which. */
	if (!iso->nr_reasons)
		pcipass_iso_reason(t, idx, iso);
}

/**
 * pcipass_isolation_explain() - the answer for one function of a snapshot
 * @t: a snapshot after pcipass_predict()
 * @idx: the function's index
 * @iso: filled, except readiness; release with pcipass_isolation_release()
 *
 * Return: 0 or -ENOMEM.
 */
int pcipass_isolation_explain(const struct pcipass_topo *t, int idx,
			      struct pcipass_isolation *iso)
{
	const struct pcipass_node *me = &t->nodes[idx];
	int err;

	memset(iso, 0, sizeof(*iso));
	err = pcipass_iso_alloc(iso);
	if (err) {
		pcipass_isolation_release(iso);
		return err;
	}
	iso->addr = me->addr;
	iso->has_group = me->flags & PCIPASS_NODE_IOMMU;
	iso->group = me->group;
	pcipass_iso_hops(t, idx, iso);
	pcipass_iso_groups(t, idx, iso);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_isolation_explain);

/*
 * A member blocks VFIO when bound to a driver that uses the kernel DMA
 * API: VFIO's claim of the group's DMA ownership then fails.  ->driver is
 * stable only under the device lock.
 */
static int pcipass_iso_blocker(struct pcipass_isolation *iso,
			       const struct pcipass_addr *addr)
{
	struct pcipass_iso_blocker *b;
	struct device_driver *drv;
	struct pci_dev *pdev;
	char *name = NULL;
	int err;

	pdev = pcipass_dev_get(addr);
	if (!pdev)
		return 0;	/* gone since the snapshot: blocks nothing */
	err = pcipass_device_lock_bounded(&pdev->dev);
	if (!err) {
		drv = pdev->dev.driver;
		if (drv && !to_pci_driver(drv)->driver_managed_dma) {
			name = kstrdup(drv->name, GFP_KERNEL);
			if (!name)
				err = -ENOMEM;
		}
		device_unlock(&pdev->dev);
	}
	pci_dev_put(pdev);
	if (!name || !pcipass_iso_room(iso, &iso->nr_blockers)) {
		kfree(name);
		return err;
	}
	b = &iso->blockers[iso->nr_blockers++];
	b->addr = *addr;
	b->driver = name;
	return 0;
}

static int pcipass_iso_readiness(const struct pcipass_topo *t,
				 struct pcipass_isolation *iso)
{
	const struct pcipass_node *node;
	unsigned int i;
	int err;

	if (!iso->has_group)
		return 0;
	for (i = 0; i < t->n; i++) {
		node = &t->nodes[i];
		if (!(node->flags & PCIPASS_NODE_IOMMU) ||
		    node->group != iso->group)
			continue;
		err = pcipass_iso_blocker(iso, &node->addr);
		if (err)
			return err;
	}
	iso->ready = !iso->nr_blockers && !iso->truncated;
	return 0;
}

/**
 * pcipass_isolation_get() - explain the IOMMU group of one function
 * @addr: the function
 * @iso: the answer; release with pcipass_isolation_release()
 *
 * Sleeps.  Computed from extended config space: for CAP_SYS_ADMIN
 * callers only.
 *
 * Return: 0; -ENODEV when no function has @addr; -ENOMEM; -EAGAIN when
 * functions kept being hot-added; -EBUSY or -EINTR from the wait for a
 * device lock (a probe in progress).
 */
int pcipass_isolation_get(const struct pcipass_addr *addr,
			  struct pcipass_isolation *iso)
{
	struct pcipass_topo t;
	struct pci_dev *pdev;
	int idx, err;

	memset(iso, 0, sizeof(*iso));
	/* Cheap answer for a missing function before the whole snapshot. */
	pdev = pcipass_dev_get(addr);
	if (!pdev)
		return -ENODEV;
	pci_dev_put(pdev);
	err = pcipass_topo_snapshot(&t);
	if (err)
		return err;
	idx = pcipass_topo_find(&t, addr);
	if (idx < 0) {
		err = idx;
		goto out;
	}
	pcipass_predict(&t);
	err = pcipass_isolation_explain(&t, idx, iso);
	if (!err)
		err = pcipass_iso_readiness(&t, iso);
	if (err)
		pcipass_isolation_release(iso);
out:
	pcipass_topo_release(&t);
	return err;
}

/**
 * pcipass_isolation_release() - free an answer
 * @iso: filled by pcipass_isolation_get() or _explain()
 */
void pcipass_isolation_release(struct pcipass_isolation *iso)
{
	unsigned int i;

	for (i = 0; iso->blockers && i < iso->nr_blockers; i++)
		kfree(iso->blockers[i].driver);
	kfree(iso->hops);
	kfree(iso->reasons);
	kfree(iso->predicted);
	kfree(iso->kernel_only);
	kfree(iso->predicted_only);
	kfree(iso->blockers);
	memset(iso, 0, sizeof(*iso));
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_isolation_release);
