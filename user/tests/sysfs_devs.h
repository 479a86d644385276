/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_TESTS_SYSFS_DEVS_H
#define PCIPASS_TESTS_SYSFS_DEVS_H

#include "nl/device.h"

/* Appends the functions of PCIPASS_SYSROOT's /sys/bus/pci/devices to l. */
void sysfs_devs_read(struct pp_devlist *l);

#endif
