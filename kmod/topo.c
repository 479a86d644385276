// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass: snapshot every PCI function for the group prediction.
 *
 * Locking: none held across the walk.  pci_get_device() takes the bus's
 * klist lock per step; the ACS reads wake devices through runtime PM, which
 * may sleep, and take the PCI core's pci_lock per access.  No device lock
 * is taken: nothing read here is protected by it.
 *
 * A function added or removed during the walk makes the snapshot
 * slightly stale, as a directory listing of /sys/bus/pci/devices would
 * be; a snapshot never holds a device that vanished before the walk.
 */

#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "isolation.h"

/* Retries when functions keep appearing faster than we can count them. */
#define PCIPASS_SNAPSHOT_TRIES	3
#define PCIPASS_SNAPSHOT_SLACK	16

static unsigned int pcipass_count_devices(void)
{
	struct pci_dev *pdev = NULL;
	unsigned int n = 0;

	while ((pdev = pcipass_dev_next(pdev)))
		n++;
	return n;
}

/* Collect references; false when there were more than @max. */
static bool pcipass_collect(struct pci_dev **devs, unsigned int max,
			    unsigned int *n)
{
	struct pci_dev *pdev = NULL;

	*n = 0;
	while ((pdev = pcipass_dev_next(pdev))) {
		if (*n == max) {
			pci_dev_put(pdev);
			return false;
		}
		devs[(*n)++] = pci_dev_get(pdev);
	}
	return true;
}

static void pcipass_put_all(struct pci_dev **devs, unsigned int n)
{
	while (n)
		pci_dev_put(devs[--n]);
}

static int pcipass_index_of(struct pci_dev **devs, unsigned int n,
			    const struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; pdev && i < n; i++)
		if (devs[i] == pdev)
			return i;
	return -1;
}

static void pcipass_node_flags(struct pci_dev *pdev, struct pcipass_node *node)
{
	if (pci_is_pcie(pdev)) {
		node->flags |= PCIPASS_NODE_PCIE;
		node->pcie_type = pci_pcie_type(pdev);
	}
	if (pdev->multifunction)
		node->flags |= PCIPASS_NODE_MULTIFUNCTION;
	if (pdev->dev_flags & PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS)
		node->flags |= PCIPASS_NODE_BRIDGE_ALIAS;
	if (pdev->dev_flags & PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT)
		node->flags |= PCIPASS_NODE_XLATE_ROOT;
	/* Set by quirks at enumeration, read-only afterwards. */
	if (pdev->dma_alias_mask) {
		node->flags |= PCIPASS_NODE_DMA_ALIAS;
		bitmap_copy(node->dma_alias, pdev->dma_alias_mask,
			    PCIPASS_DEVFNS);
	}
}

static void pcipass_node_fill(struct pci_dev *pdev, int up,
			      struct pcipass_node *node)
{
	struct iommu_group *group;

	pcipass_addr_of(pdev, &node->addr);
	node->up = up;
	pcipass_node_flags(pdev, node);
	group = iommu_group_get(&pdev->dev);
	if (group) {
		node->flags |= PCIPASS_NODE_IOMMU;
		node->group = iommu_group_id(group);
		iommu_group_put(group);
	}
	/*
	 * Only functions with an ACS capability are read (and woken): the
	 * hop list reports the words wherever they exist, as device-get does.
	 */
	if (pcipass_acs_read(pdev, &node->acs_pos, &node->acs_cap,
			     &node->acs_ctrl))
		node->flags |= PCIPASS_NODE_ACS;
}

static int pcipass_snapshot_try(struct pcipass_topo *t)
{
	unsigned int max = pcipass_count_devices() + PCIPASS_SNAPSHOT_SLACK;
	struct pci_dev **devs;
	unsigned int i, n;
	int err = 0;

	devs = kvcalloc(max, sizeof(*devs), GFP_KERNEL);
	t->nodes = kvcalloc(max, sizeof(*t->nodes), GFP_KERNEL);
	if (!devs || !t->nodes) {
		err = -ENOMEM;
		goto out;
	}
	if (!pcipass_collect(devs, max, &n)) {
		pcipass_put_all(devs, n);
		err = -EAGAIN;
		goto out;
	}
	for (i = 0; i < n; i++)
		pcipass_node_fill(devs[i],
				  pcipass_index_of(devs, n,
						   pci_upstream_bridge(devs[i])),
				  &t->nodes[i]);
	t->n = n;
	pcipass_put_all(devs, n);
out:
	kvfree(devs);
	if (err) {
		kvfree(t->nodes);
		t->nodes = NULL;
	}
	return err;
}

/**
 * pcipass_topo_snapshot() - snapshot every PCI function
 * @t: filled; release with pcipass_topo_release()
 *
 * Sleeps.  Reads extended config space (ACS): report results to
 * CAP_SYS_ADMIN callers only.
 *
 * Return: 0; -ENOMEM; -EAGAIN when functions kept being added during
 * every attempt.
 */
int pcipass_topo_snapshot(struct pcipass_topo *t)
{
	int tries, err = -EAGAIN;

	t->n = 0;
	t->nodes = NULL;
	for (tries = 0; tries < PCIPASS_SNAPSHOT_TRIES && err == -EAGAIN;
	     tries++)
		err = pcipass_snapshot_try(t);
	return err;
}

/**
 * pcipass_topo_release() - free a snapshot
 * @t: filled by pcipass_topo_snapshot()
 */
void pcipass_topo_release(struct pcipass_topo *t)
{
	kvfree(t->nodes);
	t->nodes = NULL;
	t->n = 0;
}
