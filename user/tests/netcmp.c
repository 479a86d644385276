// SPDX-License-Identifier: GPL-2.0
/*
 * The golden tests read addresses and routes from /proc/net, the real
 * command from rtnetlink.  This holds the two sources to the same answer
 * on the machine running the tests, interface by interface and in both
 * directions, so the fixtures test what operators get.
 *
 * The two sources differ in exactly these ways, and each difference is
 * checked against its rule instead of being skipped:
 *
 *  - IPv4 addresses: /proc/net/fib_trie lists local addresses without
 *    their interface; impact/netinfo_proc.c gives each to the interface of the
 *    longest connected (gateway-less, non-default) main-table route that
 *    covers it, with that route's prefix length.  So a netlink IPv4
 *    address must be in /proc, on that route's interface and with that
 *    length, exactly when such a route exists and the kernel keeps the
 *    address as a local /32 (RTN_LOCAL, any table); otherwise /proc must
 *    not know it (127.0.0.1: 127.0.0.0/8 is in the local table only).
 *    Every /proc IPv4 address must be a netlink address given by that
 *    rule to the interface /proc names.
 *  - IPv4 routes: /proc/net/route prints the first next hop of a
 *    multipath route only; the later hops are in netlink alone.
 *  - IPv6 routes: /proc/net/ipv6_route has every table, netlink was asked
 *    for main: a /proc route missing from netlink must be a unicast route
 *    of another table, as an all-tables rtnetlink dump shows.
 *  - IPv6 addresses: identical.
 *
 * Refused rtnetlink, no interface, no netlink address (loopback has two
 * on every Linux machine) or a /proc source that yields nothing are
 * failures: a comparison that compared nothing must not pass.
 */
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

#include "impact/netinfo.h"
#include "impact/netinfo_nl.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "netcmp.h"

struct iface {
	const char *name;
	int ifindex;
	bool known;		/* netlink knows it: compared */
	struct netinfo proc;
	struct netinfo nl;
};

/* An all-tables rtnetlink dump of every route type, independent of
 * impact/netinfo_nl.c: the reference for the documented asymmetries.
 */
struct ref {
	struct nl_sock *sock;
	struct nl_route_list routes;
};

static unsigned int passed, failed;
static bool check_ok;

/* What was compared, for the summary line. */
static struct {
	unsigned int ifaces, addrs4, addrs4_hidden, addrs6;
	unsigned int routes4, routes4_hops, routes6, routes6_tables;
} seen;

static void __attribute__((format(printf, 2, 3)))
fail(const char *ifname, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL netinfo %s: ", ifname);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	check_ok = false;
}

static void check_begin(void)
{
	check_ok = true;
}

static void check_end(void)
{
	if (check_ok)
		passed++;
	else
		failed++;
}

static bool has_addr(const struct netinfo *ni, int family, const char *addr,
		     unsigned int prefixlen)
{
	for (size_t i = 0; i < ni->naddrs; i++)
		if (ni->addrs[i].family == family &&
		    !strcmp(ni->addrs[i].addr, addr) &&
		    ni->addrs[i].prefixlen == prefixlen)
			return true;
	return false;
}

static bool has_addr_any_len(const struct netinfo *ni, int family,
			     const char *addr)
{
	for (size_t i = 0; i < ni->naddrs; i++)
		if (ni->addrs[i].family == family &&
		    !strcmp(ni->addrs[i].addr, addr))
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

static const char *route_text(const struct net_route *r, char *buf,
			      size_t size)
{
	snprintf(buf, size, "%s/%u%s%s", r->dst_len ? r->dst : "default",
		 r->dst_len, *r->gateway ? " via " : "", r->gateway);
	return buf;
}

/* ---- the all-tables reference dump ---- */

static bool ref_open(struct ref *r)
{
	memset(r, 0, sizeof(*r));
	r->sock = nl_socket_alloc();
	return r->sock && !nl_connect(r->sock, NETLINK_ROUTE) &&
	       !nl_route_list_dump(r->sock, &r->routes);
}

static void ref_close(struct ref *r)
{
	nl_route_list_free(&r->routes);
	if (r->sock)
		nl_socket_free(r->sock);
}

static void nl_text(struct nl_addr *a, char *buf, size_t size)
{
	int family = a ? nl_addr_get_family(a) : AF_UNSPEC;

	buf[0] = '\0';
	if (family == AF_INET || family == AF_INET6)
		inet_ntop(family, nl_addr_get_binary_addr(a), buf, size);
}

/* Does a route dst/len match r (text as netinfo writes it)? */
static bool nl_dst_is(struct rtnl_route *rr, const struct net_route *r)
{
	struct nl_addr *dst = rtnl_route_get_dst(rr);
	char buf[INET6_ADDRSTRLEN];

	if (!dst || nl_addr_get_prefixlen(dst) != r->dst_len)
		return false;
	if (!r->dst_len)
		return true;
	nl_text(dst, buf, sizeof(buf));
	return !strcmp(buf, r->dst);
}

/* The kernel keeps addr as a local IPv4 address (the /32 LOCAL leaf
 * /proc/net/fib_trie shows), in any table.
 */
static bool ref_local4(const struct ref *ref, const char *addr)
{
	struct net_route want = { .family = AF_INET, .dst_len = 32 };

	snprintf(want.dst, sizeof(want.dst), "%s", addr);
	for (size_t k = 0; k < ref->routes.n; k++) {
		struct rtnl_route *rr = ref->routes.v[k];

		if (rtnl_route_get_family(rr) == AF_INET &&
		    rtnl_route_get_type(rr) == RTN_LOCAL &&
		    nl_dst_is(rr, &want))
			return true;
	}
	return false;
}

enum ref_want {
	REF_OTHER_TABLE,	/* a unicast route in a table other than main */
	REF_LATER_HOP,		/* hop 1.. of a main-table multipath route */
};

/* Finds r, out of ifindex, in the reference dump; returns the table or
 * 0 when there is no such route.
 */
static unsigned int ref_find(const struct ref *ref, int ifindex,
			     const struct net_route *r, enum ref_want want)
{
	for (size_t k = 0; k < ref->routes.n; k++) {
		struct rtnl_route *rr = ref->routes.v[k];
		unsigned int table = rtnl_route_get_table(rr);
		bool main_wanted = want == REF_LATER_HOP;

		if (rtnl_route_get_family(rr) != r->family ||
		    rtnl_route_get_type(rr) != RTN_UNICAST ||
		    main_wanted != (table == RT_TABLE_MAIN) ||
		    !nl_dst_is(rr, r))
			continue;
		for (int i = want == REF_LATER_HOP ? 1 : 0;
		     i < rtnl_route_get_nnexthops(rr); i++) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rr, i);
			char gw[INET6_ADDRSTRLEN];

			nl_text(rtnl_route_nh_get_gateway(nh), gw, sizeof(gw));
			if (rtnl_route_nh_get_ifindex(nh) == ifindex &&
			    !strcmp(gw, r->gateway))
				return table;
		}
	}
	return 0;
}

/* ---- the IPv4 address rule of impact/netinfo_proc.c ---- */

static bool connected_covers(const struct net_route *r, const char *addr)
{
	uint32_t a, dst, mask;

	if (r->family != AF_INET || *r->gateway || !r->dst_len ||
	    inet_pton(AF_INET, addr, &a) != 1 ||
	    inet_pton(AF_INET, r->dst, &dst) != 1)
		return false;
	mask = htonl(r->dst_len >= 32 ? 0xffffffffu :
		     ~(0xffffffffu >> r->dst_len));
	return (a & mask) == dst;
}

/* The length of the longest connected main-table route covering addr,
 * over every interface (netlink's view); -1 when none does.
 */
static int cover_len(const struct iface *ifs, size_t n, const char *addr)
{
	int best = -1;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < ifs[i].nl.nroutes; j++) {
			const struct net_route *r = &ifs[i].nl.routes[j];

			if (connected_covers(r, addr) && (int)r->dst_len > best)
				best = r->dst_len;
		}
	return best;
}

/* Interface k has a connected route of length len covering addr: one of
 * the interfaces /proc may give addr to (a tie goes to whichever route
 * /proc/net/route lists first).
 */
static bool covers_on(const struct iface *k, const char *addr, int len)
{
	for (size_t j = 0; j < k->nl.nroutes; j++)
		if (connected_covers(&k->nl.routes[j], addr) &&
		    (int)k->nl.routes[j].dst_len == len)
			return true;
	return false;
}

/* ---- the checks, per interface and direction ---- */

static void addrs_nl_in_proc(const struct ref *ref, const struct iface *ifs,
			     size_t n, const struct iface *f)
{
	check_begin();
	for (size_t i = 0; i < f->nl.naddrs; i++) {
		const struct net_addr *a = &f->nl.addrs[i];
		bool found = false;
		int len;

		if (a->family == AF_INET6) {
			seen.addrs6++;
			if (!has_addr(&f->proc, AF_INET6, a->addr, a->prefixlen))
				fail(f->name, "netlink address %s/%u missing from /proc/net/if_inet6",
				     a->addr, a->prefixlen);
			continue;
		}
		seen.addrs4++;
		len = cover_len(ifs, n, a->addr);
		if (len < 0 || !ref_local4(ref, a->addr)) {
			seen.addrs4_hidden++;
			continue;
		}
		for (size_t k = 0; k < n && !found; k++)
			found = covers_on(&ifs[k], a->addr, len) &&
				has_addr(&ifs[k].proc, AF_INET, a->addr, len);
		if (!found)
			fail(f->name, "netlink address %s/%u is local and covered by a connected /%d route, but /proc/net does not show it there",
			     a->addr, a->prefixlen, len);
	}
	check_end();
}

static void addrs_proc_in_nl(const struct iface *ifs, size_t n,
			     const struct iface *f)
{
	check_begin();
	for (size_t i = 0; i < f->proc.naddrs; i++) {
		const struct net_addr *a = &f->proc.addrs[i];
		bool known = false;

		if (a->family == AF_INET6) {
			if (!has_addr(&f->nl, AF_INET6, a->addr, a->prefixlen))
				fail(f->name, "/proc/net address %s/%u unknown to netlink",
				     a->addr, a->prefixlen);
			continue;
		}
		for (size_t k = 0; k < n && !known; k++)
			known = has_addr_any_len(&ifs[k].nl, AF_INET, a->addr);
		if (!known)
			fail(f->name, "/proc/net address %s/%u is no netlink address",
			     a->addr, a->prefixlen);
		else if (cover_len(ifs, n, a->addr) != (int)a->prefixlen ||
			 !covers_on(f, a->addr, a->prefixlen))
			fail(f->name, "/proc/net gives %s/%u to this interface, but netlink's longest connected route covering it is /%d elsewhere",
			     a->addr, a->prefixlen, cover_len(ifs, n, a->addr));
	}
	check_end();
}

static void routes_nl_in_proc(const struct ref *ref, const struct iface *f)
{
	char buf[2 * INET6_ADDRSTRLEN + 16];

	check_begin();
	for (size_t i = 0; i < f->nl.nroutes; i++) {
		const struct net_route *r = &f->nl.routes[i];

		if (r->family == AF_INET)
			seen.routes4++;
		else
			seen.routes6++;
		if (has_route(&f->proc, r))
			continue;
		if (r->family == AF_INET &&
		    ref_find(ref, f->ifindex, r, REF_LATER_HOP)) {
			seen.routes4_hops++;
			continue;
		}
		fail(f->name, "netlink main-table route %s missing from /proc/net",
		     route_text(r, buf, sizeof(buf)));
	}
	check_end();
}

static void routes_proc_in_nl(const struct ref *ref, const struct iface *f)
{
	char buf[2 * INET6_ADDRSTRLEN + 16];

	check_begin();
	for (size_t i = 0; i < f->proc.nroutes; i++) {
		const struct net_route *r = &f->proc.routes[i];

		if (has_route(&f->nl, r))
			continue;
		if (r->family == AF_INET6 &&
		    ref_find(ref, f->ifindex, r, REF_OTHER_TABLE)) {
			seen.routes6++;
			seen.routes6_tables++;
			continue;
		}
		fail(f->name, "/proc/net route %s is in no %s",
		     route_text(r, buf, sizeof(buf)),
		     r->family == AF_INET ? "netlink main-table route" :
		     "netlink unicast route of any table");
	}
	check_end();
}

/* A global check, not tied to one interface. */
static void require(bool ok, const char *what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL netinfo: %s\n", what);
	}
}

static void compare_all(const struct ref *ref, struct iface *ifs, size_t n)
{
	size_t nl_addrs = 0, proc_items = 0, known = 0;

	for (size_t i = 0; i < n; i++) {
		known += ifs[i].known;
		nl_addrs += ifs[i].nl.naddrs;
		proc_items += ifs[i].proc.naddrs + ifs[i].proc.nroutes;
	}
	require(known > 0, "no interface in /sys/class/net to compare");
	require(nl_addrs > 0,
		"rtnetlink reports no address at all (loopback has 127.0.0.1 and ::1)");
	require(proc_items > 0 || !nl_addrs,
		"/proc/net yields no address and no route while rtnetlink has addresses");
	for (size_t i = 0; i < n; i++) {
		if (!ifs[i].known)
			continue;
		seen.ifaces++;
		addrs_nl_in_proc(ref, ifs, n, &ifs[i]);
		addrs_proc_in_nl(ifs, n, &ifs[i]);
		routes_nl_in_proc(ref, &ifs[i]);
		routes_proc_in_nl(ref, &ifs[i]);
	}
}

static int summary(void)
{
	printf("netinfo: compared %u interfaces, %u addresses (%u IPv4, %u of them not in /proc/net by rule; %u IPv6),",
	       seen.ifaces, seen.addrs4 + seen.addrs6, seen.addrs4,
	       seen.addrs4_hidden, seen.addrs6);
	printf(" %u routes (%u IPv4, %u of them later multipath hops; %u IPv6, %u of them in other tables)\n",
	       seen.routes4 + seen.routes6, seen.routes4, seen.routes4_hops,
	       seen.routes6, seen.routes6_tables);
	printf("netinfo: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

int netcmp_run(void)
{
	struct netsrc *nl, *proc;
	struct iface *ifs;
	struct ref ref;
	char **names;
	size_t n;
	bool ref_ok, lookups_ok = true;

	if (*sysroot_prefix()) {
		require(false, SYSROOT_ENV " is set: /proc/net would not be this machine's");
		return summary();
	}
	nl = netsrc_open_netlink();
	ref_ok = ref_open(&ref);
	require(nl && ref_ok,
		"rtnetlink refused: nothing to compare /proc/net with");
	if (!nl || !ref_ok) {
		netsrc_close(nl);
		ref_close(&ref);
		return summary();
	}
	proc = netsrc_open_proc();
	names = sysroot_list("/sys/class/net", &n);
	ifs = xrealloc(NULL, (n ? n : 1) * sizeof(*ifs));
	memset(ifs, 0, (n ? n : 1) * sizeof(*ifs));
	for (size_t i = 0; i < n; i++) {
		int rc;

		ifs[i].name = names[i];
		ifs[i].ifindex = if_nametoindex(names[i]);
		netsrc_get(proc, names[i], &ifs[i].proc);
		rc = netsrc_get(nl, names[i], &ifs[i].nl);
		if (rc) {
			printf("FAIL netinfo %s: netlink lookup failed: %s\n",
			       names[i], strerror(-rc));
			lookups_ok = false;
		}
		ifs[i].known = !rc;
	}
	require(lookups_ok, "an interface of /sys/class/net unknown to netlink");
	compare_all(&ref, ifs, n);
	for (size_t i = 0; i < n; i++) {
		netinfo_free(&ifs[i].proc);
		netinfo_free(&ifs[i].nl);
	}
	free(ifs);
	sysroot_free_names(names, n);
	netsrc_close(nl);
	netsrc_close(proc);
	ref_close(&ref);
	return summary();
}
