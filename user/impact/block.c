// SPDX-License-Identifier: GPL-2.0
/*
 * Disks below a function, their partitions, whatever is built on them
 * (device-mapper: LVM, LUKS, multipath; md RAID), and what is mounted or
 * swapped on any of those.  A device belongs to the function when its
 * sysfs directory lies below the function's, or, for an NVMe namespace
 * with native multipath (Debian's default), when one of its paths does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* dm on md on partitions on a disk, with room to spare; also stops a
 * fixture with a holder loop.
 */
#define MAX_HOLDER_DEPTH 8
/* From the root device down to the disk: LUKS on LVM on RAID is three. */
#define ROOT_STACK_DEPTH 4

struct blk_entry {
	char *name;
	char *real;		/* canonical sysfs path */
	bool partition;
};

struct blk_scan {
	struct blk_entry *v;
	size_t n;
};

static char *blk_attr(const char *name, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/block/%s/%s", name, attr);
	return sysroot_read_line(path);
}

static bool blk_has(const char *name, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/block/%s/%s", name, attr);
	return sysroot_exists(path);
}

static void scan_all(struct blk_scan *s)
{
	size_t n;
	char **names = sysroot_list("/sys/class/block", &n);

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct blk_entry *e;
		char *real;

		snprintf(path, sizeof(path), "/sys/class/block/%s", names[i]);
		real = syspath_resolve(path);
		if (!real)
			continue;
		e = VEC_PUSH(s->v, s->n);
		e->name = xstrdup(names[i]);
		e->real = real;
		e->partition = blk_has(names[i], "partition");
	}
	sysroot_free_names(names, n);
}

static void scan_free(struct blk_scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].name);
		free(s->v[i].real);
	}
	free(s->v);
}

static struct imp_block *find(const struct imp_func *f, const char *name)
{
	for (size_t i = 0; i < f->nblk; i++)
		if (!strcmp(f->blk[i].name, name))
			return &f->blk[i];
	return NULL;
}

static bool known(const struct imp_func *f, const char *name)
{
	return find(f, name) != NULL;
}

static struct imp_block *add(struct imp_func *f, const char *name,
			     enum blk_role role, const char *parent)
{
	struct imp_block *b = VEC_PUSH(f->blk, f->nblk);

	b->name = xstrdup(name);
	b->role = role;
	b->parent = parent ? xstrdup(parent) : NULL;
	return b;
}

/* nvme0n1/multipath/nvme0c0n1 -> a path below the function: the name of
 * that path, or NULL.
 */
static char *multipath_via(const char *name, const char *fpath)
{
	char dir[PATH_MAX];
	char *via = NULL;
	char **paths;
	size_t n;

	snprintf(dir, sizeof(dir), "/sys/class/block/%s/multipath", name);
	paths = sysroot_list(dir, &n);
	for (size_t i = 0; i < n && !via; i++) {
		char link[2 * PATH_MAX];
		char *real;

		snprintf(link, sizeof(link), "%s/%s", dir, paths[i]);
		real = syspath_resolve(link);
		if (real && syspath_under(real, fpath))
			via = xstrdup(paths[i]);
		free(real);
	}
	sysroot_free_names(paths, n);
	return via;
}

/* A hidden disk is a multipath leg: it is reported as its head. */
static bool hidden(const char *name)
{
	char *h = blk_attr(name, "hidden");
	bool yes = h && !strcmp(h, "1");

	free(h);
	return yes;
}

static void add_partitions(struct imp_func *f, const struct blk_scan *s,
			   const struct blk_entry *disk)
{
	size_t len = strlen(disk->real);

	for (size_t i = 0; i < s->n; i++) {
		const struct blk_entry *p = &s->v[i];

		if (p->partition && !strncmp(p->real, disk->real, len) &&
		    p->real[len] == '/' && !strchr(p->real + len + 1, '/'))
			add(f, p->name, BLK_PART, disk->name);
	}
}

static void find_disks(struct imp_func *f, const struct blk_scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct blk_entry *e = &s->v[i];
		bool below = syspath_under(e->real, f->path);
		char *via = NULL;

		if (e->partition || (below && hidden(e->name)))
			continue;
		if (!below) {
			via = multipath_via(e->name, f->path);
			if (!via)
				continue;
		}
		add(f, e->name, BLK_DISK, NULL)->via = via;
		add_partitions(f, s, e);
	}
}

static void add_holders(struct imp_func *f, const char *name, int depth)
{
	char dir[PATH_MAX];
	char **names;
	size_t n;

	if (depth > MAX_HOLDER_DEPTH)
		return;
	snprintf(dir, sizeof(dir), "/sys/class/block/%s/holders", name);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (known(f, names[i]))
			continue;
		add(f, names[i], BLK_HOLDER, name);
		add_holders(f, names[i], depth + 1);
	}
	sysroot_free_names(names, n);
}

/* udev's database entry: "E:ID_FS_TYPE=ext4" lines. */
static void udev_props(struct imp_block *b)
{
	char path[PATH_MAX], line[512];
	FILE *u;

	if (!b->dev)
		return;
	snprintf(path, sizeof(path), "/run/udev/data/b%s", b->dev);
	u = sysroot_fopen(path);
	if (!u)
		return;
	while (fgets(line, sizeof(line), u)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "E:ID_FS_TYPE=", 13) && !b->fs_type &&
		    line[13])
			b->fs_type = xstrdup(line + 13);
		else if (!strncmp(line, "E:ID_FS_LABEL=", 14) && !b->fs_label &&
			 line[14])
			b->fs_label = xstrdup(line + 14);
	}
	fclose(u);
}

static void describe(struct imp_block *b)
{
	b->dev = blk_attr(b->name, "dev");
	b->dm_name = blk_attr(b->name, "dm/name");
	udev_props(b);
	if (b->fs_type && b->fs_label && !strcmp(b->fs_type, "zfs_member")) {
		char path[PATH_MAX];

		/* the SPL keeps a kstat directory per imported pool */
		snprintf(path, sizeof(path), "/proc/spl/kstat/zfs/%s",
			 b->fs_label);
		b->zfs_imported = sysroot_is_dir(path);
	}
}

static bool dev_is(const struct imp_block *b, const char *path)
{
	size_t len = strlen("/dev/mapper/");

	if (!path || strncmp(path, "/dev/", 5))
		return false;
	if (!strcmp(path + 5, b->name))
		return true;
	return b->dm_name && !strncmp(path, "/dev/mapper/", len) &&
	       !strcmp(path + len, b->dm_name);
}

/* ZFS datasets name their pool, not a device: "rpool/ROOT/pve-1". */
static bool zfs_of(const struct imp_block *b, const struct mount_entry *m)
{
	size_t len;

	if (!b->fs_type || strcmp(b->fs_type, "zfs_member") || !b->fs_label ||
	    !m->fstype || strcmp(m->fstype, "zfs") || !m->source)
		return false;
	len = strlen(b->fs_label);
	return !strncmp(m->source, b->fs_label, len) &&
	       (!m->source[len] || m->source[len] == '/');
}

static bool holds(const struct imp_block *b, const struct mount_entry *m)
{
	char devno[32];

	if (m->has_devno && b->dev) {
		snprintf(devno, sizeof(devno), "%u:%u", m->major, m->minor);
		if (!strcmp(devno, b->dev))
			return true;
	}
	/* btrfs reports an anonymous st_dev: fall back to the source */
	return dev_is(b, m->source) || zfs_of(b, m);
}

static void match(struct imp_func *f, const struct mount_list *ml,
		  struct imp_mount **out, size_t *nout)
{
	for (size_t i = 0; i < ml->n; i++) {
		const struct mount_entry *m = &ml->v[i];

		for (size_t j = 0; j < f->nblk; j++) {
			struct imp_mount *im;

			if (!holds(&f->blk[j], m))
				continue;
			im = VEC_PUSH(*out, *nout);
			im->device = xstrdup(f->blk[j].name);
			im->source = m->source ? xstrdup(m->source) : NULL;
			im->target = m->target ? xstrdup(m->target) : NULL;
			im->fstype = m->fstype ? xstrdup(m->fstype) : NULL;
			break;
		}
	}
}

/* "DEVNAME=nvme0n1p2" from the uevent file: the node below /dev. */
static char *devname(const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/block/%s/uevent", name);
	return syspath_uevent(path, "DEVNAME");
}

/*
 * Whether anybody holds the device exclusively, asked the way the kernel
 * itself decides it: an O_EXCL open fails with EBUSY while a filesystem
 * (in any mount namespace), swap, dm/md, bcache or another O_EXCL opener
 * has it, and a disk counts as held while one of its partitions is.  The
 * open is read-only, so closing it does not make udev re-read the disk;
 * for the microseconds it lasts, a mount of the device would fail.  Only
 * on the real root, for a node that is this very device.
 */
static int excl_probe(const struct imp_block *b)
{
	char path[PATH_MAX];
	unsigned int maj, min;
	struct stat st;
	char *node;
	int fd;

	if (*sysroot_prefix() || !b->dev ||
	    sscanf(b->dev, "%u:%u", &maj, &min) != 2)
		return -1;
	node = devname(b->name);
	if (!node)
		return -1;
	snprintf(path, sizeof(path), "/dev/%s", node);
	free(node);
	if (stat(path, &st) || !S_ISBLK(st.st_mode) ||
	    st.st_rdev != makedev(maj, min))
		return -1;
	fd = open(path, O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == EBUSY ? 1 : -1;
}

/* From a device of the root's stack down its "slaves" to the function's
 * disks and partitions: each of those carries the root.
 */
static void mark_root(struct imp_func *f, const char *name, const char *root,
		      int depth)
{
	struct imp_block *b = find(f, name);
	char dir[PATH_MAX];
	char **names;
	size_t n;

	if (b && b->role != BLK_HOLDER) {
		if (!b->root_of)
			b->root_of = xstrdup(root);
		return;
	}
	if (depth >= ROOT_STACK_DEPTH)
		return;
	snprintf(dir, sizeof(dir), "/sys/class/block/%s/slaves", name);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++)
		mark_root(f, names[i], root, depth + 1);
	sysroot_free_names(names, n);
}

/* A root on one of the function's devices, by device number, source or
 * ZFS pool (holds()), carries the devices below it too.
 */
static void mark_roots(struct imp_func *f, const struct imp_roots *roots)
{
	for (size_t r = 0; r < roots->n; r++)
		for (size_t i = 0; i < f->nblk; i++)
			if (holds(&f->blk[i], &roots->v[r]))
				mark_root(f, f->blk[i].name, f->blk[i].name, 0);
}

void impact_block_gather(struct imp_func *f, const struct mount_list *mounts,
			 const struct mount_list *swaps,
			 const struct imp_roots *roots)
{
	struct blk_scan s;
	size_t nbase;

	scan_all(&s);
	find_disks(f, &s);
	scan_free(&s);
	nbase = f->nblk;
	for (size_t i = 0; i < nbase; i++)
		add_holders(f, f->blk[i].name, 0);
	for (size_t i = 0; i < f->nblk; i++) {
		describe(&f->blk[i]);
		f->blk[i].excl = -1;	/* impact_probe_excl(), for claims */
	}
	mark_roots(f, roots);
	match(f, mounts, &f->mnt, &f->nmnt);
	match(f, swaps, &f->swp, &f->nswp);
}

void impact_probe_excl(struct impact *im)
{
	for (size_t i = 0; im && i < im->n; i++)
		for (size_t j = 0; j < im->f[i].nblk; j++) {
			struct imp_block *b = &im->f[i].blk[j];

			if (b->role != BLK_HOLDER)
				b->excl = excl_probe(b);
		}
}
