// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass fuzzing: a bounded, seeded stream of malformed requests to the
 * "pcipass" generic netlink family and to /dev/pcipass, as root and as
 * uid/gid 65534.
 *
 * The stream depends only on the seed (and on the PCI topology the
 * requests pick addresses from): request i of a stream is generated from
 * its own splitmix64 state, derived from the seed, the stream and i.
 *
 * Nothing is accepted on faith.  Every netlink datagram is walked the way
 * netlink_rcv_skb() and genetlink walk it, and for every message the
 * kernel will parse this test predicts the answer: none, an ACK, an error
 * (exact errno, or EINVAL/ERANGE for a policy violation), a reply, or a
 * dump.  The prediction is made from the bytes actually sent, with the
 * attribute policy of Documentation/netlink/specs/pcipass.yaml and the
 * strict validation genetlink applies to it.  Every reply is parsed
 * strictly and compared with sysfs; error messages must echo the request
 * and carry well-formed extended ACK TLVs.  A missing answer (2 s receive
 * timeout) is a hang.  Every ioctl is predicted from the rules in
 * pcipass_ioctl.h (the union of the errnos of every rule the request
 * breaks; success only when it breaks none); a success must fill exactly
 * the documented bytes with what sysfs says, a failure must leave user
 * memory untouched.
 *
 * Environment:
 *   PCIPASS_FUZZ_SEED=S    seed (decimal or 0x...); default: random
 *   PCIPASS_FUZZ_COUNT=N   requests per run, all streams together
 *                          (default 100000)
 *   PCIPASS_FUZZ_QUICK=1   10000 requests unless PCIPASS_FUZZ_COUNT is set
 *   PCIPASS_FUZZ_FIRST=I   start every stream at request I (to replay a
 *                          failing request quickly; same seed and count)
 *   PCIPASS_FUZZ_BUSY_OK=1 not a quiet machine: accept EBUSY where the
 *                          module waits for a device lock (never set by
 *                          the suite: in the test VM that is a failure)
 *
 * This file holds the tests and the stream loops (they stop a test with
 * the harness's ASSERT_*(), and only one file of a program can include
 * kselftest_harness.h).  The rest: fuzz_rng (PRNG, seed, configuration),
 * fuzz_report (statistics, diagnostics), fuzz_gt (sysfs ground truth),
 * fuzz_state (state that must not change), fuzz_nlgen / fuzz_nlmodel /
 * fuzz_nl / fuzz_nlcheck (netlink: requests, oracle, exchange, answer
 * checks), fuzz_ioc (ioctl: requests, oracle, output check).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#include "fuzz_gt.h"
#include "fuzz_ioc.h"
#include "fuzz_nl.h"
#include "fuzz_nlcheck.h"
#include "fuzz_nlgen.h"
#include "fuzz_nlmodel.h"
#include "fuzz_report.h"
#include "fuzz_rng.h"
#include "fuzz_state.h"
#include "ppcommon.h"
#include "ppiso.h"

/* ------------------------------------------------------------------ */
/* Streams.                                                            */

static void nl_stream(struct __test_metadata *_metadata, int st, bool priv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	uint64_t count = stream_count(st), i;
	struct genl_family_info fi;
	struct nl_sock ns, cs;
	struct nlrun *n;
	bool abandon;
	double t0;
	int ret, j, k;

	n = calloc(1, sizeof(*n));
	ASSERT_NE(NULL, n);
	n->c.st = st;
	n->c.priv = priv;
	n->c.stats = &shared[st];
	n->dg = aligned_alloc(8, DG_MAX);
	n->rx = aligned_alloc(8, RX_MAX);
	ASSERT_NE(NULL, n->dg);
	ASSERT_NE(NULL, n->rx);
	for (j = 0; j < NSOCKS; j++)
		n->socks[j].fd = -1;
	ASSERT_EQ(0, nl_open(&ns, 0));
	ret = genl_resolve(&ns, PCIPASS_FAMILY_NAME, &fi);
	nl_close(&ns);
	ASSERT_EQ(0, ret) TH_LOG("resolving %s: %s", PCIPASS_FAMILY_NAME, strerror(-ret));
	n->family = fi.id;
	ASSERT_EQ(0, nl_open(&cs, 0));
	ret = nlrun_open(n);
	ASSERT_EQ(0, ret) TH_LOG("netlink socket: %s", strerror(-ret));

	diag("seed=0x%016" PRIx64 " stream=%s requests=%" PRIu64 " first=%" PRIu64
	     " uid=%d family=%u", cfg.seed, st_name[st], count, cfg.first, geteuid(),
	     n->family);
	n->c.stats->ran = true;
	t0 = now_s();
	for (i = cfg.first; i < count && n->c.stats->failures < MAX_FAILURES; i++) {
		struct gen g = { .buf = n->dg, .cap = DG_MAX };
		struct rng r;
		struct nlsock *s;
		size_t len;

		n->c.idx = i;
		req_rng(&r, st, i);
		g.r = &r;
		len = g_datagram(&g, n->family);
		k = below(&r, NSOCKS);
		if (!n->socks[k].cap_ack && len > NOCAP_MAX)
			k = 0;			/* full echoes would flood the queue */
		s = &n->socks[k];
		abandon = pm(&r, 20);
		len = nl_model(n->dg, len, n->family, n->c.priv, &n->seq, n->ex,
			       &n->nexp);
		for (j = 0; j < n->nexp; j++) {
			struct nlexp *e = &n->ex[j];

			if (e->kind == EX_DUMP && !e->want) {
				e->seen = calloc(1, gt.n + total_members() + 1);
				ASSERT_NE(NULL, e->seen);
				if (abandon) {
					/* close the socket in the middle of a dump */
					n->c.stats->sent++;
					n->c.stats->abandoned++;
					sendto(s->fd, n->dg, len, 0,
					       (struct sockaddr *)&kernel, sizeof(kernel));
					ASSERT_EQ(0, nlrun_reopen(n, k));
					goto next;
				}
			}
		}
		n->c.stats->sent++;
		if (nl_exchange(n, s, len)) {
			fz_report(&n->c);
			diag("socket %d (EXT_ACK %d, CAP_ACK %d, exact reads %d)", k,
			     s->ext_ack, s->cap_ack, s->exact);
			for (j = 0; j < n->nexp; j++)
				diag("  message %d at %u: len %u flags %#x seq %u: want %s%s",
				     j + 1, n->ex[j].off, n->ex[j].len, n->ex[j].flags,
				     n->ex[j].seq, want_str(&n->ex[j]),
				     n->ex[j].done ? " (answered)" : "");
			fz_report_end(&n->c, n->dg, len);
			/* the sockets may be out of step now: start afresh */
			ret = nlrun_open(n);
			ASSERT_EQ(0, ret);
			goto next;
		}
		/* the queued claims and releases, to their end */
		for (j = 0; j < n->nexp; j++) {
			if (!n->ex[j].queued || !n->ex[j].txid ||
			    !check_queued_final(n, &cs, &n->ex[j]))
				continue;
			fz_report(&n->c);
			diag("  message %d: transaction %u: want %s (%s)", j + 1,
			     n->ex[j].txid, want_str(&n->ex[j]), n->ex[j].note);
			fz_report_end(&n->c, n->dg, len);
			break;
		}
next:
		nlrun_free_exp(n);
	}
	n->c.stats->secs = now_s() - t0;
	for (j = 0; j < NSOCKS; j++)
		close(n->socks[j].fd);
	nl_close(&cs);
	free(n->dg);
	free(n->rx);
	free(n);
}

static void ioc_stream(struct __test_metadata *_metadata, int st, bool priv)
{
	uint64_t count = stream_count(st), i;
	struct arena ar = { 0 };
	struct fz c = { .st = st, .priv = priv, .stats = &shared[st] };
	double t0;
	int fd, ret;

	ret = arena_setup(&ar);
	ASSERT_EQ(0, ret) TH_LOG("arena: %s", strerror(-ret));
	fd = open(PCIPASS_DEV_PATH, (priv ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", PCIPASS_DEV_PATH, strerror(errno));

	diag("seed=0x%016" PRIx64 " stream=%s requests=%" PRIu64 " first=%" PRIu64 " uid=%d",
	     cfg.seed, st_name[st], count, cfg.first, geteuid());
	c.stats->ran = true;
	t0 = now_s();
	for (i = cfg.first; i < count && c.stats->failures < MAX_FAILURES; i++) {
		struct ioreq q = { 0 };
		size_t wlen = 0;
		struct rng r;
		uint64_t want;
		char ws[128];
		int res, err;

		c.idx = i;
		req_rng(&r, st, i);
		q.cmd = pick_cmd(&r, &q.kind);
		q.priv = priv;
		q.usize = _IOC_SIZE(q.cmd);
		q.ilen = q.kind == IK_UNKNOWN ? below(&r, 65) : q.usize;
		gen_ioc_img(&r, &q, ar.img);
		place(&ar, &r, &q);
		if (q.view) {
			size_t put = q.ilen < q.avail ? q.ilen : q.avail;
			uint8_t *lo = q.view - (q.cls == PC_END ? 0 : WIN_SLACK);
			uint8_t *hi = q.view + q.avail;
			size_t k;

			if (hi > q.view + q.ilen + WIN_SLACK)
				hi = q.view + q.ilen + WIN_SLACK;
			/* a pattern around the struct, then the struct */
			for (k = 0; lo + k < hi; k++)
				lo[k] = 0xa5 ^ (uint8_t)(k * 7 + i);
			memcpy(q.view, ar.img, put);
			q.win_lo = lo;
			q.win_hi = hi;
			wlen = hi - lo;
			memcpy(ar.save, lo, wlen);
		}
		want = ioc_expect(&q, ar.img);
		if (pm(&r, 10)) {	/* now and then a fresh descriptor */
			close(fd);
			fd = open(PCIPASS_DEV_PATH, (priv ? O_RDWR : O_RDONLY) | O_CLOEXEC);
			ASSERT_LE(0, fd);
		}

		c.stats->sent++;
		res = ioctl(fd, q.cmd, q.ptr);
		err = res < 0 ? errno : 0;
		eset_str(want, ws, sizeof(ws));
		c.why[0] = 0;
		if (res > 0) {
			why_set(&c, "ioctl returned %d", res);
		} else if (!err) {
			c.stats->replies++;
			if (want && !(want & ES_OK)) {
				why_set(&c, "success, want %s", ws);
			} else if (!ioc_check_out(&c, &q, ar.img)) {
				uint8_t *vlo = q.view, *vhi = q.view + q.usize;

				/* only [ptr, ptr + usize) may have changed */
				if (memcmp(q.win_lo, ar.save, vlo - q.win_lo) ||
				    memcmp(vhi, ar.save + (vhi - q.win_lo), q.win_hi - vhi))
					why_set(&c, "bytes around the struct changed");
			}
		} else {
			count_errno(&c, err);
			if (err == 63 || !(want & eset(err)))
				why_set(&c, "%s, want %s", errname(err), ws);
			else if (q.view && ik_claims(q.kind) &&
				 (memcmp(q.win_lo, ar.save, q.view - q.win_lo) ||
				  (q.view + q.usize < q.win_hi &&
				   memcmp(q.view + q.usize,
					  ar.save + (q.view + q.usize - q.win_lo),
					  q.win_hi - (q.view + q.usize)))))
				/* a claim's report may fill the struct, no more */
				why_set(&c, "%s, but bytes around the struct changed",
					errname(err));
			else if (q.view && !ik_claims(q.kind) &&
				 memcmp(q.win_lo, ar.save, wlen))
				why_set(&c, "%s, but user memory changed", errname(err));
		}
		if (!c.why[0] && ik_claims(q.kind) && q.note[0])
			c.stats->claims[!err ? 0 : err == EBUSY ? 1 : 2]++;
		if (c.why[0]) {
			char what[256];

			snprintf(what, sizeof(what),
				 "cmd %#010x (dir %u type %#x nr %u size %u) pointer %s %p, %zu bytes readable",
				 q.cmd, _IOC_DIR(q.cmd), _IOC_TYPE(q.cmd), _IOC_NR(q.cmd),
				 _IOC_SIZE(q.cmd), pc_name[q.cls], q.ptr, q.avail);
			fz_report(&c);
			diag("%s", what);
			if (q.note[0])
				diag("predicted from sysfs: %s", q.note);
			fz_report_end(&c, ar.img, q.ilen);
		}
	}
	c.stats->secs = now_s() - t0;
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Tests.                                                              */

static char *state_before;	/* taken in main(), before any test */

FIXTURE(fuzz) {
	char *state;		/* unprivileged streams: state at the start */
};

FIXTURE_SETUP(fuzz)
{
	self->state = NULL;
	ASSERT_EQ(0, gt.err) TH_LOG("reading sysfs: %s", strerror(-gt.err));
}

FIXTURE_TEARDOWN(fuzz)
{
	free(self->state);
}

#define NEED_MODULE() do {						\
	if (!pp_module_loaded())						\
		SKIP(return, "pcipass module not loaded");		\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

static void unprivileged(struct __test_metadata *_metadata, char **state)
{
	if (geteuid() == 0)
		ASSERT_EQ(0, pp_drop_privileges());
	*state = state_snapshot();
}

static void unprivileged_done(struct __test_metadata *_metadata, const char *state)
{
	char *now = state_snapshot();
	int diffs = state_diff(state, now);

	free(now);
	EXPECT_EQ(0, diffs) TH_LOG("uid %d changed PCI or IOMMU group state", geteuid());
}

/* Timeouts are set in main() from the request counts. */
TEST_F_TIMEOUT(fuzz, netlink_stream, 30)
{
	NEED_MODULE();
	NEED_ROOT();
	nl_stream(_metadata, ST_NL, true);
	print_stats(ST_NL);
	EXPECT_EQ(0U, shared[ST_NL].failures);
}

TEST_F_TIMEOUT(fuzz, netlink_stream_unprivileged, 30)
{
	NEED_MODULE();
	unprivileged(_metadata, &self->state);
	nl_stream(_metadata, ST_NL_UNPRIV, false);
	print_stats(ST_NL_UNPRIV);
	EXPECT_EQ(0U, shared[ST_NL_UNPRIV].failures);
	unprivileged_done(_metadata, self->state);
}

TEST_F_TIMEOUT(fuzz, ioctl_stream, 30)
{
	NEED_MODULE();
	NEED_ROOT();
	ioc_stream(_metadata, ST_IOC, true);
	print_stats(ST_IOC);
	EXPECT_EQ(0U, shared[ST_IOC].failures);
}

TEST_F_TIMEOUT(fuzz, ioctl_stream_unprivileged, 30)
{
	NEED_MODULE();
	unprivileged(_metadata, &self->state);
	ioc_stream(_metadata, ST_IOC_UNPRIV, false);
	print_stats(ST_IOC_UNPRIV);
	EXPECT_EQ(0U, shared[ST_IOC_UNPRIV].failures);
	unprivileged_done(_metadata, self->state);
}

/* After the streams: every answer still right, as root (or not). */
TEST_F_TIMEOUT(fuzz, module_still_correct, 120)
{
	bool priv = geteuid() == 0;
	struct sysfs_group *groups;
	int i, ret, fd, ngroups, nseen = 0;
	struct pci_addr *seen;
	struct nl_reply rep;
	struct nl_sock s;
	uint16_t family;
	char **names;
	struct nlb b;
	int n;

	NEED_MODULE();
	n = sysfs_pci_list(&names);
	ASSERT_LT(0, n);
	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++) {
		struct pcipass_ioc_device io;
		char why[4096] = "";
		struct sysfs_dev sd;
		struct pp_dev d;

		ret = sysfs_pci_read(names[i], &sd);
		ASSERT_EQ(0, ret) TH_LOG("sysfs %s: %s", names[i], strerror(-ret));
		pp_req_dev_get(&b, family, &sd.addr);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("%s: %s (%s)", names[i],
					       strerror(-rep.error), rep.ext_msg);
		EXPECT_FALSE(rep.malformed || rep.bad_seq || rep.truncated);
		EXPECT_EQ(1, rep.nmsgs) TH_LOG("%s", names[i]);
		if (rep.nmsgs == 1) {
			ret = pp_parse_dev(rep.msgs[0].nlh, &d, why, sizeof(why));
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", names[i], why);
			if (!ret) {
				EXPECT_EQ(0, pp_cmp_nl(&sd, &d, priv, why, sizeof(why)))
					TH_LOG("netlink %s: %s", names[i], why);
			}
		}
		nl_reply_free(&rep);

		why[0] = 0;
		ret = pp_ioc_dev_get(fd, &sd.addr, &io);
		EXPECT_EQ(0, ret) TH_LOG("ioctl %s: %s", names[i], strerror(-ret));
		if (!ret) {
			EXPECT_EQ(0, pp_cmp_ioc(&sd, &io, priv, why, sizeof(why)))
				TH_LOG("ioctl %s: %s", names[i], why);
		}
	}
	close(fd);

	/* a full dump: the sysfs set, nothing twice */
	seen = calloc(n, sizeof(*seen));
	ASSERT_NE(NULL, seen);
	pp_req_dev_dump(&b, family);
	ASSERT_EQ(0, nl_transact(&s, &b, &rep));
	EXPECT_EQ(0, rep.error);
	EXPECT_TRUE(rep.got_done);
	EXPECT_FALSE(rep.malformed || rep.bad_seq || rep.truncated);
	EXPECT_EQ(n, rep.nmsgs);
	for (i = 0; i < rep.nmsgs; i++) {
		char why[1024] = "", name[32];
		struct pp_dev d;
		int k;

		ASSERT_EQ(0, pp_parse_dev(rep.msgs[i].nlh, &d, why, sizeof(why)))
			TH_LOG("dump message %d: %s", i, why);
		pci_addr_fmt(&d.addr, name, sizeof(name));
		for (k = 0; k < n && strcmp(names[k], name); k++)
			;
		EXPECT_LT(k, n) TH_LOG("dump reports %s, not in sysfs", name);
		for (k = 0; k < nseen; k++)
			EXPECT_NE(0, pci_addr_cmp(&seen[k], &d.addr)) TH_LOG("%s twice", name);
		if (nseen < n)
			seen[nseen++] = d.addr;
	}
	EXPECT_EQ(n, nseen);
	nl_reply_free(&rep);
	free(seen);

	/* every group with PCI functions, with its members */
	ngroups = sysfs_groups_read(&groups);
	ASSERT_LE(0, ngroups);
	for (i = 0; i < ngroups; i++) {
		char why[1024] = "";
		struct pp_group *pg = calloc(1, sizeof(*pg));
		int k;

		ASSERT_NE(NULL, pg);
		pp_req_group_get(&b, family, groups[i].id);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("group %u: %s", groups[i].id,
					       strerror(-rep.error));
		EXPECT_EQ(1, rep.nmsgs);
		if (rep.nmsgs == 1 && !pp_parse_group(rep.msgs[0].nlh, pg, why, sizeof(why))) {
			EXPECT_EQ(groups[i].id, pg->id);
			EXPECT_EQ(groups[i].nmembers, pg->nmembers);
			qsort(pg->members, pg->nmembers, sizeof(pg->members[0]),
			      cmp_pci_addr);
			for (k = 0; k < pg->nmembers && k < groups[i].nmembers; k++)
				EXPECT_EQ(0, pci_addr_cmp(&pg->members[k], &groups[i].members[k]))
					TH_LOG("group %u member %d", groups[i].id, k);
		} else {
			EXPECT_TRUE(false) TH_LOG("group %u: %s", groups[i].id, why);
		}
		nl_reply_free(&rep);
		free(pg);
	}
	TH_LOG("%d functions and %d groups answered as sysfs says", n, ngroups);

	/* isolation-get (CAP_SYS_ADMIN only): both interfaces, every function */
	if (priv) {
		struct pp_iso *a = calloc(1, sizeof(*a)), *io = calloc(1, sizeof(*io));
		struct pcipass_ioc_isolation *ioc = calloc(1, sizeof(*ioc));
		struct pp_world w;

		ASSERT_NE(NULL, a);
		ASSERT_NE(NULL, io);
		ASSERT_NE(NULL, ioc);
		ASSERT_EQ(0, pp_world_read(&w));
		fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		for (i = 0; i < w.n; i++) {
			char why[8192] = "";

			pp_req_iso_get(&b, family, &w.sd[i].addr);
			ASSERT_EQ(0, nl_transact(&s, &b, &rep));
			EXPECT_EQ(0, rep.error) TH_LOG("isolation %s: %s", w.sd[i].name,
						       strerror(-rep.error));
			ASSERT_EQ(1, rep.nmsgs) TH_LOG("isolation %s", w.sd[i].name);
			ret = pp_parse_iso(rep.msgs[0].nlh, a, why, sizeof(why));
			nl_reply_free(&rep);
			ASSERT_EQ(0, ret) TH_LOG("isolation %s: %s", w.sd[i].name, why);
			EXPECT_EQ(0, pp_iso_check(&w, i, a, why, sizeof(why)))
				TH_LOG("isolation %s: %s", w.sd[i].name, why);
			ASSERT_EQ(0, pp_ioc_iso_get(fd, &w.sd[i].addr, ioc));
			why[0] = 0;
			ASSERT_EQ(0, pp_iso_from_ioc(ioc, io, why, sizeof(why)))
				TH_LOG("isolation ioctl %s: %s", w.sd[i].name, why);
			EXPECT_EQ(0, pp_iso_diff(a, io, why, sizeof(why)))
				TH_LOG("isolation %s: %s", w.sd[i].name, why);
		}
		TH_LOG("%d functions explained as sysfs and config space say", w.n);
		close(fd);
		pp_world_free(&w);
		free(a);
		free(io);
		free(ioc);
	}
	sysfs_groups_free(groups, ngroups);
	sysfs_names_free(names, n);
	nl_close(&s);
}

/* Nothing the streams sent changed driver bindings or IOMMU groups. */
TEST_F_TIMEOUT(fuzz, nothing_changed, 60)
{
	uint64_t total = 0, fail = 0;
	char *now;
	int st, diffs;

	now = state_snapshot();
	diffs = state_diff(state_before, now);
	free(now);
	for (st = 0; st < ST_MAX; st++) {
		if (!shared[st].ran)
			continue;
		total += shared[st].sent;
		fail += shared[st].failures;
		diag("%s: sent=%" PRIu64 " failures=%" PRIu64 " rate=%.0f/s",
		     st_name[st], shared[st].sent, shared[st].failures,
		     shared[st].secs > 0 ? shared[st].sent / shared[st].secs : 0.0);
	}
	diag("seed=0x%016" PRIx64, cfg.seed);
	diag("fuzz requests sent: %" PRIu64 " (count %" PRIu64 " from %s, %" PRIu64 " failures)",
	     total, cfg.count, cfg.count_from, fail);
	EXPECT_EQ(0, diffs) TH_LOG("PCI or IOMMU group state changed during the run");
}

int main(int argc, char **argv)
{
	if (fz_cfg_read())
		return KSFT_FAIL;

	shared = mmap(NULL, ST_MAX * sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return KSFT_FAIL;
	gt.err = gt_read();
	state_before = state_snapshot();

	/*
	 * The harness kills a test after its timeout: allow 200 requests/s
	 * (about a tenth of the slowest rate seen on a KASAN kernel) plus a
	 * margin.
	 */
	_fuzz_netlink_stream_object->timeout = 120 + stream_count(ST_NL) / 200;
	_fuzz_netlink_stream_unprivileged_object->timeout =
		120 + stream_count(ST_NL_UNPRIV) / 200;
	_fuzz_ioctl_stream_object->timeout = 120 + stream_count(ST_IOC) / 200;
	_fuzz_ioctl_stream_unprivileged_object->timeout =
		120 + stream_count(ST_IOC_UNPRIV) / 200;

	return test_harness_run(argc, argv);
}
