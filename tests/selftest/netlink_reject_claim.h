/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netlink_test's nlerr variants for claim and release: a missing target,
 * or both; reserved flag bits; attributes of the wrong length or shape;
 * driver names the policy refuses; attributes the command does not take;
 * an absent address or group, and a group pcipass did not claim (dry
 * runs); no dump.  Unprivileged, genetlink answers EPERM before the
 * policy (GENL_ADMIN_PERM).
 *
 * netlink_reject_check.h names bld_claim_dump and bld_rel_dump (before
 * 6.2 an unprivileged dump of either gets EPERM), so this file comes
 * before it.
 *
 * Part of netlink_test.c's one translation unit (the harness keeps its
 * test list per file): included there once, after netlink_reject.h.
 */
#include <errno.h>
#include <string.h>

#include "netlink_reject.h"

/*
 * claim and release.  Every request here is malformed, names nothing, or
 * is a dry run: none can move a device, not even when socket_usable_after
 * sends it again as root.
 */
static void claim_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_CLAIM, PCIPASS_FAMILY_VERSION);
}

static void rel_hdr(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_ACK,
		 PCIPASS_CMD_RELEASE, PCIPASS_FAMILY_VERSION);
}

static size_t put_claim_addr(struct nlb *b, const struct pci_addr *a)
{
	size_t off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);

	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
	return off;
}

static void put_dry_run(struct nlb *b)
{
	nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS, PCIPASS_CLAIM_F_DRY_RUN);
}

static void bld_claim_none(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
}

static void bld_claim_addr_and_group(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, 0);
	put_dry_run(b);
}

static void bld_claim_flags_4(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS,
				 PCIPASS_CLAIM_F_DRY_RUN | 4);
}

static void bld_claim_flags_u8(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u8(b, PCIPASS_A_CLAIM_FLAGS,
				PCIPASS_CLAIM_F_DRY_RUN);
}

static void bld_claim_group_u16(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_put_u16(b, PCIPASS_A_CLAIM_GROUP, 0);
	put_dry_run(b);
}

/*
 * 64 characters and the NUL: NLA_NUL_STRING with len 63 looks for the NUL
 * in the first 64 bytes (EINVAL)
 */
static void bld_claim_driver_64(struct nlb *b, struct req_ctx *c)
{
	char name[PCIPASS_DRIVER_NAME_MAX + 1];

	memset(name, 'x', PCIPASS_DRIVER_NAME_MAX);
	name[PCIPASS_DRIVER_NAME_MAX] = '\0';
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, name, sizeof(name));
	put_dry_run(b);
}

/* a NUL in time, but more bytes after it than the policy's 63: ERANGE */
static void bld_claim_driver_long_tail(struct nlb *b, struct req_ctx *c)
{
	char name[72];

	memset(name, 'x', sizeof(name));
	memcpy(name, "vfio-pci", 9);
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, name, sizeof(name));
	put_dry_run(b);
}

static void bld_claim_driver_no_nul(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put(b, PCIPASS_A_CLAIM_DRIVER, "vfio-pci", 8);
	put_dry_run(b);
}

/* A reply attribute in the request: the policy ends at flags. */
static void bld_claim_reply_only_attr(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	put_claim_addr(b, &c->addr);
	put_dry_run(b);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_OUTCOME, 0);
}

static void bld_claim_addr_no_nest_flag(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, c->addr.domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, c->addr.bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, c->addr.devfn);
	nlb_nest_end(b);
	put_dry_run(b);
}

static void bld_claim_addr_empty(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->nest_off = nlb_nest_start(b, PCIPASS_A_CLAIM_ADDR | NLA_F_NESTED);
	nlb_nest_end(b);
	put_dry_run(b);
}

static void bld_claim_addr_dry(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = put_claim_addr(b, &c->addr);
	put_dry_run(b);
}

static void bld_claim_group_dry(struct nlb *b, struct req_ctx *c)
{
	claim_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, c->group);
	put_dry_run(b);
}

/* claim has no dump: genetlink refuses before privilege and attributes */
static void bld_claim_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_CLAIM, PCIPASS_FAMILY_VERSION);
}

static void bld_rel_none(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
}

/* release takes no driver: a hole in its policy (NLA_UNSPEC, strict) */
static void bld_rel_driver(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_str(b, PCIPASS_A_CLAIM_DRIVER, "vfio-pci");
	put_dry_run(b);
}

static void bld_rel_flags_4(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	put_claim_addr(b, &c->addr);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_FLAGS,
				 PCIPASS_CLAIM_F_DRY_RUN | 4);
}

static void bld_rel_group_dry(struct nlb *b, struct req_ctx *c)
{
	rel_hdr(b, c);
	c->bad_off = nlb_put_u32(b, PCIPASS_A_CLAIM_GROUP, c->group);
	put_dry_run(b);
}

static void bld_rel_dump(struct nlb *b, struct req_ctx *c)
{
	nlb_init(b, c->family, NLM_F_REQUEST | NLM_F_DUMP,
		 PCIPASS_CMD_RELEASE, PCIPASS_FAMILY_VERSION);
}

/*
 * -- claim and release: GENL_ADMIN_PERM (unprivileged: EPERM from
 * genetlink before the policy); as root the policy, then the module.
 */
FIXTURE_VARIANT_ADD(nlerr, claim_no_attrs) {
	.build = bld_claim_none, .err = EINVAL, .need_msg = true,
	.msg = "missing target: an address or a group", .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_and_group) {
	.build = bld_claim_addr_and_group, .err = EINVAL, .need_msg = true,
	.msg = "give an address or a group, not both", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_flags_unknown_bit) {
	.build = bld_claim_flags_4, .err = EINVAL, .need_msg = true,
	.msg = "reserved bit set", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_flags_1_byte) {
	.build = bld_claim_flags_u8, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_group_2_bytes) {
	.build = bld_claim_group_u16, .err = EINVAL, .need_msg = true,
	.msg = "invalid attribute length", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_too_long) {
	.build = bld_claim_driver_64, .err = EINVAL, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_long_tail) {
	.build = bld_claim_driver_long_tail, .err = ERANGE, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_driver_no_nul) {
	.build = bld_claim_driver_no_nul, .err = EINVAL, .need_msg = true,
	.msg = "Attribute failed policy validation", .check_offs = true,
	.admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_reply_only_attr) {
	.build = bld_claim_reply_only_attr, .err = EINVAL, .need_msg = true,
	.msg = "Unknown attribute type", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_no_nest_flag) {
	.build = bld_claim_addr_no_nest_flag, .err = EINVAL, .need_msg = true,
	.msg = "NLA_F_NESTED is missing", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_addr_empty) {
	.build = bld_claim_addr_empty, .err = EINVAL, .need_msg = true,
	.msg = "address needs domain, bus and devfn",
	.miss = MISS_REQUIRED, .miss_nested = true,
	.miss_type = { PCIPASS_A_ADDR_DOMAIN }, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, claim_absent_bus_fe_dry_run) {
	.build = bld_claim_addr_dry, .err = ENODEV, .need_msg = true,
	.check_offs = true, .admin = true,
	.use_addr = true, .addr = { .domain = 0, .bus = 0xfe, .devfn = 0xff },
};
FIXTURE_VARIANT_ADD(nlerr, claim_absent_group_dry_run) {
	.build = bld_claim_group_dry, .err = ENOENT, .need_msg = true,
	.msg = "IOMMU group 4294967280 holds no PCI function",
	.check_offs = true, .admin = true, .group = 0xfffffff0,
};
FIXTURE_VARIANT_ADD(nlerr, claim_dump) {
	.build = bld_claim_dump, .err = EOPNOTSUPP,
};
FIXTURE_VARIANT_ADD(nlerr, release_no_attrs) {
	.build = bld_rel_none, .err = EINVAL, .need_msg = true,
	.msg = "missing target: an address or a group", .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_driver_attr) {
	.build = bld_rel_driver, .err = EINVAL, .need_msg = true,
	.msg = "Unsupported attribute", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_flags_unknown_bit) {
	.build = bld_rel_flags_4, .err = EINVAL, .need_msg = true,
	.msg = "reserved bit set", .check_offs = true, .admin = true,
};
FIXTURE_VARIANT_ADD(nlerr, release_absent_group_dry_run) {
	.build = bld_rel_group_dry, .err = ENOENT, .need_msg = true,
	.msg = "IOMMU group 4294967280 holds no PCI function",
	.check_offs = true, .admin = true, .group = 0xfffffff0,
};
/* a group pcipass did not claim: nothing to give back */
FIXTURE_VARIANT_ADD(nlerr, release_unclaimed_group_dry_run) {
	.build = bld_rel_group_dry, .err = ENOENT, .need_msg = true,
	.admin = true, .own_group = true, .report_cmd = PCIPASS_CMD_RELEASE,
};
FIXTURE_VARIANT_ADD(nlerr, release_dump) {
	.build = bld_rel_dump, .err = EOPNOTSUPP,
};
