// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass export prometheus`: the Prometheus text exposition format
 * (0.0.4) for node_exporter's textfile collector.  Every family has its
 * HELP and TYPE lines and its samples together; enumerations are state
 * sets (one sample per possible value, 1 for the current one), string
 * facts are labels of _info gauges whose value is 1.  Labels name bounded
 * things only: groups, functions, checks, persisted paths.
 */
#include <stdio.h>

#include "export/export.h"
#include "lib/util.h"

static const enum group_state states[] = {
	GROUP_VFIO, GROUP_PARTIAL, GROUP_HOST, GROUP_UNBOUND, GROUP_BRIDGE,
};
static const enum verdict verdicts[] = {
	VERDICT_READY, VERDICT_COMPANIONS, VERDICT_NOT_ISOLATABLE,
	VERDICT_NO_IOMMU,
};
static const enum persist_match matches[] = {
	PERSIST_MATCH_HERE, PERSIST_MATCH_MOVED, PERSIST_MATCH_OTHER,
	PERSIST_MATCH_ABSENT,
};

static void family(FILE *o, const char *name, const char *help)
{
	fprintf(o, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* A label value: backslash, double quote and newline escaped. */
static void value(FILE *o, const char *s)
{
	fputc('"', o);
	for (; s && *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', o);
		if (*s == '\n')
			fputs("\\n", o);
		else
			fputc(*s, o);
	}
	fputc('"', o);
}

static void groups(FILE *o, const struct export_facts *f)
{
	family(o, "pcipass_iommu_groups",
	       "IOMMU groups the kernel formed (0: the IOMMU is off).");
	fprintf(o, "pcipass_iommu_groups %zu\n", f->ng);
	family(o, "pcipass_iommu_group_state",
	       "Each IOMMU group's state for VFIO, 1 for the one it is in: vfio (ready), partial (VFIO refuses it), host, unbound, bridge.");
	for (size_t i = 0; i < f->ng; i++)
		for (size_t s = 0; s < ARRAY_SIZE(states); s++)
			fprintf(o, "pcipass_iommu_group_state{group=\"%u\",state=\"%s\"} %d\n",
				f->g[i].id, group_state_name(states[s]),
				f->g[i].state == states[s]);
	family(o, "pcipass_iommu_group_claimed_info",
	       "A group on vfio-pci (state vfio): the driver, and the VM a pcipass VM hook claimed it for (vm empty when none did).");
	for (size_t i = 0; i < f->ng; i++) {
		const struct export_group *g = &f->g[i];

		if (g->state != GROUP_VFIO)
			continue;
		fprintf(o, "pcipass_iommu_group_claimed_info{group=\"%u\",driver=",
			g->id);
		value(o, g->vfio_driver);
		fputs(",vm=", o);
		value(o, g->hold ? g->hold->owner : "");
		fputs("} 1\n", o);
	}
}

static void functions(FILE *o, const struct export_facts *f)
{
	char a[ADDR_STRLEN];

	family(o, "pcipass_functions_without_iommu_group",
	       "PCI functions without an IOMMU group: they cannot be passed through.");
	fprintf(o, "pcipass_functions_without_iommu_group %zu\n", f->ungrouped);
	family(o, "pcipass_function_info",
	       "A PCI function: its IOMMU group (empty: none), vendor and device ID, class and driver (empty: unbound).");
	for (size_t i = 0; i < f->nfn; i++) {
		const struct pp_device *d = f->fn[i].d;

		fprintf(o, "pcipass_function_info{address=\"%s\",group=\"",
			addr_fmt(&d->addr, a));
		if (d->has_iommu_group)
			fprintf(o, "%u", d->iommu_group);
		fprintf(o, "\",vendor_id=\"%04x\",device_id=\"%04x\",class=\"%06x\",driver=",
			d->vendor, d->device, d->class);
		value(o, d->driver);
		fputs("} 1\n", o);
	}
	family(o, "pcipass_function_isolation",
	       "The isolation verdict of pcipass check for each function that is not a bridge, 1 for its verdict: ready, needs_companions, not_isolatable, no_iommu.");
	for (size_t i = 0; i < f->nfn; i++) {
		if (!f->fn[i].passable)
			continue;
		addr_fmt(&f->fn[i].d->addr, a);
		for (size_t v = 0; v < ARRAY_SIZE(verdicts); v++)
			fprintf(o, "pcipass_function_isolation{address=\"%s\",verdict=\"%s\"} %d\n",
				a, verdict_key(verdicts[v]),
				f->fn[i].verdict == verdicts[v]);
	}
	family(o, "pcipass_function_sriov_total_vfs",
	       "Virtual functions an SR-IOV capable function can have (sriov_totalvfs).");
	for (size_t i = 0; i < f->nfn; i++)
		if (f->fn[i].sriov_totalvfs)
			fprintf(o, "pcipass_function_sriov_total_vfs{address=\"%s\"} %u\n",
				addr_fmt(&f->fn[i].d->addr, a),
				f->fn[i].sriov_totalvfs);
}

static void host(FILE *o, const struct export_facts *f)
{
	static const enum host_status st[] = {
		HOST_PASS, HOST_WARN, HOST_FAIL, HOST_INFO,
	};

	family(o, "pcipass_host_check",
	       "The checks of pcipass host, 1 for each one's result: pass, warn, fail, info.");
	for (size_t i = 0; i < host_nchecks; i++)
		for (size_t s = 0; s < ARRAY_SIZE(st); s++)
			fprintf(o, "pcipass_host_check{check=\"%s\",status=\"%s\"} %d\n",
				host_checks[i]->id, host_status_name(st[s]),
				f->checks[i] == st[s]);
	family(o, "pcipass_host_ready",
	       "1 when no check of pcipass host fails (the host is ready for passthrough).");
	fprintf(o, "pcipass_host_ready %d\n", f->host_ready);
}

static void persisted(FILE *o, const struct export_facts *f)
{
	if (!f->persist_readable)
		return;
	family(o, "pcipass_persist_entries",
	       "Entries of /etc/pcipass/claims.conf by how they match the hardware: present, moved (its serial number at another path), other_device (another function at its path), absent.");
	for (size_t m = 0; m < ARRAY_SIZE(matches); m++)
		fprintf(o, "pcipass_persist_entries{match=\"%s\"} %zu\n",
			persist_match_key(matches[m]), f->persist[matches[m]]);
	family(o, "pcipass_persist_mismatch_info",
	       "A persisted entry that does not match the function at its path: its path, IDs and how it differs.");
	for (size_t i = 0; i < f->nmis; i++) {
		fputs("pcipass_persist_mismatch_info{path=", o);
		value(o, f->mis[i].path);
		fprintf(o, ",id=\"%04x:%04x\",match=\"%s\"} 1\n",
			f->mis[i].vendor, f->mis[i].device,
			persist_match_key(f->mis[i].match));
	}
}

void export_prometheus(FILE *o, const struct export_facts *f)
{
	groups(o, f);
	functions(o, f);
	host(o, f);
	persisted(o, f);
}
