// SPDX-License-Identifier: GPL-2.0
/*
 * The claim and release commands of the "pcipass" family: requests into a
 * struct pcipass_claim_req, the struct pcipass_claim_report (claim.c) back
 * into attributes.
 *
 * When a transaction ran but failed (refused, rolled back), the reply
 * message is sent first and the error follows as the request's ack, with
 * an extended-ack message: a client learns both what happened to every
 * member and why.
 */

#include <linux/capability.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "claim.h"
#include "netlink.h"
#include "pcipass-nl-gen.h"

#define PCIPASS_NL_NAME_SIZE	nla_total_size(PCIPASS_DRIVER_MAX)
#define PCIPASS_NL_MEMBER_SIZE \
	(nla_total_size(0) + PCIPASS_NL_ADDR_SIZE + \
	 3 * nla_total_size(sizeof(u32)) + 3 * PCIPASS_NL_NAME_SIZE)
#define PCIPASS_NL_BLOCKER_SIZE \
	(nla_total_size(0) + PCIPASS_NL_ADDR_SIZE + \
	 nla_total_size(sizeof(u32)) + nla_total_size(PCIPASS_DETAIL_MAX) + \
	 nla_total_size(0))

static size_t pcipass_nl_claim_size(const struct pcipass_claim_report *rep)
{
	return 2 * nla_total_size(sizeof(u32)) + PCIPASS_NL_NAME_SIZE +
	       rep->nr_members * PCIPASS_NL_MEMBER_SIZE +
	       rep->nr_blockers * PCIPASS_NL_BLOCKER_SIZE;
}

static int pcipass_nl_put_name(struct sk_buff *skb, int type, const char *s)
{
	return *s ? nla_put_string(skb, type, s) : 0;
}

static int pcipass_nl_put_member(struct sk_buff *skb,
				 const struct pcipass_claim_member *m)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_CLAIM_MEMBER);

	if (!nest ||
	    pcipass_nl_put_addr(skb, PCIPASS_A_MEMBER_ADDR, &m->addr) ||
	    nla_put_u32(skb, PCIPASS_A_MEMBER_STATE, m->state) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_MEMBER_FROM_DRIVER,
				m->from_driver) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_MEMBER_FROM_OVERRIDE,
				m->from_override) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_MEMBER_TO_DRIVER,
				m->to_driver) ||
	    (m->error && (nla_put_u32(skb, PCIPASS_A_MEMBER_STEP, m->step) ||
			  nla_put_s32(skb, PCIPASS_A_MEMBER_ERROR, m->error))))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_blocker(struct sk_buff *skb,
				  const struct pcipass_claim_blocker *b)
{
	struct nlattr *nest = nla_nest_start(skb, PCIPASS_A_CLAIM_BLOCKER);

	if (!nest ||
	    pcipass_nl_put_addr(skb, PCIPASS_A_CBLOCKER_ADDR, &b->addr) ||
	    nla_put_u32(skb, PCIPASS_A_CBLOCKER_REASON, b->reason) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_CBLOCKER_DETAIL, b->detail) ||
	    (b->forced && nla_put_flag(skb, PCIPASS_A_CBLOCKER_FORCED)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int pcipass_nl_put_report(struct sk_buff *skb,
				 const struct pcipass_claim_report *rep)
{
	unsigned int i;

	if (nla_put_u32(skb, PCIPASS_A_CLAIM_GROUP, rep->group) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_CLAIM_DRIVER, rep->driver) ||
	    nla_put_u32(skb, PCIPASS_A_CLAIM_OUTCOME, rep->outcome))
		return -EMSGSIZE;
	for (i = 0; i < rep->nr_members; i++)
		if (pcipass_nl_put_member(skb, &rep->members[i]))
			return -EMSGSIZE;
	for (i = 0; i < rep->nr_blockers; i++)
		if (pcipass_nl_put_blocker(skb, &rep->blockers[i]))
			return -EMSGSIZE;
	return 0;
}

static int pcipass_nl_claim_reply(struct genl_info *info, u8 cmd,
				  const struct pcipass_claim_report *rep)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(pcipass_nl_claim_size(rep), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pcipass_nl_family, 0, cmd);
	if (!hdr || pcipass_nl_put_report(msg, rep)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int pcipass_nl_claim_req(struct genl_info *info, bool claim,
				struct pcipass_claim_req *req)
{
	struct nlattr *addr = info->attrs[PCIPASS_A_CLAIM_ADDR];
	struct nlattr *group = info->attrs[PCIPASS_A_CLAIM_GROUP];
	struct nlattr *driver = info->attrs[PCIPASS_A_CLAIM_DRIVER];
	struct nlattr *flags = info->attrs[PCIPASS_A_CLAIM_FLAGS];

	if (addr && group) {
		NL_SET_ERR_MSG_ATTR(info->extack, group,
				    "give an address or a group, not both");
		return -EINVAL;
	}
	if (!addr && !group) {
		NL_SET_ERR_MSG(info->extack,
			       "missing target: an address or a group");
		return -EINVAL;
	}
	if (group) {
		req->by_group = true;
		req->group = nla_get_u32(group);
	} else if (pcipass_nl_parse_addr(addr, &req->addr, info->extack)) {
		return -EINVAL;
	}
	if (claim && driver)
		nla_strscpy(req->driver, driver, sizeof(req->driver));
	if (flags)
		req->flags = nla_get_u32(flags);
	return 0;
}

static struct nlattr *pcipass_nl_claim_field(struct genl_info *info, u8 field)
{
	switch (field) {
	case PCIPASS_FIELD_ADDR:
		return info->attrs[PCIPASS_A_CLAIM_ADDR];
	case PCIPASS_FIELD_GROUP:
		return info->attrs[PCIPASS_A_CLAIM_GROUP];
	case PCIPASS_FIELD_DRIVER:
		return info->attrs[PCIPASS_A_CLAIM_DRIVER];
	case PCIPASS_FIELD_FLAGS:
		return info->attrs[PCIPASS_A_CLAIM_FLAGS];
	}
	return NULL;
}

/*
 * The report's message is formatted (it names devices); 6.1 has no
 * formatted extack, so a fixed message per outcome stands in there.
 */
static void pcipass_nl_claim_extack(struct genl_info *info,
				    const struct pcipass_claim_report *rep,
				    int err)
{
	struct netlink_ext_ack *extack = info->extack;

#ifdef NL_SET_ERR_MSG_FMT
	if (rep->msg)
		NL_SET_ERR_MSG_FMT(extack, "%s", rep->msg);
#else
	if (err == -EBUSY)
		NL_SET_ERR_MSG(extack, "refused: see the blocker attributes");
	else if (rep->has_group && rep->nr_members)
		NL_SET_ERR_MSG(extack, "failed: see the member attributes");
	else
		NL_SET_ERR_MSG(extack, "no such function, group or driver");
#endif
	NL_SET_BAD_ATTR(extack, pcipass_nl_claim_field(info, rep->bad_attr));
}

static int pcipass_nl_claim_common(struct sk_buff *skb, struct genl_info *info,
				   bool claim)
{
	struct pcipass_claim_report *rep;
	struct pcipass_claim_req req = {};
	int err, reply_err = 0;

	if (!pcipass_nl_privileged(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "claim and release need CAP_SYS_ADMIN");
		return -EPERM;
	}
	err = pcipass_nl_claim_req(info, claim, &req);
	if (err)
		return err;
	req.may_load = netlink_capable(skb, CAP_SYS_MODULE);
	rep = kvzalloc(sizeof(*rep), GFP_KERNEL);
	if (!rep)
		return -ENOMEM;
	err = claim ? pcipass_claim(&req, rep) : pcipass_release(&req, rep);
	if (rep->nr_members)
		reply_err = pcipass_nl_claim_reply(info, claim ?
						   PCIPASS_CMD_CLAIM :
						   PCIPASS_CMD_RELEASE, rep);
	if (err)
		pcipass_nl_claim_extack(info, rep, err);
	kvfree(rep);
	return err ?: reply_err;
}

int pcipass_nl_claim_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pcipass_nl_claim_common(skb, info, true);
}

int pcipass_nl_release_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pcipass_nl_claim_common(skb, info, false);
}
