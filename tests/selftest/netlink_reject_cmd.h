/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr variants for commands that are no op: event (a
 * notification the module sends, never a request) and numbers the
 * family does not have (0, 0xf0, one past the last); genetlink answers
 * EOPNOTSUPP without extack text.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after netlink_reject.h.
 */
#include <errno.h>

#include "netlink_reject.h"

/* event is a notification, not an op */
static void bld_cmd_event(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_EVENT,
		 PCIPASS_FAMILY_VERSION);
}

static void bld_cmd_f0(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, 0xf0,
		 PCIPASS_FAMILY_VERSION);
	put_addr(b, &c->addr);
}

static void bld_cmd_f0_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP, 0xf0,
		 PCIPASS_FAMILY_VERSION);
}

static void bld_cmd_zero(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, 0,
		 PCIPASS_FAMILY_VERSION);
}

static void bld_cmd_max_plus_one(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_MAX + 1,
		 PCIPASS_FAMILY_VERSION);
}

FIXTURE_VARIANT_ADD(nlerr, cmd_event) {
	.build = bld_cmd_event, .err = EOPNOTSUPP,
};

/* -- unknown commands: genetlink core, no extack text -- */
FIXTURE_VARIANT_ADD(nlerr, cmd_0xf0) {
	.build = bld_cmd_f0, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_0xf0_dump) {
	.build = bld_cmd_f0_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_0) {
	.build = bld_cmd_zero, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, cmd_max_plus_one) {
	.build = bld_cmd_max_plus_one, .err = EOPNOTSUPP,
};
