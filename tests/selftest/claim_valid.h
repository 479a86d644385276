/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test's valid.* fixture: privilege and request validation on both
 * interfaces, claim-get of an unknown txid, and an unread outcome kept
 * past newer read ones.
 *
 * Part of claim_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "claim_check.h"

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
