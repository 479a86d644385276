// SPDX-License-Identifier: GPL-2.0
/*
 * Network interfaces of a function, and every interface stacked on them
 * (bridge, bond, VLAN): on Proxmox the management address sits on vmbr0,
 * not on the NIC, and losing the NIC loses vmbr0's connectivity all the
 * same.
 */
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* bridge -> bond -> VLAN -> bridge is as deep as real stacks go. */
#define MAX_STACK_DEPTH 8

static char *net_attr(const char *ifname, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	return sysroot_read_line(path);
}

/* "DEVTYPE=bridge" from the uevent file; plain Ethernet has none. */
static char *devtype(const char *ifname)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/uevent", ifname);
	return syspath_uevent(path, "DEVTYPE");
}

/* IFF_UP from "flags" (0x1003): administratively up, as netif_running()
 * sees it; operstate only says whether a carrier is there.
 */
static int admin_up(const char *ifname)
{
	char *flags = net_attr(ifname, "flags");
	unsigned long v;
	char *end;
	int up = -1;

	if (flags) {
		v = strtoul(flags, &end, 0);
		if (end != flags && !*end)
			up = (v & IFF_UP) != 0;
	}
	free(flags);
	return up;
}

static bool known(const struct imp_func *f, const char *ifname)
{
	for (size_t i = 0; i < f->nnet; i++)
		if (!strcmp(f->net[i].name, ifname))
			return true;
	return false;
}

static void add_netdev(struct imp_func *f, struct netsrc **src,
		       const char *ifname, const char *lower, int depth)
{
	struct imp_netdev *nd;
	char dir[PATH_MAX];
	char **names;
	size_t n;

	if (known(f, ifname) || depth > MAX_STACK_DEPTH)
		return;
	nd = VEC_PUSH(f->net, f->nnet);
	nd->name = xstrdup(ifname);
	nd->lower = lower ? xstrdup(lower) : NULL;
	nd->operstate = net_attr(ifname, "operstate");
	nd->kind = devtype(ifname);
	nd->admin_up = admin_up(ifname);
	/* A failed lookup (interface gone meanwhile) leaves no addresses:
	 * nothing to report for it.
	 */
	/* Opened on first use: a full routing table (a BGP-fed host) is
	 * not worth dumping for a disk or a GPU.
	 */
	if (!*src)
		*src = netsrc_open();
	netsrc_get(*src, ifname, &nd->info);

	/* upper_<name> links: the interfaces built on this one. */
	snprintf(dir, sizeof(dir), "/sys/class/net/%s", ifname);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], "upper_", 6))
			add_netdev(f, src, names[i] + 6, ifname, depth + 1);
	sysroot_free_names(names, n);
}

/* /sys/class/net entries whose device lies below the function: the
 * function's own net/ directory, and also interfaces one device further
 * down (virtio-net's virtioN, auxiliary devices).
 */
void impact_net_gather(struct imp_func *f, struct netsrc **src)
{
	size_t n;
	char **names = sysroot_list("/sys/class/net", &n);

	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		char *real;

		snprintf(path, sizeof(path), "/sys/class/net/%s", names[i]);
		real = syspath_resolve(path);
		if (real && syspath_under(real, f->path))
			add_netdev(f, src, names[i], NULL, 0);
		free(real);
	}
	sysroot_free_names(names, n);
}
