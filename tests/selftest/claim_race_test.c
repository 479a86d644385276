// SPDX-License-Identifier: GPL-2.0
/*
 * Races around pcipass claim/release (kmod/claim.c), in the test VM
 * (tests/vm/topology.sh): fork()ed workers against each other, against
 * sysfs writes, against hot-unplug and against module unload.
 *
 *   same_group      4 workers claim/release group (c) (06:00.0 + 06:00.1,
 *                   by address and by group id) for vfio-pci: only 0 or
 *                   ENOENT (release of an unclaimed group); at the end a
 *                   release puts every member back (sysfs).
 *   overlapping     (c) by address and by id for vfio-pci, (b) (04:00.0 +
 *                   05:00.0 behind bridges) for pcipass-failprobe with
 *                   fail_nth (rollbacks) and by id for vfio-pci: also
 *                   EBUSY (claimed for another driver) and a complete
 *                   rollback (-EIO, rolled-back) are allowed.
 *   sysfs_race      a claim of (c) for pcipass-failprobe (probe_delay_ms)
 *                   while another process writes driver_override and
 *                   binds/unbinds 06:00.0 through sysfs: members only on
 *                   their original driver, the target or none; release
 *                   gives the drivers back.
 *   hot_unplug      a VF (0a:00.1) removed by sriov_numvfs=0 while its
 *                   claim sleeps in the probe; with PCIPASS_RACE_UNPLUG_MF
 *                   also 06:00.1 removed while the claim of (c) sleeps in
 *                   a probe (06:00.0's, then its own), then rescan (the
 *                   groups of (c) do not come back as at boot: opt-in).
 *                   The claim returns (success with the member gone, or
 *                   a rollback), the function comes back.
 *   module_unload   claims, releases and dumps in 3 workers while another
 *                   rmmods and reloads pcipass twice: only 0 / ENOENT
 *                   (ESRCH for a claim-get that crossed a reload),
 *                   no hang.  The reloaded module forgot its records: the
 *                   teardown puts the functions back through sysfs.
 *   target_unload   2 workers claim/release VF 0a:00.1 for
 *                   pcipass-failprobe while the parent unloads and loads
 *                   failprobe again and again: the lookup that pins the
 *                   target driver runs against its unregistration.  Only
 *                   claimed, ENOENT (no such driver), a rollback, or a
 *                   release; no splat (KASAN on the debug kernel).
 *
 * Every test takes a snapshot of the functions it touches (driver and
 * driver_override) and its teardown writes it back through sysfs; each
 * test also compares before/after itself and checks the kernel log for
 * splats written while it ran.  Needs root, the module loaded and
 * pcipass-failprobe (PCIPASS_FAILPROBE_KO, or tests/failprobe/ next to
 * this file) for the failprobe cases; skips outside the test VM
 * (PCIPASS_VM unset and no 06:00.1).
 *
 * PCIPASS_RACE_ITERS (default 8) scales the loops.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "ppclaim.h"
#include "ppcommon.h"

#define DEV	"/sys/bus/pci/devices/"
#define DRV	"/sys/bus/pci/drivers/"
#define FP	"pcipass-failprobe"
#define FP_PAR	"/sys/module/pcipass_failprobe/parameters/"

#define C0	"0000:06:00.0"	/* (c) */
#define C1	"0000:06:00.1"
#define B0	"0000:04:00.0"	/* (b) */
#define B1	"0000:05:00.0"
#define PF	"0000:0a:00.0"	/* (f) */
#define VF1	"0000:0a:00.1"
#define VF2	"0000:0a:00.2"

static const char *const watched[] = { C0, C1, B0, B1, VF1, VF2 };
#define NWATCHED	(int)(sizeof(watched) / sizeof(watched[0]))

/* --- sysfs state ------------------------------------------------------ */

struct dstate {
	bool present;
	char drv[64];		/* "" when unbound */
	char ovr[128];		/* "" when none */
};

static void dev_read(const char *addr, struct dstate *s)
{
	char p[PATH_MAX], l[PATH_MAX];
	ssize_t n;
	FILE *f;

	memset(s, 0, sizeof(*s));
	snprintf(p, sizeof(p), DEV "%s", addr);
	s->present = access(p, F_OK) == 0;
	snprintf(p, sizeof(p), DEV "%s/driver", addr);
	n = readlink(p, l, sizeof(l) - 1);
	if (n > 0) {
		l[n] = 0;
		snprintf(s->drv, sizeof(s->drv), "%s", basename(l));
	}
	snprintf(p, sizeof(p), DEV "%s/driver_override", addr);
	f = fopen(p, "r");
	if (f) {
		if (fgets(s->ovr, sizeof(s->ovr), f))
			s->ovr[strcspn(s->ovr, "\n")] = 0;
		fclose(f);
	}
	if (!strcmp(s->ovr, "(null)"))
		s->ovr[0] = 0;
}

static void snap(struct dstate *st)
{
	for (int i = 0; i < NWATCHED; i++)
		dev_read(watched[i], &st[i]);
}

/* Number of differences, each printed. */
static int snap_diff(const struct dstate *a, const char *what)
{
	struct dstate b;
	int bad = 0;

	for (int i = 0; i < NWATCHED; i++) {
		dev_read(watched[i], &b);
		if (a[i].present != b.present || strcmp(a[i].drv, b.drv) ||
		    strcmp(a[i].ovr, b.ovr)) {
			fprintf(stderr, "# %s: %s was %s driver=%s override=%s, now %s driver=%s override=%s\n",
				what, watched[i], a[i].present ? "present" : "absent",
				a[i].drv, a[i].ovr, b.present ? "present" : "absent",
				b.drv, b.ovr);
			bad++;
		}
	}
	return bad;
}

static int wr(const char *path, const char *val)
{
	return sysfs_write(path, val);
}

static int wrf(const char *val, const char *fmt, const char *a, const char *b)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), fmt, a, b);
	return wr(p, val);
}

/*
 * Put one function back.  The override to hold while binding names the
 * wanted driver (an override that names another one makes the PCI core
 * refuse the bind, and vfio-pci binds by override only); the wanted
 * override is written last.
 */
static void dev_restore(const char *addr, const struct dstate *want)
{
	struct dstate now;

	dev_read(addr, &now);
	if (!now.present)
		return;
	if (!strcmp(now.drv, want->drv) && !strcmp(now.ovr, want->ovr))
		return;
	if (strcmp(now.drv, want->drv)) {
		wrf(want->drv[0] ? want->drv : "\n", DEV "%s/driver_override%s",
		    addr, "");
		if (now.drv[0])
			wrf(addr, DEV "%s/driver/unbind%s", addr, "");
		if (want->drv[0])
			wrf(addr, DRV "%s/bind", want->drv, "");
	}
	wrf(want->ovr[0] ? want->ovr : "\n", DEV "%s/driver_override%s", addr, "");
}

static void snap_restore(const struct dstate *st)
{
	for (int i = 0; i < NWATCHED; i++)
		dev_restore(watched[i], &st[i]);
}

static int group_of(const char *addr)
{
	char p[PATH_MAX], l[PATH_MAX];
	ssize_t n;

	snprintf(p, sizeof(p), DEV "%s/iommu_group", addr);
	n = readlink(p, l, sizeof(l) - 1);
	if (n <= 0)
		return -1;
	l[n] = 0;
	return atoi(basename(l));
}

static bool wait_present(const char *addr, int ms)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), DEV "%s", addr);
	for (; ms > 0; ms -= 50) {
		if (!access(p, F_OK))
			return true;
		usleep(50000);
	}
	return !access(p, F_OK);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int iters(void)
{
	const char *e = getenv("PCIPASS_RACE_ITERS");

	return e && atoi(e) > 0 ? atoi(e) : 8;
}

/* --- The kernel log ---------------------------------------------------- */

static long dmesg_lines(void)
{
	FILE *f = popen("dmesg 2>/dev/null | wc -l", "r");
	long n = 0;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		pclose(f);
	}
	return n;
}

/* 0 when nothing after line @mark looks like a splat. */
static int dmesg_splats(long mark)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd),
		 "dmesg | tail -n +%ld | grep -E -A20 'WARNING:|BUG:|Oops|"
		 "general protection|Call Trace:|possible circular|possible recursive|"
		 "inconsistent lock state|sleeping function called|KASAN:|UBSAN:|"
		 "refcount_t:|blocked for more than' | head -n 60 | sed 's/^/# /' >&2; "
		 "dmesg | tail -n +%ld | grep -qE 'WARNING:|BUG:|Oops|general protection|"
		 "Call Trace:|possible circular|possible recursive|inconsistent lock state|"
		 "sleeping function called|KASAN:|UBSAN:|refcount_t:|blocked for more than'",
		 mark + 1, mark + 1);
	return system(cmd) == 0;
}

/* --- A claim/release request (raw netlink, the spec's attributes) ------ */

struct cres {
	int err;		/* the kernel's errno (0, -E...) or local -errno */
	bool local;		/* err is a local failure (timeout, socket) */
	bool has_outcome;
	uint32_t outcome;
	int nm;
	struct {
		struct pci_addr a;
		uint32_t state;
	} m[16];
	char msg[512];
};

static int pci_parse(const char *s, struct pci_addr *a)
{
	return pci_addr_parse(s, a);
}

static void cres_parse(const struct nlmsghdr *nlh, struct cres *r)
{
	const struct nlattr *nla, *in;
	int len, rem, rem2;
	void *p = genl_attrs(nlh, &len);

	if (!p)
		return;
	nla_for_each(nla, p, len, rem) {
		if (nla_kind(nla) == PCIPASS_A_CLAIM_OUTCOME && nla_plen(nla) == 4) {
			r->has_outcome = true;
			memcpy(&r->outcome, nla_payload(nla), 4);
		} else if (nla_kind(nla) == PCIPASS_A_CLAIM_MEMBER && r->nm < 16) {
			nla_for_each(in, nla_payload(nla), nla_plen(nla), rem2) {
				if (nla_kind(in) == PCIPASS_A_MEMBER_STATE)
					memcpy(&r->m[r->nm].state, nla_payload(in), 4);
				else if (nla_kind(in) == PCIPASS_A_MEMBER_ADDR)
					{ char why[64] = ""; pp_get_addr(in, &r->m[r->nm].a, "addr", why, sizeof(why)); }
			}
			r->nm++;
		}
	}
}

/*
 * cmd PCIPASS_CMD_CLAIM or _RELEASE; the group by @addr, or by id when
 * @addr is NULL; @driver NULL: the default (vfio-pci).  Returns r->err.
 */
static int pp_claim(struct nl_sock *s, uint16_t fam, uint8_t cmd,
		    const char *addr, int group, const char *driver,
		    struct cres *r)
{
	struct nl_reply rep;
	struct pci_addr a;
	struct nlb b;
	int ret;

	memset(r, 0, sizeof(*r));
	nlb_init(&b, fam, NLM_F_REQUEST | NLM_F_ACK, cmd, PCIPASS_FAMILY_VERSION);
	if (addr) {
		pci_parse(addr, &a);
		nlb_nest_start(&b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);
		nlb_put_u32(&b, PCIPASS_A_ADDR_DOMAIN, a.domain);
		nlb_put_u8(&b, PCIPASS_A_ADDR_BUS, a.bus);
		nlb_put_u8(&b, PCIPASS_A_ADDR_DEVFN, a.devfn);
		nlb_nest_end(&b);
	} else {
		nlb_put_u32(&b, PCIPASS_A_CLAIM_GROUP, group);
	}
	if (driver && cmd == PCIPASS_CMD_CLAIM)
		nlb_put_str(&b, PCIPASS_A_CLAIM_DRIVER, driver);
	memset(&rep, 0, sizeof(rep));
	ret = pp_claim_transact(s, fam, &b, &rep);
	if (ret) {
		r->local = true;
		r->err = ret;
		nl_reply_free(&rep);
		return ret;
	}
	r->err = rep.error;
	if (rep.has_msg)
		snprintf(r->msg, sizeof(r->msg), "%s", rep.ext_msg);
	for (int i = 0; i < rep.nmsgs; i++)
		cres_parse(rep.msgs[i].nlh, r);
	nl_reply_free(&rep);
	return r->err;
}

static const char *outcome_name(const struct cres *r)
{
	return r->has_outcome ? ppc_outcome_name(r->outcome) : "-";
}

static void cres_log(const char *who, const char *what, const struct cres *r)
{
	fprintf(stderr, "# %s: %s -> %d (%s)%s outcome=%s msg=\"%s\"", who, what,
		r->err, strerror(-r->err), r->local ? " LOCAL" : "",
		outcome_name(r), r->msg);
	for (int i = 0; i < r->nm; i++)
		fprintf(stderr, " %02x:%02x.%d=%u", r->m[i].a.bus,
			r->m[i].a.devfn >> 3, r->m[i].a.devfn & 7, r->m[i].state);
	fprintf(stderr, "\n");
}

/*
 * What a worker accepts.  Claim: 0 with claimed/already-claimed;
 * @busy_ok: -EBUSY refused (claimed for another driver); @rollback_ok: an
 * error with a complete rollback.  Release: 0 released, or -ENOENT
 * without a report (nothing claimed).
 */
static bool cres_ok(uint8_t cmd, const struct cres *r, bool busy_ok,
		    bool rollback_ok)
{
	if (r->local)
		return false;
	if (cmd == PCIPASS_CMD_RELEASE)
		return (!r->err && r->has_outcome &&
			r->outcome == PCIPASS_OUTCOME_RELEASED) ||
		       (r->err == -ENOENT && (!r->has_outcome ||
					      r->outcome == PCIPASS_OUTCOME_REFUSED));
	if (!r->err)
		return r->has_outcome &&
		       (r->outcome == PCIPASS_OUTCOME_CLAIMED ||
			r->outcome == PCIPASS_OUTCOME_ALREADY_CLAIMED);
	if (busy_ok && r->err == -EBUSY && r->has_outcome &&
	    r->outcome == PCIPASS_OUTCOME_REFUSED)
		return true;
	return rollback_ok && r->has_outcome &&
	       r->outcome == PCIPASS_OUTCOME_ROLLED_BACK;
}

/* --- Workers ----------------------------------------------------------- */

#define MAXW	6

struct workers {
	pid_t pid[MAXW];
	int n;
};

static void w_start(struct workers *w, void (*fn)(int, void *), void *arg)
{
	pid_t p = fork();

	if (p == 0) {
		fn(w->n, arg);
		_exit(0);
	}
	w->pid[w->n++] = p;
}

/* Waits up to @secs for every worker; kills the rest.  Failures counted. */
static int w_wait(struct workers *w, int secs)
{
	double end = now_s() + secs;
	int bad = 0, st;

	for (int i = 0; i < w->n; i++) {
		pid_t r;

		while ((r = waitpid(w->pid[i], &st, WNOHANG)) == 0 && now_s() < end)
			usleep(20000);
		if (r == 0) {
			fprintf(stderr, "# worker %d (pid %d) HANGS: killed\n", i, w->pid[i]);
			kill(w->pid[i], SIGKILL);
			waitpid(w->pid[i], &st, 0);
			bad++;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "# worker %d failed (status 0x%x)\n", i, st);
			bad++;
		}
	}
	w->n = 0;
	return bad;
}

static void w_open(struct nl_sock *s, uint16_t *fam)
{
	if (pp_nl_open(s, fam, 0)) {
		fprintf(stderr, "# worker: cannot open pcipass family\n");
		_exit(2);
	}
}

/* --- Fixture ----------------------------------------------------------- */

static const char *failprobe_ko(void)
{
	static char p[PATH_MAX];
	const char *e = getenv("PCIPASS_FAILPROBE_KO");
	char self[PATH_MAX];
	ssize_t n;

	if (e && *e)
		return e;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return NULL;
	self[n] = 0;
	snprintf(p, sizeof(p), "%s/../failprobe/pcipass_failprobe.ko", dirname(self));
	return p;
}

static bool fp_loaded(void)
{
	return access("/sys/module/pcipass_failprobe", F_OK) == 0;
}

static void fp_params(const char *nth, const char *delay)
{
	wr(FP_PAR "fail_nth", nth);
	wr(FP_PAR "fail_addr", "\n");
	wr(FP_PAR "probe_delay_ms", delay);
}

static bool pcipass_loaded(void)
{
	return access("/sys/module/pcipass", F_OK) == 0;
}

static int pcipass_reload(void)
{
	const char *ko = getenv("PCIPASS_KO");
	char cmd[PATH_MAX + 32];

	if (pcipass_loaded())
		return 0;
	if (!system("modprobe pcipass 2>/dev/null") && pcipass_loaded())
		return 0;
	if (ko && *ko) {
		snprintf(cmd, sizeof(cmd), "insmod '%s'", ko);
		if (!system(cmd) && pcipass_loaded())
			return 0;
	}
	return -1;
}

FIXTURE(race) {
	struct dstate before[NWATCHED];
	bool fp_mine;
	long mark;
	struct nl_sock s;
	uint16_t fam;
	bool open;
};

FIXTURE_SETUP(race)
{
	char cmd[PATH_MAX + 32];
	const char *ko;

	if (geteuid())
		SKIP(return, "needs root");
	if (!pp_module_loaded())
		SKIP(return, "pcipass not loaded");
	if (access(DEV C1, F_OK) || access(DEV B1, F_OK) || access(DEV VF1, F_OK))
		SKIP(return, "not the test VM topology (no 06:00.1, 05:00.0 or 0a:00.1)");
	snap(self->before);
	self->mark = dmesg_lines();
	if (!fp_loaded()) {
		ko = failprobe_ko();
		snprintf(cmd, sizeof(cmd), "insmod '%s'", ko ? ko : "/nonexistent");
		ASSERT_EQ(0, system(cmd)) TH_LOG("cannot load pcipass-failprobe from %s",
						 ko ? ko : "?");
		self->fp_mine = true;
	}
	fp_params("0", "0");
	wr(FP_PAR "probes", "0");
	ASSERT_EQ(0, pp_nl_open(&self->s, &self->fam, 0));
	self->open = true;
}

/* Release what is left, then sysfs; never fails (the test body checks). */
FIXTURE_TEARDOWN(race)
{
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	if (self->open)
		nl_close(&self->s);
	if (pcipass_loaded() && !pp_nl_open(&s, &fam, 0)) {
		pp_claim(&s, fam, PCIPASS_CMD_RELEASE, C0, 0, NULL, &r);
		pp_claim(&s, fam, PCIPASS_CMD_RELEASE, B1, 0, NULL, &r);
		pp_claim(&s, fam, PCIPASS_CMD_RELEASE, VF1, 0, NULL, &r);
		nl_close(&s);
	}
	if (fp_loaded())
		fp_params("0", "0");
	snap_restore(self->before);
	if (self->fp_mine)
		system("rmmod pcipass_failprobe");
	pcipass_reload();
}

/* The end of every test: nothing claimed is left, sysfs as before, no splat. */
static void finish(struct __test_metadata *_metadata, FIXTURE_DATA(race) *self,
		   bool restore_first)
{
	struct cres r;

	pp_claim(&self->s, self->fam, PCIPASS_CMD_RELEASE, C0, 0, NULL, &r);
	EXPECT_TRUE(cres_ok(PCIPASS_CMD_RELEASE, &r, false, false)) cres_log("final", "release (c)", &r);
	pp_claim(&self->s, self->fam, PCIPASS_CMD_RELEASE, B1, 0, NULL, &r);
	EXPECT_TRUE(cres_ok(PCIPASS_CMD_RELEASE, &r, false, false)) cres_log("final", "release (b)", &r);
	if (restore_first)
		snap_restore(self->before);
	EXPECT_EQ(0, snap_diff(self->before, "after the final release"));
	EXPECT_EQ(0, dmesg_splats(self->mark)) TH_LOG("kernel log shows a splat (above)");
}

/* --- 1. The same group from 4 processes -------------------------------- */

static void same_group_worker(int id, void *arg)
{
	int n = *(int *)arg, gid = group_of(C0), bad = 0;
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	w_open(&s, &fam);
	srand(getpid());
	for (int i = 0; i < n; i++) {
		bool claim = rand() & 1, by_id = id & 1;
		const char *addr = by_id ? NULL : (i & 1 ? C1 : C0);
		uint8_t cmd = claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;

		pp_claim(&s, fam, cmd, addr, gid, NULL, &r);
		if (!cres_ok(cmd, &r, false, false)) {
			cres_log("same_group", claim ? "claim" : "release", &r);
			bad++;
		}
	}
	nl_close(&s);
	_exit(bad ? 1 : 0);
}

TEST_F_TIMEOUT(race, same_group, 180)
{
	struct workers w = {};
	int n = iters() * 2;
	double t = now_s();

	for (int i = 0; i < 4; i++)
		w_start(&w, same_group_worker, &n);
	EXPECT_EQ(0, w_wait(&w, 150));
	fprintf(stderr, "# same_group: 4 x %d requests in %.1f s\n", n, now_s() - t);
	finish(_metadata, self, false);
}

/* --- 2. Overlapping groups, rollbacks interleaved ---------------------- */

static void overlap_worker(int id, void *arg)
{
	int n = *(int *)arg, gc = group_of(C0), gb = group_of(B1), bad = 0;
	int rollbacks = 0, busy = 0;
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	w_open(&s, &fam);
	srand(getpid());
	for (int i = 0; i < n; i++) {
		bool claim = rand() % 3 != 0;
		uint8_t cmd = claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
		const char *drv = NULL, *addr = NULL;
		int gid = gc;

		switch (id) {
		case 0: addr = C1; break;			/* (c) by address */
		case 1: break;					/* (c) by id */
		case 2: addr = B0; drv = FP;			/* (b), failprobe */
			if (claim && (i & 1)) {
				/* the second probe fails: a rollback */
				wr(FP_PAR "probes", "0");
				wr(FP_PAR "fail_nth", "2");
			}
			break;
		case 3: gid = gb;				/* (b) by id */
			claim = !(rand() % 3);	/* leave failprobe room */
			cmd = claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
			break;
		}
		pp_claim(&s, fam, cmd, addr, gid, drv, &r);
		if (id == 2 && claim && (i & 1))
			wr(FP_PAR "fail_nth", "0");
		rollbacks += r.has_outcome && r.outcome == PCIPASS_OUTCOME_ROLLED_BACK;
		busy += r.err == -EBUSY;
		/* (b) for two drivers: EBUSY; failprobe's own claims: rollbacks */
		if (!cres_ok(cmd, &r, id >= 2, id == 2)) {
			cres_log("overlapping", claim ? "claim" : "release", &r);
			bad++;
		}
	}
	fprintf(stderr, "# overlapping worker %d: %d requests, %d rolled back, %d busy\n",
		id, n, rollbacks, busy);
	nl_close(&s);
	_exit(bad ? 1 : 0);
}

TEST_F_TIMEOUT(race, overlapping, 180)
{
	struct workers w = {};
	int n = iters() * 2;
	double t = now_s();

	for (int i = 0; i < 4; i++)
		w_start(&w, overlap_worker, &n);
	EXPECT_EQ(0, w_wait(&w, 150));
	fprintf(stderr, "# overlapping: 4 x %d requests in %.1f s\n", n, now_s() - t);
	finish(_metadata, self, false);
}

/* --- 3. sysfs writes racing a claim ------------------------------------ */

static void sysfs_racer(int id, void *arg)
{
	double end = now_s() + *(double *)arg;
	unsigned int k = getpid();

	(void)id;
	while (now_s() < end) {
		switch (rand_r(&k) % 6) {
		case 0: wr(DEV C0 "/driver_override", "e1000e"); break;
		case 1: wr(DEV C0 "/driver_override", "\n"); break;
		case 2: wr(DRV "e1000e/bind", C0); break;
		case 3: wr(DRV "e1000e/unbind", C0); break;
		case 4: wr(DRV FP "/unbind", C0); break;
		case 5: wr(DEV C1 "/driver_override", "e1000e"); break;
		}
		usleep(20000 + rand_r(&k) % 80000);
	}
	_exit(0);
}

static void claim_once(int id, void *arg)
{
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	(void)id;
	(void)arg;
	w_open(&s, &fam);
	pp_claim(&s, fam, PCIPASS_CMD_CLAIM, C0, 0, FP, &r);
	cres_log("sysfs_race", "claim (c) for " FP, &r);
	nl_close(&s);
	/*
	 * Racing sysfs writes may make it fail; a rollback may even fail
	 * (an override written between pcipass's restore and its rebind
	 * makes the PCI core refuse the original driver): reported, and the
	 * parent checks that nothing is on a foreign driver or lost.
	 */
	_exit(cres_ok(PCIPASS_CMD_CLAIM, &r, false, true) ||
	      (r.err && r.has_outcome &&
	       r.outcome == PCIPASS_OUTCOME_ROLLBACK_FAILED) ? 0 : 1);
}

/*
 * Each function on its original driver, the target, or none; present.
 * @fresh: a function replugged since (whatever the kernel bound), or NULL.
 */
static int allowed_state_but(const struct dstate *before, const char *target,
			     const char *fresh)
{
	int bad = 0;

	for (int i = 0; i < NWATCHED; i++) {
		struct dstate now;

		dev_read(watched[i], &now);
		if (fresh && !strcmp(fresh, watched[i]) && now.present)
			continue;
		if (!now.present || (now.drv[0] && strcmp(now.drv, before[i].drv) &&
				     strcmp(now.drv, target))) {
			fprintf(stderr, "# %s: %s driver=%s (before: %s, target %s)\n",
				now.present ? "WRONG DRIVER" : "LOST", watched[i],
				now.drv, before[i].drv, target);
			bad++;
		}
	}
	return bad;
}

static int allowed_state(const struct dstate *before, const char *target)
{
	return allowed_state_but(before, target, NULL);
}

/*
 * Remove (c)'s root port 00:03.0 with everything below it and rescan: a
 * function rescanned alone is not marked multifunction by the PCI core
 * and gets an IOMMU group of its own; a full enumeration groups the two
 * functions as at boot.
 */
static bool replug_c(void)
{
	wr(DEV "0000:00:03.0/remove", "1");
	wr("/sys/bus/pci/rescan", "1");
	for (int ms = 0; ms < 10000; ms += 100) {
		if (group_of(C0) >= 0 && group_of(C0) == group_of(C1))
			return true;
		usleep(100000);
	}
	return false;
}

TEST_F_TIMEOUT(race, sysfs_race, 180)
{
	int rounds = iters() / 2 + 1, ok = 0;
	double t = now_s(), dur = 1.5;
	struct workers w = {};
	struct cres r;

	wr(FP_PAR "probe_delay_ms", "300");
	for (int i = 0; i < rounds; i++) {
		w_start(&w, claim_once, NULL);
		usleep(i * 100000);	/* move the window around */
		w_start(&w, sysfs_racer, &dur);
		EXPECT_EQ(0, w_wait(&w, 60));
		EXPECT_EQ(0, allowed_state(self->before, FP));
		/* release gives back the drivers whatever the racer did */
		pp_claim(&self->s, self->fam, PCIPASS_CMD_RELEASE, C0, 0, NULL, &r);
		if (!cres_ok(PCIPASS_CMD_RELEASE, &r, false, false))
			cres_log("sysfs_race", "release", &r);
		EXPECT_TRUE(cres_ok(PCIPASS_CMD_RELEASE, &r, false, false));
		ok += !r.err;
		for (int j = 0; j < 2; j++) {
			struct dstate now;

			dev_read(watched[j], &now);
			if (!r.err)
				EXPECT_STREQ(self->before[j].drv, now.drv)
					TH_LOG("%s not given back", watched[j]);
		}
		snap_restore(self->before);
		ASSERT_EQ(0, snap_diff(self->before, "sysfs restore after a round"));
	}
	wr(FP_PAR "probe_delay_ms", "0");
	fprintf(stderr, "# sysfs_race: %d rounds (%d claimed and released) in %.1f s\n",
		rounds, ok, now_s() - t);
	finish(_metadata, self, false);
}

/* --- 4. Hot-unplug during a claim -------------------------------------- */

struct unplug {
	const char *claim_addr;
	int delay_ms;		/* after the claim starts */
	const char *path, *val;	/* the write that removes */
};

static void claim_fp_and_report(int id, void *arg)
{
	const struct unplug *u = arg;
	double t = now_s();
	struct nl_sock s;
	uint16_t fam;
	struct cres r;
	bool gone = false;

	(void)id;
	w_open(&s, &fam);
	pp_claim(&s, fam, PCIPASS_CMD_CLAIM, u->claim_addr, 0, FP, &r);
	for (int i = 0; i < r.nm; i++)
		gone |= r.m[i].state == PCIPASS_MEMBER_GONE;
	fprintf(stderr, "# hot_unplug: claim returned after %.1f s, a member %s\n",
		now_s() - t, gone ? "reported gone" : "not reported gone");
	cres_log("hot_unplug", u->claim_addr, &r);
	nl_close(&s);
	_exit(cres_ok(PCIPASS_CMD_CLAIM, &r, false, true) ? 0 : 1);
}

static void unplug_round(struct __test_metadata *_metadata,
			 FIXTURE_DATA(race) *self, const struct unplug *u,
			 const char *victim, const char *replug_path,
			 const char *replug_val)
{
	struct workers w = {};
	struct cres r;

	w_start(&w, claim_fp_and_report, (void *)u);
	usleep(u->delay_ms * 1000);
	EXPECT_EQ(0, wr(u->path, u->val)) TH_LOG("removing %s", victim);
	EXPECT_EQ(0, w_wait(&w, 60));
	EXPECT_EQ(0, wr(replug_path, replug_val));
	EXPECT_TRUE(wait_present(victim, 10000)) TH_LOG("%s did not come back", victim);
	{
		struct dstate now;

		dev_read(victim, &now);
		fprintf(stderr, "# hot_unplug: %s back, driver=%s override=%s\n",
			victim, now.drv[0] ? now.drv : "none", now.ovr[0] ? now.ovr : "none");
	}
	EXPECT_EQ(0, allowed_state_but(self->before, FP, victim));
	/* the surviving members go back; the new function has no record */
	pp_claim(&self->s, self->fam, PCIPASS_CMD_RELEASE, u->claim_addr, 0, NULL, &r);
	cres_log("hot_unplug", "release", &r);
	EXPECT_TRUE(cres_ok(PCIPASS_CMD_RELEASE, &r, false, false));
	/* 06:00.1 came back in a group of its own: replug the whole port */
	if (!strcmp(victim, C1))
		EXPECT_TRUE(replug_c()) TH_LOG("(c) not one group again after replug");
	snap_restore(self->before);
	EXPECT_EQ(0, snap_diff(self->before, "after unplug, rescan, release, restore"));
}

TEST_F_TIMEOUT(race, hot_unplug, 180)
{
	struct unplug before_own = { C0, 700, DEV C1 "/remove", "1" };
	struct unplug during_own = { C0, 2200, DEV C1 "/remove", "1" };
	struct unplug vf = { VF1, 700, DEV PF "/sriov_numvfs", "0" };
	double t = now_s();

	int rounds = 1;

	wr(FP_PAR "probe_delay_ms", "1500");
	/*
	 * 06:00.1 while 06:00.0 probes, then while it probes itself.  Opt-in:
	 * after a remove and rescan (of 06:00.1, or of root port 00:03.0 and
	 * all below it) the 6.12 guest puts 06:00.0 and 06:00.1 in two IOMMU
	 * groups (one at boot), so the rest of a suite would see another
	 * topology.  Both rounds pass apart from that check.
	 */
	if (getenv("PCIPASS_RACE_UNPLUG_MF")) {
		unplug_round(_metadata, self, &before_own, C1, "/sys/bus/pci/rescan", "1");
		unplug_round(_metadata, self, &during_own, C1, "/sys/bus/pci/rescan", "1");
		rounds += 2;
	}
	/* a VF by disabling SR-IOV while its claim probes; VFs come back */
	unplug_round(_metadata, self, &vf, VF1, DEV PF "/sriov_numvfs", "2");
	wr(FP_PAR "probe_delay_ms", "0");
	fprintf(stderr, "# hot_unplug: %d rounds in %.1f s\n", rounds, now_s() - t);
	finish(_metadata, self, false);
}

/* --- 5. Module unload while requests run ------------------------------- */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void unload_worker(int id, void *arg)
{
	int gid = group_of(C0), bad = 0, n = 0, gonecnt = 0;
	volatile int *unloads = arg;
	unsigned int k = getpid();
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	signal(SIGTERM, on_term);
	w_open(&s, &fam);
	while (!stop) {
		int op = (rand_r(&k) + id) % 3;

		if (op == 2) {
			struct nl_reply rep = {};
			struct nlb b;

			pp_req_dev_dump(&b, fam);
			r.local = nl_transact(&s, &b, &rep) != 0;
			r.err = rep.error;
			r.has_outcome = false;
			nl_reply_free(&rep);
			/*
			 * Family gone (ENOENT), module going (EPROTONOSUPPORT
			 * from netlink_dump_start's try_module_get), the stop
			 * signal (EINTR); EBUSY from netlink_dump_start (the
			 * socket's previous dump still marked running; seen
			 * only while pcipass was unloaded or reloaded).
			 */
			if (r.local || (r.err && r.err != -ENOENT &&
					r.err != -EPROTONOSUPPORT &&
					r.err != -EBUSY &&
					!(r.err == -EINTR && stop))) {
				fprintf(stderr, "# unload: dump -> %d local=%d\n", r.err, r.local);
				bad++;
			}
			/*
			 * A dump that did not end pins the module until its
			 * socket is closed: start afresh, or rmmod waits for
			 * this worker forever.
			 */
			if (r.local || r.err) {
				nl_close(&s);
				if (nl_open(&s, 0)) {
					bad++;
					break;
				}
			}
		} else {
			uint8_t cmd = op ? PCIPASS_CMD_RELEASE : PCIPASS_CMD_CLAIM;
			int before = *unloads;

			pp_claim(&s, fam, cmd, id & 1 ? NULL : C1, gid, NULL, &r);
			/*
			 * The family gone: ENOENT without a report (also when
			 * it went between the transaction and its claim-get);
			 * the module going: ENODEV, no transaction started;
			 * the module reloaded between the transaction and its
			 * claim-get (the family back under the same id): the
			 * new one does not know the txid, ESRCH.
			 */
			if (!cres_ok(cmd, &r, false, false) &&
			    !((r.err == -ENOENT || r.err == -ENODEV) &&
			      !r.has_outcome) &&
			    !(r.err == -ESRCH && !r.has_outcome &&
			      *unloads != before)) {
				cres_log("unload", op ? "release" : "claim", &r);
				bad++;
			}
		}
		n++;
		if (r.err == -ENOENT && !r.has_outcome) {
			gonecnt++;
			/* the family may be back under a new id; no autoload */
			if (!access("/sys/module/pcipass/initstate", F_OK)) {
				struct genl_family_info fi;

				if (!genl_resolve(&s, PCIPASS_FAMILY_NAME, &fi))
					fam = fi.id;
			}
			usleep(20000);
		}
	}
	fprintf(stderr, "# unload worker %d: %d requests, %d ENOENT\n", id, n, gonecnt);
	nl_close(&s);
	_exit(bad ? 1 : 0);
}

TEST_F_TIMEOUT(race, module_unload, 180)
{
	struct workers w = {};
	double t = now_s();
	int cycles = 2;
	int *unloads;

	unloads = mmap(NULL, sizeof(*unloads), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)unloads);
	*unloads = 0;
	nl_close(&self->s);
	self->open = false;
	for (int i = 0; i < 3; i++)
		w_start(&w, unload_worker, unloads);
	for (int c = 0; c < cycles; c++) {
		double t0;
		int tries = 0;

		usleep(1500000);
		t0 = now_s();
		/*
		 * Each running dump pins the module (netlink_dump_start), so
		 * unloading succeeds only between two requests: try often,
		 * with the syscall rmmod makes, not one fork/exec per try.
		 */
		while (pcipass_loaded() && now_s() - t0 < 30) {
			tries++;
			if (syscall(SYS_delete_module, "pcipass", O_NONBLOCK))
				usleep(2000);
		}
		EXPECT_FALSE(pcipass_loaded()) TH_LOG("rmmod pcipass: still loaded after 30 s");
		/*
		 * Counted between unload and reload: a worker that saw the
		 * old count before its request went to the old module sees
		 * the new one once the new module can answer it.
		 */
		__atomic_add_fetch(unloads, 1, __ATOMIC_SEQ_CST);
		fprintf(stderr, "# module_unload: cycle %d: rmmod after %d tries, %.2f s\n",
			c, tries, now_s() - t0);
		EXPECT_EQ(0, allowed_state(self->before, "vfio-pci"));
		usleep(800000);
		EXPECT_EQ(0, pcipass_reload()) TH_LOG("cannot load pcipass again");
	}
	usleep(1000000);
	for (int i = 0; i < w.n; i++)
		kill(w.pid[i], SIGTERM);
	EXPECT_EQ(0, w_wait(&w, 60));
	EXPECT_EQ(0, allowed_state(self->before, "vfio-pci"));
	ASSERT_TRUE(pcipass_loaded());
	ASSERT_EQ(0, pp_nl_open(&self->s, &self->fam, 0));
	self->open = true;
	fprintf(stderr, "# module_unload: %d unload/reload cycles in %.1f s\n",
		cycles, now_s() - t);
	/*
	 * The reloaded module forgot what the unloaded one claimed: a claim
	 * after the reload remembers vfio-pci as the original of 06:00.0.
	 * Release what it knows, then put the functions back through sysfs.
	 */
	munmap(unloads, sizeof(*unloads));
	finish(_metadata, self, true);
}

/* --- 6. The target driver's module unloaded during claims ------------- */

static void target_worker(int id, void *arg)
{
	volatile int *stop = arg;
	int gid = group_of(VF1), n = 0, claimed = 0, gone = 0, bad = 0;
	bool busy;
	struct nl_sock s;
	uint16_t fam;
	struct cres r;

	(void)id;
	w_open(&s, &fam);
	while (!*stop && n < 400) {
		uint8_t cmd = n++ & 1 ? PCIPASS_CMD_RELEASE : PCIPASS_CMD_CLAIM;

		pp_claim(&s, fam, cmd, id ? NULL : VF1, gid, FP, &r);
		claimed += cmd == PCIPASS_CMD_CLAIM && !r.err;
		gone += r.err == -ENOENT;
		/*
		 * A claim: the driver may be missing (ENOENT, no group found
		 * yet), or leave between pin and bind (a rollback).  Either:
		 * the function busy past the bounded device_lock wait while
		 * failprobe's probe or remove holds it (EBUSY, refused).
		 */
		busy = r.err == -EBUSY && r.has_outcome &&
		       r.outcome == PCIPASS_OUTCOME_REFUSED;
		if (!cres_ok(cmd, &r, false, true) && !busy &&
		    !(cmd == PCIPASS_CMD_CLAIM && r.err == -ENOENT && !r.local)) {
			cres_log("target_unload", cmd == PCIPASS_CMD_CLAIM ?
				 "claim" : "release", &r);
			bad++;
		}
	}
	fprintf(stderr, "# target_unload worker %d: %d requests, %d claimed, %d ENOENT\n",
		id, n, claimed, gone);
	nl_close(&s);
	_exit(bad ? 1 : 0);
}

TEST_F_TIMEOUT(race, target_unload, 180)
{
	static int *stop;
	char cmd[PATH_MAX + 32];
	struct workers w = {};
	int cycles = 0, unloaded = 0;
	double t = now_s();
	const char *ko = failprobe_ko();
	struct cres r;

	stop = mmap(NULL, sizeof(*stop), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, (void *)stop);
	*stop = 0;
	snprintf(cmd, sizeof(cmd), "insmod '%s'", ko ? ko : "/nonexistent");
	for (int i = 0; i < 2; i++)
		w_start(&w, target_worker, stop);
	while (now_s() - t < 20 && cycles < 4 * iters()) {
		/* bound or pinned by a claim in flight: refused, try again */
		for (int tries = 0; fp_loaded() && tries < 500; tries++)
			if (syscall(SYS_delete_module, "pcipass_failprobe",
				    O_NONBLOCK))
				usleep(2000);
		unloaded += !fp_loaded();
		usleep(100000);	/* claims meanwhile find no driver */
		if (!fp_loaded())
			ASSERT_EQ(0, system(cmd));
		fp_params("0", "0");
		cycles++;
		usleep(20000);
	}
	*stop = 1;
	EXPECT_EQ(0, w_wait(&w, 120));
	fprintf(stderr, "# target_unload: %d cycles (%d unloads) in %.1f s\n",
		cycles, unloaded, now_s() - t);
	EXPECT_LT(0, unloaded);
	EXPECT_EQ(0, allowed_state(self->before, FP));
	munmap(stop, sizeof(*stop));
	/* a worker told to stop may have ended on a claim */
	pp_claim(&self->s, self->fam, PCIPASS_CMD_RELEASE, VF1, 0, NULL, &r);
	EXPECT_TRUE(cres_ok(PCIPASS_CMD_RELEASE, &r, false, false))
		cres_log("final", "release (VF)", &r);
	finish(_metadata, self, false);
}

TEST_HARNESS_MAIN
