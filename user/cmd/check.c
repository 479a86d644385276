// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass check ADDR|GROUP: can this device go to a VM, and what must go
 * with it.  This half fetches (the functions asked about, their slots and
 * IOMMU groups by address and group id, isolation-get per function, the
 * functions on their paths to the root complex, the kernel command line,
 * host impact); check/print*.c print.  It never dumps every function, so
 * that its cost does not grow with the size of the host.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "cli.h"
#include "impact/impact.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "nl/group.h"
#include "nl/nl.h"

const char *addr_short(const struct pp_addr *a, char buf[ADDR_STRLEN])
{
	if (a->domain)
		return addr_fmt(a, buf);
	snprintf(buf, ADDR_STRLEN, "%02x:%02x.%x", a->bus, PP_SLOT(a->devfn),
		 PP_FUNC(a->devfn));
	return buf;
}

const struct pp_device *check_find_dev(const struct check *c,
				       const struct pp_addr *a)
{
	const struct pp_device *d = devlist_find(&c->all, a);

	return d ? d : devlist_find(&c->path, a);
}

static struct check_fn *add_fn(struct check *c, struct pp_device *d,
			       enum check_role role)
{
	struct check_fn *f;

	c->fns = xrealloc(c->fns, (c->nr_fns + 1) * sizeof(*c->fns));
	f = &c->fns[c->nr_fns++];
	memset(f, 0, sizeof(*f));
	f->dev = d;
	f->role = role;
	return f;
}

static void check_free(struct check *c)
{
	for (size_t i = 0; i < c->nr_fns; i++)
		iso_free(&c->fns[i].iso);
	free(c->fns);
	free(c->groups);
	devlist_free(&c->all);
	devlist_free(&c->path);
	verdict_free(&c->v);
	addrlist_free(&c->others);
	acs_cmdline_free(&c->cmdline);
	if (c->impact)
		impact_free(c->impact);
}

static bool in_groups(const struct check *c, const struct pp_device *d)
{
	if (!d->has_iommu_group)
		return false;
	for (size_t i = 0; i < c->nr_groups; i++)
		if (c->groups[i] == d->iommu_group)
			return true;
	return false;
}

static bool in_target_slot(const struct check *c, const struct pp_device *d)
{
	for (size_t i = 0; i < c->nr_targets; i++)
		if (addr_in_slot(&d->addr, &c->fns[i].dev->addr))
			return true;
	return false;
}

static bool is_queried(const struct check *c, const struct pp_device *d)
{
	switch (c->kind) {
	case CHECK_FUNCTION:
		return addr_eq(&d->addr, &c->addr);
	case CHECK_SLOT:
		return addr_in_slot(&d->addr, &c->addr);
	case CHECK_GROUP:
		return d->has_iommu_group && d->iommu_group == c->group;
	}
	return false;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_dev_addr(const void *a, const void *b)
{
	return addr_cmp(&((const struct pp_device *)a)->addr,
			&((const struct pp_device *)b)->addr);
}

static const struct pp_device *queried_dev(const struct check *c)
{
	return check_find_dev(c, &c->addr);
}

static const char *bridge_words(const struct check *c)
{
	const struct pp_device *d = queried_dev(c);

	return d && !device_is_bridge(d) ? "host bridge" : "bridge";
}

static bool bridge_is_port(const struct check *c)
{
	const struct pp_device *d = queried_dev(c);

	return d && device_is_bridge(d);
}

/* Bridges and host bridges are never targets: they stay with the host. */
static int pick_targets(struct check *c)
{
	char buf[ADDR_STRLEN];
	size_t bridges = 0;

	for (size_t i = 0; i < c->all.n; i++) {
		struct pp_device *d = &c->all.v[i];

		if (!is_queried(c, d))
			continue;
		if (verdict_stays_with_host(d)) {
			bridges++;
			continue;
		}
		add_fn(c, d, ROLE_TARGET);
	}
	c->nr_targets = c->nr_fns;
	if (c->nr_targets)
		return 0;
	if (c->kind == CHECK_GROUP && !bridges)
		pp_err("no IOMMU group %u", c->group);
	else if (c->kind == CHECK_GROUP)
		pp_err("IOMMU group %u holds only bridges: nothing to pass through",
		       c->group);
	else if (c->kind == CHECK_SLOT && !bridges)
		pp_err("no PCI function in slot %s", c->arg);
	else if (c->kind == CHECK_SLOT)
		pp_err("slot %s holds only bridges: bridges stay with the host (vfio-pci does not take them); check the devices behind them",
		       c->arg);
	else
		pp_err("%s is a %s: bridges stay with the host (vfio-pci does not take them)%s",
		       addr_fmt(&c->addr, buf), bridge_words(c),
		       bridge_is_port(c) ? "; check the devices behind it" : "");
	return -ENODEV;
}

static void collect_groups(struct check *c)
{
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct pp_device *d = c->fns[i].dev;

		if (!d->has_iommu_group || in_groups(c, d))
			continue;
		c->groups = xrealloc(c->groups,
				     (c->nr_groups + 1) * sizeof(*c->groups));
		c->groups[c->nr_groups++] = d->iommu_group;
	}
	if (c->nr_groups)
		qsort(c->groups, c->nr_groups, sizeof(*c->groups), cmp_u32);
}

static void decide(struct check *c)
{
	struct pp_device *targets, *members = NULL;
	size_t nr_members = 0;

	targets = xrealloc(NULL, c->nr_targets * sizeof(*targets));
	for (size_t i = 0; i < c->nr_targets; i++)
		targets[i] = *c->fns[i].dev;	/* shallow: only read */
	for (size_t i = 0; i < c->all.n; i++) {
		if (!in_groups(c, &c->all.v[i]))
			continue;
		members = xrealloc(members, (nr_members + 1) * sizeof(*members));
		members[nr_members++] = c->all.v[i];
	}
	verdict_decide(targets, c->nr_targets, members, nr_members, &c->v);
	free(targets);
	free(members);
}

/* Companions and the other functions of the targets' slots. */
static void add_companions(struct check *c)
{
	for (size_t i = 0; i < c->v.companions.n; i++) {
		struct pp_device *d = (struct pp_device *)
			check_find_dev(c, &c->v.companions.v[i]);

		if (d)
			add_fn(c, d, ROLE_COMPANION);
	}
	for (size_t i = 0; i < c->all.n; i++) {
		const struct pp_device *d = &c->all.v[i];

		if (verdict_stays_with_host(d) || !in_target_slot(c, d) ||
		    is_queried(c, d) || in_groups(c, d))
			continue;
		addrlist_add(&c->others, &d->addr);
	}
}

static int fetch_isos(struct pnl *nl, struct check *c)
{
	for (size_t i = 0; i < c->nr_fns; i++) {
		struct check_fn *f = &c->fns[i];
		int rc = iso_get(nl, &f->dev->addr, &f->iso);

		/* A companion hot-removed since the dump explains nothing. */
		if (rc == -ENODEV && f->role == ROLE_COMPANION) {
			iso_free(&f->iso);
			continue;
		}
		if (rc)
			return rc;
		f->has_iso = true;
	}
	return 0;
}

/* Canonical address strings of the functions in list (NULL: every
 * target and companion), for the host-impact and snippet library.
 */
struct addr_strs {
	const char **v;
	char (*buf)[ADDR_STRLEN];
	size_t n;
};

static void addr_strs_add(struct addr_strs *s, const struct pp_addr *a)
{
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->buf = xrealloc(s->buf, (s->n + 1) * sizeof(*s->buf));
	addr_fmt(a, s->buf[s->n]);
	s->n++;
	/* buf may have moved: point every entry again */
	for (size_t i = 0; i < s->n; i++)
		s->v[i] = s->buf[i];
}

static void addr_strs_free(struct addr_strs *s)
{
	free(s->v);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static void collect_host_facts(struct check *c)
{
	struct addr_strs all = { 0 }, foreign = { 0 };
	char *line;

	line = sysroot_read_line("/proc/cmdline");
	if (line) {
		acs_cmdline_scan(line, &c->cmdline);
		c->has_cmdline = true;
		free(line);
	}
	for (size_t i = 0; i < c->nr_fns; i++) {
		const struct pp_device *d = c->fns[i].dev;

		addr_strs_add(&all, &d->addr);
		if (addrlist_has(&c->v.foreign, &d->addr))
			addr_strs_add(&foreign, &d->addr);
		if ((d->class >> 8) == 0x0300)
			c->primary_gpu = true;
	}
	/* The host-critical devices that decide a verdict are those of
	 * another slot: a target's own functions are the operator's choice.
	 */
	if (foreign.n) {
		struct impact *im = impact_collect(foreign.v, foreign.n);

		c->foreign_critical = impact_has_critical(im);
		impact_free(im);
	}
	c->impact = impact_collect(all.v, all.n);
	addr_strs_free(&all);
	addr_strs_free(&foreign);
}

/* Every member of IOMMU group id; -ENOENT when there is no such group. */
static int get_group(struct pnl *nl, struct pp_devlist *l, uint32_t id)
{
	struct pp_group g;
	int rc = group_get(nl, id, &g);

	for (size_t i = 0; i < g.n && !rc; i++)
		rc = devlist_get(nl, l, &g.members[i]);
	group_free(&g);
	return rc;
}

/* What a device dump would have given the verdict: the functions asked
 * about, the other functions of their slots and every member of their
 * IOMMU groups, each read by address.
 */
static int gather(struct pnl *nl, struct check *c)
{
	struct pp_device *t = NULL;
	size_t nr_t = 0;
	int rc = 0;

	switch (c->kind) {
	case CHECK_FUNCTION:
		/* Asked for alone first, so that a wrong address gets the
		 * kernel's own message, as "show" does.
		 */
		rc = device_get(nl, &c->addr, devlist_push(&c->all));
		if (rc) {
			device_free(&c->all.v[0]);
			c->all.n = 0;
		}
		break;
	case CHECK_SLOT:
		rc = devlist_get_slot(nl, &c->all, &c->addr);
		break;
	case CHECK_GROUP:
		rc = get_group(nl, &c->all, c->group);
		if (rc == -ENOENT)
			rc = 0;		/* pick_targets() says so */
		break;
	}
	if (rc)
		return rc;
	/* The targets as pick_targets() will choose them, copied: the list
	 * moves as it grows.  Only their address and group are read.
	 */
	for (size_t i = 0; i < c->all.n; i++) {
		const struct pp_device *d = &c->all.v[i];

		if (!is_queried(c, d) || verdict_stays_with_host(d))
			continue;
		t = xrealloc(t, (nr_t + 1) * sizeof(*t));
		t[nr_t++] = *d;		/* shallow: only read */
	}
	for (size_t i = 0; i < nr_t && !rc; i++) {
		rc = devlist_get_slot(nl, &c->all, &t[i].addr);
		if (!rc && t[i].has_iommu_group)
			rc = get_group(nl, &c->all, t[i].iommu_group);
		/* Removed since the target was read: no members. */
		if (rc == -ENOENT)
			rc = 0;
	}
	free(t);
	if (!rc && c->all.n)
		qsort(c->all.v, c->all.n, sizeof(*c->all.v), cmp_dev_addr);
	return rc;
}

/* The functions the isolation answers name (the path to the root complex,
 * the causes of the reasons) that are not in c->all, for their kind
 * (bridge or not) in the text.
 */
static int gather_path(struct pnl *nl, struct check *c)
{
	int rc = 0;

	for (size_t i = 0; i < c->nr_fns && !rc; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_hops && !rc; j++) {
			const struct pp_addr *a = &iso->hops[j].addr;

			if (!devlist_find(&c->all, a))
				rc = devlist_get(nl, &c->path, a);
		}
		/* Without a cause attribute the text still asks about
		 * cause, zeroed: 0000:00:00.0, as a dump would answer.
		 */
		for (size_t j = 0; j < iso->nr_reasons && !rc; j++) {
			const struct pp_addr *a = &iso->reasons[j].cause;

			if (!devlist_find(&c->all, a))
				rc = devlist_get(nl, &c->path, a);
		}
	}
	return rc;
}

static int fetch(struct pnl *nl, struct check *c)
{
	int rc;

	rc = gather(nl, c);
	if (rc)
		return rc;
	if (pick_targets(c))
		return 1;
	collect_groups(c);
	decide(c);
	add_companions(c);
	rc = fetch_isos(nl, c);
	if (rc)
		return rc;
	return gather_path(nl, c);
}

static void report_fetch_error(struct pnl *nl, int rc)
{
	if (rc == 1)
		return;			/* already said */
	pnl_perror(nl);
	if (rc == -EPERM)
		pp_err("check reads extended config space: run it as root");
}

static int check(struct check *c)
{
	struct pnl nl;
	int rc;

	if (pnl_open_or_report(&nl))
		return EXIT_RUNTIME;
	rc = fetch(&nl, c);
	if (rc)
		report_fetch_error(&nl, rc);
	pnl_close(&nl);
	if (rc)
		return EXIT_RUNTIME;
	collect_host_facts(c);
	check_print(c);
	return verdict_exit(c->v.verdict);
}

/* A group is a plain decimal number: addresses always hold a ':'. */
static bool parse_group(const char *s, uint32_t *id)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return false;
	v = strtoul(s, &end, 10);
	if (v > UINT32_MAX)
		return false;
	*id = (uint32_t)v;
	return true;
}

static int cmd_check(int argc, char **argv)
{
	struct check c = { 0 };
	enum addr_scope scope;
	int c_opt, rc;

	c_opt = cli_getopt(argc, argv, &cli_cmd_check);
	if (c_opt == 'h')
		return cli_help(&cli_cmd_check);
	if (c_opt != -1)
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage_error("check: missing ADDR or GROUP, e.g. 'pcipass check 01:00.0'");
	if (optind + 1 < argc)
		return cli_usage_error("check: unexpected argument '%s'",
				       argv[optind + 1]);
	c.arg = argv[optind];
	if (parse_group(c.arg, &c.group)) {
		c.kind = CHECK_GROUP;
	} else if (!addr_parse(c.arg, &c.addr, &scope)) {
		c.kind = scope == ADDR_SLOT ? CHECK_SLOT : CHECK_FUNCTION;
	} else {
		return cli_usage_error("check: invalid argument '%s': expected a PCI address [DDDD:]BB:DD[.F] or an IOMMU group number",
				       c.arg);
	}
	rc = check(&c);
	check_free(&c);
	return rc;
}

const struct cli_cmd cli_cmd_check = {
	.name = "check",
	.run = cmd_check,
	.synopsis = "ADDR|GROUP",
	.summary = "can it go to a VM: verdict, reasons, what goes along",
	.help =
	"ADDR is [DDDD:]BB:DD[.F] in hex, a slot (01:00) meaning all its\n"
	"functions; GROUP is an IOMMU group number in decimal, as in\n"
	"/sys/kernel/iommu_groups/N (no ':', so never an address), meaning\n"
	"every endpoint of the group.  Needs root: it reads extended config\n"
	"space.  Bridges and host bridges stay with the host and never\n"
	"count.  The verdict:\n"
	"  ready             the IOMMU group holds nothing else to pass\n"
	"  needs companions  it also holds other functions of the same\n"
	"                    device (e.g. a GPU's audio function): pass\n"
	"                    them along\n"
	"  not isolatable    it also holds other devices, joined by a port\n"
	"                    without ACS, a PCIe-to-PCI bridge or a DMA\n"
	"                    alias, or chipset functions (ISA/LPC bridge,\n"
	"                    SMBus): only another slot, a firmware ACS\n"
	"                    setting or other hardware fixes that\n"
	"                    (pcie_acs_override only hides it)\n"
	"  no IOMMU          the function has no IOMMU group\n"
	"Then whether VFIO can take the group now (or what to unbind first),\n"
	"why the kernel grouped the functions, the path from the root\n"
	"complex with each port's ACS state, what the host loses, and when\n"
	"it can go, the Proxmox and libvirt configuration for the group.\n"
	"\n"
	"Exit status: 0 ready, 3 needs companions, 4 not isolatable, 5 no\n"
	"IOMMU, 1 could not run (module, kernel error, no such device or\n"
	"group, not root), 2 usage error.\n",
};
