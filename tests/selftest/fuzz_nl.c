// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: netlink sockets, and the exchange of one datagram: send it,
 * read until every message got its predicted answer, then nothing more.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fuzz_nl.h"
#include "fuzz_nlcheck.h"
#include "nlhelp.h"

#define RCV_TIMEOUT_S	2	/* no answer within this: the module hung */

static int nls_open(struct nlsock *s, bool ext_ack, bool cap_ack, bool exact)
{
	struct timeval tv = { .tv_sec = RCV_TIMEOUT_S };
	int on = ext_ack, cap = cap_ack;
	struct nl_sock ns;
	int ret;

	ret = nl_open(&ns, 0);
	if (ret)
		return ret;
	s->fd = ns.fd;
	s->portid = ns.portid;
	s->ext_ack = ext_ack;
	s->cap_ack = cap_ack;
	s->exact = exact;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &on, sizeof(on)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap, sizeof(cap)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv))) {
		ret = -errno;
		close(s->fd);
		s->fd = -1;
		return ret;
	}
	return 0;
}

/*
 * Socket 3 never offers the kernel a big receive buffer, so dumps come in
 * the smallest parts the kernel makes and resume more often.
 */
static const bool sock_opts[NSOCKS][3] = {
	/* EXT_ACK, CAP_ACK, exact reads */
	{ true, true, false }, { true, false, false }, { false, false, false },
	{ true, true, true },
};

int nlrun_reopen(struct nlrun *n, int i)
{
	if (n->socks[i].fd >= 0)
		close(n->socks[i].fd);
	n->socks[i].fd = -1;
	return nls_open(&n->socks[i], sock_opts[i][0], sock_opts[i][1], sock_opts[i][2]);
}

int nlrun_open(struct nlrun *n)
{
	int i, ret;

	for (i = 0; i < NSOCKS; i++) {
		ret = nlrun_reopen(n, i);
		if (ret)
			return ret;
	}
	return 0;
}

static struct nlexp *find_exp(struct nlrun *n, uint32_t seq)
{
	int i;

	for (i = 0; i < n->nexp; i++)
		if (n->ex[i].seq == seq)
			return &n->ex[i];
	return NULL;
}

/* Send the datagram and read every answer; 0, or -1 with c.why set. */
int nl_exchange(struct nlrun *n, struct nlsock *s, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int i, pending = 0, batch = 0;
	ssize_t r;

	for (i = 0; i < n->nexp; i++) {
		struct nlexp *e = &n->ex[i];

		n->c.stats->msgs++;
		if (e->kind == EX_SILENT)
			n->c.stats->silent++;
		else
			pending++;
	}
	r = sendto(s->fd, n->dg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
	if (!len && r < 0 && errno == ENODATA)
		return 0;	/* 6.12 refuses empty datagrams; older ignore them */
	if (r != (ssize_t)len) {
		why_set(&n->c, "sendto: %s", r < 0 ? strerror(errno) : "short");
		return -1;
	}
	while (pending) {
		struct sockaddr_nl from;
		struct iovec iov = { n->rx, RX_MAX };
		struct msghdr mh = {
			.msg_name = &from, .msg_namelen = sizeof(from),
			.msg_iov = &iov, .msg_iovlen = 1,
		};
		struct nlmsghdr *nlh;
		int left;

		if (s->exact) {
			struct msghdr peek = { 0 };

			r = recvmsg(s->fd, &peek, MSG_PEEK | MSG_TRUNC);
			if (r > RX_MAX) {
				why_set(&n->c, "a datagram of %zd bytes", r);
				return -1;
			}
			if (r >= 0)
				iov.iov_len = r;
		}
		if (!s->exact || r >= 0)
			r = recvmsg(s->fd, &mh, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			for (i = 0; i < n->nexp && n->ex[i].done; i++)
				;
			why_set(&n->c, "%s waiting for %s to message %d of %d (seq %u)%s",
				errno == EAGAIN ? "no answer in 2 s" : strerror(errno),
				want_str(&n->ex[i]), i + 1, n->nexp, n->ex[i].seq,
				errno == EAGAIN ? ": the module hung?" : "");
			return -1;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			why_set(&n->c, "answer truncated (%zd bytes)", r);
			return -1;
		}
		if (from.nl_pid) {
			why_set(&n->c, "datagram from port %u", from.nl_pid);
			return -1;
		}
		left = r;
		batch++;
		for (nlh = (struct nlmsghdr *)n->rx; NLMSG_OK(nlh, left);
		     nlh = NLMSG_NEXT(nlh, left)) {
			struct nlexp *e = find_exp(n, nlh->nlmsg_seq);
			int ret;

			if (nlh->nlmsg_pid != s->portid || !e || e->done) {
				why_set(&n->c, "message type %u flags %#x for port %u seq %u: %s",
					nlh->nlmsg_type, nlh->nlmsg_flags,
					nlh->nlmsg_pid, nlh->nlmsg_seq,
					nlh->nlmsg_pid != s->portid ? "not our port" :
					!e ? "no such request" :
					e->kind == EX_SILENT ? "want no answer" :
					"request already answered");
				return -1;
			}
			on_first_answer(n, e);
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				ret = on_error(n, s, nlh, e);
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				ret = on_done(n, s, nlh, e);
			} else if (nlh->nlmsg_type == n->family) {
				ret = on_data(n, nlh, e, batch);
			} else {
				why_set(&n->c, "message of type %u", nlh->nlmsg_type);
				ret = -1;
			}
			if (ret)
				return -1;
			if (e->done)
				pending--;
		}
		if (left) {
			why_set(&n->c, "%d bytes of garbage after the messages", left);
			return -1;
		}
	}
	/* Nothing else: do answers are queued before sendto() returns. */
	r = recv(s->fd, n->rx, RX_MAX, MSG_DONTWAIT);
	if (r >= 0 || errno != EAGAIN) {
		why_set(&n->c, "answer after the last expected one (%zd bytes%s%s)", r,
			r < 0 ? ", " : "", r < 0 ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

void nlrun_free_exp(struct nlrun *n)
{
	int i;

	for (i = 0; i < n->nexp; i++) {
		free(n->ex[i].seen);
		n->ex[i].seen = NULL;
	}
	n->nexp = 0;
}
