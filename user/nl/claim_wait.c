// SPDX-License-Identifier: GPL-2.0
/*
 * Waiting for a queued claim or release.  The kernel multicasts
 * claim-finished / release-finished on the events group when a
 * transaction that changed something ends, so the waiter sleeps on that
 * socket and the caller asks claim-get as soon as anything arrives.  A
 * transaction that ends without an event (a dry run, a refusal, a group
 * already claimed) or an event lost to a full socket buffer is caught by
 * the timeout the caller gives each wait.  Without the events group (an
 * older module) the wait is a plain sleep.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/handlers.h>
#include <netlink/socket.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/util.h"

static int skip_message(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

void claim_waiter_open(struct claim_waiter *w)
{
	int grp;

	w->sk = nl_socket_alloc();
	if (!w->sk)
		return;
	if (genl_connect(w->sk) < 0)
		goto fail;
	grp = genl_ctrl_resolve_grp(w->sk, PCIPASS_FAMILY_NAME,
				    PCIPASS_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(w->sk, grp) < 0)
		goto fail;
	/* multicast comes with sequence number 0; only wake-ups matter */
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, skip_message,
			    NULL);
	if (nl_socket_set_nonblocking(w->sk) < 0)
		goto fail;
	return;
fail:
	claim_waiter_close(w);
}

void claim_waiter_close(struct claim_waiter *w)
{
	nl_socket_free(w->sk);
	w->sk = NULL;
}

/* Return after @ms, on an event, or on a signal (the caller's stop flag). */
void claim_waiter_wait(struct claim_waiter *w, int ms)
{
	struct pollfd p = { .events = POLLIN };
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (long)(ms % 1000) * 1000000 };

	if (!w->sk) {
		nanosleep(&ts, NULL);
		return;
	}
	p.fd = nl_socket_get_fd(w->sk);
	if (poll(&p, 1, ms) <= 0)
		return;
	/* drain: what the events say does not matter, claim-get tells */
	while (nl_recvmsgs_default(w->sk) >= 0)
		;
}

/* The kernel's step in the words of the progress line: what is done to
 * which function, the way an operator would do it by hand.
 */
static const char *step_words(const struct claim_report *rep, const char *a,
			      char *buf, size_t size)
{
	const char *drv = rep->busy_driver && *rep->busy_driver ?
			  rep->busy_driver : NULL;

	switch (rep->busy_step) {
	case PCIPASS_STEP_UNBIND:
		snprintf(buf, size, "unbind %s from %s", a, drv ? drv : "its driver");
		break;
	case PCIPASS_STEP_BIND:
		snprintf(buf, size, "bind %s to %s", a, drv ? drv : "its driver");
		break;
	case PCIPASS_STEP_OVERRIDE:
		if (drv)
			snprintf(buf, size, "set the override of %s to %s", a, drv);
		else
			snprintf(buf, size, "clear the override of %s", a);
		break;
	case PCIPASS_STEP_VERIFY:
		snprintf(buf, size, "verify %s", a);
		break;
	case PCIPASS_STEP_RESTORE:
		snprintf(buf, size, "restore %s to %s", a, drv ? drv : "its driver");
		break;
	default:
		snprintf(buf, size, "step %u of %s", rep->busy_step, a);
		break;
	}
	return buf;
}

const char *claim_wait_words(const struct claim_report *rep,
			     const struct claim_req *req, char *buf,
			     size_t size)
{
	const char *verb = req->op == CLAIM_OP_CLAIM ? "claim" : "release";
	char a[ADDR_STRLEN];

	if (rep->busy_step == PCIPASS_STEP_LOAD_MODULE)
		snprintf(buf, size, "%s of %s: loading the module %s", verb,
			 req->arg, rep->busy_driver ? rep->busy_driver : "");
	else if (rep->busy_step && rep->has_busy_addr)
		step_words(rep, addr_fmt(&rep->busy_addr, a), buf, size);
	else if (rep->tx_state == PCIPASS_TX_QUEUED)
		snprintf(buf, size, "%s of %s, queued behind another claim or release",
			 verb, req->arg);
	else
		snprintf(buf, size, "%s of %s", verb, req->arg);
	return buf;
}
