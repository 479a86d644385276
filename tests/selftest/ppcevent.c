// SPDX-License-Identifier: GPL-2.0
/*
 * The events multicast group (see ppcevent.h): joined through nlctrl's
 * CTRL_ATTR_MCAST_GROUPS, every event parsed strictly.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

#include "ppcevent.h"

static int mcast_group_id(struct nl_sock *s, const char *family,
			  const char *group, uint16_t *famid, uint32_t *grp)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *a;
	struct nl_reply rep;
	struct nlb b;
	void *attrs;
	int len, rem, rem2, ret;

	nlb_init(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	nlb_put_str(&b, CTRL_ATTR_FAMILY_NAME, family);
	ret = nl_transact(s, &b, &rep);
	if (ret)
		return ret;
	ret = rep.error ? rep.error : -ENOENT;
	if (rep.error || rep.nmsgs != 1)
		goto out;
	attrs = genl_attrs(rep.msgs[0].nlh, &len);
	if (!attrs || nla_parse_strict(attrs, len, tb, CTRL_ATTR_MAX, 0) ||
	    !tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_MCAST_GROUPS]) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(famid, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	nla_for_each(g, nla_payload(tb[CTRL_ATTR_MCAST_GROUPS]),
		     nla_plen(tb[CTRL_ATTR_MCAST_GROUPS]), rem) {
		bool match = false;
		uint32_t id = 0;
		bool has_id = false;

		nla_for_each(a, nla_payload(g), nla_plen(g), rem2) {
			if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    !strncmp(nla_payload(a), group, nla_plen(a)))
				match = true;
			if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_ID && nla_plen(a) == 4) {
				memcpy(&id, nla_payload(a), 4);
				has_id = true;
			}
		}
		if (match && has_id) {
			*grp = id;
			ret = 0;
		}
	}
out:
	nl_reply_free(&rep);
	return ret;
}

int ppc_events_open(struct nl_sock *s, uint16_t *family)
{
	uint32_t grp;
	int ret = nl_open(s, 0);

	if (ret)
		return ret;
	ret = mcast_group_id(s, PCIPASS_FAMILY_NAME, PCIPASS_MCGRP_EVENTS, family, &grp);
	if (!ret && setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &grp, sizeof(grp)))
		ret = -errno;
	if (ret)
		nl_close(s);
	return ret;
}

static int parse_event(const struct nlmsghdr *nlh, struct ppc_event *e,
		       char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_EVENT_MAX + 1];
	struct pci_addr a;
	uint32_t v;
	void *attrs;
	int len;

	memset(e, 0, sizeof(*e));
	if (pp_check_genl_hdr(nlh, PCIPASS_CMD_EVENT, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	if (!attrs || nla_parse_strict(attrs, len, tb, PCIPASS_A_EVENT_MAX, 0) ||
	    !tb[PCIPASS_A_EVENT_TYPE] ||
	    pp_get_u32(tb[PCIPASS_A_EVENT_TYPE], &e->type, "type", why, whylen)) {
		pp_why_add(why, whylen, "event: bad attributes; ");
		return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_ADDR]) {
		if (pp_get_addr(tb[PCIPASS_A_EVENT_ADDR], &a, "event addr", why, whylen))
			return -EBADMSG;
		pci_addr_fmt(&a, e->name, sizeof(e->name));
	}
	if (tb[PCIPASS_A_EVENT_DRIVER] &&
	    pp_get_str(tb[PCIPASS_A_EVENT_DRIVER], e->driver, sizeof(e->driver),
		       "driver", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_EVENT_OVERRIDE]) {
		e->has_override = true;
		if (pp_get_str(tb[PCIPASS_A_EVENT_OVERRIDE], e->override,
			       sizeof(e->override), "override", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_GROUP]) {
		e->has_group = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_GROUP], &e->group, "group", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_OUTCOME]) {
		e->has_outcome = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_OUTCOME], &e->outcome, "outcome", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_ERROR]) {
		e->has_error = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_ERROR], &v, "error", why, whylen))
			return -EBADMSG;
		e->error = (int32_t)v;
	}
	return 0;
}

int ppc_events_read(struct nl_sock *s, uint16_t family, struct ppc_event *ev,
		    int max, char *why, int whylen)
{
	static char buf[65536];
	int n = 0;

	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		int rem;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return n;
			return -errno;
		}
		rem = (int)len;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type != family) {
				pp_why_add(why, whylen, "message type %u; ", nlh->nlmsg_type);
				return -EBADMSG;
			}
			if (n >= max)
				return -E2BIG;
			if (parse_event(nlh, &ev[n], why, whylen))
				return -EBADMSG;
			n++;
		}
	}
}
