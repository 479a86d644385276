// SPDX-License-Identifier: GPL-2.0
/*
 * Persisted claims (see persist.h): each entry of claims= is matched
 * against PCI functions by path and identity, and a match gets its
 * driver_override before any driver can probe it.
 *
 * At load, persist_sweep.c matches whole groups and persist_job.c claims
 * them; this file holds the entries, matches functions against them and
 * records what it found.
 *
 * Functions added later (hotplug, rescan, SR-IOV VFs): persist_add.c.
 *
 * Matching: an entry matches the function at its path when the IDs (and
 * the serial number, when both have one) agree; a function with other IDs
 * there is reported and left alone.  A function elsewhere with the entry's
 * serial number, IDs and function number is the same card moved: it is
 * followed and reported.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "claim_int.h"
#include "compat.h"
#include "persist.h"
#include "persist_int.h"

static bool persist = true;
module_param(persist, bool, 0444);
MODULE_PARM_DESC(persist,
		 "apply the persisted claims of claims= (pcipass.persist=0 on the kernel command line: boot with none)");

static char *claims;
module_param(claims, charp, 0400);
MODULE_PARM_DESC(claims,
		 "persisted claims, written by 'pcipass claim --persist': PATH,VVVV:DDDD[,sub=SVVV:SDDD][,dsn=HEX][,driver=NAME][,force];...");

/* Lock order: a leaf; never held across override writes, device_lock or jobs. */
DEFINE_MUTEX(pcipass_persist_lock);
struct pcipass_persist_entry *pcipass_persist;	/* set at init, then fixed */
unsigned int pcipass_persist_n;

int pcipass_persist_id_read(struct pci_dev *pdev,
			    struct pcipass_persist_id *id)
{
	int err = pcipass_path_of(pdev, &id->path);

	if (err)
		return err;
	/* All-ones: the function does not answer (D3cold, error): none. */
	id->dsn = pci_get_dsn(pdev);
	if (id->dsn == ~0ULL)
		id->dsn = 0;
	pcipass_path_print(&id->path, id->path_text, sizeof(id->path_text));
	return 0;
}

/*
 * @pdev's group and members.  Return: 0, -ENODEV (no IOMMU group), -E2BIG
 * (more members than a claim takes), -ENOMEM or -EAGAIN (the group kept
 * changing); pcipass_persist_group_put() in every case.
 */
int pcipass_persist_group_get(struct pci_dev *pdev,
			      struct pcipass_persist_group *g)
{
	struct iommu_group *group = iommu_group_get(&pdev->dev);
	int n;

	g->n = 0;
	g->m = NULL;
	if (!group)
		return -ENODEV;
	g->id = iommu_group_id(group);
	n = pcipass_group_devs(group, &g->m);
	iommu_group_put(group);
	if (n < 0)
		return n;
	g->n = n;
	return 0;
}

void pcipass_persist_group_put(struct pcipass_persist_group *g)
{
	pcipass_group_devs_put(g->m, g->n);
	g->m = NULL;
	g->n = 0;
}

static bool pcipass_ids_match(const struct pcipass_persist_entry *e,
			      struct pci_dev *pdev, u64 dsn)
{
	return pdev->vendor == e->vendor && pdev->device == e->device &&
	       (!e->has_sub || (pdev->subsystem_vendor == e->sub_vendor &&
				pdev->subsystem_device == e->sub_device)) &&
	       (!e->dsn || !dsn || e->dsn == dsn);
}

/* The same card at another path: serial, IDs, function and VF number. */
static bool pcipass_moved_match(const struct pcipass_persist_entry *e,
				struct pci_dev *pdev,
				const struct pcipass_persist_id *id)
{
	const struct pcipass_path *p = &e->path;

	/*
	 * The whole devfn of the last hop: with ARI the function number
	 * spans the device bits, and a card below a port is device 0 in
	 * every slot.  PFs of one card often share IDs and serial number.
	 */
	return e->dsn && e->dsn == id->dsn &&
	       pcipass_ids_match(e, pdev, id->dsn) && p->vf == id->path.vf &&
	       p->devfn[p->nr_hops - 1] ==
	       id->path.devfn[id->path.nr_hops - 1] &&
	       (!e->pdev || e->pdev == pdev);
}

/*
 * The entry for @pdev and how it matches (APPLIED, MOVED, MISMATCH), or
 * NULL.  Caller holds pcipass_persist_lock.
 */
struct pcipass_persist_entry *
pcipass_persist_lookup(struct pci_dev *pdev,
		       const struct pcipass_persist_id *id, u8 *how)
{
	struct pcipass_persist_entry *e, *here = NULL;
	unsigned int i;

	lockdep_assert_held(&pcipass_persist_lock);
	for (i = 0; i < pcipass_persist_n && !here; i++) {
		e = &pcipass_persist[i];
		if (!pcipass_path_eq(&e->path, &id->path))
			continue;
		if (pcipass_ids_match(e, pdev, id->dsn)) {
			*how = PCIPASS_PERSIST_APPLIED;
			return e;
		}
		here = e;
	}
	/* another card at an entry's path may still be one that moved */
	for (i = 0; i < pcipass_persist_n; i++) {
		e = &pcipass_persist[i];
		if (pcipass_moved_match(e, pdev, id)) {
			*how = PCIPASS_PERSIST_MOVED;
			return e;
		}
	}
	if (here)
		*how = PCIPASS_PERSIST_MISMATCH;
	return here;
}

/* How an entry matches @pdev (APPLIED, MOVED, MISMATCH), or ABSENT. */
u8 pcipass_persist_match(struct pci_dev *pdev,
			 const struct pcipass_persist_id *id)
{
	u8 how = PCIPASS_PERSIST_ABSENT;

	mutex_lock(&pcipass_persist_lock);
	if (!pcipass_persist_lookup(pdev, id, &how))
		how = PCIPASS_PERSIST_ABSENT;
	mutex_unlock(&pcipass_persist_lock);
	return how;
}

/*
 * Does an entry name @pdev (at its path, or moved there) for @driver?  An
 * empty @driver takes the entry's and is set to it: the first member of a
 * group decides the driver the others must be named for.  Fills @id.
 */
bool pcipass_persist_named(struct pci_dev *pdev, struct pcipass_persist_id *id,
			   char *driver)
{
	struct pcipass_persist_entry *e;
	u8 how = 0;
	bool ok;

	if (pcipass_persist_id_read(pdev, id))
		return false;
	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, id, &how);
	ok = e && how != PCIPASS_PERSIST_MISMATCH &&
	     (!driver[0] || !strcmp(driver, e->driver));
	if (ok && !driver[0])
		strscpy(driver, e->driver, PCIPASS_DRIVER_MAX);
	mutex_unlock(&pcipass_persist_lock);
	return ok;
}

void pcipass_persist_report(struct pci_dev *pdev,
			    const struct pcipass_persist_entry *e,
			    const struct pcipass_persist_id *id, u8 how)
{
	char was[64];

	pcipass_path_print(&e->path, was, sizeof(was));
	switch (how) {
	case PCIPASS_PERSIST_APPLIED:
		pci_info(pdev, "persisted claim for %s (path %s)\n", e->driver,
			 id->path_text);
		break;
	case PCIPASS_PERSIST_MOVED:
		pci_warn(pdev, "persisted claim for %s: this card (serial %016llx) moved from %s to %s; claimed here\n",
			 e->driver, e->dsn, was, id->path_text);
		break;
	case PCIPASS_PERSIST_MISMATCH:
		pci_warn(pdev, "NOT claimed: a claim for %s is persisted for %04x:%04x%s at %s, but this is %04x:%04x (subsystem %04x:%04x, serial %016llx); left to its host driver\n",
			 e->driver, e->vendor, e->device,
			 e->dsn ? " with another serial number" : "", was,
			 pdev->vendor, pdev->device, pdev->subsystem_vendor,
			 pdev->subsystem_device, id->dsn);
		break;
	}
}

/* Record a match; Return: the entry's driver copied to @driver, or false. */
bool pcipass_persist_take(struct pci_dev *pdev,
			  const struct pcipass_persist_id *id, char *driver,
			  bool *force)
{
	struct pcipass_persist_entry *e;
	u8 how = 0;

	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, id, &how);
	if (e && how == PCIPASS_PERSIST_MISMATCH) {
		if (e->state != PCIPASS_PERSIST_MISMATCH && !e->pdev) {
			pcipass_persist_report(pdev, e, id, how);
			e->state = how;
		}
	} else if (e && e->pdev != pdev) {
		pcipass_persist_report(pdev, e, id, how);
		e->state = how;
		pci_dev_put(e->pdev);
		e->pdev = pci_dev_get(pdev);
	}
	if (e && how != PCIPASS_PERSIST_MISMATCH && driver) {
		strscpy(driver, e->driver, PCIPASS_DRIVER_MAX);
		*force = e->force;
	}
	mutex_unlock(&pcipass_persist_lock);
	return e && how != PCIPASS_PERSIST_MISMATCH;
}

/*
 * Set a persisted claim's override, waiting at most @ms for the function's
 * lock (6.1).  Return: 0, -EBUSY (still locked: the caller says what that
 * means for it), or another error, logged (the function boots onto its
 * host driver).
 */
int pcipass_persist_override(struct pci_dev *pdev, const char *driver,
			     unsigned int ms)
{
	int err = pcipass_override_set_within(pdev, driver, ms);

	if (err && err != -EBUSY)
		pci_err(pdev, "persisted claim for %s NOT applied: driver_override failed (%d)\n",
			driver, err);
	return err;
}

static void pcipass_persist_undo_busy(struct pci_dev *pdev, const char *driver)
{
	pci_warn(pdev, "persisted claim not applied; the function is busy, its driver_override (%s) is left as it is\n",
		 driver);
}

/*
 * A persisted claim that did not happen: the override pcipass wrote goes,
 * and whatever driver matches may take the function, as after a
 * rollback.  Probed again also when it is unbound with no override left
 * (a rollback cleared it): the host driver the override turned away while
 * the claim waited (udev loads it meanwhile) gets it now, and nothing is
 * left without a driver.  Not a function claimed after all: it has a
 * record.
 */
void pcipass_persist_undo(struct pci_dev *pdev, const char *driver)
{
	struct device *dev = &pdev->dev;
	char cur[PCIPASS_DRIVER_MAX];
	bool rec, theirs, on_target, unbound;
	int err;

	spin_lock(&pcipass_rec_lock);
	rec = pcipass_rec_find(pdev);
	spin_unlock(&pcipass_rec_lock);
	if (rec)
		return;
	if (pcipass_device_lock_bounded(dev)) {
		pcipass_persist_undo_busy(pdev, driver);
		return;
	}
	/* 0: ours, cleared; -ENOENT: none, or somebody else's */
	err = pcipass_override_clear_locked(pdev, driver);
	theirs = err && pcipass_read_driver_override(pdev, cur, sizeof(cur));
	unbound = !dev->driver;
	on_target = !err && dev->driver && !strcmp(dev->driver->name, driver);
	device_unlock(dev);
	/* their override is theirs to keep; a host driver took it: as it is */
	if (theirs || (!unbound && !on_target))
		return;
	if (on_target)
		pcipass_unbind(pdev);
	pcipass_attach(NULL, pdev);
	pci_info(pdev, "persisted claim not applied: %s, left to its host driver\n",
		 err ? "offered to drivers again" : "override removed");
}

/*
 * BUS_NOTIFY_DEL_DEVICE, and again at REMOVED_DEVICE: the entry is looked
 * for again.  The second call drops what the load-time sweep may have
 * taken in between (a VF its PF driver removes without the rescan lock
 * is still registered until after DEL).
 */
void pcipass_persist_removed(struct pci_dev *pdev)
{
	unsigned int i;

	if (!READ_ONCE(pcipass_persist_n))
		return;
	mutex_lock(&pcipass_persist_lock);
	for (i = 0; i < pcipass_persist_n; i++) {
		if (pcipass_persist[i].pdev == pdev) {
			pcipass_persist[i].pdev = NULL;
			pcipass_persist[i].state = PCIPASS_PERSIST_ABSENT;
			pci_dev_put(pdev);
		}
	}
	mutex_unlock(&pcipass_persist_lock);
}

/* Set the state of @pdev's entry (not of one it does not match). */
void pcipass_persist_mark(struct pci_dev *pdev, u8 state)
{
	struct pcipass_persist_entry *e;
	struct pcipass_persist_id id;
	u8 how = 0;

	if (pcipass_persist_id_read(pdev, &id))
		return;
	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, &id, &how);
	if (e && how != PCIPASS_PERSIST_MISMATCH)
		e->state = state;
	mutex_unlock(&pcipass_persist_lock);
}

/* Does entry @n have the path of an earlier one?  The lookup would only
 * ever see the first: one function, one entry.
 */
static bool __init pcipass_persist_dup(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pcipass_path_eq(&pcipass_persist[i].path,
				    &pcipass_persist[n].path))
			return true;
	return false;
}

/**
 * pcipass_persist_parse() - read claims= (module init, before the notifier)
 *
 * A malformed entry is skipped with its position in the log: the others
 * still protect their functions.
 */
void __init pcipass_persist_parse(void)
{
	char *copy, *s, *one;
	unsigned int n = 0, pos = 0;
	int err;

	if (!claims || !*claims)
		return;
	if (!persist) {
		pr_warn("persisted claims not applied: persist=0 (kernel command line pcipass.persist=0)\n");
		return;
	}
	copy = kstrdup(claims, GFP_KERNEL);
	pcipass_persist = kvcalloc(PCIPASS_PERSIST_MAX,
				   sizeof(*pcipass_persist), GFP_KERNEL);
	if (!copy || !pcipass_persist) {
		pr_err("no memory for the persisted claims: none applied\n");
		kvfree(pcipass_persist);
		pcipass_persist = NULL;
		kfree(copy);
		return;
	}
	s = copy;
	while ((one = strsep(&s, ";"))) {
		pos++;
		if (!*one)
			continue;
		if (n == PCIPASS_PERSIST_MAX) {
			pr_err("claims=: more than %u entries; entry %u and after ignored\n",
			       PCIPASS_PERSIST_MAX, pos);
			break;
		}
		err = pcipass_persist_entry_parse(one, &pcipass_persist[n]);
		if (err)
			pr_err("claims=: entry %u is malformed (%d); ignored\n",
			       pos, err);
		else if (pcipass_persist_dup(n))
			pr_err("claims=: entry %u names a path an earlier entry names; ignored\n",
			       pos);
		else
			n++;
	}
	kfree(copy);
	pcipass_persist_n = n;
	pr_info("%u persisted claim%s\n", n, n == 1 ? "" : "s");
}

void pcipass_persist_exit(void)
{
	unsigned int i;

	for (i = 0; i < pcipass_persist_n; i++)
		pci_dev_put(pcipass_persist[i].pdev);
	kvfree(pcipass_persist);
}
