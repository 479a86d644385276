// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass-specific helpers shared by the selftest programs.
 */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ppcommon.h"

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

int pp_nl_open(struct nl_sock *s, uint16_t *family, size_t rcvbuf_len)
{
	struct genl_family_info fi;
	int ret;

	ret = nl_open(s, rcvbuf_len);
	if (ret)
		return ret;
	ret = genl_resolve(s, PCIPASS_FAMILY_NAME, &fi);
	if (ret) {
		nl_close(s);
		return ret;
	}
	*family = fi.id;
	return 0;
}

void pp_req_dev_get(struct nlb *b, uint16_t family, const struct pci_addr *a)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_DEVICE_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_nest_start(b, PCIPASS_A_DEV_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
}

void pp_req_dev_dump(struct nlb *b, uint16_t family)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_DUMP, PCIPASS_CMD_DEVICE_GET,
		 PCIPASS_FAMILY_VERSION);
}

void pp_req_group_get(struct nlb *b, uint16_t family, uint32_t id)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_GROUP_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_put_u32(b, PCIPASS_A_GROUP_ID, id);
}

void pp_req_group_dump(struct nlb *b, uint16_t family)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_DUMP, PCIPASS_CMD_GROUP_GET,
		 PCIPASS_FAMILY_VERSION);
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

static void addr_str(const struct pci_addr *a, char *buf, int len)
{
	pci_addr_fmt(a, buf, len);
}

#define MISMATCH(...) do { pp_why_add(why, whylen, __VA_ARGS__); bad++; } while (0)

static int cmp_presence(bool want, bool got, const char *what,
			char *why, int whylen)
{
	int bad = 0;

	if (want != got)
		MISMATCH("%s %s, sysfs says %s", what,
			 got ? "present" : "absent", want ? "present" : "absent");
	return bad;
}

int pp_cmp_nl(const struct sysfs_dev *s, const struct pp_dev *d,
	      bool privileged, char *why, int whylen)
{
	static const int required[] = {
		PCIPASS_A_DEV_ADDR, PCIPASS_A_DEV_VENDOR, PCIPASS_A_DEV_DEVICE,
		PCIPASS_A_DEV_SUBSYSTEM_VENDOR, PCIPASS_A_DEV_SUBSYSTEM_DEVICE,
		PCIPASS_A_DEV_CLASS, PCIPASS_A_DEV_REVISION,
		PCIPASS_A_DEV_HEADER_TYPE,
	};
	char b1[32], b2[32];
	unsigned int i;
	int bad = 0;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!PP_HAS(d, required[i]))
			MISMATCH("attribute %d missing", required[i]);

	if (PP_HAS(d, PCIPASS_A_DEV_ADDR) && pci_addr_cmp(&s->addr, &d->addr)) {
		addr_str(&d->addr, b1, sizeof(b1));
		MISMATCH("addr %s", b1);
	}
#define CMPV(field, fmt) \
	if (d->field != s->field) \
		MISMATCH(#field " " fmt ", sysfs " fmt, d->field, s->field)
	CMPV(vendor, "%#06x");
	CMPV(device, "%#06x");
	CMPV(subsystem_vendor, "%#06x");
	CMPV(subsystem_device, "%#06x");
	CMPV(class, "%#08x");
	CMPV(revision, "%#04x");
	CMPV(header_type, "%u");
#undef CMPV

	bad += cmp_presence(s->multifunction, PP_HAS(d, PCIPASS_A_DEV_MULTIFUNCTION),
			    "multifunction", why, whylen);
	bad += cmp_presence(s->is_virtfn, PP_HAS(d, PCIPASS_A_DEV_VIRTFN),
			    "virtfn", why, whylen);
	bad += cmp_presence(s->is_virtfn, PP_HAS(d, PCIPASS_A_DEV_PHYSFN),
			    "physfn", why, whylen);
	if (s->is_virtfn && PP_HAS(d, PCIPASS_A_DEV_PHYSFN) &&
	    pci_addr_cmp(&s->physfn, &d->physfn)) {
		addr_str(&d->physfn, b1, sizeof(b1));
		addr_str(&s->physfn, b2, sizeof(b2));
		MISMATCH("physfn %s, sysfs %s", b1, b2);
	}

	bad += cmp_presence(s->has_driver, PP_HAS(d, PCIPASS_A_DEV_DRIVER),
			    "driver", why, whylen);
	if (s->has_driver && PP_HAS(d, PCIPASS_A_DEV_DRIVER) &&
	    strcmp(s->driver, d->driver))
		MISMATCH("driver '%s', sysfs '%s'", d->driver, s->driver);

	bad += cmp_presence(s->has_override, PP_HAS(d, PCIPASS_A_DEV_DRIVER_OVERRIDE),
			    "driver-override", why, whylen);
	if (s->has_override && PP_HAS(d, PCIPASS_A_DEV_DRIVER_OVERRIDE) &&
	    strcmp(s->override, d->driver_override))
		MISMATCH("driver-override '%s', sysfs '%s'", d->driver_override,
			 s->override);

	bad += cmp_presence(s->has_group, PP_HAS(d, PCIPASS_A_DEV_IOMMU_GROUP),
			    "iommu-group", why, whylen);
	if (s->has_group && PP_HAS(d, PCIPASS_A_DEV_IOMMU_GROUP) &&
	    s->group != d->iommu_group)
		MISMATCH("iommu-group %u, sysfs %u", d->iommu_group, s->group);

	bad += cmp_presence(s->has_upstream, PP_HAS(d, PCIPASS_A_DEV_UPSTREAM),
			    "upstream", why, whylen);
	if (s->has_upstream && PP_HAS(d, PCIPASS_A_DEV_UPSTREAM) &&
	    pci_addr_cmp(&s->upstream, &d->upstream)) {
		addr_str(&d->upstream, b1, sizeof(b1));
		addr_str(&s->upstream, b2, sizeof(b2));
		MISMATCH("upstream %s, sysfs %s", b1, b2);
	}

	if (!privileged) {
		if (!PP_HAS(d, PCIPASS_A_DEV_RESTRICTED))
			MISMATCH("restricted flag missing for an unprivileged caller");
		if (PP_HAS(d, PCIPASS_A_DEV_ACS))
			MISMATCH("acs reported to an unprivileged caller");
		if (PP_HAS(d, PCIPASS_A_DEV_PCIE_TYPE))
			MISMATCH("pcie-type reported to an unprivileged caller");
		return bad;
	}

	if (PP_HAS(d, PCIPASS_A_DEV_RESTRICTED))
		MISMATCH("restricted flag set for a privileged caller");
	if (!s->cfg_full) {
		MISMATCH("sysfs config space not fully readable (%d bytes) as root",
			 s->cfg_len);
		return bad;
	}
	bad += cmp_presence(s->is_pcie, PP_HAS(d, PCIPASS_A_DEV_PCIE_TYPE),
			    "pcie-type", why, whylen);
	if (s->is_pcie && PP_HAS(d, PCIPASS_A_DEV_PCIE_TYPE) &&
	    s->pcie_type != d->pcie_type)
		MISMATCH("pcie-type %u, config space %u", d->pcie_type, s->pcie_type);
	bad += cmp_presence(s->has_acs, PP_HAS(d, PCIPASS_A_DEV_ACS),
			    "acs", why, whylen);
	if (s->has_acs && PP_HAS(d, PCIPASS_A_DEV_ACS)) {
		uint32_t all = 1u << PCIPASS_A_ACS_POS | 1u << PCIPASS_A_ACS_CAP |
			       1u << PCIPASS_A_ACS_CTRL;

		if (d->acs_seen != all)
			MISMATCH("acs nest attributes %#x, want %#x", d->acs_seen, all);
		if (d->acs_pos != s->acs_pos || d->acs_cap != s->acs_cap ||
		    d->acs_ctrl != s->acs_ctrl)
			MISMATCH("acs pos/cap/ctrl %#x/%#x/%#x, config space %#x/%#x/%#x",
				 d->acs_pos, d->acs_cap, d->acs_ctrl,
				 s->acs_pos, s->acs_cap, s->acs_ctrl);
	}
	return bad;
}

static int cmp_ioc_addr(const struct pci_addr *s, const struct pcipass_ioc_addr *a,
			const char *what, char *why, int whylen)
{
	int bad = 0;

	if (a->domain != s->domain || a->bus != s->bus || a->devfn != s->devfn ||
	    a->reserved)
		MISMATCH("%s %x:%x:%x (reserved %u), want %04x:%02x:%02x", what,
			 a->domain, a->bus, a->devfn, a->reserved,
			 s->domain, s->bus, s->devfn);
	return bad;
}

static int cmp_ioc_name(bool has, const char *sysfs_name, const char *name,
			const char *what, char *why, int whylen)
{
	int bad = 0;

	if (!has)
		return 0;
	if (!memchr(name, 0, PCIPASS_NAME_LEN)) {
		MISMATCH("%s not NUL-terminated", what);
		return bad;
	}
	if (strlen(sysfs_name) < PCIPASS_NAME_LEN) {
		if (strcmp(sysfs_name, name))
			MISMATCH("%s '%s', sysfs '%s'", what, name, sysfs_name);
	} else if (strlen(name) != PCIPASS_NAME_LEN - 1 ||
		   strncmp(sysfs_name, name, PCIPASS_NAME_LEN - 1)) {
		MISMATCH("%s '%s' is not the first %d bytes of '%s'", what, name,
			 PCIPASS_NAME_LEN - 1, sysfs_name);
	}
	return bad;
}

int pp_cmp_ioc(const struct sysfs_dev *s, const struct pcipass_ioc_device *d,
	       bool privileged, char *why, int whylen)
{
	uint32_t want = 0, known = (PCIPASS_DEV_F_TRUNCATED << 1) - 1;
	bool truncated;
	int bad = 0;

	if (s->multifunction)
		want |= PCIPASS_DEV_F_MULTIFUNCTION;
	if (s->is_virtfn)
		want |= PCIPASS_DEV_F_VIRTFN;
	if (s->has_driver)
		want |= PCIPASS_DEV_F_DRIVER;
	if (s->has_override)
		want |= PCIPASS_DEV_F_DRIVER_OVERRIDE;
	if (s->has_group)
		want |= PCIPASS_DEV_F_IOMMU_GROUP;
	if (s->has_upstream)
		want |= PCIPASS_DEV_F_UPSTREAM;
	if (!privileged)
		want |= PCIPASS_DEV_F_RESTRICTED;
	if (privileged && s->is_pcie)
		want |= PCIPASS_DEV_F_PCIE;
	if (privileged && s->has_acs)
		want |= PCIPASS_DEV_F_ACS;
	truncated = (s->has_driver && strlen(s->driver) >= PCIPASS_NAME_LEN) ||
		    (s->has_override && strlen(s->override) >= PCIPASS_NAME_LEN);
	if (truncated)
		want |= PCIPASS_DEV_F_TRUNCATED;
	if (privileged && !s->cfg_full)
		MISMATCH("sysfs config space not fully readable (%d bytes) as root",
			 s->cfg_len);
	if (d->present & ~known)
		MISMATCH("unknown present bits %#x", d->present & ~known);
	if ((d->present & known) != want)
		MISMATCH("present %#x, want %#x", d->present, want);

	bad += cmp_ioc_addr(&s->addr, &d->addr, "addr", why, whylen);
#define CMPV(field, fmt) \
	if (d->field != s->field) \
		MISMATCH(#field " " fmt ", sysfs " fmt, d->field, (uint32_t)s->field)
	CMPV(vendor, "%#06x");
	CMPV(device, "%#06x");
	CMPV(subsystem_vendor, "%#06x");
	CMPV(subsystem_device, "%#06x");
	CMPV(class, "%#08x");
	CMPV(revision, "%#04x");
	CMPV(header_type, "%u");
#undef CMPV
	if (d->reserved)
		MISMATCH("reserved %#x", d->reserved);
	if (s->is_virtfn)
		bad += cmp_ioc_addr(&s->physfn, &d->physfn, "physfn", why, whylen);
	if (s->has_upstream)
		bad += cmp_ioc_addr(&s->upstream, &d->upstream, "upstream", why, whylen);
	if (s->has_group && d->iommu_group != s->group)
		MISMATCH("iommu_group %u, sysfs %u", d->iommu_group, s->group);
	bad += cmp_ioc_name(s->has_driver, s->driver, d->driver, "driver",
			    why, whylen);
	bad += cmp_ioc_name(s->has_override, s->override, d->driver_override,
			    "driver_override", why, whylen);

	if (!privileged) {
		if (d->acs_pos || d->acs_cap || d->acs_ctrl || d->pcie_type)
			MISMATCH("unprivileged: acs %#x/%#x/%#x pcie_type %u not zero",
				 d->acs_pos, d->acs_cap, d->acs_ctrl, d->pcie_type);
		return bad;
	}
	if (s->is_pcie && d->pcie_type != s->pcie_type)
		MISMATCH("pcie_type %u, config space %u", d->pcie_type, s->pcie_type);
	if (s->has_acs && (d->acs_pos != s->acs_pos || d->acs_cap != s->acs_cap ||
			   d->acs_ctrl != s->acs_ctrl))
		MISMATCH("acs pos/cap/ctrl %#x/%#x/%#x, config space %#x/%#x/%#x",
			 d->acs_pos, d->acs_cap, d->acs_ctrl,
			 s->acs_pos, s->acs_cap, s->acs_ctrl);
	return bad;
}

int pp_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

int pp_ioc_dev_get(int fd, const struct pci_addr *a,
		   struct pcipass_ioc_device *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->addr.domain = a->domain;
	d->addr.bus = a->bus;
	d->addr.devfn = a->devfn;
	return pp_ioctl(fd, PCIPASS_IOC_DEVICE_GET, d);
}

int pp_drop_privileges(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY_ID) || setuid(NOBODY_ID))
		return -errno;
	if (geteuid() != NOBODY_ID || getegid() != NOBODY_ID)
		return -EPERM;
	return 0;
}

int pp_first_pci_addr(struct pci_addr *a)
{
	char **names;
	int n, ret;

	n = sysfs_pci_list(&names);
	if (n <= 0)
		return n ? n : -ENODEV;
	ret = pci_addr_parse(names[0], a);
	sysfs_names_free(names, n);
	return ret;
}

bool pp_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/pcipass", &st) == 0;
}

bool pp_sysfs_has(const struct pci_addr *a)
{
	char name[32], path[96];
	struct stat st;

	pci_addr_fmt(a, name, sizeof(name));
	snprintf(path, sizeof(path), "%s/%s", SYSFS_PCI_DEVICES, name);
	return stat(path, &st) == 0;
}

bool pp_kernel_before_6_2(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 2);
}

void pp_claim_reply_tx(const struct nl_reply *rep, uint32_t *txid,
		       uint32_t *state)
{
	const struct nlattr *a;
	int rem;

	*txid = 0;
	*state = 0;
	if (rep->nmsgs != 1)
		return;
	nla_for_each(a, (char *)NLMSG_DATA(rep->msgs[0].nlh) + GENL_HDRLEN,
		     rep->msgs[0].nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, rem) {
		if (nla_plen(a) != 4)
			continue;
		if (nla_kind(a) == PCIPASS_A_CLAIM_TXID)
			memcpy(txid, nla_payload(a), 4);
		else if (nla_kind(a) == PCIPASS_A_CLAIM_TX_STATE)
			memcpy(state, nla_payload(a), 4);
	}
}

int pp_claim_get_wait(struct nl_sock *s, uint16_t family, uint32_t txid,
		      struct nl_reply *rep)
{
	int ret, us = 1000, waited = 0;
	uint32_t id, state;
	struct nlb g;

	for (;;) {
		nlb_init(&g, family, NLM_F_REQUEST | NLM_F_ACK,
			 PCIPASS_CMD_CLAIM_GET, PCIPASS_FAMILY_VERSION);
		nlb_put_u32(&g, PCIPASS_A_CLAIM_TXID, txid);
		ret = nl_transact(s, &g, rep);
		if (ret || rep->error)
			return ret;
		pp_claim_reply_tx(rep, &id, &state);
		if (state == PCIPASS_TX_DONE)
			return 0;
		if (waited > PP_CLAIM_WAIT_S * 1000000)
			return -ETIMEDOUT;
		usleep(us);
		waited += us;
		us = us < 50000 ? us * 2 : 50000;
		nl_reply_free(rep);
		memset(rep, 0, sizeof(*rep));
	}
}

int pp_claim_transact(struct nl_sock *s, uint16_t family, struct nlb *b,
		      struct nl_reply *rep)
{
	int ret = nl_transact(s, b, rep);
	uint32_t txid, state;

	if (ret || rep->error)
		return ret;
	/* the answer says queued, running or done: the report comes from claim-get */
	pp_claim_reply_tx(rep, &txid, &state);
	if (!txid)
		return 0;
	nl_reply_free(rep);
	memset(rep, 0, sizeof(*rep));
	return pp_claim_get_wait(s, family, txid, rep);
}
