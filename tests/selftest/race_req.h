/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_race_test only: a claim or release over raw netlink (the spec's
 * attributes, the transaction waited for), its answer kept loosely (the
 * races judge the errno and outcome, not the report's shape), and what a
 * worker accepts as an answer.
 */
#ifndef PCIPASS_SELFTEST_RACE_REQ_H
#define PCIPASS_SELFTEST_RACE_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "ppcommon.h"

struct cres {
	int err;		/* the kernel's errno (0, -E...) or local -errno */
	bool local;		/* err is a local failure (timeout, socket) */
	bool has_outcome;
	uint32_t outcome;
	int nm;
	struct {
		struct pci_addr a;
		uint32_t state;
	} m[16];
	char msg[512];
};

/*
 * cmd PCIPASS_CMD_CLAIM or _RELEASE; the group by @addr, or by id when
 * @addr is NULL; @driver NULL: the default (vfio-pci).  Returns r->err.
 */
int pp_claim(struct nl_sock *s, uint16_t fam, uint8_t cmd,
	     const char *addr, int group, const char *driver,
	     struct cres *r);
/* One "#" line: errno, outcome, message and each member's state. */
void cres_log(const char *who, const char *what, const struct cres *r);
/*
 * What a worker accepts.  Claim: 0 with claimed/already-claimed;
 * @busy_ok: -EBUSY refused (claimed for another driver); @rollback_ok: an
 * error with a complete rollback.  Release: 0 released, or -ENOENT
 * without a report (nothing claimed).
 */
bool cres_ok(uint8_t cmd, const struct cres *r, bool busy_ok,
	     bool rollback_ok);

#endif
