/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcipass isolation: why PCI functions share an IOMMU group.
 *
 * The kernel's own grouping helpers (pci_acs_enabled(),
 * pci_for_each_dma_alias(), ...) are not exported, so the module predicts
 * the groups itself from config space and device flags and compares the
 * prediction with the kernel's real groups.  Three layers:
 *
 *   topo.c      - a snapshot of every PCI function (struct pcipass_topo);
 *                 the only part that touches struct pci_dev;
 *   predict.c   - the grouping rules over a snapshot: pure data, so KUnit
 *                 can feed it synthetic topologies;
 *   isolation.c - one function's answer (struct pcipass_isolation), what
 *                 netlink and the ioctl device report.
 */
#ifndef _PCIPASS_ISOLATION_H
#define _PCIPASS_ISOLATION_H

#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/pci_regs.h>

#include "core.h"

/* The ACS flags the kernel requires for isolation (drivers/iommu/iommu.c). */
#define PCIPASS_ACS_REQUIRED \
	(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)

enum pcipass_node_flags {
	PCIPASS_NODE_PCIE		= BIT(0),  /* pcie_type is valid */
	PCIPASS_NODE_MULTIFUNCTION	= BIT(1),
	PCIPASS_NODE_ACS		= BIT(2),  /* acs_* are valid */
	PCIPASS_NODE_IOMMU		= BIT(3),  /* group is valid */
	PCIPASS_NODE_BRIDGE_ALIAS	= BIT(4),  /* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
	PCIPASS_NODE_XLATE_ROOT		= BIT(5),  /* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT */
	PCIPASS_NODE_DMA_ALIAS		= BIT(6),  /* dma_alias is valid */
};

#define PCIPASS_DEVFNS	256

/**
 * struct pcipass_link - how a function came to share a group
 * @code: enum pcipass_reason; PCIPASS_REASON_ISOLATED when the function
 *        founded its own group
 * @missing: required ACS flags @cause does not provide
 * @peer: index of the function whose group it joined, or -1
 * @cause: index of the function responsible, or -1
 */
struct pcipass_link {
	u8 code;
	u16 missing;
	int peer;
	int cause;
};

/**
 * struct pcipass_node - one PCI function in a snapshot
 * @addr: its address
 * @up: index of the bridge above it, -1 on a root bus (for a virtual
 *      function: the bridge above its physical function)
 * @flags: PCIPASS_NODE_* bits
 * @pcie_type: PCIe device/port type
 * @acs_pos: ACS capability offset
 * @acs_cap: ACS Capability register
 * @acs_ctrl: ACS Control register
 * @group: the kernel's IOMMU group id
 * @dma_alias: devfns on the same bus this function uses for DMA
 * @pred: computed: index of the function that founded its predicted
 *        group, -1 without an IOMMU
 * @join: computed: how it joined that group
 *
 * Nodes are kept in the order the PCI core added the devices, which is
 * the order the kernel formed the groups in.
 */
struct pcipass_node {
	struct pcipass_addr addr;
	int up;
	u32 flags;
	u8 pcie_type;
	u16 acs_pos;
	u16 acs_cap;
	u16 acs_ctrl;
	u32 group;
	DECLARE_BITMAP(dma_alias, PCIPASS_DEVFNS);
	int pred;
	struct pcipass_link join;
};

/**
 * struct pcipass_topo - a snapshot of every PCI function
 * @n: number of nodes
 * @nodes: the functions, in the order the PCI core added them
 */
struct pcipass_topo {
	unsigned int n;
	struct pcipass_node *nodes;
};

/* predict.c */
u16 pcipass_acs_missing(const struct pcipass_node *node, u8 *state);
void pcipass_predict(struct pcipass_topo *t);
int pcipass_topo_find(const struct pcipass_topo *t,
		      const struct pcipass_addr *addr);

/* topo.c */
int pcipass_topo_snapshot(struct pcipass_topo *t);
void pcipass_topo_release(struct pcipass_topo *t);

/**
 * struct pcipass_iso_hop - one function on the path to the root complex
 * @addr: its address
 * @flags: PCIPASS_NODE_PCIE and PCIPASS_NODE_ACS say which fields are valid
 * @pcie_type: PCIe device/port type
 * @acs_pos: ACS capability offset
 * @acs_cap: ACS Capability register
 * @acs_ctrl: ACS Control register
 * @state: enum pcipass_acs_state
 * @missing: required ACS flags it does not provide
 */
struct pcipass_iso_hop {
	struct pcipass_addr addr;
	u32 flags;
	u8 pcie_type;
	u16 acs_pos;
	u16 acs_cap;
	u16 acs_ctrl;
	u8 state;
	u16 missing;
};

/**
 * struct pcipass_iso_reason - one predicted link, by address
 * @code: enum pcipass_reason
 * @missing: required ACS flags @cause does not provide
 * @has_peer: @peer is valid
 * @has_cause: @cause is valid
 * @subject: the function that joined a group
 * @peer: the function whose group it joined
 * @cause: the function responsible
 */
struct pcipass_iso_reason {
	u8 code;
	u16 missing;
	bool has_peer;
	bool has_cause;
	struct pcipass_addr subject;
	struct pcipass_addr peer;
	struct pcipass_addr cause;
};

/**
 * struct pcipass_iso_blocker - a member bound to a DMA-API driver
 * @addr: its address
 * @driver: the driver's name (owned)
 */
struct pcipass_iso_blocker {
	struct pcipass_addr addr;
	char *driver;
};

/**
 * struct pcipass_isolation - the answer about one function
 * @addr: the function
 * @has_group: @group is valid
 * @group: the kernel's IOMMU group id
 * @ready: every member of the kernel's group is unbound or on a driver
 *         with driver_managed_dma
 * @truncated: a list below was cut at PCIPASS_ISO_LIST_MAX
 * @nr_hops: entries in @hops
 * @hops: the function itself, then every bridge above it
 * @nr_reasons: entries in @reasons
 * @reasons: predicted links inside the predicted group
 * @nr_predicted: entries in @predicted
 * @predicted: members of the predicted group
 * @nr_kernel_only: entries in @kernel_only
 * @kernel_only: kernel group members the prediction lacks
 * @nr_predicted_only: entries in @predicted_only
 * @predicted_only: predicted members outside the kernel's group
 * @nr_blockers: entries in @blockers
 * @blockers: members that keep the group from being ready
 */
struct pcipass_isolation {
	struct pcipass_addr addr;
	bool has_group;
	u32 group;
	bool ready;
	bool truncated;
	unsigned int nr_hops;
	struct pcipass_iso_hop *hops;
	unsigned int nr_reasons;
	struct pcipass_iso_reason *reasons;
	unsigned int nr_predicted;
	struct pcipass_addr *predicted;
	unsigned int nr_kernel_only;
	struct pcipass_addr *kernel_only;
	unsigned int nr_predicted_only;
	struct pcipass_addr *predicted_only;
	unsigned int nr_blockers;
	struct pcipass_iso_blocker *blockers;
};

/* isolation.c */
int pcipass_isolation_get(const struct pcipass_addr *addr,
			  struct pcipass_isolation *iso);
int pcipass_isolation_explain(const struct pcipass_topo *t, int idx,
			      struct pcipass_isolation *iso);
void pcipass_isolation_release(struct pcipass_isolation *iso);

#endif /* _PCIPASS_ISOLATION_H */
