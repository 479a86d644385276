/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_HOST_H
#define PCIPASS_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "host/modlookup.h"
#include "lib/cmdline.h"
#include "persist/persist.h"

/* `pcipass host`: a passthrough readiness checklist.  Every fact is read
 * first (host_gather), through the sysroot so tests can use fixture
 * trees; each check then judges the facts (pure: no I/O) and prints them.
 */

/* A fact the host may not reveal (unreadable file, absent interface). */
enum tri { TRI_UNKNOWN = -1, TRI_NO = 0, TRI_YES = 1 };

struct cpu_facts {
	bool readable;		/* /proc/cpuinfo could be read */
	bool has_flags;		/* it has an x86 "flags" line */
	char *vendor;		/* vendor_id: GenuineIntel, AuthenticAMD */
	bool vmx, svm, hypervisor;
};

struct domain_count {
	char *type;		/* /sys/kernel/iommu_groups/N/type */
	size_t groups;
};

struct iommu_facts {
	bool acpi;		/* /sys/firmware/acpi/tables exists */
	const char *table;	/* DMAR, IVRS or VIOT; NULL when none */
	char **units;		/* /sys/class/iommu: dmar0, ivhd0, ... */
	size_t nunits;
	size_t ngroups;		/* /sys/kernel/iommu_groups */
	struct domain_count *types;
	size_t ntypes;
	const char *intel_default;	/* on, on_intgpu_off, off; NULL */
	char kconfig_intel, kconfig_amd;	/* CONFIG_{INTEL,AMD}_IOMMU */
};

struct irq_facts {
	enum tri active;	/* IR- interrupt domains in /proc/interrupts */
	enum tri hardware;	/* Intel: ecap.IR on every unit */
	char *unit_without;	/* first Intel unit lacking it */
	bool cmdline_off;	/* intremap=off or nointremap decided last */
	bool allow_unsafe;	/* vfio_iommu_type1.allow_unsafe_interrupts */
	const char *allow_unsafe_from;	/* "sysfs", "cmdline" or NULL */
};

#define VFIO_NMODS 4

struct vfio_facts {
	struct mod_info mods[VFIO_NMODS];	/* see host_vfio_mods */
};

struct boot_facts {
	bool uefi;
	enum tri secure_boot;
	char *lockdown;		/* the [selected] word; NULL when unknown */
	enum tri sig_enforce;
};

struct pcipass_facts {
	struct mod_info mod;
	char *taint;		/* /sys/module/pcipass/taint when loaded */
	char *version;		/* /sys/module/pcipass/version */
};

struct persist_facts {
	size_t entries;		/* in /etc/pcipass/claims.conf */
	size_t mismatched;	/* another function at the entry's path */
	size_t held;		/* left out of the option: root fs, a disk in use */
	bool hook;		/* pcipass's initramfs-tools hook installed */
	bool have_claims, have_initrd;
	time_t claims_mtime;	/* /etc/modprobe.d/pcipass.conf */
	time_t initrd_mtime;	/* /boot/initrd.img-RELEASE */
};

/* /etc/pcipass/sriov.conf as persist list reads it. */
struct persist_vfs_facts {
	int err;			/* reading it: 0 or -errno */
	struct persist_conf conf;	/* its entries and refused lines */
	enum persist_match *match;	/* each entry against the PFs now */
	char (*addr)[ADDR_STRLEN];	/* the function matched, "" absent */
	long *numvfs;			/* its VFs now, -1 not known */
};

struct host_facts {
	char *release;		/* /proc/sys/kernel/osrelease */
	struct cmdline cmdline;
	bool cmdline_readable;
	struct modlookup *mods;
	struct cpu_facts cpu;
	struct iommu_facts iommu;
	struct irq_facts irq;
	struct vfio_facts vfio;
	struct boot_facts boot;
	struct pcipass_facts pcipass;
	struct persist_facts persist;
	struct persist_vfs_facts persist_vfs;
};

enum host_status { HOST_PASS, HOST_WARN, HOST_FAIL, HOST_INFO, HOST_NSTATUS };

struct host_verdict {
	enum host_status status;
	char *summary;
	char *detail;		/* optional explanation, any status */
	char *fix;		/* NULL on pass, and when there is no fix */
	bool fix_cmdline;	/* the fix edits the kernel command line */
};

struct host_check {
	const char *id;		/* stable JSON key word */
	const char *name;	/* text column */
	void (*judge)(const struct host_facts *f, struct host_verdict *v);
	void (*facts)(const struct host_facts *f);	/* JSON only */
};

extern const struct host_check host_check_cpu, host_check_iommu_firmware,
	host_check_iommu_kernel, host_check_dma_domain, host_check_irq_remap,
	host_check_cmdline, host_check_vfio_modules, host_check_acs_override,
	host_check_secure_boot, host_check_pcipass_module, host_check_persist,
	host_check_persist_vfs;

extern const char *const host_vfio_mods[VFIO_NMODS];

/* The checklist, in the order it is printed. */
extern const struct host_check *const host_checks[];
extern const size_t host_nchecks;

/* Each gatherer fills its part; later ones may use earlier parts. */
void host_gather_cpu(struct host_facts *f);
void host_gather_iommu(struct host_facts *f);
void host_gather_irq(struct host_facts *f);
void host_gather_vfio(struct host_facts *f);
void host_gather_boot(struct host_facts *f);
void host_gather_pcipass(struct host_facts *f);
void host_gather_persist(struct host_facts *f);
void host_gather_persist_vfs(struct host_facts *f);
void host_persist_vfs_free(struct persist_vfs_facts *p);

/* Which IOMMU the host has: the firmware table decides, then the unit
 * names, then the CPU vendor.
 */
bool host_is_intel(const struct host_facts *f);
bool host_is_amd(const struct host_facts *f);

/* Will the kernel refuse an unsigned module (signature enforcement or
 * lockdown)?
 */
bool host_sig_enforced(const struct boot_facts *b);

void host_gather(struct host_facts *f);
void host_facts_free(struct host_facts *f);

/* For the judges: printf-style, replacing what was set before. */
void host_result(struct host_verdict *v, enum host_status st,
		 const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void host_detail(struct host_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void host_fix(struct host_verdict *v, bool cmdline, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void host_verdict_free(struct host_verdict *v);

const char *host_status_name(enum host_status st);

/* JSON null, false or true. */
void host_print_tri(const char *key, enum tri t);

#endif
