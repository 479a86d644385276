/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_ISO_H
#define PCIPASS_ISO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/addrlist.h"
#include "nl/device.h"

struct nl_msg;
struct pnl;

/* Required ACS flags of the kernel's grouping (drivers/iommu/iommu.c):
 * SV, RR, CR, UF.
 */
#define ISO_ACS_REQUIRED 0x001d

/* One function on the path to the root complex (the hop nest). */
struct pp_hop {
	struct pp_addr addr;
	bool has_pcie_type;
	uint8_t pcie_type;
	bool has_acs;
	struct pp_acs acs;
	uint8_t acs_state;	/* enum pcipass_acs_state */
	uint16_t acs_missing;	/* required flags it does not provide */
};

/* One predicted link of the kernel's grouping rules (the reason nest). */
struct pp_reason {
	uint8_t code;		/* enum pcipass_reason */
	struct pp_addr subject;
	bool has_peer;
	struct pp_addr peer;
	bool has_cause;
	struct pp_addr cause;
	uint16_t acs_missing;
};

struct pp_blocker {
	struct pp_addr addr;
	char *driver;
};

/* One ISOLATION_GET reply. */
struct pp_iso {
	struct pp_addr addr;
	bool has_group;
	uint32_t group;
	struct pp_hop *hops;	/* the function first, then up to the root */
	size_t nr_hops;
	struct pp_reason *reasons;
	size_t nr_reasons;
	struct pp_addrlist predicted;
	struct pp_addrlist kernel_only;
	struct pp_addrlist predicted_only;
	bool ready;
	struct pp_blocker *blockers;
	size_t nr_blockers;
	bool truncated;
};

int iso_parse(struct nl_msg *msg, struct pp_iso *iso);
int iso_get(struct pnl *nl, const struct pp_addr *a, struct pp_iso *iso);
void iso_free(struct pp_iso *iso);

/* Names for the enums: JSON keys (snake_case) and words for people. */
const char *acs_state_key(uint8_t state);
const char *reason_key(uint8_t code);

#endif
