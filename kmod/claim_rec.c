// SPDX-License-Identifier: GPL-2.0
/*
 * What a claim changed, per function (struct pcipass_rec): made pending
 * before the first change, committed or dropped, taken by a release,
 * forgotten when the function goes away.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "fault.h"

DEFINE_SPINLOCK(pcipass_rec_lock);
LIST_HEAD(pcipass_recs);

/* --- Records ------------------------------------------------------------ */

struct pcipass_rec *pcipass_rec_find(struct pci_dev *pdev)
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

/*
 * A pending record for @m, made before anything is touched.  Its only
 * failure is -ENOMEM, which the fault point fail_pcipass_record makes
 * on request (tests/selftest/fault_test.c).
 */
static int pcipass_rec_add(struct pcipass_tx_member *m, const char *driver,
			   bool tx_persisted)
{
	struct pcipass_rec *rec, *known;

	if (pcipass_fault_record())
		return -ENOMEM;
	rec = kzalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	rec->host_default = tx_persisted;
	if (m->orig && !tx_persisted) {
		rec->orig_driver = kstrdup(m->orig->name, GFP_KERNEL);
		if (!rec->orig_driver)
			goto nomem;
	}
	if (m->orig_override && !tx_persisted) {
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
	} else {
		/*
		 * Claimed before: that record stays the one, held busy until
		 * the claim is done, so that the bus notifier's withdrawal
		 * (persist_add.c) cannot drop it under the claim.
		 */
		known->busy = true;
		m->reused_rec = known;
	}
	spin_unlock(&pcipass_rec_lock);
	if (known)
		pcipass_rec_free(rec);
	return 0;
nomem:
	kfree(rec->orig_driver);
	kfree(rec);
	return -ENOMEM;
}

/**
 * pcipass_rec_add_persisted() - record a claim persist.c made at add time
 * @pdev: the function, just added, its override set
 * @driver: the driver it is claimed for
 *
 * Bus notifier context (a PF's device_lock may be held): allocates and
 * takes the leaf pcipass_rec_lock only.  Without the record, release
 * would not know the function was claimed.
 *
 * Return: 0 or -ENOMEM.
 */
int pcipass_rec_add_persisted(struct pci_dev *pdev, const char *driver)
{
	struct pcipass_rec *rec = kzalloc(sizeof(*rec), GFP_KERNEL);

	if (!rec)
		return -ENOMEM;
	rec->host_default = true;
	strscpy(rec->driver, driver, sizeof(rec->driver));
	rec->pdev = pci_dev_get(pdev);
	spin_lock(&pcipass_rec_lock);
	if (!pcipass_rec_find(pdev)) {
		list_add_tail(&rec->node, &pcipass_recs);
		rec = NULL;
	}
	spin_unlock(&pcipass_rec_lock);
	if (rec)
		pcipass_rec_free(rec);
	return 0;
}

/**
 * pcipass_rec_holds() - is @pdev claimed for @driver by pcipass?
 * @pdev: the function
 * @driver: the driver name
 *
 * A committed record (a claim done, or a persisted claim's override set
 * at add time and its probe to come), not one a transaction is making or
 * releasing.
 * Bus notifier context: the leaf pcipass_rec_lock only.
 *
 * Return: true when it is.
 */
bool pcipass_rec_holds(struct pci_dev *pdev, const char *driver)
{
	struct pcipass_rec *rec;
	bool holds;

	spin_lock(&pcipass_rec_lock);
	rec = pcipass_rec_find(pdev);
	holds = rec && !rec->pending && !rec->busy && !rec->gone &&
		!strcmp(rec->driver, driver);
	spin_unlock(&pcipass_rec_lock);
	return holds;
}

/* A persisted claim's record no transaction works on (caller: the lock). */
static bool pcipass_rec_idle_persisted(const struct pcipass_rec *rec)
{
	return rec && rec->host_default && !rec->busy && !rec->pending;
}

/**
 * pcipass_rec_has_persisted() - does @pdev hold a persisted claim's record
 * that pcipass_rec_drop_persisted() would drop?
 * @pdev: the function
 * @driver: receives the driver it is claimed for (PCIPASS_DRIVER_MAX), or
 *	NULL
 *
 * Return: true when it does.
 */
bool pcipass_rec_has_persisted(struct pci_dev *pdev, char *driver)
{
	struct pcipass_rec *rec;
	bool has;

	spin_lock(&pcipass_rec_lock);
	rec = pcipass_rec_find(pdev);
	has = pcipass_rec_idle_persisted(rec);
	if (has && driver)
		strscpy(driver, rec->driver, PCIPASS_DRIVER_MAX);
	spin_unlock(&pcipass_rec_lock);
	return has;
}

/**
 * pcipass_rec_drop_persisted() - forget a claim persist_add.c made
 * @pdev: the function
 * @driver: receives the driver it was claimed for (PCIPASS_DRIVER_MAX)
 *
 * Bus notifier context, as pcipass_rec_add_persisted().  Only a record
 * of a persisted claim that no transaction is working on.
 *
 * Return: true when such a record was dropped.
 */
bool pcipass_rec_drop_persisted(struct pci_dev *pdev, char *driver)
{
	struct pcipass_rec *rec;

	spin_lock(&pcipass_rec_lock);
	rec = pcipass_rec_find(pdev);
	if (pcipass_rec_idle_persisted(rec))
		list_del(&rec->node);
	else
		rec = NULL;
	spin_unlock(&pcipass_rec_lock);
	if (!rec)
		return false;
	strscpy(driver, rec->driver, PCIPASS_DRIVER_MAX);
	pcipass_rec_free(rec);
	return true;
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

/*
 * Records are made before anything is touched (an allocation failure then
 * changes nothing) and inserted pending: from then on the bus notifier
 * marks a member removed during the claim instead of missing it.  Commit
 * keeps them, abort (a rollback, a refusal) drops every one of them.
 */
int pcipass_prepare_records(struct pcipass_tx *tx)
{
	unsigned int i;
	int err;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->bridge && !m->detach)
			continue;
		err = pcipass_rec_add(m, tx->target->name, tx->req->persisted);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Keep, or with @abort drop, the pending records of the claim.  Dropped
 * records move to a local list under the spinlock and are freed after
 * it: the list grows with the group, so nothing on the stack is sized
 * by it.
 */
void pcipass_finish_records(struct pcipass_tx *tx, bool abort)
{
	struct pcipass_rec *rec, *tmp;
	LIST_HEAD(drop);
	unsigned int i;

	spin_lock(&pcipass_rec_lock);
	for (i = 0; i < tx->n; i++) {
		rec = tx->m[i].reused_rec;
		tx->m[i].reused_rec = NULL;
		if (rec) {
			rec->busy = false;
			if (rec->gone)	/* removed during the claim */
				list_move(&rec->node, &drop);
		}
		rec = tx->m[i].new_rec;
		if (!rec)
			continue;
		tx->m[i].new_rec = NULL;
		if (abort || rec->gone)
			list_move(&rec->node, &drop);
		else
			rec->pending = false;
	}
	spin_unlock(&pcipass_rec_lock);
	list_for_each_entry_safe(rec, tmp, &drop, node) {
		list_del(&rec->node);
		pcipass_rec_free(rec);
	}
}

/* Take the records of the members: the bus notifier leaves them alone. */
unsigned int pcipass_release_take(struct pcipass_tx *tx)
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
void pcipass_release_put(struct pcipass_tx *tx)
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
