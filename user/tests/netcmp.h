/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_TESTS_NETCMP_H
#define PCIPASS_TESTS_NETCMP_H

/* /proc/net against rtnetlink on this machine; prints "netinfo: N passed,
 * N failed" and returns the exit status.
 */
int netcmp_run(void);

#endif
