// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the parts of pcipass that need no kernel: address
 * parsing, the group state word, class filters and the PCIe tables;
 * claim, release and monitor in unit_claim.c, the ACS object of show
 * and check in unit_acs.c.
 * Run with "make -C user test".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/verdict.h"
#include "lib/addr.h"
#include "lib/color.h"
#include "lib/cmdline.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/device.h"
#include "pci/filter.h"
#include "pci/pcie.h"
#include "pci/state.h"
#include "unit.h"

unsigned int passed, failed;

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

/* --color's rule: never in JSON, always wins over NO_COLOR, auto wants a
 * terminal with a TERM that is set and not dumb, and no NO_COLOR.
 */
static void test_color(void)
{
	enum color_mode m = COLOR_NEVER;

	CHECK(!color_mode_parse("always", &m) && m == COLOR_ALWAYS, "always");
	CHECK(!color_mode_parse("auto", &m) && m == COLOR_AUTO, "auto");
	CHECK(!color_mode_parse("never", &m) && m == COLOR_NEVER, "never");
	CHECK(color_mode_parse("yes", &m) && color_mode_parse("", &m),
	      "other words refused");

	CHECK(color_wanted(COLOR_AUTO, false, true, "xterm", NULL), "auto, tty");
	CHECK(!color_wanted(COLOR_AUTO, false, false, "xterm", NULL),
	      "auto, pipe");
	CHECK(!color_wanted(COLOR_AUTO, false, true, "xterm", "1"),
	      "auto, NO_COLOR=1");
	CHECK(color_wanted(COLOR_AUTO, false, true, "xterm", ""),
	      "auto, NO_COLOR empty counts as unset");
	CHECK(!color_wanted(COLOR_AUTO, false, true, "dumb", NULL), "TERM=dumb");
	CHECK(!color_wanted(COLOR_AUTO, false, true, NULL, NULL), "TERM unset");
	CHECK(!color_wanted(COLOR_AUTO, false, true, "", NULL), "TERM empty");
	CHECK(color_wanted(COLOR_ALWAYS, false, false, "dumb", "1"),
	      "always: pipe, dumb, NO_COLOR");
	CHECK(!color_wanted(COLOR_ALWAYS, true, true, "xterm", NULL),
	      "never in JSON");
	CHECK(!color_wanted(COLOR_NEVER, false, true, "xterm", NULL), "never");
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

/* A function for the verdict tests: "BB:DD.F", class, header type, group. */
static struct pp_device fn(const char *addr, uint32_t class, int hdr,
			   int group)
{
	struct pp_device d = { 0 };
	enum addr_scope scope;

	addr_parse(addr, &d.addr, &scope);
	d.class = class;
	d.header_type = hdr;
	d.has_iommu_group = group >= 0;
	d.iommu_group = group < 0 ? 0 : group;
	return d;
}

#define NIC 0x020000
#define VGA 0x030000
#define HDA 0x040300
#define BRIDGE 0x060400
#define HOSTBR 0x060000
#define LPC 0x060100
#define SMBUS 0x0c0500

static enum verdict decide(const struct pp_device *t, size_t nt,
			   const struct pp_device *m, size_t nm,
			   size_t *companions)
{
	struct verdict_result r;
	enum verdict v;

	verdict_decide(t, nt, m, nm, &r);
	v = r.verdict;
	*companions = r.companions.n;
	verdict_free(&r);
	return v;
}

static void test_verdict(void)
{
	const int EP = PP_HDR_NORMAL, BR = PP_HDR_BRIDGE;
	struct pp_device nic = fn("01:00.0", NIC, EP, 1);
	struct pp_device rp = fn("00:01.0", BRIDGE, BR, 1);
	struct pp_device gpu = fn("0b:00.0", VGA, EP, 7);
	struct pp_device hda = fn("0b:00.1", HDA, EP, 7);
	struct pp_device nic2 = fn("05:00.0", NIC, EP, 7);
	struct pp_device hostbr = fn("00:00.0", HOSTBR, EP, 7);
	struct pp_device lpc = fn("0b:00.2", LPC, EP, 7);
	struct pp_device nogroup = fn("02:00.0", NIC, EP, -1);
	struct verdict_result r;
	size_t nc;
	char buf[64];

	{
		struct pp_device m[] = { nic };

		CHECK(decide(&nic, 1, m, 1, &nc) == VERDICT_READY && !nc,
		      "alone: ready");
	}
	{
		struct pp_device m[] = { rp, nic };

		CHECK(decide(&nic, 1, m, 2, &nc) == VERDICT_READY && !nc,
		      "with its root port: ready (bridges stay)");
	}
	{
		struct pp_device m[] = { gpu, hda };

		CHECK(decide(&gpu, 1, m, 2, &nc) == VERDICT_COMPANIONS && nc == 1,
		      "GPU with its audio function: companions");
		CHECK(decide(&hda, 1, m, 2, &nc) == VERDICT_COMPANIONS && nc == 1,
		      "audio function with its GPU: companions");
		CHECK(decide(m, 2, m, 2, &nc) == VERDICT_READY && !nc,
		      "the whole slot: ready");
	}
	{
		struct pp_device m[] = { gpu, hda, nic2 };

		verdict_decide(&gpu, 1, m, 3, &r);
		CHECK(r.verdict == VERDICT_NOT_ISOLATABLE, "another slot: not isolatable");
		CHECK(r.companions.n == 2 && r.foreign.n == 1 &&
		      addr_eq(&r.foreign.v[0], &nic2.addr),
		      "foreign companion is the other slot's NIC");
		CHECK(r.slots.n == 2, "two slots");
		verdict_free(&r);
		CHECK(decide(m, 3, m, 3, &nc) == VERDICT_NOT_ISOLATABLE,
		      "a group of two devices asked as a whole");
	}
	{
		struct pp_device m[] = { hostbr, gpu, hda };

		CHECK(decide(&gpu, 1, m, 3, &nc) == VERDICT_COMPANIONS && nc == 1,
		      "a host bridge in the group stays with the host");
	}
	{
		struct pp_device m[] = { gpu, hda, lpc };

		verdict_decide(&gpu, 1, m, 3, &r);
		CHECK(r.verdict == VERDICT_NOT_ISOLATABLE && r.chipset.n == 1,
		      "an LPC bridge in the same slot: not isolatable");
		verdict_free(&r);
	}
	{
		struct pp_device smb = fn("00:1f.3", SMBUS, EP, 3);

		CHECK(decide(&smb, 1, &smb, 1, &nc) == VERDICT_NOT_ISOLATABLE,
		      "an SMBus controller never goes");
	}
	CHECK(decide(&nogroup, 1, NULL, 0, &nc) == VERDICT_NO_IOMMU,
	      "no group: no IOMMU");
	CHECK(verdict_exit(VERDICT_READY) == 0 &&
	      verdict_exit(VERDICT_COMPANIONS) == 3 &&
	      verdict_exit(VERDICT_NOT_ISOLATABLE) == 4 &&
	      verdict_exit(VERDICT_NO_IOMMU) == 5, "exit statuses");
	CHECK(!strcmp(verdict_key(VERDICT_COMPANIONS), "needs_companions"),
	      "JSON key");
	CHECK(verdict_stays_with_host(&rp) && verdict_stays_with_host(&hostbr) &&
	      !verdict_stays_with_host(&gpu), "what stays with the host");

	CHECK(!strcmp(acs_flag_names(0x001d, buf, sizeof(buf)), "SV RR CR UF"),
	      "required flags by name: '%s'", buf);
	CHECK(!strcmp(acs_flag_names(0x0062, buf, sizeof(buf)), "TB EC DT"),
	      "the other flags: '%s'", buf);
	CHECK(!strcmp(acs_flag_names(0, buf, sizeof(buf)), ""), "none");
}

static void test_acs_cmdline(void)
{
	struct acs_cmdline c;
	struct pp_addr a, b;
	enum addr_scope scope;

	addr_parse("0000:00:07.0", &a, &scope);
	addr_parse("00:1c.4", &b, &scope);
	acs_cmdline_scan("ro quiet pcie_acs_override=downstream,multifunction "
			 "pci=noaer,config_acs=10001@0000:00:07.0;1x@00:1c.4 "
			 "pci=disable_acs_redir=pci:8086:a110", &c);
	CHECK(c.acs_override && !strcmp(c.acs_override, "downstream,multifunction"),
	      "pcie_acs_override value");
	CHECK(c.config_acs && !strcmp(c.config_acs, "10001@0000:00:07.0;1x@00:1c.4"),
	      "config_acs value from a pci= list");
	CHECK(c.disable_acs_redir && !strcmp(c.disable_acs_redir, "pci:8086:a110"),
	      "a later pci= adds disable_acs_redir");
	CHECK(acs_devlist_names(c.config_acs, &a), "names 0000:00:07.0");
	CHECK(acs_devlist_names(c.config_acs, &b), "names 00:1c.4 without domain");
	CHECK(!acs_devlist_names(c.disable_acs_redir, &a), "ID form matches no address");
	CHECK(!acs_devlist_names(NULL, &a), "no list");
	acs_cmdline_free(&c);
	acs_cmdline_scan("ro quiet", &c);
	CHECK(!c.acs_override && !c.config_acs && !c.disable_acs_redir,
	      "nothing about ACS");
	acs_cmdline_free(&c);
}

/* Runs fn with stdout going to a temporary file; returns what it wrote. */
char *capture(void (*fn)(const void *), const void *arg)
{
	FILE *tmp = tmpfile();
	int saved;
	long len;
	char *out;

	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fileno(tmp), STDOUT_FILENO);
	fn(arg);
	print_flush();
	print_cleanup();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	/* fd 1 shared the file offset: the end is what was written. */
	len = lseek(fileno(tmp), 0, SEEK_END);
	if (len < 0)
		len = 0;
	out = xrealloc(NULL, (size_t)len + 1);
	out[0] = '\0';
	if (len > 0 && pread(fileno(tmp), out, (size_t)len, 0) == len)
		out[len] = '\0';
	fclose(tmp);
	return out;
}

static void test_printable(void)
{
	char s[] = "qemu\x1b]0;pwned\x07\tx\x7f\xc3\xa9";
	char *none = NULL;

	CHECK(!strcmp(str_printable(s), "qemu?]0;pwned??x?\xc3\xa9"),
	      "control characters replaced, UTF-8 kept: '%s'", s);
	CHECK(!str_printable(none), "NULL passes through");
}

int main(void)
{
	test_addr();
	test_state();
	test_filter();
	test_color();
	test_pcie();
	test_cmdline();
	test_verdict();
	test_acs_cmdline();
	test_printable();
	test_claim();
	test_policy();
	test_persist();
	test_host_vfs();
	test_pve();
	test_acs();
	test_wait_line();
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
