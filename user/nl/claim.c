// SPDX-License-Identifier: GPL-2.0
/*
 * The CLAIM and RELEASE requests and their reply.  The reply comes before
 * the error when a transaction fails, so pnl_do()'s parse callback keeps it
 * and its return value carries the error (with the extack in nl->err).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/progress.h"
#include "lib/util.h"
#include "nl/device.h"
#include "nl/nl.h"
#include "nl/policy.h"

static char *opt_strdup(struct nlattr *a)
{
	return a ? xstrdup(nla_get_string(a)) : NULL;
}

static int parse_member(struct nlattr *nest, struct claim_member *m)
{
	struct nlattr *tb[PCIPASS_A_MEMBER_MAX + 1];

	if (nla_parse_nested(tb, PCIPASS_A_MEMBER_MAX, nest,
			     pnl_policy_claim_member) < 0 ||
	    !tb[PCIPASS_A_MEMBER_ADDR] || !tb[PCIPASS_A_MEMBER_STATE])
		return -EBADMSG;
	if (addr_from_nest(tb[PCIPASS_A_MEMBER_ADDR], &m->addr))
		return -EBADMSG;
	m->state = nla_get_u32(tb[PCIPASS_A_MEMBER_STATE]);
	m->from_driver = opt_strdup(tb[PCIPASS_A_MEMBER_FROM_DRIVER]);
	m->from_override = opt_strdup(tb[PCIPASS_A_MEMBER_FROM_OVERRIDE]);
	m->to_driver = opt_strdup(tb[PCIPASS_A_MEMBER_TO_DRIVER]);
	/* A refused claim leaves to-driver out: untouched, so unchanged. */
	if (m->state == PCIPASS_MEMBER_UNTOUCHED && !m->to_driver &&
	    m->from_driver)
		m->to_driver = xstrdup(m->from_driver);
	if (tb[PCIPASS_A_MEMBER_STEP]) {
		m->has_step = true;
		m->step = nla_get_u32(tb[PCIPASS_A_MEMBER_STEP]);
	}
	if (tb[PCIPASS_A_MEMBER_ERROR]) {
		m->error = (int32_t)nla_get_u32(tb[PCIPASS_A_MEMBER_ERROR]);
		/* Either sign is read as an errno. */
		if (m->error > 0)
			m->error = -m->error;
	}
	return 0;
}

static int parse_blocker(struct nlattr *nest, struct claim_blocker *b)
{
	struct nlattr *tb[PCIPASS_A_CBLOCKER_MAX + 1];

	if (nla_parse_nested(tb, PCIPASS_A_CBLOCKER_MAX, nest,
			     pnl_policy_claim_blocker) < 0 ||
	    !tb[PCIPASS_A_CBLOCKER_ADDR] || !tb[PCIPASS_A_CBLOCKER_REASON])
		return -EBADMSG;
	if (addr_from_nest(tb[PCIPASS_A_CBLOCKER_ADDR], &b->addr))
		return -EBADMSG;
	b->reason = nla_get_u32(tb[PCIPASS_A_CBLOCKER_REASON]);
	b->detail = opt_strdup(tb[PCIPASS_A_CBLOCKER_DETAIL]);
	b->forced = !!tb[PCIPASS_A_CBLOCKER_FORCED];
	return 0;
}

static int parse_lists(struct nlmsghdr *nlh, struct claim_report *rep)
{
	struct nlattr *a;
	int rem, err = 0;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) == PCIPASS_A_CLAIM_MEMBER) {
			rep->members = xrealloc(rep->members,
						(rep->nr_members + 1) *
						sizeof(*rep->members));
			memset(&rep->members[rep->nr_members], 0,
			       sizeof(*rep->members));
			err = parse_member(a, &rep->members[rep->nr_members++]);
		} else if (nla_type(a) == PCIPASS_A_CLAIM_BLOCKER) {
			rep->blockers = xrealloc(rep->blockers,
						 (rep->nr_blockers + 1) *
						 sizeof(*rep->blockers));
			memset(&rep->blockers[rep->nr_blockers], 0,
			       sizeof(*rep->blockers));
			err = parse_blocker(a, &rep->blockers[rep->nr_blockers++]);
		}
		if (err)
			return err;
	}
	return 0;
}

int claim_parse_reply(struct nl_msg *msg, struct claim_report *rep)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PCIPASS_A_CLAIM_MAX + 1];
	int err;

	/* One reply per request; a second one would be a kernel bug, and
	 * the last one wins rather than merging two reports.
	 */
	claim_report_free(rep);
	if (genlmsg_parse(nlh, 0, tb, PCIPASS_A_CLAIM_MAX, pnl_policy_claim) < 0)
		return -EBADMSG;
	if (tb[PCIPASS_A_CLAIM_GROUP]) {
		rep->has_group = true;
		rep->group = nla_get_u32(tb[PCIPASS_A_CLAIM_GROUP]);
	}
	rep->driver = opt_strdup(tb[PCIPASS_A_CLAIM_DRIVER]);
	if (tb[PCIPASS_A_CLAIM_OUTCOME]) {
		rep->has_outcome = true;
		rep->outcome = nla_get_u32(tb[PCIPASS_A_CLAIM_OUTCOME]);
	}
	if (tb[PCIPASS_A_CLAIM_TXID])
		rep->txid = nla_get_u32(tb[PCIPASS_A_CLAIM_TXID]);
	if (tb[PCIPASS_A_CLAIM_TX_STATE])
		rep->tx_state = nla_get_u32(tb[PCIPASS_A_CLAIM_TX_STATE]);
	if (tb[PCIPASS_A_CLAIM_BUSY_STEP])
		rep->busy_step = nla_get_u32(tb[PCIPASS_A_CLAIM_BUSY_STEP]);
	if (tb[PCIPASS_A_CLAIM_BUSY_MS])
		rep->busy_ms = nla_get_u32(tb[PCIPASS_A_CLAIM_BUSY_MS]);
	rep->busy_driver = opt_strdup(tb[PCIPASS_A_CLAIM_BUSY_DRIVER]);
	if (tb[PCIPASS_A_CLAIM_BUSY_ADDR] &&
	    !addr_from_nest(tb[PCIPASS_A_CLAIM_BUSY_ADDR], &rep->busy_addr))
		rep->has_busy_addr = true;
	err = parse_lists(nlh, rep);
	if (err) {
		claim_report_free(rep);
		return err;
	}
	/* a queued or running transaction has no report yet */
	rep->has_reply = !rep->tx_state || rep->tx_state == PCIPASS_TX_DONE;
	return 0;
}

static int parse_reply(struct nl_msg *msg, void *arg)
{
	return claim_parse_reply(msg, arg);
}

static int fill_request(struct nl_msg *msg, const void *arg)
{
	const struct claim_req *req = arg;

	if (req->by_group) {
		if (nla_put_u32(msg, PCIPASS_A_CLAIM_GROUP, req->group) < 0)
			return -EMSGSIZE;
	} else if (addr_to_nest(msg, PCIPASS_A_CLAIM_ADDR, &req->addr)) {
		return -EMSGSIZE;
	}
	/* RELEASE has no driver attribute: the claim's driver is released. */
	if (req->op == CLAIM_OP_CLAIM && req->driver &&
	    nla_put_string(msg, PCIPASS_A_CLAIM_DRIVER, req->driver) < 0)
		return -EMSGSIZE;
	if (req->flags &&
	    nla_put_u32(msg, PCIPASS_A_CLAIM_FLAGS, req->flags) < 0)
		return -EMSGSIZE;
	return 0;
}

static int fill_txid(struct nl_msg *msg, const void *arg)
{
	return nla_put_u32(msg, PCIPASS_A_CLAIM_TXID,
			   *(const uint32_t *)arg) < 0 ? -EMSGSIZE : 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* The kernel queues the transaction and answers with its id; ask how it
 * stands when an event arrives (or after a backoff, for what ends without
 * one) until it is done, @timeout_ms passes or *@stop is set.  A wait
 * that ends first returns -ETIMEDOUT or -EINTR with rep->tx_state not
 * done: the transaction goes on in the kernel.
 */
int claim_transact(struct pnl *nl, const struct claim_req *req,
		   struct claim_report *rep, int timeout_ms, volatile int *stop)
{
	uint8_t cmd = req->op == CLAIM_OP_CLAIM ? PCIPASS_CMD_CLAIM
						: PCIPASS_CMD_RELEASE;
	long long end = now_ms() + timeout_ms;
	char words[PROGRESS_MAX];
	struct claim_waiter w;
	struct progress pr;
	uint32_t txid;
	int rc, ms = 2;

	memset(rep, 0, sizeof(*rep));
	claim_waiter_open(&w);
	progress_start(&pr);
	rc = pnl_do(nl, cmd, fill_request, req, parse_reply, rep);
	if (rc || !rep->txid)
		goto out;
	txid = rep->txid;
	/* even one already done tells its outcome to claim-get only */
	for (;;) {
		if (rep->tx_state != PCIPASS_TX_DONE) {
			long long left = end - now_ms();

			rc = stop && *stop ? -EINTR : left <= 0 ? -ETIMEDOUT : 0;
			if (rc)
				break;
			claim_waiter_wait(&w, ms < left ? ms : (int)left);
			ms = ms < 200 ? ms * 2 : 250;
		}
		rc = pnl_do(nl, PCIPASS_CMD_CLAIM_GET, fill_txid, &txid,
			    parse_reply, rep);
		if (rc || rep->tx_state == PCIPASS_TX_DONE)
			break;
		progress_update(&pr, claim_wait_words(rep, req, words,
						      sizeof(words)));
	}
out:
	progress_end(&pr);
	claim_waiter_close(&w);
	return rc;
}

const char *claim_busy_words(const struct claim_report *rep, char *buf,
			     size_t size)
{
	static const char *const step[] = {
		[PCIPASS_STEP_OVERRIDE] = "override of",
		[PCIPASS_STEP_UNBIND] = "unbind of",
		[PCIPASS_STEP_BIND] = "bind of",
		[PCIPASS_STEP_LOAD_MODULE] = "loading the module",
	};
	const char *what = rep->busy_step < ARRAY_SIZE(step) &&
			   step[rep->busy_step] ? step[rep->busy_step] : "a step of";
	char a[ADDR_STRLEN];

	if (!rep->busy_step) {
		snprintf(buf, size, "%s", rep->tx_state == PCIPASS_TX_QUEUED ?
			 "queued behind another transaction" : "running");
		return buf;
	}
	if (rep->has_busy_addr) {
		addr_fmt(&rep->busy_addr, a);
		if (rep->busy_step == PCIPASS_STEP_OVERRIDE &&
		    (!rep->busy_driver || !*rep->busy_driver)) {
			snprintf(buf, size, "waited %u s clearing the override of %s",
				 rep->busy_ms / 1000, a);
			return buf;
		}
		snprintf(buf, size, "waited %u s in %s %s %s %s",
			 rep->busy_ms / 1000, what, a,
			 rep->busy_step == PCIPASS_STEP_UNBIND ? "from" :
			 rep->busy_step == PCIPASS_STEP_OVERRIDE ? "with" : "to",
			 rep->busy_driver ? rep->busy_driver : "(none)");
	} else {
		snprintf(buf, size, "waited %u s %s %s", rep->busy_ms / 1000,
			 what, rep->busy_driver ? rep->busy_driver : "");
	}
	return buf;
}

void claim_report_free(struct claim_report *rep)
{
	for (size_t i = 0; i < rep->nr_members; i++) {
		free(rep->members[i].from_driver);
		free(rep->members[i].from_override);
		free(rep->members[i].to_driver);
	}
	for (size_t i = 0; i < rep->nr_blockers; i++) {
		free(rep->blockers[i].detail);
		free(rep->blockers[i].holder);
	}
	free(rep->members);
	free(rep->blockers);
	free(rep->driver);
	free(rep->busy_driver);
	memset(rep, 0, sizeof(*rep));
}
