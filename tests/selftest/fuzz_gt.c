// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: the ground truth from sysfs and lookups in it.  What the
 * host uses and the answer to a dry-run claim are in fuzz_claimgt.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_gt.h"

struct gt_idx {
	struct pci_addr a;
	int idx;
};

struct fz_gt gt;

static int cmp_gt_idx(const void *a, const void *b)
{
	return pci_addr_cmp(&((const struct gt_idx *)a)->a,
			    &((const struct gt_idx *)b)->a);
}

int gt_read(void)
{
	int i, ret;

	gt.n = sysfs_pci_list(&gt.names);
	if (gt.n <= 0)
		return gt.n ? gt.n : -ENODEV;
	gt.sd = calloc(gt.n, sizeof(*gt.sd));
	gt.sorted = calloc(gt.n, sizeof(*gt.sorted));
	if (!gt.sd || !gt.sorted)
		return -ENOMEM;
	for (i = 0; i < gt.n; i++) {
		ret = sysfs_pci_read(gt.names[i], &gt.sd[i]);
		if (ret)
			return ret;
		gt.sorted[i].a = gt.sd[i].addr;
		gt.sorted[i].idx = i;
	}
	qsort(gt.sorted, gt.n, sizeof(*gt.sorted), cmp_gt_idx);
	gt.ngroups = sysfs_groups_read(&gt.groups);
	if (gt.ngroups < 0)
		return gt.ngroups;
	return gt_use_read();
}

int gt_find(const struct pci_addr *a)
{
	struct gt_idx key = { .a = *a }, *hit;

	hit = bsearch(&key, gt.sorted, gt.n, sizeof(*gt.sorted), cmp_gt_idx);
	return hit ? hit->idx : -1;
}

int gt_group(uint32_t id)
{
	int lo = 0, hi = gt.ngroups - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (gt.groups[mid].id == id)
			return mid;
		if (gt.groups[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

void gt_world(struct pp_world *w)
{
	w->n = gt.n;
	w->sd = gt.sd;
	w->ngroups = gt.ngroups;
	w->groups = gt.groups;
}

int cmp_pci_addr(const void *a, const void *b)
{
	return pci_addr_cmp(a, b);
}

int gt_member(int g, const struct pci_addr *a)
{
	const struct sysfs_group *grp = &gt.groups[g];
	const struct pci_addr *hit;

	hit = bsearch(a, grp->members, grp->nmembers, sizeof(*a), cmp_pci_addr);
	return hit ? (int)(hit - grp->members) : -1;
}

int total_members(void)
{
	int g, t = 0;

	for (g = 0; g < gt.ngroups; g++)
		t += gt.groups[g].nmembers;
	return t;
}

void g_random_addr(struct rng *r, struct pci_addr *a)
{
	if (gt.n && pm(r, 600)) {
		*a = gt.sd[below(r, gt.n)].addr;
		if (pm(r, 200))
			a->devfn = rnd32(r);	/* a neighbour that may not exist */
		return;
	}
	a->domain = pm(r, 700) ? 0 : pm(r, 500) ? below(r, 0x10000) : rnd32(r);
	a->bus = rnd32(r);
	a->devfn = rnd32(r);
}

/* ------------------------------------------------------------------ */
