// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass export nfd`: a feature file for node-feature-discovery's
 * local source (nfd-worker reads every file in
 * /etc/kubernetes/node-feature-discovery/features.d/ but dot files):
 * one "name=value" line per label, "#" comments.  The names carry NFD's
 * own prefix feature.node.kubernetes.io/, which every NFD version
 * accepts, and are valid Kubernetes label names (at most 63 characters
 * after the prefix, alphanumerics, '-', '_', '.'); the values are
 * "true", "false" or a decimal count.
 */
#include <stdio.h>

#include "export/export.h"
#include "pci/filter.h"
#include "lib/util.h"

#define NFD_PREFIX "feature.node.kubernetes.io/pcipass-"

static const char *const classes[] = { "gpu", "net", "usb", "storage", "nvme" };

static void label_bool(FILE *o, const char *name, bool v)
{
	fprintf(o, NFD_PREFIX "%s=%s\n", name, v ? "true" : "false");
}

static bool in_vfio_group(const struct export_facts *f,
			  const struct pp_device *d)
{
	for (size_t i = 0; i < f->ng; i++)
		if (d >= f->g[i].v && d < f->g[i].v + f->g[i].n)
			return f->g[i].state == GROUP_VFIO;
	return false;
}

void export_nfd(FILE *o, const struct export_facts *f)
{
	size_t pfs = 0;

	fputs("# pcipass export nfd: PCI passthrough facts of this node\n", o);
	label_bool(o, "iommu.enabled", f->ng > 0);
	label_bool(o, "host.ready", f->host_ready);
	for (size_t c = 0; c < ARRAY_SIZE(classes); c++) {
		size_t isolatable = 0, vfio = 0;
		class_mask_t mask = 0;

		class_filter_parse(classes[c], &mask);
		for (size_t i = 0; i < f->nfn; i++) {
			const struct export_fn *fn = &f->fn[i];

			if (!fn->passable ||
			    !class_filter_match(mask, fn->d->class))
				continue;
			isolatable += fn->verdict == VERDICT_READY ||
				      fn->verdict == VERDICT_COMPANIONS;
			vfio += in_vfio_group(f, fn->d);
		}
		fprintf(o, NFD_PREFIX "isolatable.%s=%zu\n", classes[c],
			isolatable);
		fprintf(o, NFD_PREFIX "vfio.%s=%zu\n", classes[c], vfio);
	}
	for (size_t i = 0; i < f->nfn; i++)
		pfs += f->fn[i].sriov_totalvfs > 0;
	label_bool(o, "sriov.capable", pfs > 0);
	fprintf(o, NFD_PREFIX "sriov.pf=%zu\n", pfs);
}
