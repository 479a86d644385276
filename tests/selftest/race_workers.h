/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_race_test only: fork()ed workers and the bodies each race runs
 * in them.  A worker exits 0 when every answer it got is one its race
 * allows (race_req.h), 1 otherwise, 2 without a pcipass socket.
 */
#ifndef PCIPASS_SELFTEST_RACE_WORKERS_H
#define PCIPASS_SELFTEST_RACE_WORKERS_H

#include <sys/types.h>

#define MAXW	6

struct workers {
	pid_t pid[MAXW];
	int n;
};

/* fork(); the child runs @fn(its index, @arg) and exits. */
void w_start(struct workers *w, void (*fn)(int, void *), void *arg);
/* Waits up to @secs for every worker; kills the rest.  Failures counted. */
int w_wait(struct workers *w, int secs);

/* 1. claim/release group (c) *(int *)@arg times; odd ids by group id. */
void same_group_worker(int id, void *arg);
/* 2. per id: (c) by address, (c) by id, (b) for failprobe, (b) by id. */
void overlap_worker(int id, void *arg);

/* 3. driver_override and bind/unbind writes for *(double *)@arg s. */
void sysfs_racer(int id, void *arg);
/* 3. one claim of (c) for failprobe. */
void claim_once(int id, void *arg);

/* 4. a claim of @claim_addr for failprobe; the parent removes meanwhile. */
struct unplug {
	const char *claim_addr;
	int delay_ms;		/* after the claim starts */
	const char *path, *val;	/* the write that removes */
};
/* 4. claims ((struct unplug *)@arg)->claim_addr; "gone" members noted. */
void claim_fp_and_report(int id, void *arg);

/*
 * 5. claims, releases and dumps until SIGTERM; @arg: the unload count
 * the parent keeps in shared memory (an int).
 */
void unload_worker(int id, void *arg);
/* 6. claim/release VF1 for failprobe until *(int *)@arg, 400 at most. */
void target_worker(int id, void *arg);
/*
 * 7. claim VF1 for vfio-pci and release it (back to failprobe) until
 * *(int *)@arg, 400 at most, without CAP_SYS_MODULE: a release whose
 * driver is gone does not wait for a module load.
 */
void restore_worker(int id, void *arg);

#endif
