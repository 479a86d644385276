// SPDX-License-Identifier: GPL-2.0
/*
 * The persisted claims' job: one job, queued by the load-time sweep
 * (persist_sweep.c), does everything that can wait for a device or a
 * driver, in the claim engine's worker like any claim:
 *
 *   1. every planned member gets its driver_override, each write waiting
 *      a short, bounded time for a locked member (6.1: the override is
 *      under device_lock, which a probe holds); then module init, which
 *      waits for this much and no more (bounded), may return and udev's
 *      coldplug finds the functions spoken for;
 *   2. a group whose overrides could not all be written goes back to its
 *      host drivers (probing them waits for devices: after init is let go);
 *   3. each other group is claimed by the claim transaction, which checks
 *      again, under its own lock, that the group holds only what entries
 *      name (a function hot-added since the sweep matched leaves it alone),
 *      and rolls a failed group back to its host drivers.
 *
 * One job for all groups: persisted claims are not subject to the job
 * queue's limit (there may be more groups than it holds), and no later
 * submission can find them refused because another step is slow.
 *
 * Nobody waits for the outcome: the kernel log reports it, and each
 * group's claim-started and claim-finished events carry this job's txid.
 *
 * Lock ordering: as any job (claim.h); pcipass_persist_lock (a leaf) is
 * taken only to match and mark entries.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "persist_int.h"

/* How long module init waits for the overrides (see pcipass_persist_wait). */
#define PCIPASS_PERSIST_WAIT_MS	10000
/* How long an override write waits for a locked member (6.1). */
#define PCIPASS_PERSIST_WRITE_MS	100
/* A group with a member busy in a probe or removal is tried this often. */
#define PCIPASS_PERSIST_TRIES		10
#define PCIPASS_PERSIST_RETRY_MS	1000

/*
 * The sweep's plan: filled in module init before the persisted job is
 * queued, then the job's alone (queue_work() orders the two).
 */
static LIST_HEAD(pcipass_persist_plan);
static DECLARE_COMPLETION(pcipass_persist_written);

/* The sweep found @g whole: the job will claim it. */
void pcipass_persist_plan_add(struct pcipass_plan_group *g)
{
	list_add_tail(&g->node, &pcipass_persist_plan);
}

bool pcipass_persist_plan_empty(void)
{
	return list_empty(&pcipass_persist_plan);
}

/* Forget the plan; with @failed, its entries say the claim failed. */
void pcipass_persist_plan_free(bool failed)
{
	struct pcipass_plan_group *g, *tmp;
	unsigned int i;

	list_for_each_entry_safe(g, tmp, &pcipass_persist_plan, node) {
		list_del(&g->node);
		for (i = 0; i < g->n; i++) {
			if (failed)
				pcipass_persist_mark(g->m[i],
						     PCIPASS_PERSIST_FAILED);
			pci_dev_put(g->m[i]);
		}
		pcipass_plan_group_free(g);
	}
}

/* @g's arrays and @g; the references in @m are the caller's to drop. */
void pcipass_plan_group_free(struct pcipass_plan_group *g)
{
	kvfree(g->m);
	kvfree(g->wrote);
	kfree(g);
}

/*
 * All or nothing: a failed override write fails the group (its undo comes
 * after init is let go, pcipass_persist_undo_failed()).  A member still
 * locked after a short wait is being probed or removed: the override
 * would not keep that driver away, and the claim transaction takes the
 * member over (it waits for busy members, bounded), so it fails nothing.
 */
static void pcipass_persist_write(struct pcipass_plan_group *g)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < g->n && !err; i++) {
		pcipass_job_step(PCIPASS_STEP_OVERRIDE, g->m[i], g->driver);
		err = pcipass_persist_override(g->m[i], g->driver,
					       PCIPASS_PERSIST_WRITE_MS);
		pcipass_job_step(0, NULL, NULL);
		g->wrote[i] = !err;
		if (err == -EBUSY) {
			pci_info(g->m[i], "busy (a probe or removal holds it): its override for %s is left to the claim\n",
				 g->driver);
			err = 0;
		}
	}
	g->failed = err != 0;
}

/* A group whose overrides could not all be written: back as it was. */
static void pcipass_persist_undo_failed(struct pcipass_plan_group *g)
{
	unsigned int i;

	for (i = 0; i < g->n; i++) {
		if (g->wrote[i])
			pcipass_persist_undo(g->m[i], g->driver);
		pcipass_persist_mark(g->m[i], PCIPASS_PERSIST_FAILED);
	}
}

/*
 * A group's claim failed: its members as the entries found them go back
 * to their host drivers (the report may name none: the target's module
 * may be what failed).
 */
static void pcipass_persist_failed(const struct pcipass_plan_group *g,
				   const struct pcipass_claim_report *rep,
				   int err)
{
	unsigned int i;

	pr_err("persisted claim of IOMMU group %u for %s FAILED (%d): %s\n",
	       g->group, g->driver, err, rep->msg ?: "");
	for (i = 0; i < g->n; i++) {
		pcipass_persist_mark(g->m[i], PCIPASS_PERSIST_FAILED);
		pcipass_persist_undo(g->m[i], g->driver);
	}
}

static int pcipass_persist_claim(const struct pcipass_plan_group *g,
				 struct pcipass_claim_report *rep, u32 txid)
{
	struct pcipass_claim_req req = {
		.group = g->group,
		.by_group = true,
		.may_load = true,	/* root's module option named it */
		.persisted = true,
		.txid = txid,
	};
	unsigned int tries = 0;
	int err;

	strscpy(req.driver, g->driver, sizeof(req.driver));
	if (g->force)
		req.flags |= PCIPASS_CLAIM_F_FORCE;
	/*
	 * A member busy in a probe or removal (a claim would be refused
	 * at once) is waited for a little: at boot, udev probes beside us.
	 * Refusals (blockers) are final.
	 */
	for (;;) {
		pcipass_report_reset(rep);
		err = pcipass_claim(&req, rep);
		if (err != -EBUSY || rep->nr_blockers ||
		    ++tries >= PCIPASS_PERSIST_TRIES)
			break;
		msleep(PCIPASS_PERSIST_RETRY_MS);
	}
	if (err)
		pcipass_persist_failed(g, rep, err);
	else
		pr_info("persisted claim: IOMMU group %u on %s\n", g->group,
			g->driver);
	return err;
}

/**
 * pcipass_persist_run() - the persisted claims' job
 * @rep: the job's report; holds the last group's at the end
 * @txid: the job's txid, for the groups' events
 *
 * Context: the claim engine's worker.
 * Return: 0, or the error of the last group that failed.
 */
int pcipass_persist_run(struct pcipass_claim_report *rep, u32 txid)
{
	struct pcipass_plan_group *g;
	int err, ret = 0;

	list_for_each_entry(g, &pcipass_persist_plan, node)
		pcipass_persist_write(g);
	/* module init may return: what follows can wait for devices */
	complete_all(&pcipass_persist_written);
	list_for_each_entry(g, &pcipass_persist_plan, node) {
		if (g->failed) {
			pcipass_persist_undo_failed(g);
			ret = -EIO;
			continue;
		}
		err = pcipass_persist_claim(g, rep, txid);
		if (err)
			ret = err;
	}
	pcipass_persist_plan_free(false);
	return ret;
}

/**
 * pcipass_persist_members_ok() - does the group hold only what entries name?
 * @tx: a persisted claim's transaction, its members collected
 *
 * The sweep matched the group before the job ran: a function added since
 * (or one whose identity can no longer be read) is not claimed with it.
 * Every member that is not a bridge must match an entry for the target.
 *
 * Return: 0, or -ESTALE with the member named in the report (not the
 * -EBUSY of a busy member, which the job waits for: this is final).
 */
int pcipass_persist_members_ok(struct pcipass_tx *tx)
{
	struct pcipass_persist_id *id = kmalloc(sizeof(*id), GFP_KERNEL);
	char driver[PCIPASS_DRIVER_MAX];
	unsigned int i;
	bool ok = true;

	if (!id)
		return -ENOMEM;
	strscpy(driver, tx->req->driver, sizeof(driver));
	for (i = 0; i < tx->n && ok; i++)
		ok = tx->m[i].bridge ||
		     pcipass_persist_named(tx->m[i].pdev, id, driver);
	kfree(id);
	if (ok)
		return 0;
	return pcipass_fail(tx->rep, PCIPASS_FIELD_NONE, -ESTALE,
			    "%s is in group %u but no persisted entry for %s names it",
			    pcipass_astr(&tx->m[i - 1].out->addr).s,
			    tx->rep->group, tx->req->driver);
}

/**
 * pcipass_persist_wait_written() - module init waits for the overrides
 *
 * From the initramfs, udev's coldplug probes drivers as soon as modprobe
 * is done, so the overrides must be written by then.  Bounded (a probe that
 * holds a member's device_lock on 6.1 holds the write) and killable.
 *
 * Return: 0 when written, -ETIMEDOUT or -ERESTARTSYS (the job goes on).
 */
int pcipass_persist_wait_written(void)
{
	unsigned long t = msecs_to_jiffies(PCIPASS_PERSIST_WAIT_MS);
	long left;

	left = wait_for_completion_killable_timeout(&pcipass_persist_written,
						    t);
	if (left > 0)
		return 0;
	return left ? left : -ETIMEDOUT;
}
