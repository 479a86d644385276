// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "lib/util.h"
#include "nl/iso.h"
#include "nl/nl.h"
#include "nl/policy.h"

/* hop, reason, predicted, kernel-only, predicted-only and blocker are
 * multi-attrs: the policies (nl/policy.c) validate and the lists are
 * collected by walking the attributes, as nl/group.c does for members.
 */
static int hop_parse(struct nlattr *nest, struct pp_hop *h)
{
	struct nlattr *tb[PCIPASS_A_HOP_MAX + 1];
	int err;

	memset(h, 0, sizeof(*h));
	if (nla_parse_nested(tb, PCIPASS_A_HOP_MAX, nest, pnl_policy_hop) < 0 ||
	    !tb[PCIPASS_A_HOP_ADDR] || !tb[PCIPASS_A_HOP_ACS_STATE])
		return -EBADMSG;
	err = addr_from_nest(tb[PCIPASS_A_HOP_ADDR], &h->addr);
	if (err)
		return err;
	if (tb[PCIPASS_A_HOP_PCIE_TYPE]) {
		h->has_pcie_type = true;
		h->pcie_type = nla_get_u8(tb[PCIPASS_A_HOP_PCIE_TYPE]);
	}
	if (tb[PCIPASS_A_HOP_ACS]) {
		h->has_acs = true;
		err = acs_from_nest(tb[PCIPASS_A_HOP_ACS], &h->acs);
		if (err)
			return err;
	}
	h->acs_state = nla_get_u8(tb[PCIPASS_A_HOP_ACS_STATE]);
	if (tb[PCIPASS_A_HOP_ACS_MISSING])
		h->acs_missing = nla_get_u16(tb[PCIPASS_A_HOP_ACS_MISSING]);
	return 0;
}

static int reason_parse(struct nlattr *nest, struct pp_reason *r)
{
	struct nlattr *tb[PCIPASS_A_REASON_MAX + 1];
	int err;

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(tb, PCIPASS_A_REASON_MAX, nest,
			     pnl_policy_reason) < 0 ||
	    !tb[PCIPASS_A_REASON_CODE] || !tb[PCIPASS_A_REASON_SUBJECT])
		return -EBADMSG;
	r->code = nla_get_u8(tb[PCIPASS_A_REASON_CODE]);
	err = addr_from_nest(tb[PCIPASS_A_REASON_SUBJECT], &r->subject);
	if (!err && tb[PCIPASS_A_REASON_PEER]) {
		r->has_peer = true;
		err = addr_from_nest(tb[PCIPASS_A_REASON_PEER], &r->peer);
	}
	if (!err && tb[PCIPASS_A_REASON_CAUSE]) {
		r->has_cause = true;
		err = addr_from_nest(tb[PCIPASS_A_REASON_CAUSE], &r->cause);
	}
	if (tb[PCIPASS_A_REASON_ACS_MISSING])
		r->acs_missing = nla_get_u16(tb[PCIPASS_A_REASON_ACS_MISSING]);
	return err;
}

static int blocker_parse(struct nlattr *nest, struct pp_blocker *b)
{
	struct nlattr *tb[PCIPASS_A_BLOCKER_MAX + 1];

	memset(b, 0, sizeof(*b));
	if (nla_parse_nested(tb, PCIPASS_A_BLOCKER_MAX, nest,
			     pnl_policy_blocker) < 0 ||
	    !tb[PCIPASS_A_BLOCKER_ADDR] || !tb[PCIPASS_A_BLOCKER_DRIVER])
		return -EBADMSG;
	b->driver = xstrdup(nla_get_string(tb[PCIPASS_A_BLOCKER_DRIVER]));
	return addr_from_nest(tb[PCIPASS_A_BLOCKER_ADDR], &b->addr);
}

/* Grows an array by one zeroed element; returns it. */
static void *grow(void **v, size_t *n, size_t size)
{
	char *p;

	*v = xrealloc(*v, (*n + 1) * size);
	p = (char *)*v + *n * size;
	memset(p, 0, size);
	(*n)++;
	return p;
}

static int addr_item(struct nlattr *a, struct pp_addrlist *l)
{
	struct pp_addr addr;
	int err = addr_from_nest(a, &addr);

	if (!err)
		addrlist_add(l, &addr);
	return err;
}

static int iso_item(struct nlattr *a, struct pp_iso *iso)
{
	switch (nla_type(a)) {
	case PCIPASS_A_ISO_HOP:
		return hop_parse(a, grow((void **)&iso->hops, &iso->nr_hops,
					 sizeof(*iso->hops)));
	case PCIPASS_A_ISO_REASON:
		return reason_parse(a, grow((void **)&iso->reasons,
					    &iso->nr_reasons,
					    sizeof(*iso->reasons)));
	case PCIPASS_A_ISO_PREDICTED:
		return addr_item(a, &iso->predicted);
	case PCIPASS_A_ISO_KERNEL_ONLY:
		return addr_item(a, &iso->kernel_only);
	case PCIPASS_A_ISO_PREDICTED_ONLY:
		return addr_item(a, &iso->predicted_only);
	case PCIPASS_A_ISO_BLOCKER:
		return blocker_parse(a, grow((void **)&iso->blockers,
					     &iso->nr_blockers,
					     sizeof(*iso->blockers)));
	default:
		return 0;
	}
}

int iso_parse(struct nl_msg *msg, struct pp_iso *iso)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PCIPASS_A_ISO_MAX + 1];
	struct nlattr *a;
	int rem, err;

	memset(iso, 0, sizeof(*iso));
	if (genlmsg_parse(nlh, 0, tb, PCIPASS_A_ISO_MAX,
			  pnl_policy_isolation) < 0 ||
	    !tb[PCIPASS_A_ISO_ADDR])
		return -EBADMSG;
	err = addr_from_nest(tb[PCIPASS_A_ISO_ADDR], &iso->addr);
	if (err)
		return err;
	iso->has_group = tb[PCIPASS_A_ISO_IOMMU_GROUP];
	if (iso->has_group)
		iso->group = nla_get_u32(tb[PCIPASS_A_ISO_IOMMU_GROUP]);
	iso->ready = tb[PCIPASS_A_ISO_READY];
	iso->truncated = tb[PCIPASS_A_ISO_TRUNCATED];

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		err = iso_item(a, iso);
		if (err)
			return err;
	}
	/* The reply always starts the path with the function itself. */
	if (!iso->nr_hops || !addr_eq(&iso->hops[0].addr, &iso->addr))
		return -EBADMSG;
	return 0;
}

static int fill_iso_get(struct nl_msg *msg, const void *arg)
{
	return addr_to_nest(msg, PCIPASS_A_ISO_ADDR, arg);
}

static int parse_iso(struct nl_msg *msg, void *arg)
{
	struct pp_iso *iso = arg;

	iso_free(iso);
	return iso_parse(msg, iso);
}

int iso_get(struct pnl *nl, const struct pp_addr *a, struct pp_iso *iso)
{
	memset(iso, 0, sizeof(*iso));
	return pnl_do(nl, PCIPASS_CMD_ISOLATION_GET, fill_iso_get, a,
		      parse_iso, iso);
}

void iso_free(struct pp_iso *iso)
{
	for (size_t i = 0; i < iso->nr_blockers; i++)
		free(iso->blockers[i].driver);
	free(iso->blockers);
	free(iso->hops);
	free(iso->reasons);
	addrlist_free(&iso->predicted);
	addrlist_free(&iso->kernel_only);
	addrlist_free(&iso->predicted_only);
	memset(iso, 0, sizeof(*iso));
}

const char *acs_state_key(uint8_t state)
{
	switch (state) {
	case PCIPASS_ACS_STATE_NOT_APPLICABLE:
		return "not_applicable";
	case PCIPASS_ACS_STATE_ENABLED:
		return "enabled";
	case PCIPASS_ACS_STATE_DISABLED:
		return "disabled";
	case PCIPASS_ACS_STATE_ABSENT:
		return "absent";
	case PCIPASS_ACS_STATE_NEVER:
		return "never";
	}
	return NULL;
}

const char *reason_key(uint8_t code)
{
	switch (code) {
	case PCIPASS_REASON_ISOLATED:
		return "isolated";
	case PCIPASS_REASON_NO_IOMMU:
		return "no_iommu";
	case PCIPASS_REASON_UPSTREAM_ACS:
		return "upstream_acs";
	case PCIPASS_REASON_BRIDGE_ALIAS:
		return "bridge_alias";
	case PCIPASS_REASON_DMA_ALIAS:
		return "dma_alias";
	case PCIPASS_REASON_MULTIFUNCTION:
		return "multifunction";
	}
	return NULL;
}
