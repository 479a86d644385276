/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_HOOK_H
#define PCIPASS_HOOK_H

#include <stddef.h>

#include "lib/addr.h"

/*
 * pcipass as a VM manager's hook: Proxmox VE's hookscript
 * (hook/proxmox.c) and libvirt's qemu hook (hook/libvirt.c) say which PCI
 * functions a VM passes through and when it starts and stops; the plan
 * (hook/plan.c) is the same for both:
 *
 *   start: every IOMMU group of those functions claimed for the VM, all or
 *          none, with the checks of `pcipass claim` (what the host would
 *          lose) and those of VMs (a group another VM holds or has open);
 *          a record per group of which VM holds it (hook/vmhold.h)
 *   stop:  the groups recorded for the VM released, once no process has
 *          them open any more (bounded), and only those
 *
 * Both are idempotent: a start finds the groups it already holds, a stop
 * without records does nothing.
 */

/* A function the VM's configuration names, and where ("hostpci0"). */
struct hook_fn {
	char addr[ADDR_STRLEN];
	char from[48];
};

/* Claims the groups of fns for owner ("proxmox:101"): an exit status,
 * and one line on stderr saying why when it is not EXIT_OK.
 */
int hook_claim_all(const char *owner, const struct hook_fn *fns, size_t n);
/* Releases the groups recorded for owner, waiting at most wait_s for
 * their VFIO users to go.  An exit status.
 */
int hook_release_all(const char *owner, unsigned int wait_s);

/* hook/console.c: a boot GPU's host console */
struct vmhold;
bool hook_console_is_boot_vga(const char *addr);
/* Lets go of the console on the boot GPU gpu (fbcon, firmware
 * framebuffers), recorded in rec; false and why when a process has its
 * display open.
 */
bool hook_console_take(const char *gpu, struct vmhold *rec, char *why,
		       size_t size);
/* After gpu's release: gives back what rec says was let go of. */
void hook_console_give(const struct vmhold *rec, const char *gpu);

/* hook/proxmox.c: pcipass hook proxmox VMID PHASE */
int hook_proxmox(const char *vmid, const char *phase);
/* hook/libvirt.c: pcipass hook libvirt NAME OPERATION SUB-OPERATION */
int hook_libvirt(const char *name, const char *op, const char *sub);

#endif
