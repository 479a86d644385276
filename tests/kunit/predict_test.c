// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass_predict() on synthetic topologies: every function's predicted
 * group, the rule that put it there, and the functions named as peer and
 * cause.  Each expectation was worked out by hand by following the
 * kernel's pci_device_group() (drivers/iommu/iommu.c, 6.12) over the
 * rows in their order, as the kernel met the devices:
 *
 *   1. pci_for_each_dma_alias(): up through the bridges above, root,
 *      upstream and downstream ports skipped; any other bridge is an
 *      alias, the lowest one already in a group gives the group
 *      (bridge-alias); a PCI_DEV_FLAGS_BRIDGE_XLATE_ROOT bridge ends the
 *      walk; the walk goes on from the highest alias met;
 *   2. from there up: the first bridge whose path to the root is not all
 *      pci_acs_enabled() and that has a group gives it (upstream-acs);
 *      the cause is where pci_acs_path_enabled() failed: the first hop
 *      from that bridge up that does not isolate;
 *   3. get_pci_alias_group(): a function on the same bus with a DMA alias
 *      to or from it, depth first, devices in enumeration order
 *      (dma-alias, cause: the first alias taken);
 *   4. get_pci_function_alias_group(): a function of the same slot, both
 *      without ACS isolation (multifunction, cause: that sibling).
 *
 * Rows are "{ bus, devfn, up (row), type, flags, acs, want }"; want is
 * SY_ALONE(self) for a function that founds its group, SY_NONE without an
 * IOMMU, or the rule with the founder of the group it joins first.
 */
#include <kunit/test.h>

#include "synth.h"

#define DF(d, f)	PCI_DEVFN(d, f)
#define REQ		SY_REQ
#define RR_CR		(PCI_ACS_RR | PCI_ACS_CR)
/* A port that implements every flag but has only SV and UF enabled. */
#define ACS_RR_CR_OFF	SY_ACS(SY_CAP_ALL, PCI_ACS_SV | PCI_ACS_UF)

/* --- isolated and no-iommu ---------------------------------------------- */

static const struct sy_row isolated_below_acs_port[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(1) },
	/* 2 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(2) },	/* root bus */
};

/*
 * A port without IOMMU has no group to give: the two endpoints below it,
 * which would share the port's group, are each alone.
 */
static const struct sy_row no_iommu_port[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, SY_NOMMU, 0, SY_NONE },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(1, 0), 0, SY_EP, 0, 0, SY_ALONE(2) },
};

/*
 * A function without IOMMU is never joined: 01:00.1 finds no group on
 * its sibling 01:00.0 and founds one, which 01:00.2 joins.
 */
static const struct sy_row no_iommu_function[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF | SY_NOMMU, 0, SY_NONE },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_ALONE(2) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, SY_MF, 0, SY_FUNC(2, 2, 2, REQ) },
};

/*
 * DMA aliases through a function without IOMMU: the kernel's search goes
 * on through its aliases (00:04.0 -> 00:03.0 -> 00:02.0), but a function
 * aliased only to it stays alone (00:06.0).
 */
static const struct sy_row no_iommu_dma_alias[] = {
	/* 0 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(3, 0), -1, SY_RCIEP, SY_NOMMU, 0, SY_NONE,
		  SY_ALIASES(DF(2, 0)) },
	/* 2 */ { 0, DF(4, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 1),
		  SY_ALIASES(DF(3, 0)) },
	/* 3 */ { 0, DF(5, 0), -1, SY_RCIEP, SY_NOMMU, 0, SY_NONE,
		  SY_ALIASES(DF(6, 0)) },
	/* 4 */ { 0, DF(6, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(4) },
};

/* --- upstream-acs -------------------------------------------------------- */

static const struct sy_row root_port_without_acs[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
};

/* RR and CR disabled: only those are missing.  ACS below does not help. */
static const struct sy_row root_port_rr_cr_off[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, ACS_RR_CR_OFF, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, SY_ACS_ON,
		  SY_UPSTREAM(0, 0, 0, RR_CR) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, SY_ACS_ON,
		  SY_UPSTREAM(0, 0, 0, RR_CR) },
};

/*
 * The second switch's downstream ports have ACS (one with RR/CR off), the
 * first switch's 02:00.0 has none; 02:01.0 has ACS.  05:00.0 stops at
 * 04:00.0 (the lowest bridge whose path fails) but the path fails at
 * 02:00.0: peer and cause differ.  06:00.0's path fails first at its own
 * port 04:01.0 (RR/CR), although 02:00.0 fails too.  07:00.0 is isolated.
 */
static const struct sy_row nested_acs_below[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_US, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_DS, 0, 0, SY_ALONE(2) },
	/* 3 */ { 2, DF(1, 0), 1, SY_DS, 0, SY_ACS_ON, SY_ALONE(3) },
	/* 4 */ { 3, DF(0, 0), 2, SY_US, 0, 0, SY_UPSTREAM(2, 2, 2, REQ) },
	/* 5 */ { 4, DF(0, 0), 4, SY_DS, 0, SY_ACS_ON,
		  SY_UPSTREAM(2, 4, 2, REQ) },
	/* 6 */ { 4, DF(1, 0), 4, SY_DS, 0, ACS_RR_CR_OFF,
		  SY_UPSTREAM(2, 4, 2, REQ) },
	/* 7 */ { 5, DF(0, 0), 5, SY_EP, 0, 0, SY_UPSTREAM(2, 5, 2, REQ) },
	/* 8 */ { 6, DF(0, 0), 6, SY_EP, 0, 0, SY_UPSTREAM(2, 6, 6, RR_CR) },
	/* 9 */ { 7, DF(0, 0), 3, SY_EP, 0, 0, SY_ALONE(9) },
};

/*
 * The lowest failing bridge (02:00.0) has no group: the walk goes on to
 * the next one up, the switch's upstream port, whose path fails at the
 * root port.
 */
static const struct sy_row upstream_skips_ungrouped[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_US, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
	/* 2 */ { 2, DF(0, 0), 1, SY_DS, SY_NOMMU, 0, SY_NONE },
	/* 3 */ { 3, DF(0, 0), 2, SY_EP, 0, 0, SY_UPSTREAM(0, 1, 0, REQ) },
};

/* --- bridge-alias ---------------------------------------------------------- */

static const struct sy_row pcie_to_pci_bridge[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(1, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 3 */ { 2, DF(2, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
};

static const struct sy_row pcie_to_pci_bridge_below_non_acs[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
	/* 2 */ { 2, DF(0, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(0, 1, 1) },
};

/* A conventional PCI-PCI bridge below: its devices join it, the lowest. */
static const struct sy_row conventional_bridge[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(1, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 3 */ { 2, DF(2, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 4 */ { 3, DF(0, 0), 2, SY_CONV, 0, 0, SY_BRIDGE(1, 2, 2) },
};

/* A PCI-to-PCIe bridge aliases the PCIe devices below it. */
static const struct sy_row pci_to_pcie_bridge[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_X2E, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 3 */ { 3, DF(0, 0), 2, SY_EP, 0, 0, SY_BRIDGE(1, 2, 2) },
};

/*
 * A conventional bridge directly below a root port, flagged as aliasing
 * to its subordinate bus (ASMedia-style quirk): the flag changes the
 * requester ID only, the grouping is the same.
 */
static const struct sy_row bridge_alias_flag[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_CONV, SY_BRALIAS, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 3 */ { 2, DF(1, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
};

/* An aliasing bridge without group is passed: the next one up gives it. */
static const struct sy_row bridge_alias_skips_ungrouped[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_CONV, SY_NOMMU, 0, SY_NONE },
	/* 3 */ { 3, DF(0, 0), 2, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
};

/*
 * The same, with the ungrouped bridge a translation root: the alias walk
 * stops there, so the step 2 walk starts at 03:00.0 itself and finds the
 * PCIe-to-PCI bridge through its (never isolating) path.
 */
static const struct sy_row xlate_root_between_bridges[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_CONV, SY_NOMMU | SY_XLATE, 0, SY_NONE },
	/* 3 */ { 3, DF(0, 0), 2, SY_CONV, 0, 0, SY_UPSTREAM(1, 1, 1, REQ) },
};

/* A translation root that is the aliasing bridge itself. */
static const struct sy_row xlate_root_bridge[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, SY_XLATE, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_CONV, 0, 0, SY_UPSTREAM(1, 1, 1, REQ) },
	/* 3 */ { 2, DF(1, 0), 1, SY_CONV, 0, 0, SY_UPSTREAM(1, 1, 1, REQ) },
};

/*
 * A bridge whose PCIe capability says "endpoint": pci_for_each_dma_alias()
 * aliases only to PCIe-to-PCI and PCI-to-PCIe bridges among PCIe devices,
 * and a single-function endpoint passes pci_acs_enabled(): 02:00.0 is
 * alone.
 */
static const struct sy_row pcie_bridge_other_type[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(1) },
	/* 2 */ { 2, DF(0, 0), 1, SY_EP, 0, 0, SY_ALONE(2) },
};

/* --- dma-alias ------------------------------------------------------------- */

/* 00:03.0 uses 00:02.0's requester ID. */
static const struct sy_row dma_alias_to_earlier[] = {
	/* 0 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 0),
		  SY_ALIASES(DF(2, 0)) },
};

/* 00:02.0 uses 00:03.0's: the alias counts in either direction. */
static const struct sy_row dma_alias_from_earlier[] = {
	/* 0 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0),
		  SY_ALIASES(DF(3, 0)) },
	/* 1 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 0) },
};

/*
 * 00:03.0 -> 00:02.0 -> 00:01.0, with 00:02.0 enumerated last: when
 * 00:03.0 is met, 00:02.0 exists without a group; the search goes
 * through it to 00:01.0.
 */
static const struct sy_row dma_alias_chain[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 2),
		  SY_ALIASES(DF(2, 0)) },
	/* 2 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 0),
		  SY_ALIASES(DF(1, 0)) },
};

/*
 * Aliases are devfns on the function's own bus: an alias bit that matches
 * a function on another bus, or in another domain, links nothing.
 */
static const struct sy_row dma_alias_other_bus[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(1),
		  SY_ALIASES(DF(0, 0)) },
	/* 2 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(2),
		  SY_ALIASES(DF(2, 0)) },
	/* 3 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(3),
		  .domain = 1, SY_ALIASES(DF(2, 0)) },
};

/*
 * 00:03.0 aliases 00:02.1, which has no group yet but is a function
 * without ACS of a multifunction device whose 00:02.0 has one: the
 * search goes through the sibling (dma-alias, cause 00:02.1).  00:02.1
 * then meets 00:03.0, now grouped, as an alias before its sibling.
 */
static const struct sy_row dma_alias_via_function[] = {
	/* 0 */ { 0, DF(2, 0), -1, SY_RCIEP, SY_MF, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 2),
		  SY_ALIASES(DF(2, 1)) },
	/* 2 */ { 0, DF(2, 1), -1, SY_RCIEP, SY_MF, 0, SY_ALIAS(0, 1, 1) },
};

/* --- multifunction --------------------------------------------------------- */

/* Functions without ACS share; a function of another slot does not. */
static const struct sy_row mf_no_acs[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ) },
	/* 4 */ { 1, DF(1, 0), 0, SY_EP, SY_MF, 0, SY_ALONE(4) },
};

static const struct sy_row mf_acs_on[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(2) },
};

/*
 * .0 isolates; .1 has no ACS but its only candidates are .0 (isolating:
 * skipped) and functions without a group yet: alone.  .2 (no ACS) and .3
 * (RR/CR off) join .1, the cause's missing flags being .1's.
 */
static const struct sy_row mf_mixed[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_ALONE(2) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, SY_MF, 0, SY_FUNC(2, 2, 2, REQ) },
	/* 4 */ { 1, DF(0, 3), 0, SY_EP, SY_MF, ACS_RR_CR_OFF,
		  SY_FUNC(2, 2, 2, REQ) },
};

/* Multifunction root ports without ACS: both ports and all below share. */
static const struct sy_row mf_root_ports_no_acs[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, SY_MF, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(0x1c, 1), -1, SY_RP, SY_MF, 0, SY_FUNC(0, 0, 0, REQ) },
	/* 2 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
	/* 3 */ { 2, DF(0, 0), 1, SY_EP, 0, 0, SY_UPSTREAM(0, 1, 1, REQ) },
};

static const struct sy_row mf_root_ports_acs_on[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, SY_MF, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 0, DF(0x1c, 1), -1, SY_RP, SY_MF, SY_ACS_ON, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(2) },
	/* 3 */ { 2, DF(0, 0), 1, SY_EP, 0, 0, SY_ALONE(3) },
};

/* One port with ACS, one without: the ports are apart, one endpoint is not. */
static const struct sy_row mf_root_ports_mixed[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, SY_MF, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 0, DF(0x1c, 1), -1, SY_RP, SY_MF, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(2) },
	/* 3 */ { 2, DF(0, 0), 1, SY_EP, 0, 0, SY_UPSTREAM(1, 1, 1, REQ) },
};

/*
 * Two PCIe-to-PCI bridge functions (an ACS capability does not help a
 * bridge that never isolates) and conventional devices below each.
 */
static const struct sy_row mf_pcie_to_pci_bridges[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_P2P, SY_MF, SY_ACS_ON, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_P2P, SY_MF, SY_ACS_ON,
		  SY_FUNC(1, 1, 1, REQ) },
	/* 3 */ { 2, DF(0, 0), 1, SY_CONV, 0, 0, SY_BRIDGE(1, 1, 1) },
	/* 4 */ { 3, DF(0, 0), 2, SY_CONV, 0, 0, SY_BRIDGE(1, 2, 2) },
};

/*
 * A switch whose upstream port is function 0 of a multifunction device
 * without ACS: the upstream port then needs ACS, and everything below it
 * shares its group although the downstream port has ACS.
 */
static const struct sy_row mf_upstream_port_no_acs[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_US, SY_MF, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ) },
	/* 3 */ { 2, DF(0, 0), 1, SY_DS, 0, SY_ACS_ON,
		  SY_UPSTREAM(1, 1, 1, REQ) },
	/* 4 */ { 3, DF(0, 0), 3, SY_EP, 0, 0, SY_UPSTREAM(1, 3, 1, REQ) },
};

static const struct sy_row mf_upstream_port_acs_on[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_US, SY_MF, SY_ACS_ON, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(2) },
	/* 3 */ { 2, DF(0, 0), 1, SY_DS, 0, SY_ACS_ON, SY_ALONE(3) },
	/* 4 */ { 3, DF(0, 0), 3, SY_EP, 0, 0, SY_ALONE(4) },
};

/* --- SR-IOV: VFs hang off the PF's bridge and are not multifunction -------- */

static const struct sy_row vfs_below_acs_port[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, 0, 0, SY_ALONE(2) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, 0, 0, SY_ALONE(3) },
};

static const struct sy_row vfs_below_non_acs_port[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, 0, 0, SY_UPSTREAM(0, 0, 0, REQ) },
};

/* A VF in the slot of a multifunction PF without ACS stays alone. */
static const struct sy_row vf_in_multifunction_slot[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ) },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, 0, 0, SY_ALONE(3) },
};

/* --- enumeration order ----------------------------------------------------- */

/*
 * 00:03.0 aliases both 00:02.0 and 00:05.0.  All three end up in one
 * group in either order -- the second function met finds the first
 * through 00:03.0, which exists (without a group) already -- but the
 * founder and each peer follow device order (for_each_pci_dev()), not
 * devfn order nor the order of the alias bits.
 */
static const struct sy_row alias_order_high_devfn_first[] = {
	/* 0 */ { 0, DF(5, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 2) },
	/* 2 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 0),
		  SY_ALIASES(DF(2, 0), DF(5, 0)) },
};

static const struct sy_row alias_order_low_devfn_first[] = {
	/* 0 */ { 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(5, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 2) },
	/* 2 */ { 0, DF(3, 0), -1, SY_RCIEP, 0, 0, SY_ALIAS(0, 0, 0),
		  SY_ALIASES(DF(5, 0), DF(2, 0)) },
};

/*
 * The endpoint met before its root port (as after a hot-add or a probe
 * order the PCI core did not choose): the port had no group yet, so the
 * endpoint founds one, and the port founds another.  Compare
 * root_port_without_acs.
 */
static const struct sy_row endpoint_before_its_port[] = {
	/* 0 */ { 1, DF(0, 0), 1, SY_EP, 0, 0, SY_ALONE(0) },
	/* 1 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(1) },
};

/*
 * The same with a PCIe-to-PCI bridge met after the device below it: the
 * alias walk finds the bridge without a group and goes on from it, to a
 * root port that isolates.  Compare pcie_to_pci_bridge.
 */
static const struct sy_row device_before_its_bridge[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0) },
	/* 1 */ { 2, DF(1, 0), 2, SY_CONV, 0, 0, SY_ALONE(1) },
	/* 2 */ { 1, DF(0, 0), 0, SY_P2P, 0, 0, SY_ALONE(2) },
};

static const struct sy_case predict_cases[] = {
	{ "nested_switches", sy_nested, SY_NESTED_N },	/* synth.c */
	SY_CASE(isolated_below_acs_port),
	SY_CASE(no_iommu_port),
	SY_CASE(no_iommu_function),
	SY_CASE(no_iommu_dma_alias),
	SY_CASE(root_port_without_acs),
	SY_CASE(root_port_rr_cr_off),
	SY_CASE(nested_acs_below),
	SY_CASE(upstream_skips_ungrouped),
	SY_CASE(pcie_to_pci_bridge),
	SY_CASE(pcie_to_pci_bridge_below_non_acs),
	SY_CASE(conventional_bridge),
	SY_CASE(pci_to_pcie_bridge),
	SY_CASE(bridge_alias_flag),
	SY_CASE(bridge_alias_skips_ungrouped),
	SY_CASE(xlate_root_between_bridges),
	SY_CASE(xlate_root_bridge),
	SY_CASE(pcie_bridge_other_type),
	SY_CASE(dma_alias_to_earlier),
	SY_CASE(dma_alias_from_earlier),
	SY_CASE(dma_alias_chain),
	SY_CASE(dma_alias_other_bus),
	SY_CASE(dma_alias_via_function),
	SY_CASE(mf_no_acs),
	SY_CASE(mf_acs_on),
	SY_CASE(mf_mixed),
	SY_CASE(mf_root_ports_no_acs),
	SY_CASE(mf_root_ports_acs_on),
	SY_CASE(mf_root_ports_mixed),
	SY_CASE(mf_pcie_to_pci_bridges),
	SY_CASE(mf_upstream_port_no_acs),
	SY_CASE(mf_upstream_port_acs_on),
	SY_CASE(vfs_below_acs_port),
	SY_CASE(vfs_below_non_acs_port),
	SY_CASE(vf_in_multifunction_slot),
	SY_CASE(alias_order_high_devfn_first),
	SY_CASE(alias_order_low_devfn_first),
	SY_CASE(endpoint_before_its_port),
	SY_CASE(device_before_its_bridge),
};

KUNIT_ARRAY_PARAM(predict, predict_cases, sy_case_desc);

static void predict_topology_test(struct kunit *test)
{
	const struct sy_case *c = test->param_value;
	struct pcipass_topo *t = sy_topo(test, c->rows, c->n);
	const struct pcipass_node *node;
	const struct sy_want *w;
	unsigned int i;

	pcipass_predict(t);

	for (i = 0; i < c->n; i++) {
		node = &t->nodes[i];
		w = &c->rows[i].want;
		KUNIT_EXPECT_EQ_MSG(test, node->pred, w->pred, "row %u: group", i);
		KUNIT_EXPECT_EQ_MSG(test, node->join.code, w->code,
				    "row %u: reason", i);
		KUNIT_EXPECT_EQ_MSG(test, node->join.peer, w->peer,
				    "row %u: peer", i);
		KUNIT_EXPECT_EQ_MSG(test, node->join.cause, w->cause,
				    "row %u: cause", i);
		KUNIT_EXPECT_EQ_MSG(test, node->join.missing, w->missing,
				    "row %u: acs missing", i);
	}
}

/* A topology in which nobody has an IOMMU: no group at all. */
static void predict_no_iommu_anywhere_test(struct kunit *test)
{
	static const struct sy_row rows[] = {
		{ 0, DF(0x1c, 0), -1, SY_RP, SY_NOMMU | SY_MF, 0, SY_NONE },
		{ 0, DF(0x1c, 1), -1, SY_RP, SY_NOMMU | SY_MF, 0, SY_NONE },
		{ 1, DF(0, 0), 0, SY_EP, SY_NOMMU, 0, SY_NONE,
		  SY_ALIASES(DF(0, 1)) },
		{ 1, DF(0, 1), 0, SY_EP, SY_NOMMU, 0, SY_NONE },
	};
	struct pcipass_topo *t = sy_topo(test, rows, ARRAY_SIZE(rows));
	unsigned int i;

	pcipass_predict(t);

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		KUNIT_EXPECT_EQ(test, t->nodes[i].pred, -1);
		KUNIT_EXPECT_EQ(test, t->nodes[i].join.code,
				PCIPASS_REASON_NO_IOMMU);
		KUNIT_EXPECT_EQ(test, t->nodes[i].join.peer, -1);
		KUNIT_EXPECT_EQ(test, t->nodes[i].join.cause, -1);
	}
}

/* An empty snapshot predicts nothing and finds nothing. */
static void predict_empty_test(struct kunit *test)
{
	struct pcipass_topo t = {};
	struct pcipass_addr a = {};

	pcipass_predict(&t);
	KUNIT_EXPECT_EQ(test, pcipass_topo_find(&t, &a), -ENODEV);
}

/* Lookup by domain, bus and devfn: each part counts. */
static void predict_topo_find_test(struct kunit *test)
{
	static const struct sy_row rows[] = {
		{ 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(0) },
		{ 1, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(1) },
		{ 0, DF(2, 1), -1, SY_RCIEP, 0, 0, SY_ALONE(2) },
		{ 0, DF(2, 0), -1, SY_RCIEP, 0, 0, SY_ALONE(3), .domain = 1 },
	};
	struct pcipass_topo *t = sy_topo(test, rows, ARRAY_SIZE(rows));
	struct pcipass_addr a;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		a = t->nodes[i].addr;
		KUNIT_EXPECT_EQ(test, pcipass_topo_find(t, &a), (int)i);
	}
	a = (struct pcipass_addr){ .domain = 1, .bus = 1, .devfn = DF(2, 0) };
	KUNIT_EXPECT_EQ(test, pcipass_topo_find(t, &a), -ENODEV);
	a = (struct pcipass_addr){ .domain = 0, .bus = 0, .devfn = DF(2, 2) };
	KUNIT_EXPECT_EQ(test, pcipass_topo_find(t, &a), -ENODEV);
}

static struct kunit_case predict_test_cases[] = {
	KUNIT_CASE_PARAM(predict_topology_test, predict_gen_params),
	KUNIT_CASE(predict_no_iommu_anywhere_test),
	KUNIT_CASE(predict_empty_test),
	KUNIT_CASE(predict_topo_find_test),
	{}
};

static struct kunit_suite predict_test_suite = {
	.name = "pcipass_predict",
	.test_cases = predict_test_cases,
};

kunit_test_suite(predict_test_suite);
