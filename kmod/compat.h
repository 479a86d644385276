/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences pcipass has to bridge.  Decided by the Kbuild
 * conftests in conftest.sh (generated conftest.h), never by version
 * numbers: stable series backport API changes (driver_override moved into
 * struct device within 6.12.y).
 */
#ifndef _PCIPASS_COMPAT_H
#define _PCIPASS_COMPAT_H

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "conftest.h"

/**
 * pcipass_read_driver_override() - copy a device's driver_override
 * @pdev: the device; its device_lock must be held
 * @buf: destination
 * @len: size of @buf
 *
 * Return: length copied, 0 when no override is set, -E2BIG when @buf was
 * too small (it then holds a truncated, NUL-terminated copy).
 */
static inline ssize_t pcipass_read_driver_override(struct pci_dev *pdev,
						   char *buf, size_t len)
{
	ssize_t ret = 0;

	buf[0] = '\0';
#ifdef PCIPASS_HAVE_DEVICE_DRIVER_OVERRIDE
	/* Generic override: guarded by its own spinlock, as in bus.c's show. */
	spin_lock(&pdev->dev.driver_override.lock);
	if (pdev->dev.driver_override.name)
		ret = strscpy(buf, pdev->dev.driver_override.name, len);
	spin_unlock(&pdev->dev.driver_override.lock);
#else
	/* PCI's own override: driver_set_override() swaps it under device_lock. */
	device_lock_assert(&pdev->dev);
	if (pdev->driver_override)
		ret = strscpy(buf, pdev->driver_override, len);
#endif
	return ret;
}

#endif /* _PCIPASS_COMPAT_H */
