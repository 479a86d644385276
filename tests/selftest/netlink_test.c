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
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#include "ppcommon.h"

/* Common setup: a socket with the pcipass family resolved. */
#define NL_SETUP(sock, fam) do {					\
	int __ret = pp_nl_open((sock), (fam), 0);			\
									\
	if (__ret == -ENOENT && !pp_module_loaded())			\
		SKIP(return, "pcipass module not loaded");		\
	ASSERT_EQ(0, __ret) TH_LOG("resolving family %s: %s",		\
				   PCIPASS_FAMILY_NAME, strerror(-__ret)); \
} while (0)

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

/* ------------------------------------------------------------------ */
/* Malformed and unsatisfiable requests.                               */

enum miss_mode {
	MISS_ABSENT = 0,	/* no NLMSGERR_ATTR_MISS_TYPE allowed */
	MISS_REQUIRED,		/* must be present and equal miss_type */
	MISS_OPTIONAL,		/* if present, must be one of miss_type[] */
	MISS_ANY,		/* don't care */
};

struct req_ctx {
	uint16_t family;
	struct pci_addr addr;	/* address to ask for */
	uint32_t group;		/* group id to ask for */
	size_t bad_off;		/* offset of the attribute to blame */
	size_t nest_off;	/* offset of the nest missing an attribute */
};

typedef void (*build_fn)(struct nlb *b, struct req_ctx *c);

FIXTURE(nlerr) {
	struct nl_sock s;
	struct req_ctx c;
};

FIXTURE_VARIANT(nlerr) {
	build_fn build;
	int err;		/* expected errno (positive) */
	bool need_msg;		/* an extack text message must be present */
	const char *msg;	/* ... and have exactly this text */
	bool check_offs;	/* NLMSGERR_ATTR_OFFS must equal c.bad_off */
	enum miss_mode miss;
	uint32_t miss_type[3];	/* acceptable missing types, 0-terminated */
	bool miss_nested;	/* MISS_NEST, if present, must be c.nest_off */
	bool use_addr;		/* ask for .addr instead of a valid function */
	struct pci_addr addr;
	uint32_t group;
	/*
	 * isolation-get needs CAP_SYS_ADMIN: an unprivileged caller gets this
	 * errno (with the module's text, nothing about attributes) instead,
	 * unless the policy rejected the request first.  0: the same answer.
	 */
	int unpriv_err;
	/*
	 * claim and release carry GENL_ADMIN_PERM: genetlink answers an
	 * unprivileged caller EPERM, without any extack, before the policy.
	 */
	bool admin;
	bool own_group;		/* ask for the group of the first function */
	/*
	 * A claim or release that found its group answers with the report
	 * (members, blockers) before the error: one reply message of this
	 * command is allowed as root.
	 */
	uint8_t report_cmd;
};

FIXTURE_SETUP(nlerr)
{
	self->s.fd = -1;
	NL_SETUP(&self->s, &self->c.family);
	if (variant->use_addr) {
		self->c.addr = variant->addr;
		if (pp_sysfs_has(&self->c.addr))
			SKIP(return, "%04x:%02x:%02x.%x exists here",
			     self->c.addr.domain, self->c.addr.bus,
			     self->c.addr.devfn >> 3, self->c.addr.devfn & 7);
	} else {
		ASSERT_EQ(0, pp_first_pci_addr(&self->c.addr));
	}
	self->c.group = variant->group;
	if (variant->own_group) {
		struct sysfs_dev sd;
		char name[32];

		pci_addr_fmt(&self->c.addr, name, sizeof(name));
		ASSERT_EQ(0, sysfs_pci_read(name, &sd));
		if (!sd.has_group)
			SKIP(return, "%s has no IOMMU group", name);
		self->c.group = sd.group;
	}
}

FIXTURE_TEARDOWN(nlerr)
{
	nl_close(&self->s);
}

static void dev_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_DEVICE_GET, PCIPASS_FAMILY_VERSION);
}

static void grp_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_GROUP_GET, PCIPASS_FAMILY_VERSION);
}

static void put_addr(struct nlb *b, const struct pci_addr *a)
{
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
}

static const uint8_t zeros[16];

static void bld_dev_addr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
}

static void bld_dev_no_addr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
}

static void bld_dev_addr_empty(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_domain(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_bus(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_devfn(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_nest_end(b);
}

static void bld_dev_unknown_top(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_DEV_MAX + 1, 0);
}

static void bld_dev_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_DEV_VENDOR, 0x8086);
}

static void bld_dev_type_zero(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, 0, 0);
}

static void bld_dev_unknown_nested(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_MAX + 1, 0);
	nlb_nest_end(b);
}

static void bld_dev_domain_short(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_domain_long(struct nlb *b, struct req_ctx *c)
{
	uint64_t dom = c->addr.domain;

	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	c->bad_off = nlb_put(b, PCIPASS_A_ADDR_DOMAIN, &dom, sizeof(dom));
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_u32(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_empty(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put(b, PCIPASS_A_ADDR_BUS, NULL, 0);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_devfn_u16(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_nested_flag(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_ADDR_BUS | NLA_F_NESTED, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* ADDR as a plain u32 instead of a nest */
static void bld_dev_addr_u32(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_DEV_ADDR, 0);
}

/* A well-formed nest that lacks NLA_F_NESTED */
static void bld_dev_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* NLA_F_NESTED, but four zero bytes that are no attribute */
static void bld_dev_addr_garbage(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED, zeros, 4);
}

/* NLA_F_NESTED with a payload shorter than an attribute header */
static void bld_dev_addr_short(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED, zeros, 2);
}

/* Four bytes after the last attribute that are no attribute */
static void bld_dev_trailing(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	b->nlh.nlmsg_len += 4;
}

static void bld_dev_dump_unknown(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_DEVICE_GET, PCIPASS_FAMILY_VERSION);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_DEV_VENDOR, 0x8086);
}

static void bld_grp_no_id(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
}

static void bld_grp_id(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, c->group);
}

static void bld_grp_id_short(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_GROUP_ID, 0);
}

static void bld_grp_id_long(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_GROUP_ID, zeros, 8);
}

static void bld_grp_id_byte(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_GROUP_ID, 0);
}

static void bld_grp_member_in_request(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, 0);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_GROUP_MEMBER | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, 0);
	nlb_nest_end(b);
}

static void bld_grp_dump_unknown(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_GROUP_GET, PCIPASS_FAMILY_VERSION);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_GROUP_MAX + 1, 0);
}

static void iso_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_ISOLATION_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_iso_addr(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_no_addr(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
}

static void bld_iso_addr_empty(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_domain(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_devfn(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_nest_end(b);
}

/* A reply attribute in the request: the do policy knows addr only. */
static void bld_iso_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	bld_iso_addr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ISO_IOMMU_GROUP, 0);
}

static void bld_iso_unknown_nested(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_MAX + 1, 0);
	nlb_nest_end(b);
}

static void bld_iso_bus_u32(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* isolation-get has no dump: genetlink refuses before any attribute */
static void bld_iso_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_ISOLATION_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_iso_dump_addr(struct nlb *b, struct req_ctx *c)
{
	bld_iso_addr(b, c);
	b->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	c->bad_off = 0;
}

static void bld_cmd_f0(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, 0xf0,
		 PCIPASS_FAMILY_VERSION);
	put_addr(b, &c->addr);
}

static void bld_cmd_f0_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP, 0xf0,
		 PCIPASS_FAMILY_VERSION);
}

static void bld_cmd_zero(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, 0,
		 PCIPASS_FAMILY_VERSION);
}

static void bld_cmd_max_plus_one(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_MAX + 1,
		 PCIPASS_FAMILY_VERSION);
}

/*
 * claim and release.  Every request here is malformed, names nothing, or
 * is a dry run: none can move a device, not even when socket_usable_after
 * sends it again as root.
 */
static void claim_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_CLAIM, PCIPASS_FAMILY_VERSION);
}

static void rel_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_RELEASE, PCIPASS_FAMILY_VERSION);
}

static size_t put_claim_addr(struct nlb *b, const struct pci_addr *a)
{
	size_t off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);

	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
	return off;
}

static void put_dry_run(struct nlb *b)
{
	nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS, PCIPASS_CLAIM_F_DRY_RUN);
}

static void bld_claim_none(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
}

static void bld_claim_addr_and_group(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, 0);
	put_dry_run(b);
}

static void bld_claim_flags_4(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS,
				 PCIPASS_CLAIM_F_DRY_RUN | 4);
}

static void bld_claim_flags_u8(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_CLAIM_FLAGS,
				PCIPASS_CLAIM_F_DRY_RUN);
}

static void bld_claim_group_u16(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_CLAIM_GROUP, 0);
	put_dry_run(b);
}

/*
 * 64 characters and the NUL: NLA_NUL_STRING with len 63 looks for the NUL
 * in the first 64 bytes (EINVAL)
 */
static void bld_claim_driver_64(struct nlb *b, struct req_ctx *c)
{
	char name[PCIPASS_DRIVER_NAME_MAX + 1];

	memset(name, 'x', PCIPASS_DRIVER_NAME_MAX);
	name[PCIPASS_DRIVER_NAME_MAX] = '\0';
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, name, sizeof(name));
	put_dry_run(b);
}

/* a NUL in time, but more bytes after it than the policy's 63: ERANGE */
static void bld_claim_driver_long_tail(struct nlb *b, struct req_ctx *c)
{
	char name[72];

	memset(name, 'x', sizeof(name));
	memcpy(name, "vfio-pci", 9);
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, name, sizeof(name));
	put_dry_run(b);
}

static void bld_claim_driver_no_nul(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, "vfio-pci", 8);
	put_dry_run(b);
}

/* A reply attribute in the request: the policy ends at flags. */
static void bld_claim_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	put_dry_run(b);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_OUTCOME, 0);
}

static void bld_claim_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
	put_dry_run(b);
}

static void bld_claim_addr_empty(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
	put_dry_run(b);
}

static void bld_claim_addr_dry(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = put_claim_addr(b, &c->addr);
	put_dry_run(b);
}

static void bld_claim_group_dry(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, c->group);
	put_dry_run(b);
}

/* claim has no dump: genetlink refuses before privilege and attributes */
static void bld_claim_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_CLAIM, PCIPASS_FAMILY_VERSION);
}

static void bld_rel_none(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
}

/* release takes no driver: a hole in its policy (NLA_UNSPEC, strict) */
static void bld_rel_driver(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_str(b, PCIPASS_A_CLAIM_DRIVER, "vfio-pci");
	put_dry_run(b);
}

static void bld_rel_flags_4(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS,
				 PCIPASS_CLAIM_F_DRY_RUN | 4);
}

static void bld_rel_group_dry(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, c->group);
	put_dry_run(b);
}

static void bld_rel_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_RELEASE, PCIPASS_FAMILY_VERSION);
}

/* event is a notification, not an op */
static void bld_cmd_event(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_EVENT,
		 PCIPASS_FAMILY_VERSION);
}

/* -- device-get: missing attributes -- */
FIXTURE_VARIANT_ADD(nlerr, dev_no_addr) {
	.build = bld_dev_no_addr, .err = EINVAL, .need_msg = true,
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_DEV_ADDR },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_empty) {
	.build = bld_dev_addr_empty, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN, PCIPASS_A_ADDR_BUS,
		       PCIPASS_A_ADDR_DEVFN },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_domain) {
	.build = bld_dev_addr_no_domain, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_bus) {
	.build = bld_dev_addr_no_bus, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_BUS },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_devfn) {
	.build = bld_dev_addr_no_devfn, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DEVFN },
};

/* -- device-get: unknown attributes (strict validation) -- */
FIXTURE_VARIANT_ADD(nlerr, dev_unknown_top) {
	.build = bld_dev_unknown_top, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_reply_only_attr) {
	.build = bld_dev_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_type_zero) {
	.build = bld_dev_type_zero, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_unknown_nested) {
	.build = bld_dev_unknown_nested, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};

/* -- device-get: wrong lengths and shapes -- */
FIXTURE_VARIANT_ADD(nlerr, dev_domain_2_bytes) {
	.build = bld_dev_domain_short, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_domain_8_bytes) {
	.build = bld_dev_domain_long, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_4_bytes) {
	.build = bld_dev_bus_u32, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_0_bytes) {
	.build = bld_dev_bus_empty, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_devfn_2_bytes) {
	.build = bld_dev_devfn_u16, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_nested_flag) {
	.build = bld_dev_bus_nested_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED not expected", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_u32) {
	.build = bld_dev_addr_u32, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_nest_flag) {
	.build = bld_dev_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_garbage) {
	.build = bld_dev_addr_garbage, .err = EINVAL, .need_msg = true,
	.msg = "bytes leftover after parsing attributes",
};
/* lib/nlattr.c: a nest shorter than NLA_HDRLEN fails policy with -ERANGE */
FIXTURE_VARIANT_ADD(nlerr, dev_addr_2_bytes) {
	.build = bld_dev_addr_short, .err = ERANGE, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_trailing_bytes) {
	.build = bld_dev_trailing, .err = EINVAL, .need_msg = true,
	.msg = "bytes leftover after parsing attributes",
};
FIXTURE_VARIANT_ADD(nlerr, dev_dump_unknown_attr) {
	.build = bld_dev_dump_unknown, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};

/* -- device-get: no such function -- */
FIXTURE_VARIANT_ADD(nlerr, dev_absent_bus_fe) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_7777) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0x7777, .bus = 0, .devfn = 0 },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_max) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0xffffffff, .bus = 0, .devfn = 0 },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_int_min) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0x80000000, .bus = 0, .devfn = 0 },
};

/* -- group-get -- */
FIXTURE_VARIANT_ADD(nlerr, grp_no_id) {
	.build = bld_grp_no_id, .err = EINVAL, .need_msg = true,
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_GROUP_ID },
};
FIXTURE_VARIANT_ADD(nlerr, grp_absent) {
	.build = bld_grp_id, .err = ENOENT, .need_msg = true,
	.group = 0xfffffff0,
};
FIXTURE_VARIANT_ADD(nlerr, grp_absent_max) {
	.build = bld_grp_id, .err = ENOENT, .need_msg = true,
	.group = 0xffffffff,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_2_bytes) {
	.build = bld_grp_id_short, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_8_bytes) {
	.build = bld_grp_id_long, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_1_byte) {
	.build = bld_grp_id_byte, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_member_in_request) {
	.build = bld_grp_member_in_request, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_dump_unknown_attr) {
	.build = bld_grp_dump_unknown, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};

/*
 * -- isolation-get: the policy is checked by genetlink before the module
 * runs (so unprivileged callers get its errors too); the module then
 * checks privilege first, the address next.
 */
FIXTURE_VARIANT_ADD(nlerr, iso_no_addr) {
	.build = bld_iso_no_addr, .err = EINVAL, .need_msg = true,
	.msg = "missing device address",
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_ISO_ADDR },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_empty) {
	.build = bld_iso_addr_empty, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_domain) {
	.build = bld_iso_addr_no_domain, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_devfn) {
	.build = bld_iso_addr_no_devfn, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DEVFN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_reply_only_attr) {
	.build = bld_iso_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_unknown_nested) {
	.build = bld_iso_unknown_nested, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_bus_4_bytes) {
	.build = bld_iso_bus_u32, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_nest_flag) {
	.build = bld_iso_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_absent_bus_fe) {
	.build = bld_iso_addr, .err = ENODEV, .need_msg = true,
	.msg = "no PCI function at this address", .check_offs = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_absent_domain_max) {
	.build = bld_iso_addr, .err = ENODEV, .need_msg = true,
	.msg = "no PCI function at this address", .check_offs = true,
	.use_addr = true, .addr = { .domain = 0xffffffff, .bus = 0, .devfn = 0 },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_dump) {
	.build = bld_iso_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, iso_dump_with_addr) {
	.build = bld_iso_dump_addr, .err = EOPNOTSUPP,
};

/*
 * -- claim and release: GENL_ADMIN_PERM (unprivileged: EPERM from
 * genetlink before the policy); as root the policy, then the module.
 */
FIXTURE_VARIANT_ADD(nlerr, claim_no_attrs) {
	.build = bld_claim_none, .err = EINVAL, .need_msg = true,
	.msg = "missing target: an address or a group", .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_and_group) {
	.build = bld_claim_addr_and_group, .err = EINVAL, .need_msg = true,
	.msg = "give an address or a group, not both", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_flags_unknown_bit) {
	.build = bld_claim_flags_4, .err = EINVAL, .need_msg = true,
	.msg = "reserved bit set", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_flags_1_byte) {
	.build = bld_claim_flags_u8, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_group_2_bytes) {
	.build = bld_claim_group_u16, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_too_long) {
	.build = bld_claim_driver_64, .err = EINVAL, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_long_tail) {
	.build = bld_claim_driver_long_tail, .err = ERANGE, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_no_nul) {
	.build = bld_claim_driver_no_nul, .err = EINVAL, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_reply_only_attr) {
	.build = bld_claim_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_no_nest_flag) {
	.build = bld_claim_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_empty) {
	.build = bld_claim_addr_empty, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN }, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_absent_bus_fe_dry_run) {
	.build = bld_claim_addr_dry, .err = ENODEV, .need_msg = true,
	.check_offs = true, .admin = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(nlerr, claim_absent_group_dry_run) {
	.build = bld_claim_group_dry, .err = ENOENT, .need_msg = true,
	.msg = "IOMMU group 4294967280 holds no PCI function",
	.check_offs = true, .admin = true, .group = 0xfffffff0,
};
FIXTURE_VARIANT_ADD(nlerr, claim_dump) {
	.build = bld_claim_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, release_no_attrs) {
	.build = bld_rel_none, .err = EINVAL, .need_msg = true,
	.msg = "missing target: an address or a group", .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_driver_attr) {
	.build = bld_rel_driver, .err = EINVAL, .need_msg = true,
	.msg = "Unsupported attribute", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_flags_unknown_bit) {
	.build = bld_rel_flags_4, .err = EINVAL, .need_msg = true,
	.msg = "reserved bit set", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_absent_group_dry_run) {
	.build = bld_rel_group_dry, .err = ENOENT, .need_msg = true,
	.msg = "IOMMU group 4294967280 holds no PCI function",
	.check_offs = true, .admin = true, .group = 0xfffffff0,
};
/* a group pcipass did not claim: nothing to give back */
FIXTURE_VARIANT_ADD(nlerr, release_unclaimed_group_dry_run) {
	.build = bld_rel_group_dry, .err = ENOENT, .need_msg = true,
	.admin = true, .own_group = true, .report_cmd = PCIPASS_CMD_RELEASE,
};
FIXTURE_VARIANT_ADD(nlerr, release_dump) {
	.build = bld_rel_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_event) {
	.build = bld_cmd_event, .err = EOPNOTSUPP,
};

/* -- unknown commands: genetlink core, no extack text -- */
FIXTURE_VARIANT_ADD(nlerr, cmd_0xf0) {
	.build = bld_cmd_f0, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_0xf0_dump) {
	.build = bld_cmd_f0_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_0) {
	.build = bld_cmd_zero, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_max_plus_one) {
	.build = bld_cmd_max_plus_one, .err = EOPNOTSUPP,
};

struct rej_expect {
	int err;
	bool need_msg;
	const char *msg;
	bool check_offs;
	enum miss_mode miss;
	const uint32_t *miss_type;
	bool miss_nested;
	bool no_msg;		/* no extack text at all */
	uint8_t report_cmd;	/* a report message may come first */
};

/* What @variant expects from a caller with or without CAP_SYS_ADMIN. */
static struct rej_expect rej_expect(const FIXTURE_VARIANT(nlerr) *v, bool priv)
{
	struct rej_expect x = {
		.err = v->err, .need_msg = v->need_msg, .msg = v->msg,
		.check_offs = v->check_offs, .miss = v->miss,
		.miss_type = v->miss_type, .miss_nested = v->miss_nested,
		.report_cmd = v->report_cmd,
	};

	if (!priv && v->unpriv_err) {
		static const struct rej_expect eperm = {
			.err = EPERM, .need_msg = true,
			.msg = "isolation-get needs CAP_SYS_ADMIN: it reads extended config space",
			.miss = MISS_ABSENT,
		};

		x = eperm;
		x.err = v->unpriv_err;
	}
	if (!priv && (v->admin ||
		      ((v->build == bld_claim_dump || v->build == bld_rel_dump) &&
		       pp_kernel_before_6_2()))) {
		static const struct rej_expect admin_eperm = {
			.err = EPERM, .miss = MISS_ABSENT, .no_msg = true,
		};

		x = admin_eperm;
	}
	/* Without formatted extack the module says which kind of failure. */
	if (x.msg && x.report_cmd == 0 && x.err == ENOENT &&
	    strstr(x.msg, "holds no PCI function") && pp_kernel_before_6_2())
		x.msg = "no such function, group or driver";
	return x;
}

static bool miss_type_ok(const struct rej_expect *x, uint32_t t)
{
	int i;

	for (i = 0; i < 3 && x->miss_type && x->miss_type[i]; i++)
		if (x->miss_type[i] == t)
			return true;
	return false;
}

static void check_rejected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(nlerr) *self,
			   const FIXTURE_VARIANT(nlerr) *variant, bool priv)
{
	struct rej_expect x = rej_expect(variant, priv);
	struct nl_reply rep;
	struct nlb b;

	self->c.bad_off = self->c.nest_off = 0;
	variant->build(&b, &self->c);
	ASSERT_FALSE(b.overflow);
	ASSERT_EQ(0, pp_claim_transact(&self->s, self->c.family, &b, &rep));
	TH_LOG("error %d, msg %s'%s', offs %s%u, miss_type %s%u, miss_nest %s%u",
	       rep.error, rep.has_msg ? "" : "(none) ", rep.ext_msg,
	       rep.has_offs ? "" : "(none) ", rep.offs,
	       rep.has_miss_type ? "" : "(none) ", rep.miss_type,
	       rep.has_miss_nest ? "" : "(none) ", rep.miss_nest);

	EXPECT_EQ(-x.err, rep.error);
	EXPECT_TRUE(rep.got_ack);
	if (x.report_cmd && rep.nmsgs) {
		char why[256] = "";

		EXPECT_EQ(1, rep.nmsgs);
		EXPECT_EQ(self->c.family, rep.msgs[0].nlh->nlmsg_type);
		EXPECT_EQ(0, pp_check_genl_hdr(rep.msgs[0].nlh, x.report_cmd,
					       why, sizeof(why))) TH_LOG("%s", why);
	} else {
		EXPECT_EQ(0, rep.nmsgs);
	}
	EXPECT_FALSE(rep.malformed);
	EXPECT_FALSE(rep.bad_seq);

	if (x.need_msg) {
		EXPECT_TRUE(rep.has_msg);
		EXPECT_NE(0U, strlen(rep.ext_msg));
	}
	if (x.msg) {
		EXPECT_STREQ(x.msg, rep.ext_msg);
	}
	if (x.no_msg) {
		EXPECT_FALSE(rep.has_msg);
		EXPECT_FALSE(rep.has_offs);
	}
	if (x.check_offs) {
		EXPECT_TRUE(rep.has_offs);
		EXPECT_EQ(self->c.bad_off, rep.offs);
	}

	switch (x.miss) {
	case MISS_ABSENT:
		EXPECT_FALSE(rep.has_miss_type);
		EXPECT_FALSE(rep.has_miss_nest);
		break;
	case MISS_REQUIRED:
		EXPECT_TRUE(rep.has_miss_type);
		EXPECT_EQ(x.miss_type[0], rep.miss_type);
		if (!x.miss_nested) {
			EXPECT_FALSE(rep.has_miss_nest);
		}
		break;
	case MISS_OPTIONAL:
		if (rep.has_miss_type) {
			EXPECT_TRUE(miss_type_ok(&x, rep.miss_type));
		}
		break;
	case MISS_ANY:
		break;
	}
	if (x.miss_nested && rep.has_miss_nest) {
		EXPECT_EQ(self->c.nest_off, rep.miss_nest);
	}
	if (x.miss_nested && x.miss == MISS_REQUIRED) {
		EXPECT_TRUE(rep.has_miss_nest);
	}
	if (!x.miss_nested && x.miss != MISS_ANY) {
		EXPECT_FALSE(rep.has_miss_nest);
	}
	nl_reply_free(&rep);
}

TEST_F(nlerr, rejected)
{
	check_rejected(_metadata, self, variant, geteuid() == 0);
}

/*
 * The same answer for an unprivileged caller on its own socket (for
 * isolation-get: EPERM where the variant says so; claim and release:
 * always EPERM from genetlink, except for a dump, which has no op).
 */
TEST_F(nlerr, rejected_unprivileged)
{
	uint16_t family;

	if (geteuid() == 0) {
		ASSERT_EQ(0, pp_drop_privileges());
	}
	nl_close(&self->s);
	ASSERT_EQ(0, pp_nl_open(&self->s, &family, 0));
	ASSERT_EQ(self->c.family, family);
	check_rejected(_metadata, self, variant, false);
}

/* The socket still works after an error: a valid request succeeds. */
TEST_F(nlerr, socket_usable_after)
{
	struct nl_reply rep;
	struct pci_addr valid;
	struct nlb b;

	variant->build(&b, &self->c);
	ASSERT_EQ(0, nl_transact(&self->s, &b, &rep));
	nl_reply_free(&rep);
	ASSERT_EQ(0, pp_first_pci_addr(&valid));
	pp_req_dev_get(&b, self->c.family, &valid);
	ASSERT_EQ(0, nl_transact(&self->s, &b, &rep));
	EXPECT_EQ(0, rep.error);
	EXPECT_EQ(1, rep.nmsgs);
	EXPECT_FALSE(rep.bad_seq);
	nl_reply_free(&rep);
}

TEST_HARNESS_MAIN
