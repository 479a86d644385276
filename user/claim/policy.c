// SPDX-License-Identifier: GPL-2.0
/*
 * The host's refusals in a claim's report.  The module reports what only
 * the kernel knows (boot VGA, active VFs, another claim, a VFIO user);
 * what the host would lose (its root filesystem, disks in use,
 * interfaces with addresses) is decided in userspace (claim/host.c) and
 * merged here, into the one report the user sees.  Pure: no I/O.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/addr.h"
#include "lib/util.h"

/* Within one member, the order the module has always reported in. */
static int rank(uint32_t reason)
{
	switch (reason) {
	case PCIPASS_BLOCKER_ROOT_FS:
		return 1;
	case PCIPASS_BLOCKER_BOOT_VGA:
		return 2;
	case PCIPASS_BLOCKER_BLOCK_IN_USE:
		return 3;
	case PCIPASS_BLOCKER_NETDEV_ACTIVE:
		return 4;
	default:
		return 0;
	}
}

static size_t member_index(const struct claim_report *rep,
			   const struct pp_addr *a)
{
	for (size_t i = 0; i < rep->nr_members; i++)
		if (addr_eq(&rep->members[i].addr, a))
			return i;
	return rep->nr_members;
}

static bool same_blocker(const struct claim_blocker *a,
			 const struct claim_blocker *b)
{
	return a->reason == b->reason &&
	       addr_eq(&a->addr, &b->addr) &&
	       !strcmp(a->detail ? a->detail : "", b->detail ? b->detail : "");
}

static bool known(const struct claim_report *rep, const struct claim_blocker *b)
{
	for (size_t i = 0; i < rep->nr_blockers; i++)
		if (same_blocker(&rep->blockers[i], b))
			return true;
	return false;
}

/* Stable: insertion sort by (member, rank); a handful of entries. */
static void sort_blockers(struct claim_report *rep)
{
	for (size_t i = 1; i < rep->nr_blockers; i++) {
		struct claim_blocker x = rep->blockers[i];
		size_t xm = member_index(rep, &x.addr);
		size_t j = i;

		for (; j > 0; j--) {
			const struct claim_blocker *p = &rep->blockers[j - 1];
			size_t pm = member_index(rep, &p->addr);

			if (pm < xm || (pm == xm && rank(p->reason) <= rank(x.reason)))
				break;
			rep->blockers[j] = *p;
		}
		rep->blockers[j] = x;
	}
}

void claim_merge_blockers(struct claim_report *rep,
			  const struct claim_blocker *v, size_t n, bool force)
{
	for (size_t i = 0; i < n; i++) {
		struct claim_blocker *b;

		/* An older module still sends these itself. */
		if (known(rep, &v[i]))
			continue;
		rep->blockers = xrealloc(rep->blockers, (rep->nr_blockers + 1) *
					 sizeof(*rep->blockers));
		b = &rep->blockers[rep->nr_blockers++];
		*b = v[i];
		b->detail = v[i].detail ? xstrdup(v[i].detail) : NULL;
		b->holder = NULL;
		b->forced = force && claim_blocker_forceable(b->reason);
	}
	sort_blockers(rep);
}

const struct claim_blocker *claim_first_unforced(const struct claim_report *rep)
{
	for (size_t i = 0; i < rep->nr_blockers; i++)
		if (!rep->blockers[i].forced)
			return &rep->blockers[i];
	return NULL;
}

void claim_report_refuse(struct claim_report *rep)
{
	rep->outcome = PCIPASS_OUTCOME_REFUSED;
	rep->has_outcome = true;
	for (size_t i = 0; i < rep->nr_members; i++) {
		struct claim_member *m = &rep->members[i];

		m->state = PCIPASS_MEMBER_UNTOUCHED;
		m->has_step = false;
		m->error = 0;
		free(m->to_driver);
		m->to_driver = m->from_driver ? xstrdup(m->from_driver) : NULL;
	}
}

/*
 * The module checks its own blockers only once the group got past
 * another claim and a VFIO user; the host's are added in the same cases,
 * for the members the claim would move.
 */
bool claim_host_applies(const struct claim_report *rep)
{
	if (!rep->has_outcome ||
	    rep->outcome == PCIPASS_OUTCOME_ALREADY_CLAIMED)
		return false;
	for (size_t i = 0; i < rep->nr_blockers; i++)
		if (rep->blockers[i].reason == PCIPASS_BLOCKER_CLAIMED_OTHER ||
		    rep->blockers[i].reason == PCIPASS_BLOCKER_VFIO_IN_USE)
			return false;
	return true;
}

bool claim_host_checks(const struct claim_report *rep,
		       const struct claim_member *m)
{
	if (!claim_host_applies(rep))
		return false;
	if (rep->outcome == PCIPASS_OUTCOME_PLANNED)
		return m->state == PCIPASS_MEMBER_PLANNED;
	if (rep->outcome != PCIPASS_OUTCOME_REFUSED)
		return false;
	return m->state == PCIPASS_MEMBER_UNTOUCHED &&
	       !(m->from_driver && rep->driver &&
		 !strcmp(m->from_driver, rep->driver));
}
