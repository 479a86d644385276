// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: what the module itself refuses a claim of each function for
 * (the boot VGA device, SR-IOV VFs; what the host would lose is the CLI's
 * policy, not the module's), read from sysfs once, and the answer the
 * module must give to a dry-run claim or release, predicted from that and
 * the ground truth of fuzz_gt.c (kmod/claim.c's order).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_gt.h"

#define GT_CLAIM_MEMBERS	64	/* PCIPASS_CLAIM_MEMBERS: more is E2BIG */
#define GT_CLAIM_BLOCKERS	16	/* PCIPASS_CLAIM_BLOCKERS: the report's room */

static bool gt_exists(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return !stat(path, &st);
}

int gt_use_read(void)
{
	char path[PATH_MAX];
	int i, c;
	FILE *f;

	gt.use = calloc(gt.n, sizeof(*gt.use));
	if (!gt.use)
		return -ENOMEM;
	for (i = 0; i < gt.n; i++) {
		/* vga_default_device(), as boot_vga shows it */
		snprintf(path, sizeof(path), "%s/%s/boot_vga", SYSFS_PCI_DEVICES,
			 gt.names[i]);
		f = fopen(path, "r");
		if (f) {
			c = fgetc(f);
			gt.use[i].vga = c == '1';
			fclose(f);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* A dry-run claim or release, decided as kmod/claim.c decides it.     */

bool gt_driver_registered(const char *name)
{
	return gt_exists("/sys/bus/pci/drivers/%s%s", name, "");
}

/* kmod: pcipass_is_bridge(): never handed to the target driver. */
static bool gt_bridge(const struct sysfs_dev *d)
{
	return d->header_type != 0 || (d->class >> 8) == 0x0600;
}

struct gt_tally {
	int nb;			/* blockers in the report (at most 16) */
	int idx;		/* the first that force does not override */
	const char *what;
};

/* Add @count blockers of one kind; the report keeps the first 16. */
static void gt_blockers(struct gt_tally *t, int idx, int count, bool forced,
			const char *what)
{
	for (; count > 0 && t->nb < GT_CLAIM_BLOCKERS; count--) {
		t->nb++;
		if (!forced && !t->what) {
			t->what = what;
			t->idx = idx;
		}
	}
}

/* kmod: pcipass_check_vfs(): VFs of PF @idx outside group @id. */
/* VFs of a PF, in its group or not: unbinding the PF destroys them all. */
static int gt_vfs_of(int idx)
{
	int i, n = 0;

	for (i = 0; i < gt.n; i++)
		if (gt.sd[i].is_virtfn &&
		    !pci_addr_cmp(&gt.sd[i].physfn, &gt.sd[idx].addr))
			n++;
	return n;
}

/* kmod: pcipass_preflight() for one member, in the order it reports. */
static void gt_preflight(struct gt_tally *t, int idx, bool force)
{
	const struct gt_use *u = &gt.use[idx];

	gt_blockers(t, idx, gt_vfs_of(idx) > 0, false, "active-vfs");
	gt_blockers(t, idx, u->vga, force, "boot-vga");
}

int gt_claim_answer(int g, bool claim, bool force, const char *target,
		    bool *report, char *why, size_t len)
{
	const struct sysfs_group *grp = &gt.groups[g];
	struct gt_tally t = { 0 };
	bool takes = false;
	int pass, m, idx;

	/* collect: more members than the transaction holds, no report */
	*report = grp->nmembers <= GT_CLAIM_MEMBERS;
	if (!*report) {
		snprintf(why, len, "group %u: %d functions, more than %d",
			 grp->id, grp->nmembers, GT_CLAIM_MEMBERS);
		return E2BIG;
	}
	/* the fuzzer never claims for real and runs alone: no records */
	if (!claim) {
		snprintf(why, len, "group %u: not claimed by pcipass", grp->id);
		return ENOENT;
	}
	/* claim order: every other function before the VFs */
	for (pass = 0; pass < 2; pass++) {
		for (m = 0; m < grp->nmembers; m++) {
			idx = gt_find(&grp->members[m]);
			if (idx < 0 || gt.sd[idx].is_virtfn != pass ||
			    gt_bridge(&gt.sd[idx]))
				continue;
			takes = true;
			if (gt.sd[idx].has_driver &&
			    !strcmp(gt.sd[idx].driver, target))
				continue;	/* on the target: nothing to lose */
			gt_preflight(&t, idx, force);
		}
	}
	if (!takes) {
		snprintf(why, len, "group %u holds only bridges", grp->id);
		return EINVAL;
	}
	if (t.what) {
		snprintf(why, len, "group %u refused: %s %s%s", grp->id,
			 gt.names[t.idx], t.what, force ? " (not forceable)" : "");
		return EBUSY;
	}
	snprintf(why, len, "group %u planned for %s (%d blockers%s)", grp->id,
		 target, t.nb, t.nb ? ", forced" : "");
	return 0;
}
