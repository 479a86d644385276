// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink marshalling: a snapshot put into a message parses back to the
 * same facts; a full buffer leaves no half message; an address nest is
 * checked for its parts; a group too large for one message is split and
 * resumes exactly where it stopped.  The family is pcipass.ko's own (it is
 * registered: this module depends on it).
 */
#include <kunit/test.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <uapi/linux/pcipass.h>

#include "core.h"
#include "netlink.h"

static const struct nla_policy addr_policy[PCIPASS_A_ADDR_MAX + 1] = {
	[PCIPASS_A_ADDR_DOMAIN] = { .type = NLA_U32 },
	[PCIPASS_A_ADDR_BUS] = { .type = NLA_U8 },
	[PCIPASS_A_ADDR_DEVFN] = { .type = NLA_U8 },
};

static const struct nla_policy acs_policy[PCIPASS_A_ACS_MAX + 1] = {
	[PCIPASS_A_ACS_POS] = { .type = NLA_U16 },
	[PCIPASS_A_ACS_CAP] = { .type = NLA_U16 },
	[PCIPASS_A_ACS_CTRL] = { .type = NLA_U16 },
};

/* What a reader of the reply expects, per the spec. */
static const struct nla_policy dev_policy[PCIPASS_A_DEV_MAX + 1] = {
	[PCIPASS_A_DEV_ADDR] = NLA_POLICY_NESTED(addr_policy),
	[PCIPASS_A_DEV_VENDOR] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_DEVICE] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_SUBSYSTEM_VENDOR] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_SUBSYSTEM_DEVICE] = { .type = NLA_U16 },
	[PCIPASS_A_DEV_CLASS] = { .type = NLA_U32 },
	[PCIPASS_A_DEV_REVISION] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_HEADER_TYPE] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_PCIE_TYPE] = { .type = NLA_U8 },
	[PCIPASS_A_DEV_MULTIFUNCTION] = { .type = NLA_FLAG },
	[PCIPASS_A_DEV_VIRTFN] = { .type = NLA_FLAG },
	[PCIPASS_A_DEV_PHYSFN] = NLA_POLICY_NESTED(addr_policy),
	[PCIPASS_A_DEV_DRIVER] = { .type = NLA_NUL_STRING },
	[PCIPASS_A_DEV_DRIVER_OVERRIDE] = { .type = NLA_NUL_STRING },
	[PCIPASS_A_DEV_IOMMU_GROUP] = { .type = NLA_U32 },
	[PCIPASS_A_DEV_UPSTREAM] = NLA_POLICY_NESTED(addr_policy),
	[PCIPASS_A_DEV_ACS] = NLA_POLICY_NESTED(acs_policy),
	[PCIPASS_A_DEV_RESTRICTED] = { .type = NLA_FLAG },
};

/* The message under test: the one after new_msg()'s filler, if any. */
static struct nlmsghdr *test_msg(struct sk_buff *skb)
{
	struct nlmsghdr *nlh = nlmsg_hdr(skb);

	if (nlh->nlmsg_type == NLMSG_NOOP)
		nlh = (void *)nlh + NLMSG_ALIGN(nlh->nlmsg_len);
	return nlh;
}

static struct nlattr **parse_dev(struct kunit *test, struct sk_buff *skb)
{
	struct nlattr **tb = kunit_kcalloc(test, PCIPASS_A_DEV_MAX + 1,
					   sizeof(*tb), GFP_KERNEL);
	struct nlmsghdr *nlh = test_msg(skb);

	KUNIT_ASSERT_NOT_NULL(test, tb);
	/* One message, ending where the buffer's data ends. */
	KUNIT_ASSERT_PTR_EQ(test, (void *)nlh + nlh->nlmsg_len,
			    (void *)skb_tail_pointer(skb));
	/* pcipass has no family header: attributes follow the genl header. */
	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, GENL_HDRLEN, tb,
					  PCIPASS_A_DEV_MAX, dev_policy, NULL), 0);
	return tb;
}

static void expect_addr_nest(struct kunit *test, const struct nlattr *nest,
			     const struct pcipass_addr *want)
{
	struct nlattr *tb[PCIPASS_A_ADDR_MAX + 1];

	KUNIT_ASSERT_NOT_NULL(test, nest);
	KUNIT_ASSERT_EQ(test, nla_parse_nested(tb, PCIPASS_A_ADDR_MAX, nest,
					       addr_policy, NULL), 0);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[PCIPASS_A_ADDR_DOMAIN]), want->domain);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[PCIPASS_A_ADDR_BUS]), want->bus);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[PCIPASS_A_ADDR_DEVFN]), want->devfn);
}

/*
 * A buffer with room for exactly one message of @size payload bytes.
 * alloc_skb() rounds up to its slab size; a leading NLMSG_NOOP message
 * takes up the excess, so "does not fit" really means @size.
 */
static struct sk_buff *new_msg(struct kunit *test, size_t size)
{
	struct sk_buff *skb = nlmsg_new(size, GFP_KERNEL);
	int excess;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	excess = skb_tailroom(skb) - (int)nlmsg_total_size(size);
	if (excess >= NLMSG_HDRLEN)
		KUNIT_ASSERT_NOT_NULL(test, nlmsg_put(skb, 0, 0, NLMSG_NOOP,
						      excess - NLMSG_HDRLEN, 0));
	return skb;
}

static void netlink_device_minimal_test(struct kunit *test)
{
	struct pcipass_devinfo info = {
		.addr = { 0, 0, PCI_DEVFN(0x1f, 3) },
		.present = PCIPASS_DEV_F_RESTRICTED,
		.vendor = 0x8086, .device = 0x2930, .class = 0x0c0500,
	};
	struct sk_buff *skb = new_msg(test, NLMSG_GOODSIZE);
	struct nlattr **tb;

	KUNIT_ASSERT_EQ(test, pcipass_nl_put_device(skb, 0, 1, 0, NULL, &info), 0);
	tb = parse_dev(test, skb);

	expect_addr_nest(test, tb[PCIPASS_A_DEV_ADDR], &info.addr);
	KUNIT_EXPECT_EQ(test, nla_get_u16(tb[PCIPASS_A_DEV_VENDOR]), 0x8086);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[PCIPASS_A_DEV_CLASS]), 0x0c0500);
	KUNIT_EXPECT_NOT_NULL(test, tb[PCIPASS_A_DEV_RESTRICTED]);
	/* Everything optional stays absent. */
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_PCIE_TYPE]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_DRIVER]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_DRIVER_OVERRIDE]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_IOMMU_GROUP]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_UPSTREAM]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_PHYSFN]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_ACS]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_MULTIFUNCTION]);
	kfree_skb(skb);
}

static void netlink_device_full_test(struct kunit *test)
{
	char *override = kunit_kzalloc(test, 4095, GFP_KERNEL);
	struct pcipass_devinfo info = {
		.addr = { 0x10000, 0xff, 0xff },
		.present = PCIPASS_DEV_F_PCIE | PCIPASS_DEV_F_MULTIFUNCTION |
			   PCIPASS_DEV_F_VIRTFN | PCIPASS_DEV_F_DRIVER |
			   PCIPASS_DEV_F_DRIVER_OVERRIDE |
			   PCIPASS_DEV_F_IOMMU_GROUP | PCIPASS_DEV_F_UPSTREAM |
			   PCIPASS_DEV_F_ACS,
		.vendor = 0x1b36, .device = 0x0010, .class = 0x010802,
		.pcie_type = 0, .iommu_group = 7,
		.physfn = { 0x10000, 0xff, 0xf8 }, .upstream = { 0x10000, 0, 8 },
		.acs_pos = 0x148, .acs_cap = 0x5f, .acs_ctrl = 0x1d,
		.driver = "nvme",
	};
	struct sk_buff *skb;
	struct nlattr **tb, *acs[PCIPASS_A_ACS_MAX + 1];

	/* The longest override the driver core accepts on 4K pages. */
	KUNIT_ASSERT_NOT_NULL(test, override);
	memset(override, 'o', 4094);
	info.driver_override = override;
	skb = new_msg(test, NLMSG_GOODSIZE + PAGE_SIZE);

	KUNIT_ASSERT_EQ(test, pcipass_nl_put_device(skb, 0, 1, 0, NULL, &info), 0);
	tb = parse_dev(test, skb);

	expect_addr_nest(test, tb[PCIPASS_A_DEV_ADDR], &info.addr);
	expect_addr_nest(test, tb[PCIPASS_A_DEV_PHYSFN], &info.physfn);
	expect_addr_nest(test, tb[PCIPASS_A_DEV_UPSTREAM], &info.upstream);
	KUNIT_EXPECT_NOT_NULL(test, tb[PCIPASS_A_DEV_VIRTFN]);
	KUNIT_EXPECT_NOT_NULL(test, tb[PCIPASS_A_DEV_MULTIFUNCTION]);
	KUNIT_EXPECT_NULL(test, tb[PCIPASS_A_DEV_RESTRICTED]);
	KUNIT_ASSERT_NOT_NULL(test, tb[PCIPASS_A_DEV_PCIE_TYPE]);
	KUNIT_EXPECT_EQ(test, nla_get_u8(tb[PCIPASS_A_DEV_PCIE_TYPE]), 0);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[PCIPASS_A_DEV_IOMMU_GROUP]), 7);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[PCIPASS_A_DEV_DRIVER]), "nvme");
	KUNIT_EXPECT_STREQ(test,
			   (char *)nla_data(tb[PCIPASS_A_DEV_DRIVER_OVERRIDE]),
			   override);
	KUNIT_ASSERT_EQ(test, nla_parse_nested(acs, PCIPASS_A_ACS_MAX,
					       tb[PCIPASS_A_DEV_ACS],
					       acs_policy, NULL), 0);
	KUNIT_EXPECT_EQ(test, nla_get_u16(acs[PCIPASS_A_ACS_POS]), 0x148);
	KUNIT_EXPECT_EQ(test, nla_get_u16(acs[PCIPASS_A_ACS_CAP]), 0x5f);
	KUNIT_EXPECT_EQ(test, nla_get_u16(acs[PCIPASS_A_ACS_CTRL]), 0x1d);
	kfree_skb(skb);
}

static void netlink_device_no_room_test(struct kunit *test)
{
	struct pcipass_devinfo info = {
		.present = PCIPASS_DEV_F_DRIVER, .driver = "e1000e",
	};
	struct sk_buff *skb = new_msg(test, 64);	/* header and a bit */
	unsigned int before = skb->len;

	KUNIT_EXPECT_EQ(test, pcipass_nl_put_device(skb, 0, 1, 0, NULL, &info),
			-EMSGSIZE);
	/* No half message is left behind. */
	KUNIT_EXPECT_EQ(test, skb->len, before);
	kfree_skb(skb);
}

struct addr_nest_case {
	const char *name;
	bool domain, bus, devfn;
	int want;
	int missing;	/* attribute reported missing */
};

static const struct addr_nest_case addr_nest_cases[] = {
	{ "complete", true, true, true, 0, 0 },
	{ "no_domain", false, true, true, -EINVAL, PCIPASS_A_ADDR_DOMAIN },
	{ "no_bus", true, false, true, -EINVAL, PCIPASS_A_ADDR_BUS },
	{ "no_devfn", true, true, false, -EINVAL, PCIPASS_A_ADDR_DEVFN },
	{ "empty", false, false, false, -EINVAL, PCIPASS_A_ADDR_DOMAIN },
};

static void addr_nest_case_desc(const struct addr_nest_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(addr_nest, addr_nest_cases, addr_nest_case_desc);

static void netlink_parse_addr_test(struct kunit *test)
{
	const struct addr_nest_case *c = test->param_value;
	struct netlink_ext_ack extack = {};
	struct sk_buff *skb = new_msg(test, NLMSG_GOODSIZE);
	struct pcipass_addr a = {};
	struct nlattr *nest;

	/* Arrange: a nest as a request would carry it. */
	nest = nla_nest_start(skb, PCIPASS_A_DEV_ADDR);
	KUNIT_ASSERT_NOT_NULL(test, nest);
	if (c->domain)
		KUNIT_ASSERT_EQ(test, nla_put_u32(skb, PCIPASS_A_ADDR_DOMAIN, 3), 0);
	if (c->bus)
		KUNIT_ASSERT_EQ(test, nla_put_u8(skb, PCIPASS_A_ADDR_BUS, 4), 0);
	if (c->devfn)
		KUNIT_ASSERT_EQ(test, nla_put_u8(skb, PCIPASS_A_ADDR_DEVFN, 5), 0);
	nla_nest_end(skb, nest);

	/* Act */
	KUNIT_ASSERT_EQ(test, pcipass_nl_parse_addr(nest, &a, &extack), c->want);

	/* Assert */
	if (c->want) {
		KUNIT_EXPECT_NOT_NULL(test, extack._msg);
		KUNIT_EXPECT_EQ(test, extack.miss_type, c->missing);
		KUNIT_EXPECT_PTR_EQ(test, extack.miss_nest, nest);
	} else {
		KUNIT_EXPECT_EQ(test, a.domain, 3);
		KUNIT_EXPECT_EQ(test, a.bus, 4);
		KUNIT_EXPECT_EQ(test, a.devfn, 5);
	}
	kfree_skb(skb);
}

/* A synthetic IOMMU group: just a list of addresses. */
struct fake_group {
	unsigned int n;
	struct pcipass_addr *addrs;
};

static int fake_walk(void *src, void *data, pcipass_addr_fn fn)
{
	struct fake_group *g = src;
	unsigned int i;
	int err;

	for (i = 0; i < g->n; i++) {
		err = fn(&g->addrs[i], data);
		if (err)
			return err;
	}
	return 0;
}

static struct fake_group *fake_group(struct kunit *test, unsigned int n)
{
	struct fake_group *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, g);
	g->n = n;
	g->addrs = kunit_kcalloc(test, n, sizeof(*g->addrs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g->addrs);
	for (i = 0; i < n; i++) {
		g->addrs[i].domain = i >> 16;
		g->addrs[i].bus = i >> 8;
		g->addrs[i].devfn = i;
	}
	return g;
}

/* Members of one group message, appended to @seen; returns the count. */
static unsigned int collect_members(struct kunit *test, struct sk_buff *skb,
				    u32 id, u32 *seen, unsigned int nseen)
{
	struct nlmsghdr *nlh = test_msg(skb);
	struct nlattr *a, *tb[PCIPASS_A_ADDR_MAX + 1];
	unsigned int got = 0;
	bool have_id = false;
	int rem;

	nla_for_each_attr(a, genlmsg_data(nlmsg_data(nlh)),
			  genlmsg_len(nlmsg_data(nlh)), rem) {
		if (nla_type(a) == PCIPASS_A_GROUP_ID) {
			KUNIT_EXPECT_EQ(test, nla_get_u32(a), id);
			have_id = true;
			continue;
		}
		KUNIT_ASSERT_EQ(test, nla_type(a), PCIPASS_A_GROUP_MEMBER);
		KUNIT_ASSERT_EQ(test, nla_parse_nested(tb, PCIPASS_A_ADDR_MAX, a,
						       addr_policy, NULL), 0);
		seen[nseen + got++] = nla_get_u32(tb[PCIPASS_A_ADDR_DOMAIN]) << 16 |
				      nla_get_u8(tb[PCIPASS_A_ADDR_BUS]) << 8 |
				      nla_get_u8(tb[PCIPASS_A_ADDR_DEVFN]);
	}
	KUNIT_EXPECT_TRUE(test, have_id);
	return got;
}

struct split_case {
	const char *name;
	unsigned int members;
	unsigned int room;	/* payload room of each message */
	unsigned int min_msgs;
};

static const struct split_case split_cases[] = {
	{ "one_member", 1, NLMSG_GOODSIZE, 1 },
	{ "fits_one_message", 100, NLMSG_GOODSIZE, 1 },
	{ "splits_in_two", 200, NLMSG_GOODSIZE, 2 },
	{ "thousand_small_messages", 1000, 512, 50 },
};

static void split_case_desc(const struct split_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(split, split_cases, split_case_desc);

static void netlink_group_split_test(struct kunit *test)
{
	const struct split_case *c = test->param_value;
	struct fake_group *g = fake_group(test, c->members);
	struct pcipass_nl_members src = { .walk = fake_walk, .src = g };
	u32 *seen = kunit_kcalloc(test, c->members, sizeof(*seen), GFP_KERNEL);
	unsigned int nseen = 0, msgs = 0, i;
	u32 member = 0;
	int err;

	KUNIT_ASSERT_NOT_NULL(test, seen);
	do {
		struct sk_buff *skb = new_msg(test, c->room);

		err = pcipass_nl_put_group(skb, 0, 1, NLM_F_MULTI, NULL, 42,
					   &src, &member);
		KUNIT_ASSERT_TRUE(test, err == 0 || err == -EMSGSIZE);
		KUNIT_ASSERT_GT(test, skb->len, 0);
		nseen += collect_members(test, skb, 42, seen, nseen);
		/* Resumes right after the last member put. */
		if (err)
			KUNIT_ASSERT_EQ(test, member, nseen);
		kfree_skb(skb);
		KUNIT_ASSERT_LT(test, ++msgs, c->members + 2);
	} while (err);

	KUNIT_EXPECT_EQ(test, member, 0);
	KUNIT_EXPECT_GE(test, msgs, c->min_msgs);
	KUNIT_ASSERT_EQ(test, nseen, c->members);
	for (i = 0; i < nseen; i++)	/* each once, in walk order */
		KUNIT_EXPECT_EQ(test, seen[i], i);
}

static void netlink_group_no_room_test(struct kunit *test)
{
	struct fake_group *g = fake_group(test, 3);
	struct pcipass_nl_members src = { .walk = fake_walk, .src = g };
	struct sk_buff *skb = new_msg(test, GENL_HDRLEN + 8);	/* id only */
	unsigned int before = skb->len;
	u32 member = 1;

	/* Not even one member fits: nothing is put, the position is kept. */
	KUNIT_EXPECT_EQ(test, pcipass_nl_put_group(skb, 0, 1, 0, NULL, 42, &src,
						   &member), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb->len, before);
	KUNIT_EXPECT_EQ(test, member, 1);
	kfree_skb(skb);
}

static struct kunit_case netlink_test_cases[] = {
	KUNIT_CASE(netlink_device_minimal_test),
	KUNIT_CASE(netlink_device_full_test),
	KUNIT_CASE(netlink_device_no_room_test),
	KUNIT_CASE_PARAM(netlink_parse_addr_test, addr_nest_gen_params),
	KUNIT_CASE_PARAM(netlink_group_split_test, split_gen_params),
	KUNIT_CASE(netlink_group_no_room_test),
	{}
};

static struct kunit_suite netlink_test_suite = {
	.name = "pcipass_netlink",
	.test_cases = netlink_test_cases,
};

kunit_test_suite(netlink_test_suite);
