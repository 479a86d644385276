// SPDX-License-Identifier: GPL-2.0
/*
 * Pre-flight of a claim or release: a VFIO user holding the group, SR-IOV,
 * the boot VGA device, other claims; refusals and their words.  Only what
 * the kernel alone knows: what the host would lose besides (mounted disks,
 * interfaces with addresses, the root filesystem) is userspace's policy,
 * decided before it asks.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vgaarb.h>

#include "claim_int.h"

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

/*
 * Unbinding a PF removes its VFs (its driver's remove disables SR-IOV),
 * inside the group or not, and no rollback can bring them back: enabling
 * SR-IOV is the PF driver's business.  So a PF with VFs is not taken.
 */
static void pcipass_check_vfs(struct pcipass_tx *tx,
			      struct pcipass_tx_member *m)
{
	struct pcipass_claim_blocker *b;
	struct pci_dev *vf = NULL;
	unsigned int n, inside = 0;

	if (m->pdev->is_virtfn)
		return;
	n = pci_num_vf(m->pdev);
	if (!n)
		return;
	while ((vf = pcipass_dev_next(vf)))
		if (vf->is_virtfn && pci_physfn(vf) == m->pdev &&
		    pcipass_in_tx(tx, vf))
			inside++;
	b = pcipass_blocker_add(tx->rep, m->pdev, PCIPASS_BLOCKER_ACTIVE_VFS);
	if (!b)
		return;
	if (inside)
		scnprintf(b->detail, sizeof(b->detail), "%u VFs, %u in the group",
			  n, inside);
	else
		scnprintf(b->detail, sizeof(b->detail),
			  "%u VFs outside the group", n);
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
int pcipass_check_vfio_user(struct pcipass_tx *tx)
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
	return reason == PCIPASS_BLOCKER_BOOT_VGA;
}

/* The firmware's console; vga_default_device() is NULL without VGA_ARB. */
static void pcipass_check_vga(struct pcipass_tx *tx,
			      struct pcipass_tx_member *m)
{
	struct pcipass_claim_blocker *b;

	if (m->pdev != vga_default_device())
		return;
	b = pcipass_blocker_add(tx->rep, m->pdev, PCIPASS_BLOCKER_BOOT_VGA);
	if (b)
		strscpy(b->detail, "boot VGA", sizeof(b->detail));
}

/* Return: the first blocker force does not (or may not) override. */
struct pcipass_claim_blocker *pcipass_preflight(struct pcipass_tx *tx)
{
	struct pcipass_claim_report *rep = tx->rep;
	bool force = tx->req->flags & PCIPASS_CLAIM_F_FORCE;
	unsigned int i;

	for (i = 0; i < tx->n; i++) {
		struct pcipass_tx_member *m = &tx->m[i];

		if (m->bridge || m->orig == tx->target)
			continue;
		pcipass_check_vfs(tx, m);
		pcipass_check_vga(tx, m);
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
	case PCIPASS_BLOCKER_ACTIVE_VFS:
		return "has SR-IOV VFs enabled";
	case PCIPASS_BLOCKER_CLAIMED_OTHER:
		return "is claimed for another driver";
	case PCIPASS_BLOCKER_VFIO_IN_USE:
		return "is in use by a VFIO user";
	}
	return "is in use";
}

int pcipass_refuse(struct pcipass_tx *tx,
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
int pcipass_check_records(struct pcipass_tx *tx, bool *already)
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
