// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass sriov ADDR
 * pcipass sriov ADDR --vfs N [--claim [--driver D]] [--persist]
 *
 * Shows a PF's SR-IOV state; --vfs N enables N VFs with the host's VF
 * drivers kept off them (sriov_drivers_autoprobe 0 while they appear,
 * the operator's value back afterwards), --claim then claims each new
 * VF's group as `pcipass claim` does, all or nothing.  --vfs 0 removes
 * the VFs when none is claimed, on a VFIO driver or held by a VM.
 * --persist records the count (and with --claim the VFs' claims) for the
 * next boots (cmd/persist_sriov.c, persist/sriov_boot.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "cli.h"
#include "lib/addr.h"
#include "lib/print.h"
#include "lib/util.h"
#include "nl/nl.h"
#include "persist/persist.h"
#include "sriov/sriov.h"

struct sriov_opts {
	const char *addr;	/* canonical */
	bool set;		/* --vfs given */
	unsigned long vfs;
	bool claim;
	const char *driver;
	bool persist;
};

/* What --vfs did, for the document's outcome and the exit status. */
struct sriov_run {
	const char *outcome;	/* "created", "removed", "unchanged", ... */
	char reason[1024];	/* why it was refused or failed, "" */
	int status;
	bool has_restored;
	bool restored;		/* the operator's autoprobe value is back */
};

static int set_result(struct sriov_run *r, const char *outcome, int status,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int set_result(struct sriov_run *r, const char *outcome, int status,
		      const char *fmt, ...)
{
	va_list ap;

	r->outcome = outcome;
	r->status = status;
	r->reason[0] = 0;
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
	return status;
}

static const char *errno_hint(int err)
{
	return err == EACCES || err == EPERM ? " (run it as root)" : "";
}

/* The reason of a refusal or failure, on stderr and in the document. */
static void print_reason(const struct sriov_run *r)
{
	print_opt_string(PRINT_JSON, "reason", NULL,
			 r->reason[0] ? r->reason : NULL, NULL);
}

/* --vfs 0: refused while any VF is claimed, on VFIO or held by a VM.
 * Without the module (not loaded, not loadable) nothing is claimed by
 * pcipass; the sysfs checks still apply.
 */
static int remove_vfs(const struct sriov_opts *o, const struct sriov_state *s,
		      struct sriov_run *r)
{
	char why[512];
	struct pnl nl;
	bool have_nl = !pnl_open(&nl);
	size_t busy = 0;
	int err;

	open_json_array("busy");
	for (size_t i = 0; i < s->nr_vfs; i++) {
		if (!sriov_vf_busy(have_nl ? &nl : NULL, &s->vfs[i], why,
				   sizeof(why)))
			continue;
		print_string(PRINT_JSON, NULL, NULL, why);
		pp_err("%s", why);
		busy++;
	}
	close_json_array();
	if (have_nl)
		pnl_close(&nl);
	if (busy)
		return set_result(r, "refused", EXIT_REFUSED,
				  "%zu of %zu VFs of %s are in use: nothing changed",
				  busy, s->nr_vfs, o->addr);
	err = sriov_set_numvfs(o->addr, 0);
	if (err)
		return set_result(r, "failed", EXIT_RUNTIME,
				  "writing 0 to %s/sriov_numvfs failed: %s%s",
				  o->addr, strerror(-err), errno_hint(-err));
	return set_result(r, "removed", EXIT_OK, NULL);
}

/*
 * The VFs appear with autoprobe 0, so no host VF driver binds them; the
 * kernel probes a VF at its creation only, so they stay unbound when the
 * operator's value comes back.  (A VF with a driver_override is probed
 * by that driver even with autoprobe 0: a claim sets one.)
 */
static int create_vfs(const struct sriov_opts *o, const struct sriov_state *s,
		      struct sriov_run *r)
{
	int err, rerr = 0;

	if (s->has_autoprobe) {
		err = sriov_set_autoprobe(o->addr, false);
		if (err)
			return set_result(r, "failed", EXIT_RUNTIME,
					  "writing 0 to %s/sriov_drivers_autoprobe failed: %s%s: nothing changed",
					  o->addr, strerror(-err),
					  errno_hint(-err));
	}
	err = sriov_set_numvfs(o->addr, o->vfs);
	if (s->has_autoprobe && s->autoprobe) {
		rerr = sriov_set_autoprobe(o->addr, true);
		r->has_restored = true;
		r->restored = !rerr;
	} else if (s->has_autoprobe) {
		r->has_restored = true;
		r->restored = true;
	}
	if (err)
		return set_result(r, "failed", EXIT_RUNTIME,
				  "writing %lu to %s/sriov_numvfs failed: %s%s (the PF's driver may not support SR-IOV)",
				  o->vfs, o->addr, strerror(-err),
				  errno_hint(-err));
	if (rerr)
		return set_result(r, "created", EXIT_ATTENTION,
				  "VFs created, but restoring 1 in %s/sriov_drivers_autoprobe failed: %s: echo 1 > /sys/bus/pci/devices/%s/sriov_drivers_autoprobe",
				  o->addr, strerror(-rerr), o->addr);
	return set_result(r, "created", EXIT_OK, NULL);
}

/* A group --claim may take: all its members but bridges (they stay with
 * the host) are VFs of this PF.
 */
static bool own_group(const struct sriov_state *s, const struct sriov_vf *vf,
		      char *why, size_t size)
{
	for (size_t i = 0; i < vf->nr_peers; i++) {
		bool vf_peer = claim_is_bridge(vf->peers[i]);

		for (size_t j = 0; j < s->nr_vfs; j++)
			vf_peer |= !strcmp(vf->peers[i], s->vfs[j].addr);
		if (vf_peer)
			continue;
		if (!strcmp(vf->peers[i], s->addr))
			snprintf(why, size, "VF %s shares IOMMU group %u with its PF %s (driver %s): --claim takes only groups of nothing but the new VFs, and the kernel does not claim a PF with VFs enabled; to pass the PF instead: 'pcipass sriov %s --vfs 0', then 'pcipass claim %s'",
				 vf->addr, vf->group, s->addr,
				 s->driver ? s->driver : "none", s->addr,
				 s->addr);
		else
			snprintf(why, size, "VF %s shares IOMMU group %u with %s: --claim takes only groups of nothing but the new VFs; name the group yourself ('pcipass claim %s' says what it takes from the host)",
				 vf->addr, vf->group, vf->peers[i], vf->addr);
		return false;
	}
	return true;
}

static int one_claim(enum claim_op op, const char *addr, const char *driver)
{
	struct claim_opts co = { .timeout_s = CLAIM_TIMEOUT_S, .nested = true };
	struct claim_req req = { .op = op, .kind = CLAIM_Q_FUNCTION,
				 .arg = addr, .driver = driver };
	enum addr_scope scope;

	if (addr_parse(addr, &req.addr, &scope))
		return EXIT_RUNTIME;
	return claim_command_run(&req, &co, NULL);
}

/* A refusal stays one; a claim left unfinished or not undone needs the
 * operator (its 'fix:' lines); anything else failed and was undone.
 */
static int claim_failed_status(int st)
{
	if (st == EXIT_REFUSED)
		return EXIT_REFUSED;
	if (st == EXIT_ATTENTION || st == EXIT_RUNNING)
		return EXIT_ATTENTION;
	return EXIT_RUNTIME;
}

/* Releases what was claimed, newest first, then removes the VFs. */
static void roll_back(const struct sriov_opts *o, const struct sriov_state *s,
		      const bool *claimed, struct sriov_run *r)
{
	bool left = false, left_claims = false;
	size_t len;
	int err;

	open_json_array("releases");
	for (size_t i = s->nr_vfs; i-- > 0;) {
		if (!claimed[i])
			continue;
		left_claims = true;
		if (one_claim(CLAIM_OP_RELEASE, s->vfs[i].addr, NULL) != EXIT_OK)
			left = true;
	}
	close_json_array();
	if (left) {
		r->outcome = "failed";
		r->status = EXIT_ATTENTION;
		pp_err("a release failed: the VFs of %s stay; put them back by the 'fix:' lines, then 'pcipass sriov %s --vfs 0'",
		       o->addr, o->addr);
		return;
	}
	err = sriov_set_numvfs(o->addr, 0);
	if (err) {
		r->status = EXIT_ATTENTION;
		pp_err("removing the VFs again failed: %s: echo 0 > /sys/bus/pci/devices/%s/sriov_numvfs",
		       strerror(-err), o->addr);
		return;
	}
	len = strlen(r->reason);
	snprintf(r->reason + len, sizeof(r->reason) - len,
		 "; %s, the VFs removed again",
		 left_claims ? "what was claimed released" : "nothing claimed");
}

static int claim_vfs(const struct sriov_opts *o, struct sriov_run *r)
{
	struct sriov_state s;
	char pf[16], why[768];
	bool *claimed;
	size_t i;

	if (sriov_read(o->addr, &s, pf) != SRIOV_OK || s.nr_vfs != o->vfs) {
		set_result(r, "rolled_back", EXIT_RUNTIME,
			   "%s has %zu VFs in sysfs after writing %lu to sriov_numvfs: nothing claimed",
			   o->addr, s.nr_vfs, o->vfs);
		sriov_set_numvfs(o->addr, 0);
		sriov_free(&s);
		return r->status;
	}
	claimed = calloc(s.nr_vfs, sizeof(*claimed));
	if (!claimed)
		die_oom();
	for (i = 0; i < s.nr_vfs; i++)
		if (!own_group(&s, &s.vfs[i], why, sizeof(why)))
			break;
	if (i < s.nr_vfs) {
		set_result(r, "refused", EXIT_REFUSED, "%s", why);
		open_json_array("claims");
		close_json_array();
		roll_back(o, &s, claimed, r);
		goto out;
	}
	open_json_array("claims");
	for (i = 0; i < s.nr_vfs; i++) {
		bool done = false;
		int st;

		/* a group of several VFs is claimed once, with its first */
		for (size_t j = 0; j < i; j++)
			done |= claimed[j] && s.vfs[j].has_group &&
				s.vfs[j].group == s.vfs[i].group;
		if (done)
			continue;
		st = one_claim(CLAIM_OP_CLAIM, s.vfs[i].addr, o->driver);
		if (st != EXIT_OK) {
			set_result(r, "rolled_back", claim_failed_status(st),
				   "the claim of VF %s failed (exit %d)",
				   s.vfs[i].addr, st);
			break;
		}
		claimed[i] = true;
	}
	close_json_array();
	if (i < s.nr_vfs)
		roll_back(o, &s, claimed, r);
	else
		set_result(r, "claimed", EXIT_OK, NULL);
out:
	free(claimed);
	sriov_free(&s);
	return r->status;
}

static int set_vfs(const struct sriov_opts *o, const struct sriov_state *s,
		   struct sriov_run *r)
{
	if (o->vfs > s->totalvfs)
		return set_result(r, "refused", EXIT_USAGE,
				  "%s offers at most %lu VFs (sriov_totalvfs), not %lu",
				  o->addr, s->totalvfs, o->vfs);
	if (o->vfs == s->numvfs)
		return set_result(r, "unchanged", EXIT_OK, NULL);
	if (o->vfs && s->numvfs)
		return set_result(r, "refused", EXIT_REFUSED,
				  "%s has %lu VFs; the kernel changes the count only through 0: 'pcipass sriov %s --vfs 0' first, then --vfs %lu",
				  o->addr, s->numvfs, o->addr, o->vfs);
	if (!o->vfs)
		return remove_vfs(o, s, r);
	if (create_vfs(o, s, r) || !o->claim)
		return r->status;
	return claim_vfs(o, r);
}

static int read_or_report(const char *addr, struct sriov_state *s)
{
	char pf[16] = "";

	switch (sriov_read(addr, s, pf)) {
	case SRIOV_OK:
		return 0;
	case SRIOV_NO_DEVICE:
		pp_err("no PCI function %s ('pcipass list' shows them)", addr);
		break;
	case SRIOV_IS_VF:
		pp_err("%s is a virtual function, not a PF: its PF is %s ('pcipass sriov %s')",
		       addr, pf, pf);
		break;
	case SRIOV_NOT_PF:
		pp_err("%s is not an SR-IOV physical function (no sriov_totalvfs in sysfs): nothing to show or change",
		       addr);
		break;
	}
	sriov_free(s);
	return EXIT_RUNTIME;
}

/* --persist after --vfs succeeded: the count, and the VFs --claim took. */
static int persist_vfs(const struct sriov_opts *o, const struct sriov_run *r)
{
	bool claimed = !strcmp(r->outcome, "claimed");
	char (*vf)[ADDR_STRLEN] = NULL;
	struct sriov_state s;
	char pf[16];
	size_t n = 0;
	int rc;

	if (claimed && sriov_read(o->addr, &s, pf) == SRIOV_OK) {
		vf = xrealloc(NULL, (s.nr_vfs ? s.nr_vfs : 1) * sizeof(*vf));
		for (n = 0; n < s.nr_vfs; n++)
			snprintf(vf[n], sizeof(vf[n]), "%s", s.vfs[n].addr);
		sriov_free(&s);
	}
	if (o->claim && !claimed && o->vfs)
		print_text("note: --claim claimed nothing (the VFs were there already): only the count is persisted; 'pcipass claim --persist' each VF to persist its claim\n");
	rc = persist_sriov_after(o->addr, o->vfs, vf, n,
				 claimed ? (o->driver ? o->driver :
					    CLAIM_DEFAULT_DRIVER) : NULL);
	free(vf);
	return rc;
}

static int run(const struct sriov_opts *o)
{
	struct sriov_run r = { .outcome = "unchanged" };
	struct sriov_state s;
	unsigned long from;

	if (read_or_report(o->addr, &s))
		return EXIT_RUNTIME;
	open_json_object(NULL);
	if (!o->set) {
		sriov_print_state(&s);
		close_json_object();
		sriov_free(&s);
		return EXIT_OK;
	}
	from = s.numvfs;
	print_string(PRINT_JSON, "pf", NULL, o->addr);
	print_uint(PRINT_JSON, "from_vfs", NULL, (unsigned int)from);
	print_uint(PRINT_JSON, "to_vfs", NULL, (unsigned int)o->vfs);
	print_bool(PRINT_JSON, "claim", NULL, o->claim);
	print_opt_string(PRINT_JSON, "driver", NULL,
			 o->claim ? (o->driver ? o->driver :
				     CLAIM_DEFAULT_DRIVER) : NULL, NULL);
	set_vfs(o, &s, &r);
	sriov_free(&s);
	print_text("%s: %lu -> %lu VFs: ", o->addr, from, o->vfs);
	print_string(PRINT_ANY, "outcome", "%s\n", r.outcome);
	print_reason(&r);
	if (r.has_restored)
		print_bool(PRINT_JSON, "autoprobe_restored", NULL, r.restored);
	else
		print_null(PRINT_JSON, "autoprobe_restored", NULL, NULL);
	if (read_or_report(o->addr, &s) == 0) {
		open_json_object("sriov");
		sriov_print_state(&s);
		close_json_object();
		sriov_free(&s);
	}
	/* after the result it records: the outcome and the PF's state */
	if (o->persist && r.status == EXIT_OK)
		r.status = persist_vfs(o, &r);
	close_json_object();
	if (r.reason[0])
		pp_err("%s", r.reason);
	return r.status;
}

static int parse_count(const char *s, unsigned long *v)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 6)
		return -1;
	*v = strtoul(s, &end, 10);
	return 0;
}

static bool valid_driver(const char *d)
{
	size_t n = strlen(d);

	return n && n < PCIPASS_DRIVER_NAME_MAX && !strpbrk(d, "/ \t\n");
}

static int cmd_sriov(int argc, char **argv)
{
	struct sriov_opts o = { 0 };
	static char canon[ADDR_STRLEN];
	enum addr_scope scope;
	struct pp_addr a;
	int c;

	while ((c = cli_getopt(argc, argv, &cli_cmd_sriov)) != -1) {
		switch (c) {
		case 'v':
			if (parse_count(optarg, &o.vfs))
				return cli_usage_error("sriov: --vfs wants a number of VFs, not '%s'",
						       optarg);
			o.set = true;
			break;
		case 'c':
			o.claim = true;
			break;
		case 'd':
			if (!valid_driver(optarg))
				return cli_usage_error("sriov: invalid driver name '%s' (at most %d characters, no '/' or blanks)",
						       optarg,
						       PCIPASS_DRIVER_NAME_MAX - 1);
			o.driver = optarg;
			break;
		case 'P':
			o.persist = true;
			break;
		case 'h':
			return cli_help(&cli_cmd_sriov);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("sriov: missing ADDR, the PF, e.g. 'pcipass sriov 0a:00.0'");
	if (optind + 1 < argc)
		return cli_usage_error("sriov: unexpected argument '%s'",
				       argv[optind + 1]);
	if (addr_parse(argv[optind], &a, &scope) || scope != ADDR_FUNCTION)
		return cli_usage_error("sriov: invalid address '%s': expected the PF's [DDDD:]BB:DD.F",
				       argv[optind]);
	if (o.claim && (!o.set || !o.vfs))
		return cli_usage_error("sriov: --claim goes with --vfs N, N > 0");
	if (o.driver && !o.claim)
		return cli_usage_error("sriov: --driver goes with --claim");
	if (o.persist && !o.set)
		return cli_usage_error("sriov: --persist goes with --vfs N");
	o.addr = addr_fmt(&a, canon);
	return run(&o);
}

static const struct cli_opt sriov_opts[] = {
	{ "vfs", 'v', "N", "enable N VFs (0: remove them), host VF drivers kept off" },
	{ "claim", 'c', NULL, "claim each new VF's IOMMU group, all or nothing" },
	{ "driver", 'd', "DRIVER", "claim for DRIVER instead of vfio-pci" },
	{ "persist", 'P', NULL, "also record the count (and the claims) for boot in " PERSIST_SRIOV_CONF },
	{ 0 },
};

const struct cli_cmd cli_cmd_sriov = {
	.name = "sriov",
	.run = cmd_sriov,
	.synopsis = "ADDR\nADDR --vfs N [--claim [--driver DRIVER]] [--persist]",
	.summary = "show a PF's SR-IOV VFs; create, claim or remove them",
	.opts = sriov_opts,
	.help =
	"ADDR is an SR-IOV physical function (PF); a VF or a function\n"
	"without SR-IOV is refused (exit 1).  Without --vfs: the PF's\n"
	"sriov_totalvfs, sriov_numvfs, sriov_drivers_autoprobe and driver,\n"
	"each VF with its IOMMU group, driver and driver_override, and a\n"
	"warning for each group a VF shares with its PF or another VF (a\n"
	"claim takes the whole group).\n"
	"Needs root: --vfs N writes 0 to sriov_drivers_autoprobe, N to\n"
	"sriov_numvfs, then the operator's autoprobe value back, so no host\n"
	"VF driver binds the new VFs (the kernel probes a VF when it\n"
	"appears; a VF with a driver_override is probed by that driver even\n"
	"with autoprobe 0).  --claim then claims each new VF's group as\n"
	"'pcipass claim' does; on any failure it releases what it claimed\n"
	"and removes the VFs.  A group that holds the PF or another function\n"
	"is refused: name it yourself with 'pcipass claim'.\n"
	"--vfs 0 removes the VFs unless one is claimed by pcipass, bound to\n"
	"a VFIO driver or held by a VM.  The kernel changes the count only\n"
	"through 0: N to M (both > 0) is refused.\n"
	"--persist, once --vfs succeeded, records the PF's VF count by its\n"
	"identity (path, IDs, serial number) in " PERSIST_SRIOV_CONF ", and with\n"
	"--claim each VF's claim in " PERSIST_CONF " as 'claim --persist'\n"
	"does: at boot pcipass-persist.service creates the VFs before\n"
	"network-pre.target and the VM services, host VF drivers kept off,\n"
	"and the module gives the claimed VFs their driver as they appear.\n"
	"--vfs 0 --persist forgets the count and the VFs' claims.\n"
	"\n"
	"Exit status: 0 done (or already so), 1 could not run or a step\n"
	"failed (what was done is undone), 2 usage error (also more VFs than\n"
	"sriov_totalvfs), 6 refused (VFs in use, a count change not through\n"
	"0, a shared group with --claim), 7 something could not be undone.\n",
};
