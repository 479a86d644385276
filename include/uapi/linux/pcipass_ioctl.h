/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * pcipass character device ABI (/dev/pcipass).
 *
 * The same facts as the "pcipass" generic netlink family (linux/pcipass.h),
 * for callers that prefer an ioctl on a file descriptor.
 *
 * Every ioctl takes one struct that starts with two __u32 fields:
 *
 *   size   in:  sizeof() the struct as the caller knows it; must equal the
 *               size encoded in the ioctl number.  Structs only ever grow
 *               at the end: a larger struct from newer userspace is
 *               accepted if the bytes this kernel does not know are zero
 *               (otherwise -E2BIG), a smaller one from older userspace
 *               gets the fields it knows.  Smaller than the first
 *               published size (the *_SIZE_VER0 constants): -EINVAL.
 *   flags  in:  request flags; none are defined yet, any set bit is
 *               rejected with -EOPNOTSUPP.
 *
 * Errors: -ENOTTY for an unknown ioctl, -EFAULT for a bad pointer,
 * -EINVAL for a malformed struct (reserved fields not zero, bus or devfn
 * above 255), -ENODEV when no PCI function has the address.
 *
 * Queries are open to every user who can open the device.  Facts sysfs
 * reserves to CAP_SYS_ADMIN (extended config space: ACS words, PCIe port
 * type) are filled in only when the opener of the file had
 * CAP_SYS_ADMIN; otherwise PCIPASS_DEV_F_RESTRICTED is set.
 */
#ifndef _UAPI_LINUX_PCIPASS_IOCTL_H
#define _UAPI_LINUX_PCIPASS_IOCTL_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define PCIPASS_DEVICE_NAME	"pcipass"	/* /dev/pcipass */
#define PCIPASS_IOC_ABI_VERSION	1
#define PCIPASS_IOC_MAGIC	0xB9

/**
 * struct pcipass_ioc_version - ABI version query
 * @size: in: sizeof(struct pcipass_ioc_version)
 * @flags: in: must be 0
 * @abi_version: out: PCIPASS_IOC_ABI_VERSION of the loaded module
 * @genl_version: out: PCIPASS_FAMILY_VERSION of its netlink family
 * @device_size: out: the module's sizeof(struct pcipass_ioc_device)
 * @reserved: out: 0
 */
struct pcipass_ioc_version {
	__u32 size;
	__u32 flags;
	__u32 abi_version;
	__u32 genl_version;
	__u32 device_size;
	__u32 reserved;
};

#define PCIPASS_IOC_VERSION_SIZE_VER0	24

/**
 * struct pcipass_ioc_addr - a PCI function address
 * @domain: PCI segment
 * @bus: bus number, 0..255
 * @devfn: device number in bits 7:3, function in bits 2:0; 0..255
 * @reserved: must be 0
 */
struct pcipass_ioc_addr {
	__u32 domain;
	__u32 bus;
	__u32 devfn;
	__u32 reserved;
};

/* Bits of pcipass_ioc_device.present: which optional facts are valid. */
enum {
	PCIPASS_DEV_F_PCIE		= 1 << 0,  /* pcie_type is valid */
	PCIPASS_DEV_F_MULTIFUNCTION	= 1 << 1,
	PCIPASS_DEV_F_VIRTFN		= 1 << 2,  /* physfn is valid */
	PCIPASS_DEV_F_DRIVER		= 1 << 3,  /* driver is valid */
	PCIPASS_DEV_F_DRIVER_OVERRIDE	= 1 << 4,  /* driver_override is valid */
	PCIPASS_DEV_F_IOMMU_GROUP	= 1 << 5,  /* iommu_group is valid */
	PCIPASS_DEV_F_UPSTREAM		= 1 << 6,  /* upstream is valid */
	PCIPASS_DEV_F_ACS		= 1 << 7,  /* acs_* are valid */
	PCIPASS_DEV_F_RESTRICTED	= 1 << 8,  /* privileged facts withheld */
	PCIPASS_DEV_F_TRUNCATED		= 1 << 9,  /* a name did not fit */
	/* driver and driver_override unknown: a probe or removal held it */
	PCIPASS_DEV_F_DRIVER_BUSY	= 1 << 10,
};

#define PCIPASS_NAME_LEN	64

/**
 * struct pcipass_ioc_device - facts about one PCI function
 * @size: in: sizeof(struct pcipass_ioc_device)
 * @flags: in: must be 0
 * @addr: in: the function to describe
 * @present: out: PCIPASS_DEV_F_* bits
 * @vendor: out: vendor ID
 * @device: out: device ID
 * @subsystem_vendor: out: subsystem vendor ID
 * @subsystem_device: out: subsystem device ID
 * @class: out: class code (base class in bits 23:16)
 * @revision: out: revision ID
 * @header_type: out: config header layout, without the multifunction bit
 * @pcie_type: out: PCIe device/port type (enum pcipass_pcie_type)
 * @iommu_group: out: IOMMU group id
 * @physfn: out: the physical function of a virtual function
 * @upstream: out: the bridge above the function
 * @acs_pos: out: config offset of the ACS capability
 * @acs_cap: out: ACS Capability register
 * @acs_ctrl: out: ACS Control register
 * @reserved: out: 0
 * @driver: out: bound driver name, NUL-terminated
 * @driver_override: out: driver_override, NUL-terminated
 */
struct pcipass_ioc_device {
	__u32 size;
	__u32 flags;
	struct pcipass_ioc_addr addr;
	__u32 present;
	__u32 vendor;
	__u32 device;
	__u32 subsystem_vendor;
	__u32 subsystem_device;
	__u32 class;
	__u32 revision;
	__u32 header_type;
	__u32 pcie_type;
	__u32 iommu_group;
	struct pcipass_ioc_addr physfn;
	struct pcipass_ioc_addr upstream;
	__u32 acs_pos;
	__u32 acs_cap;
	__u32 acs_ctrl;
	__u32 reserved;
	char driver[PCIPASS_NAME_LEN];
	char driver_override[PCIPASS_NAME_LEN];
};

#define PCIPASS_IOC_DEVICE_SIZE_VER0	240

/* Bits of pcipass_ioc_isolation.present. */
enum {
	PCIPASS_ISO_F_IOMMU_GROUP	= 1 << 0,  /* iommu_group is valid */
	PCIPASS_ISO_F_READY		= 1 << 1,  /* VFIO can take the group */
	PCIPASS_ISO_F_TRUNCATED		= 1 << 2,  /* a list did not fit */
};

/* Bits of pcipass_ioc_reason.present. */
enum {
	PCIPASS_REASON_F_PEER		= 1 << 0,  /* peer is valid */
	PCIPASS_REASON_F_CAUSE		= 1 << 1,  /* cause is valid */
};

/**
 * struct pcipass_ioc_hop - one function on the path to the root complex
 * @addr: its address
 * @present: PCIPASS_DEV_F_PCIE and PCIPASS_DEV_F_ACS say what is valid
 * @pcie_type: PCIe device/port type (enum pcipass_pcie_type)
 * @acs_pos: config offset of the ACS capability
 * @acs_cap: ACS Capability register
 * @acs_ctrl: ACS Control register
 * @acs_state: enum pcipass_acs_state
 * @acs_missing: required ACS flags (PCI_ACS_SV/RR/CR/UF) it lacks
 * @reserved: 0
 */
struct pcipass_ioc_hop {
	struct pcipass_ioc_addr addr;
	__u32 present;
	__u32 pcie_type;
	__u32 acs_pos;
	__u32 acs_cap;
	__u32 acs_ctrl;
	__u32 acs_state;
	__u32 acs_missing;
	__u32 reserved;
};

/**
 * struct pcipass_ioc_reason - one predicted link between two functions
 * @code: enum pcipass_reason
 * @present: PCIPASS_REASON_F_* bits
 * @acs_missing: required ACS flags @cause lacks
 * @reserved: 0
 * @subject: the function that joins a group
 * @peer: the function whose group it joins
 * @cause: the function responsible
 */
struct pcipass_ioc_reason {
	__u32 code;
	__u32 present;
	__u32 acs_missing;
	__u32 reserved;
	struct pcipass_ioc_addr subject;
	struct pcipass_ioc_addr peer;
	struct pcipass_ioc_addr cause;
};

/**
 * struct pcipass_ioc_blocker - a member bound to a DMA-API driver
 * @addr: its address
 * @driver: the driver's name, NUL-terminated
 */
struct pcipass_ioc_blocker {
	struct pcipass_ioc_addr addr;
	char driver[PCIPASS_NAME_LEN];
};

#define PCIPASS_IOC_ISO_HOPS		16
#define PCIPASS_IOC_ISO_REASONS		32
#define PCIPASS_IOC_ISO_PREDICTED	32
#define PCIPASS_IOC_ISO_DIFF		16
#define PCIPASS_IOC_ISO_BLOCKERS	16

/**
 * struct pcipass_ioc_isolation - why a function shares its IOMMU group
 * @size: in: sizeof(struct pcipass_ioc_isolation)
 * @flags: in: must be 0
 * @addr: in: the function to explain
 * @present: out: PCIPASS_ISO_F_* bits
 * @iommu_group: out: the kernel's IOMMU group id
 * @nr_hops: out: entries of @hops
 * @nr_reasons: out: entries of @reasons
 * @nr_predicted: out: entries of @predicted
 * @nr_kernel_only: out: entries of @kernel_only
 * @nr_predicted_only: out: entries of @predicted_only
 * @nr_blockers: out: entries of @blockers
 * @hops: out: the function, then each bridge above it
 * @reasons: out: the predicted links inside the predicted group
 * @predicted: out: members of the predicted group
 * @kernel_only: out: members of the kernel's group not predicted
 * @predicted_only: out: predicted members outside the kernel's group
 * @blockers: out: members that keep VFIO from taking the group
 *
 * The same answer as the netlink command isolation-get (see
 * linux/pcipass.h for the meaning of each part).  The nr_* counts are the
 * full counts; when one exceeds its array, only the array's worth is
 * filled and PCIPASS_ISO_F_TRUNCATED is set.  Needs an opener with
 * CAP_SYS_ADMIN (-EPERM otherwise): computed from extended config space.
 */
struct pcipass_ioc_isolation {
	__u32 size;
	__u32 flags;
	struct pcipass_ioc_addr addr;
	__u32 present;
	__u32 iommu_group;
	__u32 nr_hops;
	__u32 nr_reasons;
	__u32 nr_predicted;
	__u32 nr_kernel_only;
	__u32 nr_predicted_only;
	__u32 nr_blockers;
	struct pcipass_ioc_hop hops[PCIPASS_IOC_ISO_HOPS];
	struct pcipass_ioc_reason reasons[PCIPASS_IOC_ISO_REASONS];
	struct pcipass_ioc_addr predicted[PCIPASS_IOC_ISO_PREDICTED];
	struct pcipass_ioc_addr kernel_only[PCIPASS_IOC_ISO_DIFF];
	struct pcipass_ioc_addr predicted_only[PCIPASS_IOC_ISO_DIFF];
	struct pcipass_ioc_blocker blockers[PCIPASS_IOC_ISO_BLOCKERS];
};

#define PCIPASS_IOC_ISOLATION_SIZE_VER0	5176

/*
 * PCIPASS_IOC_CLAIM / PCIPASS_IOC_RELEASE: the netlink claim and release
 * commands (see Documentation/netlink/specs/pcipass.yaml for the
 * semantics and the values of state, step, reason and outcome: enums
 * pcipass_member_state, pcipass_step, pcipass_blocker_reason,
 * pcipass_outcome of <linux/pcipass.h>).  Both need CAP_SYS_ADMIN in the
 * caller.  In: size, flags, driver (claim; "" = vfio-pci) and either addr
 * or, with PCIPASS_IOC_CLAIM_F_GROUP, group.  Out: everything else --
 * also when the ioctl fails, except for the struct's own checks (EPERM,
 * EINVAL, EOPNOTSUPP, EFAULT before anything was looked up): message says
 * why (no such function or group, unknown driver, refused, rolled back),
 * PCIPASS_CLAIM_P_GROUP says whether group, outcome and the lists are valid.
 * The transaction runs in the module's own context; the ioctl waits for it
 * up to the module parameter claim_wait_s (60 s), interruptibly.  When the
 * wait ends first (ETIMEDOUT, EINTR), PCIPASS_CLAIM_P_RUNNING is set, txid
 * names the transaction (netlink claim-get tells how it ended) and message
 * says which step it waits in.  EBUSY without P_GROUP: another transaction
 * is stuck in a step (message names it); nothing was done.
 * nr_members and nr_blockers are the full counts; only the first
 * PCIPASS_IOC_CLAIM_MEMBERS members and PCIPASS_IOC_CLAIM_BLOCKERS
 * blockers fit, with PCIPASS_CLAIM_P_TRUNCATED set when more did not (a
 * group can hold up to 1024 functions, e.g. a PF and its VFs behind a
 * port without ACS): netlink claim-get reports every member.
 */
#define PCIPASS_IOC_CLAIM_F_DRY_RUN	(1U << 0)  /* = PCIPASS_CLAIM_F_DRY_RUN */
#define PCIPASS_IOC_CLAIM_F_FORCE	(1U << 1)  /* = PCIPASS_CLAIM_F_FORCE */
#define PCIPASS_IOC_CLAIM_F_GROUP	(1U << 2)  /* target is group, not addr */

/* Bits of pcipass_ioc_claim.present. */
enum {
	PCIPASS_CLAIM_P_GROUP		= 1 << 0,  /* group and outcome are valid */
	PCIPASS_CLAIM_P_TRUNCATED	= 1 << 1,  /* a list or name did not fit */
	PCIPASS_CLAIM_P_RUNNING		= 1 << 2,  /* still running: see txid */
};

#define PCIPASS_IOC_CLAIM_MEMBERS	32
#define PCIPASS_IOC_CLAIM_BLOCKERS	16
#define PCIPASS_IOC_MESSAGE_LEN		160

struct pcipass_ioc_claim_member {
	struct pcipass_ioc_addr addr;
	__u32 state;
	__u32 step;
	__s32 error;
	__u32 reserved;
	char from_driver[PCIPASS_NAME_LEN];
	char from_override[PCIPASS_NAME_LEN];
	char to_driver[PCIPASS_NAME_LEN];
};

struct pcipass_ioc_claim_blocker {
	struct pcipass_ioc_addr addr;
	__u32 reason;
	__u32 forced;
	char detail[PCIPASS_NAME_LEN];
};

struct pcipass_ioc_claim {
	__u32 size;
	__u32 flags;
	struct pcipass_ioc_addr addr;
	__u32 group;
	__u32 present;
	__u32 outcome;
	__u32 nr_members;
	__u32 nr_blockers;
	__u32 txid;		/* out: the transaction (was reserved, 0) */
	char driver[PCIPASS_NAME_LEN];
	char message[PCIPASS_IOC_MESSAGE_LEN];
	struct pcipass_ioc_claim_member members[PCIPASS_IOC_CLAIM_MEMBERS];
	struct pcipass_ioc_claim_blocker blockers[PCIPASS_IOC_CLAIM_BLOCKERS];
};

#define PCIPASS_IOC_CLAIM_SIZE_VER0	8848

#define PCIPASS_IOC_VERSION	_IOWR(PCIPASS_IOC_MAGIC, 0x00, struct pcipass_ioc_version)
#define PCIPASS_IOC_DEVICE_GET	_IOWR(PCIPASS_IOC_MAGIC, 0x01, struct pcipass_ioc_device)
#define PCIPASS_IOC_ISOLATION_GET _IOWR(PCIPASS_IOC_MAGIC, 0x02, struct pcipass_ioc_isolation)

#define PCIPASS_IOC_CLAIM	_IOWR(PCIPASS_IOC_MAGIC, 0x03, struct pcipass_ioc_claim)
#define PCIPASS_IOC_RELEASE	_IOWR(PCIPASS_IOC_MAGIC, 0x04, struct pcipass_ioc_claim)

#endif /* _UAPI_LINUX_PCIPASS_IOCTL_H */
