// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass persist list
 * pcipass persist remove ADDR|PATH ...
 * pcipass persist apply
 * pcipass persist wait [--timeout SECS]   (persist/wait.c)
 * pcipass persist boot-option             (persist/boot.c)
 * and what claim --persist / release --persist add to a claim.
 *
 * The file (persist/persist.h) is what a person reads; every change rewrites the
 * module option from it.  The loaded module keeps the claims it was
 * loaded with: new ones apply from its next load (at boot, or modprobe -r
 * and modprobe), which list says.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "cli.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "persist/persist.h"

#define MODULE_CLAIMS "/sys/module/pcipass/parameters/claims"
#define PERSIST_WAIT_S	60	/* persist wait: the default bound */
#define PERSIST_WAIT_MAX_S 3600

/*
 * Loads the file; bad lines are reported (strict: and nothing loaded).
 * Return: 0, or an exit code; *bad: how many lines were bad.
 */
static int load_file(const char *file, struct persist_conf *c, bool strict,
		     int *bad)
{
	bool sriov = !strcmp(file, PERSIST_SRIOV_CONF);
	int rc = sriov ? persist_sriov_load(file, c, stderr) :
			 persist_conf_load(file, c, stderr);

	*bad = rc > 0 ? rc : 0;
	if (rc < 0) {
		pp_err("cannot read %s: %s", file, strerror(-rc));
		return EXIT_RUNTIME;
	}
	if (rc > 0 && strict) {
		pp_err("%s has %d bad line%s (above): fix %s, nothing was written",
		       file, rc, rc == 1 ? "" : "s",
		       rc == 1 ? "it" : "them");
		persist_conf_free(c);
		return EXIT_RUNTIME;
	}
	return 0;
}

static int load_counted(struct persist_conf *c, bool strict, int *bad)
{
	return load_file(PERSIST_CONF, c, strict, bad);
}

/* sriov.conf, strict. */
static int load_sriov(struct persist_conf *v)
{
	int bad;

	return load_file(PERSIST_SRIOV_CONF, v, true, &bad);
}

static int save_sriov(struct persist_conf *v)
{
	int err = persist_sriov_save(v, PERSIST_SRIOV_CONF);

	if (err) {
		pp_err("cannot write %s: %s%s", PERSIST_SRIOV_CONF,
		       strerror(-err),
		       err == -EACCES || err == -EPERM ? " (run as root)" : "");
		return EXIT_RUNTIME;
	}
	return 0;
}

static int load(struct persist_conf *c, bool strict)
{
	int bad;

	return load_counted(c, strict, &bad);
}

static int save(struct persist_conf *c)
{
	int err;

	persist_mark_held(c, false);
	err = persist_conf_save(c, PERSIST_CONF, PERSIST_MODPROBE);

	if (err) {
		pp_err("cannot write %s and %s: %s%s", PERSIST_CONF,
		       PERSIST_MODPROBE, strerror(-err),
		       err == -EACCES || err == -EPERM ? " (run as root)" : "");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* After a change: the claims reach the initramfs only when it is rebuilt. */
static void initramfs_note(void)
{
	if (sysroot_exists("/usr/share/initramfs-tools/hooks/pcipass") ||
	    sysroot_exists("/etc/initramfs-tools/hooks/pcipass"))
		print_text("note: run 'update-initramfs -u -k all': the initramfs applies the claims at boot, before host drivers bind\n");
	else
		print_text("note: no pcipass initramfs hook installed: at boot host drivers bind these functions before the claims apply ('make install' installs it)\n");
}

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
	char ids[16], path[160], *now = NULL, *end;
	long numvfs = -1;
	size_t idx = 0;

	m = persist_hw_match(hw, e, &idx);
	snprintf(ids, sizeof(ids), "%04x:%04x", e->vendor, e->device);
	if (m == PERSIST_MATCH_HERE || m == PERSIST_MATCH_MOVED) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs",
			 hw->addr[idx]);
		now = sysroot_read_line(path);
		if (now && *now) {
			numvfs = strtol(now, &end, 10);
			numvfs = *end ? -1 : numvfs;
		}
	}
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
	free(now);
}

static bool *keep_all(size_t n)
{
	bool *keep = xrealloc(NULL, (n ? n : 1) * sizeof(*keep));

	for (size_t i = 0; i < n; i++)
		keep[i] = true;
	return keep;
}

static int persist_list(void)
{
	struct persist_conf c, v;
	struct persist_hw hw;
	const char *mod;
	int bad, vbad, rc = load_counted(&c, false, &bad);

	if (rc)
		return rc;
	rc = load_file(PERSIST_SRIOV_CONF, &v, false, &vbad);
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

static int persist_remove(int argc, char **argv)
{
	struct persist_conf c, v;
	struct persist_hw hw;
	bool *keep, *vkeep;
	size_t n = 0, nv = 0;
	int rc = load(&c, true);

	if (rc)
		return rc;
	if (optind >= argc) {
		persist_conf_free(&c);
		return cli_usage_error("persist remove: name an address or a path, as 'pcipass persist list' shows them");
	}
	rc = load_sriov(&v);
	if (rc) {
		persist_conf_free(&c);
		return rc;
	}
	keep = keep_all(c.n);
	vkeep = keep_all(v.n);
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
		rc = save(&c);
	}
	if (!rc && nv) {
		persist_conf_drop(&v, vkeep);
		rc = save_sriov(&v);
	}
	if (!rc && n)
		print_text("removed %zu persisted function%s from %s\n", n,
			   n == 1 ? "" : "s", PERSIST_CONF);
	if (!rc && nv)
		print_text("removed %zu persisted VF count%s from %s\n", nv,
			   nv == 1 ? "" : "s", PERSIST_SRIOV_CONF);
	if (!rc && n)
		initramfs_note();
	free(keep);
	free(vkeep);
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}

static int persist_apply(void)
{
	struct persist_conf c;
	int rc = load(&c, true);
	size_t off = 0;

	if (rc)
		return rc;
	rc = save(&c);
	for (size_t i = 0; i < c.n; i++)
		off += c.e[i].off;
	if (!rc && off)
		print_text("%zu persisted function%s, %zu left out (above); %s written\n",
			   c.n, c.n == 1 ? "" : "s", off, PERSIST_MODPROBE);
	else if (!rc)
		print_text("%zu persisted function%s; %s written\n", c.n,
			   c.n == 1 ? "" : "s", PERSIST_MODPROBE);
	if (!rc)
		initramfs_note();
	persist_conf_free(&c);
	return rc;
}

static int persist_wait_cmd(unsigned int timeout_s)
{
	struct persist_conf c, v;
	int rc = load(&c, true);

	if (rc)
		return rc;
	rc = load_sriov(&v);
	if (rc) {
		persist_conf_free(&c);
		return rc;
	}
	rc = persist_wait(&c, &v, timeout_s);
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}

static int persist_boot_option_cmd(void)
{
	struct persist_conf c;
	int rc = load(&c, true);

	if (rc)
		return rc;
	rc = persist_boot_option(&c);
	persist_conf_free(&c);
	return rc;
}

static int cmd_persist(int argc, char **argv)
{
	unsigned long timeout_s = PERSIST_WAIT_S;
	bool timeout_given = false;
	const char *sub;
	char *end;
	int c, rc;

	while ((c = cli_getopt(argc, argv, &cli_cmd_persist)) != -1) {
		if (c == 't') {
			errno = 0;
			timeout_s = strtoul(optarg, &end, 10);
			if (errno || *end || !*optarg || !timeout_s ||
			    timeout_s > PERSIST_WAIT_MAX_S)
				return cli_usage_error("persist: --timeout '%s': expected seconds, 1 to " PP_STR(PERSIST_WAIT_MAX_S),
						       optarg);
			timeout_given = true;
			continue;
		}
		if (c != 'h')
			return EXIT_USAGE;
		return cli_help(&cli_cmd_persist);
	}
	if (optind >= argc)
		return cli_usage_error("persist: expected list, remove, apply, wait or boot-option");
	sub = argv[optind++];
	if (timeout_given && strcmp(sub, "wait"))
		return cli_usage_error("persist %s: --timeout is for persist wait", sub);
	if (!strcmp(sub, "boot-option"))
		return optind < argc ?
		       cli_usage_error("persist boot-option: unexpected argument '%s'",
				       argv[optind]) :
		       persist_boot_option_cmd();
	if (!strcmp(sub, "wait"))
		return optind < argc ?
		       cli_usage_error("persist wait: unexpected argument '%s'",
				       argv[optind]) :
		       persist_wait_cmd((unsigned int)timeout_s);
	if (!strcmp(sub, "list") || !strcmp(sub, "remove") ||
	    !strcmp(sub, "apply")) {
		if (strcmp(sub, "remove") && optind < argc)
			return cli_usage_error("persist %s: unexpected argument '%s'",
					       sub, argv[optind]);
		rc = !strcmp(sub, "list") ? persist_list() :
		     !strcmp(sub, "apply") ? persist_apply() :
		     persist_remove(argc, argv);
		return rc;
	}
	return cli_usage_error("persist: unknown subcommand '%s' (list, remove, apply, wait, boot-option)",
			       sub);
}

static const struct cli_opt persist_opts[] = {
	{ "timeout", 't', "SEC",
	  "persist wait: wait at most SEC seconds, 1-" PP_STR(PERSIST_WAIT_MAX_S)
	  " (default " PP_STR(PERSIST_WAIT_S) ")" },
	{ 0 },
};

const struct cli_cmd cli_cmd_persist = {
	.name = "persist",
	.run = cmd_persist,
	.synopsis = "list\n"
		    "remove ADDR|PATH...\n"
		    "apply\n"
		    "wait [--timeout SEC]\n"
		    "boot-option",
	.summary = "claims kept across reboots (claim --persist)",
	.opts = persist_opts,
	.help =
	"The claims 'claim --persist' recorded in " PERSIST_CONF ",\n"
	"one function a line, by topology path, IDs and serial number.\n"
	"  list          each entry: present, MOVED (found by its serial\n"
	"                number elsewhere), NOT MATCHING (another card at\n"
	"                its path) or absent; LEFT OUT of the boot option;\n"
	"                whether the loaded module has the same claims\n"
	"  remove ADDR|PATH...\n"
	"                drop the entries of these functions (as list names\n"
	"                them) and rewrite the module option\n"
	"  apply         check a hand-edited claims.conf, naming each bad\n"
	"                line, and write the module option claims= into\n"
	"                " PERSIST_MODPROBE "\n"
	"  wait          (at boot: pcipass-persist.service) load the module\n"
	"                and wait until every persisted function present is\n"
	"                on its driver; fails, naming them, when one is not\n"
	"  boot-option   print the module option for the initramfs, leaving\n"
	"                out entries holding the root filesystem, or a disk in\n"
	"                use unless the line says force (the initramfs-tools\n"
	"                hook asks for it)\n"
	"remove and apply need root.  The initramfs carries the claims: after\n"
	"a change, run update-initramfs -u -k all.\n"
	"\n"
	"Exit status: 0 success, 1 failed (a bad line, nothing persisted for\n"
	"an argument, a function not on its driver, not root), 2 usage error.\n",
};

/* The members a claim took or a release gave back (bridges stay out). */
static bool persisted_member(const struct claim_member *m, bool claim)
{
	if (claim)
		return m->state == PCIPASS_MEMBER_CLAIMED ||
		       m->state == PCIPASS_MEMBER_ALREADY;
	return m->state != PCIPASS_MEMBER_SKIPPED_BRIDGE &&
	       m->state != PCIPASS_MEMBER_UNBOUND_BRIDGE;
}

/**
 * persist_after() - record (claim) or forget (release) a group's members
 * @req: the request that succeeded
 * @rep: its report
 *
 * Return: an exit status (0 when the file and the option were written).
 */
int persist_after(const struct claim_req *req, const struct claim_report *rep)
{
	bool claim = req->op == CLAIM_OP_CLAIM;
	struct persist_conf c;
	bool *keep;
	size_t n = 0;
	int rc = load(&c, true);

	if (rc)
		return rc;
	keep = keep_all(c.n);
	for (size_t i = 0; i < rep->nr_members && !rc; i++) {
		const struct claim_member *m = &rep->members[i];
		struct persist_entry e;
		char addr[ADDR_STRLEN], note[64];

		if (!persisted_member(m, claim))
			continue;
		addr_fmt(&m->addr, addr);
		if (persist_ident(addr, &e)) {
			pp_err("cannot read the identity of %s from sysfs: nothing persisted",
			       addr);
			rc = EXIT_RUNTIME;
			break;
		}
		if (claim) {
			snprintf(e.driver, sizeof(e.driver), "%s",
				 rep->driver ? rep->driver : CLAIM_DEFAULT_DRIVER);
			e.force = req->flags & PCIPASS_CLAIM_F_FORCE;
			snprintf(note, sizeof(note), "%s, IOMMU group %u", addr,
				 rep->group);
			e.note = note;
			persist_conf_add(&c, &e);
			n++;
		} else {
			for (size_t j = 0; j < c.n; j++)
				if (keep[j] && !strcmp(c.e[j].path, e.path) && ++n)
					keep[j] = false;
		}
	}
	if (!rc && !claim)
		persist_conf_drop(&c, keep);
	if (!rc)
		rc = save(&c);
	if (!rc && !is_json_context())
		printf("%s %zu function%s %s %s; the module option is in %s\n",
		       claim ? "persisted" : "no longer persisted:", n,
		       n == 1 ? "" : "s", claim ? "in" : "from", PERSIST_CONF,
		       PERSIST_MODPROBE);
	if (!rc)
		initramfs_note();
	free(keep);
	persist_conf_free(&c);
	return rc;
}

/* Is path below pf as one of its VFs ("PF/vfN")? */
static bool vf_of(const char *path, const char *pf)
{
	size_t len = strlen(pf);

	return !strncmp(path, pf, len) && !strncmp(path + len, "/vf", 3);
}

int persist_sriov_after(const char *pf, unsigned long vfs,
			char (*vf)[ADDR_STRLEN], size_t nr_vf,
			const char *driver)
{
	struct persist_conf c, v;
	struct persist_entry e;
	size_t claims = 0, dropped = 0;
	char note[64];
	bool *keep;
	int rc;

	if (persist_ident(pf, &e)) {
		pp_err("cannot read the identity of %s from sysfs: nothing persisted",
		       pf);
		return EXIT_RUNTIME;
	}
	rc = load(&c, true);
	if (rc)
		return rc;
	rc = load_sriov(&v);
	if (rc) {
		persist_conf_free(&c);
		return rc;
	}
	/* the PF's count, replaced or dropped; its VFs' claims with it when
	 * they are gone (vfs 0) or claimed anew (--claim)
	 */
	keep = keep_all(v.n);
	for (size_t i = 0; i < v.n; i++)
		keep[i] = strcmp(v.e[i].path, e.path) != 0;
	persist_conf_drop(&v, keep);
	free(keep);
	keep = keep_all(c.n);
	for (size_t i = 0; i < c.n && (!vfs || driver); i++)
		if (vf_of(c.e[i].path, e.path) && ++dropped)
			keep[i] = false;
	persist_conf_drop(&c, keep);
	free(keep);
	if (vfs) {
		e.vfs = vfs;
		e.driver[0] = '\0';
		snprintf(note, sizeof(note), "%s", pf);
		e.note = note;
		persist_conf_add(&v, &e);
	}
	for (size_t i = 0; driver && i < nr_vf && !rc; i++) {
		struct persist_entry f;

		if (persist_ident(vf[i], &f)) {
			pp_err("cannot read the identity of %s from sysfs: nothing persisted",
			       vf[i]);
			rc = EXIT_RUNTIME;
			break;
		}
		snprintf(f.driver, sizeof(f.driver), "%s", driver);
		snprintf(note, sizeof(note), "%s, a VF of %s", vf[i], pf);
		f.note = note;
		persist_conf_add(&c, &f);
		claims++;
	}
	if (!rc && (claims || dropped))
		rc = save(&c);
	if (!rc)
		rc = save_sriov(&v);
	if (!rc && !is_json_context()) {
		if (vfs)
			printf("persisted %lu VFs of %s in %s", vfs, pf,
			       PERSIST_SRIOV_CONF);
		else
			printf("no longer persisted: the VF count of %s (%s)", pf,
			       PERSIST_SRIOV_CONF);
		if (claims)
			printf(", their claims in %s", PERSIST_CONF);
		else if (dropped)
			printf(", %zu VF claim%s dropped from %s", dropped,
			       dropped == 1 ? "" : "s", PERSIST_CONF);
		printf("\n");
	}
	if (!rc && (claims || dropped))
		initramfs_note();
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}
