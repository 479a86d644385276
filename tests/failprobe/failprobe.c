// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass-failprobe: a test-only PCI driver whose probe fails on demand.
 *
 * The tests use it to make a group claim fail half way (one member's probe
 * fails) and check that pcipass rolls the whole group back.  It binds
 * nothing by itself: its ID table is empty, so the PCI core offers it a
 * function only when that function's driver_override names it
 * ("pcipass-failprobe").  Like vfio-pci it sets driver_managed_dma, so a
 * group bound to it stays viable for VFIO.  Probe touches no hardware: it
 * counts, optionally sleeps, and succeeds or fails with -EIO.
 *
 * Parameters (all 0644 in /sys/module/pcipass_failprobe/parameters/):
 *   fail_nth        the Nth probe since the counter was last reset fails
 *                   (0: none)
 *   fail_addr       probes of this function always fail, e.g. 0000:05:00.1
 *                   (empty: none)
 *   probe_delay_ms  sleep this long in every probe (at most 10000)
 *   probes          probe calls so far (failed ones too); write 0 to reset
 *   block_remove    1: every remove waits until 0 is written (at most
 *                   FAILPROBE_MAX_BLOCK_S), as vfio-pci's remove waits for
 *                   a VM that holds the device
 *   genl_family     1: register a generic netlink family ("pcipass_fptest"),
 *                   0: unregister it -- what loading a module such as
 *                   wireguard does, and what waits for genetlink's lock
 *
 * Example, failing the second probe of a claim:
 *   echo 0 > .../probes; echo 2 > .../fail_nth
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <net/genetlink.h>

#define FAILPROBE_MAX_DELAY_MS	10000
#define FAILPROBE_MAX_BLOCK_S	300

/* Probe calls since load or the last reset; read and reset via "probes". */
static atomic_t failprobe_probes = ATOMIC_INIT(0);

/*
 * The writable parameters below are written with the module's parameter
 * lock held (sysfs stores take it); probe reads them under the same lock.
 */
static int failprobe_fail_nth;
/* Empty or a canonical PCI address ("%04x:%02x:%02x.%x"). */
static char failprobe_fail_addr[sizeof("ffffffff:ff:1f.7")];
static unsigned int failprobe_delay_ms;

static int failprobe_set_probes(const char *val, const struct kernel_param *kp)
{
	int n, err;

	err = kstrtoint(val, 0, &n);
	if (err)
		return err;
	if (n)
		return -EINVAL;	/* only a reset makes sense */
	atomic_set(&failprobe_probes, 0);
	return 0;
}

static int failprobe_get_probes(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%d\n", atomic_read(&failprobe_probes));
}

static const struct kernel_param_ops failprobe_probes_ops = {
	.set = failprobe_set_probes,
	.get = failprobe_get_probes,
};
module_param_cb(probes, &failprobe_probes_ops, NULL, 0644);
MODULE_PARM_DESC(probes, "probe calls so far; write 0 to reset");

static int failprobe_set_fail_nth(const char *val, const struct kernel_param *kp)
{
	int n, err;

	err = kstrtoint(val, 0, &n);
	if (err)
		return err;
	if (n < 0)
		return -EINVAL;
	*(int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops failprobe_fail_nth_ops = {
	.set = failprobe_set_fail_nth,
	.get = param_get_int,
};
module_param_cb(fail_nth, &failprobe_fail_nth_ops, &failprobe_fail_nth, 0644);
MODULE_PARM_DESC(fail_nth,
		 "the Nth probe since the last reset of probes fails with -EIO (0: never)");

/* Accepts "" (clears) or DOMAIN:BUS:DEV.FN in hex; stores it as pci_name() prints it. */
static int failprobe_set_fail_addr(const char *val, const struct kernel_param *kp)
{
	unsigned int domain, bus, slot, fn;
	int len = 0;

	val = skip_spaces(val);
	if (!*val) {
		failprobe_fail_addr[0] = '\0';
		return 0;
	}
	if (sscanf(val, "%x:%x:%x.%x%n", &domain, &bus, &slot, &fn, &len) != 4 ||
	    *skip_spaces(val + len) || bus > 0xff || slot > 0x1f || fn > 7)
		return -EINVAL;
	snprintf(failprobe_fail_addr, sizeof(failprobe_fail_addr), "%04x:%02x:%02x.%x",
		 domain, bus, slot, fn);
	return 0;
}

static int failprobe_get_fail_addr(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE, "%s\n", failprobe_fail_addr);
}

static const struct kernel_param_ops failprobe_fail_addr_ops = {
	.set = failprobe_set_fail_addr,
	.get = failprobe_get_fail_addr,
};
module_param_cb(fail_addr, &failprobe_fail_addr_ops, NULL, 0644);
MODULE_PARM_DESC(fail_addr,
		 "probes of this PCI function (e.g. 0000:05:00.1) always fail with -EIO (empty: none)");

static int failprobe_set_delay(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 0, FAILPROBE_MAX_DELAY_MS);
}

static const struct kernel_param_ops failprobe_delay_ops = {
	.set = failprobe_set_delay,
	.get = param_get_uint,
};
module_param_cb(probe_delay_ms, &failprobe_delay_ops, &failprobe_delay_ms, 0644);
MODULE_PARM_DESC(probe_delay_ms,
		 "sleep this many ms in every probe (0-" __stringify(FAILPROBE_MAX_DELAY_MS) ")");

static int failprobe_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int n = atomic_inc_return(&failprobe_probes);
	bool nth, addr;
	unsigned int delay;

	kernel_param_lock(THIS_MODULE);
	nth = failprobe_fail_nth && n == failprobe_fail_nth;
	addr = !strcmp(failprobe_fail_addr, pci_name(pdev));
	delay = failprobe_delay_ms;
	kernel_param_unlock(THIS_MODULE);

	if (delay)
		msleep(delay);
	if (nth || addr) {
		pci_info(pdev, "probe %d fails with -EIO (%s)\n", n,
			 nth ? "fail_nth" : "fail_addr");
		return -EIO;
	}
	pci_info(pdev, "probe %d succeeds\n", n);
	return 0;
}

static bool failprobe_block_remove;
static DECLARE_WAIT_QUEUE_HEAD(failprobe_wq);

static int failprobe_set_block(const char *val, const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	wake_up_all(&failprobe_wq);
	return err;
}

static const struct kernel_param_ops failprobe_block_ops = {
	.set = failprobe_set_block,
	.get = param_get_bool,
};
module_param_cb(block_remove, &failprobe_block_ops, &failprobe_block_remove, 0644);
MODULE_PARM_DESC(block_remove,
		 "1: remove waits until 0 is written (at most "
		 __stringify(FAILPROBE_MAX_BLOCK_S) " s)");

static void failprobe_remove(struct pci_dev *pdev)
{
	if (!READ_ONCE(failprobe_block_remove))
		return;
	pci_info(pdev, "remove blocks until block_remove is 0\n");
	if (!wait_event_timeout(failprobe_wq, !READ_ONCE(failprobe_block_remove),
				FAILPROBE_MAX_BLOCK_S * HZ))
		pci_warn(pdev, "remove gave up waiting after %d s\n",
			 FAILPROBE_MAX_BLOCK_S);
	else
		pci_info(pdev, "remove goes on\n");
}

/* A family with one command that does nothing: registering is the point. */
static int failprobe_genl_noop(struct sk_buff *skb, struct genl_info *info)
{
	return 0;
}

static const struct genl_small_ops failprobe_genl_ops[] = {
	{ .cmd = 1, .doit = failprobe_genl_noop },
};

static struct genl_family failprobe_genl = {
	.name		= "pcipass_fptest",
	.version	= 1,
	.module		= THIS_MODULE,
	.small_ops	= failprobe_genl_ops,
	.n_small_ops	= ARRAY_SIZE(failprobe_genl_ops),
};

static bool failprobe_genl_on;

static int failprobe_set_genl(const char *val, const struct kernel_param *kp)
{
	bool on;
	int err = kstrtobool(val, &on);

	if (err || on == failprobe_genl_on)
		return err;
	err = on ? genl_register_family(&failprobe_genl) :
		   genl_unregister_family(&failprobe_genl);
	if (!err)
		failprobe_genl_on = on;
	return err;
}

static const struct kernel_param_ops failprobe_genl_param_ops = {
	.set = failprobe_set_genl,
	.get = param_get_bool,
};
module_param_cb(genl_family, &failprobe_genl_param_ops, &failprobe_genl_on, 0644);
MODULE_PARM_DESC(genl_family,
		 "1: register the generic netlink family pcipass_fptest; 0: unregister it");

/* Empty: only a driver_override naming this driver matches. */
static const struct pci_device_id failprobe_ids[] = {
	{ }
};

/* Probe took nothing: remove only blocks when asked to. */
static struct pci_driver failprobe_driver = {
	.name			= "pcipass-failprobe",
	.id_table		= failprobe_ids,
	.probe			= failprobe_probe,
	.remove			= failprobe_remove,
	.driver_managed_dma	= true,
};

static int __init failprobe_init(void)
{
	return pci_register_driver(&failprobe_driver);
}

static void __exit failprobe_exit(void)
{
	pci_unregister_driver(&failprobe_driver);
	if (failprobe_genl_on)
		genl_unregister_family(&failprobe_genl);
}

module_init(failprobe_init);
module_exit(failprobe_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("pcipass tests: a PCI driver whose probe fails on demand");
MODULE_AUTHOR("pcipass developers");
