// SPDX-License-Identifier: GPL-2.0
/*
 * claim_test helpers (see ppclaim.h): claim and release requests over
 * netlink and the ioctl, and their reports parsed strictly.  The sysfs
 * snapshot is in ppcstate.c, the events group in ppcevent.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ppclaim.h"

/* --- requests and reports ------------------------------------------------ */

static size_t put_addr(struct nlb *b, uint16_t type, const struct pci_addr *a)
{
	size_t off = nlb_nest_start(b, type | NLA_F_NESTED);

	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
	return off;
}

static int parse_member(const struct nlattr *nest, struct ppc_member *m,
			char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_MEMBER_MAX + 1];
	struct pci_addr a;
	uint32_t v;

	memset(m, 0, sizeof(*m));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_MEMBER_MAX, 0)) {
		pp_why_add(why, whylen, "member: bad attributes; ");
		return -EBADMSG;
	}
	if (!tb[PCIPASS_A_MEMBER_ADDR] || !tb[PCIPASS_A_MEMBER_STATE]) {
		pp_why_add(why, whylen, "member: no addr or state; ");
		return -EBADMSG;
	}
	if (pp_get_addr(tb[PCIPASS_A_MEMBER_ADDR], &a, "member addr", why, whylen) ||
	    pp_get_u32(tb[PCIPASS_A_MEMBER_STATE], &m->state, "state", why, whylen))
		return -EBADMSG;
	pci_addr_fmt(&a, m->name, sizeof(m->name));
	if (tb[PCIPASS_A_MEMBER_STEP]) {
		m->has_step = true;
		if (pp_get_u32(tb[PCIPASS_A_MEMBER_STEP], &m->step, "step", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_MEMBER_ERROR]) {
		m->has_error = true;
		if (pp_get_u32(tb[PCIPASS_A_MEMBER_ERROR], &v, "error", why, whylen))
			return -EBADMSG;
		m->error = (int32_t)v;
	}
	if ((tb[PCIPASS_A_MEMBER_FROM_DRIVER] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_FROM_DRIVER], m->from_driver,
			sizeof(m->from_driver), "from-driver", why, whylen)) ||
	    (tb[PCIPASS_A_MEMBER_FROM_OVERRIDE] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_FROM_OVERRIDE], m->from_override,
			sizeof(m->from_override), "from-override", why, whylen)) ||
	    (tb[PCIPASS_A_MEMBER_TO_DRIVER] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_TO_DRIVER], m->to_driver,
			sizeof(m->to_driver), "to-driver", why, whylen)))
		return -EBADMSG;
	return 0;
}

static int parse_blocker(const struct nlattr *nest, struct ppc_blocker *b,
			 char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_CBLOCKER_MAX + 1];
	struct pci_addr a;

	memset(b, 0, sizeof(*b));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_CBLOCKER_MAX, 0) ||
	    !tb[PCIPASS_A_CBLOCKER_ADDR] || !tb[PCIPASS_A_CBLOCKER_REASON]) {
		pp_why_add(why, whylen, "blocker: bad attributes; ");
		return -EBADMSG;
	}
	if (pp_get_addr(tb[PCIPASS_A_CBLOCKER_ADDR], &a, "blocker addr", why, whylen) ||
	    pp_get_u32(tb[PCIPASS_A_CBLOCKER_REASON], &b->reason, "reason", why, whylen))
		return -EBADMSG;
	pci_addr_fmt(&a, b->name, sizeof(b->name));
	if (tb[PCIPASS_A_CBLOCKER_DETAIL] &&
	    pp_get_str(tb[PCIPASS_A_CBLOCKER_DETAIL], b->detail, sizeof(b->detail),
		       "detail", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_CBLOCKER_FORCED]) {
		if (pp_check_len(tb[PCIPASS_A_CBLOCKER_FORCED], 0, "forced", why, whylen))
			return -EBADMSG;
		b->forced = true;
	}
	return 0;
}

static int parse_report(const struct nlmsghdr *nlh, uint8_t cmd,
			struct ppc_report *r, char *why, int whylen)
{
	const struct nlattr *nla;
	void *attrs;
	int len, rem;

	if (pp_check_genl_hdr(nlh, cmd, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	if (!attrs)
		return -EBADMSG;
	r->has_reply = true;
	nla_for_each(nla, attrs, len, rem) {
		switch (nla_kind(nla)) {
		case PCIPASS_A_CLAIM_GROUP:
			r->has_group = true;
			if (pp_get_u32(nla, &r->group, "group", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_OUTCOME:
			r->has_outcome = true;
			if (pp_get_u32(nla, &r->outcome, "outcome", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_DRIVER:
			if (pp_get_str(nla, r->driver, sizeof(r->driver), "driver", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_MEMBER:
			if (r->nmembers >= PPC_MAX_MEM ||
			    parse_member(nla, &r->m[r->nmembers++], why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_BLOCKER:
			if (r->nblockers >= PPC_MAX_BLK ||
			    parse_blocker(nla, &r->b[r->nblockers++], why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_TXID:
			if (pp_get_u32(nla, &r->txid, "txid", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_TX_STATE:
			if (pp_get_u32(nla, &r->tx_state, "tx-state", why, whylen) ||
			    r->tx_state != PCIPASS_TX_DONE) {
				pp_why_add(why, whylen, "a report of a transaction not done; ");
				return -EBADMSG;
			}
			break;
		default:
			pp_why_add(why, whylen, "unexpected attribute %d; ", nla_kind(nla));
			return -EBADMSG;
		}
	}
	if (rem) {
		pp_why_add(why, whylen, "trailing bytes; ");
		return -EBADMSG;
	}
	return 0;
}

/* @rep (freed here) as a claim or release answer: error, extack, report. */
static int ppc_from_reply(struct nl_reply *rep, uint8_t cmd,
			  struct ppc_report *r, char *why, int whylen)
{
	int ret = 0, i;

	r->error = rep->error;
	if (rep->has_msg)
		snprintf(r->msg, sizeof(r->msg), "%s", rep->ext_msg);
	r->has_offs = rep->has_offs;
	r->offs = rep->offs;
	if (rep->nmsgs > 1 || rep->malformed || rep->bad_seq || !rep->got_ack) {
		pp_why_add(why, whylen, "%d messages, malformed %d, bad seq %d, ack %d; ",
			   rep->nmsgs, rep->malformed, rep->bad_seq, rep->got_ack);
		ret = -EBADMSG;
	}
	for (i = 0; !ret && i < rep->nmsgs; i++)
		ret = parse_report(rep->msgs[i].nlh, cmd, r, why, whylen);
	nl_reply_free(rep);
	return ret;
}

int ppc_nl(struct nl_sock *s, uint16_t family, const struct ppc_req *q,
	   struct ppc_report *r, char *why, int whylen)
{
	uint8_t cmd = q->claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
	struct nl_reply rep;
	struct pci_addr a;
	struct nlb b;
	int ret;

	memset(r, 0, sizeof(*r));
	nlb_init(&b, family, NLM_F_REQUEST | NLM_F_ACK, cmd, PCIPASS_FAMILY_VERSION);
	if (q->addr) {
		if (pci_addr_parse(q->addr, &a))
			return -EINVAL;
		r->addr_offs = put_addr(&b, PCIPASS_A_CLAIM_ADDR, &a);
	}
	if (q->by_group || q->both)
		r->group_offs = nlb_put_u32(&b, PCIPASS_A_CLAIM_GROUP, q->group);
	if (q->driver)
		r->driver_offs = nlb_put_str(&b, PCIPASS_A_CLAIM_DRIVER, q->driver);
	if (q->has_flags)
		r->flags_offs = nlb_put_u32(&b, PCIPASS_A_CLAIM_FLAGS, q->flags);
	ret = pp_claim_transact(s, family, &b, &rep);
	if (ret)
		return ret;
	return ppc_from_reply(&rep, cmd, r, why, whylen);
}

int ppc_claim_get(struct nl_sock *s, uint16_t family, uint32_t txid,
		  struct ppc_report *r, char *why, int whylen)
{
	struct nl_reply rep;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&rep, 0, sizeof(rep));
	ret = pp_claim_get_wait(s, family, txid, &rep);
	if (ret)
		return ret;
	return ppc_from_reply(&rep, PCIPASS_CMD_CLAIM, r, why, whylen);
}

static void ioc_addr_fmt(const struct pcipass_ioc_addr *ia, char *buf, int len)
{
	struct pci_addr a = { ia->domain, (uint8_t)ia->bus, (uint8_t)ia->devfn };

	pci_addr_fmt(&a, buf, len);
}

int ppc_ioc(int fd, const struct ppc_req *q, struct ppc_report *r)
{
	struct pcipass_ioc_claim *c = calloc(1, sizeof(*c));
	struct pci_addr a;
	uint32_t i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!c)
		return -ENOMEM;
	c->size = sizeof(*c);
	c->flags = q->has_flags ? q->flags : 0;
	if (q->addr) {
		if (pci_addr_parse(q->addr, &a)) {
			free(c);
			return -EINVAL;
		}
		c->addr.domain = a.domain;
		c->addr.bus = a.bus;
		c->addr.devfn = a.devfn;
	}
	if (q->by_group) {
		c->flags |= PCIPASS_IOC_CLAIM_F_GROUP;
		c->group = q->group;
	}
	if (q->driver)
		snprintf(c->driver, sizeof(c->driver), "%s", q->driver);
	ret = pp_ioctl(fd, q->claim ? PCIPASS_IOC_CLAIM : PCIPASS_IOC_RELEASE, c);
	r->error = ret;
	snprintf(r->msg, sizeof(r->msg), "%.*s", (int)sizeof(c->message), c->message);
	r->txid = c->txid;
	if (c->present & PCIPASS_CLAIM_P_RUNNING)
		r->tx_state = PCIPASS_TX_RUNNING;
	if (c->present & PCIPASS_CLAIM_P_GROUP) {
		r->has_reply = r->has_group = r->has_outcome = true;
		r->group = c->group;
		r->outcome = c->outcome;
		snprintf(r->driver, sizeof(r->driver), "%.*s",
			 (int)sizeof(c->driver), c->driver);
		for (i = 0; i < c->nr_members && i < PCIPASS_IOC_CLAIM_MEMBERS; i++) {
			struct ppc_member *m = &r->m[r->nmembers++];
			const struct pcipass_ioc_claim_member *im = &c->members[i];

			ioc_addr_fmt(&im->addr, m->name, sizeof(m->name));
			m->state = im->state;
			m->step = im->step;
			m->error = im->error;
			m->has_step = m->has_error = im->error != 0;
			snprintf(m->from_driver, PPC_NAME, "%s", im->from_driver);
			snprintf(m->from_override, PPC_NAME, "%s", im->from_override);
			snprintf(m->to_driver, PPC_NAME, "%s", im->to_driver);
		}
		for (i = 0; i < c->nr_blockers && i < PCIPASS_IOC_CLAIM_BLOCKERS; i++) {
			struct ppc_blocker *b = &r->b[r->nblockers++];
			const struct pcipass_ioc_claim_blocker *ib = &c->blockers[i];

			ioc_addr_fmt(&ib->addr, b->name, sizeof(b->name));
			b->reason = ib->reason;
			b->forced = ib->forced;
			snprintf(b->detail, PPC_NAME, "%s", ib->detail);
		}
	}
	free(c);
	return ret;
}

const struct ppc_member *ppc_member(const struct ppc_report *r, const char *name)
{
	int i;

	for (i = 0; i < r->nmembers; i++)
		if (!strcmp(r->m[i].name, name))
			return &r->m[i];
	return NULL;
}

/* --- utilities ----------------------------------------------------------- */

int ppc_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st < 0 ? -errno : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define NAME(tbl, i) \
	((i) < sizeof(tbl) / sizeof(tbl[0]) && tbl[i] ? tbl[i] : "?")

const char *ppc_state_name(uint32_t state)
{
	static const char *const t[] = {
		[PCIPASS_MEMBER_PLANNED] = "planned",
		[PCIPASS_MEMBER_CLAIMED] = "claimed",
		[PCIPASS_MEMBER_ALREADY] = "already",
		[PCIPASS_MEMBER_SKIPPED_BRIDGE] = "skipped-bridge",
		[PCIPASS_MEMBER_UNBOUND_BRIDGE] = "unbound-bridge",
		[PCIPASS_MEMBER_FAILED] = "failed",
		[PCIPASS_MEMBER_ROLLED_BACK] = "rolled-back",
		[PCIPASS_MEMBER_ROLLBACK_FAILED] = "rollback-failed",
		[PCIPASS_MEMBER_UNTOUCHED] = "untouched",
		[PCIPASS_MEMBER_RELEASED] = "released",
		[PCIPASS_MEMBER_RELEASE_FAILED] = "release-failed",
		[PCIPASS_MEMBER_GONE] = "gone",
	};
	return NAME(t, state);
}

const char *ppc_outcome_name(uint32_t outcome)
{
	static const char *const t[] = {
		[PCIPASS_OUTCOME_CLAIMED] = "claimed",
		[PCIPASS_OUTCOME_ALREADY_CLAIMED] = "already-claimed",
		[PCIPASS_OUTCOME_PLANNED] = "planned",
		[PCIPASS_OUTCOME_REFUSED] = "refused",
		[PCIPASS_OUTCOME_ROLLED_BACK] = "rolled-back",
		[PCIPASS_OUTCOME_ROLLBACK_FAILED] = "rollback-failed",
		[PCIPASS_OUTCOME_RELEASED] = "released",
		[PCIPASS_OUTCOME_RELEASE_FAILED] = "release-failed",
	};
	return NAME(t, outcome);
}

const char *ppc_event_name(uint32_t type)
{
	static const char *const t[] = {
		[PCIPASS_EVENT_DEVICE_ADDED] = "device-added",
		[PCIPASS_EVENT_DEVICE_REMOVED] = "device-removed",
		[PCIPASS_EVENT_DRIVER_BOUND] = "driver-bound",
		[PCIPASS_EVENT_DRIVER_UNBOUND] = "driver-unbound",
		[PCIPASS_EVENT_OVERRIDE_CHANGED] = "override-changed",
		[PCIPASS_EVENT_CLAIM_STARTED] = "claim-started",
		[PCIPASS_EVENT_CLAIM_FINISHED] = "claim-finished",
		[PCIPASS_EVENT_RELEASE_STARTED] = "release-started",
		[PCIPASS_EVENT_RELEASE_FINISHED] = "release-finished",
	};
	return NAME(t, type);
}
