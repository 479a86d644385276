// SPDX-License-Identifier: GPL-2.0
/*
 * The golden tests read addresses and routes from /proc/net, the real
 * command from rtnetlink.  This holds the two sources to the same answer
 * on the machine running the tests, interface by interface, so the
 * fixtures test what operators get.  IPv4 addresses: /proc/net sees a
 * subset (those a connected route covers); that subset must match.
 * IPv6 routes: /proc/net has every table, so it may show more.
 */
#include <stdio.h>
#include <string.h>

#include "../netinfo.h"
#include "../sysroot.h"
#include "netcmp.h"

static unsigned int passed, failed;

static bool has_addr(const struct netinfo *ni, const struct net_addr *a)
{
	for (size_t i = 0; i < ni->naddrs; i++)
		if (ni->addrs[i].family == a->family &&
		    !strcmp(ni->addrs[i].addr, a->addr) &&
		    ni->addrs[i].prefixlen == a->prefixlen)
			return true;
	return false;
}

static bool same_route(const struct net_route *a, const struct net_route *b)
{
	return a->family == b->family && a->dst_len == b->dst_len &&
	       !strcmp(a->dst, b->dst) && !strcmp(a->gateway, b->gateway);
}

static bool has_route(const struct netinfo *ni, const struct net_route *r)
{
	for (size_t i = 0; i < ni->nroutes; i++)
		if (same_route(&ni->routes[i], r))
			return true;
	return false;
}

static void check(bool ok, const char *ifname, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL netinfo %s: %s differ between /proc/net and netlink\n",
		       ifname, what);
	}
}

static void compare(const char *ifname, const struct netinfo *p,
		    const struct netinfo *n)
{
	bool ok = true;

	/* every /proc address is real; all IPv6 ones are there */
	for (size_t i = 0; i < p->naddrs; i++)
		ok &= has_addr(n, &p->addrs[i]);
	for (size_t i = 0; i < n->naddrs; i++)
		if (n->addrs[i].family == AF_INET6)
			ok &= has_addr(p, &n->addrs[i]);
	check(ok, ifname, "addresses");
	/* /proc/net/ipv6_route shows every table, netlink was asked for
	 * main: IPv4 must match, IPv6 must contain what netlink has.
	 */
	ok = true;
	for (size_t i = 0; i < n->nroutes; i++)
		ok &= has_route(p, &n->routes[i]);
	for (size_t i = 0; i < p->nroutes; i++)
		if (p->routes[i].family == AF_INET)
			ok &= has_route(n, &p->routes[i]);
	check(ok, ifname, "routes");
}

int netcmp_run(void)
{
	struct netsrc *nl = netsrc_open_netlink(), *proc = netsrc_open_proc();
	size_t n;
	char **names = sysroot_list("/sys/class/net", &n);

	if (!nl) {
		printf("netinfo: rtnetlink refused here, comparison skipped\n");
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct netinfo a, b;

		if (netsrc_get(proc, names[i], &a) == 0 &&
		    netsrc_get(nl, names[i], &b) == 0)
			compare(names[i], &a, &b);
		netinfo_free(&a);
		netinfo_free(&b);
	}
	sysroot_free_names(names, n);
	netsrc_close(nl);
	netsrc_close(proc);
	printf("netinfo: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
