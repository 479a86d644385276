/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_MOUNTS_H
#define PCIPASS_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>

/* The mount table (/proc/self/mountinfo) and active swap (/proc/swaps),
 * parsed by libmount, through the sysroot.
 */
struct mount_entry {
	bool has_devno;
	unsigned int major, minor;	/* st_dev of the filesystem */
	char *source;		/* "/dev/mapper/pve-root", "rpool/ROOT/pve-1" */
	char *target;		/* mount point; NULL for swap */
	char *fstype;		/* NULL for swap */
};

struct mount_list {
	struct mount_entry *v;
	size_t n;
	bool readable;		/* the file could be parsed */
};

void mounts_read(struct mount_list *ml);
/* PID 1's table (/proc/1/mountinfo): its root is the host's. */
void mounts_read_pid1(struct mount_list *ml);
void swaps_read(struct mount_list *ml);
void mounts_free(struct mount_list *ml);

#endif
