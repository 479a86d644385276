// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass monitor [--count N]: print the module's events as they come,
 * one line (or one JSON object) each, flushed at once so a pipe sees them.
 * Needs no privileges.  SIGINT and SIGTERM end it with status 0; so does
 * the N-th event.  The module unloading ends it with status 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <linux/pcipass.h>

#include "cli.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/event.h"
#include "nl/nl.h"

/* Bursts come from claims of large groups: give them room before the
 * kernel drops events (ENOBUFS).
 */
#define RCVBUF_BYTES (1 << 20)

static volatile sig_atomic_t stop;

struct monitor {
	int family;
	unsigned long count;
	unsigned long limit;	/* 0: none */
	bool unloaded;
	bool write_error;
};

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static bool done(const struct monitor *m)
{
	return stop || m->unloaded || m->write_error ||
	       (m->limit && m->count >= m->limit);
}

/* nlctrl's notification that a family went away: ours means the module
 * was unloaded and no event will come any more.
 */
static void check_unload(struct nl_msg *msg, struct monitor *m)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *gh;

	if (!genlmsg_valid_hdr(nlh, 0))
		return;
	gh = nlmsg_data(nlh);
	if (gh->cmd != CTRL_CMD_DELFAMILY ||
	    genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_ID] ||
	    nla_get_u16(tb[CTRL_ATTR_FAMILY_ID]) != m->family)
		return;
	m->unloaded = true;
}

static int on_message(struct nl_msg *msg, void *arg)
{
	struct monitor *m = arg;
	struct pp_event ev;
	int rc;

	if (done(m))
		return NL_STOP;
	if (nlmsg_hdr(msg)->nlmsg_type == GENL_ID_CTRL) {
		check_unload(msg, m);
		return NL_OK;
	}
	if (nlmsg_hdr(msg)->nlmsg_type != m->family)
		return NL_OK;
	rc = event_parse(msg, &ev);
	if (rc == -EAGAIN)
		return NL_OK;
	if (rc) {
		pp_err("skipped a malformed event from the kernel module");
		return NL_OK;
	}
	event_print(&ev);
	if (print_flush())
		m->write_error = true;
	print_cleanup();
	if (fflush(stdout) == EOF || ferror(stdout))
		m->write_error = true;
	m->count++;
	return done(m) ? NL_STOP : NL_OK;
}

/* Events are multicast with sequence number 0: nothing to check. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int subscribe(struct pnl *nl, struct monitor *m)
{
	int grp, ctrl_grp, rc;

	grp = genl_ctrl_resolve_grp(nl->sk, PCIPASS_FAMILY_NAME,
				    PCIPASS_MCGRP_EVENTS);
	if (grp == -NLE_OBJ_NOTFOUND) {
		pp_err("the loaded pcipass module has no '%s' multicast group: load the one built with this CLI ('modprobe -r pcipass && modprobe pcipass')",
		       PCIPASS_MCGRP_EVENTS);
		return -ENOENT;
	}
	if (grp < 0) {
		pp_err("cannot resolve the '%s' multicast group: %s",
		       PCIPASS_MCGRP_EVENTS, nl_geterror(grp));
		return -EIO;
	}
	rc = nl_socket_add_membership(nl->sk, grp);
	if (rc < 0) {
		pp_err("cannot join the '%s' multicast group: %s",
		       PCIPASS_MCGRP_EVENTS, nl_geterror(rc));
		return -EIO;
	}
	/* Only to notice an unload; monitoring works without it. */
	ctrl_grp = genl_ctrl_resolve_grp(nl->sk, "nlctrl", "notify");
	if (ctrl_grp >= 0)
		nl_socket_add_membership(nl->sk, ctrl_grp);

	nl_socket_disable_seq_check(nl->sk);
	nl_socket_set_buffer_size(nl->sk, RCVBUF_BYTES, 0);
	rc = nl_socket_set_nonblocking(nl->sk);
	if (rc < 0) {
		pp_err("cannot make the netlink socket non-blocking: %s",
		       nl_geterror(rc));
		return -EIO;
	}
	m->family = nl->family;
	return 0;
}

/* The signals stay blocked except inside ppoll(), so one that arrives
 * between the check of stop and the wait is not lost.
 */
static int setup_signals(sigset_t *wait_mask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, wait_mask))
		return -errno;
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGTERM);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		return -errno;
	return 0;
}

static int receive(struct pnl *nl, struct nl_cb *cb, struct monitor *m,
		   const sigset_t *wait_mask)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	int rc;

	while (!done(m)) {
		if (ppoll(&pfd, 1, NULL, wait_mask) < 0) {
			if (errno == EINTR)
				continue;
			pp_err("waiting for events failed: %s", strerror(errno));
			return -EIO;
		}
		rc = nl_recvmsgs(nl->sk, cb);
		if (rc == -NLE_NOMEM) {
			/* ENOBUFS: the kernel dropped events for us. */
			pp_err("some events were lost: they came faster than they could be printed");
			continue;
		}
		if (rc < 0 && rc != -NLE_AGAIN) {
			pp_err("receiving events failed: %s", nl_geterror(rc));
			return -EIO;
		}
	}
	if (m->unloaded) {
		pp_err("the pcipass module was unloaded: no more events");
		return -ENOENT;
	}
	if (m->write_error) {
		pp_err("write error on standard output");
		return -EIO;
	}
	return 0;
}

static int monitor(unsigned long limit)
{
	struct monitor m = { .limit = limit };
	sigset_t wait_mask;
	struct nl_cb *cb;
	struct pnl nl;
	int rc;

	rc = setup_signals(&wait_mask);
	if (rc) {
		pp_err("cannot set up signal handling: %s", strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (pnl_open_or_report(&nl))
		return EXIT_RUNTIME;
	rc = subscribe(&nl, &m);
	cb = rc ? NULL : nl_cb_alloc(NL_CB_DEFAULT);
	if (!rc && !cb) {
		pp_err("cannot allocate netlink callbacks");
		rc = -ENOMEM;
	}
	if (!rc) {
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_message, &m);
		/* A fresh cb checks sequence numbers again, whatever
		 * nl_socket_disable_seq_check() did to the socket's own.
		 */
		nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
		/* Nothing on stdout but events: scripts read it. */
		if (isatty(STDOUT_FILENO) && isatty(STDERR_FILENO))
			fputs("monitoring pcipass events (Ctrl-C to stop)\n",
			      stderr);
		rc = receive(&nl, cb, &m, &wait_mask);
		nl_cb_put(cb);
	}
	pnl_close(&nl);
	return rc ? EXIT_RUNTIME : EXIT_OK;
}

static bool parse_count(const char *s, unsigned long *n)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*n = strtoul(s, &end, 10);
	return !errno && *n > 0;
}

static int cmd_monitor(int argc, char **argv)
{
	unsigned long limit = 0;
	int c;

	while ((c = cli_getopt(argc, argv, &cli_cmd_monitor)) != -1) {
		switch (c) {
		case 'c':
			if (!parse_count(optarg, &limit))
				return cli_usage_error("monitor: --count wants a positive number, not '%s'",
						       optarg);
			break;
		case 'h':
			return cli_help(&cli_cmd_monitor);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cli_usage_error("monitor: unexpected argument '%s'",
				       argv[optind]);
	return monitor(limit);
}

static const struct cli_opt monitor_opts[] = {
	{ "count", 'c', "N", "end after N events" },
	{ 0 },
};

const struct cli_cmd cli_cmd_monitor = {
	.name = "monitor",
	.run = cmd_monitor,
	.synopsis = "[--count N]",
	.summary = "print device, driver and claim events as they happen",
	.opts = monitor_opts,
	.help =
	"One line (with --json one JSON object) per event of the module:\n"
	"devices added and removed, drivers bound and unbound, overrides\n"
	"pcipass changed, claims and releases started and finished.  Ends on\n"
	"Ctrl-C or SIGTERM, or after N events.  Needs no privileges.\n"
	"\n"
	"Exit status: 0 ended as asked, 1 could not run or the module went\n"
	"away, 2 usage error.\n",
};
