/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the netlink sockets of a stream, and sending a datagram and
 * reading every answer to it.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_NL_H
#define PCIPASS_SELFTEST_FUZZ_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_nlmodel.h"
#include "fuzz_report.h"

#define RX_MAX		(192 * 1024)
#define NOCAP_MAX	4096	/* datagrams sent on a socket without CAP_ACK */

struct nlsock {
	int fd;
	uint32_t portid;
	bool ext_ack, cap_ack;
	bool exact;		/* read each datagram with a buffer of its size */
};

#define NSOCKS 4

struct nlrun {
	struct fz c;
	uint16_t family;
	struct nlsock socks[NSOCKS];
	uint8_t *dg;
	uint8_t *rx;
	uint32_t seq;
	struct nlexp ex[MAX_EXP];
	int nexp;
};

/* (Re)open socket @i / all sockets; 0 or -errno. */
int nlrun_reopen(struct nlrun *n, int i);
int nlrun_open(struct nlrun *n);

/* Send the datagram and read every answer; 0, or -1 with c.why set. */
int nl_exchange(struct nlrun *n, struct nlsock *s, size_t len);

void nlrun_free_exp(struct nlrun *n);

#endif
