// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass events: the "events" multicast group of the genetlink family.
 *
 * Device and driver events come from the PCI bus notifier (notify.c);
 * override and claim events from claim.c.  Everything an event carries (addresses,
 * driver names, overrides, group ids) is world-readable in sysfs, so the
 * group is open to every listener.  Events are best effort, like every
 * netlink notification: a listener that does not keep up loses some
 * (ENOBUFS on its socket) and should re-read the state.
 *
 * The notifier is registered after the family and removed before it, so
 * no event is sent to a family that does not exist.  The driver events
 * come with device_lock held: they only send.
 */

#include <linux/pci.h>
#include <net/genetlink.h>

#include "claim.h"
#include "netlink.h"
#include "pcipass-nl-gen.h"

static bool pcipass_events_wanted(void)
{
	return genl_has_listeners(&pcipass_nl_family, &init_net,
				  PCIPASS_NLGRP_EVENTS);
}

/* @extra: room for a string beyond the fixed attributes */
static struct sk_buff *pcipass_event_new(u8 type, size_t extra, void **hdr)
{
	struct sk_buff *skb = genlmsg_new(256 + nla_total_size(extra),
					  GFP_KERNEL);

	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &pcipass_nl_family, 0,
			   PCIPASS_CMD_EVENT);
	if (!*hdr || nla_put_u32(skb, PCIPASS_A_EVENT_TYPE, type)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

static void pcipass_event_send(struct sk_buff *skb, void *hdr, int err)
{
	if (err) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&pcipass_nl_family, skb, 0, PCIPASS_NLGRP_EVENTS,
			  GFP_KERNEL);
}

static int pcipass_event_put_dev(struct sk_buff *skb, struct pci_dev *pdev)
{
	struct pcipass_addr addr;

	pcipass_addr_of(pdev, &addr);
	return pcipass_nl_put_addr(skb, PCIPASS_A_EVENT_ADDR, &addr);
}

/**
 * pcipass_event_device() - report a device or driver event
 * @type: PCIPASS_EVENT_DEVICE_* or PCIPASS_EVENT_DRIVER_*
 * @pdev: the function
 * @driver: the driver bound or unbound, or NULL
 */
void pcipass_event_device(u8 type, struct pci_dev *pdev, const char *driver)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!pcipass_events_wanted())
		return;
	skb = pcipass_event_new(type, driver ? strlen(driver) + 1 : 0, &hdr);
	if (!skb)
		return;
	err = pcipass_event_put_dev(skb, pdev);
	if (!err && driver)
		err = nla_put_string(skb, PCIPASS_A_EVENT_DRIVER, driver);
	pcipass_event_send(skb, hdr, err);
}

/**
 * pcipass_event_override() - report an override pcipass set or cleared
 * @pdev: the function
 * @override: the new override, NULL when cleared
 */
void pcipass_event_override(struct pci_dev *pdev, const char *override)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	if (!pcipass_events_wanted())
		return;
	skb = pcipass_event_new(PCIPASS_EVENT_OVERRIDE_CHANGED,
				override ? strlen(override) + 1 : 0, &hdr);
	if (!skb)
		return;
	err = pcipass_event_put_dev(skb, pdev);
	if (!err && override)
		err = nla_put_string(skb, PCIPASS_A_EVENT_OVERRIDE, override);
	pcipass_event_send(skb, hdr, err);
}

/**
 * pcipass_event_claim() - report a claim or release starting or finishing
 * @type: PCIPASS_EVENT_CLAIM_* or PCIPASS_EVENT_RELEASE_*
 * @req: the request (its address, when it named one)
 * @rep: the report so far (group, driver, outcome when finished)
 * @error: 0 or the negative errno it finished with
 */
void pcipass_event_claim(u8 type, const struct pcipass_claim_req *req,
			 const struct pcipass_claim_report *rep, int error)
{
	bool finished = type == PCIPASS_EVENT_CLAIM_FINISHED ||
			type == PCIPASS_EVENT_RELEASE_FINISHED;
	struct sk_buff *skb;
	void *hdr;
	int err = 0;

	if (!pcipass_events_wanted())
		return;
	skb = pcipass_event_new(type, sizeof(rep->driver), &hdr);
	if (!skb)
		return;
	if (!req->by_group)
		err = pcipass_nl_put_addr(skb, PCIPASS_A_EVENT_ADDR, &req->addr);
	if (!err)
		err = nla_put_u32(skb, PCIPASS_A_EVENT_GROUP, rep->group);
	if (!err && req->txid)
		err = nla_put_u32(skb, PCIPASS_A_EVENT_TXID, req->txid);
	if (!err && rep->driver[0])
		err = nla_put_string(skb, PCIPASS_A_EVENT_DRIVER, rep->driver);
	if (!err && finished)
		err = nla_put_u32(skb, PCIPASS_A_EVENT_OUTCOME, rep->outcome) ?:
		      nla_put_s32(skb, PCIPASS_A_EVENT_ERROR, error);
	pcipass_event_send(skb, hdr, err);
}

