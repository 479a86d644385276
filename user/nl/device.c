// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "lib/util.h"
#include "nl/device.h"
#include "nl/nl.h"
#include "nl/policy.h"

/* A dump the kernel flags as inconsistent (devices came or went while it
 * ran) is asked for again; beyond a few tries something keeps churning
 * and the user should hear about it.
 */
#define DUMP_RETRIES 3

/* All three members are required: a partial address would silently alias
 * another device.
 */
int addr_from_nest(struct nlattr *nest, struct pp_addr *a)
{
	struct nlattr *tb[PCIPASS_A_ADDR_MAX + 1];

	if (nla_parse_nested(tb, PCIPASS_A_ADDR_MAX, nest, pnl_policy_addr) < 0)
		return -EBADMSG;
	if (!tb[PCIPASS_A_ADDR_DOMAIN] || !tb[PCIPASS_A_ADDR_BUS] ||
	    !tb[PCIPASS_A_ADDR_DEVFN])
		return -EBADMSG;
	a->domain = nla_get_u32(tb[PCIPASS_A_ADDR_DOMAIN]);
	a->bus = nla_get_u8(tb[PCIPASS_A_ADDR_BUS]);
	a->devfn = nla_get_u8(tb[PCIPASS_A_ADDR_DEVFN]);
	return 0;
}

int addr_to_nest(struct nl_msg *msg, int attr, const struct pp_addr *a)
{
	/* The kernel validates nests strictly for new genl families and
	 * rejects ones that lack NLA_F_NESTED.
	 */
	struct nlattr *nest = nla_nest_start(msg, attr | NLA_F_NESTED);

	if (!nest ||
	    nla_put_u32(msg, PCIPASS_A_ADDR_DOMAIN, a->domain) < 0 ||
	    nla_put_u8(msg, PCIPASS_A_ADDR_BUS, a->bus) < 0 ||
	    nla_put_u8(msg, PCIPASS_A_ADDR_DEVFN, a->devfn) < 0)
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int acs_from_nest(struct nlattr *nest, struct pp_acs *acs)
{
	struct nlattr *tb[PCIPASS_A_ACS_MAX + 1];

	if (nla_parse_nested(tb, PCIPASS_A_ACS_MAX, nest, pnl_policy_acs) < 0)
		return -EBADMSG;
	if (!tb[PCIPASS_A_ACS_CAP] || !tb[PCIPASS_A_ACS_CTRL])
		return -EBADMSG;
	acs->pos = tb[PCIPASS_A_ACS_POS] ? nla_get_u16(tb[PCIPASS_A_ACS_POS]) : 0;
	acs->cap = nla_get_u16(tb[PCIPASS_A_ACS_CAP]);
	acs->ctrl = nla_get_u16(tb[PCIPASS_A_ACS_CTRL]);
	return 0;
}

static char *opt_strdup(struct nlattr *a)
{
	return a ? xstrdup(nla_get_string(a)) : NULL;
}

static int parse_nests(struct nlattr **tb, struct pp_device *d)
{
	int err;

	err = addr_from_nest(tb[PCIPASS_A_DEV_ADDR], &d->addr);
	if (!err && tb[PCIPASS_A_DEV_PHYSFN]) {
		d->has_physfn = true;
		err = addr_from_nest(tb[PCIPASS_A_DEV_PHYSFN], &d->physfn);
	}
	if (!err && tb[PCIPASS_A_DEV_UPSTREAM]) {
		d->has_upstream = true;
		err = addr_from_nest(tb[PCIPASS_A_DEV_UPSTREAM], &d->upstream);
	}
	if (!err && tb[PCIPASS_A_DEV_ACS]) {
		d->has_acs = true;
		err = acs_from_nest(tb[PCIPASS_A_DEV_ACS], &d->acs);
	}
	return err;
}

static uint16_t get_u16_or0(struct nlattr *a)
{
	return a ? nla_get_u16(a) : 0;
}

static uint8_t get_u8_or0(struct nlattr *a)
{
	return a ? nla_get_u8(a) : 0;
}

int device_parse(struct nl_msg *msg, struct pp_device *d)
{
	struct nlattr *tb[PCIPASS_A_DEV_MAX + 1];
	int err;

	memset(d, 0, sizeof(*d));
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, PCIPASS_A_DEV_MAX,
			  pnl_policy_device) < 0)
		return -EBADMSG;
	if (!tb[PCIPASS_A_DEV_ADDR])
		return -EBADMSG;
	err = parse_nests(tb, d);
	if (err)
		return err;

	d->vendor = get_u16_or0(tb[PCIPASS_A_DEV_VENDOR]);
	d->device = get_u16_or0(tb[PCIPASS_A_DEV_DEVICE]);
	d->subsystem_vendor = get_u16_or0(tb[PCIPASS_A_DEV_SUBSYSTEM_VENDOR]);
	d->subsystem_device = get_u16_or0(tb[PCIPASS_A_DEV_SUBSYSTEM_DEVICE]);
	if (tb[PCIPASS_A_DEV_CLASS])
		d->class = nla_get_u32(tb[PCIPASS_A_DEV_CLASS]);
	d->revision = get_u8_or0(tb[PCIPASS_A_DEV_REVISION]);
	d->header_type = get_u8_or0(tb[PCIPASS_A_DEV_HEADER_TYPE]);
	d->has_pcie_type = tb[PCIPASS_A_DEV_PCIE_TYPE];
	d->pcie_type = get_u8_or0(tb[PCIPASS_A_DEV_PCIE_TYPE]);
	d->multifunction = tb[PCIPASS_A_DEV_MULTIFUNCTION];
	d->virtfn = tb[PCIPASS_A_DEV_VIRTFN];
	d->has_iommu_group = tb[PCIPASS_A_DEV_IOMMU_GROUP];
	if (d->has_iommu_group)
		d->iommu_group = nla_get_u32(tb[PCIPASS_A_DEV_IOMMU_GROUP]);
	d->restricted = tb[PCIPASS_A_DEV_RESTRICTED];
	d->driver_busy = tb[PCIPASS_A_DEV_DRIVER_BUSY];
	d->driver = opt_strdup(tb[PCIPASS_A_DEV_DRIVER]);
	d->driver_override = opt_strdup(tb[PCIPASS_A_DEV_DRIVER_OVERRIDE]);
	return 0;
}

void device_free(struct pp_device *d)
{
	free(d->driver);
	free(d->driver_override);
	d->driver = d->driver_override = NULL;
}

static int fill_device_get(struct nl_msg *msg, const void *arg)
{
	return addr_to_nest(msg, PCIPASS_A_DEV_ADDR, arg);
}

static int parse_one(struct nl_msg *msg, void *arg)
{
	struct pp_device *d = arg;

	/* A do request gets one reply; a second one would leak the first. */
	device_free(d);
	return device_parse(msg, d);
}

int device_get(struct pnl *nl, const struct pp_addr *a, struct pp_device *d)
{
	memset(d, 0, sizeof(*d));
	return pnl_do(nl, PCIPASS_CMD_DEVICE_GET, fill_device_get, a,
		      parse_one, d);
}

struct pp_device *devlist_find(const struct pp_devlist *l,
			       const struct pp_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (addr_eq(&l->v[i].addr, a))
			return &l->v[i];
	return NULL;
}

int devlist_get(struct pnl *nl, struct pp_devlist *l, const struct pp_addr *a)
{
	struct pp_device *d;
	int rc;

	if (devlist_find(l, a))
		return 0;
	d = devlist_push(l);
	rc = device_get(nl, a, d);
	if (rc) {
		device_free(d);
		l->n--;
	}
	return rc == -ENODEV ? 0 : rc;
}

int devlist_get_slot(struct pnl *nl, struct pp_devlist *l,
		     const struct pp_addr *a)
{
	int rc = 0;

	for (uint8_t fn = 0; fn < 8 && !rc; fn++) {
		struct pp_addr f = *a;

		f.devfn = PP_DEVFN(PP_SLOT(a->devfn), fn);
		rc = devlist_get(nl, l, &f);
	}
	return rc;
}

static int parse_into_list(struct nl_msg *msg, void *arg)
{
	struct pp_devlist *l = arg;
	struct pp_device *d = devlist_push(l);
	int err = device_parse(msg, d);

	if (err) {
		device_free(d);
		l->n--;
	}
	return err;
}

int device_dump(struct pnl *nl, struct pp_devlist *list)
{
	int err;

	for (int i = 0; i < DUMP_RETRIES; i++) {
		devlist_free(list);
		err = pnl_dump(nl, PCIPASS_CMD_DEVICE_GET, parse_into_list, list);
		if (err != -EAGAIN)
			break;
	}
	return err;
}

int device_dump_or_report(struct pp_devlist *list)
{
	struct pnl nl;
	int rc;

	if (pnl_open_or_report(&nl))
		return -1;
	rc = device_dump(&nl, list);
	if (rc) {
		pnl_perror(&nl);
		devlist_free(list);
	}
	pnl_close(&nl);
	return rc ? -1 : 0;
}

struct pp_device *devlist_push(struct pp_devlist *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	memset(&l->v[l->n], 0, sizeof(l->v[l->n]));
	return &l->v[l->n++];
}

static int cmp_group_then_addr(const void *pa, const void *pb)
{
	const struct pp_device *a = pa, *b = pb;

	if (a->has_iommu_group != b->has_iommu_group)
		return a->has_iommu_group ? -1 : 1;
	if (a->has_iommu_group && a->iommu_group != b->iommu_group)
		return a->iommu_group < b->iommu_group ? -1 : 1;
	return addr_cmp(&a->addr, &b->addr);
}

void devlist_sort_by_group(struct pp_devlist *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_group_then_addr);
}

void devlist_free(struct pp_devlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		device_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
