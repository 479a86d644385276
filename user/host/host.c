// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* The order operators work through a passthrough guide: hardware and
 * firmware first, then the kernel, then modules and boot policy.
 */
const struct host_check *const host_checks[] = {
	&host_check_cpu,
	&host_check_iommu_firmware,
	&host_check_iommu_kernel,
	&host_check_dma_domain,
	&host_check_irq_remap,
	&host_check_cmdline,
	&host_check_vfio_modules,
	&host_check_acs_override,
	&host_check_secure_boot,
	&host_check_pcipass_module,
	&host_check_persist,
	&host_check_persist_vfs,
};
const size_t host_nchecks = ARRAY_SIZE(host_checks);

static void cmdline_gather(struct host_facts *f)
{
	char *line = sysroot_read_line("/proc/cmdline");

	f->cmdline_readable = line != NULL;
	cmdline_parse(line, &f->cmdline);
	free(line);
}

void host_gather(struct host_facts *f)
{
	f->release = sysroot_read_line("/proc/sys/kernel/osrelease");
	cmdline_gather(f);
	f->mods = modlookup_open(f->release);
	host_gather_cpu(f);
	host_gather_iommu(f);
	host_gather_irq(f);
	host_gather_vfio(f);
	host_gather_pcipass(f);
	host_gather_boot(f);
	host_gather_persist(f);
	host_gather_persist_vfs(f);
}

void host_facts_free(struct host_facts *f)
{
	free(f->release);
	cmdline_free(&f->cmdline);
	modlookup_close(f->mods);
	free(f->cpu.vendor);
	sysroot_free_names(f->iommu.units, f->iommu.nunits);
	for (size_t i = 0; i < f->iommu.ntypes; i++)
		free(f->iommu.types[i].type);
	free(f->iommu.types);
	free(f->irq.unit_without);
	for (size_t i = 0; i < VFIO_NMODS; i++)
		modlookup_info_free(&f->vfio.mods[i]);
	free(f->boot.lockdown);
	modlookup_info_free(&f->pcipass.mod);
	free(f->pcipass.taint);
	free(f->pcipass.version);
	host_persist_vfs_free(&f->persist_vfs);
}

void host_print_tri(const char *key, enum tri t)
{
	if (t == TRI_UNKNOWN)
		print_null(PRINT_JSON, key, NULL, NULL);
	else
		print_bool(PRINT_JSON, key, NULL, t == TRI_YES);
}
