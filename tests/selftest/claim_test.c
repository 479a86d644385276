// SPDX-License-Identifier: GPL-2.0
/*
 * claim and release (netlink and PCIPASS_IOC_CLAIM/RELEASE) judged by
 * ground truth the module does not compute: the driver symlink and
 * driver_override of every function in sysfs, and VFIO's own verdict
 * (VFIO_GROUP_GET_STATUS on /dev/vfio/N must say VIABLE after a claim to
 * vfio-pci).  The reply is checked against sysfs, never the other way.
 *
 *   rt.*       round trips on every shape of tests/vm/topology.sh with a
 *              claimable endpoint: claim, claim again (already-claimed),
 *              release, sysfs exactly as before (drivers and overrides);
 *              by address and by group id, over netlink and the ioctl, to
 *              vfio-pci and to pcipass-failprobe;
 *   dryrun.*   a dry run plans and changes nothing;
 *   rollback.* pcipass-failprobe fails a probe half way: EIO, rolled-back,
 *              the failing member at step bind, sysfs as before;
 *   refuse.*   every blocker of the module made real: the boot VGA
 *              (force takes it, release gives it back), active VFs; the
 *              host's losses (a mounted NVMe namespace, a caller whose
 *              root is on it, the host NIC) are planned and taken: they
 *              are the CLI's policy (tests/e2e/claim_host_test.py);
 *   valid.*    privilege and request validation, claim-get of an unknown
 *              txid, an unread outcome kept past newer read ones;
 *   events.*   the events multicast group during a claim and a release;
 *   stuck.*    a remove that blocks (failprobe block_remove): the ioctl's
 *              wait ends after claim_wait_s with ETIMEDOUT and the txid.
 *
 * Each fixture snapshots every function's driver and override first and
 * puts them back in the parent process whatever happened (release of
 * every group, then sysfs writes), also the host NIC's address and route.
 *
 * A real claim of a mounted block device is not tested: it would yank a
 * mounted filesystem from under the guest.  Dry runs show the module
 * plans it; the round trip runs once it is unmounted.
 *
 * rt, dryrun, stuck and rollback are here; refuse, valid and events in
 * claim_refuse.h, claim_valid.h and claim_events.h, included at the end.
 * What the fixtures share: claim_check.h (harness side), claim_env.c
 * (the test VM), ppclaim.c (requests and reports), ppcstate.c (sysfs).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#include "claim_check.h"

/* --- rt: round trips on every shape -------------------------------------- */

FIXTURE(rt) {
	struct guard g;
};

FIXTURE_VARIANT(rt) {
	const char *addr;
	bool by_group;
	bool ioctl;
	const char *driver;
};

/* (a) 01:00.0 starts on vfio-pci with override vfio-pci */
FIXTURE_VARIANT_ADD(rt, a_isolated) { .addr = "0000:01:00.0" };
/* (b) big group through a switch; 04:00.0 has override vfio-pci, on e1000e */
FIXTURE_VARIANT_ADD(rt, b_switch_by_group) { .addr = "0000:04:00.0", .by_group = true };
/* (c) multifunction; 06:00.1 starts on vfio-pci */
FIXTURE_VARIANT_ADD(rt, c_multifunction) { .addr = "0000:06:00.0" };
/* (d) the pcie-pci-bridge stays on its driver */
FIXTURE_VARIANT_ADD(rt, d_pci_bridge_by_group) { .addr = "0000:08:01.0", .by_group = true };
FIXTURE_VARIANT_ADD(rt, e_nvme) { .addr = "0000:09:00.0" };
FIXTURE_VARIANT_ADD(rt, f_vf) { .addr = "0000:0a:00.1" };
FIXTURE_VARIANT_ADD(rt, g_acs_off_by_group) { .addr = "0000:0b:00.0", .by_group = true };
FIXTURE_VARIANT_ADD(rt, h_switch_port) { .addr = "0000:0f:00.0" };
FIXTURE_VARIANT_ADD(rt, i_mf_acs_1) { .addr = "0000:10:00.0" };
FIXTURE_VARIANT_ADD(rt, i_mf_acs_2_by_group) { .addr = "0000:11:00.0", .by_group = true };
FIXTURE_VARIANT_ADD(rt, k_xhci) { .addr = "0000:13:00.0" };
FIXTURE_VARIANT_ADD(rt, c_ioctl) { .addr = "0000:06:00.0", .ioctl = true };
FIXTURE_VARIANT_ADD(rt, d_ioctl_by_group) { .addr = "0000:08:01.0", .by_group = true,
					    .ioctl = true };
FIXTURE_VARIANT_ADD(rt, c_failprobe) { .addr = "0000:06:00.0", .driver = FAILPROBE };

FIXTURE_SETUP(rt)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN(variant->addr);
	guard_setup(_metadata, &self->g);
	if (variant->driver && !strcmp(variant->driver, FAILPROBE) &&
	    failprobe_load(&self->g.fp_loaded))
		SKIP(return, "pcipass-failprobe: set PCIPASS_FAILPROBE_KO");
}

FIXTURE_TEARDOWN_PARENT(rt)
{
	guard_teardown(_metadata, &self->g);
}

TEST_F(rt, claim_again_release)
{
	struct chan c;

	chan_open(_metadata, &c, variant->ioctl);
	round_trip(_metadata, &c, variant->addr, variant->by_group, variant->driver);
	chan_close(&c);
}

/* --- dryrun -------------------------------------------------------------- */

FIXTURE(dryrun) {
	struct guard g;
};

FIXTURE_VARIANT(dryrun) {
	const char *addr;
	bool ioctl;
};

FIXTURE_VARIANT_ADD(dryrun, c_netlink) { .addr = "0000:06:00.0" };
FIXTURE_VARIANT_ADD(dryrun, d_netlink) { .addr = "0000:08:02.0" };
FIXTURE_VARIANT_ADD(dryrun, b_ioctl) { .addr = "0000:05:00.0", .ioctl = true };

FIXTURE_SETUP(dryrun)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN(variant->addr);
	guard_setup(_metadata, &self->g);
}

FIXTURE_TEARDOWN_PARENT(dryrun)
{
	guard_teardown(_metadata, &self->g);
}

TEST_F(dryrun, plans_and_changes_nothing)
{
	struct ppc_req q = { .claim = true, .addr = variant->addr, .has_flags = true,
			     .flags = PCIPASS_CLAIM_F_DRY_RUN };
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *st = &self->g.before;
	const struct ppc_fn *mem[PPC_MAX_MEM];
	uint32_t group;
	struct chan c;
	int i, n, ret;

	ASSERT_NE(NULL, r);
	chan_open(_metadata, &c, variant->ioctl);
	group = group_of(_metadata, st, variant->addr);
	ret = request(_metadata, &c, &q, r);
	ASSERT_EQ(0, ret) TH_LOG("dry run: %s: %s", strerror(-ret), r->msg);
	expect_unchanged(_metadata, st, "dry run");
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_PLANNED, r->outcome)
		TH_LOG("outcome %s", ppc_outcome_name(r->outcome));
	EXPECT_EQ(group, r->group);
	EXPECT_STREQ(VFIO, r->driver);
	check_members(_metadata, r, st, st, group, false);
	n = ppc_group_members(st, group, mem, PPC_MAX_MEM);
	for (i = 0; i < n; i++) {
		const struct ppc_member *m = ppc_member(r, mem[i]->name);
		uint32_t want = mem[i]->bridge ?
				(bridge_detached(mem[i]->driver) ?
				 PCIPASS_MEMBER_PLANNED : PCIPASS_MEMBER_SKIPPED_BRIDGE) :
				!strcmp(mem[i]->driver, VFIO) ? PCIPASS_MEMBER_ALREADY :
				PCIPASS_MEMBER_PLANNED;

		if (!m)
			continue;
		TH_LOG("plan: %s %s '%s' -> '%s'", m->name, ppc_state_name(m->state),
		       m->from_driver, m->to_driver);
		EXPECT_EQ(want, m->state) TH_LOG("%s: %s", m->name, ppc_state_name(m->state));
		EXPECT_STREQ(!mem[i]->bridge ? VFIO :
			     bridge_detached(mem[i]->driver) ? "" : mem[i]->driver,
			     m->to_driver)
			TH_LOG("%s: planned to-driver", m->name);
	}
	/* nothing was claimed: release has nothing to give back */
	q.claim = false;
	q.has_flags = false;
	ret = request(_metadata, &c, &q, r);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("release after a dry run: %s", r->msg);
	chan_close(&c);
	free(r);
}

/* --- a remove that blocks: the ioctl's wait is bounded ------------------ */

#define STUCK_VF	"0000:0a:00.2"
#define PCIPASS_PARAMS	"/sys/module/pcipass/parameters"

FIXTURE(stuck) {
	struct guard g;
};

FIXTURE_SETUP(stuck)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN(STUCK_VF);
	guard_setup(_metadata, &self->g);
	if (failprobe_load(&self->g.fp_loaded))
		SKIP(return, "pcipass-failprobe: set PCIPASS_FAILPROBE_KO");
}

FIXTURE_TEARDOWN_PARENT(stuck)
{
	ppc_run("echo 0 >" FP_PARAMS "/block_remove; echo 60 >" PCIPASS_PARAMS "/claim_wait_s");
	guard_teardown(_metadata, &self->g);
}

/*
 * The release ioctl waits claim_wait_s (1 s here) for a remove that does
 * not end, then says which transaction still runs and where; the
 * transaction goes on and ends once the remove does (netlink claim-get).
 */
TEST_F_TIMEOUT(stuck, ioctl_wait_is_bounded, 120)
{
	struct ppc_req q = { .claim = true, .addr = STUCK_VF, .driver = FAILPROBE };
	struct ppc_report *r = malloc(sizeof(*r));
	struct chan nl, io;
	struct nl_reply rep;
	struct timespec t0, t1;
	double dt;
	int ret;

	ASSERT_NE(NULL, r);
	chan_open(_metadata, &nl, false);
	chan_open(_metadata, &io, true);
	ASSERT_EQ(0, request(_metadata, &nl, &q, r)) TH_LOG("claim: %s", r->msg);
	ASSERT_EQ(0, ppc_run("echo 1 >" PCIPASS_PARAMS "/claim_wait_s; "
			     "echo 1 >" FP_PARAMS "/block_remove"));
	q.claim = false;
	q.driver = NULL;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = request(_metadata, &io, &q, r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	dt = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	TH_LOG("release ioctl: %d after %.2f s, txid %u: %s", ret, dt, r->txid, r->msg);
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LT(dt, 4.0);
	EXPECT_NE(0U, r->txid);
	EXPECT_EQ((uint32_t)PCIPASS_TX_RUNNING, r->tx_state);
	EXPECT_TRUE(strstr(r->msg, "unbind") && strstr(r->msg, STUCK_VF) &&
		    strstr(r->msg, FAILPROBE)) TH_LOG("message: %s", r->msg);
	ASSERT_EQ(0, ppc_run("echo 0 >" FP_PARAMS "/block_remove"));
	memset(&rep, 0, sizeof(rep));
	ASSERT_EQ(0, pp_claim_get_wait(&nl.s, nl.family, r->txid, &rep));
	EXPECT_EQ(0, rep.error) TH_LOG("the transaction's end: %s", rep.ext_msg);
	EXPECT_EQ(1, rep.nmsgs);
	nl_reply_free(&rep);
	expect_unchanged(_metadata, &self->g.before, "after the release ended");
	chan_close(&nl);
	chan_close(&io);
	free(r);
}

/* --- rollback with pcipass-failprobe ------------------------------------- */

FIXTURE(rollback) {
	struct guard g;
};

FIXTURE_VARIANT(rollback) {
	const char *addr;	/* target */
	int fail_nth;
	const char *fail_addr;
	const char *failing;	/* the member expected to fail */
	bool ioctl;
	bool by_group;
};

FIXTURE_VARIANT_ADD(rollback, b_fail_nth_2) {
	.addr = "0000:04:00.0", .fail_nth = 2, .by_group = true,
};
FIXTURE_VARIANT_ADD(rollback, c_fail_nth_2) { .addr = "0000:06:00.0", .fail_nth = 2 };
FIXTURE_VARIANT_ADD(rollback, c_fail_addr_fn1) {
	.addr = "0000:06:00.0", .fail_addr = "0000:06:00.1", .failing = "0000:06:00.1",
};
FIXTURE_VARIANT_ADD(rollback, b_fail_addr_05) {
	.addr = "0000:04:00.0", .fail_addr = "0000:05:00.0", .failing = "0000:05:00.0",
};
FIXTURE_VARIANT_ADD(rollback, c_ioctl_fail_nth_2) {
	.addr = "0000:06:00.0", .fail_nth = 2, .ioctl = true,
};

FIXTURE_SETUP(rollback)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN(variant->addr);
	guard_setup(_metadata, &self->g);
	if (failprobe_load(&self->g.fp_loaded))
		SKIP(return, "pcipass-failprobe: set PCIPASS_FAILPROBE_KO");
}

FIXTURE_TEARDOWN_PARENT(rollback)
{
	ppc_run("echo 0 >" FP_PARAMS "/fail_nth; echo >" FP_PARAMS "/fail_addr");
	guard_teardown(_metadata, &self->g);
}

TEST_F(rollback, eio_and_everything_back)
{
	struct ppc_req q = { .claim = true, .driver = FAILPROBE };
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *st = &self->g.before;
	int i, failed = 0, ret;
	uint32_t group;
	struct chan c;

	ASSERT_NE(NULL, r);
	group = group_of(_metadata, st, variant->addr);
	if (variant->by_group) {
		q.by_group = true;
		q.group = group;
	} else {
		q.addr = variant->addr;
	}
	ASSERT_EQ(0, ppc_run("echo 0 >" FP_PARAMS "/probes"));
	if (variant->fail_nth)
		ASSERT_EQ(0, ppc_run("echo %d >" FP_PARAMS "/fail_nth", variant->fail_nth));
	if (variant->fail_addr)
		ASSERT_EQ(0, ppc_run("echo %s >" FP_PARAMS "/fail_addr", variant->fail_addr));
	chan_open(_metadata, &c, variant->ioctl);
	ret = request(_metadata, &c, &q, r);
	EXPECT_EQ(-EIO, ret) TH_LOG("claim: %s", r->msg);
	TH_LOG("message: %s", r->msg);
	expect_unchanged(_metadata, st, "after the rollback");
	ASSERT_TRUE(r->has_reply) TH_LOG("no report with the error");
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_ROLLED_BACK, r->outcome)
		TH_LOG("outcome %s", ppc_outcome_name(r->outcome));
	EXPECT_EQ(group, r->group);
	check_members(_metadata, r, st, st, group, false);
	for (i = 0; i < r->nmembers; i++) {
		const struct ppc_member *m = &r->m[i];
		const struct ppc_fn *f = ppc_state_find(st, m->name);

		TH_LOG("%s: %s step %u error %d", m->name, ppc_state_name(m->state),
		       m->step, m->error);
		if (m->state == PCIPASS_MEMBER_FAILED) {
			failed++;
			EXPECT_TRUE(m->has_step && m->has_error);
			EXPECT_EQ((uint32_t)PCIPASS_STEP_BIND, m->step);
			EXPECT_EQ(-EIO, m->error);
			if (variant->failing)
				EXPECT_STREQ(variant->failing, m->name);
		} else if (f && f->bridge) {
			/* the module says untouched after a rollback */
			EXPECT_TRUE(m->state == PCIPASS_MEMBER_SKIPPED_BRIDGE ||
				    m->state == PCIPASS_MEMBER_UNTOUCHED ||
				    m->state == PCIPASS_MEMBER_ROLLED_BACK)
				TH_LOG("bridge %s: %s", m->name, ppc_state_name(m->state));
		} else {
			EXPECT_TRUE(m->state == PCIPASS_MEMBER_ROLLED_BACK ||
				    m->state == PCIPASS_MEMBER_UNTOUCHED)
				TH_LOG("%s: %s", m->name, ppc_state_name(m->state));
		}
	}
	EXPECT_EQ(1, failed);
	/* nothing is claimed */
	q.claim = false;
	q.driver = NULL;
	ret = request(_metadata, &c, &q, r);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("release after rollback: %s", r->msg);
	chan_close(&c);
	free(r);
}

/*
 * The other fixtures, in the order they run.  Included, not linked:
 * kselftest_harness.h keeps its list of tests per file and defines its
 * globals in every file that includes it, so one program's tests live in
 * one translation unit.
 */
#include "claim_refuse.h"
#include "claim_valid.h"
#include "claim_events.h"

TEST_HARNESS_MAIN
