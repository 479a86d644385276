/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_race_test only: the clock and loop count of the races, the
 * kernel log they are checked against, and the modules they load and
 * unload (pcipass-failprobe as a target driver, pcipass itself).
 */
#ifndef PCIPASS_SELFTEST_RACE_ENV_H
#define PCIPASS_SELFTEST_RACE_ENV_H

#include <stdbool.h>

#define FP	"pcipass-failprobe"
#define FP_PAR	"/sys/module/pcipass_failprobe/parameters/"

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
/* PCIPASS_RACE_ITERS, default 8: scales every loop. */
int iters(void);

/* Lines in the kernel log now: the mark dmesg_splats() starts after. */
long dmesg_lines(void);
/* 0 when nothing after line @mark looks like a splat (printed if so). */
int dmesg_splats(long mark);

/* PCIPASS_FAILPROBE_KO, else tests/failprobe/ next to this program. */
const char *failprobe_ko(void);
bool fp_loaded(void);
/* failprobe's fault (fail_nth) and probe delay set, fail_addr cleared. */
void fp_params(const char *nth, const char *delay);

bool pcipass_loaded(void);
/* pcipass loaded again (modprobe, else PCIPASS_KO) unless it is; 0 or -1. */
int pcipass_reload(void);

#endif
