/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcipass.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_PCIPASS_H
#define _UAPI_LINUX_PCIPASS_H

#define PCIPASS_FAMILY_NAME	"pcipass"
#define PCIPASS_FAMILY_VERSION	3

#define PCIPASS_ISO_LIST_MAX	256

/**
 * enum pcipass_pcie_type - PCIe device/port type, the raw value of the
 *   Device/Port Type field of the PCI Express capability (PCI_EXP_TYPE_* in
 *   pci_regs.h).
 */
enum pcipass_pcie_type {
	PCIPASS_PCIE_TYPE_ENDPOINT,
	PCIPASS_PCIE_TYPE_LEG_END,
	PCIPASS_PCIE_TYPE_ROOT_PORT = 4,
	PCIPASS_PCIE_TYPE_UPSTREAM,
	PCIPASS_PCIE_TYPE_DOWNSTREAM,
	PCIPASS_PCIE_TYPE_PCI_BRIDGE,
	PCIPASS_PCIE_TYPE_PCIE_BRIDGE,
	PCIPASS_PCIE_TYPE_RC_END,
	PCIPASS_PCIE_TYPE_RC_EC,
};

/**
 * enum pcipass_acs_state - What one hop on the path to the root complex
 *   contributes to isolation, judged from its config space the way the
 *   kernel's pci_acs_enabled() does for the required flags SV, RR, CR and UF
 *   (device-specific ACS quirks are not visible to the module).
 * @PCIPASS_ACS_STATE_NOT_APPLICABLE: ACS does not apply: a single-function
 *   endpoint or a switch upstream port, which the kernel treats as isolating.
 * @PCIPASS_ACS_STATE_ENABLED: The ACS capability enables every required flag
 *   it implements (flags it does not implement count as hard-wired on).
 * @PCIPASS_ACS_STATE_DISABLED: The ACS capability implements required flags
 *   that are disabled (acs-missing says which).
 * @PCIPASS_ACS_STATE_ABSENT: A root or downstream port, or a function of a
 *   multifunction device, without an ACS capability.
 * @PCIPASS_ACS_STATE_NEVER: Conventional PCI, a PCIe-to-PCI/PCI-X bridge, a
 *   PCI-to-PCIe bridge or a root complex event collector: never isolates.
 */
enum pcipass_acs_state {
	PCIPASS_ACS_STATE_NOT_APPLICABLE,
	PCIPASS_ACS_STATE_ENABLED,
	PCIPASS_ACS_STATE_DISABLED,
	PCIPASS_ACS_STATE_ABSENT,
	PCIPASS_ACS_STATE_NEVER,
};

/**
 * enum pcipass_reason - Why a function joined another function's IOMMU group.
 * @PCIPASS_REASON_ISOLATED: Nothing joins this function with another one.
 * @PCIPASS_REASON_NO_IOMMU: The function is not behind an IOMMU and has no
 *   group.
 * @PCIPASS_REASON_UPSTREAM_ACS: A port on the path to the root complex does
 *   not isolate (cause, with acs-missing): the function shares the group of
 *   the lowest bridge above it whose own path is not isolated (peer).
 * @PCIPASS_REASON_BRIDGE_ALIAS: A PCIe-to-PCI/PCI-X bridge or a conventional
 *   PCI bridge above the function (cause) takes ownership of its DMA: it
 *   shares the bridge's group.
 * @PCIPASS_REASON_DMA_ALIAS: The function and another one on its bus (cause)
 *   use each other's requester ID for DMA (a DMA alias quirk).
 * @PCIPASS_REASON_MULTIFUNCTION: The function and another function of the same
 *   device (cause) are both without ACS isolation.
 */
enum pcipass_reason {
	PCIPASS_REASON_ISOLATED,
	PCIPASS_REASON_NO_IOMMU,
	PCIPASS_REASON_UPSTREAM_ACS,
	PCIPASS_REASON_BRIDGE_ALIAS,
	PCIPASS_REASON_DMA_ALIAS,
	PCIPASS_REASON_MULTIFUNCTION,
};

#define PCIPASS_DRIVER_NAME_MAX	64

/**
 * enum pcipass_claim_flags - Flags of a claim or release request.
 * @PCIPASS_CLAIM_F_DRY_RUN: Check and plan only; change nothing.
 * @PCIPASS_CLAIM_F_FORCE: Take the group although a member is the boot VGA
 *   device. Never overrides active SR-IOV VFs, another driver's claim or a
 *   VFIO user.
 */
enum pcipass_claim_flags {
	PCIPASS_CLAIM_F_DRY_RUN = 1,
	PCIPASS_CLAIM_F_FORCE = 2,
};

/**
 * enum pcipass_outcome - What a claim or release transaction did as a whole.
 * @PCIPASS_OUTCOME_UNSPEC: Never sent (zero is no answer).
 * @PCIPASS_OUTCOME_CLAIMED: Every member is bound to the target driver now.
 * @PCIPASS_OUTCOME_ALREADY_CLAIMED: The group was already claimed for the
 *   driver; nothing changed.
 * @PCIPASS_OUTCOME_PLANNED: A dry run passed every check; members list the
 *   plan.
 * @PCIPASS_OUTCOME_REFUSED: A pre-flight check failed (see blockers); nothing
 *   changed.
 * @PCIPASS_OUTCOME_ROLLED_BACK: A step failed; every member was restored to
 *   its original driver and override.
 * @PCIPASS_OUTCOME_ROLLBACK_FAILED: A step failed and at least one member
 *   could not be restored: members say which, and what they are bound to now.
 * @PCIPASS_OUTCOME_RELEASED: Every member is back on its original driver and
 *   override.
 * @PCIPASS_OUTCOME_RELEASE_FAILED: At least one member could not be given back
 *   (see members).
 */
enum pcipass_outcome {
	PCIPASS_OUTCOME_UNSPEC,
	PCIPASS_OUTCOME_CLAIMED,
	PCIPASS_OUTCOME_ALREADY_CLAIMED,
	PCIPASS_OUTCOME_PLANNED,
	PCIPASS_OUTCOME_REFUSED,
	PCIPASS_OUTCOME_ROLLED_BACK,
	PCIPASS_OUTCOME_ROLLBACK_FAILED,
	PCIPASS_OUTCOME_RELEASED,
	PCIPASS_OUTCOME_RELEASE_FAILED,
};

/**
 * enum pcipass_member_state - What happened to one member of the group.
 * @PCIPASS_MEMBER_UNSPEC: Never sent (zero is no answer).
 * @PCIPASS_MEMBER_PLANNED: A dry run would move it from from-driver to
 *   to-driver.
 * @PCIPASS_MEMBER_CLAIMED: Moved to the target driver.
 * @PCIPASS_MEMBER_ALREADY: Already bound to the target driver; left as it was.
 * @PCIPASS_MEMBER_SKIPPED_BRIDGE: A bridge on a driver that leaves DMA to VFIO
 *   (pcieport) or on none: stays as it is (VFIO never takes bridges).
 * @PCIPASS_MEMBER_FAILED: The step in error failed on this member.
 * @PCIPASS_MEMBER_ROLLED_BACK: Restored to its original driver and override
 *   after a failure.
 * @PCIPASS_MEMBER_ROLLBACK_FAILED: Could not be restored after a failure;
 *   to-driver is what it is bound to now (absent: unbound).
 * @PCIPASS_MEMBER_UNTOUCHED: Not reached by a transaction that failed or was
 *   refused.
 * @PCIPASS_MEMBER_RELEASED: Given back to its original driver and override.
 * @PCIPASS_MEMBER_RELEASE_FAILED: Could not be given back; to-driver is what
 *   it is bound to now.
 * @PCIPASS_MEMBER_GONE: Removed from the system while the transaction ran.
 * @PCIPASS_MEMBER_UNBOUND_BRIDGE: A bridge on a driver that does not leave DMA
 *   to VFIO (e.g. shpchp): unbound for the claim, or the group would not be
 *   viable; release binds it again.
 */
enum pcipass_member_state {
	PCIPASS_MEMBER_UNSPEC,
	PCIPASS_MEMBER_PLANNED,
	PCIPASS_MEMBER_CLAIMED,
	PCIPASS_MEMBER_ALREADY,
	PCIPASS_MEMBER_SKIPPED_BRIDGE,
	PCIPASS_MEMBER_FAILED,
	PCIPASS_MEMBER_ROLLED_BACK,
	PCIPASS_MEMBER_ROLLBACK_FAILED,
	PCIPASS_MEMBER_UNTOUCHED,
	PCIPASS_MEMBER_RELEASED,
	PCIPASS_MEMBER_RELEASE_FAILED,
	PCIPASS_MEMBER_GONE,
	PCIPASS_MEMBER_UNBOUND_BRIDGE,
};

/**
 * enum pcipass_step - The transaction step a member's error comes from.
 * @PCIPASS_STEP_UNSPEC: Never sent (zero is no answer).
 * @PCIPASS_STEP_LOAD_MODULE: Waiting for the target driver's module to
 *   register it.
 */
enum pcipass_step {
	PCIPASS_STEP_UNSPEC,
	PCIPASS_STEP_OVERRIDE,
	PCIPASS_STEP_UNBIND,
	PCIPASS_STEP_BIND,
	PCIPASS_STEP_VERIFY,
	PCIPASS_STEP_RESTORE,
	PCIPASS_STEP_LOAD_MODULE,
};

/**
 * enum pcipass_tx_state - Where a claim or release transaction is.
 * @PCIPASS_TX_UNSPEC: Never sent.
 * @PCIPASS_TX_QUEUED: Accepted, waiting for the transaction before it.
 * @PCIPASS_TX_RUNNING: Running; the busy attributes say which step it waits
 *   in.
 * @PCIPASS_TX_DONE: Finished; the report and the error are final.
 */
enum pcipass_tx_state {
	PCIPASS_TX_UNSPEC,
	PCIPASS_TX_QUEUED,
	PCIPASS_TX_RUNNING,
	PCIPASS_TX_DONE,
};

/**
 * enum pcipass_blocker_reason - Why a claim is refused.
 * @PCIPASS_BLOCKER_UNSPEC: Never sent (zero is no answer).
 * @PCIPASS_BLOCKER_BOOT_VGA: The boot VGA device (the host's console). Force
 *   overrides.
 * @PCIPASS_BLOCKER_BLOCK_IN_USE: A block device of the controller is held by
 *   the host: a mounted filesystem, swap, or a device-mapper/md/LVM member
 *   (detail names it). Not sent by the module since family version 3: host
 *   policy is userspace's, and the pcipass CLI reports it from its own checks
 *   (its --force overrides it).
 * @PCIPASS_BLOCKER_ROOT_FS: The host's root filesystem is on the controller.
 *   Not sent by the module since family version 3 (the pcipass CLI reports it;
 *   never overridden).
 * @PCIPASS_BLOCKER_NETDEV_ACTIVE: A network interface of the NIC is up with IP
 *   addresses, itself or through a bridge, bond or VLAN on top (detail names
 *   it). Not sent by the module since family version 3 (the pcipass CLI
 *   reports it; its --force overrides it).
 * @PCIPASS_BLOCKER_ACTIVE_VFS: A physical function has SR-IOV VFs enabled, in
 *   the group or outside it: unbinding it destroys them (the driver's remove
 *   disables SR-IOV) and no rollback could bring them back. Disable them
 *   first. Never overridden.
 * @PCIPASS_BLOCKER_CLAIMED_OTHER: The group is claimed for another driver:
 *   release it first. Never overridden.
 * @PCIPASS_BLOCKER_VFIO_IN_USE: A VFIO user (a VM) holds the group: its DMA
 *   ownership is claimed and every member is unbound or on a driver that
 *   leaves DMA to its user (detail: the group's /dev/vfio node). Claim and
 *   release touch nothing then; stop the VM first. Never overridden.
 */
enum pcipass_blocker_reason {
	PCIPASS_BLOCKER_UNSPEC,
	PCIPASS_BLOCKER_BOOT_VGA,
	PCIPASS_BLOCKER_BLOCK_IN_USE,
	PCIPASS_BLOCKER_ROOT_FS,
	PCIPASS_BLOCKER_NETDEV_ACTIVE,
	PCIPASS_BLOCKER_ACTIVE_VFS,
	PCIPASS_BLOCKER_CLAIMED_OTHER,
	PCIPASS_BLOCKER_VFIO_IN_USE,
};

/**
 * enum pcipass_event_type - What an event on the events multicast group
 *   reports.
 * @PCIPASS_EVENT_UNSPEC: Never sent (zero is no answer).
 * @PCIPASS_EVENT_OVERRIDE_CHANGED: pcipass changed a function's
 *   driver_override (override absent: cleared). Writes to sysfs by others are
 *   not reported: the driver core has no notification for them.
 */
enum pcipass_event_type {
	PCIPASS_EVENT_UNSPEC,
	PCIPASS_EVENT_DEVICE_ADDED,
	PCIPASS_EVENT_DEVICE_REMOVED,
	PCIPASS_EVENT_DRIVER_BOUND,
	PCIPASS_EVENT_DRIVER_UNBOUND,
	PCIPASS_EVENT_OVERRIDE_CHANGED,
	PCIPASS_EVENT_CLAIM_STARTED,
	PCIPASS_EVENT_CLAIM_FINISHED,
	PCIPASS_EVENT_RELEASE_STARTED,
	PCIPASS_EVENT_RELEASE_FINISHED,
};

enum {
	PCIPASS_A_ADDR_DOMAIN = 1,
	PCIPASS_A_ADDR_BUS,
	PCIPASS_A_ADDR_DEVFN,

	__PCIPASS_A_ADDR_MAX,
	PCIPASS_A_ADDR_MAX = (__PCIPASS_A_ADDR_MAX - 1)
};

enum {
	PCIPASS_A_ACS_POS = 1,
	PCIPASS_A_ACS_CAP,
	PCIPASS_A_ACS_CTRL,

	__PCIPASS_A_ACS_MAX,
	PCIPASS_A_ACS_MAX = (__PCIPASS_A_ACS_MAX - 1)
};

enum {
	PCIPASS_A_DEV_ADDR = 1,
	PCIPASS_A_DEV_VENDOR,
	PCIPASS_A_DEV_DEVICE,
	PCIPASS_A_DEV_SUBSYSTEM_VENDOR,
	PCIPASS_A_DEV_SUBSYSTEM_DEVICE,
	PCIPASS_A_DEV_CLASS,
	PCIPASS_A_DEV_REVISION,
	PCIPASS_A_DEV_HEADER_TYPE,
	PCIPASS_A_DEV_PCIE_TYPE,
	PCIPASS_A_DEV_MULTIFUNCTION,
	PCIPASS_A_DEV_VIRTFN,
	PCIPASS_A_DEV_PHYSFN,
	PCIPASS_A_DEV_DRIVER,
	PCIPASS_A_DEV_DRIVER_OVERRIDE,
	PCIPASS_A_DEV_IOMMU_GROUP,
	PCIPASS_A_DEV_UPSTREAM,
	PCIPASS_A_DEV_ACS,
	PCIPASS_A_DEV_RESTRICTED,
	PCIPASS_A_DEV_DRIVER_BUSY,

	__PCIPASS_A_DEV_MAX,
	PCIPASS_A_DEV_MAX = (__PCIPASS_A_DEV_MAX - 1)
};

enum {
	PCIPASS_A_GROUP_ID = 1,
	PCIPASS_A_GROUP_MEMBER,

	__PCIPASS_A_GROUP_MAX,
	PCIPASS_A_GROUP_MAX = (__PCIPASS_A_GROUP_MAX - 1)
};

enum {
	PCIPASS_A_HOP_ADDR = 1,
	PCIPASS_A_HOP_PCIE_TYPE,
	PCIPASS_A_HOP_ACS,
	PCIPASS_A_HOP_ACS_STATE,
	PCIPASS_A_HOP_ACS_MISSING,

	__PCIPASS_A_HOP_MAX,
	PCIPASS_A_HOP_MAX = (__PCIPASS_A_HOP_MAX - 1)
};

enum {
	PCIPASS_A_REASON_CODE = 1,
	PCIPASS_A_REASON_SUBJECT,
	PCIPASS_A_REASON_PEER,
	PCIPASS_A_REASON_CAUSE,
	PCIPASS_A_REASON_ACS_MISSING,

	__PCIPASS_A_REASON_MAX,
	PCIPASS_A_REASON_MAX = (__PCIPASS_A_REASON_MAX - 1)
};

enum {
	PCIPASS_A_BLOCKER_ADDR = 1,
	PCIPASS_A_BLOCKER_DRIVER,

	__PCIPASS_A_BLOCKER_MAX,
	PCIPASS_A_BLOCKER_MAX = (__PCIPASS_A_BLOCKER_MAX - 1)
};

enum {
	PCIPASS_A_ISO_ADDR = 1,
	PCIPASS_A_ISO_IOMMU_GROUP,
	PCIPASS_A_ISO_HOP,
	PCIPASS_A_ISO_REASON,
	PCIPASS_A_ISO_PREDICTED,
	PCIPASS_A_ISO_KERNEL_ONLY,
	PCIPASS_A_ISO_PREDICTED_ONLY,
	PCIPASS_A_ISO_READY,
	PCIPASS_A_ISO_BLOCKER,
	PCIPASS_A_ISO_TRUNCATED,

	__PCIPASS_A_ISO_MAX,
	PCIPASS_A_ISO_MAX = (__PCIPASS_A_ISO_MAX - 1)
};

enum {
	PCIPASS_A_MEMBER_ADDR = 1,
	PCIPASS_A_MEMBER_STATE,
	PCIPASS_A_MEMBER_FROM_DRIVER,
	PCIPASS_A_MEMBER_FROM_OVERRIDE,
	PCIPASS_A_MEMBER_TO_DRIVER,
	PCIPASS_A_MEMBER_STEP,
	PCIPASS_A_MEMBER_ERROR,

	__PCIPASS_A_MEMBER_MAX,
	PCIPASS_A_MEMBER_MAX = (__PCIPASS_A_MEMBER_MAX - 1)
};

enum {
	PCIPASS_A_CBLOCKER_ADDR = 1,
	PCIPASS_A_CBLOCKER_REASON,
	PCIPASS_A_CBLOCKER_DETAIL,
	PCIPASS_A_CBLOCKER_FORCED,

	__PCIPASS_A_CBLOCKER_MAX,
	PCIPASS_A_CBLOCKER_MAX = (__PCIPASS_A_CBLOCKER_MAX - 1)
};

enum {
	PCIPASS_A_CLAIM_ADDR = 1,
	PCIPASS_A_CLAIM_GROUP,
	PCIPASS_A_CLAIM_DRIVER,
	PCIPASS_A_CLAIM_FLAGS,
	PCIPASS_A_CLAIM_OUTCOME,
	PCIPASS_A_CLAIM_MEMBER,
	PCIPASS_A_CLAIM_BLOCKER,
	PCIPASS_A_CLAIM_TXID,
	PCIPASS_A_CLAIM_TX_STATE,
	PCIPASS_A_CLAIM_BUSY_STEP,
	PCIPASS_A_CLAIM_BUSY_ADDR,
	PCIPASS_A_CLAIM_BUSY_DRIVER,
	PCIPASS_A_CLAIM_BUSY_MS,

	__PCIPASS_A_CLAIM_MAX,
	PCIPASS_A_CLAIM_MAX = (__PCIPASS_A_CLAIM_MAX - 1)
};

enum {
	PCIPASS_A_EVENT_TYPE = 1,
	PCIPASS_A_EVENT_ADDR,
	PCIPASS_A_EVENT_DRIVER,
	PCIPASS_A_EVENT_OVERRIDE,
	PCIPASS_A_EVENT_GROUP,
	PCIPASS_A_EVENT_OUTCOME,
	PCIPASS_A_EVENT_ERROR,
	PCIPASS_A_EVENT_TXID,

	__PCIPASS_A_EVENT_MAX,
	PCIPASS_A_EVENT_MAX = (__PCIPASS_A_EVENT_MAX - 1)
};

enum {
	PCIPASS_CMD_DEVICE_GET = 1,
	PCIPASS_CMD_GROUP_GET,
	PCIPASS_CMD_ISOLATION_GET,
	PCIPASS_CMD_CLAIM,
	PCIPASS_CMD_RELEASE,
	PCIPASS_CMD_EVENT,
	PCIPASS_CMD_CLAIM_GET,

	__PCIPASS_CMD_MAX,
	PCIPASS_CMD_MAX = (__PCIPASS_CMD_MAX - 1)
};

#define PCIPASS_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_PCIPASS_H */
