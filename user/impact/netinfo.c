// SPDX-License-Identifier: GPL-2.0
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "impact/netinfo.h"
#include "lib/sysroot.h"
#include "lib/util.h"

struct netsrc *netsrc_open(void)
{
	struct netsrc *src = NULL;

	/* A fixture tree has no netlink socket of its own: asking the
	 * kernel would describe the machine running the test instead.
	 */
	if (!*sysroot_prefix())
		src = netsrc_open_netlink();
	return src ? src : netsrc_open_proc();
}

const char *netsrc_name(const struct netsrc *src)
{
	return src->ops->name;
}

int netsrc_get(struct netsrc *src, const char *ifname, struct netinfo *ni)
{
	int rc;

	memset(ni, 0, sizeof(*ni));
	rc = src->ops->get(src, ifname, ni);
	netinfo_sort(ni);
	return rc;
}

void netsrc_close(struct netsrc *src)
{
	if (src)
		src->ops->close(src);
}

struct net_addr *netinfo_add_addr(struct netinfo *ni)
{
	ni->addrs = xrealloc(ni->addrs, (ni->naddrs + 1) * sizeof(*ni->addrs));
	memset(&ni->addrs[ni->naddrs], 0, sizeof(*ni->addrs));
	return &ni->addrs[ni->naddrs++];
}

struct net_route *netinfo_add_route(struct netinfo *ni)
{
	ni->routes = xrealloc(ni->routes,
			      (ni->nroutes + 1) * sizeof(*ni->routes));
	memset(&ni->routes[ni->nroutes], 0, sizeof(*ni->routes));
	return &ni->routes[ni->nroutes++];
}

/* Binary order within a family, IPv4 first: what "ip addr" shows, and
 * the same for both sources whatever order the kernel dumped in.
 */
static int cmp_text_addr(int fa, const char *a, int fb, const char *b)
{
	unsigned char ba[16] = { 0 }, bb[16] = { 0 };

	if (fa != fb)
		return fa == AF_INET ? -1 : 1;
	inet_pton(fa, a, ba);
	inet_pton(fb, b, bb);
	return memcmp(ba, bb, sizeof(ba));
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct net_addr *a = pa, *b = pb;
	int c = cmp_text_addr(a->family, a->addr, b->family, b->addr);

	return c ? c : (int)a->prefixlen - (int)b->prefixlen;
}

/* Default routes first: they are what an operator looks for. */
static int cmp_route(const void *pa, const void *pb)
{
	const struct net_route *a = pa, *b = pb;
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	if ((a->dst_len == 0) != (b->dst_len == 0))
		return a->dst_len == 0 ? -1 : 1;
	c = cmp_text_addr(a->family, a->dst, b->family, b->dst);
	if (c)
		return c;
	if (a->dst_len != b->dst_len)
		return (int)a->dst_len - (int)b->dst_len;
	return strcmp(a->gateway, b->gateway);
}

void netinfo_sort(struct netinfo *ni)
{
	if (ni->naddrs)
		qsort(ni->addrs, ni->naddrs, sizeof(*ni->addrs), cmp_addr);
	if (ni->nroutes)
		qsort(ni->routes, ni->nroutes, sizeof(*ni->routes), cmp_route);
}

bool netinfo_has_default(const struct netinfo *ni)
{
	for (size_t i = 0; i < ni->nroutes; i++)
		if (ni->routes[i].dst_len == 0)
			return true;
	return false;
}

void netinfo_free(struct netinfo *ni)
{
	free(ni->addrs);
	free(ni->routes);
	memset(ni, 0, sizeof(*ni));
}

bool net_addr_is_link_local(int family, const void *bin)
{
	const uint8_t *b = bin;

	if (family == AF_INET)
		return b[0] == 169 && b[1] == 254;
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}
