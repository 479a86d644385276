/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the ground truth (PCI functions and IOMMU groups in sysfs),
 * read once as root before the tests fork, and lookups in it.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_GT_H
#define PCIPASS_SELFTEST_FUZZ_GT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_rng.h"
#include "ppiso.h"
#include "sysfs.h"

struct gt_idx;

/* What the module refuses a claim of a function for, besides VFs. */
struct gt_use {
	uint8_t vga;		/* the boot VGA device */
};

struct fz_gt {
	int n;
	char **names;
	struct sysfs_dev *sd;
	struct gt_idx *sorted;
	int ngroups;
	struct sysfs_group *groups;
	struct gt_use *use;	/* per function, as gt.sd */
	int err;
};

extern struct fz_gt gt;

/* Fill gt from sysfs; 0 or -errno. */
int gt_read(void);
/* Index into gt.sd and gt.names, or -1. */
int gt_find(const struct pci_addr *a);
/* Index into gt.groups, or -1. */
int gt_group(uint32_t id);
/* Index of @a in gt.groups[g].members, or -1. */
int gt_member(int g, const struct pci_addr *a);
/* Members of all groups together. */
int total_members(void);
/* The ground truth as the isolation checks take it (no copy). */
void gt_world(struct pp_world *w);
/* qsort()/bsearch() comparison of struct pci_addr. */
int cmp_pci_addr(const void *a, const void *b);

/* Fill gt.use (fuzz_claimgt.c); called by gt_read(). */
int gt_use_read(void);
/* A PCI driver of that name is registered (/sys/bus/pci/drivers). */
bool gt_driver_registered(const char *name);

/*
 * The module's answer to a dry-run claim (@claim) or release of group
 * gt.groups[@g], the target driver registered: 0 (planned) or the errno,
 * in the order of kmod/claim.c's checks.  *@report: a report with the
 * members comes first.  @why: the prediction in words, for failures.
 */
int gt_claim_answer(int g, bool claim, bool force, const char *target,
		    bool *report, char *why, size_t len);

/* An existing function, a neighbour that may not exist, or any address. */
void g_random_addr(struct rng *r, struct pci_addr *a);

#endif
