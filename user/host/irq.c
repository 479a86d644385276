// SPDX-License-Identifier: GPL-2.0
/*
 * Check 5: interrupt remapping.  VFIO's type1 backend refuses to attach a
 * group whose MSIs are not isolated, because without remapping a guest
 * driving the device can write any MSI address/data pair and so raise
 * arbitrary interrupts on the host.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define ECAP_IR (1ULL << 3)	/* VT-d spec: Extended Capability, IR */
#define UNSAFE_PARAM "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"

/* Remapped interrupt domains are the ground truth, for Intel and AMD
 * alike: their chips are named with an "IR-" prefix (IR-IO-APIC,
 * IR-PCI-MSI, IR-PCI-MSIX-<dev>), and /proc/interrupts is world-readable.
 */
static enum tri remapped_domains(void)
{
	FILE *in = sysroot_fopen("/proc/interrupts");
	char *line = NULL;
	size_t cap = 0;
	enum tri t = TRI_NO;

	if (!in)
		return TRI_UNKNOWN;
	while (t == TRI_NO && getline(&line, &cap, in) > 0)
		if (strstr(line, " IR-"))
			t = TRI_YES;
	free(line);
	fclose(in);
	return t;
}

/* VT-d needs IR on every unit before the kernel turns it on.  AMD-Vi
 * units always have it, and sysfs has no bit for it.
 */
static void intel_hardware(struct host_facts *f)
{
	const struct iommu_facts *io = &f->iommu;

	f->irq.hardware = TRI_UNKNOWN;
	for (size_t i = 0; i < io->nunits; i++) {
		char path[PATH_MAX], *ecap;
		unsigned long long v;

		if (strncmp(io->units[i], "dmar", 4))
			continue;
		snprintf(path, sizeof(path),
			 "/sys/class/iommu/%s/intel-iommu/ecap", io->units[i]);
		ecap = sysroot_read_line(path);
		if (ecap && sscanf(ecap, "%llx", &v) == 1) {
			if (v & ECAP_IR) {
				if (f->irq.hardware == TRI_UNKNOWN)
					f->irq.hardware = TRI_YES;
			} else if (f->irq.hardware != TRI_NO) {
				f->irq.hardware = TRI_NO;
				f->irq.unit_without = xstrdup(io->units[i]);
			}
		}
		free(ecap);
	}
}

/* nointremap and intremap=on/off, the later word winning. */
static bool cmdline_off(const struct cmdline *c)
{
	int state = -1;

	for (size_t i = 0; i < c->n; i++) {
		if (!strcmp(c->v[i].key, "nointremap"))
			state = 0;
		else if (!strcmp(c->v[i].key, "intremap"))
			state = cmdline_opt_switch(c->v[i].value, "on",
						   "off", state);
	}
	return state == 0;
}

/* The live value once the module is loaded; before that the kernel
 * command line.  (An /etc/modprobe.d option only shows once loaded.)
 */
static void allow_unsafe(struct host_facts *f)
{
	const struct cmdline_param *p;
	char *live = sysroot_read_line(UNSAFE_PARAM);
	bool b;

	if (live) {
		f->irq.allow_unsafe = cmdline_kbool(live, &b) && b;
		f->irq.allow_unsafe_from = "sysfs";
		free(live);
		return;
	}
	p = cmdline_find(&f->cmdline, "vfio_iommu_type1.allow_unsafe_interrupts");
	if (p && cmdline_kbool(p->value, &b)) {
		f->irq.allow_unsafe = b;
		f->irq.allow_unsafe_from = "cmdline";
	}
}

void host_gather_irq(struct host_facts *f)
{
	f->irq.active = remapped_domains();
	intel_hardware(f);
	f->irq.cmdline_off = cmdline_off(&f->cmdline);
	allow_unsafe(f);
}

/* Without remapping, VFIO refuses every device unless told to allow unsafe
 * interrupts: the host is not ready (FAIL) until one of the two is done.
 * With the override, passthrough works and only the risk is left (WARN).
 */
static enum host_status without_remapping(const struct host_facts *f)
{
	return f->irq.allow_unsafe ? HOST_WARN : HOST_FAIL;
}

static void unsafe_fix(const struct host_facts *f, struct host_verdict *v)
{
	if (f->irq.allow_unsafe) {
		host_detail(v, "vfio_iommu_type1.allow_unsafe_interrupts=1 is set (%s): VFIO assigns devices anyway, and a guest can forge MSIs to raise host interrupts",
			    f->irq.allow_unsafe_from);
		return;
	}
	host_fix(v, true, "VFIO refuses devices without it; to accept that a guest can forge MSIs to raise host interrupts, set vfio_iommu_type1.allow_unsafe_interrupts=1 (kernel parameter, or \"options vfio_iommu_type1 allow_unsafe_interrupts=1\" in /etc/modprobe.d/)");
}

static void judge(const struct host_facts *f, struct host_verdict *v)
{
	const struct irq_facts *irq = &f->irq;

	if (irq->active == TRI_YES) {
		host_result(v, HOST_PASS, "active: IR- interrupt domains in /proc/interrupts");
		if (irq->allow_unsafe)
			host_detail(v, "vfio_iommu_type1.allow_unsafe_interrupts=1 is set (%s) but not needed",
				    irq->allow_unsafe_from);
	} else if (!f->iommu.nunits) {
		host_result(v, HOST_INFO, "not applicable: no IOMMU enabled");
	} else if (irq->cmdline_off) {
		host_result(v, without_remapping(f), "turned off on the kernel command line (intremap=off or nointremap)");
		host_fix(v, true, "%sremove intremap=off / nointremap from the kernel command line",
			 irq->allow_unsafe ? "" : "VFIO refuses devices without it: ");
	} else if (irq->hardware == TRI_NO) {
		host_result(v, without_remapping(f), "not supported: %s lacks interrupt remapping (ecap.IR clear)",
			    irq->unit_without);
		unsafe_fix(f, v);
	} else if (irq->active == TRI_NO) {
		host_result(v, without_remapping(f), "not active: no IR- interrupt domains in /proc/interrupts");
		unsafe_fix(f, v);
	} else {
		host_result(v, HOST_WARN, "cannot read /proc/interrupts");
	}
}

static void facts(const struct host_facts *f)
{
	host_print_tri("active", f->irq.active);
	host_print_tri("hardware", f->irq.hardware);
	print_bool(PRINT_JSON, "cmdline_disabled", NULL, f->irq.cmdline_off);
	print_bool(PRINT_JSON, "allow_unsafe_interrupts", NULL,
		   f->irq.allow_unsafe);
}

const struct host_check host_check_irq_remap = {
	"irq_remap", "Interrupt remapping", judge, facts,
};
