/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr tests: what a rejection must look like for a
 * variant (errno, extack text and offset, missing attribute and nest,
 * the report a claim or release may send first), as root and
 * unprivileged, and a socket that still works after it.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after every variant (it
 * names bld_claim_dump and bld_rel_dump of netlink_reject_claim.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "netlink_reject.h"

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
