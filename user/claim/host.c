// SPDX-License-Identifier: GPL-2.0
/*
 * What the members a claim would move take from the host, as blockers:
 * the rules are impact_holds()', on the facts `pcipass check` shows.  The
 * module decides nothing of this; the CLI refuses before it asks the
 * module to change anything.  claim_host_precheck() reads the members
 * from sysfs, before any request; claim_host_blockers() takes them from
 * the module's dry run, for the report of a refusal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pci_regs.h>
#include <linux/pcipass.h>

#include "claim/claim.h"
#include "impact/impact.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* A bridge stays with the host; everything below it is other members'.
 * The module's test: a header other than type 0 (PCI-to-PCI, CardBus),
 * or a host bridge.  The header type byte is in the part of config space
 * every user may read.
 */
bool claim_is_bridge(const char *addr)
{
	unsigned char cfg[64];
	unsigned long cls = 0;
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", addr);
	if (sysroot_read(path, (char *)cfg, sizeof(cfg)) > PCI_HEADER_TYPE &&
	    (cfg[PCI_HEADER_TYPE] & 0x7f))
		return true;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", addr);
	return syspath_read_ulong(path, &cls) && (cls >> 8) == 0x0600;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = xrealloc(NULL, n * size);

	memset(p, 0, n * size);
	return p;
}

static uint32_t reason_of(enum impact_hold_kind kind)
{
	switch (kind) {
	case IMPACT_HOLD_ROOT:
		return PCIPASS_BLOCKER_ROOT_FS;
	case IMPACT_HOLD_BLOCK:
		return PCIPASS_BLOCKER_BLOCK_IN_USE;
	case IMPACT_HOLD_NET:
		break;
	}
	return PCIPASS_BLOCKER_NETDEV_ACTIVE;
}

/* impact_holds() of these functions, as blockers.  0, or -ENOMEM. */
static int blockers_of(const char **addrs, size_t n,
		       struct claim_blocker **out, size_t *nout)
{
	struct impact_hold *holds = NULL;
	struct impact *im;
	size_t nh;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	im = impact_collect(addrs, n);
	if (!im)
		return -ENOMEM;
	impact_probe_excl(im);
	impact_collect_netns(im);
	nh = impact_holds(im, &holds);
	if (nh)
		*out = zalloc(nh, sizeof(**out));
	for (size_t i = 0; i < nh; i++) {
		struct claim_blocker *b = &(*out)[i];
		enum addr_scope scope;

		addr_parse(holds[i].addr, &b->addr, &scope);
		b->reason = reason_of(holds[i].kind);
		b->detail = xstrdup(holds[i].detail);
	}
	*nout = nh;
	impact_holds_free(holds, nh);
	impact_free(im);
	return 0;
}

int claim_host_blockers(const struct claim_report *rep,
			struct claim_blocker **out, size_t *nout)
{
	const char **addrs = zalloc(rep->nr_members + 1, sizeof(*addrs));
	char (*bufs)[ADDR_STRLEN] = zalloc(rep->nr_members + 1, sizeof(*bufs));
	size_t n = 0;
	int rc;

	for (size_t i = 0; i < rep->nr_members; i++) {
		const struct claim_member *m = &rep->members[i];

		addr_fmt(&m->addr, bufs[n]);
		if (claim_host_checks(rep, m) && !claim_is_bridge(bufs[n])) {
			addrs[n] = bufs[n];
			n++;
		}
	}
	rc = blockers_of(addrs, n, out, nout);
	free(addrs);
	free(bufs);
	return rc;
}

/* The driver bound to a PCI function, or NULL. */
static char *bound_driver(const char *addr)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", addr);
	return syspath_target_name(path);
}

int claim_host_precheck(const struct claim_req *req,
			struct claim_blocker **out, size_t *nout)
{
	const char *target = req->driver ? req->driver : CLAIM_DEFAULT_DRIVER;
	const char **addrs;
	char dir[128], a[ADDR_STRLEN];
	char **names;
	size_t n, k = 0;
	int rc;

	if (req->by_group) {
		snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%u/devices",
			 req->group);
	} else {
		addr_fmt(&req->addr, a);
		snprintf(dir, sizeof(dir),
			 "/sys/bus/pci/devices/%s/iommu_group/devices", a);
	}
	names = sysroot_list(dir, &n);
	addrs = zalloc(n + 1, sizeof(*addrs));
	for (size_t i = 0; i < n; i++) {
		char *drv = bound_driver(names[i]);

		/* what the module would move: not a bridge, not on the target */
		if (!claim_is_bridge(names[i]) && !(drv && !strcmp(drv, target)))
			addrs[k++] = names[i];
		free(drv);
	}
	rc = blockers_of(addrs, k, out, nout);
	free(addrs);
	sysroot_free_names(names, n);
	return rc;
}

void claim_blockers_free(struct claim_blocker *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].detail);
		free(v[i].holder);
	}
	free(v);
}
