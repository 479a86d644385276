// SPDX-License-Identifier: GPL-2.0
/*
 * impact_holds(): what a claim refuses to take from the host without
 * --force (or at all: the root filesystem).  Host policy lives here, in
 * userspace, on the facts impact_collect() gathered; the module only
 * knows what the kernel alone can tell (boot VGA, VFs, VFIO users).
 *
 * The rules, per function:
 *  - root: a disk or partition that carries the root filesystem of PID 1
 *    or of the caller, itself or under a dm/md stack ("nvme0n1p3 (root
 *    on dm-1)").
 *  - block: a disk or partition that somebody holds exclusively (mount,
 *    swap, dm/md member, ZFS pool).  A disk only when none of its
 *    partitions counted: holding a partition holds its disk too.
 *  - net: an interface of the function that is administratively up and
 *    has an IPv4 address or an IPv6 one that is not link-local, or,
 *    failing that, the first such interface stacked on it ("vmbr0
 *    (bridge over eno1)"); also in other network namespaces ("eth1
 *    (netns ct1)"), when impact_collect_netns() looked there.
 * Unlike `check`'s findings these are refusals, so they are stricter: any
 * address counts, not only the default route's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/util.h"

struct holds {
	struct impact_hold *v;
	size_t n;
};

static void hold(struct holds *h, const struct imp_func *f,
		 enum impact_hold_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void hold(struct holds *h, const struct imp_func *f,
		 enum impact_hold_kind kind, const char *fmt, ...)
{
	struct impact_hold *x = VEC_PUSH(h->v, h->n);
	va_list ap;

	x->addr = f->addr;
	x->kind = kind;
	va_start(ap, fmt);
	if (vasprintf(&x->detail, fmt, ap) < 0)
		x->detail = NULL;
	va_end(ap);
	if (!x->detail)
		x->detail = xstrdup("?");
}

static void roots(struct holds *h, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nblk; i++) {
		const struct imp_block *b = &f->blk[i];

		if (!b->root_of)
			continue;
		if (!strcmp(b->root_of, b->name))
			hold(h, f, IMPACT_HOLD_ROOT, "%s", b->name);
		else
			hold(h, f, IMPACT_HOLD_ROOT, "%s (root on %s)", b->name,
			     b->root_of);
	}
}

static bool named(const struct imp_mount *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].device && !strcmp(v[i].device, name))
			return true;
	return false;
}

/* Without the O_EXCL probe (a fixture, no node, not root): the facts
 * that make the kernel hold a device.
 */
static bool held(const struct imp_func *f, const struct imp_block *b)
{
	if (b->excl >= 0)
		return b->excl;
	if (b->zfs_imported || named(f->mnt, f->nmnt, b->name) ||
	    named(f->swp, f->nswp, b->name))
		return true;
	for (size_t i = 0; i < f->nblk; i++)
		if (f->blk[i].role == BLK_HOLDER && f->blk[i].parent &&
		    !strcmp(f->blk[i].parent, b->name))
			return true;
	return false;
}

static void blocks(struct holds *h, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nblk; i++) {
		const struct imp_block *d = &f->blk[i];
		bool counted = false;

		if (d->role != BLK_DISK)
			continue;
		for (size_t j = 0; j < f->nblk; j++) {
			const struct imp_block *p = &f->blk[j];

			if (p->role != BLK_PART || !p->parent ||
			    strcmp(p->parent, d->name))
				continue;
			if (p->root_of) {
				counted = true;
			} else if (held(f, p)) {
				counted = true;
				hold(h, f, IMPACT_HOLD_BLOCK, "%s", p->name);
			}
		}
		if (!counted && !d->root_of && held(f, d))
			hold(h, f, IMPACT_HOLD_BLOCK, "%s", d->name);
	}
}

/* Unknown flags (an old fixture): a carrier says it is up. */
static bool up(const struct imp_netdev *nd)
{
	if (nd->admin_up >= 0)
		return nd->admin_up;
	return nd->operstate && (!strcmp(nd->operstate, "up") ||
				 !strcmp(nd->operstate, "unknown"));
}

static bool active(const struct imp_netdev *nd)
{
	if (!up(nd))
		return false;
	for (size_t i = 0; i < nd->info.naddrs; i++) {
		const struct net_addr *a = &nd->info.addrs[i];

		/* Any IPv4 address, 169.254/16 included, is configured on
		 * purpose; IPv6 link-local comes with every up interface.
		 */
		if (a->family == AF_INET || !a->link_local)
			return true;
	}
	return false;
}

/* DEVTYPE names the common kinds; Open vSwitch says "openvswitch". */
static const char *upper_kind(const struct imp_netdev *nd)
{
	static const char *const same[] = { "bridge", "bond", "vlan",
					     "macvlan" };

	if (!nd->kind)
		return "upper";
	for (size_t i = 0; i < ARRAY_SIZE(same); i++)
		if (!strcmp(nd->kind, same[i]))
			return same[i];
	return strcmp(nd->kind, "openvswitch") ? "upper" : "ovs";
}

/* Whether nd sits, at any depth, on the function's own interface. */
static bool stacked_on(const struct imp_func *f, const struct imp_netdev *nd,
		       const char *own)
{
	for (size_t depth = 0; nd && nd->lower && depth <= f->nnet; depth++) {
		const struct imp_netdev *next = NULL;

		if (!strcmp(nd->lower, own))
			return true;
		for (size_t i = 0; i < f->nnet && !next; i++)
			if (!strcmp(f->net[i].name, nd->lower))
				next = &f->net[i];
		nd = next;
	}
	return false;
}

static void nets(struct holds *h, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nnet; i++) {
		const struct imp_netdev *own = &f->net[i];

		if (own->lower || !up(own))
			continue;
		if (active(own)) {
			hold(h, f, IMPACT_HOLD_NET, "%s", own->name);
			continue;
		}
		for (size_t j = 0; j < f->nnet; j++) {
			const struct imp_netdev *u = &f->net[j];

			if (stacked_on(f, u, own->name) && active(u)) {
				hold(h, f, IMPACT_HOLD_NET, "%s (%s over %s)",
				     u->name, upper_kind(u), own->name);
				break;
			}
		}
	}
}

size_t impact_net_hold_details(const struct imp_func *f, char ***out)
{
	struct holds h = { 0 };

	nets(&h, f);
	*out = h.n ? xrealloc(NULL, h.n * sizeof(**out)) : NULL;
	for (size_t i = 0; i < h.n; i++)
		(*out)[i] = h.v[i].detail;
	free(h.v);
	return h.n;
}

size_t impact_holds(const struct impact *im, struct impact_hold **out)
{
	struct holds h = { 0 };

	for (size_t i = 0; im && i < im->n; i++) {
		const struct imp_func *f = &im->f[i];

		roots(&h, f);
		blocks(&h, f);
		nets(&h, f);
		for (size_t j = 0; j < f->nnetns_holds; j++)
			hold(&h, f, IMPACT_HOLD_NET, "%s", f->netns_holds[j]);
	}
	*out = h.v;
	return h.n;
}

void impact_holds_free(struct impact_hold *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].detail);
	free(v);
}

const char *impact_hold_word(enum impact_hold_kind kind)
{
	switch (kind) {
	case IMPACT_HOLD_ROOT:
		return "root_fs";
	case IMPACT_HOLD_BLOCK:
		return "block_in_use";
	case IMPACT_HOLD_NET:
		return "netdev_active";
	}
	return "unknown";
}
