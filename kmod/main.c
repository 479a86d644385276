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
#include "fault.h"
#include "netlink.h"
#include "persist.h"

/*
 * Order: the fault points (tests only), the persisted claims (parsed:
 * the notifier matches against them), the job queue, the family
 * (events need it), then the one PCI bus notifier (topology generation,
 * claim records, events), then /dev/pcipass.  Unload in reverse: the
 * notifier goes before the family, the claim records (whose functions
 * keep their drivers) and the fault points last.
 */
static int __init pcipass_init(void)
{
	int err;

	err = pcipass_compat_check();
	if (err)
		return err;
	pcipass_fault_init();
	pcipass_persist_parse();
	err = pcipass_jobs_init();
	if (err)
		goto err_fault;
	err = pcipass_genl_init();
	if (err)
		goto err_jobs;
	err = pcipass_notify_init();
	if (err)
		goto err_genl;
	err = pcipass_chardev_init();
	if (err)
		goto err_notify;
	/*
	 * The persisted claims' job is queued before userspace may queue
	 * any, and init returns once their overrides are written (bounded):
	 * from the initramfs that is before udev's coldplug.
	 */
	pcipass_persist_sweep();
	pcipass_jobs_start();
	pcipass_persist_wait();
	return 0;

err_notify:
	pcipass_notify_uninit();
	pcipass_persist_add_stop();
	pcipass_claim_uninit();		/* records persisted claims made */
err_genl:
	pcipass_genl_uninit();
err_jobs:
	pcipass_jobs_exit();
err_fault:
	pcipass_persist_exit();
	pcipass_fault_exit();
	return err;
}

static void __exit pcipass_exit(void)
{
	pcipass_chardev_uninit();
	pcipass_notify_uninit();
	pcipass_persist_add_stop();	/* its work items, before the records */
	pcipass_genl_uninit();
	/* No job is open: each holds a module reference until it ends. */
	pcipass_jobs_exit();
	pcipass_claim_uninit();
	pcipass_persist_exit();
	pcipass_fault_exit();
}

module_init(pcipass_init);
module_exit(pcipass_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Explain PCI IOMMU groups and claim them whole for device passthrough");
MODULE_AUTHOR("pcipass developers");
MODULE_VERSION("0.1.0");
MODULE_ALIAS_GENL_FAMILY(PCIPASS_FAMILY_NAME);
