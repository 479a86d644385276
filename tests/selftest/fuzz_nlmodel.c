// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: predicting the kernel's answer to every netlink message, from
 * the bytes sent, the attribute policy of
 * Documentation/netlink/specs/pcipass.yaml under strict validation, and
 * the ground truth.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_gt.h"
#include "fuzz_nlmodel.h"
#include "fuzz_report.h"
#include "ppcommon.h"

enum { P_NONE, P_U8, P_U32, P_NEST_ADDR, P_U32_FLAGS, P_DRIVER };

static const uint8_t pol_addr[PCIPASS_A_ADDR_MAX + 1] = {
	[PCIPASS_A_ADDR_DOMAIN] = P_U32,
	[PCIPASS_A_ADDR_BUS] = P_U8,
	[PCIPASS_A_ADDR_DEVFN] = P_U8,
};

/* device-get and isolation-get: the address is attribute 1 of both */
static const uint8_t pol_iso_dev[2] = { [PCIPASS_A_DEV_ADDR] = P_NEST_ADDR };
_Static_assert(PCIPASS_A_DEV_ADDR == 1 && PCIPASS_A_ISO_ADDR == 1 &&
	       PCIPASS_A_DEV_MAX > 1 && PCIPASS_A_ISO_MAX > 1,
	       "both do policies: addr, the only attribute");
static const uint8_t pol_group[2] = { [PCIPASS_A_GROUP_ID] = P_U32 };
/* claim and release: release has no driver (NLA_UNSPEC: rejected) */
static const uint8_t pol_claim[PCIPASS_A_CLAIM_FLAGS + 1] = {
	[PCIPASS_A_CLAIM_ADDR] = P_NEST_ADDR,
	[PCIPASS_A_CLAIM_GROUP] = P_U32,
	[PCIPASS_A_CLAIM_DRIVER] = P_DRIVER,
	[PCIPASS_A_CLAIM_FLAGS] = P_U32_FLAGS,
};
static const uint8_t pol_release[PCIPASS_A_CLAIM_FLAGS + 1] = {
	[PCIPASS_A_CLAIM_ADDR] = P_NEST_ADDR,
	[PCIPASS_A_CLAIM_GROUP] = P_U32,
	[PCIPASS_A_CLAIM_FLAGS] = P_U32_FLAGS,
};
_Static_assert((int)PCIPASS_A_CLAIM_ADDR == (int)PCIPASS_A_DEV_ADDR,
	       "claim's address is attribute 1 too");

/*
 * Target drivers the fuzzer may name: present on every test kernel (the
 * debug kernel has no pci-stub) and loading them binds nothing.  Not a
 * driver that no module provides: the module polls up to 10 s for it
 * (pcipass_driver_load()).
 */
const char *const fz_claim_drivers[FZ_CLAIM_DRIVERS] = {
	"", "vfio-pci",
};

/*
 * What __nla_validate_parse() does with NL_VALIDATE_STRICT and the
 * generated policies: 0 when valid (then tb[] holds the last attribute of
 * each type), -1 when the kernel must reject the attributes.
 */
static int v_parse(const uint8_t *head, int len, int maxtype,
		   const uint8_t *pol, const uint8_t **tb)
{
	const uint8_t *p = head;
	int rem = len;

	if (tb)
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (rem >= NLA_HDRLEN) {
		uint16_t nlen, ntype;
		int t, alen;

		memcpy(&nlen, p, 2);
		memcpy(&ntype, p + 2, 2);
		if (nlen < NLA_HDRLEN || nlen > rem)
			break;
		t = ntype & NLA_TYPE_MASK;
		if (t == 0 || t > maxtype)
			return -1;	/* unknown attribute type */
		alen = nlen - NLA_HDRLEN;
		switch (pol[t]) {
		case P_U8:
		case P_U32:
			if (alen != (pol[t] == P_U8 ? 1 : 4))
				return -1;	/* invalid attribute length */
			if (ntype & NLA_F_NESTED)
				return -1;	/* NLA_F_NESTED not expected */
			break;
		case P_U32_FLAGS: {
			uint32_t v;

			if (alen != 4 || (ntype & NLA_F_NESTED))
				return -1;
			memcpy(&v, p + NLA_HDRLEN, 4);
			if (v & ~(uint32_t)(PCIPASS_CLAIM_F_DRY_RUN |
					    PCIPASS_CLAIM_F_FORCE))
				return -1;	/* reserved bit set */
			break;
		}
		case P_DRIVER: {	/* NLA_NUL_STRING, len 63 */
			const uint8_t *d = p + NLA_HDRLEN;
			int minlen = alen < 64 ? alen : 64, slen = alen;

			if (ntype & NLA_F_NESTED)
				return -1;
			if (!minlen || !memchr(d, 0, minlen))
				return -1;
			if (d[alen - 1] == 0)
				slen--;
			if (slen > PCIPASS_DRIVER_NAME_MAX - 1)
				return -1;	/* ERANGE */
			break;
		}
		case P_NEST_ADDR:
			if (!(ntype & NLA_F_NESTED))
				return -1;	/* NLA_F_NESTED is missing */
			if (alen == 0)
				break;		/* an empty nest is valid */
			if (alen < NLA_HDRLEN)
				return -1;
			if (v_parse(p + NLA_HDRLEN, alen, PCIPASS_A_ADDR_MAX,
				    pol_addr, NULL))
				return -1;
			break;
		default:
			return -1;
		}
		if (tb)
			tb[t] = p;
		rem -= NLA_ALIGN(nlen);
		p += NLA_ALIGN(nlen);
	}
	if (rem > 0)
		return -1;		/* bytes leftover after parsing */
	return 0;
}

static uint16_t nla_len_at(const uint8_t *nla)
{
	uint16_t l;

	memcpy(&l, nla, sizeof(l));
	return l;
}

/*
 * No privileged claim or release of the fuzzer may change anything: set
 * the dry-run bit in every well-sized flags attribute, and when the last
 * flags attribute is missing, make the message an unknown command (event
 * is a notification, not an op).  A target driver outside
 * fz_claim_drivers[] becomes an invalid name ('/').  Attributes are found
 * as nla_parse() finds them; a message the policy rejects is harmless
 * whatever the rewrite did.
 */
static void claim_safety(uint8_t *msg, uint32_t len)
{
	struct genlmsghdr *gh = (void *)(msg + NLMSG_HDRLEN);
	uint8_t *p = msg + NLMSG_LENGTH(GENL_HDRLEN);
	int rem = len - NLMSG_LENGTH(GENL_HDRLEN);
	bool flags_ok = false;

	while (rem >= NLA_HDRLEN) {
		uint16_t nlen, ntype;
		int t, alen, i;

		memcpy(&nlen, p, 2);
		memcpy(&ntype, p + 2, 2);
		if (nlen < NLA_HDRLEN || nlen > rem)
			break;
		t = ntype & NLA_TYPE_MASK;
		alen = nlen - NLA_HDRLEN;
		if (t == PCIPASS_A_CLAIM_FLAGS) {
			flags_ok = alen == 4;
			if (flags_ok)
				p[NLA_HDRLEN] |= PCIPASS_CLAIM_F_DRY_RUN;
		} else if (t == PCIPASS_A_CLAIM_DRIVER && alen > 0 &&
			   p[NLA_HDRLEN]) {
			for (i = 0; i < FZ_CLAIM_DRIVERS; i++)
				if (alen > (int)strlen(fz_claim_drivers[i]) &&
				    !strcmp((char *)p + NLA_HDRLEN,
					    fz_claim_drivers[i]))
					break;
			if (i == FZ_CLAIM_DRIVERS)
				p[NLA_HDRLEN] = '/';
		}
		rem -= NLA_ALIGN(nlen);
		p += NLA_ALIGN(nlen);
	}
	if (!flags_ok)
		gh->cmd = PCIPASS_CMD_EVENT;
}

/* The value of the (last) flags attribute; the policy checked its size. */
static uint32_t claim_flags(const uint8_t *f)
{
	uint32_t v = 0;

	if (f)
		memcpy(&v, f + NLA_HDRLEN, 4);
	return v;
}

/*
 * claim and release as root, once the policy passed (a dry run): the
 * checks of pcipass_nl_claim_req(), then pcipass_claim()'s and
 * pcipass_release()'s in their order, the group's from sysfs.
 */
static void model_claim(const uint8_t *msg, const uint8_t **tb,
			struct nlexp *e)
{
	const uint8_t *a = tb[PCIPASS_A_CLAIM_ADDR], *g = tb[PCIPASS_A_CLAIM_GROUP];
	const uint8_t *d = tb[PCIPASS_A_CLAIM_DRIVER];
	const uint8_t *itb[PCIPASS_A_ADDR_MAX + 1];
	bool claim = e->cmd == PCIPASS_CMD_CLAIM;
	const char *target = FZ_CLAIM_DEFAULT;
	int t, grp;

	if (a && g) {
		e->want = EINVAL;	/* give an address or a group, not both */
		e->offs = g - msg;
		return;
	}
	if (!a && !g) {
		e->want = EINVAL;	/* missing target */
		return;
	}
	/* the request is parsed first: an address must be complete */
	if (a) {
		v_parse(a + NLA_HDRLEN, nla_len_at(a) - NLA_HDRLEN,
			PCIPASS_A_ADDR_MAX, pol_addr, itb);
		for (t = PCIPASS_A_ADDR_DOMAIN; t <= PCIPASS_A_ADDR_DEVFN; t++)
			if (!itb[t]) {
				e->want = EINVAL;
				e->miss_type = t;
				e->miss_nest = a - msg;
				return;
			}
	}
	/*
	 * claim: the target driver is found next (outside the claim lock);
	 * claim_safety() left a name of fz_claim_drivers[] or one starting
	 * with '/', which no driver has.
	 */
	if (claim && d && nla_len_at(d) > NLA_HDRLEN && d[NLA_HDRLEN]) {
		if (d[NLA_HDRLEN] == '/') {
			e->want = EINVAL;	/* invalid driver name */
			e->offs = d - msg;
			return;
		}
		target = (const char *)d + NLA_HDRLEN;
	}
	if (claim && !gt_driver_registered(target)) {
		e->want = ENOENT;	/* no such driver (after a 10 s wait) */
		e->offs = d ? d - msg : 0;
		return;
	}
	if (g) {
		uint32_t id;

		memcpy(&id, g + NLA_HDRLEN, 4);
		e->grp = gt_group(id);
		if (e->grp < 0) {
			e->want = ENOENT;
			e->offs = g - msg;
			return;
		}
		grp = e->grp;
	} else {
		memcpy(&e->addr.domain, itb[PCIPASS_A_ADDR_DOMAIN] + NLA_HDRLEN, 4);
		e->addr.bus = itb[PCIPASS_A_ADDR_BUS][NLA_HDRLEN];
		e->addr.devfn = itb[PCIPASS_A_ADDR_DEVFN][NLA_HDRLEN];
		e->dev = gt_find(&e->addr);
		if (e->dev < 0 || !gt.sd[e->dev].has_group) {
			e->want = e->dev < 0 ? ENODEV : ENXIO;
			e->offs = a - msg;
			return;
		}
		grp = gt_group(gt.sd[e->dev].group);
	}
	/*
	 * The group's transaction is queued (a txid, then the ACK); its one
	 * answer comes from claim-get, with no attribute to blame.
	 */
	e->final_want = gt_claim_answer(grp, claim,
					claim_flags(tb[PCIPASS_A_CLAIM_FLAGS]) &
					PCIPASS_CLAIM_F_FORCE, target,
					&e->final_claim, e->note,
					sizeof(e->note));
	e->queued = true;
	/* members are read under their device lock */
	e->allow_busy = e->final_claim;
}

static void model_pcipass(uint8_t *msg, uint32_t len, struct nlexp *e,
			  bool priv)
{
	const struct nlmsghdr *h = (const void *)msg;
	struct genlmsghdr *gh = (void *)(msg + NLMSG_HDRLEN);
	uint16_t f = h->nlmsg_flags;
	const uint8_t *tb[2], *itb[PCIPASS_A_ADDR_MAX + 1];
	const uint8_t *ctb[PCIPASS_A_CLAIM_FLAGS + 1];
	bool dump = (f & NLM_F_DUMP) == NLM_F_DUMP, claims;
	int bad, t;

	e->kind = EX_DO;
	if (len < NLMSG_LENGTH(GENL_HDRLEN)) {
		e->want = EINVAL;
		return;
	}
	/* genl_header_check(): reserved byte, flags the core can't enforce */
	if (dump)
		f &= ~NLM_F_DUMP;
	if (gh->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		e->want = EINVAL;
		return;
	}
	claims = gh->cmd == PCIPASS_CMD_CLAIM || gh->cmd == PCIPASS_CMD_RELEASE;
	if (claims && priv && !dump) {
		claim_safety(msg, len);
		/* the report, then always an answer: the end of the exchange */
		((struct nlmsghdr *)msg)->nlmsg_flags |= NLM_F_ACK;
		e->flags |= NLM_F_ACK;
		claims = gh->cmd == PCIPASS_CMD_CLAIM ||
			 gh->cmd == PCIPASS_CMD_RELEASE;	/* or no more */
	}
	e->cmd = gh->cmd;
	if (gh->cmd != PCIPASS_CMD_DEVICE_GET && gh->cmd != PCIPASS_CMD_GROUP_GET &&
	    gh->cmd != PCIPASS_CMD_ISOLATION_GET && !claims) {
		e->want = EOPNOTSUPP;
		return;
	}
	/* isolation-get, claim, release: no dump, refused before anything */
	if (dump && (gh->cmd == PCIPASS_CMD_ISOLATION_GET || claims)) {
		/* (before 6.2 the admin check of claim/release comes first) */
		e->want = claims && !priv && pp_kernel_before_6_2() ?
			  EPERM : EOPNOTSUPP;
		return;
	}
	/* GENL_ADMIN_PERM: genetlink's EPERM comes before the policy */
	if (claims && !priv) {
		e->want = EPERM;
		return;
	}
	if (claims) {
		if (v_parse(msg + NLMSG_LENGTH(GENL_HDRLEN),
			    len - NLMSG_LENGTH(GENL_HDRLEN), PCIPASS_A_CLAIM_FLAGS,
			    gh->cmd == PCIPASS_CMD_CLAIM ? pol_claim : pol_release,
			    ctb))
			e->want = WANT_POLICY;
		else
			model_claim(msg, ctb, e);
		return;
	}
	bad = v_parse(msg + NLMSG_LENGTH(GENL_HDRLEN), len - NLMSG_LENGTH(GENL_HDRLEN),
		      1, gh->cmd == PCIPASS_CMD_GROUP_GET ? pol_group : pol_iso_dev, tb);
	if (dump) {
		e->kind = EX_DUMP;
		e->want = bad ? WANT_POLICY : 0;
		e->dump_start = true;
		/* the device dump reads every driver under its device lock */
		e->allow_busy = !bad && gh->cmd == PCIPASS_CMD_DEVICE_GET;
		return;
	}
	if (bad) {
		e->want = WANT_POLICY;
		return;
	}
	/* the module's first check: CAP_SYS_ADMIN, no attribute blamed */
	if (gh->cmd == PCIPASS_CMD_ISOLATION_GET && !priv) {
		e->want = EPERM;
		return;
	}
	if (!tb[1]) {
		e->want = EINVAL;	/* missing device address / group id */
		e->miss_type = 1;
		return;
	}
	/* ENODEV / ENOENT point at the attribute the module used: the last */
	e->offs = tb[1] - msg;
	if (gh->cmd == PCIPASS_CMD_GROUP_GET) {
		uint32_t id;

		memcpy(&id, tb[1] + NLA_HDRLEN, 4);
		e->grp = gt_group(id);
		e->want = e->grp < 0 ? ENOENT : 0;
		return;
	}
	v_parse(tb[1] + NLA_HDRLEN, nla_len_at(tb[1]) - NLA_HDRLEN,
		PCIPASS_A_ADDR_MAX, pol_addr, itb);
	for (t = PCIPASS_A_ADDR_DOMAIN; t <= PCIPASS_A_ADDR_DEVFN; t++)
		if (!itb[t]) {
			e->want = EINVAL;
			e->offs = 0;
			e->miss_type = t;	/* the first one missing */
			e->miss_nest = tb[1] - msg;
			return;
		}
	memcpy(&e->addr.domain, itb[PCIPASS_A_ADDR_DOMAIN] + NLA_HDRLEN, 4);
	e->addr.bus = itb[PCIPASS_A_ADDR_BUS][NLA_HDRLEN];
	e->addr.devfn = itb[PCIPASS_A_ADDR_DEVFN][NLA_HDRLEN];
	e->dev = gt_find(&e->addr);
	e->want = e->dev < 0 ? ENODEV : 0;
	/* a device lock is waited for (isolation-get: of any group member) */
	e->allow_busy = e->dev >= 0;
}

/*
 * Walk the datagram as netlink_rcv_skb() does.  Messages of any other
 * family are turned into ours (the fuzzer talks to pcipass only), every
 * message gets its own sequence number.  @priv: the sender has
 * CAP_SYS_ADMIN.  Returns the new length of the datagram (cut after
 * MAX_EXP messages) and fills ex[] and *nexp.
 */
size_t nl_model(uint8_t *dg, size_t dglen, uint16_t family, bool priv,
		uint32_t *seq, struct nlexp *ex, int *nexp)
{
	size_t off = 0;
	int n = 0;

	while (dglen - off >= NLMSG_HDRLEN) {
		struct nlmsghdr *h = (struct nlmsghdr *)(dg + off);
		struct nlexp *e;
		size_t ml;

		if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > dglen - off)
			break;
		if (n == MAX_EXP) {
			dglen = off;
			break;
		}
		if (h->nlmsg_type >= NLMSG_MIN_TYPE && h->nlmsg_type != family)
			h->nlmsg_type = family;
		h->nlmsg_seq = ++*seq;
		e = &ex[n++];
		memset(e, 0, sizeof(*e));
		e->seq = h->nlmsg_seq;
		e->off = off;
		e->len = h->nlmsg_len;
		e->flags = h->nlmsg_flags;
		e->dev = -1;
		e->grp = -1;
		if (!(h->nlmsg_flags & NLM_F_REQUEST) ||
		    h->nlmsg_type < NLMSG_MIN_TYPE)
			e->kind = h->nlmsg_flags & NLM_F_ACK ? EX_ACK0 : EX_SILENT;
		else
			model_pcipass(dg + off, h->nlmsg_len, e, priv);
		if (e->kind == EX_SILENT)
			e->done = true;
		ml = NLMSG_ALIGN(h->nlmsg_len);
		off += ml > dglen - off ? dglen - off : ml;
	}
	*nexp = n;
	return dglen;
}

const char *want_str(const struct nlexp *e)
{
	static char buf[192];
	const char *w;

	if (e->kind == EX_SILENT)
		return "no answer";
	if (e->kind == EX_ACK0)
		return "an ACK";
	if (e->busy)
		return "EBUSY (an earlier dump of this socket still ran)";
	if (e->want == WANT_POLICY)
		return "EINVAL or ERANGE (policy)";
	w = e->want ? errname(e->want) : e->kind == EX_DUMP ? "a dump" :
	    e->claim ? "the ACK" : "a reply";
	snprintf(buf, sizeof(buf), "%s%s%s%s%s", e->claim ? "a report, then " : "",
		 w, e->note[0] ? " (" : "", e->note, e->note[0] ? ")" : "");
	return buf;
}
