/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals of persisted claims shared by persist.c (the entries),
 * persist_sweep.c (the sweep at load), persist_job.c (its job) and
 * persist_add.c (functions added later).  Lock ordering: see persist.h.
 */
#ifndef _PCIPASS_PERSIST_INT_H
#define _PCIPASS_PERSIST_INT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "persist.h"

struct pci_dev;
struct pcipass_tx;

/* The entries of claims=: the array is fixed after module init. */
extern struct mutex pcipass_persist_lock;
extern struct pcipass_persist_entry *pcipass_persist;
extern unsigned int pcipass_persist_n;

/* What a function is, read once outside the lock. */
struct pcipass_persist_id {
	struct pcipass_path path;
	u64 dsn;
	char path_text[64];
};

int pcipass_persist_id_read(struct pci_dev *pdev,
			    struct pcipass_persist_id *id);

/*
 * A function's IOMMU group and its PCI members, references held (@m
 * allocated for the group by pcipass_group_devs()).
 */
struct pcipass_persist_group {
	u32 id;
	unsigned int n;
	struct pci_dev **m;
};

int pcipass_persist_group_get(struct pci_dev *pdev,
			      struct pcipass_persist_group *g);
void pcipass_persist_group_put(struct pcipass_persist_group *g);
/* Caller holds pcipass_persist_lock; @how: APPLIED, MOVED or MISMATCH. */
struct pcipass_persist_entry *
pcipass_persist_lookup(struct pci_dev *pdev,
		       const struct pcipass_persist_id *id, u8 *how);
u8 pcipass_persist_match(struct pci_dev *pdev,
			 const struct pcipass_persist_id *id);
bool pcipass_persist_named(struct pci_dev *pdev, struct pcipass_persist_id *id,
			   char *driver);
void pcipass_persist_report(struct pci_dev *pdev,
			    const struct pcipass_persist_entry *e,
			    const struct pcipass_persist_id *id, u8 how);
bool pcipass_persist_take(struct pci_dev *pdev,
			  const struct pcipass_persist_id *id, char *driver,
			  bool *force);
int pcipass_persist_override(struct pci_dev *pdev, const char *driver,
			     unsigned int ms);
void pcipass_persist_undo(struct pci_dev *pdev, const char *driver);
void pcipass_persist_mark(struct pci_dev *pdev, u8 state);

/**
 * struct pcipass_plan_group - a group the sweep found whole (persist_job.c)
 * @node: in pcipass_persist_plan
 * @group: its IOMMU group id
 * @driver: the driver its entries name
 * @force: the boot VGA device is a member and its own entry says force
 * @failed: an override could not be written: the group is not claimed
 * @n: members in @m
 * @m: the members entries took (not its bridges), references held;
 *     allocated for the group, as is @wrote
 * @wrote: the job wrote @m's override
 */
struct pcipass_plan_group {
	struct list_head node;
	u32 group;
	char driver[PCIPASS_DRIVER_MAX];
	bool force;
	bool failed;
	unsigned int n;
	struct pci_dev **m;
	bool *wrote;
};

/* persist_job.c: the plan the sweep fills and the job claims */
void pcipass_persist_plan_add(struct pcipass_plan_group *g);
void pcipass_plan_group_free(struct pcipass_plan_group *g);
bool pcipass_persist_plan_empty(void);
void pcipass_persist_plan_free(bool failed);
int pcipass_persist_wait_written(void);

#endif
