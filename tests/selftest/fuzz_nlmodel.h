/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the netlink oracle.  It walks a datagram as netlink_rcv_skb()
 * and genetlink do and predicts the kernel's answer to every message.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_NLMODEL_H
#define PCIPASS_SELFTEST_FUZZ_NLMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysfs.h"

#define MAX_EXP		64	/* messages per datagram */

enum ex_kind { EX_SILENT, EX_ACK0, EX_DO, EX_DUMP };

#define WANT_POLICY	(-1)	/* attribute validation: EINVAL or ERANGE */

struct nlexp {
	uint32_t seq;
	uint32_t off, len;	/* the message in the datagram */
	uint16_t flags;
	uint8_t kind, cmd;
	int want;		/* 0: success, errno, or WANT_POLICY */
	/* a device lock is waited for: EBUSY too with PCIPASS_FUZZ_BUSY_OK */
	bool allow_busy;
	/*
	 * It reaches __netlink_dump_start(), which refuses it with EBUSY,
	 * before the policy, while a dump of the socket still runs: an
	 * earlier dump of this datagram whose first part did not end it.
	 * Decided when its first answer arrives (busy).
	 */
	bool dump_start, answered, busy;
	int dev, grp;		/* do: the function / group asked about */
	struct pci_addr addr;
	/* extended ACK the error must carry (on NETLINK_EXT_ACK sockets) */
	uint32_t offs;		/* NLMSGERR_ATTR_OFFS: the attribute used */
	uint32_t miss_type;	/* NLMSGERR_ATTR_MISS_TYPE, 0: none allowed */
	uint32_t miss_nest;	/* NLMSGERR_ATTR_MISS_NEST, 0: none allowed */
	/*
	 * claim / release (a dry run) that collected its group: exactly one
	 * report (outcome planned when want is 0, refused otherwise), then
	 * the ACK or the error predicted from sysfs (gt_claim_answer()).
	 */
	bool claim;
	char note[96];		/* the prediction in words */
	/*
	 * A claim or release that passed the request's own checks is queued:
	 * the answer is a reply with its txid, then the ACK; claim-get then
	 * gives final_want and (final_claim) the report.
	 */
	bool queued, final_claim;
	int final_want;
	uint32_t txid;
	/* progress */
	bool done;
	int ndata;
	bool intr;
	int batches, last_batch;	/* dump: recv() calls that brought parts */
	uint8_t *seen;		/* dump: devices or group members seen */
};

#define FZ_CLAIM_DRIVERS	2
#define FZ_CLAIM_DEFAULT	"vfio-pci"	/* an empty driver name */
extern const char *const fz_claim_drivers[FZ_CLAIM_DRIVERS];

/*
 * Walk the datagram as netlink_rcv_skb() does.  Messages of any other
 * family are turned into ours (the fuzzer talks to pcipass only), every
 * message gets its own sequence number.  @priv: the sender has
 * CAP_SYS_ADMIN (isolation-get answers EPERM otherwise).  Returns the new
 * length of the datagram (cut after MAX_EXP messages) and fills ex[] and
 * *nexp.
 */
size_t nl_model(uint8_t *dg, size_t dglen, uint16_t family, bool priv,
		uint32_t *seq, struct nlexp *ex, int *nexp);

/* The expected answer, for messages. */
const char *want_str(const struct nlexp *e);

#endif
