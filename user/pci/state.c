// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "pci/state.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Vendor variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci,
 * nvgrace_gpu_vfio_pci, ...) hand the device to VFIO just like vfio-pci
 * does; they all carry the suffix by convention.
 */
bool driver_is_vfio(const char *driver)
{
	return driver && (!strcmp(driver, "vfio-pci") ||
			  ends_with(driver, "vfio_pci") ||
			  ends_with(driver, "vfio-pci"));
}

/* Mirrors what the kernel accepts when VFIO claims a group: members must be
 * unbound or on a driver that does not do DMA on its own behalf.  pcieport
 * (bridges) and pci-stub are such drivers; vfio-pci refuses bridges, so a
 * bridge's driver is irrelevant unless it is something unusual.
 */
enum member_kind member_kind(const struct pp_device *d)
{
	if (device_is_bridge(d) &&
	    (!d->driver || !strcmp(d->driver, "pcieport")))
		return MEMBER_IGNORED;
	if (!d->driver || !strcmp(d->driver, "pci-stub"))
		return MEMBER_FREE;
	if (driver_is_vfio(d->driver))
		return MEMBER_VFIO;
	return MEMBER_HOST;
}

enum group_state group_state(const struct pp_device *devs, size_t n)
{
	size_t counted = 0, vfio = 0, host = 0;

	for (size_t i = 0; i < n; i++) {
		switch (member_kind(&devs[i])) {
		case MEMBER_IGNORED:
			continue;
		case MEMBER_VFIO:
			vfio++;
			break;
		case MEMBER_HOST:
			host++;
			break;
		case MEMBER_FREE:
			break;
		}
		counted++;
	}

	if (!counted)
		return GROUP_BRIDGE;
	if (vfio && host)
		return GROUP_PARTIAL;
	if (vfio)
		return GROUP_VFIO;
	if (host)
		return GROUP_HOST;
	return GROUP_UNBOUND;
}

const char *group_state_name(enum group_state s)
{
	switch (s) {
	case GROUP_BRIDGE:
		return "bridge";
	case GROUP_UNBOUND:
		return "unbound";
	case GROUP_HOST:
		return "host";
	case GROUP_VFIO:
		return "vfio";
	case GROUP_PARTIAL:
		return "partial";
	}
	return "unknown";
}
