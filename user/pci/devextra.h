/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_DEVEXTRA_H
#define PCIPASS_DEVEXTRA_H

/* Per-function facts from sysfs that decide how well passthrough goes:
 * the kernel's reset methods, the option ROM, SR-IOV and boot VGA.
 * JSON: key "extras" (an object) in the caller's open object; text:
 * labelled lines indented like "pcipass show".  addr: "0000:01:00.0".
 */
void devextra_print(const char *addr);

#endif
