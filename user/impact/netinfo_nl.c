// SPDX-License-Identifier: GPL-2.0
/*
 * Addresses and routes from rtnetlink (libnl-route): the complete answer
 * on a real host.  Addresses and routes are dumped once at open and then
 * filtered per interface.  Routes are kept one per message, not in a
 * libnl cache: the cache keys a route by family, table, destination and
 * priority only, so fe80::/64 on a second interface would replace the
 * first one's.
 */
#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/rtnl.h>
#include <netlink/route/route.h>

#include "impact/netinfo.h"
#include "impact/netinfo_nl.h"
#include "lib/util.h"

struct nlsrc {
	struct netsrc base;	/* first: the generic handle points here */
	struct nl_sock *sock;
	struct nl_cache *addrs;
	struct nl_route_list routes;
};

static bool text_addr(struct nl_addr *a, char *buf, size_t size)
{
	int family = nl_addr_get_family(a);

	if (family != AF_INET && family != AF_INET6)
		return false;
	return inet_ntop(family, nl_addr_get_binary_addr(a), buf, size);
}

static void add_addrs(struct nlsrc *s, int ifindex, struct netinfo *ni)
{
	for (struct nl_object *o = nl_cache_get_first(s->addrs); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);
		struct net_addr a = { 0 };

		if (rtnl_addr_get_ifindex(ra) != ifindex || !local ||
		    !text_addr(local, a.addr, sizeof(a.addr)))
			continue;
		a.family = nl_addr_get_family(local);
		a.prefixlen = rtnl_addr_get_prefixlen(ra);
		a.link_local = net_addr_is_link_local(
			a.family, nl_addr_get_binary_addr(local));
		*netinfo_add_addr(ni) = a;
	}
}

/* Main-table unicast only, one entry per next hop out of ifindex: what
 * /proc/net/route and the filtered /proc/net/ipv6_route show too.
 */
static void add_route(struct rtnl_route *r, int ifindex, struct netinfo *ni)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	int family = rtnl_route_get_family(r);

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN ||
	    rtnl_route_get_type(r) != RTN_UNICAST || !dst ||
	    (family != AF_INET && family != AF_INET6))
		return;
	for (int i = 0; i < rtnl_route_get_nnexthops(r); i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
		struct net_route nr = { .family = family };

		if (rtnl_route_nh_get_ifindex(nh) != ifindex)
			continue;
		nr.dst_len = nl_addr_get_prefixlen(dst);
		if (nr.dst_len)
			text_addr(dst, nr.dst, sizeof(nr.dst));
		if (gw)
			text_addr(gw, nr.gateway, sizeof(nr.gateway));
		*netinfo_add_route(ni) = nr;
	}
}

static int nlsrc_get(struct netsrc *src, const char *ifname, struct netinfo *ni)
{
	struct nlsrc *s = (struct nlsrc *)src;
	int ifindex = if_nametoindex(ifname);

	if (!ifindex)
		return -errno;
	add_addrs(s, ifindex, ni);
	for (size_t i = 0; i < s->routes.n; i++)
		add_route(s->routes.v[i], ifindex, ni);
	return 0;
}

void nl_route_list_free(struct nl_route_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		rtnl_route_put(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void nlsrc_close(struct netsrc *src)
{
	struct nlsrc *s = (struct nlsrc *)src;

	nl_cache_free(s->addrs);
	nl_route_list_free(&s->routes);
	nl_socket_free(s->sock);
	free(s);
}

static int keep_route(struct nl_msg *msg, void *arg)
{
	struct nl_route_list *l = arg;
	struct rtnl_route *r;

	if (rtnl_route_parse(nlmsg_hdr(msg), &r) < 0)
		return NL_SKIP;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = r;
	return NL_OK;
}

/* Every route of every table and family, as the kernel dumps them; a
 * dump interrupted by a change is asked for again.
 */
int nl_route_list_dump(struct nl_sock *sock, struct nl_route_list *l)
{
	int err = -NLE_DUMP_INTR;

	if (nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, keep_route, l))
		return -1;
	for (int tries = 0; tries < 5 && err == -NLE_DUMP_INTR; tries++) {
		nl_route_list_free(l);
		err = nl_rtgen_request(sock, RTM_GETROUTE, AF_UNSPEC,
				       NLM_F_DUMP);
		if (!err)
			err = nl_recvmsgs_default(sock);
	}
	return err;
}

static const struct netsrc_ops nl_ops = {
	.name = "netlink",
	.get = nlsrc_get,
	.close = nlsrc_close,
};

struct netsrc *netsrc_open_netlink(void)
{
	struct nlsrc *s = xrealloc(NULL, sizeof(*s));

	memset(s, 0, sizeof(*s));
	s->base.ops = &nl_ops;
	s->sock = nl_socket_alloc();
	if (!s->sock || nl_connect(s->sock, NETLINK_ROUTE) ||
	    rtnl_addr_alloc_cache(s->sock, &s->addrs) ||
	    nl_route_list_dump(s->sock, &s->routes)) {
		nlsrc_close(&s->base);
		return NULL;
	}
	return &s->base;
}
