/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr variants for isolation-get, the query that needs
 * CAP_SYS_ADMIN: its policy (checked by genetlink before the module, so
 * an unprivileged caller gets the same answer), a missing or absent
 * address (privilege first: EPERM unprivileged), and no dump.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after netlink_reject.h.
 */
#include <errno.h>

#include "netlink_reject.h"

static void iso_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_ISOLATION_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_iso_addr(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_no_addr(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
}

static void bld_iso_addr_empty(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_domain(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_devfn(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_nest_end(b);
}

/* A reply attribute in the request: the do policy knows addr only. */
static void bld_iso_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	bld_iso_addr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ISO_IOMMU_GROUP, 0);
}

static void bld_iso_unknown_nested(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_MAX + 1, 0);
	nlb_nest_end(b);
}

static void bld_iso_bus_u32(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_iso_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	iso_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_ISO_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* isolation-get has no dump: genetlink refuses before any attribute */
static void bld_iso_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_ISOLATION_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_iso_dump_addr(struct nlb *b, struct req_ctx *c)
{
	bld_iso_addr(b, c);
	b->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	c->bad_off = 0;
}

/*
 * -- isolation-get: the policy is checked by genetlink before the module
 * runs (so unprivileged callers get its errors too); the module then
 * checks privilege first, the address next.
 */
FIXTURE_VARIANT_ADD(nlerr, iso_no_addr) {
	.build = bld_iso_no_addr, .err = EINVAL, .need_msg = true,
	.msg = "missing device address",
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_ISO_ADDR },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_empty) {
	.build = bld_iso_addr_empty, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_domain) {
	.build = bld_iso_addr_no_domain, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_devfn) {
	.build = bld_iso_addr_no_devfn, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DEVFN },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_reply_only_attr) {
	.build = bld_iso_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_unknown_nested) {
	.build = bld_iso_unknown_nested, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_bus_4_bytes) {
	.build = bld_iso_bus_u32, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_addr_no_nest_flag) {
	.build = bld_iso_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, iso_absent_bus_fe) {
	.build = bld_iso_addr, .err = ENODEV, .need_msg = true,
	.msg = "no PCI function at this address", .check_offs = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_absent_domain_max) {
	.build = bld_iso_addr, .err = ENODEV, .need_msg = true,
	.msg = "no PCI function at this address", .check_offs = true,
	.use_addr = true, .addr = { .domain = 0xffffffff, .bus = 0, .devfn = 0 },
	.unpriv_err = EPERM,
};
FIXTURE_VARIANT_ADD(nlerr, iso_dump) {
	.build = bld_iso_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, iso_dump_with_addr) {
	.build = bld_iso_dump_addr, .err = EOPNOTSUPP,
};
