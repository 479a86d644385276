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
 *               holding the group (claim and release), SR-IOV, boot VGA;
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
 * This file runs the transaction; its steps live in claim_group.c,
 * claim_check.c, claim_exec.c, claim_release.c, claim_rec.c and
 * claim_drv.c (claim_int.h lists them).
 *
 * Lock ordering: see claim.h.  No device_lock is held by pcipass across
 * device_release_driver() / device_driver_attach() / the 6.1 override
 * write: all three take it.
 */

#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "persist.h"

static DEFINE_MUTEX(pcipass_claim_lock);

int pcipass_fail(struct pcipass_claim_report *rep, u8 field, int err,
		 const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(rep->msg_buf, sizeof(rep->msg_buf), fmt, args);
	va_end(args);
	rep->msg = rep->msg_buf;
	rep->bad_attr = field;
	return err;
}

/* A report and its members (either may be NULL). */
void pcipass_report_free(struct pcipass_claim_report *rep)
{
	if (!rep)
		return;
	kvfree(rep->members);
	kvfree(rep);
}

/* Empty @rep for another transaction. */
void pcipass_report_reset(struct pcipass_claim_report *rep)
{
	kvfree(rep->members);
	memset(rep, 0, sizeof(*rep));
}

/* --- Claim -------------------------------------------------------------- */

/*
 * One transaction at a time; @tx is consumed.  Transactions run on the
 * ordered workqueue only, so the lock is never contended: it states the
 * rule where the records and overrides are changed.
 */
int pcipass_tx_run(struct pcipass_tx *tx,
		   int (*locked)(struct pcipass_tx *tx))
{
	int err;

	mutex_lock(&pcipass_claim_lock);
	err = locked(tx);
	mutex_unlock(&pcipass_claim_lock);
	pcipass_tx_release(tx);
	return err;
}

/*
 * What can be said about a claim's target driver without waiting: its
 * name is valid, and it is registered or may be loaded by this caller.
 */
static int pcipass_target_ok(const struct pcipass_claim_req *req,
			     struct pcipass_claim_report *rep)
{
	const char *name = req->driver[0] ? req->driver : PCIPASS_CLAIM_DEFAULT;
	struct device_driver *drv;

	strscpy(rep->driver, name, sizeof(rep->driver));
	if (!pcipass_driver_name_ok(name))
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -EINVAL,
				    "invalid driver name");
	drv = pcipass_driver_pin(name);
	pcipass_driver_unpin(drv);
	/*
	 * Loading a module by a name the user chose is CAP_SYS_MODULE's
	 * business (the class of CVE-2011-1019), not CAP_SYS_ADMIN's.
	 */
	if (!drv && !req->may_load && !pcipass_vfio_driver_name(name))
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -ENOENT,
				    "no PCI driver '%s' is registered; load its module first",
				    name);
	return 0;
}

/**
 * pcipass_claim_precheck() - what a request can be refused for at once
 * @req: the request
 * @claim: a claim (a release names no driver)
 * @rep: where the message goes
 *
 * Does not wait for anything but allocations and the PCI and driver
 * lists: run by the request before it queues the job, so a request that
 * names nothing is answered at once, with the attribute it is about.
 *
 * Return: 0, or -ENODEV, -ENXIO, -ENOENT, -EINVAL with @rep->msg.
 */
int pcipass_claim_precheck(const struct pcipass_claim_req *req, bool claim,
			   struct pcipass_claim_report *rep)
{
	struct iommu_group *group;
	int err;

	/* the driver first, as the transaction finds it first */
	err = claim ? pcipass_target_ok(req, rep) : 0;
	if (err)
		return err;
	group = pcipass_req_group(req, rep);
	if (IS_ERR(group))
		return PTR_ERR(group);
	iommu_group_put(group);
	return 0;
}

static int pcipass_find_target(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	int err;

	err = pcipass_target_ok(tx->req, rep);
	if (err)
		return err;
	tx->target = pcipass_driver_load(rep->driver);
	if (!tx->target)
		return pcipass_fail(rep, PCIPASS_FIELD_DRIVER, -ENOENT,
				    "no PCI driver '%s' and no module provides it",
				    rep->driver);
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
	/* the group may have changed since the persisted claims matched it */
	if (!err && tx->req->persisted)
		err = pcipass_persist_members_ok(tx);
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
 * claimable; -ESTALE for a persisted claim whose group changed since the
 * load matched it.  rep->msg explains every error.
 */
int pcipass_claim(const struct pcipass_claim_req *req,
		  struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = pcipass_tx_new(req, rep);
	int err;

	if (!tx)
		return -ENOMEM;
	/* Before the lock: a module load holds no state of the group's. */
	err = pcipass_find_target(tx);
	if (err) {
		pcipass_tx_release(tx);
		return err;
	}
	return pcipass_tx_run(tx, pcipass_claim_locked);
}
