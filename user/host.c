// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "host.h"
#include "print.h"
#include "sysroot.h"
#include "util.h"

/* The order operators work through a passthrough guide: hardware and
 * firmware first, then the kernel, then modules and boot policy.
 */
const struct host_check *const host_checks[] = {
	&check_cpu, &check_iommu_firmware, &check_iommu_kernel,
	&check_dma_domain, &check_irq_remap, &check_cmdline,
	&check_vfio_modules, &check_acs_override, &check_secure_boot,
	&check_pcipass_module,
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
	cpu_gather(f);
	iommu_gather(f);
	irq_gather(f);
	vfio_gather(f);
	pcipass_gather(f);
	boot_gather(f);
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
		mod_info_free(&f->vfio.mods[i]);
	free(f->boot.lockdown);
	mod_info_free(&f->pcipass.mod);
	free(f->pcipass.taint);
	free(f->pcipass.version);
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0) {
		pp_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	return s;
}

FILE *host_memstream(char **buf, size_t *len)
{
	FILE *m = open_memstream(buf, len);

	if (!m) {
		pp_err("out of memory");
		exit(EXIT_RUNTIME);
	}
	return m;
}

void verdict_set(struct host_verdict *v, enum host_status st,
		 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->summary);
	v->summary = vformat(fmt, ap);
	va_end(ap);
	v->status = st;
}

void verdict_detail(struct host_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->detail);
	v->detail = vformat(fmt, ap);
	va_end(ap);
}

void verdict_fix(struct host_verdict *v, bool cmdline, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(v->fix);
	v->fix = vformat(fmt, ap);
	va_end(ap);
	v->fix_cmdline = cmdline;
}

void verdict_free(struct host_verdict *v)
{
	free(v->summary);
	free(v->detail);
	free(v->fix);
	v->summary = v->detail = v->fix = NULL;
}

const char *host_status_name(enum host_status st)
{
	static const char *const names[HOST_NSTATUS] = {
		[HOST_PASS] = "pass", [HOST_WARN] = "warn",
		[HOST_FAIL] = "fail", [HOST_INFO] = "info",
	};

	return st < HOST_NSTATUS ? names[st] : "info";
}

void print_json_tri(const char *key, enum tri t)
{
	if (t == TRI_UNKNOWN)
		print_null(PRINT_JSON, key, NULL, NULL);
	else
		print_bool(PRINT_JSON, key, NULL, t == TRI_YES);
}
