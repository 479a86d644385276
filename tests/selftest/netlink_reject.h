/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr fixture: one malformed or unsatisfiable request a
 * variant, and what the answer must be.  Here are what a variant says,
 * the request context its builder fills in (the offsets the extended ACK
 * must point at) and the fixture's setup; the variants, by command, are
 * in netlink_reject_{device,group,isolation,claim,cmd}.h, the checks and
 * the tests that run them in netlink_reject_check.h.
 *
 * A file of its own because the variant table is spread over a file a
 * command, and each of them needs these declarations first.  Part of
 * netlink_test.c's one translation unit (the harness keeps its test list
 * per file): included there once, before the variants.
 */
#ifndef PCIPASS_SELFTEST_NETLINK_REJECT_H
#define PCIPASS_SELFTEST_NETLINK_REJECT_H

#include <errno.h>
#include <stdint.h>

#include "netlink_common.h"

/* --- nlerr: malformed and unsatisfiable requests ------------------------- */

enum miss_mode {
	MISS_ABSENT = 0,	/* no NLMSGERR_ATTR_MISS_TYPE allowed */
	MISS_REQUIRED,		/* must be present and equal miss_type */
	MISS_OPTIONAL,		/* if present, must be one of miss_type[] */
	MISS_ANY,		/* don't care */
};

struct req_ctx {
	uint16_t family;
	struct pci_addr addr;	/* address to ask for */
	uint32_t group;		/* group id to ask for */
	size_t bad_off;		/* offset of the attribute to blame */
	size_t nest_off;	/* offset of the nest missing an attribute */
};

typedef void (*build_fn)(struct nlb *b, struct req_ctx *c);

FIXTURE(nlerr) {
	struct nl_sock s;
	struct req_ctx c;
};

FIXTURE_VARIANT(nlerr) {
	build_fn build;
	int err;		/* expected errno (positive) */
	bool need_msg;		/* an extack text message must be present */
	const char *msg;	/* ... and have exactly this text */
	bool check_offs;	/* NLMSGERR_ATTR_OFFS must equal c.bad_off */
	enum miss_mode miss;
	uint32_t miss_type[3];	/* acceptable missing types, 0-terminated */
	bool miss_nested;	/* MISS_NEST, if present, must be c.nest_off */
	bool use_addr;		/* ask for .addr instead of a valid function */
	struct pci_addr addr;
	uint32_t group;
	/*
	 * isolation-get needs CAP_SYS_ADMIN: an unprivileged caller gets this
	 * errno (with the module's text, nothing about attributes) instead,
	 * unless the policy rejected the request first.  0: the same answer.
	 */
	int unpriv_err;
	/*
	 * claim and release carry GENL_ADMIN_PERM: genetlink answers an
	 * unprivileged caller EPERM, without any extack, before the policy.
	 */
	bool admin;
	bool own_group;		/* ask for the group of the first function */
	/*
	 * A claim or release that found its group answers with the report
	 * (members, blockers) before the error: one reply message of this
	 * command is allowed as root.
	 */
	uint8_t report_cmd;
};

FIXTURE_SETUP(nlerr)
{
	self->s.fd = -1;
	NL_SETUP(&self->s, &self->c.family);
	if (variant->use_addr) {
		self->c.addr = variant->addr;
		if (pp_sysfs_has(&self->c.addr))
			SKIP(return, "%04x:%02x:%02x.%x exists here",
			     self->c.addr.domain, self->c.addr.bus,
			     self->c.addr.devfn >> 3, self->c.addr.devfn & 7);
	} else {
		ASSERT_EQ(0, pp_first_pci_addr(&self->c.addr));
	}
	self->c.group = variant->group;
	if (variant->own_group) {
		struct sysfs_dev sd;
		char name[32];

		pci_addr_fmt(&self->c.addr, name, sizeof(name));
		ASSERT_EQ(0, sysfs_pci_read(name, &sd));
		if (!sd.has_group)
			SKIP(return, "%s has no IOMMU group", name);
		self->c.group = sd.group;
	}
}

FIXTURE_TEARDOWN(nlerr)
{
	nl_close(&self->s);
}

#endif
