// SPDX-License-Identifier: GPL-2.0
/*
 * A claim whose records cannot all be made (no memory) changes nothing
 * and leaves no record behind: pcipass.ko's fault point
 * fail_pcipass_record (kmod/fault.c, on the debug kernel) fails the Nth
 * record of a claim of the two-function group (c) with -ENOMEM.  Before pcipass dropped the records already made, the first
 * member's stayed: a later claim was refused as claimed-other and a
 * release found a group "claimed" that never was.
 *
 * Ground truth: sysfs (drivers and overrides before and after), the
 * fault attribute's own counter (the fault fired exactly once), and what
 * a release and a plain claim then answer.
 *
 * Runs only where the module has its fault points (tests/check.sh runs it
 * on the debug kernel, tests/kernel/debug.config); there a missing fault
 * point fails the test rather than skipping it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "harness.h"

#include "ppclaim.h"
#include "ppsnap.h"

#define TARGET		"0000:06:00.0"	/* (c): 06:00.0 and 06:00.1, e1000e */
#define FAIL_DIR	"/sys/kernel/debug/fail_pcipass_record"

static int wr(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -errno;
	ret = fputs(val, f) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static long rd_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * Fail the @nth record from now on, once: each check (of size 1) passes
 * while "space" is above 1 and takes 1 from it, so space N fails the Nth.
 * Quiet: a stack dump would read as a splat.
 */
static int inject(int nth)
{
	char space[16];

	snprintf(space, sizeof(space), "%d", nth);
	return wr(FAIL_DIR "/verbose", "0") ?:
	       wr(FAIL_DIR "/interval", "1") ?:
	       wr(FAIL_DIR "/space", space) ?:
	       wr(FAIL_DIR "/times", "1") ?:
	       wr(FAIL_DIR "/probability", "100");
}

static void inject_off(void)
{
	wr(FAIL_DIR "/probability", "0");
	wr(FAIL_DIR "/times", "0");
}

FIXTURE(records) {
	struct ppc_state before;
	struct nl_sock s;
	uint16_t family;
	bool armed;
};

FIXTURE_VARIANT(records) {
	int nth;	/* which call of pcipass_rec_add() fails */
};

/* the second member's record: the first one was made and must go */
FIXTURE_VARIANT_ADD(records, second_of_two) { .nth = 2 };
/* the first: nothing was made yet */
FIXTURE_VARIANT_ADD(records, first_of_two) { .nth = 1 };

FIXTURE_SETUP(records)
{
	char path[128];

	ASSERT_EQ(0U, geteuid()) TH_LOG("needs root");
	ASSERT_TRUE(pp_module_loaded()) TH_LOG("pcipass is not loaded");
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s", TARGET);
	ASSERT_EQ(0, access(path, F_OK)) TH_LOG("%s: not in this machine", TARGET);
	if (access(FAIL_DIR, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	ASSERT_EQ(0, access(FAIL_DIR, F_OK))
		TH_LOG("%s: no fault point (a kernel without CONFIG_FAULT_INJECTION_DEBUG_FS?)",
		       FAIL_DIR);
	ASSERT_EQ(0, ppc_state_read(&self->before));
	ASSERT_EQ(0, pp_nl_open(&self->s, &self->family, 0));
	self->armed = true;
}

FIXTURE_TEARDOWN(records)
{
	struct ppc_req q = { .addr = TARGET };
	struct ppc_report *r = malloc(sizeof(*r));
	char why[2048] = "";

	inject_off();
	if (!self->armed || !r) {
		free(r);
		return;
	}
	ppc_nl(&self->s, self->family, &q, r, why, sizeof(why));
	nl_close(&self->s);
	why[0] = 0;
	EXPECT_EQ(0, ppc_state_restore(&self->before, why, sizeof(why)))
		TH_LOG("teardown: NOT restored: %s", why);
	free(r);
}

TEST_F(records, enomem_leaves_nothing_behind)
{
	struct ppc_req claim = { .claim = true, .addr = TARGET };
	struct ppc_req release = { .addr = TARGET };
	struct ppc_report *r = malloc(sizeof(*r));
	char why[2048] = "";
	int ret;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, inject(variant->nth));
	ret = ppc_nl(&self->s, self->family, &claim, r, why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("netlink exchange: %s", why);
	inject_off();
	/* the fault fired, once: this claim met it */
	EXPECT_EQ(0, rd_long(FAIL_DIR "/times"));
	EXPECT_EQ(-ENOMEM, r->error) TH_LOG("claim: %d '%s'", r->error, r->msg);
	EXPECT_NE(NULL, strstr(r->msg, "no memory to record")) TH_LOG("message: '%s'", r->msg);
	expect_unchanged(_metadata, &self->before, "after the failed claim");

	/* no record survived: nothing to release ... */
	ret = ppc_nl(&self->s, self->family, &release, r, why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("netlink exchange: %s", why);
	EXPECT_EQ(-ENOENT, r->error) TH_LOG("release: %d '%s'", r->error, r->msg);
	EXPECT_NE(NULL, strstr(r->msg, "not claimed by pcipass")) TH_LOG("message: '%s'", r->msg);

	/* ... and a claim now takes every member */
	ret = ppc_nl(&self->s, self->family, &claim, r, why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("netlink exchange: %s", why);
	EXPECT_EQ(0, r->error) TH_LOG("claim: %d '%s'", r->error, r->msg);
	EXPECT_EQ((uint32_t)PCIPASS_OUTCOME_CLAIMED, r->outcome)
		TH_LOG("outcome %s", ppc_outcome_name(r->outcome));
	EXPECT_EQ(2, r->nmembers);
	for (int i = 0; i < r->nmembers; i++) {
		const struct ppc_fn *f = ppc_state_find(&self->before, r->m[i].name);
		/* a member the suite put on vfio-pci before stays as it was */
		uint32_t want = f && !strcmp(f->driver, "vfio-pci") ?
				PCIPASS_MEMBER_ALREADY : PCIPASS_MEMBER_CLAIMED;

		EXPECT_EQ(want, r->m[i].state)
			TH_LOG("%s: %s", r->m[i].name, ppc_state_name(r->m[i].state));
	}
	ret = ppc_nl(&self->s, self->family, &release, r, why, sizeof(why));
	ASSERT_EQ(0, ret) TH_LOG("netlink exchange: %s", why);
	EXPECT_EQ(0, r->error) TH_LOG("release: %d '%s'", r->error, r->msg);
	expect_unchanged(_metadata, &self->before, "after claim and release");
	free(r);
}

TEST_HARNESS_MAIN
