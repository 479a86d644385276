/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ioctl_test's ioc.claim_* and ioc.release_*: PCIPASS_IOC_CLAIM and
 * PCIPASS_IOC_RELEASE as dry runs only (claim_test.c claims for real): a
 * dry-run claim of every function plans its group and changes no driver,
 * override or group in sysfs; a dry-run release of an unclaimed group is
 * ENOENT; CAP_SYS_ADMIN is needed by both the opener and the caller.
 *
 * A file of its own: the ioctls that could change the machine, with the
 * sysfs snapshot that shows they did not; tests on the shared ioc
 * fixture (ioctl_common.h).
 *
 * Part of ioctl_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, where its tests run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ioctl_common.h"

/* ------------------------------------------------------------------ */
/* PCIPASS_IOC_CLAIM / PCIPASS_IOC_RELEASE: privilege and dry runs.   */

static void claim_req(struct pcipass_ioc_claim *c, const struct pci_addr *a,
		      uint32_t flags)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = flags | DRY_RUN;	/* never a real claim in this file */
	c->addr.domain = a->domain;
	c->addr.bus = a->bus;
	c->addr.devfn = a->devfn;
}

/* What a claim could change: driver, override, group of every function. */
struct snap {
	int n;
	char **names;
	struct sysfs_dev *sd;
};

static int snap_take(struct snap *sn)
{
	int i;

	sn->n = sysfs_pci_list(&sn->names);
	if (sn->n <= 0)
		return -1;
	sn->sd = calloc(sn->n, sizeof(*sn->sd));
	if (!sn->sd)
		return -1;
	for (i = 0; i < sn->n; i++)
		if (sysfs_pci_read(sn->names[i], &sn->sd[i]))
			return -1;
	return 0;
}

static void snap_free(struct snap *sn)
{
	sysfs_names_free(sn->names, sn->n);
	free(sn->sd);
}

/* 0, or the index of the first function that changed (+1) */
static int snap_diff(const struct snap *a, const struct snap *b)
{
	int i;

	if (a->n != b->n)
		return 1;
	for (i = 0; i < a->n; i++) {
		const struct sysfs_dev *x = &a->sd[i], *y = &b->sd[i];

		if (strcmp(x->name, y->name) || x->has_driver != y->has_driver ||
		    strcmp(x->driver, y->driver) ||
		    x->has_override != y->has_override ||
		    strcmp(x->override, y->override) ||
		    x->has_group != y->has_group || x->group != y->group)
			return i + 1;
	}
	return 0;
}

/*
 * A dry-run claim by root of every function: 0 (planned, or already
 * claimed), refused (EBUSY: the boot VGA or active VFs), a group
 * of bridges only (EINVAL) or no IOMMU group (ENXIO); whatever the
 * answer, no driver, override or group changed.  A plan lists exactly the
 * PCI functions of the group.  At least one function can be planned.
 */
TEST_F(ioc, claim_dry_run_changes_nothing)
{
	struct pcipass_ioc_claim *c = malloc(CLAIM_SIZE);
	struct snap before, after;
	int i, planned = 0, d;

	NEED_ROOT();
	ASSERT_NE(NULL, c);
	ASSERT_EQ(0, snap_take(&before));
	for (i = 0; i < before.n; i++) {
		const struct sysfs_dev *sd = &before.sd[i];
		unsigned int j, k, members = 0;
		int ret;

		claim_req(c, &sd->addr, 0);
		ret = pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, c);
		TH_LOG("%s: %s, outcome %u, %u members, message '%.160s'",
		       sd->name, ret ? strerror(-ret) : "planned", c->outcome,
		       c->nr_members, c->message);
		if (!sd->has_group) {
			EXPECT_EQ(-ENXIO, ret);
			continue;
		}
		EXPECT_TRUE(ret == 0 || ret == -EBUSY || ret == -EINVAL)
			TH_LOG("%s: %d", sd->name, ret);
		EXPECT_EQ(CLAIM_SIZE, c->size);
		EXPECT_EQ(DRY_RUN, c->flags);
		EXPECT_NE(0U, c->present & PCIPASS_CLAIM_P_GROUP);
		EXPECT_EQ(sd->group, c->group);
		EXPECT_EQ(0U, c->txid);
		for (k = 0; k < (unsigned int)before.n; k++)
			members += before.sd[k].has_group &&
				   before.sd[k].group == sd->group;
		EXPECT_EQ(members, c->nr_members);
		if (ret)
			continue;
		planned++;
		EXPECT_TRUE(c->outcome == PCIPASS_OUTCOME_PLANNED ||
			    c->outcome == PCIPASS_OUTCOME_ALREADY_CLAIMED);
		EXPECT_EQ(0, strcmp(c->driver, "vfio-pci")) TH_LOG("%s", c->driver);
		for (j = 0; j < c->nr_members && j < PCIPASS_IOC_CLAIM_MEMBERS; j++) {
			const struct pcipass_ioc_claim_member *m = &c->members[j];
			struct pci_addr ma = {
				.domain = m->addr.domain, .bus = m->addr.bus,
				.devfn = m->addr.devfn,
			};
			char name[32];
			struct sysfs_dev msd;

			pci_addr_fmt(&ma, name, sizeof(name));
			ASSERT_EQ(0, sysfs_pci_read(name, &msd)) TH_LOG("%s", name);
			EXPECT_EQ(sd->group, msd.group) TH_LOG("%s", name);
			EXPECT_EQ(0, m->error);
			EXPECT_TRUE(m->state == PCIPASS_MEMBER_PLANNED ||
				    m->state == PCIPASS_MEMBER_ALREADY ||
				    m->state == PCIPASS_MEMBER_SKIPPED_BRIDGE)
				TH_LOG("%s: state %u", name, m->state);
			/* a plan names where the member comes from */
			if (m->state == PCIPASS_MEMBER_PLANNED) {
				EXPECT_EQ(0, strcmp(m->from_driver,
						    msd.has_driver ? msd.driver : ""))
					TH_LOG("%s: from '%s', sysfs '%s'", name,
					       m->from_driver, msd.driver);
			}
		}
	}
	EXPECT_LE(1, planned) TH_LOG("no function could be planned");
	ASSERT_EQ(0, snap_take(&after));
	d = snap_diff(&before, &after);
	EXPECT_EQ(0, d) TH_LOG("%s changed", d > 0 && d <= after.n ?
			       after.names[d - 1] : "the set of functions");
	snap_free(&before);
	snap_free(&after);
	free(c);
}

/* A dry-run release of a group pcipass did not claim: ENOENT, nothing moves. */
TEST_F(ioc, release_dry_run_unclaimed)
{
	struct pcipass_ioc_claim *c = malloc(CLAIM_SIZE);
	struct snap before, after;
	int ret;

	NEED_ROOT();
	ASSERT_NE(NULL, c);
	if (!self->sd.has_group)
		SKIP(return, "%s has no IOMMU group", self->sd.name);
	ASSERT_EQ(0, snap_take(&before));
	claim_req(c, &self->valid, 0);
	ret = pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, c);
	EXPECT_EQ(-ENOENT, ret) TH_LOG("%s: %.160s", self->sd.name, c->message);
	EXPECT_NE(0U, c->present & PCIPASS_CLAIM_P_GROUP);
	EXPECT_EQ(self->sd.group, c->group);
	EXPECT_NE(0, c->message[0]);
	ASSERT_EQ(0, snap_take(&after));
	EXPECT_EQ(0, snap_diff(&before, &after));
	snap_free(&before);
	snap_free(&after);
	free(c);
}

/* Both need CAP_SYS_ADMIN: a root descriptor in an unprivileged caller. */
TEST_F(ioc, claim_unprivileged_caller_root_opener)
{
	struct pcipass_ioc_claim c, before;

	NEED_ROOT();
	ASSERT_EQ(0, pp_drop_privileges());
	claim_req(&c, &self->valid, 0);
	before = c;
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_CLAIM, NULL));
	EXPECT_EQ(0, memcmp(&before, &c, sizeof(c)));
}

/* ... and an unprivileged opener's descriptor in a root caller. */
TEST_F(ioc, claim_unprivileged_opener_root_caller)
{
	struct pcipass_ioc_claim c, before;
	int fd;

	NEED_ROOT();
	ASSERT_EQ(0, setegid(65534));
	ASSERT_EQ(0, seteuid(65534));
	fd = open(PCIPASS_DEV_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(0, seteuid(0));
	ASSERT_EQ(0, setegid(0));
	ASSERT_LE(0, fd);
	claim_req(&c, &self->valid, 0);
	before = c;
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_CLAIM, &c));
	EXPECT_EQ(-EPERM, pp_ioctl(fd, PCIPASS_IOC_RELEASE, &c));
	EXPECT_EQ(0, memcmp(&before, &c, sizeof(c)));
	/* the same request on root's own descriptor is looked at */
	EXPECT_NE(-EPERM, pp_ioctl(self->fd, PCIPASS_IOC_RELEASE, &c));
	close(fd);
}
