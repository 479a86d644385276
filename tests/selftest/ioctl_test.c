// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pcipass ioctl ABI: the device node, the version query, and the
 * size/flags/reserved rules of uapi/linux/pcipass_ioctl.h with their exact
 * errnos.  Ground truth comparisons live in groundtruth_test.c.
 *
 *   ioc.*      a valid request on /dev/pcipass: here the node,
 *              PCIPASS_IOC_VERSION and PCIPASS_IOC_DEVICE_GET (outputs
 *              overwritten, bigger structs with a zero or non-zero tail);
 *              bad user pointers and repeated queries in ioctl_efault.h,
 *              PCIPASS_IOC_ISOLATION_GET in ioctl_isolation.h, dry-run
 *              claims and release and their privilege in ioctl_claim.h;
 *   iocerr.*   the table of rejected requests, each by root and by an
 *              unprivileged opener: ioctl_rejected.h.
 *
 * What the parts share (command numbers, sizes, the ioc fixture):
 * ioctl_common.h.  The headers are included at the end, in the order
 * their tests were registered when this was one file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ioctl_common.h"

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

/*
 * The other tests, in the order they were registered.  Included, not
 * linked: kselftest_harness.h keeps its list of tests per file and
 * defines its globals in every file that includes it, so one program's
 * tests live in one translation unit.
 */
#include "ioctl_rejected.h"
#include "ioctl_efault.h"
#include "ioctl_isolation.h"
#include "ioctl_claim.h"

TEST_HARNESS_MAIN
