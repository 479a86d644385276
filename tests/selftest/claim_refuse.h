/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test's refuse.* fixture: every blocker of the module's made real
 * (active VFs, the boot VGA; force takes the latter and release gives it
 * back), and the host's losses (a mounted namespace, a caller whose root
 * is on it, the host NIC) shown to be no business of the module's.
 *
 * Part of claim_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "claim_check.h"

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

struct shared_rep {
	int ret;
	struct ppc_report r;
};

/* A dry run the module passes: planned, no blocker, nothing changed. */
static void expect_planned(struct __test_metadata *_metadata, struct chan *c,
			   const struct ppc_req *q, const struct ppc_state *st,
			   const char *what, struct ppc_report *r)
{
	int ret, i;

	ret = request(_metadata, c, q, r);
	EXPECT_EQ(0, ret) TH_LOG("%s: %s", what, r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_PLANNED, r->outcome)
		TH_LOG("%s: outcome %s", what, ppc_outcome_name(r->outcome));
	for (i = 0; i < r->nblockers; i++)
		TH_LOG("%s: blocker reason %u '%s'", what, r->b[i].reason,
		       r->b[i].detail);
	EXPECT_EQ(0, r->nblockers) TH_LOG("%s: the module judged the host", what);
	expect_unchanged(_metadata, st, what);
}

/*
 * What the host would lose is the CLI's policy (tests/e2e/claim_host_test.py
 * makes each refusal real through pcipass): the module plans a claim of a
 * controller whose namespace is mounted, also for a caller whose root is
 * on it.  Only dry runs while mounted: a real claim would yank the
 * filesystem.  Unmounted, the round trip.
 */
TEST_F(refuse, host_policy_is_not_the_kernels)
{
	struct ppc_req q = { .claim = true, .addr = "0000:09:00.0",
			     .has_flags = true, .flags = PCIPASS_CLAIM_F_DRY_RUN };
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *st = &self->g.before;
	struct shared_rep *sh;
	char ns[64], tmpl[] = "/tmp/pcipass-claim-XXXXXX";
	struct chan c;
	int status;
	bool ioc;
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

	for (ioc = false; ; ioc = true) {
		chan_open(_metadata, &c, ioc);
		expect_planned(_metadata, &c, &q, st,
			       ioc ? "ioctl dry run, mounted" : "dry run, mounted", r);
		chan_close(&c);
		if (ioc)
			break;
	}

	/* the caller's root on the namespace, with force: still planned */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	chan_open(_metadata, &c, false);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct ppc_req fq = q;
		char why[1024] = "";

		fq.flags |= PCIPASS_CLAIM_F_FORCE;
		if (chroot(tmpl) || chdir("/"))
			_exit(2);
		sh->ret = ppc_nl(&c.s, c.family, &fq, &sh->r, why, sizeof(why));
		if (!sh->ret)
			sh->ret = sh->r.error;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0, sh->ret) TH_LOG("chrooted dry run: %s", sh->r.msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_PLANNED, sh->r.outcome);
	EXPECT_EQ(0, sh->r.nblockers) TH_LOG("the module looked at the caller's root");
	expect_unchanged(_metadata, st, "chrooted dry run");
	munmap(sh, sizeof(*sh));

	/* unmounted: the round trip */
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

/*
 * Shape (l): PF 14:00.0 and its VFs in one group.  The PF's driver
 * destroys the VFs when it is unbound (pci_disable_sriov() in remove),
 * so a claim would remove members of the very group it claims and no
 * rollback could bring them back.  Refused before anything is touched,
 * by the PF's address and by a VF's, force or not, on both channels;
 * the VFs are still there afterwards.
 */
#define PF_L	"0000:14:00.0"
#define VF_L	"0000:14:00.1"

static void vfs_in_group_refused(struct __test_metadata *_metadata,
				 const struct ppc_state *st, struct ppc_report *r)
{
	const char *addrs[] = { PF_L, VF_L };
	struct ppc_req q = { .claim = true };
	struct chan c;
	unsigned int i;
	bool ioc;

	EXPECT_EQ(group_of(_metadata, st, PF_L), group_of(_metadata, st, VF_L))
		TH_LOG("the VFs are not in their PF's group: not shape (l)");
	EXPECT_EQ(group_of(_metadata, st, PF_L),
		  group_of(_metadata, st, "0000:14:00.2"));
	for (ioc = false; ; ioc = true) {
		chan_open(_metadata, &c, ioc);
		for (i = 0; i < 4; i++) {
			q.addr = addrs[i / 2];
			q.has_flags = i % 2;
			q.flags = i % 2 ? PCIPASS_CLAIM_F_FORCE : 0;
			expect_refused(_metadata, &c, &q, st, PF_L,
				       PCIPASS_BLOCKER_ACTIVE_VFS, NULL, r);
		}
		chan_close(&c);
		if (ioc)
			break;
	}
	EXPECT_EQ(2, pf_num_vfs(PF_L)) TH_LOG("the VFs did not survive the refusals");
}

TEST_F(refuse, vfs_inside_the_group)
{
	struct ppc_report *r = malloc(sizeof(*r));
	struct ppc_state *st = malloc(sizeof(*st));
	int ret;

	NEED_FN(PF_L);
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, st);
	ret = pf_set_vfs(PF_L, 2);
	ASSERT_EQ(0, ret) TH_LOG("2 VFs on %s: %s", PF_L, strerror(-ret));
	/* From here on the VFs go away again whatever fails. */
	ret = ppc_state_read(st);
	EXPECT_EQ(0, ret);
	if (!ret)
		vfs_in_group_refused(_metadata, st, r);
	ret = pf_set_vfs(PF_L, 0);
	EXPECT_EQ(0, ret) TH_LOG("removing the VFs of %s: %s", PF_L, strerror(-ret));
	free(st);
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

/* Up with an address: the CLI refuses it, the module takes it. */
TEST_F(refuse, host_nic_not_refused)
{
	char dev[64] = "";
	struct chan c;

	NEED_FN(HOST_NIC);
	if (!host_nic_ok(dev, sizeof(dev)))
		SKIP(return, HOST_NIC ": no " HOST_NIC_ADDR " (tests/guest/topology.sh)");
	chan_open(_metadata, &c, false);
	round_trip(_metadata, &c, HOST_NIC, false, NULL);
	chan_close(&c);
	/* the driver came back with a new netdev: the address goes back too */
	host_nic_restore();
	EXPECT_TRUE(host_nic_ok(dev, sizeof(dev))) TH_LOG("host NIC not restored");
}
