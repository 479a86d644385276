/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: netlink datagrams of requests to the pcipass family, valid,
 * mutated and malformed, built from a PRNG state.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_NLGEN_H
#define PCIPASS_SELFTEST_FUZZ_NLGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz_rng.h"

#define DG_MAX		20480	/* largest datagram we send */

struct gen {
	struct rng *r;
	uint8_t *buf;
	size_t len, cap;
	bool full;
	bool have_dump;
};

/* A whole datagram; returns its length. */
size_t g_datagram(struct gen *g, uint16_t family);

#endif
