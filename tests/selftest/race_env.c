// SPDX-License-Identifier: GPL-2.0
/*
 * claim_race_test only: time, the loop count, the kernel log and the two
 * modules the races load and unload (see race_env.h).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "race_env.h"
#include "race_state.h"

double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int iters(void)
{
	const char *e = getenv("PCIPASS_RACE_ITERS");

	return e && atoi(e) > 0 ? atoi(e) : 8;
}

/* --- The kernel log ---------------------------------------------------- */

long dmesg_lines(void)
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
int dmesg_splats(long mark)
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

/* --- The modules: pcipass-failprobe and pcipass ----------------------- */

const char *failprobe_ko(void)
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

bool fp_loaded(void)
{
	return access("/sys/module/pcipass_failprobe", F_OK) == 0;
}

void fp_params(const char *nth, const char *delay)
{
	wr(FP_PAR "fail_nth", nth);
	wr(FP_PAR "fail_addr", "\n");
	wr(FP_PAR "probe_delay_ms", delay);
}

bool pcipass_loaded(void)
{
	return access("/sys/module/pcipass", F_OK) == 0;
}

int pcipass_reload(void)
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
