// SPDX-License-Identifier: GPL-2.0
/*
 * Persisted claims (see persist.h): each entry of claims= is matched
 * against PCI functions by path and identity, and a match gets its
 * driver_override before any driver can probe it.
 *
 * At load (pcipass_persist_sweep(), the end of module init: from the
 * initramfs that is before udev's coldplug) every function is matched, and
 * a group is claimed only when every function in it that is not a bridge
 * matches an entry for the same driver: anything else in the group (a new
 * card, a changed one) leaves the whole group to its host drivers, logged.
 * Members get the override at once (no host driver may probe them from
 * here on); the claim itself (unbind what a built-in driver holds, bind,
 * verify, roll back, records for release) is a job like any claim.
 *
 * Functions added later (hotplug, rescan, SR-IOV VFs) are matched in the
 * bus notifier's ADD_DEVICE: PCI matches no driver until
 * pci_bus_add_device(), after the notifier, so the override set there
 * decides the first probe.  The notifier may run with a PF's device_lock
 * and the rescan lock held: it only sets the override and records the
 * claim, and asks for the target's module without waiting.
 *
 * Matching: an entry matches the function at its path when the IDs (and
 * the serial number, when both have one) agree; a function with other IDs
 * there is reported and left alone.  A function elsewhere with the entry's
 * serial number, IDs and function number is the same card moved: it is
 * followed and reported.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "claim_int.h"
#include "compat.h"
#include "persist.h"

static bool persist = true;
module_param(persist, bool, 0444);
MODULE_PARM_DESC(persist,
		 "apply the persisted claims of claims= (pcipass.persist=0 on the kernel command line: boot with none)");

static char *claims;
module_param(claims, charp, 0444);
MODULE_PARM_DESC(claims,
		 "persisted claims, written by 'pcipass claim --persist': PATH,VVVV:DDDD[,sub=SVVV:SDDD][,dsn=HEX][,driver=NAME][,force];...");

static DEFINE_MUTEX(pcipass_persist_lock);
static struct pcipass_persist_entry *pcipass_persist;
static unsigned int pcipass_persist_n;

/* What a function is, read once outside the lock. */
struct pcipass_persist_id {
	struct pcipass_path path;
	u64 dsn;
	char path_text[64];
};

static int pcipass_persist_id_read(struct pci_dev *pdev,
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

	return e->dsn && e->dsn == id->dsn &&
	       pcipass_ids_match(e, pdev, id->dsn) && p->vf == id->path.vf &&
	       PCI_FUNC(p->devfn[p->nr_hops - 1]) ==
	       PCI_FUNC(id->path.devfn[id->path.nr_hops - 1]) &&
	       (!e->pdev || e->pdev == pdev);
}

/*
 * The entry for @pdev and how it matches (APPLIED, MOVED, MISMATCH), or
 * NULL.  Caller holds pcipass_persist_lock.
 */
static struct pcipass_persist_entry *
pcipass_persist_lookup(struct pci_dev *pdev,
		       const struct pcipass_persist_id *id, u8 *how)
{
	struct pcipass_persist_entry *e;
	unsigned int i;

	lockdep_assert_held(&pcipass_persist_lock);
	for (i = 0; i < pcipass_persist_n; i++) {
		e = &pcipass_persist[i];
		if (pcipass_path_eq(&e->path, &id->path)) {
			*how = pcipass_ids_match(e, pdev, id->dsn) ?
			       PCIPASS_PERSIST_APPLIED :
			       PCIPASS_PERSIST_MISMATCH;
			return e;
		}
	}
	for (i = 0; i < pcipass_persist_n; i++) {
		e = &pcipass_persist[i];
		if (pcipass_moved_match(e, pdev, id)) {
			*how = PCIPASS_PERSIST_MOVED;
			return e;
		}
	}
	return NULL;
}

static void pcipass_persist_report(struct pci_dev *pdev,
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
static bool pcipass_persist_take(struct pci_dev *pdev,
				 const struct pcipass_persist_id *id,
				 char *driver, bool *force)
{
	struct pcipass_persist_entry *e;
	u8 how = 0;

	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, id, &how);
	if (e && e->pdev != pdev) {
		pcipass_persist_report(pdev, e, id, how);
		e->state = how;
		if (how != PCIPASS_PERSIST_MISMATCH) {
			pci_dev_put(e->pdev);
			e->pdev = pci_dev_get(pdev);
		}
	}
	if (e && how != PCIPASS_PERSIST_MISMATCH) {
		strscpy(driver, e->driver, PCIPASS_DRIVER_MAX);
		*force = e->force;
	}
	mutex_unlock(&pcipass_persist_lock);
	return e && how != PCIPASS_PERSIST_MISMATCH;
}

static int pcipass_persist_override(struct pci_dev *pdev, const char *driver)
{
	int err = pcipass_set_driver_override(pdev, driver);

	/* The function boots onto its host driver: say so loudly. */
	if (err)
		pci_err(pdev, "persisted claim for %s NOT applied: driver_override failed (%d)\n",
			driver, err);
	return err;
}

/**
 * pcipass_persist_added() - a function appeared (BUS_NOTIFY_ADD_DEVICE)
 * @pdev: the function; no driver can have matched it yet
 *
 * A match gets its override (its first probe is the target's) and a
 * record, so release gives it to its host driver.
 */
void pcipass_persist_added(struct pci_dev *pdev)
{
	struct pcipass_persist_id id;
	char driver[PCIPASS_DRIVER_MAX];
	bool force;

	if (!READ_ONCE(pcipass_persist_n) ||
	    pcipass_persist_id_read(pdev, &id) ||
	    !pcipass_persist_take(pdev, &id, driver, &force))
		return;
	if (pcipass_persist_override(pdev, driver))
		return;
	if (pcipass_rec_add_persisted(pdev, driver))
		pci_warn(pdev, "its persisted claim is not recorded (no memory): release will not give it back\n");
	/* vfio-pci is never loaded for an override: ask, do not wait. */
	if (!pcipass_driver_registered(driver))
		request_module_nowait("%s", driver);
}

/* BUS_NOTIFY_DEL_DEVICE: the entry is looked for again. */
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
static void pcipass_persist_mark(struct pci_dev *pdev, u8 state)
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

/* --- At load: whole groups ---------------------------------------------- */

struct pcipass_sweep {
	unsigned int n;
	struct pci_dev *m[PCIPASS_CLAIM_MEMBERS];
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
	pending = e && e->state == PCIPASS_PERSIST_ABSENT;
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

/*
 * Every member gets its override now (from here on no host driver can
 * probe one); the claim, which may wait for drivers, is a job.
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
	bool force = false, f;
	unsigned int i;

	for (i = 0; i < sw->n; i++) {
		struct pci_dev *m = sw->m[i];

		if (pcipass_is_bridge(m) || pcipass_persist_id_read(m, &sw->id) ||
		    !pcipass_persist_take(m, &sw->id, name, &f))
			continue;
		force |= f;
		if (pcipass_persist_override(m, driver)) {
			/* all or nothing: the group goes to its host drivers */
			while (i-- > 0)
				if (!pcipass_is_bridge(sw->m[i]))
					pcipass_set_driver_override(sw->m[i], NULL);
			for (i = 0; i < sw->n; i++)
				pcipass_persist_mark(sw->m[i], PCIPASS_PERSIST_FAILED);
			return;
		}
	}
	strscpy(req.driver, driver, sizeof(req.driver));
	if (force)
		req.flags |= PCIPASS_CLAIM_F_FORCE;
	job = pcipass_job_submit(PCIPASS_CMD_CLAIM, &req, &sw->busy, &w);
	if (IS_ERR(job)) {
		pr_err("persisted claim of IOMMU group %u not started (%ld): %s\n",
		       group, PTR_ERR(job), sw->busy.msg ?: "");
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
	stranger = err ? pdev : pcipass_sweep_stranger(sw, driver);
	if (stranger)
		pcipass_sweep_leave(sw, id, stranger);
	else
		pcipass_sweep_claim(sw, id, driver);
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
	pcipass_persist = kcalloc(PCIPASS_PERSIST_MAX,
				  sizeof(*pcipass_persist), GFP_KERNEL);
	if (!copy || !pcipass_persist) {
		pr_err("no memory for the persisted claims: none applied\n");
		kfree(pcipass_persist);
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
	kfree(pcipass_persist);
}

/**
 * pcipass_persist_done() - a persisted claim's job ended
 * @req: its request
 * @rep: its report
 * @err: its result
 *
 * Nobody waits for these jobs: the kernel log is where they are reported.
 */
void pcipass_persist_done(const struct pcipass_claim_req *req,
			  const struct pcipass_claim_report *rep, int err)
{
	unsigned int i;

	if (!err) {
		pr_info("persisted claim: IOMMU group %u on %s\n", rep->group,
			rep->driver);
		return;
	}
	pr_err("persisted claim of IOMMU group %u for %s FAILED (%d): %s\n",
	       rep->group, rep->driver, err, rep->msg ?: "");
	mutex_lock(&pcipass_persist_lock);
	for (i = 0; i < pcipass_persist_n; i++) {
		struct pci_dev *pdev = pcipass_persist[i].pdev;

		struct iommu_group *group;

		group = pdev ? iommu_group_get(&pdev->dev) : NULL;
		if (group && rep->has_group && iommu_group_id(group) == rep->group)
			pcipass_persist[i].state = PCIPASS_PERSIST_FAILED;
		iommu_group_put(group);
	}
	mutex_unlock(&pcipass_persist_lock);
}
