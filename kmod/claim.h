/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass claim: hand a whole IOMMU group to one driver, all or nothing,
 * and give it back later.  Both userspace interfaces (netlink_claim.c,
 * chardev_claim.c) fill a struct pcipass_claim_req, call pcipass_claim()
 * or pcipass_release() and report the struct pcipass_claim_report.
 *
 *   claim.c   - the transaction (members, overrides, unbind, bind,
 *               verify, rollback) and the remembered originals;
 *   safety.c  - why taking a member from the host would hurt it;
 *   events.c  - the events multicast group.
 *
 * Lock ordering (outermost first):
 *   genetlink cb_lock (read; netlink requests only)
 *   -> pcipass_claim_lock (claim.c; serializes transactions)
 *   -> device_lock (taken by the driver core inside device_release_driver()
 *      and device_driver_attach(); pcipass takes it itself only briefly,
 *      bounded, to read a driver name, never across release/attach)
 *   -> pcipass_rec_lock (claim.c spinlock; the remembered originals; also
 *      taken from the bus notifier)
 * The IOMMU group's mutex is held only inside iommu_group_for_each_dev(),
 * whose callback only takes references.
 */
#ifndef _PCIPASS_CLAIM_H
#define _PCIPASS_CLAIM_H

#include <linux/types.h>
#include <uapi/linux/pcipass.h>

#include "core.h"

struct pci_dev;

#define PCIPASS_DRIVER_MAX	PCIPASS_DRIVER_NAME_MAX	/* NUL included */
#define PCIPASS_DETAIL_MAX	64
#define PCIPASS_CLAIM_MEMBERS	64	/* larger groups are refused (-E2BIG) */
#define PCIPASS_CLAIM_BLOCKERS	16
#define PCIPASS_CLAIM_DEFAULT	"vfio-pci"

/**
 * struct pcipass_claim_req - what userspace asked for
 * @addr: a function of the group (when !@by_group)
 * @group: the IOMMU group id (when @by_group)
 * @by_group: the group was named by id
 * @flags: PCIPASS_CLAIM_F_* (validated by the interface)
 * @driver: target driver name; empty means PCIPASS_CLAIM_DEFAULT
 * @may_load: the requester has CAP_SYS_MODULE: a target driver that is
 *            not registered may be loaded by name.  Without it only
 *            vfio-pci and its variant drivers are loaded on demand.
 */
struct pcipass_claim_req {
	struct pcipass_addr addr;
	u32 group;
	bool by_group;
	u32 flags;
	char driver[PCIPASS_DRIVER_MAX];
	bool may_load;
};

/**
 * struct pcipass_claim_member - what happened to one member
 * @addr: its address
 * @state: enum pcipass_member_state
 * @step: enum pcipass_step of @error
 * @error: negative errno of the failed step, or 0
 * @from_driver: driver before the transaction ("" when unbound)
 * @from_override: driver_override before ("" when none; truncated)
 * @to_driver: driver afterwards, or the plan ("" when unbound)
 */
struct pcipass_claim_member {
	struct pcipass_addr addr;
	u8 state;
	u8 step;
	int error;
	char from_driver[PCIPASS_DRIVER_MAX];
	char from_override[PCIPASS_DRIVER_MAX];
	char to_driver[PCIPASS_DRIVER_MAX];
};

/**
 * struct pcipass_claim_blocker - why a member may not be taken
 * @addr: the member
 * @reason: enum pcipass_blocker_reason
 * @forced: the force flag overrode it
 * @detail: what is in use, e.g. "nvme0n1p2" or "eth0"
 */
struct pcipass_claim_blocker {
	struct pcipass_addr addr;
	u8 reason;
	bool forced;
	char detail[PCIPASS_DETAIL_MAX];
};

/**
 * struct pcipass_claim_report - the answer to a claim or release
 * @outcome: enum pcipass_outcome (valid once a group was found)
 * @has_group: @group is valid
 * @group: the group acted on
 * @driver: the target driver
 * @nr_members: entries in @members
 * @members: every PCI member, in claim order
 * @nr_blockers: entries in @blockers
 * @blockers: what stopped (or would have stopped) the claim
 * @msg: extended-ack message for an error (static or @msg_buf)
 * @bad_attr: which request field @msg is about (enum pcipass_claim_field)
 * @msg_buf: storage for a formatted @msg
 */
struct pcipass_claim_report {
	u8 outcome;
	bool has_group;
	u32 group;
	char driver[PCIPASS_DRIVER_MAX];
	unsigned int nr_members;
	struct pcipass_claim_member members[PCIPASS_CLAIM_MEMBERS];
	unsigned int nr_blockers;
	struct pcipass_claim_blocker blockers[PCIPASS_CLAIM_BLOCKERS];
	const char *msg;
	u8 bad_attr;
	char msg_buf[160];
};

/* Request fields an error message can be about. */
enum pcipass_claim_field {
	PCIPASS_FIELD_NONE,
	PCIPASS_FIELD_ADDR,
	PCIPASS_FIELD_GROUP,
	PCIPASS_FIELD_DRIVER,
	PCIPASS_FIELD_FLAGS,
};

void pcipass_claim_uninit(void);
int pcipass_claim(const struct pcipass_claim_req *req,
		  struct pcipass_claim_report *rep);
int pcipass_release(const struct pcipass_claim_req *req,
		    struct pcipass_claim_report *rep);
void pcipass_claim_forget(struct pci_dev *pdev);

/**
 * pcipass_safety_check() - why taking a function from the host would hurt
 * @pdev: the function
 * @out: where to append blockers
 * @max: room in @out
 *
 * Looks for what the host uses through @pdev: the boot VGA device, block
 * devices held by a filesystem, swap or a device-mapper/md stack (the root
 * filesystem separately), network interfaces that are up with addresses.
 * Fills addr, reason and detail; the caller decides about force.
 *
 * Return: number of blockers written (at most @max).
 */
unsigned int pcipass_safety_check(struct pci_dev *pdev,
				  struct pcipass_claim_blocker *out,
				  unsigned int max);

/* Events (events.c); each is a no-op when nobody listens. */
void pcipass_event_device(u8 type, struct pci_dev *pdev, const char *driver);
void pcipass_event_override(struct pci_dev *pdev, const char *override);
void pcipass_event_claim(u8 type, const struct pcipass_claim_req *req,
			 const struct pcipass_claim_report *rep, int error);

#endif /* _PCIPASS_CLAIM_H */
