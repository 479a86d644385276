// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass core: snapshots of PCI functions and walks over IOMMU groups.
 *
 * Locking (outermost first):
 *   [genetlink cb_lock, read side]  - held by the caller around doit
 *                                    handlers: hence the bounded wait for
 *                                    device_lock below;
 *   device_lock(&pdev->dev)        - held while reading ->driver and the
 *                                    override, one device at a time, never
 *                                    two at once, never across runtime PM
 *                                    calls;
 *   dev->driver_override.lock      - spinlock inside device_lock (6.12.80+).
 *   iommu group mutex              - taken by iommu_group_for_each_dev();
 *                                    the callbacks here take no other lock:
 *                                    probe takes device_lock and then the
 *                                    group mutex, so the reverse order
 *                                    would deadlock.
 * Config space reads take the PCI core's pci_lock internally.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/notifier.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>

#include "compat.h"
#include "core.h"

/* Bumped whenever a PCI function appears or goes away; see below. */
static atomic_t pcipass_topology_gen = ATOMIC_INIT(1);

/**
 * pcipass_topology_changed() - a PCI function appeared or is going away
 *
 * Called by the bus notifier (notify.c) for ADD_DEVICE, DEL_DEVICE and
 * REMOVED_DEVICE.
 */
void pcipass_topology_changed(void)
{
	atomic_inc(&pcipass_topology_gen);
}

/**
 * pcipass_topology_gen_read() - generation of the set of PCI functions
 *
 * Dumps resume by position; a change of generation between two parts of a
 * dump means positions may have shifted, which netlink reports to
 * userspace with NLM_F_DUMP_INTR so it can retry.  Never 0, so it can be
 * used as netlink_callback::seq.
 *
 * Return: the current generation.
 */
unsigned int pcipass_topology_gen_read(void)
{
	return atomic_read(&pcipass_topology_gen) ?: 1;
}

void pcipass_addr_of(const struct pci_dev *pdev, struct pcipass_addr *addr)
{
	addr->domain = pci_domain_nr(pdev->bus);
	addr->bus = pdev->bus->number;
	addr->devfn = pdev->devfn;
}

/**
 * pcipass_dev_get() - look up a PCI function by address
 * @addr: the address
 *
 * Return: the device with a reference held (pci_dev_put() it), or NULL.
 */
struct pci_dev *pcipass_dev_get(const struct pcipass_addr *addr)
{
	/* pci_get_domain_bus_and_slot() takes an int domain. */
	if (addr->domain > INT_MAX)
		return NULL;
	return pci_get_domain_bus_and_slot(addr->domain, addr->bus,
					   addr->devfn);
}

/**
 * pcipass_dev_next() - iterate over every PCI function
 * @from: previous device (its reference is dropped), or NULL to start
 *
 * Return: the next device with a reference held, or NULL at the end.
 */
struct pci_dev *pcipass_dev_next(struct pci_dev *from)
{
	return pci_get_device(PCI_ANY_ID, PCI_ANY_ID, from);
}

static void pcipass_fill_ids(struct pci_dev *pdev,
			     struct pcipass_devinfo *info)
{
	/* Cached at enumeration, as the sysfs id files report them. */
	info->vendor = pdev->vendor;
	info->device = pdev->device;
	info->subsystem_vendor = pdev->subsystem_vendor;
	info->subsystem_device = pdev->subsystem_device;
	info->class = pdev->class;
	info->revision = pdev->revision;
	info->header_type = pdev->hdr_type;
	if (pdev->multifunction)
		info->present |= PCIPASS_DEV_F_MULTIFUNCTION;
}

static void pcipass_fill_topology(struct pci_dev *pdev,
				  struct pcipass_devinfo *info)
{
	struct pci_dev *up = pci_upstream_bridge(pdev);
	struct iommu_group *group;

	if (pdev->is_virtfn) {
		info->present |= PCIPASS_DEV_F_VIRTFN;
		pcipass_addr_of(pci_physfn(pdev), &info->physfn);
	}
	if (up) {
		info->present |= PCIPASS_DEV_F_UPSTREAM;
		pcipass_addr_of(up, &info->upstream);
	}
	group = iommu_group_get(&pdev->dev);
	if (group) {
		info->present |= PCIPASS_DEV_F_IOMMU_GROUP;
		info->iommu_group = iommu_group_id(group);
		iommu_group_put(group);
	}
}

/*
 * A function in D3cold answers config reads with all ones.  Wake it the
 * way a sysfs config read does: resume the parent bridge, wait out a
 * suspend in flight, and resume the function only if it is in D3cold
 * (config space stays readable in D3hot).  Sleeps; must not be called
 * with a device lock held.
 */
static void pcipass_config_access_begin(struct pci_dev *pdev)
{
	struct device *parent = pdev->dev.parent;

	if (parent)
		pm_runtime_get_sync(parent);
	pm_runtime_get_noresume(&pdev->dev);
	pm_runtime_barrier(&pdev->dev);
	if (pdev->current_state == PCI_D3cold)
		pm_runtime_resume(&pdev->dev);
}

static void pcipass_config_access_end(struct pci_dev *pdev)
{
	struct device *parent = pdev->dev.parent;

	pm_runtime_put(&pdev->dev);
	if (parent)
		pm_runtime_put_sync(parent);
}

/**
 * pcipass_acs_read() - read a function's ACS capability
 * @pdev: the device (a reference must be held); no device lock held
 * @pos: its offset, 0 when the function has none
 * @cap: ACS Capability register
 * @ctrl: ACS Control register
 *
 * Extended config space: callers report the result to CAP_SYS_ADMIN only.
 * Sleeps (wakes the device from D3cold like a sysfs config read).  Reads
 * through the user accessors, as sysfs does: while a reset or BIST blocks
 * config access (pci_cfg_access_lock()), they wait for it to end instead
 * of reading a device in the middle of its reset (all ones mid-FLR).
 * That wait is the PCI core's, bounded by the reset.
 *
 * Return: true when @cap and @ctrl were read.
 */
bool pcipass_acs_read(struct pci_dev *pdev, u16 *pos, u16 *cap, u16 *ctrl)
{
	bool ok;

	/* Found by the PCI core at enumeration (pci_acs_init()). */
	*pos = pdev->acs_cap;
	if (!*pos || pci_dev_is_disconnected(pdev)) {
		*pos = 0;
		return false;
	}
	pcipass_config_access_begin(pdev);
	ok = !pci_user_read_config_word(pdev, *pos + PCI_ACS_CAP, cap) &&
	     !pci_user_read_config_word(pdev, *pos + PCI_ACS_CTRL, ctrl);
	pcipass_config_access_end(pdev);
	if (!ok)
		*pos = 0;
	return ok;
}

/*
 * PCIe type and ACS live beyond the first 64 bytes of config space, which
 * sysfs shows to CAP_SYS_ADMIN only; report them on the same terms.
 */
static void pcipass_fill_privileged(struct pci_dev *pdev,
				    struct pcipass_devinfo *info)
{
	if (pci_is_pcie(pdev)) {
		info->present |= PCIPASS_DEV_F_PCIE;
		info->pcie_type = pci_pcie_type(pdev);
	}
	if (pcipass_acs_read(pdev, &info->acs_pos, &info->acs_cap,
			     &info->acs_ctrl))
		info->present |= PCIPASS_DEV_F_ACS;
}

/*
 * Doit handlers run under genetlink's global cb_lock (read side); waiting
 * there behind a long probe would stall every genetlink family as soon as
 * one registers.  So wait for a device lock a bounded time, then give up.
 */
#define PCIPASS_LOCK_POLL_MS	10

/* Try @dev's lock for up to @ms: 0 (locked), -EBUSY or -EINTR. */
int pcipass_device_lock_within(struct device *dev, unsigned int ms)
{
	unsigned int waited;

	for (waited = 0; !device_trylock(dev); waited += PCIPASS_LOCK_POLL_MS) {
		if (waited >= ms)
			return -EBUSY;
		if (msleep_interruptible(PCIPASS_LOCK_POLL_MS))
			return -EINTR;
	}
	return 0;
}

int pcipass_device_lock_bounded(struct device *dev)
{
	return pcipass_device_lock_within(dev, PCIPASS_LOCK_WAIT_MS);
}

/*
 * ->driver is stable only under device_lock: without it the driver (and the
 * module its name lives in) could go away while we copy the name.  The
 * override is copied whole: the driver core caps it below PAGE_SIZE, so
 * one page always holds it; allocating before taking the locks keeps the
 * 6.12 spinlock section free of allocations.  A device held by a long
 * probe or removal is reported as such (DRIVER_BUSY) rather than failing
 * the request: a dump does not wait for it at all, a do a second.
 */
static int pcipass_fill_driver(struct pci_dev *pdev, bool wait,
			       struct pcipass_devinfo *info)
{
	struct device *dev = &pdev->dev;
	char *override;
	ssize_t len;
	int err;

	override = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!override)
		return -ENOMEM;
	if (wait)
		err = pcipass_device_lock_bounded(dev);
	else
		err = device_trylock(dev) ? 0 : -EBUSY;
	if (err == -EBUSY)
		info->present |= PCIPASS_DEV_F_DRIVER_BUSY;
	if (err) {
		kfree(override);
		return err == -EBUSY ? 0 : err;
	}
	if (dev->driver) {
		info->driver = kstrdup(dev->driver->name, GFP_KERNEL);
		if (!info->driver)
			err = -ENOMEM;
	}
	len = pcipass_read_driver_override(pdev, override, PAGE_SIZE);
	device_unlock(dev);

	if (info->driver)
		info->present |= PCIPASS_DEV_F_DRIVER;
	if (len > 0) {
		info->driver_override = override;
		info->present |= PCIPASS_DEV_F_DRIVER_OVERRIDE;
	} else {
		kfree(override);
	}
	return err;
}

/**
 * pcipass_devinfo_fill_static() - the facts read from struct pci_dev alone
 * @pdev: the device
 * @info: zeroed by the caller
 *
 * IDs, class, header, multifunction, VF/PF, upstream bridge, IOMMU group:
 * no config space access, no locks, no sleeping -- so KUnit can drive it
 * with a synthetic topology of pci_dev and pci_bus structs.
 */
VISIBLE_IF_KUNIT void pcipass_devinfo_fill_static(struct pci_dev *pdev,
						  struct pcipass_devinfo *info)
{
	pcipass_addr_of(pdev, &info->addr);
	pcipass_fill_ids(pdev, info);
	pcipass_fill_topology(pdev, info);
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_devinfo_fill_static);

/**
 * pcipass_devinfo_fill() - take a snapshot of a PCI function
 * @pdev: the device (a reference must be held)
 * @privileged: the caller may see what sysfs shows only to CAP_SYS_ADMIN
 * @wait: wait up to a second for a device a probe or removal holds (a
 *        request about this one function), or not at all (a dump)
 * @info: the snapshot, fully overwritten
 *
 * Sleeps (allocates, takes device_lock).  On success the caller owns the
 * strings in @info and frees them with pcipass_devinfo_release(); on
 * failure nothing is left to free.
 *
 * Return: 0 (with PCIPASS_DEV_F_DRIVER_BUSY when the device stayed
 * locked); -EINTR when a signal arrived while waiting; -ENOMEM.
 */
int pcipass_devinfo_fill(struct pci_dev *pdev, bool privileged, bool wait,
			 struct pcipass_devinfo *info)
{
	int err;

	memset(info, 0, sizeof(*info));
	pcipass_devinfo_fill_static(pdev, info);
	if (privileged)
		pcipass_fill_privileged(pdev, info);
	else
		info->present |= PCIPASS_DEV_F_RESTRICTED;
	err = pcipass_fill_driver(pdev, wait, info);
	if (err)
		pcipass_devinfo_release(info);
	return err;
}

/**
 * pcipass_devinfo_release() - free the strings of a snapshot
 * @info: filled by pcipass_devinfo_fill()
 */
void pcipass_devinfo_release(struct pcipass_devinfo *info)
{
	kfree(info->driver);
	kfree(info->driver_override);
	info->driver = NULL;
	info->driver_override = NULL;
	info->present &= ~(PCIPASS_DEV_F_DRIVER | PCIPASS_DEV_F_DRIVER_OVERRIDE);
}

/**
 * pcipass_slots_insert() - keep the @max lowest distinct ids, in order
 * @slots: ascending by id
 * @n: entries in @slots; updated
 * @max: capacity of @slots
 * @id: id of the new entry
 * @item: the new entry's object
 *
 * Return: the object that no longer has a slot -- @item itself when its id
 * is known already or too large, the evicted largest entry when the slots
 * were full -- for the caller to release; NULL when nothing was dropped.
 */
VISIBLE_IF_KUNIT void *pcipass_slots_insert(struct pcipass_group_slot *slots,
					    unsigned int *n, unsigned int max,
					    u32 id, void *item)
{
	unsigned int pos = *n;
	void *drop = NULL;

	while (pos > 0 && slots[pos - 1].id > id)
		pos--;
	if ((pos > 0 && slots[pos - 1].id == id) || pos == max)
		return item;
	if (*n == max)
		drop = slots[--*n].group;
	memmove(&slots[pos + 1], &slots[pos], (*n - pos) * sizeof(*slots));
	slots[pos].id = id;
	slots[pos].group = item;
	(*n)++;
	return drop;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_slots_insert);

/**
 * pcipass_groups_get_from() - find the IOMMU groups with the lowest ids >= @min_id
 * @min_id: smallest group id wanted
 * @slots: receives up to @max groups in ascending id order, each with a
 *         reference held (iommu_group_put() them)
 * @max: size of @slots
 *
 * Only groups holding at least one PCI function are found.  The module
 * cannot enumerate groups directly, so this scans every PCI function once
 * per call; walking all groups in batches of @max keeps a dump at
 * O(functions * groups / @max) steps.
 *
 * Return: the number of groups stored; fewer than @max means there are no
 * more.
 */
unsigned int pcipass_groups_get_from(u32 min_id,
				     struct pcipass_group_slot *slots,
				     unsigned int max)
{
	struct iommu_group *group, *drop;
	struct pci_dev *pdev = NULL;
	unsigned int n = 0;

	while ((pdev = pcipass_dev_next(pdev))) {
		group = iommu_group_get(&pdev->dev);
		if (!group)
			continue;
		if (iommu_group_id(group) < 0 ||
		    (u32)iommu_group_id(group) < min_id) {
			iommu_group_put(group);
			continue;
		}
		drop = pcipass_slots_insert(slots, &n, max,
					    iommu_group_id(group), group);
		if (drop)
			iommu_group_put(drop);
	}
	return n;
}

struct pcipass_group_walk {
	pcipass_addr_fn fn;
	void *data;
};

static int pcipass_group_walk_one(struct device *dev, void *data)
{
	struct pcipass_group_walk *walk = data;
	struct pcipass_addr addr;

	if (!dev_is_pci(dev))
		return 0;
	pcipass_addr_of(to_pci_dev(dev), &addr);
	return walk->fn(&addr, walk->data);
}

/**
 * pcipass_group_walk_pci() - call @fn for every PCI function in a group
 * @group: the group (a reference must be held)
 * @data: passed to @fn
 * @fn: callback; runs under the group mutex, so it must not take
 *      device_lock or call into the driver core; a non-zero return stops
 *      the walk
 *
 * Return: 0, or the first non-zero value @fn returned.
 */
int pcipass_group_walk_pci(struct iommu_group *group, void *data,
			   pcipass_addr_fn fn)
{
	struct pcipass_group_walk walk = { .fn = fn, .data = data };

	return iommu_group_for_each_dev(group, &walk, pcipass_group_walk_one);
}
