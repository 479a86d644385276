// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass check: the answer and its grounds.  The verdict with the
 * causes to fix and what to do about them, whether VFIO can take the
 * groups now, and "why:", every link the kernel's grouping rules predict.
 * Separate from check/print.c because turning the module's predicted
 * links into sentences is most of the printing half; text and JSON from
 * one code path all the same (lib/print.h, README-json.md).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pcipass.h>

#include "check/print_int.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/names.h"

/* ------------------------------------------------------------ reasons */

/* "has no ACS capability (needs SV RR CR UF)" and the like. */
static const char *acs_phrase(const struct check *c, const struct pp_addr *a,
			      uint16_t missing, char *buf, size_t size)
{
	const struct pp_hop *h = check_find_hop(c, a);
	const char *param = check_cmdline_acs_param(c, a);
	char names[64];
	size_t len;

	acs_flag_names(missing, names, sizeof(names));
	if (!h) {
		len = snprintf(buf, size, "lacks ACS %s", names);
	} else {
		switch (h->acs_state) {
		case PCIPASS_ACS_STATE_ABSENT:
			len = snprintf(buf, size,
				       "has no ACS capability (needs %s)", names);
			break;
		case PCIPASS_ACS_STATE_DISABLED:
			len = snprintf(buf, size,
				       "has ACS with %s turned off (needs %s)",
				       names, names);
			break;
		case PCIPASS_ACS_STATE_NEVER:
			len = snprintf(buf, size, "never isolates (no ACS for %s)",
				       h->has_pcie_type ? "PCIe-to-PCI bridges" :
							  "conventional PCI");
			break;
		default:
			len = snprintf(buf, size, "lacks ACS %s", names);
			break;
		}
	}
	if (param && len < size)
		snprintf(buf + len, size - len, "; %s on the kernel command line sets it",
			 param);
	return buf;
}

static void reason_text(const struct check *c, const struct pp_reason *r,
			char *buf, size_t size)
{
	char s[ADDR_STRLEN], p[ADDR_STRLEN], k[ADDR_STRLEN], acs[256];
	const struct pp_hop *h;

	addr_short(&r->subject, s);
	addr_short(r->has_peer ? &r->peer : &r->subject, p);
	addr_short(r->has_cause ? &r->cause : &r->subject, k);
	switch (r->code) {
	case PCIPASS_REASON_ISOLATED:
		h = check_find_hop(c, &r->subject);
		snprintf(buf, size, "%s has an IOMMU group of its own%s", s,
			 h && c->nr_fns && h == &c->fns[0].iso.hops[0] &&
			 c->fns[0].iso.nr_hops > 1 ?
			 ": every port above it isolates it" : "");
		break;
	case PCIPASS_REASON_NO_IOMMU:
		snprintf(buf, size, "%s has no IOMMU group: no IOMMU translates its DMA",
			 s);
		break;
	case PCIPASS_REASON_UPSTREAM_ACS:
		snprintf(buf, size, "%s shares a group with %s: %s %s %s", s, p,
			 check_type_words(c, &r->cause), k,
			 acs_phrase(c, &r->cause, r->acs_missing, acs,
				    sizeof(acs)));
		break;
	case PCIPASS_REASON_BRIDGE_ALIAS:
		snprintf(buf, size,
			 "%s shares a group with %s: it sits behind %s %s, which issues the DMA of everything below it under its own requester ID",
			 s, p, check_type_words(c, &r->cause), k);
		break;
	case PCIPASS_REASON_DMA_ALIAS:
		snprintf(buf, size,
			 "%s shares a group with %s: %s and %s use each other's requester ID for DMA (a DMA-alias quirk)",
			 s, p, s, k);
		break;
	case PCIPASS_REASON_MULTIFUNCTION:
		snprintf(buf, size,
			 "%s shares a group with %s: both are functions of one device, and %s %s",
			 s, p, k, acs_phrase(c, &r->cause, r->acs_missing, acs,
					     sizeof(acs)));
		break;
	default:
		snprintf(buf, size, "%s shares a group with %s (reason %u)", s,
			 p, r->code);
		break;
	}
}

static bool reason_seen(const struct pp_reason *const *v, size_t n,
			const struct pp_reason *r)
{
	for (size_t i = 0; i < n; i++)
		if (v[i]->code == r->code && addr_eq(&v[i]->subject, &r->subject))
			return true;
	return false;
}

/* Every distinct predicted link of the targets' groups, in the kernel's
 * order; the caller frees the array (not the reasons).
 */
static const struct pp_reason **all_reasons(const struct check *c, size_t *n)
{
	const struct pp_reason **v = NULL;

	*n = 0;
	for (size_t i = 0; i < c->nr_fns; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_reasons; j++) {
			const struct pp_reason *r = &iso->reasons[j];

			if (reason_seen(v, *n, r))
				continue;
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			v[(*n)++] = r;
		}
	}
	return v;
}

void check_print_reasons(const struct check *c)
{
	const struct pp_reason **v;
	char text[WORDS_LEN];
	size_t n;

	v = all_reasons(c, &n);
	print_text("\nwhy:\n");
	open_json_array("reasons");
	for (size_t i = 0; i < n; i++) {
		char buf[ADDR_STRLEN];

		reason_text(c, v[i], text, sizeof(text));
		open_json_object(NULL);
		print_string(PRINT_JSON, "code", NULL, reason_key(v[i]->code));
		print_string(PRINT_JSON, "subject", NULL,
			     addr_fmt(&v[i]->subject, buf));
		check_print_opt_addr("peer", v[i]->has_peer, &v[i]->peer);
		check_print_opt_addr("cause", v[i]->has_cause, &v[i]->cause);
		check_print_acs_missing(v[i]->acs_missing);
		print_string(PRINT_ANY, "text", "  %s\n", text);
		close_json_object();
	}
	close_json_array();
	free(v);
}

/* --------------------------------------------------------------- verdict */

struct cause_set {
	bool acs, acs_off, bridge, alias, chipset;
	const char *param;	/* a kernel parameter that set some cause's ACS */
};

/* The links that join different devices: what the operator has to fix. */
static void print_causes(const struct check *c, struct cause_set *cs)
{
	const struct pp_reason **v;
	struct pp_addrlist seen = { 0 };
	char text[WORDS_LEN], acs[256], k[ADDR_STRLEN], s[ADDR_STRLEN];
	size_t n;

	memset(cs, 0, sizeof(*cs));
	v = all_reasons(c, &n);
	open_json_array("causes");
	for (size_t i = 0; i < n; i++) {
		const struct pp_reason *r = v[i];
		const struct pp_hop *h;
		char buf[ADDR_STRLEN];

		if (!r->has_cause ||
		    (r->code != PCIPASS_REASON_UPSTREAM_ACS &&
		     r->code != PCIPASS_REASON_BRIDGE_ALIAS &&
		     r->code != PCIPASS_REASON_DMA_ALIAS) ||
		    !addrlist_add_unique(&seen, &r->cause))
			continue;
		addr_short(&r->cause, k);
		addr_short(&r->subject, s);
		h = check_find_hop(c, &r->cause);
		if (r->code == PCIPASS_REASON_UPSTREAM_ACS) {
			cs->acs = true;
			cs->acs_off |= h && h->acs_state == PCIPASS_ACS_STATE_DISABLED;
			if (check_cmdline_acs_param(c, &r->cause))
				cs->param =
					check_cmdline_acs_param(c, &r->cause);
			snprintf(text, sizeof(text), "%s %s %s",
				 check_type_words(c, &r->cause), k,
				 acs_phrase(c, &r->cause, r->acs_missing, acs,
					    sizeof(acs)));
		} else if (r->code == PCIPASS_REASON_BRIDGE_ALIAS) {
			cs->bridge = true;
			snprintf(text, sizeof(text),
				 "%s %s gives every device below it one requester ID",
				 check_type_words(c, &r->cause), k);
		} else {
			cs->alias = true;
			snprintf(text, sizeof(text),
				 "%s and %s use each other's requester ID (DMA-alias quirk)",
				 s, k);
		}
		open_json_object(NULL);
		print_string(PRINT_JSON, "address", NULL, addr_fmt(&r->cause, buf));
		print_string(PRINT_JSON, "code", NULL, reason_key(r->code));
		print_opt_string(PRINT_JSON, "acs_state", NULL,
				 h ? acs_state_key(h->acs_state) : NULL, NULL);
		check_print_acs_missing(r->acs_missing);
		print_opt_string(PRINT_JSON, "cmdline", NULL,
				 check_cmdline_acs_param(c, &r->cause), NULL);
		print_string(PRINT_ANY, "text", "           %s\n", text);
		close_json_object();
	}
	for (size_t i = 0; i < c->v.chipset.n; i++) {
		const struct pp_device *d = check_find_dev(c, &c->v.chipset.v[i]);
		struct pp_names nm;
		char buf[ADDR_STRLEN];

		if (!d)
			continue;
		cs->chipset = true;
		names_lookup(d, &nm);
		snprintf(text, sizeof(text), "%s %s cannot leave the host",
			 nm.class ? nm.class : "function", addr_short(&d->addr, k));
		open_json_object(NULL);
		print_string(PRINT_JSON, "address", NULL, addr_fmt(&d->addr, buf));
		print_string(PRINT_JSON, "code", NULL, "chipset");
		print_null(PRINT_JSON, "acs_state", NULL, NULL);
		check_print_acs_missing(0);
		print_null(PRINT_JSON, "cmdline", NULL, NULL);
		print_string(PRINT_ANY, "text", "           %s\n", text);
		close_json_object();
	}
	close_json_array();
	addrlist_free(&seen);
	free(v);
}

struct textbuf {
	char *buf;
	size_t size, len;
};

static void tb_add(struct textbuf *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Appends a sentence; the text stays NUL-terminated when it is cut. */
static void tb_add(struct textbuf *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= t->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, t->size - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += n;
}

static void fix_text(const struct check *c, const struct cause_set *cs,
		     char *buf, size_t size)
{
	struct textbuf t = { buf, size, 0 };

	buf[0] = '\0';
	if (cs->acs_off && cs->param)
		tb_add(&t, "Remove %s from the kernel command line: it turns required ACS flags off. ",
		       cs->param);
	else if (cs->acs_off)
		tb_add(&t, "Turn the port's ACS flags on: they are implemented but off (a firmware setting, or setpci after boot). ");
	if (cs->acs)
		tb_add(&t, "Move the card to a slot whose ports have ACS (often one wired to the CPU), turn ACS on in the firmware setup if it offers it, or use other hardware. The out-of-tree pcie_acs_override patch only hides this: the devices could still reach each other by peer-to-peer DMA. ");
	if (cs->bridge)
		tb_add(&t, "Nothing separates devices behind a PCIe-to-PCI bridge: give the card a PCIe slot of its own, or use a PCIe card. ");
	if (cs->alias)
		tb_add(&t, "The devices share requester IDs in hardware: pass them to the same VM, or use other hardware. ");
	if (cs->chipset)
		tb_add(&t, "Chipset functions cannot leave the host, so nothing in this group can go to a VM: use an add-in card in a slot with a group of its own (for disks, pass the disks, not the controller). ");
	if (c->foreign_critical)
		tb_add(&t, "The group holds devices the host needs (see host impact). ");
	if (!t.len)
		tb_add(&t, "Config space does not explain the sharing (see the prediction note): pass the devices to the same VM, or use another slot. ");
	t.len = strlen(buf);
	if (t.len && buf[t.len - 1] == ' ')
		buf[t.len - 1] = '\0';
}

static void groups_words(const struct check *c, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	len += snprintf(buf, size, "IOMMU group%s ", c->nr_groups > 1 ? "s" : "");
	for (size_t i = 0; i < c->nr_groups && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%u", i ? ", " : "",
				c->groups[i]);
}

static bool only_targets(const struct check *c)
{
	for (size_t i = 0; i < c->all.n; i++) {
		const struct pp_device *d = &c->all.v[i];

		if (!d->has_iommu_group)
			continue;
		for (size_t g = 0; g < c->nr_groups; g++)
			if (d->iommu_group == c->groups[g] &&
			    check_role_of(c, &d->addr) != ROLE_TARGET)
				return false;
	}
	return true;
}

/* "04:00, 05:00": the slots of the devices joined */
static void slots_words(const struct pp_addrlist *l, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && len < size; i++) {
		const struct pp_addr *a = &l->v[i];

		if (a->domain)
			len += snprintf(buf + len, size - len, "%s%04x:%02x:%02x",
					i ? ", " : "", a->domain, a->bus,
					PP_SLOT(a->devfn));
		else
			len += snprintf(buf + len, size - len, "%s%02x:%02x",
					i ? ", " : "", a->bus, PP_SLOT(a->devfn));
	}
}

/* The line under the verdict word: what it rests on. */
static void verdict_text(const struct check *c, char *buf, size_t size)
{
	char list[LIST_LEN], groups[128], a[ADDR_STRLEN];
	const struct verdict_result *v = &c->v;
	bool plural = c->nr_targets > 1;

	groups_words(c, groups, sizeof(groups));
	switch (v->verdict) {
	case VERDICT_READY:
		if (only_targets(c) && !plural)
			snprintf(buf, size, "alone in %s", groups);
		else if (only_targets(c))
			snprintf(buf, size, "%s hold%s only these functions",
				 groups, c->nr_groups > 1 ? "" : "s");
		else
			snprintf(buf, size,
				 "%s hold%s only %s and bridges, which stay with the host",
				 groups, c->nr_groups > 1 ? "" : "s",
				 plural ? "these functions" : "it");
		break;
	case VERDICT_COMPANIONS:
		check_list_words(&v->companions, 8, list, sizeof(list));
		snprintf(buf, size, "pass %s along: same device, same %s", list,
			 groups);
		break;
	case VERDICT_NOT_ISOLATABLE:
		if (v->chipset.n) {
			snprintf(buf, size, "%s holds chipset functions the host needs",
				 groups);
		} else if (v->foreign.n) {
			check_list_words(&v->foreign, 8, list, sizeof(list));
			snprintf(buf, size, "%s also holds %s, %s", groups, list,
				 v->foreign.n > 1 ? "other devices" :
						    "another device");
		} else {
			slots_words(&v->slots, list, sizeof(list));
			snprintf(buf, size, "%s joins %zu devices: %s", groups,
				 v->slots.n, list);
		}
		break;
	case VERDICT_NO_IOMMU:
		snprintf(buf, size, "%s has no IOMMU group: enable VT-d/AMD-Vi in the firmware; on Intel boot with intel_iommu=on",
			 addr_short(&c->fns[0].dev->addr, a));
		break;
	}
}

#define TEXT_WIDTH 78
#define INDENT 11

/* Wraps words to TEXT_WIDTH columns after an INDENT-wide label. */
static void print_wrapped(const char *s)
{
	size_t col = INDENT;

	while (*s) {
		size_t w = strcspn(s, " ");

		if (col > INDENT && col + 1 + w > TEXT_WIDTH) {
			print_text("\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			print_text(" ");
			col++;
		}
		print_text("%.*s", (int)w, s);
		col += w;
		s += w;
		s += strspn(s, " ");
	}
	print_text("\n");
}

void check_print_verdict(const struct check *c)
{
	char text[WORDS_LEN], fix[WORDS_LEN], list[LIST_LEN];
	struct cause_set cs;

	verdict_text(c, text, sizeof(text));
	print_string(PRINT_JSON, "verdict", NULL, verdict_key(c->v.verdict));
	print_text("verdict:   %s\n%*s", verdict_words(c->v.verdict), INDENT, "");
	print_string(PRINT_JSON, "verdict_text", NULL, text);
	print_wrapped(text);
	if (c->v.verdict == VERDICT_NOT_ISOLATABLE) {
		print_causes(c, &cs);
		fix_text(c, &cs, fix, sizeof(fix));
		print_string(PRINT_JSON, "fix", NULL, fix);
		print_text("fix:       ");
		print_wrapped(fix);
	} else {
		open_json_array("causes");
		close_json_array();
		print_null(PRINT_JSON, "fix", NULL, NULL);
	}
	check_print_addr_array("companions", &c->v.companions);
	check_print_addr_array("other_functions", &c->others);
	if (c->others.n) {
		check_list_words(&c->others, 8, list, sizeof(list));
		snprintf(fix, sizeof(fix),
			 "%s: other function%s of this device, in %s own IOMMU group%s; pass %s too if the guest needs %s",
			 list, c->others.n > 1 ? "s" : "",
			 c->others.n > 1 ? "their" : "its",
			 c->others.n > 1 ? "s" : "",
			 c->others.n > 1 ? "them" : "it",
			 c->others.n > 1 ? "them" : "it");
		print_text("note:      ");
		print_wrapped(fix);
	}
}

/* ----------------------------------------------------------- readiness */

void check_print_readiness(const struct check *c)
{
	struct pp_addrlist seen = { 0 };
	char a[ADDR_STRLEN], groups[128];
	bool ready = c->v.verdict != VERDICT_NO_IOMMU;
	size_t shown = 0;

	for (size_t i = 0; i < c->nr_targets; i++)
		ready &= c->fns[i].iso.ready;
	print_bool(PRINT_JSON, "vfio_ready", NULL, ready);
	print_text("VFIO now:  ");
	if (c->v.verdict == VERDICT_NO_IOMMU) {
		print_text("not possible without an IOMMU");
	} else if (ready) {
		groups_words(c, groups, sizeof(groups));
		print_text("ready: no member of %s is on a host driver", groups);
	} else {
		print_text("not ready");
	}
	/* Members on drivers that do DMA through the kernel's DMA API. */
	open_json_array("blockers");
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_blockers; j++) {
			const struct pp_blocker *b = &iso->blockers[j];

			if (!addrlist_add_unique(&seen, &b->addr))
				continue;
			open_json_object(NULL);
			print_string(PRINT_JSON, "address", NULL, addr_fmt(&b->addr, a));
			print_text("%s %s", shown++ ? "," : ": unbind",
				   addr_short(&b->addr, a));
			print_string(PRINT_ANY, "driver", " from %s", b->driver);
			close_json_object();
		}
	}
	close_json_array();
	print_text("\n");
	addrlist_free(&seen);
}
