// SPDX-License-Identifier: GPL-2.0
/*
 * claim_race_test only: the sysfs state of the functions the races touch
 * (see race_state.h), read, compared and written back through sysfs
 * alone, so that it stays right while pcipass is unloaded or confused.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "race_state.h"
#include "sysfs.h"

const char *const watched[NWATCHED] = { C0, C1, B0, B1, VF1, VF2 };

void dev_read(const char *addr, struct dstate *s)
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

void snap(struct dstate *st)
{
	for (int i = 0; i < NWATCHED; i++)
		dev_read(watched[i], &st[i]);
}

/* Number of differences, each printed. */
int snap_diff(const struct dstate *a, const char *what)
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

int wr(const char *path, const char *val)
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

void snap_restore(const struct dstate *st)
{
	for (int i = 0; i < NWATCHED; i++)
		dev_restore(watched[i], &st[i]);
}

int group_of(const char *addr)
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

bool wait_present(const char *addr, int ms)
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

/*
 * Each function on its original driver, the target, or none; present.
 * @fresh: a function replugged since (whatever the kernel bound), or NULL.
 */
int allowed_state_but(const struct dstate *before, const char *target,
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

int allowed_state(const struct dstate *before, const char *target)
{
	return allowed_state_but(before, target, NULL);
}

/*
 * Remove (c)'s root port 00:03.0 with everything below it and rescan: a
 * function rescanned alone is not marked multifunction by the PCI core
 * and gets an IOMMU group of its own; a full enumeration groups the two
 * functions as at boot.
 */
bool replug_c(void)
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
