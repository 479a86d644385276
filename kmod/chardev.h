/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PCIPASS_CHARDEV_H
#define _PCIPASS_CHARDEV_H

#include <linux/types.h>

struct pcipass_addr;
struct pcipass_devinfo;
struct pcipass_ioc_addr;
struct pcipass_ioc_device;

int pcipass_chardev_init(void);
void pcipass_chardev_uninit(void);

enum pcipass_ioc_op {
	PCIPASS_IOC_OP_VERSION = 1,
	PCIPASS_IOC_OP_DEVICE_GET,
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals exported for tests/kunit only (EXPORTED_FOR_KUNIT_TESTING). */
int pcipass_ioc_route(unsigned int cmd);
int pcipass_ioc_addr_in(const struct pcipass_ioc_addr *in,
			struct pcipass_addr *addr);
void pcipass_ioc_device_out(const struct pcipass_devinfo *info,
			    struct pcipass_ioc_device *d);
#endif

#endif /* _PCIPASS_CHARDEV_H */
