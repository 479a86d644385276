/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_TREE_H
#define PCIPASS_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "nl/device.h"

/*
 * The PCI tree drawn as `lspci -t` (pciutils 3.9) draws it: the root buses
 * of every domain on one stem ("-[0000:00]-", or "-+-[0000:00]-" ...
 * " \-[0001:00]-" when there are several), each bus's devices ("+-" for all but the last, "\-" for
 * the last, "--" for an only one), a bridge as "DD.F-[SS-EE]--" followed
 * by its secondary bus on the same line, and "|" below a "+" to the next
 * sibling.  What follows a function's "DD.F" is the caller's (label).
 *
 * A device's place is the kernel's: the bridge the module reports as its
 * upstream (pci_upstream_bridge), so a VF on a virtual bus sits under
 * the bridge of its PF, as lspci puts it.  A bridge's bus range comes
 * from sysfs (secondary_bus_number, subordinate_bus_number); without
 * them it is worked out from the buses below it.
 */
struct tree_ops {
	/* whether d is drawn; a bridge also is when something below is */
	bool (*keep)(const struct pp_device *d, void *arg);
	/* prints (print_text) what follows a function's "DD.F" */
	void (*label)(const struct pp_device *d, void *arg);
	void *arg;
};

/* Draws devs (in any order); returns how many devices were drawn. */
size_t tree_print(const struct pp_device *devs, size_t n,
		  const struct tree_ops *ops);

#endif
