// SPDX-License-Identifier: GPL-2.0
/*
 * Both interfaces' device answers compared with sysfs (see ppcmp.h).
 */
#include <stdio.h>
#include <string.h>

#include "ppcmp.h"

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
