// SPDX-License-Identifier: GPL-2.0
/*
 * From facts to findings: one plain sentence per thing the host loses,
 * with a severity.  Critical means passthrough would hurt the host
 * itself (its root or another mounted filesystem, active swap, the boot
 * GPU under the host's framebuffer); warnings are what an operator must
 * have decided to give up (the management network, LVM/ZFS storage,
 * the keyboard); info is the rest, so nothing is silently dropped.
 * Pure: reads only the collected facts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/util.h"

#define CHAIN_MAX 512
/* holders of holders of a partition: deeper means a loop in a fixture */
#define CHAIN_DEPTH 10

struct judge {
	struct imp_finding *v;
	size_t n;
};

static struct imp_finding *add(struct judge *j, enum imp_sev sev,
			       const struct imp_func *f, const char *kind,
			       const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct imp_finding *add(struct judge *j, enum imp_sev sev,
			       const struct imp_func *f, const char *kind,
			       const char *fmt, ...)
{
	struct imp_finding *x = VEC_PUSH(j->v, j->n);
	va_list ap;

	x->sev = sev;
	x->addr = f->addr;
	x->kind = kind;
	va_start(ap, fmt);
	x->msg = xvasprintf(fmt, ap);
	va_end(ap);
	return x;
}

static void hint(struct imp_finding *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void hint(struct imp_finding *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	x->hint = xvasprintf(fmt, ap);
	va_end(ap);
}

/* mountinfo always names source and target; a mangled line may not */
static const char *known_or(const char *s)
{
	return s ? s : "?";
}

static const struct imp_block *block(const struct imp_func *f,
				     const char *name)
{
	for (size_t i = 0; name && i < f->nblk; i++)
		if (!strcmp(f->blk[i].name, name))
			return &f->blk[i];
	return NULL;
}

/* "dm-1 pve-root on nvme0n1p3 on nvme0n1": down to the disk. */
static const char *chain(const struct imp_func *f, const char *name,
			 char *buf, size_t size)
{
	const struct imp_block *b = block(f, name);
	size_t len = 0;

	buf[0] = '\0';
	for (int d = 0; b && d < CHAIN_DEPTH && len < size; d++) {
		len += snprintf(buf + len, size - len, "%s%s%s%s",
				d ? " on " : "", b->name, b->dm_name ? " " : "",
				b->dm_name ? b->dm_name : "");
		b = block(f, b->parent);
	}
	return buf;
}

/* ZFS datasets are not in fstab: the pool goes as a whole. */
static void mount_hint(struct imp_finding *x, const struct imp_func *f,
		       const struct imp_mount *m)
{
	const struct imp_block *b = block(f, m->device);

	if (m->fstype && !strcmp(m->fstype, "zfs") && b && b->fs_label)
		hint(x, "zpool export %s first (a mirror or RAID-Z pool would only degrade; sysfs does not show the pool's layout)",
		     b->fs_label);
	else
		hint(x, "umount %s and remove it from /etc/fstab",
		     known_or(m->target));
}

static void judge_mounts(struct judge *j, const struct imp_func *f)
{
	char c[CHAIN_MAX];

	for (size_t i = 0; i < f->nmnt; i++) {
		const struct imp_mount *m = &f->mnt[i];
		struct imp_finding *x;

		chain(f, m->device, c, sizeof(c));
		if (m->target && !strcmp(m->target, "/")) {
			add(j, SEV_CRITICAL, f, "root_fs",
			    "the root filesystem / is on it (%s: %s): the host cannot run without it",
			    known_or(m->source), c);
			continue;
		}
		x = add(j, SEV_CRITICAL, f, "mounted_fs",
			"%s is mounted from it (%s: %s)", known_or(m->target),
			known_or(m->source), c);
		mount_hint(x, f, m);
	}
	for (size_t i = 0; i < f->nswp; i++) {
		const struct imp_mount *s = &f->swp[i];
		struct imp_finding *x;

		chain(f, s->device, c, sizeof(c));
		x = add(j, SEV_CRITICAL, f, "swap",
			"swap is active on it (%s: %s): the kernel may hold process memory there",
			known_or(s->source), c);
		hint(x, "swapoff %s and remove it from /etc/fstab",
		     known_or(s->source));
	}
}

static bool mounted(const struct imp_func *f, const char *name)
{
	for (size_t i = 0; i < f->nmnt; i++)
		if (!strcmp(f->mnt[i].device, name))
			return true;
	for (size_t i = 0; i < f->nswp; i++)
		if (!strcmp(f->swp[i].device, name))
			return true;
	return false;
}

/* b is below something mounted or swapped (LUKS under an LVM root):
 * that finding already covers it.
 */
static bool feeds_mount(const struct imp_func *f, const struct imp_block *b)
{
	for (size_t i = 0; i < f->nmnt + f->nswp; i++) {
		const struct imp_mount *m = i < f->nmnt ? &f->mnt[i] :
					    &f->swp[i - f->nmnt];
		const struct imp_block *up = block(f, m->device);

		for (int d = 0; up && d < CHAIN_DEPTH; d++) {
			if (up == b)
				return true;
			up = block(f, up->parent);
		}
	}
	return false;
}

/* Appends name to a ", " list; counts what no longer fits. */
static void list_add(char *buf, size_t size, size_t *len, size_t *more,
		     const char *name)
{
	/* room for the name and a final ", and 999 more" */
	if (*more || *len + strlen(name) + 20 >= size) {
		(*more)++;
		return;
	}
	*len += snprintf(buf + *len, size - *len, "%s%s", *len ? ", " : "",
			 name);
}

/* Storage in use without a mount: LVM-thin VM disks (one dm device
 * each, so one finding for all), LUKS, RAID legs, an imported ZFS pool
 * holding only zvols.
 */
static void judge_storage(struct judge *j, const struct imp_func *f)
{
	size_t len = 0, more = 0, n = 0;
	char names[CHAIN_MAX];

	names[0] = '\0';
	for (size_t i = 0; i < f->nblk; i++) {
		const struct imp_block *b = &f->blk[i];

		if (feeds_mount(f, b))
			continue;
		if (b->role == BLK_HOLDER) {
			list_add(names, sizeof(names), &len, &more,
				 b->dm_name ? b->dm_name : b->name);
			n++;
		} else if (b->zfs_imported) {
			add(j, SEV_WARNING, f, "zfs_pool",
			    "ZFS pool %s is imported from %s: its datasets and zvols (VM disks) lose a device",
			    b->fs_label, b->name);
		}
	}
	if (!n)
		return;
	if (more)
		snprintf(names + len, sizeof(names) - len, " and %zu more",
			 more);
	add(j, SEV_WARNING, f, "holder",
	    "%s built on it without being mounted (%s): whatever uses %s (VM disks on LVM, an encrypted volume, a RAID array) loses its storage",
	    n == 1 ? "a device-mapper or md device is" :
	    "device-mapper or md devices are", names, n == 1 ? "it" : "them");
}

/* The disk a partition or holder finally sits on. */
static const struct imp_block *disk_of(const struct imp_func *f,
				       const struct imp_block *b)
{
	for (int d = 0; b && b->role != BLK_DISK && d < CHAIN_DEPTH; d++)
		b = block(f, b->parent);
	return b && b->role == BLK_DISK ? b : NULL;
}

/* Anything on the disk that already has a finding of its own. */
static bool disk_used(const struct imp_func *f, const struct imp_block *disk)
{
	for (size_t i = 0; i < f->nblk; i++) {
		const struct imp_block *b = &f->blk[i];

		if (disk_of(f, b) == disk &&
		    (mounted(f, b->name) || b->role == BLK_HOLDER ||
		     b->zfs_imported))
			return true;
	}
	return false;
}

static void judge_disks(struct judge *j, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nblk; i++) {
		const struct imp_block *b = &f->blk[i];

		if (b->role == BLK_DISK && !disk_used(f, b))
			add(j, SEV_INFO, f, "disk",
			    "disk %s: nothing on it is mounted, swapped or in use by the host; the VM gets its data",
			    b->name);
	}
}

static void addr_list(const struct imp_netdev *nd, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nd->info.naddrs && len < size; i++) {
		const struct net_addr *a = &nd->info.addrs[i];

		if (!a->link_local)
			len += snprintf(buf + len, size - len, "%s%s/%u",
					len ? ", " : "", a->addr, a->prefixlen);
	}
}

static void gateways(const struct imp_netdev *nd, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nd->info.nroutes && len < size; i++) {
		const struct net_route *r = &nd->info.routes[i];

		if (r->dst_len)
			continue;
		len += snprintf(buf + len, size - len, "%s%s%s%s",
				len ? ", " : "",
				r->family == AF_INET ? "IPv4" : "IPv6",
				*r->gateway ? " via " : " direct",
				r->gateway);
	}
}

/* "vmbr0 (bridge on enp3s0f1)" or just "eno1" */
static void netname(const struct imp_netdev *nd, char *buf, size_t size)
{
	if (nd->lower)
		snprintf(buf, size, "%s (%s on %s)", nd->name,
			 nd->kind ? nd->kind : "interface", nd->lower);
	else
		snprintf(buf, size, "%s", nd->name);
}

/* A bridge or bond port: its upper interface has its own finding. */
static bool carries_upper(const struct imp_func *f, const struct imp_netdev *nd)
{
	for (size_t i = 0; i < f->nnet; i++)
		if (f->net[i].lower && !strcmp(f->net[i].lower, nd->name))
			return true;
	return false;
}

static void judge_net(struct judge *j, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nnet; i++) {
		const struct imp_netdev *nd = &f->net[i];
		char name[128], addrs[512], gw[512];
		struct imp_finding *x;

		netname(nd, name, sizeof(name));
		addr_list(nd, addrs, sizeof(addrs));
		gateways(nd, gw, sizeof(gw));
		if (*gw) {
			x = add(j, SEV_WARNING, f, "default_route",
				"%s carries the host's default route (%s)%s%s: passing it through cuts the host off the network, and you off the host if you are logged in through it",
				name, gw, *addrs ? " and the addresses " : "",
				addrs);
			hint(x, "move the host's management address and default route to another interface first");
		} else if (*addrs) {
			add(j, SEV_WARNING, f, "net_addresses",
			    "%s has the host's addresses %s: anything reaching the host there is cut off",
			    name, addrs);
		} else if (!nd->lower && !carries_upper(f, nd)) {
			add(j, SEV_INFO, f, "net_unused",
			    "%s (%s) has no address on the host",
			    name, nd->operstate ? nd->operstate : "state unknown");
		}
	}
}

static void judge_display(struct judge *j, const struct imp_func *f)
{
	const struct imp_display *d = &f->disp;
	const struct imp_fb *fw = NULL;
	struct imp_finding *x;
	char names[256];
	size_t len = 0;

	names[0] = '\0';
	for (size_t i = 0; i < d->nfbs + d->ncards; i++) {
		const struct imp_fb *fb = i < d->nfbs ? &d->fbs[i] :
				&d->cards[i - d->nfbs];

		if (fb->firmware && !fw)
			fw = fb;
		if (len < sizeof(names))
			len += snprintf(names + len, sizeof(names) - len,
					"%s%s", len ? ", " : "", fb->name);
	}
	if (d->boot_vga && len) {
		x = add(j, SEV_CRITICAL, f, "boot_console",
			"it is the boot GPU and the host draws on it (%s)%s%s",
			names, d->fbcon ? ": the host's text console is there" : "",
			fw ? "; the firmware framebuffer still holds the GPU's memory, which vfio-pci then cannot reserve for the VM" : "");
		if (fw)
			hint(x, "add %s to the kernel command line (the host then has no local console)",
			     impact_fb_hint(fw->firmware));
	} else if (d->boot_vga) {
		add(j, SEV_WARNING, f, "boot_vga",
		    "it is the boot GPU: firmware and boot loader show their screens on it; pass it through with x-vga and keep another way into the host");
	} else if (len) {
		add(j, SEV_WARNING, f, "framebuffer",
		    "the host drives a display on it (%s): its driver lets go only when unbound, and the screens go dark",
		    names);
	}
}

static void judge_usb(struct judge *j, const struct imp_func *f)
{
	size_t other = 0;

	for (size_t i = 0; i < f->nusb; i++) {
		const struct imp_usb *u = &f->usb[i];
		const char *what = u->keyboard ? "keyboard" :
				   u->mouse ? "mouse" : "input device";
		char name[256];

		if (!u->hid) {
			other += !u->hub;
			continue;
		}
		snprintf(name, sizeof(name), "%s%s%s",
			 u->manufacturer ? u->manufacturer : "",
			 u->manufacturer && u->product_name ? " " : "",
			 u->product_name ? u->product_name : "");
		add(j, SEV_WARNING, f, "usb_input",
		    "the %s %s%s(USB %s) is behind it: the host loses it",
		    what, name, *name ? " " : "", u->bus_id);
	}
	if (other)
		add(j, SEV_INFO, f, "usb",
		    "%zu other USB device%s leave%s the host with it", other,
		    other == 1 ? "" : "s", other == 1 ? "s" : "");
}

static void judge_sound(struct judge *j, const struct imp_func *f)
{
	for (size_t i = 0; i < f->nsnd; i++)
		add(j, SEV_INFO, f, "sound",
		    "sound card %u (%s) leaves the host", f->snd[i].card,
		    f->snd[i].id ? f->snd[i].id : "no id");
}

static void judge_vfs(struct judge *j, const struct imp_func *f)
{
	char list[512];
	size_t len = 0;

	if (!f->nvfs)
		return;
	list[0] = '\0';
	for (size_t i = 0; i < f->nvfs && len < sizeof(list); i++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s%s%s%s",
				i ? ", " : "", f->vfs[i].addr,
				f->vfs[i].driver ? " (" : "",
				f->vfs[i].driver ? f->vfs[i].driver : "",
				f->vfs[i].driver ? ")" : "");
	add(j, SEV_WARNING, f, "sriov_vfs",
	    "it has %zu SR-IOV VF%s enabled (%s): unbinding its driver removes them, from the host and from any VM using them",
	    f->nvfs, f->nvfs == 1 ? "" : "s", list);
}

static void judge_func(struct judge *j, const struct imp_func *f)
{
	if (!f->path) {
		add(j, SEV_INFO, f, "not_found",
		    "not found in sysfs: nothing to report");
		return;
	}
	judge_mounts(j, f);
	judge_display(j, f);
	judge_net(j, f);
	judge_storage(j, f);
	judge_disks(j, f);
	judge_usb(j, f);
	judge_sound(j, f);
	judge_vfs(j, f);
}

void impact_judge(struct impact *im)
{
	struct judge j = { 0 };

	for (size_t i = 0; i < im->n; i++)
		judge_func(&j, &im->f[i]);
	/* most severe first, otherwise in the order found (stable) */
	im->find = xrealloc(NULL, (j.n ? j.n : 1) * sizeof(*im->find));
	im->nfind = 0;
	for (int sev = SEV_CRITICAL; sev <= SEV_INFO; sev++)
		for (size_t i = 0; i < j.n; i++)
			if ((int)j.v[i].sev == sev)
				im->find[im->nfind++] = j.v[i];
	free(j.v);
}
