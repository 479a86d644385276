/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The harness's side of the sysfs snapshot (ppcstate.h), shared by the
 * test programs that judge by it (claim_test, fault_test).
 *
 * Static functions in a header, not a linked object: they use the
 * harness's ASSERT/EXPECT/TH_LOG, and kselftest_harness.h may be
 * included by only one file of a program (it defines the harness's
 * globals, such as __active_test and _fixture_global).
 */
#ifndef PCIPASS_SELFTEST_PPSNAP_H
#define PCIPASS_SELFTEST_PPSNAP_H

#include <stdlib.h>

#include "harness.h"
#include "ppcstate.h"

/* sysfs unchanged since @before; logs what differs. */
static void expect_unchanged(struct __test_metadata *_metadata,
			     const struct ppc_state *before, const char *when)
{
	struct ppc_state *now = malloc(sizeof(*now));
	char why[4096] = "";

	ASSERT_NE(NULL, now);
	ASSERT_EQ(0, ppc_state_read(now));
	EXPECT_EQ(0, ppc_state_diff(before, now, why, sizeof(why)))
		TH_LOG("%s: sysfs changed: %s", when, why);
	free(now);
}

#endif
