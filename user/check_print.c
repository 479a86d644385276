// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass check: the printing half.  One code path for text and JSON
 * (print.h); the keys are documented in README-json.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pcipass.h>

#include "check.h"
#include "devextra.h"
#include "devprint.h"
#include "impact.h"
#include "names.h"
#include "pcie.h"
#include "print.h"
#include "snippet.h"
#include "state.h"
#include "util.h"
#include "vfio_holders.h"

#define WORDS_LEN 1024
#define LIST_LEN 256

/* ------------------------------------------------------------ lookups */

static const struct pp_hop *find_hop(const struct check *c,
				     const struct pp_addr *a)
{
	for (size_t i = 0; i < c->nr_fns; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_hops; j++)
			if (addr_eq(&iso->hops[j].addr, a))
				return &iso->hops[j];
	}
	return NULL;
}

static enum check_role role_of(const struct check *c, const struct pp_addr *a)
{
	for (size_t i = 0; i < c->nr_fns; i++)
		if (addr_eq(&c->fns[i].dev->addr, a))
			return c->fns[i].role;
	return ROLE_NONE;
}

static const char *role_key(enum check_role r)
{
	switch (r) {
	case ROLE_TARGET:
		return "target";
	case ROLE_COMPANION:
		return "companion";
	case ROLE_NONE:
		break;
	}
	return NULL;
}

/* "root port", "PCIe-to-PCI bridge", "conventional PCI bridge", ... */
static const char *type_words(const struct check *c, const struct pp_addr *a)
{
	const struct pp_hop *h = find_hop(c, a);
	const struct pp_device *d;

	if (h && h->has_pcie_type && pcie_type_words(h->pcie_type))
		return pcie_type_words(h->pcie_type);
	d = check_find_dev(c, a);
	if (h && !h->has_pcie_type)
		return d && device_is_bridge(d) ? "conventional PCI bridge" :
						  "conventional PCI function";
	return d && device_is_bridge(d) ? "bridge" : "function";
}

/* Which kernel parameter, if any, sets the ACS of a. */
static const char *cmdline_acs_param(const struct check *c,
				     const struct pp_addr *a)
{
	if (acs_devlist_names(c->cmdline.config_acs, a))
		return "pci=config_acs=";
	if (acs_devlist_names(c->cmdline.disable_acs_redir, a))
		return "pci=disable_acs_redir=";
	return NULL;
}

/* "has no ACS capability (needs SV RR CR UF)" and the like. */
static const char *acs_phrase(const struct check *c, const struct pp_addr *a,
			      uint16_t missing, char *buf, size_t size)
{
	const struct pp_hop *h = find_hop(c, a);
	const char *param = cmdline_acs_param(c, a);
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

static void print_addr_array(const char *key, const struct pp_addrlist *l)
{
	char a[ADDR_STRLEN];

	open_json_array(key);
	for (size_t i = 0; i < l->n; i++)
		print_string(PRINT_JSON, NULL, NULL, addr_fmt(&l->v[i], a));
	close_json_array();
}

/* ------------------------------------------------------------ reasons */

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
		h = find_hop(c, &r->subject);
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
			 type_words(c, &r->cause), k,
			 acs_phrase(c, &r->cause, r->acs_missing, acs,
				    sizeof(acs)));
		break;
	case PCIPASS_REASON_BRIDGE_ALIAS:
		snprintf(buf, size,
			 "%s shares a group with %s: it sits behind %s %s, which issues the DMA of everything below it under its own requester ID",
			 s, p, type_words(c, &r->cause), k);
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

static void print_acs_missing(uint16_t missing)
{
	print_uint(PRINT_JSON, "acs_missing", NULL, missing);
	open_json_array("acs_missing_flags");
	for (size_t i = 0; i < acs_nbits; i++)
		if (missing & acs_bits[i].mask)
			print_string(PRINT_JSON, NULL, NULL, acs_bits[i].name);
	close_json_array();
}

static void print_opt_addr(const char *key, bool has, const struct pp_addr *a)
{
	char buf[ADDR_STRLEN];

	print_opt_string(PRINT_JSON, key, NULL, has ? addr_fmt(a, buf) : NULL,
			 NULL);
}

static void print_reasons(const struct check *c)
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
		print_opt_addr("peer", v[i]->has_peer, &v[i]->peer);
		print_opt_addr("cause", v[i]->has_cause, &v[i]->cause);
		print_acs_missing(v[i]->acs_missing);
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
		h = find_hop(c, &r->cause);
		if (r->code == PCIPASS_REASON_UPSTREAM_ACS) {
			cs->acs = true;
			cs->acs_off |= h && h->acs_state == PCIPASS_ACS_STATE_DISABLED;
			if (cmdline_acs_param(c, &r->cause))
				cs->param = cmdline_acs_param(c, &r->cause);
			snprintf(text, sizeof(text), "%s %s %s",
				 type_words(c, &r->cause), k,
				 acs_phrase(c, &r->cause, r->acs_missing, acs,
					    sizeof(acs)));
		} else if (r->code == PCIPASS_REASON_BRIDGE_ALIAS) {
			cs->bridge = true;
			snprintf(text, sizeof(text),
				 "%s %s gives every device below it one requester ID",
				 type_words(c, &r->cause), k);
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
		print_acs_missing(r->acs_missing);
		print_opt_string(PRINT_JSON, "cmdline", NULL,
				 cmdline_acs_param(c, &r->cause), NULL);
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
		print_acs_missing(0);
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

/* "06:00.1, 06:00.2" (at most max, then "and N more") */
static void list_words(const struct pp_addrlist *l, size_t max, char *buf,
		       size_t size)
{
	size_t len = 0;
	char a[ADDR_STRLEN];

	buf[0] = '\0';
	for (size_t i = 0; i < l->n && i < max && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				addr_short(&l->v[i], a));
	if (l->n > max && len < size)
		snprintf(buf + len, size - len, " and %zu more", l->n - max);
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
			    role_of(c, &d->addr) != ROLE_TARGET)
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
		list_words(&v->companions, 8, list, sizeof(list));
		snprintf(buf, size, "pass %s along: same device, same %s", list,
			 groups);
		break;
	case VERDICT_NOT_ISOLATABLE:
		if (v->chipset.n) {
			snprintf(buf, size, "%s holds chipset functions the host needs",
				 groups);
		} else if (v->foreign.n) {
			list_words(&v->foreign, 8, list, sizeof(list));
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

static void print_verdict(const struct check *c)
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
	print_addr_array("companions", &c->v.companions);
	print_addr_array("other_functions", &c->others);
	if (c->others.n) {
		list_words(&c->others, 8, list, sizeof(list));
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

static void print_readiness(const struct check *c)
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

/* ---------------------------------------------------------------- path */

struct tree_node {
	const struct pp_hop *hop;
	const struct pp_hop *up;	/* NULL at the root bus */
	size_t depth;
	bool last;			/* last child of its parent */
	char prefix[64];
};

static bool node_known(const struct tree_node *v, size_t n,
		       const struct pp_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (addr_eq(&v[i].hop->addr, a))
			return true;
	return false;
}

/* Unique hops of every fetched path, each with the hop above it. */
static struct tree_node *collect_hops(const struct check *c, size_t *n)
{
	struct tree_node *v = NULL;

	*n = 0;
	for (size_t i = 0; i < c->nr_fns; i++) {
		const struct pp_iso *iso = &c->fns[i].iso;

		for (size_t j = 0; j < iso->nr_hops; j++) {
			if (node_known(v, *n, &iso->hops[j].addr))
				continue;
			v = xrealloc(v, (*n + 1) * sizeof(*v));
			memset(&v[*n], 0, sizeof(v[*n]));
			v[*n].hop = &iso->hops[j];
			v[*n].up = j + 1 < iso->nr_hops ? &iso->hops[j + 1] : NULL;
			(*n)++;
		}
	}
	return v;
}

static bool is_child(const struct tree_node *n, const struct pp_hop *parent)
{
	if (!parent)
		return !n->up;
	return n->up && addr_eq(&n->up->addr, &parent->addr);
}

/* Depth-first, children by address: the order lspci -t draws. */
static void tree_order(struct tree_node *in, size_t n, const struct pp_hop *parent,
		       const char *prefix, size_t depth, struct tree_node *out,
		       size_t *nout)
{
	for (;;) {
		struct tree_node *next = NULL;
		bool more = false;

		for (size_t i = 0; i < n; i++) {
			if (in[i].depth == SIZE_MAX || !is_child(&in[i], parent))
				continue;
			if (!next || addr_cmp(&in[i].hop->addr, &next->hop->addr) < 0)
				next = &in[i];
		}
		if (!next)
			return;
		for (size_t i = 0; i < n; i++)
			if (&in[i] != next && in[i].depth != SIZE_MAX &&
			    is_child(&in[i], parent))
				more = true;
		out[*nout] = *next;
		out[*nout].depth = depth;
		out[*nout].last = !more;
		snprintf(out[*nout].prefix, sizeof(out[*nout].prefix), "%s%s",
			 prefix, depth ? (more ? "|- " : "`- ") : "");
		(*nout)++;
		next->depth = SIZE_MAX;	/* placed */
		{
			char sub[64];

			snprintf(sub, sizeof(sub), "%s%s", prefix,
				 depth ? (more ? "|  " : "   ") : "");
			tree_order(in, n, next->hop, sub, depth + 1, out, nout);
		}
	}
}

static void acs_flags_compact(const struct pp_acs *acs, char *buf, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < acs_nbits && len < size; i++) {
		const struct acs_bit *b = &acs_bits[i];
		char mark = !(acs->cap & b->mask) ? '.' :
			    (acs->ctrl & b->mask) ? '+' : '-';

		len += snprintf(buf + len, size - len, "%s%s%c", i ? " " : "",
				b->name, mark);
	}
}

static const char *acs_state_words(uint8_t state)
{
	switch (state) {
	case PCIPASS_ACS_STATE_NOT_APPLICABLE:
		return "ACS not needed";
	case PCIPASS_ACS_STATE_ENABLED:
		return "ACS on";
	case PCIPASS_ACS_STATE_DISABLED:
		return "ACS partly off";
	case PCIPASS_ACS_STATE_ABSENT:
		return "no ACS";
	case PCIPASS_ACS_STATE_NEVER:
		return "never isolates";
	}
	return "unknown ACS state";
}

static void print_json_acs(const struct pp_hop *h)
{
	if (!h->has_acs) {
		print_null(PRINT_JSON, "acs", NULL, NULL);
		return;
	}
	open_json_object("acs");
	print_uint(PRINT_JSON, "cap", NULL, h->acs.cap);
	print_uint(PRINT_JSON, "ctrl", NULL, h->acs.ctrl);
	print_uint(PRINT_JSON, "pos", NULL, h->acs.pos);
	open_json_object("flags");
	for (size_t i = 0; i < acs_nbits; i++) {
		open_json_object(acs_bits[i].name);
		print_bool(PRINT_JSON, "cap", NULL, h->acs.cap & acs_bits[i].mask);
		print_bool(PRINT_JSON, "enabled", NULL,
			   h->acs.ctrl & acs_bits[i].mask);
		close_json_object();
	}
	close_json_object();
	close_json_object();
}

static void print_hop(const struct check *c, const struct tree_node *t,
		      int width)
{
	const struct pp_hop *h = t->hop;
	char a[ADDR_STRLEN], left[160], line[400], flags[64], names[64];
	const char *role = role_key(role_of(c, &h->addr));
	const char *param = cmdline_acs_param(c, &h->addr);
	size_t len;

	open_json_object(NULL);
	print_string(PRINT_JSON, "address", NULL, addr_fmt(&h->addr, a));
	print_opt_addr("upstream", t->up, t->up ? &t->up->addr : NULL);
	if (h->has_pcie_type) {
		print_uint(PRINT_JSON, "pcie_type", NULL, h->pcie_type);
		print_opt_string(PRINT_JSON, "pcie_type_name", NULL,
				 pcie_type_key(h->pcie_type), NULL);
	} else {
		print_null(PRINT_JSON, "pcie_type", NULL, NULL);
		print_null(PRINT_JSON, "pcie_type_name", NULL, NULL);
	}
	print_opt_string(PRINT_JSON, "acs_state", NULL,
			 acs_state_key(h->acs_state), NULL);
	print_acs_missing(h->acs_missing);
	print_json_acs(h);
	print_opt_string(PRINT_JSON, "cmdline", NULL, param, NULL);
	print_opt_string(PRINT_JSON, "role", NULL, role, NULL);
	close_json_object();

	/* Text: one line, built whole so that it carries no trailing blanks. */
	snprintf(left, sizeof(left), "%s%s %s", t->prefix,
		 addr_short(&h->addr, a), type_words(c, &h->addr));
	len = snprintf(line, sizeof(line), "  %-*s  %-14s", width, left,
		       acs_state_words(h->acs_state));
	if (h->has_acs && len < sizeof(line)) {
		acs_flags_compact(&h->acs, flags, sizeof(flags));
		len += snprintf(line + len, sizeof(line) - len,
				" %s (cap %04x ctl %04x)", flags, h->acs.cap,
				h->acs.ctrl);
	}
	if ((h->acs_state == PCIPASS_ACS_STATE_ABSENT ||
	     h->acs_state == PCIPASS_ACS_STATE_DISABLED) && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, " lacks %s",
				acs_flag_names(h->acs_missing, names,
					       sizeof(names)));
	if (param && len < sizeof(line))
		len += snprintf(line + len, sizeof(line) - len, ", set by %s",
				param);
	if (role && len < sizeof(line))
		snprintf(line + len, sizeof(line) - len, "  <- %s", role);
	len = strlen(line);
	while (len && line[len - 1] == ' ')
		line[--len] = '\0';
	print_text("%s\n", line);
}

static void print_path(const struct check *c)
{
	struct tree_node *in, *out;
	size_t n, nout = 0;
	int width = 0;

	in = collect_hops(c, &n);
	out = xrealloc(NULL, (n + 1) * sizeof(*out));
	tree_order(in, n, NULL, "", 0, out, &nout);
	for (size_t i = 0; i < nout; i++) {
		char a[ADDR_STRLEN];
		int w = (int)(strlen(out[i].prefix) +
			      strlen(addr_short(&out[i].hop->addr, a)) + 1 +
			      strlen(type_words(c, &out[i].hop->addr)));

		if (w > width)
			width = w;
	}
	print_text("\npath from the root complex (ACS flags: + on, - off, . not implemented):\n");
	open_json_array("path");
	for (size_t i = 0; i < nout; i++)
		print_hop(c, &out[i], width);
	close_json_array();
	free(in);
	free(out);
}

/* -------------------------------------------------------------- groups */

static const struct pp_iso *iso_of_group(const struct check *c, uint32_t id)
{
	for (size_t i = 0; i < c->nr_fns; i++)
		if (c->fns[i].has_iso && c->fns[i].iso.has_group &&
		    c->fns[i].iso.group == id)
			return &c->fns[i].iso;
	return NULL;
}

/* A group the prediction does not explain.  pci=config_acs= and
 * disable_acs_redir= act before the groups are formed, so the prediction
 * already sees their effect; they are only named for context.
 */
static const char *likely_cause(const struct check *c, const struct pp_iso *iso,
				char *buf, size_t size)
{
	const struct acs_cmdline *cl = &c->cmdline;
	size_t len;

	if (cl->acs_override && iso->predicted_only.n)
		return snprintf(buf, size,
				"pcie_acs_override=%s on the kernel command line: an out-of-tree patch that makes the kernel treat ports as isolating; it hides the sharing, it does not stop peer-to-peer DMA",
				cl->acs_override), buf;
	len = snprintf(buf, size,
		       "a device-specific ACS or DMA-alias quirk in the kernel, or ACS changed after boot");
	if (cl->config_acs && len < size)
		len += snprintf(buf + len, size - len,
				" (the kernel command line sets ACS at boot: pci=config_acs=%s)",
				cl->config_acs);
	else if (cl->disable_acs_redir && len < size)
		len += snprintf(buf + len, size - len,
				" (the kernel command line sets ACS at boot: pci=disable_acs_redir=%s)",
				cl->disable_acs_redir);
	return buf;
}

static void print_prediction(const struct check *c, const struct pp_iso *iso)
{
	bool matches = iso && !iso->kernel_only.n && !iso->predicted_only.n;
	char list[LIST_LEN], cause[WORDS_LEN];

	static const struct pp_addrlist empty;

	print_bool(PRINT_JSON, "prediction_matches", NULL, matches);
	print_addr_array("predicted", iso ? &iso->predicted : &empty);
	print_addr_array("kernel_only", iso ? &iso->kernel_only : &empty);
	print_addr_array("predicted_only", iso ? &iso->predicted_only : &empty);
	print_bool(PRINT_JSON, "truncated", NULL, iso && iso->truncated);
	if (matches || !iso) {
		print_null(PRINT_JSON, "likely_cause", NULL, NULL);
		print_text(matches ? " (config space predicts the same group)\n" : "\n");
		return;
	}
	print_text(" (differs from the prediction from config space)\n");
	if (iso->kernel_only.n) {
		list_words(&iso->kernel_only, 8, list, sizeof(list));
		print_text("  the kernel also put %s here; config space does not explain it\n",
			   list);
	}
	if (iso->predicted_only.n) {
		list_words(&iso->predicted_only, 8, list, sizeof(list));
		print_text("  config space predicts %s here too; the kernel keeps %s apart\n",
			   list, iso->predicted_only.n > 1 ? "them" : "it");
	}
	print_string(PRINT_ANY, "likely_cause", "  likely cause: %s\n",
		     likely_cause(c, iso, cause, sizeof(cause)));
}

static int cmp_dev_ptr(const void *pa, const void *pb)
{
	const struct pp_device *const *a = pa, *const *b = pb;

	return addr_cmp(&(*a)->addr, &(*b)->addr);
}

/* A group with a VFIO member and no host driver may be held by a VM;
 * claim and release would be refused, so say who holds it.
 */
static void print_vfio_user(const struct pp_device **m, size_t n, uint32_t id)
{
	bool vfio = false, host = false, known = true;
	char *who = NULL;

	for (size_t i = 0; i < n; i++) {
		vfio |= member_kind(m[i]) == MEMBER_VFIO;
		host |= member_kind(m[i]) == MEMBER_HOST;
	}
	if (vfio && !host)
		who = vfio_holders_of_group(id, &known);
	if (who) {
		print_string(PRINT_ANY, "vfio_user",
			     "  in use by %s through VFIO: stop the VM before claim or release\n",
			     who);
	} else {
		print_null(PRINT_JSON, "vfio_user", NULL, NULL);
		if (!known)
			print_text("  VFIO users unknown (run as root to see them)\n");
	}
	free(who);
}

static void print_group(const struct check *c, uint32_t id)
{
	const struct pp_device **m = NULL;
	const struct pp_iso *iso = iso_of_group(c, id);
	size_t n = 0;

	for (size_t i = 0; i < c->all.n; i++) {
		if (!c->all.v[i].has_iommu_group || c->all.v[i].iommu_group != id)
			continue;
		m = xrealloc(m, (n + 1) * sizeof(*m));
		m[n++] = &c->all.v[i];
	}
	if (n)
		qsort(m, n, sizeof(*m), cmp_dev_ptr);
	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "\nIOMMU group %u", id);
	print_prediction(c, iso);
	print_vfio_user(m, n, id);
	if (iso && iso->truncated)
		print_text("  (the group is too large: the module's lists stop at %u entries)\n",
			   PCIPASS_ISO_LIST_MAX);
	open_json_array("devices");
	for (size_t i = 0; i < n; i++)
		print_device_row(m[i], true, ROW_NO_MARK);
	close_json_array();
	close_json_object();
	free(m);
}

static void print_groups(const struct check *c)
{
	open_json_array("groups");
	for (size_t i = 0; i < c->nr_groups; i++)
		print_group(c, c->groups[i]);
	close_json_array();
}

/* ------------------------------------------------------------- devices */

static void print_header(const struct check *c)
{
	static const char *const kinds[] = {
		[CHECK_FUNCTION] = "function",
		[CHECK_SLOT] = "slot",
		[CHECK_GROUP] = "group",
	};

	print_string(PRINT_JSON, "query", NULL, c->arg);
	print_string(PRINT_JSON, "query_kind", NULL, kinds[c->kind]);
	open_json_array("targets");
	for (size_t i = 0; i < c->nr_targets; i++) {
		const struct pp_device *d = c->fns[i].dev;
		char a[ADDR_STRLEN];
		struct pp_names n;

		names_lookup(d, &n);
		print_string(PRINT_ANY, NULL, "%s ", addr_fmt(&d->addr, a));
		print_text_description(d, &n);
		print_text("\n");
	}
	close_json_array();
	open_json_array("iommu_groups");
	for (size_t i = 0; i < c->nr_groups; i++)
		print_uint(PRINT_JSON, NULL, NULL, c->groups[i]);
	close_json_array();
	print_text("\n");
}

/* The summary keys of README-json.md plus the role and the extras. */
static void print_device(const struct check_fn *f)
{
	const struct pp_device *d = f->dev;
	char a[ADDR_STRLEN];
	struct pp_names n;

	names_lookup(d, &n);
	open_json_object(NULL);
	print_string(PRINT_ANY, "address", "\n%s ", addr_fmt(&d->addr, a));
	print_string(PRINT_ANY, "role", "(%s) ", role_key(f->role));
	print_uint(PRINT_ANY, "vendor", "[%04x:", d->vendor);
	print_uint(PRINT_ANY, "device", "%04x] ", d->device);
	print_uint(PRINT_JSON, "class", NULL, d->class);
	print_uint(PRINT_JSON, "header_type", NULL, d->header_type);
	print_opt_string(PRINT_JSON, "driver", NULL, d->driver, NULL);
	print_json_names(&n, false);
	print_text_description(d, &n);
	print_text("\n");
	devextra_print(a);
	close_json_object();
}

static bool passes(const struct check *c)
{
	return c->v.verdict == VERDICT_READY ||
	       c->v.verdict == VERDICT_COMPANIONS;
}

static void print_devices(const struct check *c)
{
	open_json_array("devices");
	for (size_t i = 0; i < c->nr_fns; i++)
		if (c->fns[i].role == ROLE_TARGET || passes(c))
			print_device(&c->fns[i]);
	close_json_array();
}

static void print_snippets(const struct check *c)
{
	char (*buf)[ADDR_STRLEN];
	const char **v;
	size_t n = 0;

	if (!passes(c)) {
		print_null(PRINT_JSON, "proxmox", NULL, NULL);
		print_null(PRINT_JSON, "libvirt", NULL, NULL);
		print_text("\nno Proxmox/libvirt configuration: the verdict is %s\n",
			   verdict_words(c->v.verdict));
		return;
	}
	v = xrealloc(NULL, c->nr_fns * sizeof(*v));
	buf = xrealloc(NULL, c->nr_fns * sizeof(*buf));
	for (size_t i = 0; i < c->nr_fns; i++)
		v[n++] = addr_fmt(&c->fns[i].dev->addr, buf[i]);
	print_text("\n");
	snippet_print(v, n, c->primary_gpu);
	free(v);
	free(buf);
}

static void print_cmdline(const struct check *c)
{
	open_json_object("cmdline_acs");
	print_opt_string(PRINT_JSON, "pcie_acs_override", NULL,
			 c->cmdline.acs_override, NULL);
	print_opt_string(PRINT_JSON, "config_acs", NULL, c->cmdline.config_acs,
			 NULL);
	print_opt_string(PRINT_JSON, "disable_acs_redir", NULL,
			 c->cmdline.disable_acs_redir, NULL);
	close_json_object();
}

void check_print(const struct check *c)
{
	open_json_object(NULL);
	print_header(c);
	print_verdict(c);
	print_readiness(c);
	print_reasons(c);
	print_path(c);
	print_groups(c);
	print_cmdline(c);
	print_devices(c);
	print_text("\n");
	if (c->impact)
		impact_print(c->impact);
	else
		print_null(PRINT_JSON, "host_impact", NULL, NULL);
	print_snippets(c);
	close_json_object();
}
