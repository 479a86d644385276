/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PCIE_H
#define PCIPASS_PCIE_H

#include <stddef.h>
#include <stdint.h>

struct acs_bit {
	const char *name;	/* spec abbreviation, also the JSON key */
	uint16_t mask;
	const char *desc;
};

extern const struct acs_bit acs_bits[];
extern const size_t acs_nbits;

const char *pcie_type_words(uint8_t type);
const char *pcie_type_key(uint8_t type);
const char *header_type_words(uint8_t type);

#endif
