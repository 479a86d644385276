// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass export proxmox-mapping NAME ADDR|SLOT...`: a Proxmox VE PCI
 * resource mapping for this node's functions, with the facts Proxmox
 * checks before a VM starts (id, subsystem-id, iommugroup: pve/mapping.h)
 * read the way it reads them, so the map matches by construction.  A slot
 * becomes one map with a path without function, Proxmox's "all
 * functions" form (the GUI's checkbox): one map per function would be
 * alternatives to Proxmox (several maps of a node are a pool, the VM gets
 * the first free one), not a multi-function card.  For the same reason
 * several ADDRs give several maps: a pool of interchangeable devices.
 */
#include <stdlib.h>
#include <string.h>

#include "export/export.h"
#include "cli.h"
#include "lib/print.h"
#include "lib/util.h"
#include "pve/mapping.h"

struct pvemap_item {
	struct pve_map m;
	char *text;			/* m as Proxmox writes it */
	const struct pve_fn *fn[8];	/* the functions it maps */
	size_t nfn;
};

/* One ADDR or SLOT into it; an exit status. */
static int item_of(const struct pve_hw *hw, const char *arg, const char *node,
		   struct pvemap_item *it)
{
	enum addr_scope scope;
	struct pp_addr a;
	const struct pve_fn *f;

	if (addr_parse(arg, &a, &scope))
		return cli_usage_error("export: '%s' is not a PCI address or slot",
				       arg);
	f = pve_hw_find(hw, &a);	/* a slot parses as its function 0 */
	if (!f) {
		pp_err("export: no PCI function %s%s", arg,
		       scope == ADDR_SLOT ? ".0 (a slot maps from function 0)" : "");
		return EXIT_RUNTIME;
	}
	if (!f->has_group) {
		pp_err("export: %s has no IOMMU group (the IOMMU is off): it cannot be passed through",
		       f->addr);
		return EXIT_RUNTIME;
	}
	memset(it, 0, sizeof(*it));
	snprintf(it->m.node, sizeof(it->m.node), "%s", node);
	it->m.path[0].addr = f->a;
	it->m.path[0].slot = scope == ADDR_SLOT;
	it->m.npaths = 1;
	it->m.vendor = f->vendor;
	it->m.device = f->device;
	it->m.has_sub = f->has_sub;
	it->m.sub_vendor = f->sub_vendor;
	it->m.sub_device = f->sub_device;
	it->m.has_group = true;
	it->m.group = f->group;
	it->text = pve_map_format(&it->m);
	for (size_t i = 0; i < hw->n && it->nfn < ARRAY_SIZE(it->fn); i++)
		if (scope == ADDR_SLOT ? addr_in_slot(&hw->f[i].a, &a) :
					 &hw->f[i] == f)
			it->fn[it->nfn++] = &hw->f[i];
	return -1;
}

/* The shell command and the pci.cfg section, from the same map texts. */
static void render(const struct export_opts *o, const struct pvemap_item *it,
		   size_t n, char **pvesh, char **cfg)
{
	size_t lp = 0, lc = 0;

	*pvesh = NULL;
	*cfg = NULL;
	for (size_t i = 0; i <= n; i++) {
		const char *t = i < n ? it[i].text : "";
		size_t need = strlen(t) + strlen(o->map_name) + 64;

		*pvesh = xrealloc(*pvesh, lp + need);
		*cfg = xrealloc(*cfg, lc + need);
		if (!i) {
			lp += (size_t)sprintf(*pvesh, "pvesh create /cluster/mapping/pci --id %s",
					      o->map_name);
			lc += (size_t)sprintf(*cfg, "%s\n", o->map_name);
		}
		if (i == n)
			break;
		/* no value holds a quote: ids, numbers, node, paths */
		lp += (size_t)sprintf(*pvesh + lp, " --map '%s'", t);
		lc += (size_t)sprintf(*cfg + lc, "\tmap %s\n", t);
	}
	strcat(*pvesh, "\n");
}

static void print_json(const struct export_opts *o,
		       const struct pvemap_item *it, size_t n,
		       const char *pvesh, const char *cfg)
{
	char buf[ADDR_STRLEN], id[16];

	open_json_object(NULL);
	print_string(PRINT_JSON, "mapping", NULL, o->map_name);
	print_string(PRINT_JSON, "node", NULL, o->node);
	open_json_array("maps");
	for (size_t i = 0; i < n; i++) {
		const struct pve_map *m = &it[i].m;

		open_json_object(NULL);
		print_string(PRINT_JSON, "map", NULL, it[i].text);
		print_string(PRINT_JSON, "path", NULL, pve_path_fmt(&m->path[0], buf));
		snprintf(id, sizeof(id), "%04x:%04x", m->vendor, m->device);
		print_string(PRINT_JSON, "id", NULL, id);
		snprintf(id, sizeof(id), "%04x:%04x", m->sub_vendor, m->sub_device);
		print_opt_string(PRINT_JSON, "subsystem_id", NULL,
				 m->has_sub ? id : NULL, NULL);
		print_uint(PRINT_JSON, "iommugroup", NULL, m->group);
		open_json_array("functions");
		for (size_t k = 0; k < it[i].nfn; k++)
			print_string(PRINT_JSON, NULL, NULL, it[i].fn[k]->addr);
		close_json_array();
		close_json_object();
	}
	close_json_array();
	print_string(PRINT_JSON, "pvesh", NULL, pvesh);
	print_string(PRINT_JSON, "config", NULL, cfg);
	close_json_object();
}

static int write_text(const struct export_opts *o, const char *text)
{
	struct outfile out;
	int err = outfile_open(&out, o->output);

	if (err) {
		pp_err("export: cannot create a temporary file next to %s: %s",
		       o->output, strerror(-err));
		return EXIT_RUNTIME;
	}
	fputs(text, out.f);
	err = outfile_close(&out, true);
	if (err && o->output) {
		pp_err("export: writing %s: %s", o->output, strerror(-err));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int export_pvemap(const struct export_opts *o)
{
	struct pvemap_item *it = xrealloc(NULL, o->naddrs * sizeof(*it));
	char *pvesh = NULL, *cfg = NULL;
	struct pve_hw hw;
	size_t n = 0;
	int rc = -1;

	pve_hw_scan(&hw);
	while (rc < 0 && n < o->naddrs) {
		rc = item_of(&hw, o->addrs[n], o->node, &it[n]);
		n += rc < 0;
	}
	if (rc < 0) {
		render(o, it, n, &pvesh, &cfg);
		if (is_json_context())
			print_json(o, it, n, pvesh, cfg);
		rc = is_json_context() ? EXIT_OK :
		     write_text(o, o->config ? cfg : pvesh);
	}
	for (size_t i = 0; i < n; i++)
		free(it[i].text);
	free(it);
	free(pvesh);
	free(cfg);
	pve_hw_free(&hw);
	return rc;
}
