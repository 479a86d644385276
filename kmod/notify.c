// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass's one PCI bus notifier: what each part of the module needs to
 * hear about PCI functions coming, going and changing driver.
 *
 *   ADD_DEVICE      a persisted claim's override (before any driver can
 *                   match), topology generation, device-added event
 *   DEL_DEVICE      topology generation, claim records forgotten (or
 *                   marked gone while a claim or release works on them),
 *                   a persisted entry looked for again,
 *                   device-removed event
 *   REMOVED_DEVICE  topology generation (the device has left the bus
 *                   list: a dump part between DEL and REMOVED sees a
 *                   change afterwards too), a persisted entry dropped
 *                   again (the sweep may have taken it after DEL)
 *   BOUND_DRIVER,
 *   UNBIND_DRIVER   driver events; device_lock is held: send only
 *
 * Registered after the genetlink family (events need it) and before
 * /dev/pcipass; removed first on unload (bus_unregister_notifier() waits
 * for a callback in progress).
 */

#include <linux/device.h>
#include <linux/notifier.h>
#include <linux/pci.h>

#include <uapi/linux/pcipass.h>

#include "claim.h"
#include "core.h"
#include "persist.h"

static int pcipass_pci_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct device *dev = data;
	struct pci_dev *pdev = to_pci_dev(dev);

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		/* before pci_bus_add_device() lets any driver match it */
		pcipass_persist_added(pdev);
		pcipass_topology_changed();
		pcipass_event_device(PCIPASS_EVENT_DEVICE_ADDED, pdev, NULL);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		pcipass_topology_changed();
		pcipass_claim_forget(pdev);
		pcipass_persist_removed(pdev);
		pcipass_event_device(PCIPASS_EVENT_DEVICE_REMOVED, pdev, NULL);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		pcipass_topology_changed();
		pcipass_persist_removed(pdev);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		pcipass_event_device(PCIPASS_EVENT_DRIVER_BOUND, pdev,
				     dev->driver ? dev->driver->name : NULL);
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		/* Still bound here: the last moment its name is known. */
		pcipass_event_device(PCIPASS_EVENT_DRIVER_UNBOUND, pdev,
				     dev->driver ? dev->driver->name : NULL);
		break;
	}
	return NOTIFY_DONE;
}

/*
 * After every notifier of priority 0: the IOMMU's (a new function's group
 * exists when we match it) and, on 6.1, vfio-pci's per-PF one, which
 * assigns a VF's driver_override directly and would drop (and leak) ours.
 */
static struct notifier_block pcipass_pci_nb = {
	.notifier_call = pcipass_pci_notify,
	.priority = -1,
};

int __init pcipass_notify_init(void)
{
	return bus_register_notifier(&pci_bus_type, &pcipass_pci_nb);
}

void pcipass_notify_uninit(void)
{
	bus_unregister_notifier(&pci_bus_type, &pcipass_pci_nb);
}
