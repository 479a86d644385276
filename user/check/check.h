/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CHECK_H
#define PCIPASS_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/verdict.h"
#include "lib/addrlist.h"
#include "nl/device.h"
#include "nl/iso.h"

struct impact;

/* What "pcipass check" was asked about. */
enum check_kind {
	CHECK_FUNCTION,		/* 01:00.0 */
	CHECK_SLOT,		/* 01:00: every function of the slot */
	CHECK_GROUP,		/* 12: every endpoint of IOMMU group 12 */
};

enum check_role {
	ROLE_NONE,		/* a bridge, or not passed through */
	ROLE_TARGET,		/* asked about */
	ROLE_COMPANION,		/* an endpoint sharing a target's group */
};

/* One function with the isolation-get answer about it, if fetched. */
struct check_fn {
	struct pp_device *dev;	/* points into check.all */
	enum check_role role;
	bool has_iso;
	struct pp_iso iso;
};

/* Everything "check" prints, fetched before anything is printed so that a
 * failure half way leaves no half-written document behind.
 */
struct check {
	enum check_kind kind;
	const char *arg;
	struct pp_addr addr;		/* function or slot */
	uint32_t group;			/* CHECK_GROUP */

	struct pp_devlist all;		/* the functions asked about, the
					 * other functions of their slots and
					 * their groups' members, by address */
	struct pp_devlist path;		/* the other functions the isolation
					 * answers name (bridges above) */
	struct check_fn *fns;		/* targets first, then companions */
	size_t nr_fns;
	size_t nr_targets;
	uint32_t *groups;		/* the targets' kernel groups, sorted */
	size_t nr_groups;
	struct verdict_result v;
	struct pp_addrlist others;	/* other functions of a target's slot,
					 * outside the groups */
	struct acs_cmdline cmdline;
	bool has_cmdline;
	bool primary_gpu;		/* a VGA controller goes to the VM */
	bool foreign_critical;		/* the host needs a foreign companion */
	struct impact *impact;
};

/* check/print.c (with check/print_verdict.c, check/print_path.c) */
void check_print(const struct check *c);

/* helpers shared by both halves */
const struct pp_device *check_find_dev(const struct check *c,
				       const struct pp_addr *a);
const char *addr_short(const struct pp_addr *a, char buf[ADDR_STRLEN]);

#endif
