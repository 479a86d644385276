// SPDX-License-Identifier: GPL-2.0
/*
 * At boot, the VF counts of /etc/pcipass/sriov.conf (pcipass sriov --vfs N
 * --persist): persist wait runs this before it waits for the claims, from
 * pcipass-persist.service, ordered before network-pre.target and the VM
 * services.  Each PF is found by identity as a persisted claim's function
 * is (persist/ident.c); one that does not match is not touched.  The VFs
 * appear with sriov_drivers_autoprobe 0 (as `pcipass sriov --vfs N`
 * writes it), so no host VF driver binds them; a VF that a claims.conf
 * entry names gets vfio-pci's driver_override from the module in the
 * kernel's add notification (kmod/persist_add.c) and is probed by it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/print.h"
#include "lib/util.h"
#include "persist/persist.h"
#include "sriov/sriov.h"

#define VFS_POLL_US	100000

struct vfs_result {
	const char *state;	/* JSON "state" */
	bool ok;
	char addr[ADDR_STRLEN];	/* "" when absent */
	long numvfs;		/* after; -1 unknown */
	char why[384];
};

/* The PF's driver, waited for until deadline: sriov_numvfs needs it. */
static char *pf_driver(const char *addr, double deadline)
{
	char *drv;

	while (!(drv = persist_bound_driver(addr)) && mono_now_s() < deadline)
		usleep(VFS_POLL_US);
	return drv;
}

/* 0 when created; autoprobe back to the operator's value as sriov does. */
static int create(const char *addr, const struct sriov_state *s,
		  unsigned long n, struct vfs_result *r)
{
	int err = 0, rerr = 0;

	if (s->has_autoprobe)
		err = sriov_set_autoprobe(addr, false);
	if (err) {
		snprintf(r->why, sizeof(r->why),
			 "writing 0 to sriov_drivers_autoprobe failed: %s; VFs not created",
			 strerror(-err));
		return err;
	}
	err = sriov_set_numvfs(addr, n);
	if (s->has_autoprobe && s->autoprobe)
		rerr = sriov_set_autoprobe(addr, true);
	if (err)
		snprintf(r->why, sizeof(r->why),
			 "writing %lu to sriov_numvfs failed: %s", n,
			 strerror(-err));
	else if (rerr)
		snprintf(r->why, sizeof(r->why),
			 "VFs created, but restoring 1 in sriov_drivers_autoprobe failed: %s",
			 strerror(-rerr));
	return err ? err : rerr;
}

static void apply_one(const struct persist_entry *e,
		      const struct persist_hw *hw, double deadline,
		      struct vfs_result *r)
{
	struct sriov_state s;
	char pf_of[16], *drv;
	enum persist_match m;
	size_t idx = 0;
	double t0 = mono_now_s();

	r->numvfs = -1;
	m = persist_hw_match(hw, e, &idx);
	if (m == PERSIST_MATCH_ABSENT) {
		r->state = "absent";
		r->ok = true;
		return;
	}
	snprintf(r->addr, sizeof(r->addr), "%s", hw->addr[idx]);
	if (m == PERSIST_MATCH_OTHER) {
		r->state = "not_matching";
		snprintf(r->why, sizeof(r->why), "%s is %04x:%04x, not the PF of this entry",
			 r->addr, hw->f[idx].vendor, hw->f[idx].device);
		return;
	}
	drv = pf_driver(r->addr, deadline);
	if (!drv) {
		r->state = "no_pf_driver";
		snprintf(r->why, sizeof(r->why),
			 "no driver bound after %.0f s: sriov_numvfs needs the PF's driver",
			 mono_now_s() - t0);
		return;
	}
	free(drv);
	if (sriov_read(r->addr, &s, pf_of) != SRIOV_OK) {
		r->state = "not_a_pf";
		snprintf(r->why, sizeof(r->why), "no SR-IOV capability in sysfs");
		sriov_free(&s);
		return;
	}
	r->numvfs = (long)s.numvfs;
	if (s.numvfs == e->vfs) {
		r->state = "already";
		r->ok = true;
	} else if (s.numvfs) {
		r->state = "refused";
		snprintf(r->why, sizeof(r->why),
			 "it has %lu VFs already: not touched (the kernel changes the count only through 0)",
			 s.numvfs);
	} else if (e->vfs > s.totalvfs) {
		r->state = "refused";
		snprintf(r->why, sizeof(r->why),
			 "it offers at most %lu VFs (sriov_totalvfs)", s.totalvfs);
	} else if (create(r->addr, &s, e->vfs, r)) {
		r->state = "failed";
	} else {
		r->state = "created";
		r->ok = true;
	}
	sriov_free(&s);
	if (!strcmp(r->state, "created") || !strcmp(r->state, "failed")) {
		if (sriov_read(r->addr, &s, pf_of) == SRIOV_OK)
			r->numvfs = (long)s.numvfs;
		sriov_free(&s);
	}
}

static void report(const struct persist_entry *e, const struct vfs_result *r)
{
	open_json_object(NULL);
	print_string(PRINT_ANY, "path", "%-22s", e->path);
	print_uint(PRINT_ANY, "vfs", " vfs=%u: ", (unsigned int)e->vfs);
	print_opt_string(PRINT_JSON, "address", NULL,
			 r->addr[0] ? r->addr : NULL, NULL);
	if (r->numvfs >= 0)
		print_uint(PRINT_JSON, "numvfs", NULL, (unsigned int)r->numvfs);
	else
		print_null(PRINT_JSON, "numvfs", NULL, NULL);
	print_string(PRINT_JSON, "state", NULL, r->state);
	print_bool(PRINT_JSON, "ok", NULL, r->ok);
	print_opt_string(PRINT_JSON, "why", NULL, r->why[0] ? r->why : NULL,
			 NULL);
	if (!strcmp(r->state, "absent"))
		print_text("absent (nothing at its path, its serial number nowhere)\n");
	else if (!strcmp(r->state, "created"))
		print_text("%s: %ld VFs created, host VF drivers kept off\n",
			   r->addr, r->numvfs);
	else if (!strcmp(r->state, "already"))
		print_text("%s has them already\n", r->addr);
	else if (!strcmp(r->state, "not_matching"))
		print_text("NOT MATCHING: %s; not touched ('pcipass persist list')\n",
			   r->why);
	else
		print_text("%s: VFs NOT created: %s\n", r->addr, r->why);
	close_json_object();
}

bool persist_vfs_apply(const struct persist_conf *v, double deadline)
{
	struct persist_hw hw;
	bool ok = true;

	persist_hw_scan(&hw);
	if (v->n)
		print_text("persisted VF counts (%s):\n", PERSIST_SRIOV_CONF);
	open_json_array("vfs");
	for (size_t i = 0; i < v->n; i++) {
		struct vfs_result r = { 0 };

		apply_one(&v->e[i], &hw, deadline, &r);
		report(&v->e[i], &r);
		ok &= r.ok;
	}
	close_json_array();
	persist_hw_free(&hw);
	return ok;
}
