// SPDX-License-Identifier: GPL-2.0
/*
 * Target drivers of a claim: name checks, lookup and pin, module autoload.
 */

#include <linux/ctype.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "claim_int.h"

/* How long a claim waits for a target driver's module to register it. */
#define PCIPASS_MODULE_WAIT_MS	10000
#define PCIPASS_MODULE_POLL_MS	50

/* --- Drivers ------------------------------------------------------------ */

bool pcipass_driver_name_ok(const char *name)
{
	const char *p;

	if (!*name || *name == '-' || *name == '.')
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '-' && *p != '_' && *p != '.')
			return false;
	return true;
}

struct pcipass_drv_lookup {
	const char *name;
	struct device_driver *drv;
};

/*
 * Called by bus_for_each_drv(), whose klist iterator holds the driver's
 * node: bus_remove_driver() waits for it in klist_remove(), so *drv is
 * valid here, and once its module is pinned it stays valid afterwards.
 * (driver_find() returns the driver with no such guarantee.)
 */
static int pcipass_drv_match(struct device_driver *drv, void *data)
{
	struct pcipass_drv_lookup *l = data;

	if (strcmp(drv->name, l->name))
		return 0;
	if (try_module_get(drv->owner))
		l->drv = drv;
	return 1;	/* found: a module on its way out counts as none */
}

/* A PCI driver by name, with its module pinned; NULL when none. */
struct device_driver *pcipass_driver_pin(const char *name)
{
	struct pcipass_drv_lookup l = { .name = name };

	bus_for_each_drv(&pci_bus_type, NULL, &l, pcipass_drv_match);
	return l.drv;
}

/*
 * vfio-pci and its variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci, ...):
 * what a claim is for, so loading them needs no more than the claim does.
 */
bool pcipass_vfio_driver_name(const char *name)
{
	size_t len = strlen(name);
	const char *tail;

	if (len < 8)
		return false;
	tail = name + len - 8;
	return (len == 8 || tail[-1] == '-' || tail[-1] == '_') &&
	       !strncmp(tail, "vfio", 4) && (tail[4] == '-' || tail[4] == '_') &&
	       !strcmp(tail + 5, "pci");
}

/* Is a PCI driver @name registered (now; it may go at any time)? */
bool pcipass_driver_registered(const char *name)
{
	struct device_driver *drv = pcipass_driver_pin(name);

	pcipass_driver_unpin(drv);
	return drv;
}

void pcipass_driver_unpin(struct device_driver *drv)
{
	if (drv)
		module_put(drv->owner);
}

/*
 * Load the module that provides @name and wait, at most
 * PCIPASS_MODULE_WAIT_MS, for it to register the driver.  Polling for
 * the driver, not waiting for modprobe: a module whose init blocks must
 * cost this job a bounded wait, announced as a step, not the queue.
 */
struct device_driver *pcipass_driver_load(const char *name)
{
	struct device_driver *drv = pcipass_driver_pin(name);
	unsigned int waited;

	if (drv)
		return drv;
	if (request_module_nowait("%s", name))
		return NULL;
	pcipass_job_step(PCIPASS_STEP_LOAD_MODULE, NULL, name);
	for (waited = 0; waited < PCIPASS_MODULE_WAIT_MS;
	     waited += PCIPASS_MODULE_POLL_MS) {
		msleep(PCIPASS_MODULE_POLL_MS);	/* a kworker sees no signal */
		drv = pcipass_driver_pin(name);
		if (drv)
			break;
	}
	pcipass_job_step(0, NULL, NULL);
	return drv;
}

/*
 * The driver core's calls that wait for a driver's remove or probe, each
 * announced as the job's step (claim_job.c): that is what a stuck
 * transaction is reported by.
 */
void pcipass_unbind(struct pci_dev *pdev)
{
	char name[PCIPASS_DRIVER_MAX];

	pcipass_drv_name(pdev, name, sizeof(name));
	pcipass_job_step(PCIPASS_STEP_UNBIND, pdev, name);
	device_release_driver(&pdev->dev);
	pcipass_job_step(0, NULL, NULL);
}

/* @drv NULL: whichever driver matches, as at boot (device_attach()). */
int pcipass_attach(struct device_driver *drv, struct pci_dev *pdev)
{
	int ret;

	pcipass_job_step(PCIPASS_STEP_BIND, pdev, drv ? drv->name : NULL);
	ret = drv ? device_driver_attach(drv, &pdev->dev) :
		    device_attach(&pdev->dev);
	pcipass_job_step(0, NULL, NULL);
	return ret;
}

/*
 * Copy the name of @pdev's driver into @buf ("" when unbound, "?" when the
 * device stays locked past the bounded wait).  ->driver and the module
 * its name lives in are stable only under device_lock: a driver pcipass
 * did not pin may be unbound and its module unloaded at any time.
 */
void pcipass_drv_name(struct pci_dev *pdev, char *buf, size_t size)
{
	struct device *dev = &pdev->dev;

	if (pcipass_device_lock_bounded(dev)) {
		strscpy(buf, "?", size);
		return;
	}
	strscpy(buf, dev->driver ? dev->driver->name : "", size);
	device_unlock(dev);
}

bool pcipass_gone(struct pci_dev *pdev)
{
	return !device_is_registered(&pdev->dev);
}
