// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass: explain and manage PCI passthrough (VFIO) on KVM hosts.
 * Module init and exit only; see core.c, claim.c, notify.c, netlink.c and
 * chardev.c.
 */

#include <linux/module.h>
#include <net/genetlink.h>

#include <uapi/linux/pcipass.h>

#include "chardev.h"
#include "claim.h"
#include "compat.h"
#include "core.h"
#include "netlink.h"

/*
 * Order: the family first (events need it), then the one PCI bus notifier
 * (topology generation, claim records, events), then /dev/pcipass.
 * Unload in reverse: the notifier goes before the family, and the claim
 * records (whose functions keep their drivers) last.
 */
static int __init pcipass_init(void)
{
	int err;

	err = pcipass_compat_check();
	if (err)
		return err;
	err = pcipass_genl_init();
	if (err)
		return err;
	err = pcipass_notify_init();
	if (err)
		goto err_genl;
	err = pcipass_chardev_init();
	if (err)
		goto err_notify;
	return 0;

err_notify:
	pcipass_notify_uninit();
err_genl:
	pcipass_genl_uninit();
	return err;
}

static void __exit pcipass_exit(void)
{
	pcipass_chardev_uninit();
	pcipass_notify_uninit();
	/* Waits for running requests: a claim in progress finishes first. */
	pcipass_genl_uninit();
	pcipass_claim_uninit();
}

module_init(pcipass_init);
module_exit(pcipass_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Explain PCI IOMMU groups and claim them whole for device passthrough");
MODULE_AUTHOR("pcipass developers");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(PCIPASS_FAMILY_NAME);
