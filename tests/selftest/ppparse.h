/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict parsers of pcipass replies: the device-get and group-get reply
 * messages, and the building blocks the other parsers (ppiso, ppclaim,
 * the fuzzer) share.  A failure appends its reason to a caller's buffer.
 */
#ifndef PCIPASS_SELFTEST_PPPARSE_H
#define PCIPASS_SELFTEST_PPPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pcipass.h>

#include "nlhelp.h"
#include "sysfs.h"

/* A device-get reply, every attribute checked for its exact length. */
struct pp_dev {
	uint32_t seen;			/* bit n: attribute type n was present */
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t subsystem_vendor, subsystem_device;
	uint32_t class;
	uint8_t revision;
	uint8_t header_type;
	uint8_t pcie_type;
	struct pci_addr physfn;
	char driver[256];
	char driver_override[4096];
	uint32_t iommu_group;
	struct pci_addr upstream;
	uint32_t acs_seen;		/* bit n: PCIPASS_A_ACS_n present */
	uint16_t acs_pos, acs_cap, acs_ctrl;
};

#define PP_HAS(d, attr)		(!!((d)->seen & (1u << (attr))))

struct pp_group {
	uint32_t id;
	int nmembers;
	struct pci_addr members[256];	/* in reply order */
};

/*
 * Parse one reply message.  Returns 0, or -EBADMSG with a reason in @why
 * (wrong command, unknown or duplicate attribute, bad length, incomplete
 * address nest, unterminated string...).
 */
int pp_parse_dev(const struct nlmsghdr *nlh, struct pp_dev *d,
		 char *why, int whylen);
int pp_parse_group(const struct nlmsghdr *nlh, struct pp_group *g,
		   char *why, int whylen);

/*
 * Building blocks of the strict reply parsers: each checks the attribute's
 * exact length (or, for an address, a nest of exactly domain, bus and
 * devfn) and appends the reason for a failure to @why; 0 or -EBADMSG.
 */
void pp_why_add(char *why, int whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pp_check_len(const struct nlattr *nla, int want, const char *name,
		 char *why, int whylen);
int pp_get_u8(const struct nlattr *nla, uint8_t *v, const char *name,
	      char *why, int whylen);
int pp_get_u16(const struct nlattr *nla, uint16_t *v, const char *name,
	       char *why, int whylen);
int pp_get_u32(const struct nlattr *nla, uint32_t *v, const char *name,
	       char *why, int whylen);
int pp_get_str(const struct nlattr *nla, char *buf, size_t len,
	       const char *name, char *why, int whylen);
int pp_get_addr(const struct nlattr *nest, struct pci_addr *a,
		const char *name, char *why, int whylen);
/* The genl header of a reply: this command, the family's version. */
int pp_check_genl_hdr(const struct nlmsghdr *nlh, uint8_t cmd,
		      char *why, int whylen);

#endif
