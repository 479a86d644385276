// SPDX-License-Identifier: GPL-2.0
/*
 * The isolation-get command of the "pcipass" family: translates a
 * struct pcipass_isolation (isolation.c) into attributes.
 */

#include <linux/capability.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "isolation.h"
#include "netlink.h"
#include "pcipass-nl-gen.h"

/* Upper bounds of each attribute's size, for sizing the reply. */
#define PCIPASS_NL_ACS_SIZE \
	(nla_total_size(0) + 3 * nla_total_size(sizeof(u16)))
#define PCIPASS_NL_HOP_SIZE \
	(nla_total_size(0) + PCIPASS_NL_ADDR_SIZE + \
	 2 * nla_total_size(sizeof(u8)) + PCIPASS_NL_ACS_SIZE + \
	 nla_total_size(sizeof(u16)))
#define PCIPASS_NL_REASON_SIZE \
	(nla_total_size(0) + nla_total_size(sizeof(u8)) + \
	 3 * PCIPASS_NL_ADDR_SIZE + nla_total_size(sizeof(u16)))

static size_t pcipass_nl_iso_size(const struct pcipass_isolation *iso)
{
	size_t size = PCIPASS_NL_ADDR_SIZE + nla_total_size(sizeof(u32)) +
		      2 * nla_total_size(0);
	unsigned int i;

	size += iso->nr_hops * PCIPASS_NL_HOP_SIZE;
	size += iso->nr_reasons * PCIPASS_NL_REASON_SIZE;
	size += (iso->nr_predicted + iso->nr_kernel_only +
		 iso->nr_predicted_only) * PCIPASS_NL_ADDR_SIZE;
	for (i = 0; i < iso->nr_blockers; i++)
		size += nla_total_size(0) + PCIPASS_NL_ADDR_SIZE +
			nla_total_size(strlen(iso->blockers[i].driver) + 1);
	return size;
}

static int pcipass_nl_put_hop_acs(struct sk_buff *skb,
				  const struct pcipass_iso_hop *hop)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_HOP_ACS);

	if (!nest ||
	    nla_put_u16(skb, PCIPASS_A_ACS_POS, hop->acs_pos) ||
	    nla_put_u16(skb, PCIPASS_A_ACS_CAP, hop->acs_cap) ||
	    nla_put_u16(skb, PCIPASS_A_ACS_CTRL, hop->acs_ctrl))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_hop(struct sk_buff *skb,
			      const struct pcipass_iso_hop *hop)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_ISO_HOP);

	if (!nest ||
	    pcipass_nl_put_addr(skb, PCIPASS_A_HOP_ADDR, &hop->addr) ||
	    ((hop->flags & PCIPASS_NODE_PCIE) &&
	     nla_put_u8(skb, PCIPASS_A_HOP_PCIE_TYPE, hop->pcie_type)) ||
	    ((hop->flags & PCIPASS_NODE_ACS) &&
	     pcipass_nl_put_hop_acs(skb, hop)) ||
	    nla_put_u8(skb, PCIPASS_A_HOP_ACS_STATE, hop->state) ||
	    nla_put_u16(skb, PCIPASS_A_HOP_ACS_MISSING, hop->missing))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_reason(struct sk_buff *skb,
				 const struct pcipass_iso_reason *r)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_ISO_REASON);

	if (!nest ||
	    nla_put_u8(skb, PCIPASS_A_REASON_CODE, r->code) ||
	    pcipass_nl_put_addr(skb, PCIPASS_A_REASON_SUBJECT, &r->subject) ||
	    (r->has_peer &&
	     pcipass_nl_put_addr(skb, PCIPASS_A_REASON_PEER, &r->peer)) ||
	    (r->has_cause &&
	     pcipass_nl_put_addr(skb, PCIPASS_A_REASON_CAUSE, &r->cause)) ||
	    nla_put_u16(skb, PCIPASS_A_REASON_ACS_MISSING, r->missing))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_blocker(struct sk_buff *skb,
				  const struct pcipass_iso_blocker *b)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_ISO_BLOCKER);

	if (!nest ||
	    pcipass_nl_put_addr(skb, PCIPASS_A_BLOCKER_ADDR, &b->addr) ||
	    nla_put_string(skb, PCIPASS_A_BLOCKER_DRIVER, b->driver))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_addrs(struct sk_buff *skb, int type,
				const struct pcipass_addr *list,
				unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (pcipass_nl_put_addr(skb, type, &list[i]))
			return -EMSGSIZE;
	return 0;
}

static int pcipass_nl_put_lists(struct sk_buff *skb,
				const struct pcipass_isolation *iso)
{
	unsigned int i;

	for (i = 0; i < iso->nr_hops; i++)
		if (pcipass_nl_put_hop(skb, &iso->hops[i]))
			return -EMSGSIZE;
	for (i = 0; i < iso->nr_reasons; i++)
		if (pcipass_nl_put_reason(skb, &iso->reasons[i]))
			return -EMSGSIZE;
	if (pcipass_nl_put_addrs(skb, PCIPASS_A_ISO_PREDICTED, iso->predicted,
				 iso->nr_predicted) ||
	    pcipass_nl_put_addrs(skb, PCIPASS_A_ISO_KERNEL_ONLY,
				 iso->kernel_only, iso->nr_kernel_only) ||
	    pcipass_nl_put_addrs(skb, PCIPASS_A_ISO_PREDICTED_ONLY,
				 iso->predicted_only, iso->nr_predicted_only))
		return -EMSGSIZE;
	for (i = 0; i < iso->nr_blockers; i++)
		if (pcipass_nl_put_blocker(skb, &iso->blockers[i]))
			return -EMSGSIZE;
	return 0;
}

static int pcipass_nl_put_isolation(struct sk_buff *skb,
				    const struct pcipass_isolation *iso)
{
	if (pcipass_nl_put_addr(skb, PCIPASS_A_ISO_ADDR, &iso->addr) ||
	    (iso->has_group &&
	     nla_put_u32(skb, PCIPASS_A_ISO_IOMMU_GROUP, iso->group)) ||
	    pcipass_nl_put_lists(skb, iso) ||
	    (iso->ready && nla_put_flag(skb, PCIPASS_A_ISO_READY)) ||
	    (iso->truncated && nla_put_flag(skb, PCIPASS_A_ISO_TRUNCATED)))
		return -EMSGSIZE;
	return 0;
}

static int pcipass_nl_iso_reply(struct genl_info *info,
				const struct pcipass_isolation *iso)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(pcipass_nl_iso_size(iso), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pcipass_nl_family, 0,
				PCIPASS_CMD_ISOLATION_GET);
	/* Sized above: not fitting is a bug in the size estimate. */
	if (WARN_ON_ONCE(!hdr || pcipass_nl_put_isolation(msg, iso))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int pcipass_nl_isolation_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[PCIPASS_A_ISO_ADDR];
	struct pcipass_isolation iso;
	struct pcipass_addr addr;
	int err;

	if (!pcipass_nl_privileged(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "isolation-get needs CAP_SYS_ADMIN: it reads extended config space");
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, PCIPASS_A_ISO_ADDR)) {
		NL_SET_ERR_MSG(info->extack, "missing device address");
		return -EINVAL;
	}
	err = pcipass_nl_parse_addr(attr, &addr, info->extack);
	if (err)
		return err;

	err = pcipass_isolation_get(&addr, &iso);
	if (err == -ENODEV)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no PCI function at this address");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "a group member is busy: a driver probe or removal is in progress, try again");
	else if (err == -EAGAIN)
		NL_SET_ERR_MSG(info->extack,
			       "PCI functions kept being added, try again");
	if (err)
		return err;
	err = pcipass_nl_iso_reply(info, &iso);
	pcipass_isolation_release(&iso);
	return err;
}
