/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Both interfaces' answers about a device compared with the sysfs ground
 * truth (sysfs.h): the netlink reply as ppparse.h parsed it, and the
 * ioctl's struct pcipass_ioc_device.
 */
#ifndef PCIPASS_SELFTEST_PPCMP_H
#define PCIPASS_SELFTEST_PPCMP_H

#include <stdbool.h>

#include <linux/pcipass_ioctl.h>

#include "ppparse.h"
#include "sysfs.h"

/*
 * Compare a netlink / ioctl answer with sysfs.  @privileged: the caller had
 * CAP_SYS_ADMIN (then ACS and PCIe type must match the config space, else
 * they must be withheld and the restricted flag set).  Returns the number
 * of mismatches; a description of them is appended to @why.
 */
int pp_cmp_nl(const struct sysfs_dev *s, const struct pp_dev *d,
	      bool privileged, char *why, int whylen);
int pp_cmp_ioc(const struct sysfs_dev *s, const struct pcipass_ioc_device *d,
	       bool privileged, char *why, int whylen);

#endif
