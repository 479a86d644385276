// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep at load (pcipass_persist_sweep(), the end of module init: from
 * the initramfs that is before udev's coldplug).  Every function is
 * matched, and a group is claimed only when every function in it that is
 * not a bridge matches an entry for the same driver: anything else in the
 * group (a new card, a changed one) leaves the whole group to its host
 * drivers, logged.
 *
 * The sweep only matches: it waits for no device, driver or global lock
 * (module init runs in modprobe, and a probe holding a device_lock must
 * not hang the initramfs).  What it found whole goes into a plan, and one
 * job (persist_job.c) writes the overrides, claims and rolls back; init
 * waits, bounded, only until the overrides are written.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/iommu.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/vgaarb.h>

#include "claim_int.h"
#include "persist_int.h"

struct pcipass_sweep {
	struct pcipass_persist_group g;
	struct pcipass_persist_id id;
};

/* Is @pdev's entry (if any) still to be looked at?  How it matches. */
static bool pcipass_sweep_pending(struct pci_dev *pdev,
				  const struct pcipass_persist_id *id, u8 *how)
{
	struct pcipass_persist_entry *e;
	bool pending;

	mutex_lock(&pcipass_persist_lock);
	e = pcipass_persist_lookup(pdev, id, how);
	/* a card reported as not matching may still be found moved */
	pending = e && !e->pdev &&
		  (e->state == PCIPASS_PERSIST_ABSENT ||
		   (e->state == PCIPASS_PERSIST_MISMATCH &&
		    *how != PCIPASS_PERSIST_MISMATCH));
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
	unsigned int i;

	driver[0] = '\0';
	for (i = 0; i < sw->g.n; i++) {
		struct pci_dev *m = sw->g.m[i];

		if (!pcipass_is_bridge(m) &&
		    !pcipass_persist_named(m, &sw->id, driver))
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
	for (i = 0; i < sw->g.n; i++) {
		if (pcipass_persist_id_read(sw->g.m[i], &sw->id))
			continue;
		mutex_lock(&pcipass_persist_lock);
		e = pcipass_persist_lookup(sw->g.m[i], &sw->id, &how);
		if (e && e->state == PCIPASS_PERSIST_ABSENT) {
			if (how == PCIPASS_PERSIST_MISMATCH)
				pcipass_persist_report(sw->g.m[i], e, &sw->id, how);
			e->state = how == PCIPASS_PERSIST_MISMATCH ? how :
				   PCIPASS_PERSIST_INCOMPLETE;
		}
		mutex_unlock(&pcipass_persist_lock);
	}
}

/*
 * The group goes into the plan: its entries are taken (state, reference)
 * and the job gets the members they name.  Nothing is written yet, so a
 * group left alone here needs no undo.
 */
static void pcipass_sweep_plan(struct pcipass_sweep *sw, u32 group,
			       const char *driver)
{
	struct pcipass_plan_group *g = kzalloc(sizeof(*g), GFP_KERNEL);
	char name[PCIPASS_DRIVER_MAX];
	bool force = false, vga = false, f = false, lost = false, take;
	unsigned int i;

	if (!g) {
		pr_err("IOMMU group %u: no memory for its persisted claim; left to its host drivers\n",
		       group);
		return;
	}
	g->m = kvcalloc(sw->g.n, sizeof(*g->m), GFP_KERNEL);
	g->wrote = kvcalloc(sw->g.n, sizeof(*g->wrote), GFP_KERNEL);
	if (!g->m || !g->wrote) {
		pr_err("IOMMU group %u: no memory for its persisted claim; left to its host drivers\n",
		       group);
		pcipass_plan_group_free(g);
		return;
	}
	g->group = group;
	strscpy(g->driver, driver, sizeof(g->driver));
	for (i = 0; i < sw->g.n; i++) {
		struct pci_dev *m = sw->g.m[i];
		bool bridge = pcipass_is_bridge(m);

		f = false;
		take = !bridge && device_is_registered(&m->dev) &&
		       !pcipass_persist_id_read(m, &sw->id) &&
		       pcipass_persist_take(m, &sw->id, name, &f);
		/* the boot VGA device's own entry says force, nobody else's */
		if (take && m == vga_default_device()) {
			vga = true;
			force = f;
		}
		/*
		 * A member whose identity cannot be read again, or that now
		 * matches an entry for another driver, since the check.
		 */
		lost |= !bridge && device_is_registered(&m->dev) &&
			(!take || strcmp(name, driver));
		if (take)
			g->m[g->n++] = pci_dev_get(m);
	}
	g->force = force;
	if (vga && !force)
		pr_warn("IOMMU group %u holds the boot VGA device: its persisted claim needs force; left to its host drivers\n",
			group);
	else if (lost)
		pr_warn("IOMMU group %u: a member's identity changed or could not be read again; persisted claim NOT applied, left to its host drivers\n",
			group);
	if ((vga && !force) || lost || !g->n) {
		for (i = 0; i < g->n; i++) {
			pcipass_persist_mark(g->m[i], PCIPASS_PERSIST_FAILED);
			pci_dev_put(g->m[i]);
		}
		pcipass_plan_group_free(g);
		return;
	}
	pcipass_persist_plan_add(g);
}

static void pcipass_sweep_group(struct pcipass_sweep *sw, struct pci_dev *pdev)
{
	char driver[PCIPASS_DRIVER_MAX];
	struct pci_dev *stranger;
	int err = pcipass_persist_group_get(pdev, &sw->g);

	if (err == -ENODEV) {
		pci_err(pdev, "persisted claim NOT applied: no IOMMU group (is the IOMMU on?)\n");
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
	} else if (err == -E2BIG) {
		pci_err(pdev, "IOMMU group %u has more than %u PCI functions: persisted claim NOT applied\n",
			sw->g.id, PCIPASS_CLAIM_MEMBERS_MAX);
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
	} else if (err) {
		pci_err(pdev, "IOMMU group %u could not be read (%d): persisted claim NOT applied\n",
			sw->g.id, err);
		pcipass_persist_mark(pdev, PCIPASS_PERSIST_FAILED);
	} else {
		stranger = pcipass_sweep_stranger(sw, driver);
		if (stranger)
			pcipass_sweep_leave(sw, sw->g.id, stranger);
		else
			pcipass_sweep_plan(sw, sw->g.id, driver);
	}
	pcipass_persist_group_put(&sw->g);
}

/* Queue the plan's job; Return: the job (a reference), or NULL. */
static struct pcipass_job *pcipass_sweep_submit(void)
{
	struct pcipass_claim_req req = {
		.by_group = true,
		.persisted = true,
	};
	struct pcipass_claim_report *busy;
	struct pcipass_job_where w;
	struct pcipass_job *job;

	if (pcipass_persist_plan_empty())
		return NULL;
	busy = kvzalloc(sizeof(*busy), GFP_KERNEL);
	job = busy ? pcipass_job_submit(PCIPASS_CMD_CLAIM, &req, busy, &w) :
		     ERR_PTR(-ENOMEM);
	if (!IS_ERR(job)) {
		pcipass_report_free(busy);
		return job;
	}
	pr_err("persisted claims not started (%ld): %s; left to their host drivers\n",
	       PTR_ERR(job), busy && busy->msg ? busy->msg : "");
	pcipass_report_free(busy);
	pcipass_persist_plan_free(true);
	return NULL;
}

static struct pcipass_job *pcipass_persist_job;

/**
 * pcipass_persist_sweep() - match what is persisted among the functions
 * that exist, and queue the job that claims it (module init, before the
 * job queue opens to userspace: the job runs first)
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
	pcipass_persist_job = pcipass_sweep_submit();
}

/**
 * pcipass_persist_wait() - the last step of module init: wait, bounded,
 * until the persisted claims' overrides are written
 *
 * The claims themselves go on in the job.  When the overrides take longer
 * (a probe holds a member), say where the job waits: host drivers may
 * probe those functions before it gets there.
 */
void pcipass_persist_wait(void)
{
	struct pcipass_job *job = pcipass_persist_job;
	struct pcipass_job_where w;
	struct pcipass_job *found;
	char text[96];
	int err;

	if (!job)
		return;
	pcipass_persist_job = NULL;
	err = pcipass_persist_wait_written();
	if (err) {
		/* it runs first: if it is not in a step, it is between two */
		found = pcipass_job_find(job->id, &w);
		if (w.step)
			pcipass_job_where_text(&w, text, sizeof(text));
		else
			strscpy(text, "the overrides are being written",
				sizeof(text));
		pr_warn("persisted claims: overrides not all written yet (%d): %s; host drivers may probe those functions first\n",
			err, text);
		if (found)
			pcipass_job_put(found);
	}
	pcipass_job_put(job);
}
