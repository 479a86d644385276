/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioctl_test's iocerr.* fixture: a table of requests the module must
 * reject, each with its exact errno (unknown numbers and directions:
 * ENOTTY; size, flags, reserved and address rules: EINVAL, EOPNOTSUPP;
 * no such function: ENODEV; NULL: EFAULT) for the device, isolation,
 * claim and release ioctls, run by root and by an unprivileged opener
 * (isolation, claim, release: EPERM before anything else).  A rejected
 * request leaves the caller's memory alone.
 *
 * A file of its own: its own fixture and over eighty variants, one
 * concern that alone would be half of ioctl_test.c.
 *
 * Part of ioctl_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ioctl_common.h"

/* ------------------------------------------------------------------ */
/* Table of rejected requests.                                         */

union iocbuf {
	struct pcipass_ioc_device d;
	struct pcipass_ioc_version v;
	struct pcipass_ioc_isolation i;
	struct pcipass_ioc_claim c;
	uint8_t raw[CLAIM_SIZE + 64];
};

typedef void (*prep_fn)(union iocbuf *b);

FIXTURE(iocerr) {
	int fd;
	union iocbuf b;
};

FIXTURE_VARIANT(iocerr) {
	unsigned long cmd;
	prep_fn prep;		/* turn a valid device request into the bad one */
	int err;		/* expected errno, positive */
	bool null_arg;		/* pass NULL instead of the buffer */
	bool use_addr;		/* ask for .addr (must not exist) */
	struct pcipass_ioc_addr addr;
	/*
	 * An isolation request (size field ISO_SIZE): an opener without
	 * CAP_SYS_ADMIN gets EPERM before anything else is looked at.
	 */
	bool iso;
	/*
	 * A claim or release request (size field CLAIM_SIZE, dry run, the
	 * valid function as target): EPERM for anyone without
	 * CAP_SYS_ADMIN, opener or caller.  None of them gets to act.
	 */
	bool claim;
	/*
	 * The claim looked for its target and failed: the report (message)
	 * is written back into the struct.
	 */
	bool report;
};

FIXTURE_SETUP(iocerr)
{
	struct pci_addr valid;

	self->fd = -1;
	OPEN_DEV(&self->fd);
	memset(&self->b, 0, sizeof(self->b));
	self->b.d.size = variant->claim ? CLAIM_SIZE :
			 variant->iso ? ISO_SIZE : DEV_SIZE;
	if (variant->claim)
		self->b.c.flags = DRY_RUN;
	if (variant->use_addr) {
		struct pci_addr a = {
			.domain = variant->addr.domain,
			.bus = variant->addr.bus,
			.devfn = variant->addr.devfn,
		};

		if (variant->addr.bus <= 0xff && variant->addr.devfn <= 0xff &&
		    pp_sysfs_has(&a))
			SKIP(return, "the address exists here");
		self->b.d.addr = variant->addr;
	} else {
		ASSERT_EQ(0, pp_first_pci_addr(&valid));
		self->b.d.addr.domain = valid.domain;
		self->b.d.addr.bus = valid.bus;
		self->b.d.addr.devfn = valid.devfn;
	}
	if (variant->prep)
		variant->prep(&self->b);
}

FIXTURE_TEARDOWN(iocerr)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void prep_size_small(union iocbuf *b)	{ b->d.size = DEV_SIZE - 4; }
static void prep_size_big(union iocbuf *b)	{ b->d.size = DEV_SIZE + 8; }
static void prep_size_zero(union iocbuf *b)	{ b->d.size = 0; }
static void prep_size_huge(union iocbuf *b)	{ b->d.size = 0xffffffff; }
static void prep_size_ver0_m4(union iocbuf *b)	{ b->d.size = PCIPASS_IOC_DEVICE_SIZE_VER0 - 4; }
static void prep_size_8(union iocbuf *b)	{ b->d.size = 8; }
static void prep_flags_1(union iocbuf *b)	{ b->d.flags = 1; }
static void prep_flags_high(union iocbuf *b)	{ b->d.flags = 0x80000000; }
static void prep_addr_reserved(union iocbuf *b)	{ b->d.addr.reserved = 1; }
static void prep_addr_reserved_high(union iocbuf *b) { b->d.addr.reserved = 0x80000000; }
static void prep_bus_256(union iocbuf *b)	{ b->d.addr.bus = 0x100; }
static void prep_bus_max(union iocbuf *b)	{ b->d.addr.bus = 0xffffffff; }
static void prep_devfn_256(union iocbuf *b)	{ b->d.addr.devfn = 0x100; }
static void prep_devfn_max(union iocbuf *b)	{ b->d.addr.devfn = 0xffffffff; }
static void prep_iso_small(union iocbuf *b)	{ b->i.size = ISO_SIZE - 4; }
static void prep_iso_big(union iocbuf *b)	{ b->i.size = ISO_SIZE + 8; }
static void prep_iso_dev_size(union iocbuf *b)	{ b->i.size = DEV_SIZE; }
static void prep_iso_ver0_m4(union iocbuf *b)	{ b->i.size = PCIPASS_IOC_ISOLATION_SIZE_VER0 - 4; }
static void prep_cl_small(union iocbuf *b)	{ b->c.size = CLAIM_SIZE - 4; }
static void prep_cl_big(union iocbuf *b)	{ b->c.size = CLAIM_SIZE + 8; }
static void prep_cl_iso_size(union iocbuf *b)	{ b->c.size = ISO_SIZE; }
static void prep_cl_ver0_m4(union iocbuf *b)	{ b->c.size = PCIPASS_IOC_CLAIM_SIZE_VER0 - 4; }
static void prep_cl_flags_8(union iocbuf *b)	{ b->c.flags = DRY_RUN | 8; }
static void prep_cl_flags_high(union iocbuf *b)	{ b->c.flags = DRY_RUN | 0x80000000; }
static void prep_cl_present(union iocbuf *b)	{ b->c.present = PCIPASS_CLAIM_P_GROUP; }
static void prep_cl_outcome(union iocbuf *b)	{ b->c.outcome = PCIPASS_OUTCOME_PLANNED; }
static void prep_cl_nr_members(union iocbuf *b)	{ b->c.nr_members = 1; }
static void prep_cl_nr_blockers(union iocbuf *b) { b->c.nr_blockers = 1; }
static void prep_cl_reserved(union iocbuf *b)	{ b->c.txid = 1; }
static void prep_cl_message(union iocbuf *b)	{ b->c.message[0] = 'x'; }
static void prep_cl_member_state(union iocbuf *b) { b->c.members[0].state = 1; }
static void prep_cl_driver_no_nul(union iocbuf *b)
{
	memset(b->c.driver, 'x', sizeof(b->c.driver));
}
static void prep_cl_driver(union iocbuf *b)	{ strcpy(b->c.driver, "vfio-pci"); }
/* by group, but an address given as well */
static void prep_cl_group_and_addr(union iocbuf *b)
{
	b->c.flags |= PCIPASS_IOC_CLAIM_F_GROUP;
	b->c.addr.bus = 1;	/* not all zero, whatever the function */
}
/* a group without PCIPASS_IOC_CLAIM_F_GROUP */
static void prep_cl_group_no_flag(union iocbuf *b) { b->c.group = 1; }
static void prep_cl_absent_group(union iocbuf *b)
{
	memset(&b->c.addr, 0, sizeof(b->c.addr));
	b->c.flags |= PCIPASS_IOC_CLAIM_F_GROUP;
	b->c.group = 0xfffffff0;
}

/* -- unknown ioctls -- */
FIXTURE_VARIANT_ADD(iocerr, enotty_magic) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC + 1, 0x01, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_3) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, UNUSED_NR, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_3_iso_size) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, UNUSED_NR, struct pcipass_ioc_isolation),
	.err = ENOTTY, .iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_ff) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, 0xff, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_ior) {
	.cmd = _IOR(PCIPASS_IOC_MAGIC, 0x01, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_iow) {
	.cmd = _IOW(PCIPASS_IOC_MAGIC, 0x01, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_io) {
	.cmd = _IO(PCIPASS_IOC_MAGIC, 0x01),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_io_version) {
	.cmd = _IO(PCIPASS_IOC_MAGIC, 0x00),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_ior_version) {
	.cmd = _IOR(PCIPASS_IOC_MAGIC, 0x00, struct pcipass_ioc_version),
	.err = ENOTTY,
};
/* decided from the number alone: a bad pointer does not turn it into EFAULT */
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_3_null) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, UNUSED_NR, struct pcipass_ioc_device),
	.err = ENOTTY, .null_arg = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_iso_ior) {
	.cmd = _IOR(PCIPASS_IOC_MAGIC, ISO_NR, struct pcipass_ioc_isolation),
	.err = ENOTTY, .iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_iso_io) {
	.cmd = _IO(PCIPASS_IOC_MAGIC, ISO_NR),
	.err = ENOTTY, .iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_5_claim_size) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, UNUSED_NR, struct pcipass_ioc_claim),
	.err = ENOTTY, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_claim_ior) {
	.cmd = _IOR(PCIPASS_IOC_MAGIC, CLAIM_NR, struct pcipass_ioc_claim),
	.err = ENOTTY, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_claim_iow) {
	.cmd = _IOW(PCIPASS_IOC_MAGIC, CLAIM_NR, struct pcipass_ioc_claim),
	.err = ENOTTY, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_claim_io) {
	.cmd = _IO(PCIPASS_IOC_MAGIC, CLAIM_NR), .err = ENOTTY, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_release_ior) {
	.cmd = _IOR(PCIPASS_IOC_MAGIC, RELEASE_NR, struct pcipass_ioc_claim),
	.err = ENOTTY, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_tcgets) {
	.cmd = 0x5401,	/* TCGETS: not a tty */
	.err = ENOTTY,
};

/* -- size rules -- */
FIXTURE_VARIANT_ADD(iocerr, size_field_smaller) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_size_small, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, size_field_bigger) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_size_big, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, size_field_zero) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_size_zero, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, size_field_huge) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_size_huge, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, ioc_size_below_ver0) {
	.cmd = IOC_RW(DEV_NR, PCIPASS_IOC_DEVICE_SIZE_VER0 - 4),
	.prep = prep_size_ver0_m4, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, ioc_size_8) {
	.cmd = IOC_RW(DEV_NR, 8), .prep = prep_size_8, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, ioc_size_0) {
	.cmd = IOC_RW(DEV_NR, 0), .prep = prep_size_zero, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, ioc_size_bigger_field_ver0) {
	.cmd = IOC_RW(DEV_NR, DEV_SIZE + 8), .err = EINVAL,
};

/* -- flags -- */
FIXTURE_VARIANT_ADD(iocerr, flags_1) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_flags_1, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(iocerr, flags_high) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_flags_high, .err = EOPNOTSUPP,
};

/* -- malformed address -- */
FIXTURE_VARIANT_ADD(iocerr, addr_reserved) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_addr_reserved, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, addr_reserved_high) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_addr_reserved_high, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, bus_256) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_bus_256, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, bus_max) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_bus_max, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, devfn_256) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_devfn_256, .err = EINVAL,
};
FIXTURE_VARIANT_ADD(iocerr, devfn_max) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .prep = prep_devfn_max, .err = EINVAL,
};

/* -- no such function -- */
FIXTURE_VARIANT_ADD(iocerr, absent_bus_fe) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .err = ENODEV,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(iocerr, absent_domain_7777) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .err = ENODEV,
	.use_addr = true, .addr = { .domain = 0x7777 },
};
FIXTURE_VARIANT_ADD(iocerr, absent_domain_max) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .err = ENODEV,
	.use_addr = true, .addr = { .domain = 0xffffffff },
};
FIXTURE_VARIANT_ADD(iocerr, absent_domain_int_min) {
	.cmd = PCIPASS_IOC_DEVICE_GET, .err = ENODEV,
	.use_addr = true, .addr = { .domain = 0x80000000 },
};

/* -- PCIPASS_IOC_ISOLATION_GET: the same rules (unprivileged: EPERM) -- */
FIXTURE_VARIANT_ADD(iocerr, iso_size_field_smaller) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_iso_small, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_size_field_bigger) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_iso_big, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_size_field_device) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_iso_dev_size, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_size_field_zero) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_size_zero, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_ioc_size_below_ver0) {
	.cmd = IOC_RW(ISO_NR, PCIPASS_IOC_ISOLATION_SIZE_VER0 - 4),
	.prep = prep_iso_ver0_m4, .err = EINVAL, .iso = true,
};
/* the device struct's size in the isolation number: below its VER0 */
FIXTURE_VARIANT_ADD(iocerr, iso_ioc_size_device) {
	.cmd = IOC_RW(ISO_NR, DEV_SIZE), .prep = prep_iso_dev_size, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_ioc_size_8) {
	.cmd = IOC_RW(ISO_NR, 8), .prep = prep_size_8, .err = EINVAL, .iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_flags_1) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_flags_1, .err = EOPNOTSUPP,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_flags_high) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_flags_high, .err = EOPNOTSUPP,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_addr_reserved) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_addr_reserved, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_bus_256) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_bus_256, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_devfn_max) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .prep = prep_devfn_max, .err = EINVAL,
	.iso = true,
};
FIXTURE_VARIANT_ADD(iocerr, iso_absent_bus_fe) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .err = ENODEV, .iso = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(iocerr, iso_absent_domain_max) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .err = ENODEV, .iso = true,
	.use_addr = true, .addr = { .domain = 0xffffffff },
};
FIXTURE_VARIANT_ADD(iocerr, iso_null) {
	.cmd = PCIPASS_IOC_ISOLATION_GET, .err = EFAULT, .iso = true,
	.null_arg = true,
};

/*
 * -- PCIPASS_IOC_CLAIM / PCIPASS_IOC_RELEASE: every request a dry run;
 * unprivileged: EPERM before anything else (even a NULL pointer).
 */
FIXTURE_VARIANT_ADD(iocerr, claim_size_field_smaller) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_small, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_size_field_bigger) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_big, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_size_field_zero) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_size_zero, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_ioc_size_below_ver0) {
	.cmd = IOC_RW(CLAIM_NR, PCIPASS_IOC_CLAIM_SIZE_VER0 - 4),
	.prep = prep_cl_ver0_m4, .err = EINVAL, .claim = true,
};
/* the isolation struct's size in the claim number: below its VER0 */
FIXTURE_VARIANT_ADD(iocerr, claim_ioc_size_isolation) {
	.cmd = IOC_RW(CLAIM_NR, ISO_SIZE), .prep = prep_cl_iso_size, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_ioc_size_8) {
	.cmd = IOC_RW(CLAIM_NR, 8), .prep = prep_size_8, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_flags_unknown_bit) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_flags_8, .err = EOPNOTSUPP,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_flags_high) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_flags_high, .err = EOPNOTSUPP,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_present) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_present, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_outcome) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_outcome, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_nr_members) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_nr_members, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_nr_blockers) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_nr_blockers, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_reserved) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_reserved, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_message) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_message, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_out_member_state) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_member_state, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_driver_no_nul) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_driver_no_nul, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_group_and_addr) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_group_and_addr, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_group_without_flag) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_group_no_flag, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_addr_reserved) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_addr_reserved, .err = EINVAL,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_bus_256) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_bus_256, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_devfn_max) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_devfn_max, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_absent_bus_fe) {
	.cmd = PCIPASS_IOC_CLAIM, .err = ENODEV, .claim = true, .report = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(iocerr, claim_absent_group) {
	.cmd = PCIPASS_IOC_CLAIM, .prep = prep_cl_absent_group, .err = ENOENT,
	.claim = true, .report = true,
};
FIXTURE_VARIANT_ADD(iocerr, claim_null) {
	.cmd = PCIPASS_IOC_CLAIM, .err = EFAULT, .claim = true, .null_arg = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_size_field_smaller) {
	.cmd = PCIPASS_IOC_RELEASE, .prep = prep_cl_small, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_ioc_size_8) {
	.cmd = IOC_RW(RELEASE_NR, 8), .prep = prep_size_8, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_flags_unknown_bit) {
	.cmd = PCIPASS_IOC_RELEASE, .prep = prep_cl_flags_8, .err = EOPNOTSUPP,
	.claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_out_present) {
	.cmd = PCIPASS_IOC_RELEASE, .prep = prep_cl_present, .err = EINVAL,
	.claim = true,
};
/* release takes no driver */
FIXTURE_VARIANT_ADD(iocerr, release_driver) {
	.cmd = PCIPASS_IOC_RELEASE, .prep = prep_cl_driver, .err = EINVAL, .claim = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_absent_bus_fe) {
	.cmd = PCIPASS_IOC_RELEASE, .err = ENODEV, .claim = true, .report = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(iocerr, release_absent_group) {
	.cmd = PCIPASS_IOC_RELEASE, .prep = prep_cl_absent_group, .err = ENOENT,
	.claim = true, .report = true,
};
FIXTURE_VARIANT_ADD(iocerr, release_null) {
	.cmd = PCIPASS_IOC_RELEASE, .err = EFAULT, .claim = true, .null_arg = true,
};

static void check_rejected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(iocerr) *self,
			   const FIXTURE_VARIANT(iocerr) *variant, bool priv)
{
	union iocbuf before = self->b;
	int want = variant->err, ret;

	/* the command number decides first, privilege next */
	if ((variant->iso || variant->claim) && !priv && want != ENOTTY)
		want = EPERM;
	/* never anything but a dry run here (claim_test.c claims for real) */
	if (variant->claim && _IOC_NR(variant->cmd) == CLAIM_NR && !variant->null_arg)
		ASSERT_TRUE(self->b.c.size < 8 || (self->b.c.flags & DRY_RUN));
	ret = pp_ioctl(self->fd, variant->cmd, variant->null_arg ? NULL : &self->b);
	EXPECT_EQ(-want, ret)
		TH_LOG("cmd %#lx: got %d (%s)", variant->cmd, ret, strerror(-ret));
	if (variant->report && want != EPERM) {
		/*
		 * The target was looked for: the report comes back, with the
		 * request, no group and a message saying why.
		 */
		EXPECT_EQ(0, memcmp(&before, &self->b, offsetof(struct pcipass_ioc_claim, present)));
		EXPECT_EQ(0U, self->b.c.present & PCIPASS_CLAIM_P_GROUP);
		EXPECT_EQ(0U, self->b.c.nr_members);
		EXPECT_NE(0, self->b.c.message[0]);
		EXPECT_NE(NULL, memchr(self->b.c.message, 0, sizeof(self->b.c.message)));
		TH_LOG("message: %.160s", self->b.c.message);
		return;
	}
	/* a rejected request leaves the caller's memory alone */
	EXPECT_EQ(0, memcmp(&before, &self->b, sizeof(before)));
}

TEST_F(iocerr, rejected)
{
	check_rejected(_metadata, self, variant, geteuid() == 0);
}

/* The same answer for an unprivileged opener (isolation, claim: EPERM). */
TEST_F(iocerr, rejected_unprivileged)
{
	if (geteuid() == 0) {
		ASSERT_EQ(0, pp_drop_privileges());
	}
	close(self->fd);
	self->fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open as uid %d: %s", geteuid(),
				      strerror(errno));
	check_rejected(_metadata, self, variant, false);
}
