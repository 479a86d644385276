// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass safety: what the host would lose if a PCI function were taken
 * away from it.  Heuristics, in the order they are reported (the most
 * serious first, so a short @out keeps them):
 *
 *  - ROOT_FS: the block device under the root of PID 1 (initial PID
 *    namespace) or of the caller (sb->s_bdev) is a descendant of the
 *    function, or sits on one through a stack of dm/md devices (followed
 *    downwards through the disks' "slaves" directories, a few levels deep).
 *    It replaces BLOCK_IN_USE for that block device: one entry per device,
 *    and the stricter reason wins.
 *  - BOOT_VGA: the function is vga_default_device().
 *  - BLOCK_IN_USE: a block device below the function (NVMe namespaces below
 *    the controller, SCSI/ATA disks below the HBA or USB controller,
 *    partitions below their disk) has an exclusive holder: a mounted
 *    filesystem, swap, a dm/md/LVM/bcache member.  A whole disk is
 *    reported only when none of its partitions is: claiming a partition
 *    also marks its disk as held.
 *  - NETDEV_ACTIVE: a network interface (any namespace) below the function
 *    is up and has an IPv4 or a non-link-local IPv6 address, itself or
 *    through an upper device (bridge, bond, VLAN, macvlan, ...).
 *
 * Each function answers for what its own driver provides: walks stop at
 * other PCI functions (those below a bridge, say), which are checked on
 * their own when they are group members.
 *
 * Limits:
 *  - A snapshot: nothing stops a mount, swapon or address added after the
 *    check; the claim's unbind is what ends such use.
 *  - NVMe multipath head disks (nvme_core.multipath, controllers that
 *    report multi-controller capability) hang below the nvme-subsystem,
 *    not the controller: mounts on them are not seen.
 *  - A root filesystem without sb->s_bdev (btrfs, ZFS, NFS, overlay,
 *    tmpfs) is not recognised as such; btrfs still claims its devices,
 *    which shows up as BLOCK_IN_USE.  Roots of other mount namespaces than
 *    PID 1's and the caller's are not looked at.
 *  - Non-exclusive users are invisible: a raw open block device, a loop
 *    device over a file is seen only through its backing filesystem, iSCSI
 *    targets, VMs using the disk directly.
 *  - Interfaces carrying traffic without addresses (routes via a device,
 *    L2 bridges without an address, AF_PACKET/XDP users, an RDMA or
 *    storage-over-network user) are not detected; neither are a DRM driver
 *    driving a non-boot display or a console on a serial card.
 */

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/fs_struct.h>
#include <linux/if_vlan.h>
#include <linux/inetdevice.h>
#include <linux/kernfs.h>
#include <linux/mount.h>
#include <linux/netdevice.h>
#include <linux/path.h>
#include <linux/pci.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched/task.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <linux/vgaarb.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/net_namespace.h>

#include "claim.h"

/*
 * Device nesting below a function: PCI -> USB hubs -> SCSI host -> target
 * -> disk -> partition stays well below this; the bound keeps the
 * recursion's stack use small whatever a driver builds.
 */
#define PCIPASS_WALK_DEPTH	24
/* dm over dm over md (LUKS on LVM on RAID) is three levels. */
#define PCIPASS_STACK_DEPTH	4
/* Block devices of one function that can carry a root stack. */
#define PCIPASS_ROOT_DEVS	8

struct pcipass_safety {
	struct pci_dev *pdev;
	struct pcipass_claim_blocker *out;
	unsigned int max;
	unsigned int n;
#ifdef CONFIG_BLOCK
	/* Reported as ROOT_FS; compared by address only. */
	struct device *root_devs[PCIPASS_ROOT_DEVS];
	unsigned int nr_root_devs;
	unsigned int nr_held;
	unsigned int depth;
#endif
};

static bool pcipass_safety_full(const struct pcipass_safety *s)
{
	return s->n >= s->max;
}

static __printf(3, 4) void pcipass_blocker_add(struct pcipass_safety *s,
					       u8 reason, const char *fmt, ...)
{
	struct pcipass_claim_blocker *b;
	va_list args;

	if (pcipass_safety_full(s))
		return;
	b = &s->out[s->n++];
	memset(b, 0, sizeof(*b));
	pcipass_addr_of(s->pdev, &b->addr);
	b->reason = reason;
	b->forced = false;
	va_start(args, fmt);
	vscnprintf(b->detail, sizeof(b->detail), fmt, args);
	va_end(args);
}

/*
 * True when @dev is provided through @s->pdev: the first PCI device among
 * its ancestors is @s->pdev.  A reference on @dev keeps the chain alive:
 * every device holds one on its parent.
 */
static bool pcipass_dev_owned(struct pcipass_safety *s, struct device *dev)
{
	for (dev = dev->parent; dev; dev = dev->parent)
		if (dev_is_pci(dev))
			return dev == &s->pdev->dev;
	return false;
}

#ifdef CONFIG_BLOCK
/* block_class is not exported; its name is ABI (/sys/class/block). */
static bool pcipass_is_bdev(struct device *dev)
{
	return dev->class && !strcmp(dev->class->name, "block");
}

struct pcipass_root_walk {
	struct pcipass_safety *s;
	struct kernfs_node *slaves;
	const char *root_name;
	unsigned int depth;
};

static void pcipass_root_stack(struct pcipass_safety *s,
			       struct block_device *bdev,
			       const char *root_name, unsigned int depth);

/*
 * bd_link_disk_holder() names each link in a disk's "slaves" directory
 * after the device below it; no list of them is reachable from a module,
 * so every block device is looked up there by name.
 */
static int pcipass_root_slave(struct device *dev, void *data)
{
	struct pcipass_root_walk *w = data;
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(w->slaves, dev_name(dev));
	if (!kn)
		return 0;
	kernfs_put(kn);
	pcipass_root_stack(w->s, dev_to_bdev(dev), w->root_name, w->depth + 1);
	return pcipass_safety_full(w->s);
}

static void pcipass_root_found(struct pcipass_safety *s, struct device *dev,
			       const char *root_name)
{
	unsigned int i;

	for (i = 0; i < s->nr_root_devs; i++)
		if (s->root_devs[i] == dev)
			return;
	if (s->nr_root_devs < PCIPASS_ROOT_DEVS)
		s->root_devs[s->nr_root_devs++] = dev;
	if (!strcmp(dev_name(dev), root_name))
		pcipass_blocker_add(s, PCIPASS_BLOCKER_ROOT_FS, "%s", root_name);
	else
		pcipass_blocker_add(s, PCIPASS_BLOCKER_ROOT_FS, "%s (root on %s)",
				    dev_name(dev), root_name);
}

/*
 * Everything here is open by the mounted root or by a holder above it, so
 * the disks and their "slaves" directories stay while we look.
 */
static void pcipass_root_stack(struct pcipass_safety *s,
			       struct block_device *bdev,
			       const char *root_name, unsigned int depth)
{
	struct pcipass_root_walk w = {
		.s = s, .root_name = root_name, .depth = depth,
	};
	struct kobject *slaves;

	if (pcipass_dev_owned(s, &bdev->bd_device)) {
		pcipass_root_found(s, &bdev->bd_device, root_name);
		return;
	}
	slaves = READ_ONCE(bdev->bd_disk->slave_dir);
	if (!slaves || depth >= PCIPASS_STACK_DEPTH)
		return;
	w.slaves = slaves->sd;
	class_for_each_device(bdev->bd_device.class, NULL, &w,
			      pcipass_root_slave);
}

/* The task's root directory, or false when it has no fs (exiting). */
static bool pcipass_task_root(struct task_struct *task, struct path *root)
{
	bool ok = false;

	task_lock(task);
	if (task->fs) {
		get_fs_root(task->fs, root);
		ok = true;
	}
	task_unlock(task);
	return ok;
}

/* PID 1 of the initial namespace: find_get_pid() would use the caller's. */
static struct task_struct *pcipass_init_task_get(void)
{
	struct task_struct *task;

	rcu_read_lock();
	task = pid_task(find_pid_ns(1, &init_pid_ns), PIDTYPE_PID);
	if (task)
		get_task_struct(task);
	rcu_read_unlock();
	return task;
}

/*
 * The mount references keep each superblock, and with it s_bdev, alive.
 * Both roots are held together, so comparing their superblocks is sound.
 */
static void pcipass_check_root(struct pcipass_safety *s,
			       const struct path *caller_root)
{
	struct task_struct *init = pcipass_init_task_get();
	struct path roots[2];
	struct block_device *bdev;
	unsigned int nr = 0, i;

	if (init) {
		if (pcipass_task_root(init, &roots[nr]))
			nr++;
		put_task_struct(init);
	}
	if (caller_root && caller_root->mnt) {
		roots[nr] = *caller_root;
		path_get(&roots[nr++]);
	}
	for (i = 0; i < nr; i++) {
		bdev = roots[i].mnt->mnt_sb->s_bdev;
		if (bdev && !(i && roots[i].mnt->mnt_sb == roots[0].mnt->mnt_sb))
			pcipass_root_stack(s, bdev, dev_name(&bdev->bd_device), 0);
	}
	while (nr--)
		path_put(&roots[nr]);
}

static bool pcipass_is_root_dev(struct pcipass_safety *s, struct device *dev)
{
	unsigned int i;

	for (i = 0; i < s->nr_root_devs; i++)
		if (s->root_devs[i] == dev)
			return true;
	return false;
}

static void pcipass_block_one(struct pcipass_safety *s, struct device *dev)
{
	if (pcipass_is_root_dev(s, dev)) {
		/* Already reported, as ROOT_FS; hides its disk too. */
		s->nr_held++;
		return;
	}
	/* Set by every exclusive opener: mount, swapon, dm, md, bcache. */
	if (!READ_ONCE(dev_to_bdev(dev)->bd_holder))
		return;
	s->nr_held++;
	pcipass_blocker_add(s, PCIPASS_BLOCKER_BLOCK_IN_USE, "%s",
			    dev_name(dev));
}

/* Children first: a disk is examined after its partitions. */
static int pcipass_block_walk(struct device *dev, void *data)
{
	struct pcipass_safety *s = data;
	unsigned int held = s->nr_held;

	if (dev_is_pci(dev))
		return 0;
	if (s->depth < PCIPASS_WALK_DEPTH) {
		s->depth++;
		device_for_each_child(dev, s, pcipass_block_walk);
		s->depth--;
	}
	if (pcipass_is_bdev(dev) && s->nr_held == held)
		pcipass_block_one(s, dev);
	return pcipass_safety_full(s);
}

static void pcipass_check_block(struct pcipass_safety *s)
{
	device_for_each_child(&s->pdev->dev, s, pcipass_block_walk);
}
#else
static void pcipass_check_root(struct pcipass_safety *s,
			       const struct path *caller_root)
{
}

static void pcipass_check_block(struct pcipass_safety *s)
{
}
#endif /* CONFIG_BLOCK */

static void pcipass_check_vga(struct pcipass_safety *s)
{
	/* An inline returning NULL without CONFIG_VGA_ARB. */
	if (s->pdev == vga_default_device())
		pcipass_blocker_add(s, PCIPASS_BLOCKER_BOOT_VGA, "boot VGA");
}

#if IS_ENABLED(CONFIG_IPV6)
/* Link-local addresses come with every interface that is up. */
static bool pcipass_has_ipv6(struct net_device *dev)
{
	struct inet6_dev *idev = __in6_dev_get(dev);
	struct inet6_ifaddr *ifa;

	if (!idev)
		return false;
	/* addr_list is RCU-protected for readers (addrconf.c). */
	list_for_each_entry_rcu(ifa, &idev->addr_list, if_list)
		if (!(ipv6_addr_type(&ifa->addr) & IPV6_ADDR_LINKLOCAL))
			return true;
	return false;
}
#else
static bool pcipass_has_ipv6(struct net_device *dev)
{
	return false;
}
#endif

/* Under rcu_read_lock(). */
static bool pcipass_netdev_active(struct net_device *dev)
{
	struct in_device *in4 = __in_dev_get_rcu(dev);

	if (!netif_running(dev))
		return false;
	if (in4 && rcu_access_pointer(in4->ifa_list))
		return true;
	return pcipass_has_ipv6(dev);
}

static const char *pcipass_upper_kind(const struct net_device *upper)
{
	if (netif_is_bridge_master(upper))
		return "bridge";
	if (netif_is_bond_master(upper))
		return "bond";
	if (is_vlan_dev(upper))
		return "vlan";
	if (netif_is_macvlan(upper))
		return "macvlan";
	if (netif_is_team_master(upper))
		return "team";
	if (netif_is_ovs_master(upper))
		return "ovs";
	return "upper";
}

static int pcipass_upper_one(struct net_device *upper,
			     struct netdev_nested_priv *priv)
{
	struct net_device **found = priv->data;

	if (!pcipass_netdev_active(upper))
		return 0;
	*found = upper;
	return 1;
}

/* Under rcu_read_lock(): the netdevs and their names stay. */
static void pcipass_netdev_one(struct pcipass_safety *s,
			       struct net_device *dev)
{
	struct net_device *upper = NULL;
	struct netdev_nested_priv priv = { .data = &upper };

	if (!netif_running(dev))
		return;
	if (pcipass_netdev_active(dev)) {
		pcipass_blocker_add(s, PCIPASS_BLOCKER_NETDEV_ACTIVE, "%s",
				    dev->name);
		return;
	}
	netdev_walk_all_upper_dev_rcu(dev, pcipass_upper_one, &priv);
	if (upper)
		pcipass_blocker_add(s, PCIPASS_BLOCKER_NETDEV_ACTIVE,
				    "%s (%s over %s)", upper->name,
				    pcipass_upper_kind(upper), dev->name);
}

/*
 * net_rwsem keeps the namespace list stable; RCU keeps each namespace's
 * netdevs.  A netdev leaves the RCU list a grace period before device_del()
 * drops its parent reference, so its ancestors are valid here.
 */
static void pcipass_check_net(struct pcipass_safety *s)
{
	struct net_device *dev;
	struct net *net;

	down_read(&net_rwsem);
	for_each_net(net) {
		rcu_read_lock();
		for_each_netdev_rcu(net, dev) {
			if (pcipass_safety_full(s))
				break;
			if (pcipass_dev_owned(s, &dev->dev))
				pcipass_netdev_one(s, dev);
		}
		rcu_read_unlock();
	}
	up_read(&net_rwsem);
}

unsigned int pcipass_safety_check(struct pci_dev *pdev,
				  const struct path *caller_root,
				  struct pcipass_claim_blocker *out,
				  unsigned int max)
{
	struct pcipass_safety s = { .pdev = pdev, .out = out, .max = max };

	pcipass_check_root(&s, caller_root);
	pcipass_check_vga(&s);
	pcipass_check_block(&s);
	pcipass_check_net(&s);
	return s.n;
}
