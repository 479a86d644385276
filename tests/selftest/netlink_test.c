// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass generic netlink family: request validation and error reporting.
 *
 * Every malformed request is checked for the exact errno, the presence of
 * an extended ACK text message (and the exact text where the kernel's
 * policy validation produces it), the offset of the offending attribute
 * where the kernel reports one, and the missing attribute type where the
 * module must report one.  Ground truth comparisons live in
 * groundtruth_test.c.
 *
 *   nl.*     the family as nlctrl describes it, its multicast group, and
 *            the shape of a do reply, with and without an ACK (here);
 *   nlerr.*  every malformed or unsatisfiable request, a variant each:
 *            netlink_reject.h (the fixture), then the variants by command,
 *            netlink_reject_{device,group,isolation,claim,cmd}.h, and
 *            netlink_reject_check.h (the checks and the tests).
 *
 * What the parts share: netlink_common.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#include "netlink_common.h"

FIXTURE(nl) {
	struct nl_sock s;
	uint16_t family;
	struct pci_addr valid;
};

FIXTURE_SETUP(nl)
{
	self->s.fd = -1;
	NL_SETUP(&self->s, &self->family);
	ASSERT_EQ(0, pp_first_pci_addr(&self->valid))
		TH_LOG("no PCI function in %s", SYSFS_PCI_DEVICES);
}

FIXTURE_TEARDOWN(nl)
{
	nl_close(&self->s);
}

/*
 * nlctrl describes the family as the spec says: device-get and group-get
 * (do and dump), isolation-get, claim and release (do only); event is a
 * notification, not an op.  The queries are open to every user:
 * isolation-get decides on CAP_SYS_ADMIN itself (GENL_ADMIN_PERM would
 * check CAP_NET_ADMIN).  claim and release carry GENL_ADMIN_PERM (and the
 * module checks CAP_SYS_ADMIN on top).
 */
TEST_F(nl, family_description)
{
	const uint32_t caps = GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP |
			      GENL_CMD_CAP_HASPOL;
	const uint32_t admin = GENL_ADMIN_PERM | GENL_UNS_ADMIN_PERM;
	struct genl_family_info fi;
	bool dev = false, grp = false, iso = false, claim = false,
	     release = false, claim_get = false;
	int i;

	ASSERT_EQ(0, genl_resolve(&self->s, PCIPASS_FAMILY_NAME, &fi));
	EXPECT_EQ(self->family, fi.id);
	EXPECT_LE(GENL_MIN_ID, fi.id);
	EXPECT_EQ((uint32_t)PCIPASS_FAMILY_VERSION, fi.version);
	EXPECT_EQ(0U, fi.hdrsize);
	EXPECT_EQ(6, fi.nops);
	for (i = 0; i < fi.nops; i++) {
		TH_LOG("op %u flags %#x", fi.ops[i].cmd, fi.ops[i].flags);
		switch (fi.ops[i].cmd) {
		case PCIPASS_CMD_DEVICE_GET:
			dev = true;
			EXPECT_EQ(caps, fi.ops[i].flags & caps);
			EXPECT_EQ(0U, fi.ops[i].flags & admin);
			break;
		case PCIPASS_CMD_GROUP_GET:
			grp = true;
			EXPECT_EQ(caps, fi.ops[i].flags & caps);
			EXPECT_EQ(0U, fi.ops[i].flags & admin);
			break;
		case PCIPASS_CMD_ISOLATION_GET:
			iso = true;
			EXPECT_EQ((uint32_t)(GENL_CMD_CAP_DO | GENL_CMD_CAP_HASPOL),
				  fi.ops[i].flags & caps);
			EXPECT_EQ(0U, fi.ops[i].flags & admin);
			break;
		case PCIPASS_CMD_CLAIM:
		case PCIPASS_CMD_RELEASE:
		case PCIPASS_CMD_CLAIM_GET:
			if (fi.ops[i].cmd == PCIPASS_CMD_CLAIM)
				claim = true;
			else if (fi.ops[i].cmd == PCIPASS_CMD_RELEASE)
				release = true;
			else
				claim_get = true;
			EXPECT_EQ((uint32_t)(GENL_CMD_CAP_DO | GENL_CMD_CAP_HASPOL),
				  fi.ops[i].flags & caps);
			EXPECT_EQ((uint32_t)GENL_ADMIN_PERM,
				  fi.ops[i].flags & admin);
			break;
		default:
			EXPECT_TRUE(false) TH_LOG("unexpected op %u", fi.ops[i].cmd);
		}
	}
	EXPECT_TRUE(dev);
	EXPECT_TRUE(grp);
	EXPECT_TRUE(iso);
	EXPECT_TRUE(claim);
	EXPECT_TRUE(release);
	EXPECT_TRUE(claim_get);
	/* numbers are ABI: a listener filters events by this command */
	EXPECT_EQ(6, PCIPASS_CMD_EVENT);
	EXPECT_EQ(7, PCIPASS_CMD_CLAIM_GET);
}

/*
 * Exactly one multicast group, "events" (PCIPASS_MCGRP_EVENTS), with an id
 * of its own that a socket can join.
 */
TEST_F(nl, family_mcast_groups)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *a;
	uint32_t id = 0, ngroups = 0;
	char name[GENL_NAMSIZ] = "";
	struct nl_reply rep;
	int len, rem, rem2;
	struct nlb b;
	void *attrs;

	nlb_init(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK,
		 CTRL_CMD_GETFAMILY, 1);
	nlb_put_str(&b, CTRL_ATTR_FAMILY_NAME, PCIPASS_FAMILY_NAME);
	ASSERT_EQ(0, nl_transact(&self->s, &b, &rep));
	ASSERT_EQ(0, rep.error);
	ASSERT_EQ(1, rep.nmsgs);
	attrs = genl_attrs(rep.msgs[0].nlh, &len);
	ASSERT_NE(NULL, attrs);
	ASSERT_EQ(0, nla_parse_strict(attrs, len, tb, CTRL_ATTR_MAX, 0));
	ASSERT_NE(NULL, tb[CTRL_ATTR_MCAST_GROUPS]);
	nla_for_each(g, nla_payload(tb[CTRL_ATTR_MCAST_GROUPS]),
		     nla_plen(tb[CTRL_ATTR_MCAST_GROUPS]), rem) {
		ngroups++;
		nla_for_each(a, nla_payload(g), nla_plen(g), rem2) {
			if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_ID &&
			    nla_plen(a) == 4)
				memcpy(&id, nla_payload(a), 4);
			else if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_NAME &&
				 nla_plen(a) > 0 && nla_plen(a) <= GENL_NAMSIZ)
				snprintf(name, sizeof(name), "%.*s",
					 nla_plen(a), (char *)nla_payload(a));
		}
	}
	nl_reply_free(&rep);
	EXPECT_EQ(1U, ngroups);
	EXPECT_STREQ(PCIPASS_MCGRP_EVENTS, name);
	EXPECT_STREQ("events", name);
	ASSERT_NE(0U, id);
	/* anyone may listen: no GENL_MCAST_CAP_* restriction on the group */
	EXPECT_EQ(0, setsockopt(self->s.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
				&id, sizeof(id))) TH_LOG("join %u: %s", id,
							 strerror(errno));
	EXPECT_EQ(0, setsockopt(self->s.fd, SOL_NETLINK,
				NETLINK_DROP_MEMBERSHIP, &id, sizeof(id)));
}

/* A do request gets exactly one reply message, not multi, then the ACK. */
TEST_F(nl, device_get_reply_shape)
{
	char why[1024] = "";
	struct nl_reply rep;
	struct pp_dev d;
	struct nlb b;

	pp_req_dev_get(&b, self->family, &self->valid);
	ASSERT_EQ(0, nl_transact(&self->s, &b, &rep));
	EXPECT_EQ(0, rep.error) TH_LOG("error %d (%s)", rep.error, rep.ext_msg);
	EXPECT_TRUE(rep.got_ack);
	EXPECT_FALSE(rep.bad_seq);
	EXPECT_FALSE(rep.truncated);
	EXPECT_FALSE(rep.malformed);
	ASSERT_EQ(1, rep.nmsgs);
	EXPECT_EQ(self->family, rep.msgs[0].nlh->nlmsg_type);
	EXPECT_EQ(0, rep.msgs[0].nlh->nlmsg_flags & NLM_F_MULTI);
	ASSERT_EQ(0, pp_parse_dev(rep.msgs[0].nlh, &d, why, sizeof(why)))
		TH_LOG("%s", why);
	ASSERT_TRUE(PP_HAS(&d, PCIPASS_A_DEV_ADDR));
	EXPECT_EQ(0, pci_addr_cmp(&self->valid, &d.addr));
	nl_reply_free(&rep);
}

/* Without NLM_F_ACK the reply alone comes back, and nothing after it. */
TEST_F(nl, device_get_no_ack)
{
	struct nl_reply rep;
	struct nlb b;
	char buf[64];
	ssize_t n;

	pp_req_dev_get(&b, self->family, &self->valid);
	b.nlh.nlmsg_flags &= ~NLM_F_ACK;
	ASSERT_EQ(0, nl_transact(&self->s, &b, &rep));
	EXPECT_FALSE(rep.got_ack);
	EXPECT_EQ(0, rep.error);
	EXPECT_EQ(1, rep.nmsgs);
	nl_reply_free(&rep);
	n = recv(self->s.fd, buf, sizeof(buf), MSG_DONTWAIT);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(EAGAIN, errno);
}

/*
 * The nlerr fixture, in the order its variants run.  Included, not
 * linked: kselftest_harness.h keeps its list of tests per file and
 * defines its globals in every file that includes it, so one program's
 * tests live in one translation unit.
 */
#include "netlink_reject.h"
#include "netlink_reject_device.h"
#include "netlink_reject_group.h"
#include "netlink_reject_isolation.h"
#include "netlink_reject_claim.h"
#include "netlink_reject_cmd.h"
#include "netlink_reject_check.h"

TEST_HARNESS_MAIN
