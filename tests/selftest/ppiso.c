// SPDX-License-Identifier: GPL-2.0
/*
 * isolation-get answers for the pcipass selftests: parsing, comparison,
 * and the check against sysfs and config space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "ppcommon.h"
#include "ppiso.h"

#define MISMATCH(...) do { pp_why_add(why, whylen, __VA_ARGS__); bad++; } while (0)
#define BAD(...) do { pp_why_add(why, whylen, __VA_ARGS__); return -EBADMSG; } while (0)

/* PCI_EXP_TYPE_* */
enum {
	T_ENDPOINT = 0, T_LEG_END = 1, T_ROOT_PORT = 4, T_UPSTREAM = 5,
	T_DOWNSTREAM = 6, T_PCI_BRIDGE = 7, T_PCIE_BRIDGE = 8, T_RC_END = 9,
	T_RC_EC = 10,
};

/* ------------------------------------------------------------------ */
/* Ground truth.                                                       */

int pp_world_read(struct pp_world *w)
{
	char **names;
	int i, n, ret;

	memset(w, 0, sizeof(*w));
	n = sysfs_pci_list(&names);
	if (n <= 0)
		return n ? n : -ENODEV;
	w->sd = calloc(n, sizeof(*w->sd));
	if (!w->sd) {
		sysfs_names_free(names, n);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		ret = sysfs_pci_read(names[i], &w->sd[i]);
		if (ret) {
			sysfs_names_free(names, n);
			pp_world_free(w);
			return ret;
		}
		w->n++;
	}
	sysfs_names_free(names, n);
	w->ngroups = sysfs_groups_read(&w->groups);
	if (w->ngroups < 0) {
		ret = w->ngroups;
		w->ngroups = 0;
		pp_world_free(w);
		return ret;
	}
	return 0;
}

void pp_world_free(struct pp_world *w)
{
	free(w->sd);
	sysfs_groups_free(w->groups, w->ngroups);
	memset(w, 0, sizeof(*w));
}

int pp_world_find(const struct pp_world *w, const struct pci_addr *a)
{
	int i;

	for (i = 0; i < w->n; i++)
		if (!pci_addr_cmp(&w->sd[i].addr, a))
			return i;
	return -1;
}

const struct sysfs_group *pp_world_group(const struct pp_world *w, uint32_t id)
{
	int i;

	for (i = 0; i < w->ngroups; i++)
		if (w->groups[i].id == id)
			return &w->groups[i];
	return NULL;
}

uint16_t pp_acs_rule(const struct sysfs_dev *d, uint8_t *state)
{
	uint16_t missing;

	*state = PCIPASS_ACS_STATE_NEVER;
	if (!d->is_pcie)
		return PP_ACS_REQUIRED;		/* conventional PCI */
	switch (d->pcie_type) {
	case T_PCI_BRIDGE:
	case T_PCIE_BRIDGE:
	case T_RC_EC:
		return PP_ACS_REQUIRED;
	case T_ROOT_PORT:
	case T_DOWNSTREAM:
		break;			/* ACS always applies */
	case T_ENDPOINT:
	case T_LEG_END:
	case T_UPSTREAM:
	case T_RC_END:
		if (d->multifunction)
			break;		/* applies to multifunction devices */
		/* fall through */
	default:
		*state = PCIPASS_ACS_STATE_NOT_APPLICABLE;
		return 0;
	}
	if (!d->has_acs) {
		*state = PCIPASS_ACS_STATE_ABSENT;
		return PP_ACS_REQUIRED;
	}
	/* a flag the capability does not implement counts as hard-wired on */
	missing = PP_ACS_REQUIRED & d->acs_cap & ~d->acs_ctrl;
	*state = missing ? PCIPASS_ACS_STATE_DISABLED : PCIPASS_ACS_STATE_ENABLED;
	return missing;
}

int pp_world_path(const struct pp_world *w, int i, int *idx, int max)
{
	int n = 0;

	while (i >= 0 && n < max) {
		idx[n++] = i;
		if (!w->sd[i].has_upstream)
			return n;
		i = pp_world_find(w, &w->sd[i].upstream);
	}
	return -1;
}

/* ------------------------------------------------------------------ */
/* Names and small helpers.                                            */

const char *pp_reason_name(unsigned int code)
{
	static const char *const names[] = {
		[PCIPASS_REASON_ISOLATED] = "isolated",
		[PCIPASS_REASON_NO_IOMMU] = "no-iommu",
		[PCIPASS_REASON_UPSTREAM_ACS] = "upstream-acs",
		[PCIPASS_REASON_BRIDGE_ALIAS] = "bridge-alias",
		[PCIPASS_REASON_DMA_ALIAS] = "dma-alias",
		[PCIPASS_REASON_MULTIFUNCTION] = "multifunction",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] : "?";
}

const char *pp_acs_state_name(unsigned int state)
{
	static const char *const names[] = {
		[PCIPASS_ACS_STATE_NOT_APPLICABLE] = "not-applicable",
		[PCIPASS_ACS_STATE_ENABLED] = "enabled",
		[PCIPASS_ACS_STATE_DISABLED] = "disabled",
		[PCIPASS_ACS_STATE_ABSENT] = "absent",
		[PCIPASS_ACS_STATE_NEVER] = "never",
	};

	return state < sizeof(names) / sizeof(names[0]) ? names[state] : "?";
}

int pp_addr_index(const struct pci_addr *list, int n, const struct pci_addr *a)
{
	int i;

	for (i = 0; i < n; i++)
		if (!pci_addr_cmp(&list[i], a))
			return i;
	return -1;
}

const struct pp_iso_reason *pp_iso_reason_of(const struct pp_iso *iso,
					     const struct pci_addr *a)
{
	int i;

	for (i = 0; i < iso->nreasons; i++)
		if (!pci_addr_cmp(&iso->reasons[i].subject, a))
			return &iso->reasons[i];
	return NULL;
}

void pp_addrs_fmt(const struct pci_addr *list, int n, char *buf, int len)
{
	int i, used = 0;

	buf[0] = 0;
	for (i = 0; i < n && used < len - 1; i++) {
		char a[32];

		pci_addr_fmt(&list[i], a, sizeof(a));
		used += snprintf(buf + used, len - used, "%s%s", i ? " " : "", a);
	}
	if (!n)
		snprintf(buf, len, "(none)");
}

static void afmt(const struct pci_addr *a, char *buf)
{
	pci_addr_fmt(a, buf, 32);
}

/* ------------------------------------------------------------------ */
/* Requests.                                                           */

void pp_req_iso_get(struct nlb *b, uint16_t family, const struct pci_addr *a)
{
	nlb_init(b, family, NLM_F_REQUEST | NLM_F_ACK, PCIPASS_CMD_ISOLATION_GET,
		 PCIPASS_FAMILY_VERSION);
	nlb_nest_start(b, PCIPASS_A_ISO_ADDR | NLA_F_NESTED);
	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
}

int pp_ioc_iso_get(int fd, const struct pci_addr *a,
		   struct pcipass_ioc_isolation *io)
{
	memset(io, 0, sizeof(*io));
	io->size = sizeof(*io);
	io->addr.domain = a->domain;
	io->addr.bus = a->bus;
	io->addr.devfn = a->devfn;
	return pp_ioctl(fd, PCIPASS_IOC_ISOLATION_GET, io);
}

/* ------------------------------------------------------------------ */
/* The netlink reply.                                                  */

static int parse_hop(const struct nlattr *nest, struct pp_iso_hop *h,
		     char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_HOP_MAX + 1];
	const struct nlattr *atb[PCIPASS_A_ACS_MAX + 1];

	memset(h, 0, sizeof(*h));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_HOP_MAX, 0))
		BAD("hop: malformed, unknown or duplicate attribute");
	if (!tb[PCIPASS_A_HOP_ADDR] || !tb[PCIPASS_A_HOP_ACS_STATE] ||
	    !tb[PCIPASS_A_HOP_ACS_MISSING])
		BAD("hop: addr, acs-state or acs-missing missing");
	if (pp_get_addr(tb[PCIPASS_A_HOP_ADDR], &h->addr, "hop-addr", why, whylen) ||
	    pp_get_u8(tb[PCIPASS_A_HOP_ACS_STATE], &h->state, "hop-acs-state", why, whylen) ||
	    pp_get_u16(tb[PCIPASS_A_HOP_ACS_MISSING], &h->missing, "hop-acs-missing",
		       why, whylen))
		return -EBADMSG;
	if (h->state > PCIPASS_ACS_STATE_NEVER)
		BAD("hop: acs-state %u", h->state);
	if (tb[PCIPASS_A_HOP_PCIE_TYPE]) {
		if (pp_get_u8(tb[PCIPASS_A_HOP_PCIE_TYPE], &h->pcie_type,
			      "hop-pcie-type", why, whylen))
			return -EBADMSG;
		h->has_pcie = true;
	}
	if (tb[PCIPASS_A_HOP_ACS]) {
		const struct nlattr *acs = tb[PCIPASS_A_HOP_ACS];

		if (!(acs->nla_type & NLA_F_NESTED))
			BAD("hop: acs without NLA_F_NESTED");
		if (nla_parse_strict(nla_payload(acs), nla_plen(acs), atb,
				     PCIPASS_A_ACS_MAX, 0))
			BAD("hop acs: malformed, unknown or duplicate attribute");
		if (!atb[PCIPASS_A_ACS_POS] || !atb[PCIPASS_A_ACS_CAP] ||
		    !atb[PCIPASS_A_ACS_CTRL])
			BAD("hop acs: pos, cap or ctrl missing");
		if (pp_get_u16(atb[PCIPASS_A_ACS_POS], &h->acs_pos, "acs-pos", why, whylen) ||
		    pp_get_u16(atb[PCIPASS_A_ACS_CAP], &h->acs_cap, "acs-cap", why, whylen) ||
		    pp_get_u16(atb[PCIPASS_A_ACS_CTRL], &h->acs_ctrl, "acs-ctrl", why, whylen))
			return -EBADMSG;
		h->has_acs = true;
	}
	return 0;
}

static int parse_reason(const struct nlattr *nest, struct pp_iso_reason *r,
			char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_REASON_MAX + 1];

	memset(r, 0, sizeof(*r));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_REASON_MAX, 0))
		BAD("reason: malformed, unknown or duplicate attribute");
	if (!tb[PCIPASS_A_REASON_CODE] || !tb[PCIPASS_A_REASON_SUBJECT] ||
	    !tb[PCIPASS_A_REASON_ACS_MISSING])
		BAD("reason: code, subject or acs-missing missing");
	if (pp_get_u8(tb[PCIPASS_A_REASON_CODE], &r->code, "reason-code", why, whylen) ||
	    pp_get_addr(tb[PCIPASS_A_REASON_SUBJECT], &r->subject, "reason-subject",
			why, whylen) ||
	    pp_get_u16(tb[PCIPASS_A_REASON_ACS_MISSING], &r->missing,
		       "reason-acs-missing", why, whylen))
		return -EBADMSG;
	if (r->code > PCIPASS_REASON_MULTIFUNCTION)
		BAD("reason: code %u", r->code);
	if (tb[PCIPASS_A_REASON_PEER]) {
		if (pp_get_addr(tb[PCIPASS_A_REASON_PEER], &r->peer, "reason-peer",
				why, whylen))
			return -EBADMSG;
		r->has_peer = true;
	}
	if (tb[PCIPASS_A_REASON_CAUSE]) {
		if (pp_get_addr(tb[PCIPASS_A_REASON_CAUSE], &r->cause, "reason-cause",
				why, whylen))
			return -EBADMSG;
		r->has_cause = true;
	}
	return 0;
}

static int parse_blocker(const struct nlattr *nest, struct pp_iso_blocker *b,
			 char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_BLOCKER_MAX + 1];

	memset(b, 0, sizeof(*b));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_BLOCKER_MAX, 0))
		BAD("blocker: malformed, unknown or duplicate attribute");
	if (!tb[PCIPASS_A_BLOCKER_ADDR] || !tb[PCIPASS_A_BLOCKER_DRIVER])
		BAD("blocker: addr or driver missing");
	if (pp_get_addr(tb[PCIPASS_A_BLOCKER_ADDR], &b->addr, "blocker-addr",
			why, whylen) ||
	    pp_get_str(tb[PCIPASS_A_BLOCKER_DRIVER], b->driver, sizeof(b->driver),
		       "blocker-driver", why, whylen))
		return -EBADMSG;
	return 0;
}

/* Append an address to a list of PP_ISO_MAX. */
static int parse_list_addr(const struct nlattr *nla, struct pci_addr *list,
			   int *n, const char *name, char *why, int whylen)
{
	if (*n >= PP_ISO_MAX)
		BAD("more than %d %s entries", PP_ISO_MAX, name);
	if (pp_get_addr(nla, &list[*n], name, why, whylen))
		return -EBADMSG;
	(*n)++;
	return 0;
}

int pp_parse_iso(const struct nlmsghdr *nlh, struct pp_iso *iso,
		 char *why, int whylen)
{
	bool have_addr = false, have_group = false;
	const struct nlattr *nla;
	void *attrs;
	int len, rem, ret = 0;

	memset(iso, 0, sizeof(*iso));
	if (pp_check_genl_hdr(nlh, PCIPASS_CMD_ISOLATION_GET, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	nla_for_each(nla, attrs, len, rem) {
		int t = nla_kind(nla);
		bool nest = nla->nla_type & NLA_F_NESTED;

		switch (t) {
		case PCIPASS_A_ISO_ADDR:
		case PCIPASS_A_ISO_HOP:
		case PCIPASS_A_ISO_REASON:
		case PCIPASS_A_ISO_PREDICTED:
		case PCIPASS_A_ISO_KERNEL_ONLY:
		case PCIPASS_A_ISO_PREDICTED_ONLY:
		case PCIPASS_A_ISO_BLOCKER:
			if (!nest)
				BAD("attribute %d: a nest without NLA_F_NESTED", t);
			break;
		default:
			if (nest)
				BAD("attribute %d: NLA_F_NESTED on a scalar", t);
			break;
		}
		switch (t) {
		case PCIPASS_A_ISO_ADDR:
			if (have_addr)
				BAD("duplicate addr");
			ret = pp_get_addr(nla, &iso->addr, "addr", why, whylen);
			have_addr = true;
			break;
		case PCIPASS_A_ISO_IOMMU_GROUP:
			if (have_group)
				BAD("duplicate iommu-group");
			ret = pp_get_u32(nla, &iso->group, "iommu-group", why, whylen);
			have_group = iso->has_group = true;
			break;
		case PCIPASS_A_ISO_HOP:
			if (iso->nhops >= PP_ISO_MAX)
				BAD("more than %d hops", PP_ISO_MAX);
			ret = parse_hop(nla, &iso->hops[iso->nhops++], why, whylen);
			break;
		case PCIPASS_A_ISO_REASON:
			if (iso->nreasons >= PP_ISO_MAX)
				BAD("more than %d reasons", PP_ISO_MAX);
			ret = parse_reason(nla, &iso->reasons[iso->nreasons++], why, whylen);
			break;
		case PCIPASS_A_ISO_PREDICTED:
			ret = parse_list_addr(nla, iso->pred, &iso->npred, "predicted",
					      why, whylen);
			break;
		case PCIPASS_A_ISO_KERNEL_ONLY:
			ret = parse_list_addr(nla, iso->ko, &iso->nko, "kernel-only",
					      why, whylen);
			break;
		case PCIPASS_A_ISO_PREDICTED_ONLY:
			ret = parse_list_addr(nla, iso->po, &iso->npo, "predicted-only",
					      why, whylen);
			break;
		case PCIPASS_A_ISO_READY:
			if (iso->ready)
				BAD("duplicate ready");
			ret = pp_check_len(nla, 0, "ready", why, whylen);
			iso->ready = true;
			break;
		case PCIPASS_A_ISO_BLOCKER:
			if (iso->nblk >= PP_ISO_MAX)
				BAD("more than %d blockers", PP_ISO_MAX);
			ret = parse_blocker(nla, &iso->blk[iso->nblk++], why, whylen);
			break;
		case PCIPASS_A_ISO_TRUNCATED:
			if (iso->truncated)
				BAD("duplicate truncated");
			ret = pp_check_len(nla, 0, "truncated", why, whylen);
			iso->truncated = true;
			break;
		default:
			BAD("unknown attribute %d", t);
		}
		if (ret)
			return -EBADMSG;
	}
	if (rem)
		BAD("trailing bytes");
	if (!have_addr)
		BAD("no addr");
	return 0;
}

/* ------------------------------------------------------------------ */
/* The ioctl answer.                                                   */

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static int ioc_addr(const struct pcipass_ioc_addr *in, struct pci_addr *a,
		    const char *what, char *why, int whylen)
{
	if (in->reserved || in->bus > 0xff || in->devfn > 0xff)
		BAD("%s %x:%x:%x reserved %#x", what, in->domain, in->bus,
		    in->devfn, in->reserved);
	a->domain = in->domain;
	a->bus = in->bus;
	a->devfn = in->devfn;
	return 0;
}

/*
 * How many of @nr entries an array of @room holds; a count beyond the
 * array needs PCIPASS_ISO_F_TRUNCATED, and the unused entries are zero.
 */
static int ioc_count(uint32_t nr, unsigned int room, const void *array,
		     size_t entry, bool truncated, const char *what,
		     char *why, int whylen)
{
	unsigned int n = nr < room ? nr : room;

	if (nr > room && !truncated)
		BAD("%s: %u entries for %u places, truncated not set", what, nr, room);
	if (!all_zero((const uint8_t *)array + n * entry, (room - n) * entry))
		BAD("%s: unused entries after %u are not zero", what, n);
	return n;
}

int pp_iso_from_ioc(const struct pcipass_ioc_isolation *io, struct pp_iso *iso,
		    char *why, int whylen)
{
	const uint32_t known = PCIPASS_ISO_F_IOMMU_GROUP | PCIPASS_ISO_F_READY |
			       PCIPASS_ISO_F_TRUNCATED;
	int i, n;

	memset(iso, 0, sizeof(*iso));
	if (io->present & ~known)
		BAD("unknown present bits %#x", io->present & ~known);
	iso->has_group = io->present & PCIPASS_ISO_F_IOMMU_GROUP;
	iso->ready = io->present & PCIPASS_ISO_F_READY;
	iso->truncated = io->present & PCIPASS_ISO_F_TRUNCATED;
	if (ioc_addr(&io->addr, &iso->addr, "addr", why, whylen))
		return -EBADMSG;
	iso->group = io->iommu_group;
	if (!iso->has_group && io->iommu_group)
		BAD("iommu_group %u without PCIPASS_ISO_F_IOMMU_GROUP", io->iommu_group);

	n = ioc_count(io->nr_hops, PCIPASS_IOC_ISO_HOPS, io->hops, sizeof(io->hops[0]),
		      iso->truncated, "hops", why, whylen);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		const struct pcipass_ioc_hop *h = &io->hops[i];
		struct pp_iso_hop *o = &iso->hops[i];

		if (ioc_addr(&h->addr, &o->addr, "hop addr", why, whylen))
			return -EBADMSG;
		if (h->present & ~(PCIPASS_DEV_F_PCIE | PCIPASS_DEV_F_ACS) || h->reserved)
			BAD("hop %d: present %#x reserved %#x", i, h->present, h->reserved);
		o->has_pcie = h->present & PCIPASS_DEV_F_PCIE;
		o->has_acs = h->present & PCIPASS_DEV_F_ACS;
		if ((!o->has_pcie && h->pcie_type) ||
		    (!o->has_acs && (h->acs_pos || h->acs_cap || h->acs_ctrl)))
			BAD("hop %d: pcie_type/acs set without their present bit", i);
		if (h->pcie_type > 0xff || h->acs_pos > 0xffff || h->acs_cap > 0xffff ||
		    h->acs_ctrl > 0xffff || h->acs_state > PCIPASS_ACS_STATE_NEVER ||
		    h->acs_missing > 0xffff)
			BAD("hop %d: a field out of range", i);
		o->pcie_type = h->pcie_type;
		o->acs_pos = h->acs_pos;
		o->acs_cap = h->acs_cap;
		o->acs_ctrl = h->acs_ctrl;
		o->state = h->acs_state;
		o->missing = h->acs_missing;
	}
	iso->nhops = n;

	n = ioc_count(io->nr_reasons, PCIPASS_IOC_ISO_REASONS, io->reasons,
		      sizeof(io->reasons[0]), iso->truncated, "reasons", why, whylen);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		const struct pcipass_ioc_reason *r = &io->reasons[i];
		struct pp_iso_reason *o = &iso->reasons[i];
		const uint32_t rknown = PCIPASS_REASON_F_PEER | PCIPASS_REASON_F_CAUSE;

		if (r->present & ~rknown || r->reserved ||
		    r->code > PCIPASS_REASON_MULTIFUNCTION || r->acs_missing > 0xffff)
			BAD("reason %d: code %u present %#x reserved %#x missing %#x", i,
			    r->code, r->present, r->reserved, r->acs_missing);
		o->code = r->code;
		o->missing = r->acs_missing;
		o->has_peer = r->present & PCIPASS_REASON_F_PEER;
		o->has_cause = r->present & PCIPASS_REASON_F_CAUSE;
		if (ioc_addr(&r->subject, &o->subject, "reason subject", why, whylen))
			return -EBADMSG;
		if (o->has_peer ? ioc_addr(&r->peer, &o->peer, "reason peer", why, whylen) :
		    !all_zero(&r->peer, sizeof(r->peer)))
			BAD("reason %d: peer", i);
		if (o->has_cause ? ioc_addr(&r->cause, &o->cause, "reason cause", why, whylen) :
		    !all_zero(&r->cause, sizeof(r->cause)))
			BAD("reason %d: cause", i);
	}
	iso->nreasons = n;

#define LIST(field, room, out, nout, what) do {					\
	n = ioc_count(io->nr_##field, room, io->field, sizeof(io->field[0]),	\
		      iso->truncated, what, why, whylen);			\
	if (n < 0)								\
		return n;							\
	for (i = 0; i < n; i++)							\
		if (ioc_addr(&io->field[i], &iso->out[i], what, why, whylen))	\
			return -EBADMSG;					\
	iso->nout = n;								\
} while (0)
	LIST(predicted, PCIPASS_IOC_ISO_PREDICTED, pred, npred, "predicted");
	LIST(kernel_only, PCIPASS_IOC_ISO_DIFF, ko, nko, "kernel_only");
	LIST(predicted_only, PCIPASS_IOC_ISO_DIFF, po, npo, "predicted_only");
#undef LIST

	n = ioc_count(io->nr_blockers, PCIPASS_IOC_ISO_BLOCKERS, io->blockers,
		      sizeof(io->blockers[0]), iso->truncated, "blockers", why, whylen);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		const struct pcipass_ioc_blocker *b = &io->blockers[i];
		const char *nul = memchr(b->driver, 0, sizeof(b->driver));

		if (ioc_addr(&b->addr, &iso->blk[i].addr, "blocker addr", why, whylen))
			return -EBADMSG;
		if (!nul || nul == b->driver)
			BAD("blocker %d: driver name empty or not NUL-terminated", i);
		if (!all_zero(nul, b->driver + sizeof(b->driver) - nul))
			BAD("blocker %d: bytes after the driver name are not zero", i);
		memcpy(iso->blk[i].driver, b->driver, nul - b->driver + 1);
	}
	iso->nblk = n;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Netlink and ioctl, field by field.                                  */

static int diff_addrs(const struct pci_addr *a, int na, const struct pci_addr *b,
		      int nb, bool prefix, const char *what, char *why, int whylen)
{
	char sa[512], sb[512];
	int i, bad = 0;

	if (na != nb && !(prefix && nb < na))
		goto differ;
	for (i = 0; i < nb; i++)
		if (pci_addr_cmp(&a[i], &b[i]))
			goto differ;
	return 0;
differ:
	pp_addrs_fmt(a, na, sa, sizeof(sa));
	pp_addrs_fmt(b, nb, sb, sizeof(sb));
	MISMATCH("%s: netlink [%s], ioctl [%s]", what, sa, sb);
	return bad;
}

int pp_iso_diff(const struct pp_iso *nl, const struct pp_iso *io,
		char *why, int whylen)
{
	bool pre = io->truncated;
	char a[32], b[32];
	int bad = 0, i, n;

	if (pci_addr_cmp(&nl->addr, &io->addr)) {
		afmt(&nl->addr, a);
		afmt(&io->addr, b);
		MISMATCH("addr: netlink %s, ioctl %s", a, b);
	}
	if (nl->has_group != io->has_group || nl->group != io->group)
		MISMATCH("iommu-group: netlink %s%u, ioctl %s%u",
			 nl->has_group ? "" : "none ", nl->group,
			 io->has_group ? "" : "none ", io->group);
	if (nl->ready != io->ready)
		MISMATCH("ready: netlink %d, ioctl %d", nl->ready, io->ready);
	if (nl->truncated && !io->truncated)
		MISMATCH("truncated: netlink 1, ioctl 0");

	if (nl->nhops != io->nhops && !(pre && io->nhops < nl->nhops))
		MISMATCH("hops: netlink %d, ioctl %d", nl->nhops, io->nhops);
	n = nl->nhops < io->nhops ? nl->nhops : io->nhops;
	for (i = 0; i < n; i++) {
		const struct pp_iso_hop *x = &nl->hops[i], *y = &io->hops[i];

		if (pci_addr_cmp(&x->addr, &y->addr) || x->has_pcie != y->has_pcie ||
		    x->pcie_type != y->pcie_type || x->has_acs != y->has_acs ||
		    x->acs_pos != y->acs_pos || x->acs_cap != y->acs_cap ||
		    x->acs_ctrl != y->acs_ctrl || x->state != y->state ||
		    x->missing != y->missing) {
			afmt(&x->addr, a);
			afmt(&y->addr, b);
			MISMATCH("hop %d: netlink %s type %d acs %d %#x/%#x/%#x %s %#x, ioctl %s type %d acs %d %#x/%#x/%#x %s %#x",
				 i, a, x->has_pcie ? x->pcie_type : -1, x->has_acs,
				 x->acs_pos, x->acs_cap, x->acs_ctrl,
				 pp_acs_state_name(x->state), x->missing,
				 b, y->has_pcie ? y->pcie_type : -1, y->has_acs,
				 y->acs_pos, y->acs_cap, y->acs_ctrl,
				 pp_acs_state_name(y->state), y->missing);
		}
	}

	if (nl->nreasons != io->nreasons && !(pre && io->nreasons < nl->nreasons))
		MISMATCH("reasons: netlink %d, ioctl %d", nl->nreasons, io->nreasons);
	n = nl->nreasons < io->nreasons ? nl->nreasons : io->nreasons;
	for (i = 0; i < n; i++) {
		const struct pp_iso_reason *x = &nl->reasons[i], *y = &io->reasons[i];

		if (x->code != y->code || pci_addr_cmp(&x->subject, &y->subject) ||
		    x->has_peer != y->has_peer ||
		    (x->has_peer && pci_addr_cmp(&x->peer, &y->peer)) ||
		    x->has_cause != y->has_cause ||
		    (x->has_cause && pci_addr_cmp(&x->cause, &y->cause)) ||
		    x->missing != y->missing) {
			afmt(&x->subject, a);
			afmt(&y->subject, b);
			MISMATCH("reason %d: netlink %s %s, ioctl %s %s (or their peer, cause, acs-missing)",
				 i, pp_reason_name(x->code), a, pp_reason_name(y->code), b);
		}
	}
	bad += diff_addrs(nl->pred, nl->npred, io->pred, io->npred, pre,
			  "predicted", why, whylen);
	bad += diff_addrs(nl->ko, nl->nko, io->ko, io->nko, pre,
			  "kernel-only", why, whylen);
	bad += diff_addrs(nl->po, nl->npo, io->po, io->npo, pre,
			  "predicted-only", why, whylen);

	if (nl->nblk != io->nblk && !(pre && io->nblk < nl->nblk))
		MISMATCH("blockers: netlink %d, ioctl %d", nl->nblk, io->nblk);
	n = nl->nblk < io->nblk ? nl->nblk : io->nblk;
	for (i = 0; i < n; i++) {
		const struct pp_iso_blocker *x = &nl->blk[i], *y = &io->blk[i];
		size_t room = PCIPASS_NAME_LEN - 1;

		if (pci_addr_cmp(&x->addr, &y->addr) ||
		    (strlen(x->driver) <= room ? strcmp(x->driver, y->driver) :
		     !pre || strncmp(x->driver, y->driver, room) ||
		     strlen(y->driver) != room)) {
			afmt(&x->addr, a);
			afmt(&y->addr, b);
			MISMATCH("blocker %d: netlink %s %s, ioctl %s %s", i, a,
				 x->driver, b, y->driver);
		}
	}
	return bad;
}

/* ------------------------------------------------------------------ */
/* An answer against the ground truth.                                 */

static bool driver_manages_dma(const char *drv)
{
	size_t n = strlen(drv), s = strlen("_vfio_pci");

	return !strcmp(drv, "vfio-pci") || !strcmp(drv, "pci-stub") ||
	       !strcmp(drv, "pcieport") || (n > s && !strcmp(drv + n - s, "_vfio_pci"));
}

static int check_hops(const struct pp_world *w, int i, const struct pp_iso *iso,
		      char *why, int whylen)
{
	int path[PP_ISO_MAX], np, k, bad = 0;
	char a[32];

	np = pp_world_path(w, i, path, PP_ISO_MAX);
	if (np < 0) {
		MISMATCH("sysfs: a bridge above %s is not a PCI function", w->sd[i].name);
		return bad;
	}
	if (iso->nhops != np && !(iso->truncated && iso->nhops < np))
		MISMATCH("%d hops, the sysfs path has %d", iso->nhops, np);
	for (k = 0; k < np && k < iso->nhops; k++) {
		const struct sysfs_dev *d = &w->sd[path[k]];
		const struct pp_iso_hop *h = &iso->hops[k];
		uint8_t state;
		uint16_t missing = pp_acs_rule(d, &state);

		if (pci_addr_cmp(&h->addr, &d->addr)) {
			afmt(&h->addr, a);
			MISMATCH("hop %d is %s, the sysfs path has %s", k, a, d->name);
			continue;
		}
		if (!d->cfg_full) {
			MISMATCH("%s: config space not readable past 64 bytes", d->name);
			continue;
		}
		if (h->has_pcie != d->is_pcie || (d->is_pcie && h->pcie_type != d->pcie_type))
			MISMATCH("hop %s: pcie-type %d, config space %d", d->name,
				 h->has_pcie ? h->pcie_type : -1,
				 d->is_pcie ? d->pcie_type : -1);
		if (h->has_acs != d->has_acs ||
		    (d->has_acs && (h->acs_pos != d->acs_pos || h->acs_cap != d->acs_cap ||
				    h->acs_ctrl != d->acs_ctrl)))
			MISMATCH("hop %s: acs %s%#x/%#x/%#x, config space %s%#x/%#x/%#x",
				 d->name, h->has_acs ? "" : "absent ", h->acs_pos,
				 h->acs_cap, h->acs_ctrl, d->has_acs ? "" : "absent ",
				 d->acs_pos, d->acs_cap, d->acs_ctrl);
		if (h->state != state || h->missing != missing)
			MISMATCH("hop %s: acs-state %s missing %#x, the rules give %s %#x",
				 d->name, pp_acs_state_name(h->state), h->missing,
				 pp_acs_state_name(state), missing);
	}
	return bad;
}

/* Where @a is on the path of w->sd[i] (0: the function itself), or -1. */
static int path_pos(const struct pp_world *w, int i, const struct pci_addr *a)
{
	int path[PP_ISO_MAX], np, k;

	np = pp_world_path(w, i, path, PP_ISO_MAX);
	for (k = 0; k < np; k++)
		if (!pci_addr_cmp(&w->sd[path[k]].addr, a))
			return k;
	return -1;
}

static bool same_slot(const struct pci_addr *x, const struct pci_addr *y)
{
	return x->domain == y->domain && x->bus == y->bus &&
	       (x->devfn >> 3) == (y->devfn >> 3);
}

/* The cause of one reason fits the reason's code. */
static int check_cause(const struct pp_world *w, const struct pp_iso_reason *r,
		       char *why, int whylen)
{
	int s = pp_world_find(w, &r->subject), c, p, k, np, path[PP_ISO_MAX];
	char sa[32], ca[32];
	uint8_t state;
	uint16_t missing;
	int bad = 0;

	afmt(&r->subject, sa);
	afmt(&r->cause, ca);
	if (s < 0) {
		MISMATCH("reason subject %s is not in sysfs", sa);
		return bad;
	}
	if (!r->has_cause) {
		MISMATCH("%s %s: no cause", pp_reason_name(r->code), sa);
		return bad;
	}
	c = pp_world_find(w, &r->cause);
	if (c < 0) {
		MISMATCH("%s %s: cause %s is not in sysfs", pp_reason_name(r->code), sa, ca);
		return bad;
	}
	missing = pp_acs_rule(&w->sd[c], &state);
	switch (r->code) {
	case PCIPASS_REASON_UPSTREAM_ACS:
		/* a bridge above the subject, at or above the peer, not isolating */
		p = r->has_peer ? path_pos(w, s, &r->peer) : -1;
		k = path_pos(w, s, &r->cause);
		if (p < 1 || k < p)
			MISMATCH("upstream-acs %s: peer and cause %s must be bridges above it, the cause at or above the peer",
				 sa, ca);
		if (!missing || r->missing != missing)
			MISMATCH("upstream-acs %s: cause %s acs-missing %#x, its config space gives %s %#x",
				 sa, ca, r->missing, pp_acs_state_name(state), missing);
		break;
	case PCIPASS_REASON_BRIDGE_ALIAS:
		/* a bridge above it that is no root, upstream or downstream port */
		k = path_pos(w, s, &r->cause);
		if (k < 1 || !r->has_peer || pci_addr_cmp(&r->peer, &r->cause))
			MISMATCH("bridge-alias %s: cause %s must be a bridge above it and the peer",
				 sa, ca);
		if (w->sd[c].is_pcie && (w->sd[c].pcie_type == T_ROOT_PORT ||
					 w->sd[c].pcie_type == T_UPSTREAM ||
					 w->sd[c].pcie_type == T_DOWNSTREAM))
			MISMATCH("bridge-alias %s: cause %s is a PCIe port (type %u)",
				 sa, ca, w->sd[c].pcie_type);
		if (r->missing)
			MISMATCH("bridge-alias %s: acs-missing %#x", sa, r->missing);
		break;
	case PCIPASS_REASON_MULTIFUNCTION:
		/* another function of the slot of the subject or a bridge above it */
		np = pp_world_path(w, s, path, PP_ISO_MAX);
		for (k = 0; k < np; k++)
			if (path[k] != c && same_slot(&w->sd[path[k]].addr, &r->cause) &&
			    w->sd[path[k]].multifunction)
				break;
		if (k >= np)
			MISMATCH("multifunction %s: cause %s is no other function of its slot",
				 sa, ca);
		if (!missing || r->missing != missing)
			MISMATCH("multifunction %s: cause %s acs-missing %#x, its config space gives %s %#x",
				 sa, ca, r->missing, pp_acs_state_name(state), missing);
		break;
	case PCIPASS_REASON_DMA_ALIAS:
		np = pp_world_path(w, s, path, PP_ISO_MAX);
		for (k = 0; k < np; k++)
			if (w->sd[path[k]].addr.domain == r->cause.domain &&
			    w->sd[path[k]].addr.bus == r->cause.bus)
				break;
		if (k >= np)
			MISMATCH("dma-alias %s: cause %s is not on its bus", sa, ca);
		break;
	}
	return bad;
}

static int check_reasons(const struct pp_world *w, int i, const struct pp_iso *iso,
			 char *why, int whylen)
{
	const struct sysfs_dev *me = &w->sd[i];
	int bad = 0, k, founders = 0;
	char sa[32], pa[32];

	if (iso->nreasons < 1) {
		MISMATCH("no reason");
		return bad;
	}
	if (iso->npred <= 1) {
		const struct pp_iso_reason *r = &iso->reasons[0];
		uint8_t want = me->has_group ? PCIPASS_REASON_ISOLATED :
					       PCIPASS_REASON_NO_IOMMU;

		if (iso->nreasons != 1 || r->code != want ||
		    pci_addr_cmp(&r->subject, &me->addr) || r->has_peer ||
		    r->has_cause || r->missing)
			MISMATCH("alone in its predicted group: want one reason %s about itself, got %d, the first %s",
				 pp_reason_name(want), iso->nreasons, pp_reason_name(r->code));
		return bad;
	}
	if (iso->nreasons != iso->npred - 1 && !iso->truncated)
		MISMATCH("%d reasons for %d predicted members", iso->nreasons, iso->npred);
	for (k = 0; k < iso->nreasons; k++) {
		const struct pp_iso_reason *r = &iso->reasons[k];

		afmt(&r->subject, sa);
		afmt(&r->peer, pa);
		if (r->code < PCIPASS_REASON_UPSTREAM_ACS) {
			MISMATCH("reason %d (%s): %s in a group of %d", k, sa,
				 pp_reason_name(r->code), iso->npred);
			continue;
		}
		if (pp_addr_index(iso->pred, iso->npred, &r->subject) < 0)
			MISMATCH("reason %d: subject %s not predicted", k, sa);
		if (!r->has_peer || pp_addr_index(iso->pred, iso->npred, &r->peer) < 0 ||
		    !pci_addr_cmp(&r->peer, &r->subject))
			MISMATCH("reason %d (%s): peer %s%s not another predicted member",
				 k, sa, r->has_peer ? "" : "missing ", pa);
		if (pp_iso_reason_of(iso, &r->subject) != r)
			MISMATCH("%s joins its group twice", sa);
		bad += check_cause(w, r, why, whylen);
	}
	for (k = 0; k < iso->npred; k++)
		founders += !pp_iso_reason_of(iso, &iso->pred[k]);
	if (founders != 1 && !iso->truncated)
		MISMATCH("%d predicted members joined nobody, want 1 (the founder)", founders);
	return bad;
}

/* kernel group == predicted + kernel-only - predicted-only */
static int check_groups(const struct pp_world *w, int i, const struct pp_iso *iso,
			char *why, int whylen)
{
	const struct sysfs_dev *me = &w->sd[i];
	const struct sysfs_group *g = NULL;
	char s1[512], s2[512], s3[512], s4[512];
	int bad = 0, k;

	if (iso->has_group != me->has_group || iso->group != (me->has_group ? me->group : 0))
		MISMATCH("iommu-group %s%u, sysfs %s%u", iso->has_group ? "" : "none ",
			 iso->group, me->has_group ? "" : "none ", me->group);
	if (!me->has_group) {
		if (iso->npred || iso->nko || iso->npo)
			MISMATCH("no IOMMU group, yet predicted/kernel-only/predicted-only lists");
		return bad;
	}
	g = pp_world_group(w, me->group);
	if (!g) {
		MISMATCH("group %u not in %s", me->group, SYSFS_IOMMU_GROUPS);
		return bad;
	}
	if (iso->truncated)
		return bad;	/* the lists are cut: the algebra does not hold */
	if (pp_addr_index(iso->pred, iso->npred, &me->addr) < 0)
		MISMATCH("%s is not in its own predicted group", me->name);
	for (k = 0; k < iso->npred; k++)
		if (pp_addr_index(iso->pred, k, &iso->pred[k]) >= 0)
			MISMATCH("predicted lists a member twice");
	for (k = 0; k < iso->nko; k++)
		if (pp_addr_index(iso->pred, iso->npred, &iso->ko[k]) >= 0 ||
		    pp_addr_index(g->members, g->nmembers, &iso->ko[k]) < 0 ||
		    pp_addr_index(iso->ko, k, &iso->ko[k]) >= 0)
			MISMATCH("kernel-only entry %d is predicted, twice, or not in the kernel's group",
				 k);
	for (k = 0; k < iso->npo; k++)
		if (pp_addr_index(iso->pred, iso->npred, &iso->po[k]) < 0 ||
		    pp_addr_index(g->members, g->nmembers, &iso->po[k]) >= 0 ||
		    pp_addr_index(iso->po, k, &iso->po[k]) >= 0)
			MISMATCH("predicted-only entry %d is not predicted, twice, or in the kernel's group",
				 k);
	/* every kernel member is predicted (and not predicted-only) or kernel-only */
	for (k = 0; k < g->nmembers; k++) {
		bool pred = pp_addr_index(iso->pred, iso->npred, &g->members[k]) >= 0;
		bool ko = pp_addr_index(iso->ko, iso->nko, &g->members[k]) >= 0;

		if (pred == ko)
			break;
	}
	/* and every predicted member not in the kernel's group is predicted-only */
	if (k < g->nmembers ||
	    iso->npred - iso->npo + iso->nko != g->nmembers) {
		pp_addrs_fmt(g->members, g->nmembers, s1, sizeof(s1));
		pp_addrs_fmt(iso->pred, iso->npred, s2, sizeof(s2));
		pp_addrs_fmt(iso->ko, iso->nko, s3, sizeof(s3));
		pp_addrs_fmt(iso->po, iso->npo, s4, sizeof(s4));
		MISMATCH("kernel group %u [%s] is not predicted [%s] + kernel-only [%s] - predicted-only [%s]",
			 g->id, s1, s2, s3, s4);
	}
	return bad;
}

static int check_ready(const struct pp_world *w, int i, const struct pp_iso *iso,
		       char *why, int whylen)
{
	const struct sysfs_dev *me = &w->sd[i];
	const struct sysfs_group *g;
	int bad = 0, k, want = 0;
	char a[32];

	if (!me->has_group) {
		if (iso->ready || iso->nblk)
			MISMATCH("no IOMMU group, yet ready or blockers");
		return bad;
	}
	g = pp_world_group(w, me->group);
	if (!g)
		return bad;	/* reported by check_groups() */
	for (k = 0; k < g->nmembers; k++) {
		int m = pp_world_find(w, &g->members[k]), b;
		const struct sysfs_dev *d;

		if (m < 0) {
			MISMATCH("group member %d of %u not in sysfs", k, g->id);
			continue;
		}
		d = &w->sd[m];
		for (b = 0; b < iso->nblk; b++)
			if (!pci_addr_cmp(&iso->blk[b].addr, &d->addr))
				break;
		if (d->has_driver && !driver_manages_dma(d->driver)) {
			want++;
			if (b >= iso->nblk && !iso->truncated)
				MISMATCH("%s on %s is no blocker", d->name, d->driver);
			else if (b < iso->nblk && strcmp(iso->blk[b].driver, d->driver))
				MISMATCH("blocker %s on '%s', sysfs says '%s'", d->name,
					 iso->blk[b].driver, d->driver);
		} else if (b < iso->nblk) {
			MISMATCH("blocker %s on '%s', sysfs says %s%s", d->name,
				 iso->blk[b].driver, d->has_driver ? d->driver : "unbound",
				 d->has_driver ? " (manages DMA itself)" : "");
		}
	}
	for (k = 0; k < iso->nblk; k++)
		if (pp_addr_index(g->members, g->nmembers, &iso->blk[k].addr) < 0) {
			afmt(&iso->blk[k].addr, a);
			MISMATCH("blocker %s is not in group %u", a, g->id);
		}
	if (iso->nblk != want && !iso->truncated)
		MISMATCH("%d blockers, sysfs has %d members on drivers that use the DMA API",
			 iso->nblk, want);
	if (iso->ready != (!want && !iso->truncated))
		MISMATCH("ready %d with %d members on DMA API drivers", iso->ready, want);
	return bad;
}

int pp_iso_check(const struct pp_world *w, int i, const struct pp_iso *iso,
		 char *why, int whylen)
{
	int bad = 0;

	if (pci_addr_cmp(&iso->addr, &w->sd[i].addr)) {
		char a[32];

		afmt(&iso->addr, a);
		MISMATCH("answer about %s, asked for %s", a, w->sd[i].name);
		return bad;
	}
	bad += check_hops(w, i, iso, why, whylen);
	bad += check_groups(w, i, iso, why, whylen);
	if (w->sd[i].has_group)
		bad += check_reasons(w, i, iso, why, whylen);
	else if (iso->nreasons != 1 || iso->reasons[0].code != PCIPASS_REASON_NO_IOMMU)
		MISMATCH("no IOMMU group: want one reason no-iommu, got %d", iso->nreasons);
	bad += check_ready(w, i, iso, why, whylen);
	return bad;
}
