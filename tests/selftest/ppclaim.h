/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test helpers: claim/release requests over netlink and the ioctl
 * and a strict parser of the claim report.  The ground truth a claim is
 * judged by (ppcstate.h) and the events group (ppcevent.h) come with
 * this header.
 */
#ifndef PCIPASS_SELFTEST_PPCLAIM_H
#define PCIPASS_SELFTEST_PPCLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "ppcevent.h"
#include "ppcommon.h"
#include "ppcstate.h"

#define PPC_MAX_MEM	64
#define PPC_MAX_BLK	16

/* One member / blocker / the whole claim report (netlink or ioctl). */
struct ppc_member {
	char name[16];
	uint32_t state, step;
	int32_t error;
	bool has_step, has_error;
	char from_driver[PPC_NAME], from_override[PPC_NAME], to_driver[PPC_NAME];
};

struct ppc_blocker {
	char name[16];
	uint32_t reason;
	bool forced;
	char detail[PPC_NAME];
};

struct ppc_report {
	bool has_reply;			/* a reply message / P_GROUP */
	uint32_t txid, tx_state;	/* of the transaction, when sent */
	uint32_t group, outcome;
	bool has_group, has_outcome;
	char driver[PPC_NAME];
	int nmembers, nblockers;
	struct ppc_member m[PPC_MAX_MEM];
	struct ppc_blocker b[PPC_MAX_BLK];
	int error;			/* 0 or -errno of the request */
	char msg[512];			/* extack / ioctl message */
	bool has_offs;
	uint32_t offs;			/* extack offset: attribute in request */
	size_t group_offs, addr_offs, driver_offs, flags_offs;	/* in request */
};

/* A request.  @addr NULL: by group.  @driver NULL: no attribute. */
struct ppc_req {
	bool claim;
	const char *addr;
	bool by_group;
	uint32_t group;
	const char *driver;
	bool has_flags;
	uint32_t flags;
	bool both;			/* addr AND group (validation test) */
};

/* 0 when the exchange completed (kernel verdict in rep->error), or -errno. */
int ppc_nl(struct nl_sock *s, uint16_t family, const struct ppc_req *r,
	   struct ppc_report *rep, char *why, int whylen);
/* claim-get @txid until done, as ppc_nl() answers a claim. */
int ppc_claim_get(struct nl_sock *s, uint16_t family, uint32_t txid,
		  struct ppc_report *rep, char *why, int whylen);
/* ioctl on /dev/pcipass; returns the ioctl's 0/-errno, report filled. */
int ppc_ioc(int fd, const struct ppc_req *r, struct ppc_report *rep);

const struct ppc_member *ppc_member(const struct ppc_report *r, const char *name);

/* Small utilities. */
int ppc_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ppc_state_name(uint32_t state);
const char *ppc_outcome_name(uint32_t outcome);
const char *ppc_event_name(uint32_t type);

#endif
