// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and routes from /proc/net, for fixture trees and for hosts
 * where rtnetlink is refused.  The files are the kernel's own text views
 * of the same tables netlink dumps:
 *   route       IPv4 main table
 *   ipv6_route  every IPv6 table (local-table entries are filtered out)
 *   if_inet6    IPv6 addresses
 *   fib_trie    IPv4 local addresses, but without their interface: each
 *               is given to the interface whose connected route covers it
 *               (an address with no such route, e.g. a /32, is missed)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/netinfo.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* include/uapi/linux/route.h and ipv6_route.h */
#define F_UP		0x0001
#define F_GATEWAY	0x0002
#define F_REJECT	0x0200
#define F6_ANYCAST	0x00100000
#define F6_CACHE	0x01000000
#define F6_LOCAL	0x80000000

struct route4 {
	char ifname[32];
	uint32_t dst, gw, mask;	/* network byte order, as the kernel keeps them */
	unsigned int flags;
};

static unsigned int mask_len(uint32_t mask)
{
	return __builtin_popcount(mask);
}

static size_t read_routes4(struct route4 **out)
{
	FILE *f = sysroot_fopen("/proc/net/route");
	struct route4 r, *v = NULL;
	char line[512];
	size_t n = 0;

	if (!f)
		return 0;
	/* The kernel prints the raw __be32 with %08X, so reading it back as
	 * a host integer gives the bytes in network order again.
	 */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %x %x %x %*d %*d %*d %x", r.ifname,
			   &r.dst, &r.gw, &r.flags, &r.mask) != 5)
			continue;	/* the header */
		if (!(r.flags & F_UP) || (r.flags & F_REJECT))
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = r;
	}
	fclose(f);
	*out = v;
	return n;
}

static void add_route4(struct netinfo *ni, const struct route4 *r)
{
	struct net_route *nr = netinfo_add_route(ni);

	nr->family = AF_INET;
	nr->dst_len = mask_len(r->mask);
	if (nr->dst_len)
		inet_ntop(AF_INET, &r->dst, nr->dst, sizeof(nr->dst));
	if (r->flags & F_GATEWAY)
		inet_ntop(AF_INET, &r->gw, nr->gateway, sizeof(nr->gateway));
}

/* "|-- 192.0.2.10" then "/32 host LOCAL": a local address. */
static size_t read_local4(uint32_t **out)
{
	FILE *f = sysroot_fopen("/proc/net/fib_trie");
	char line[256], leaf[INET_ADDRSTRLEN] = "";
	uint32_t *v = NULL, a;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " ");
		unsigned int len;
		char scope[16], type[16];

		if (sscanf(s, "|-- %15s", leaf) == 1)
			continue;
		if (sscanf(s, "/%u %15s %15s", &len, scope, type) != 3 ||
		    len != 32 || strcmp(type, "LOCAL") ||
		    inet_pton(AF_INET, leaf, &a) != 1)
			continue;
		/* Main: and Local: list the same leaves: keep one. */
		for (size_t i = 0; i < n && a; i++)
			if (v[i] == a)
				a = 0;
		if (!a)
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = a;
	}
	fclose(f);
	*out = v;
	return n;
}

/* The longest connected (gateway-less) route covering a, if any. */
static const struct route4 *covering(const struct route4 *r, size_t n,
				     uint32_t a)
{
	const struct route4 *best = NULL;

	for (size_t i = 0; i < n; i++) {
		if ((r[i].flags & F_GATEWAY) || !r[i].mask ||
		    (a & r[i].mask) != r[i].dst)
			continue;
		if (!best || mask_len(r[i].mask) > mask_len(best->mask))
			best = &r[i];
	}
	return best;
}

static void get4(const char *ifname, struct netinfo *ni)
{
	struct route4 *r = NULL;
	uint32_t *local = NULL;
	size_t nr = read_routes4(&r), nl = read_local4(&local);

	for (size_t i = 0; i < nr; i++)
		if (!strcmp(r[i].ifname, ifname))
			add_route4(ni, &r[i]);
	for (size_t i = 0; i < nl; i++) {
		const struct route4 *c = covering(r, nr, local[i]);
		struct net_addr *a;

		if (!c || strcmp(c->ifname, ifname))
			continue;
		a = netinfo_add_addr(ni);
		a->family = AF_INET;
		a->prefixlen = mask_len(c->mask);
		inet_ntop(AF_INET, &local[i], a->addr, sizeof(a->addr));
		a->link_local = net_addr_is_link_local(AF_INET, &local[i]);
	}
	free(r);
	free(local);
}

static bool parse_hex128(const char *hex, unsigned char bin[16])
{
	if (strlen(hex) != 32)
		return false;
	for (int i = 0; i < 16; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &bin[i]) != 1)
			return false;
	return true;
}

static void addrs6(const char *ifname, struct netinfo *ni)
{
	FILE *f = sysroot_fopen("/proc/net/if_inet6");
	char line[256], hex[40], dev[32];
	unsigned int plen;
	unsigned char bin[16];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct net_addr *a;

		if (sscanf(line, "%39s %*x %x %*x %*x %31s", hex, &plen,
			   dev) != 3 || strcmp(dev, ifname) ||
		    !parse_hex128(hex, bin))
			continue;
		a = netinfo_add_addr(ni);
		a->family = AF_INET6;
		a->prefixlen = plen;
		inet_ntop(AF_INET6, bin, a->addr, sizeof(a->addr));
		a->link_local = net_addr_is_link_local(AF_INET6, bin);
	}
	fclose(f);
}

static void add_route6(struct netinfo *ni, const unsigned char *dst,
		       unsigned int len, const unsigned char *gw, bool has_gw)
{
	struct net_route *r = netinfo_add_route(ni);

	r->family = AF_INET6;
	r->dst_len = len;
	if (len)
		inet_ntop(AF_INET6, dst, r->dst, sizeof(r->dst));
	if (has_gw)
		inet_ntop(AF_INET6, gw, r->gateway, sizeof(r->gateway));
}

static void routes6(const char *ifname, struct netinfo *ni)
{
	FILE *f = sysroot_fopen("/proc/net/ipv6_route");
	char line[512], dsthex[40], gwhex[40], dev[32];
	unsigned char dst[16], gw[16];
	unsigned int len, flags;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%39s %x %*s %*x %39s %*x %*x %*x %x %31s",
			   dsthex, &len, gwhex, &flags, dev) != 5 ||
		    strcmp(dev, ifname) || !parse_hex128(dsthex, dst) ||
		    !parse_hex128(gwhex, gw))
			continue;
		/* Local-table entries (own addresses, multicast) and
		 * cached clones are not routes an operator configured.
		 */
		if (!(flags & F_UP) ||
		    (flags & (F_REJECT | F6_ANYCAST | F6_CACHE | F6_LOCAL)) ||
		    dst[0] == 0xff)
			continue;
		add_route6(ni, dst, len, gw, flags & F_GATEWAY);
	}
	fclose(f);
}

static int proc_get(struct netsrc *src, const char *ifname,
		    struct netinfo *ni)
{
	(void)src;
	get4(ifname, ni);
	addrs6(ifname, ni);
	routes6(ifname, ni);
	return 0;
}

static void proc_close(struct netsrc *src)
{
	free(src);
}

static const struct netsrc_ops proc_ops = {
	.name = "procfs",
	.get = proc_get,
	.close = proc_close,
};

struct netsrc *netsrc_open_proc(void)
{
	struct netsrc *src = xrealloc(NULL, sizeof(*src));

	src->ops = &proc_ops;
	return src;
}
