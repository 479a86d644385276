/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test only: what its parts share.  The socket every fixture
 * opens (NL_SETUP), and two pieces of a request that several commands'
 * malformed requests are built from: a device-get address nest and a
 * buffer of zero bytes.
 *
 * Static code in a header, included by netlink_test.c and its fixture
 * files (netlink_reject*.h): NL_SETUP uses ASSERT/SKIP/TH_LOG, and
 * kselftest_harness.h may be included by only one file of a program.
 */
#ifndef PCIPASS_SELFTEST_NETLINK_COMMON_H
#define PCIPASS_SELFTEST_NETLINK_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"

#include "ppcommon.h"

/* Common setup: a socket with the pcipass family resolved. */
#define NL_SETUP(sock, fam) do {					\
	int __ret = pp_nl_open((sock), (fam), 0);			\
									\
	if (__ret == -ENOENT && !pp_module_loaded())			\
		SKIP(return, "pcipass module not loaded");		\
	ASSERT_EQ(0, __ret) TH_LOG("resolving family %s: %s",		\
				   PCIPASS_FAMILY_NAME, strerror(-__ret)); \
} while (0)

static void put_addr(struct nlb *b, const struct pci_addr *a)
{
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
}

static const uint8_t zeros[16];

#endif
