// SPDX-License-Identifier: GPL-2.0
/*
 * The attribute policies (nl/policy.h), in the order of the spec's
 * attribute sets.  The spec's s32 attributes are NLA_U32 here: libnl
 * checks only an integer's length, and the parsers read them as s32.
 */
#include "lib/util.h"
#include "nl/policy.h"

const struct nla_policy pnl_policy_addr[PCIPASS_A_ADDR_MAX + 1] = {
	[PCIPASS_A_ADDR_DOMAIN] = { .type = NLA_U32 },
	[PCIPASS_A_ADDR_BUS] = { .type = NLA_U8 },
	[PCIPASS_A_ADDR_DEVFN] = { .type = NLA_U8 },
};

const struct nla_policy pnl_policy_acs[PCIPASS_A_ACS_MAX + 1] = {
	[PCIPASS_A_ACS_POS] = { .type = NLA_U16 },
	[PCIPASS_A_ACS_CAP] = { .type = NLA_U16 },
	[PCIPASS_A_ACS_CTRL] = { .type = NLA_U16 },
};

const struct nla_policy pnl_policy_device[PCIPASS_A_DEV_MAX + 1] = {
	[PCIPASS_A_DEV_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_DEV_VENDOR] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_DEVICE] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_SUBSYSTEM_VENDOR] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_SUBSYSTEM_DEVICE] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_CLASS] = { .type = NLA_U32 },
	[PCIPASS_A_DEV_REVISION] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_HEADER_TYPE] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_PCIE_TYPE] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_MULTIFUNCTION] = { .type = NLA_FLAG },
	[PCIPASS_A_DEV_VIRTFN] = { .type = NLA_FLAG },
	[PCIPASS_A_DEV_PHYSFN] = { .type = NLA_NESTED },
	[PCIPASS_A_DEV_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_DEV_DRIVER_OVERRIDE] = { .type = NLA_STRING },
	[PCIPASS_A_DEV_IOMMU_GROUP] = { .type = NLA_U32 },
	[PCIPASS_A_DEV_UPSTREAM] = { .type = NLA_NESTED },
	[PCIPASS_A_DEV_ACS] = { .type = NLA_NESTED },
	[PCIPASS_A_DEV_RESTRICTED] = { .type = NLA_FLAG },
	[PCIPASS_A_DEV_DRIVER_BUSY] = { .type = NLA_FLAG },
};

/* MEMBER: multi-attr */
const struct nla_policy pnl_policy_group[PCIPASS_A_GROUP_MAX + 1] = {
	[PCIPASS_A_GROUP_ID] = { .type = NLA_U32 },
	[PCIPASS_A_GROUP_MEMBER] = { .type = NLA_NESTED },
};

const struct nla_policy pnl_policy_hop[PCIPASS_A_HOP_MAX + 1] = {
	[PCIPASS_A_HOP_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_HOP_PCIE_TYPE] = { .type = NLA_U8 },
	[PCIPASS_A_HOP_ACS] = { .type = NLA_NESTED },
	[PCIPASS_A_HOP_ACS_STATE] = { .type = NLA_U8 },
	[PCIPASS_A_HOP_ACS_MISSING] = { .type = NLA_U16 },
};

const struct nla_policy pnl_policy_reason[PCIPASS_A_REASON_MAX + 1] = {
	[PCIPASS_A_REASON_CODE] = { .type = NLA_U8 },
	[PCIPASS_A_REASON_SUBJECT] = { .type = NLA_NESTED },
	[PCIPASS_A_REASON_PEER] = { .type = NLA_NESTED },
	[PCIPASS_A_REASON_CAUSE] = { .type = NLA_NESTED },
	[PCIPASS_A_REASON_ACS_MISSING] = { .type = NLA_U16 },
};

const struct nla_policy pnl_policy_blocker[PCIPASS_A_BLOCKER_MAX + 1] = {
	[PCIPASS_A_BLOCKER_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_BLOCKER_DRIVER] = { .type = NLA_STRING },
};

/* HOP, REASON, PREDICTED, KERNEL_ONLY, PREDICTED_ONLY, BLOCKER: multi-attrs */
const struct nla_policy pnl_policy_isolation[PCIPASS_A_ISO_MAX + 1] = {
	[PCIPASS_A_ISO_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_IOMMU_GROUP] = { .type = NLA_U32 },
	[PCIPASS_A_ISO_HOP] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_REASON] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_PREDICTED] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_KERNEL_ONLY] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_PREDICTED_ONLY] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_READY] = { .type = NLA_FLAG },
	[PCIPASS_A_ISO_BLOCKER] = { .type = NLA_NESTED },
	[PCIPASS_A_ISO_TRUNCATED] = { .type = NLA_FLAG },
};

const struct nla_policy pnl_policy_claim_member[PCIPASS_A_MEMBER_MAX + 1] = {
	[PCIPASS_A_MEMBER_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_MEMBER_STATE] = { .type = NLA_U32 },
	[PCIPASS_A_MEMBER_FROM_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_MEMBER_FROM_OVERRIDE] = { .type = NLA_STRING },
	[PCIPASS_A_MEMBER_TO_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_MEMBER_STEP] = { .type = NLA_U32 },
	[PCIPASS_A_MEMBER_ERROR] = { .type = NLA_U32 },	/* s32 */
};

const struct nla_policy pnl_policy_claim_blocker[PCIPASS_A_CBLOCKER_MAX + 1] = {
	[PCIPASS_A_CBLOCKER_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_CBLOCKER_REASON] = { .type = NLA_U32 },
	[PCIPASS_A_CBLOCKER_DETAIL] = { .type = NLA_STRING },
	[PCIPASS_A_CBLOCKER_FORCED] = { .type = NLA_FLAG },
};

/* MEMBER and BLOCKER: multi-attrs */
const struct nla_policy pnl_policy_claim[PCIPASS_A_CLAIM_MAX + 1] = {
	[PCIPASS_A_CLAIM_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_CLAIM_GROUP] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_CLAIM_FLAGS] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_OUTCOME] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_MEMBER] = { .type = NLA_NESTED },
	[PCIPASS_A_CLAIM_BLOCKER] = { .type = NLA_NESTED },
	[PCIPASS_A_CLAIM_TXID] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_TX_STATE] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_BUSY_STEP] = { .type = NLA_U32 },
	[PCIPASS_A_CLAIM_BUSY_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_CLAIM_BUSY_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_CLAIM_BUSY_MS] = { .type = NLA_U32 },
};

const struct nla_policy pnl_policy_event[PCIPASS_A_EVENT_MAX + 1] = {
	[PCIPASS_A_EVENT_TYPE] = { .type = NLA_U32 },
	[PCIPASS_A_EVENT_ADDR] = { .type = NLA_NESTED },
	[PCIPASS_A_EVENT_DRIVER] = { .type = NLA_STRING },
	[PCIPASS_A_EVENT_OVERRIDE] = { .type = NLA_STRING },
	[PCIPASS_A_EVENT_GROUP] = { .type = NLA_U32 },
	[PCIPASS_A_EVENT_OUTCOME] = { .type = NLA_U32 },
	[PCIPASS_A_EVENT_ERROR] = { .type = NLA_U32 },	/* s32 */
	[PCIPASS_A_EVENT_TXID] = { .type = NLA_U32 },
};

#define SET(n, p) { n, p, (int)ARRAY_SIZE(p) - 1 }

const struct pnl_policy_set pnl_policy_sets[] = {
	SET("addr", pnl_policy_addr),
	SET("acs", pnl_policy_acs),
	SET("device", pnl_policy_device),
	SET("group", pnl_policy_group),
	SET("hop", pnl_policy_hop),
	SET("reason", pnl_policy_reason),
	SET("blocker", pnl_policy_blocker),
	SET("isolation", pnl_policy_isolation),
	SET("claim-member", pnl_policy_claim_member),
	SET("claim-blocker", pnl_policy_claim_blocker),
	SET("claim", pnl_policy_claim),
	SET("event", pnl_policy_event),
};

const size_t pnl_policy_nsets = ARRAY_SIZE(pnl_policy_sets);
