// SPDX-License-Identifier: GPL-2.0
/*
 * What the VM hooks do at a VM's start and stop (hook/hook.h): the IOMMU
 * groups of the functions a VM names, checked against the other VMs
 * first, then claimed one by one through the same path as `pcipass
 * claim` (its report goes to the hook's output: Proxmox's task log,
 * libvirt's log), released again when a later one fails.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claim/claim.h"
#include "hook/hook.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/vfio_holders.h"

#define HOOK_POLL_US	200000

/* One IOMMU group the VM needs. */
struct hook_group {
	uint32_t group;
	const struct hook_fn *fn;	/* the first function naming it */
	bool ours;			/* already recorded for this VM */
	bool claimed;			/* claimed by this run */
	struct vmhold rec;
};

static bool group_of(const char *addr, uint32_t *group)
{
	char path[128], *name, *end;
	bool ok;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 addr);
	name = syspath_target_name(path);
	if (!name)
		return false;
	*group = (uint32_t)strtoul(name, &end, 10);
	ok = *name && !*end;
	free(name);
	return ok;
}

static bool hook_fail(const char *owner, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The one line a VM manager shows when the start fails. */
static bool hook_fail(const char *owner, const char *fmt, ...)
{
	char words[VMHOLD_OWNER_MAX + 32], msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pp_err("%s not started: %s", vmhold_owner_words(owner, words, sizeof(words)),
	       msg);
	return false;
}

/* The groups of fns, each once, in the order the configuration names them. */
static bool collect(const char *owner, const struct hook_fn *fns, size_t n,
		    struct hook_group *g, size_t *ng)
{
	*ng = 0;
	for (size_t i = 0; i < n; i++) {
		char dev[128];
		uint32_t grp;
		size_t j;

		snprintf(dev, sizeof(dev), "/sys/bus/pci/devices/%s", fns[i].addr);
		if (!sysroot_exists(dev))
			return hook_fail(owner, "%s: %s: no such PCI function (lspci -D lists them)",
					 fns[i].from, fns[i].addr);
		if (!group_of(fns[i].addr, &grp))
			return hook_fail(owner, "%s: %s is in no IOMMU group: the IOMMU is off ('pcipass host' says how to turn it on)",
					 fns[i].from, fns[i].addr);
		for (j = 0; j < *ng && g[j].group != grp; j++)
			;
		if (j < *ng)
			continue;
		memset(&g[*ng], 0, sizeof(g[*ng]));
		g[*ng].group = grp;
		g[(*ng)++].fn = &fns[i];
	}
	return true;
}

/* Another VM's record, or a process with the group open: not ours to take. */
static bool check_others(const char *owner, struct hook_group *g,
			 const struct vmhold *recs, size_t nrecs)
{
	char dir[96], words[VMHOLD_OWNER_MAX + 32];
	const struct vmhold *rec = NULL;
	struct vfio_holders h;
	char **names;
	size_t n;

	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%u/devices", g->group);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n && !rec; i++)
		rec = vmhold_find(recs, nrecs, names[i]);
	sysroot_free_names(names, n);
	if (rec && strcmp(rec->owner, owner))
		return hook_fail(owner, "%s: %s: IOMMU group %u is claimed for %s; stop it first (if it is not running: 'pcipass release %s')",
				 g->fn->from, g->fn->addr, g->group,
				 vmhold_owner_words(rec->owner, words, sizeof(words)),
				 rec->members[0]);
	if (rec) {
		g->ours = true;
		g->rec = *rec;
		return true;
	}
	if (vfio_holders_find(g->group, &h)) {
		char *who = vfio_holders_words(&h);

		vfio_holders_free(&h);
		if (who) {
			hook_fail(owner, "%s: %s: IOMMU group %u is in use by %s (another VM?)",
				  g->fn->from, g->fn->addr, g->group, who);
			free(who);
			return false;
		}
	}
	return true;
}

static int run_one(enum claim_op op, const char *addr, struct claim_report *rep,
		   uint32_t flags)
{
	struct claim_opts o = { .timeout_s = CLAIM_TIMEOUT_S };
	struct claim_req req = { .op = op, .kind = CLAIM_Q_FUNCTION, .arg = addr,
				 .flags = flags };
	enum addr_scope scope;

	if (addr_parse(addr, &req.addr, &scope))
		return EXIT_RUNTIME;
	return claim_command_run(&req, &o, rep);
}

/* The record of a claim: the members it left on the driver. */
static void record_of(const char *owner, const struct claim_report *rep,
		      struct vmhold *rec)
{
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->owner, sizeof(rec->owner), "%s", owner);
	rec->group = rep->group;
	snprintf(rec->driver, sizeof(rec->driver), "%s",
		 rep->driver ? rep->driver : CLAIM_DEFAULT_DRIVER);
	rec->release = rep->outcome == PCIPASS_OUTCOME_CLAIMED;
	for (size_t i = 0; i < rep->nr_members && rec->n < VMHOLD_MEMBERS_MAX; i++) {
		const struct claim_member *m = &rep->members[i];

		if (m->state == PCIPASS_MEMBER_CLAIMED ||
		    m->state == PCIPASS_MEMBER_ALREADY)
			addr_fmt(&m->addr, rec->members[rec->n++]);
	}
}

/* The boot VGA function among the group's members, if any. */
static bool group_gpu(uint32_t group, char gpu[ADDR_STRLEN])
{
	char dir[96];
	char **names;
	size_t n;
	bool found = false;

	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%u/devices", group);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n && !found; i++) {
		found = hook_console_is_boot_vga(names[i]);
		if (found)
			snprintf(gpu, ADDR_STRLEN, "%s", names[i]);
	}
	sysroot_free_names(names, n);
	return found;
}

/* After a release: the console a start let go of, back. */
static void give_console(const struct vmhold *rec)
{
	for (size_t i = 0; i < rec->n && (rec->nvtcon || rec->nfb); i++)
		if (hook_console_is_boot_vga(rec->members[i])) {
			hook_console_give(rec, rec->members[i]);
			return;
		}
}

/*
 * A boot GPU's group: the claim takes the boot VGA device with force,
 * and force must take nothing else, so the host's own checks come first
 * (none may stand); then the console lets go of the GPU.
 */
static bool gpu_prepare(const char *owner, const struct hook_group *g,
			const char *gpu, struct vmhold *cons)
{
	struct claim_req req = { .op = CLAIM_OP_CLAIM, .kind = CLAIM_Q_FUNCTION,
				 .arg = g->fn->addr };
	struct claim_blocker *b = NULL;
	char words[256], why[512];
	enum addr_scope scope;
	size_t nb = 0;

	if (addr_parse(g->fn->addr, &req.addr, &scope) ||
	    claim_host_precheck(&req, &b, &nb))
		return hook_fail(owner, "%s: %s: cannot check what the host uses there",
				 g->fn->from, g->fn->addr);
	if (nb) {
		hook_fail(owner, "%s: %s: refused: %s", g->fn->from, g->fn->addr,
			  claim_blocker_text(&b[0], words, sizeof(words)));
		claim_blockers_free(b, nb);
		return false;
	}
	claim_blockers_free(b, nb);
	if (!hook_console_take(gpu, cons, why, sizeof(why)))
		return hook_fail(owner, "%s: %s", g->fn->from, why);
	return true;
}

/* What this run claimed goes back, its records with it. */
static void console_into(struct vmhold *rec, const struct vmhold *cons)
{
	rec->nvtcon = cons->nvtcon;
	rec->nfb = cons->nfb;
	memcpy(rec->vtcon, cons->vtcon, sizeof(rec->vtcon));
	memcpy(rec->fbdev, cons->fbdev, sizeof(rec->fbdev));
	memcpy(rec->fbdrv, cons->fbdrv, sizeof(rec->fbdrv));
}

static void roll_back(struct hook_group *g, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!g[i].claimed)
			continue;
		if (!g[i].rec.release) {	/* on the driver before: stays */
			vmhold_forget(g[i].rec.members[0]);
			continue;
		}
		print_text("%s: giving IOMMU group %u back (the start failed)\n",
			   g[i].fn->addr, g[i].group);
		if (run_one(CLAIM_OP_RELEASE, g[i].fn->addr, NULL, 0) != EXIT_OK)
			vmhold_forget(g[i].rec.members[0]);
		give_console(&g[i].rec);
	}
}

int hook_claim_all(const char *owner, const struct hook_fn *fns, size_t n)
{
	struct hook_group *g;
	struct vmhold *recs;
	size_t ng, nrecs;
	int status = EXIT_OK, err, lock = vmhold_lock();
	bool ok;

	if (lock < 0) {
		hook_fail(owner, "cannot lock %s/.lock: %s (another hook holds it?)",
			  VMHOLD_DIR, strerror(-lock));
		return EXIT_RUNTIME;
	}
	g = xrealloc(NULL, (n ? n : 1) * sizeof(*g));
	nrecs = vmhold_load(&recs);
	ok = collect(owner, fns, n, g, &ng);

	for (size_t i = 0; i < ng && ok; i++)
		ok = check_others(owner, &g[i], recs, nrecs);
	free(recs);
	for (size_t i = 0; i < ng && ok && status == EXIT_OK; i++) {
		char gpu[ADDR_STRLEN];
		struct claim_report rep;
		struct vmhold cons;

		if (g[i].ours) {
			print_text("%s: IOMMU group %u already claimed for this VM\n",
				   g[i].fn->addr, g[i].group);
			continue;
		}
		memset(&cons, 0, sizeof(cons));
		gpu[0] = '\0';
		if (group_gpu(g[i].group, gpu) &&
		    !gpu_prepare(owner, &g[i], gpu, &cons)) {
			status = EXIT_REFUSED;
			break;
		}
		status = run_one(CLAIM_OP_CLAIM, g[i].fn->addr, &rep,
				 gpu[0] ? PCIPASS_CLAIM_F_FORCE : 0);
		if (status != EXIT_OK && gpu[0])
			hook_console_give(&cons, gpu);
		if (status == EXIT_OK) {
			record_of(owner, &rep, &g[i].rec);
			console_into(&g[i].rec, &cons);
			g[i].claimed = true;
			err = vmhold_save(&g[i].rec);
			if (err) {
				hook_fail(owner, "cannot write %s: %s", VMHOLD_DIR,
					  strerror(-err));
				status = EXIT_RUNTIME;
			}
		} else {
			hook_fail(owner, "%s: %s: the claim of IOMMU group %u failed (above)",
				  g[i].fn->from, g[i].fn->addr, g[i].group);
		}
		claim_report_free(&rep);
	}
	if (!ok && status == EXIT_OK)
		status = EXIT_REFUSED;
	if (status != EXIT_OK)
		roll_back(g, ng);
	free(g);
	vmhold_unlock(lock);
	return status;
}

/* Until no process has the group open, or the deadline: the words for
 * who still has it, or NULL.
 */
static char *wait_unused(uint32_t group, double deadline)
{
	for (;;) {
		struct vfio_holders h;
		char *who = NULL;

		if (vfio_holders_find(group, &h)) {
			who = vfio_holders_words(&h);
			vfio_holders_free(&h);
		}
		if (!who || mono_now_s() >= deadline)
			return who;
		free(who);
		usleep(HOOK_POLL_US);
	}
}

int hook_release_all(const char *owner, unsigned int wait_s)
{
	double deadline = mono_now_s() + wait_s;
	char words[VMHOLD_OWNER_MAX + 32];
	int status = EXIT_OK, rc, lock = vmhold_lock();
	struct vmhold *recs;
	size_t n, mine = 0;

	vmhold_owner_words(owner, words, sizeof(words));
	if (lock < 0) {
		pp_err("%s: cannot lock %s/.lock: %s; nothing released ('pcipass list' shows its groups)",
		       words, VMHOLD_DIR, strerror(-lock));
		return EXIT_RUNTIME;
	}
	n = vmhold_load(&recs);

	for (size_t i = 0; i < n; i++) {
		const struct vmhold *r = &recs[i];
		char *who;

		if (strcmp(r->owner, owner))
			continue;
		mine++;
		who = wait_unused(r->group, deadline);
		if (who) {
			pp_err("%s: IOMMU group %u is still open by %s after %u s: left claimed for %s; 'pcipass release %s' once it exits",
			       r->members[0], r->group, who, wait_s, words,
			       r->members[0]);
			free(who);
			status = EXIT_RUNTIME;
			continue;
		}
		if (!r->release) {
			vmhold_forget(r->members[0]);
			print_text("%s: IOMMU group %u stays on %s (it was before %s started)\n",
				   r->members[0], r->group, r->driver, words);
			give_console(r);
			continue;
		}
		rc = run_one(CLAIM_OP_RELEASE, r->members[0], NULL, 0);
		if (rc != EXIT_OK)
			status = rc;
		else
			give_console(r);
	}
	vmhold_forget_stale(owner);	/* released or rebound behind us */
	if (!mine)
		print_text("nothing claimed for %s\n", words);
	free(recs);
	vmhold_unlock(lock);
	return status;
}
