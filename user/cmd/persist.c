// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass persist list                    (cmd/persist_list.c)
 * pcipass persist remove ADDR|PATH ...    (cmd/persist_list.c)
 * pcipass persist apply
 * pcipass persist wait [--timeout SECS]   (persist/wait.c)
 * pcipass persist boot-option             (persist/boot.c)
 * and what claim --persist / release --persist add to a claim; sriov
 * --persist in cmd/persist_sriov.c.
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
#include "cmd/persist.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

#define PERSIST_WAIT_S	60	/* persist wait: the default bound */
#define PERSIST_WAIT_MAX_S 3600

int persist_cmd_load_file(const char *file, struct persist_conf *c,
			  bool strict, int *bad)
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

int persist_cmd_load(struct persist_conf *c, bool strict)
{
	int bad;

	return persist_cmd_load_file(PERSIST_CONF, c, strict, &bad);
}

int persist_cmd_load_sriov(struct persist_conf *v)
{
	int bad;

	return persist_cmd_load_file(PERSIST_SRIOV_CONF, v, true, &bad);
}

int persist_cmd_load_both(struct persist_conf *c, struct persist_conf *v)
{
	int rc = persist_cmd_load(c, true);

	if (rc)
		return rc;
	rc = persist_cmd_load_sriov(v);
	if (rc)
		persist_conf_free(c);
	return rc;
}

int persist_cmd_save_sriov(struct persist_conf *v)
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

int persist_cmd_save(struct persist_conf *c)
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

void persist_initramfs_note(void)
{
	if (sysroot_exists("/usr/share/initramfs-tools/hooks/pcipass") ||
	    sysroot_exists("/etc/initramfs-tools/hooks/pcipass"))
		print_text("note: run 'update-initramfs -u -k all': the initramfs applies the claims at boot, before host drivers bind\n");
	else
		print_text("note: no pcipass initramfs hook installed: at boot host drivers bind these functions before the claims apply ('make install' installs it)\n");
}

bool *persist_keep_all(size_t n)
{
	bool *keep = xrealloc(NULL, (n ? n : 1) * sizeof(*keep));

	for (size_t i = 0; i < n; i++)
		keep[i] = true;
	return keep;
}

static int persist_apply(void)
{
	struct persist_conf c;
	int rc = persist_cmd_load(&c, true);
	size_t off = 0;

	if (rc)
		return rc;
	rc = persist_cmd_save(&c);
	for (size_t i = 0; i < c.n; i++)
		off += c.e[i].off;
	if (!rc && off)
		print_text("%zu persisted function%s, %zu left out (above); %s written\n",
			   c.n, c.n == 1 ? "" : "s", off, PERSIST_MODPROBE);
	else if (!rc)
		print_text("%zu persisted function%s; %s written\n", c.n,
			   c.n == 1 ? "" : "s", PERSIST_MODPROBE);
	if (!rc)
		persist_initramfs_note();
	persist_conf_free(&c);
	return rc;
}

static int persist_wait_cmd(unsigned int timeout_s)
{
	struct persist_conf c, v;
	int rc = persist_cmd_load_both(&c, &v);

	if (rc)
		return rc;
	rc = persist_wait(&c, &v, timeout_s);
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}

static int persist_boot_option_cmd(void)
{
	struct persist_conf c;
	int rc = persist_cmd_load(&c, true);

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
	int rc = persist_cmd_load(&c, true);

	if (rc)
		return rc;
	keep = persist_keep_all(c.n);
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
		rc = persist_cmd_save(&c);
	if (!rc && !is_json_context())
		printf("%s %zu function%s %s %s; the module option is in %s\n",
		       claim ? "persisted" : "no longer persisted:", n,
		       n == 1 ? "" : "s", claim ? "in" : "from", PERSIST_CONF,
		       PERSIST_MODPROBE);
	if (!rc)
		persist_initramfs_note();
	free(keep);
	persist_conf_free(&c);
	return rc;
}
