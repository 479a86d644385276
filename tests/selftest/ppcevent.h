/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The events multicast group: a socket joined to "events", and a strict
 * parser of what arrives there.
 */
#ifndef PCIPASS_SELFTEST_PPCEVENT_H
#define PCIPASS_SELFTEST_PPCEVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "ppcstate.h"

/* Events: a socket joined to the "events" group. */
int ppc_events_open(struct nl_sock *s, uint16_t *family);
struct ppc_event {
	uint32_t type;
	char name[16];			/* "" when absent */
	char driver[PPC_NAME];
	char override[PPC_NAME];
	bool has_override, has_group, has_outcome, has_error;
	uint32_t group, outcome;
	int32_t error;
};
/* Read every queued event (non-blocking); count, or -errno. */
int ppc_events_read(struct nl_sock *s, uint16_t family, struct ppc_event *ev,
		    int max, char *why, int whylen);

#endif
