// SPDX-License-Identifier: GPL-2.0
/*
 * Release: every member claimed gets its original override and driver back.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"

/* --- Release ------------------------------------------------------------ */

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

	if (!orig && m->rec->host_default) {
		/* a persisted claim: whatever matches it, as at boot */
		if (pcipass_attach(NULL, m->pdev) < 0)
			m->out->error = -ENOENT;
		return;
	}
	if (orig) {
		drv = pcipass_driver_load(orig);
		if (!drv) {
			/* Let the driver core match as at boot. */
			pcipass_override(m, m->rec->orig_override);
			if (READ_ONCE(m->pdev->dev.driver))
				pcipass_unbind(m->pdev);
			if (pcipass_attach(NULL, m->pdev) < 0)
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
	} else if (m->rec->host_default ? !strcmp(out->to_driver, m->rec->driver) :
		   strcmp(out->to_driver, orig)) {
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
			pcipass_unbind(m->pdev);
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
 * for requests that name no group.
 */
int pcipass_release(const struct pcipass_claim_req *req,
		    struct pcipass_claim_report *rep)
{
	struct pcipass_tx *tx = pcipass_tx_new(req, rep);

	if (!tx)
		return -ENOMEM;
	return pcipass_tx_run(tx, pcipass_release_locked);
}
