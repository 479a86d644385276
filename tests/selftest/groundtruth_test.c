// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass answers against the ground truth in sysfs: every PCI function in
 * /sys/bus/pci/devices asked for over netlink (do and dump) and over the
 * ioctl, as root and as an unprivileged user; every IOMMU group in
 * /sys/kernel/iommu_groups asked for over netlink (do and dump).  ACS and
 * the PCIe port type are checked against the config space file, whose
 * capability lists the tests walk themselves.
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

#define DUMP_RCVBUF	NL_RCV_EXACT	/* smallest dump batches the kernel makes */
#define DUMP_TRIES	3	/* retries when a dump was interrupted */

#define NEED_MODULE() do {						\
	if (!pp_module_loaded())						\
		SKIP(return, "pcipass module not loaded");		\
} while (0)

#define NEED_ROOT() do {						\
	if (geteuid() != 0)						\
		SKIP(return, "needs root (CAP_SYS_ADMIN)");		\
} while (0)

/* Become uid/gid 65534 with no supplementary groups, if not already. */
#define BE_UNPRIVILEGED() do {						\
	if (geteuid() == 0) {						\
		ASSERT_EQ(0, pp_drop_privileges());			\
	}								\
} while (0)

FIXTURE(gt) {
	char **names;
	int n;
};

FIXTURE_SETUP(gt)
{
	self->names = NULL;
	self->n = 0;
	NEED_MODULE();
	self->n = sysfs_pci_list(&self->names);
	ASSERT_LT(0, self->n) TH_LOG("no PCI functions in %s", SYSFS_PCI_DEVICES);
	TH_LOG("%d PCI functions in sysfs", self->n);
}

FIXTURE_TEARDOWN(gt)
{
	sysfs_names_free(self->names, self->n);
}

/* Every function, one netlink do request each. */
static void check_nl_do(struct __test_metadata *_metadata, struct nl_sock *s,
			uint16_t family, char **names, int n, bool priv)
{
	int i, checked = 0, acs = 0, pcie = 0, drv = 0, grp = 0, up = 0, mf = 0;

	for (i = 0; i < n; i++) {
		struct sysfs_dev sd;
		char why[4096] = "";
		struct nl_reply rep;
		struct pp_dev d;
		struct nlb b;
		int ret;

		ret = sysfs_pci_read(names[i], &sd);
		ASSERT_EQ(0, ret) TH_LOG("sysfs %s: %s", names[i], strerror(-ret));
		acs += sd.has_acs;
		pcie += sd.is_pcie;
		drv += sd.has_driver;
		grp += sd.has_group;
		up += sd.has_upstream;
		mf += sd.multifunction;
		pp_req_dev_get(&b, family, &sd.addr);
		ASSERT_EQ(0, nl_transact(s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("%s: error %d (%s)", names[i],
					       rep.error, rep.ext_msg);
		EXPECT_EQ(1, rep.nmsgs) TH_LOG("%s", names[i]);
		EXPECT_FALSE(rep.bad_seq);
		EXPECT_FALSE(rep.malformed);
		if (rep.nmsgs == 1) {
			ret = pp_parse_dev(rep.msgs[0].nlh, &d, why, sizeof(why));
			EXPECT_EQ(0, ret) TH_LOG("%s: %s", names[i], why);
			if (!ret) {
				ret = pp_cmp_nl(&sd, &d, priv, why, sizeof(why));
				EXPECT_EQ(0, ret) TH_LOG("%s: %s", names[i], why);
				checked++;
			}
		}
		nl_reply_free(&rep);
	}
	EXPECT_EQ(n, checked);
	TH_LOG("%d functions checked (sysfs: %d with a driver, %d in an IOMMU group, %d below a bridge, %d multifunction%s)",
	       checked, drv, grp, up, mf, priv ? "" : "; unprivileged view");
	if (priv)
		TH_LOG("config space: %d PCIe functions, %d with ACS", pcie, acs);
}

static int cmp_addr(const void *a, const void *b)
{
	return pci_addr_cmp(a, b);
}

/*
 * One dump: exactly the sysfs set, each entry matching sysfs.  Returns the
 * number of recv() batches it came in.
 */
static int check_nl_dump(struct __test_metadata *_metadata, struct nl_sock *s,
			 uint16_t family, char **names, int n, bool priv)
{
	int i, try, batches, mismatches = 0;
	struct pci_addr *seen;
	struct nl_reply rep;
	size_t total = 0;
	struct nlb b;

	for (try = 0; try < DUMP_TRIES; try++) {
		pp_req_dev_dump(&b, family);
		ASSERT_EQ(0, nl_transact(s, &b, &rep));
		if (!rep.dump_intr)
			break;
		TH_LOG("dump interrupted (NLM_F_DUMP_INTR), retrying");
		nl_reply_free(&rep);
	}
	ASSERT_LT(try, DUMP_TRIES);
	EXPECT_EQ(0, rep.error) TH_LOG("dump error %d (%s)", rep.error, rep.ext_msg);
	EXPECT_TRUE(rep.got_done);
	EXPECT_TRUE(rep.done_multi);
	EXPECT_FALSE(rep.got_ack);
	EXPECT_TRUE(rep.all_multi);
	EXPECT_FALSE(rep.truncated);
	EXPECT_FALSE(rep.bad_seq);
	EXPECT_FALSE(rep.malformed);
	if (!s->exact) {
		EXPECT_LE(rep.max_batch, s->rcvbuf_len);
	}

	seen = calloc(rep.nmsgs + 1, sizeof(*seen));
	ASSERT_NE(NULL, seen);
	for (i = 0; i < rep.nmsgs; i++) {
		char why[4096] = "", name[32];
		struct sysfs_dev sd;
		struct pp_dev d;
		int ret;

		total += NLMSG_ALIGN(rep.msgs[i].nlh->nlmsg_len);
		ret = pp_parse_dev(rep.msgs[i].nlh, &d, why, sizeof(why));
		ASSERT_EQ(0, ret) TH_LOG("dump message %d: %s", i, why);
		ASSERT_TRUE(PP_HAS(&d, PCIPASS_A_DEV_ADDR));
		seen[i] = d.addr;
		pci_addr_fmt(&d.addr, name, sizeof(name));
		ret = sysfs_pci_read(name, &sd);
		if (ret) {
			TH_LOG("dump reports %s, not in sysfs (%s)", name,
			       strerror(-ret));
			mismatches++;
			continue;
		}
		ret = pp_cmp_nl(&sd, &d, priv, why, sizeof(why));
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", name, why);
	}
	EXPECT_EQ(0, mismatches);

	/* exactly the set of sysfs names: sort both and walk them */
	qsort(seen, rep.nmsgs, sizeof(*seen), cmp_addr);
	for (i = 1; i < rep.nmsgs; i++)
		if (!pci_addr_cmp(&seen[i - 1], &seen[i])) {
			char name[32];

			pci_addr_fmt(&seen[i], name, sizeof(name));
			TH_LOG("dump reports %s twice", name);
			mismatches++;
		}
	EXPECT_EQ(n, rep.nmsgs);
	for (i = 0; i < n; i++) {
		struct pci_addr a;

		ASSERT_EQ(0, pci_addr_parse(names[i], &a));
		if (!bsearch(&a, seen, rep.nmsgs, sizeof(*seen), cmp_addr)) {
			TH_LOG("dump misses %s", names[i]);
			mismatches++;
		}
	}
	EXPECT_EQ(0, mismatches);

	TH_LOG("%d devices in %d messages, %zu bytes, %d recv batches (largest %zu bytes)",
	       rep.nmsgs, rep.nmsgs, total, rep.batches, rep.max_batch);
	/* every batch holds whole messages (the parser would have complained) */
	if (total > rep.max_batch) {
		EXPECT_LT(1, rep.batches);
	}
	free(seen);
	batches = rep.batches;
	nl_reply_free(&rep);
	return batches;
}

static void open_nl(struct __test_metadata *_metadata, struct nl_sock *s,
		    uint16_t *family, size_t rcvbuf)
{
	int ret = pp_nl_open(s, family, rcvbuf);

	ASSERT_EQ(0, ret) TH_LOG("pcipass family: %s", strerror(-ret));
}

TEST_F(gt, nl_do_privileged)
{
	struct nl_sock s;
	uint16_t family;

	NEED_ROOT();
	open_nl(_metadata, &s, &family, 0);
	check_nl_do(_metadata, &s, family, self->names, self->n, true);
	nl_close(&s);
}

TEST_F(gt, nl_do_unprivileged)
{
	struct nl_sock s;
	uint16_t family;

	BE_UNPRIVILEGED();
	open_nl(_metadata, &s, &family, 0);
	check_nl_do(_metadata, &s, family, self->names, self->n, false);
	nl_close(&s);
}

TEST_F(gt, nl_dump_privileged)
{
	struct nl_sock s;
	uint16_t family;

	NEED_ROOT();
	open_nl(_metadata, &s, &family, DUMP_RCVBUF);
	check_nl_dump(_metadata, &s, family, self->names, self->n, true);
	nl_close(&s);
}

TEST_F(gt, nl_dump_unprivileged)
{
	struct nl_sock s;
	uint16_t family;

	BE_UNPRIVILEGED();
	open_nl(_metadata, &s, &family, DUMP_RCVBUF);
	check_nl_dump(_metadata, &s, family, self->names, self->n, false);
	nl_close(&s);
}

/* A big receive buffer: the whole dump may come in one batch; same set. */
TEST_F(gt, nl_dump_big_buffer)
{
	struct nl_sock s;
	uint16_t family;
	bool priv = geteuid() == 0;

	open_nl(_metadata, &s, &family, 32768);
	check_nl_dump(_metadata, &s, family, self->names, self->n, priv);
	nl_close(&s);
}

/* Two dumps back to back on one socket, and a do in between. */
TEST_F(gt, nl_dump_twice)
{
	struct nl_sock s;
	uint16_t family;
	bool priv = geteuid() == 0;

	open_nl(_metadata, &s, &family, DUMP_RCVBUF);
	check_nl_dump(_metadata, &s, family, self->names, self->n, priv);
	check_nl_do(_metadata, &s, family, self->names, 1, priv);
	check_nl_dump(_metadata, &s, family, self->names, self->n, priv);
	nl_close(&s);
}

/*
 * Privilege is the caller's: a socket root opened, used after dropping to
 * an unprivileged user, gets the restricted answer.
 */
TEST_F(gt, nl_root_socket_used_unprivileged)
{
	struct nl_sock s;
	uint16_t family;

	NEED_ROOT();
	open_nl(_metadata, &s, &family, DUMP_RCVBUF);
	ASSERT_EQ(0, pp_drop_privileges());
	check_nl_do(_metadata, &s, family, self->names, self->n, false);
	check_nl_dump(_metadata, &s, family, self->names, self->n, false);
	nl_close(&s);
}

/* sysfs ground truth for every function, read up front. */
static struct sysfs_dev *read_all(struct __test_metadata *_metadata,
				  char **names, int n)
{
	struct sysfs_dev *sd = calloc(n, sizeof(*sd));
	int i, ret;

	ASSERT_NE(NULL, sd);
	for (i = 0; i < n; i++) {
		ret = sysfs_pci_read(names[i], &sd[i]);
		ASSERT_EQ(0, ret) TH_LOG("sysfs %s: %s", names[i], strerror(-ret));
	}
	return sd;
}

/* Every function over the ioctl. */
static void check_ioc_with(struct __test_metadata *_metadata, int fd,
			   const struct sysfs_dev *sd, int n, bool priv)
{
	int i;

	for (i = 0; i < n; i++) {
		struct pcipass_ioc_device d;
		char why[4096] = "";
		int ret;

		ret = pp_ioc_dev_get(fd, &sd[i].addr, &d);
		EXPECT_EQ(0, ret) TH_LOG("%s: ioctl: %s", sd[i].name, strerror(-ret));
		if (ret)
			continue;
		ret = pp_cmp_ioc(&sd[i], &d, priv, why, sizeof(why));
		EXPECT_EQ(0, ret) TH_LOG("%s: %s", sd[i].name, why);
	}
}

static void check_ioc(struct __test_metadata *_metadata, int fd,
		      char **names, int n, bool priv)
{
	struct sysfs_dev *sd = read_all(_metadata, names, n);

	check_ioc_with(_metadata, fd, sd, n, priv);
	free(sd);
}

static int open_dev(void)
{
	return open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
}

TEST_F(gt, ioctl_privileged)
{
	int fd;

	NEED_ROOT();
	fd = open_dev();
	ASSERT_LE(0, fd) TH_LOG("open %s: %s", PCIPASS_DEV_PATH, strerror(errno));
	check_ioc(_metadata, fd, self->names, self->n, true);
	close(fd);
}

TEST_F(gt, ioctl_unprivileged)
{
	int fd;

	BE_UNPRIVILEGED();
	fd = open_dev();
	ASSERT_LE(0, fd) TH_LOG("open %s as uid %d: %s", PCIPASS_DEV_PATH,
				geteuid(), strerror(errno));
	check_ioc(_metadata, fd, self->names, self->n, false);
	close(fd);
}

/*
 * The ioctl judges privilege by the opener of the file (as the sysfs
 * config file does): a descriptor root opened keeps its full answers when
 * handed to an unprivileged process.
 */
TEST_F(gt, ioctl_root_fd_used_unprivileged)
{
	struct sysfs_dev *sd;
	int fd;

	NEED_ROOT();
	/* the ACS words in sysfs are root's to read: read them first */
	sd = read_all(_metadata, self->names, self->n);
	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pp_drop_privileges());
	check_ioc_with(_metadata, fd, sd, self->n, true);
	close(fd);
	free(sd);
}

/* Receive one descriptor over a unix socket; -1 on failure. */
static int recv_fd(int sock)
{
	char c, cbuf[CMSG_SPACE(sizeof(int))];
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
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Send one descriptor over a unix socket; 0 or -1. */
static int send_fd(int sock, int fd)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

/* ... and one an unprivileged user opened stays restricted for root. */
TEST_F(gt, ioctl_unprivileged_fd_used_by_root)
{
	int pfd[2], fd, status;
	pid_t pid;

	NEED_ROOT();
	/* the child opens as nobody and sends the descriptor back */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int cfd;

		if (pp_drop_privileges())
			_exit(2);
		cfd = open_dev();
		if (cfd < 0)
			_exit(3);
		_exit(send_fd(pfd[1], cfd) ? 4 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("child: 2 drop, 3 open, 4 send");
	fd = recv_fd(pfd[0]);
	ASSERT_LE(0, fd);
	close(pfd[0]);
	close(pfd[1]);
	ASSERT_EQ(0U, geteuid());
	check_ioc(_metadata, fd, self->names, self->n, false);
	close(fd);
}

/* ------------------------------------------------------------------ */
/* IOMMU groups.                                                       */

static int group_from_reply(struct __test_metadata *_metadata,
			    const struct nlmsghdr *nlh, struct pp_group *g)
{
	char why[1024] = "";
	int ret;

	ret = pp_parse_group(nlh, g, why, sizeof(why));
	EXPECT_EQ(0, ret) TH_LOG("group reply: %s", why);
	if (!ret)
		qsort(g->members, g->nmembers, sizeof(g->members[0]), cmp_addr);
	return ret;
}

static int cmp_group_members(struct __test_metadata *_metadata,
			     const struct sysfs_group *sg,
			     const struct pp_group *g)
{
	int i, bad = 0;

	if (sg->nmembers != g->nmembers) {
		TH_LOG("group %u: %d members, sysfs %d", sg->id, g->nmembers,
		       sg->nmembers);
		bad++;
	}
	for (i = 0; i < sg->nmembers && i < g->nmembers; i++) {
		if (pci_addr_cmp(&sg->members[i], &g->members[i])) {
			char a[32], b[32];

			pci_addr_fmt(&g->members[i], a, sizeof(a));
			pci_addr_fmt(&sg->members[i], b, sizeof(b));
			TH_LOG("group %u: member %d is %s, sysfs %s", sg->id, i,
			       a, b);
			bad++;
		}
	}
	return bad;
}

static void check_group_dump(struct __test_metadata *_metadata, size_t rcvbuf)
{
	struct sysfs_group *sg;
	struct nl_reply rep;
	struct nl_sock s;
	uint16_t family;
	int ng, i, try, bad = 0;
	struct nlb b;

	ng = sysfs_groups_read(&sg);
	ASSERT_LE(0, ng) TH_LOG("reading %s: %s", SYSFS_IOMMU_GROUPS,
				strerror(-ng));
	TH_LOG("%d IOMMU groups with PCI functions in sysfs", ng);
	open_nl(_metadata, &s, &family, rcvbuf);
	for (try = 0; try < DUMP_TRIES; try++) {
		pp_req_group_dump(&b, family);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		if (!rep.dump_intr)
			break;
		nl_reply_free(&rep);
	}
	ASSERT_LT(try, DUMP_TRIES);
	EXPECT_EQ(0, rep.error) TH_LOG("dump error %d (%s)", rep.error, rep.ext_msg);
	EXPECT_TRUE(rep.got_done);
	EXPECT_TRUE(rep.done_multi);
	EXPECT_TRUE(rep.all_multi);
	EXPECT_FALSE(rep.truncated);
	EXPECT_FALSE(rep.bad_seq);
	EXPECT_FALSE(rep.malformed);
	TH_LOG("%d group messages in %d recv batches", rep.nmsgs, rep.batches);

	/*
	 * Every reported group is a sysfs group, once, with its members.  A
	 * group too large for one message continues in the next message
	 * under the same id (the spec's rule): merge those first.
	 */
	for (i = 0; i < rep.nmsgs; i++) {
		static struct pp_group g, more;
		int j;

		if (group_from_reply(_metadata, rep.msgs[i].nlh, &g)) {
			bad++;
			continue;
		}
		while (i + 1 < rep.nmsgs &&
		       !group_from_reply(_metadata, rep.msgs[i + 1].nlh, &more) &&
		       more.id == g.id) {
			ASSERT_GE((int)ARRAY_SIZE(g.members),
				  g.nmembers + more.nmembers);
			memcpy(&g.members[g.nmembers], more.members,
			       more.nmembers * sizeof(more.members[0]));
			g.nmembers += more.nmembers;
			qsort(g.members, g.nmembers, sizeof(g.members[0]), cmp_addr);
			i++;
		}
		for (j = 0; j < ng; j++)
			if (sg[j].id == g.id)
				break;
		if (j == ng) {
			TH_LOG("dump reports group %u, not in sysfs (with PCI members)",
			       g.id);
			bad++;
			continue;
		}
		if (sg[j].nmembers < 0) {
			TH_LOG("dump reports group %u twice", g.id);
			bad++;
			continue;
		}
		bad += cmp_group_members(_metadata, &sg[j], &g);
		sg[j].nmembers = -sg[j].nmembers - 1;	/* mark as seen */
	}
	for (i = 0; i < ng; i++) {
		if (sg[i].nmembers >= 0) {
			TH_LOG("dump misses group %u", sg[i].id);
			bad++;
		} else {
			sg[i].nmembers = -sg[i].nmembers - 1;
		}
	}
	EXPECT_EQ(0, bad);
	nl_reply_free(&rep);
	nl_close(&s);
	sysfs_groups_free(sg, ng);
}

TEST_F(gt, groups_dump)
{
	check_group_dump(_metadata, DUMP_RCVBUF);
}

TEST_F(gt, groups_dump_unprivileged)
{
	BE_UNPRIVILEGED();
	check_group_dump(_metadata, DUMP_RCVBUF);
}

TEST_F(gt, groups_do)
{
	struct sysfs_group *sg;
	struct nl_sock s;
	uint16_t family;
	int ng, i, bad = 0;

	ng = sysfs_groups_read(&sg);
	ASSERT_LE(0, ng);
	if (!ng)
		SKIP(return, "no IOMMU groups with PCI functions");
	open_nl(_metadata, &s, &family, 0);
	for (i = 0; i < ng; i++) {
		struct nl_reply rep;
		struct pp_group g;
		struct nlb b;

		pp_req_group_get(&b, family, sg[i].id);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("group %u: error %d (%s)",
					       sg[i].id, rep.error, rep.ext_msg);
		EXPECT_EQ(1, rep.nmsgs);
		if (rep.nmsgs == 1 &&
		    !group_from_reply(_metadata, rep.msgs[0].nlh, &g)) {
			EXPECT_EQ(sg[i].id, g.id);
			EXPECT_EQ(0, rep.msgs[0].nlh->nlmsg_flags & NLM_F_MULTI);
			bad += cmp_group_members(_metadata, &sg[i], &g);
		}
		nl_reply_free(&rep);
	}
	EXPECT_EQ(0, bad);
	nl_close(&s);
	sysfs_groups_free(sg, ng);
}

/* Group ids that sysfs does not have (between and after real ones). */
TEST_F(gt, groups_do_absent_ids)
{
	struct sysfs_group *sg;
	struct nl_sock s;
	uint16_t family;
	uint32_t id, max = 0;
	int ng, i, tried = 0;

	ng = sysfs_groups_read(&sg);
	ASSERT_LE(0, ng);
	for (i = 0; i < ng; i++)
		if (sg[i].id > max)
			max = sg[i].id;
	open_nl(_metadata, &s, &family, 0);
	for (id = 0; id <= max + 2; id++) {
		struct nl_reply rep;
		struct nlb b;
		char path[96];
		struct stat st;

		/* skip any group sysfs has, even one without PCI functions */
		snprintf(path, sizeof(path), "%s/%u", SYSFS_IOMMU_GROUPS, id);
		if (!stat(path, &st))
			continue;
		pp_req_group_get(&b, family, id);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(-ENOENT, rep.error) TH_LOG("group %u", id);
		EXPECT_EQ(0, rep.nmsgs);
		EXPECT_TRUE(rep.has_msg);
		nl_reply_free(&rep);
		tried++;
	}
	TH_LOG("%d absent ids tried", tried);
	EXPECT_LT(0, tried);
	nl_close(&s);
	sysfs_groups_free(sg, ng);
}

/* Each function's iommu group contains it, seen through group-get. */
TEST_F(gt, device_group_membership)
{
	struct nl_sock s;
	uint16_t family;
	int i, checked = 0;

	struct sysfs_group *sg;
	int ng;

	ng = sysfs_groups_read(&sg);
	ASSERT_LE(0, ng);
	sysfs_groups_free(sg, ng);
	if (!ng)
		SKIP(return, "no function is in an IOMMU group");

	open_nl(_metadata, &s, &family, 0);
	for (i = 0; i < self->n; i++) {
		struct sysfs_dev sd;
		struct nl_reply rep;
		struct pp_group g;
		struct nlb b;
		int j;

		ASSERT_EQ(0, sysfs_pci_read(self->names[i], &sd));
		if (!sd.has_group)
			continue;
		pp_req_group_get(&b, family, sd.group);
		ASSERT_EQ(0, nl_transact(&s, &b, &rep));
		EXPECT_EQ(0, rep.error) TH_LOG("%s group %u", sd.name, sd.group);
		if (rep.nmsgs == 1 &&
		    !group_from_reply(_metadata, rep.msgs[0].nlh, &g)) {
			for (j = 0; j < g.nmembers; j++)
				if (!pci_addr_cmp(&g.members[j], &sd.addr))
					break;
			EXPECT_LT(j, g.nmembers) TH_LOG("%s not in group %u",
						       sd.name, sd.group);
			checked++;
		}
		nl_reply_free(&rep);
	}
	EXPECT_LT(0, checked);
	nl_close(&s);
}

/* ------------------------------------------------------------------ */
/* driver_override, set through sysfs and read back through both.      */

FIXTURE(ovr) {
	char name[64];
	char path[128];
	bool changed;
};

FIXTURE_SETUP(ovr)
{
	char **names;
	int n, i;

	self->changed = false;
	NEED_MODULE();
	NEED_ROOT();
	n = sysfs_pci_list(&names);
	ASSERT_LT(0, n);
	/* the last function without an override of its own */
	for (i = n - 1; i >= 0; i--) {
		struct sysfs_dev sd;

		ASSERT_EQ(0, sysfs_pci_read(names[i], &sd));
		if (!sd.has_override)
			break;
	}
	ASSERT_LE(0, i) TH_LOG("every function has a driver_override");
	snprintf(self->name, sizeof(self->name), "%s", names[i]);
	snprintf(self->path, sizeof(self->path), "%s/%s/driver_override",
		 SYSFS_PCI_DEVICES, names[i]);
	sysfs_names_free(names, n);
	TH_LOG("using %s", self->name);
}

FIXTURE_TEARDOWN(ovr)
{
	if (self->changed && sysfs_write(self->path, "\n"))
		TH_LOG("could not clear %s", self->path);
}

static void check_both(struct __test_metadata *_metadata, const char *name,
		       const char *want)
{
	struct pcipass_ioc_device d;
	struct sysfs_dev sd;
	char why[4096] = "";
	struct nl_reply rep;
	struct nl_sock s;
	uint16_t family;
	struct pp_dev pd;
	struct nlb b;
	int fd;

	ASSERT_EQ(0, sysfs_pci_read(name, &sd));
	if (want) {
		ASSERT_TRUE(sd.has_override);
		ASSERT_STREQ(want, sd.override);
	} else {
		ASSERT_FALSE(sd.has_override);
	}

	open_nl(_metadata, &s, &family, 0);
	pp_req_dev_get(&b, family, &sd.addr);
	ASSERT_EQ(0, nl_transact(&s, &b, &rep));
	ASSERT_EQ(0, rep.error);
	ASSERT_EQ(1, rep.nmsgs);
	ASSERT_EQ(0, pp_parse_dev(rep.msgs[0].nlh, &pd, why, sizeof(why)))
		TH_LOG("%s", why);
	EXPECT_EQ(0, pp_cmp_nl(&sd, &pd, true, why, sizeof(why)))
		TH_LOG("netlink: %s", why);
	EXPECT_EQ(!!want, PP_HAS(&pd, PCIPASS_A_DEV_DRIVER_OVERRIDE));
	if (want) {
		EXPECT_STREQ(want, pd.driver_override);
	}
	nl_reply_free(&rep);
	nl_close(&s);

	fd = open_dev();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, pp_ioc_dev_get(fd, &sd.addr, &d));
	close(fd);
	EXPECT_EQ(0, pp_cmp_ioc(&sd, &d, true, why, sizeof(why)))
		TH_LOG("ioctl: %s", why);
	EXPECT_EQ(!!want, !!(d.present & PCIPASS_DEV_F_DRIVER_OVERRIDE));
	if (want && strlen(want) < PCIPASS_NAME_LEN) {
		EXPECT_STREQ(want, d.driver_override);
		EXPECT_EQ(0U, d.present & PCIPASS_DEV_F_TRUNCATED);
	} else if (want) {
		EXPECT_EQ((size_t)PCIPASS_NAME_LEN - 1, strlen(d.driver_override));
		EXPECT_EQ(0, strncmp(want, d.driver_override, PCIPASS_NAME_LEN - 1));
		EXPECT_NE(0U, d.present & PCIPASS_DEV_F_TRUNCATED);
	}
}

TEST_F(ovr, short_name)
{
	static const char *val = "pcipass-selftest";

	self->changed = true;
	ASSERT_EQ(0, sysfs_write(self->path, val));
	check_both(_metadata, self->name, val);
	ASSERT_EQ(0, sysfs_write(self->path, "\n"));
	check_both(_metadata, self->name, NULL);
}

/* 63 characters: the longest name the ioctl carries whole. */
TEST_F(ovr, name_63)
{
	char val[PCIPASS_NAME_LEN];

	memset(val, 'o', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	self->changed = true;
	ASSERT_EQ(0, sysfs_write(self->path, val));
	check_both(_metadata, self->name, val);
}

/* 64 and 200 characters: netlink carries it whole, the ioctl truncates. */
TEST_F(ovr, name_64)
{
	char val[PCIPASS_NAME_LEN + 1];

	memset(val, 'p', sizeof(val) - 1);
	val[sizeof(val) - 1] = 0;
	self->changed = true;
	ASSERT_EQ(0, sysfs_write(self->path, val));
	check_both(_metadata, self->name, val);
}

TEST_F(ovr, name_200)
{
	char val[201];
	int i;

	for (i = 0; i < 200; i++)
		val[i] = 'a' + i % 26;
	val[200] = 0;
	self->changed = true;
	ASSERT_EQ(0, sysfs_write(self->path, val));
	check_both(_metadata, self->name, val);
}

/*
 * The longest override the driver core takes (PAGE_SIZE - 2 characters):
 * a do and a dump on a fresh socket (whose first dump message the kernel
 * sizes at its minimum) must both carry it whole.
 */
TEST_F(ovr, name_page)
{
	static char val[4094 + 1];
	char why[4096] = "";
	struct nl_reply rep;
	struct sysfs_dev sd;
	struct nl_sock s;
	uint16_t family;
	int i, found = 0;
	struct nlb b;

	if (sysconf(_SC_PAGESIZE) != 4096)
		SKIP(return, "page size is not 4096");
	for (i = 0; i < (int)sizeof(val) - 1; i++)
		val[i] = 'a' + i % 26;
	val[sizeof(val) - 1] = 0;
	self->changed = true;
	ASSERT_EQ(0, sysfs_write(self->path, val));
	check_both(_metadata, self->name, val);

	ASSERT_EQ(0, sysfs_pci_read(self->name, &sd));
	open_nl(_metadata, &s, &family, NL_RCV_EXACT);
	pp_req_dev_dump(&b, family);
	ASSERT_EQ(0, nl_transact(&s, &b, &rep));
	ASSERT_EQ(0, rep.error) TH_LOG("dump: %s", rep.ext_msg);
	for (i = 0; i < rep.nmsgs; i++) {
		struct pp_dev pd;

		ASSERT_EQ(0, pp_parse_dev(rep.msgs[i].nlh, &pd, why, sizeof(why)))
			TH_LOG("%s", why);
		if (pd.addr.domain != sd.addr.domain ||
		    pd.addr.bus != sd.addr.bus || pd.addr.devfn != sd.addr.devfn)
			continue;
		found++;
		EXPECT_STREQ(val, pd.driver_override);
	}
	EXPECT_EQ(1, found);
	nl_reply_free(&rep);
	nl_close(&s);
}

/* ------------------------------------------------------------------ */
/* A dump too big for one receive buffer.                              */

/*
 * On a machine with few functions the whole dump fits one skb.  Give
 * every function a 500-character driver_override (sysfs only, no driver is
 * rebound) so that the dump must span several batches and resume where
 * the previous one stopped.
 */
#define BIG_OVR_LEN	500
#define BIG_OVR_PREFIX	"pcipass-bigdump-"

FIXTURE(bigdump) {
	char **names;
	int n;
};

FIXTURE_SETUP(bigdump)
{
	char val[BIG_OVR_LEN + 1];
	size_t len;
	int i;

	self->names = NULL;
	self->n = 0;
	NEED_MODULE();
	NEED_ROOT();
	self->n = sysfs_pci_list(&self->names);
	ASSERT_LT(0, self->n);
	for (i = 0; i < self->n; i++) {
		char path[128];
		struct sysfs_dev sd;

		ASSERT_EQ(0, sysfs_pci_read(self->names[i], &sd));
		if (sd.has_override)
			continue;
		snprintf(val, sizeof(val), BIG_OVR_PREFIX "%d-", i % 10000);
		len = strlen(val);
		memset(val + len, 'x', BIG_OVR_LEN - len);
		val[BIG_OVR_LEN] = 0;
		snprintf(path, sizeof(path), "%s/%s/driver_override",
			 SYSFS_PCI_DEVICES, self->names[i]);
		ASSERT_EQ(0, sysfs_write(path, val)) TH_LOG("%s", path);
	}
}

/*
 * In the parent: bigdump.unprivileged drops root in the test process, and
 * only root can clear the overrides again.  Setup ran in the test process,
 * so its heap is not ours: find our overrides by their prefix instead.
 */
FIXTURE_TEARDOWN_PARENT(bigdump)
{
	char **names = NULL;
	int i, n;

	n = sysfs_pci_list(&names);
	for (i = 0; i < n; i++) {
		struct sysfs_dev sd;
		char path[128];

		if (sysfs_pci_read(names[i], &sd) || !sd.has_override ||
		    strncmp(sd.override, BIG_OVR_PREFIX, strlen(BIG_OVR_PREFIX)))
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver_override",
			 SYSFS_PCI_DEVICES, names[i]);
		if (sysfs_write(path, "\n"))
			TH_LOG("could not clear %s", path);
	}
	if (n > 0)
		sysfs_names_free(names, n);
}

static void bigdump_run(struct __test_metadata *_metadata, char **names, int n,
			bool priv)
{
	struct nl_sock s;
	uint16_t family;
	int batches;

	struct nl_reply rep;
	struct nlb b;

	open_nl(_metadata, &s, &family, DUMP_RCVBUF);
	/* is there enough to need two batches? */
	pp_req_dev_dump(&b, family);
	ASSERT_EQ(0, nl_transact(&s, &b, &rep));
	batches = rep.batches;
	nl_reply_free(&rep);
	if (batches < 2) {
		nl_close(&s);
		SKIP(return, "the dump of %d functions fits one batch", n);
	}
	batches = check_nl_dump(_metadata, &s, family, names, n, priv);
	EXPECT_LT(1, batches);
	nl_close(&s);
}

TEST_F(bigdump, privileged)
{
	bigdump_run(_metadata, self->names, self->n, true);
}

TEST_F(bigdump, unprivileged)
{
	ASSERT_EQ(0, pp_drop_privileges());
	bigdump_run(_metadata, self->names, self->n, false);
}

TEST_HARNESS_MAIN
