/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr variants for device-get: a missing address or a
 * nest that lacks one of its members, attributes the policy does not
 * know, wrong lengths and shapes (strict validation, with the kernel's
 * own texts and offsets), and addresses where there is no function.
 * The dump's policy is checked too.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after netlink_reject.h.
 */
#include <errno.h>
#include <stdint.h>

#include "netlink_reject.h"

static void dev_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_DEVICE_GET, PCIPASS_FAMILY_VERSION);
}

static void bld_dev_addr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
}

static void bld_dev_no_addr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
}

static void bld_dev_addr_empty(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_domain(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_bus(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_addr_no_devfn(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_nest_end(b);
}

static void bld_dev_unknown_top(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_DEV_MAX + 1, 0);
}

static void bld_dev_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_DEV_VENDOR, 0x8086);
}

static void bld_dev_type_zero(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, 0, 0);
}

static void bld_dev_unknown_nested(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_MAX + 1, 0);
	nlb_nest_end(b);
}

static void bld_dev_domain_short(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_domain_long(struct nlb *b, struct req_ctx *c)
{
	uint64_t dom = c->addr.domain;

	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	c->bad_off = nlb_put(b, PCIPASS_A_ADDR_DOMAIN, &dom, sizeof(dom));
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_u32(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_empty(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put(b, PCIPASS_A_ADDR_BUS, NULL, 0);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_devfn_u16(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

static void bld_dev_bus_nested_flag(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_ADDR_BUS | NLA_F_NESTED, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* ADDR as a plain u32 instead of a nest */
static void bld_dev_addr_u32(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_DEV_ADDR, 0);
}

/* A well-formed nest that lacks NLA_F_NESTED */
static void bld_dev_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_DEV_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
}

/* NLA_F_NESTED, but four zero bytes that are no attribute */
static void bld_dev_addr_garbage(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED, zeros, 4);
}

/* NLA_F_NESTED with a payload shorter than an attribute header */
static void bld_dev_addr_short(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	c->bad_off = nlb_put(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED, zeros, 2);
}

/* Four bytes after the last attribute that are no attribute */
static void bld_dev_trailing(struct nlb *b, struct req_ctx *c)
{
	dev_hdr(b, c);
	put_addr(b, &c->addr);
	b->nlh.nlmsg_len += 4;
}

static void bld_dev_dump_unknown(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_DEVICE_GET, PCIPASS_FAMILY_VERSION);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_DEV_VENDOR, 0x8086);
}

/* -- device-get: missing attributes -- */
FIXTURE_VARIANT_ADD(nlerr, dev_no_addr) {
	.build = bld_dev_no_addr, .err = EINVAL, .need_msg = true,
	.miss = MISS_REQUIRED, .miss_type = { PCIPASS_A_DEV_ADDR },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_empty) {
	.build = bld_dev_addr_empty, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN, PCIPASS_A_ADDR_BUS,
		       PCIPASS_A_ADDR_DEVFN },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_domain) {
	.build = bld_dev_addr_no_domain, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_bus) {
	.build = bld_dev_addr_no_bus, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_BUS },
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_devfn) {
	.build = bld_dev_addr_no_devfn, .err = EINVAL, .need_msg = true,
	.miss = MISS_OPTIONAL, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DEVFN },
};

/* -- device-get: unknown attributes (strict validation) -- */
FIXTURE_VARIANT_ADD(nlerr, dev_unknown_top) {
	.build = bld_dev_unknown_top, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_reply_only_attr) {
	.build = bld_dev_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_type_zero) {
	.build = bld_dev_type_zero, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_unknown_nested) {
	.build = bld_dev_unknown_nested, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};

/* -- device-get: wrong lengths and shapes -- */
FIXTURE_VARIANT_ADD(nlerr, dev_domain_2_bytes) {
	.build = bld_dev_domain_short, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_domain_8_bytes) {
	.build = bld_dev_domain_long, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_4_bytes) {
	.build = bld_dev_bus_u32, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_0_bytes) {
	.build = bld_dev_bus_empty, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_devfn_2_bytes) {
	.build = bld_dev_devfn_u16, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_bus_nested_flag) {
	.build = bld_dev_bus_nested_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED not expected", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_u32) {
	.build = bld_dev_addr_u32, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_no_nest_flag) {
	.build = bld_dev_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_addr_garbage) {
	.build = bld_dev_addr_garbage, .err = EINVAL, .need_msg = true,
	.msg = "bytes leftover after parsing attributes",
};
/* lib/nlattr.c: a nest shorter than NLA_HDRLEN fails policy with -ERANGE */
FIXTURE_VARIANT_ADD(nlerr, dev_addr_2_bytes) {
	.build = bld_dev_addr_short, .err = ERANGE, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
};
FIXTURE_VARIANT_ADD(nlerr, dev_trailing_bytes) {
	.build = bld_dev_trailing, .err = EINVAL, .need_msg = true,
	.msg = "bytes leftover after parsing attributes",
};
FIXTURE_VARIANT_ADD(nlerr, dev_dump_unknown_attr) {
	.build = bld_dev_dump_unknown, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true,
};

/* -- device-get: no such function -- */
FIXTURE_VARIANT_ADD(nlerr, dev_absent_bus_fe) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_7777) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0x7777, .bus = 0, .devfn = 0 },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_max) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0xffffffff, .bus = 0, .devfn = 0 },
};
FIXTURE_VARIANT_ADD(nlerr, dev_absent_domain_int_min) {
	.build = bld_dev_addr, .err = ENODEV, .need_msg = true,
	.use_addr = true, .addr = { .domain = 0x80000000, .bus = 0, .devfn = 0 },
};
