// SPDX-License-Identifier: GPL-2.0
/*
 * What a claim or release is about.  A function or a group goes to the
 * kernel as given (it answers a wrong one with its own message); a slot is
 * turned into the IOMMU group of its functions here, and only when they
 * all share one: claiming "06:00" must not take more groups than the
 * operator can see from the command line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claim/claim.h"
#include "lib/util.h"
#include "nl/device.h"
#include "nl/nl.h"

#define GROUPS_TEXT 128

struct slot_scan {
	size_t functions;
	size_t ungrouped;
	uint32_t groups[8];	/* a slot has at most 8 functions */
	size_t nr_groups;
};

static void scan_slot(const struct pp_devlist *all, const struct pp_addr *slot,
		      struct slot_scan *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < all->n; i++) {
		const struct pp_device *d = &all->v[i];
		bool seen = false;

		if (!addr_in_slot(&d->addr, slot))
			continue;
		s->functions++;
		if (!d->has_iommu_group) {
			s->ungrouped++;
			continue;
		}
		for (size_t g = 0; g < s->nr_groups; g++)
			seen |= s->groups[g] == d->iommu_group;
		if (!seen && s->nr_groups < ARRAY_SIZE(s->groups))
			s->groups[s->nr_groups++] = d->iommu_group;
	}
}

static const char *groups_text(const struct slot_scan *s, char *buf,
			       size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t g = 0; g < s->nr_groups && off < size; g++)
		off += snprintf(buf + off, size - off, "%s%u",
				g ? (g + 1 == s->nr_groups ? " and " : ", ") : "",
				s->groups[g]);
	return buf;
}

static int resolve_slot(struct pnl *nl, struct claim_req *req)
{
	const char *verb = req->op == CLAIM_OP_CLAIM ? "claim" : "release";
	struct pp_devlist all = { 0 };
	char text[GROUPS_TEXT];
	struct slot_scan s;
	int rc = device_dump(nl, &all);

	if (rc) {
		pnl_perror(nl);
		return 1;
	}
	scan_slot(&all, &req->addr, &s);
	devlist_free(&all);

	if (!s.functions) {
		pp_err("no PCI function in slot %s: see 'pcipass list'",
		       req->arg);
		return 1;
	}
	if (s.ungrouped) {
		pp_err("slot %s has functions without an IOMMU group: the IOMMU is off (see 'pcipass host')",
		       req->arg);
		return 1;
	}
	if (s.nr_groups > 1) {
		pp_err("slot %s spans IOMMU groups %s: %s them one at a time ('pcipass %s --group %u', ...) or name a function",
		       req->arg, groups_text(&s, text, sizeof(text)), verb,
		       verb, s.groups[0]);
		return 1;
	}
	req->by_group = true;
	req->group = s.groups[0];
	return 0;
}

int claim_resolve(struct pnl *nl, struct claim_req *req)
{
	switch (req->kind) {
	case CLAIM_Q_FUNCTION:
		req->by_group = false;
		return 0;
	case CLAIM_Q_GROUP:
		req->by_group = true;
		return 0;
	case CLAIM_Q_SLOT:
		return resolve_slot(nl, req);
	}
	return 0;
}
