/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_VFIO_HOLDERS_H
#define PCIPASS_VFIO_HOLDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Who holds an IOMMU group through VFIO: the processes with
 * /dev/vfio/GROUP open, or the cdev /dev/vfio/devices/vfioN of one of the
 * group's functions (iommufd).  The kernel knows only that the group's DMA
 * is owned; which process owns it is found here, as fuser would, from
 * /proc/PID/fd.  Processes whose fds this user may not read (another
 * user's, without CAP_SYS_PTRACE) are counted, not named.
 */

struct vfio_holder {
	pid_t pid;
	char comm[64];		/* its executable's name (else comm) */
};

struct vfio_holders {
	struct vfio_holder *list;
	size_t n;
	size_t unreadable;	/* processes whose fds we could not read */
};

/* Fills h (free with vfio_holders_free); false when /proc is unreadable. */
bool vfio_holders_find(uint32_t group, struct vfio_holders *h);
/* The same scan for any open file: the processes with a file open for
 * which match(its /proc/PID/fd target, arg) is true.
 */
bool fd_holders_find(bool (*match)(const char *file, void *arg), void *arg,
		     struct vfio_holders *h);
void vfio_holders_free(struct vfio_holders *h);

/* "PID 4242 (qemu-system-x86_64)", "PIDs 1, 2 (qemu...)", or NULL when
 * nobody was found.  Caller frees.
 */
char *vfio_holders_words(const struct vfio_holders *h);

/* For show and check: the words for group's holders, NULL when there are
 * none.  *known is false when some process could not be looked at (not
 * root), or when the facts come from a fixture tree (PCIPASS_SYSROOT),
 * whose groups are not this host's.
 */
char *vfio_holders_of_group(uint32_t group, bool *known);

#endif
