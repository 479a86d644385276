// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl interface's pure parts: routing of command numbers, address
 * validation, and marshalling a snapshot into the fixed uapi struct.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <uapi/linux/pcipass_ioctl.h>

#include "chardev.h"
#include "core.h"

struct route_case {
	const char *name;
	unsigned int cmd;
	int want;
};

#define RW	(_IOC_READ | _IOC_WRITE)

static const struct route_case route_cases[] = {
	{ "version", PCIPASS_IOC_VERSION, PCIPASS_IOC_OP_VERSION },
	{ "device_get", PCIPASS_IOC_DEVICE_GET, PCIPASS_IOC_OP_DEVICE_GET },
	{ "device_get_grown_struct",
	  _IOC(RW, PCIPASS_IOC_MAGIC, 0x01, PCIPASS_IOC_DEVICE_SIZE_VER0 + 8),
	  PCIPASS_IOC_OP_DEVICE_GET },
	{ "device_get_size_zero", _IOC(RW, PCIPASS_IOC_MAGIC, 0x01, 0),
	  PCIPASS_IOC_OP_DEVICE_GET },	/* the handler rejects the size */
	{ "read_only_dir", _IOR(PCIPASS_IOC_MAGIC, 0x01, struct pcipass_ioc_device),
	  -ENOTTY },
	{ "write_only_dir", _IOW(PCIPASS_IOC_MAGIC, 0x01, struct pcipass_ioc_device),
	  -ENOTTY },
	{ "no_dir", _IO(PCIPASS_IOC_MAGIC, 0x01), -ENOTTY },
	{ "isolation_get", PCIPASS_IOC_ISOLATION_GET,
	  PCIPASS_IOC_OP_ISOLATION_GET },
	{ "isolation_get_any_size", _IOC(RW, PCIPASS_IOC_MAGIC, 0x02, 8),
	  PCIPASS_IOC_OP_ISOLATION_GET },	/* the handler rejects the size */
	{ "isolation_get_read_only_dir",
	  _IOR(PCIPASS_IOC_MAGIC, 0x02, struct pcipass_ioc_isolation), -ENOTTY },
	{ "isolation_get_no_dir", _IO(PCIPASS_IOC_MAGIC, 0x02), -ENOTTY },
	{ "claim", PCIPASS_IOC_CLAIM, PCIPASS_IOC_OP_CLAIM },
	{ "claim_any_size", _IOC(RW, PCIPASS_IOC_MAGIC, 0x03, 8),
	  PCIPASS_IOC_OP_CLAIM },	/* the handler rejects the size */
	{ "claim_read_only_dir",
	  _IOR(PCIPASS_IOC_MAGIC, 0x03, struct pcipass_ioc_claim), -ENOTTY },
	{ "claim_write_only_dir",
	  _IOW(PCIPASS_IOC_MAGIC, 0x03, struct pcipass_ioc_claim), -ENOTTY },
	{ "claim_no_dir", _IO(PCIPASS_IOC_MAGIC, 0x03), -ENOTTY },
	{ "release", PCIPASS_IOC_RELEASE, PCIPASS_IOC_OP_RELEASE },
	{ "release_any_size", _IOC(RW, PCIPASS_IOC_MAGIC, 0x04, 8),
	  PCIPASS_IOC_OP_RELEASE },	/* the handler rejects the size */
	{ "release_read_only_dir",
	  _IOR(PCIPASS_IOC_MAGIC, 0x04, struct pcipass_ioc_claim), -ENOTTY },
	{ "release_no_dir", _IO(PCIPASS_IOC_MAGIC, 0x04), -ENOTTY },
	{ "unknown_nr", _IOC(RW, PCIPASS_IOC_MAGIC, 0x05, 8), -ENOTTY },
	{ "unknown_nr_claim_size",
	  _IOWR(PCIPASS_IOC_MAGIC, 0x05, struct pcipass_ioc_claim), -ENOTTY },
	{ "last_nr", _IOC(RW, PCIPASS_IOC_MAGIC, 0xff, 8), -ENOTTY },
	{ "other_magic", _IOC(RW, 0xB8, 0x01, PCIPASS_IOC_DEVICE_SIZE_VER0),
	  -ENOTTY },
	{ "tcgets", 0x5401, -ENOTTY },
};

static void route_case_desc(const struct route_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(route, route_cases, route_case_desc);

static void ioctl_route_test(struct kunit *test)
{
	const struct route_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, pcipass_ioc_route(c->cmd), c->want);
}

struct addr_case {
	const char *name;
	struct pcipass_ioc_addr in;
	int want;
};

static const struct addr_case addr_cases[] = {
	{ "zero", { 0, 0, 0, 0 }, 0 },
	{ "max_bus_devfn", { 0xffff, 0xff, 0xff, 0 }, 0 },
	{ "big_domain", { 0xffffffff, 0, 0, 0 }, 0 },	/* lookup fails later */
	{ "bus_256", { 0, 0x100, 0, 0 }, -EINVAL },
	{ "bus_huge", { 0, 0xffffffff, 0, 0 }, -EINVAL },
	{ "devfn_256", { 0, 0, 0x100, 0 }, -EINVAL },
	{ "reserved_set", { 0, 0, 0, 1 }, -EINVAL },
	{ "reserved_high_bit", { 0, 0, 0, 0x80000000 }, -EINVAL },
};

static void addr_case_desc(const struct addr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(addr, addr_cases, addr_case_desc);

static void ioctl_addr_in_test(struct kunit *test)
{
	const struct addr_case *c = test->param_value;
	struct pcipass_addr a = {};

	KUNIT_ASSERT_EQ(test, pcipass_ioc_addr_in(&c->in, &a), c->want);
	if (c->want)
		return;
	KUNIT_EXPECT_EQ(test, a.domain, c->in.domain);
	KUNIT_EXPECT_EQ(test, a.bus, c->in.bus);
	KUNIT_EXPECT_EQ(test, a.devfn, c->in.devfn);
}

static void ioctl_device_out_fields_test(struct kunit *test)
{
	struct pcipass_devinfo info = {
		.addr = { 1, 2, 3 },
		.present = PCIPASS_DEV_F_PCIE | PCIPASS_DEV_F_VIRTFN |
			   PCIPASS_DEV_F_DRIVER | PCIPASS_DEV_F_IOMMU_GROUP |
			   PCIPASS_DEV_F_UPSTREAM | PCIPASS_DEV_F_ACS,
		.vendor = 0x8086, .device = 0x10d3,
		.subsystem_vendor = 0x1af4, .subsystem_device = 0x1100,
		.class = 0x020000, .revision = 7, .header_type = 0,
		.pcie_type = 4, .iommu_group = 42,
		.physfn = { 1, 2, 0 }, .upstream = { 1, 0, 8 },
		.acs_pos = 0x148, .acs_cap = 0x5f, .acs_ctrl = 0x1d,
		.driver = "vfio-pci",
	};
	struct pcipass_ioc_device d = {};

	pcipass_ioc_device_out(&info, &d);

	KUNIT_EXPECT_EQ(test, d.present, info.present);
	KUNIT_EXPECT_EQ(test, d.vendor, 0x8086);
	KUNIT_EXPECT_EQ(test, d.device, 0x10d3);
	KUNIT_EXPECT_EQ(test, d.subsystem_vendor, 0x1af4);
	KUNIT_EXPECT_EQ(test, d.subsystem_device, 0x1100);
	KUNIT_EXPECT_EQ(test, d.class, 0x020000);
	KUNIT_EXPECT_EQ(test, d.revision, 7);
	KUNIT_EXPECT_EQ(test, d.pcie_type, 4);
	KUNIT_EXPECT_EQ(test, d.iommu_group, 42);
	KUNIT_EXPECT_EQ(test, d.physfn.devfn, 0);
	KUNIT_EXPECT_EQ(test, d.upstream.devfn, 8);
	KUNIT_EXPECT_EQ(test, d.upstream.reserved, 0);
	KUNIT_EXPECT_EQ(test, d.acs_pos, 0x148);
	KUNIT_EXPECT_EQ(test, d.acs_cap, 0x5f);
	KUNIT_EXPECT_EQ(test, d.acs_ctrl, 0x1d);
	KUNIT_EXPECT_STREQ(test, d.driver, "vfio-pci");
	KUNIT_EXPECT_EQ(test, d.driver_override[0], '\0');
}

struct name_case {
	const char *name;
	unsigned int len;	/* 0: no name (NULL) */
	bool truncated;
};

static const struct name_case name_cases[] = {
	{ "absent", 0, false },
	{ "one", 1, false },
	{ "fits_63", PCIPASS_NAME_LEN - 1, false },
	{ "cut_64", PCIPASS_NAME_LEN, true },
	{ "cut_4094", 4094, true },
};

static void name_case_desc(const struct name_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(name, name_cases, name_case_desc);

static void ioctl_device_out_names_test(struct kunit *test)
{
	const struct name_case *c = test->param_value;
	struct pcipass_devinfo info = {};
	struct pcipass_ioc_device d = {};
	char *s = NULL;

	if (c->len) {
		s = kunit_kzalloc(test, c->len + 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		memset(s, 'x', c->len);
	}
	info.driver_override = s;

	pcipass_ioc_device_out(&info, &d);

	KUNIT_EXPECT_EQ(test, !!(d.present & PCIPASS_DEV_F_TRUNCATED),
			c->truncated);
	KUNIT_EXPECT_EQ(test, strnlen(d.driver_override, PCIPASS_NAME_LEN),
			min_t(size_t, c->len, PCIPASS_NAME_LEN - 1));
	/* The name is cut at the field, always NUL-terminated. */
	KUNIT_EXPECT_EQ(test, d.driver_override[PCIPASS_NAME_LEN - 1], '\0');
}

static struct kunit_case ioctl_test_cases[] = {
	KUNIT_CASE_PARAM(ioctl_route_test, route_gen_params),
	KUNIT_CASE_PARAM(ioctl_addr_in_test, addr_gen_params),
	KUNIT_CASE(ioctl_device_out_fields_test),
	KUNIT_CASE_PARAM(ioctl_device_out_names_test, name_gen_params),
	{}
};

static struct kunit_suite ioctl_test_suite = {
	.name = "pcipass_ioctl",
	.test_cases = ioctl_test_cases,
};

kunit_test_suite(ioctl_test_suite);
