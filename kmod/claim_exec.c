// SPDX-License-Identifier: GPL-2.0
/*
 * Executing a claim: overrides, unbind, bind, verify; and its rollback.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "compat.h"

/* --- Execute and roll back ---------------------------------------------- */

static void pcipass_member_error(struct pcipass_tx_member *m, u8 step,
				 int err)
{
	m->out->state = PCIPASS_MEMBER_FAILED;
	m->out->step = step;
	m->out->error = err;
}

int pcipass_override(struct pcipass_tx_member *m, const char *name)
{
	int err;

	/*
	 * A step others can see: where PCI keeps its own override (6.1),
	 * the write takes device_lock, which a probe or remove of this
	 * function holds for as long as it runs.
	 */
	pcipass_job_step(PCIPASS_STEP_OVERRIDE, m->pdev, name);
	err = pcipass_set_driver_override(m->pdev, name);
	pcipass_job_step(0, NULL, NULL);
	if (!err)
		pcipass_event_override(m->pdev, name);
	return err;
}

static bool pcipass_takes(struct pcipass_tx *tx, struct pcipass_tx_member *m)
{
	return m->detach || (!m->bridge && m->orig != tx->target);
}

/* Bridges whose driver keeps the group from being viable (see @detach). */
void pcipass_mark_detach(struct pcipass_tx *tx)
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
		 * claimed, no unbind may let another driver in.  One with a
		 * record from before (a persisted claim's, set at its add)
		 * gets it written again: the add path may have withdrawn it
		 * since the members were read.
		 */
		if ((m->bridge && !m->detach) ||
		    (m->orig_override && !m->reused_rec &&
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
			pcipass_unbind(m->pdev);
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
		err = pcipass_attach(tx->target, m->pdev);
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
int pcipass_rebind(struct pci_dev *pdev, struct device_driver *drv)
{
	if (READ_ONCE(pdev->dev.driver) == drv)
		return 0;
	if (READ_ONCE(pdev->dev.driver))
		pcipass_unbind(pdev);
	if (!drv || pcipass_gone(pdev))
		return 0;
	return pcipass_attach(drv, pdev);
}

/*
 * The override to hold while a member's original driver binds again: its
 * original override, unless that names another driver than the original
 * one (sysfs allows that: an override only acts on the next probe).  The
 * PCI core would refuse the original driver then, so it binds under an
 * override naming itself and the original override is written after.
 */
const char *pcipass_bind_override(const char *orig_override,
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

void pcipass_plan(struct pcipass_tx *tx, u8 state)
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

int pcipass_execute(struct pcipass_tx *tx)
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
