// SPDX-License-Identifier: GPL-2.0
/*
 * isolation-get (netlink) and PCIPASS_IOC_ISOLATION_GET against ground
 * truth the module did not compute: for every PCI function, the kernel's
 * IOMMU group in /sys/kernel/iommu_groups, the path to the root complex in
 * the sysfs device tree, the ACS and PCI Express capabilities found by
 * walking each config space file, and the drivers sysfs shows.  Both
 * interfaces must give the same answer, field by field.
 *
 * In the test VM (PCIPASS_VM set by tests/vm/run.sh) the prediction must
 * equal the kernel's groups for every function, and a table of what the
 * shapes of tests/vm/topology.sh must give is checked.
 *
 * Then the tests change the machine and put it back: one function is moved
 * from its driver to pci-stub (vfio-pci without it), to no driver and back (readiness follows);
 * one root port's ACS Control register is rewritten with setpci.  The
 * kernel keeps the groups it formed, the prediction follows config space,
 * and kernel-only / predicted-only must say exactly what differs: cleared
 * bits give predicted-only; bits set on a port whose function the kernel
 * grouped with it (topology shape (g), or a function removed and rescanned
 * while the port's bits were clear) give kernel-only.  Everything is put
 * back in the parent process, even when a test fails; the ACS word at the
 * latest when the program exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#include "ppcommon.h"
#include "ppiso.h"

#define EPERM_MSG "isolation-get needs CAP_SYS_ADMIN: it reads extended config space"

#define NEED_MODULE() do {						\
	if (!pp_module_loaded())					\
		SKIP(return, "pcipass module not loaded");		\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

/* The test VM of tests/vm: its topology is known. */
static bool in_test_vm(void)
{
	return getenv("PCIPASS_VM") != NULL;
}

static struct pp_iso *iso_alloc(struct __test_metadata *_metadata)
{
	struct pp_iso *iso = calloc(1, sizeof(*iso));

	ASSERT_NE(NULL, iso);
	return iso;
}

/* One netlink do: 0 and *iso filled, or the kernel's -errno. */
static int nl_iso(struct __test_metadata *_metadata, struct nl_sock *s,
		  uint16_t family, const struct pci_addr *a, struct pp_iso *iso,
		  struct nl_reply *out)
{
	char why[2048] = "", name[32];
	struct nl_reply rep;
	struct nlb b;
	int ret;

	pci_addr_fmt(a, name, sizeof(name));
	pp_req_iso_get(&b, family, a);
	ret = nl_transact(s, &b, &rep);
	if (ret) {
		EXPECT_EQ(0, ret) TH_LOG("%s: netlink: %s", name, strerror(-ret));
		return ret;
	}
	EXPECT_FALSE(rep.bad_seq || rep.malformed || rep.truncated) TH_LOG("%s", name);
	EXPECT_TRUE(rep.got_ack) TH_LOG("%s", name);
	if (rep.error) {
		ret = rep.error;
	} else {
		EXPECT_EQ(1, rep.nmsgs) TH_LOG("%s", name);
		ret = -EBADMSG;
		if (rep.nmsgs == 1) {
			EXPECT_EQ(0, rep.msgs[0].nlh->nlmsg_flags & NLM_F_MULTI);
			ret = pp_parse_iso(rep.msgs[0].nlh, iso, why, sizeof(why));
			EXPECT_EQ(0, ret) TH_LOG("%s: reply: %s", name, why);
		}
	}
	if (out)
		*out = rep;
	else
		nl_reply_free(&rep);
	return ret;
}

/* One ioctl: 0 and *iso filled, or -errno. */
static int ioc_iso(struct __test_metadata *_metadata, int fd,
		   const struct pci_addr *a, struct pp_iso *iso)
{
	struct pcipass_ioc_isolation *io = calloc(1, sizeof(*io));
	char why[2048] = "", name[32];
	int ret;

	ASSERT_NE(NULL, io);
	pci_addr_fmt(a, name, sizeof(name));
	ret = pp_ioc_iso_get(fd, a, io);
	if (!ret) {
		EXPECT_EQ(sizeof(*io), io->size);
		EXPECT_EQ(0U, io->flags);
		ret = pp_iso_from_ioc(io, iso, why, sizeof(why));
		EXPECT_EQ(0, ret) TH_LOG("%s: ioctl answer: %s", name, why);
	}
	free(io);
	return ret;
}

static int open_dev(void)
{
	return open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
}

/* ------------------------------------------------------------------ */
/* Every function, both interfaces, against sysfs and config space.    */

FIXTURE(iso) {
	struct pp_world w;
	struct nl_sock s;
	uint16_t family;
	int fd;
};

FIXTURE_SETUP(iso)
{
	int ret;

	self->s.fd = -1;
	self->fd = -1;
	NEED_MODULE();
	NEED_ROOT();
	ret = pp_world_read(&self->w);
	ASSERT_EQ(0, ret) TH_LOG("reading sysfs: %s", strerror(-ret));
	ret = pp_nl_open(&self->s, &self->family, 0);
	ASSERT_EQ(0, ret) TH_LOG("netlink: %s", strerror(-ret));
	self->fd = open_dev();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", PCIPASS_DEV_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(iso)
{
	nl_close(&self->s);
	if (self->fd >= 0)
		close(self->fd);
	pp_world_free(&self->w);
}

static void count_answer(const struct pp_iso *iso, int *codes, int *states)
{
	int k;

	for (k = 0; k < iso->nreasons; k++)
		if (iso->reasons[k].code <= PCIPASS_REASON_MULTIFUNCTION &&
		    !pci_addr_cmp(&iso->reasons[k].subject, &iso->addr))
			codes[iso->reasons[k].code]++;
	if (iso->nhops && iso->hops[0].state <= PCIPASS_ACS_STATE_NEVER)
		states[iso->hops[0].state]++;
}

static void log_counts(struct __test_metadata *_metadata, const int *codes,
		       const int *states)
{
	int k;

	for (k = 0; k <= PCIPASS_REASON_MULTIFUNCTION; k++)
		TH_LOG("reason %-13s: %d functions", pp_reason_name(k), codes[k]);
	for (k = 0; k <= PCIPASS_ACS_STATE_NEVER; k++)
		TH_LOG("acs-state %-14s: %d functions", pp_acs_state_name(k), states[k]);
}

TEST_F(iso, netlink_every_function)
{
	int i, checked = 0, codes[8] = { 0 }, states[8] = { 0 };
	struct pp_iso *iso = iso_alloc(_metadata);

	for (i = 0; i < self->w.n; i++) {
		char why[8192] = "";
		int ret;

		ret = nl_iso(_metadata, &self->s, self->family, &self->w.sd[i].addr,
			     iso, NULL);
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", self->w.sd[i].name, strerror(-ret));
		if (ret)
			continue;
		EXPECT_EQ(0, pp_iso_check(&self->w, i, iso, why, sizeof(why)))
			TH_LOG("%s: %s", self->w.sd[i].name, why);
		count_answer(iso, codes, states);
		checked++;
	}
	EXPECT_EQ(self->w.n, checked);
	TH_LOG("%d functions checked against sysfs and config space", checked);
	log_counts(_metadata, codes, states);
	free(iso);
}

TEST_F(iso, ioctl_every_function)
{
	struct pp_iso *iso = iso_alloc(_metadata);
	int i, checked = 0;

	for (i = 0; i < self->w.n; i++) {
		char why[8192] = "";
		int ret;

		ret = ioc_iso(_metadata, self->fd, &self->w.sd[i].addr, iso);
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", self->w.sd[i].name, strerror(-ret));
		if (ret)
			continue;
		EXPECT_EQ(0, pp_iso_check(&self->w, i, iso, why, sizeof(why)))
			TH_LOG("%s: %s", self->w.sd[i].name, why);
		checked++;
	}
	EXPECT_EQ(self->w.n, checked);
	free(iso);
}

/* The same answer from both interfaces, and from asking twice. */
TEST_F(iso, netlink_and_ioctl_agree)
{
	struct pp_iso *a = iso_alloc(_metadata), *b = iso_alloc(_metadata);
	struct pp_iso *c = iso_alloc(_metadata);
	int i;

	for (i = 0; i < self->w.n; i++) {
		const char *name = self->w.sd[i].name;
		char why[8192] = "";

		ASSERT_EQ(0, nl_iso(_metadata, &self->s, self->family,
				    &self->w.sd[i].addr, a, NULL)) TH_LOG("%s", name);
		ASSERT_EQ(0, ioc_iso(_metadata, self->fd, &self->w.sd[i].addr, b))
			TH_LOG("%s", name);
		EXPECT_EQ(0, pp_iso_diff(a, b, why, sizeof(why)))
			TH_LOG("%s: %s", name, why);
		why[0] = 0;
		ASSERT_EQ(0, nl_iso(_metadata, &self->s, self->family,
				    &self->w.sd[i].addr, c, NULL)) TH_LOG("%s", name);
		EXPECT_EQ(0, pp_iso_diff(a, c, why, sizeof(why)))
			TH_LOG("%s asked again: %s", name, why);
	}
	free(a);
	free(b);
	free(c);
}

/* On the test VM's topology config space explains every group. */
TEST_F(iso, prediction_is_the_kernels_groups)
{
	struct pp_iso *iso = iso_alloc(_metadata);
	char s1[512], s2[512];
	int i, agree = 0;

	if (!in_test_vm()) {
		free(iso);
		SKIP(return, "not the test VM: ACS quirks may legitimately differ");
	}
	for (i = 0; i < self->w.n; i++) {
		ASSERT_EQ(0, nl_iso(_metadata, &self->s, self->family,
				    &self->w.sd[i].addr, iso, NULL));
		pp_addrs_fmt(iso->ko, iso->nko, s1, sizeof(s1));
		pp_addrs_fmt(iso->po, iso->npo, s2, sizeof(s2));
		EXPECT_TRUE(pp_iso_agrees(iso))
			TH_LOG("%s: kernel-only [%s], predicted-only [%s]",
			       self->w.sd[i].name, s1, s2);
		agree += pp_iso_agrees(iso);
	}
	TH_LOG("%d of %d functions: prediction == kernel group", agree, self->w.n);
	free(iso);
}

/* ------------------------------------------------------------------ */
/* The shapes of tests/vm/topology.sh: what each must give.            */

/* /proc/cmdline disables ACS bits of @port (see pcipass_vm_kernel_args). */
static bool cmdline_disables_acs(const char *port)
{
	char buf[4096] = "", pat[64];
	ssize_t n;
	int fd;

	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	snprintf(pat, sizeof(pat), "@%s", port);	/* pci=config_acs=FLAGS@ADDR */
	if (strstr(buf, "pci=config_acs=") && strstr(buf, pat))
		return true;
	snprintf(pat, sizeof(pat), "disable_acs_redir=%s", port);
	return strstr(buf, pat) != NULL;
}

#define RP	"1b36:000c"	/* pcie-root-port */
#define E1000E	"8086:10d3"
#define NMAX	8

struct shape_row {
	const char *shape;	/* topology.sh */
	const char *fn;		/* the function asked about */
	const char *id;		/* its vendor:device, to catch a changed topology */
	uint8_t code;		/* the reason whose subject is fn */
	const char *peer, *cause;
	uint16_t missing;
	const char *group[NMAX];	/* predicted == kernel group (sorted) */
	const char *hop;	/* a hop on fn's path ... */
	uint8_t hop_state;	/* ... with this acs-state */
	uint16_t hop_missing;
	const char *karg_port;	/* applies when the command line disables ACS here */
};

#define D(x)	"0000:" x
#define ISO	PCIPASS_REASON_ISOLATED
#define UP	PCIPASS_REASON_UPSTREAM_ACS
#define BR	PCIPASS_REASON_BRIDGE_ALIAS
#define MF	PCIPASS_REASON_MULTIFUNCTION
#define S_NA	PCIPASS_ACS_STATE_NOT_APPLICABLE
#define S_ON	PCIPASS_ACS_STATE_ENABLED
#define S_OFF	PCIPASS_ACS_STATE_DISABLED
#define S_NO	PCIPASS_ACS_STATE_ABSENT
#define S_NEV	PCIPASS_ACS_STATE_NEVER
#define ALL	PP_ACS_REQUIRED
#define RR_CR	(PP_ACS_RR | PP_ACS_CR)

/*
 * Every row from the topology's documentation (tests/vm/topology.sh,
 * tests/vm/README.md) and lspci -vvv in the guest: QEMU's pcie-root-port
 * implements ACS (SV TB RR CR UF) and Linux enables SV RR CR UF; root
 * port 00:02.0 has disable-acs=on; QEMU 7.2's x3130/xio3130 switch ports
 * have no ACS capability, so below a switch the lowest downstream port
 * is the first hop that does not isolate; e1000e and the ICH9 functions
 * have none either; the PCIe-to-PCI bridge and the conventional e1000
 * behind it never isolate.
 */
static const struct shape_row shape_table[] = {
	/* (a) isolated endpoint behind an ACS root port */
	{ "a", D("00:01.0"), RP, ISO, .group = { D("00:01.0") },
	  .hop = D("00:01.0"), .hop_state = S_ON },
	{ "a", D("01:00.0"), E1000E, ISO, .group = { D("01:00.0") },
	  .hop = D("00:01.0"), .hop_state = S_ON },
	/* (b) root port without ACS above a switch without ACS: one group */
	{ "b", D("00:02.0"), RP, ISO,
	  .group = { D("00:02.0"), D("02:00.0"), D("03:00.0"), D("03:01.0"),
		     D("04:00.0"), D("05:00.0") },
	  .hop = D("00:02.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "b", D("02:00.0"), "104c:8232", UP, D("00:02.0"), D("00:02.0"), ALL,
	  .group = { D("00:02.0"), D("02:00.0"), D("03:00.0"), D("03:01.0"),
		     D("04:00.0"), D("05:00.0") },
	  .hop = D("02:00.0"), .hop_state = S_NA },
	{ "b", D("03:00.0"), "104c:8233", UP, D("02:00.0"), D("00:02.0"), ALL,
	  .group = { D("00:02.0"), D("02:00.0"), D("03:00.0"), D("03:01.0"),
		     D("04:00.0"), D("05:00.0") },
	  .hop = D("03:00.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "b", D("04:00.0"), E1000E, UP, D("03:00.0"), D("03:00.0"), ALL,
	  .group = { D("00:02.0"), D("02:00.0"), D("03:00.0"), D("03:01.0"),
		     D("04:00.0"), D("05:00.0") },
	  .hop = D("00:02.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "b", D("05:00.0"), E1000E, UP, D("03:01.0"), D("03:01.0"), ALL,
	  .group = { D("00:02.0"), D("02:00.0"), D("03:00.0"), D("03:01.0"),
		     D("04:00.0"), D("05:00.0") },
	  .hop = D("03:01.0"), .hop_state = S_NO, .hop_missing = ALL },
	/* (c) multifunction endpoint without ACS */
	{ "c", D("06:00.0"), E1000E, ISO, .group = { D("06:00.0"), D("06:00.1") },
	  .hop = D("06:00.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "c", D("06:00.1"), E1000E, MF, D("06:00.0"), D("06:00.0"), ALL,
	  .group = { D("06:00.0"), D("06:00.1") },
	  .hop = D("00:03.0"), .hop_state = S_ON },
	/* (d) conventional PCI behind a PCIe-to-PCI bridge */
	{ "d", D("07:00.0"), "1b36:000e", ISO,
	  .group = { D("07:00.0"), D("08:01.0"), D("08:02.0") },
	  .hop = D("07:00.0"), .hop_state = S_NEV, .hop_missing = ALL },
	{ "d", D("08:01.0"), "8086:100e", BR, D("07:00.0"), D("07:00.0"), 0,
	  .group = { D("07:00.0"), D("08:01.0"), D("08:02.0") },
	  .hop = D("08:01.0"), .hop_state = S_NEV, .hop_missing = ALL },
	{ "d", D("08:02.0"), "8086:100e", BR, D("07:00.0"), D("07:00.0"), 0,
	  .group = { D("07:00.0"), D("08:01.0"), D("08:02.0") },
	  .hop = D("00:04.0"), .hop_state = S_ON },
	/* (e) NVMe, (f) SR-IOV: the PF and each VF alone */
	{ "e", D("09:00.0"), "1b36:0010", ISO, .group = { D("09:00.0") },
	  .hop = D("09:00.0"), .hop_state = S_NA },
	{ "f", D("0a:00.0"), "1b36:0010", ISO, .group = { D("0a:00.0") },
	  .hop = D("00:06.0"), .hop_state = S_ON },
	{ "f", D("0a:00.1"), NULL, ISO, .group = { D("0a:00.1") },
	  .hop = D("00:06.0"), .hop_state = S_ON },
	{ "f", D("0a:00.2"), NULL, ISO, .group = { D("0a:00.2") },
	  .hop = D("0a:00.2"), .hop_state = S_NA },
	/* (g) root port whose RR and CR the kernel command line disables */
	{ "g", D("0b:00.0"), E1000E, UP, D("00:07.0"), D("00:07.0"), RR_CR,
	  .group = { D("00:07.0"), D("0b:00.0") },
	  .hop = D("00:07.0"), .hop_state = S_OFF, .hop_missing = RR_CR,
	  .karg_port = D("00:07.0") },
	{ "g", D("0b:00.0"), E1000E, ISO, .group = { D("0b:00.0") },
	  .hop = D("00:07.0"), .hop_state = S_ON, .karg_port = "-" D("00:07.0") },
	/* (h) switch without ACS behind an ACS root port: a group per port */
	{ "h", D("0c:00.0"), "104c:8232", ISO, .group = { D("0c:00.0") },
	  .hop = D("0c:00.0"), .hop_state = S_NA },
	{ "h", D("0d:00.0"), "104c:8233", ISO, .group = { D("0d:00.0"), D("0e:00.0") },
	  .hop = D("0d:00.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "h", D("0e:00.0"), E1000E, UP, D("0d:00.0"), D("0d:00.0"), ALL,
	  .group = { D("0d:00.0"), D("0e:00.0") },
	  .hop = D("00:08.0"), .hop_state = S_ON },
	{ "h", D("0f:00.0"), E1000E, UP, D("0d:01.0"), D("0d:01.0"), ALL,
	  .group = { D("0d:01.0"), D("0f:00.0") },
	  .hop = D("0d:01.0"), .hop_state = S_NO, .hop_missing = ALL },
	/* (i) multifunction root ports with ACS: everything isolated */
	{ "i", D("00:09.0"), RP, ISO, .group = { D("00:09.0") },
	  .hop = D("00:09.0"), .hop_state = S_ON },
	{ "i", D("00:09.1"), RP, ISO, .group = { D("00:09.1") },
	  .hop = D("00:09.1"), .hop_state = S_ON },
	{ "i", D("10:00.0"), E1000E, ISO, .group = { D("10:00.0") },
	  .hop = D("00:09.0"), .hop_state = S_ON },
	{ "i", D("11:00.0"), E1000E, ISO, .group = { D("11:00.0") },
	  .hop = D("00:09.1"), .hop_state = S_ON },
	/* (j) GPU + audio: a multifunction device without ACS */
	{ "j", D("12:00.0"), "1234:1111", ISO, .group = { D("12:00.0"), D("12:00.1") },
	  .hop = D("00:0a.0"), .hop_state = S_ON },
	{ "j", D("12:00.1"), "8086:293e", MF, D("12:00.0"), D("12:00.0"), ALL,
	  .group = { D("12:00.0"), D("12:00.1") } },
	/* (k) xHCI alone */
	{ "k", D("13:00.0"), "1b36:000d", ISO, .group = { D("13:00.0") },
	  .hop = D("13:00.0"), .hop_state = S_NA },
	/* (l) NVMe PF below a root port without ACS: one group (VFs join it) */
	{ "l", D("00:0c.0"), RP, ISO, .group = { D("00:0c.0"), D("14:00.0") },
	  .hop = D("00:0c.0"), .hop_state = S_NO, .hop_missing = ALL },
	{ "l", D("14:00.0"), "1b36:0010", UP, D("00:0c.0"), D("00:0c.0"), ALL,
	  .group = { D("00:0c.0"), D("14:00.0") },
	  .hop = D("00:0c.0"), .hop_state = S_NO, .hop_missing = ALL },
	/* not part of the test shapes: ICH9 LPC/SATA/SMBus, conventional */
	{ "-", D("00:1f.0"), "8086:2918", ISO,
	  .group = { D("00:1f.0"), D("00:1f.2"), D("00:1f.3") },
	  .hop = D("00:1f.0"), .hop_state = S_NEV, .hop_missing = ALL },
	{ "-", D("00:1f.2"), "8086:2922", MF, D("00:1f.0"), D("00:1f.0"), ALL,
	  .group = { D("00:1f.0"), D("00:1f.2"), D("00:1f.3") } },
	{ "-", D("00:1f.3"), "8086:2930", MF, D("00:1f.0"), D("00:1f.0"), ALL,
	  .group = { D("00:1f.0"), D("00:1f.2"), D("00:1f.3") } },
};

static int addr_of(const char *s, struct pci_addr *a)
{
	return pci_addr_parse(s, a);
}

/* A row applies when its command-line condition holds ("-PORT": does not). */
static bool row_applies(const struct shape_row *r)
{
	if (!r->karg_port)
		return true;
	if (r->karg_port[0] == '-')
		return !cmdline_disables_acs(r->karg_port + 1);
	return cmdline_disables_acs(r->karg_port);
}

/* The peer, cause and acs-missing of the row's reason. */
static int check_link(struct __test_metadata *_metadata, const struct shape_row *r,
		      const struct pp_iso_reason *rs)
{
	struct pci_addr a;
	char s[32];
	int bad = 0;

	if (r->peer) {
		ASSERT_EQ(0, addr_of(r->peer, &a));
		pci_addr_fmt(&rs->peer, s, sizeof(s));
		EXPECT_TRUE(rs->has_peer && !pci_addr_cmp(&rs->peer, &a)) {
			TH_LOG("(%s) %s: peer %s, want %s", r->shape, r->fn,
			       rs->has_peer ? s : "none", r->peer);
			bad++;
		}
	} else {
		EXPECT_FALSE(rs->has_peer) bad++;
	}
	if (r->cause) {
		ASSERT_EQ(0, addr_of(r->cause, &a));
		pci_addr_fmt(&rs->cause, s, sizeof(s));
		EXPECT_TRUE(rs->has_cause && !pci_addr_cmp(&rs->cause, &a)) {
			TH_LOG("(%s) %s: cause %s, want %s", r->shape, r->fn,
			       rs->has_cause ? s : "none", r->cause);
			bad++;
		}
	} else {
		EXPECT_FALSE(rs->has_cause) bad++;
	}
	EXPECT_EQ(r->missing, rs->missing) {
		TH_LOG("(%s) %s: acs-missing %#x, want %#x", r->shape, r->fn,
		       rs->missing, r->missing);
		bad++;
	}
	return bad;
}

static int check_row(struct __test_metadata *_metadata, FIXTURE_DATA(iso) *self,
		     const struct shape_row *r, struct pp_iso *nl, struct pp_iso *io)
{
	const struct pp_iso_reason *rs;
	struct pci_addr fn, want[NMAX], a;
	const struct sysfs_dev *d;
	char s1[512], s2[512], why[4096] = "";
	int i, k, nwant = 0, bad = 0;

	ASSERT_EQ(0, addr_of(r->fn, &fn));
	i = pp_world_find(&self->w, &fn);
	/* every row's function is in the test VM (topo_check checks it too) */
	if (i < 0) {
		EXPECT_LE(0, i) TH_LOG("(%s) %s: not in sysfs", r->shape, r->fn);
		return 1;
	}
	d = &self->w.sd[i];
	snprintf(s1, sizeof(s1), "%04x:%04x", d->vendor, d->device);
	if (r->id) {
		EXPECT_STREQ(r->id, s1) TH_LOG("(%s) %s: another device", r->shape, r->fn);
	}
	for (k = 0; k < NMAX && r->group[k]; k++)
		ASSERT_EQ(0, addr_of(r->group[k], &want[nwant++]));

	ASSERT_EQ(0, nl_iso(_metadata, &self->s, self->family, &fn, nl, NULL));
	ASSERT_EQ(0, ioc_iso(_metadata, self->fd, &fn, io));
	EXPECT_EQ(0, pp_iso_diff(nl, io, why, sizeof(why))) {
		TH_LOG("(%s) %s: %s", r->shape, r->fn, why);
		bad++;
	}

	/* the group: the kernel's (sysfs) and the predicted one */
	{
		const struct sysfs_group *g = d->has_group ?
			pp_world_group(&self->w, d->group) : NULL;

		pp_addrs_fmt(want, nwant, s1, sizeof(s1));
		if (g)
			pp_addrs_fmt(g->members, g->nmembers, s2, sizeof(s2));
		EXPECT_TRUE(g && g->nmembers == nwant &&
			    !memcmp(g->members, want, nwant * sizeof(want[0]))) {
			TH_LOG("(%s) %s: kernel group [%s], the topology says [%s]",
			       r->shape, r->fn, g ? s2 : "none", s1);
			bad++;
		}
		pp_addrs_fmt(nl->pred, nl->npred, s2, sizeof(s2));
		for (k = 0; k < nwant; k++)
			if (pp_addr_index(nl->pred, nl->npred, &want[k]) < 0)
				break;
		EXPECT_TRUE(k == nwant && nl->npred == nwant && pp_iso_agrees(nl)) {
			TH_LOG("(%s) %s: predicted [%s], the topology says [%s]",
			       r->shape, r->fn, s2, s1);
			bad++;
		}
	}

	/*
	 * The function's own link.  The founder of a predicted group of
	 * several joined nobody: no reason names it as subject.
	 */
	rs = pp_iso_reason_of(nl, &fn);
	if (r->code == ISO && nwant > 1) {
		EXPECT_EQ(NULL, rs) {
			TH_LOG("(%s) %s: founds its group, yet joins it (%s)", r->shape,
			       r->fn, pp_reason_name(rs->code));
			bad++;
		}
	} else if (!rs) {
		EXPECT_NE(NULL, rs) TH_LOG("(%s) %s: no reason about it", r->shape, r->fn);
		bad++;
	} else {
		EXPECT_EQ(r->code, rs->code) {
			TH_LOG("(%s) %s: reason %s, want %s", r->shape, r->fn,
			       pp_reason_name(rs->code), pp_reason_name(r->code));
			bad++;
		}
		bad += check_link(_metadata, r, rs);
	}

	/* one hop's state */
	if (r->hop) {
		ASSERT_EQ(0, addr_of(r->hop, &a));
		for (k = 0; k < nl->nhops; k++)
			if (!pci_addr_cmp(&nl->hops[k].addr, &a))
				break;
		if (k >= nl->nhops) {
			EXPECT_LT(k, nl->nhops) TH_LOG("(%s) %s: %s is no hop", r->shape,
						       r->fn, r->hop);
			bad++;
		} else {
			EXPECT_TRUE(nl->hops[k].state == r->hop_state &&
				    nl->hops[k].missing == r->hop_missing) {
				TH_LOG("(%s) %s: hop %s %s %#x, want %s %#x", r->shape,
				       r->fn, r->hop, pp_acs_state_name(nl->hops[k].state),
				       nl->hops[k].missing,
				       pp_acs_state_name(r->hop_state), r->hop_missing);
				bad++;
			}
		}
	}
	return bad;
}

TEST_F(iso, topology_shapes)
{
	struct pp_iso *nl = iso_alloc(_metadata), *io = iso_alloc(_metadata);
	unsigned int i, rows = 0, bad = 0;

	if (!in_test_vm()) {
		free(nl);
		free(io);
		SKIP(return, "not the test VM (tests/vm/topology.sh)");
	}
	for (i = 0; i < sizeof(shape_table) / sizeof(shape_table[0]); i++) {
		const struct shape_row *r = &shape_table[i];

		if (!row_applies(r))
			continue;
		bad += check_row(_metadata, self, r, nl, io) != 0;
		rows++;
	}
	TH_LOG("%u rows of the shape table checked, %u wrong", rows, bad);
	free(nl);
	free(io);
}

/* ------------------------------------------------------------------ */
/* Privilege: CAP_SYS_ADMIN, decided before anything else.            */

FIXTURE(unpriv) {
	struct pp_world w;
	struct pci_addr valid;
};

FIXTURE_SETUP(unpriv)
{
	NEED_MODULE();
	ASSERT_EQ(0, pp_world_read(&self->w));
	self->valid = self->w.sd[0].addr;
}

FIXTURE_TEARDOWN(unpriv)
{
	pp_world_free(&self->w);
}

static void expect_eperm_nl(struct __test_metadata *_metadata, struct nl_sock *s,
			    struct nlb *b, const char *what)
{
	struct nl_reply rep;

	ASSERT_EQ(0, nl_transact(s, b, &rep));
	EXPECT_EQ(-EPERM, rep.error) TH_LOG("%s: error %d (%s)", what, rep.error,
					     rep.ext_msg);
	EXPECT_EQ(0, rep.nmsgs) TH_LOG("%s", what);
	EXPECT_TRUE(rep.has_msg) TH_LOG("%s", what);
	EXPECT_STREQ(EPERM_MSG, rep.ext_msg) TH_LOG("%s", what);
	/* nothing about the request's attributes: it was not looked at */
	EXPECT_FALSE(rep.has_offs || rep.has_miss_type || rep.has_miss_nest)
		TH_LOG("%s", what);
	nl_reply_free(&rep);
}

/* Unprivileged: EPERM with the extack text, before the address is looked at. */
TEST_F(unpriv, netlink_eperm)
{
	struct pci_addr absent = { .domain = 0x7777, .bus = 0xfe, .devfn = 0xff };
	struct nl_sock s;
	uint16_t family;
	struct nlb b;

	if (geteuid() == 0) {
		ASSERT_EQ(0, pp_drop_privileges());
	}
	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	pp_req_iso_get(&b, family, &self->valid);
	expect_eperm_nl(_metadata, &s, &b, "existing function");
	pp_req_iso_get(&b, family, &absent);
	expect_eperm_nl(_metadata, &s, &b, "absent function");
	nlb_init(&b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_ISOLATION_GET,
		 PCIPASS_FAMILY_VERSION);
	expect_eperm_nl(_metadata, &s, &b, "no address");
	nlb_init(&b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_ISOLATION_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_nest_start(&b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_nest_end(&b);
	expect_eperm_nl(_metadata, &s, &b, "empty address");
	/* the device and group queries stay open */
	pp_req_dev_get(&b, family, &self->valid);
	{
		struct nl_reply rep;

		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error);
		EXPECT_EQ(1, rep.nmsgs);
		nl_reply_free(&rep);
	}
	nl_close(&s);
}

/* A socket root opened does not lend its privilege to a process that dropped it. */
TEST_F(unpriv, netlink_root_socket_used_unprivileged)
{
	struct nl_sock s;
	uint16_t family;
	struct nlb b;

	NEED_ROOT();
	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	ASSERT_EQ(0, pp_drop_privileges());
	pp_req_iso_get(&b, family, &self->valid);
	expect_eperm_nl(_metadata, &s, &b, "root's socket, uid 65534");
	nl_close(&s);
}

/* Unprivileged opener: EPERM before the struct is even read. */
TEST_F(unpriv, ioctl_eperm)
{
	struct pcipass_ioc_isolation *io = calloc(1, sizeof(*io)), *ref;
	int fd;

	ASSERT_NE(NULL, io);
	ref = calloc(1, sizeof(*ref));
	ASSERT_NE(NULL, ref);
	if (geteuid() == 0) {
		ASSERT_EQ(0, pp_drop_privileges());
	}
	fd = open_dev();
	ASSERT_LE(0, fd) TH_LOG("open as uid %d: %s", geteuid(), strerror(errno));
	EXPECT_EQ(-EPERM, pp_ioc_iso_get(fd, &self->valid, io));
	memcpy(ref, io, sizeof(*io));
	/* nothing written back */
	EXPECT_EQ(0, memcmp(ref, io, sizeof(*io)));
	EXPECT_EQ(0U, io->present);
	EXPECT_EQ(0U, io->nr_hops);
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, NULL));
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, (void *)1));
	io->size = 8;
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, io));
	io->size = sizeof(*io);
	io->flags = 1;
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, io));
	io->flags = 0;
	io->addr.domain = 0x7777;
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, io));
	EXPECT_EQ(-EPERM, pp_ioctl(fd, _IOC(_IOC_READ | _IOC_WRITE, PCIPASS_IOC_MAGIC,
					    _IOC_NR(PCIPASS_IOC_ISOLATION_GET), 16), io));
	close(fd);
	free(io);
	free(ref);
}

/*
 * The opener's privilege counts, as for the sysfs config file: root's
 * descriptor still answers after root dropped privileges ...
 */
TEST_F(unpriv, ioctl_root_fd_used_unprivileged)
{
	struct pp_iso *iso = iso_alloc(_metadata);
	char why[8192] = "";
	int fd;

	NEED_ROOT();
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pp_drop_privileges());
	ASSERT_EQ(0, ioc_iso(_metadata, fd, &self->valid, iso));
	EXPECT_EQ(0, pp_iso_check(&self->w, 0, iso, why, sizeof(why)))
		TH_LOG("%s: %s", self->w.sd[0].name, why);
	close(fd);
	free(iso);
}

static int send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 }, c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -errno;
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))], c;
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, &mh, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* ... and an unprivileged opener's descriptor does not answer root. */
TEST_F(unpriv, ioctl_unprivileged_fd_used_by_root)
{
	struct pcipass_ioc_isolation *io = calloc(1, sizeof(*io));
	int sv[2], fd, status;
	pid_t pid;

	NEED_ROOT();
	ASSERT_NE(NULL, io);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(sv[0]);
		if (pp_drop_privileges())
			_exit(1);
		fd = open_dev();
		_exit(fd < 0 || send_fd(sv[1], fd) ? 2 : 0);
	}
	close(sv[1]);
	fd = recv_fd(sv[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, pp_ioc_iso_get(fd, &self->valid, io));
	close(fd);
	close(sv[0]);
	free(io);
}

/* ------------------------------------------------------------------ */
/* Readiness follows the driver bindings.                              */

static int run_cmd(const char *const argv[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static int dev_write(const char *name, const char *file, const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s/%s", SYSFS_PCI_DEVICES, name, file);
	return sysfs_write(path, val);
}

/* Bind @name to whatever its driver_override (or the ID tables) pick. */
static int rebind(const char *name, const char *override)
{
	struct sysfs_dev d;
	int ret;

	ret = dev_write(name, "driver_override", override ? override : "\n");
	if (!ret && !sysfs_pci_read(name, &d) && d.has_driver)
		ret = dev_write(name, "driver/unbind", name);
	if (!ret)
		ret = sysfs_write("/sys/bus/pci/drivers_probe", name);
	return ret;
}

/* Wait up to 10 s for @name to be on @driver (NULL: unbound); nvme probes async. */
static int wait_bound(const char *name, const char *driver, struct sysfs_dev *d)
{
	int tries, ret = 0;

	for (tries = 0; tries < 200; tries++) {
		ret = sysfs_pci_read(name, d);
		if (ret)
			return ret;
		if (driver ? d->has_driver && !strcmp(driver, d->driver) : !d->has_driver)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

FIXTURE(bind) {
	char name[64];
	char driver[256];
	char override[4096];	/* "" when none */
	const char *dmafree;	/* pci-stub, or vfio-pci where it is missing */
	bool changed;
};

/*
 * A driver that does no DMA through the kernel API: pci-stub, or vfio-pci
 * on kernels built without pci-stub (the debug test kernel).
 */
static const char *load_dma_free_driver(void)
{
	static const char *const drivers[] = { "pci-stub", "vfio-pci" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		const char *const modprobe[] = { "modprobe", "-q", drivers[i], NULL };

		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", drivers[i]);
		if (run_cmd(modprobe) == 0 || access(path, F_OK) == 0)
			return drivers[i];
	}
	return NULL;
}

/* A function alone in its group, on a host driver that is safe to rebind. */
static int pick_alone_on_host_driver(const struct pp_world *w)
{
	static const char *const pref[] = { "0000:09:00.0", "0000:01:00.0" };
	static const char *const safe[] = { "nvme", "e1000e", "e1000" };
	unsigned int k, j;
	int i;

	for (k = 0; k <= sizeof(pref) / sizeof(pref[0]); k++) {
		for (i = 0; i < w->n; i++) {
			const struct sysfs_dev *d = &w->sd[i];
			const struct sysfs_group *g = d->has_group ?
				pp_world_group(w, d->group) : NULL;

			if (k < sizeof(pref) / sizeof(pref[0]) && strcmp(d->name, pref[k]))
				continue;
			if (!g || g->nmembers != 1 || !d->has_driver)
				continue;
			for (j = 0; j < sizeof(safe) / sizeof(safe[0]); j++)
				if (!strcmp(d->driver, safe[j]))
					return i;
		}
	}
	return -1;
}

FIXTURE_SETUP(bind)
{
	struct pp_world w;
	int i;

	self->changed = false;
	NEED_MODULE();
	NEED_ROOT();
	ASSERT_EQ(0, pp_world_read(&w));
	i = pick_alone_on_host_driver(&w);
	if (i < 0) {
		pp_world_free(&w);
		SKIP(return, "no function alone in its group on nvme/e1000e/e1000");
	}
	snprintf(self->name, sizeof(self->name), "%s", w.sd[i].name);
	snprintf(self->driver, sizeof(self->driver), "%s", w.sd[i].driver);
	snprintf(self->override, sizeof(self->override), "%s", w.sd[i].override);
	pp_world_free(&w);
	self->dmafree = load_dma_free_driver();
	ASSERT_NE(NULL, self->dmafree) TH_LOG("neither pci-stub nor vfio-pci loads");
	TH_LOG("%s on %s (override '%s')", self->name, self->driver, self->override);
}

/* In the parent: the function goes back to its driver whatever happened. */
FIXTURE_TEARDOWN_PARENT(bind)
{
	struct sysfs_dev d;

	if (!self->changed)
		return;
	if (rebind(self->name, self->override[0] ? self->override : NULL) ||
	    wait_bound(self->name, self->driver, &d))
		TH_LOG("could not put %s back on %s", self->name, self->driver);
}

/* Ask, check against sysfs, and return the answer's blockers and ready. */
static void ask_ready(struct __test_metadata *_metadata, const char *name,
		      struct pp_iso *nl, struct pp_iso *io)
{
	struct pci_addr a;
	struct pp_world w;
	char why[8192] = "";
	struct nl_sock s;
	uint16_t family;
	int i, fd;

	ASSERT_EQ(0, pp_world_read(&w));
	ASSERT_EQ(0, pci_addr_parse(name, &a));
	i = pp_world_find(&w, &a);
	ASSERT_LE(0, i);
	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	ASSERT_EQ(0, nl_iso(_metadata, &s, family, &a, nl, NULL));
	nl_close(&s);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_iso(_metadata, fd, &a, io));
	close(fd);
	EXPECT_EQ(0, pp_iso_diff(nl, io, why, sizeof(why))) TH_LOG("%s: %s", name, why);
	why[0] = 0;
	EXPECT_EQ(0, pp_iso_check(&w, i, nl, why, sizeof(why))) TH_LOG("%s: %s", name, why);
	pp_world_free(&w);
}

static void expect_bound(struct __test_metadata *_metadata, const char *name,
			 const char *driver)
{
	struct sysfs_dev d;

	EXPECT_EQ(0, wait_bound(name, driver, &d))
		TH_LOG("%s: on %s, want %s", name, d.has_driver ? d.driver : "no driver",
		       driver ? driver : "no driver");
}

TEST_F(bind, readiness_follows_the_driver)
{
	struct pp_iso *nl = iso_alloc(_metadata), *io = iso_alloc(_metadata);

	/* a host driver: the one blocker */
	ask_ready(_metadata, self->name, nl, io);
	EXPECT_FALSE(nl->ready);
	ASSERT_EQ(1, nl->nblk);
	EXPECT_STREQ(self->driver, nl->blk[0].driver);

	/* pci-stub (or vfio-pci) does no DMA: ready */
	self->changed = true;
	ASSERT_EQ(0, rebind(self->name, self->dmafree));
	expect_bound(_metadata, self->name, self->dmafree);
	ask_ready(_metadata, self->name, nl, io);
	EXPECT_TRUE(nl->ready);
	EXPECT_EQ(0, nl->nblk);

	/* unbound: ready */
	ASSERT_EQ(0, dev_write(self->name, "driver/unbind", self->name));
	expect_bound(_metadata, self->name, NULL);
	ask_ready(_metadata, self->name, nl, io);
	EXPECT_TRUE(nl->ready);
	EXPECT_EQ(0, nl->nblk);

	/* back on its driver: blocked again */
	ASSERT_EQ(0, rebind(self->name, self->override[0] ? self->override : NULL));
	expect_bound(_metadata, self->name, self->driver);
	self->changed = false;
	ask_ready(_metadata, self->name, nl, io);
	EXPECT_FALSE(nl->ready);
	ASSERT_EQ(1, nl->nblk);
	EXPECT_STREQ(self->driver, nl->blk[0].driver);
	free(nl);
	free(io);
}

/* ------------------------------------------------------------------ */
/* A real disagreement: ACS rewritten at runtime.                      */

/*
 * Where the original ACS Control word is kept while it is changed, so that
 * main() can write it back even after the harness killed a test.
 */
#define RESTORE_FILE	"/run/pcipass-isolation-test.acs"

static int cfg_rw16(const char *name, int pos, uint16_t *v, bool write)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s/config", SYSFS_PCI_DEVICES, name);
	fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, v, 2, pos) : pread(fd, v, 2, pos);
	close(fd);
	return n == 2 ? 0 : n < 0 ? -errno : -EIO;
}

/* setpci -s NAME POS.w=VALUE: the change is made by pciutils, not by us */
static int setpci_word(const char *name, int pos, uint16_t val)
{
	char reg[32];
	int status;
	pid_t pid;

	snprintf(reg, sizeof(reg), "%x.w=%04x", pos, val);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("setpci", "setpci", "-s", name, reg, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/* Write back what RESTORE_FILE says, if it exists; 0 when nothing is left. */
static int restore_from_file(void)
{
	char name[64];
	unsigned int pos, val;
	uint16_t v, now;
	FILE *f;
	int ret;

	f = fopen(RESTORE_FILE, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	ret = fscanf(f, "%63s %x %x", name, &pos, &val) == 3 ? 0 : -EINVAL;
	fclose(f);
	if (ret)
		return ret;
	v = val;
	ret = cfg_rw16(name, pos, &v, true);
	if (!ret)
		ret = cfg_rw16(name, pos, &now, false);
	if (!ret && now != val)
		ret = -EIO;
	if (!ret)
		unlink(RESTORE_FILE);
	return ret;
}

FIXTURE(acsflip) {
	struct pp_world w;
	int port, child;	/* indices into w.sd */
	uint16_t orig, flipped;
	bool saved;
	/* kernel_only without a port disabled at boot: the child was replugged */
	bool replug;
	char port_name[64], child_name[64], child_driver[256];
};

FIXTURE_VARIANT(acsflip) {
	/*
	 * true: an ACS root port loses its control bits; the prediction joins
	 * the port and the function below it, the kernel does not
	 * (predicted-only).  false: a root port whose required bits were off
	 * when the kernel formed the groups gets them on; the kernel joined
	 * both, the prediction does not (kernel-only).  Such a port comes from
	 * the kernel command line of topology shape (g); without one, the
	 * setup makes one: it clears a port's bits, removes the function below
	 * it and rescans, so that the kernel groups it with the port.
	 */
	bool disable;
};

FIXTURE_VARIANT_ADD(acsflip, predicted_only) { .disable = true };
FIXTURE_VARIANT_ADD(acsflip, kernel_only) { .disable = false };

/* A root port with exactly one function below it, and the state we need. */
static bool port_fits(const struct pp_world *w, int p, bool disable, int *child)
{
	const struct sysfs_dev *d = &w->sd[p];
	int i, n = 0, c = -1;
	uint8_t state;

	if (!d->is_pcie || d->pcie_type != 4 || !d->has_acs || d->multifunction ||
	    !d->has_group || !(d->acs_cap & PP_ACS_REQUIRED))
		return false;
	pp_acs_rule(d, &state);
	if (state != (disable ? PCIPASS_ACS_STATE_ENABLED : PCIPASS_ACS_STATE_DISABLED))
		return false;
	for (i = 0; i < w->n; i++)
		if (w->sd[i].has_upstream && !pci_addr_cmp(&w->sd[i].upstream, &d->addr)) {
			n++;
			c = i;
		}
	if (n != 1 || !w->sd[c].has_group || w->sd[c].multifunction ||
	    w->sd[c].subsystem_vendor == 0xffff)
		return false;
	/* disable: each alone now; enable: the kernel put both together */
	if ((w->sd[c].group == d->group) == disable)
		return false;
	*child = c;
	return true;
}

/* A function that can be removed and rescanned: no VFs, no override, a known driver. */
static bool replug_safe(const struct sysfs_dev *d)
{
	char path[128], buf[16] = "0";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/sriov_numvfs", SYSFS_PCI_DEVICES, d->name);
	f = fopen(path, "re");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 'x';
		fclose(f);
	}
	return buf[0] == '0' && !d->is_virtfn && !d->has_override &&
	       (!d->has_driver || !strcmp(d->driver, "nvme") ||
		!strcmp(d->driver, "e1000e"));
}

/* Remove @child, rescan; wait for it and its driver (NULL: none) to come back. */
static int replug(const char *child, const char *driver)
{
	struct sysfs_dev d;
	int ret;

	ret = dev_write(child, "remove", "1");
	if (!ret)
		ret = sysfs_write("/sys/bus/pci/rescan", "1");
	if (!ret)
		ret = wait_bound(child, driver && driver[0] ? driver : NULL, &d);
	return ret;
}

static int same_group(const char *a, const char *b)
{
	struct sysfs_dev x, y;

	if (sysfs_pci_read(a, &x) || sysfs_pci_read(b, &y) || !x.has_group ||
	    !y.has_group)
		return -1;
	return x.group == y.group;
}

FIXTURE_SETUP(acsflip)
{
	struct pci_addr pref;
	int i, c, ret;
	uint16_t v;
	FILE *f;

	self->saved = self->replug = false;
	self->port = self->child = -1;
	NEED_MODULE();
	NEED_ROOT();
	ASSERT_EQ(0, restore_from_file()) TH_LOG("a change left by an earlier run");
	ASSERT_EQ(0, pp_world_read(&self->w));
	/* 00:01.0 (shape a) or 00:07.0 (shape g) when they fit, else any */
	ASSERT_EQ(0, pci_addr_parse(variant->disable ? D("00:01.0") : D("00:07.0"),
				    &pref));
	i = pp_world_find(&self->w, &pref);
	if (i < 0 || !port_fits(&self->w, i, variant->disable, &self->child))
		for (i = 0; i < self->w.n; i++)
			if (port_fits(&self->w, i, variant->disable, &self->child))
				break;
	if (i >= self->w.n && !variant->disable) {
		/* make one: 00:05.0 above the NVMe of shape (e) if it fits */
		ASSERT_EQ(0, pci_addr_parse(D("00:05.0"), &pref));
		i = pp_world_find(&self->w, &pref);
		if (i < 0 || !port_fits(&self->w, i, true, &c) ||
		    !replug_safe(&self->w.sd[c]))
			for (i = 0; i < self->w.n; i++)
				if (port_fits(&self->w, i, true, &c) &&
				    replug_safe(&self->w.sd[c]))
					break;
		self->replug = i < self->w.n;
		if (self->replug)
			self->child = c;
	}
	if (i >= self->w.n) {
		pp_world_free(&self->w);
		SKIP(return, "no root port with ACS %s and one isolated function below",
		     variant->disable ? "enabled" : "disabled at boot");
	}
	self->port = i;
	snprintf(self->port_name, sizeof(self->port_name), "%s", self->w.sd[i].name);
	snprintf(self->child_name, sizeof(self->child_name), "%s",
		 self->w.sd[self->child].name);
	snprintf(self->child_driver, sizeof(self->child_driver), "%s",
		 self->w.sd[self->child].driver);
	self->orig = self->w.sd[i].acs_ctrl;
	f = fopen(RESTORE_FILE, "we");
	ASSERT_NE(NULL, f) TH_LOG("%s: %s", RESTORE_FILE, strerror(errno));
	fprintf(f, "%s %x %x\n", self->w.sd[i].name, self->w.sd[i].acs_pos + 6,
		self->orig);
	ret = fclose(f);
	ASSERT_EQ(0, ret);
	self->saved = true;

	if (self->replug) {
		/* the kernel forms the child's group with the port's ACS off */
		v = self->orig & ~PP_ACS_REQUIRED;
		TH_LOG("no port with ACS off at boot: %s with control %#06x, %s replugged",
		       self->port_name, v, self->child_name);
		ASSERT_EQ(0, setpci_word(self->port_name, self->w.sd[i].acs_pos + 6, v));
		ret = replug(self->child_name, self->child_driver);
		ASSERT_EQ(0, ret) TH_LOG("replugging %s: %s", self->child_name,
					 strerror(-ret));
		ASSERT_EQ(1, same_group(self->port_name, self->child_name))
			TH_LOG("%s did not join the group of %s", self->child_name,
			       self->port_name);
		pp_world_free(&self->w);
		ASSERT_EQ(0, pp_world_read(&self->w));
		for (i = 0; i < self->w.n; i++)
			if (!strcmp(self->w.sd[i].name, self->port_name))
				self->port = i;
			else if (!strcmp(self->w.sd[i].name, self->child_name))
				self->child = i;
	}
	i = self->port;
	self->flipped = variant->disable ?
		self->w.sd[i].acs_ctrl & ~PP_ACS_REQUIRED :
		self->w.sd[i].acs_ctrl | (self->w.sd[i].acs_cap & PP_ACS_REQUIRED);
	TH_LOG("port %s ACS at %#x: control %#06x -> %#06x; below it %s",
	       self->port_name, self->w.sd[i].acs_pos, self->w.sd[i].acs_ctrl,
	       self->flipped, self->child_name);
}

/*
 * In the parent: runs even when the test process failed or crashed.  The
 * original control word goes back; a replugged child is replugged again,
 * now with ACS on, to get a group of its own back.
 */
FIXTURE_TEARDOWN_PARENT(acsflip)
{
	int ret;

	if (!self->saved)
		return;
	/* self->w lives in the test process's heap: not ours to free */
	ret = restore_from_file();
	EXPECT_EQ(0, ret) TH_LOG("restoring the ACS control word: %s", strerror(-ret));
	if (self->replug && same_group(self->port_name, self->child_name) != 0) {
		ret = replug(self->child_name, self->child_driver);
		EXPECT_EQ(0, ret) TH_LOG("replugging %s: %s", self->child_name,
					 strerror(-ret));
		EXPECT_EQ(0, same_group(self->port_name, self->child_name))
			TH_LOG("%s still in the group of %s", self->child_name,
			       self->port_name);
	}
}

/* Ask about @fn by both interfaces; check against the current sysfs. */
static void ask_both(struct __test_metadata *_metadata, const struct pp_world *w,
		     int fn, struct pp_iso *nl, struct pp_iso *io)
{
	char why[8192] = "";
	struct nl_sock s;
	uint16_t family;
	int fd;

	ASSERT_EQ(0, pp_nl_open(&s, &family, 0));
	ASSERT_EQ(0, nl_iso(_metadata, &s, family, &w->sd[fn].addr, nl, NULL));
	nl_close(&s);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioc_iso(_metadata, fd, &w->sd[fn].addr, io));
	close(fd);
	EXPECT_EQ(0, pp_iso_diff(nl, io, why, sizeof(why)))
		TH_LOG("%s: %s", w->sd[fn].name, why);
	why[0] = 0;
	EXPECT_EQ(0, pp_iso_check(w, fn, nl, why, sizeof(why)))
		TH_LOG("%s: %s", w->sd[fn].name, why);
}

static void expect_list(struct __test_metadata *_metadata, const char *what,
			const char *fn, const struct pci_addr *got, int n,
			const struct pci_addr *want, int nwant)
{
	char s1[256], s2[256];
	int k;

	pp_addrs_fmt(got, n, s1, sizeof(s1));
	pp_addrs_fmt(want, nwant, s2, sizeof(s2));
	for (k = 0; k < nwant; k++)
		if (pp_addr_index(got, n, &want[k]) < 0)
			break;
	EXPECT_TRUE(n == nwant && k == nwant)
		TH_LOG("%s %s [%s], want [%s]", fn, what, s1, s2);
}

TEST_F(acsflip, flip_and_restore)
{
	struct pp_iso *nl = iso_alloc(_metadata), *io = iso_alloc(_metadata);
	const struct pp_iso_reason *r;
	struct pp_world now;
	struct pci_addr both[2], one[1];
	const char *pname, *cname;
	uint16_t v, missing;
	uint8_t state;
	int p = self->port, c = self->child, side;

	pname = self->w.sd[p].name;
	cname = self->w.sd[c].name;
	both[0] = self->w.sd[p].addr;
	both[1] = self->w.sd[c].addr;

	/* before: as the kernel formed it */
	for (side = 0; side < 2; side++) {
		ask_both(_metadata, &self->w, side ? c : p, nl, io);
		EXPECT_TRUE(pp_iso_agrees(nl)) TH_LOG("before: %s", side ? cname : pname);
	}

	ASSERT_EQ(0, setpci_word(pname, self->w.sd[p].acs_pos + 6, self->flipped))
		TH_LOG("setpci -s %s", pname);
	ASSERT_EQ(0, cfg_rw16(pname, self->w.sd[p].acs_pos + 6, &v, false));
	ASSERT_EQ(self->flipped, v) TH_LOG("ACS control of %s after setpci", pname);
	ASSERT_EQ(0, pp_world_read(&now));
	missing = pp_acs_rule(&now.sd[p], &state);
	TH_LOG("%s now %s, missing %#x", pname, pp_acs_state_name(state), missing);
	/* the kernel's groups stay as they were formed */
	EXPECT_EQ(self->w.sd[p].group, now.sd[p].group);
	EXPECT_EQ(self->w.sd[c].group, now.sd[c].group);

	/* the function below the port */
	ask_both(_metadata, &now, c, nl, io);
	r = pp_iso_reason_of(nl, &both[1]);
	ASSERT_NE(NULL, r);
	one[0] = both[0];
	if (variant->disable) {
		expect_list(_metadata, "predicted", cname, nl->pred, nl->npred, both, 2);
		expect_list(_metadata, "predicted-only", cname, nl->po, nl->npo, one, 1);
		expect_list(_metadata, "kernel-only", cname, nl->ko, nl->nko, NULL, 0);
		EXPECT_EQ(PCIPASS_REASON_UPSTREAM_ACS, r->code);
		EXPECT_TRUE(r->has_peer && !pci_addr_cmp(&r->peer, &both[0]));
		EXPECT_TRUE(r->has_cause && !pci_addr_cmp(&r->cause, &both[0]));
		EXPECT_EQ(self->w.sd[p].acs_cap & PP_ACS_REQUIRED, r->missing);
		EXPECT_EQ(PCIPASS_ACS_STATE_DISABLED, state);
	} else {
		one[0] = both[1];
		expect_list(_metadata, "predicted", cname, nl->pred, nl->npred, one, 1);
		one[0] = both[0];
		expect_list(_metadata, "kernel-only", cname, nl->ko, nl->nko, one, 1);
		expect_list(_metadata, "predicted-only", cname, nl->po, nl->npo, NULL, 0);
		EXPECT_EQ(PCIPASS_REASON_ISOLATED, r->code);
		EXPECT_EQ(PCIPASS_ACS_STATE_ENABLED, state);
	}
	ASSERT_LE(2, nl->nhops);
	EXPECT_EQ(0, pci_addr_cmp(&nl->hops[1].addr, &both[0]));
	EXPECT_EQ(self->flipped, nl->hops[1].acs_ctrl);
	EXPECT_EQ(state, nl->hops[1].state);
	EXPECT_EQ(missing, nl->hops[1].missing);

	/* the port: the other side of the same difference */
	ask_both(_metadata, &now, p, nl, io);
	one[0] = both[1];
	if (variant->disable) {
		expect_list(_metadata, "predicted", pname, nl->pred, nl->npred, both, 2);
		expect_list(_metadata, "predicted-only", pname, nl->po, nl->npo, one, 1);
		expect_list(_metadata, "kernel-only", pname, nl->ko, nl->nko, NULL, 0);
	} else {
		expect_list(_metadata, "kernel-only", pname, nl->ko, nl->nko, one, 1);
		expect_list(_metadata, "predicted-only", pname, nl->po, nl->npo, NULL, 0);
		one[0] = both[0];
		expect_list(_metadata, "predicted", pname, nl->pred, nl->npred, one, 1);
	}
	pp_world_free(&now);

	/* back as it was: agreement again */
	ASSERT_EQ(0, setpci_word(pname, self->w.sd[p].acs_pos + 6,
				 self->w.sd[p].acs_ctrl));
	ASSERT_EQ(0, cfg_rw16(pname, self->w.sd[p].acs_pos + 6, &v, false));
	ASSERT_EQ(self->w.sd[p].acs_ctrl, v);
	ASSERT_EQ(0, pp_world_read(&now));
	for (side = 0; side < 2; side++) {
		ask_both(_metadata, &now, side ? c : p, nl, io);
		EXPECT_TRUE(pp_iso_agrees(nl)) TH_LOG("after: %s", side ? cname : pname);
	}
	pp_world_free(&now);
	free(nl);
	free(io);
}

static pid_t main_pid;

/* At exit of the runner: a test the harness killed (timeout) ran no teardown. */
static void restore_at_exit(void)
{
	if (getpid() == main_pid && restore_from_file())
		ksft_print_msg("could not restore the ACS control word from %s\n",
			       RESTORE_FILE);
}

int main(int argc, char **argv)
{
	main_pid = getpid();
	atexit(restore_at_exit);
	return test_harness_run(argc, argv);
}
