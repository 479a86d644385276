// SPDX-License-Identifier: GPL-2.0
/*
 * Checks 2-4: the IOMMU as the firmware describes it (ACPI tables, whose
 * names sysfs shows to everyone), as the kernel enabled it (units and
 * groups), and the default domain type the kernel gave host devices.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "host/kconfig.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define GROUPS_DIR "/sys/kernel/iommu_groups"

static const struct {
	const char *name;
	const char *what;
} tables[] = {
	{ "DMAR", "Intel VT-d is enabled in the firmware" },
	{ "IVRS", "AMD-Vi is enabled in the firmware" },
	{ "VIOT", "a virtio-iommu (virtual machine)" },
};

static void count_type(struct iommu_facts *io, const char *type)
{
	for (size_t i = 0; i < io->ntypes; i++) {
		if (!strcmp(io->types[i].type, type)) {
			io->types[i].groups++;
			return;
		}
	}
	io->types = xrealloc(io->types, (io->ntypes + 1) * sizeof(*io->types));
	io->types[io->ntypes].type = xstrdup(type);
	io->types[io->ntypes++].groups = 1;
}

/* Most groups first, so the summary leads with what most devices get. */
static int cmp_count(const void *pa, const void *pb)
{
	const struct domain_count *a = pa, *b = pb;

	if (a->groups != b->groups)
		return a->groups > b->groups ? -1 : 1;
	return strcmp(a->type, b->type);
}

static void gather_groups(struct iommu_facts *io)
{
	size_t n;
	char **groups = sysroot_list(GROUPS_DIR, &n);

	io->ngroups = n;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX], *type;

		snprintf(path, sizeof(path), GROUPS_DIR "/%s/type", groups[i]);
		/* "type" appeared in 5.11; older kernels count as unknown */
		type = sysroot_read_line(path);
		count_type(io, type ? type : "unknown");
		free(type);
	}
	if (io->ntypes > 1)
		qsort(io->types, io->ntypes, sizeof(*io->types), cmp_count);
	sysroot_free_names(groups, n);
}

/* The Kconfig choice (6.x, and Debian's INTGPU_OFF variant) or the older
 * single bool; "is not set" on the bool alone means off.
 */
static const char *intel_default(const char *release)
{
	if (kconfig_get(release, "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF") == 'y')
		return "on_intgpu_off";
	if (kconfig_get(release, "CONFIG_INTEL_IOMMU_DEFAULT_OFF") == 'y')
		return "off";
	switch (kconfig_get(release, "CONFIG_INTEL_IOMMU_DEFAULT_ON")) {
	case 'y':
		return "on";
	case 'n':
		return "off";
	default:
		return NULL;
	}
}

void host_gather_iommu(struct host_facts *f)
{
	struct iommu_facts *io = &f->iommu;

	io->acpi = sysroot_is_dir("/sys/firmware/acpi/tables");
	for (size_t i = 0; i < ARRAY_SIZE(tables) && !io->table; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s",
			 tables[i].name);
		if (sysroot_exists(path))
			io->table = tables[i].name;
	}
	io->units = sysroot_list("/sys/class/iommu", &io->nunits);
	gather_groups(io);
	io->intel_default = intel_default(f->release);
	io->kconfig_intel = kconfig_get(f->release, "CONFIG_INTEL_IOMMU");
	io->kconfig_amd = kconfig_get(f->release, "CONFIG_AMD_IOMMU");
}

struct iommu_kind {
	const char *table;	/* ACPI table */
	const char *unit;	/* /sys/class/iommu name prefix */
	const char *cpu[2];	/* vendor_id values */
};

/* Hygon builds AMD's IOMMU. */
static const struct iommu_kind intel = { "DMAR", "dmar", { "GenuineIntel" } };
static const struct iommu_kind amd = {
	"IVRS", "ivhd", { "AuthenticAMD", "HygonGenuine" },
};

static bool is_kind(const struct host_facts *f, const struct iommu_kind *k)
{
	const struct iommu_facts *io = &f->iommu;

	if (io->table)
		return !strcmp(io->table, k->table);
	for (size_t i = 0; i < io->nunits; i++)
		if (!strncmp(io->units[i], k->unit, strlen(k->unit)))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(k->cpu); i++)
		if (k->cpu[i] && f->cpu.vendor && !strcmp(f->cpu.vendor, k->cpu[i]))
			return true;
	return false;
}

bool host_is_intel(const struct host_facts *f)
{
	return is_kind(f, &intel);
}

bool host_is_amd(const struct host_facts *f)
{
	return is_kind(f, &amd);
}

/* --- 2: firmware --- */

static void firmware_fix(const struct host_facts *f, struct host_verdict *v)
{
	if (f->cpu.hypervisor)
		host_fix(v, false, "this is a virtual machine: give it a virtual IOMMU (QEMU: -machine q35,kernel-irqchip=split -device intel-iommu,intremap=on)");
	else if (host_is_intel(f))
		host_fix(v, false, "enable VT-d (\"Intel VT for Directed I/O\") in the firmware setup");
	else if (host_is_amd(f))
		host_fix(v, false, "enable the IOMMU (\"IOMMU\" or \"AMD-Vi\", often under AMD CBS/NBIO) in the firmware setup");
	else
		host_fix(v, false, "enable VT-d (Intel) or the IOMMU/AMD-Vi (AMD) in the firmware setup");
}

static void judge_firmware(const struct host_facts *f, struct host_verdict *v)
{
	const struct iommu_facts *io = &f->iommu;

	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		if (io->table == tables[i].name) {
			host_result(v, HOST_PASS, "ACPI %s table: %s",
				    tables[i].name, tables[i].what);
			return;
		}
	}
	if (!io->acpi) {
		host_result(v, HOST_INFO, "no /sys/firmware/acpi/tables: cannot see how the firmware describes the IOMMU");
		return;
	}
	host_result(v, HOST_FAIL, "no DMAR (Intel VT-d) or IVRS (AMD-Vi) ACPI table: the firmware exposes no IOMMU");
	firmware_fix(f, v);
}

static void facts_firmware(const struct host_facts *f)
{
	print_bool(PRINT_JSON, "acpi", NULL, f->iommu.acpi);
	print_opt_string(PRINT_JSON, "table", NULL, f->iommu.table, NULL);
}

const struct host_check host_check_iommu_firmware = {
	"iommu_firmware", "IOMMU in firmware", judge_firmware, facts_firmware,
};

/* --- 3: kernel --- */

static char *join_units(const struct iommu_facts *io)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = xopen_memstream(&s, &len);
	for (size_t i = 0; i < io->nunits; i++)
		fprintf(m, "%s%s", i ? ", " : "", io->units[i]);
	fclose(m);
	return s;
}

static void intel_fix(const struct host_facts *f, struct host_verdict *v)
{
	const char *def = f->iommu.intel_default;

	if (f->iommu.kconfig_intel == 'n')
		host_fix(v, false, "this kernel is built without CONFIG_INTEL_IOMMU: boot your distribution's standard kernel");
	else if (cmdline_switch(&f->cmdline, "intel_iommu", "on", "off") == 1 ||
		 (def && strcmp(def, "off")))
		host_fix(v, false, "VT-d should be on (intel_iommu=on or the kernel's default): look for DMAR errors with journalctl -k | grep -i dmar; a firmware update may fix a broken DMAR table");
	else if (def)
		host_fix(v, true, "add intel_iommu=on to the kernel command line (this kernel leaves VT-d off by default: CONFIG_INTEL_IOMMU_DEFAULT_ON is not set)");
	else
		host_fix(v, true, "add intel_iommu=on to the kernel command line (needed where the kernel's CONFIG_INTEL_IOMMU_DEFAULT_ON is off, as in many pre-6.x distribution kernels)");
}

static void amd_fix(const struct host_facts *f, struct host_verdict *v)
{
	if (f->iommu.kconfig_amd == 'n')
		host_fix(v, false, "this kernel is built without CONFIG_AMD_IOMMU: boot your distribution's standard kernel");
	else
		host_fix(v, false, "the kernel enables AMD-Vi by itself when the firmware has an IVRS table (amd_iommu=on is not a kernel option): look for AMD-Vi errors with journalctl -k | grep AMD-Vi");
}

/* The first thing that explains why the IOMMU is off wins: a switch on
 * the command line, then firmware, then the kernel's build default.
 */
static void disabled_fix(const struct host_facts *f, struct host_verdict *v)
{
	const struct cmdline *c = &f->cmdline;

	if (cmdline_switch(c, "intel_iommu", "on", "off") == 0)
		host_fix(v, true, "remove intel_iommu=off from the kernel command line");
	else if (cmdline_switch(c, "amd_iommu", NULL, "off") == 0)
		host_fix(v, true, "remove amd_iommu=off from the kernel command line");
	else if (cmdline_switch(c, "iommu", NULL, "off") == 0)
		host_fix(v, true, "remove iommu=off from the kernel command line");
	else if (!f->iommu.table && f->iommu.acpi)
		host_fix(v, false, "enable the IOMMU in the firmware setup first (see \"IOMMU in firmware\")");
	else if (host_is_intel(f))
		intel_fix(f, v);
	else if (host_is_amd(f))
		amd_fix(f, v);
	else
		host_fix(v, true, "enable the IOMMU in the firmware setup; on Intel also boot with intel_iommu=on");
}

static void judge_kernel(const struct host_facts *f, struct host_verdict *v)
{
	const struct iommu_facts *io = &f->iommu;
	char *units;

	if (!io->nunits) {
		host_result(v, HOST_FAIL, "IOMMU not enabled: nothing in /sys/class/iommu, %zu IOMMU groups",
			    io->ngroups);
		disabled_fix(f, v);
		return;
	}
	units = join_units(io);
	if (io->ngroups) {
		host_result(v, HOST_PASS, "%zu IOMMU unit%s (%s), %zu IOMMU group%s",
			    io->nunits, io->nunits == 1 ? "" : "s", units,
			    io->ngroups, io->ngroups == 1 ? "" : "s");
	} else {
		host_result(v, HOST_WARN, "IOMMU units (%s) but no IOMMU groups: no device is behind an IOMMU",
			    units);
		host_fix(v, false, "look for IOMMU errors with journalctl -k | grep -i -e DMAR -e AMD-Vi -e iommu");
	}
	free(units);
}

static void facts_kernel(const struct host_facts *f)
{
	const struct iommu_facts *io = &f->iommu;

	open_json_array("units");
	for (size_t i = 0; i < io->nunits; i++)
		print_string(PRINT_JSON, NULL, NULL, io->units[i]);
	close_json_array();
	print_uint(PRINT_JSON, "groups", NULL, io->ngroups);
	print_opt_string(PRINT_JSON, "intel_default", NULL, io->intel_default,
			 NULL);
}

const struct host_check host_check_iommu_kernel = {
	"iommu_kernel", "IOMMU in kernel", judge_kernel, facts_kernel,
};

/* --- 4: default domain type --- */

/* iommu=pt / iommu=nopt and iommu.passthrough=BOOL set the same default,
 * the later word winning.
 */
static enum tri passthrough_requested(const struct cmdline *c)
{
	enum tri t = TRI_UNKNOWN;
	bool b;

	for (size_t i = 0; i < c->n; i++) {
		const struct cmdline_param *p = &c->v[i];

		if (!strcmp(p->key, "iommu") && cmdline_opt_has(p->value, "pt", ','))
			t = TRI_YES;
		else if (!strcmp(p->key, "iommu") &&
			 cmdline_opt_has(p->value, "nopt", ','))
			t = TRI_NO;
		else if (!strcmp(p->key, "iommu.passthrough") &&
			 cmdline_kbool(p->value, &b))
			t = b ? TRI_YES : TRI_NO;
	}
	return t;
}

static const char *explain_type(const char *type, enum tri pt)
{
	if (!strcmp(type, "DMA-FQ"))
		return "host devices' DMA is translated, IOTLB flushes batched (lazy); iommu=pt would skip translation for host devices, iommu.strict=1 flush at once";
	if (!strcmp(type, "DMA"))
		return "host devices' DMA is translated, IOTLB flushed at once (strict); iommu=pt would skip translation for host devices";
	if (!strcmp(type, "identity") && pt == TRI_YES)
		return "host devices bypass translation (iommu=pt / iommu.passthrough=1): faster host DMA, but no IOMMU protection against host devices";
	if (!strcmp(type, "identity"))
		return "host devices bypass translation (the kernel's choice for these devices, e.g. an integrated GPU)";
	return "an unusual default domain";
}

static void judge_domain(const struct host_facts *f, struct host_verdict *v)
{
	const struct iommu_facts *io = &f->iommu;
	char *s = NULL;
	size_t len = 0;
	FILE *m;

	if (!io->ngroups) {
		host_result(v, HOST_INFO, "no IOMMU groups: no default domain to report");
		return;
	}
	m = xopen_memstream(&s, &len);
	for (size_t i = 0; i < io->ntypes; i++)
		fprintf(m, "%s%s for %zu group%s", i ? ", " : "",
			io->types[i].type, io->types[i].groups,
			io->types[i].groups == 1 ? "" : "s");
	fclose(m);
	host_result(v, HOST_PASS, "%s", s);
	free(s);
	host_detail(v, "%s: %s; devices given to VFIO get their own domain either way",
		    io->types[0].type,
		    explain_type(io->types[0].type,
				 passthrough_requested(&f->cmdline)));
}

static void facts_domain(const struct host_facts *f)
{
	const struct iommu_facts *io = &f->iommu;

	open_json_object("types");
	for (size_t i = 0; i < io->ntypes; i++)
		print_uint(PRINT_JSON, io->types[i].type, NULL,
			   io->types[i].groups);
	close_json_object();
	host_print_tri("passthrough_cmdline",
		       passthrough_requested(&f->cmdline));
}

const struct host_check host_check_dma_domain = {
	"dma_domain", "DMA domain type", judge_domain, facts_domain,
};
