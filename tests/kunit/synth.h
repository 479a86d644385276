/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic PCI topologies for the group prediction tests.
 *
 * One table row per PCI function, in the order the PCI core adds the
 * devices (pci_bus_add_devices(): every device of a bus, then the buses
 * below them one after the other), which is the order the kernel formed
 * the groups in.  Each row also says what the kernel's rules give that
 * function, worked out by hand from drivers/iommu/iommu.c
 * (pci_device_group()) and drivers/pci/pci.c (pci_acs_enabled()): the
 * expectations never come from the code under test.
 */
#ifndef _PCIPASS_KUNIT_SYNTH_H
#define _PCIPASS_KUNIT_SYNTH_H

#include <linux/bits.h>
#include <linux/pci.h>
#include <uapi/linux/pcipass.h>

#include "isolation.h"

struct kunit;

/* Device/port types: PCI_EXP_TYPE_*, or conventional PCI. */
#define SY_EP		PCI_EXP_TYPE_ENDPOINT
#define SY_LEG		PCI_EXP_TYPE_LEG_END
#define SY_RP		PCI_EXP_TYPE_ROOT_PORT
#define SY_US		PCI_EXP_TYPE_UPSTREAM
#define SY_DS		PCI_EXP_TYPE_DOWNSTREAM
#define SY_P2P		PCI_EXP_TYPE_PCI_BRIDGE	/* PCIe-to-PCI/PCI-X */
#define SY_X2E		PCI_EXP_TYPE_PCIE_BRIDGE	/* PCI/PCI-X-to-PCIe */
#define SY_RCIEP	PCI_EXP_TYPE_RC_END
#define SY_RCEC		PCI_EXP_TYPE_RC_EC
#define SY_CONV		0xff			/* conventional PCI */

/* Row flags. */
#define SY_MF		BIT(0)	/* multifunction */
#define SY_NOMMU	BIT(1)	/* not behind an IOMMU: no group */
#define SY_BRALIAS	BIT(2)	/* PCI_DEV_FLAG_PCIE_BRIDGE_ALIAS */
#define SY_XLATE	BIT(3)	/* PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT */

/* The ACS flags pci_device_group() requires, spelled out. */
#define SY_REQ		(PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF)
/* What a capable port implements, and what Linux enables in it. */
#define SY_CAP_ALL	(SY_REQ | PCI_ACS_TB | PCI_ACS_DT)

/* Row ACS: 0 is no ACS capability; SY_ACS() one with these two words. */
#define SY_ACS(cap, ctrl)	(BIT(31) | (u32)(cap) << 16 | (u16)(ctrl))
#define SY_ACS_ON		SY_ACS(SY_CAP_ALL, SY_REQ)
#define SY_ACS_POS		0x148

/**
 * struct sy_want - the predicted group and link of one function
 * @pred: row index of the function that founded its group; -1: no group
 * @code: enum pcipass_reason
 * @peer: row index of the function whose group it joined, or -1
 * @cause: row index of the function responsible, or -1
 * @missing: required ACS flags @cause lacks
 */
struct sy_want {
	s16 pred;
	u8 code;
	s16 peer;
	s16 cause;
	u16 missing;
};

#define SY_ALONE(i)	{ (i), PCIPASS_REASON_ISOLATED, -1, -1, 0 }
#define SY_NONE		{ -1, PCIPASS_REASON_NO_IOMMU, -1, -1, 0 }
#define SY_UPSTREAM(g, peer, cause, missing) \
	{ (g), PCIPASS_REASON_UPSTREAM_ACS, (peer), (cause), (missing) }
#define SY_BRIDGE(g, peer, cause) \
	{ (g), PCIPASS_REASON_BRIDGE_ALIAS, (peer), (cause), 0 }
#define SY_ALIAS(g, peer, via) \
	{ (g), PCIPASS_REASON_DMA_ALIAS, (peer), (via), 0 }
#define SY_FUNC(g, peer, sibling, missing) \
	{ (g), PCIPASS_REASON_MULTIFUNCTION, (peer), (sibling), (missing) }

#define SY_ALIAS_MAX	4

/**
 * struct sy_row - one PCI function of a synthetic topology
 * @bus: bus number
 * @devfn: device and function
 * @up: row index of the bridge above it, -1 on a root bus
 * @type: SY_* device/port type
 * @flags: SY_MF, SY_NOMMU, SY_BRALIAS, SY_XLATE
 * @acs: 0, or SY_ACS(cap, ctrl)
 * @want: what the kernel's rules give it
 * @group: the kernel's IOMMU group id (for the isolation answer)
 * @domain: PCI segment
 * @nr_alias: entries of @alias
 * @alias: devfns on its bus it uses for DMA (dma_alias_mask)
 */
struct sy_row {
	u8 bus;
	u8 devfn;
	s16 up;
	u8 type;
	u8 flags;
	u32 acs;
	struct sy_want want;
	u32 group;
	u16 domain;
	u8 nr_alias;
	u8 alias[SY_ALIAS_MAX];
};

#define SY_ALIASES(...) \
	.nr_alias = sizeof((u8[]){ __VA_ARGS__ }), .alias = { __VA_ARGS__ }

/**
 * struct sy_case - a named topology
 * @name: parameter description
 * @rows: the functions
 * @n: entries of @rows
 */
struct sy_case {
	const char *name;
	const struct sy_row *rows;
	unsigned int n;
};

/* ARRAY_SIZE(), spelled so that checkpatch sees @rows used once. */
#define SY_CASE(rows)	{ #rows, rows, sizeof(rows) / sizeof((rows)[0]) }

void sy_case_desc(const struct sy_case *c, char *desc);
void sy_fill(struct pcipass_node *node, const struct sy_row *row);
struct pcipass_topo *sy_topo(struct kunit *test, const struct sy_row *rows,
			     unsigned int n);
void sy_expect_addr(struct kunit *test, const struct pcipass_addr *got,
		    const struct sy_row *want, const char *what,
		    unsigned int i);

/* Two switches below an ACS root port, no ACS below the first (synth.c). */
#define SY_NESTED_N	10
extern const struct sy_row sy_nested[SY_NESTED_N];

#endif /* _PCIPASS_KUNIT_SYNTH_H */
