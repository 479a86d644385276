/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ground truth a claim is judged by: every function's driver and
 * driver_override in sysfs (snapshot, diff, restore) and
 * VFIO_GROUP_GET_STATUS on the legacy /dev/vfio/N group node.
 */
#ifndef PCIPASS_SELFTEST_PPCSTATE_H
#define PCIPASS_SELFTEST_PPCSTATE_H

#include <stdbool.h>
#include <stdint.h>

#include "ppcommon.h"

#define PPC_NAME	64
#define PPC_MAX_FN	160

/* driver and override of every PCI function, from sysfs only */
struct ppc_fn {
	char name[16];			/* "dddd:bb:dd.f" */
	char driver[PPC_NAME];		/* "" when unbound */
	char override[PPC_NAME];	/* "" when none */
	uint32_t group;
	bool bridge;			/* header type 1 or 2 */
};

struct ppc_state {
	int n;
	struct ppc_fn fn[PPC_MAX_FN];
};

int ppc_state_read(struct ppc_state *s);
const struct ppc_fn *ppc_state_find(const struct ppc_state *s, const char *name);
/* Differences (driver or override) between two snapshots; count. */
int ppc_state_diff(const struct ppc_state *a, const struct ppc_state *b,
		   char *why, int whylen);
/* Put every function of @want back on its driver and override; diffs left. */
int ppc_state_restore(const struct ppc_state *want, char *why, int whylen);
/* Members of a group (sorted names) from the snapshot; count. */
int ppc_group_members(const struct ppc_state *s, uint32_t group,
		      const struct ppc_fn **out, int max);

/* VFIO_GROUP_GET_STATUS flags of /dev/vfio/<group>, or -errno. */
int ppc_vfio_status(uint32_t group, uint32_t *flags);

#endif
