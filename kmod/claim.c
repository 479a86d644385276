// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass claim: one IOMMU group to one driver, all or nothing.
 *
 * A claim runs, under pcipass_claim_lock:
 *   collect   - references to every PCI member (iommu_group_for_each_dev()
 *               only takes references: probe takes device_lock and then
 *               the group mutex, so nothing more may happen in there);
 *   pre-flight- the target driver (module loaded on demand and pinned), each
 *               member's driver (pinned) and override, a VFIO user (a VM)
 *               holding the group (claim and release), SR-IOV, safety;
 *   execute   - override on every member first, so no other driver can
 *               take a member between unbind and bind; unbind (VFs before
 *               their PF); bind (PFs before VFs); verify;
 *   rollback  - on any failure, in reverse: every override restored first,
 *               then the target unbound and the originals bound again.
 * Bridges are never bound to the target (VFIO refuses them); they stay on
 * a driver that leaves DMA to VFIO (pcieport), and one on any other driver
 * (shpchp) is unbound, or the group would not be viable.  What a
 * successful claim changed is remembered per function (struct pcipass_rec,
 * made pending before the first change, kept only when the claim succeeds)
 * until release gives it back or the function goes away; it does not
 * survive unloading the module.
 *
 * Lock ordering: see claim.h.  No device_lock is held by pcipass across
 * device_release_driver() / device_driver_attach(): both take it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/delay.h>
#include <linux/iommu.h>
#include <linux/kmod.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "claim.h"
#include "compat.h"

static DEFINE_MUTEX(pcipass_claim_lock);
static DEFINE_SPINLOCK(pcipass_rec_lock);
static LIST_HEAD(pcipass_recs);

/* How long a claim waits for a target driver's module to register it. */
#define PCIPASS_MODULE_WAIT_MS	10000
#define PCIPASS_MODULE_POLL_MS	50

/**
 * struct pcipass_rec - what a claim changed on one function
 * @node: in pcipass_recs
 * @pdev: the function (reference held)
 * @busy: a release is working on it; the bus notifier only marks @gone
 * @pending: made by the claim in progress, which commits or drops it; the
 *           bus notifier only marks @gone
 * @gone: the function was removed while @busy or @pending
 * @orig_driver: driver before the claim, NULL when unbound
 * @orig_override: driver_override before the claim, NULL when none
 * @driver: the driver it was claimed for
 */
struct pcipass_rec {
	struct list_head node;
	struct pci_dev *pdev;
	bool busy;
	bool pending;
	bool gone;
	char *orig_driver;
	char *orig_override;
	char driver[PCIPASS_DRIVER_MAX];
};

/**
 * struct pcipass_tx_member - one member during a transaction
 * @pdev: the function (reference held)
 * @orig: its driver before (module pinned), NULL when unbound
 * @orig_override: its full override before, NULL when none
 * @rec: its record (release only)
 * @new_rec: the record this claim made for it (pending until commit)
 * @bridge: a bridge: VFIO never takes one
 * @detach: a bridge on a driver that does not leave DMA to VFIO (shpchp):
 *          the group is not viable until it is unbound, so the claim
 *          unbinds it (and release binds it again)
 * @touched: the transaction changed its override or driver
 * @out: its line in the report
 */
struct pcipass_tx_member {
	struct pci_dev *pdev;
	struct device_driver *orig;
	char *orig_override;
	struct pcipass_rec *rec;
	struct pcipass_rec *new_rec;
	bool bridge;
	bool detach;
	bool touched;
	struct pcipass_claim_member *out;
};

/**
 * struct pcipass_tx - one claim or release
 * @req: the request
 * @rep: the report
 * @target: the target driver (module pinned)
 * @n: members in @m
 * @m: members: PFs and other functions first, VFs last
 * @scratch: a page to read overrides into under their lock
 * @group: the group (reference held), to ask who owns its DMA
 */
struct pcipass_tx {
	const struct pcipass_claim_req *req;
	struct pcipass_claim_report *rep;
	struct device_driver *target;
	struct iommu_group *group;
	unsigned int n;
	struct pcipass_tx_member m[PCIPASS_CLAIM_MEMBERS];
	char *scratch;
};

static __printf(4, 5) int pcipass_fail(struct pcipass_claim_report *rep,
				       u8 field, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(rep->msg_buf, sizeof(rep->msg_buf), fmt, args);
	va_end(args);
	rep->msg = rep->msg_buf;
	rep->bad_attr = field;
	return err;
}

/* An address as text, for messages: pcipass_astr(&addr).s */
struct pcipass_astr {
	char s[16];
};

static struct pcipass_astr pcipass_astr(const struct pcipass_addr *a)
{
	struct pcipass_astr out;

	scnprintf(out.s, sizeof(out.s), "%04x:%02x:%02x.%d", a->domain,
		  a->bus, PCI_SLOT(a->devfn), PCI_FUNC(a->devfn));
	return out;
}

/* --- Drivers ------------------------------------------------------------ */

static bool pcipass_driver_name_ok(const char *name)
{
	const char *p;

	if (!*name || *name == '-' || *name == '.')
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

struct pcipass_drv_lookup {
	const char *name;
	struct device_driver *drv;
};

/*
 * Called by bus_for_each_drv(), whose klist iterator holds the driver's
 * node: bus_remove_driver() waits for it in klist_remove(), so *drv is
 * valid here, and once its module is pinned it stays valid afterwards.
 * (driver_find() returns the driver with no such guarantee.)
 */
static int pcipass_drv_match(struct device_driver *drv, void *data)
{
	struct pcipass_drv_lookup *l = data;

	if (strcmp(drv->name, l->name))
		return 0;
	if (try_module_get(drv->owner))
		l->drv = drv;
	return 1;	/* found: a module on its way out counts as none */
}

/* A PCI driver by name, with its module pinned; NULL when none. */
static struct device_driver *pcipass_driver_pin(const char *name)
{
	struct pcipass_drv_lookup l = { .name = name };

	bus_for_each_drv(&pci_bus_type, NULL, &l, pcipass_drv_match);
	return l.drv;
}

/*
 * vfio-pci and its variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci, ...):
 * what a claim is for, so loading them needs no more than the claim does.
 */
static bool pcipass_vfio_driver_name(const char *name)
{
	size_t len = strlen(name);
	const char *tail;

	if (len < 8)
		return false;
	tail = name + len - 8;
	return (len == 8 || tail[-1] == '-' || tail[-1] == '_') &&
	       !strncmp(tail, "vfio", 4) && (tail[4] == '-' || tail[4] == '_') &&
	       !strcmp(tail + 5, "pci");
}

static void pcipass_driver_unpin(struct device_driver *drv)
{
	if (drv)
		module_put(drv->owner);
}

/*
 * Load the module that provides @name, without waiting for modprobe in
 * this context: a netlink request holds genetlink's cb_lock, which a
 * module registering a genetlink family needs for writing.  Polling
 * instead turns that case into a timeout, not a deadlock.
 */
static struct device_driver *pcipass_driver_load(const char *name)
{
	struct device_driver *drv = pcipass_driver_pin(name);
	unsigned int waited;

	if (drv)
		return drv;
	if (request_module_nowait("%s", name))
		return NULL;
	for (waited = 0; waited < PCIPASS_MODULE_WAIT_MS;
	     waited += PCIPASS_MODULE_POLL_MS) {
		if (msleep_interruptible(PCIPASS_MODULE_POLL_MS))
			return NULL;
		drv = pcipass_driver_pin(name);
		if (drv)
			return drv;
	}
	return NULL;
}

/*
 * Copy the name of @pdev's driver into @buf ("" when unbound, "?" when the
 * device stays locked past the bounded wait).  ->driver and the module
 * its name lives in are stable only under device_lock: a driver pcipass
 * did not pin may be unbound and its module unloaded at any time.
 */
static void pcipass_drv_name(struct pci_dev *pdev, char *buf, size_t size)
{
	struct device *dev = &pdev->dev;

	if (pcipass_device_lock_bounded(dev)) {
		strscpy(buf, "?", size);
		return;
	}
	strscpy(buf, dev->driver ? dev->driver->name : "", size);
	device_unlock(dev);
}

static bool pcipass_gone(struct pci_dev *pdev)
{
	return !device_is_registered(&pdev->dev);
}

/* --- Records ------------------------------------------------------------ */

static struct pcipass_rec *pcipass_rec_find(struct pci_dev *pdev)
{
	struct pcipass_rec *rec;

	lockdep_assert_held(&pcipass_rec_lock);
	list_for_each_entry(rec, &pcipass_recs, node)
		if (rec->pdev == pdev)
			return rec;
	return NULL;
}

static void pcipass_rec_free(struct pcipass_rec *rec)
{
	pci_dev_put(rec->pdev);
	kfree(rec->orig_driver);
	kfree(rec->orig_override);
	kfree(rec);
}

/* A pending record for @m, made before anything is touched. */
static int pcipass_rec_add(struct pcipass_tx_member *m, const char *driver)
{
	struct pcipass_rec *rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	bool known;

	if (!rec)
		return -ENOMEM;
	if (m->orig) {
		rec->orig_driver = kstrdup(m->orig->name, GFP_KERNEL);
		if (!rec->orig_driver)
			goto nomem;
	}
	if (m->orig_override) {
		rec->orig_override = kstrdup(m->orig_override, GFP_KERNEL);
		if (!rec->orig_override)
			goto nomem;
	}
	strscpy(rec->driver, driver, sizeof(rec->driver));
	rec->pdev = pci_dev_get(m->pdev);
	rec->pending = true;
	spin_lock(&pcipass_rec_lock);
	known = pcipass_rec_find(m->pdev);
	if (!known) {
		list_add_tail(&rec->node, &pcipass_recs);
		m->new_rec = rec;
	}
	spin_unlock(&pcipass_rec_lock);
	if (known)	/* claimed before: that record stays the one */
		pcipass_rec_free(rec);
	return 0;
nomem:
	kfree(rec->orig_driver);
	kfree(rec);
	return -ENOMEM;
}

/**
 * pcipass_claim_forget() - drop what was remembered about a function
 * @pdev: a function being removed (bus notifier, DEL_DEVICE)
 */
void pcipass_claim_forget(struct pci_dev *pdev)
{
	struct pcipass_rec *rec;

	spin_lock(&pcipass_rec_lock);
	rec = pcipass_rec_find(pdev);
	if (rec && (rec->busy || rec->pending)) {
		rec->gone = true;
		rec = NULL;
	} else if (rec) {
		list_del(&rec->node);
	}
	spin_unlock(&pcipass_rec_lock);
	if (rec)
		pcipass_rec_free(rec);
}

/* --- Collecting the group ----------------------------------------------- */

static int pcipass_collect_one(struct device *dev, void *data)
{
	struct pcipass_tx *tx = data;

	if (!dev_is_pci(dev))
		return 0;
	if (tx->n == ARRAY_SIZE(tx->m))
		return -E2BIG;
	tx->m[tx->n++].pdev = pci_dev_get(to_pci_dev(dev));
	return 0;
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
static struct iommu_group *pcipass_req_group(struct pcipass_tx *tx)
{
	const struct pcipass_claim_req *req = tx->req;
	struct iommu_group *group;
	struct pci_dev *pdev;

	if (req->by_group) {
		group = pcipass_group_by_id(req->group);
		if (group)
			return group;
		return ERR_PTR(pcipass_fail(tx->rep, PCIPASS_FIELD_GROUP,
					    -ENOENT,
					    "IOMMU group %u holds no PCI function",
					    req->group));
	}
	pdev = pcipass_dev_get(&req->addr);
	if (!pdev)
		return ERR_PTR(pcipass_fail(tx->rep, PCIPASS_FIELD_ADDR, -ENODEV,
					    "no PCI function %s",
					    pcipass_astr(&req->addr).s));
	group = iommu_group_get(&pdev->dev);
	pci_dev_put(pdev);
	if (group)
		return group;
	return ERR_PTR(pcipass_fail(tx->rep, PCIPASS_FIELD_ADDR, -ENXIO,
				    "%s has no IOMMU group: is the IOMMU on?",
				    pcipass_astr(&req->addr).s));
}

/*
 * Bridges (and host bridges, which have a normal header) belong to the
 * host's PCI fabric: never handed to the target driver.
 */
static bool pcipass_is_bridge(struct pci_dev *pdev)
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

static int pcipass_collect(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	struct iommu_group *group;
	unsigned int i;
	int err;

	group = pcipass_req_group(tx);
	if (IS_ERR(group))
		return PTR_ERR(group);
	rep->has_group = true;
	rep->group = iommu_group_id(group);
	tx->group = group;
	err = iommu_group_for_each_dev(group, tx, pcipass_collect_one);
	if (err)
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, err,
				    "group %u has more than %u PCI functions",
				    rep->group, PCIPASS_CLAIM_MEMBERS);
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

static int pcipass_read_members(struct pcipass_tx *tx)
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

static void pcipass_tx_release(struct pcipass_tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		pcipass_driver_unpin(tx->m[i].orig);
		kfree(tx->m[i].orig_override);
		pci_dev_put(tx->m[i].pdev);
	}
	pcipass_driver_unpin(tx->target);
	iommu_group_put(tx->group);
	kfree(tx->scratch);
	kfree(tx);
}

static struct pcipass_tx *pcipass_tx_new(const struct pcipass_claim_req *req,
					 struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = kzalloc(sizeof(*tx), GFP_KERNEL);

	if (!tx)
		return NULL;
	tx->scratch = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!tx->scratch) {
		kfree(tx);
		return NULL;
	}
	tx->req = req;
	tx->rep = rep;
	/* Until a step says otherwise, nothing changed. */
	rep->outcome = PCIPASS_OUTCOME_REFUSED;
	return tx;
}

/* --- Pre-flight --------------------------------------------------------- */

static struct pcipass_claim_blocker *
pcipass_blocker_add(struct pcipass_claim_report *rep, struct pci_dev *pdev,
		    u8 reason)
{
	struct pcipass_claim_blocker *b;

	if (rep->nr_blockers == ARRAY_SIZE(rep->blockers))
		return NULL;
	b = &rep->blockers[rep->nr_blockers++];
	pcipass_addr_of(pdev, &b->addr);
	b->reason = reason;
	return b;
}

static bool pcipass_in_tx(struct pcipass_tx *tx, struct pci_dev *pdev)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++)
		if (tx->m[i].pdev == pdev)
			return true;
	return false;
}

/* VFs of a member outside the group would lose their PF's driver. */
static void pcipass_check_vfs(struct pcipass_tx *tx,
			      struct pcipass_tx_member *m)
{
	struct pcipass_claim_blocker *b;
	struct pci_dev *vf = NULL;
	unsigned int outside = 0;

	if (m->pdev->is_virtfn || !pci_num_vf(m->pdev))
		return;
	while ((vf = pcipass_dev_next(vf)))
		if (vf->is_virtfn && pci_physfn(vf) == m->pdev &&
		    !pcipass_in_tx(tx, vf))
			outside++;
	if (!outside)
		return;
	b = pcipass_blocker_add(tx->rep, m->pdev, PCIPASS_BLOCKER_ACTIVE_VFS);
	if (b)
		scnprintf(b->detail, sizeof(b->detail),
			  "%u VFs enabled outside the group", outside);
}

/*
 * A VFIO user (a VM) holds the group: its DMA ownership is claimed while
 * every member is unbound or on a driver that leaves DMA to its user
 * (vfio-pci, pcieport).  A kernel driver that manages DMA itself also
 * raises the owner count, so that case is not a VFIO user.  Nothing may be
 * touched then: vfio-pci's remove waits until the VM lets go, which a
 * paused VM never does.  Only the group's owner knows who it is; the CLI
 * finds the process from /dev/vfio.
 */
static bool pcipass_vfio_user(struct pcipass_tx *tx)
{
	unsigned int i;

	if (!iommu_group_dma_owner_claimed(tx->group))
		return false;
	for (i = 0; i < tx->n; i++)
		if (tx->m[i].orig &&
		    !to_pci_driver(tx->m[i].orig)->driver_managed_dma)
			return false;
	return true;
}

/* Return: -EBUSY (with the blocker) when a VFIO user holds the group. */
static int pcipass_check_vfio_user(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	struct pcipass_claim_blocker *b;

	if (!pcipass_vfio_user(tx))
		return 0;
	b = pcipass_blocker_add(rep, tx->m[0].pdev,
				PCIPASS_BLOCKER_VFIO_IN_USE);
	if (b)
		scnprintf(b->detail, sizeof(b->detail), "/dev/vfio/%u",
			  rep->group);
	rep->outcome = PCIPASS_OUTCOME_REFUSED;
	return pcipass_fail(rep, PCIPASS_FIELD_NONE, -EBUSY,
			    "group %u is in use by a VFIO user (a VM): stop it first",
			    rep->group);
}

static bool pcipass_forceable(u8 reason)
{
	return reason == PCIPASS_BLOCKER_BOOT_VGA ||
	       reason == PCIPASS_BLOCKER_BLOCK_IN_USE ||
	       reason == PCIPASS_BLOCKER_NETDEV_ACTIVE;
}

/* Return: the first blocker force does not (or may not) override. */
static struct pcipass_claim_blocker *pcipass_preflight(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	bool force = tx->req->flags & PCIPASS_CLAIM_F_FORCE;
	unsigned int i, room;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->bridge || m->orig == tx->target)
			continue;
		pcipass_check_vfs(tx, m);
		room = ARRAY_SIZE(rep->blockers) - rep->nr_blockers;
		rep->nr_blockers += pcipass_safety_check(m->pdev,
				&rep->blockers[rep->nr_blockers], room);
	}
	for (i = 0; i < rep->nr_blockers; i++) {
		struct pcipass_claim_blocker *b = &rep->blockers[i];

		if (force && pcipass_forceable(b->reason))
			b->forced = true;
	}
	for (i = 0; i < rep->nr_blockers; i++)
		if (!rep->blockers[i].forced)
			return &rep->blockers[i];
	return NULL;
}

static const char *pcipass_blocker_text(u8 reason)
{
	switch (reason) {
	case PCIPASS_BLOCKER_BOOT_VGA:
		return "is the boot VGA device";
	case PCIPASS_BLOCKER_BLOCK_IN_USE:
		return "has a block device in use";
	case PCIPASS_BLOCKER_ROOT_FS:
		return "holds the root filesystem";
	case PCIPASS_BLOCKER_NETDEV_ACTIVE:
		return "has a network interface with addresses";
	case PCIPASS_BLOCKER_ACTIVE_VFS:
		return "has SR-IOV VFs outside the group";
	case PCIPASS_BLOCKER_CLAIMED_OTHER:
		return "is claimed for another driver";
	case PCIPASS_BLOCKER_VFIO_IN_USE:
		return "is in use by a VFIO user";
	}
	return "is in use";
}

static int pcipass_refuse(struct pcipass_tx *tx,
			  const struct pcipass_claim_blocker *b)
{
	bool detail = b->detail[0] && b->reason != PCIPASS_BLOCKER_BOOT_VGA;

	tx->rep->outcome = PCIPASS_OUTCOME_REFUSED;
	return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, -EBUSY,
			    "%s %s%s%s%s%s", pcipass_astr(&b->addr).s,
			    pcipass_blocker_text(b->reason),
			    detail ? " (" : "", detail ? b->detail : "",
			    detail ? ")" : "",
			    pcipass_forceable(b->reason) ? "; force overrides" : "");
}

/*
 * Already claimed: every member has a record for this driver and is bound
 * to it.  A record for another driver refuses the claim.
 */
static int pcipass_check_records(struct pcipass_tx *tx, bool *already)
{
	struct pcipass_claim_blocker *b;
	unsigned int i, claimed = 0, candidates = 0;
	struct pcipass_rec *rec;
	char other[PCIPASS_DRIVER_MAX];
	bool conflict;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		spin_lock(&pcipass_rec_lock);
		rec = pcipass_rec_find(m->pdev);
		conflict = rec && strcmp(rec->driver, tx->target->name);
		if (conflict)
			strscpy(other, rec->driver, sizeof(other));
		spin_unlock(&pcipass_rec_lock);
		if (m->bridge && !rec && !m->detach)
			continue;
		candidates++;
		if (conflict) {
			b = pcipass_blocker_add(tx->rep, m->pdev,
						PCIPASS_BLOCKER_CLAIMED_OTHER);
			if (b)
				strscpy(b->detail, other, sizeof(b->detail));
			return pcipass_refuse(tx, b ?: &tx->rep->blockers[0]);
		}
		if (rec && m->orig == (m->bridge ? NULL : tx->target))
			claimed++;
	}
	*already = candidates && claimed == candidates;
	return 0;
}

/* --- Execute and roll back ---------------------------------------------- */

static void pcipass_member_error(struct pcipass_tx_member *m, u8 step,
				 int err)
{
	m->out->state = PCIPASS_MEMBER_FAILED;
	m->out->step = step;
	m->out->error = err;
}

static int pcipass_override(struct pcipass_tx_member *m, const char *name)
{
	int err = pcipass_set_driver_override(m->pdev, name);

	if (!err)
		pcipass_event_override(m->pdev, name);
	return err;
}

static bool pcipass_takes(struct pcipass_tx *tx, struct pcipass_tx_member *m)
{
	return m->detach || (!m->bridge && m->orig != tx->target);
}

/* Bridges whose driver keeps the group from being viable (see @detach). */
static void pcipass_mark_detach(struct pcipass_tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		m->detach = m->bridge && m->orig &&
			    !to_pci_driver(m->orig)->driver_managed_dma;
	}
}

static int pcipass_set_overrides(struct pcipass_tx *tx)
{
	unsigned int i;
	int err;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		/*
		 * Members already on the target get the override too: once
		 * claimed, no unbind may let another driver in.
		 */
		if ((m->bridge && !m->detach) ||
		    (m->orig_override &&
		     !strcmp(m->orig_override, tx->target->name)))
			continue;
		m->touched = true;
		err = pcipass_override(m, tx->target->name);
		if (err) {
			pcipass_member_error(m, PCIPASS_STEP_OVERRIDE, err);
			return err;
		}
	}
	return 0;
}

static void pcipass_unbind_all(struct pcipass_tx *tx)
{
	unsigned int i;

	/* VFs (at the end) go first: their PF's driver owns them. */
	for (i = tx->n; i-- > 0;) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (pcipass_takes(tx, m) && READ_ONCE(m->pdev->dev.driver))
			device_release_driver(&m->pdev->dev);
	}
}

static int pcipass_bind_all(struct pcipass_tx *tx)
{
	unsigned int i;
	int err;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (!pcipass_takes(tx, m) || m->detach ||
		    READ_ONCE(m->pdev->dev.driver) == tx->target)
			continue;
		err = device_driver_attach(tx->target, &m->pdev->dev);
		if (pcipass_gone(m->pdev)) {
			m->out->state = PCIPASS_MEMBER_GONE;
			continue;	/* not in the group any more */
		}
		if (err) {
			pcipass_member_error(m, PCIPASS_STEP_BIND, err);
			return err;
		}
	}
	return 0;
}

static int pcipass_verify(struct pcipass_tx *tx)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if ((m->bridge && !m->detach) ||
		    m->out->state == PCIPASS_MEMBER_GONE)
			continue;
		if (pcipass_gone(m->pdev)) {
			m->out->state = PCIPASS_MEMBER_GONE;
			continue;
		}
		if (READ_ONCE(m->pdev->dev.driver) !=
		    (m->detach ? NULL : tx->target)) {
			pcipass_member_error(m, PCIPASS_STEP_VERIFY, -EIO);
			return -EIO;
		}
	}
	return 0;
}

/*
 * Bind @drv (NULL: leave unbound) to a member that is not on it now.  The
 * caller verifies the result through ->driver: that also catches a driver
 * whose probe "succeeded" without binding.
 */
static int pcipass_rebind(struct pci_dev *pdev, struct device_driver *drv)
{
	if (READ_ONCE(pdev->dev.driver) == drv)
		return 0;
	if (READ_ONCE(pdev->dev.driver))
		device_release_driver(&pdev->dev);
	if (!drv || pcipass_gone(pdev))
		return 0;
	return device_driver_attach(drv, &pdev->dev);
}

/*
 * The override to hold while a member's original driver binds again: its
 * original override, unless that names another driver than the original
 * one (sysfs allows that: an override only acts on the next probe).  The
 * PCI core would refuse the original driver then, so it binds under an
 * override naming itself and the original override is written after.
 */
static const char *pcipass_bind_override(const char *orig_override,
					 const char *orig_driver)
{
	if (orig_override && orig_driver && strcmp(orig_override, orig_driver))
		return orig_driver;
	return orig_override;
}

static const char *pcipass_member_bind_override(struct pcipass_tx_member *m)
{
	return pcipass_bind_override(m->orig_override,
				     m->orig ? m->orig->name : NULL);
}

static void pcipass_rollback_member(struct pcipass_tx_member *m)
{
	struct pcipass_claim_member *out = m->out;

	if (pcipass_gone(m->pdev)) {
		out->state = PCIPASS_MEMBER_GONE;
		return;
	}
	if (READ_ONCE(m->pdev->dev.driver) != m->orig) {
		out->state = PCIPASS_MEMBER_ROLLBACK_FAILED;
		if (!out->error) {
			out->step = PCIPASS_STEP_RESTORE;
			out->error = -EIO;
		}
	} else if (out->state != PCIPASS_MEMBER_FAILED) {
		out->state = PCIPASS_MEMBER_ROLLED_BACK;
	}
}

static void pcipass_rollback(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	unsigned int i;
	int err;

	/* Overrides first, so each original driver may match again. */
	for (i = tx->n; i-- > 0;) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (!m->touched)
			continue;
		err = pcipass_override(m, pcipass_member_bind_override(m));
		if (err && !m->out->error) {
			m->out->step = PCIPASS_STEP_RESTORE;
			m->out->error = err;
		}
	}
	for (i = tx->n; i-- > 0;)
		if (tx->m[i].touched && READ_ONCE(tx->m[i].pdev->dev.driver) !=
		    tx->m[i].orig)
			pcipass_rebind(tx->m[i].pdev, NULL);	/* cannot fail */
	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (!m->touched)
			continue;
		err = pcipass_rebind(m->pdev, m->orig);
		if (!err && pcipass_member_bind_override(m) != m->orig_override)
			err = pcipass_override(m, m->orig_override);
		if (err && !m->out->error) {
			m->out->step = PCIPASS_STEP_RESTORE;
			m->out->error = err;
		}
	}

	rep->outcome = PCIPASS_OUTCOME_ROLLED_BACK;
	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->touched)
			pcipass_rollback_member(m);
		pcipass_drv_name(m->pdev, m->out->to_driver,
				 PCIPASS_DRIVER_MAX);
		if (m->out->state == PCIPASS_MEMBER_ROLLBACK_FAILED)
			rep->outcome = PCIPASS_OUTCOME_ROLLBACK_FAILED;
	}
}

static void pcipass_plan(struct pcipass_tx *tx, u8 state)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->detach && m->out->state != PCIPASS_MEMBER_GONE)
			m->out->state = state == PCIPASS_MEMBER_PLANNED ?
					state : PCIPASS_MEMBER_UNBOUND_BRIDGE;
		else if (m->bridge)
			m->out->state = PCIPASS_MEMBER_SKIPPED_BRIDGE;
		else if (m->orig == tx->target)
			m->out->state = PCIPASS_MEMBER_ALREADY;
		else if (m->out->state != PCIPASS_MEMBER_GONE)
			m->out->state = state;
		if (m->detach)
			m->out->to_driver[0] = '\0';
		else if (m->bridge)
			strscpy(m->out->to_driver, m->out->from_driver,
				PCIPASS_DRIVER_MAX);
		else if (m->out->state != PCIPASS_MEMBER_GONE)
			strscpy(m->out->to_driver, tx->target->name,
				PCIPASS_DRIVER_MAX);
	}
}

/*
 * Records are made before anything is touched (an allocation failure then
 * changes nothing) and inserted pending: from then on the bus notifier
 * marks a member removed during the claim instead of missing it.  Commit
 * keeps them, abort (a rollback, a refusal) drops every one of them.
 */
static int pcipass_prepare_records(struct pcipass_tx *tx)
{
	unsigned int i;
	int err;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->bridge && !m->detach)
			continue;
		err = pcipass_rec_add(m, tx->target->name);
		if (err)
			return err;
	}
	return 0;
}

/* Keep, or with @abort drop, the pending records of the claim. */
static void pcipass_finish_records(struct pcipass_tx *tx, bool abort)
{
	struct pcipass_rec *drop[PCIPASS_CLAIM_MEMBERS];
	unsigned int i, n = 0;

	spin_lock(&pcipass_rec_lock);
	for (i = 0; i < tx->n; i++) {
		struct pcipass_rec *rec = tx->m[i].new_rec;

		if (!rec)
			continue;
		tx->m[i].new_rec = NULL;
		if (abort || rec->gone) {
			list_del(&rec->node);
			drop[n++] = rec;
		} else {
			rec->pending = false;
		}
	}
	spin_unlock(&pcipass_rec_lock);
	while (n)
		pcipass_rec_free(drop[--n]);
}

static int pcipass_execute(struct pcipass_tx *tx)
{
	const char *what = "override";
	unsigned int i;
	int err;

	err = pcipass_prepare_records(tx);
	if (err) {
		pcipass_finish_records(tx, true);
		return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, err,
				    "no memory to record the claim; nothing changed");
	}
	err = pcipass_set_overrides(tx);
	if (!err) {
		pcipass_unbind_all(tx);
		what = "bind";
		err = pcipass_bind_all(tx);
	}
	if (!err) {
		what = "verify";
		err = pcipass_verify(tx);
	}
	pcipass_finish_records(tx, err != 0);
	if (!err) {
		pcipass_plan(tx, PCIPASS_MEMBER_CLAIMED);
		tx->rep->outcome = PCIPASS_OUTCOME_CLAIMED;
		return 0;
	}
	pcipass_rollback(tx);
	/* Name the member whose step failed, not one that failed to roll back. */
	for (i = 0; i < tx->n; i++)
		if (tx->m[i].out->error &&
		    tx->m[i].out->step != PCIPASS_STEP_RESTORE)
			break;
	if (i == tx->n)
		return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, err,
				    "%s failed (%d); %s", what, err,
				    tx->rep->outcome == PCIPASS_OUTCOME_ROLLED_BACK ?
				    "rolled back" : "ROLLBACK FAILED");
	return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, err,
			    "%s of %s failed (%d); %s", what,
			    pcipass_astr(&tx->m[i].out->addr).s, err,
			    tx->rep->outcome == PCIPASS_OUTCOME_ROLLED_BACK ?
			    "group rolled back" : "ROLLBACK FAILED, see members");
}

/* --- Claim -------------------------------------------------------------- */

/* One transaction at a time; @tx is consumed. */
static int pcipass_tx_run(struct pcipass_tx *tx,
			  int (*locked)(struct pcipass_tx *tx))
{
	int err = -EINTR;

	if (!mutex_lock_killable(&pcipass_claim_lock)) {
		err = locked(tx);
		mutex_unlock(&pcipass_claim_lock);
	}
	pcipass_tx_release(tx);
	return err;
}

static int pcipass_find_target(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	const char *name = tx->req->driver[0] ? tx->req->driver :
			   PCIPASS_CLAIM_DEFAULT;

	strscpy(rep->driver, name, sizeof(rep->driver));
	if (!pcipass_driver_name_ok(name))
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -EINVAL,
				    "invalid driver name");
	tx->target = pcipass_driver_pin(name);
	if (tx->target)
		return 0;
	/*
	 * Loading a module by a name the user chose is CAP_SYS_MODULE's
	 * business (the class of CVE-2011-1019), not CAP_SYS_ADMIN's.
	 */
	if (!tx->req->may_load && !pcipass_vfio_driver_name(name))
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -ENOENT,
				    "no PCI driver '%s' is registered; load its module first",
				    name);
	tx->target = pcipass_driver_load(name);
	if (!tx->target)
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -ENOENT,
				    "no PCI driver '%s' and no module provides it",
				    name);
	return 0;
}

static int pcipass_claim_locked(struct pcipass_tx *tx)
{
	struct pcipass_claim_blocker *b;
	bool already = false, takes = false;
	unsigned int i;
	int err;

	err = pcipass_collect(tx);
	if (!err)
		err = pcipass_read_members(tx);
	if (!err)
		err = pcipass_check_vfio_user(tx);
	if (err)
		return err;
	pcipass_mark_detach(tx);
	err = pcipass_check_records(tx, &already);
	if (err)
		return err;
	for (i = 0; i < tx->n; i++)
		takes |= !tx->m[i].bridge;
	if (!takes)
		return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, -EINVAL,
				    "group %u holds only bridges",
				    tx->rep->group);
	if (already) {
		pcipass_plan(tx, PCIPASS_MEMBER_ALREADY);
		tx->rep->outcome = PCIPASS_OUTCOME_ALREADY_CLAIMED;
		return 0;
	}
	b = pcipass_preflight(tx);
	if (b)
		return pcipass_refuse(tx, b);
	if (tx->req->flags & PCIPASS_CLAIM_F_DRY_RUN) {
		pcipass_plan(tx, PCIPASS_MEMBER_PLANNED);
		tx->rep->outcome = PCIPASS_OUTCOME_PLANNED;
		return 0;
	}
	pcipass_event_claim(PCIPASS_EVENT_CLAIM_STARTED, tx->req, tx->rep, 0);
	err = pcipass_execute(tx);
	pcipass_event_claim(PCIPASS_EVENT_CLAIM_FINISHED, tx->req, tx->rep, err);
	return err;
}

/**
 * pcipass_claim() - bind a whole IOMMU group to one driver
 * @req: what to claim, for which driver, with which flags
 * @rep: zeroed by the caller; filled with what happened
 *
 * Sleeps; may wait for drivers to unbind and probe.
 *
 * Return: 0 when the group is claimed (or already was, or a dry run
 * passed); -EBUSY when refused (rep->blockers); the failing step's errno
 * after a rollback (rep->outcome says whether it was complete); -ENODEV,
 * -ENOENT, -ENXIO, -EINVAL, -E2BIG for requests that name nothing
 * claimable; -EINTR when interrupted while waiting for another claim.
 * rep->msg explains every error.
 */
int pcipass_claim(const struct pcipass_claim_req *req,
		  struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = pcipass_tx_new(req, rep);
	int err;

	if (!tx)
		return -ENOMEM;
	/* Outside the lock: loading a module must not stall other claims. */
	err = pcipass_find_target(tx);
	if (err) {
		pcipass_tx_release(tx);
		return err;
	}
	return pcipass_tx_run(tx, pcipass_claim_locked);
}

/* --- Release ------------------------------------------------------------ */

/* Take the records of the members: the bus notifier leaves them alone. */
static unsigned int pcipass_release_take(struct pcipass_tx *tx)
{
	unsigned int i, found = 0;

	spin_lock(&pcipass_rec_lock);
	for (i = 0; i < tx->n; i++) {
		tx->m[i].rec = pcipass_rec_find(tx->m[i].pdev);
		if (tx->m[i].rec) {
			tx->m[i].rec->busy = true;
			found++;
		}
	}
	spin_unlock(&pcipass_rec_lock);
	return found;
}

/* Drop the records of released (or removed) members, keep the others. */
static void pcipass_release_put(struct pcipass_tx *tx)
{
	struct pcipass_rec *rec;
	unsigned int i;
	bool drop;

	for (i = 0; i < tx->n; i++) {
		rec = tx->m[i].rec;
		if (!rec)
			continue;
		spin_lock(&pcipass_rec_lock);
		rec->busy = false;
		drop = rec->gone ||
		       tx->m[i].out->state == PCIPASS_MEMBER_RELEASED ||
		       tx->m[i].out->state == PCIPASS_MEMBER_GONE;
		if (drop)
			list_del(&rec->node);
		spin_unlock(&pcipass_rec_lock);
		if (drop)
			pcipass_rec_free(rec);
	}
}

static void pcipass_release_plan(struct pcipass_tx *tx, u8 state)
{
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (!m->rec) {
			pcipass_drv_name(m->pdev, m->out->to_driver,
					 PCIPASS_DRIVER_MAX);
			continue;
		}
		m->out->state = state;
		if (m->rec->orig_driver)
			strscpy(m->out->to_driver, m->rec->orig_driver,
				PCIPASS_DRIVER_MAX);
	}
}

static void pcipass_release_member(struct pcipass_tx_member *m)
{
	const char *orig = m->rec->orig_driver;
	struct device_driver *drv = NULL;
	int err;

	if (orig) {
		drv = pcipass_driver_load(orig);
		if (!drv) {
			/* Let the driver core match as at boot. */
			pcipass_override(m, m->rec->orig_override);
			if (READ_ONCE(m->pdev->dev.driver))
				device_release_driver(&m->pdev->dev);
			if (device_attach(&m->pdev->dev) < 0)
				m->out->error = -ENOENT;
			return;
		}
	}
	err = pcipass_rebind(m->pdev, drv);
	if (!err && pcipass_bind_override(m->rec->orig_override, orig) !=
	    m->rec->orig_override)
		err = pcipass_override(m, m->rec->orig_override);
	if (err)
		m->out->error = err;
	pcipass_driver_unpin(drv);
}

static void pcipass_release_verify(struct pcipass_tx_member *m)
{
	const char *orig = m->rec->orig_driver ?: "";
	struct pcipass_claim_member *out = m->out;

	pcipass_drv_name(m->pdev, out->to_driver, PCIPASS_DRIVER_MAX);
	if (pcipass_gone(m->pdev)) {
		out->state = PCIPASS_MEMBER_GONE;
	} else if (strcmp(out->to_driver, orig)) {
		out->state = PCIPASS_MEMBER_RELEASE_FAILED;
		out->step = PCIPASS_STEP_RESTORE;
		if (!out->error)
			out->error = -EIO;
	} else if (!out->error) {
		out->state = PCIPASS_MEMBER_RELEASED;
	} else {
		out->state = PCIPASS_MEMBER_RELEASE_FAILED;
	}
}

static int pcipass_release_execute(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	struct pcipass_tx_member *m;
	const char *bind;
	unsigned int i;
	int err;

	for (i = tx->n; i-- > 0;) {
		m = &tx->m[i];
		if (!m->rec)
			continue;
		bind = pcipass_bind_override(m->rec->orig_override,
					     m->rec->orig_driver);
		/* Already in place: the claim left it alone (no event). */
		if (bind && !strcmp(bind, m->rec->driver))
			continue;
		err = pcipass_override(m, bind);
		if (err) {
			m->out->step = PCIPASS_STEP_OVERRIDE;
			m->out->error = err;
		}
	}
	/* VFs first off, PFs first on, as in a claim. */
	for (i = tx->n; i-- > 0;) {
		m = &tx->m[i];
		if (!m->rec)
			continue;
		/* A member the claim did not move stays bound (a VM may use it). */
		pcipass_drv_name(m->pdev, tx->scratch, PCIPASS_DRIVER_MAX);
		if (tx->scratch[0] && strcmp(tx->scratch, m->rec->orig_driver ?: ""))
			device_release_driver(&m->pdev->dev);
	}
	for (i = 0; i < tx->n; i++)
		if (tx->m[i].rec && !pcipass_gone(tx->m[i].pdev))
			pcipass_release_member(&tx->m[i]);

	rep->outcome = PCIPASS_OUTCOME_RELEASED;
	for (i = 0; i < tx->n; i++) {
		m = &tx->m[i];
		if (!m->rec) {
			pcipass_drv_name(m->pdev, m->out->to_driver,
					 PCIPASS_DRIVER_MAX);
			continue;
		}
		pcipass_release_verify(m);
		if (m->out->state == PCIPASS_MEMBER_RELEASE_FAILED) {
			rep->outcome = PCIPASS_OUTCOME_RELEASE_FAILED;
			pcipass_fail(rep, PCIPASS_FIELD_NONE, 0,
				     "%s could not be given back to %s",
				     pcipass_astr(&m->out->addr).s,
				     m->rec->orig_driver ?: "no driver");
		}
	}
	return rep->outcome == PCIPASS_OUTCOME_RELEASED ? 0 : -EIO;
}

static int pcipass_release_locked(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	unsigned int i;
	int err;

	err = pcipass_collect(tx);
	if (!err)
		err = pcipass_read_members(tx);
	if (!err)
		err = pcipass_check_vfio_user(tx);
	if (err)
		return err;
	for (i = 0; i < tx->n; i++)
		if (tx->m[i].bridge)
			tx->m[i].out->state = PCIPASS_MEMBER_SKIPPED_BRIDGE;
	if (!pcipass_release_take(tx))
		return pcipass_fail(rep, PCIPASS_FIELD_NONE, -ENOENT,
				    "group %u was not claimed by pcipass",
				    rep->group);
	pcipass_drv_name(tx->m[0].pdev, rep->driver, sizeof(rep->driver));
	for (i = 0; i < tx->n; i++)
		if (tx->m[i].rec)
			strscpy(rep->driver, tx->m[i].rec->driver,
				sizeof(rep->driver));
	if (tx->req->flags & PCIPASS_CLAIM_F_DRY_RUN) {
		pcipass_release_plan(tx, PCIPASS_MEMBER_PLANNED);
		rep->outcome = PCIPASS_OUTCOME_PLANNED;
		err = 0;
	} else {
		pcipass_event_claim(PCIPASS_EVENT_RELEASE_STARTED, tx->req,
				    rep, 0);
		err = pcipass_release_execute(tx);
		pcipass_event_claim(PCIPASS_EVENT_RELEASE_FINISHED, tx->req,
				    rep, err);
	}
	pcipass_release_put(tx);
	return err;
}

/**
 * pcipass_release() - give a claimed group back to its original drivers
 * @req: the group (flags: dry-run only)
 * @rep: zeroed by the caller; filled with what happened
 *
 * Every member pcipass claimed gets its original driver_override back
 * first, then its original driver (module loaded on demand; when that
 * fails, whatever the driver core matches).  Members that could not be
 * given back stay remembered, so release can be retried.
 *
 * Return: 0; -ENOENT when pcipass claimed no member of the group; -EIO
 * when a member could not be given back (rep->members); -ENODEV, -ENXIO
 * for requests that name no group; -EINTR.
 */
int pcipass_release(const struct pcipass_claim_req *req,
		    struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = pcipass_tx_new(req, rep);

	if (!tx)
		return -ENOMEM;
	return pcipass_tx_run(tx, pcipass_release_locked);
}

/* --- Module lifetime ---------------------------------------------------- */

/*
 * Claimed functions stay with their driver: unloading pcipass must not
 * take devices away from running guests.  Only the memory of their
 * originals is lost (logged).
 */
void pcipass_claim_uninit(void)
{
	struct pcipass_rec *rec, *tmp;
	unsigned int n = 0;

	list_for_each_entry_safe(rec, tmp, &pcipass_recs, node) {
		list_del(&rec->node);
		pcipass_rec_free(rec);
		n++;
	}
	if (n)
		pr_info("%u claimed functions keep their driver; their original drivers are forgotten\n",
			n);
}
