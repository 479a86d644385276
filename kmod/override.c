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
#include "core.h"

/**
 * pcipass_override_set_within() - set a function's override, waiting at
 * most @ms for its device lock
 * @pdev: the function
 * @name: the driver name, already checked (pcipass_driver_name_ok()): no
 *	newline to cut, never "" (which would mean a clear)
 * @ms: how long a held device lock is waited for (6.1 only; 0: tried once)
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
 * pcipass_override_clear_locked() - clear a function's override if it
 * names @name; its device_lock held by the caller
 * @pdev: the function
 * @name: the driver name the override must be
 *
 * Somebody else's override (udev's, driverctl's, vfio-pci's on a new VF)
 * is theirs: only ours is cleared, compared and cleared under the lock
 * that guards it (device_lock on 6.1; on 6.12 the driver core's spinlock,
 * which compat.h's reader takes too: the driver core has no
 * compare-and-clear of its own).
 *
 * Return: 0 when cleared, -ENOENT when the override names something else
 * or nothing.
 */
int pcipass_override_clear_locked(struct pci_dev *pdev, const char *name)
{
	const char *old;
#ifdef PCIPASS_PCI_OVERRIDE_IN_PCI_DEV
	device_lock_assert(&pdev->dev);
	old = pdev->driver_override;
	if (old && !strcmp(old, name))
		pdev->driver_override = NULL;
	else
		old = NULL;
#else
	struct device *dev = &pdev->dev;

	spin_lock(&dev->driver_override.lock);
	old = dev->driver_override.name;
	if (old && !strcmp(old, name))
		dev->driver_override.name = NULL;
	else
		old = NULL;
	spin_unlock(&dev->driver_override.lock);
#endif
	if (!old)
		return -ENOENT;
	kfree(old);
	return 0;
}
