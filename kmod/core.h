/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass core: what the module knows about PCI functions and IOMMU
 * groups.  Both userspace interfaces (netlink.c, chardev.c) report through
 * these helpers only, so the two can never disagree.
 */
#ifndef _PCIPASS_CORE_H
#define _PCIPASS_CORE_H

#include <linux/types.h>
#include <uapi/linux/pcipass_ioctl.h>

struct device;
struct pci_dev;
struct iommu_group;

/**
 * struct pcipass_addr - a PCI function address
 * @domain: PCI segment
 * @bus: bus number
 * @devfn: device and function number
 */
struct pcipass_addr {
	u32 domain;
	u8 bus;
	u8 devfn;
};

/**
 * struct pcipass_devinfo - snapshot of one PCI function
 * @addr: address of the function
 * @present: PCIPASS_DEV_F_* bits saying which optional fields are valid
 * @vendor: vendor ID
 * @device: device ID
 * @subsystem_vendor: subsystem vendor ID
 * @subsystem_device: subsystem device ID
 * @class: 24-bit class code
 * @revision: revision ID
 * @header_type: config header layout, multifunction bit stripped
 * @pcie_type: PCIe device/port type (privileged)
 * @iommu_group: IOMMU group id
 * @physfn: physical function of a virtual function
 * @upstream: bridge above the function
 * @acs_pos: ACS capability offset (privileged)
 * @acs_cap: ACS Capability register (privileged)
 * @acs_ctrl: ACS Control register (privileged)
 * @driver: bound driver name, or NULL (owned by the snapshot)
 * @driver_override: driver_override, or NULL (owned by the snapshot)
 *
 * A snapshot: the device may change the moment the locks are dropped, just
 * as a sysfs read may be stale by the time userspace looks at it.
 */
struct pcipass_devinfo {
	struct pcipass_addr addr;
	u32 present;
	u16 vendor;
	u16 device;
	u16 subsystem_vendor;
	u16 subsystem_device;
	u32 class;
	u8 revision;
	u8 header_type;
	u8 pcie_type;
	u32 iommu_group;
	struct pcipass_addr physfn;
	struct pcipass_addr upstream;
	u16 acs_pos;
	u16 acs_cap;
	u16 acs_ctrl;
	char *driver;
	char *driver_override;
};

typedef int (*pcipass_addr_fn)(const struct pcipass_addr *addr, void *data);

unsigned int pcipass_topology_gen_read(void);
void pcipass_topology_changed(void);

/* The PCI bus notifier (notify.c). */
int pcipass_notify_init(void);
void pcipass_notify_uninit(void);

void pcipass_addr_of(const struct pci_dev *pdev, struct pcipass_addr *addr);
struct pci_dev *pcipass_dev_get(const struct pcipass_addr *addr);
struct pci_dev *pcipass_dev_next(struct pci_dev *from);
int pcipass_devinfo_fill(struct pci_dev *pdev, bool privileged, bool wait,
			 struct pcipass_devinfo *info);
void pcipass_devinfo_release(struct pcipass_devinfo *info);
bool pcipass_acs_read(struct pci_dev *pdev, u16 *pos, u16 *cap, u16 *ctrl);
/* How long a device lock is waited for before the device counts as busy. */
#define PCIPASS_LOCK_WAIT_MS	1000
int pcipass_device_lock_within(struct device *dev, unsigned int ms);
int pcipass_device_lock_bounded(struct device *dev);

/**
 * struct pcipass_group_slot - an IOMMU group found by id
 * @id: the group's id
 * @group: the group (struct iommu_group *; opaque so KUnit can use
 *         stand-ins)
 */
struct pcipass_group_slot {
	u32 id;
	void *group;
};

unsigned int pcipass_groups_get_from(u32 min_id,
				     struct pcipass_group_slot *slots,
				     unsigned int max);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals exported for tests/kunit only (EXPORTED_FOR_KUNIT_TESTING). */
void pcipass_devinfo_fill_static(struct pci_dev *pdev,
				 struct pcipass_devinfo *info);
void *pcipass_slots_insert(struct pcipass_group_slot *slots, unsigned int *n,
			   unsigned int max, u32 id, void *item);
#endif
int pcipass_group_walk_pci(struct iommu_group *group, void *data,
			   pcipass_addr_fn fn);

#endif /* _PCIPASS_CORE_H */
