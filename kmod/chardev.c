// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pcipass: the ioctl interface (uapi/linux/pcipass_ioctl.h).
 *
 * Every ioctl struct starts with { __u32 size; __u32 flags; }.  The ioctl
 * number is matched on type, number and direction only, so a struct that
 * grew in a later ABI (and with it the size encoded in the number) still
 * reaches its handler; copy_struct_from_user() then reconciles the sizes.
 */

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>

#include <uapi/linux/pcipass.h>
#include <uapi/linux/pcipass_ioctl.h>

#include "chardev.h"
#include "core.h"

struct pcipass_ioc_head {
	__u32 size;
	__u32 flags;
};

/*
 * Copy an ioctl struct in.  @usize is the size from the ioctl number; the
 * struct's own size field must agree with it, so a caller cannot make us
 * read or write more than the number promised.  Flags outside @allowed
 * are rejected.
 */
int pcipass_ioc_copy_in_flags(void *karg, size_t ksize, size_t min_size,
			      const void __user *uarg, size_t usize,
			      u32 allowed)
{
	const struct pcipass_ioc_head *head = karg;
	u32 size;
	int err;

	if (usize < min_size)
		return -EINVAL;
	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size != usize)
		return -EINVAL;
	err = copy_struct_from_user(karg, ksize, uarg, usize);
	if (err)
		return err;
	if (head->flags & ~allowed)
		return -EOPNOTSUPP;
	return 0;
}

int pcipass_ioc_copy_in(void *karg, size_t ksize, size_t min_size,
			const void __user *uarg, size_t usize)
{
	return pcipass_ioc_copy_in_flags(karg, ksize, min_size, uarg, usize, 0);
}

int pcipass_ioc_copy_out(void __user *uarg, size_t usize, const void *karg,
			 size_t ksize)
{
	if (copy_to_user(uarg, karg, min(usize, ksize)))
		return -EFAULT;
	return 0;
}

static long pcipass_ioc_version(void __user *uarg, size_t usize)
{
	struct pcipass_ioc_version v;
	int err;

	BUILD_BUG_ON(sizeof(v) != PCIPASS_IOC_VERSION_SIZE_VER0);
	err = pcipass_ioc_copy_in(&v, sizeof(v), PCIPASS_IOC_VERSION_SIZE_VER0,
				  uarg, usize);
	if (err)
		return err;
	v.abi_version = PCIPASS_IOC_ABI_VERSION;
	v.genl_version = PCIPASS_FAMILY_VERSION;
	v.device_size = sizeof(struct pcipass_ioc_device);
	v.reserved = 0;
	return pcipass_ioc_copy_out(uarg, usize, &v, sizeof(v));
}

int pcipass_ioc_addr_in(const struct pcipass_ioc_addr *in,
			struct pcipass_addr *addr)
{
	if (in->reserved || in->bus > 0xff || in->devfn > 0xff)
		return -EINVAL;
	addr->domain = in->domain;
	addr->bus = in->bus;
	addr->devfn = in->devfn;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_ioc_addr_in);

void pcipass_ioc_addr_out(const struct pcipass_addr *addr,
			  struct pcipass_ioc_addr *out)
{
	out->domain = addr->domain;
	out->bus = addr->bus;
	out->devfn = addr->devfn;
	out->reserved = 0;
}

/* Fixed-size fields: a name that does not fit is cut and flagged. */
static void pcipass_ioc_name_out(const char *name, char *field, size_t size,
				 __u32 *present)
{
	if (name && strscpy(field, name, size) < 0)
		*present |= PCIPASS_DEV_F_TRUNCATED;
}

VISIBLE_IF_KUNIT void pcipass_ioc_device_out(const struct pcipass_devinfo *info,
					     struct pcipass_ioc_device *d)
{
	d->present = info->present;
	d->vendor = info->vendor;
	d->device = info->device;
	d->subsystem_vendor = info->subsystem_vendor;
	d->subsystem_device = info->subsystem_device;
	d->class = info->class;
	d->revision = info->revision;
	d->header_type = info->header_type;
	d->pcie_type = info->pcie_type;
	d->iommu_group = info->iommu_group;
	pcipass_ioc_addr_out(&info->physfn, &d->physfn);
	pcipass_ioc_addr_out(&info->upstream, &d->upstream);
	d->acs_pos = info->acs_pos;
	d->acs_cap = info->acs_cap;
	d->acs_ctrl = info->acs_ctrl;
	pcipass_ioc_name_out(info->driver, d->driver, sizeof(d->driver),
			     &d->present);
	pcipass_ioc_name_out(info->driver_override, d->driver_override,
			     sizeof(d->driver_override), &d->present);
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_ioc_device_out);

static long pcipass_ioc_device_get(struct file *file, void __user *uarg,
				   size_t usize)
{
	/* Same rule as the sysfs config file: judged by the opener. */
	bool privileged = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN);
	struct pcipass_ioc_device d, out = {};
	struct pcipass_devinfo info;
	struct pcipass_addr addr;
	struct pci_dev *pdev;
	int err;

	BUILD_BUG_ON(sizeof(d) != PCIPASS_IOC_DEVICE_SIZE_VER0);
	err = pcipass_ioc_copy_in(&d, sizeof(d), PCIPASS_IOC_DEVICE_SIZE_VER0,
				  uarg, usize);
	if (err)
		return err;
	err = pcipass_ioc_addr_in(&d.addr, &addr);
	if (err)
		return err;

	pdev = pcipass_dev_get(&addr);
	if (!pdev)
		return -ENODEV;
	err = pcipass_devinfo_fill(pdev, privileged, true, &info);
	pci_dev_put(pdev);
	if (err)
		return err;

	/* A fresh struct: nothing but the request header is echoed back. */
	out.size = usize;
	out.addr = d.addr;
	pcipass_ioc_device_out(&info, &out);
	pcipass_devinfo_release(&info);
	return pcipass_ioc_copy_out(uarg, usize, &out, sizeof(out));
}

/**
 * pcipass_ioc_route() - which ioctl a command number asks for
 * @cmd: the ioctl number
 *
 * Matches type, number and direction only: the size in @cmd may be that
 * of a newer or older struct (see pcipass_ioc_copy_in()).
 *
 * Return: a PCIPASS_IOC_OP_*, or -ENOTTY.
 */
VISIBLE_IF_KUNIT int pcipass_ioc_route(unsigned int cmd)
{
	if (_IOC_TYPE(cmd) != PCIPASS_IOC_MAGIC ||
	    _IOC_DIR(cmd) != (_IOC_READ | _IOC_WRITE))
		return -ENOTTY;

	switch (_IOC_NR(cmd)) {
	case _IOC_NR(PCIPASS_IOC_VERSION):
		return PCIPASS_IOC_OP_VERSION;
	case _IOC_NR(PCIPASS_IOC_DEVICE_GET):
		return PCIPASS_IOC_OP_DEVICE_GET;
	case _IOC_NR(PCIPASS_IOC_ISOLATION_GET):
		return PCIPASS_IOC_OP_ISOLATION_GET;
	case _IOC_NR(PCIPASS_IOC_CLAIM):
		return PCIPASS_IOC_OP_CLAIM;
	case _IOC_NR(PCIPASS_IOC_RELEASE):
		return PCIPASS_IOC_OP_RELEASE;
	default:
		return -ENOTTY;
	}
}
EXPORT_SYMBOL_IF_KUNIT(pcipass_ioc_route);

static long pcipass_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	switch (pcipass_ioc_route(cmd)) {
	case PCIPASS_IOC_OP_VERSION:
		return pcipass_ioc_version(uarg, usize);
	case PCIPASS_IOC_OP_DEVICE_GET:
		return pcipass_ioc_device_get(file, uarg, usize);
	case PCIPASS_IOC_OP_ISOLATION_GET:
		return pcipass_ioc_isolation_get(file, uarg, usize);
	case PCIPASS_IOC_OP_CLAIM:
		return pcipass_ioc_claim(file, uarg, usize, true);
	case PCIPASS_IOC_OP_RELEASE:
		return pcipass_ioc_claim(file, uarg, usize, false);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations pcipass_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= pcipass_ioctl,
	/* All fields are fixed-size integers: the layout is the same for 32-bit. */
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice pcipass_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= PCIPASS_DEVICE_NAME,
	.fops	= &pcipass_fops,
	/* Queries are for everyone, like sysfs; each ioctl checks privilege. */
	.mode	= 0644,
};

int __init pcipass_chardev_init(void)
{
	return misc_register(&pcipass_miscdev);
}

void pcipass_chardev_uninit(void)
{
	misc_deregister(&pcipass_miscdev);
}
