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

void impact_free(struct impact *im);

#endif
