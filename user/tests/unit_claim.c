// SPDX-License-Identifier: GPL-2.0
/*
 * claim, release and monitor without a kernel: the names, sentences,
 * fixes and exit statuses (claim/words.c); replies and events built in
 * memory the way the module sends them, through the real parsers; and the
 * report printed in text and JSON, read back from a temporary file.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/device.h"
#include "nl/event.h"
#include "unit.h"

#define BUF 512

static struct pp_addr addr(const char *s)
{
	enum addr_scope scope;
	struct pp_addr a = { 0 };

	addr_parse(s, &a, &scope);
	return a;
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

/* For messages: gcc cannot tell capture() never returns NULL. */
static const char *str(const char *s)
{
	return s ? s : "(null)";
}

static void test_names(void)
{
	char buf[32];

	CHECK(!strcmp(claim_outcome_key(PCIPASS_OUTCOME_ALREADY_CLAIMED),
		      "already_claimed"), "outcome key");
	CHECK(!strcmp(claim_outcome_key(PCIPASS_OUTCOME_RELEASE_FAILED),
		      "release_failed"), "last outcome key");
	CHECK(!strcmp(claim_outcome_key(99), "unknown"), "unknown outcome");
	CHECK(!strcmp(claim_state_key(PCIPASS_MEMBER_SKIPPED_BRIDGE),
		      "skipped_bridge"), "state key");
	CHECK(!strcmp(claim_state_key(PCIPASS_MEMBER_GONE), "gone"),
	      "last state key");
	CHECK(!strcmp(claim_state_words(PCIPASS_MEMBER_PLANNED), "would move"),
	      "dry run words");
	CHECK(!strcmp(claim_state_words(1000), "unknown"), "unknown state");
	CHECK(!strcmp(claim_step_key(PCIPASS_STEP_RESTORE), "restore"),
	      "step key");
	CHECK(!strcmp(claim_blocker_key(PCIPASS_BLOCKER_CLAIMED_OTHER),
		      "claimed_other"), "blocker key");
	CHECK(!strcmp(claim_event_key(PCIPASS_EVENT_RELEASE_FINISHED),
		      "release_finished"), "event key");
	CHECK(!strcmp(claim_event_key(PCIPASS_EVENT_RELEASE_FINISHED + 1),
		      "unknown"), "unknown event");
	CHECK(!strcmp(claim_hyphenate("override_changed", buf, sizeof(buf)),
		      "override-changed"), "hyphenate");
	CHECK(!strcmp(claim_hyphenate("rolled_back", buf, 7), "rolled"),
	      "hyphenate truncates");
	CHECK(claim_blocker_forceable(PCIPASS_BLOCKER_BOOT_VGA) &&
	      claim_blocker_forceable(PCIPASS_BLOCKER_BLOCK_IN_USE) &&
	      claim_blocker_forceable(PCIPASS_BLOCKER_NETDEV_ACTIVE),
	      "forceable blockers");
	CHECK(!claim_blocker_forceable(PCIPASS_BLOCKER_ROOT_FS) &&
	      !claim_blocker_forceable(PCIPASS_BLOCKER_ACTIVE_VFS) &&
	      !claim_blocker_forceable(PCIPASS_BLOCKER_CLAIMED_OTHER),
	      "never forced");
}

static void test_exit(void)
{
	static const struct {
		uint32_t outcome;
		int err;
		int want;
	} cases[] = {
		{ PCIPASS_OUTCOME_CLAIMED, 0, EXIT_OK },
		{ PCIPASS_OUTCOME_ALREADY_CLAIMED, 0, EXIT_OK },
		{ PCIPASS_OUTCOME_PLANNED, 0, EXIT_OK },
		{ PCIPASS_OUTCOME_RELEASED, 0, EXIT_OK },
		{ PCIPASS_OUTCOME_CLAIMED, -EIO, EXIT_RUNTIME },
		{ PCIPASS_OUTCOME_REFUSED, -EBUSY, EXIT_REFUSED },
		{ PCIPASS_OUTCOME_ROLLED_BACK, -ENODEV, EXIT_RUNTIME },
		{ PCIPASS_OUTCOME_ROLLBACK_FAILED, -EIO, EXIT_ATTENTION },
		{ PCIPASS_OUTCOME_RELEASE_FAILED, -EIO, EXIT_ATTENTION },
		{ 42, 0, EXIT_OK },
		{ 42, -EIO, EXIT_RUNTIME },
	};
	struct claim_blocker vga = { .reason = PCIPASS_BLOCKER_BOOT_VGA };
	struct claim_report rep = { .has_reply = true, .has_outcome = true,
				    .blockers = &vga, .nr_blockers = 1 };
	struct claim_report none = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		rep.outcome = cases[i].outcome;
		CHECK(claim_exit(&rep, cases[i].err) == cases[i].want,
		      "outcome %u err %d: exit %d, want %d", cases[i].outcome,
		      cases[i].err, claim_exit(&rep, cases[i].err),
		      cases[i].want);
	}
	CHECK(claim_exit(&none, -EPERM) == EXIT_RUNTIME, "no reply: 1");
	rep.outcome = PCIPASS_OUTCOME_REFUSED;
	vga.forced = true;
	CHECK(claim_exit(&rep, -EBUSY) == EXIT_RUNTIME,
	      "refused with only a forced blocker: 1");
	rep.nr_blockers = 0;
	CHECK(claim_exit(&rep, -ENOMEM) == EXIT_RUNTIME,
	      "refused by a pre-flight error, no blocker: 1");
	rep.outcome = PCIPASS_OUTCOME_CLAIMED;	/* the zero value */
	CHECK(!claim_report_usable(&rep, -ENOENT),
	      "success outcome with an error is no report");
	CHECK(claim_report_usable(&rep, 0), "success outcome");
	rep.outcome = PCIPASS_OUTCOME_REFUSED;
	CHECK(claim_report_usable(&rep, -EBUSY), "refusal with its error");
	CHECK(!claim_report_usable(&none, 0), "no reply");
	CHECK(EXIT_REFUSED == 6 && EXIT_ATTENTION == 7,
	      "documented exit statuses");
}

static void test_blockers(void)
{
	struct claim_blocker vga = { addr("00:02.0"), PCIPASS_BLOCKER_BOOT_VGA,
				     NULL, false, NULL };
	struct claim_blocker net = { addr("03:00.0"),
				     PCIPASS_BLOCKER_NETDEV_ACTIVE, "eth0", false, NULL };
	struct claim_blocker vfs = { addr("03:00.0"), PCIPASS_BLOCKER_ACTIVE_VFS,
				     "0000:03:10.0", false, NULL };
	struct claim_blocker root = { addr("01:00.0"), PCIPASS_BLOCKER_ROOT_FS,
				      "nvme0n1p2", false, NULL };
	struct claim_blocker blk = { addr("01:00.0"),
				     PCIPASS_BLOCKER_BLOCK_IN_USE, "nvme0n1p3", false, NULL };
	struct claim_blocker other = { addr("06:00.0"),
				       PCIPASS_BLOCKER_CLAIMED_OTHER, "pci-stub", false, NULL };
	struct claim_blocker odd = { addr("06:00.0"), 77, NULL, false, NULL };
	struct claim_blocker vm = { addr("05:00.0"), PCIPASS_BLOCKER_VFIO_IN_USE,
				    "/dev/vfio/8", false,
				    "PID 4242 (qemu-system-x86_64)" };
	struct claim_blocker vm_anon = { addr("05:00.0"),
					 PCIPASS_BLOCKER_VFIO_IN_USE, NULL, false,
					 NULL };
	char t[BUF], f[BUF];

	CHECK(!strcmp(claim_blocker_text(&vga, t, sizeof(t)),
		      "0000:00:02.0 is the boot VGA device"), "vga: %s", t);
	CHECK(has(claim_blocker_fix(&vga, f, sizeof(f)),
		  "use --force to take it anyway"), "vga fix: %s", f);
	CHECK(has(claim_blocker_text(&net, t, sizeof(t)), "interface eth0 up"),
	      "net: %s", t);
	CHECK(has(claim_blocker_fix(&net, f, sizeof(f)),
		  "ip addr flush dev eth0 && ip link set eth0 down"),
	      "net fix: %s", f);
	CHECK(has(claim_blocker_fix(&vfs, f, sizeof(f)),
		  "echo 0 > /sys/bus/pci/devices/0000:03:00.0/sriov_numvfs"),
	      "vfs fix: %s", f);
	CHECK(has(claim_blocker_text(&root, t, sizeof(t)),
		  "root filesystem (nvme0n1p2)"), "root: %s", t);
	CHECK(has(claim_blocker_fix(&root, f, sizeof(f)), "never"),
	      "root fix: %s", f);
	CHECK(has(claim_blocker_text(&blk, t, sizeof(t)), "nvme0n1p3") &&
	      has(claim_blocker_fix(&blk, f, sizeof(f)), "swapoff"),
	      "block in use");
	CHECK(has(claim_blocker_fix(&blk, f, sizeof(f)), "vgchange -an"),
	      "block fix names LVM: %s", f);
	CHECK(has(claim_blocker_text(&other, t, sizeof(t)), "claimed for pci-stub") &&
	      has(claim_blocker_fix(&other, f, sizeof(f)),
		  "pcipass release 0000:06:00.0"), "claimed other");
	CHECK(!strcmp(claim_blocker_text(&vm, t, sizeof(t)),
		      "0000:05:00.0 is in a group in use by PID 4242 (qemu-system-x86_64) through /dev/vfio/8"),
	      "vfio in use: %s", t);
	CHECK(has(claim_blocker_fix(&vm, f, sizeof(f)), "stop the VM first") &&
	      !claim_blocker_forceable(PCIPASS_BLOCKER_VFIO_IN_USE),
	      "vfio in use fix: %s", f);
	CHECK(!strcmp(claim_blocker_text(&vm_anon, t, sizeof(t)),
		      "0000:05:00.0 is in a group in use by a VFIO user (a VM)"),
	      "vfio in use, holder unknown: %s", t);
	CHECK(!strcmp(claim_blocker_key(PCIPASS_BLOCKER_VFIO_IN_USE),
		      "vfio_in_use"), "vfio in use key");
	CHECK(has(claim_blocker_text(&odd, t, sizeof(t)), "unknown") &&
	      !claim_blocker_fix(&odd, f, sizeof(f)), "unknown blocker");
}

static void test_member_fix(void)
{
	struct claim_member stranded = {
		.addr = addr("06:00.0"), .state = PCIPASS_MEMBER_ROLLBACK_FAILED,
		.from_driver = "e1000e", .to_driver = "vfio-pci",
	};
	struct claim_member ovr = {
		.addr = addr("06:00.1"), .state = PCIPASS_MEMBER_ROLLBACK_FAILED,
		.from_override = "pci-stub",
	};
	struct claim_member rel = {
		.addr = addr("06:00.0"), .state = PCIPASS_MEMBER_RELEASE_FAILED,
		.from_driver = "vfio-pci", .from_override = "vfio-pci",
		.to_driver = "vfio-pci",
	};
	struct claim_member fine = {
		.addr = addr("06:00.0"), .state = PCIPASS_MEMBER_ROLLED_BACK,
	};
	/* Bound to e1000e with an override naming vfio-pci: the override
	 * would refuse the bind, so it goes back last.
	 */
	struct claim_member mism = {
		.addr = addr("04:00.0"), .state = PCIPASS_MEMBER_ROLLBACK_FAILED,
		.from_driver = "e1000e", .from_override = "vfio-pci",
	};
	char f[BUF];

	CHECK(has(claim_member_fix(CLAIM_OP_CLAIM, &stranded, f, sizeof(f)),
		  "echo > /sys/bus/pci/devices/0000:06:00.0/driver_override; "
		  "echo 0000:06:00.0 > /sys/bus/pci/devices/0000:06:00.0/driver/unbind; "
		  "echo 0000:06:00.0 > /sys/bus/pci/drivers/e1000e/bind"),
	      "stranded claim: %s", f);
	CHECK(!strcmp(claim_member_fix(CLAIM_OP_CLAIM, &ovr, f, sizeof(f)),
		      "echo pci-stub > /sys/bus/pci/devices/0000:06:00.1/driver_override"),
	      "override only: %s", f);
	CHECK(has(claim_member_fix(CLAIM_OP_RELEASE, &rel, f, sizeof(f)),
		  "echo > /sys/bus/pci/devices/0000:06:00.0/driver_override; ") &&
	      has(f, "driver/unbind; echo 0000:06:00.0 > /sys/bus/pci/drivers_probe") &&
	      !has(f, "echo vfio-pci"), "stranded release: %s", f);
	CHECK(!claim_member_fix(CLAIM_OP_CLAIM, &fine, f, sizeof(f)),
	      "nothing to fix");
	CHECK(!strcmp(claim_member_fix(CLAIM_OP_CLAIM, &mism, f, sizeof(f)),
		      "echo > /sys/bus/pci/devices/0000:04:00.0/driver_override; "
		      "echo 0000:04:00.0 > /sys/bus/pci/drivers/e1000e/bind; "
		      "echo vfio-pci > /sys/bus/pci/devices/0000:04:00.0/driver_override"),
	      "override of another driver goes back last: %s", f);
}

static void test_summary(void)
{
	struct claim_member m[3] = {
		{ .addr = addr("05:00.0"), .state = PCIPASS_MEMBER_SKIPPED_BRIDGE },
		{ .addr = addr("06:00.0"), .state = PCIPASS_MEMBER_CLAIMED },
		{ .addr = addr("06:00.1"), .state = PCIPASS_MEMBER_CLAIMED },
	};
	struct claim_blocker b[2] = {
		{ .reason = PCIPASS_BLOCKER_BOOT_VGA },
		{ .reason = PCIPASS_BLOCKER_NETDEV_ACTIVE, .forced = true },
	};
	struct claim_report rep = {
		.has_reply = true, .has_group = true, .group = 5,
		.driver = "vfio-pci", .has_outcome = true,
		.outcome = PCIPASS_OUTCOME_CLAIMED, .members = m, .nr_members = 3,
	};
	struct claim_req dry = { .flags = PCIPASS_CLAIM_F_DRY_RUN };
	char s[BUF];

	CHECK(!strcmp(claim_summary(CLAIM_OP_CLAIM, NULL, &rep, s, sizeof(s)),
		      "group 5 claimed for vfio-pci: 2 functions"), "%s", s);
	m[1].state = m[2].state = PCIPASS_MEMBER_PLANNED;
	rep.outcome = PCIPASS_OUTCOME_PLANNED;
	CHECK(!strcmp(claim_summary(CLAIM_OP_CLAIM, &dry, &rep, s, sizeof(s)),
		      "group 5 can be claimed for vfio-pci: 2 functions would move (dry run, nothing changed)"),
	      "%s", s);
	rep.outcome = PCIPASS_OUTCOME_REFUSED;
	rep.blockers = b;
	rep.nr_blockers = 2;
	CHECK(!strcmp(claim_summary(CLAIM_OP_CLAIM, NULL, &rep, s, sizeof(s)),
		      "group 5 not claimed for vfio-pci: refused by 1 safety check, nothing changed"),
	      "%s", s);
	m[2].state = PCIPASS_MEMBER_FAILED;
	m[2].has_step = true;
	m[2].step = PCIPASS_STEP_BIND;
	m[2].error = -ENODEV;
	m[1].state = PCIPASS_MEMBER_ROLLED_BACK;
	rep.outcome = PCIPASS_OUTCOME_ROLLED_BACK;
	CHECK(has(claim_summary(CLAIM_OP_CLAIM, NULL, &rep, s, sizeof(s)),
		  "group 5 not claimed for vfio-pci: bind failed on 0000:06:00.1 (No such device); every member restored"),
	      "%s", s);
	m[1].state = PCIPASS_MEMBER_ROLLBACK_FAILED;
	rep.outcome = PCIPASS_OUTCOME_ROLLBACK_FAILED;
	CHECK(has(claim_summary(CLAIM_OP_CLAIM, NULL, &rep, s, sizeof(s)),
		  "and 1 function could not be restored: the host needs attention"),
	      "%s", s);
	m[1].state = m[2].state = PCIPASS_MEMBER_RELEASED;
	rep.outcome = PCIPASS_OUTCOME_RELEASED;
	CHECK(!strcmp(claim_summary(CLAIM_OP_RELEASE, NULL, &rep, s, sizeof(s)),
		      "group 5 released from vfio-pci: 2 functions back on their own drivers"),
	      "%s", s);
	rep.has_group = false;
	rep.driver = NULL;
	rep.outcome = PCIPASS_OUTCOME_ALREADY_CLAIMED;
	CHECK(!strcmp(claim_summary(CLAIM_OP_CLAIM, NULL, &rep, s, sizeof(s)),
		      "the group already claimed for vfio-pci: nothing changed"),
	      "default driver, no group: %s", s);
}

/* --------------------------------------------- replies and events */

static void put_addr(struct nl_msg *msg, int type, const char *s)
{
	struct pp_addr a = addr(s);

	addr_to_nest(msg, type, &a);
}

static struct nl_msg *new_msg(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 0, 0x1234, 0, 0, cmd, PCIPASS_FAMILY_VERSION);
	return msg;
}

/* A rollback that could not be completed, as the module reports it. */
static struct nl_msg *rollback_reply(void)
{
	struct nl_msg *msg = new_msg(PCIPASS_CMD_CLAIM);
	struct nlattr *n;

	nla_put_u32(msg, PCIPASS_A_CLAIM_GROUP, 5);
	nla_put_string(msg, PCIPASS_A_CLAIM_DRIVER, "vfio-pci");
	nla_put_u32(msg, PCIPASS_A_CLAIM_OUTCOME, PCIPASS_OUTCOME_ROLLBACK_FAILED);

	n = nla_nest_start(msg, PCIPASS_A_CLAIM_MEMBER | NLA_F_NESTED);
	put_addr(msg, PCIPASS_A_MEMBER_ADDR, "06:00.0");
	nla_put_u32(msg, PCIPASS_A_MEMBER_STATE, PCIPASS_MEMBER_ROLLBACK_FAILED);
	nla_put_string(msg, PCIPASS_A_MEMBER_FROM_DRIVER, "e1000e");
	nla_put_string(msg, PCIPASS_A_MEMBER_TO_DRIVER, "vfio-pci");
	nla_put_u32(msg, PCIPASS_A_MEMBER_STEP, PCIPASS_STEP_RESTORE);
	nla_put_s32(msg, PCIPASS_A_MEMBER_ERROR, -EIO);
	nla_nest_end(msg, n);

	n = nla_nest_start(msg, PCIPASS_A_CLAIM_MEMBER | NLA_F_NESTED);
	put_addr(msg, PCIPASS_A_MEMBER_ADDR, "06:00.1");
	nla_put_u32(msg, PCIPASS_A_MEMBER_STATE, PCIPASS_MEMBER_FAILED);
	nla_put_string(msg, PCIPASS_A_MEMBER_FROM_DRIVER, "e1000e");
	nla_put_string(msg, PCIPASS_A_MEMBER_FROM_OVERRIDE, "e1000e");
	nla_put_u32(msg, PCIPASS_A_MEMBER_STEP, PCIPASS_STEP_BIND);
	nla_put_s32(msg, PCIPASS_A_MEMBER_ERROR, -ENODEV);
	nla_nest_end(msg, n);

	n = nla_nest_start(msg, PCIPASS_A_CLAIM_BLOCKER | NLA_F_NESTED);
	put_addr(msg, PCIPASS_A_CBLOCKER_ADDR, "06:00.0");
	nla_put_u32(msg, PCIPASS_A_CBLOCKER_REASON, PCIPASS_BLOCKER_NETDEV_ACTIVE);
	nla_put_string(msg, PCIPASS_A_CBLOCKER_DETAIL, "enp6s0f0");
	nla_put_flag(msg, PCIPASS_A_CBLOCKER_FORCED);
	nla_nest_end(msg, n);
	return msg;
}

static void test_parse_reply(void)
{
	struct nl_msg *msg = rollback_reply();
	struct claim_report rep = { 0 };
	char a[ADDR_STRLEN];
	int rc = claim_parse_reply(msg, &rep);

	CHECK(rc == 0 && rep.has_reply, "reply parsed (%d)", rc);
	CHECK(rep.has_group && rep.group == 5 && has(rep.driver, "vfio-pci"),
	      "group and driver");
	CHECK(rep.has_outcome && rep.outcome == PCIPASS_OUTCOME_ROLLBACK_FAILED,
	      "outcome");
	CHECK(rep.nr_members == 2 && rep.nr_blockers == 1, "%zu members, %zu blockers",
	      rep.nr_members, rep.nr_blockers);
	if (rep.nr_members == 2 && rep.nr_blockers == 1) {
		const struct claim_member *m0 = &rep.members[0], *m1 = &rep.members[1];

		CHECK(!strcmp(addr_fmt(&m0->addr, a), "0000:06:00.0"),
		      "members in claim order");
		CHECK(m0->error == -EIO && m0->has_step &&
		      m0->step == PCIPASS_STEP_RESTORE && !m0->from_override,
		      "member 0");
		CHECK(m1->error == -ENODEV && !m1->to_driver &&
		      has(m1->from_override, "e1000e"), "member 1");
		CHECK(rep.blockers[0].forced &&
		      has(rep.blockers[0].detail, "enp6s0f0"), "blocker");
	}
	nlmsg_free(msg);

	/* A member without its address is refused, not half-read. */
	msg = new_msg(PCIPASS_CMD_CLAIM);
	{
		struct nlattr *n = nla_nest_start(msg, PCIPASS_A_CLAIM_MEMBER |
						  NLA_F_NESTED);

		nla_put_u32(msg, PCIPASS_A_MEMBER_STATE, PCIPASS_MEMBER_CLAIMED);
		nla_nest_end(msg, n);
	}
	CHECK(claim_parse_reply(msg, &rep) == -EBADMSG && !rep.has_reply &&
	      !rep.nr_members, "member without address");
	nlmsg_free(msg);
	claim_report_free(&rep);
}

static void test_parse_event(void)
{
	struct nl_msg *msg = new_msg(PCIPASS_CMD_EVENT);
	struct pp_event ev;
	char a[ADDR_STRLEN];

	nla_put_u32(msg, PCIPASS_A_EVENT_TYPE, PCIPASS_EVENT_OVERRIDE_CHANGED);
	put_addr(msg, PCIPASS_A_EVENT_ADDR, "05:00.0");
	CHECK(event_parse(msg, &ev) == 0 && ev.has_addr && !ev.override &&
	      ev.type == PCIPASS_EVENT_OVERRIDE_CHANGED &&
	      !strcmp(addr_fmt(&ev.addr, a), "0000:05:00.0"),
	      "override cleared");
	nlmsg_free(msg);

	msg = new_msg(PCIPASS_CMD_EVENT);
	nla_put_u32(msg, PCIPASS_A_EVENT_TYPE, PCIPASS_EVENT_CLAIM_FINISHED);
	nla_put_u32(msg, PCIPASS_A_EVENT_GROUP, 0);
	nla_put_u32(msg, PCIPASS_A_EVENT_OUTCOME, PCIPASS_OUTCOME_ROLLED_BACK);
	nla_put_s32(msg, PCIPASS_A_EVENT_ERROR, -ENODEV);
	CHECK(event_parse(msg, &ev) == 0 && ev.has_group && ev.group == 0 &&
	      ev.has_error && ev.error == -ENODEV && !ev.has_addr,
	      "claim finished in group 0");
	nlmsg_free(msg);

	msg = new_msg(PCIPASS_CMD_CLAIM);
	CHECK(event_parse(msg, &ev) == -EAGAIN, "not an event");
	nlmsg_free(msg);
	msg = new_msg(PCIPASS_CMD_EVENT);
	CHECK(event_parse(msg, &ev) == -EBADMSG, "event without type");
	nlmsg_free(msg);
}

/* --------------------------------------------- printing */

struct print_case {
	const struct claim_req *req;
	const struct claim_report *rep;
	const struct claim_error *err;
};

static void print_report(const void *arg)
{
	const struct print_case *c = arg;

	claim_print(c->req, c->rep, c->err);
}

static void print_event(const void *arg)
{
	event_print(arg);
}

static void test_print(void)
{
	struct claim_req req = { .op = CLAIM_OP_CLAIM, .kind = CLAIM_Q_SLOT,
				 .arg = "06:00" };
	struct claim_error err = { EIO, true, "rollback of 0000:06:00.0 failed" };
	struct nl_msg *msg = rollback_reply();
	struct claim_report rep = { 0 };
	struct print_case c = { &req, &rep, &err };
	struct pp_event ev = { .type = PCIPASS_EVENT_CLAIM_FINISHED,
			       .has_group = true, .group = 5, .driver = "vfio-pci",
			       .has_outcome = true,
			       .outcome = PCIPASS_OUTCOME_CLAIMED,
			       .has_error = true, .txid = 7 };
	json_object *doc, *v, *m;
	char *out;

	claim_parse_reply(msg, &rep);
	nlmsg_free(msg);

	out = capture(print_report, &c);
	CHECK(has(out, "group 5 not claimed for vfio-pci: bind failed on 0000:06:00.1 (No such device), and 1 function could not be restored"),
	      "text summary:\n%s", str(out));
	CHECK(has(out, "  forced:  0000:06:00.0 has network interface enp6s0f0 up with addresses (taken anyway: --force)\n"),
	      "text forced blocker:\n%s", str(out));
	CHECK(has(out, "  0000:06:00.0  e1000e -> vfio-pci  ROLLBACK FAILED at restore: Input/output error; now on vfio-pci\n"
		  "      fix: echo > /sys/bus/pci/devices/0000:06:00.0/driver_override; "),
	      "text stranded member:\n%s", str(out));
	CHECK(has(out, "  0000:06:00.1  e1000e -> (none)    FAILED at bind: No such device (driver_override was e1000e)\n"),
	      "text failed member:\n%s", str(out));
	free(out);

	print_set_json(true);
	out = capture(print_report, &c);
	doc = out ? json_tokener_parse(out) : NULL;
	CHECK(doc != NULL, "JSON parses: %s", str(out));
	if (doc) {
		CHECK(json_object_object_get_ex(doc, "outcome", &v) &&
		      !strcmp(json_object_get_string(v), "rollback_failed"),
		      "JSON outcome");
		CHECK(json_object_object_get_ex(doc, "query_kind", &v) &&
		      !strcmp(json_object_get_string(v), "slot"), "JSON query_kind");
		CHECK(json_object_object_get_ex(doc, "members", &v) &&
		      json_object_array_length(v) == 2, "JSON members");
		m = v ? json_object_array_get_idx(v, 0) : NULL;
		CHECK(m && json_object_object_get_ex(m, "errno", &v) &&
		      json_object_get_int(v) == EIO, "JSON member errno");
		CHECK(m && json_object_object_get_ex(m, "from_override", &v) &&
		      v == NULL, "JSON null from_override");
		CHECK(json_object_object_get_ex(doc, "error", &v) &&
		      json_object_object_get_ex(v, "kernel_message", &m) &&
		      has(json_object_get_string(m), "rollback of"),
		      "JSON kernel message");
		json_object_put(doc);
	}
	free(out);

	out = capture(print_event, &ev);
	CHECK(out && !strcmp(out, "{\"type\":\"claim_finished\",\"address\":null,\"group\":5,\"driver\":\"vfio-pci\",\"override\":null,\"outcome\":\"claimed\",\"errno\":0,\"error\":null,\"txid\":7}\n"),
	      "JSON event: %s", str(out));
	free(out);
	print_set_json(false);

	out = capture(print_event, &ev);
	CHECK(out && !strcmp(out, "claim-finished group 5 vfio-pci claimed (transaction 7)\n"),
	      "text event: %s", str(out));
	free(out);
	ev = (struct pp_event){ .type = PCIPASS_EVENT_OVERRIDE_CHANGED,
				.has_addr = true, .addr = addr("05:00.0") };
	out = capture(print_event, &ev);
	CHECK(out && !strcmp(out, "override-changed 0000:05:00.0 (cleared)\n"),
	      "text override cleared: %s", str(out));
	free(out);
	ev = (struct pp_event){ .type = PCIPASS_EVENT_DRIVER_BOUND,
				.has_addr = true, .addr = addr("05:00.0"),
				.driver = "vfio-pci" };
	out = capture(print_event, &ev);
	CHECK(out && !strcmp(out, "driver-bound 0000:05:00.0 vfio-pci\n"),
	      "text driver bound: %s", str(out));
	free(out);
	ev = (struct pp_event){ .type = PCIPASS_EVENT_RELEASE_FINISHED,
				.has_group = true, .group = 5, .driver = "vfio-pci",
				.has_outcome = true,
				.outcome = PCIPASS_OUTCOME_RELEASE_FAILED,
				.has_error = true, .error = -EIO };
	out = capture(print_event, &ev);
	CHECK(out && !strcmp(out, "release-finished group 5 vfio-pci release-failed: Input/output error\n"),
	      "text error event: %s", str(out));
	free(out);
	claim_report_free(&rep);
}

/* Where a transaction waits, as claim and release print it. */
static void test_busy_words(void)
{
	struct claim_report rep = { .txid = 9, .tx_state = PCIPASS_TX_RUNNING,
				    .busy_step = PCIPASS_STEP_UNBIND,
				    .has_busy_addr = true,
				    .busy_addr = { 0, 0x0a, PP_DEVFN(0, 2) },
				    .busy_driver = "vfio-pci", .busy_ms = 42999 };
	char buf[160];

	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "waited 42 s in unbind of 0000:0a:00.2 from vfio-pci"),
	      "unbind: %s", buf);
	rep.busy_step = PCIPASS_STEP_BIND;
	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "waited 42 s in bind of 0000:0a:00.2 to vfio-pci"),
	      "bind: %s", buf);
	rep.busy_step = PCIPASS_STEP_OVERRIDE;
	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "waited 42 s in override of 0000:0a:00.2 with vfio-pci"),
	      "override: %s", buf);
	rep.busy_driver = "";
	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "waited 42 s clearing the override of 0000:0a:00.2"),
	      "override cleared: %s", buf);
	rep.busy_step = PCIPASS_STEP_LOAD_MODULE;
	rep.has_busy_addr = false;
	rep.busy_driver = "mlx5_vfio_pci";
	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "waited 42 s loading the module mlx5_vfio_pci"),
	      "module: %s", buf);
	rep.busy_step = 0;
	rep.tx_state = PCIPASS_TX_QUEUED;
	claim_busy_words(&rep, buf, sizeof(buf));
	CHECK(!strcmp(buf, "queued behind another transaction"), "queued: %s", buf);
}

void test_claim(void)
{
	test_names();
	test_exit();
	test_blockers();
	test_member_fix();
	test_summary();
	test_parse_reply();
	test_parse_event();
	test_print();
	test_busy_words();
}
