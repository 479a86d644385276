/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PCIPASS_NETLINK_H
#define _PCIPASS_NETLINK_H

#include <linux/types.h>

#include "core.h"

struct genl_family;
struct netlink_callback;
struct netlink_ext_ack;
struct nlattr;
struct sk_buff;

extern struct genl_family pcipass_nl_family;

/* Upper bound of an address nest's size, for sizing replies. */
#define PCIPASS_NL_ADDR_SIZE \
	(nla_total_size(0) + nla_total_size(sizeof(u32)) + \
	 2 * nla_total_size(sizeof(u8)))

int pcipass_genl_init(void);
void pcipass_genl_uninit(void);
bool pcipass_nl_privileged(const struct sk_buff *skb);
int pcipass_nl_put_addr(struct sk_buff *skb, int type,
			const struct pcipass_addr *addr);
int pcipass_nl_parse_addr(const struct nlattr *nest, struct pcipass_addr *addr,
			  struct netlink_ext_ack *extack);

/**
 * struct pcipass_nl_members - where a group's members come from
 * @walk: calls fn(addr, data) for each member, stops at the first non-zero
 *        return and returns it (pcipass_group_walk_pci() for real groups)
 * @src: first argument of @walk (the struct iommu_group)
 */
struct pcipass_nl_members {
	int (*walk)(void *src, void *data, pcipass_addr_fn fn);
	void *src;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals exported for tests/kunit only (EXPORTED_FOR_KUNIT_TESTING). */
int pcipass_nl_put_device(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			  struct netlink_callback *cb,
			  const struct pcipass_devinfo *info);
int pcipass_nl_put_group(struct sk_buff *skb, u32 portid, u32 seq, int flags,
			 struct netlink_callback *cb, u32 id,
			 const struct pcipass_nl_members *members, u32 *member);
#endif

#endif /* _PCIPASS_NETLINK_H */
