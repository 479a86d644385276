// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the parts of pcipass that need no kernel: address
 * parsing, the group state word, class filters and the PCIe tables.
 * Run with "make -C user test".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../addr.h"
#include "../cmdline.h"
#include "../device.h"
#include "../filter.h"
#include "../pcie.h"
#include "../state.h"
#include "../util.h"

static unsigned int passed, failed;

#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			putchar('\n');					\
		}							\
	} while (0)

static void expect_addr(const char *in, const char *canon,
			enum addr_scope want_scope)
{
	char buf[ADDR_STRLEN];
	enum addr_scope scope;
	struct pp_addr a;
	int rc = addr_parse(in, &a, &scope);

	CHECK(rc == 0, "'%s' rejected", in);
	if (rc)
		return;
	CHECK(!strcmp(addr_fmt(&a, buf), canon), "'%s' -> %s, want %s", in,
	      buf, canon);
	CHECK(scope == want_scope, "'%s' scope %d, want %d", in, scope,
	      want_scope);
}

static void expect_bad_addr(const char *in)
{
	enum addr_scope scope;
	struct pp_addr a;

	CHECK(addr_parse(in, &a, &scope) != 0, "'%s' accepted", in);
}

static void test_addr(void)
{
	static const char *const bad[] = {
		"", "01", "1f", "zz:00.0", "01:20.0", "01:00.8", "100:00.0",
		"01:00.", "0000:01:00.", "*:00.0", "01:*.0", "01:00.*",
		"-1:00.0", "+1:00.0", " 01:00.0", "01:00.0 ", "0000:01:00:0",
		"::", ":01:00.0", "0000::00.0", "01:.0", "01:00.0.1",
		"0:0:0:0.0", "0x1:00.0", "01:00.0\n", "pci-0000:01:00.0",
	};
	struct pp_addr a = { 0x10000, 0xff, PP_DEVFN(0x1f, 7) }, b;
	char buf[ADDR_STRLEN];

	expect_addr("01:00.0", "0000:01:00.0", ADDR_FUNCTION);
	expect_addr("0000:01:00.0", "0000:01:00.0", ADDR_FUNCTION);
	expect_addr("0000:3b:00.1", "0000:3b:00.1", ADDR_FUNCTION);
	expect_addr("0000:3B:1F.7", "0000:3b:1f.7", ADDR_FUNCTION);
	expect_addr("ab:0c.3", "0000:ab:0c.3", ADDR_FUNCTION);
	expect_addr("1:2.3", "0000:01:02.3", ADDR_FUNCTION);
	expect_addr("0001:00:02.0", "0001:00:02.0", ADDR_FUNCTION);
	expect_addr("01:00", "0000:01:00.0", ADDR_SLOT);
	expect_addr("0000:01:1f", "0000:01:1f.0", ADDR_SLOT);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		expect_bad_addr(bad[i]);

	CHECK(!strcmp(addr_fmt(&a, buf), "10000:ff:1f.7"),
	      "wide domain formats as %s", buf);
	b = a;
	CHECK(addr_cmp(&a, &b) == 0 && addr_eq(&a, &b), "equal addresses");
	b.devfn = PP_DEVFN(0x1f, 6);
	CHECK(addr_cmp(&b, &a) < 0, "function orders within slot");
	CHECK(addr_in_slot(&b, &a), "same slot, other function");
	b.bus = 0xfe;
	CHECK(addr_cmp(&b, &a) < 0 && !addr_in_slot(&b, &a), "bus orders");
	b.domain = 0x20000;
	CHECK(addr_cmp(&b, &a) > 0, "domain orders before bus");
}

static struct pp_device dev(uint8_t header_type, const char *driver)
{
	struct pp_device d = { .header_type = header_type };

	d.driver = (char *)driver;
	return d;
}

#define STATE(...)							\
	({								\
		struct pp_device v_[] = { __VA_ARGS__ };		\
		group_state(v_, ARRAY_SIZE(v_));			\
	})

static void expect_state(enum group_state got, enum group_state want,
			 const char *what)
{
	CHECK(got == want, "%s: state %s, want %s", what,
	      group_state_name(got), group_state_name(want));
}

static void test_state(void)
{
	const int EP = PP_HDR_NORMAL, BR = PP_HDR_BRIDGE;

	expect_state(STATE(dev(EP, "vfio-pci"), dev(EP, "vfio-pci")),
		     GROUP_VFIO, "GPU and audio on vfio-pci");
	expect_state(STATE(dev(EP, "vfio-pci"), dev(EP, "snd_hda_intel")),
		     GROUP_PARTIAL, "audio function left on the host");
	expect_state(STATE(dev(EP, "nvidia"), dev(EP, "snd_hda_intel")),
		     GROUP_HOST, "all on host drivers");
	expect_state(STATE(dev(EP, NULL), dev(EP, NULL)), GROUP_UNBOUND,
		     "nothing bound");
	expect_state(STATE(dev(EP, "pci-stub")), GROUP_UNBOUND,
		     "pci-stub is a parking driver");
	expect_state(STATE(dev(BR, "pcieport"), dev(EP, "vfio-pci")),
		     GROUP_VFIO, "bridge on pcieport does not count");
	expect_state(STATE(dev(BR, "pcieport"), dev(EP, "nvme")),
		     GROUP_HOST, "bridge plus host endpoint");
	expect_state(STATE(dev(BR, "pcieport")), GROUP_BRIDGE,
		     "root port alone");
	expect_state(STATE(dev(BR, NULL), dev(BR, "pcieport")), GROUP_BRIDGE,
		     "only bridges");
	expect_state(STATE(dev(BR, "shpchp"), dev(EP, "vfio-pci")),
		     GROUP_PARTIAL, "bridge on an unusual driver counts");
	expect_state(STATE(dev(EP, "vfio-pci"), dev(EP, NULL)), GROUP_VFIO,
		     "unbound member does not block VFIO");
	expect_state(STATE(dev(EP, "mlx5_vfio_pci"), dev(EP, "vfio-pci")),
		     GROUP_VFIO, "variant driver");
	expect_state(STATE(dev(EP, "mlx5_core"), dev(EP, "pci-stub"),
			   dev(EP, "vfio-pci")),
		     GROUP_PARTIAL, "one host driver spoils the group");
	expect_state(group_state(NULL, 0), GROUP_BRIDGE, "empty group");

	CHECK(driver_is_vfio("vfio-pci"), "vfio-pci");
	CHECK(driver_is_vfio("nvgrace_gpu_vfio_pci"), "variant suffix");
	CHECK(!driver_is_vfio("vfio"), "bare vfio is not a PCI driver");
	CHECK(!driver_is_vfio(NULL), "no driver");
	CHECK(!driver_is_vfio("vfio-pci-foo"), "suffix must end the name");
}

static void test_filter(void)
{
	class_mask_t m;

	CHECK(class_filter_parse("gpu", &m) == 0, "gpu parses");
	CHECK(class_filter_match(m, 0x030000), "VGA is a gpu");
	CHECK(class_filter_match(m, 0x030200), "3D controller is a gpu");
	CHECK(!class_filter_match(m, 0x040300), "audio is not a gpu");

	CHECK(class_filter_parse("NVMe", &m) == 0, "case-insensitive");
	CHECK(class_filter_match(m, 0x010802), "NVMe controller");
	CHECK(!class_filter_match(m, 0x010601), "SATA AHCI is not nvme");

	CHECK(class_filter_parse("storage", &m) == 0, "storage parses");
	CHECK(class_filter_match(m, 0x010601) && class_filter_match(m, 0x010802),
	      "storage covers AHCI and NVMe");

	CHECK(class_filter_parse("usb", &m) == 0, "usb parses");
	CHECK(class_filter_match(m, 0x0c0330), "xHCI");
	CHECK(!class_filter_match(m, 0x0c0500), "SMBus is not usb");

	CHECK(class_filter_parse("net,usb", &m) == 0, "lists parse");
	CHECK(class_filter_match(m, 0x020000) && class_filter_match(m, 0x0c0320),
	      "list is a union");
	CHECK(!class_filter_match(m, 0x030000), "list excludes others");

	CHECK(class_filter_match(0, 0x123456), "no filter matches all");
	CHECK(class_filter_parse("gpus", &m) != 0, "unknown class");
	CHECK(class_filter_parse("", &m) != 0, "empty class");
	CHECK(class_filter_parse("gpu,", &m) != 0, "trailing comma");
}

static void test_pcie(void)
{
	uint16_t all = 0;

	CHECK(!strcmp(pcie_type_words(4), "root port"), "root port");
	CHECK(!strcmp(pcie_type_key(5), "upstream"), "upstream key");
	CHECK(!strcmp(pcie_type_words(0), "endpoint"), "endpoint");
	CHECK(pcie_type_words(3) == NULL, "3 is not a PCIe type");
	CHECK(!strcmp(header_type_words(1), "bridge"), "bridge header");
	CHECK(header_type_words(0x7f) == NULL, "unknown header");

	for (size_t i = 0; i < acs_nbits; i++)
		all |= acs_bits[i].mask;
	CHECK(acs_nbits == 7 && all == 0x7f, "ACS bits SV..DT are 0x01..0x40");
	CHECK(!strcmp(acs_bits[0].name, "SV") && !strcmp(acs_bits[6].name, "DT"),
	      "ACS bit order");
}

static void test_cmdline(void)
{
	struct cmdline c;
	const struct cmdline_param *p;
	char *v;
	bool b;

	cmdline_parse("BOOT_IMAGE=/vmlinuz ro  quiet vfio-pci.ids=10de:1b80 "
		      "\"dyndbg=file vfio.c +p\" intel_iommu=on,sm_on "
		      "intel_iommu=off iommu=pt -- vfio_pci.ids=dead:beef\n", &c);
	CHECK(c.n == 8, "%zu words before --, want 8", c.n);
	p = cmdline_find(&c, "vfio_pci.ids");
	CHECK(p && !strcmp(p->name, "vfio-pci.ids") &&
	      !strcmp(p->value, "10de:1b80"),
	      "'-' and '_' match; words after -- belong to init");
	p = cmdline_find(&c, "dyndbg");
	CHECK(p && !strcmp(p->value, "file vfio.c +p"), "quotes group blanks");
	p = cmdline_find(&c, "quiet");
	CHECK(p && !p->value, "bare word has no value");
	CHECK(cmdline_switch(&c, "intel_iommu", "on", "off") == 0,
	      "later intel_iommu=off wins");
	CHECK(cmdline_switch(&c, "amd_iommu", NULL, "off") == -1, "absent");
	CHECK(cmdline_switch(&c, "iommu", "pt", NULL) == 1, "iommu=pt");
	cmdline_free(&c);

	cmdline_parse("intremap=off,on", &c);
	CHECK(cmdline_switch(&c, "intremap", "on", "off") == 1,
	      "options apply in order");
	cmdline_free(&c);
	cmdline_parse(NULL, &c);
	CHECK(c.n == 0, "no command line");
	cmdline_free(&c);

	CHECK(cmdline_opt_has("force,pt", "pt", ','), "list member");
	CHECK(!cmdline_opt_has("nopt", "pt", ','), "prefix match only");
	v = cmdline_opt_value("noaer,config_acs=1x0@0000:00:1c.0;0x@pci:8086:a110,realloc",
			   "config_acs");
	CHECK(v && !strcmp(v, "1x0@0000:00:1c.0;0x@pci:8086:a110"),
	      "pci= value ends at ','");
	free(v);
	CHECK(!cmdline_opt_value("noaer", "config_acs"), "absent pci option");
	CHECK(cmdline_kbool("on", &b) && b, "on");
	CHECK(cmdline_kbool("N", &b) && !b, "N");
	CHECK(!cmdline_kbool("maybe", &b), "not a bool");
}

int main(void)
{
	test_addr();
	test_state();
	test_filter();
	test_pcie();
	test_cmdline();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
