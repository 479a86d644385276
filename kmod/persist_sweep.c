// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep at load (pcipass_persist_sweep(), the end of module init: from
 * the initramfs that is before udev's coldplug).  Every function is
 * matched, and a group is claimed only when every function in it that is
 * not a bridge matches an entry for the same driver: anything else in the
 * group (a new card, a changed one) leaves the whole group to its host
 * drivers, logged.  Members get the override at once (no host driver may
 * probe them from here on); the claim itself (unbind what a built-in
 * driver holds, bind, verify, roll back, records for release) is a job
 * like any claim.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vgaarb.h>

#include "claim_int.h"
#include "persist_int.h"

struct pcipass_sweep {
	unsigned int n;
	struct pci_dev *m[PCIPASS_CLAIM_MEMBERS];
	bool take[PCIPASS_CLAIM_MEMBERS];	/* an entry claims it */
	bool wrote[PCIPASS_CLAIM_MEMBERS];	/* its override is ours */
	struct pcipass_persist_id id;
	struct pcipass_claim_report busy;
};

/* iommu_group_for_each_dev() holds the group's mutex: references only. */
static int pcipass_sweep_collect(struct device *dev, void *data)
{
	struct pcipass_sweep *sw = data;

	if (!dev_is_pci(dev))
		return 0;
	if (sw->n == PCIPASS_CLAIM_MEMBERS)
		return -E2BIG;
	sw->m[sw->n++] = pci_dev_get(to_pci_dev(dev));
	return 0;
}

/* Is @pdev's entry (if any) still to be looked at?  How it matches. */
static bool pcipass_sweep_pending(struct pci_dev *pdev,
				  const struct pcipass_persist_id *id, u8 *how)
{
	struct pcipass_persist_entry *e;
	bool pending;

	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, id, how);
	/* a card reported as not matching may still be found moved */
	pending = e && !e->pdev &&
		  (e->state == PCIPASS_PERSIST_ABSENT ||
		   (e->state == PCIPASS_PERSIST_MISMATCH &&
		    *how != PCIPASS_PERSIST_MISMATCH));
	mutex_unlock(&pcipass_persist_lock);
	return pending;
}

/*
 * The member of the group no entry claims for @driver (every member that
 * is not a bridge must be one), or NULL; @driver is set from the first.
 */
static struct pci_dev *pcipass_sweep_stranger(struct pcipass_sweep *sw,
					      char *driver)
{
	struct pcipass_persist_entry *e;
	unsigned int i;
	u8 how = 0;
	bool ok;

	driver[0] = '\0';
	for (i = 0; i < sw->n; i++) {
		struct pci_dev *m = sw->m[i];

		if (pcipass_is_bridge(m))
			continue;
		if (pcipass_persist_id_read(m, &sw->id))
			return m;
		mutex_lock(&pcipass_persist_lock);
		e = pcipass_persist_lookup(m, &sw->id, &how);
		ok = e && how != PCIPASS_PERSIST_MISMATCH &&
		     (!driver[0] || !strcmp(driver, e->driver));
		if (ok)
			strscpy(driver, e->driver, PCIPASS_DRIVER_MAX);
		mutex_unlock(&pcipass_persist_lock);
		if (!ok)
			return m;
	}
	return NULL;
}

/* The group is left alone: each member's entry says why. */
static void pcipass_sweep_leave(struct pcipass_sweep *sw, u32 group,
				struct pci_dev *stranger)
{
	struct pcipass_persist_entry *e;
	unsigned int i;
	u8 how = 0;

	pci_warn(stranger, "is in IOMMU group %u with persisted claims but is not one of them (or names another driver): the group is NOT claimed, left to its host drivers\n",
		 group);
	for (i = 0; i < sw->n; i++) {
		if (pcipass_persist_id_read(sw->m[i], &sw->id))
			continue;
		mutex_lock(&pcipass_persist_lock);
		e = pcipass_persist_lookup(sw->m[i], &sw->id, &how);
		if (e && e->state == PCIPASS_PERSIST_ABSENT) {
			if (how == PCIPASS_PERSIST_MISMATCH)
				pcipass_persist_report(sw->m[i], e, &sw->id, how);
			e->state = how == PCIPASS_PERSIST_MISMATCH ? how :
				   PCIPASS_PERSIST_INCOMPLETE;
		}
		mutex_unlock(&pcipass_persist_lock);
	}
}

/* Every member a persisted claim did not take back to its host driver. */
static void pcipass_sweep_undo(struct pcipass_sweep *sw, const char *driver)
{
	unsigned int i;

	for (i = 0; i < sw->n; i++) {
		if (sw->wrote[i])
			pcipass_persist_undo(sw->m[i], driver);
		pcipass_persist_mark(sw->m[i], PCIPASS_PERSIST_FAILED);
	}
}

/*
 * Every member gets its override now (from here on no host driver can
 * probe one); the claim, which may wait for drivers, is a job.  The
 * entries are taken under the rescan lock, so that a function removed
 * meanwhile is not recorded; never the override writes (on 6.1 they
 * take device_lock, which SR-IOV takes before the rescan lock).
 */
static void pcipass_sweep_claim(struct pcipass_sweep *sw, u32 group,
				const char *driver)
{
	struct pcipass_claim_req req = {
		.group = group,
		.by_group = true,
		.may_load = true,	/* root's module option named it */
		.persisted = true,
	};
	struct pcipass_job_where w;
	struct pcipass_job *job;
	char name[PCIPASS_DRIVER_MAX];
	bool force = false, vga = false, f = false, lost = false;
	unsigned int i;

	pci_lock_rescan_remove();
	for (i = 0; i < sw->n; i++) {
		struct pci_dev *m = sw->m[i];
		bool bridge = pcipass_is_bridge(m);

		sw->wrote[i] = false;
		f = false;
		sw->take[i] = !bridge && device_is_registered(&m->dev) &&
			      !pcipass_persist_id_read(m, &sw->id) &&
			      pcipass_persist_take(m, &sw->id, name, &f);
		/* the boot VGA device's own entry says force, nobody else's */
		if (sw->take[i] && m == vga_default_device()) {
			vga = true;
			force = f;
		}
		/* a member that became unreadable since the stranger check */
		lost |= !bridge && !sw->take[i] && device_is_registered(&m->dev);
	}
	pci_unlock_rescan_remove();
	/* checked before any override: vfio-pci binds those as it loads */
	if (vga && !force) {
		pr_warn("IOMMU group %u holds the boot VGA device: its persisted claim needs force; left to its host drivers\n",
			group);
		pcipass_sweep_undo(sw, driver);
		return;
	}
	if (lost) {
		pr_warn("IOMMU group %u: a member's identity could not be read again; persisted claim NOT applied, left to its host drivers\n",
			group);
		pcipass_sweep_undo(sw, driver);
		return;
	}
	for (i = 0; i < sw->n; i++) {
		if (!sw->take[i])
			continue;
		if (pcipass_persist_override(sw->m[i], driver)) {
			pcipass_sweep_undo(sw, driver);	/* all or nothing */
			return;
		}
		sw->wrote[i] = true;
	}
	strscpy(req.driver, driver, sizeof(req.driver));
	if (force)
		req.flags |= PCIPASS_CLAIM_F_FORCE;
	sw->busy.msg = NULL;	/* not the previous group's */
	job = pcipass_job_submit(PCIPASS_CMD_CLAIM, &req, &sw->busy, &w);
	if (IS_ERR(job)) {
		pr_err("persisted claim of IOMMU group %u not started (%ld): %s; left to its host drivers\n",
		       group, PTR_ERR(job), sw->busy.msg ?: "");
		pcipass_sweep_undo(sw, driver);
		return;
	}
	pcipass_job_put(job);
}

static void pcipass_sweep_group(struct pcipass_sweep *sw, struct pci_dev *pdev)
{
	char driver[PCIPASS_DRIVER_MAX];
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	struct pci_dev *stranger;
	unsigned int i;
	u32 id;
	int err;

	if (!group) {
		pci_err(pdev, "persisted claim NOT applied: no IOMMU group (is the IOMMU on?)\n");
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
		return;
	}
	id = iommu_group_id(group);
	sw->n = 0;
	err = iommu_group_for_each_dev(group, sw, pcipass_sweep_collect);
	iommu_group_put(group);
	if (err) {
		pci_err(pdev, "IOMMU group %u has more than %u PCI functions: persisted claim NOT applied\n",
			id, PCIPASS_CLAIM_MEMBERS);
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
	} else {
		stranger = pcipass_sweep_stranger(sw, driver);
		if (stranger)
			pcipass_sweep_leave(sw, id, stranger);
		else
			pcipass_sweep_claim(sw, id, driver);
	}
	for (i = 0; i < sw->n; i++)
		pci_dev_put(sw->m[i]);
}

/**
 * pcipass_persist_sweep() - claim what is persisted among the functions
 * that exist (module init, once jobs may start)
 */
void pcipass_persist_sweep(void)
{
	struct pci_dev *pdev = NULL;
	struct pcipass_sweep *sw;
	u8 how;

	if (!pcipass_persist_n)
		return;
	sw = kvzalloc(sizeof(*sw), GFP_KERNEL);
	if (!sw) {
		pr_err("no memory to apply the persisted claims\n");
		return;
	}
	for_each_pci_dev(pdev) {
		if (pcipass_persist_id_read(pdev, &sw->id) ||
		    !pcipass_sweep_pending(pdev, &sw->id, &how))
			continue;
		if (how == PCIPASS_PERSIST_MISMATCH)
			pcipass_persist_take(pdev, &sw->id, NULL, NULL);
		else
			pcipass_sweep_group(sw, pdev);
	}
	kvfree(sw);
}
