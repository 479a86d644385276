// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include <libmount.h>

#include "impact/mounts.h"
#include "lib/sysroot.h"
#include "lib/util.h"

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void add(struct mount_list *ml, struct libmnt_fs *fs, bool swap)
{
	struct mount_entry *e;
	dev_t dev = mnt_fs_get_devno(fs);

	ml->v = xrealloc(ml->v, (ml->n + 1) * sizeof(*ml->v));
	e = &ml->v[ml->n++];
	memset(e, 0, sizeof(*e));
	/* 0:0 is "not known" (fstab, swaps); 0:N is an anonymous device
	 * (btrfs subvolumes, overlay, tmpfs) that names no block device.
	 */
	e->has_devno = major(dev) != 0;
	e->major = major(dev);
	e->minor = minor(dev);
	e->source = dup_or_null(mnt_fs_get_source(fs));
	if (!swap) {
		e->target = dup_or_null(mnt_fs_get_target(fs));
		e->fstype = dup_or_null(mnt_fs_get_fstype(fs));
	}
}

/* Skip lines libmount cannot parse instead of losing the whole table. */
static int parse_error(struct libmnt_table *tb, const char *file, int line)
{
	(void)tb;
	(void)file;
	(void)line;
	return 1;
}

static void read_table(const char *path, bool swap, struct mount_list *ml)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	char buf[PATH_MAX];
	const char *p = sysroot_path(path, buf, sizeof(buf));
	struct libmnt_fs *fs;
	int rc;

	memset(ml, 0, sizeof(*ml));
	if (!tb || !it || !p)
		goto out;
	mnt_table_set_parser_errcb(tb, parse_error);
	rc = swap ? mnt_table_parse_swaps(tb, p) : mnt_table_parse_file(tb, p);
	if (rc)
		goto out;
	ml->readable = true;
	while (mnt_table_next_fs(tb, it, &fs) == 0)
		add(ml, fs, swap);
out:
	mnt_free_iter(it);
	mnt_unref_table(tb);
}

void mounts_read(struct mount_list *ml)
{
	read_table("/proc/self/mountinfo", false, ml);
}

void mounts_read_pid1(struct mount_list *ml)
{
	read_table("/proc/1/mountinfo", false, ml);
}

void swaps_read(struct mount_list *ml)
{
	read_table("/proc/swaps", true, ml);
}

void mounts_free(struct mount_list *ml)
{
	for (size_t i = 0; i < ml->n; i++) {
		free(ml->v[i].source);
		free(ml->v[i].target);
		free(ml->v[i].fstype);
	}
	free(ml->v);
	memset(ml, 0, sizeof(*ml));
}
