// SPDX-License-Identifier: GPL-2.0
/*
 * Persisted claims of functions added after load (hotplug, rescan, SR-IOV
 * VFs), matched in the bus notifier's ADD_DEVICE: PCI matches no driver
 * until pci_bus_add_device(), after the notifier, so the override set
 * there decides the first probe.
 *
 * The whole-group rule of the load-time sweep holds here too: a function
 * gets its override only when every function of its IOMMU group that is
 * not a bridge matches an entry for the same driver.  A rescan adds every
 * function of a card before any driver may match one, so when a function
 * no entry names joins the group, the overrides given to its group-mates
 * moments ago are withdrawn while they are still unbound: the group stays
 * whole on its host drivers rather than half on vfio-pci.  (The IOMMU
 * core's own notifier, registered at boot, has put the function in its
 * group before ours runs.)
 *
 * Context: the notifier may run with a PF's device_lock and the rescan
 * lock held (SR-IOV): only the override, the record, the leaf locks and
 * the group's mutex (the IOMMU core takes it in the same context), and
 * the target's module asked for without waiting.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vgaarb.h>
#include <linux/workqueue.h>

#include "claim_int.h"
#include "compat.h"
#include "persist_int.h"

struct pcipass_add_scan {
	struct pcipass_persist_group g;	/* no members: no IOMMU group */
	struct pcipass_persist_id id;
};

/*
 * Nothing loads vfio-pci for an override.  Asked from a work item: even
 * request_module_nowait() waits for modprobe's exec (and up to seconds
 * when many run), which the notifier must not, holding a PF's lock.
 */
static void pcipass_persist_load_fn(struct work_struct *work)
{
	unsigned int i, j;

	for (i = 0; i < pcipass_persist_n; i++) {
		const char *drv = pcipass_persist[i].driver;	/* never changes */

		for (j = 0; j < i; j++)
			if (!strcmp(pcipass_persist[j].driver, drv))
				break;
		if (j == i && !pcipass_driver_registered(drv) &&
		    request_module_nowait("%s", drv))
			pr_warn("persisted claims: cannot ask for module %s; load it, or the functions wait unbound\n",
				drv);
	}
}

static DECLARE_WORK(pcipass_persist_load_work, pcipass_persist_load_fn);

/* The member no entry names for the group's driver, or NULL. */
static struct pci_dev *pcipass_add_stranger(struct pcipass_add_scan *s)
{
	char driver[PCIPASS_DRIVER_MAX] = "";
	unsigned int i;

	for (i = 0; i < s->g.n; i++) {
		struct pci_dev *m = s->g.m[i];

		if (pcipass_is_bridge(m) || !device_is_registered(&m->dev))
			continue;
		if (!pcipass_persist_named(m, &s->id, driver))
			return m;
	}
	return NULL;
}

/*
 * A group-mate given its override at its own ADD_DEVICE, still unbound:
 * the override and record go, it meets its host driver as if nothing
 * were persisted.  One already bound keeps its driver (too late to
 * withdraw without an unbind; a VM will find the group not viable, and
 * pcipass check says why).
 */
static void pcipass_add_withdraw(struct pci_dev *m, struct pci_dev *stranger,
				 u32 group)
{
	char driver[PCIPASS_DRIVER_MAX];

	if (READ_ONCE(m->dev.driver) || !pcipass_rec_drop_persisted(m, driver))
		return;
	pcipass_set_driver_override(m, NULL);
	pcipass_persist_mark(m, PCIPASS_PERSIST_INCOMPLETE);
	pci_warn(m, "persisted claim for %s withdrawn: %s joined IOMMU group %u and no persisted entry names it; left to its host driver\n",
		 driver, pci_name(stranger), group);
}

/* The override and record of a function the group's rule lets through. */
static void pcipass_add_apply(struct pci_dev *pdev)
{
	struct pcipass_persist_id id;
	char driver[PCIPASS_DRIVER_MAX];
	bool force;

	if (pcipass_persist_id_read(pdev, &id) ||
	    !pcipass_persist_take(pdev, &id, driver, &force))
		return;
	if (!force && pdev == vga_default_device()) {
		pci_warn(pdev, "is the boot VGA device: its persisted claim needs force; left to its host driver\n");
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
		return;
	}
	if (pcipass_persist_override(pdev, driver)) {
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
		return;
	}
	/*
	 * Not cleared again without a record: vfio-pci's own notifier may
	 * have written an override on a new VF before ours (a PF a VM owns),
	 * and clearing would let the host's VF driver bind it.
	 */
	if (pcipass_rec_add_persisted(pdev, driver))
		pci_warn(pdev, "its persisted claim is not recorded (no memory): release will not give it back\n");
	if (!pcipass_driver_registered(driver))
		schedule_work(&pcipass_persist_load_work);
}

/* An entry names @pdev, but its group is not whole: reported, not taken. */
static void pcipass_add_refuse(struct pcipass_add_scan *s,
			       struct pci_dev *pdev, struct pci_dev *stranger)
{
	if (pcipass_persist_id_read(pdev, &s->id) ||
	    !pcipass_persist_take(pdev, &s->id, NULL, NULL))
		return;
	pcipass_persist_mark(pdev, PCIPASS_PERSIST_INCOMPLETE);
	if (stranger)
		pci_warn(pdev, "persisted claim NOT applied: %s is in its IOMMU group %u and no persisted entry names it (or names another driver); left to its host driver\n",
			 pci_name(stranger), s->g.id);
	else
		pci_warn(pdev, "persisted claim NOT applied: IOMMU group %u has more than %u PCI functions; left to its host driver\n",
			 s->g.id, PCIPASS_CLAIM_MEMBERS);
}

/**
 * pcipass_persist_added() - a function appeared (BUS_NOTIFY_ADD_DEVICE)
 * @pdev: the function; no driver can have matched it yet
 *
 * A match in a whole group gets its override (its first probe is the
 * target's) and a record, so release gives it to its host driver.
 * Bridges are never claimed; the boot VGA device only with force, as at
 * load.
 *
 * Context: the bus notifier (see the top of this file).
 */
void pcipass_persist_added(struct pci_dev *pdev)
{
	struct pci_dev *stranger = NULL;
	struct pcipass_add_scan *s;
	bool named, big;
	unsigned int i;
	u8 how;

	if (!READ_ONCE(pcipass_persist_n))
		return;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		pci_err(pdev, "no memory to match it against the persisted claims\n");
		return;
	}
	big = pcipass_persist_group_get(pdev, &s->g) == -E2BIG;
	if (!big)
		stranger = pcipass_add_stranger(s);
	how = pcipass_is_bridge(pdev) || pcipass_persist_id_read(pdev, &s->id) ?
	      PCIPASS_PERSIST_ABSENT : pcipass_persist_match(pdev, &s->id);
	/* another card at an entry's path: reported, left alone */
	if (how == PCIPASS_PERSIST_MISMATCH)
		pcipass_persist_take(pdev, &s->id, NULL, NULL);
	named = how == PCIPASS_PERSIST_APPLIED || how == PCIPASS_PERSIST_MOVED;
	if (named && !stranger && !big)
		pcipass_add_apply(pdev);
	else if (named)
		pcipass_add_refuse(s, pdev, stranger);
	for (i = 0; stranger && i < s->g.n; i++)
		if (s->g.m[i] != pdev)
			pcipass_add_withdraw(s->g.m[i], stranger, s->g.id);
	pcipass_persist_group_put(&s->g);
	kfree(s);
}

void pcipass_persist_add_exit(void)
{
	cancel_work_sync(&pcipass_persist_load_work);
}
