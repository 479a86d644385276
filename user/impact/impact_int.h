/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_IMPACT_INT_H
#define PCIPASS_IMPACT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "impact/impact.h"
#include "impact/mounts.h"
#include "impact/netinfo.h"

/* Shared by the files of impact/ only: one gatherer per kind of host
 * resource, the judge (impact/impact.c) and the printer (impact/print.c).
 */

struct imp_netdev {
	char *name;
	char *operstate;	/* "up", "down", ...; NULL when unreadable */
	char *kind;		/* uevent DEVTYPE: bridge, bond, vlan; NULL */
	char *lower;		/* the interface below; NULL for the function's own */
	int admin_up;		/* IFF_UP in "flags": 1, 0; -1 unreadable */
	struct netinfo info;
};

enum blk_role { BLK_DISK, BLK_PART, BLK_HOLDER };

struct imp_block {
	char *name;
	enum blk_role role;
	char *parent;		/* disk of a partition, lower device of a holder */
	char *via;		/* NVMe multipath: the path device below the function */
	char *dev;		/* "259:1"; NULL when unreadable */
	char *dm_name;		/* device-mapper name (LVM: vg-lv) */
	char *fs_type;		/* udev's ID_FS_TYPE: ext4, LVM2_member, zfs_member */
	char *fs_label;		/* udev's ID_FS_LABEL (a ZFS pool's name) */
	bool zfs_imported;	/* zfs_member of a pool the host has imported */
	/* Disks and partitions only.  An exclusive opener (a mount in any
	 * mount namespace, swap, dm/md, bcache, btrfs, ZFS): 1 yes, 0 no,
	 * -1 not probed (impact_probe_excl() was not called, a fixture
	 * tree, no device node, not root).
	 */
	int excl;
	/* The root device this disk or partition carries, itself or below
	 * a dm/md stack ("dm-1"); NULL when it carries no root.
	 */
	char *root_of;
};

struct imp_mount {
	char *device;		/* the imp_block it comes from */
	char *source, *target, *fstype;
};

struct imp_fb {
	char *name;		/* fb0, card0 */
	char *id;		/* the fb's "name": "EFI VGA", "amdgpudrmfb" */
	/* platform device of a firmware framebuffer (efi-framebuffer.0);
	 * NULL when the GPU's own driver registered it
	 */
	char *firmware;
};

struct imp_display {
	bool boot_vga;
	struct imp_fb *fbs;	/* /sys/class/graphics/fb* */
	size_t nfbs;
	struct imp_fb *cards;	/* /sys/class/drm/card* */
	size_t ncards;
	bool fbcon;		/* the text console is bound to framebuffers */
};

struct imp_usb {
	char *bus_id;		/* "1-1.2" */
	bool has_ids;
	unsigned int vendor, product;
	char *manufacturer, *product_name;
	bool hub, hid, keyboard, mouse, storage;
};

struct imp_sound {
	unsigned int card;
	char *id;
};

struct imp_vf {
	char *addr;		/* "0000:06:10.0" */
	char *driver;		/* bound driver; NULL */
};

struct imp_func {
	char *addr;
	char *path;		/* canonical sysfs directory; NULL: not found */
	struct imp_netdev *net;
	size_t nnet;
	struct imp_block *blk;
	size_t nblk;
	struct imp_mount *mnt;
	size_t nmnt;
	struct imp_mount *swp;	/* target and fstype unused */
	size_t nswp;
	struct imp_display disp;
	struct imp_usb *usb;
	size_t nusb;
	struct imp_sound *snd;
	size_t nsnd;
	struct imp_vf *vfs;	/* SR-IOV VFs of a physical function */
	size_t nvfs;
	/* What a claim would take in other network namespaces: "eth1
	 * (netns ct1)" (impact/netns.c, on request only).
	 */
	char **netns_holds;
	size_t nnetns_holds;
};

enum imp_sev { SEV_CRITICAL, SEV_WARNING, SEV_INFO };

struct imp_finding {
	enum imp_sev sev;
	const char *addr;	/* borrowed from the imp_func */
	const char *kind;	/* stable JSON word */
	char *msg;
	char *hint;		/* what to do about it; NULL */
};

/*
 * The root filesystems of PID 1 and of the caller: the mounts on "/" of
 * their tables (source and type find btrfs and ZFS, whose st_dev is no
 * block device), and on the real root also what stat() says of "/" (a
 * chroot into a plain directory has no mount of its own).
 */
#define IMP_MAX_ROOTS 4
struct imp_roots {
	struct mount_entry v[IMP_MAX_ROOTS];
	size_t n;
};

struct impact {
	struct imp_func *f;
	size_t n;
	struct imp_roots roots;
	const char *net_source;	/* "netlink", "procfs"; NULL: no interface */
	struct imp_finding *find;
	size_t nfind;
};

/* Appends one zeroed element, growing the array; exits on ENOMEM like
 * the rest of the CLI.
 */
void *vec_push(void *arrp, size_t *n, size_t size);
#define VEC_PUSH(arr, n) ((__typeof__(arr))vec_push(&(arr), &(n), sizeof(*(arr))))

/* *src is opened on the first interface found */
void impact_net_gather(struct imp_func *f, struct netsrc **src);
void impact_block_gather(struct imp_func *f, const struct mount_list *mounts,
			 const struct mount_list *swaps,
			 const struct imp_roots *roots);
void impact_display_gather(struct imp_func *f);
void impact_usb_gather(struct imp_func *f);
void impact_sound_gather(struct imp_func *f);
void impact_sriov_gather(struct imp_func *f);

void impact_func_free(struct imp_func *f);

/* The details of what a claim takes through f's interfaces ("eth0",
 * "vmbr0 (bridge over eth0)"), for impact/netns.c; *out is malloc'ed.
 */
size_t impact_net_hold_details(const struct imp_func *f, char ***out);

/* The findings, most severe first (impact/judge.c). */
void impact_judge(struct impact *im);

/* Firmware framebuffer device -> kernel parameter that keeps it off. */
const char *impact_fb_hint(const char *firmware);

#endif
