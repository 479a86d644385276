/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_SYSPATH_H
#define PCIPASS_SYSPATH_H

#include <stdbool.h>

/* sysfs is a tree of symlinks: /sys/class/block/sda points into
 * /sys/devices/.../0000:00:17.0/.../sda.  "Is this object below that PCI
 * function?" is answered by resolving both and comparing paths.  These
 * helpers resolve through the sysroot (PCIPASS_SYSROOT) and hand back
 * paths without the prefix, so fixtures and the real /sys read the same.
 */

/* Canonical form of path (all links followed), without the sysroot
 * prefix; NULL when it does not exist or leaves the sysroot.  Caller frees.
 */
char *syspath_resolve(const char *path);

/* path is dir itself or lies below it (both canonical). */
bool syspath_under(const char *path, const char *dir);

/* Last component of what path resolves to ("nvme0n1" for
 * /sys/class/block/nvme0n1); NULL when it does not resolve.  Caller frees.
 */
char *syspath_target_name(const char *path);

/* Canonical sysfs directory of a PCI function ("0000:01:00.0"). */
char *syspath_pci_function(const char *addr);

/* Reads a small sysfs attribute as an unsigned number (decimal, or hex
 * with 0x); false when absent or not a number.
 */
bool syspath_read_ulong(const char *path, unsigned long *v);

/* KEY's value in a uevent file ("DEVTYPE" -> "bridge"); NULL when the
 * file or the key is missing.  Caller frees.
 */
char *syspath_uevent(const char *path, const char *key);

#endif
