// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "lib/util.h"
#include "nl/device.h"
#include "nl/group.h"
#include "nl/nl.h"
#include "nl/policy.h"

static int group_parse(struct nl_msg *msg, struct pp_group *g)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PCIPASS_A_GROUP_MAX + 1];
	struct nlattr *a;
	int rem, err;

	if (genlmsg_parse(nlh, 0, tb, PCIPASS_A_GROUP_MAX, pnl_policy_group) < 0 ||
	    !tb[PCIPASS_A_GROUP_ID])
		return -EBADMSG;
	g->id = nla_get_u32(tb[PCIPASS_A_GROUP_ID]);

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != PCIPASS_A_GROUP_MEMBER)
			continue;
		g->members = xrealloc(g->members,
				      (g->n + 1) * sizeof(*g->members));
		err = addr_from_nest(a, &g->members[g->n]);
		if (err)
			return err;
		g->n++;
	}
	return 0;
}

static int fill_group_get(struct nl_msg *msg, const void *arg)
{
	const uint32_t *id = arg;

	return nla_put_u32(msg, PCIPASS_A_GROUP_ID, *id) < 0 ? -EMSGSIZE : 0;
}

static int parse_group(struct nl_msg *msg, void *arg)
{
	struct pp_group *g = arg;

	group_free(g);
	return group_parse(msg, g);
}

int group_get(struct pnl *nl, uint32_t id, struct pp_group *g)
{
	memset(g, 0, sizeof(*g));
	return pnl_do(nl, PCIPASS_CMD_GROUP_GET, fill_group_get, &id,
		      parse_group, g);
}

void group_free(struct pp_group *g)
{
	free(g->members);
	memset(g, 0, sizeof(*g));
}
