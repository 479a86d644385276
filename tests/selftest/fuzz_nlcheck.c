// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: checking the kernel's netlink answers, message by message.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_gt.h"
#include "fuzz_nlcheck.h"
#include "fuzz_rng.h"
#include "ppcommon.h"
#include "ppiso.h"

struct tlvs {
	bool offs, miss_type, miss_nest;
	uint32_t v_offs, v_miss_type, v_miss_nest;
};

static int check_tlvs(struct nlrun *n, const uint8_t *p, int len,
		      const struct nlexp *e, struct tlvs *got)
{
	int rem = len;

	memset(got, 0, sizeof(*got));
	while (rem >= NLA_HDRLEN) {
		struct nlattr a;
		const uint8_t *d = p + NLA_HDRLEN;
		uint32_t v = 0;
		int pl;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > rem)
			break;
		pl = a.nla_len - NLA_HDRLEN;
		if (pl == 4)
			memcpy(&v, d, 4);
		switch (a.nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (pl < 1 || d[pl - 1] || (int)strlen((const char *)d) != pl - 1) {
				why_set(&n->c, "extack message is not one NUL-terminated string");
				return -1;
			}
			break;
		case NLMSGERR_ATTR_OFFS:
		case NLMSGERR_ATTR_MISS_NEST:
			if (pl != 4 || v < NLMSG_LENGTH(GENL_HDRLEN) ||
			    v + NLA_HDRLEN > e->len) {
				why_set(&n->c,
					"extack %s %u outside the request's attributes (length %u)",
					(a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS ?
					"offset" : "missing nest", v, e->len);
				return -1;
			}
			if ((a.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS) {
				got->offs = true;
				got->v_offs = v;
			} else {
				got->miss_nest = true;
				got->v_miss_nest = v;
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (pl != 4 || v < 1 || v > PCIPASS_A_ADDR_MAX) {
				why_set(&n->c, "extack missing type %u (length %d)", v, pl);
				return -1;
			}
			got->miss_type = true;
			got->v_miss_type = v;
			break;
		default:
			break;		/* POLICY and others: framing only */
		}
		rem -= NLA_ALIGN(a.nla_len);
		p += NLA_ALIGN(a.nla_len);
	}
	if (rem) {
		why_set(&n->c, "%d stray bytes after the extack TLVs", rem);
		return -1;
	}
	return 0;
}

/* The module's own errors say which attribute is wrong or missing. */
static int extack_mismatch(struct nlrun *n, const struct nlexp *e,
			   const struct tlvs *got)
{
	if (e->offs && (!got->offs || got->v_offs != e->offs)) {
		why_set(&n->c, "extack offset %s%u, want %u (the attribute used)",
			got->offs ? "" : "missing ", got->v_offs, e->offs);
		return -1;
	}
	if (got->miss_type != !!e->miss_type ||
	    (e->miss_type && got->v_miss_type != e->miss_type)) {
		why_set(&n->c, "extack missing type %s%u, want %u",
			got->miss_type ? "" : "absent ", got->v_miss_type, e->miss_type);
		return -1;
	}
	if (got->miss_nest != !!e->miss_nest ||
	    (e->miss_nest && got->v_miss_nest != e->miss_nest)) {
		why_set(&n->c, "extack missing nest %s%u, want %u",
			got->miss_nest ? "" : "absent ", got->v_miss_nest, e->miss_nest);
		return -1;
	}
	return 0;
}

/* EBUSY from a device lock another client held: only when told so. */
static bool busy_tolerated(const struct nlexp *e, int err)
{
	return err == EBUSY && e->allow_busy && cfg.busy_ok;
}

static bool errno_ok(const struct nlexp *e, int err)
{
	if (e->busy)
		return err == EBUSY;
	if (busy_tolerated(e, err))
		return true;
	if (e->want == WANT_POLICY)
		return err == EINVAL || err == ERANGE;
	return e->want && err == e->want;
}

/*
 * The first answer to a message that reaches __netlink_dump_start(): it
 * is refused with EBUSY exactly when a dump started by an earlier message
 * of the datagram has not ended yet.  The kernel handles the whole
 * datagram before sendto() returns, and a dump's first part (with
 * NLMSG_DONE when it ended there) is queued while its message is handled,
 * so the answers arrive in the order the kernel decided: the earlier dump
 * still ran iff its NLMSG_DONE has not been read before this answer.
 */
void on_first_answer(struct nlrun *n, struct nlexp *e)
{
	const struct nlexp *p;

	if (e->answered)
		return;
	e->answered = true;
	if (!e->dump_start)
		return;
	for (p = n->ex; p < e; p++)
		if (p->kind == EX_DUMP && p->dump_start && !p->want &&
		    !p->busy && !p->done)
			e->busy = true;
}

int on_error(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
	     struct nlexp *e)
{
	const struct nlmsgerr *err = NLMSG_DATA(nlh);
	const uint8_t *req = n->dg + e->off;
	bool capped = nlh->nlmsg_flags & NLM_F_CAPPED;
	struct tlvs got = { 0 };
	size_t tlv_off, min_len;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err))) {
		why_set(&n->c, "NLMSG_ERROR of %u bytes", nlh->nlmsg_len);
		return -1;
	}
	if (nlh->nlmsg_flags & ~(NLM_F_CAPPED | NLM_F_ACK_TLVS)) {
		why_set(&n->c, "NLMSG_ERROR flags %#x", nlh->nlmsg_flags);
		return -1;
	}
	if (err->error > 0 || err->error <= -4096) {
		why_set(&n->c, "NLMSG_ERROR with error %d", err->error);
		return -1;
	}
	if (memcmp(&err->msg, req, sizeof(err->msg))) {
		why_set(&n->c,
			"NLMSG_ERROR does not echo the request header (len %u type %u flags %#x seq %u)",
			err->msg.nlmsg_len, err->msg.nlmsg_type,
			err->msg.nlmsg_flags, err->msg.nlmsg_seq);
		return -1;
	}
	if (capped != (!err->error || s->cap_ack)) {
		why_set(&n->c, "NLMSG_ERROR %scapped (error %d, socket %s NETLINK_CAP_ACK)",
			capped ? "" : "not ", err->error, s->cap_ack ? "with" : "without");
		return -1;
	}
	if (capped) {
		tlv_off = NLMSG_ALIGN(sizeof(*err));
	} else {
		tlv_off = NLMSG_ALIGN(sizeof(err->error) + e->len);
		if (nlh->nlmsg_len < NLMSG_LENGTH(tlv_off) ||
		    memcmp((const uint8_t *)&err->msg + NLMSG_HDRLEN,
			   req + NLMSG_HDRLEN, e->len - NLMSG_HDRLEN)) {
			why_set(&n->c, "NLMSG_ERROR does not echo the request");
			return -1;
		}
	}
	min_len = NLMSG_LENGTH(tlv_off);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!s->ext_ack) {
			why_set(&n->c, "extack TLVs on a socket without NETLINK_EXT_ACK");
			return -1;
		}
		if (nlh->nlmsg_len < min_len) {
			why_set(&n->c, "NLMSG_ERROR of %u bytes, TLVs at %zu",
				nlh->nlmsg_len, min_len);
			return -1;
		}
		if (check_tlvs(n, (const uint8_t *)NLMSG_DATA(nlh) + tlv_off,
			       nlh->nlmsg_len - min_len, e, &got))
			return -1;
	} else if (nlh->nlmsg_len != min_len) {
		why_set(&n->c, "NLMSG_ERROR of %u bytes, want %zu", nlh->nlmsg_len, min_len);
		return -1;
	}

	if (!err->error) {
		n->c.stats->acks++;
		if (e->kind == EX_ACK0 ||
		    (e->kind == EX_DO && !e->want && e->ndata == 1 &&
		     (e->flags & NLM_F_ACK))) {
			if (e->claim)
				n->c.stats->claims[0]++;
			e->done = true;
			return 0;
		}
		why_set(&n->c, "ACK, want %s%s", want_str(e),
			e->kind == EX_DO && !e->want ? " before the ACK" : "");
		return -1;
	}
	count_errno(&n->c, -err->error);
	/* a claim's or release's report comes before its error */
	if (e->ndata != (e->claim ? 1 : 0) || !errno_ok(e, -err->error) ||
	    (e->kind != EX_DO && e->kind != EX_DUMP)) {
		why_set(&n->c, "error %s, want %s%s", errname(-err->error), want_str(e),
			e->ndata ? " (after a reply)" : e->claim ? " (no report came)" : "");
		return -1;
	}
	if (s->ext_ack && !busy_tolerated(e, -err->error) &&
	    extack_mismatch(n, e, &got))
		return -1;
	if (e->busy)
		n->c.stats->busy_dumps++;
	if (e->claim)
		n->c.stats->claims[err->error == -EBUSY ? 1 : 2]++;
	e->done = true;
	return 0;
}

/*
 * The report of a dry run: the group asked about (or the function's), an
 * outcome, and its members; each member of that group.
 */
static int check_claim_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			   struct nlexp *e)
{
	uint32_t want_grp = e->grp >= 0 ? gt.groups[e->grp].id :
			    gt.sd[e->dev].group, v = 0, outcome = 0;
	bool has_grp = false, has_outcome = false;
	const struct nlattr *a, *m;
	char why[256] = "";
	int len, rem, rem2, members = 0;
	void *attrs;

	if (pp_check_genl_hdr(nlh, e->cmd, why, sizeof(why))) {
		why_set(&n->c, "claim report: %s", why);
		return -1;
	}
	attrs = genl_attrs(nlh, &len);
	nla_for_each(a, attrs, len, rem) {
		switch (nla_kind(a)) {
		case PCIPASS_A_CLAIM_GROUP:
			has_grp = nla_plen(a) == 4;
			memcpy(&v, nla_payload(a), 4);
			break;
		case PCIPASS_A_CLAIM_OUTCOME:
			has_outcome = nla_plen(a) == 4;
			if (has_outcome)
				memcpy(&outcome, nla_payload(a), 4);
			break;
		case PCIPASS_A_CLAIM_MEMBER:
			members++;
			nla_for_each(m, nla_payload(a), nla_plen(a), rem2) {
				struct pci_addr ma;
				int idx;

				if (nla_kind(m) != PCIPASS_A_MEMBER_ADDR)
					continue;
				if (pp_get_addr(m, &ma, "member addr", why, sizeof(why)) ||
				    (idx = gt_find(&ma)) < 0 ||
				    gt.sd[idx].group != want_grp) {
					why_set(&n->c, "claim report: member not in group %u %s",
						want_grp, why);
					return -1;
				}
			}
			break;
		default:
			break;
		}
	}
	if (rem || !has_grp || v != want_grp || !has_outcome ||
	    members != gt.groups[gt_group(want_grp)].nmembers) {
		why_set(&n->c, "claim report: group %s%u (want %u), outcome %s, %d members",
			has_grp ? "" : "none ", v, want_grp,
			has_outcome ? "present" : "absent", members);
		return -1;
	}
	/* a refusal (or a member's lock not taken in time) changes nothing */
	if (outcome != (e->want ? PCIPASS_OUTCOME_REFUSED : PCIPASS_OUTCOME_PLANNED) &&
	    !(e->allow_busy && cfg.busy_ok && outcome == PCIPASS_OUTCOME_REFUSED)) {
		why_set(&n->c, "claim report: outcome %u, want %s", outcome,
			want_str(e));
		return -1;
	}
	return 0;
}

static int check_dev_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			 struct nlexp *e, bool dump)
{
	char why[1024] = "";
	struct pp_dev d;
	int idx;

	if (pp_parse_dev(nlh, &d, why, sizeof(why))) {
		why_set(&n->c, "device reply: %s", why);
		return -1;
	}
	if (!PP_HAS(&d, PCIPASS_A_DEV_ADDR)) {
		why_set(&n->c, "device reply without an address");
		return -1;
	}
	idx = gt_find(&d.addr);
	if (!dump && (idx != e->dev || pci_addr_cmp(&d.addr, &e->addr))) {
		char a[32], b[32];

		pci_addr_fmt(&d.addr, a, sizeof(a));
		pci_addr_fmt(&e->addr, b, sizeof(b));
		why_set(&n->c, "reply about %s, asked for %s", a, b);
		return -1;
	}
	if (idx < 0) {
		char a[32];

		pci_addr_fmt(&d.addr, a, sizeof(a));
		why_set(&n->c, "reply about %s, not in sysfs", a);
		return -1;
	}
	if (dump) {
		if (e->seen[idx]) {
			why_set(&n->c, "dump reports %s twice", gt.names[idx]);
			return -1;
		}
		e->seen[idx] = 1;
	}
	if (pp_cmp_nl(&gt.sd[idx], &d, n->c.priv, why, sizeof(why))) {
		why_set(&n->c, "%s: %s", gt.names[idx], why);
		return -1;
	}
	return 0;
}

static uint8_t *group_seen(struct nlexp *e, int g)
{
	int i, off = 0;

	for (i = 0; i < g; i++)
		off += gt.groups[i].nmembers;
	return e->seen + off;
}

static int check_group_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			   struct nlexp *e, bool dump)
{
	static struct pp_group pg;
	char why[1024] = "";
	uint8_t *seen, local[256];
	int g, i;

	if (pp_parse_group(nlh, &pg, why, sizeof(why))) {
		why_set(&n->c, "group reply: %s", why);
		return -1;
	}
	g = gt_group(pg.id);
	if (g < 0 || (!dump && g != e->grp)) {
		why_set(&n->c, "reply about group %u, %s", pg.id,
			g < 0 ? "not in sysfs" : "not the one asked for");
		return -1;
	}
	if (dump) {
		seen = group_seen(e, g);
	} else {
		memset(local, 0, sizeof(local));
		seen = local;
		if (pg.nmembers != gt.groups[g].nmembers) {
			why_set(&n->c, "group %u: %d members, sysfs %d", pg.id,
				pg.nmembers, gt.groups[g].nmembers);
			return -1;
		}
	}
	for (i = 0; i < pg.nmembers; i++) {
		int m = gt_member(g, &pg.members[i]);
		char a[32];

		pci_addr_fmt(&pg.members[i], a, sizeof(a));
		if (m < 0 || seen[m]) {
			why_set(&n->c, "group %u: member %s %s", pg.id, a,
				m < 0 ? "not in sysfs" : "twice");
			return -1;
		}
		seen[m] = 1;
	}
	return 0;
}

static int check_iso_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			 struct nlexp *e)
{
	static struct pp_iso iso;
	char why[4096] = "";
	struct pp_world w;

	if (pp_parse_iso(nlh, &iso, why, sizeof(why))) {
		why_set(&n->c, "isolation reply: %s", why);
		return -1;
	}
	if (e->dev < 0 || pci_addr_cmp(&iso.addr, &e->addr)) {
		char a[32], b[32];

		pci_addr_fmt(&iso.addr, a, sizeof(a));
		pci_addr_fmt(&e->addr, b, sizeof(b));
		why_set(&n->c, "isolation reply about %s, asked for %s", a, b);
		return -1;
	}
	gt_world(&w);
	if (pp_iso_check(&w, e->dev, &iso, why, sizeof(why))) {
		why_set(&n->c, "isolation %s: %s", gt.names[e->dev], why);
		return -1;
	}
	return 0;
}

/* A queued claim or release: its txid and state, nothing else. */
static int check_queued_msg(struct nlrun *n, const struct nlmsghdr *nlh,
			    struct nlexp *e)
{
	uint32_t state = 0;
	const struct nlattr *a;
	char why[256] = "";
	int len, rem;
	void *attrs;

	if (pp_check_genl_hdr(nlh, e->cmd, why, sizeof(why))) {
		why_set(&n->c, "queued reply: %s", why);
		return -1;
	}
	attrs = genl_attrs(nlh, &len);
	nla_for_each(a, attrs, len, rem) {
		if (nla_kind(a) == PCIPASS_A_CLAIM_TXID && nla_plen(a) == 4)
			memcpy(&e->txid, nla_payload(a), 4);
		else if (nla_kind(a) == PCIPASS_A_CLAIM_TX_STATE && nla_plen(a) == 4)
			memcpy(&state, nla_payload(a), 4);
		else if (nla_kind(a) != PCIPASS_A_CLAIM_BUSY_STEP &&
			 nla_kind(a) != PCIPASS_A_CLAIM_BUSY_MS &&
			 nla_kind(a) != PCIPASS_A_CLAIM_BUSY_ADDR &&
			 nla_kind(a) != PCIPASS_A_CLAIM_BUSY_DRIVER) {
			why_set(&n->c, "queued reply: attribute %d", nla_kind(a));
			return -1;
		}
	}
	if (rem || !e->txid || state < PCIPASS_TX_QUEUED || state > PCIPASS_TX_DONE) {
		why_set(&n->c, "queued reply: txid %u, state %u", e->txid, state);
		return -1;
	}
	return 0;
}

/*
 * The end of a queued claim or release, asked with claim-get on @s: the
 * error predicted from sysfs and (final_claim) exactly one report.
 */
int check_queued_final(struct nlrun *n, struct nl_sock *s, struct nlexp *e)
{
	struct nl_reply rep;
	int ret, err;

	memset(&rep, 0, sizeof(rep));
	ret = pp_claim_get_wait(s, n->family, e->txid, &rep);
	if (ret) {
		why_set(&n->c, "claim-get of transaction %u: %s", e->txid,
			strerror(-ret));
		nl_reply_free(&rep);
		return -1;
	}
	err = -rep.error;
	e->want = e->final_want;
	e->claim = e->final_claim;
	if (rep.nmsgs != (e->claim ? 1 : 0) ||
	    (err != e->want && !busy_tolerated(e, err))) {
		why_set(&n->c, "transaction %u: error %s, %d reports, want %s",
			e->txid, errname(err), rep.nmsgs, want_str(e));
		nl_reply_free(&rep);
		return -1;
	}
	ret = e->claim ? check_claim_msg(n, rep.msgs[0].nlh, e) : 0;
	if (!ret && e->claim)
		n->c.stats->claims[!err ? 0 : err == EBUSY ? 1 : 2]++;
	nl_reply_free(&rep);
	return ret;
}

int on_data(struct nlrun *n, const struct nlmsghdr *nlh, struct nlexp *e,
	    int batch)
{
	bool multi = nlh->nlmsg_flags & NLM_F_MULTI;

	if (nlh->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR)) {
		why_set(&n->c, "reply flags %#x", nlh->nlmsg_flags);
		return -1;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		e->intr = true;
	if (e->busy) {
		why_set(&n->c, "a dump part, want %s", want_str(e));
		return -1;
	}
	if (e->kind == EX_DUMP && !e->want) {
		if (!multi) {
			why_set(&n->c, "dump message without NLM_F_MULTI");
			return -1;
		}
		e->ndata++;
		if (e->last_batch != batch)
			e->batches++;
		e->last_batch = batch;
		return e->cmd == PCIPASS_CMD_DEVICE_GET ?
		       check_dev_msg(n, nlh, e, true) :
		       check_group_msg(n, nlh, e, true);
	}
	if (e->kind != EX_DO || (e->want && !e->claim) || e->ndata) {
		why_set(&n->c, "a reply, want %s%s", want_str(e),
			e->ndata ? " (second reply)" : "");
		return -1;
	}
	if (multi) {
		why_set(&n->c, "do reply with NLM_F_MULTI");
		return -1;
	}
	e->ndata++;
	if (!(e->flags & NLM_F_ACK))
		e->done = true;
	n->c.stats->replies++;
	if (e->cmd == PCIPASS_CMD_ISOLATION_GET)
		return check_iso_msg(n, nlh, e);
	if (e->claim)
		return check_claim_msg(n, nlh, e);
	if (e->queued)
		return check_queued_msg(n, nlh, e);
	return e->cmd == PCIPASS_CMD_DEVICE_GET ? check_dev_msg(n, nlh, e, false) :
	       check_group_msg(n, nlh, e, false);
}

int on_done(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
	    struct nlexp *e)
{
	int err = 0, i, g;

	if (e->kind != EX_DUMP || e->want || e->busy) {
		why_set(&n->c, "NLMSG_DONE, want %s", want_str(e));
		return -1;
	}
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(int)) ||
	    !(nlh->nlmsg_flags & NLM_F_MULTI) ||
	    (nlh->nlmsg_flags & ~(NLM_F_MULTI | NLM_F_DUMP_INTR | NLM_F_ACK_TLVS))) {
		why_set(&n->c, "NLMSG_DONE of %u bytes, flags %#x", nlh->nlmsg_len,
			nlh->nlmsg_flags);
		return -1;
	}
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		e->intr = true;
	memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!s->ext_ack) {
			why_set(&n->c, "extack TLVs on a socket without NETLINK_EXT_ACK");
			return -1;
		}
		struct tlvs got;

		if (check_tlvs(n, (const uint8_t *)NLMSG_DATA(nlh) + NLMSG_ALIGN(sizeof(int)),
			       nlh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(int))),
			       e, &got))
			return -1;
	} else if (nlh->nlmsg_len != NLMSG_LENGTH(sizeof(int))) {
		why_set(&n->c, "NLMSG_DONE of %u bytes", nlh->nlmsg_len);
		return -1;
	}
	e->done = true;
	if (err) {
		count_errno(&n->c, -err);
		if (busy_tolerated(e, -err))
			return 0;
		why_set(&n->c, "dump ended with %s", err < 0 ? errname(-err) : "a positive error");
		return -1;
	}
	n->c.stats->dumps++;
	n->c.stats->replies++;
	if (e->batches > 1)
		n->c.stats->split_dumps++;
	if (e->intr)
		return 0;	/* devices came or went: the set may differ */
	if (e->cmd == PCIPASS_CMD_DEVICE_GET) {
		for (i = 0; i < gt.n; i++)
			if (!e->seen[i]) {
				why_set(&n->c, "dump misses %s", gt.names[i]);
				return -1;
			}
		return 0;
	}
	for (g = 0; g < gt.ngroups; g++) {
		uint8_t *seen = group_seen(e, g);

		for (i = 0; i < gt.groups[g].nmembers; i++)
			if (!seen[i]) {
				why_set(&n->c, "group dump misses a member of group %u",
					gt.groups[g].id);
				return -1;
			}
	}
	return 0;
}
