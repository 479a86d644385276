/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_IMPACT_H
#define PCIPASS_IMPACT_H

#include <stdbool.h>
#include <stddef.h>

/* What the host loses when these PCI functions leave it for a VM: network
 * interfaces (with their addresses and routes, also through bridges,
 * bonds and VLANs on top), disks with their partitions, dm/md holders and
 * what is mounted or swapped on them, the boot display and framebuffer
 * consoles, USB devices behind a controller and sound cards.  Everything
 * is read from sysfs/procfs (through the sysroot, for tests) at collect
 * time; printing does no I/O.
 */
struct impact;

/* addrs: canonical "0000:01:00.0" strings.  NULL when out of memory. */
struct impact *impact_collect(const char *const *addrs, size_t n);

/* The root filesystem, any mounted filesystem or active swap, or the boot
 * GPU with the host's framebuffer on it: passthrough would hurt the host.
 * Network losses are warnings only (see the findings).
 */
bool impact_has_critical(const struct impact *im);

/* JSON: key "host_impact" (an object) in the caller's open object.
 * Text: a heading line "Host impact ..." and an indented section.
 */
void impact_print(const struct impact *im);

/* What a claim of these functions would take from the host, decided
 * from the collected facts (impact/claim.c).  The same facts as `check`
 * shows, judged by the claim's stricter rules: any up interface with an
 * address, any exclusively held disk or partition.
 */
enum impact_hold_kind {
	IMPACT_HOLD_ROOT,	/* carries the root filesystem */
	IMPACT_HOLD_BLOCK,	/* a disk or partition someone holds */
	IMPACT_HOLD_NET,	/* an up interface with addresses */
};

struct impact_hold {
	const char *addr;	/* borrowed from the impact */
	enum impact_hold_kind kind;
	char *detail;		/* "nvme0n1p3 (root on dm-1)", "eno1" */
};

/* Asks each disk and partition of the functions whether somebody holds
 * it exclusively, the way the kernel decides it (an O_EXCL open: for
 * the microseconds it lasts, a mount of the device would fail).  For a
 * claim only; without it impact_holds() judges from mounts, swaps,
 * holders and pools.
 */
void impact_probe_excl(struct impact *im);

/* Adds to the impact what a claim would take through the functions'
 * interfaces in other network namespaces (containers, `ip netns`): each
 * is entered by a child process.  As root on the real root only; a
 * no-op otherwise.
 */
void impact_collect_netns(struct impact *im);

/* Per function in the order given to impact_collect(), and within one
 * function root, then block devices (partitions before their disk), then
 * interfaces.  Returns the count; *out is NULL when there are none.
 */
size_t impact_holds(const struct impact *im, struct impact_hold **out);
void impact_holds_free(struct impact_hold *v, size_t n);
const char *impact_hold_word(enum impact_hold_kind kind);

void impact_free(struct impact *im);

#endif
