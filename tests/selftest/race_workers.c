// SPDX-License-Identifier: GPL-2.0
/*
 * claim_race_test only: the fork()ed workers (see race_workers.h).  Each
 * worker exits 0 when every answer it got was one its race allows, and
 * prints (#) what it did not allow.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>

#include "race_env.h"
#include "race_req.h"
#include "race_state.h"
#include "race_workers.h"

void w_start(struct workers *w, void (*fn)(int, void *), void *arg)
{
	pid_t p = fork();

	if (p == 0) {
		fn(w->n, arg);
		_exit(0);
	}
	w->pid[w->n++] = p;
}

/* Waits up to @secs for every worker; kills the rest.  Failures counted. */
int w_wait(struct workers *w, int secs)
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

/* --- 1. The same group from 4 processes -------------------------------- */

void same_group_worker(int id, void *arg)
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

/* --- 2. Overlapping groups, rollbacks interleaved ---------------------- */

void overlap_worker(int id, void *arg)
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

/* --- 3. sysfs writes racing a claim ------------------------------------ */

void sysfs_racer(int id, void *arg)
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

void claim_once(int id, void *arg)
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

/* --- 4. Hot-unplug during a claim -------------------------------------- */

void claim_fp_and_report(int id, void *arg)
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

/* --- 5. Module unload while requests run ------------------------------- */

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

void unload_worker(int id, void *arg)
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

/* --- 6. The target driver's module unloaded during claims ------------- */

void target_worker(int id, void *arg)
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

/* The process keeps every capability but CAP_SYS_MODULE; 0 or -errno. */
static int drop_cap_sys_module(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	const unsigned int word = CAP_TO_INDEX(CAP_SYS_MODULE);

	if (syscall(SYS_capget, &h, d))
		return -errno;
	d[word].effective &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	d[word].permitted &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	d[word].inheritable &= ~CAP_TO_MASK(CAP_SYS_MODULE);
	return syscall(SYS_capset, &h, d) ? -errno : 0;
}

static bool release_failed(const struct cres *r)
{
	return r->err == -EIO && r->has_outcome &&
	       r->outcome == PCIPASS_OUTCOME_RELEASE_FAILED;
}

void restore_worker(int id, void *arg)
{
	volatile int *stop = arg;
	int n = 0, released = 0, failed = 0, bad = 0;
	struct nl_sock s;
	bool busy;
	uint16_t fam;
	struct cres r;

	(void)id;
	if (drop_cap_sys_module())
		_exit(2);
	w_open(&s, &fam);
	while (!*stop && n < 400) {
		uint8_t cmd = n++ & 1 ? PCIPASS_CMD_RELEASE : PCIPASS_CMD_CLAIM;

		pp_claim(&s, fam, cmd, VF1, 0, NULL, &r);
		released += cmd == PCIPASS_CMD_RELEASE && !r.err;
		failed += release_failed(&r);
		/*
		 * A claim or a release may find VF1 busy past the bounded
		 * device_lock wait while failprobe's probe or remove holds it
		 * (EBUSY, refused: nothing changed); a claim may lose its
		 * driver mid-way (a rollback); a release whose driver is gone
		 * leaves VF1 unbound and remembered.
		 */
		busy = r.err == -EBUSY && r.has_outcome &&
		       r.outcome == PCIPASS_OUTCOME_REFUSED;
		if (!cres_ok(cmd, &r, true, true) && !busy &&
		    !(cmd == PCIPASS_CMD_RELEASE && release_failed(&r))) {
			cres_log("restore_unload", cmd == PCIPASS_CMD_CLAIM ?
				 "claim" : "release", &r);
			bad++;
		}
	}
	fprintf(stderr, "# restore_unload worker %d: %d requests, %d released, %d release-failed\n",
		id, n, released, failed);
	nl_close(&s);
	_exit(bad ? 1 : 0);
}
