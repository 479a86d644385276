// SPDX-License-Identifier: GPL-2.0
/*
 * claim_race_test only: one claim or release over raw netlink and what a
 * worker accepts as its answer (see race_req.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ppclaim.h"
#include "race_req.h"

static int pci_parse(const char *s, struct pci_addr *a)
{
	return pci_addr_parse(s, a);
}

static void cres_parse(const struct nlmsghdr *nlh, struct cres *r)
{
	const struct nlattr *nla, *in;
	int len, rem, rem2;
	void *p = genl_attrs(nlh, &len);

	if (!p)
		return;
	nla_for_each(nla, p, len, rem) {
		if (nla_kind(nla) == PCIPASS_A_CLAIM_OUTCOME && nla_plen(nla) == 4) {
			r->has_outcome = true;
			memcpy(&r->outcome, nla_payload(nla), 4);
		} else if (nla_kind(nla) == PCIPASS_A_CLAIM_MEMBER && r->nm < 16) {
			nla_for_each(in, nla_payload(nla), nla_plen(nla), rem2) {
				if (nla_kind(in) == PCIPASS_A_MEMBER_STATE)
					memcpy(&r->m[r->nm].state, nla_payload(in), 4);
				else if (nla_kind(in) == PCIPASS_A_MEMBER_ADDR)
					{ char why[64] = ""; pp_get_addr(in, &r->m[r->nm].a, "addr", why, sizeof(why)); }
			}
			r->nm++;
		}
	}
}

/*
 * cmd PCIPASS_CMD_CLAIM or _RELEASE; the group by @addr, or by id when
 * @addr is NULL; @driver NULL: the default (vfio-pci).  Returns r->err.
 */
int pp_claim(struct nl_sock *s, uint16_t fam, uint8_t cmd,
	     const char *addr, int group, const char *driver,
	     struct cres *r)
{
	struct nl_reply rep;
	struct pci_addr a;
	struct nlb b;
	int ret;

	memset(r, 0, sizeof(*r));
	nlb_init(&b, fam, NLM_F_REQUEST | NLM_F_ACK, cmd, PCIPASS_FAMILY_VERSION);
	if (addr) {
		pci_parse(addr, &a);
		nlb_nest_start(&b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);
		nlb_put_u32(&b, PCIPASS_A_ADDR_DOMAIN, a.domain);
		nlb_put_u8(&b, PCIPASS_A_ADDR_BUS, a.bus);
		nlb_put_u8(&b, PCIPASS_A_ADDR_DEVFN, a.devfn);
		nlb_nest_end(&b);
	} else {
		nlb_put_u32(&b, PCIPASS_A_CLAIM_GROUP, group);
	}
	if (driver && cmd == PCIPASS_CMD_CLAIM)
		nlb_put_str(&b, PCIPASS_A_CLAIM_DRIVER, driver);
	memset(&rep, 0, sizeof(rep));
	ret = pp_claim_transact(s, fam, &b, &rep);
	if (ret) {
		r->local = true;
		r->err = ret;
		nl_reply_free(&rep);
		return ret;
	}
	r->err = rep.error;
	if (rep.has_msg)
		snprintf(r->msg, sizeof(r->msg), "%s", rep.ext_msg);
	for (int i = 0; i < rep.nmsgs; i++)
		cres_parse(rep.msgs[i].nlh, r);
	nl_reply_free(&rep);
	return r->err;
}

static const char *outcome_name(const struct cres *r)
{
	return r->has_outcome ? ppc_outcome_name(r->outcome) : "-";
}

void cres_log(const char *who, const char *what, const struct cres *r)
{
	fprintf(stderr, "# %s: %s -> %d (%s)%s outcome=%s msg=\"%s\"", who, what,
		r->err, strerror(-r->err), r->local ? " LOCAL" : "",
		outcome_name(r), r->msg);
	for (int i = 0; i < r->nm; i++)
		fprintf(stderr, " %02x:%02x.%d=%u", r->m[i].a.bus,
			r->m[i].a.devfn >> 3, r->m[i].a.devfn & 7, r->m[i].state);
	fprintf(stderr, "\n");
}

/*
 * What a worker accepts.  Claim: 0 with claimed/already-claimed;
 * @busy_ok: -EBUSY refused (claimed for another driver); @rollback_ok: an
 * error with a complete rollback.  Release: 0 released, or -ENOENT
 * without a report (nothing claimed).
 */
bool cres_ok(uint8_t cmd, const struct cres *r, bool busy_ok,
	     bool rollback_ok)
{
	if (r->local)
		return false;
	if (cmd == PCIPASS_CMD_RELEASE)
		return (!r->err && r->has_outcome &&
			r->outcome == PCIPASS_OUTCOME_RELEASED) ||
		       (r->err == -ENOENT && (!r->has_outcome ||
					      r->outcome == PCIPASS_OUTCOME_REFUSED));
	if (!r->err)
		return r->has_outcome &&
		       (r->outcome == PCIPASS_OUTCOME_CLAIMED ||
			r->outcome == PCIPASS_OUTCOME_ALREADY_CLAIMED);
	if (busy_ok && r->err == -EBUSY && r->has_outcome &&
	    r->outcome == PCIPASS_OUTCOME_REFUSED)
		return true;
	return rollback_ok && r->has_outcome &&
	       r->outcome == PCIPASS_OUTCOME_ROLLED_BACK;
}
