// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: what a claim of each function would take from the host (the
 * root filesystem, the boot VGA, held block devices, active interfaces,
 * as kmod/safety.c judges them), read from sysfs and /proc once, and the
 * answer the module must give to a dry-run claim or release, predicted
 * from that and the ground truth of fuzz_gt.c (kmod/claim.c's order).
 */
#include <errno.h>
#include <ifaddrs.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fuzz_gt.h"

/*
 * What a claim would take from the host (kmod/safety.c), per function:
 * read once, before the streams, from sysfs, /proc and the interfaces'
 * addresses.  The test VM is quiet (the fuzzer is the only client, and
 * nothing mounts, brings interfaces up or moves drivers meanwhile), so
 * it holds for the whole run.
 */

#define GT_CLAIM_MEMBERS	64	/* PCIPASS_CLAIM_MEMBERS: more is E2BIG */
#define GT_CLAIM_BLOCKERS	16	/* PCIPASS_CLAIM_BLOCKERS: the report's room */
#define GT_STACK_DEPTH		4	/* PCIPASS_STACK_DEPTH */
#define GT_ROOT_DEVS		8	/* PCIPASS_ROOT_DEVS */
#define GT_UPPER_DEPTH		8	/* uppers over uppers (MAX_NEST_DEV) */
#define GT_MAX_DISKS		64

static char *gt_root_devs[GT_ROOT_DEVS];
static int gt_nroot;

static bool gt_exists(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), fmt, a, b);
	return !stat(path, &st);
}

/*
 * The PCI function a sysfs device hangs below: the first ancestor in its
 * real path that is a PCI function (kmod: pcipass_dev_owned()), as an
 * index into gt.sd, or -1.
 */
static int gt_owner(const char *path)
{
	char real[PATH_MAX], *p;
	struct pci_addr a;

	if (!realpath(path, real))
		return -1;
	while ((p = strrchr(real, '/'))) {
		*p = 0;
		if (strlen(p + 1) == 12 && !pci_addr_parse(p + 1, &a))
			return gt_find(&a);
	}
	return -1;
}

/* kmod: pcipass_root_stack(), a block device of the root's stack. */
static void gt_root_stack(const char *blk, int depth)
{
	char real[PATH_MAX], dir[PATH_MAX + 32], **slaves;
	int owner = gt_owner(blk), i, n;

	if (!realpath(blk, real))
		return;
	if (owner >= 0) {
		for (i = 0; i < gt_nroot; i++)
			if (!strcmp(gt_root_devs[i], real))
				return;
		if (gt_nroot < GT_ROOT_DEVS)
			gt_root_devs[gt_nroot++] = strdup(real);
		gt.use[owner].root++;
		return;
	}
	if (depth >= GT_STACK_DEPTH)
		return;
	/* a partition looks at its disk's "slaves" (bd_disk->slave_dir) */
	snprintf(dir, sizeof(dir), gt_exists("%s/partition%s", real, "") ?
		 "%s/../slaves" : "%s/slaves", real);
	n = sysfs_list_dir(dir, &slaves);
	for (i = 0; i < n; i++) {
		snprintf(dir, sizeof(dir), "/sys/class/block/%s", slaves[i]);
		gt_root_stack(dir, depth + 1);
	}
	if (n > 0)
		sysfs_names_free(slaves, n);
}

/*
 * The roots of PID 1 and of this process (the caller of every claim);
 * one without a block device (tmpfs, 9p, overlay) has no s_bdev.
 */
static void gt_roots_read(void)
{
	static const char *const roots[] = { "/proc/1/root", "/" };
	struct stat st[2] = { 0 };
	char blk[64];
	int i;

	for (i = 0; i < 2; i++) {
		if (stat(roots[i], &st[i]) || !major(st[i].st_dev) ||
		    (i && st[1].st_dev == st[0].st_dev))
			continue;
		snprintf(blk, sizeof(blk), "/sys/dev/block/%u:%u",
			 major(st[i].st_dev), minor(st[i].st_dev));
		gt_root_stack(blk, 0);
	}
}

static bool gt_is_root_dev(const char *real)
{
	int i;

	for (i = 0; i < gt_nroot; i++)
		if (!strcmp(gt_root_devs[i], real))
			return true;
	return false;
}

/* A line of @file whose field @field (from 1) is @val. */
static bool gt_in_file(const char *file, int field, const char *val)
{
	char line[4096], *tok, *save;
	bool hit = false;
	FILE *f = fopen(file, "r");
	int i;

	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f)) {
		tok = strtok_r(line, " \t\n", &save);
		for (i = 1; tok && i < field; i++)
			tok = strtok_r(NULL, " \t\n", &save);
		hit = tok && !strcmp(tok, val);
	}
	fclose(f);
	return hit;
}

/*
 * An exclusive holder (kmod: bd_holder): mounted in PID 1's or our
 * namespace, swap, or under dm/md/bcache ("holders").
 */
static bool gt_blk_held(const char *name)
{
	char path[PATH_MAX], mm[32] = "", **holders;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/block/%s/dev", name);
	f = fopen(path, "r");
	if (f) {
		if (!fscanf(f, "%31s", mm))
			mm[0] = 0;
		fclose(f);
	}
	if (mm[0] && (gt_in_file("/proc/1/mountinfo", 3, mm) ||
		      gt_in_file("/proc/self/mountinfo", 3, mm)))
		return true;
	snprintf(path, sizeof(path), "/dev/%s", name);
	if (gt_in_file("/proc/swaps", 1, path))
		return true;
	snprintf(path, sizeof(path), "/sys/class/block/%s/holders", name);
	n = sysfs_list_dir(path, &holders);
	if (n > 0)
		sysfs_names_free(holders, n);
	return n > 0;
}

/*
 * kmod: pcipass_check_block().  Partitions first: a disk counts only when
 * none of its partitions does (a held partition marks its disk held too).
 * Root devices count as held and were reported as such already.
 */
static void gt_block_read(void)
{
	char path[PATH_MAX + 32], real[PATH_MAX], *disks[GT_MAX_DISKS], **names;
	int n, i, j, pass, owner, ndisks = 0;
	bool part, root;

	n = sysfs_list_dir("/sys/class/block", &names);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "/sys/class/block/%s", names[i]);
			owner = gt_owner(path);
			if (owner < 0 || !realpath(path, real))
				continue;
			part = gt_exists("%s/partition%s", real, "");
			if (part != !pass)
				continue;
			for (j = 0; pass && j < ndisks; j++)
				if (!strcmp(disks[j], real))
					break;
			if (pass && j < ndisks)
				continue;
			root = gt_is_root_dev(real);
			if (!root && !gt_blk_held(names[i]))
				continue;
			if (part && ndisks < GT_MAX_DISKS)
				disks[ndisks++] = strdup(dirname(real));
			if (!root)
				gt.use[owner].block++;
		}
	}
	for (i = 0; i < ndisks; i++)
		free(disks[i]);
	if (n > 0)
		sysfs_names_free(names, n);
}

static bool gt_if_up(const char *name)
{
	char path[PATH_MAX];
	unsigned int flags = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/flags", name);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fscanf(f, "%x", &flags) != 1)
		flags = 0;
	fclose(f);
	return flags & 1;	/* IFF_UP: netif_running() */
}

/* kmod: pcipass_netdev_active(): up, an IPv4 or a non-link-local IPv6 address. */
static bool gt_if_active(struct ifaddrs *ifs, const char *name)
{
	struct ifaddrs *i;

	if (!gt_if_up(name))
		return false;
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || strcmp(i->ifa_name, name))
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			return true;
		if (i->ifa_addr->sa_family == AF_INET6 &&
		    !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
			return true;
	}
	return false;
}

/* kmod: netdev_walk_all_upper_dev_rcu() looking for an active upper. */
static bool gt_upper_active(struct ifaddrs *ifs, const char *name, int depth)
{
	char path[PATH_MAX], **ents;
	bool hit = false;
	int n, i;

	snprintf(path, sizeof(path), "/sys/class/net/%s", name);
	n = sysfs_list_dir(path, &ents);
	for (i = 0; i < n && !hit; i++)
		if (!strncmp(ents[i], "upper_", 6))
			hit = gt_if_active(ifs, ents[i] + 6) ||
			      (depth < GT_UPPER_DEPTH &&
			       gt_upper_active(ifs, ents[i] + 6, depth + 1));
	if (n > 0)
		sysfs_names_free(ents, n);
	return hit;
}

/* kmod: pcipass_check_net(), for the interfaces this namespace shows. */
static void gt_net_read(void)
{
	struct ifaddrs *ifs = NULL;
	char path[PATH_MAX], **names;
	int n, i, owner;

	if (getifaddrs(&ifs))
		ifs = NULL;
	n = sysfs_list_dir("/sys/class/net", &names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/class/net/%s", names[i]);
		owner = gt_owner(path);
		if (owner < 0 || !gt_if_up(names[i]))
			continue;
		if (gt_if_active(ifs, names[i]) || gt_upper_active(ifs, names[i], 1))
			gt.use[owner].net++;
	}
	if (n > 0)
		sysfs_names_free(names, n);
	freeifaddrs(ifs);
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
	gt_roots_read();
	gt_block_read();
	gt_net_read();
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
	gt_blockers(t, idx, u->root, false, "root-fs");
	gt_blockers(t, idx, u->vga, force, "boot-vga");
	gt_blockers(t, idx, u->block, force, "block-in-use");
	gt_blockers(t, idx, u->net, force, "netdev-active");
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
