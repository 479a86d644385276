// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcipass.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "pcipass-nl-gen.h"

#include <uapi/linux/pcipass.h>

/* Common nested types */
const struct nla_policy pcipass_addr_nl_policy[PCIPASS_A_ADDR_DEVFN + 1] = {
	[PCIPASS_A_ADDR_DOMAIN] = { .type = NLA_U32, },
	[PCIPASS_A_ADDR_BUS] = { .type = NLA_U8, },
	[PCIPASS_A_ADDR_DEVFN] = { .type = NLA_U8, },
};

/* PCIPASS_CMD_DEVICE_GET - do */
const struct nla_policy pcipass_device_get_nl_policy[PCIPASS_A_DEV_ADDR + 1] = {
	[PCIPASS_A_DEV_ADDR] = NLA_POLICY_NESTED(pcipass_addr_nl_policy),
};

/* PCIPASS_CMD_GROUP_GET - do */
const struct nla_policy pcipass_group_get_nl_policy[PCIPASS_A_GROUP_ID + 1] = {
	[PCIPASS_A_GROUP_ID] = { .type = NLA_U32, },
};

/* PCIPASS_CMD_ISOLATION_GET - do */
const struct nla_policy pcipass_isolation_get_nl_policy[PCIPASS_A_ISO_ADDR + 1] = {
	[PCIPASS_A_ISO_ADDR] = NLA_POLICY_NESTED(pcipass_addr_nl_policy),
};

/* PCIPASS_CMD_CLAIM - do */
const struct nla_policy pcipass_claim_nl_policy[PCIPASS_A_CLAIM_FLAGS + 1] = {
	[PCIPASS_A_CLAIM_ADDR] = NLA_POLICY_NESTED(pcipass_addr_nl_policy),
	[PCIPASS_A_CLAIM_GROUP] = { .type = NLA_U32, },
	[PCIPASS_A_CLAIM_DRIVER] = { .type = NLA_NUL_STRING, .len = 63, },
	[PCIPASS_A_CLAIM_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
};

/* PCIPASS_CMD_RELEASE - do */
const struct nla_policy pcipass_release_nl_policy[PCIPASS_A_CLAIM_FLAGS + 1] = {
	[PCIPASS_A_CLAIM_ADDR] = NLA_POLICY_NESTED(pcipass_addr_nl_policy),
	[PCIPASS_A_CLAIM_GROUP] = { .type = NLA_U32, },
	[PCIPASS_A_CLAIM_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
};

/* PCIPASS_CMD_CLAIM_GET - do */
const struct nla_policy pcipass_claim_get_nl_policy[PCIPASS_A_CLAIM_TXID + 1] = {
	[PCIPASS_A_CLAIM_TXID] = { .type = NLA_U32, },
};

/* Ops table for pcipass */
const struct genl_ops pcipass_nl_ops[6] = {
	{
		.cmd		= PCIPASS_CMD_DEVICE_GET,
		.doit		= pcipass_nl_device_get_doit,
		.dumpit		= pcipass_nl_device_get_dumpit,
		.policy		= pcipass_device_get_nl_policy,
		.maxattr	= PCIPASS_A_DEV_ADDR,
	},
	{
		.cmd		= PCIPASS_CMD_GROUP_GET,
		.doit		= pcipass_nl_group_get_doit,
		.dumpit		= pcipass_nl_group_get_dumpit,
		.policy		= pcipass_group_get_nl_policy,
		.maxattr	= PCIPASS_A_GROUP_ID,
	},
	{
		.cmd		= PCIPASS_CMD_ISOLATION_GET,
		.doit		= pcipass_nl_isolation_get_doit,
		.policy		= pcipass_isolation_get_nl_policy,
		.maxattr	= PCIPASS_A_ISO_ADDR,
	},
	{
		.cmd		= PCIPASS_CMD_CLAIM,
		.doit		= pcipass_nl_claim_doit,
		.policy		= pcipass_claim_nl_policy,
		.maxattr	= PCIPASS_A_CLAIM_FLAGS,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCIPASS_CMD_RELEASE,
		.doit		= pcipass_nl_release_doit,
		.policy		= pcipass_release_nl_policy,
		.maxattr	= PCIPASS_A_CLAIM_FLAGS,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PCIPASS_CMD_CLAIM_GET,
		.doit		= pcipass_nl_claim_get_doit,
		.policy		= pcipass_claim_get_nl_policy,
		.maxattr	= PCIPASS_A_CLAIM_TXID,
		.flags		= GENL_ADMIN_PERM,
	},
};
