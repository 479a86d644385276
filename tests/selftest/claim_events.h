/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test's events.* fixture: the events multicast group during a
 * claim and a release, for a privileged and an unprivileged subscriber.
 *
 * Part of claim_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "claim_check.h"

/* --- events -------------------------------------------------------------- */

FIXTURE(events) {
	struct guard g;
};

FIXTURE_SETUP(events)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN("0000:06:00.1");
	guard_setup(_metadata, &self->g);
}

FIXTURE_TEARDOWN_PARENT(events)
{
	guard_teardown(_metadata, &self->g);
}

static int find_event(const struct ppc_event *ev, int n, int from, uint32_t type,
		      const char *name)
{
	int i;

	for (i = from; i < n; i++)
		if (ev[i].type == type && (!name || !strcmp(ev[i].name, name)))
			return i;
	return -1;
}

/*
 * One transaction's events: started first, finished last, and for each
 * member that moved: unbound (old driver) before bound (new driver), an
 * override change before both; the last bound driver and the last
 * override are what sysfs says now.
 */
static void check_tx_events(struct __test_metadata *_metadata,
			    const struct ppc_event *ev, int n, bool claim,
			    uint32_t group, const struct ppc_state *from,
			    const struct ppc_state *to)
{
	uint32_t started = claim ? PCIPASS_EVENT_CLAIM_STARTED : PCIPASS_EVENT_RELEASE_STARTED;
	uint32_t finished = claim ? PCIPASS_EVENT_CLAIM_FINISHED :
			    PCIPASS_EVENT_RELEASE_FINISHED;
	const struct ppc_fn *mem[PPC_MAX_MEM];
	int i, k, m;

	for (i = 0; i < n; i++)
		TH_LOG("event %d: %s %s driver '%s' override %s'%s' group %u outcome %u error %d",
		       i, ppc_event_name(ev[i].type), ev[i].name, ev[i].driver,
		       ev[i].has_override ? "" : "(none)", ev[i].override, ev[i].group,
		       ev[i].outcome, ev[i].error);
	ASSERT_LE(2, n);
	EXPECT_EQ(started, ev[0].type);
	EXPECT_TRUE(ev[0].has_group && ev[0].group == group);
	EXPECT_EQ(finished, ev[n - 1].type);
	EXPECT_TRUE(ev[n - 1].has_group && ev[n - 1].group == group);
	EXPECT_TRUE(ev[n - 1].has_outcome && ev[n - 1].outcome ==
		    (claim ? PCIPASS_OUTCOME_CLAIMED : PCIPASS_OUTCOME_RELEASED));
	EXPECT_TRUE(ev[n - 1].has_error && ev[n - 1].error == 0);
	EXPECT_EQ(-1, find_event(ev, n, 1, started, NULL)) TH_LOG("started twice");
	EXPECT_EQ(n - 1, find_event(ev, n, 0, finished, NULL)) TH_LOG("finished early");
	m = ppc_group_members(from, group, mem, PPC_MAX_MEM);
	for (k = 0; k < m; k++) {
		const struct ppc_fn *a = ppc_state_find(to, mem[k]->name);
		int ovr = -1, unb = -1, bnd = -1;

		ASSERT_NE(NULL, a);
		for (i = 0; i < n; i++) {
			if (strcmp(ev[i].name, mem[k]->name))
				continue;
			if (ev[i].type == PCIPASS_EVENT_OVERRIDE_CHANGED)
				ovr = i;
			else if (ev[i].type == PCIPASS_EVENT_DRIVER_UNBOUND && unb < 0)
				unb = i;
			else if (ev[i].type == PCIPASS_EVENT_DRIVER_BOUND)
				bnd = i;
		}
		if (mem[k]->bridge) {
			EXPECT_TRUE(ovr < 0 && unb < 0 && bnd < 0)
				TH_LOG("bridge %s has events", mem[k]->name);
			continue;
		}
		if (strcmp(mem[k]->override, a->override)) {
			EXPECT_LE(0, ovr) TH_LOG("%s: no override-changed", a->name);
			if (ovr >= 0)
				EXPECT_STREQ(a->override, ev[ovr].override)
					TH_LOG("%s: last override event", a->name);
		}
		if (!strcmp(mem[k]->driver, a->driver))
			continue;
		if (mem[k]->driver[0]) {
			EXPECT_LE(0, unb) TH_LOG("%s: no driver-unbound", a->name);
			if (unb >= 0)
				EXPECT_STREQ(mem[k]->driver, ev[unb].driver);
		}
		EXPECT_LE(0, bnd) TH_LOG("%s: no driver-bound", a->name);
		if (bnd >= 0) {
			EXPECT_STREQ(a->driver, ev[bnd].driver) TH_LOG("%s: bound", a->name);
			EXPECT_LT(unb, bnd);
		}
		if (claim && ovr >= 0 && unb >= 0)
			EXPECT_LT(ovr, unb) TH_LOG("%s: override after unbind", a->name);
	}
}

TEST_F(events, claim_and_release_of_c)
{
	struct ppc_req q = { .claim = true, .addr = "0000:06:00.0" };
	struct ppc_event *ev = calloc(256, sizeof(*ev));
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *after = malloc(sizeof(*after));
	char why[2048] = "";
	struct nl_sock es;
	uint16_t efam;
	uint32_t group;
	struct chan c;
	int n;

	ASSERT_NE(NULL, ev);
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, after);
	group = group_of(_metadata, &self->g.before, q.addr);
	ASSERT_EQ(0, ppc_events_open(&es, &efam));
	chan_open(_metadata, &c, false);
	ASSERT_EQ(0, request(_metadata, &c, &q, r)) TH_LOG("%s", r->msg);
	ASSERT_EQ(0, ppc_state_read(after));
	n = ppc_events_read(&es, efam, ev, 256, why, sizeof(why));
	ASSERT_LE(0, n) TH_LOG("events: %s %s", strerror(-n), why);
	check_tx_events(_metadata, ev, n, true, group, &self->g.before, after);
	EXPECT_STREQ("0000:06:00.0", ev[0].name);

	q.claim = false;
	ASSERT_EQ(0, request(_metadata, &c, &q, r)) TH_LOG("%s", r->msg);
	n = ppc_events_read(&es, efam, ev, 256, why, sizeof(why));
	ASSERT_LE(0, n) TH_LOG("events: %s %s", strerror(-n), why);
	{
		struct ppc_state *released = malloc(sizeof(*released));

		ASSERT_NE(NULL, released);
		ASSERT_EQ(0, ppc_state_read(released));
		/* the release starts from the claimed state */
		check_tx_events(_metadata, ev, n, false, group, after, released);
		free(released);
	}
	expect_unchanged(_metadata, &self->g.before, "after release");
	nl_close(&es);
	chan_close(&c);
	free(after);
	free(r);
	free(ev);
}

TEST_F(events, unprivileged_subscriber)
{
	struct ppc_req q = { .claim = true, .addr = "0000:06:00.0" };
	struct ppc_report *r = malloc(sizeof(*r));
	int p2c[2], c2p[2], status;
	struct chan c;
	char x;
	pid_t pid;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ppc_event ev[64];
		char why[1024] = "";
		struct pollfd pfd;
		struct nl_sock es;
		uint16_t efam;
		int n;

		if (pp_drop_privileges() || ppc_events_open(&es, &efam))
			_exit(100);
		if (write(c2p[1], "s", 1) != 1 || read(p2c[0], &x, 1) != 1)
			_exit(101);
		pfd.fd = es.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 5000) != 1)
			_exit(102);
		n = ppc_events_read(&es, efam, ev, 64, why, sizeof(why));
		if (n < 2 || ev[0].type != PCIPASS_EVENT_CLAIM_STARTED ||
		    find_event(ev, n, 0, PCIPASS_EVENT_CLAIM_FINISHED, NULL) < 0)
			_exit(103);
		_exit(0);
	}
	ASSERT_EQ(1, read(c2p[0], &x, 1));
	chan_open(_metadata, &c, false);
	EXPECT_EQ(0, request(_metadata, &c, &q, r)) TH_LOG("%s", r->msg);
	ASSERT_EQ(1, write(p2c[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("unprivileged subscriber: status %#x", status);
	q.claim = false;
	EXPECT_EQ(0, request(_metadata, &c, &q, r)) TH_LOG("%s", r->msg);
	expect_unchanged(_metadata, &self->g.before, "after release");
	chan_close(&c);
	free(r);
}
