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
#define UNUSED_NR		0x03	/* the first number no ioctl has */

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
	uint8_t raw[ISO_SIZE + 64];
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
};

FIXTURE_SETUP(iocerr)
{
	struct pci_addr valid;

	self->fd = -1;
	OPEN_DEV(&self->fd);
	memset(&self->b, 0, sizeof(self->b));
	self->b.d.size = variant->iso ? ISO_SIZE : DEV_SIZE;
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

static void check_rejected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(iocerr) *self,
			   const FIXTURE_VARIANT(iocerr) *variant, bool priv)
{
	union iocbuf before = self->b;
	int want = variant->err, ret;

	/* the command number decides first, privilege next */
	if (variant->iso && !priv && want != ENOTTY)
		want = EPERM;
	ret = pp_ioctl(self->fd, variant->cmd, variant->null_arg ? NULL : &self->b);
	EXPECT_EQ(-want, ret)
		TH_LOG("cmd %#lx: got %d (%s)", variant->cmd, ret, strerror(-ret));
	/* a rejected request leaves the caller's memory alone */
	EXPECT_EQ(0, memcmp(&before, &self->b, sizeof(before)));
}

TEST_F(iocerr, rejected)
{
	check_rejected(_metadata, self, variant, geteuid() == 0);
}

/* The same answer for an unprivileged opener (isolation: EPERM). */
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

TEST_HARNESS_MAIN
