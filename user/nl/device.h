/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_DEVICE_H
#define PCIPASS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct nl_msg;
struct nlattr;
struct pnl;

struct pp_acs {
	uint16_t pos;
	uint16_t cap;
	uint16_t ctrl;
};

/* One DEVICE_GET reply.  The has_* flags keep "attribute absent" apart from
 * "value 0": iommu group 0 and the endpoint PCIe type are both 0.
 */
struct pp_device {
	struct pp_addr addr;
	uint16_t vendor;
	uint16_t device;
	uint16_t subsystem_vendor;
	uint16_t subsystem_device;
	uint32_t class;
	uint8_t revision;
	uint8_t header_type;
	bool has_pcie_type;
	uint8_t pcie_type;
	bool multifunction;
	bool virtfn;
	bool has_physfn;
	struct pp_addr physfn;
	char *driver;		/* NULL: no driver bound */
	char *driver_override;	/* NULL: unset */
	bool has_iommu_group;
	uint32_t iommu_group;
	bool has_upstream;
	struct pp_addr upstream;
	bool has_acs;
	struct pp_acs acs;
	bool restricted;
	bool driver_busy;	/* driver/override unknown: probe or removal */
};

struct pp_devlist {
	struct pp_device *v;
	size_t n;
	size_t cap;
};

/* Config header layouts (the header-type attribute); libpci's header.h
 * has the same values but would drag libpci into every user of this file.
 */
enum {
	PP_HDR_NORMAL = 0,
	PP_HDR_BRIDGE = 1,
	PP_HDR_CARDBUS = 2,
};

static inline bool device_is_bridge(const struct pp_device *d)
{
	return d->header_type == PP_HDR_BRIDGE;
}

/* The addr nest is shared by devices, groups, physfn and upstream. */
int addr_from_nest(struct nlattr *nest, struct pp_addr *a);
int addr_to_nest(struct nl_msg *msg, int attr, const struct pp_addr *a);
/* The ACS nest, of a device and of a hop on an isolation path: CAP and
 * CTRL are required, POS is 0 when absent.  0 or -EBADMSG.
 */
int acs_from_nest(struct nlattr *nest, struct pp_acs *acs);

int device_parse(struct nl_msg *msg, struct pp_device *d);
void device_free(struct pp_device *d);

int device_get(struct pnl *nl, const struct pp_addr *a, struct pp_device *d);
int device_dump(struct pnl *nl, struct pp_devlist *list);
/* For a command that needs only the device list: a connection of its own
 * for the dump.  0, or -1 with the reason on stderr and list empty.
 */
int device_dump_or_report(struct pp_devlist *list);

struct pp_device *devlist_push(struct pp_devlist *l);
struct pp_device *devlist_find(const struct pp_devlist *l,
			       const struct pp_addr *a);
/* Without a dump: the function at a added to l by a device get, unless l
 * has it; every function of a's slot (functions 0-7: ARI functions past 7
 * are other slots, as addr_in_slot() has it).  A function that is not
 * there (-ENODEV: hot-removed, or a slot's function that never was) is
 * skipped, as a dump would not have listed it.  0 or a negative errno.
 */
int devlist_get(struct pnl *nl, struct pp_devlist *l, const struct pp_addr *a);
int devlist_get_slot(struct pnl *nl, struct pp_devlist *l,
		     const struct pp_addr *a);
/* Groups by id, functions without a group last, addresses within: after
 * this each group is one contiguous run of l->v, which is how list, list
 * --tree and export walk the groups.
 */
void devlist_sort_by_group(struct pp_devlist *l);
void devlist_free(struct pp_devlist *l);

#endif
