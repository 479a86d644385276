/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rtnetlink route dump of impact/netinfo_nl.c: every route of every table
 * and family, one object per message (a libnl cache would merge
 * fe80::/64 of two interfaces into one).  user/tests/netcmp.c takes the
 * same dump as its reference for the rules of /proc/net.
 */
#ifndef PCIPASS_NETINFO_NL_H
#define PCIPASS_NETINFO_NL_H

#include <stddef.h>

struct nl_sock;
struct rtnl_route;

struct nl_route_list {
	struct rtnl_route **v;
	size_t n;
};

/* Fill @l (emptied first) on a connected NETLINK_ROUTE socket: 0 or a
 * libnl error; the socket's valid-message callback is replaced.
 */
int nl_route_list_dump(struct nl_sock *sock, struct nl_route_list *l);
void nl_route_list_free(struct nl_route_list *l);

#endif
