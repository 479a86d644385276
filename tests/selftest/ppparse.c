// SPDX-License-Identifier: GPL-2.0
/*
 * Strict parsers of pcipass replies (see ppparse.h): every attribute is
 * checked for its exact length, so a reply the spec does not allow is a
 * failure with its reason, never a silently wrong value.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ppparse.h"

void pp_why_add(char *why, int whylen, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!why || whylen <= 0)
		return;
	used = strnlen(why, whylen);
	if ((int)used >= whylen - 1)
		return;
	if (used) {
		snprintf(why + used, whylen - used, "; ");
		used = strnlen(why, whylen);
	}
	va_start(ap, fmt);
	vsnprintf(why + used, whylen - used, fmt, ap);
	va_end(ap);
}

int pp_check_len(const struct nlattr *nla, int want, const char *name,
		     char *why, int whylen)
{
	if (nla_plen(nla) == want)
		return 0;
	pp_why_add(why, whylen, "attribute %s has length %d, want %d", name,
		nla_plen(nla), want);
	return -EBADMSG;
}

int pp_get_u8(const struct nlattr *nla, uint8_t *v, const char *name,
		  char *why, int whylen)
{
	if (pp_check_len(nla, 1, name, why, whylen))
		return -EBADMSG;
	*v = *(uint8_t *)nla_payload(nla);
	return 0;
}

int pp_get_u16(const struct nlattr *nla, uint16_t *v, const char *name,
		   char *why, int whylen)
{
	if (pp_check_len(nla, 2, name, why, whylen))
		return -EBADMSG;
	memcpy(v, nla_payload(nla), 2);
	return 0;
}

int pp_get_u32(const struct nlattr *nla, uint32_t *v, const char *name,
		   char *why, int whylen)
{
	if (pp_check_len(nla, 4, name, why, whylen))
		return -EBADMSG;
	memcpy(v, nla_payload(nla), 4);
	return 0;
}

int pp_get_str(const struct nlattr *nla, char *buf, size_t len,
		   const char *name, char *why, int whylen)
{
	const char *p = nla_payload(nla);
	int n = nla_plen(nla);

	if (n < 1 || p[n - 1] || (int)strlen(p) != n - 1 || (size_t)n > len) {
		pp_why_add(why, whylen, "attribute %s is not one NUL-terminated string",
			name);
		return -EBADMSG;
	}
	memcpy(buf, p, n);
	return 0;
}

int pp_get_addr(const struct nlattr *nest, struct pci_addr *a,
		    const char *name, char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_ADDR_MAX + 1];

	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_ADDR_MAX, 0)) {
		pp_why_add(why, whylen, "nest %s: malformed, unknown or duplicate attribute",
			name);
		return -EBADMSG;
	}
	if (!tb[PCIPASS_A_ADDR_DOMAIN] || !tb[PCIPASS_A_ADDR_BUS] ||
	    !tb[PCIPASS_A_ADDR_DEVFN]) {
		pp_why_add(why, whylen, "nest %s: domain, bus or devfn missing", name);
		return -EBADMSG;
	}
	if (pp_get_u32(tb[PCIPASS_A_ADDR_DOMAIN], &a->domain, "addr-domain", why, whylen) ||
	    pp_get_u8(tb[PCIPASS_A_ADDR_BUS], &a->bus, "addr-bus", why, whylen) ||
	    pp_get_u8(tb[PCIPASS_A_ADDR_DEVFN], &a->devfn, "addr-devfn", why, whylen))
		return -EBADMSG;
	return 0;
}

int pp_check_genl_hdr(const struct nlmsghdr *nlh, uint8_t cmd,
			  char *why, int whylen)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);

	if (nlh->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		pp_why_add(why, whylen, "message too short");
		return -EBADMSG;
	}
	if (g->cmd != cmd || g->version != PCIPASS_FAMILY_VERSION) {
		pp_why_add(why, whylen, "genl header cmd %u version %u, want %u %u",
			g->cmd, g->version, cmd, PCIPASS_FAMILY_VERSION);
		return -EBADMSG;
	}
	return 0;
}

int pp_parse_dev(const struct nlmsghdr *nlh, struct pp_dev *d,
		 char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_DEV_MAX + 1];
	const struct nlattr *atb[PCIPASS_A_ACS_MAX + 1];
	void *attrs;
	int len, t;

	memset(d, 0, sizeof(*d));
	if (pp_check_genl_hdr(nlh, PCIPASS_CMD_DEVICE_GET, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	if (nla_parse_strict(attrs, len, tb, PCIPASS_A_DEV_MAX, 0)) {
		pp_why_add(why, whylen, "device reply: malformed, unknown or duplicate attribute");
		return -EBADMSG;
	}
	for (t = 1; t <= PCIPASS_A_DEV_MAX; t++)
		if (tb[t])
			d->seen |= 1u << t;

#define U(attr, field, fn) \
	if (tb[attr] && fn(tb[attr], &d->field, #attr, why, whylen)) \
		return -EBADMSG
	U(PCIPASS_A_DEV_VENDOR, vendor, pp_get_u16);
	U(PCIPASS_A_DEV_DEVICE, device, pp_get_u16);
	U(PCIPASS_A_DEV_SUBSYSTEM_VENDOR, subsystem_vendor, pp_get_u16);
	U(PCIPASS_A_DEV_SUBSYSTEM_DEVICE, subsystem_device, pp_get_u16);
	U(PCIPASS_A_DEV_CLASS, class, pp_get_u32);
	U(PCIPASS_A_DEV_REVISION, revision, pp_get_u8);
	U(PCIPASS_A_DEV_HEADER_TYPE, header_type, pp_get_u8);
	U(PCIPASS_A_DEV_PCIE_TYPE, pcie_type, pp_get_u8);
	U(PCIPASS_A_DEV_IOMMU_GROUP, iommu_group, pp_get_u32);
	U(PCIPASS_A_DEV_ADDR, addr, pp_get_addr);
	U(PCIPASS_A_DEV_PHYSFN, physfn, pp_get_addr);
	U(PCIPASS_A_DEV_UPSTREAM, upstream, pp_get_addr);
#undef U
	if (tb[PCIPASS_A_DEV_MULTIFUNCTION] &&
	    pp_check_len(tb[PCIPASS_A_DEV_MULTIFUNCTION], 0, "multifunction", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_DEV_VIRTFN] &&
	    pp_check_len(tb[PCIPASS_A_DEV_VIRTFN], 0, "virtfn", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_DEV_RESTRICTED] &&
	    pp_check_len(tb[PCIPASS_A_DEV_RESTRICTED], 0, "restricted", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_DEV_DRIVER] &&
	    pp_get_str(tb[PCIPASS_A_DEV_DRIVER], d->driver, sizeof(d->driver),
		    "driver", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_DEV_DRIVER_OVERRIDE] &&
	    pp_get_str(tb[PCIPASS_A_DEV_DRIVER_OVERRIDE], d->driver_override,
		    sizeof(d->driver_override), "driver-override", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_DEV_ACS]) {
		const struct nlattr *acs = tb[PCIPASS_A_DEV_ACS];

		if (nla_parse_strict(nla_payload(acs), nla_plen(acs), atb,
				     PCIPASS_A_ACS_MAX, 0)) {
			pp_why_add(why, whylen, "acs nest: malformed, unknown or duplicate attribute");
			return -EBADMSG;
		}
		for (t = 1; t <= PCIPASS_A_ACS_MAX; t++)
			if (atb[t])
				d->acs_seen |= 1u << t;
		if ((atb[PCIPASS_A_ACS_POS] &&
		     pp_get_u16(atb[PCIPASS_A_ACS_POS], &d->acs_pos, "acs-pos", why, whylen)) ||
		    (atb[PCIPASS_A_ACS_CAP] &&
		     pp_get_u16(atb[PCIPASS_A_ACS_CAP], &d->acs_cap, "acs-cap", why, whylen)) ||
		    (atb[PCIPASS_A_ACS_CTRL] &&
		     pp_get_u16(atb[PCIPASS_A_ACS_CTRL], &d->acs_ctrl, "acs-ctrl", why, whylen)))
			return -EBADMSG;
	}
	return 0;
}

int pp_parse_group(const struct nlmsghdr *nlh, struct pp_group *g,
		   char *why, int whylen)
{
	const struct nlattr *nla;
	bool have_id = false;
	void *attrs;
	int len, rem;

	memset(g, 0, sizeof(*g));
	if (pp_check_genl_hdr(nlh, PCIPASS_CMD_GROUP_GET, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	nla_for_each(nla, attrs, len, rem) {
		switch (nla_kind(nla)) {
		case PCIPASS_A_GROUP_ID:
			if (have_id) {
				pp_why_add(why, whylen, "group reply: duplicate id");
				return -EBADMSG;
			}
			if (pp_get_u32(nla, &g->id, "group-id", why, whylen))
				return -EBADMSG;
			have_id = true;
			break;
		case PCIPASS_A_GROUP_MEMBER:
			if (g->nmembers >= (int)(sizeof(g->members) / sizeof(g->members[0]))) {
				pp_why_add(why, whylen, "group reply: too many members");
				return -EBADMSG;
			}
			if (pp_get_addr(nla, &g->members[g->nmembers], "member",
				     why, whylen))
				return -EBADMSG;
			g->nmembers++;
			break;
		default:
			pp_why_add(why, whylen, "group reply: unknown attribute %d",
				nla_kind(nla));
			return -EBADMSG;
		}
	}
	if (rem) {
		pp_why_add(why, whylen, "group reply: trailing bytes");
		return -EBADMSG;
	}
	if (!have_id) {
		pp_why_add(why, whylen, "group reply: no id");
		return -EBADMSG;
	}
	return 0;
}
