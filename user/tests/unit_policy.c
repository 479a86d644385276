// SPDX-License-Identifier: GPL-2.0
/*
 * The host's refusals merged into a claim's report (claim/policy.c):
 * which members the host rules apply to, the order and deduplication of
 * blockers, --force, and a plan turned into a refusal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/util.h"
#include "unit.h"

static struct pp_addr addr(const char *s)
{
	enum addr_scope scope;
	struct pp_addr a = { 0 };

	addr_parse(s, &a, &scope);
	return a;
}

static struct claim_member member(const char *a, uint32_t state,
				  const char *from, const char *to)
{
	struct claim_member m = { .addr = addr(a), .state = state };

	m.from_driver = from ? xstrdup(from) : NULL;
	m.to_driver = to ? xstrdup(to) : NULL;
	return m;
}

/* Two members: a NIC on e1000e (first) and a disk controller on nvme. */
static void plan(struct claim_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	rep->has_reply = rep->has_outcome = true;
	rep->outcome = PCIPASS_OUTCOME_PLANNED;
	rep->driver = xstrdup("vfio-pci");
	rep->nr_members = 2;
	rep->members = xrealloc(NULL, 2 * sizeof(*rep->members));
	rep->members[0] = member("0000:03:00.0", PCIPASS_MEMBER_PLANNED,
				 "e1000e", "vfio-pci");
	rep->members[1] = member("0000:04:00.0", PCIPASS_MEMBER_PLANNED,
				 "nvme", "vfio-pci");
}

static const char *key(const struct claim_report *rep, size_t i)
{
	return claim_blocker_key(rep->blockers[i].reason);
}

static void test_merge(void)
{
	struct claim_blocker host[] = {
		{ .addr = addr("0000:04:00.0"),
		  .reason = PCIPASS_BLOCKER_BLOCK_IN_USE, .detail = "nvme0n1p2" },
		{ .addr = addr("0000:04:00.0"),
		  .reason = PCIPASS_BLOCKER_ROOT_FS,
		  .detail = "nvme0n1p3 (root on dm-1)" },
		{ .addr = addr("0000:03:00.0"),
		  .reason = PCIPASS_BLOCKER_NETDEV_ACTIVE, .detail = "eno1" },
	};
	struct claim_report rep;

	plan(&rep);
	/* What a module that still checks the host sent itself. */
	rep.blockers = xrealloc(NULL, sizeof(*rep.blockers));
	rep.blockers[0] = (struct claim_blocker){
		.addr = addr("0000:03:00.0"),
		.reason = PCIPASS_BLOCKER_NETDEV_ACTIVE, .detail = xstrdup("eno1") };
	rep.nr_blockers = 1;
	claim_merge_blockers(&rep, host, 3, false);
	CHECK(rep.nr_blockers == 3, "a blocker the module sent is not doubled: %zu",
	      rep.nr_blockers);
	CHECK(rep.nr_blockers == 3 && !strcmp(key(&rep, 0), "netdev_active") &&
	      !strcmp(key(&rep, 1), "root_fs") &&
	      !strcmp(key(&rep, 2), "block_in_use"),
	      "per member in report order, root before block");
	CHECK(claim_first_unforced(&rep) == &rep.blockers[0], "first unforced");
	claim_report_free(&rep);

	plan(&rep);
	claim_merge_blockers(&rep, host, 3, true);
	CHECK(rep.nr_blockers == 3 && rep.blockers[0].forced &&
	      !rep.blockers[1].forced && rep.blockers[2].forced,
	      "--force overrides disks and interfaces, never the root");
	CHECK(claim_first_unforced(&rep) &&
	      claim_first_unforced(&rep)->reason == PCIPASS_BLOCKER_ROOT_FS,
	      "the root still refuses under --force");
	CHECK(rep.blockers[1].detail != host[1].detail &&
	      !strcmp(rep.blockers[1].detail, host[1].detail),
	      "details are copied");
	claim_report_refuse(&rep);
	CHECK(rep.outcome == PCIPASS_OUTCOME_REFUSED, "refused outcome");
	CHECK(rep.members[0].state == PCIPASS_MEMBER_UNTOUCHED &&
	      !strcmp(rep.members[0].to_driver, "e1000e") &&
	      !strcmp(rep.members[1].to_driver, "nvme"),
	      "refused members are untouched and stay on their drivers");
	CHECK(claim_exit(&rep, -EBUSY) == EXIT_REFUSED, "exit 6");
	claim_report_free(&rep);

	plan(&rep);
	claim_merge_blockers(&rep, host + 2, 1, true);
	CHECK(!claim_first_unforced(&rep), "forced interface: the claim goes on");
	claim_report_free(&rep);
}

static void test_which_members(void)
{
	struct claim_report rep;

	plan(&rep);
	rep.members[1].state = PCIPASS_MEMBER_ALREADY;
	CHECK(claim_host_checks(&rep, &rep.members[0]) &&
	      !claim_host_checks(&rep, &rep.members[1]),
	      "a plan: the members it moves");
	claim_report_refuse(&rep);
	free(rep.members[1].from_driver);
	rep.members[1].from_driver = xstrdup("vfio-pci");
	CHECK(claim_host_checks(&rep, &rep.members[0]) &&
	      !claim_host_checks(&rep, &rep.members[1]),
	      "a refusal (boot VGA): members not on the target yet");
	rep.blockers = xrealloc(NULL, sizeof(*rep.blockers));
	rep.blockers[0] = (struct claim_blocker){
		.addr = addr("0000:03:00.0"),
		.reason = PCIPASS_BLOCKER_VFIO_IN_USE };
	rep.nr_blockers = 1;
	CHECK(!claim_host_checks(&rep, &rep.members[0]),
	      "in use by a VM: the host is not asked");
	rep.blockers[0].reason = PCIPASS_BLOCKER_CLAIMED_OTHER;
	CHECK(!claim_host_checks(&rep, &rep.members[0]),
	      "claimed for another driver: the host is not asked");
	CHECK(!claim_host_applies(&rep),
	      "claimed for another driver: no host blocker in the report");
	rep.outcome = PCIPASS_OUTCOME_ALREADY_CLAIMED;
	rep.nr_blockers = 0;
	CHECK(!claim_host_checks(&rep, &rep.members[0]) &&
	      !claim_host_applies(&rep), "already claimed: nothing moves");
	rep.outcome = PCIPASS_OUTCOME_CLAIMED;
	CHECK(claim_host_applies(&rep),
	      "claimed: what --force took belongs in the report");
	claim_report_free(&rep);
}

/* The fix of an interface seen through an upper or another namespace. */
static void test_fix_names_the_interface(void)
{
	struct claim_blocker b = { .addr = addr("0000:03:00.0"),
				   .reason = PCIPASS_BLOCKER_NETDEV_ACTIVE,
				   .detail = "vmbr0 (bridge over eno1)" };
	char f[256];

	CHECK(strstr(claim_blocker_fix(&b, f, sizeof(f)),
		     "ip addr flush dev vmbr0 && ip link set vmbr0 down"),
	      "upper: %s", f);
	b.detail = "eth1 (netns ct1)";
	CHECK(strstr(claim_blocker_fix(&b, f, sizeof(f)),
		     "ip -n ct1 addr flush dev eth1 && ip -n ct1 link set eth1 down"),
	      "ip netns: %s", f);
	b.detail = "x;reboot (netns a'b)";
	CHECK(strstr(claim_blocker_fix(&b, f, sizeof(f)),
		     "ip -n 'a'\\''b' addr flush dev 'x;reboot' &&"),
	      "names a shell would run: %s", f);
	b.detail = "eth1 (netns of PID 812 (lxc-start))";
	CHECK(strstr(claim_blocker_fix(&b, f, sizeof(f)),
		     "nsenter -t 812 -n ip addr flush dev eth1 && nsenter -t 812 -n ip link set eth1 down"),
	      "a container's: %s", f);
}

void test_policy(void)
{
	test_merge();
	test_which_members();
	test_fix_names_the_interface();
}
