/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_NL_POLICY_H
#define PCIPASS_NL_POLICY_H

#include <stddef.h>

#include <netlink/attr.h>

#include <linux/pcipass.h>

/*
 * The attribute policies of every pcipass message the CLI parses, one
 * per attribute set of the spec (Documentation/netlink/specs/pcipass.yaml)
 * and named after it.  They live here, not next to their parsers, so
 * that each set is written once (the ACS nest is read by device-get and
 * by isolation-get alike) and so that tests/nl_policy.py can hold every
 * one of them to the spec through pnl_policy_sets[].
 *
 * Multi-attrs (a group's members, an isolation answer's hops, ...) are
 * validated by the policy, but nla_parse() keeps only the last of each:
 * the parsers collect them by walking the attributes.  Unknown attributes
 * are skipped by nla_parse(), so a newer module that adds some keeps
 * working with this CLI.
 */
extern const struct nla_policy pnl_policy_addr[PCIPASS_A_ADDR_MAX + 1];
extern const struct nla_policy pnl_policy_acs[PCIPASS_A_ACS_MAX + 1];
extern const struct nla_policy pnl_policy_device[PCIPASS_A_DEV_MAX + 1];
extern const struct nla_policy pnl_policy_group[PCIPASS_A_GROUP_MAX + 1];
extern const struct nla_policy pnl_policy_hop[PCIPASS_A_HOP_MAX + 1];
extern const struct nla_policy pnl_policy_reason[PCIPASS_A_REASON_MAX + 1];
extern const struct nla_policy pnl_policy_blocker[PCIPASS_A_BLOCKER_MAX + 1];
extern const struct nla_policy pnl_policy_isolation[PCIPASS_A_ISO_MAX + 1];
extern const struct nla_policy
	pnl_policy_claim_member[PCIPASS_A_MEMBER_MAX + 1];
extern const struct nla_policy
	pnl_policy_claim_blocker[PCIPASS_A_CBLOCKER_MAX + 1];
extern const struct nla_policy pnl_policy_claim[PCIPASS_A_CLAIM_MAX + 1];
extern const struct nla_policy pnl_policy_event[PCIPASS_A_EVENT_MAX + 1];

/* Every table above with the spec's name of its attribute set. */
struct pnl_policy_set {
	const char *name;		/* "claim-member" */
	const struct nla_policy *policy;
	int maxtype;			/* the uapi header's ..._MAX */
};

extern const struct pnl_policy_set pnl_policy_sets[];
extern const size_t pnl_policy_nsets;

#endif
