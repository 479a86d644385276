// SPDX-License-Identifier: GPL-2.0
/*
 * This host's PCI functions as a Proxmox map describes them: the IDs
 * persisted claims record (persist/ident.c reads them, so both agree on
 * what a function is) and the IOMMU group, from sysfs as Proxmox's own
 * check (PVE::SysFSTools::pci_device_info) reads them.  sysfs, not the
 * module: drift and the mapping export need neither root nor pcipass.ko.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/util.h"
#include "pve/mapping.h"

/* The group's number: the name the iommu_group link points to. */
static bool read_group(const char *addr, uint32_t *group)
{
	char link[PATH_MAX], full[PATH_MAX], target[PATH_MAX], *end;
	const char *base;
	ssize_t len;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group",
		 addr);
	if (!sysroot_path(link, full, sizeof(full)))
		return false;
	len = readlink(full, target, sizeof(target) - 1);
	if (len <= 0)
		return false;
	target[len] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	*group = (uint32_t)strtoul(base, &end, 10);
	return *base && !*end;
}

void pve_hw_scan(struct pve_hw *hw)
{
	struct persist_hw p;

	memset(hw, 0, sizeof(*hw));
	persist_hw_scan(&p);
	hw->f = xrealloc(NULL, (p.n ? p.n : 1) * sizeof(*hw->f));
	for (size_t i = 0; i < p.n; i++) {
		struct pve_fn *f = &hw->f[hw->n];
		enum addr_scope scope;

		memset(f, 0, sizeof(*f));
		if (addr_parse(p.addr[i], &f->a, &scope))
			continue;
		snprintf(f->addr, sizeof(f->addr), "%s", p.addr[i]);
		f->vendor = p.f[i].vendor;
		f->device = p.f[i].device;
		f->has_sub = p.f[i].has_sub;
		f->sub_vendor = p.f[i].sub_vendor;
		f->sub_device = p.f[i].sub_device;
		f->has_group = read_group(f->addr, &f->group);
		hw->n++;
	}
	persist_hw_free(&p);
}

void pve_hw_free(struct pve_hw *hw)
{
	free(hw->f);
	memset(hw, 0, sizeof(*hw));
}

const struct pve_fn *pve_hw_find(const struct pve_hw *hw,
				 const struct pp_addr *a)
{
	for (size_t i = 0; i < hw->n; i++)
		if (addr_eq(&hw->f[i].a, a))
			return &hw->f[i];
	return NULL;
}
