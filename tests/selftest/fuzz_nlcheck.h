/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: checking each message of the kernel's answer against the
 * prediction: NLMSG_ERROR (echo, capping, extended ACK), replies and dump
 * parts (strictly parsed, compared with sysfs), NLMSG_DONE.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_NLCHECK_H
#define PCIPASS_SELFTEST_FUZZ_NLCHECK_H

#include <linux/netlink.h>

#include "fuzz_nl.h"

/* Before the checks below, for each message's first answer. */
void on_first_answer(struct nlrun *n, struct nlexp *e);

/*
 * One answer message to request @e, which it may complete (e->done);
 * 0, or -1 with n->c.why set.  @batch: the recv() call that brought it.
 */
int on_error(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
	     struct nlexp *e);
/* A queued claim or release's end, by claim-get on @s; 0 or -1 (why set). */
struct nl_sock;
int check_queued_final(struct nlrun *n, struct nl_sock *s, struct nlexp *e);
int on_data(struct nlrun *n, const struct nlmsghdr *nlh, struct nlexp *e,
	    int batch);
int on_done(struct nlrun *n, struct nlsock *s, const struct nlmsghdr *nlh,
	    struct nlexp *e);

#endif
