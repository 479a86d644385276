// SPDX-License-Identifier: GPL-2.0
/*
 * Messages of the "events" multicast group: parsed here, printed as one
 * line ("driver-bound 0000:05:00.0 vfio-pci") or one JSON object each.
 */
#include <errno.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/device.h"
#include "nl/event.h"
#include "nl/policy.h"

int event_parse(struct nl_msg *msg, struct pp_event *ev)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[PCIPASS_A_EVENT_MAX + 1];
	struct genlmsghdr *gh;

	memset(ev, 0, sizeof(*ev));
	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	gh = nlmsg_data(nlh);
	if (gh->cmd != PCIPASS_CMD_EVENT)
		return -EAGAIN;
	if (genlmsg_parse(nlh, 0, tb, PCIPASS_A_EVENT_MAX, pnl_policy_event) < 0 ||
	    !tb[PCIPASS_A_EVENT_TYPE])
		return -EBADMSG;
	ev->type = nla_get_u32(tb[PCIPASS_A_EVENT_TYPE]);
	if (tb[PCIPASS_A_EVENT_ADDR]) {
		if (addr_from_nest(tb[PCIPASS_A_EVENT_ADDR], &ev->addr))
			return -EBADMSG;
		ev->has_addr = true;
	}
	if (tb[PCIPASS_A_EVENT_DRIVER])
		ev->driver = nla_get_string(tb[PCIPASS_A_EVENT_DRIVER]);
	if (tb[PCIPASS_A_EVENT_OVERRIDE])
		ev->override = nla_get_string(tb[PCIPASS_A_EVENT_OVERRIDE]);
	if (tb[PCIPASS_A_EVENT_GROUP]) {
		ev->has_group = true;
		ev->group = nla_get_u32(tb[PCIPASS_A_EVENT_GROUP]);
	}
	if (tb[PCIPASS_A_EVENT_OUTCOME]) {
		ev->has_outcome = true;
		ev->outcome = nla_get_u32(tb[PCIPASS_A_EVENT_OUTCOME]);
	}
	if (tb[PCIPASS_A_EVENT_TXID])
		ev->txid = nla_get_u32(tb[PCIPASS_A_EVENT_TXID]);
	if (tb[PCIPASS_A_EVENT_ERROR]) {
		ev->has_error = true;
		ev->error = (int32_t)nla_get_u32(tb[PCIPASS_A_EVENT_ERROR]);
		if (ev->error > 0)
			ev->error = -ev->error;
	}
	return 0;
}

/* Text: the type as the spec spells it, then whatever the event carries,
 * in a fixed order:
 *   device-added 0000:05:00.0
 *   driver-bound 0000:05:00.0 vfio-pci
 *   override-changed 0000:05:00.0 (cleared)
 *   claim-finished group 5 vfio-pci rolled-back: No such device (transaction 7)
 */
void event_print(const struct pp_event *ev)
{
	char buf[64], a[ADDR_STRLEN];
	const char *key = claim_event_key(ev->type);

	open_json_object(NULL);
	print_string(PRINT_JSON, "type", NULL, key);
	if (!strcmp(key, "unknown"))
		print_text("event-%u", ev->type);
	else
		print_text("%s", claim_hyphenate(key, buf, sizeof(buf)));
	if (ev->has_addr)
		print_string(PRINT_ANY, "address", " %s", addr_fmt(&ev->addr, a));
	else
		print_null(PRINT_JSON, "address", NULL, NULL);
	if (ev->has_group)
		print_uint(PRINT_ANY, "group", " group %u", ev->group);
	else
		print_null(PRINT_JSON, "group", NULL, NULL);
	if (ev->driver)
		print_string(PRINT_ANY, "driver", " %s", ev->driver);
	else
		print_null(PRINT_JSON, "driver", NULL, NULL);
	if (ev->type == PCIPASS_EVENT_OVERRIDE_CHANGED)
		print_opt_string(PRINT_ANY, "override", " %s", ev->override,
				 "(cleared)");
	else
		print_opt_string(PRINT_JSON, "override", NULL, ev->override,
				 NULL);
	if (ev->has_outcome) {
		key = claim_outcome_key(ev->outcome);
		print_string(PRINT_JSON, "outcome", NULL, key);
		print_text(" %s", claim_hyphenate(key, buf, sizeof(buf)));
	} else
		print_null(PRINT_JSON, "outcome", NULL, NULL);
	if (ev->has_error) {
		print_uint(PRINT_JSON, "errno", NULL, (unsigned int)-ev->error);
		if (ev->error)
			print_string(PRINT_ANY, "error", ": %s",
				     strerror(-ev->error));
		else
			print_null(PRINT_JSON, "error", NULL, NULL);
	} else {
		print_null(PRINT_JSON, "errno", NULL, NULL);
		print_null(PRINT_JSON, "error", NULL, NULL);
	}
	if (ev->txid)
		print_uint(PRINT_ANY, "txid", " (transaction %u)", ev->txid);
	else
		print_null(PRINT_JSON, "txid", NULL, NULL);
	print_text("\n");
	close_json_object();
}
