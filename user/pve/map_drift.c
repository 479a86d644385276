// SPDX-License-Identifier: GPL-2.0
/*
 * How each map of this node matches the hardware now, by Proxmox's own
 * rule (assert_valid: the IDs at each path, the subsystem IDs when the
 * map has them, the IOMMU group of the first path) and, for a map that
 * fails it, where its card went: the same IDs (and subsystem IDs) on the
 * same function number at one other address that no matching map of this
 * node already names.  A map holds no serial number, so two such
 * addresses are reported as ambiguous rather than guessed between.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "pve/mapping.h"

static bool ids_match(const struct pve_map *m, const struct pve_fn *f)
{
	return f && f->vendor == m->vendor && f->device == m->device &&
	       (!m->has_sub || (f->has_sub && f->sub_vendor == m->sub_vendor &&
				f->sub_device == m->sub_device));
}

/* The function a path is checked against: a slot's function 0. */
static struct pp_addr checked_addr(const struct pve_map_path *p)
{
	struct pp_addr a = p->addr;

	if (p->slot)
		a.devfn = PP_DEVFN(PP_SLOT(a.devfn), 0);
	return a;
}

/* f is where a map of node that matches points: not a card gone astray. */
static bool taken(const struct pve_mapcfg *c, const struct pve_hw *hw,
		  const char *node, const struct pve_fn *f)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->m[i].node, node))
			continue;
		for (size_t j = 0; j < c->m[i].npaths; j++) {
			struct pp_addr a = checked_addr(&c->m[i].path[j]);

			if (addr_eq(&a, &f->a) &&
			    ids_match(&c->m[i], pve_hw_find(hw, &a)))
				return true;
		}
	}
	return false;
}

static void judge_path(const struct pve_mapcfg *c, const struct pve_hw *hw,
		       const struct pve_map *m, size_t i,
		       struct pve_path_drift *r)
{
	struct pp_addr a = checked_addr(&m->path[i]);

	r->at = pve_hw_find(hw, &a);
	if (ids_match(m, r->at)) {
		/* Proxmox checks the group of the first path only */
		bool group_ok = !m->has_group || i > 0 ||
				(r->at->has_group && r->at->group == m->group);

		r->status = group_ok ? PVE_DRIFT_OK : PVE_DRIFT_GROUP;
		return;
	}
	for (size_t k = 0; k < hw->n; k++) {
		const struct pve_fn *f = &hw->f[k];

		if (f == r->at || PP_FUNC(f->a.devfn) != PP_FUNC(a.devfn) ||
		    !ids_match(m, f) || taken(c, hw, m->node, f))
			continue;
		if (r->nnow < ARRAY_SIZE(r->now))
			r->now[r->nnow] = f;
		r->nnow++;
	}
	if (r->nnow > ARRAY_SIZE(r->now))
		r->nnow = ARRAY_SIZE(r->now);
	r->status = r->nnow == 1 ? PVE_DRIFT_MOVED :
		    r->nnow ? PVE_DRIFT_AMBIGUOUS :
		    r->at ? PVE_DRIFT_SWAPPED : PVE_DRIFT_ABSENT;
}

/* The map that would match now: moved paths followed, the IDs and group
 * of what the first path holds; NULL when a path has no answer.
 */
static char *fix_for(const struct pve_map_drift *d)
{
	struct pve_map fix = *d->m;
	const struct pve_fn *first = NULL;
	char *s;

	for (size_t i = 0; i < d->m->npaths; i++) {
		const struct pve_path_drift *p = &d->path[i];
		const struct pve_fn *f = p->status == PVE_DRIFT_MOVED ?
					 p->now[0] : p->at;

		if (p->status == PVE_DRIFT_ABSENT ||
		    p->status == PVE_DRIFT_AMBIGUOUS)
			return NULL;
		fix.path[i].addr = f->a;
		if (!first)
			first = f;
	}
	fix.vendor = first->vendor;
	fix.device = first->device;
	fix.has_sub = first->has_sub;
	fix.sub_vendor = first->sub_vendor;
	fix.sub_device = first->sub_device;
	fix.has_group = first->has_group;
	fix.group = first->group;
	s = pve_map_format(&fix);
	return s;
}

size_t pve_drift_judge(const struct pve_mapcfg *c, const struct pve_hw *hw,
		       const char *node, struct pve_map_drift *d)
{
	size_t stale = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct pve_map_drift *r = &d[i];

		memset(r, 0, sizeof(*r));
		r->m = &c->m[i];
		if (strcmp(r->m->node, node)) {
			r->status = PVE_DRIFT_SKIPPED;
			continue;
		}
		for (size_t j = 0; j < r->m->npaths; j++) {
			judge_path(c, hw, r->m, j, &r->path[j]);
			if (r->path[j].status > r->status)
				r->status = r->path[j].status;
		}
		if (r->status == PVE_DRIFT_OK)
			continue;
		stale++;
		r->fix = fix_for(r);
	}
	return stale;
}

void pve_drift_free(struct pve_map_drift *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].fix);
}

const char *pve_drift_key(enum pve_drift s)
{
	static const char *const keys[] = {
		[PVE_DRIFT_OK] = "ok",
		[PVE_DRIFT_GROUP] = "group_changed",
		[PVE_DRIFT_MOVED] = "moved",
		[PVE_DRIFT_AMBIGUOUS] = "ambiguous",
		[PVE_DRIFT_SWAPPED] = "swapped",
		[PVE_DRIFT_ABSENT] = "absent",
		[PVE_DRIFT_SKIPPED] = "skipped",
	};

	return keys[s];
}
