/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ground truth for the pcipass selftests, read from sysfs only
 * (/sys/bus/pci/devices, /sys/kernel/iommu_groups) and from the config
 * space files there, never from the module under test.
 */
#ifndef PCIPASS_SELFTEST_SYSFS_H
#define PCIPASS_SELFTEST_SYSFS_H

#include <stdbool.h>
#include <stdint.h>

#define SYSFS_PCI_DEVICES	"/sys/bus/pci/devices"
#define SYSFS_IOMMU_GROUPS	"/sys/kernel/iommu_groups"

struct pci_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t devfn;
};

struct sysfs_dev {
	char name[64];			/* "dddd:bb:dd.f" */
	struct pci_addr addr;

	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;
	uint8_t revision;

	bool has_driver;
	char driver[256];
	bool has_override;
	char override[4096];
	bool has_group;
	uint32_t group;
	bool has_upstream;
	struct pci_addr upstream;
	bool is_virtfn;
	struct pci_addr physfn;

	/* From the config file: first 64 bytes are readable by anybody. */
	uint8_t header_type;		/* without the multifunction bit */
	bool multifunction;		/* header bit, or a function > 0 */

	/* Only when the whole config space was readable (root). */
	bool cfg_full;
	int cfg_len;			/* bytes the config file returned */
	bool is_pcie;
	uint8_t pcie_type;
	bool has_acs;
	uint16_t acs_pos, acs_cap, acs_ctrl;
};

struct sysfs_group {
	uint32_t id;
	int nmembers;
	struct pci_addr *members;	/* PCI functions only, sorted */
};

/* "dddd:bb:dd.f" -> address; returns 0 or -EINVAL. */
int pci_addr_parse(const char *s, struct pci_addr *a);
void pci_addr_fmt(const struct pci_addr *a, char *buf, int len);
int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b);

/* Sorted names of /sys/bus/pci/devices; returns count or -errno. */
int sysfs_pci_list(char ***names);
/* Sorted entries of a directory (without dot files); count or -errno. */
int sysfs_list_dir(const char *path, char ***out);
void sysfs_names_free(char **names, int n);

/* Read everything about one function; returns 0 or -errno. */
int sysfs_pci_read(const char *name, struct sysfs_dev *d);

/*
 * Groups with at least one PCI member, sorted by id; returns the count or
 * -errno.  A missing /sys/kernel/iommu_groups is zero groups.
 */
int sysfs_groups_read(struct sysfs_group **groups);
void sysfs_groups_free(struct sysfs_group *groups, int n);

/* Write a sysfs attribute (whole string); returns 0 or -errno. */
int sysfs_write(const char *path, const char *val);

#endif
