/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_race_test only: the functions of tests/vm/topology.sh the races
 * touch, and their state in sysfs (present, driver, driver_override):
 * read, compared, written back, and the checks a race's end is held to.
 */
#ifndef PCIPASS_SELFTEST_RACE_STATE_H
#define PCIPASS_SELFTEST_RACE_STATE_H

#include <stdbool.h>

#define DEV	"/sys/bus/pci/devices/"
#define DRV	"/sys/bus/pci/drivers/"

#define C0	"0000:06:00.0"	/* (c) */
#define C1	"0000:06:00.1"
#define B0	"0000:04:00.0"	/* (b) */
#define B1	"0000:05:00.0"
#define PF	"0000:0a:00.0"	/* (f) */
#define VF1	"0000:0a:00.1"
#define VF2	"0000:0a:00.2"

/* C0, C1, B0, B1, VF1, VF2: what every snapshot holds */
#define NWATCHED	6
extern const char *const watched[NWATCHED];

struct dstate {
	bool present;
	char drv[64];		/* "" when unbound */
	char ovr[128];		/* "" when none */
};

void dev_read(const char *addr, struct dstate *s);
/* @st[i] for watched[i]. */
void snap(struct dstate *st);
/* Number of differences, each printed. */
int snap_diff(const struct dstate *a, const char *what);
/* Each watched function back on its driver and override of @st. */
void snap_restore(const struct dstate *st);

/* A sysfs write; 0 or -errno. */
int wr(const char *path, const char *val);
/* The IOMMU group's number, or -1. */
int group_of(const char *addr);
/* The function is in sysfs within @ms. */
bool wait_present(const char *addr, int ms);

/*
 * Each function on its original driver, the target, or none; present.
 * @fresh: a function replugged since (whatever the kernel bound), or NULL.
 * The number of those that are not, each printed.
 */
int allowed_state_but(const struct dstate *before, const char *target,
		      const char *fresh);
int allowed_state(const struct dstate *before, const char *target);

/* (c)'s root port removed and rescanned: true when (c) is one group again. */
bool replug_c(void);

#endif
