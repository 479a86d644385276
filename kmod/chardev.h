/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _PCIPASS_CHARDEV_H
#define _PCIPASS_CHARDEV_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct file;
struct pcipass_addr;
struct pcipass_devinfo;
struct pcipass_ioc_addr;
struct pcipass_ioc_device;

int pcipass_chardev_init(void);
void pcipass_chardev_uninit(void);

enum pcipass_ioc_op {
	PCIPASS_IOC_OP_VERSION = 1,
	PCIPASS_IOC_OP_DEVICE_GET,
	PCIPASS_IOC_OP_ISOLATION_GET,
	PCIPASS_IOC_OP_CLAIM,
	PCIPASS_IOC_OP_RELEASE,
};

/* Shared by the ioctl handlers (chardev.c, chardev_iso.c). */
int pcipass_ioc_copy_in(void *karg, size_t ksize, size_t min_size,
			const void __user *uarg, size_t usize);
int pcipass_ioc_copy_in_flags(void *karg, size_t ksize, size_t min_size,
			      const void __user *uarg, size_t usize,
			      u32 allowed);
int pcipass_ioc_copy_out(void __user *uarg, size_t usize, const void *karg,
			 size_t ksize);
int pcipass_ioc_addr_in(const struct pcipass_ioc_addr *in,
			struct pcipass_addr *addr);
void pcipass_ioc_addr_out(const struct pcipass_addr *addr,
			  struct pcipass_ioc_addr *out);
long pcipass_ioc_isolation_get(struct file *file, void __user *uarg,
			       size_t usize);
long pcipass_ioc_claim(struct file *file, void __user *uarg, size_t usize,
		       bool claim);

#if IS_ENABLED(CONFIG_KUNIT)
/* Internals exported for tests/kunit only (EXPORTED_FOR_KUNIT_TESTING). */
int pcipass_ioc_route(unsigned int cmd);
void pcipass_ioc_device_out(const struct pcipass_devinfo *info,
			    struct pcipass_ioc_device *d);
#endif

#endif /* _PCIPASS_CHARDEV_H */
