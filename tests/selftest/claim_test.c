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
 *   refuse.*   every blocker made real: a mounted NVMe namespace, a
 *              process whose root is on it, the boot VGA and the host NIC
 *              (force takes both, release gives them back), active VFs;
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
 * Force on a mounted block device is not tested: it would yank a mounted
 * filesystem from under the guest.  Instead the test shows that the
 * refusal is lifted by unmounting (no force needed then).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <time.h>

#include <linux/vfio.h>

#include "harness.h"

#include "ppclaim.h"

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

#define VFIO		"vfio-pci"
#define FAILPROBE	"pcipass-failprobe"
#define FP_PARAMS	"/sys/module/pcipass_failprobe/parameters"
#define HOST_NIC	"0000:0e:00.0"
#define HOST_NIC_ADDR	"192.0.2.10/24"
#define HOST_NIC_ROUTE	"198.51.100.0/24 via 192.0.2.1"

static bool pp_sysfs_has_name(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s", name);
	return access(path, F_OK) == 0;
}

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

static bool dma_free(const char *drv)
{
	static const char *const ok[] = { "", VFIO, "pci-stub", "pcieport", FAILPROBE };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(drv, ok[i]))
			return true;
	return false;
}

/* A bridge whose driver does not leave DMA to VFIO is unbound by a claim. */
static bool bridge_detached(const char *drv)
{
	return !dma_free(drv);
}

/* sysfs unchanged since @before; logs what differs. */
static void expect_unchanged(struct __test_metadata *_metadata,
			     const struct ppc_state *before, const char *when)
{
	struct ppc_state *now = malloc(sizeof(*now));
	char why[4096] = "";

	ASSERT_NE(NULL, now);
	ASSERT_EQ(0, ppc_state_read(now));
	EXPECT_EQ(0, ppc_state_diff(before, now, why, sizeof(why)))
		TH_LOG("%s: sysfs changed: %s", when, why);
	free(now);
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

static void host_nic_restore(void)
{
	char dir[128], **names;
	int n;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/" HOST_NIC "/net");
	n = sysfs_list_dir(dir, &names);
	if (n != 1) {
		if (n > 0)
			sysfs_names_free(names, n);
		return;
	}
	if (ppc_run("ip -4 -o addr show dev %s | grep -qF ' " HOST_NIC_ADDR " '",
		    names[0]))
		ppc_run("ip addr add " HOST_NIC_ADDR " dev %s", names[0]);
	ppc_run("ip link set %s up", names[0]);
	if (ppc_run("ip -4 route show dev %s | grep -q '^" HOST_NIC_ROUTE " '", names[0]))
		ppc_run("ip route add " HOST_NIC_ROUTE " dev %s", names[0]);
	sysfs_names_free(names, n);
}

static bool host_nic_ok(char *dev, size_t len)
{
	char dir[128], **names;
	bool ok;
	int n;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/" HOST_NIC "/net");
	n = sysfs_list_dir(dir, &names);
	if (n != 1) {
		if (n > 0)
			sysfs_names_free(names, n);
		return false;
	}
	snprintf(dev, len, "%s", names[0]);
	ok = !ppc_run("ip -4 -o addr show dev %s | grep -qF ' " HOST_NIC_ADDR " '", dev) &&
	     !ppc_run("ip -4 route show dev %s | grep -q '^" HOST_NIC_ROUTE " '", dev);
	sysfs_names_free(names, n);
	return ok;
}

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

static int failprobe_load(struct guard *g)
{
	const char *ko = getenv("PCIPASS_FAILPROBE_KO");

	if (access(FP_PARAMS, F_OK) == 0)
		return 0;
	if (!ko)
		return -ENOENT;
	if (ppc_run("insmod %s", ko))
		return -EIO;
	g->fp_loaded = true;
	return ppc_run("echo 0 >" FP_PARAMS "/probes; echo 0 >" FP_PARAMS "/fail_nth; "
		       "echo >" FP_PARAMS "/fail_addr") ? -EIO : 0;
}

FIXTURE_SETUP(rt)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN(variant->addr);
	guard_setup(_metadata, &self->g);
	if (variant->driver && !strcmp(variant->driver, FAILPROBE) &&
	    failprobe_load(&self->g))
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
	if (failprobe_load(&self->g))
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
	if (failprobe_load(&self->g))
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

/* --- refusals, each made real -------------------------------------------- */

FIXTURE(refuse) {
	struct guard g;
};

FIXTURE_SETUP(refuse)
{
	NEED_MODULE();
	NEED_ROOT();
	guard_setup(_metadata, &self->g);
}

FIXTURE_TEARDOWN_PARENT(refuse)
{
	guard_teardown(_metadata, &self->g);
}

static const struct ppc_blocker *find_blocker(const struct ppc_report *r,
					      const char *name, uint32_t reason)
{
	int i;

	for (i = 0; i < r->nblockers; i++)
		if (!strcmp(r->b[i].name, name) && r->b[i].reason == reason)
			return &r->b[i];
	return NULL;
}

static void expect_refused(struct __test_metadata *_metadata, struct chan *c,
			   const struct ppc_req *q, const struct ppc_state *st,
			   const char *name, uint32_t reason, const char *detail,
			   struct ppc_report *r)
{
	const struct ppc_blocker *b;
	int ret, i;

	ret = request(_metadata, c, q, r);
	EXPECT_EQ(-EBUSY, ret) TH_LOG("%s: %s", name, r->msg);
	TH_LOG("%s: refused: %s", name, r->msg);
	expect_unchanged(_metadata, st, "refused claim");
	EXPECT_TRUE(r->has_reply);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_REFUSED, r->outcome)
		TH_LOG("outcome %s", ppc_outcome_name(r->outcome));
	for (i = 0; i < r->nblockers; i++)
		TH_LOG("blocker %s reason %u '%s'%s", r->b[i].name, r->b[i].reason,
		       r->b[i].detail, r->b[i].forced ? " forced" : "");
	b = find_blocker(r, name, reason);
	EXPECT_NE(NULL, b) TH_LOG("%s: no blocker with reason %u", name, reason);
	if (b && detail)
		EXPECT_NE(NULL, strstr(b->detail, detail))
			TH_LOG("detail '%s', want '%s'", b->detail, detail);
	if (b)
		EXPECT_FALSE(b->forced);
	for (i = 0; i < r->nmembers; i++)
		EXPECT_TRUE(r->m[i].state == PCIPASS_MEMBER_UNTOUCHED ||
			    r->m[i].state == PCIPASS_MEMBER_SKIPPED_BRIDGE)
			TH_LOG("%s: %s", r->m[i].name, ppc_state_name(r->m[i].state));
}

/* nvmeXn1 below the controller, from sysfs. */
static int nvme_namespace(const char *ctrl, char *out, size_t len)
{
	char path[256], **c, **ns;
	int nc, nn, i, ret = -ENOENT;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/nvme", ctrl);
	nc = sysfs_list_dir(path, &c);
	if (nc <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/nvme/%s", ctrl, c[0]);
	nn = sysfs_list_dir(path, &ns);
	for (i = 0; nn > 0 && i < nn; i++) {
		if (!strncmp(ns[i], c[0], strlen(c[0])) && strchr(ns[i] + 4, 'n')) {
			snprintf(out, len, "%s", ns[i]);
			ret = 0;
			break;
		}
	}
	if (nn > 0)
		sysfs_names_free(ns, nn);
	sysfs_names_free(c, nc);
	return ret;
}

struct shared_rep {
	int ret;
	struct ppc_report r;
};

TEST_F(refuse, nvme_mounted_then_root_fs)
{
	struct ppc_req q = { .claim = true, .addr = "0000:09:00.0" };
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *st = &self->g.before;
	struct shared_rep *sh;
	char ns[64], tmpl[] = "/tmp/pcipass-claim-XXXXXX";
	struct chan c;
	int status;
	pid_t pid;

	NEED_FN("0000:09:00.0");
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, nvme_namespace("0000:09:00.0", ns, sizeof(ns)))
		TH_LOG("no namespace below 09:00.0 (nvme bound?)");
	ASSERT_NE(NULL, mkdtemp(tmpl));
	ASSERT_EQ(0, ppc_run("mkfs.ext4 -q -F /dev/%s >/dev/null 2>&1", ns));
	ASSERT_EQ(0, ppc_run("mount /dev/%s %s", ns, tmpl));
	snprintf(self->g.mnt, sizeof(self->g.mnt), "%s", tmpl);
	TH_LOG("/dev/%s mounted on %s", ns, tmpl);

	chan_open(_metadata, &c, false);
	expect_refused(_metadata, &c, &q, st, "0000:09:00.0",
		       PCIPASS_BLOCKER_BLOCK_IN_USE, ns, r);

	/* the caller's root on the namespace: refused even with force */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ppc_req fq = q;
		char why[1024] = "";

		fq.has_flags = true;
		fq.flags = PCIPASS_CLAIM_F_FORCE;
		if (chroot(tmpl) || chdir("/"))
			_exit(2);
		sh->ret = ppc_nl(&c.s, c.family, &fq, &sh->r, why, sizeof(why));
		if (!sh->ret)
			sh->ret = sh->r.error;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(-EBUSY, sh->ret) TH_LOG("chrooted force claim: %s", sh->r.msg);
	expect_unchanged(_metadata, st, "chrooted force claim");
	{
		const struct ppc_blocker *b = find_blocker(&sh->r, "0000:09:00.0",
							   PCIPASS_BLOCKER_ROOT_FS);
		int i;

		for (i = 0; i < sh->r.nblockers; i++)
			TH_LOG("chroot: blocker reason %u '%s'%s", sh->r.b[i].reason,
			       sh->r.b[i].detail, sh->r.b[i].forced ? " forced" : "");
		EXPECT_NE(NULL, b) TH_LOG("no root-fs blocker");
		if (b) {
			EXPECT_FALSE(b->forced);
			EXPECT_NE(NULL, strstr(b->detail, ns)) TH_LOG("detail %s", b->detail);
		}
		EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_REFUSED, sh->r.outcome);
	}
	munmap(sh, sizeof(*sh));

	/* unmounted, nothing holds it: claimed without force */
	EXPECT_EQ(0, umount(tmpl));
	rmdir(tmpl);
	self->g.mnt[0] = 0;
	round_trip(_metadata, &c, "0000:09:00.0", false, NULL);
	chan_close(&c);
	free(r);
}

TEST_F(refuse, active_vfs_even_with_force)
{
	struct ppc_req q = { .claim = true, .addr = "0000:0a:00.0" };
	struct ppc_report *r = malloc(sizeof(*r));
	struct chan c;
	bool ioc;

	NEED_FN("0000:0a:00.1");
	ASSERT_NE(NULL, r);
	for (ioc = false; ; ioc = true) {
		chan_open(_metadata, &c, ioc);
		q.has_flags = false;
		expect_refused(_metadata, &c, &q, &self->g.before, "0000:0a:00.0",
			       PCIPASS_BLOCKER_ACTIVE_VFS, NULL, r);
		q.has_flags = true;
		q.flags = PCIPASS_CLAIM_F_FORCE;
		expect_refused(_metadata, &c, &q, &self->g.before, "0000:0a:00.0",
			       PCIPASS_BLOCKER_ACTIVE_VFS, NULL, r);
		chan_close(&c);
		if (ioc)
			break;
	}
	free(r);
}

/* Refused without force, claimed with it, given back by release. */
static void forced_round_trip(struct __test_metadata *_metadata, struct guard *g,
			      const char *addr, uint32_t reason, const char *detail)
{
	struct ppc_req q = { .claim = true, .addr = addr };
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *after = malloc(sizeof(*after));
	const struct ppc_blocker *b;
	char why[4096] = "";
	uint32_t group;
	struct chan c;
	int ret, i;

	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, after);
	group = group_of(_metadata, &g->before, addr);
	chan_open(_metadata, &c, false);
	expect_refused(_metadata, &c, &q, &g->before, addr, reason, detail, r);

	q.has_flags = true;
	q.flags = PCIPASS_CLAIM_F_FORCE;
	ret = request(_metadata, &c, &q, r);
	ASSERT_EQ(0, ret) TH_LOG("force claim: %s", r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_CLAIMED, r->outcome);
	b = find_blocker(r, addr, reason);
	EXPECT_NE(NULL, b) TH_LOG("the forced blocker is not reported");
	if (b)
		EXPECT_TRUE(b->forced);
	ASSERT_EQ(0, ppc_state_read(after));
	check_members(_metadata, r, &g->before, after, group, true);
	for (i = 0; i < after->n; i++)
		if (after->fn[i].group == group && !after->fn[i].bridge)
			EXPECT_STREQ(VFIO, after->fn[i].driver) TH_LOG("%s", after->fn[i].name);
	check_vfio(_metadata, after, group);

	q.claim = false;
	q.has_flags = false;
	ret = request(_metadata, &c, &q, r);
	EXPECT_EQ(0, ret) TH_LOG("release: %s", r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_RELEASED, r->outcome);
	ASSERT_EQ(0, ppc_state_read(after));
	EXPECT_EQ(0, ppc_state_diff(&g->before, after, why, sizeof(why)))
		TH_LOG("after release: %s", why);
	chan_close(&c);
	free(after);
	free(r);
}

TEST_F(refuse, boot_vga_forced)
{
	const struct ppc_fn *f;

	NEED_FN("0000:12:00.0");
	f = need(_metadata, &self->g.before, "0000:12:00.0");
	ASSERT_NE(NULL, f);
	forced_round_trip(_metadata, &self->g, "0000:12:00.0", PCIPASS_BLOCKER_BOOT_VGA,
			  NULL);
}

TEST_F(refuse, host_nic_forced)
{
	char dev[64] = "";

	NEED_FN(HOST_NIC);
	if (!host_nic_ok(dev, sizeof(dev)))
		SKIP(return, HOST_NIC ": no " HOST_NIC_ADDR " (tests/guest/topology.sh)");
	forced_round_trip(_metadata, &self->g, HOST_NIC, PCIPASS_BLOCKER_NETDEV_ACTIVE, dev);
	/* the driver came back with a new netdev: the address goes back too */
	host_nic_restore();
	EXPECT_TRUE(host_nic_ok(dev, sizeof(dev))) TH_LOG("host NIC not restored");
}

/* --- privilege and validation ------------------------------------------- */

FIXTURE(valid) {
	struct guard g;
};

FIXTURE_SETUP(valid)
{
	NEED_MODULE();
	NEED_ROOT();
	NEED_FN("0000:06:00.0");
	guard_setup(_metadata, &self->g);
}

FIXTURE_TEARDOWN_PARENT(valid)
{
	guard_teardown(_metadata, &self->g);
}

TEST_F(valid, unprivileged_eperm)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ppc_req q = { .claim = true, .addr = "0000:06:00.0" };
		struct ppc_report *r = malloc(sizeof(*r));
		struct nl_sock s;
		uint16_t family;
		char why[1024];
		int fd, bad = 0;

		if (!r || pp_drop_privileges() || pp_nl_open(&s, &family, 0))
			_exit(100);
		if (ppc_nl(&s, family, &q, r, why, sizeof(why)) || r->error != -EPERM)
			bad |= 1;
		q.claim = false;
		if (ppc_nl(&s, family, &q, r, why, sizeof(why)) || r->error != -EPERM)
			bad |= 2;
		fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(101);
		q.claim = true;
		if (ppc_ioc(fd, &q, r) != -EPERM)
			bad |= 4;
		q.claim = false;
		if (ppc_ioc(fd, &q, r) != -EPERM)
			bad |= 8;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("not EPERM: bits 1 nl claim, 2 nl release, 4 ioc claim, 8 ioc release");
	expect_unchanged(_metadata, &self->g.before, "unprivileged requests");
}

struct vcase {
	const char *what;
	struct ppc_req q;
	int nl_err, ioc_err;
	int bad;		/* which request field the extack names */
};

enum { B_NONE, B_ADDR, B_GROUP, B_DRIVER, B_FLAGS };

/* An unknown driver costs PCIPASS_MODULE_WAIT_MS (15 s) per request: see claim.c. */
TEST_F_TIMEOUT(valid, bad_requests, 150)
{
	const struct vcase cases[] = {
		{ "addr and group", { .claim = true, .addr = "0000:06:00.0", .both = true,
				      .group = 1 }, -EINVAL, 0, B_GROUP },
		{ "unknown flag", { .claim = true, .addr = "0000:06:00.0", .has_flags = true,
				    .flags = 1u << 8 }, -EINVAL, -EOPNOTSUPP, B_FLAGS },
		{ "release unknown flag", { .addr = "0000:06:00.0", .has_flags = true,
					    .flags = 1u << 8 }, -EINVAL, -EOPNOTSUPP, B_FLAGS },
		{ "bad driver name", { .claim = true, .addr = "0000:06:00.0",
				       .driver = "vfio pci/.." }, -EINVAL, -EINVAL, B_DRIVER },
		/*
		 * As root (CAP_SYS_MODULE) the transaction first asks modprobe:
		 * the answer comes from it, with no request attribute to name.
		 */
		{ "unknown driver", { .claim = true, .addr = "0000:06:00.0",
				      .driver = "pcipass-no-such-driver" }, -ENOENT, -ENOENT,
		  B_NONE },
		{ "unknown group", { .claim = true, .by_group = true, .group = 99999 },
		  -ENOENT, -ENOENT, B_GROUP },
		{ "missing function", { .claim = true, .addr = "0000:fe:1f.7" },
		  -ENODEV, -ENODEV, B_ADDR },
		{ "release unclaimed", { .addr = "0000:06:00.0" }, -ENOENT, -ENOENT, B_NONE },
		{ "release unclaimed group", { .by_group = true, .group = UINT32_MAX - 1 },
		  -ENOENT, -ENOENT, B_GROUP },
	};
	struct ppc_report *r = malloc(sizeof(*r));
	struct chan nl, io;
	size_t i;
	int ret;

	ASSERT_NE(NULL, r);
	chan_open(_metadata, &nl, false);
	chan_open(_metadata, &io, true);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vcase *v = &cases[i];
		size_t want_offs = 0;

		ret = request(_metadata, &nl, &v->q, r);
		TH_LOG("%s: netlink %d '%s' offs %s%u", v->what, ret, r->msg,
		       r->has_offs ? "" : "none/", r->offs);
		EXPECT_EQ(v->nl_err, ret) TH_LOG("%s over netlink", v->what);
		switch (v->bad) {
		case B_ADDR: want_offs = r->addr_offs; break;
		case B_GROUP: want_offs = r->group_offs; break;
		case B_DRIVER: want_offs = r->driver_offs; break;
		case B_FLAGS: want_offs = r->flags_offs; break;
		}
		if (want_offs) {
			EXPECT_TRUE(r->has_offs) TH_LOG("%s: no attribute in extack", v->what);
			EXPECT_EQ(want_offs, r->offs) TH_LOG("%s: extack offset", v->what);
		}
		if (v->nl_err != -EINVAL || v->bad != B_FLAGS)
			EXPECT_NE(0, r->msg[0]) TH_LOG("%s: no extack message", v->what);
		if (!v->q.both) {
			ret = request(_metadata, &io, &v->q, r);
			TH_LOG("%s: ioctl %d '%s'", v->what, ret, r->msg);
			EXPECT_EQ(v->ioc_err, ret) TH_LOG("%s over the ioctl", v->what);
		}
	}
	expect_unchanged(_metadata, &self->g.before, "bad requests");
	chan_close(&nl);
	chan_close(&io);
	free(r);
}

/*
 * claim-get of a txid the module does not know (never given, or its
 * outcome dropped) is ESRCH naming the txid: no transaction ends with
 * ESRCH, so a client tells "lost track" from the outcome.
 */
TEST_F(valid, claim_get_unknown_txid_is_esrch)
{
	struct chan nl;
	struct nl_reply rep;
	struct nlb b;
	size_t offs;

	chan_open(_metadata, &nl, false);
	nlb_init(&b, nl.family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_CLAIM_GET, PCIPASS_FAMILY_VERSION);
	offs = nlb_put_u32(&b, PCIPASS_A_CLAIM_TXID, 0xfffffff0u);
	memset(&rep, 0, sizeof(rep));
	ASSERT_EQ(0, nl_transact(&nl.s, &b, &rep));
	EXPECT_EQ(-ESRCH, rep.error) TH_LOG("claim-get: '%s'", rep.ext_msg);
	EXPECT_EQ(0, rep.nmsgs);
	EXPECT_TRUE(rep.has_msg && strstr(rep.ext_msg, "no such transaction"))
		TH_LOG("message: '%s'", rep.ext_msg);
	EXPECT_TRUE(rep.has_offs && rep.offs == offs)
		TH_LOG("extack offset %u, txid at %zu", rep.offs, offs);
	nl_reply_free(&rep);
	chan_close(&nl);
	expect_unchanged(_metadata, &self->g.before, "claim-get");
}

/*
 * An outcome nobody has read yet outlives many newer transactions that
 * were read (a client polling with backoff must not lose it to faster
 * clients); read outcomes are kept only a few (16) for a second look.
 */
#define NEWER_READ	40

TEST_F(valid, unread_outcome_outlives_newer_read_ones)
{
	struct ppc_req q = { .claim = true, .addr = "0000:06:00.0", .has_flags = true,
			     .flags = PCIPASS_CLAIM_F_DRY_RUN };
	struct ppc_report *r = malloc(sizeof(*r));
	uint32_t unread, first_read = 0, state;
	char why[2048] = "";
	struct nl_reply rep;
	struct pci_addr a;
	struct chan nl;
	struct nlb b;

	ASSERT_NE(NULL, r);
	chan_open(_metadata, &nl, false);
	/* a dry run whose outcome is not asked for */
	ASSERT_EQ(0, pci_addr_parse(q.addr, &a));
	nlb_init(&b, nl.family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_CLAIM,
		 PCIPASS_FAMILY_VERSION);
	nlb_nest_start(&b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);
	nlb_put_u32(&b, PCIPASS_A_ADDR_DOMAIN, a.domain);
	nlb_put_u8(&b, PCIPASS_A_ADDR_BUS, a.bus);
	nlb_put_u8(&b, PCIPASS_A_ADDR_DEVFN, a.devfn);
	nlb_nest_end(&b);
	nlb_put_u32(&b, PCIPASS_A_CLAIM_FLAGS, PCIPASS_CLAIM_F_DRY_RUN);
	memset(&rep, 0, sizeof(rep));
	ASSERT_EQ(0, nl_transact(&nl.s, &b, &rep));
	ASSERT_EQ(0, rep.error) TH_LOG("dry run: '%s'", rep.ext_msg);
	pp_claim_reply_tx(&rep, &unread, &state);
	nl_reply_free(&rep);
	ASSERT_NE(0U, unread);
	/* newer ones, each read as soon as it is done */
	for (int i = 0; i < NEWER_READ; i++) {
		ASSERT_EQ(0, request(_metadata, &nl, &q, r)) TH_LOG("dry run %d: %s", i, r->msg);
		ASSERT_EQ((uint32_t)PCIPASS_OUTCOME_PLANNED, r->outcome);
		if (!i)
			first_read = r->txid;
	}
	EXPECT_NE(unread, first_read);
	/* the unread one is still there, with its own report */
	ASSERT_EQ(0, ppc_claim_get(&nl.s, nl.family, unread, r, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(0, r->error) TH_LOG("unread txid %u after %d newer: '%s'",
				      unread, NEWER_READ, r->msg);
	EXPECT_EQ(unread, r->txid);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_PLANNED, r->outcome);
	EXPECT_NE(NULL, ppc_member(r, "0000:06:00.0"));
	/* read: a second look works; the oldest read one is gone */
	ASSERT_EQ(0, ppc_claim_get(&nl.s, nl.family, unread, r, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(0, r->error) TH_LOG("second look at %u: '%s'", unread, r->msg);
	ASSERT_EQ(0, ppc_claim_get(&nl.s, nl.family, first_read, r, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(-ESRCH, r->error) TH_LOG("txid %u read %d reads ago: '%s'",
					   first_read, NEWER_READ, r->msg);
	chan_close(&nl);
	expect_unchanged(_metadata, &self->g.before, "dry runs");
	free(r);
}

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

TEST_HARNESS_MAIN
