/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test only: what its fixtures share on the harness's side.  A
 * channel (netlink socket or /dev/pcipass) and a request on it, the
 * checks of a report against sysfs and VFIO, the round trip, and the
 * guard every fixture keeps: a snapshot taken first and written back in
 * the harness's parent process whatever the test did.
 *
 * Static functions in a header, included by claim_test.c and its fixture
 * files (claim_*.h): they use ASSERT/EXPECT/TH_LOG/SKIP, and
 * kselftest_harness.h may be included by only one file of a program.
 */
#ifndef PCIPASS_SELFTEST_CLAIM_CHECK_H
#define PCIPASS_SELFTEST_CLAIM_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "harness.h"

#include "claim_env.h"
#include "ppclaim.h"
#include "ppsnap.h"

#define NEED_MODULE() do {						\
	if (!pp_module_loaded())					\
		SKIP(return, "pcipass module not loaded");		\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

#define NEED_FN(name) do {						\
	if (!pp_sysfs_has_name(name))					\
		SKIP(return, "%s: not in this machine (tests/vm/topology.sh)", name); \
} while (0)

/* A channel: netlink socket or /dev/pcipass. */
struct chan {
	bool ioc;
	struct nl_sock s;
	uint16_t family;
	int fd;
};

static void chan_open(struct __test_metadata *_metadata, struct chan *c, bool ioc)
{
	memset(c, 0, sizeof(*c));
	c->ioc = ioc;
	c->fd = -1;
	c->s.fd = -1;
	if (ioc) {
		c->fd = open(PCIPASS_DEV_PATH, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, c->fd) TH_LOG("%s: %s", PCIPASS_DEV_PATH, strerror(errno));
	} else {
		ASSERT_EQ(0, pp_nl_open(&c->s, &c->family, 0));
	}
}

static void chan_close(struct chan *c)
{
	if (c->ioc && c->fd >= 0)
		close(c->fd);
	if (!c->ioc && c->s.fd >= 0)
		nl_close(&c->s);
}

/* Send; returns the kernel's 0/-errno.  A malformed exchange fails the test. */
static int request(struct __test_metadata *_metadata, struct chan *c,
		   const struct ppc_req *q, struct ppc_report *r)
{
	char why[2048] = "";
	int ret;

	if (c->ioc)
		return ppc_ioc(c->fd, q, r);
	ret = ppc_nl(&c->s, c->family, q, r, why, sizeof(why));
	EXPECT_EQ(0, ret) TH_LOG("netlink exchange: %s %s", strerror(-ret), why);
	return ret ? ret : r->error;
}

static uint32_t group_of(struct __test_metadata *_metadata,
			 const struct ppc_state *st, const char *name)
{
	const struct ppc_fn *f = ppc_state_find(st, name);

	EXPECT_NE(NULL, f) TH_LOG("%s: not in sysfs", name);
	return f ? f->group : UINT32_MAX;
}

static const struct ppc_fn *need(struct __test_metadata *_metadata,
				 const struct ppc_state *st, const char *name)
{
	const struct ppc_fn *f = ppc_state_find(st, name);

	EXPECT_NE(NULL, f) TH_LOG("%s: not in sysfs", name);
	return f;
}

/*
 * The members of a report are exactly the group's functions in sysfs, and
 * each says where it came from (@before) and where it is now (@after).
 */
static void check_members(struct __test_metadata *_metadata,
			  const struct ppc_report *r, const struct ppc_state *before,
			  const struct ppc_state *after, uint32_t group,
			  bool check_to)
{
	const struct ppc_fn *mem[PPC_MAX_MEM];
	int n, i;

	n = ppc_group_members(before, group, mem, PPC_MAX_MEM);
	EXPECT_EQ(n, r->nmembers) TH_LOG("group %u: %d functions in sysfs, %d members",
					 group, n, r->nmembers);
	for (i = 0; i < n; i++) {
		const struct ppc_member *m = ppc_member(r, mem[i]->name);
		const struct ppc_fn *a = ppc_state_find(after, mem[i]->name);

		EXPECT_NE(NULL, m) TH_LOG("%s: not in the report", mem[i]->name);
		if (!m || !a)
			continue;
		EXPECT_STREQ(mem[i]->driver, m->from_driver) TH_LOG("%s from-driver", m->name);
		EXPECT_STREQ(mem[i]->override, m->from_override)
			TH_LOG("%s from-override", m->name);
		if (check_to)
			EXPECT_STREQ(a->driver, m->to_driver)
				TH_LOG("%s to-driver (%s)", m->name, ppc_state_name(m->state));
	}
}

/* VFIO's verdict on the group agrees with the drivers in sysfs. */
static void check_vfio(struct __test_metadata *_metadata,
		       const struct ppc_state *st, uint32_t group)
{
	const struct ppc_fn *mem[PPC_MAX_MEM];
	bool want = true;
	uint32_t flags = 0;
	int n, i, ret;

	n = ppc_group_members(st, group, mem, PPC_MAX_MEM);
	for (i = 0; i < n; i++)
		if (!dma_free(mem[i]->driver)) {
			TH_LOG("group %u: %s on %s (not DMA-managed)", group,
			       mem[i]->name, mem[i]->driver);
			want = false;
		}
	ret = ppc_vfio_status(group, &flags);
	ASSERT_EQ(0, ret) TH_LOG("/dev/vfio/%u: %s", group, strerror(-ret));
	EXPECT_TRUE(!!(flags & VFIO_GROUP_FLAGS_VIABLE))
		TH_LOG("group %u: VFIO says not viable (flags %#x)", group, flags);
	EXPECT_EQ(want, !!(flags & VFIO_GROUP_FLAGS_VIABLE))
		TH_LOG("group %u: sysfs says viable=%d, VFIO %#x", group, want, flags);
}

/*
 * The round trip: claim, check, claim again, release, check.  @target is
 * the driver asked for (NULL: the default, vfio-pci).
 */
static void round_trip(struct __test_metadata *_metadata, struct chan *c,
		       const char *addr, bool by_group, const char *target)
{
	struct ppc_state *before = malloc(sizeof(*before));
	struct ppc_state *after = malloc(sizeof(*after));
	struct ppc_state *claimed = malloc(sizeof(*claimed));
	struct ppc_report *r = malloc(sizeof(*r));
	const char *drv = target ? target : VFIO;
	const struct ppc_fn *mem[PPC_MAX_MEM];
	struct ppc_req q = { .claim = true, .driver = target };
	uint32_t group;
	char why[4096] = "";
	int i, n, ret;

	ASSERT_NE(NULL, before);
	ASSERT_NE(NULL, after);
	ASSERT_NE(NULL, claimed);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, ppc_state_read(before));
	group = group_of(_metadata, before, addr);
	ASSERT_NE(UINT32_MAX, group);
	n = ppc_group_members(before, group, mem, PPC_MAX_MEM);
	for (i = 0; i < n; i++)
		TH_LOG("group %u: %s driver '%s' override '%s'%s", group, mem[i]->name,
		       mem[i]->driver, mem[i]->override, mem[i]->bridge ? " (bridge)" : "");
	if (by_group) {
		q.by_group = true;
		q.group = group;
	} else {
		q.addr = addr;
	}

	/* claim */
	ret = request(_metadata, c, &q, r);
	ASSERT_EQ(0, ret) TH_LOG("claim %s: %s: %s", addr, strerror(-ret), r->msg);
	ASSERT_EQ(0, ppc_state_read(after));
	EXPECT_TRUE(r->has_reply && r->has_group && r->has_outcome);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_CLAIMED, r->outcome)
		TH_LOG("outcome %s", ppc_outcome_name(r->outcome));
	EXPECT_EQ(group, r->group);
	EXPECT_STREQ(drv, r->driver);
	EXPECT_EQ(0, r->nblockers);
	check_members(_metadata, r, before, after, group, true);
	for (i = 0; i < n; i++) {
		const struct ppc_fn *a = ppc_state_find(after, mem[i]->name);
		const struct ppc_member *m = ppc_member(r, mem[i]->name);
		uint32_t want;

		ASSERT_NE(NULL, a);
		if (mem[i]->bridge && bridge_detached(mem[i]->driver)) {
			EXPECT_STREQ("", a->driver) TH_LOG("bridge %s", a->name);
			EXPECT_STREQ(drv, a->override) TH_LOG("bridge %s", a->name);
			want = PCIPASS_MEMBER_UNBOUND_BRIDGE;
		} else if (mem[i]->bridge) {
			EXPECT_STREQ(mem[i]->driver, a->driver) TH_LOG("bridge %s", a->name);
			EXPECT_STREQ(mem[i]->override, a->override) TH_LOG("bridge %s", a->name);
			want = PCIPASS_MEMBER_SKIPPED_BRIDGE;
		} else {
			EXPECT_STREQ(drv, a->driver) TH_LOG("%s after the claim", a->name);
			EXPECT_STREQ(drv, a->override) TH_LOG("%s after the claim", a->name);
			want = strcmp(mem[i]->driver, drv) ? PCIPASS_MEMBER_CLAIMED :
			       PCIPASS_MEMBER_ALREADY;
		}
		if (m)
			EXPECT_EQ(want, m->state) TH_LOG("%s: state %s, want %s", m->name,
							 ppc_state_name(m->state),
							 ppc_state_name(want));
	}
	if (!strcmp(drv, VFIO))
		check_vfio(_metadata, after, group);

	/* claim again: nothing changes */
	ret = request(_metadata, c, &q, r);
	EXPECT_EQ(0, ret) TH_LOG("second claim: %s: %s", strerror(-ret), r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_ALREADY_CLAIMED, r->outcome)
		TH_LOG("second claim: outcome %s", ppc_outcome_name(r->outcome));
	expect_unchanged(_metadata, after, "second claim");
	*claimed = *after;

	/* release */
	q.claim = false;
	q.driver = NULL;
	ret = request(_metadata, c, &q, r);
	EXPECT_EQ(0, ret) TH_LOG("release: %s: %s", strerror(-ret), r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_RELEASED, r->outcome)
		TH_LOG("release: outcome %s", ppc_outcome_name(r->outcome));
	EXPECT_EQ(group, r->group);
	ASSERT_EQ(0, ppc_state_read(after));
	EXPECT_EQ(0, ppc_state_diff(before, after, why, sizeof(why)))
		TH_LOG("after release: %s", why);
	/* a release reports where each member comes from (the claim) and goes */
	check_members(_metadata, r, claimed, after, group, true);
	for (i = 0; i < r->nmembers; i++) {
		const struct ppc_fn *b = ppc_state_find(before, r->m[i].name);

		if (b && !b->bridge)
			EXPECT_EQ((uint32_t)PCIPASS_MEMBER_RELEASED, r->m[i].state)
				TH_LOG("%s: release state %s", b->name,
				       ppc_state_name(r->m[i].state));
	}

	/* released: a second release finds nothing */
	ret = request(_metadata, c, &q, r);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("second release: %s", r->msg);
	free(before);
	free(after);
	free(claimed);
	free(r);
}

/* --- the shared fixture part: snapshot and restore ---------------------- */

struct guard {
	struct ppc_state before;
	bool armed;
	bool fp_loaded;		/* this test insmod'ed pcipass-failprobe */
	char mnt[64];		/* mounted by this test */
};

static void guard_setup(struct __test_metadata *_metadata, struct guard *g)
{
	memset(g, 0, sizeof(*g));
	ASSERT_EQ(0, ppc_state_read(&g->before));
	g->armed = true;
}

/* Parent side: every group released, then sysfs written back. */
static void guard_teardown(struct __test_metadata *_metadata, struct guard *g)
{
	struct ppc_report *r = malloc(sizeof(*r));
	char why[4096] = "";
	struct nl_sock s;
	uint16_t family;
	int i, bad;

	if (!g->armed || !r)
		return;
	if (g->mnt[0]) {
		umount2(g->mnt, MNT_DETACH);
		rmdir(g->mnt);
	}
	if (!pp_nl_open(&s, &family, 0)) {
		for (i = 0; i < g->before.n; i++) {
			struct ppc_req q = { .by_group = true, .group = g->before.fn[i].group };

			if (i && g->before.fn[i - 1].group == q.group)
				continue;
			why[0] = 0;
			if (!ppc_nl(&s, family, &q, r, why, sizeof(why)) && !r->error)
				TH_LOG("teardown: released group %u", q.group);
		}
		nl_close(&s);
	}
	why[0] = 0;
	bad = ppc_state_restore(&g->before, why, sizeof(why));
	if (bad)
		TH_LOG("teardown: NOT restored: %s", why);
	host_nic_restore();
	if (g->fp_loaded)
		ppc_run("rmmod pcipass_failprobe");
	free(r);
	EXPECT_EQ(0, bad);
}

#endif
