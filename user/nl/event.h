/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_EVENT_H
#define PCIPASS_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"

struct nl_msg;

/* One message of the "events" multicast group.  Strings point into the
 * message: valid while it is being handled.
 */
struct pp_event {
	uint32_t type;		/* enum pcipass_event_type */
	bool has_addr;
	struct pp_addr addr;
	const char *driver;
	const char *override;	/* NULL: cleared */
	bool has_group;
	uint32_t group;
	bool has_outcome;
	uint32_t outcome;	/* enum pcipass_outcome */
	bool has_error;
	int error;		/* negative errno, 0: success */
	uint32_t txid;		/* claim and release events; 0: none */
};

/* 0; -EAGAIN for a message that is not an event; -EBADMSG. */
int event_parse(struct nl_msg *msg, struct pp_event *ev);
/* One line of text, or one JSON document (flushed by the caller). */
void event_print(const struct pp_event *ev);

#endif
