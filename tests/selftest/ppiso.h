/* SPDX-License-Identifier: GPL-2.0 */
/*
 * isolation-get for the pcipass selftests: one form for the answers of
 * both interfaces (netlink isolation-get and PCIPASS_IOC_ISOLATION_GET),
 * strict parsers into it, a field-by-field comparison, and the check of an
 * answer against ground truth the module did not compute: the kernel's
 * IOMMU groups and drivers in sysfs, the sysfs device tree, and the ACS
 * and PCI Express capabilities found by walking each config space file.
 */
#ifndef PCIPASS_SELFTEST_PPISO_H
#define PCIPASS_SELFTEST_PPISO_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/pcipass.h>
#include <linux/pcipass_ioctl.h>

#include "nlhelp.h"
#include "sysfs.h"

/* The ACS flags the kernel requires for isolation (drivers/iommu/iommu.c). */
#define PP_ACS_SV		0x0001
#define PP_ACS_RR		0x0004
#define PP_ACS_CR		0x0008
#define PP_ACS_UF		0x0010
#define PP_ACS_REQUIRED		(PP_ACS_SV | PP_ACS_RR | PP_ACS_CR | PP_ACS_UF)

#define PP_ISO_MAX		64	/* entries kept per list */

struct pp_iso_hop {
	struct pci_addr addr;
	bool has_pcie;
	uint8_t pcie_type;
	bool has_acs;
	uint16_t acs_pos, acs_cap, acs_ctrl;
	uint8_t state;			/* enum pcipass_acs_state */
	uint16_t missing;
};

struct pp_iso_reason {
	uint8_t code;			/* enum pcipass_reason */
	struct pci_addr subject;
	bool has_peer;
	struct pci_addr peer;
	bool has_cause;
	struct pci_addr cause;
	uint16_t missing;
};

struct pp_iso_blocker {
	struct pci_addr addr;
	char driver[256];
};

/* One answer, from either interface. */
struct pp_iso {
	struct pci_addr addr;
	bool has_group;
	uint32_t group;
	bool ready;
	bool truncated;
	int nhops, nreasons, npred, nko, npo, nblk;
	struct pp_iso_hop hops[PP_ISO_MAX];
	struct pp_iso_reason reasons[PP_ISO_MAX];
	struct pci_addr pred[PP_ISO_MAX];
	struct pci_addr ko[PP_ISO_MAX];		/* kernel-only */
	struct pci_addr po[PP_ISO_MAX];		/* predicted-only */
	struct pp_iso_blocker blk[PP_ISO_MAX];
};

/* Every PCI function and every IOMMU group, as sysfs shows them. */
struct pp_world {
	int n;
	struct sysfs_dev *sd;
	int ngroups;
	struct sysfs_group *groups;
};

int pp_world_read(struct pp_world *w);
void pp_world_free(struct pp_world *w);
/* Index of the function in w->sd, or -1. */
int pp_world_find(const struct pp_world *w, const struct pci_addr *a);
/* The group with this id, or NULL. */
const struct sysfs_group *pp_world_group(const struct pp_world *w, uint32_t id);

/*
 * What a function contributes to isolation, from its config space alone,
 * by the rules of the spec's acs-state enum (the kernel's
 * pci_acs_enabled() without device quirks).  Returns the required flags
 * it lacks; *state gets the enum pcipass_acs_state.
 */
uint16_t pp_acs_rule(const struct sysfs_dev *d, uint8_t *state);

/*
 * The function, then every bridge above it, from the sysfs device tree
 * (the parent directories of its realpath that are PCI functions).
 * Returns the number of entries in idx[] (indices into w->sd), or -1 when
 * a parent is not in @w.
 */
int pp_world_path(const struct pp_world *w, int i, int *idx, int max);

/* An isolation-get request for @a. */
void pp_req_iso_get(struct nlb *b, uint16_t family, const struct pci_addr *a);

/*
 * A netlink isolation-get reply, every attribute checked for its type,
 * length and place.  0, or -EBADMSG with the reason in @why.
 */
int pp_parse_iso(const struct nlmsghdr *nlh, struct pp_iso *iso,
		 char *why, int whylen);

/*
 * An ioctl answer: also checks what only the fixed layout has (present
 * bits, reserved fields, counts against the arrays, zero bytes in unused
 * entries and after each driver name).  0, or -EBADMSG.
 */
int pp_iso_from_ioc(const struct pcipass_ioc_isolation *io, struct pp_iso *iso,
		    char *why, int whylen);

/*
 * The two answers field by field (the ioctl's shorter lists and names as
 * prefixes when it says it truncated).  Returns the number of differences.
 */
int pp_iso_diff(const struct pp_iso *nl, const struct pp_iso *ioc,
		char *why, int whylen);

/*
 * An answer about w->sd[i] against the ground truth: hops equal the sysfs
 * path with each hop's PCIe type and ACS words as its config space has
 * them and the acs-state the rules give; the kernel's group in sysfs is
 * exactly predicted + kernel-only - predicted-only; the reasons form the
 * predicted group (one founder, every other member joined once, causes
 * that fit their reason); blockers are the members of the kernel's group
 * on drivers other than vfio-pci, pci-stub and pcieport, with their sysfs
 * driver names, and ready means there are none.  Returns the number of
 * mismatches.
 */
int pp_iso_check(const struct pp_world *w, int i, const struct pp_iso *iso,
		 char *why, int whylen);

/* Whether prediction and kernel agree (kernel-only and predicted-only empty). */
static inline bool pp_iso_agrees(const struct pp_iso *iso)
{
	return !iso->nko && !iso->npo;
}

/* The position of @a in a list, or -1. */
int pp_addr_index(const struct pci_addr *list, int n, const struct pci_addr *a);

/* The reason whose subject is @a, or NULL. */
const struct pp_iso_reason *pp_iso_reason_of(const struct pp_iso *iso,
					     const struct pci_addr *a);

/* Printable names. */
const char *pp_reason_name(unsigned int code);
const char *pp_acs_state_name(unsigned int state);

/* "0000:01:00.0 0000:00:01.0" into @buf. */
void pp_addrs_fmt(const struct pci_addr *list, int n, char *buf, int len);

/* Netlink and ioctl helpers: 0 or -errno (netlink: rep->error). */
int pp_ioc_iso_get(int fd, const struct pci_addr *a,
		   struct pcipass_ioc_isolation *io);

#endif
