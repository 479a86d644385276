// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass persist list
 * pcipass persist remove ADDR|PATH ...
 *
 * What claims.conf and sriov.conf hold and how each entry matches the
 * hardware now; dropping entries by address or path (cmd/persist.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd/persist.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define MODULE_CLAIMS "/sys/module/pcipass/parameters/claims"

/* What the loaded module was given, and whether the file says the same. */
static const char *module_state(struct persist_conf *c)
{
	char *opt, *loaded;
	const char *s;

	persist_mark_held(c, true);
	opt = persist_conf_option(c);

	loaded = sysroot_read_line(MODULE_CLAIMS);
	if (!loaded)
		s = sysroot_exists("/sys/module/pcipass") ? "unknown" : "not_loaded";
	else
		s = !strcmp(loaded, "(null)") ? (*opt ? "other" : "same") :
		    !strcmp(loaded, opt) ? "same" : "other";
	free(loaded);
	free(opt);
	return s;
}

static void list_one(const struct persist_entry *e,
		     const struct persist_hw *hw)
{
	enum persist_match m;
	char ids[16], where[192] = "", *drv = NULL;
	const char *cur;
	size_t idx = 0;

	m = persist_hw_match(hw, e, &idx);
	snprintf(ids, sizeof(ids), "%04x:%04x", e->vendor, e->device);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "line", NULL, (unsigned int)e->line);
	print_string(PRINT_ANY, "path", "%-22s", e->path);
	print_string(PRINT_ANY, "ids", " %s", ids);
	print_string(PRINT_ANY, "driver", " %-9s", e->driver);
	print_bool(PRINT_JSON, "force", NULL, e->force);
	print_string(PRINT_JSON, "match", NULL, persist_match_key(m));
	if (m != PERSIST_MATCH_ABSENT)
		drv = persist_bound_driver(hw->addr[idx]);
	switch (m) {
	case PERSIST_MATCH_HERE:
		snprintf(where, sizeof(where), " present: %s", hw->addr[idx]);
		break;
	case PERSIST_MATCH_MOVED:
		snprintf(where, sizeof(where), " MOVED: now %s at %s",
			 hw->addr[idx], hw->f[idx].path);
		break;
	case PERSIST_MATCH_OTHER:
		snprintf(where, sizeof(where), " NOT MATCHING: %s is %04x:%04x",
			 hw->addr[idx], hw->f[idx].vendor, hw->f[idx].device);
		break;
	case PERSIST_MATCH_ABSENT:
		snprintf(where, sizeof(where), " absent");
		break;
	}
	print_text("%s", where);
	print_opt_string(PRINT_JSON, "address", NULL,
			 m == PERSIST_MATCH_ABSENT ? NULL : hw->addr[idx], NULL);
	/* null when unbound, as "driver" is everywhere else in the JSON */
	print_opt_string(PRINT_JSON, "current_driver", NULL, drv, NULL);
	cur = m == PERSIST_MATCH_ABSENT ? NULL : (drv ? drv : "no driver");
	if (cur)
		print_text(" (on %s)", cur);
	/* JSON null: in the option (module_state() marked the others) */
	print_opt_string(PRINT_JSON, "left_out", NULL,
			 e->off ? e->off_why : NULL, NULL);
	if (e->off)
		print_text("; LEFT OUT of the boot option: the host holds %s",
			   e->off_why);
	print_text("\n");
	close_json_object();
	free(drv);
}

/* A VF-count entry: the PF now, and its VFs. */
static void list_vfs_one(const struct persist_entry *e,
			 const struct persist_hw *hw)
{
	enum persist_match m;
	char ids[16];
	long numvfs = -1;
	size_t idx = 0;

	m = persist_hw_match(hw, e, &idx);
	snprintf(ids, sizeof(ids), "%04x:%04x", e->vendor, e->device);
	if (m == PERSIST_MATCH_HERE || m == PERSIST_MATCH_MOVED)
		numvfs = persist_numvfs(hw->addr[idx]);
	open_json_object(NULL);
	print_uint(PRINT_JSON, "line", NULL, (unsigned int)e->line);
	print_string(PRINT_ANY, "path", "%-22s", e->path);
	print_string(PRINT_ANY, "ids", " %s", ids);
	print_uint(PRINT_ANY, "vfs", " vfs=%-4u", (unsigned int)e->vfs);
	print_string(PRINT_JSON, "match", NULL, persist_match_key(m));
	print_opt_string(PRINT_JSON, "address", NULL,
			 m == PERSIST_MATCH_ABSENT ? NULL : hw->addr[idx], NULL);
	if (numvfs >= 0)
		print_uint(PRINT_JSON, "numvfs", NULL, (unsigned int)numvfs);
	else
		print_null(PRINT_JSON, "numvfs", NULL, NULL);
	switch (m) {
	case PERSIST_MATCH_HERE:
		print_text(" present: %s", hw->addr[idx]);
		break;
	case PERSIST_MATCH_MOVED:
		print_text(" MOVED: now %s at %s", hw->addr[idx], hw->f[idx].path);
		break;
	case PERSIST_MATCH_OTHER:
		print_text(" NOT MATCHING: %s is %04x:%04x: not touched at boot",
			   hw->addr[idx], hw->f[idx].vendor, hw->f[idx].device);
		break;
	case PERSIST_MATCH_ABSENT:
		print_text(" absent");
		break;
	}
	if (numvfs >= 0)
		print_text(" (%ld VFs now)", numvfs);
	else if (m == PERSIST_MATCH_HERE || m == PERSIST_MATCH_MOVED)
		print_text(" (not an SR-IOV PF)");
	print_text("\n");
	close_json_object();
}

int persist_list(void)
{
	struct persist_conf c, v;
	struct persist_hw hw;
	const char *mod;
	int bad, vbad, rc;

	rc = persist_cmd_load_file(PERSIST_CONF, &c, false, &bad);
	if (rc)
		return rc;
	rc = persist_cmd_load_file(PERSIST_SRIOV_CONF, &v, false, &vbad);
	if (rc) {
		persist_conf_free(&c);
		return rc;
	}
	persist_hw_scan(&hw);
	mod = module_state(&c);
	open_json_object(NULL);
	print_string(PRINT_ANY, "file", "%s: ", PERSIST_CONF);
	print_uint(PRINT_ANY, "count", "%u persisted function", (unsigned int)c.n);
	print_text("%s\n", c.n == 1 ? "" : "s");
	print_string(PRINT_JSON, "module", NULL, mod);
	open_json_array("entries");
	for (size_t i = 0; i < c.n; i++)
		list_one(&c.e[i], &hw);
	close_json_array();
	print_string(PRINT_ANY, "sriov_file", "%s: ", PERSIST_SRIOV_CONF);
	print_uint(PRINT_ANY, "sriov_count", "%u persisted VF count",
		   (unsigned int)v.n);
	print_text("%s\n", v.n == 1 ? "" : "s");
	open_json_array("sriov");
	for (size_t i = 0; i < v.n; i++)
		list_vfs_one(&v.e[i], &hw);
	close_json_array();
	close_json_object();
	if (!strcmp(mod, "other"))
		print_text("note: the loaded module has other claims; these apply from its next load (boot, or 'modprobe -r pcipass && modprobe pcipass')\n");
	persist_hw_free(&hw);
	persist_conf_free(&c);
	persist_conf_free(&v);
	return bad > 0 || vbad > 0 ? EXIT_RUNTIME : EXIT_OK;
}

/* Entries for arg: a path as written, or the address of the function an
 * entry matches now (at its path or moved).
 */
static size_t mark_removed(struct persist_conf *c, const struct persist_hw *hw,
			   const char *arg, bool *keep)
{
	size_t n = 0, idx;

	for (size_t i = 0; i < c->n; i++) {
		bool hit = !strcmp(c->e[i].path, arg);

		if (!hit && persist_hw_match(hw, &c->e[i], &idx) !=
		    PERSIST_MATCH_ABSENT)
			hit = strstr(hw->addr[idx], arg) &&
			      !strcmp(hw->addr[idx] + strlen(hw->addr[idx]) -
				      strlen(arg), arg);
		if (hit && keep[i]) {
			keep[i] = false;
			n++;
		}
	}
	return n;
}

int persist_remove(int argc, char **argv)
{
	struct persist_conf c, v;
	struct persist_hw hw;
	bool *keep, *vkeep;
	size_t n = 0, nv = 0;
	int rc = persist_cmd_load(&c, true);

	if (rc)
		return rc;
	if (optind >= argc) {
		persist_conf_free(&c);
		return cli_usage_error("persist remove: name an address or a path, as 'pcipass persist list' shows them");
	}
	rc = persist_cmd_load_sriov(&v);
	if (rc) {
		persist_conf_free(&c);
		return rc;
	}
	keep = persist_keep_all(c.n);
	vkeep = persist_keep_all(v.n);
	persist_hw_scan(&hw);
	for (int i = optind; i < argc; i++) {
		size_t hit = mark_removed(&c, &hw, argv[i], keep);
		size_t vhit = mark_removed(&v, &hw, argv[i], vkeep);

		if (!hit && !vhit)
			pp_err("persist remove: nothing persisted for '%s' ('pcipass persist list' shows what is)",
			       argv[i]);
		rc = hit || vhit ? rc : EXIT_RUNTIME;
		n += hit;
		nv += vhit;
	}
	persist_hw_free(&hw);
	if (!rc && n) {
		persist_conf_drop(&c, keep);
		rc = persist_cmd_save(&c);
	}
	if (!rc && nv) {
		persist_conf_drop(&v, vkeep);
		rc = persist_cmd_save_sriov(&v);
	}
	if (!rc && n)
		print_text("removed %zu persisted function%s from %s\n", n,
			   n == 1 ? "" : "s", PERSIST_CONF);
	if (!rc && nv)
		print_text("removed %zu persisted VF count%s from %s\n", nv,
			   nv == 1 ? "" : "s", PERSIST_SRIOV_CONF);
	if (!rc && n)
		persist_initramfs_note();
	free(keep);
	free(vkeep);
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}
