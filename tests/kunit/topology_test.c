// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass_devinfo_fill_static() on a synthetic topology: pci_bus and
 * pci_dev structs wired up by hand, never registered with the PCI core.
 *
 *   bus 00 (root, domain 0x0002)
 *   +-- 00:01.0 root port ------- bus 01
 *   |                             +-- 01:00.0 endpoint, function 0 of a
 *   |                             |   multifunction device
 *   |                             +-- 01:00.1 its second function
 *   +-- 00:02.0 SR-IOV PF (root bus endpoint)
 *       +-- 00:02.1 its VF
 */
#include <kunit/test.h>
#include <linux/pci.h>

#include "core.h"

struct topo {
	struct pci_sysdata sd;
	struct pci_bus root, sub;
	struct pci_dev rp, ep0, ep1, pf, vf;
};

static void topo_dev(struct pci_dev *d, struct pci_bus *bus, u8 devfn,
		     u16 vendor, u16 device, u32 class, u8 hdr)
{
	d->bus = bus;
	d->devfn = devfn;
	d->vendor = vendor;
	d->device = device;
	d->subsystem_vendor = vendor;
	d->subsystem_device = 0x1000 | devfn;
	d->class = class;
	d->revision = 0x02;
	d->hdr_type = hdr;
}

static struct topo *topo_build(struct kunit *test)
{
	struct topo *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->sd.domain = 2;
	t->root.sysdata = &t->sd;
	t->root.number = 0;
	t->sub.sysdata = &t->sd;
	t->sub.number = 1;
	t->sub.parent = &t->root;
	t->sub.self = &t->rp;

	topo_dev(&t->rp, &t->root, PCI_DEVFN(1, 0), 0x1b36, 0x000c,
		 PCI_CLASS_BRIDGE_PCI_NORMAL, PCI_HEADER_TYPE_BRIDGE);
	topo_dev(&t->ep0, &t->sub, PCI_DEVFN(0, 0), 0x8086, 0x10d3,
		 PCI_CLASS_NETWORK_ETHERNET << 8, PCI_HEADER_TYPE_NORMAL);
	topo_dev(&t->ep1, &t->sub, PCI_DEVFN(0, 1), 0x8086, 0x10d3,
		 PCI_CLASS_NETWORK_ETHERNET << 8, PCI_HEADER_TYPE_NORMAL);
	t->ep0.multifunction = 1;
	t->ep1.multifunction = 1;
	topo_dev(&t->pf, &t->root, PCI_DEVFN(2, 0), 0x1b36, 0x0010,
		 PCI_CLASS_STORAGE_EXPRESS, PCI_HEADER_TYPE_NORMAL);
	topo_dev(&t->vf, &t->root, PCI_DEVFN(2, 1), 0x1b36, 0x0010,
		 PCI_CLASS_STORAGE_EXPRESS, PCI_HEADER_TYPE_NORMAL);
#ifdef CONFIG_PCI_IOV
	t->vf.is_virtfn = 1;
	t->vf.physfn = &t->pf;
#endif
	return t;
}

static void expect_addr(struct kunit *test, const struct pcipass_addr *a,
			u32 domain, u8 bus, u8 devfn)
{
	KUNIT_EXPECT_EQ(test, a->domain, domain);
	KUNIT_EXPECT_EQ(test, a->bus, bus);
	KUNIT_EXPECT_EQ(test, a->devfn, devfn);
}

static void topology_root_port_test(struct kunit *test)
{
	struct topo *t = topo_build(test);
	struct pcipass_devinfo info = {};

	pcipass_devinfo_fill_static(&t->rp, &info);

	expect_addr(test, &info.addr, 2, 0, PCI_DEVFN(1, 0));
	KUNIT_EXPECT_EQ(test, info.vendor, 0x1b36);
	KUNIT_EXPECT_EQ(test, info.device, 0x000c);
	KUNIT_EXPECT_EQ(test, info.class, PCI_CLASS_BRIDGE_PCI_NORMAL);
	KUNIT_EXPECT_EQ(test, info.header_type, PCI_HEADER_TYPE_BRIDGE);
	/* On the root bus: no upstream bridge; not in an IOMMU group here. */
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_UPSTREAM);
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_IOMMU_GROUP);
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_MULTIFUNCTION);
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_VIRTFN);
}

static void topology_multifunction_endpoint_test(struct kunit *test)
{
	struct topo *t = topo_build(test);
	struct pcipass_devinfo info = {};

	pcipass_devinfo_fill_static(&t->ep1, &info);

	expect_addr(test, &info.addr, 2, 1, PCI_DEVFN(0, 1));
	KUNIT_EXPECT_TRUE(test, info.present & PCIPASS_DEV_F_MULTIFUNCTION);
	KUNIT_EXPECT_TRUE(test, info.present & PCIPASS_DEV_F_UPSTREAM);
	expect_addr(test, &info.upstream, 2, 0, PCI_DEVFN(1, 0));
	KUNIT_EXPECT_EQ(test, info.subsystem_device, 0x1000 | PCI_DEVFN(0, 1));
	KUNIT_EXPECT_EQ(test, info.revision, 0x02);
	/* Nothing privileged is filled by the static part. */
	KUNIT_EXPECT_FALSE(test, info.present &
			   (PCIPASS_DEV_F_ACS | PCIPASS_DEV_F_PCIE));
}

static void topology_vf_test(struct kunit *test)
{
	struct topo *t = topo_build(test);
	struct pcipass_devinfo info = {};

	if (!IS_ENABLED(CONFIG_PCI_IOV))
		kunit_skip(test, "CONFIG_PCI_IOV is off");

	pcipass_devinfo_fill_static(&t->vf, &info);

	KUNIT_EXPECT_TRUE(test, info.present & PCIPASS_DEV_F_VIRTFN);
	expect_addr(test, &info.physfn, 2, 0, PCI_DEVFN(2, 0));
	/* A VF's upstream is its PF's: the PF sits on the root bus. */
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_UPSTREAM);

	memset(&info, 0, sizeof(info));
	pcipass_devinfo_fill_static(&t->pf, &info);
	KUNIT_EXPECT_FALSE(test, info.present & PCIPASS_DEV_F_VIRTFN);
}

static struct kunit_case topology_test_cases[] = {
	KUNIT_CASE(topology_root_port_test),
	KUNIT_CASE(topology_multifunction_endpoint_test),
	KUNIT_CASE(topology_vf_test),
	{}
};

static struct kunit_suite topology_test_suite = {
	.name = "pcipass_topology",
	.test_cases = topology_test_cases,
};

kunit_test_suite(topology_test_suite);
