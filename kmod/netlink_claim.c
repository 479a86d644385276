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
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>

#include "claim.h"
#include "netlink.h"
#include "pcipass-nl-gen.h"

#define PCIPASS_NL_NAME_SIZE	nla_total_size(PCIPASS_DRIVER_MAX)
#define PCIPASS_NL_BLOCKER_SIZE \
	(nla_total_size(0) + PCIPASS_NL_ADDR_SIZE + \
	 nla_total_size(sizeof(u32)) + nla_total_size(PCIPASS_DETAIL_MAX) + \
	 nla_total_size(0))

/* A name attribute as pcipass_nl_put_name() puts it: none when empty. */
static size_t pcipass_nl_name_size(const char *s)
{
	return *s ? nla_total_size(strlen(s) + 1) : 0;
}

/*
 * One member: 260 bytes with three names of PCIPASS_DRIVER_MAX, about
 * 100 with the usual ones ("nvme", "vfio-pci").
 */
static size_t pcipass_nl_member_size(const struct pcipass_claim_member *m)
{
	return nla_total_size(0) + PCIPASS_NL_ADDR_SIZE +
	       3 * nla_total_size(sizeof(u32)) +
	       pcipass_nl_name_size(m->from_driver) +
	       pcipass_nl_name_size(m->from_override) +
	       pcipass_nl_name_size(m->to_driver);
}

/*
 * The report's attributes, sized by what they hold: a group of up to
 * PCIPASS_CLAIM_MEMBERS_MAX members goes in one reply message.
 */
static size_t pcipass_nl_claim_size(const struct pcipass_claim_report *rep)
{
	size_t size = 2 * nla_total_size(sizeof(u32)) + PCIPASS_NL_NAME_SIZE +
		      rep->nr_blockers * PCIPASS_NL_BLOCKER_SIZE;
	unsigned int i;

	for (i = 0; i < rep->nr_members; i++)
		size += pcipass_nl_member_size(&rep->members[i]);
	return size;
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

/* Where the running transaction waits: the busy attributes. */
static int pcipass_nl_put_where(struct sk_buff *skb,
				const struct pcipass_job_where *w)
{
	if (!w->step)
		return 0;
	if (nla_put_u32(skb, PCIPASS_A_CLAIM_BUSY_STEP, w->step) ||
	    nla_put_u32(skb, PCIPASS_A_CLAIM_BUSY_MS, w->ms) ||
	    pcipass_nl_put_name(skb, PCIPASS_A_CLAIM_BUSY_DRIVER, w->driver) ||
	    (w->has_addr &&
	     pcipass_nl_put_addr(skb, PCIPASS_A_CLAIM_BUSY_ADDR, &w->addr)))
		return -EMSGSIZE;
	return 0;
}

/*
 * A reply for @cmd: the transaction's id and state, where it waits, and
 * (@rep, once it is done) its report.
 */
static int pcipass_nl_claim_reply(struct genl_info *info, u8 cmd, u32 txid,
				  u8 state, const struct pcipass_job_where *w,
				  const struct pcipass_claim_report *rep)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new((rep ? pcipass_nl_claim_size(rep) : 0) +
			  4 * nla_total_size(sizeof(u32)) + PCIPASS_NL_NAME_SIZE +
			  PCIPASS_NL_ADDR_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pcipass_nl_family, 0, cmd);
	if (!hdr ||
	    (txid && nla_put_u32(msg, PCIPASS_A_CLAIM_TXID, txid)) ||
	    (state && nla_put_u32(msg, PCIPASS_A_CLAIM_TX_STATE, state)) ||
	    pcipass_nl_put_where(msg, w) ||
	    (rep && pcipass_nl_put_report(msg, rep))) {
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
 * formatted extack, so a fixed message per outcome stands in there.  A
 * formatted extack holds NETLINK_MAX_FMTMSG_LEN bytes: a longer message
 * (a long driver name) is cut here rather than logged as truncated.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define PCIPASS_EXTACK_MSG(extack, msg) \
	NL_SET_ERR_MSG_FMT(extack, "%.*s", NETLINK_MAX_FMTMSG_LEN - 1, msg)
#endif

static void pcipass_nl_claim_extack(struct genl_info *info,
				    const struct pcipass_claim_report *rep,
				    int err)
{
	struct netlink_ext_ack *extack = info->extack;

#ifdef NL_SET_ERR_MSG_FMT
	if (rep->msg)
		PCIPASS_EXTACK_MSG(extack, rep->msg);
#else
	/* keyed on what the report holds, which the caller also gets */
	if (rep->nr_blockers)
		NL_SET_ERR_MSG(extack, "refused: see the blocker attributes");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG(extack,
			       "busy: a member's driver is probing or being removed");
	else if (rep->nr_members)
		NL_SET_ERR_MSG(extack, "failed: see the member attributes");
	else if (err == -E2BIG)
		NL_SET_ERR_MSG(extack, "the group has more functions than a claim takes");
	else if (err == -EAGAIN)
		NL_SET_ERR_MSG(extack,
			       "the group kept changing while it was read; nothing changed");
	else if (err == -ENOENT || err == -ENODEV || err == -ENXIO ||
		 err == -EINVAL)
		NL_SET_ERR_MSG(extack, "no such function, group or driver");
#endif
	NL_SET_BAD_ATTR(extack, pcipass_nl_claim_field(info, rep->bad_attr));
}

/* Why a job was not queued (pcipass_job_submit()'s errors). */
static void pcipass_nl_submit_extack(struct genl_info *info,
				     const struct pcipass_claim_report *rep,
				     const struct pcipass_job_where *w,
				     int err)
{
#ifdef NL_SET_ERR_MSG_FMT
	if (rep->msg)
		PCIPASS_EXTACK_MSG(info->extack, rep->msg);
#else
	if (err == -ENODEV)
		NL_SET_ERR_MSG(info->extack, "pcipass is being unloaded");
	else if (err == -EAGAIN)
		NL_SET_ERR_MSG(info->extack, "pcipass is still loading");
	else if (err == -EBUSY && w->step)
		NL_SET_ERR_MSG(info->extack,
			       "busy: a transaction is stuck, see the busy attributes");
	else if (err == -EBUSY)
		NL_SET_ERR_MSG(info->extack,
			       "busy: too many claims and releases queued");
#endif
}

/*
 * Validate, check what needs no waiting, queue the job and answer with its
 * id: the transaction itself never runs under genetlink's cb_lock.
 */
static int pcipass_nl_claim_common(struct sk_buff *skb, struct genl_info *info,
				   bool claim)
{
	u8 cmd = claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
	struct pcipass_claim_report *rep;
	struct pcipass_claim_req req = {};
	struct pcipass_job_where w = {};
	struct pcipass_job *job;
	int err;

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
	err = pcipass_claim_precheck(&req, claim, rep);
	if (err)
		goto out_err;
	job = pcipass_job_submit(cmd, &req, rep, &w);
	if (IS_ERR(job)) {
		err = PTR_ERR(job);
		/* say where the running transaction is stuck, then refuse */
		if (w.step)
			pcipass_nl_claim_reply(info, cmd, w.txid,
					       PCIPASS_TX_RUNNING, &w, NULL);
		pcipass_nl_submit_extack(info, rep, &w, err);
		pcipass_report_free(rep);
		return err;
	}
	err = pcipass_nl_claim_reply(info, cmd, job->id,
				     pcipass_job_state(job), &w, NULL);
	pcipass_job_put(job);
	pcipass_report_free(rep);
	return err;

out_err:
	if (rep->msg)
		pcipass_nl_claim_extack(info, rep, err);
	pcipass_report_free(rep);
	return err;
}

int pcipass_nl_claim_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pcipass_nl_claim_common(skb, info, true);
}

int pcipass_nl_release_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pcipass_nl_claim_common(skb, info, false);
}

/*
 * How a transaction stands.  Once done, it is answered as a claim was
 * before it ran elsewhere: the report first, then its error with the
 * extended ack.
 */
int pcipass_nl_claim_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pcipass_job_where w;
	struct pcipass_job *job;
	u32 id;
	u8 state;
	int err, reply_err;

	if (!pcipass_nl_privileged(skb)) {
		NL_SET_ERR_MSG(info->extack, "claim-get needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, PCIPASS_A_CLAIM_TXID))
		return -EINVAL;
	id = nla_get_u32(info->attrs[PCIPASS_A_CLAIM_TXID]);
	job = pcipass_job_find(id, &w);
	if (!job) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PCIPASS_A_CLAIM_TXID],
				    "no such transaction (unknown, or its outcome was dropped)");
		return -ESRCH;
	}
	state = pcipass_job_state(job);
	if (state != PCIPASS_TX_DONE) {
		err = pcipass_nl_claim_reply(info, job->cmd, job->id, state, &w,
					     NULL);
		pcipass_job_put(job);
		return err;
	}
	err = job->err;
	/* done since pcipass_job_find() looked: where it waited is over */
	memset(&w, 0, sizeof(w));
	/*
	 * The txid and DONE always come first: a job that failed before it
	 * found its group (no memory, no such group) must not look like a
	 * claim-get that failed itself.
	 */
	reply_err = pcipass_nl_claim_reply(info, job->cmd, job->id, state, &w,
					   job->rep->has_group ? job->rep : NULL);
	if (reply_err) {
		pcipass_job_put(job);
		return reply_err;	/* not read: a retry gets the outcome */
	}
	if (err)
		pcipass_nl_claim_extack(info, job->rep, err);
	pcipass_job_read(job);
	pcipass_job_put(job);
	return err;
}
