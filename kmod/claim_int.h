/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of the claim engine, shared by its files (see claim.c):
 *   claim_job.c     jobs: the worker transactions run in (see claim.h)
 *   claim.c         the transaction: one at a time, claim's steps in order
 *   claim_drv.c     target drivers: name checks, lookup and pin, autoload
 *   claim_rec.c     records of what a claim changed (struct pcipass_rec)
 *   claim_group.c   the group: members collected, ordered and read
 *   claim_check.c   pre-flight: VFIO users, SR-IOV, boot VGA, records
 *   claim_exec.c    overrides, unbind, bind, verify, rollback
 *   claim_release.c release: originals back
 * Lock ordering: see claim.h.
 */
#ifndef _PCIPASS_CLAIM_INT_H
#define _PCIPASS_CLAIM_INT_H

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/pci.h>
#include <linux/spinlock.h>

#include "claim.h"

/*
 * The records and their lock (claim_rec.c); a leaf lock, never held
 * across anything that sleeps.
 */
extern spinlock_t pcipass_rec_lock;
extern struct list_head pcipass_recs;

/**
 * struct pcipass_rec - what a claim changed on one function
 * @node: in pcipass_recs
 * @pdev: the function (reference held)
 * @busy: a release is working on it; the bus notifier only marks @gone
 * @pending: made by the claim in progress, which commits or drops it; the
 *           bus notifier only marks @gone
 * @gone: the function was removed while @busy or @pending
 * @host_default: a persisted claim: release clears the override and lets
 *                the driver core match, as at boot (@orig_driver and
 *                @orig_override are NULL)
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
	bool host_default;
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
 * @reused_rec: its record from an earlier claim, held busy by this one
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
	struct pcipass_rec *reused_rec;
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
 * @m: members: PFs and other functions first, VFs last (kvcalloc()ed
 *     for the group, @n entries)
 * @scratch: a page to read overrides into under their lock
 * @group: the group (reference held), to ask who owns its DMA
 */
struct pcipass_tx {
	const struct pcipass_claim_req *req;
	struct pcipass_claim_report *rep;
	struct device_driver *target;
	struct iommu_group *group;
	unsigned int n;
	struct pcipass_tx_member *m;
	char *scratch;
};

__printf(4, 5) int pcipass_fail(struct pcipass_claim_report *rep, u8 field,
				int err, const char *fmt, ...);

/* An address as text, for messages: pcipass_astr(&addr).s */
struct pcipass_astr {
	char s[16];
};

static inline struct pcipass_astr pcipass_astr(const struct pcipass_addr *a)
{
	struct pcipass_astr out;

	scnprintf(out.s, sizeof(out.s), "%04x:%02x:%02x.%d", a->domain,
		  a->bus, PCI_SLOT(a->devfn), PCI_FUNC(a->devfn));
	return out;
}

/* claim_drv.c: target drivers, names */
bool pcipass_driver_name_ok(const char *name);
struct device_driver *pcipass_driver_pin(const char *name);
bool pcipass_vfio_driver_name(const char *name);
void pcipass_driver_unpin(struct device_driver *drv);
struct device_driver *pcipass_driver_load(const char *name);
void pcipass_drv_name(struct pci_dev *pdev, char *buf, size_t size);
void pcipass_unbind(struct pci_dev *pdev);
int pcipass_attach(struct device_driver *drv, struct pci_dev *pdev);
bool pcipass_gone(struct pci_dev *pdev);

/* override.c: override writes that never wait without bound */
int pcipass_override_set_within(struct pci_dev *pdev, const char *name,
				unsigned int ms);
int pcipass_override_clear_locked(struct pci_dev *pdev, const char *name);

/* claim_rec.c: what a claim changed, per function */
struct pcipass_rec *pcipass_rec_find(struct pci_dev *pdev);
bool pcipass_rec_holds(struct pci_dev *pdev, const char *driver);
bool pcipass_rec_has_persisted(struct pci_dev *pdev, char *driver);
bool pcipass_rec_drop_persisted(struct pci_dev *pdev, char *driver);
int pcipass_prepare_records(struct pcipass_tx *tx);
void pcipass_finish_records(struct pcipass_tx *tx, bool abort);
unsigned int pcipass_release_take(struct pcipass_tx *tx);
void pcipass_release_put(struct pcipass_tx *tx);

/* claim_group.c: the group and its members */
struct iommu_group *pcipass_req_group(const struct pcipass_claim_req *req,
				      struct pcipass_claim_report *rep);
int pcipass_collect(struct pcipass_tx *tx);
int pcipass_read_members(struct pcipass_tx *tx);
void pcipass_tx_release(struct pcipass_tx *tx);
struct pcipass_tx *pcipass_tx_new(const struct pcipass_claim_req *req,
				  struct pcipass_claim_report *rep);

/* claim_check.c: pre-flight checks and refusals */
int pcipass_check_vfio_user(struct pcipass_tx *tx);
struct pcipass_claim_blocker *pcipass_preflight(struct pcipass_tx *tx);
int pcipass_refuse(struct pcipass_tx *tx,
		   const struct pcipass_claim_blocker *b);
int pcipass_check_records(struct pcipass_tx *tx, bool *already);

/* claim_exec.c: execute, verify, roll back */
int pcipass_override(struct pcipass_tx_member *m, const char *name);
void pcipass_mark_detach(struct pcipass_tx *tx);
int pcipass_rebind(struct pci_dev *pdev, struct device_driver *drv);
const char *pcipass_bind_override(const char *orig_override,
				  const char *orig_driver);
void pcipass_plan(struct pcipass_tx *tx, u8 state);
int pcipass_execute(struct pcipass_tx *tx);

/* claim.c: the transaction */
int pcipass_tx_run(struct pcipass_tx *tx,
		   int (*locked)(struct pcipass_tx *tx));

#endif /* _PCIPASS_CLAIM_INT_H */
