// SPDX-License-Identifier: GPL-2.0
/*
 * PCIPASS_IOC_ISOLATION_GET: the isolation answer (isolation.c) in the
 * fixed-size layout of struct pcipass_ioc_isolation.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/linux/pcipass_ioctl.h>

#include "chardev.h"
#include "isolation.h"

static void pcipass_ioc_hop_out(const struct pcipass_iso_hop *hop,
				struct pcipass_ioc_hop *out)
{
	pcipass_ioc_addr_out(&hop->addr, &out->addr);
	if (hop->flags & PCIPASS_NODE_PCIE)
		out->present |= PCIPASS_DEV_F_PCIE;
	if (hop->flags & PCIPASS_NODE_ACS)
		out->present |= PCIPASS_DEV_F_ACS;
	out->pcie_type = hop->pcie_type;
	out->acs_pos = hop->acs_pos;
	out->acs_cap = hop->acs_cap;
	out->acs_ctrl = hop->acs_ctrl;
	out->acs_state = hop->state;
	out->acs_missing = hop->missing;
}

static void pcipass_ioc_reason_out(const struct pcipass_iso_reason *r,
				   struct pcipass_ioc_reason *out)
{
	out->code = r->code;
	out->acs_missing = r->missing;
	pcipass_ioc_addr_out(&r->subject, &out->subject);
	if (r->has_peer) {
		out->present |= PCIPASS_REASON_F_PEER;
		pcipass_ioc_addr_out(&r->peer, &out->peer);
	}
	if (r->has_cause) {
		out->present |= PCIPASS_REASON_F_CAUSE;
		pcipass_ioc_addr_out(&r->cause, &out->cause);
	}
}

/* How many of @nr entries fit @room; flags the answer when not all. */
static unsigned int pcipass_ioc_fit(unsigned int nr, unsigned int room,
				    __u32 *present)
{
	if (nr <= room)
		return nr;
	*present |= PCIPASS_ISO_F_TRUNCATED;
	return room;
}

static void pcipass_ioc_addrs_out(const struct pcipass_addr *list,
				  unsigned int nr, struct pcipass_ioc_addr *out,
				  unsigned int room, __u32 *count,
				  __u32 *present)
{
	unsigned int i, n = pcipass_ioc_fit(nr, room, present);

	*count = nr;
	for (i = 0; i < n; i++)
		pcipass_ioc_addr_out(&list[i], &out[i]);
}

static void pcipass_ioc_blockers_out(const struct pcipass_isolation *iso,
				     struct pcipass_ioc_isolation *out)
{
	unsigned int i, n = pcipass_ioc_fit(iso->nr_blockers,
					    ARRAY_SIZE(out->blockers),
					    &out->present);

	out->nr_blockers = iso->nr_blockers;
	for (i = 0; i < n; i++) {
		pcipass_ioc_addr_out(&iso->blockers[i].addr,
				     &out->blockers[i].addr);
		if (strscpy(out->blockers[i].driver, iso->blockers[i].driver,
			    sizeof(out->blockers[i].driver)) < 0)
			out->present |= PCIPASS_ISO_F_TRUNCATED;
	}
}

static void pcipass_ioc_isolation_out(const struct pcipass_isolation *iso,
				      struct pcipass_ioc_isolation *out)
{
	unsigned int i, n;

	if (iso->has_group) {
		out->present |= PCIPASS_ISO_F_IOMMU_GROUP;
		out->iommu_group = iso->group;
	}
	if (iso->ready)
		out->present |= PCIPASS_ISO_F_READY;
	if (iso->truncated)
		out->present |= PCIPASS_ISO_F_TRUNCATED;

	out->nr_hops = iso->nr_hops;
	n = pcipass_ioc_fit(iso->nr_hops, ARRAY_SIZE(out->hops), &out->present);
	for (i = 0; i < n; i++)
		pcipass_ioc_hop_out(&iso->hops[i], &out->hops[i]);

	out->nr_reasons = iso->nr_reasons;
	n = pcipass_ioc_fit(iso->nr_reasons, ARRAY_SIZE(out->reasons),
			    &out->present);
	for (i = 0; i < n; i++)
		pcipass_ioc_reason_out(&iso->reasons[i], &out->reasons[i]);

	pcipass_ioc_addrs_out(iso->predicted, iso->nr_predicted,
			      out->predicted, ARRAY_SIZE(out->predicted),
			      &out->nr_predicted, &out->present);
	pcipass_ioc_addrs_out(iso->kernel_only, iso->nr_kernel_only,
			      out->kernel_only, ARRAY_SIZE(out->kernel_only),
			      &out->nr_kernel_only, &out->present);
	pcipass_ioc_addrs_out(iso->predicted_only, iso->nr_predicted_only,
			      out->predicted_only,
			      ARRAY_SIZE(out->predicted_only),
			      &out->nr_predicted_only, &out->present);
	pcipass_ioc_blockers_out(iso, out);
}

long pcipass_ioc_isolation_get(struct file *file, void __user *uarg,
			       size_t usize)
{
	struct pcipass_ioc_isolation *req, *out;
	struct pcipass_isolation iso;
	struct pcipass_addr addr;
	long err;

	BUILD_BUG_ON(sizeof(*req) != PCIPASS_IOC_ISOLATION_SIZE_VER0);
	/* Extended config space: as the sysfs config file, judged by the opener. */
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN))
		return -EPERM;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	out = kzalloc(sizeof(*out), GFP_KERNEL);
	err = -ENOMEM;
	if (!req || !out)
		goto free;
	err = pcipass_ioc_copy_in(req, sizeof(*req),
				  PCIPASS_IOC_ISOLATION_SIZE_VER0, uarg, usize);
	if (!err)
		err = pcipass_ioc_addr_in(&req->addr, &addr);
	if (!err)
		err = pcipass_isolation_get(&addr, &iso);
	if (err)
		goto free;

	out->size = usize;
	out->addr = req->addr;
	pcipass_ioc_isolation_out(&iso, out);
	pcipass_isolation_release(&iso);
	err = pcipass_ioc_copy_out(uarg, usize, out, sizeof(*out));
free:
	kfree(req);
	kfree(out);
	return err;
}
