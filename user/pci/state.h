/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_STATE_H
#define PCIPASS_STATE_H

#include <stdbool.h>
#include <stddef.h>

#include "nl/device.h"

/* How one group member counts towards whether VFIO can take the group. */
enum member_kind {
	MEMBER_IGNORED,	/* bridge left to pcieport (or unbound) */
	MEMBER_FREE,	/* no driver, or pci-stub */
	MEMBER_VFIO,	/* vfio-pci or a vfio-pci variant driver */
	MEMBER_HOST,	/* any other driver */
};

enum group_state {
	GROUP_BRIDGE,
	GROUP_UNBOUND,
	GROUP_HOST,
	GROUP_VFIO,
	GROUP_PARTIAL,
};

bool driver_is_vfio(const char *driver);
enum member_kind member_kind(const struct pp_device *d);
enum group_state group_state(const struct pp_device *devs, size_t n);
const char *group_state_name(enum group_state s);

#endif
