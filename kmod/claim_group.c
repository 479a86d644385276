// SPDX-License-Identifier: GPL-2.0
/*
 * The group of a claim or release: its PCI members collected, ordered
 * (VFs last) and read (driver pinned, override copied).
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "compat.h"
#include "fault.h"

/* --- Collecting the group ----------------------------------------------- */

struct pcipass_devs {
	struct pci_dev **v;
	unsigned int n;
	unsigned int cap;
};

static int pcipass_count_one(struct device *dev, void *data)
{
	struct pcipass_devs *d = data;

	if (dev_is_pci(dev) && ++d->n > PCIPASS_CLAIM_MEMBERS_MAX)
		return -E2BIG;
	return 0;
}

static int pcipass_collect_one(struct device *dev, void *data)
{
	struct pcipass_devs *d = data;

	if (!dev_is_pci(dev))
		return 0;
	if (d->n == d->cap)
		return -EAGAIN;		/* added since it was counted */
	d->v[d->n++] = pci_dev_get(to_pci_dev(dev));
	return 0;
}

void pcipass_group_devs_put(struct pci_dev **devs, unsigned int n)
{
	while (n)
		pci_dev_put(devs[--n]);
	kvfree(devs);
}

/**
 * pcipass_group_devs() - references to every PCI member of a group
 * @group: the group
 * @devs: set to an array of the references, allocated for the group
 *        (free with pcipass_group_devs_put()); NULL when it has none
 *
 * Counts the members, allocates, then collects them; a function added in
 * between makes it count again, a few times.  The group's mutex is held
 * only inside iommu_group_for_each_dev(), whose callbacks only count and
 * take references: no allocation and no device_lock under it.
 *
 * Return: the number of members, or -E2BIG (more than
 * PCIPASS_CLAIM_MEMBERS_MAX), -ENOMEM, -EAGAIN (the group kept growing).
 */
int pcipass_group_devs(struct iommu_group *group, struct pci_dev ***devs)
{
	struct pcipass_devs d;
	int tries, err;

	*devs = NULL;
	for (tries = 0; tries < 3; tries++) {
		memset(&d, 0, sizeof(d));
		err = iommu_group_for_each_dev(group, &d, pcipass_count_one);
		if (err)
			return err;
		if (!d.n)
			return 0;
		d.cap = d.n;
		d.n = 0;
		d.v = pcipass_fault_group() ? NULL :
		      kvcalloc(d.cap, sizeof(*d.v), GFP_KERNEL);
		if (!d.v)
			return -ENOMEM;
		err = iommu_group_for_each_dev(group, &d, pcipass_collect_one);
		if (!err) {
			*devs = d.v;
			return d.n;
		}
		pcipass_group_devs_put(d.v, d.n);
	}
	return -EAGAIN;
}

static struct iommu_group *pcipass_group_by_id(u32 id)
{
	struct pci_dev *pdev = NULL;
	struct iommu_group *group;

	while ((pdev = pcipass_dev_next(pdev))) {
		group = iommu_group_get(&pdev->dev);
		if (group && iommu_group_id(group) == id) {
			pci_dev_put(pdev);
			return group;
		}
		iommu_group_put(group);
	}
	return NULL;
}

/* Return: the group (a reference), or an ERR_PTR with rep->msg set. */
struct iommu_group *pcipass_req_group(const struct pcipass_claim_req *req,
				      struct pcipass_claim_report *rep)
{
	struct iommu_group *group;
	struct pci_dev *pdev;

	if (req->by_group) {
		group = pcipass_group_by_id(req->group);
		if (group)
			return group;
		return ERR_PTR(pcipass_fail(rep, PCIPASS_FIELD_GROUP,
					    -ENOENT,
					    "IOMMU group %u holds no PCI function",
					    req->group));
	}
	pdev = pcipass_dev_get(&req->addr);
	if (!pdev)
		return ERR_PTR(pcipass_fail(rep, PCIPASS_FIELD_ADDR, -ENODEV,
					    "no PCI function %s",
					    pcipass_astr(&req->addr).s));
	group = iommu_group_get(&pdev->dev);
	pci_dev_put(pdev);
	if (group)
		return group;
	return ERR_PTR(pcipass_fail(rep, PCIPASS_FIELD_ADDR, -ENXIO,
				    "%s has no IOMMU group: is the IOMMU on?",
				    pcipass_astr(&req->addr).s));
}

/*
 * Bridges (and host bridges, which have a normal header) belong to the
 * host's PCI fabric: never handed to the target driver.
 */
bool pcipass_is_bridge(struct pci_dev *pdev)
{
	return pdev->hdr_type != PCI_HEADER_TYPE_NORMAL ||
	       (pdev->class >> 8) == PCI_CLASS_BRIDGE_HOST;
}

/* Members in claim order: every other function before the VFs. */
static void pcipass_order(struct pcipass_tx *tx)
{
	struct pcipass_tx_member tmp;
	unsigned int i, j;

	for (i = 1; i < tx->n; i++) {
		tmp = tx->m[i];
		for (j = i; j > 0 && tx->m[j - 1].pdev->is_virtfn &&
		     !tmp.pdev->is_virtfn; j--)
			tx->m[j] = tx->m[j - 1];
		tx->m[j] = tmp;
	}
}

int pcipass_collect(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	struct iommu_group *group;
	struct pci_dev **devs;
	unsigned int i;
	int n;

	group = pcipass_req_group(tx->req, rep);
	if (IS_ERR(group))
		return PTR_ERR(group);
	rep->has_group = true;
	rep->group = iommu_group_id(group);
	tx->group = group;
	n = pcipass_group_devs(group, &devs);
	if (n == -E2BIG)
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, n,
				    "group %u has more than %u PCI functions",
				    rep->group, PCIPASS_CLAIM_MEMBERS_MAX);
	if (n == -EAGAIN)
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, n,
				    "group %u kept changing while it was read; nothing changed",
				    rep->group);
	if (n < 0)
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, n,
				    "no memory for the members of group %u; nothing changed",
				    rep->group);
	tx->m = kvcalloc(max(n, 1), sizeof(*tx->m), GFP_KERNEL);
	rep->members = kvcalloc(max(n, 1), sizeof(*rep->members), GFP_KERNEL);
	if (!tx->m || !rep->members) {
		pcipass_group_devs_put(devs, n);
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, -ENOMEM,
				    "no memory for the members of group %u; nothing changed",
				    rep->group);
	}
	for (i = 0; i < n; i++)
		tx->m[i].pdev = devs[i];	/* the references move */
	tx->n = n;
	kvfree(devs);
	pcipass_order(tx);
	for (i = 0; i < tx->n; i++) {
		tx->m[i].out = &rep->members[i];
		pcipass_addr_of(tx->m[i].pdev, &rep->members[i].addr);
		rep->members[i].state = PCIPASS_MEMBER_UNTOUCHED;
		tx->m[i].bridge = pcipass_is_bridge(tx->m[i].pdev);
	}
	rep->nr_members = tx->n;
	return 0;
}

/*
 * The member's driver (pinned: it must still exist for a rollback) and
 * override.  device_lock makes ->driver stable for the pin; held briefly.
 */
static int pcipass_member_read(struct pcipass_tx *tx,
			       struct pcipass_tx_member *m)
{
	struct device *dev = &m->pdev->dev;
	ssize_t len;
	int err;

	err = pcipass_device_lock_bounded(dev);
	if (err)
		return err;
	if (dev->driver && try_module_get(dev->driver->owner))
		m->orig = dev->driver;
	else if (dev->driver)
		err = -EBUSY;	/* its module is being unloaded */
	len = pcipass_read_driver_override(m->pdev, tx->scratch, PAGE_SIZE);
	device_unlock(dev);
	if (err)
		return err;
	/* persist.c set it moments ago: not the function's own */
	if (tx->req->persisted && len > 0 && tx->target &&
	    !strcmp(tx->scratch, tx->target->name))
		len = 0;
	if (len > 0) {
		m->orig_override = kstrdup(tx->scratch, GFP_KERNEL);
		if (!m->orig_override)
			return -ENOMEM;
	}
	if (m->orig)
		strscpy(m->out->from_driver, m->orig->name, PCIPASS_DRIVER_MAX);
	if (m->orig_override)
		strscpy(m->out->from_override, m->orig_override,
			PCIPASS_DRIVER_MAX);
	return 0;
}

int pcipass_read_members(struct pcipass_tx *tx)
{
	unsigned int i;
	int err;

	for (i = 0; i < tx->n; i++) {
		err = pcipass_member_read(tx, &tx->m[i]);
		if (err)
			return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, err,
					    "%s is busy (probe or removal in progress)",
					    pcipass_astr(&tx->m[i].out->addr).s);
	}
	return 0;
}

void pcipass_tx_release(struct pcipass_tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		pcipass_driver_unpin(tx->m[i].orig);
		kfree(tx->m[i].orig_override);
		pci_dev_put(tx->m[i].pdev);
	}
	kvfree(tx->m);
	pcipass_driver_unpin(tx->target);
	iommu_group_put(tx->group);
	kfree(tx->scratch);
	kfree(tx);
}

struct pcipass_tx *pcipass_tx_new(const struct pcipass_claim_req *req,
				  struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = kzalloc(sizeof(*tx), GFP_KERNEL);

	if (tx)
		tx->scratch = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!tx || !tx->scratch) {
		kfree(tx);
		pcipass_fail(rep, PCIPASS_FIELD_NONE, -ENOMEM,
			     "no memory for the transaction; nothing changed");
		return NULL;
	}
	tx->req = req;
	tx->rep = rep;
	/* Until a step says otherwise, nothing changed. */
	rep->outcome = PCIPASS_OUTCOME_REFUSED;
	return tx;
}
