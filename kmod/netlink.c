// SPDX-License-Identifier: GPL-2.0
/*
 * The "pcipass" generic netlink family.  Attribute policies and the ops
 * table are generated from Documentation/netlink/specs/pcipass.yaml into
 * pcipass-nl-gen.c; the handlers here only translate between attributes
 * and the core.
 *
 * Dumps resume by position: the device dump after the last device sent,
 * or by index in the PCI core's device list when PCI functions came or
 * went since the last message; the group dump by group id and member
 * index.  When a PCI function is added or removed during a dump, the
 * messages after that carry NLM_F_DUMP_INTR and userspace should dump
 * again.  Whether the caller may see privileged facts is decided once,
 * when the dump starts, in the sender's context: later parts run in
 * whichever task reads the socket.
 */

#include <linux/capability.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <kunit/visibility.h>

#include "core.h"
#include "netlink.h"
#include "pcipass-nl-gen.h"

/* Lives in netlink_callback::ctx between the messages of a dump. */
struct pcipass_nl_dump_ctx {
	struct pci_dev *last;		/* device dump: last sent, held */
	unsigned long next_index;	/* device dump: next device */
	bool privileged;		/* device dump: decided at start */
	u32 next_group;			/* group dump: next group id */
	u32 next_member;		/* group dump: resume inside it */
};

static struct pcipass_nl_dump_ctx *pcipass_nl_dump_ctx(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct pcipass_nl_dump_ctx) > sizeof(cb->ctx));
	return (struct pcipass_nl_dump_ctx *)cb->ctx;
}

/* Same rule as the sysfs config file: extended config space for root only. */
bool pcipass_nl_privileged(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN);
}

int pcipass_nl_put_addr(struct sk_buff *skb, int type,
			const struct pcipass_addr *addr)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, PCIPASS_A_ADDR_DOMAIN, addr->domain) ||
	    nla_put_u8(skb, PCIPASS_A_ADDR_BUS, addr->bus) ||
	    nla_put_u8(skb, PCIPASS_A_ADDR_DEVFN, addr->devfn)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_acs(struct sk_buff *skb,
			      const struct pcipass_devinfo *info)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_DEV_ACS);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, PCIPASS_A_ACS_POS, info->acs_pos) ||
	    nla_put_u16(skb, PCIPASS_A_ACS_CAP, info->acs_cap) ||
	    nla_put_u16(skb, PCIPASS_A_ACS_CTRL, info->acs_ctrl)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_ids(struct sk_buff *skb,
			      const struct pcipass_devinfo *info)
{
	if (nla_put_u16(skb, PCIPASS_A_DEV_VENDOR, info->vendor) ||
	    nla_put_u16(skb, PCIPASS_A_DEV_DEVICE, info->device) ||
	    nla_put_u16(skb, PCIPASS_A_DEV_SUBSYSTEM_VENDOR,
			info->subsystem_vendor) ||
	    nla_put_u16(skb, PCIPASS_A_DEV_SUBSYSTEM_DEVICE,
			info->subsystem_device) ||
	    nla_put_u32(skb, PCIPASS_A_DEV_CLASS, info->class) ||
	    nla_put_u8(skb, PCIPASS_A_DEV_REVISION, info->revision) ||
	    nla_put_u8(skb, PCIPASS_A_DEV_HEADER_TYPE, info->header_type))
		return -EMSGSIZE;
	return 0;
}

static int pcipass_nl_put_optional(struct sk_buff *skb,
				   const struct pcipass_devinfo *info)
{
	u32 p = info->present;

	if (((p & PCIPASS_DEV_F_PCIE) &&
	     nla_put_u8(skb, PCIPASS_A_DEV_PCIE_TYPE, info->pcie_type)) ||
	    ((p & PCIPASS_DEV_F_MULTIFUNCTION) &&
	     nla_put_flag(skb, PCIPASS_A_DEV_MULTIFUNCTION)) ||
	    ((p & PCIPASS_DEV_F_VIRTFN) &&
	     (nla_put_flag(skb, PCIPASS_A_DEV_VIRTFN) ||
	      pcipass_nl_put_addr(skb, PCIPASS_A_DEV_PHYSFN, &info->physfn))) ||
	    ((p & PCIPASS_DEV_F_DRIVER) &&
	     nla_put_string(skb, PCIPASS_A_DEV_DRIVER, info->driver)) ||
	    ((p & PCIPASS_DEV_F_DRIVER_OVERRIDE) &&
	     nla_put_string(skb, PCIPASS_A_DEV_DRIVER_OVERRIDE,
			    info->driver_override)) ||
	    ((p & PCIPASS_DEV_F_IOMMU_GROUP) &&
	     nla_put_u32(skb, PCIPASS_A_DEV_IOMMU_GROUP, info->iommu_group)) ||
	    ((p & PCIPASS_DEV_F_UPSTREAM) &&
	     pcipass_nl_put_addr(skb, PCIPASS_A_DEV_UPSTREAM,
				 &info->upstream)) ||
	    ((p & PCIPASS_DEV_F_ACS) && pcipass_nl_put_acs(skb, info)) ||
	    ((p & PCIPASS_DEV_F_RESTRICTED) &&
	     nla_put_flag(skb, PCIPASS_A_DEV_RESTRICTED)) ||
	    ((p & PCIPASS_DEV_F_DRIVER_BUSY) &&
	     nla_put_flag(skb, PCIPASS_A_DEV_DRIVER_BUSY)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Mark the message NLM_F_DUMP_INTR if PCI functions came or went since the
 * previous message of this dump.  Read the generation afresh every time:
 * a part of a dump can sleep (device_lock, runtime resume) while devices
 * are removed under it.
 */
static void pcipass_nl_dump_check(struct netlink_callback *cb, void *hdr)
{
	if (!cb)
		return;
	cb->seq = pcipass_topology_gen_read();
	genl_dump_check_consistent(cb, hdr);
}

VISIBLE_IF_KUNIT int pcipass_nl_put_device(struct sk_buff *skb, u32 portid,
					   u32 seq, int flags,
					   struct netlink_callback *cb,
					   const struct pcipass_devinfo *info)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &pcipass_nl_family, flags,
			  PCIPASS_CMD_DEVICE_GET);
	if (!hdr)
		return -EMSGSIZE;
	pcipass_nl_dump_check(cb, hdr);
	if (pcipass_nl_put_addr(skb, PCIPASS_A_DEV_ADDR, &info->addr) ||
	    pcipass_nl_put_ids(skb, info) ||
	    pcipass_nl_put_optional(skb, info)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_nl_put_device);

/* The policy has checked types and lengths; only presence is left. */
int pcipass_nl_parse_addr(const struct nlattr *nest, struct pcipass_addr *addr,
			  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PCIPASS_A_ADDR_MAX + 1];
	int err;

	err = nla_parse_nested(tb, PCIPASS_A_ADDR_MAX, nest,
			       pcipass_addr_nl_policy, extack);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(extack, nest, tb, PCIPASS_A_ADDR_DOMAIN) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, PCIPASS_A_ADDR_BUS) ||
	    NL_REQ_ATTR_CHECK(extack, nest, tb, PCIPASS_A_ADDR_DEVFN)) {
		NL_SET_ERR_MSG(extack, "address needs domain, bus and devfn");
		return -EINVAL;
	}
	addr->domain = nla_get_u32(tb[PCIPASS_A_ADDR_DOMAIN]);
	addr->bus = nla_get_u8(tb[PCIPASS_A_ADDR_BUS]);
	addr->devfn = nla_get_u8(tb[PCIPASS_A_ADDR_DEVFN]);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_nl_parse_addr);

int pcipass_nl_device_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[PCIPASS_A_DEV_ADDR];
	struct pcipass_devinfo devinfo;
	struct pcipass_addr addr;
	struct pci_dev *pdev;
	struct sk_buff *msg;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PCIPASS_A_DEV_ADDR)) {
		NL_SET_ERR_MSG(info->extack, "missing device address");
		return -EINVAL;
	}
	err = pcipass_nl_parse_addr(attr, &addr, info->extack);
	if (err)
		return err;

	pdev = pcipass_dev_get(&addr);
	if (!pdev) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no PCI function at this address");
		return -ENODEV;
	}
	err = pcipass_devinfo_fill(pdev, pcipass_nl_privileged(skb), true,
				   &devinfo);
	pci_dev_put(pdev);
	if (err)
		return err;

	/* Sized for the worst case: a driver_override of almost a page. */
	msg = genlmsg_new(NLMSG_GOODSIZE + PAGE_SIZE, GFP_KERNEL);
	if (!msg) {
		pcipass_devinfo_release(&devinfo);
		return -ENOMEM;
	}
	err = pcipass_nl_put_device(msg, info->snd_portid, info->snd_seq, 0,
				    NULL, &devinfo);
	pcipass_devinfo_release(&devinfo);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * A dump callback returns skb->len while there is more to send, 0 when
 * done, or an error -- -EMSGSIZE only when a single entry does not fit an
 * empty message.
 */
static int pcipass_nl_dump_result(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

/*
 * Runs in the sender's context.  A driver_override can be almost a page
 * long: make every part of the dump large enough for one such device,
 * even when the reader has not yet shown a large receive buffer.
 */
static int pcipass_nl_device_dump_start(struct netlink_callback *cb)
{
	struct pcipass_nl_dump_ctx *ctx = pcipass_nl_dump_ctx(cb);

	ctx->privileged = pcipass_nl_privileged(cb->skb);
	ctx->last = NULL;
	cb->min_dump_alloc = NLMSG_GOODSIZE + PAGE_SIZE;
	return 0;
}

/* Runs when the dump ends or its socket goes away. */
static int pcipass_nl_device_dump_done(struct netlink_callback *cb)
{
	struct pcipass_nl_dump_ctx *ctx = pcipass_nl_dump_ctx(cb);

	pci_dev_put(ctx->last);
	ctx->last = NULL;
	return 0;
}

int pcipass_nl_device_get_dumpit(struct sk_buff *skb,
				 struct netlink_callback *cb)
{
	struct pcipass_nl_dump_ctx *ctx = pcipass_nl_dump_ctx(cb);
	struct pcipass_devinfo devinfo;
	struct pci_dev *pdev = NULL;
	unsigned long index = 0;
	int err = 0;

	/*
	 * Continue after the last device sent (each part then costs what it
	 * sends: a dump of N functions is O(N), not O(N^2)) only while no
	 * function came or went since it was sent (cb->prev_seq): the PCI
	 * core takes a function off its bus list after the generation moves
	 * (BUS_NOTIFY_DEL_DEVICE comes first), and an iteration from a node
	 * off the list would start over and send every device again.  Else
	 * count from the start of the list; either way the generation marks
	 * the rest NLM_F_DUMP_INTR.  The reference kept between the parts
	 * holds the pci_dev's memory only: it does not hold up a removal.
	 */
	if (ctx->last && cb->prev_seq == pcipass_topology_gen_read() &&
	    device_is_registered(&ctx->last->dev)) {
		pdev = ctx->last;
		index = ctx->next_index;
	} else {
		pci_dev_put(ctx->last);
	}
	ctx->last = NULL;
	while ((pdev = pcipass_dev_next(pdev))) {
		if (index++ < ctx->next_index)
			continue;
		err = pcipass_devinfo_fill(pdev, ctx->privileged, false,
					   &devinfo);
		if (!err) {
			err = pcipass_nl_put_device(skb,
						    NETLINK_CB(cb->skb).portid,
						    cb->nlh->nlmsg_seq,
						    NLM_F_MULTI, cb, &devinfo);
			pcipass_devinfo_release(&devinfo);
		}
		if (err) {
			/* Not sent: resume after the one before it. */
			pci_dev_put(pdev);
			break;
		}
		ctx->next_index = index;
		pci_dev_put(ctx->last);
		ctx->last = pci_dev_get(pdev);
	}
	/* The DONE message is checked too: catch a change in the last part. */
	cb->seq = pcipass_topology_gen_read();
	return pcipass_nl_dump_result(skb, err);
}

struct pcipass_nl_member_walk {
	struct sk_buff *skb;
	u32 skip;	/* members already sent in an earlier message */
	u32 index;	/* members seen so far */
};

static int pcipass_nl_put_member(const struct pcipass_addr *addr, void *data)
{
	struct pcipass_nl_member_walk *walk = data;

	if (walk->index >= walk->skip &&
	    pcipass_nl_put_addr(walk->skb, PCIPASS_A_GROUP_MEMBER, addr))
		return -EMSGSIZE;
	walk->index++;
	return 0;
}

static int pcipass_nl_count_member(const struct pcipass_addr *addr,
				   void *count)
{
	(*(u32 *)count)++;
	return 0;
}

static int pcipass_nl_iommu_members(void *group, void *data, pcipass_addr_fn fn)
{
	return pcipass_group_walk_pci(group, data, fn);
}

/**
 * pcipass_nl_put_group() - put one group message
 * @skb: the message buffer
 * @portid: netlink port of the requester
 * @seq: sequence number of the request
 * @flags: netlink message flags
 * @cb: the dump, or NULL for a do reply
 * @id: group id
 * @members: where the members come from
 * @member: in: first member to put; out: where the next message resumes
 *
 * A group too large for what is left of @skb is split: the message ends
 * after the members that fit, *@member says where the next one resumes,
 * and the return is -EMSGSIZE.  On success *@member is 0.
 *
 * Return: 0, or -EMSGSIZE (message cut, or nothing fit and nothing put).
 */
VISIBLE_IF_KUNIT int pcipass_nl_put_group(struct sk_buff *skb, u32 portid,
					  u32 seq, int flags,
					  struct netlink_callback *cb, u32 id,
					  const struct pcipass_nl_members *members,
					  u32 *member)
{
	struct pcipass_nl_member_walk walk = { .skb = skb, .skip = *member };
	void *hdr;
	int err;

	hdr = genlmsg_put(skb, portid, seq, &pcipass_nl_family, flags,
			  PCIPASS_CMD_GROUP_GET);
	if (!hdr)
		return -EMSGSIZE;
	pcipass_nl_dump_check(cb, hdr);
	if (nla_put_u32(skb, PCIPASS_A_GROUP_ID, id)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	err = members->walk(members->src, &walk, pcipass_nl_put_member);
	if (err && walk.index == walk.skip) {
		genlmsg_cancel(skb, hdr);	/* not even one member fit */
		return err;
	}
	genlmsg_end(skb, hdr);
	*member = err ? walk.index : 0;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_nl_put_group);

/* Room for one group's reply: id and every member. */
static size_t pcipass_nl_group_size(struct iommu_group *group)
{
	u32 members = 0;
	size_t member;

	pcipass_group_walk_pci(group, &members, pcipass_nl_count_member);
	member = nla_total_size(0) + nla_total_size(sizeof(u32)) +
		 2 * nla_total_size(sizeof(u8));
	return nla_total_size(sizeof(u32)) + members * member;
}

int pcipass_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[PCIPASS_A_GROUP_ID];
	struct pcipass_nl_members members = {
		.walk = pcipass_nl_iommu_members,
	};
	struct pcipass_group_slot slot;
	struct iommu_group *group;
	struct sk_buff *msg;
	u32 member = 0;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, PCIPASS_A_GROUP_ID)) {
		NL_SET_ERR_MSG(info->extack, "missing group id");
		return -EINVAL;
	}
	group = NULL;
	if (pcipass_groups_get_from(nla_get_u32(attr), &slot, 1)) {
		group = slot.group;
		if (slot.id != nla_get_u32(attr)) {
			iommu_group_put(group);
			group = NULL;
		}
	}
	if (!group) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no IOMMU group with PCI functions has this id");
		return -ENOENT;
	}

	/* Sized for the group; a member added meanwhile fails the reply. */
	msg = genlmsg_new(pcipass_nl_group_size(group), GFP_KERNEL);
	if (!msg) {
		iommu_group_put(group);
		return -ENOMEM;
	}
	members.src = group;
	err = pcipass_nl_put_group(msg, info->snd_portid, info->snd_seq, 0,
				   NULL, slot.id, &members, &member);
	iommu_group_put(group);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

int pcipass_nl_group_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct pcipass_nl_dump_ctx *ctx = pcipass_nl_dump_ctx(cb);
	struct pcipass_nl_members members = {
		.walk = pcipass_nl_iommu_members,
	};
	struct pcipass_group_slot slots[8];
	unsigned int i, n;
	int err = 0;

	do {
		n = pcipass_groups_get_from(ctx->next_group, slots,
					    ARRAY_SIZE(slots));
		for (i = 0; i < n; i++) {
			u32 id = slots[i].id;

			/* A group that vanished mid-split restarts the next. */
			if (id != ctx->next_group)
				ctx->next_member = 0;
			members.src = slots[i].group;
			err = pcipass_nl_put_group(skb,
						   NETLINK_CB(cb->skb).portid,
						   cb->nlh->nlmsg_seq,
						   NLM_F_MULTI, cb, id,
						   &members,
						   &ctx->next_member);
			/* Group ids come from an IDA and never reach U32_MAX. */
			ctx->next_group = err ? id : id + 1;
			if (err)
				break;
		}
		for (i = 0; i < n; i++)
			iommu_group_put(slots[i].group);
	} while (!err && n == ARRAY_SIZE(slots));
	cb->seq = pcipass_topology_gen_read();
	return pcipass_nl_dump_result(skb, err);
}

/*
 * The generated table, plus what ynl does not emit for per-op policies
 * (a dump .start).  Filled once at init.
 */
/* Written by hand: the generator's table would be static in its file. */
static const struct genl_multicast_group pcipass_nl_mcgrps[] = {
	[PCIPASS_NLGRP_EVENTS] = { .name = "events", },
};

static struct genl_ops pcipass_nl_ops_rt[ARRAY_SIZE(pcipass_nl_ops)] __ro_after_init;

struct genl_family pcipass_nl_family __ro_after_init = {
	.name		= PCIPASS_FAMILY_NAME,
	.version	= PCIPASS_FAMILY_VERSION,
	/* Devices are not per network namespace: serve the initial one only. */
	.netnsok	= false,
	/* Handlers take their own locks; no need for the global genl_mutex. */
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= pcipass_nl_ops_rt,
	.n_ops		= ARRAY_SIZE(pcipass_nl_ops_rt),
	.mcgrps		= pcipass_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(pcipass_nl_mcgrps),
};

int __init pcipass_genl_init(void)
{
	unsigned int i;

	memcpy(pcipass_nl_ops_rt, pcipass_nl_ops, sizeof(pcipass_nl_ops_rt));
	for (i = 0; i < ARRAY_SIZE(pcipass_nl_ops_rt); i++)
		if (pcipass_nl_ops_rt[i].cmd == PCIPASS_CMD_DEVICE_GET) {
			pcipass_nl_ops_rt[i].start = pcipass_nl_device_dump_start;
			pcipass_nl_ops_rt[i].done = pcipass_nl_device_dump_done;
		}
	return genl_register_family(&pcipass_nl_family);
}

void pcipass_genl_uninit(void)
{
	genl_unregister_family(&pcipass_nl_family);
}
