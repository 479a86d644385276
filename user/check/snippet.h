/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_SNIPPET_H
#define PCIPASS_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>

/* Ready-to-paste configuration for passing addrs ("0000:01:00.0") to a
 * VM: a Proxmox "qm set" line and libvirt <hostdev> elements.  Functions
 * of one slot go together in the slot form when all of the slot's
 * functions are passed; primary_gpu adds x-vga=1 to the GPU's entry.
 * JSON: keys "proxmox" and "libvirt" (strings; null without a valid
 * address) in the caller's open object.  Text: a "Configuration" heading
 * and the snippets, indented.
 */
void snippet_print(const char *const *addrs, size_t n, bool primary_gpu);

#endif
