/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/pcipass.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_PCIPASS_GEN_H
#define _LINUX_PCIPASS_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/pcipass.h>

/* Common nested types */
extern const struct nla_policy pcipass_addr_nl_policy[PCIPASS_A_ADDR_DEVFN + 1];

extern const struct nla_policy pcipass_device_get_nl_policy[PCIPASS_A_DEV_ADDR + 1];

extern const struct nla_policy pcipass_group_get_nl_policy[PCIPASS_A_GROUP_ID + 1];

extern const struct nla_policy pcipass_isolation_get_nl_policy[PCIPASS_A_ISO_ADDR + 1];

extern const struct nla_policy pcipass_claim_nl_policy[PCIPASS_A_CLAIM_FLAGS + 1];

extern const struct nla_policy pcipass_release_nl_policy[PCIPASS_A_CLAIM_FLAGS + 1];

extern const struct nla_policy pcipass_claim_get_nl_policy[PCIPASS_A_CLAIM_TXID + 1];

/* Ops table for pcipass */
extern const struct genl_ops pcipass_nl_ops[6];

int pcipass_nl_device_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcipass_nl_device_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb);
int pcipass_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcipass_nl_group_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int pcipass_nl_isolation_get_doit(struct sk_buff *skb, struct genl_info *info);
int pcipass_nl_claim_doit(struct sk_buff *skb, struct genl_info *info);
int pcipass_nl_release_doit(struct sk_buff *skb, struct genl_info *info);
int pcipass_nl_claim_get_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	PCIPASS_NLGRP_EVENTS,
};

#endif /* _LINUX_PCIPASS_GEN_H */
