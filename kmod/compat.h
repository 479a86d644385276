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

/*
 * Which driver_override PCI uses: its own while struct pci_dev has one,
 * else the driver core's (pcipass_compat_check() makes sure PCI's bus type
 * says so at load time).
 */
#if defined(PCIPASS_HAVE_PCI_DEV_DRIVER_OVERRIDE)
#define PCIPASS_PCI_OVERRIDE_IN_PCI_DEV 1
#elif !defined(PCIPASS_HAVE_DEVICE_DRIVER_OVERRIDE)
#error "neither struct pci_dev nor struct device has a driver_override"
#endif

/**
 * pcipass_compat_check() - does this kernel's PCI work as compat.h assumes?
 *
 * Return: 0, or -ENODEV (logged) when PCI uses neither override pcipass
 * knows: writing one PCI does not read would let any driver bind during a
 * claim.
 */
static inline int pcipass_compat_check(void)
{
#ifndef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	if (!pci_bus_type.driver_override) {
		pr_err("pcipass: PCI does not use the driver core's driver_override on this kernel: unsupported\n");
		return -ENODEV;
	}
#endif
	return 0;
}

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
#ifndef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	/*
	 * Generic override: guarded by its own spinlock, as in bus.c's show.
	 * The driver core has setters and a matcher but no reader; reports
	 * need the name, so it is copied here under that lock.
	 */
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

/**
 * pcipass_set_driver_override() - set or clear a device's driver_override
 * @pdev: the device; its device_lock must NOT be held (6.1 takes it)
 * @name: the driver name, or NULL to clear the override
 *
 * Return: 0, or -ENOMEM / -EINVAL from the driver core.
 */
static inline int pcipass_set_driver_override(struct pci_dev *pdev,
					      const char *name)
{
#ifndef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	/* NULL is refused there; "" clears. */
	return device_set_driver_override(&pdev->dev, name ?: "");
#else
	return driver_set_override(&pdev->dev, &pdev->driver_override,
				   name ?: "", name ? strlen(name) : 0);
#endif
}

#endif /* _PCIPASS_COMPAT_H */
