// SPDX-License-Identifier: GPL-2.0
/* Proxmox VE's VM config and PCI mappings, in the syntax qemu-server and
 * pve-guest-common document and parse (pve-docs qm.adoc, "Resource
 * Mapping"; PVE/QemuServer/PCI.pm's hostpci format).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hook/libvirt_xml.h"
#include "hook/pve_conf.h"
#include "unit.h"

static void test_ids(void)
{
	CHECK(pve_id_valid("01:00") && pve_id_valid("01:00.0") &&
	      pve_id_valid("0000:01:00.1") && pve_id_valid("1234:f0:43"),
	      "the forms qemu-server accepts");
	CHECK(!pve_id_valid("01:00.") && !pve_id_valid("1:00") &&
	      !pve_id_valid("01:00.0.1") && !pve_id_valid("01:0A") &&
	      !pve_id_valid("000:01:00") && !pve_id_valid(""),
	      "malformed and upper-case IDs");
	CHECK(pve_id_matches("01:00", "0000:01:00.1") &&
	      pve_id_matches("0000:01:00.0", "0000:01:00.0") &&
	      !pve_id_matches("01:00.0", "0000:01:00.1") &&
	      !pve_id_matches("01:00", "0001:01:00.0"),
	      "a slot names each function; the short form is domain 0");
}

static const char vm_conf[] =
	"# a description line\n"
	"boot: order=scsi0\n"
	"hostpci0: 0000:06:00,pcie=1,x-vga=1\n"
	"hostpci1: host=02:00.0;02:00.1,rombar=0\n"
	"hostpci2: mapping=nic0,pcie=1\n"
	"hostpci3: 00:02.0,mdev=i915-GVTg_V5_4\n"
	"hostpci4: 03:00.0,driver=keep\n"
	"machine: q35\n"
	"\n"
	"[snap1]\n"
	"hostpci5: 09:00.0\n"
	"[PENDING]\n"
	"hostpci6: 0a:00.0\n";

static void test_vm(void)
{
	struct pve_vm vm;
	char why[256] = "";

	CHECK(pve_vm_parse(vm_conf, &vm, why, sizeof(why)) == 0, "parse: %s", why);
	CHECK(vm.n == 5, "five hostpci lines before the first section: %zu", vm.n);
	if (vm.n == 5) {
		CHECK(vm.hostpci[0].index == 0 &&
		      !strcmp(vm.hostpci[0].host, "0000:06:00"), "bare host");
		CHECK(!strcmp(vm.hostpci[1].host, "02:00.0;02:00.1"), "host= list");
		CHECK(!vm.hostpci[2].host && !strcmp(vm.hostpci[2].mapping, "nic0"),
		      "mapping");
		CHECK(vm.hostpci[3].mdev && vm.hostpci[4].keep && !vm.hostpci[0].keep,
		      "mdev and driver=keep");
	}
	CHECK(!vm.template, "not a template");
	pve_vm_free(&vm);

	CHECK(pve_vm_parse("template: 1\nhostpci0: 01:00\n", &vm, why, sizeof(why)) == 0 &&
	      vm.template, "template");
	pve_vm_free(&vm);
	CHECK(pve_vm_parse("hostpci0: 01:00,mapping=x\n", &vm, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "hostpci0: both 'host' and 'mapping'"), "both: %s", why);
	CHECK(pve_vm_parse("hostpci1: pcie=1\n", &vm, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "neither"), "neither: %s", why);
	CHECK(pve_vm_parse("hostpci2: 01:00.0;1:00\n", &vm, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "'01:00.0;1:00'"), "bad ID in a list: %s", why);
	{
		char many[2048] = "";

		for (int i = 0; i < 40; i++)
			snprintf(many + strlen(many), sizeof(many) - strlen(many),
				 "hostpci%d: 0%d:00\n", i % 3, i % 10);
		CHECK(pve_vm_parse(many, &vm, why, sizeof(why)) == 0 && vm.n == 3 &&
		      !strcmp(vm.hostpci[0].host, "09:00"),
		      "a key given again: the last one wins, no more entries");
		pve_vm_free(&vm);
	}
	CHECK(pve_vm_parse("hostpci16: 01:00\nhostpcix: 01:00\n", &vm, why,
			   sizeof(why)) == 0 && vm.n == 0, "hostpci16 is not a hostpci key");
	pve_vm_free(&vm);
}

static const char pci_cfg[] =
	"gpu0\n"
	"\tmap id=10de:2204,iommugroup=14,node=pve1,path=0000:01:00,subsystem-id=1458:403b\n"
	"\tmap id=10de:2204,iommugroup=20,node=pve2,path=0000:02:00,subsystem-id=1458:403b\n"
	"\tdescription RTX 3090\n"
	"\n"
	"vfpool\n"
	"\tmap id=8086:154c,iommugroup=40,node=pve1,path=0000:03:02.0,subsystem-id=8086:0000\n"
	"\tmap id=8086:154c,node=pve1,path=0000:03:02.1;0000:03:02.2\n"
	"\n"
	"broken\n"
	"\tmap id=8086,node=pve1,path=0000:03:02.0\n";

static void test_mapping(void)
{
	struct pve_map *m;
	char why[256] = "";
	size_t n;

	CHECK(pve_mapping_find(pci_cfg, "gpu0", "pve2", &m, &n, why, sizeof(why)) == 0 &&
	      n == 1, "gpu0 on pve2: %s", why);
	if (n == 1)
		CHECK(!strcmp(m[0].path, "0000:02:00") && m[0].vendor == 0x10de &&
		      m[0].device == 0x2204 && m[0].has_sub && m[0].sub_device == 0x403b &&
		      m[0].has_group && m[0].group == 20, "fields of pve2's line");
	pve_maps_free(m, n);
	CHECK(pve_mapping_find(pci_cfg, "vfpool", "pve1", &m, &n, why, sizeof(why)) == 0 &&
	      n == 2, "two alternatives on pve1");
	if (n == 2)
		CHECK(!m[1].has_group && !m[1].has_sub &&
		      !strcmp(m[1].path, "0000:03:02.1;0000:03:02.2"), "optional keys");
	pve_maps_free(m, n);
	CHECK(pve_mapping_find(pci_cfg, "gpu0", "pve3", &m, &n, why, sizeof(why)) == 0 &&
	      n == 0, "none for another node");
	CHECK(pve_mapping_find(pci_cfg, "nic0", "pve1", &m, &n, why, sizeof(why)) == -ENOENT,
	      "no such mapping");
	CHECK(pve_mapping_find(pci_cfg, "broken", "pve1", &m, &n, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "mapping 'broken' for node pve1"), "bad id: %s", why);
	CHECK(pve_mapping_find("x\n\tmap id=8086:154c,node=pve1,path=03:02.0\n", "x", "pve1",
			       &m, &n, why, sizeof(why)) == -EINVAL,
	      "a mapping's path has its domain");
}

/* As libvirt's formatdomain documents hostdevs, in a domain as virsh
 * dumpxml prints it.
 */
static const char domain_xml[] =
	"<domain type='kvm'><name>win11</name><devices>\n"
	"<hostdev mode='subsystem' type='pci' managed='no'><source>"
	"<address domain='0x0000' bus='0x06' slot='0x00' function='0x1'/></source></hostdev>\n"
	"<hostdev mode='subsystem' type='pci' managed='yes'><source>"
	"<address domain='0x0000' bus='0x02' slot='0x00' function='0x0'/></source></hostdev>\n"
	"<hostdev mode='subsystem' type='pci'><source>"
	"<address domain='0' bus='16' slot='0' function='0'/></source>"
	"<address type='pci' domain='0x0000' bus='0x05' slot='0x00' function='0x0'/></hostdev>\n"
	"<hostdev mode='subsystem' type='usb' managed='no'><source>"
	"<vendor id='0x1234'/><product id='0xbeef'/></source></hostdev>\n"
	"</devices></domain>\n";

static const char bad_bus[] =
	"<domain><devices><hostdev mode='subsystem' type='pci' managed='no'>"
	"<source><address domain='0x0000' bus='0x100' slot='0x00' function='0x0'/>"
	"</source></hostdev></devices></domain>";

static void test_libvirt(void)
{
	struct hook_fn v[4];
	char why[256] = "";
	size_t n = 0;

	CHECK(libvirt_unmanaged_pci(domain_xml, sizeof(domain_xml) - 1, v, 4, &n,
				    why, sizeof(why)) == 0, "parse: %s", why);
	CHECK(n == 2, "two unmanaged PCI hostdevs: %zu", n);
	if (n == 2)
		CHECK(!strcmp(v[0].addr, "0000:06:00.1") && !strcmp(v[0].from, "hostdev 0") &&
		      !strcmp(v[1].addr, "0000:10:00.0") && !strcmp(v[1].from, "hostdev 2"),
		      "addresses from <source>, not the guest's <address>: %s %s",
		      v[0].addr, v[1].addr);
	CHECK(libvirt_unmanaged_pci(domain_xml, sizeof(domain_xml) - 1, v, 1, &n,
				    why, sizeof(why)) == -EINVAL && strstr(why, "more than 1"),
	      "bounded: %s", why);
	CHECK(libvirt_unmanaged_pci("<domain", 7, v, 4, &n, why, sizeof(why)) == -EINVAL &&
	      strstr(why, "not XML"), "not XML");
	CHECK(libvirt_unmanaged_pci("<network/>", 10, v, 4, &n, why, sizeof(why)) == -EINVAL,
	      "not a domain");
	CHECK(libvirt_unmanaged_pci(bad_bus, strlen(bad_bus), v, 4, &n, why,
				    sizeof(why)) == -EINVAL && strstr(why, "hostdev 0"),
	      "bus 0x100: %s", why);
}

void test_pve(void)
{
	test_ids();
	test_vm();
	test_mapping();
	test_libvirt();
}
