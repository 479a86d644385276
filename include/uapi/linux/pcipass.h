/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcipass.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_PCIPASS_H
#define _UAPI_LINUX_PCIPASS_H

#define PCIPASS_FAMILY_NAME	"pcipass"
#define PCIPASS_FAMILY_VERSION	1

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
	PCIPASS_CMD_DEVICE_GET = 1,
	PCIPASS_CMD_GROUP_GET,
	PCIPASS_CMD_ISOLATION_GET,

	__PCIPASS_CMD_MAX,
	PCIPASS_CMD_MAX = (__PCIPASS_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_PCIPASS_H */
