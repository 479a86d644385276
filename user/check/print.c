// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass check: the printing half.  One code path for text and JSON
 * (lib/print.h); the keys are documented in README-json.md.
 *
 * check_print() sets the order of the sections.  This file prints the
 * ones about the functions as they are: the header, the IOMMU groups
 * with their members, the functions' details and the Proxmox/libvirt
 * snippets.  The sections that explain the topology are files of their
 * own, as they are most of the code: the verdict, its causes and reasons
 * (check/print_verdict.c) and the path to the root complex
 * (check/print_path.c).  The lookups they share are at the top here.
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/pcipass.h>

#include "check/print_int.h"
#include "check/snippet.h"
#include "hook/vmhold.h"
#include "impact/impact.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pci/devextra.h"
#include "pci/devprint.h"
#include "pci/names.h"
#include "pci/pcie.h"
#include "pci/state.h"
#include "pci/vfio_holders.h"

/* ------------------------------------------------------------ lookups */

/* These, and the pieces below them, serve more than one of the
 * check/print*.c files (check/print_int.h).
 */

const struct pp_hop *check_find_hop(const struct check *c,
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

enum check_role check_role_of(const struct check *c, const struct pp_addr *a)
{
	for (size_t i = 0; i < c->nr_fns; i++)
		if (addr_eq(&c->fns[i].dev->addr, a))
			return c->fns[i].role;
	return ROLE_NONE;
}

const char *check_role_key(enum check_role r)
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
const char *check_type_words(const struct check *c, const struct pp_addr *a)
{
	const struct pp_hop *h = check_find_hop(c, a);
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
const char *check_cmdline_acs_param(const struct check *c,
				    const struct pp_addr *a)
{
	if (acs_devlist_names(c->cmdline.config_acs, a))
		return "pci=config_acs=";
	if (acs_devlist_names(c->cmdline.disable_acs_redir, a))
		return "pci=disable_acs_redir=";
	return NULL;
}

/* ------------------------------------------------------ shared pieces */

void check_print_addr_array(const char *key, const struct pp_addrlist *l)
{
	char a[ADDR_STRLEN];

	open_json_array(key);
	for (size_t i = 0; i < l->n; i++)
		print_string(PRINT_JSON, NULL, NULL, addr_fmt(&l->v[i], a));
	close_json_array();
}

void check_print_acs_missing(uint16_t missing)
{
	print_uint(PRINT_JSON, "acs_missing", NULL, missing);
	open_json_array("acs_missing_flags");
	for (size_t i = 0; i < acs_nbits; i++)
		if (missing & acs_bits[i].mask)
			print_string(PRINT_JSON, NULL, NULL, acs_bits[i].name);
	close_json_array();
}

void check_print_opt_addr(const char *key, bool has, const struct pp_addr *a)
{
	char buf[ADDR_STRLEN];

	print_opt_string(PRINT_JSON, key, NULL, has ? addr_fmt(a, buf) : NULL,
			 NULL);
}

/* "06:00.1, 06:00.2" (at most max, then "and N more") */
void check_list_words(const struct pp_addrlist *l, size_t max, char *buf,
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
	check_print_addr_array("predicted", iso ? &iso->predicted : &empty);
	check_print_addr_array("kernel_only", iso ? &iso->kernel_only : &empty);
	check_print_addr_array("predicted_only",
			       iso ? &iso->predicted_only : &empty);
	print_bool(PRINT_JSON, "truncated", NULL, iso && iso->truncated);
	if (matches || !iso) {
		print_null(PRINT_JSON, "likely_cause", NULL, NULL);
		print_text(matches ? " (config space predicts the same group)\n" : "\n");
		return;
	}
	print_text(" (differs from the prediction from config space)\n");
	if (iso->kernel_only.n) {
		check_list_words(&iso->kernel_only, 8, list, sizeof(list));
		print_text("  the kernel also put %s here; config space does not explain it\n",
			   list);
	}
	if (iso->predicted_only.n) {
		check_list_words(&iso->predicted_only, 8, list, sizeof(list));
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

/* The VM a hook claimed the group for (hook/vmhold.h). */
static void print_claimed_for(const struct pp_device **m, size_t n)
{
	const struct vmhold *rec = NULL;
	struct vmhold *v = NULL;
	size_t nv = vmhold_load(&v);
	char a[ADDR_STRLEN], words[VMHOLD_OWNER_MAX + 32];

	for (size_t i = 0; i < n && nv && !rec; i++)
		rec = vmhold_find(v, nv, addr_fmt(&m[i]->addr, a));
	print_opt_string(PRINT_JSON, "claimed_for", NULL,
			 rec ? rec->owner : NULL, NULL);
	if (rec)
		print_text("  claimed for %s by its hook ('pcipass release %s' gives it back)\n",
			   vmhold_owner_words(rec->owner, words, sizeof(words)),
			   rec->members[0]);
	free(v);
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
	print_claimed_for(m, n);
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
	print_string(PRINT_ANY, "role", "(%s) ", check_role_key(f->role));
	print_uint(PRINT_ANY, "vendor", "[%04x:", d->vendor);
	print_uint(PRINT_ANY, "device", "%04x] ", d->device);
	print_uint(PRINT_JSON, "class", NULL, d->class);
	print_uint(PRINT_JSON, "header_type", NULL, d->header_type);
	print_opt_string(PRINT_JSON, "driver", NULL, d->driver, NULL);
	print_bool(PRINT_JSON, "driver_busy", NULL, d->driver_busy);
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
	check_print_verdict(c);
	check_print_readiness(c);
	check_print_reasons(c);
	check_print_path(c);
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
