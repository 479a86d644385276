// SPDX-License-Identifier: GPL-2.0
/*
 * driver_override writes that never wait without bound.  The claim
 * transaction sets overrides with pcipass_set_driver_override() (compat.h)
 * after it holds a member's lock a bounded time anyway; these are for the
 * persisted claims, which write overrides from module init's job and from
 * the bus notifier, where a wait for a device lock is either unbounded
 * (6.1's driver_set_override() takes device_lock, which a probe or a
 * removal holds as long as it runs) or could invert against the lock of
 * the PF whose VFs are being added.
 *
 * On 6.12 (the driver core's override, under its own spinlock) nothing
 * here waits.  On 6.1 the override is PCI's own string, which the PCI core
 * reads and driver_set_override() swaps under device_lock: holding that
 * lock, a plain swap is the same write.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"
#include "compat.h"

/**
 * pcipass_override_set_within() - set a function's override, waiting at
 * most @ms for its device lock
 * @pdev: the function
 * @name: the driver name
 * @ms: how long a held device lock is waited for (6.1 only)
 *
 * Return: 0, -EBUSY (the lock stayed held), -EINTR, or -ENOMEM.
 */
int pcipass_override_set_within(struct pci_dev *pdev, const char *name,
				unsigned int ms)
{
#ifdef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	const char *old;
	char *new = kstrdup(name, GFP_KERNEL);
	int err;

	if (!new)
		return -ENOMEM;
	err = pcipass_device_lock_within(&pdev->dev, ms);
	if (err) {
		kfree(new);
		return err;
	}
	old = pdev->driver_override;
	pdev->driver_override = new;
	device_unlock(&pdev->dev);
	kfree(old);
	return 0;
#else
	return pcipass_set_driver_override(pdev, name);
#endif
}

/**
 * pcipass_override_clear_if() - clear a function's override if it names
 * @name, without waiting for anything
 * @pdev: the function
 * @name: the driver name the override must be
 *
 * Somebody else's override (udev's, driverctl's, vfio-pci's on a new VF)
 * is theirs: only ours is cleared.  On 6.12 the driver core offers no
 * compare-and-clear: between the look and the clear a sysfs write could
 * slip in, on a function that is not yet offered to drivers (or was just
 * turned away by ours), which is the only time this is called.
 *
 * Return: 0 when cleared, -ENOENT when the override names something else
 * or nothing, -EBUSY when its device lock is held (6.1).
 */
int pcipass_override_clear_if(struct pci_dev *pdev, const char *name)
{
#ifdef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	const char *old;

	if (!device_trylock(&pdev->dev))
		return -EBUSY;
	old = pdev->driver_override;
	if (old && !strcmp(old, name))
		pdev->driver_override = NULL;
	else
		old = NULL;
	device_unlock(&pdev->dev);
	if (!old)
		return -ENOENT;
	kfree(old);
	return 0;
#else
	char cur[PCIPASS_DRIVER_MAX];

	if (pcipass_read_driver_override(pdev, cur, sizeof(cur)) <= 0 ||
	    strcmp(cur, name))
		return -ENOENT;
	return pcipass_set_driver_override(pdev, NULL);
#endif
}
