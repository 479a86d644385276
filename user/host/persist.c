// SPDX-License-Identifier: GPL-2.0
/*
 * Check 11: persisted claims (pcipass claim --persist) and whether this
 * boot's initramfs carries them.  The initramfs loads pcipass before udev
 * binds host drivers; one built before the claims changed applies the old
 * ones at boot, and without the hook the host drivers bind first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "persist/persist.h"

static const char *const hooks[] = {
	"/usr/share/initramfs-tools/hooks/pcipass",	/* the package */
	"/etc/initramfs-tools/hooks/pcipass",		/* make install */
};

static bool mtime_of(const char *path, time_t *t)
{
	char full[4096];
	struct stat st;

	if (!sysroot_path(path, full, sizeof(full)) || stat(full, &st))
		return false;
	*t = st.st_mtime;
	return true;
}

void host_gather_persist(struct host_facts *f)
{
	struct persist_facts *p = &f->persist;
	struct persist_conf c = { 0 };
	struct persist_hw hw;
	char full[4096], initrd[256];
	size_t idx;

	if (!sysroot_path(PERSIST_CONF, full, sizeof(full)) ||
	    persist_conf_load(full, &c, NULL) < 0)
		return;
	p->entries = c.n;
	if (c.n) {
		persist_hw_scan(&hw);
		for (size_t i = 0; i < c.n; i++)
			p->mismatched += persist_hw_match(&hw, &c.e[i], &idx) ==
					 PERSIST_MATCH_OTHER;
		persist_hw_free(&hw);
		p->held = persist_mark_held(&c, true);
	}
	persist_conf_free(&c);
	for (size_t i = 0; i < ARRAY_SIZE(hooks); i++)
		p->hook |= sysroot_exists(hooks[i]);
	p->have_claims = mtime_of(PERSIST_MODPROBE, &p->claims_mtime);
	snprintf(initrd, sizeof(initrd), "/boot/initrd.img-%s",
		 f->release ? f->release : "");
	p->have_initrd = f->release && mtime_of(initrd, &p->initrd_mtime);
}

static void judge_persist(const struct host_facts *f, struct host_verdict *v)
{
	const struct persist_facts *p = &f->persist;
	const char *rel = f->release ? f->release : "(unknown)";

	if (!p->entries) {
		host_result(v, HOST_INFO, "none (claim --persist keeps a claim across reboots)");
		return;
	}
	if (p->mismatched) {
		host_result(v, HOST_WARN, "%zu of %zu persisted functions do not match the hardware at their path: left to their host drivers",
			    p->mismatched, p->entries);
		host_fix(v, false, "see pcipass persist list; drop stale entries with pcipass persist remove PATH");
	} else if (!p->hook) {
		host_result(v, HOST_WARN, "%zu persisted; no pcipass initramfs hook: at boot host drivers bind them first",
			    p->entries);
		host_fix(v, false, "install pcipass with make install (or its package), then run update-initramfs -u -k all");
	} else if (!p->have_initrd) {
		host_result(v, HOST_WARN, "%zu persisted; no /boot/initrd.img-%s to carry them",
			    p->entries, rel);
		host_fix(v, false, "run update-initramfs -c -k %s", rel);
	} else if (p->have_claims && p->initrd_mtime < p->claims_mtime) {
		host_result(v, HOST_WARN, "%zu persisted; the initramfs of %s is older than them: at boot it applies the claims it was built with",
			    p->entries, rel);
		host_fix(v, false, "run update-initramfs -u -k all");
	} else if (p->held) {
		host_result(v, HOST_WARN, "%zu of %zu persisted functions hold the root filesystem or a disk in use: left out of the boot option, their groups stay with the host",
			    p->held, p->entries);
		host_fix(v, false, "see pcipass persist list (LEFT OUT); unmount the disk and take it out of /etc/fstab, or remove the entry");
	} else {
		host_result(v, HOST_PASS, "%zu persisted; the initramfs of %s carries them",
			    p->entries, rel);
	}
}

static void facts_persist(const struct host_facts *f)
{
	const struct persist_facts *p = &f->persist;

	print_uint(PRINT_JSON, "entries", NULL, (unsigned int)p->entries);
	print_uint(PRINT_JSON, "mismatched", NULL, (unsigned int)p->mismatched);
	print_uint(PRINT_JSON, "held", NULL, (unsigned int)p->held);
	print_bool(PRINT_JSON, "initramfs_hook", NULL, p->hook);
	/* null when there is nothing to compare: no claims, no hook to put
	 * them in the initramfs, no initramfs or no module option file
	 */
	if (p->entries && p->hook && p->have_initrd && p->have_claims)
		print_bool(PRINT_JSON, "initramfs_current", NULL,
			   p->initrd_mtime >= p->claims_mtime);
	else
		print_null(PRINT_JSON, "initramfs_current", NULL, NULL);
}

const struct host_check host_check_persist = {
	"persisted_claims", "Persisted claims", judge_persist, facts_persist,
};
