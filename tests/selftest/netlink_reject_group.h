/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr variants for group-get: a missing or absent group
 * id, ids of the wrong length, a reply attribute in the request, and the
 * dump's policy.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after netlink_reject.h.
 */
#include <errno.h>

#include "netlink_reject.h"

static void grp_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_GROUP_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_grp_no_id(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
}

static void bld_grp_id(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, c->group);
}

static void bld_grp_id_short(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_GROUP_ID, 0);
}

static void bld_grp_id_long(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_GROUP_ID, zeros, 8);
}

static void bld_grp_id_byte(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_GROUP_ID, 0);
}

static void bld_grp_member_in_request(struct nlb *b, struct req_ctx *c)
{
	grp_hdr(b, c);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, 0);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_GROUP_MEMBER | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, 0);
	nlb_nest_end(b);
}

static void bld_grp_dump_unknown(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_GROUP_GET, PCIPASS_FAMILY_VERSION);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_GROUP_MAX + 1, 0);
}

/* -- group-get -- */
FIXTURE_VARIANT_ADD(nlerr, grp_no_id) {
	.build = bld_grp_no_id, .err = EINVAL, .need_msg = true,
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_GROUP_ID },
};
FIXTURE_VARIANT_ADD(nlerr, grp_absent) {
	.build = bld_grp_id, .err = ENOENT, .need_msg = true,
	.group = 0xfffffff0,
};
FIXTURE_VARIANT_ADD(nlerr, grp_absent_max) {
	.build = bld_grp_id, .err = ENOENT, .need_msg = true,
	.group = 0xffffffff,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_2_bytes) {
	.build = bld_grp_id_short, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_8_bytes) {
	.build = bld_grp_id_long, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_id_1_byte) {
	.build = bld_grp_id_byte, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_member_in_request) {
	.build = bld_grp_member_in_request, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, grp_dump_unknown_attr) {
	.build = bld_grp_dump_unknown, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
