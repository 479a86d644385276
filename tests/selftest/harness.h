/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's kselftest harness, included with the -Wextra warnings its
 * own code triggers silenced.
 */
#ifndef PCIPASS_SELFTEST_HARNESS_H
#define PCIPASS_SELFTEST_HARNESS_H

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/*
 * TEST_F() expands to a setjmp() in every test wrapper; -Wextra's
 * -Wclobbered then flags the harness's own locals in our files.
 */
#pragma GCC diagnostic ignored "-Wclobbered"

#endif
