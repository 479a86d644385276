// SPDX-License-Identifier: GPL-2.0
/*
 * claim_test helpers (see ppclaim.h).  The sysfs side reads only the
 * driver symlink, driver_override, iommu_group and the header type of
 * each function: the state a claim changes and the suite compares.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "ppclaim.h"

static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static void link_base(const char *path, char *buf, size_t len)
{
	char tmp[512];
	ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);
	const char *b;

	buf[0] = 0;
	if (n <= 0)
		return;
	tmp[n] = 0;
	b = strrchr(tmp, '/');
	b = b ? b + 1 : tmp;
	if (strlen(b) < len)
		memcpy(buf, b, strlen(b) + 1);
}

static int fn_read(const char *name, struct ppc_fn *f)
{
	char path[256], buf[64];
	unsigned char hdr = 0;
	int fd;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver", name);
	link_base(path, f->driver, sizeof(f->driver));
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver_override", name);
	if (read_line(path, f->override, sizeof(f->override)))
		return -EIO;
	if (!strcmp(f->override, "(null)"))
		f->override[0] = 0;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/iommu_group", name);
	link_base(path, buf, sizeof(buf));
	f->group = buf[0] ? strtoul(buf, NULL, 10) : UINT32_MAX;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/config", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &hdr, 1, 0x0e) != 1)
			hdr = 0;
		close(fd);
	}
	f->bridge = (hdr & 0x7f) == 1 || (hdr & 0x7f) == 2;
	return 0;
}

int ppc_state_read(struct ppc_state *s)
{
	char **names;
	int n, i;

	s->n = 0;
	n = sysfs_pci_list(&names);
	if (n < 0)
		return n;
	for (i = 0; i < n && s->n < PPC_MAX_FN; i++)
		if (!fn_read(names[i], &s->fn[s->n]))
			s->n++;
	sysfs_names_free(names, n);
	return n > PPC_MAX_FN ? -E2BIG : 0;
}

const struct ppc_fn *ppc_state_find(const struct ppc_state *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->fn[i].name, name))
			return &s->fn[i];
	return NULL;
}

int ppc_state_diff(const struct ppc_state *a, const struct ppc_state *b,
		   char *why, int whylen)
{
	int i, bad = 0;

	for (i = 0; i < a->n; i++) {
		const struct ppc_fn *x = &a->fn[i], *y = ppc_state_find(b, x->name);

		if (!y) {
			pp_why_add(why, whylen, "%s: gone; ", x->name);
			bad++;
		} else if (strcmp(x->driver, y->driver) ||
			   strcmp(x->override, y->override)) {
			pp_why_add(why, whylen, "%s: driver '%s' -> '%s', override '%s' -> '%s'; ",
				   x->name, x->driver, y->driver, x->override, y->override);
			bad++;
		}
	}
	if (b->n != a->n) {
		pp_why_add(why, whylen, "%d functions, then %d; ", a->n, b->n);
		bad++;
	}
	return bad;
}

static int set_override(const char *name, const char *ovr)
{
	char path[256];

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver_override", name);
	return sysfs_write(path, *ovr ? ovr : "\n");
}

static int fn_restore(const struct ppc_fn *want)
{
	char path[256];
	struct ppc_fn now;

	if (fn_read(want->name, &now))
		return -ENODEV;
	/* The override decides who may bind: the original driver, for now. */
	if (strcmp(now.driver, want->driver)) {
		set_override(want->name, want->driver[0] ? want->driver : "none");
		if (now.driver[0]) {
			snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver/unbind",
				 want->name);
			sysfs_write(path, want->name);
		}
		if (want->driver[0])
			sysfs_write("/sys/bus/pci/drivers_probe", want->name);
	}
	set_override(want->name, want->override);
	if (fn_read(want->name, &now))
		return -ENODEV;
	return strcmp(now.driver, want->driver) || strcmp(now.override, want->override) ?
	       -EIO : 0;
}

int ppc_state_restore(const struct ppc_state *want, char *why, int whylen)
{
	struct ppc_state *now = malloc(sizeof(*now));
	int i, pass, bad = 0;

	if (!now)
		return -ENOMEM;
	/* Twice: a PF's driver brings its VFs' state with it. */
	for (pass = 0; pass < 2; pass++) {
		if (ppc_state_read(now)) {
			free(now);
			return -EIO;
		}
		for (i = 0; i < want->n; i++) {
			const struct ppc_fn *n = ppc_state_find(now, want->fn[i].name);

			if (n && (strcmp(n->driver, want->fn[i].driver) ||
				  strcmp(n->override, want->fn[i].override)))
				fn_restore(&want->fn[i]);
		}
	}
	if (!ppc_state_read(now))
		bad = ppc_state_diff(want, now, why, whylen);
	free(now);
	return bad;
}

int ppc_group_members(const struct ppc_state *s, uint32_t group,
		      const struct ppc_fn **out, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (s->fn[i].group == group && n < max)
			out[n++] = &s->fn[i];
	return n;
}

/* --- requests and reports ------------------------------------------------ */

static size_t put_addr(struct nlb *b, uint16_t type, const struct pci_addr *a)
{
	size_t off = nlb_nest_start(b, type | NLA_F_NESTED);

	nlb_put_u32(b, PCIPASS_A_ADDR_DOMAIN, a->domain);
	nlb_put_u8(b, PCIPASS_A_ADDR_BUS, a->bus);
	nlb_put_u8(b, PCIPASS_A_ADDR_DEVFN, a->devfn);
	nlb_nest_end(b);
	return off;
}

static int parse_member(const struct nlattr *nest, struct ppc_member *m,
			char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_MEMBER_MAX + 1];
	struct pci_addr a;
	uint32_t v;

	memset(m, 0, sizeof(*m));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_MEMBER_MAX, 0)) {
		pp_why_add(why, whylen, "member: bad attributes; ");
		return -EBADMSG;
	}
	if (!tb[PCIPASS_A_MEMBER_ADDR] || !tb[PCIPASS_A_MEMBER_STATE]) {
		pp_why_add(why, whylen, "member: no addr or state; ");
		return -EBADMSG;
	}
	if (pp_get_addr(tb[PCIPASS_A_MEMBER_ADDR], &a, "member addr", why, whylen) ||
	    pp_get_u32(tb[PCIPASS_A_MEMBER_STATE], &m->state, "state", why, whylen))
		return -EBADMSG;
	pci_addr_fmt(&a, m->name, sizeof(m->name));
	if (tb[PCIPASS_A_MEMBER_STEP]) {
		m->has_step = true;
		if (pp_get_u32(tb[PCIPASS_A_MEMBER_STEP], &m->step, "step", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_MEMBER_ERROR]) {
		m->has_error = true;
		if (pp_get_u32(tb[PCIPASS_A_MEMBER_ERROR], &v, "error", why, whylen))
			return -EBADMSG;
		m->error = (int32_t)v;
	}
	if ((tb[PCIPASS_A_MEMBER_FROM_DRIVER] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_FROM_DRIVER], m->from_driver,
			sizeof(m->from_driver), "from-driver", why, whylen)) ||
	    (tb[PCIPASS_A_MEMBER_FROM_OVERRIDE] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_FROM_OVERRIDE], m->from_override,
			sizeof(m->from_override), "from-override", why, whylen)) ||
	    (tb[PCIPASS_A_MEMBER_TO_DRIVER] &&
	     pp_get_str(tb[PCIPASS_A_MEMBER_TO_DRIVER], m->to_driver,
			sizeof(m->to_driver), "to-driver", why, whylen)))
		return -EBADMSG;
	return 0;
}

static int parse_blocker(const struct nlattr *nest, struct ppc_blocker *b,
			 char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_CBLOCKER_MAX + 1];
	struct pci_addr a;

	memset(b, 0, sizeof(*b));
	if (nla_parse_strict(nla_payload(nest), nla_plen(nest), tb,
			     PCIPASS_A_CBLOCKER_MAX, 0) ||
	    !tb[PCIPASS_A_CBLOCKER_ADDR] || !tb[PCIPASS_A_CBLOCKER_REASON]) {
		pp_why_add(why, whylen, "blocker: bad attributes; ");
		return -EBADMSG;
	}
	if (pp_get_addr(tb[PCIPASS_A_CBLOCKER_ADDR], &a, "blocker addr", why, whylen) ||
	    pp_get_u32(tb[PCIPASS_A_CBLOCKER_REASON], &b->reason, "reason", why, whylen))
		return -EBADMSG;
	pci_addr_fmt(&a, b->name, sizeof(b->name));
	if (tb[PCIPASS_A_CBLOCKER_DETAIL] &&
	    pp_get_str(tb[PCIPASS_A_CBLOCKER_DETAIL], b->detail, sizeof(b->detail),
		       "detail", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_CBLOCKER_FORCED]) {
		if (pp_check_len(tb[PCIPASS_A_CBLOCKER_FORCED], 0, "forced", why, whylen))
			return -EBADMSG;
		b->forced = true;
	}
	return 0;
}

static int parse_report(const struct nlmsghdr *nlh, uint8_t cmd,
			struct ppc_report *r, char *why, int whylen)
{
	const struct nlattr *nla;
	void *attrs;
	int len, rem;

	if (pp_check_genl_hdr(nlh, cmd, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	if (!attrs)
		return -EBADMSG;
	r->has_reply = true;
	nla_for_each(nla, attrs, len, rem) {
		switch (nla_kind(nla)) {
		case PCIPASS_A_CLAIM_GROUP:
			r->has_group = true;
			if (pp_get_u32(nla, &r->group, "group", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_OUTCOME:
			r->has_outcome = true;
			if (pp_get_u32(nla, &r->outcome, "outcome", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_DRIVER:
			if (pp_get_str(nla, r->driver, sizeof(r->driver), "driver", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_MEMBER:
			if (r->nmembers >= PPC_MAX_MEM ||
			    parse_member(nla, &r->m[r->nmembers++], why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_BLOCKER:
			if (r->nblockers >= PPC_MAX_BLK ||
			    parse_blocker(nla, &r->b[r->nblockers++], why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_TXID:
			if (pp_get_u32(nla, &r->txid, "txid", why, whylen))
				return -EBADMSG;
			break;
		case PCIPASS_A_CLAIM_TX_STATE:
			if (pp_get_u32(nla, &r->tx_state, "tx-state", why, whylen) ||
			    r->tx_state != PCIPASS_TX_DONE) {
				pp_why_add(why, whylen, "a report of a transaction not done; ");
				return -EBADMSG;
			}
			break;
		default:
			pp_why_add(why, whylen, "unexpected attribute %d; ", nla_kind(nla));
			return -EBADMSG;
		}
	}
	if (rem) {
		pp_why_add(why, whylen, "trailing bytes; ");
		return -EBADMSG;
	}
	return 0;
}

/* @rep (freed here) as a claim or release answer: error, extack, report. */
static int ppc_from_reply(struct nl_reply *rep, uint8_t cmd,
			  struct ppc_report *r, char *why, int whylen)
{
	int ret = 0, i;

	r->error = rep->error;
	if (rep->has_msg)
		snprintf(r->msg, sizeof(r->msg), "%s", rep->ext_msg);
	r->has_offs = rep->has_offs;
	r->offs = rep->offs;
	if (rep->nmsgs > 1 || rep->malformed || rep->bad_seq || !rep->got_ack) {
		pp_why_add(why, whylen, "%d messages, malformed %d, bad seq %d, ack %d; ",
			   rep->nmsgs, rep->malformed, rep->bad_seq, rep->got_ack);
		ret = -EBADMSG;
	}
	for (i = 0; !ret && i < rep->nmsgs; i++)
		ret = parse_report(rep->msgs[i].nlh, cmd, r, why, whylen);
	nl_reply_free(rep);
	return ret;
}

int ppc_nl(struct nl_sock *s, uint16_t family, const struct ppc_req *q,
	   struct ppc_report *r, char *why, int whylen)
{
	uint8_t cmd = q->claim ? PCIPASS_CMD_CLAIM : PCIPASS_CMD_RELEASE;
	struct nl_reply rep;
	struct pci_addr a;
	struct nlb b;
	int ret;

	memset(r, 0, sizeof(*r));
	nlb_init(&b, family, NLM_F_REQUEST | NLM_F_ACK, cmd, PCIPASS_FAMILY_VERSION);
	if (q->addr) {
		if (pci_addr_parse(q->addr, &a))
			return -EINVAL;
		r->addr_offs = put_addr(&b, PCIPASS_A_CLAIM_ADDR, &a);
	}
	if (q->by_group || q->both)
		r->group_offs = nlb_put_u32(&b, PCIPASS_A_CLAIM_GROUP, q->group);
	if (q->driver)
		r->driver_offs = nlb_put_str(&b, PCIPASS_A_CLAIM_DRIVER, q->driver);
	if (q->has_flags)
		r->flags_offs = nlb_put_u32(&b, PCIPASS_A_CLAIM_FLAGS, q->flags);
	ret = pp_claim_transact(s, family, &b, &rep);
	if (ret)
		return ret;
	return ppc_from_reply(&rep, cmd, r, why, whylen);
}

int ppc_claim_get(struct nl_sock *s, uint16_t family, uint32_t txid,
		  struct ppc_report *r, char *why, int whylen)
{
	struct nl_reply rep;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&rep, 0, sizeof(rep));
	ret = pp_claim_get_wait(s, family, txid, &rep);
	if (ret)
		return ret;
	return ppc_from_reply(&rep, PCIPASS_CMD_CLAIM, r, why, whylen);
}

static void ioc_addr_fmt(const struct pcipass_ioc_addr *ia, char *buf, int len)
{
	struct pci_addr a = { ia->domain, (uint8_t)ia->bus, (uint8_t)ia->devfn };

	pci_addr_fmt(&a, buf, len);
}

int ppc_ioc(int fd, const struct ppc_req *q, struct ppc_report *r)
{
	struct pcipass_ioc_claim *c = calloc(1, sizeof(*c));
	struct pci_addr a;
	uint32_t i;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!c)
		return -ENOMEM;
	c->size = sizeof(*c);
	c->flags = q->has_flags ? q->flags : 0;
	if (q->addr) {
		if (pci_addr_parse(q->addr, &a)) {
			free(c);
			return -EINVAL;
		}
		c->addr.domain = a.domain;
		c->addr.bus = a.bus;
		c->addr.devfn = a.devfn;
	}
	if (q->by_group) {
		c->flags |= PCIPASS_IOC_CLAIM_F_GROUP;
		c->group = q->group;
	}
	if (q->driver)
		snprintf(c->driver, sizeof(c->driver), "%s", q->driver);
	ret = pp_ioctl(fd, q->claim ? PCIPASS_IOC_CLAIM : PCIPASS_IOC_RELEASE, c);
	r->error = ret;
	snprintf(r->msg, sizeof(r->msg), "%.*s", (int)sizeof(c->message), c->message);
	r->txid = c->txid;
	if (c->present & PCIPASS_CLAIM_P_RUNNING)
		r->tx_state = PCIPASS_TX_RUNNING;
	if (c->present & PCIPASS_CLAIM_P_GROUP) {
		r->has_reply = r->has_group = r->has_outcome = true;
		r->group = c->group;
		r->outcome = c->outcome;
		snprintf(r->driver, sizeof(r->driver), "%.*s",
			 (int)sizeof(c->driver), c->driver);
		for (i = 0; i < c->nr_members && i < PCIPASS_IOC_CLAIM_MEMBERS; i++) {
			struct ppc_member *m = &r->m[r->nmembers++];
			const struct pcipass_ioc_claim_member *im = &c->members[i];

			ioc_addr_fmt(&im->addr, m->name, sizeof(m->name));
			m->state = im->state;
			m->step = im->step;
			m->error = im->error;
			m->has_step = m->has_error = im->error != 0;
			snprintf(m->from_driver, PPC_NAME, "%s", im->from_driver);
			snprintf(m->from_override, PPC_NAME, "%s", im->from_override);
			snprintf(m->to_driver, PPC_NAME, "%s", im->to_driver);
		}
		for (i = 0; i < c->nr_blockers && i < PCIPASS_IOC_CLAIM_BLOCKERS; i++) {
			struct ppc_blocker *b = &r->b[r->nblockers++];
			const struct pcipass_ioc_claim_blocker *ib = &c->blockers[i];

			ioc_addr_fmt(&ib->addr, b->name, sizeof(b->name));
			b->reason = ib->reason;
			b->forced = ib->forced;
			snprintf(b->detail, PPC_NAME, "%s", ib->detail);
		}
	}
	free(c);
	return ret;
}

const struct ppc_member *ppc_member(const struct ppc_report *r, const char *name)
{
	int i;

	for (i = 0; i < r->nmembers; i++)
		if (!strcmp(r->m[i].name, name))
			return &r->m[i];
	return NULL;
}

int ppc_vfio_status(uint32_t group, uint32_t *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/dev/vfio/%u", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st))
		ret = -errno;
	else
		*flags = st.flags;
	close(fd);
	return ret;
}

/* --- events -------------------------------------------------------------- */

static int mcast_group_id(struct nl_sock *s, const char *family,
			  const char *group, uint16_t *famid, uint32_t *grp)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g, *a;
	struct nl_reply rep;
	struct nlb b;
	void *attrs;
	int len, rem, rem2, ret;

	nlb_init(&b, GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
	nlb_put_str(&b, CTRL_ATTR_FAMILY_NAME, family);
	ret = nl_transact(s, &b, &rep);
	if (ret)
		return ret;
	ret = rep.error ? rep.error : -ENOENT;
	if (rep.error || rep.nmsgs != 1)
		goto out;
	attrs = genl_attrs(rep.msgs[0].nlh, &len);
	if (!attrs || nla_parse_strict(attrs, len, tb, CTRL_ATTR_MAX, 0) ||
	    !tb[CTRL_ATTR_FAMILY_ID] || !tb[CTRL_ATTR_MCAST_GROUPS]) {
		ret = -EBADMSG;
		goto out;
	}
	memcpy(famid, nla_payload(tb[CTRL_ATTR_FAMILY_ID]), 2);
	nla_for_each(g, nla_payload(tb[CTRL_ATTR_MCAST_GROUPS]),
		     nla_plen(tb[CTRL_ATTR_MCAST_GROUPS]), rem) {
		bool match = false;
		uint32_t id = 0;
		bool has_id = false;

		nla_for_each(a, nla_payload(g), nla_plen(g), rem2) {
			if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_NAME &&
			    !strncmp(nla_payload(a), group, nla_plen(a)))
				match = true;
			if (nla_kind(a) == CTRL_ATTR_MCAST_GRP_ID && nla_plen(a) == 4) {
				memcpy(&id, nla_payload(a), 4);
				has_id = true;
			}
		}
		if (match && has_id) {
			*grp = id;
			ret = 0;
		}
	}
out:
	nl_reply_free(&rep);
	return ret;
}

int ppc_events_open(struct nl_sock *s, uint16_t *family)
{
	uint32_t grp;
	int ret = nl_open(s, 0);

	if (ret)
		return ret;
	ret = mcast_group_id(s, PCIPASS_FAMILY_NAME, PCIPASS_MCGRP_EVENTS, family, &grp);
	if (!ret && setsockopt(s->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
			       &grp, sizeof(grp)))
		ret = -errno;
	if (ret)
		nl_close(s);
	return ret;
}

static int parse_event(const struct nlmsghdr *nlh, struct ppc_event *e,
		       char *why, int whylen)
{
	const struct nlattr *tb[PCIPASS_A_EVENT_MAX + 1];
	struct pci_addr a;
	uint32_t v;
	void *attrs;
	int len;

	memset(e, 0, sizeof(*e));
	if (pp_check_genl_hdr(nlh, PCIPASS_CMD_EVENT, why, whylen))
		return -EBADMSG;
	attrs = genl_attrs(nlh, &len);
	if (!attrs || nla_parse_strict(attrs, len, tb, PCIPASS_A_EVENT_MAX, 0) ||
	    !tb[PCIPASS_A_EVENT_TYPE] ||
	    pp_get_u32(tb[PCIPASS_A_EVENT_TYPE], &e->type, "type", why, whylen)) {
		pp_why_add(why, whylen, "event: bad attributes; ");
		return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_ADDR]) {
		if (pp_get_addr(tb[PCIPASS_A_EVENT_ADDR], &a, "event addr", why, whylen))
			return -EBADMSG;
		pci_addr_fmt(&a, e->name, sizeof(e->name));
	}
	if (tb[PCIPASS_A_EVENT_DRIVER] &&
	    pp_get_str(tb[PCIPASS_A_EVENT_DRIVER], e->driver, sizeof(e->driver),
		       "driver", why, whylen))
		return -EBADMSG;
	if (tb[PCIPASS_A_EVENT_OVERRIDE]) {
		e->has_override = true;
		if (pp_get_str(tb[PCIPASS_A_EVENT_OVERRIDE], e->override,
			       sizeof(e->override), "override", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_GROUP]) {
		e->has_group = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_GROUP], &e->group, "group", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_OUTCOME]) {
		e->has_outcome = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_OUTCOME], &e->outcome, "outcome", why, whylen))
			return -EBADMSG;
	}
	if (tb[PCIPASS_A_EVENT_ERROR]) {
		e->has_error = true;
		if (pp_get_u32(tb[PCIPASS_A_EVENT_ERROR], &v, "error", why, whylen))
			return -EBADMSG;
		e->error = (int32_t)v;
	}
	return 0;
}

int ppc_events_read(struct nl_sock *s, uint16_t family, struct ppc_event *ev,
		    int max, char *why, int whylen)
{
	static char buf[65536];
	int n = 0;

	for (;;) {
		ssize_t len = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *nlh;
		int rem;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return n;
			return -errno;
		}
		rem = (int)len;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_type != family) {
				pp_why_add(why, whylen, "message type %u; ", nlh->nlmsg_type);
				return -EBADMSG;
			}
			if (n >= max)
				return -E2BIG;
			if (parse_event(nlh, &ev[n], why, whylen))
				return -EBADMSG;
			n++;
		}
	}
}

/* --- utilities ----------------------------------------------------------- */

int ppc_run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st < 0 ? -errno : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

#define NAME(tbl, i) \
	((i) < sizeof(tbl) / sizeof(tbl[0]) && tbl[i] ? tbl[i] : "?")

const char *ppc_state_name(uint32_t state)
{
	static const char *const t[] = {
		[PCIPASS_MEMBER_PLANNED] = "planned",
		[PCIPASS_MEMBER_CLAIMED] = "claimed",
		[PCIPASS_MEMBER_ALREADY] = "already",
		[PCIPASS_MEMBER_SKIPPED_BRIDGE] = "skipped-bridge",
		[PCIPASS_MEMBER_UNBOUND_BRIDGE] = "unbound-bridge",
		[PCIPASS_MEMBER_FAILED] = "failed",
		[PCIPASS_MEMBER_ROLLED_BACK] = "rolled-back",
		[PCIPASS_MEMBER_ROLLBACK_FAILED] = "rollback-failed",
		[PCIPASS_MEMBER_UNTOUCHED] = "untouched",
		[PCIPASS_MEMBER_RELEASED] = "released",
		[PCIPASS_MEMBER_RELEASE_FAILED] = "release-failed",
		[PCIPASS_MEMBER_GONE] = "gone",
	};
	return NAME(t, state);
}

const char *ppc_outcome_name(uint32_t outcome)
{
	static const char *const t[] = {
		[PCIPASS_OUTCOME_CLAIMED] = "claimed",
		[PCIPASS_OUTCOME_ALREADY_CLAIMED] = "already-claimed",
		[PCIPASS_OUTCOME_PLANNED] = "planned",
		[PCIPASS_OUTCOME_REFUSED] = "refused",
		[PCIPASS_OUTCOME_ROLLED_BACK] = "rolled-back",
		[PCIPASS_OUTCOME_ROLLBACK_FAILED] = "rollback-failed",
		[PCIPASS_OUTCOME_RELEASED] = "released",
		[PCIPASS_OUTCOME_RELEASE_FAILED] = "release-failed",
	};
	return NAME(t, outcome);
}

const char *ppc_event_name(uint32_t type)
{
	static const char *const t[] = {
		[PCIPASS_EVENT_DEVICE_ADDED] = "device-added",
		[PCIPASS_EVENT_DEVICE_REMOVED] = "device-removed",
		[PCIPASS_EVENT_DRIVER_BOUND] = "driver-bound",
		[PCIPASS_EVENT_DRIVER_UNBOUND] = "driver-unbound",
		[PCIPASS_EVENT_OVERRIDE_CHANGED] = "override-changed",
		[PCIPASS_EVENT_CLAIM_STARTED] = "claim-started",
		[PCIPASS_EVENT_CLAIM_FINISHED] = "claim-finished",
		[PCIPASS_EVENT_RELEASE_STARTED] = "release-started",
		[PCIPASS_EVENT_RELEASE_FINISHED] = "release-finished",
	};
	return NAME(t, type);
}
