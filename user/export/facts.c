// SPDX-License-Identifier: GPL-2.0
/*
 * What `pcipass export` says, gathered once for every format: each IOMMU
 * group's state (pci/state.c, as list says it) with the VM a hook claimed
 * it for, each function's isolation verdict (check/verdict.c, as `pcipass
 * check ADDR` decides it for that one function), SR-IOV capability,
 * `pcipass host`'s checks and the persisted entries that do not match
 * the hardware (persist/ident.c's rules).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "lib/sysroot.h"
#include "lib/util.h"

static int cmp_fn_addr(const void *pa, const void *pb)
{
	const struct export_fn *a = pa, *b = pb;

	return addr_cmp(&a->d->addr, &b->d->addr);
}

static unsigned int sriov_totalvfs(const struct pp_device *d)
{
	char a[ADDR_STRLEN], path[PATH_MAX], *line;
	unsigned int n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_totalvfs",
		 addr_fmt(&d->addr, a));
	line = sysroot_read_line(path);
	n = line ? (unsigned int)strtoul(line, NULL, 10) : 0;
	free(line);
	return n;
}

static void gather_groups(struct pp_devlist *l, struct export_facts *f)
{
	char a[ADDR_STRLEN];

	devlist_sort_by_group(l);
	f->fn = l->n ? xrealloc(NULL, l->n * sizeof(*f->fn)) : NULL;
	f->nfn = l->n;
	for (size_t i = 0; i < l->n;) {
		size_t len = 1;
		struct export_group *g;

		if (!l->v[i].has_iommu_group) {
			f->ungrouped++;
			i++;
			continue;
		}
		while (i + len < l->n &&
		       l->v[i + len].iommu_group == l->v[i].iommu_group)
			len++;
		f->g = xrealloc(f->g, (f->ng + 1) * sizeof(*f->g));
		g = &f->g[f->ng++];
		memset(g, 0, sizeof(*g));
		g->id = l->v[i].iommu_group;
		g->v = &l->v[i];
		g->n = len;
		g->state = group_state(g->v, len);
		for (size_t j = 0; j < len; j++) {
			if (!g->vfio_driver && driver_is_vfio(g->v[j].driver))
				g->vfio_driver = g->v[j].driver;
			if (!g->hold)
				g->hold = vmhold_find(f->holds, f->nholds,
						      addr_fmt(&g->v[j].addr, a));
		}
		if (g->state != GROUP_VFIO)
			g->hold = NULL;	/* as list: only a group VFIO holds */
		i += len;
	}
	/* Each function's verdict, as `pcipass check ADDR` gives it. */
	for (size_t i = 0, gi = 0; i < l->n; i++) {
		struct export_fn *fn = &f->fn[i];
		struct verdict_result r;

		while (gi < f->ng && &f->g[gi].v[f->g[gi].n] <= &l->v[i])
			gi++;
		fn->d = &l->v[i];
		fn->passable = !verdict_stays_with_host(fn->d);
		fn->sriov_totalvfs = sriov_totalvfs(fn->d);
		if (!fn->passable)
			continue;
		if (fn->d->has_iommu_group)
			verdict_decide(fn->d, 1, f->g[gi].v, f->g[gi].n, &r);
		else
			verdict_decide(fn->d, 1, NULL, 0, &r);
		fn->verdict = r.verdict;
		verdict_free(&r);
	}
	qsort(f->fn, f->nfn, sizeof(*f->fn), cmp_fn_addr);
}

static void gather_host(struct export_facts *f)
{
	struct host_facts h = { 0 };

	host_gather(&h);
	f->checks = xrealloc(NULL, host_nchecks * sizeof(*f->checks));
	f->host_ready = true;
	for (size_t i = 0; i < host_nchecks; i++) {
		struct host_verdict v = { 0 };

		host_checks[i]->judge(&h, &v);
		f->checks[i] = v.status;
		f->host_ready &= v.status != HOST_FAIL;
		host_verdict_free(&v);
	}
	host_facts_free(&h);
}

static void gather_persist(struct export_facts *f)
{
	struct persist_conf c = { 0 };
	struct persist_hw hw;
	char full[PATH_MAX];
	size_t idx;

	if (!sysroot_path(PERSIST_CONF, full, sizeof(full)) ||
	    persist_conf_load(full, &c, NULL) < 0)
		return;
	f->persist_readable = true;
	if (!c.n) {
		persist_conf_free(&c);
		return;
	}
	persist_hw_scan(&hw);
	for (size_t i = 0; i < c.n; i++) {
		enum persist_match m = persist_hw_match(&hw, &c.e[i], &idx);
		struct export_mismatch *x;

		if (m < EXPORT_NMATCH)
			f->persist[m]++;
		if (m == PERSIST_MATCH_HERE)
			continue;
		f->mis = xrealloc(f->mis, (f->nmis + 1) * sizeof(*f->mis));
		x = &f->mis[f->nmis++];
		snprintf(x->path, sizeof(x->path), "%s", c.e[i].path);
		x->vendor = c.e[i].vendor;
		x->device = c.e[i].device;
		x->match = m;
	}
	persist_hw_free(&hw);
	persist_conf_free(&c);
}

void export_gather(struct pp_devlist *l, struct export_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->nholds = vmhold_load(&f->holds);
	gather_groups(l, f);
	gather_host(f);
	gather_persist(f);
}

void export_facts_free(struct export_facts *f)
{
	free(f->g);
	free(f->fn);
	free(f->holds);
	free(f->checks);
	free(f->mis);
	memset(f, 0, sizeof(*f));
}
