// SPDX-License-Identifier: GPL-2.0
#include <linux/pcipass.h>

#include "lib/util.h"
#include "pci/pcie.h"

/* Order and names follow the ACS Capability register as the PCIe spec and
 * lspci list them, so output can be compared side by side.
 */
const struct acs_bit acs_bits[] = {
	{ "SV", 0x0001, "source validation" },
	{ "TB", 0x0002, "translation blocking" },
	{ "RR", 0x0004, "P2P request redirect" },
	{ "CR", 0x0008, "P2P completion redirect" },
	{ "UF", 0x0010, "upstream forwarding" },
	{ "EC", 0x0020, "P2P egress control" },
	{ "DT", 0x0040, "direct translated P2P" },
};
const size_t acs_nbits = ARRAY_SIZE(acs_bits);

struct pcie_type_name {
	uint8_t type;
	const char *words;	/* for people */
	const char *key;	/* for JSON: the spec's enum name, snake_case */
};

static const struct pcie_type_name pcie_types[] = {
	{ PCIPASS_PCIE_TYPE_ENDPOINT, "endpoint", "endpoint" },
	{ PCIPASS_PCIE_TYPE_LEG_END, "legacy endpoint", "leg_end" },
	{ PCIPASS_PCIE_TYPE_ROOT_PORT, "root port", "root_port" },
	{ PCIPASS_PCIE_TYPE_UPSTREAM, "upstream switch port", "upstream" },
	{ PCIPASS_PCIE_TYPE_DOWNSTREAM, "downstream switch port", "downstream" },
	{ PCIPASS_PCIE_TYPE_PCI_BRIDGE, "PCIe-to-PCI bridge", "pci_bridge" },
	{ PCIPASS_PCIE_TYPE_PCIE_BRIDGE, "PCI-to-PCIe bridge", "pcie_bridge" },
	{ PCIPASS_PCIE_TYPE_RC_END, "root complex integrated endpoint", "rc_end" },
	{ PCIPASS_PCIE_TYPE_RC_EC, "root complex event collector", "rc_ec" },
};

static const struct pcie_type_name *pcie_type_find(uint8_t type)
{
	for (size_t i = 0; i < ARRAY_SIZE(pcie_types); i++)
		if (pcie_types[i].type == type)
			return &pcie_types[i];
	return NULL;
}

/* A type value the table lacks comes from hardware or a newer spec, not a
 * bug here: callers print the raw number instead.
 */
const char *pcie_type_words(uint8_t type)
{
	const struct pcie_type_name *t = pcie_type_find(type);

	return t ? t->words : NULL;
}

const char *pcie_type_key(uint8_t type)
{
	const struct pcie_type_name *t = pcie_type_find(type);

	return t ? t->key : NULL;
}

const char *header_type_words(uint8_t type)
{
	switch (type) {
	case 0:
		return "normal";
	case 1:
		return "bridge";
	case 2:
		return "cardbus";
	default:
		return NULL;
	}
}
