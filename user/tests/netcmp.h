/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_TESTS_NETCMP_H
#define PCIPASS_TESTS_NETCMP_H

/* /proc/net against rtnetlink on this machine, both directions, every
 * interface of /sys/class/net; prints each difference, what was compared
 * and "netinfo: N passed, N failed", and returns the exit status (1 also
 * when rtnetlink is refused or nothing could be compared).
 */
int netcmp_run(void);

#endif
