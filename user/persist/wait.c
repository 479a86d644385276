// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass persist wait [--timeout SECS]
 *
 * At boot (pcipass-persist.service, ordered before the VM services): until
 * every persisted function that is present is bound to its driver, or the
 * timeout.  The module applies the claims, from the initramfs or when this
 * loads it (a host without the initramfs hook: then host drivers bound
 * first, and the claims take the functions from them); this only waits,
 * bounded, and says per entry what it found.  A claim that did not apply
 * fails the unit, so the journal and "systemctl --failed" show it before
 * any VM starts.  Before it waits, it creates the VFs that sriov.conf
 * persists (persist/sriov_boot.c): a VF a claim names then gets its driver
 * from the module the moment it appears, and is waited for like the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "claim/claim.h"
#include "lib/addr.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "persist/persist.h"

#define WAIT_POLL_US	100000

/*
 * modprobe pcipass, as at boot: libkmod applies the blacklist (then 1:
 * modprobe.blacklist=pcipass, the module stays out), modprobe.d and the
 * kernel command line (pcipass.persist=0).  claims= is given as checked
 * now (extra options come last and win over modprobe.d's): on a host
 * whose initramfs did not load pcipass, the root disk may have moved
 * since the option was written.  0, 1 (blacklisted) or -errno.
 */
static int load_module(struct persist_conf *c)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	char *opt, *extra;
	int err;

	if (sysroot_exists("/sys/module/pcipass"))
		return 0;
	persist_mark_held(c, false);
	opt = persist_conf_option(c);
	if (asprintf(&extra, "claims=%s", opt) < 0)
		die_oom();
	free(opt);
	ctx = kmod_new(NULL, NULL);
	err = ctx ? kmod_module_new_from_name(ctx, "pcipass", &mod) : -ENOMEM;
	if (!err)
		err = kmod_module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
						      extra, NULL, NULL, NULL);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	free(extra);
	return err < 0 ? err : err > 0;
}

/* Is entry e among the claims the module was loaded with? */
static bool loaded_with(const struct persist_entry *e, const char *loaded)
{
	char one[256];
	size_t len;
	const char *p;

	persist_entry_option(e, one, sizeof(one));
	len = strlen(one);
	for (p = loaded; p && *p; p = strchr(p, ';') ? strchr(p, ';') + 1 : NULL)
		if (!strncmp(p, one, len) && (p[len] == ';' || !p[len]))
			return true;
	return false;
}

/* The module was loaded with persist=0: it applies nothing. */
static bool persist_off(void)
{
	char *v = sysroot_read_line("/sys/module/pcipass/parameters/persist");
	bool off = v && !strcmp(v, "N");

	free(v);
	return off;
}

/*
 * What the module does with an entry's group, judged once: the same rule
 * (every function of the group that is not a bridge persisted, for one
 * driver), and the root filesystem check the initramfs hook made.
 */
enum wait_plan {
	PLAN_WAIT,	/* the module claims it: wait for its driver */
	PLAN_ABSENT,	/* nothing at its path, its serial nowhere */
	PLAN_OTHER,	/* another function at its path */
	PLAN_STRANGER,	/* its group has a function not persisted */
	PLAN_ROOT,	/* its group holds the root filesystem */
	PLAN_DISK,	/* its group holds a disk in use, without force */
	PLAN_NOT_LOADED,	/* not in the module's claims= */
};

/* JSON "state" of an entry not waited for */
static const char *const plan_key[] = {
	[PLAN_ABSENT] = "absent",
	[PLAN_OTHER] = "not_matching",
	[PLAN_STRANGER] = "stranger_in_group",
	[PLAN_ROOT] = "root_fs",
	[PLAN_DISK] = "disk_in_use",
	[PLAN_NOT_LOADED] = "not_loaded",
};

struct wait_entry {
	enum wait_plan plan;
	char addr[ADDR_STRLEN];
	char *why;		/* the stranger, or what the host holds */
};

/* The entry (for driver) that matches the function at addr, or NULL. */
static const struct persist_entry *
persisted_at(const struct persist_conf *c, const struct persist_hw *hw,
	     const char *addr, const char *driver)
{
	size_t idx;

	for (size_t i = 0; i < c->n; i++) {
		enum persist_match m = persist_hw_match(hw, &c->e[i], &idx);

		if ((m == PERSIST_MATCH_HERE || m == PERSIST_MATCH_MOVED) &&
		    !strcmp(hw->addr[idx], addr) && !strcmp(c->e[i].driver, driver))
			return &c->e[i];
	}
	return NULL;
}

/*
 * A member the host holds (persist/boot.c): the root filesystem whoever
 * persisted it, a disk in use unless its own entry says force.  A member
 * not persisted: the module leaves the group alone.
 */
static void plan_group(const struct persist_conf *c,
		       const struct persist_hw *hw,
		       const struct persist_entry *e, struct wait_entry *w)
{
	char dir[128];
	char **names;
	size_t n;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/iommu_group/devices",
		 w->addr);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n && w->plan == PLAN_WAIT; i++) {
		const struct persist_entry *p;
		enum persist_hold held;

		if (claim_is_bridge(names[i]))
			continue;
		p = persisted_at(c, hw, names[i], e->driver);
		held = persist_host_hold(names[i], p ? p->force : true, &w->why);
		if (held == PERSIST_HOLD_ROOT) {
			w->plan = PLAN_ROOT;
		} else if (held == PERSIST_HOLD_DISK) {
			w->plan = PLAN_DISK;
		} else if (!p) {
			w->plan = PLAN_STRANGER;
			w->why = xstrdup(names[i]);
		}
	}
	sysroot_free_names(names, n);
}

static void plan(const struct persist_conf *c, const struct persist_hw *hw,
		 struct wait_entry *w)
{
	char *loaded = sysroot_read_line("/sys/module/pcipass/parameters/claims");

	for (size_t i = 0; i < c->n; i++) {
		size_t idx = 0;
		enum persist_match m = persist_hw_match(hw, &c->e[i], &idx);

		w[i].plan = m == PERSIST_MATCH_ABSENT ? PLAN_ABSENT :
			    m == PERSIST_MATCH_OTHER ? PLAN_OTHER : PLAN_WAIT;
		if (m != PERSIST_MATCH_ABSENT)
			snprintf(w[i].addr, sizeof(w[i].addr), "%s", hw->addr[idx]);
		if (w[i].plan == PLAN_WAIT)
			plan_group(c, hw, &c->e[i], &w[i]);
		/* a root entry is left out of the option on purpose */
		if (w[i].plan == PLAN_WAIT && !loaded_with(&c->e[i], loaded))
			w[i].plan = PLAN_NOT_LOADED;
	}
	free(loaded);
}

static bool on_driver(const struct persist_entry *e, const struct wait_entry *w)
{
	char *drv = persist_bound_driver(w->addr);
	bool ok = drv && !strcmp(drv, e->driver);

	free(drv);
	return ok;
}

/* One line per entry; false when it is a failure of the unit. */
static bool report(const struct persist_entry *e, const struct wait_entry *w,
		   double waited)
{
	char *drv = w->plan == PLAN_ABSENT ? NULL : persist_bound_driver(w->addr);
	bool ok = w->plan == PLAN_WAIT ? drv && !strcmp(drv, e->driver) :
		  w->plan == PLAN_ABSENT || w->plan == PLAN_ROOT;

	open_json_object(NULL);
	print_string(PRINT_ANY, "path", "%-22s", e->path);
	print_string(PRINT_ANY, "driver", " for %s: ", e->driver);
	print_opt_string(PRINT_JSON, "address", NULL,
			 w->plan == PLAN_ABSENT ? NULL : w->addr, NULL);
	print_opt_string(PRINT_JSON, "current_driver", NULL, drv, NULL);
	print_bool(PRINT_JSON, "ok", NULL, ok);
	print_string(PRINT_JSON, "state", NULL,
		     w->plan == PLAN_WAIT ? (ok ? "claimed" : "timeout") :
		     plan_key[w->plan]);
	print_opt_string(PRINT_JSON, "why", NULL, w->why, NULL);
	switch (w->plan) {
	case PLAN_ABSENT:
		print_text("absent (nothing at its path, its serial number nowhere)\n");
		break;
	case PLAN_OTHER:
		print_text("NOT MATCHING: %s is another function; left to its host driver ('pcipass persist list')\n",
			   w->addr);
		break;
	case PLAN_STRANGER:
		print_text("%s NOT claimed: %s in its IOMMU group is not persisted; the group stays with the host\n",
			   w->addr, w->why);
		break;
	case PLAN_ROOT:
		print_text("%s not claimed: its IOMMU group holds the root filesystem (%s); remove the entry\n",
			   w->addr, w->why);
		break;
	case PLAN_DISK:
		print_text("%s NOT claimed: its IOMMU group holds a disk in use (%s); unmount it (and take it out of /etc/fstab) or add 'force' to the entry\n",
			   w->addr, w->why);
		break;
	case PLAN_NOT_LOADED:
		print_text("%s NOT claimed: pcipass was loaded without this entry (an initramfs older than the claims? run update-initramfs -u -k all)\n",
			   w->addr);
		break;
	case PLAN_WAIT:
		if (ok)
			print_text("%s on %s\n", w->addr, drv);
		else
			print_text("%s NOT on it after %.0f s (on %s)\n", w->addr,
				   waited, drv ? drv : "no driver");
		break;
	}
	close_json_object();
	free(drv);
	return ok;
}

/* Nothing to wait for, and why: a line, or {"applied": false, ...}. */
static int not_applied(const char *key, const char *text)
{
	open_json_object(NULL);
	print_bool(PRINT_JSON, "applied", NULL, false);
	print_string(PRINT_JSON, "reason", NULL, key);
	print_text("%s\n", text);
	close_json_object();
	return EXIT_OK;
}

int persist_wait(struct persist_conf *c, const struct persist_conf *v,
		 unsigned int timeout_s)
{
	double t0 = mono_now_s(), waited;
	struct wait_entry *w;
	struct persist_hw hw;
	bool all, bad = false;
	int err;

	if (!c->n && !v->n)
		return not_applied("no_claims", "no persisted claims in " PERSIST_CONF
				   " and no VF counts in " PERSIST_SRIOV_CONF);
	err = load_module(c);
	if (err < 0) {
		pp_err("cannot load pcipass: %s (persisted claims not applied; 'modprobe pcipass' says more)",
		       strerror(-err));
		return EXIT_RUNTIME;
	}
	if (err)
		return not_applied("blacklisted",
				   "persisted claims and VF counts not applied: pcipass is blacklisted (modprobe.blacklist=pcipass or modprobe.d)");
	if (persist_off())
		return not_applied("persist_off",
				   "persisted claims and VF counts not applied: pcipass.persist=0 (the kernel command line's escape hatch)");
	open_json_object(NULL);
	print_bool(PRINT_JSON, "applied", NULL, true);
	/* the VFs first: those claims name are waited for below */
	bad = !persist_vfs_apply(v, t0 + timeout_s);
	w = xrealloc(NULL, (c->n ? c->n : 1) * sizeof(*w));
	memset(w, 0, (c->n ? c->n : 1) * sizeof(*w));
	persist_hw_scan(&hw);
	plan(c, &hw, w);
	persist_hw_free(&hw);
	for (;;) {
		all = true;
		for (size_t i = 0; i < c->n && all; i++)
			all = w[i].plan != PLAN_WAIT || on_driver(&c->e[i], &w[i]);
		waited = mono_now_s() - t0;
		if (all || waited >= timeout_s)
			break;
		usleep(WAIT_POLL_US);
	}
	print_uint(PRINT_JSON, "waited_ms", NULL, (unsigned int)(waited * 1000));
	print_text("persisted claims, after %.1f s:\n", waited);
	open_json_array("entries");
	for (size_t i = 0; i < c->n; i++) {
		bad |= !report(&c->e[i], &w[i], waited);
		free(w[i].why);
	}
	close_json_array();
	close_json_object();
	free(w);
	return bad ? EXIT_RUNTIME : EXIT_OK;
}
