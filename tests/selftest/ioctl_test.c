// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pcipass ioctl ABI: the device node, the version query, and the
 * size/flags/reserved rules of uapi/linux/pcipass_ioctl.h with their exact
 * errnos.  Ground truth comparisons live in groundtruth_test.c.
 */
#include <errno.h>
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

_Static_assert(sizeof(struct pcipass_ioc_version) == PCIPASS_IOC_VERSION_SIZE_VER0,
	       "struct pcipass_ioc_version layout");
_Static_assert(sizeof(struct pcipass_ioc_device) == PCIPASS_IOC_DEVICE_SIZE_VER0,
	       "struct pcipass_ioc_device layout");

#define IOC_RW(nr, size)	_IOC(_IOC_READ | _IOC_WRITE, PCIPASS_IOC_MAGIC, (nr), (size))
#define DEV_NR			_IOC_NR(PCIPASS_IOC_DEVICE_GET)
#define VER_NR			_IOC_NR(PCIPASS_IOC_VERSION)
#define DEV_SIZE		sizeof(struct pcipass_ioc_device)
#define VER_SIZE		sizeof(struct pcipass_ioc_version)

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
	uint8_t raw[DEV_SIZE + 64];
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
};

FIXTURE_SETUP(iocerr)
{
	struct pci_addr valid;

	self->fd = -1;
	OPEN_DEV(&self->fd);
	memset(&self->b, 0, sizeof(self->b));
	self->b.d.size = DEV_SIZE;
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

/* -- unknown ioctls -- */
FIXTURE_VARIANT_ADD(iocerr, enotty_magic) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC + 1, 0x01, struct pcipass_ioc_device),
	.err = ENOTTY,
};
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_2) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, 0x02, struct pcipass_ioc_device),
	.err = ENOTTY,
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
FIXTURE_VARIANT_ADD(iocerr, enotty_nr_2_null) {
	.cmd = _IOWR(PCIPASS_IOC_MAGIC, 0x02, struct pcipass_ioc_device),
	.err = ENOTTY, .null_arg = true,
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

static void check_rejected(struct __test_metadata *_metadata,
			   FIXTURE_DATA(iocerr) *self,
			   const FIXTURE_VARIANT(iocerr) *variant)
{
	union iocbuf before = self->b;
	int ret;

	ret = pp_ioctl(self->fd, variant->cmd, variant->null_arg ? NULL : &self->b);
	EXPECT_EQ(-variant->err, ret)
		TH_LOG("cmd %#lx: got %d (%s)", variant->cmd, ret, strerror(-ret));
	/* a rejected request leaves the caller's memory alone */
	EXPECT_EQ(0, memcmp(&before, &self->b, sizeof(before)));
}

TEST_F(iocerr, rejected)
{
	check_rejected(_metadata, self, variant);
}

/* The same answer for an unprivileged opener. */
TEST_F(iocerr, rejected_unprivileged)
{
	if (geteuid() == 0) {
		ASSERT_EQ(0, pp_drop_privileges());
	}
	close(self->fd);
	self->fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open as uid %d: %s", geteuid(),
				      strerror(errno));
	check_rejected(_metadata, self, variant);
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

TEST_HARNESS_MAIN
