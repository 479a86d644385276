/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_VMHOLD_H
#define PCIPASS_VMHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pcipass.h>

#include "lib/addr.h"

/*
 * Which VM holds which IOMMU group: written by the VM hooks (hook/)
 * when they claim a group for a VM, read by list, show and check and by
 * the hooks themselves, dropped when the group is released (by the hook,
 * or by any `pcipass release`).  One file per group under VMHOLD_DIR,
 * named after the group's first member, lines a person can read:
 *
 *   owner proxmox:101
 *   group 12
 *   driver vfio-pci
 *   release yes
 *   member 0000:01:00.0
 *   member 0000:01:00.1
 *   vtcon vtcon0                      (a boot GPU: the console let go of)
 *   fbdev efi-framebuffer.0 efifb
 *
 * Under /run: a record lasts until reboot, as a claim does.  "release no":
 * the group was on the driver before the hook (a persisted or a manual
 * claim); the VM's stop drops the record and leaves the group claimed.
 * A record is believed only while every member is on its driver: a group
 * released or rebound behind pcipass's back is nobody's, and the stale
 * file goes at the next write.
 */

#define VMHOLD_DIR	"/run/pcipass/vm"
#define VMHOLD_OWNER_MAX 128
/* Every member a claim takes: the module's limit, PCIPASS_CLAIM_MEMBERS_MAX. */
#define VMHOLD_MEMBERS_MAX 1024
#define VMHOLD_CONSOLE_MAX 4

struct vmhold {
	char owner[VMHOLD_OWNER_MAX];	/* "proxmox:101", "libvirt:win11" */
	uint32_t group;
	char driver[PCIPASS_DRIVER_NAME_MAX];
	bool release;			/* the stop gives the group back */
	size_t n;
	char members[VMHOLD_MEMBERS_MAX][ADDR_STRLEN];
	/* a boot GPU's host console the start let go of (hook/console.c) */
	size_t nvtcon, nfb;
	char vtcon[VMHOLD_CONSOLE_MAX][16];	/* "vtcon0": bound again */
	char fbdev[VMHOLD_CONSOLE_MAX][48];	/* "efi-framebuffer.0" */
	char fbdrv[VMHOLD_CONSOLE_MAX][32];	/* its driver, "efifb" */
};

/* Writes h atomically (temporary file, rename).  0 or -errno. */
int vmhold_save(const struct vmhold *h);
/* The records believed now (caller frees *v with free()). */
size_t vmhold_load(struct vmhold **v);
/* The record with function addr among its members, or NULL. */
const struct vmhold *vmhold_find(const struct vmhold *v, size_t n,
				 const char *addr);
/* Drops the record that has addr among its members (if any). */
void vmhold_forget(const char *addr);
/* Drops the records of owner that are no longer believed. */
void vmhold_forget_stale(const char *owner);
/*
 * Serializes the hooks: two VMs starting at once must not both take a
 * group, nor one drop the record the other just wrote.  Held from
 * reading the records to the last write; waits at most
 * VMHOLD_LOCK_WAIT_S.  A file descriptor (vmhold_unlock()), or -errno.
 */
#define VMHOLD_LOCK_WAIT_S 300
int vmhold_lock(void);
void vmhold_unlock(int fd);
struct claim_report;
/* After a release: drops the records of the report's members. */
void vmhold_forget_report(const struct claim_report *rep);
/* JSON "claimed_for": rec's owner, or null; text " for VM 101 (Proxmox)". */
void vmhold_print_claimed_for(const struct vmhold *rec);
/* "VM 101 (Proxmox)", "libvirt domain win11" into buf. */
const char *vmhold_owner_words(const char *owner, char *buf, size_t size);

#endif
