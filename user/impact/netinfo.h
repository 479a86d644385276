/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_NETINFO_H
#define PCIPASS_NETINFO_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>

/* Addresses and main-table routes of one network interface.  Two sources
 * fill the same struct: rtnetlink (libnl-route, complete) on a real host,
 * and /proc/net (routes, IPv6 addresses; IPv4 addresses only where a
 * connected route names the interface) when pcipass reads a fixture tree
 * or netlink is refused.  That is the whole seam: one lookup by name.
 */
struct net_addr {
	int family;			/* AF_INET, AF_INET6 */
	char addr[INET6_ADDRSTRLEN];
	unsigned int prefixlen;
	bool link_local;		/* fe80::/10, 169.254/16 */
};

struct net_route {
	int family;
	char dst[INET6_ADDRSTRLEN];	/* network; "" for a default route */
	unsigned int dst_len;
	char gateway[INET6_ADDRSTRLEN];	/* "" when directly connected */
};

struct netinfo {
	struct net_addr *addrs;
	size_t naddrs;
	struct net_route *routes;
	size_t nroutes;
};

struct netsrc;

struct netsrc_ops {
	const char *name;		/* "netlink", "procfs" */
	int (*get)(struct netsrc *src, const char *ifname, struct netinfo *ni);
	void (*close)(struct netsrc *src);
};

struct netsrc {
	const struct netsrc_ops *ops;
};

/* netlink on the real root, /proc/net under a sysroot or when netlink
 * cannot be opened.  Never NULL.
 */
struct netsrc *netsrc_open(void);
struct netsrc *netsrc_open_netlink(void);	/* NULL when refused */
struct netsrc *netsrc_open_proc(void);
const char *netsrc_name(const struct netsrc *src);
/* Fills ni (zeroed first); sorted for stable output.  -errno on error. */
int netsrc_get(struct netsrc *src, const char *ifname, struct netinfo *ni);
void netsrc_close(struct netsrc *src);

/* For the sources. */
struct net_addr *netinfo_add_addr(struct netinfo *ni);
struct net_route *netinfo_add_route(struct netinfo *ni);
void netinfo_sort(struct netinfo *ni);
bool netinfo_has_default(const struct netinfo *ni);
void netinfo_free(struct netinfo *ni);
bool net_addr_is_link_local(int family, const void *bin);

#endif
