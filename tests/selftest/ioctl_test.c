// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pcipass ioctl ABI: the device node, the version query, and the
 * size/flags/reserved rules of uapi/linux/pcipass_ioctl.h with their exact
 * errnos.  Ground truth comparisons live in groundtruth_test.c.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "harness.h"

#include "ppcommon.h"
#include "ppiso.h"

_Static_assert(sizeof(struct pcipass_ioc_version) == PCIPASS_IOC_VERSION_SIZE_VER0,
	       "struct pcipass_ioc_version layout");
_Static_assert(sizeof(struct pcipass_ioc_device) == PCIPASS_IOC_DEVICE_SIZE_VER0,
	       "struct pcipass_ioc_device layout");
_Static_assert(sizeof(struct pcipass_ioc_isolation) == PCIPASS_IOC_ISOLATION_SIZE_VER0,
	       "struct pcipass_ioc_isolation layout");
_Static_assert(sizeof(struct pcipass_ioc_claim) == PCIPASS_IOC_CLAIM_SIZE_VER0,
	       "struct pcipass_ioc_claim layout");
_Static_assert(offsetof(struct pcipass_ioc_claim, addr) ==
	       offsetof(struct pcipass_ioc_device, addr), "claim: addr at the same offset");
/* The rules of the header apply to every struct: size, flags, addr first. */
_Static_assert(offsetof(struct pcipass_ioc_isolation, addr) ==
	       offsetof(struct pcipass_ioc_device, addr), "addr at the same offset");

#define IOC_RW(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, PCIPASS_IOC_MAGIC, (nr), (size))
#define DEV_NR			_IOC_NR(PCIPASS_IOC_DEVICE_GET)
#define VER_NR			_IOC_NR(PCIPASS_IOC_VERSION)
#define DEV_SIZE		sizeof(struct pcipass_ioc_device)
#define VER_SIZE		sizeof(struct pcipass_ioc_version)
#define ISO_NR			_IOC_NR(PCIPASS_IOC_ISOLATION_GET)
#define ISO_SIZE		sizeof(struct pcipass_ioc_isolation)
#define CLAIM_NR		_IOC_NR(PCIPASS_IOC_CLAIM)
#define RELEASE_NR		_IOC_NR(PCIPASS_IOC_RELEASE)
#define CLAIM_SIZE		sizeof(struct pcipass_ioc_claim)
#define UNUSED_NR		0x05	/* the first number no ioctl has */
#define DRY_RUN			PCIPASS_IOC_CLAIM_F_DRY_RUN

#define OPEN_DEV(fdp) do {						\
	*(fdp) = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);		\
	if (*(fdp) < 0 && errno == ENOENT && !pp_module_loaded())		\
		SKIP(return, "pcipass module not loaded");		\
	ASSERT_LE(0, *(fdp)) TH_LOG("open %s: %s", PCIPASS_DEV_PATH,	\
				    strerror(errno));			\
} while (0)

FIXTURE(ioc) {
	int fd;
	struct pci_addr valid;
	struct sysfs_dev sd;
};

FIXTURE_SETUP(ioc)
{
	char name[32];

	self->fd = -1;
	OPEN_DEV(&self->fd);
	ASSERT_EQ(0, pp_first_pci_addr(&self->valid));
	pci_addr_fmt(&self->valid, name, sizeof(name));
	ASSERT_EQ(0, sysfs_pci_read(name, &self->sd));
}

FIXTURE_TEARDOWN(ioc)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* A misc character device, readable and writable by root, readable by all. */
TEST_F(ioc, device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(PCIPASS_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0644U, st.st_mode & 07777);
	EXPECT_EQ(10U, major(st.st_rdev));	/* MISC_MAJOR */
	EXPECT_EQ(0U, st.st_uid);
}

TEST_F(ioc, version)
{
	struct pcipass_ioc_version v;

	memset(&v, 0, sizeof(v));
	v.size = sizeof(v);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &v));
	EXPECT_EQ((uint32_t)PCIPASS_IOC_ABI_VERSION, v.abi_version);
	EXPECT_EQ((uint32_t)PCIPASS_FAMILY_VERSION, v.genl_version);
	EXPECT_EQ(DEV_SIZE, v.device_size);
	EXPECT_EQ(0U, v.reserved);
	EXPECT_EQ(VER_SIZE, v.size);
	EXPECT_EQ(0U, v.flags);
}

/* Output fields are outputs: garbage in them is overwritten, not rejected. */
TEST_F(ioc, version_outputs_overwritten)
{
	struct pcipass_ioc_version v;

	memset(&v, 0xa5, sizeof(v));
	v.size = sizeof(v);
	v.flags = 0;
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &v));
	EXPECT_EQ((uint32_t)PCIPASS_IOC_ABI_VERSION, v.abi_version);
	EXPECT_EQ((uint32_t)PCIPASS_FAMILY_VERSION, v.genl_version);
	EXPECT_EQ(DEV_SIZE, v.device_size);
	EXPECT_EQ(0U, v.reserved);
}

TEST_F(ioc, version_bigger_struct_zero_tail)
{
	struct {
		struct pcipass_ioc_version v;
		uint8_t tail[40];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	ASSERT_EQ(0, pp_ioctl(self->fd, IOC_RW(VER_NR, sizeof(big)), &big));
	EXPECT_EQ((uint32_t)PCIPASS_IOC_ABI_VERSION, big.v.abi_version);
	EXPECT_EQ(DEV_SIZE, big.v.device_size);
	for (unsigned int i = 0; i < sizeof(big.tail); i++) {
		ASSERT_EQ(0, big.tail[i]) TH_LOG("tail byte %u written", i);
	}
}

TEST_F(ioc, version_bigger_struct_nonzero_tail)
{
	struct {
		struct pcipass_ioc_version v;
		uint8_t tail[40];
	} big;

	memset(&big, 0, sizeof(big));
	big.v.size = sizeof(big);
	big.tail[39] = 1;
	EXPECT_EQ(-E2BIG, pp_ioctl(self->fd, IOC_RW(VER_NR, sizeof(big)), &big));
	big.tail[39] = 0;
	big.tail[0] = 0x80;
	EXPECT_EQ(-E2BIG, pp_ioctl(self->fd, IOC_RW(VER_NR, sizeof(big)), &big));
}

TEST_F(ioc, version_errors)
{
	struct {
		struct pcipass_ioc_version v;
		uint8_t tail[8];
	} b;

	memset(&b, 0, sizeof(b));
	b.v.size = VER_SIZE;
	b.v.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &b));
	b.v.flags = 0x80000000;
	EXPECT_EQ(-EOPNOTSUPP, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &b));
	b.v.flags = 0;
	b.v.size = VER_SIZE + 8;	/* size field disagrees with the number */
	EXPECT_EQ(-EINVAL, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &b));
	b.v.size = VER_SIZE - 4;
	EXPECT_EQ(-EINVAL, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &b));
	b.v.size = 0;
	EXPECT_EQ(-EINVAL, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, &b));
	b.v.size = 16;			/* below PCIPASS_IOC_VERSION_SIZE_VER0 */
	EXPECT_EQ(-EINVAL, pp_ioctl(self->fd, IOC_RW(VER_NR, 16), &b));
	b.v.size = 8;
	EXPECT_EQ(-EINVAL, pp_ioctl(self->fd, IOC_RW(VER_NR, 8), &b));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, NULL));
}

TEST_F(ioc, device_get_basic)
{
	struct pcipass_ioc_device d;
	char why[2048] = "";
	bool priv = geteuid() == 0;

	ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &d));
	EXPECT_EQ(0, pp_cmp_ioc(&self->sd, &d, priv, why, sizeof(why)))
		TH_LOG("%s: %s", self->sd.name, why);
	EXPECT_EQ(DEV_SIZE, d.size);
	EXPECT_EQ(0U, d.flags);
}

/* Garbage in every output field is replaced; absent facts come back 0. */
TEST_F(ioc, device_outputs_overwritten)
{
	struct pcipass_ioc_device d, ref;
	char why[2048] = "";
	bool priv = geteuid() == 0;

	ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &ref));
	memset(&d, 0xa5, sizeof(d));
	d.size = sizeof(d);
	d.flags = 0;
	d.addr.domain = self->valid.domain;
	d.addr.bus = self->valid.bus;
	d.addr.devfn = self->valid.devfn;
	d.addr.reserved = 0;
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, &d));
	EXPECT_EQ(0, pp_cmp_ioc(&self->sd, &d, priv, why, sizeof(why)))
		TH_LOG("%s: %s", self->sd.name, why);
	EXPECT_EQ(0, memcmp(&ref, &d, sizeof(d)))
		TH_LOG("answer depends on the old contents of output fields");
	EXPECT_EQ(0U, d.reserved);
	if (!(d.present & PCIPASS_DEV_F_IOMMU_GROUP)) {
		EXPECT_EQ(0U, d.iommu_group);
	}
	if (!(d.present & PCIPASS_DEV_F_VIRTFN)) {
		EXPECT_EQ(0U, d.physfn.domain | d.physfn.bus | d.physfn.devfn);
	}
	if (!(d.present & PCIPASS_DEV_F_UPSTREAM)) {
		EXPECT_EQ(0U, d.upstream.domain | d.upstream.bus | d.upstream.devfn);
	}
	if (!(d.present & PCIPASS_DEV_F_ACS)) {
		EXPECT_EQ(0U, d.acs_pos | d.acs_cap | d.acs_ctrl);
	}
	if (!(d.present & PCIPASS_DEV_F_DRIVER)) {
		EXPECT_EQ(0, d.driver[0]);
	}
	if (!(d.present & PCIPASS_DEV_F_DRIVER_OVERRIDE)) {
		EXPECT_EQ(0, d.driver_override[0]);
	}
}

/* A struct from newer userspace: accepted when the unknown tail is zero. */
TEST_F(ioc, device_bigger_struct_zero_tail)
{
	static const size_t extra[] = { 8, 16, 4096 };
	struct pcipass_ioc_device ref;
	char why[2048] = "";
	bool priv = geteuid() == 0;
	unsigned int i;

	ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &ref));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		size_t size = DEV_SIZE + extra[i];
		uint8_t buf[DEV_SIZE + 4096];
		struct pcipass_ioc_device *d = (void *)buf;
		size_t j;

		memset(buf, 0, sizeof(buf));
		d->size = size;
		d->addr.domain = self->valid.domain;
		d->addr.bus = self->valid.bus;
		d->addr.devfn = self->valid.devfn;
		ASSERT_EQ(0, pp_ioctl(self->fd, IOC_RW(DEV_NR, size), d))
			TH_LOG("size %zu", size);
		EXPECT_EQ(size, d->size);
		/* the known part is answered exactly as for the VER0 size */
		EXPECT_EQ(0, memcmp((char *)&ref + 8, (char *)d + 8, DEV_SIZE - 8));
		EXPECT_EQ(0, pp_cmp_ioc(&self->sd, d, priv, why, sizeof(why)))
			TH_LOG("%s: %s", self->sd.name, why);
		for (j = DEV_SIZE; j < sizeof(buf); j++)
			if (buf[j])
				break;
		EXPECT_EQ(sizeof(buf), j) TH_LOG("byte %zu past the struct written", j);
	}
}

TEST_F(ioc, device_bigger_struct_nonzero_tail)
{
	uint8_t buf[DEV_SIZE + 64];
	struct pcipass_ioc_device *d = (void *)buf;
	size_t pos[] = { DEV_SIZE, DEV_SIZE + 7, DEV_SIZE + 63 };
	unsigned int i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		memset(buf, 0, sizeof(buf));
		d->size = sizeof(buf);
		d->addr.domain = self->valid.domain;
		d->addr.bus = self->valid.bus;
		d->addr.devfn = self->valid.devfn;
		buf[pos[i]] = 0x01;
		EXPECT_EQ(-E2BIG, pp_ioctl(self->fd, IOC_RW(DEV_NR, sizeof(buf)), d))
			TH_LOG("non-zero byte at %zu", pos[i]);
		/* nothing written back on failure */
		EXPECT_EQ(0U, d->present);
		EXPECT_EQ(0U, d->vendor);
	}
}

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

/* ------------------------------------------------------------------ */
/* Bad user pointers.                                                  */

TEST_F(ioc, efault_null)
{
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, NULL));
}

TEST_F(ioc, efault_one)
{
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, (void *)1));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_VERSION, (void *)1));
}

TEST_F(ioc, efault_kernel_address)
{
	void *kaddr = (void *)0xffffffff81000000UL;

	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, kaddr));
}

TEST_F(ioc, efault_unmapped_page)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	void *p;

	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = p;
	d->size = DEV_SIZE;
	ASSERT_EQ(0, munmap(p, pg));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
}

/* The struct starts in a mapped page and runs into an unmapped one. */
TEST_F(ioc, efault_straddles_unmapped)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	char *p;

	p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + pg, pg));
	d = (void *)(p + pg - 64);
	memset(d, 0, 64);
	d->size = DEV_SIZE;
	d->addr.domain = self->valid.domain;
	d->addr.bus = self->valid.bus;
	d->addr.devfn = self->valid.devfn;
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
	munmap(p, pg);
}

/* A valid request in read-only memory: the answer cannot be written back. */
TEST_F(ioc, efault_read_only)
{
	long pg = sysconf(_SC_PAGESIZE);
	struct pcipass_ioc_device *d;
	void *p;

	p = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	d = p;
	d->size = DEV_SIZE;
	d->addr.domain = self->valid.domain;
	d->addr.bus = self->valid.bus;
	d->addr.devfn = self->valid.devfn;
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_DEVICE_GET, d));
	EXPECT_EQ(0U, d->present);
	munmap(p, pg);
}

/* Asking again and again gives the same answer. */
TEST_F(ioc, repeated_queries_stable)
{
	struct pcipass_ioc_device a, b;
	int i;

	ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &a));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, pp_ioc_dev_get(self->fd, &self->valid, &b));
		ASSERT_EQ(0, memcmp(&a, &b, sizeof(a))) TH_LOG("query %d differs", i);
	}
}

/* ------------------------------------------------------------------ */
/* PCIPASS_IOC_ISOLATION_GET: the struct rules, for a privileged opener. */

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

static void iso_req(void *buf, size_t size, const struct pci_addr *a)
{
	struct pcipass_ioc_isolation *io = buf;

	memset(buf, 0, size);
	io->size = size;
	io->addr.domain = a->domain;
	io->addr.bus = a->bus;
	io->addr.devfn = a->devfn;
}

static bool zero_from(const uint8_t *p, size_t from, size_t to)
{
	for (; from < to; from++)
		if (p[from])
			return false;
	return true;
}

TEST_F(ioc, isolation_basic)
{
	struct pcipass_ioc_isolation *io = calloc(1, ISO_SIZE);
	struct pp_iso *iso = calloc(1, sizeof(*iso));
	char why[2048] = "";

	NEED_ROOT();
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, iso);
	iso_req(io, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(ISO_SIZE, io->size);
	EXPECT_EQ(0U, io->flags);
	EXPECT_EQ(self->valid.domain, io->addr.domain);
	EXPECT_EQ(self->valid.bus, io->addr.bus);
	EXPECT_EQ(self->valid.devfn, io->addr.devfn);
	EXPECT_EQ(0U, io->addr.reserved);
	EXPECT_EQ(0, pp_iso_from_ioc(io, iso, why, sizeof(why))) TH_LOG("%s", why);
	ASSERT_LE(1U, io->nr_hops);
	EXPECT_EQ(self->valid.bus, io->hops[0].addr.bus);
	EXPECT_EQ(self->valid.devfn, io->hops[0].addr.devfn);
	EXPECT_LE(1U, io->nr_reasons);
	free(io);
	free(iso);
}

/* Garbage in every output field is replaced: the answer does not depend on it. */
TEST_F(ioc, isolation_outputs_overwritten)
{
	struct pcipass_ioc_isolation *io = malloc(ISO_SIZE), *ref = malloc(ISO_SIZE);

	NEED_ROOT();
	ASSERT_NE(NULL, io);
	ASSERT_NE(NULL, ref);
	iso_req(ref, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, ref));
	memset(io, 0xa5, ISO_SIZE);
	io->size = ISO_SIZE;
	io->flags = 0;
	io->addr = ref->addr;
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(0, memcmp(ref, io, ISO_SIZE))
		TH_LOG("answer depends on the old contents of output fields");
	free(io);
	free(ref);
}

/* A struct from newer userspace: accepted when the unknown tail is zero. */
TEST_F(ioc, isolation_bigger_struct_zero_tail)
{
	static const size_t extra[] = { 8, 64, 4096 };
	uint8_t *ref = malloc(ISO_SIZE), *buf = malloc(ISO_SIZE + 4096 + 64);
	unsigned int i;

	NEED_ROOT();
	ASSERT_NE(NULL, ref);
	ASSERT_NE(NULL, buf);
	iso_req(ref, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, ref));
	for (i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		size_t size = ISO_SIZE + extra[i];

		iso_req(buf, ISO_SIZE + 4096 + 64, &self->valid);
		((struct pcipass_ioc_isolation *)buf)->size = size;
		ASSERT_EQ(0, pp_ioctl(self->fd, IOC_RW(ISO_NR, size), buf))
			TH_LOG("size %zu", size);
		EXPECT_EQ(size, ((struct pcipass_ioc_isolation *)buf)->size);
		EXPECT_EQ(0, memcmp(ref + 4, buf + 4, ISO_SIZE - 4))
			TH_LOG("size %zu: the known part differs", size);
		EXPECT_TRUE(zero_from(buf, ISO_SIZE, ISO_SIZE + 4096 + 64))
			TH_LOG("size %zu: bytes past the known struct written", size);
	}
	free(ref);
	free(buf);
}

TEST_F(ioc, isolation_bigger_struct_nonzero_tail)
{
	static const size_t pos[] = { 0, 7, 63 };
	uint8_t *buf = malloc(ISO_SIZE + 64);
	unsigned int i;

	NEED_ROOT();
	ASSERT_NE(NULL, buf);
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		iso_req(buf, ISO_SIZE + 64, &self->valid);
		buf[ISO_SIZE + pos[i]] = 0x01;
		EXPECT_EQ(-E2BIG, pp_ioctl(self->fd, IOC_RW(ISO_NR, ISO_SIZE + 64), buf))
			TH_LOG("non-zero byte at %zu", ISO_SIZE + pos[i]);
		/* nothing written back on failure */
		EXPECT_TRUE(zero_from(buf, 24, ISO_SIZE));
	}
	free(buf);
}

TEST_F(ioc, isolation_efault)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t span = (ISO_SIZE + pg - 1) / pg * pg;
	struct pcipass_ioc_isolation *io;
	char *p;

	NEED_ROOT();
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, NULL));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, (void *)1));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET,
				    (void *)0xffffffff81000000UL));

	/* runs into an unmapped page */
	p = mmap(NULL, span + pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + span, pg));
	io = (void *)(p + span - ISO_SIZE + 8);
	iso_req(io, ISO_SIZE - 8, &self->valid);
	io->size = ISO_SIZE;
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));

	/* a valid request in read-only memory: the answer cannot be written */
	io = (void *)p;
	iso_req(io, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, mprotect(p, span, PROT_READ));
	EXPECT_EQ(-EFAULT, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(0U, io->present);
	EXPECT_EQ(0U, io->nr_hops);
	munmap(p, span);
}

/* Asking again and again gives the same answer. */
TEST_F(ioc, isolation_repeated_queries_stable)
{
	struct pcipass_ioc_isolation *a = malloc(ISO_SIZE), *b = malloc(ISO_SIZE);
	int i;

	NEED_ROOT();
	ASSERT_NE(NULL, a);
	ASSERT_NE(NULL, b);
	iso_req(a, ISO_SIZE, &self->valid);
	ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, a));
	for (i = 0; i < 20; i++) {
		iso_req(b, ISO_SIZE, &self->valid);
		ASSERT_EQ(0, pp_ioctl(self->fd, PCIPASS_IOC_ISOLATION_GET, b));
		ASSERT_EQ(0, memcmp(a, b, ISO_SIZE)) TH_LOG("query %d differs", i);
	}
	free(a);
	free(b);
}

/* ------------------------------------------------------------------ */
/* PCIPASS_IOC_CLAIM / PCIPASS_IOC_RELEASE: privilege and dry runs.   */

static void claim_req(struct pcipass_ioc_claim *c, const struct pci_addr *a,
		      uint32_t flags)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = flags | DRY_RUN;	/* never a real claim in this file */
	c->addr.domain = a->domain;
	c->addr.bus = a->bus;
	c->addr.devfn = a->devfn;
}

/* What a claim could change: driver, override, group of every function. */
struct snap {
	int n;
	char **names;
	struct sysfs_dev *sd;
};

static int snap_take(struct snap *sn)
{
	int i;

	sn->n = sysfs_pci_list(&sn->names);
	if (sn->n <= 0)
		return -1;
	sn->sd = calloc(sn->n, sizeof(*sn->sd));
	if (!sn->sd)
		return -1;
	for (i = 0; i < sn->n; i++)
		if (sysfs_pci_read(sn->names[i], &sn->sd[i]))
			return -1;
	return 0;
}

static void snap_free(struct snap *sn)
{
	sysfs_names_free(sn->names, sn->n);
	free(sn->sd);
}

/* 0, or the index of the first function that changed (+1) */
static int snap_diff(const struct snap *a, const struct snap *b)
{
	int i;

	if (a->n != b->n)
		return 1;
	for (i = 0; i < a->n; i++) {
		const struct sysfs_dev *x = &a->sd[i], *y = &b->sd[i];

		if (strcmp(x->name, y->name) || x->has_driver != y->has_driver ||
		    strcmp(x->driver, y->driver) ||
		    x->has_override != y->has_override ||
		    strcmp(x->override, y->override) ||
		    x->has_group != y->has_group || x->group != y->group)
			return i + 1;
	}
	return 0;
}

/*
 * A dry-run claim by root of every function: 0 (planned, or already
 * claimed), refused (EBUSY: the boot VGA or active VFs), a group
 * of bridges only (EINVAL) or no IOMMU group (ENXIO); whatever the
 * answer, no driver, override or group changed.  A plan lists exactly the
 * PCI functions of the group.  At least one function can be planned.
 */
TEST_F(ioc, claim_dry_run_changes_nothing)
{
	struct pcipass_ioc_claim *c = malloc(CLAIM_SIZE);
	struct snap before, after;
	int i, planned = 0, d;

	NEED_ROOT();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, snap_take(&before));
	for (i = 0; i < before.n; i++) {
		const struct sysfs_dev *sd = &before.sd[i];
		unsigned int j, k, members = 0;
		int ret;

		claim_req(c, &sd->addr, 0);
		ret = pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, c);
		TH_LOG("%s: %s, outcome %u, %u members, message '%.160s'",
		       sd->name, ret ? strerror(-ret) : "planned", c->outcome,
		       c->nr_members, c->message);
		if (!sd->has_group) {
			EXPECT_EQ(-ENXIO, ret);
			continue;
		}
		EXPECT_TRUE(ret == 0 || ret == -EBUSY || ret == -EINVAL)
			TH_LOG("%s: %d", sd->name, ret);
		EXPECT_EQ(CLAIM_SIZE, c->size);
		EXPECT_EQ(DRY_RUN, c->flags);
		EXPECT_NE(0U, c->present & PCIPASS_CLAIM_P_GROUP);
		EXPECT_EQ(sd->group, c->group);
		EXPECT_EQ(0U, c->txid);
		for (k = 0; k < (unsigned int)before.n; k++)
			members += before.sd[k].has_group &&
				   before.sd[k].group == sd->group;
		EXPECT_EQ(members, c->nr_members);
		if (ret)
			continue;
		planned++;
		EXPECT_TRUE(c->outcome == PCIPASS_OUTCOME_PLANNED ||
			    c->outcome == PCIPASS_OUTCOME_ALREADY_CLAIMED);
		EXPECT_EQ(0, strcmp(c->driver, "vfio-pci")) TH_LOG("%s", c->driver);
		for (j = 0; j < c->nr_members && j < PCIPASS_IOC_CLAIM_MEMBERS; j++) {
			const struct pcipass_ioc_claim_member *m = &c->members[j];
			struct pci_addr ma = {
				.domain = m->addr.domain, .bus = m->addr.bus,
				.devfn = m->addr.devfn,
			};
			char name[32];
			struct sysfs_dev msd;

			pci_addr_fmt(&ma, name, sizeof(name));
			ASSERT_EQ(0, sysfs_pci_read(name, &msd)) TH_LOG("%s", name);
			EXPECT_EQ(sd->group, msd.group) TH_LOG("%s", name);
			EXPECT_EQ(0, m->error);
			EXPECT_TRUE(m->state == PCIPASS_MEMBER_PLANNED ||
				    m->state == PCIPASS_MEMBER_ALREADY ||
				    m->state == PCIPASS_MEMBER_SKIPPED_BRIDGE)
				TH_LOG("%s: state %u", name, m->state);
			/* a plan names where the member comes from */
			if (m->state == PCIPASS_MEMBER_PLANNED) {
				EXPECT_EQ(0, strcmp(m->from_driver,
						    msd.has_driver ? msd.driver : ""))
					TH_LOG("%s: from '%s', sysfs '%s'", name,
					       m->from_driver, msd.driver);
			}
		}
	}
	EXPECT_LE(1, planned) TH_LOG("no function could be planned");
	ASSERT_EQ(0, snap_take(&after));
	d = snap_diff(&before, &after);
	EXPECT_EQ(0, d) TH_LOG("%s changed", d > 0 && d <= after.n ?
			       after.names[d - 1] : "the set of functions");
	snap_free(&before);
	snap_free(&after);
	free(c);
}

/* A dry-run release of a group pcipass did not claim: ENOENT, nothing moves. */
TEST_F(ioc, release_dry_run_unclaimed)
{
	struct pcipass_ioc_claim *c = malloc(CLAIM_SIZE);
	struct snap before, after;
	int ret;

	NEED_ROOT();
	ASSERT_NE(NULL, c);
	if (!self->sd.has_group)
		SKIP(return, "%s has no IOMMU group", self->sd.name);
	ASSERT_EQ(0, snap_take(&before));
	claim_req(c, &self->valid, 0);
	ret = pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, c);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("%s: %.160s", self->sd.name, c->message);
	EXPECT_NE(0U, c->present & PCIPASS_CLAIM_P_GROUP);
	EXPECT_EQ(self->sd.group, c->group);
	EXPECT_NE(0, c->message[0]);
	ASSERT_EQ(0, snap_take(&after));
	EXPECT_EQ(0, snap_diff(&before, &after));
	snap_free(&before);
	snap_free(&after);
	free(c);
}

/* Both need CAP_SYS_ADMIN: a root descriptor in an unprivileged caller. */
TEST_F(ioc, claim_unprivileged_caller_root_opener)
{
	struct pcipass_ioc_claim c, before;

	NEED_ROOT();
	ASSERT_EQ(0, pp_drop_privileges());
	claim_req(&c, &self->valid, 0);
	before = c;
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, NULL));
	EXPECT_EQ(0, memcmp(&before, &c, sizeof(c)));
}

/* ... and an unprivileged opener's descriptor in a root caller. */
TEST_F(ioc, claim_unprivileged_opener_root_caller)
{
	struct pcipass_ioc_claim c, before;
	int fd;

	NEED_ROOT();
	ASSERT_EQ(0, setegid(65534));
	ASSERT_EQ(0, seteuid(65534));
	fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(0, seteuid(0));
	ASSERT_EQ(0, setegid(0));
	ASSERT_LE(0, fd);
	claim_req(&c, &self->valid, 0);
	before = c;
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_CLAIM, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_RELEASE, &c));
	EXPECT_EQ(0, memcmp(&before, &c, sizeof(c)));
	/* the same request on root's own descriptor is looked at */
	EXPECT_NE(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, &c));
	close(fd);
}

TEST_HARNESS_MAIN
