// SPDX-License-Identifier: GPL-2.0
/*
 * Persisted claims of functions added after load (hotplug, rescan, SR-IOV
 * VFs), matched in the bus notifier's ADD_DEVICE: PCI matches no driver
 * until pci_bus_add_device(), after the notifier, so the override set
 * there decides the first probe.
 *
 * The whole-group rule of the load-time sweep holds here too: a function
 * gets its override only when every function of its IOMMU group that is
 * not a bridge matches an entry for the same driver and, the new one
 * aside, is claimed for it already (or got its override at its own add
 * and waits for its probe): a named group-mate whose claim was refused,
 * failed or released (a boot GPU without force, a PF left on its host
 * driver) keeps the new function on its host driver too.  A rescan adds
 * every function of a card before any driver may match one, so when a
 * function no entry names joins the group, the overrides given to its
 * group-mates moments ago are withdrawn while they are still unbound: the
 * group stays whole on its host drivers rather than half on vfio-pci.
 * (The IOMMU core's own notifier, registered at boot, has put the function
 * in its group before ours runs.)
 *
 * Context: the notifier may run with a PF's device_lock and the rescan
 * lock held (SR-IOV): only the override, the record, the leaf locks and
 * the group's mutex (the IOMMU core takes it in the same context); no
 * device lock is waited for (6.1's override is under one: only tried),
 * no module loaded and no driver probed here (work items do that).
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
 * Functions whose override was withdrawn after the PCI core offered them
 * to drivers (an SR-IOV PF adds and probes its VFs one by one): the probe
 * turned the host drivers away, so they are offered again, from a work
 * item (a probe must not run in the notifier, under the PF's lock).
 */
struct pcipass_reprobe {
	struct list_head node;
	struct pci_dev *pdev;
};

static LIST_HEAD(pcipass_reprobe_list);
static DEFINE_SPINLOCK(pcipass_reprobe_lock);

static struct pcipass_reprobe *pcipass_reprobe_next(void)
{
	struct pcipass_reprobe *r;

	spin_lock(&pcipass_reprobe_lock);
	r = list_first_entry_or_null(&pcipass_reprobe_list,
				     struct pcipass_reprobe, node);
	if (r)
		list_del(&r->node);
	spin_unlock(&pcipass_reprobe_lock);
	return r;
}

/*
 * Whatever override the function has by now (a claim's, made since)
 * decides which driver may take it: device_attach() matches as at boot,
 * and binds only a function that is still unbound.
 */
static void pcipass_reprobe_one(struct pci_dev *pdev)
{
	bool bound;

	if (pcipass_gone(pdev))
		return;
	/* held past the bound: being probed (or removed) by somebody else */
	if (pcipass_device_lock_bounded(&pdev->dev))
		return;
	bound = pdev->dev.driver;
	device_unlock(&pdev->dev);
	if (!bound)
		pcipass_attach(NULL, pdev);
}

static void pcipass_reprobe_fn(struct work_struct *work)
{
	struct pcipass_reprobe *r;

	while ((r = pcipass_reprobe_next())) {
		pcipass_reprobe_one(r->pdev);
		pci_dev_put(r->pdev);
		kfree(r);
	}
}

static DECLARE_WORK(pcipass_reprobe_work, pcipass_reprobe_fn);

static int pcipass_reprobe(struct pci_dev *pdev)
{
	struct pcipass_reprobe *r = kzalloc(sizeof(*r), GFP_KERNEL);

	if (!r)
		return -ENOMEM;
	r->pdev = pci_dev_get(pdev);
	spin_lock(&pcipass_reprobe_lock);
	list_add_tail(&r->node, &pcipass_reprobe_list);
	spin_unlock(&pcipass_reprobe_lock);
	/* a probe may take long: not on the per-CPU system workqueue */
	queue_work(system_unbound_wq, &pcipass_reprobe_work);
	return 0;
}

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

/*
 * The group-mate that keeps @pdev's group from being whole, or NULL: one
 * no entry names for @pdev's driver, or (@unclaimed) one named but not
 * claimed for it (its claim was refused, failed or released: a boot GPU
 * without force, a PF left on its host driver), which a claim of @pdev
 * alone would leave beside a function on vfio-pci.  @pdev itself when no
 * entry names it.
 */
static struct pci_dev *pcipass_add_stranger(struct pcipass_add_scan *s,
					    struct pci_dev *pdev,
					    bool *unclaimed)
{
	char driver[PCIPASS_DRIVER_MAX] = "";
	unsigned int i;

	*unclaimed = false;
	if (!pcipass_persist_named(pdev, &s->id, driver))
		return pdev;
	for (i = 0; i < s->g.n; i++) {
		struct pci_dev *m = s->g.m[i];

		if (m == pdev || pcipass_is_bridge(m) ||
		    !device_is_registered(&m->dev))
			continue;
		if (!pcipass_persist_named(m, &s->id, driver))
			return m;
		if (!pcipass_rec_holds(m, driver)) {
			*unclaimed = true;
			return m;
		}
	}
	return NULL;
}

/* Does a group-mate of @pdev hold a persisted claim's record to withdraw? */
static bool pcipass_add_mates_claimed(const struct pcipass_add_scan *s,
				      struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < s->g.n; i++)
		if (s->g.m[i] != pdev &&
		    pcipass_rec_has_persisted(s->g.m[i], NULL))
			return true;
	return false;
}

/*
 * A VF whose PF is on @driver: vfio-pci writes its own override on the
 * new VFs of a PF it has (a VM's), the same name as ours.  Clearing it
 * would let the host's VF driver bind a function of the VM's device.
 */
static bool pcipass_add_pf_on(struct pci_dev *vf, const char *driver)
{
	struct device_driver *drv;
	bool on;

	if (!vf->is_virtfn)
		return false;
	drv = pcipass_driver_pin(driver);
	on = drv && READ_ONCE(pci_physfn(vf)->dev.driver) == drv;
	pcipass_driver_unpin(drv);
	return on;
}

/*
 * A group-mate given its override by a persisted claim, still unbound:
 * the override and record go, it meets its host driver as if nothing
 * were persisted.  One already bound keeps its driver (too late to
 * withdraw without an unbind; a VM will find the group not viable, and
 * pcipass check says why).  All of it under the mate's device_lock, only
 * tried (no lock is waited for here): no probe can bind it in between
 * (the target's module may be loading), and a claim holding its record
 * (busy) is left to decide.  Only an override that still names the
 * record's driver is cleared.
 * Return: 0 (withdrawn, our override cleared), -EEXIST (withdrawn, the
 * override left: a PF's, or somebody else's), -ENOENT (nothing to
 * withdraw: bound, or a claim holds it) or -EBUSY (locked).
 */
static int pcipass_add_withdraw_one(struct pci_dev *m, char *driver,
				    bool *pf_on)
{
	int err = -ENOENT;

	if (!device_trylock(&m->dev))
		return pcipass_rec_has_persisted(m, NULL) ? -EBUSY : -ENOENT;
	if (!m->dev.driver && pcipass_rec_drop_persisted(m, driver)) {
		*pf_on = pcipass_add_pf_on(m, driver);
		err = *pf_on ? -EEXIST : pcipass_override_clear_locked(m, driver);
		if (err == -ENOENT)	/* somebody else's now: theirs */
			err = -EEXIST;
	}
	device_unlock(&m->dev);
	return err;
}

static void pcipass_add_withdraw(struct pci_dev *m, struct pci_dev *pdev,
				 u32 group, bool joined)
{
	const char *why = joined ? "joined" : "stays on its host driver in";
	char driver[PCIPASS_DRIVER_MAX] = "";
	bool pf_on = false;
	int err;

	if (READ_ONCE(m->dev.driver) || !pcipass_rec_has_persisted(m, NULL))
		return;
	err = pcipass_add_withdraw_one(m, driver, &pf_on);
	if (err == -EBUSY) {
		pci_warn(m, "persisted claim NOT withdrawn (its device is locked): %s %s IOMMU group %u; the group is not viable until it is claimed too\n",
			 pci_name(pdev), why, group);
		return;
	}
	if (err == -ENOENT)	/* bound, or a claim holds it: as it is */
		return;
	pcipass_persist_mark(m, PCIPASS_PERSIST_INCOMPLETE);
	if (pf_on)
		pci_warn(m, "persisted claim for %s withdrawn: %s %s IOMMU group %u; its PF is on %s, whose own override it keeps\n",
			 driver, pci_name(pdev), why, group, driver);
	else
		pci_warn(m, "persisted claim for %s withdrawn: %s %s IOMMU group %u%s; left to its host driver\n",
			 driver, pci_name(pdev), why, group,
			 joined ? " and no persisted entry names it" : "");
	/* offered to drivers already, and turned away by our override */
	if (!err && READ_ONCE(m->match_driver) && pcipass_reprobe(m))
		pci_err(m, "not offered to its host driver again (no memory): bind it by hand\n");
}

/*
 * The group's member array could not be had (-ENOMEM, -EAGAIN: the group
 * kept changing, -E2BIG): its mates are looked for among every PCI
 * function instead, which allocates nothing, so that an override a mate
 * got moments before still goes back.  Return: how many mates pcipass
 * held a persisted claim of.
 */
static unsigned int pcipass_add_withdraw_walk(struct pci_dev *pdev, u32 id,
					      bool joined)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	struct iommu_group *mg;
	struct pci_dev *m = NULL;
	unsigned int held = 0;

	if (!group)
		return 0;
	while ((m = pcipass_dev_next(m))) {
		if (m == pdev)
			continue;
		mg = iommu_group_get(&m->dev);
		if (mg == group && pcipass_rec_has_persisted(m, NULL)) {
			held++;
			pcipass_add_withdraw(m, pdev, id, joined);
		}
		iommu_group_put(mg);
	}
	iommu_group_put(group);
	return held;
}

/*
 * The override and record of a function the group's rule lets through.
 * Return: false when it stays on its host driver after all (the boot VGA
 * device without force, an override that could not be written).
 */
static bool pcipass_add_apply(struct pci_dev *pdev)
{
	struct pcipass_persist_id id;
	char driver[PCIPASS_DRIVER_MAX];
	bool force;
	int err;

	if (pcipass_persist_id_read(pdev, &id) ||
	    !pcipass_persist_take(pdev, &id, driver, &force))
		return false;
	if (!force && pdev == vga_default_device()) {
		pci_warn(pdev, "is the boot VGA device: its persisted claim needs force; left to its host driver\n");
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
		return false;
	}
	/* no lock is waited for here (6.1: the override's is only tried) */
	err = pcipass_persist_override(pdev, driver, 0);
	if (err == -EBUSY)
		pci_warn(pdev, "persisted claim for %s NOT applied: its device is locked; left to its host driver\n",
			 driver);
	if (err) {
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
		return false;
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
	return true;
}

/* An entry names @pdev, but its group is not whole: reported, not taken. */
static void pcipass_add_refuse(struct pcipass_add_scan *s,
			       struct pci_dev *pdev, int err,
			       struct pci_dev *stranger, bool unclaimed)
{
	char driver[PCIPASS_DRIVER_MAX];
	bool force;

	if (pcipass_persist_id_read(pdev, &s->id) ||
	    !pcipass_persist_take(pdev, &s->id, driver, &force))
		return;
	pcipass_persist_mark(pdev, err ? PCIPASS_PERSIST_FAILED :
				   PCIPASS_PERSIST_INCOMPLETE);
	if (err == -ENODEV)
		pci_err(pdev, "persisted claim NOT applied: no IOMMU group (is the IOMMU on?); left to its host driver\n");
	else if (err == -E2BIG)
		pci_warn(pdev, "persisted claim NOT applied: IOMMU group %u has more than %u PCI functions; left to its host driver\n",
			 s->g.id, PCIPASS_CLAIM_MEMBERS_MAX);
	else if (err)
		pci_warn(pdev, "persisted claim NOT applied: IOMMU group %u could not be read (%d); left to its host driver\n",
			 s->g.id, err);
	else if (unclaimed)
		pci_warn(pdev, "persisted claim NOT applied: %s is in its IOMMU group %u and is not claimed for %s (its claim was refused, failed or released, or a claim or release of it runs); left to its host driver\n",
			 pci_name(stranger), s->g.id, driver);
	else
		pci_warn(pdev, "persisted claim NOT applied: %s is in its IOMMU group %u and no persisted entry names it (or names another driver); left to its host driver\n",
			 pci_name(stranger), s->g.id);
}

/**
 * pcipass_persist_added() - a function appeared (BUS_NOTIFY_ADD_DEVICE)
 * @pdev: the function; no driver can have matched it yet
 *
 * A match in a whole group gets its override (its first probe is the
 * target's) and a record, so release gives it to its host driver.
 * Bridges are never claimed; the boot VGA device only with force, as at
 * load.  A group nothing of which is persisted costs one identity read.
 *
 * Context: the bus notifier (see the top of this file).
 */
void pcipass_persist_added(struct pci_dev *pdev)
{
	struct pci_dev *stranger = NULL;
	struct pcipass_add_scan *s;
	bool named, unclaimed = false, taken = false;
	unsigned int i;
	int err;
	u8 how;

	if (!READ_ONCE(pcipass_persist_n) || pcipass_is_bridge(pdev))
		return;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		pci_err(pdev, "no memory to match it against the persisted claims\n");
		return;
	}
	how = pcipass_persist_id_read(pdev, &s->id) ? PCIPASS_PERSIST_ABSENT :
	      pcipass_persist_match(pdev, &s->id);
	/* another card at an entry's path: reported, left alone */
	if (how == PCIPASS_PERSIST_MISMATCH)
		pcipass_persist_take(pdev, &s->id, NULL, NULL);
	named = how == PCIPASS_PERSIST_APPLIED || how == PCIPASS_PERSIST_MOVED;
	err = pcipass_persist_group_get(pdev, &s->g);
	if (err && err != -ENODEV) {
		/* Not taken: its members are not known. */
		if (named)
			pcipass_add_refuse(s, pdev, err, NULL, false);
		if (pcipass_add_withdraw_walk(pdev, s->g.id, !named) && !named)
			pci_warn(pdev, "IOMMU group %u could not be read (%d): the persisted claims of its group-mates were withdrawn\n",
				 s->g.id, err);
	} else if (named || pcipass_add_mates_claimed(s, pdev)) {
		if (!err)
			stranger = pcipass_add_stranger(s, pdev, &unclaimed);
		if (named && !stranger && !err)
			taken = pcipass_add_apply(pdev);
		else if (named)
			pcipass_add_refuse(s, pdev, err, stranger, unclaimed);
		/*
		 * Not taken (no entry names it, its group is not whole, the
		 * boot VGA device without force): what its group-mates got
		 * moments before goes back, or the group would be half on
		 * the target.
		 */
		for (i = 0; !taken && i < s->g.n; i++)
			if (s->g.m[i] != pdev)
				pcipass_add_withdraw(s->g.m[i], pdev, s->g.id,
						     !named);
	}
	pcipass_persist_group_put(&s->g);
	kfree(s);
}

/**
 * pcipass_persist_add_stop() - wait for the add path's work items
 *
 * Called once the bus notifier is unregistered (nothing queues them any
 * more) and before the claim records go: the module load is not needed
 * any more, the functions waiting for their host driver get it.
 *
 * Context: process; the bus notifier unregistered.
 */
void pcipass_persist_add_stop(void)
{
	cancel_work_sync(&pcipass_persist_load_work);
	flush_work(&pcipass_reprobe_work);
}
