// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/verdict.h"
#include "lib/cmdline.h"
#include "lib/util.h"
#include "pci/pcie.h"

static bool is_target(const struct pp_device *targets, size_t n,
		      const struct pp_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (addr_eq(&targets[i].addr, a))
			return true;
	return false;
}

static struct pp_addr slot_of(const struct pp_addr *a)
{
	struct pp_addr s = *a;

	s.devfn = PP_DEVFN(PP_SLOT(a->devfn), 0);
	return s;
}

bool verdict_stays_with_host(const struct pp_device *d)
{
	return device_is_bridge(d) || (d->class >> 8) == 0x0600;
}

bool verdict_is_chipset(const struct pp_device *d)
{
	switch (d->class >> 8) {
	case 0x0601:	/* ISA bridge: the LPC interface on Intel and AMD */
	case 0x0602:	/* EISA bridge */
	case 0x0603:	/* MicroChannel bridge */
	case 0x0c05:	/* SMBus */
		return true;
	}
	return false;
}

void verdict_decide(const struct pp_device *targets, size_t nr_targets,
		    const struct pp_device *members, size_t nr_members,
		    struct verdict_result *r)
{
	struct pp_addrlist target_slots = { 0 };

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < nr_targets; i++) {
		struct pp_addr s = slot_of(&targets[i].addr);

		addrlist_add_unique(&target_slots, &s);
		addrlist_add_unique(&r->slots, &s);
		if (!targets[i].has_iommu_group)
			r->verdict = VERDICT_NO_IOMMU;
		if (verdict_is_chipset(&targets[i]))
			addrlist_add(&r->chipset, &targets[i].addr);
	}
	for (size_t i = 0; i < nr_members; i++) {
		const struct pp_device *m = &members[i];
		struct pp_addr s = slot_of(&m->addr);

		if (verdict_stays_with_host(m) ||
		    is_target(targets, nr_targets, &m->addr))
			continue;
		if (!addrlist_add_unique(&r->companions, &m->addr))
			continue;
		addrlist_add_unique(&r->slots, &s);
		if (verdict_is_chipset(m))
			addrlist_add(&r->chipset, &m->addr);
		if (!addrlist_has(&target_slots, &s))
			addrlist_add(&r->foreign, &m->addr);
	}
	addrlist_free(&target_slots);
	addrlist_sort(&r->companions);
	addrlist_sort(&r->foreign);
	addrlist_sort(&r->slots);
	addrlist_sort(&r->chipset);
	if (r->verdict == VERDICT_NO_IOMMU)
		return;
	if (r->slots.n > 1 || r->chipset.n)
		r->verdict = VERDICT_NOT_ISOLATABLE;
	else if (r->companions.n)
		r->verdict = VERDICT_COMPANIONS;
	else
		r->verdict = VERDICT_READY;
}

void verdict_free(struct verdict_result *r)
{
	addrlist_free(&r->companions);
	addrlist_free(&r->foreign);
	addrlist_free(&r->slots);
	addrlist_free(&r->chipset);
}

const char *verdict_key(enum verdict v)
{
	switch (v) {
	case VERDICT_READY:
		return "ready";
	case VERDICT_COMPANIONS:
		return "needs_companions";
	case VERDICT_NOT_ISOLATABLE:
		return "not_isolatable";
	case VERDICT_NO_IOMMU:
		return "no_iommu";
	}
	return "unknown";
}

const char *verdict_words(enum verdict v)
{
	switch (v) {
	case VERDICT_READY:
		return "ready";
	case VERDICT_COMPANIONS:
		return "needs companions";
	case VERDICT_NOT_ISOLATABLE:
		return "not isolatable";
	case VERDICT_NO_IOMMU:
		return "no IOMMU";
	}
	return "unknown";
}

/* Scripts branch on these; 1 and 2 stay runtime and usage errors. */
int verdict_exit(enum verdict v)
{
	switch (v) {
	case VERDICT_READY:
		return 0;
	case VERDICT_COMPANIONS:
		return 3;
	case VERDICT_NOT_ISOLATABLE:
		return 4;
	case VERDICT_NO_IOMMU:
		return 5;
	}
	return EXIT_RUNTIME;
}

const char *acs_flag_names(uint16_t mask, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < acs_nbits && len < size; i++) {
		if (!(mask & acs_bits[i].mask))
			continue;
		len += snprintf(buf + len, size - len, "%s%s", len ? " " : "",
				acs_bits[i].name);
	}
	return buf;
}

void acs_cmdline_scan(const char *cmdline, struct acs_cmdline *c)
{
	const struct cmdline_param *p;
	struct cmdline cl;

	memset(c, 0, sizeof(*c));
	cmdline_parse(cmdline, &cl);
	p = cmdline_find(&cl, "pcie_acs_override");
	if (p)
		c->acs_override = xstrdup(p->value ? p->value : "");
	/* pci= may be given more than once; the kernel applies each. */
	for (size_t i = 0; i < cl.n; i++) {
		char *v;

		if (strcmp(cl.v[i].key, "pci") || !cl.v[i].value)
			continue;
		v = cmdline_opt_value(cl.v[i].value, "config_acs");
		if (v) {
			free(c->config_acs);
			c->config_acs = v;
		}
		v = cmdline_opt_value(cl.v[i].value, "disable_acs_redir");
		if (v) {
			free(c->disable_acs_redir);
			c->disable_acs_redir = v;
		}
	}
	cmdline_free(&cl);
}

void acs_cmdline_free(struct acs_cmdline *c)
{
	free(c->acs_override);
	free(c->config_acs);
	free(c->disable_acs_redir);
	memset(c, 0, sizeof(*c));
}

bool acs_devlist_names(const char *list, const struct pp_addr *a)
{
	char *copy, *save = NULL;
	bool found = false;

	if (!list)
		return false;
	copy = xstrdup(list);
	for (char *e = strtok_r(copy, ";", &save); e && !found;
	     e = strtok_r(NULL, ";", &save)) {
		char *at = strchr(e, '@');
		enum addr_scope scope;
		struct pp_addr b;

		if (at)
			e = at + 1;
		found = !addr_parse(e, &b, &scope) && scope == ADDR_FUNCTION &&
			addr_eq(&b, a);
	}
	free(copy);
	return found;
}
