// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass_acs_missing(): which required ACS flags (SV, RR, CR, UF) one
 * function lacks, and its state, for every PCIe type and conventional PCI.
 * Expected values from pci_acs_enabled() (drivers/pci/pci.c, 6.12):
 *
 * - conventional PCI, PCIe-to-PCI/PCI-X and PCI/PCI-X-to-PCIe bridges and
 *   root complex event collectors never isolate, whatever they implement;
 * - root and downstream ports need the flags, multifunction or not;
 * - endpoints, legacy endpoints, RCiEPs and upstream ports need them only
 *   as functions of a multifunction device; alone, ACS does not apply;
 * - any other type isolates;
 * - a flag the capability does not implement counts as hard-wired on;
 *   EC, TB and DT are never required.
 */
#include <kunit/test.h>

#include "synth.h"

struct acs_case {
	const char *name;
	u8 type;
	u8 flags;
	u32 acs;
	u16 missing;
	u8 state;
};

#define NA	PCIPASS_ACS_STATE_NOT_APPLICABLE
#define ON	PCIPASS_ACS_STATE_ENABLED
#define OFF	PCIPASS_ACS_STATE_DISABLED
#define ABSENT	PCIPASS_ACS_STATE_ABSENT
#define NEVER	PCIPASS_ACS_STATE_NEVER

#define SV	PCI_ACS_SV
#define RR	PCI_ACS_RR
#define CR	PCI_ACS_CR
#define UF	PCI_ACS_UF

static const struct acs_case acs_cases[] = {
	/* Never: every required flag missing, whatever the capability says. */
	{ "conventional", SY_CONV, 0, 0, SY_REQ, NEVER },
	{ "conventional_mf", SY_CONV, SY_MF, 0, SY_REQ, NEVER },
	{ "conventional_with_acs_on", SY_CONV, 0, SY_ACS_ON, SY_REQ, NEVER },
	{ "pcie_to_pci_bridge", SY_P2P, 0, 0, SY_REQ, NEVER },
	{ "pcie_to_pci_bridge_acs_on", SY_P2P, 0, SY_ACS_ON, SY_REQ, NEVER },
	{ "pcie_to_pci_bridge_mf", SY_P2P, SY_MF, 0, SY_REQ, NEVER },
	{ "pci_to_pcie_bridge", SY_X2E, 0, 0, SY_REQ, NEVER },
	{ "pci_to_pcie_bridge_mf_acs_on", SY_X2E, SY_MF, SY_ACS_ON, SY_REQ,
	  NEVER },
	{ "rc_ec", SY_RCEC, 0, 0, SY_REQ, NEVER },
	{ "rc_ec_mf_acs_on", SY_RCEC, SY_MF, SY_ACS_ON, SY_REQ, NEVER },
	/* Single-function endpoints and upstream ports: not applicable. */
	{ "endpoint", SY_EP, 0, 0, 0, NA },
	{ "endpoint_acs_all_off", SY_EP, 0, SY_ACS(SY_CAP_ALL, 0), 0, NA },
	{ "legacy_endpoint", SY_LEG, 0, 0, 0, NA },
	{ "rciep", SY_RCIEP, 0, 0, 0, NA },
	{ "upstream_port", SY_US, 0, 0, 0, NA },
	{ "upstream_port_acs_all_off", SY_US, 0, SY_ACS(SY_CAP_ALL, 0), 0, NA },
	/* Types pci_acs_enabled() does not list isolate, even multifunction. */
	{ "reserved_type_3_mf", 3, SY_MF, 0, 0, NA },
	{ "reserved_type_15", 15, 0, 0, 0, NA },
	/* Functions of a multifunction device. */
	{ "endpoint_mf_no_cap", SY_EP, SY_MF, 0, SY_REQ, ABSENT },
	{ "endpoint_mf_acs_on", SY_EP, SY_MF, SY_ACS_ON, 0, ON },
	{ "endpoint_mf_rr_cr_off", SY_EP, SY_MF, SY_ACS(SY_CAP_ALL, SV | UF),
	  RR | CR, OFF },
	{ "legacy_endpoint_mf_no_cap", SY_LEG, SY_MF, 0, SY_REQ, ABSENT },
	{ "rciep_mf_sv_off", SY_RCIEP, SY_MF, SY_ACS(SY_CAP_ALL, RR | CR | UF),
	  SV, OFF },
	{ "rciep_mf_acs_on", SY_RCIEP, SY_MF, SY_ACS_ON, 0, ON },
	{ "upstream_port_mf_no_cap", SY_US, SY_MF, 0, SY_REQ, ABSENT },
	{ "upstream_port_mf_uf_off", SY_US, SY_MF,
	  SY_ACS(SY_CAP_ALL, SV | RR | CR), UF, OFF },
	/* Root and downstream ports, single- or multifunction. */
	{ "root_port_no_cap", SY_RP, 0, 0, SY_REQ, ABSENT },
	{ "root_port_mf_no_cap", SY_RP, SY_MF, 0, SY_REQ, ABSENT },
	{ "root_port_acs_on", SY_RP, 0, SY_ACS_ON, 0, ON },
	{ "root_port_mf_acs_on", SY_RP, SY_MF, SY_ACS_ON, 0, ON },
	{ "root_port_all_off", SY_RP, 0, SY_ACS(SY_CAP_ALL, 0), SY_REQ, OFF },
	{ "root_port_rr_cr_off", SY_RP, 0, SY_ACS(SY_CAP_ALL, SV | UF),
	  RR | CR, OFF },
	/* Not implemented: hard-wired on. */
	{ "root_port_rr_cr_unimplemented", SY_RP, 0, SY_ACS(SV | UF, SV | UF),
	  0, ON },
	{ "root_port_rr_cr_unimplemented_sv_off", SY_RP, 0,
	  SY_ACS(SV | UF, UF), SV, OFF },
	{ "root_port_empty_cap", SY_RP, 0, SY_ACS(0, 0), 0, ON },
	/* Control bits for flags the capability lacks do not count. */
	{ "root_port_ctrl_only_unimplemented", SY_RP, 0, SY_ACS(SV | UF, RR | CR),
	  SV | UF, OFF },
	/* EC, TB and DT are not required. */
	{ "root_port_ec_tb_dt_off", SY_RP, 0,
	  SY_ACS(SY_REQ | PCI_ACS_EC | PCI_ACS_TB | PCI_ACS_DT, SY_REQ), 0, ON },
	{ "root_port_only_ec_tb_dt_on", SY_RP, 0,
	  SY_ACS(SY_REQ | PCI_ACS_EC | PCI_ACS_TB | PCI_ACS_DT,
		 PCI_ACS_EC | PCI_ACS_TB | PCI_ACS_DT), SY_REQ, OFF },
	{ "downstream_port_no_cap", SY_DS, 0, 0, SY_REQ, ABSENT },
	{ "downstream_port_acs_on", SY_DS, 0, SY_ACS_ON, 0, ON },
	{ "downstream_port_uf_off", SY_DS, 0, SY_ACS(SY_CAP_ALL, SV | RR | CR),
	  UF, OFF },
	{ "downstream_port_mf_sv_off", SY_DS, SY_MF,
	  SY_ACS(SY_CAP_ALL, RR | CR | UF), SV, OFF },
};

static void acs_case_desc(const struct acs_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(acs, acs_cases, acs_case_desc);

static void acs_missing_test(struct kunit *test)
{
	const struct acs_case *c = test->param_value;
	const struct sy_row row = {
		.type = c->type, .flags = c->flags, .acs = c->acs,
	};
	struct pcipass_node node = {};
	u8 state = 0xff;

	sy_fill(&node, &row);

	KUNIT_EXPECT_EQ(test, pcipass_acs_missing(&node, &state), c->missing);
	KUNIT_EXPECT_EQ(test, state, c->state);
}

static struct kunit_case acs_test_cases[] = {
	KUNIT_CASE_PARAM(acs_missing_test, acs_gen_params),
	{}
};

static struct kunit_suite acs_test_suite = {
	.name = "pcipass_acs",
	.test_cases = acs_test_cases,
};

kunit_test_suite(acs_test_suite);
