// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass claim ADDR|SLOT|--group N [--driver D] [--dry-run] [--force]
 *                [--timeout SEC]
 * pcipass release ADDR|SLOT|--group N [--dry-run] [--timeout SEC]
 * --persist (both): also record the group in /etc/pcipass/claims.conf, or
 *                   drop it from there (cmd/persist.c)
 *
 * The kernel does the transaction (all or nothing, with rollback) in its
 * own context; this names the group, checks what the host would lose
 * (a claim only), queues the request, waits for the outcome (bounded,
 * Ctrl-C ends the wait, not the transaction) and reports it.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "cli.h"
#include "hook/vmhold.h"
#include "host/modlookup.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "nl/nl.h"
#include "pci/vfio_holders.h"
#include "persist/persist.h"


#define CLAIM_TIMEOUT_MAX_S	86400	/* --timeout: a day */

/* Decimal only, as /sys/kernel/iommu_groups/N spells it. */
static bool parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return false;
	x = strtoull(s, &end, 10);
	if (x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

static bool valid_driver(const char *d)
{
	size_t n = strlen(d);

	return n && n < PCIPASS_DRIVER_NAME_MAX && !strpbrk(d, "/ \t\n");
}

static int parse_target(struct claim_req *req, const struct claim_opts *o,
			int argc, char **argv, const char *cmd)
{
	enum addr_scope scope;
	uint32_t dummy;

	if (optind + 1 < argc)
		return cli_usage_error("%s: unexpected argument '%s'", cmd,
				       argv[optind + 1]);
	if (o->has_group && optind < argc)
		return cli_usage_error("%s: give an address or --group, not both",
				       cmd);
	if (o->has_group) {
		req->kind = CLAIM_Q_GROUP;
		req->group = o->group;
		return 0;
	}
	if (optind >= argc)
		return cli_usage_error("%s: missing ADDR or --group N, e.g. 'pcipass %s 01:00.0'",
				       cmd, cmd);
	req->arg = argv[optind];
	if (parse_u32(req->arg, &dummy))
		return cli_usage_error("%s: '%s' is not a PCI address; for IOMMU group %s use --group %s",
				       cmd, req->arg, req->arg, req->arg);
	if (addr_parse(req->arg, &req->addr, &scope))
		return cli_usage_error("%s: invalid address '%s': expected [DDDD:]BB:DD[.F]",
				       cmd, req->arg);
	req->kind = scope == ADDR_SLOT ? CLAIM_Q_SLOT : CLAIM_Q_FUNCTION;
	return 0;
}

/* What to do about an error, beyond the kernel's own message. */
static void hint(const struct claim_req *req, const struct claim_report *rep,
		 int rc, const char *busy, uint32_t txid)
{
	const char *verb = req->op == CLAIM_OP_CLAIM ? "claim" : "release";

	if (rc == -EPERM)
		pp_err("%s changes driver bindings: run it as root (it needs CAP_SYS_ADMIN)",
		       verb);
	else if (rc == -EBUSY && busy[0]) {
		pp_err("transaction %s", busy);
		pp_err("try again when it ends ('pcipass monitor' shows it), or stop what holds that device (a VM)");
	} else if (rc == -EBUSY && !rep->has_reply) {
		pp_err("too many claims and releases are queued: try again");
	}
	else if (rc == -ESRCH && !rep->has_reply)
		pp_err("transaction %u was queued, but its outcome is no longer kept (pcipass was reloaded, or many outcomes were left unread): 'pcipass show' tells how the functions stand now",
		       txid);
	else if (rc == -EOPNOTSUPP && !rep->has_reply)
		pp_err("the loaded pcipass module has no %s command: load the one built with this CLI ('modprobe -r pcipass && modprobe pcipass')",
		       verb);
	if (rep->has_reply && claim_exit(rep, rc) == EXIT_ATTENTION)
		pp_err("the host needs attention: put the functions marked FAILED back with their 'fix:' commands, or reboot");
}

static volatile sig_atomic_t stop_wait;

static void on_signal(int sig)
{
	(void)sig;
	stop_wait = 1;
}

/* Ctrl-C ends the wait, never the transaction: the kernel runs it to the
 * end (or its rollback) whether anybody waits or not.
 */
static void catch_signals(void)
{
	/* SA_RESTART: reads of the host checks go on; the waits (poll,
	 * nanosleep) still return EINTR and look at stop_wait.
	 */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The wait ended before the transaction: say where it is and how to
 * follow it.
 */
static int still_running(const struct claim_req *req,
			 const struct claim_report *rep, int rc)
{
	const char *verb = req->op == CLAIM_OP_CLAIM ? "claim" : "release";
	char where[160];

	pp_err("%s of %s: transaction %u still running after %s: %s",
	       verb, req->arg, rep->txid,
	       rc == -EINTR ? "the wait was interrupted" : "the wait timed out",
	       claim_busy_words(rep, where, sizeof(where)));
	pp_err("it goes on in the kernel: 'pcipass monitor' shows when it ends; a driver that waits for a VM lets go when the VM stops");
	return EXIT_RUNNING;
}

/* The kernel knows a VFIO user holds the group, not who: name it. */
static void name_holders(struct claim_report *rep)
{
	struct vfio_holders h;

	for (size_t i = 0; i < rep->nr_blockers; i++) {
		struct claim_blocker *b = &rep->blockers[i];

		if (b->reason != PCIPASS_BLOCKER_VFIO_IN_USE || b->holder ||
		    !rep->has_group || !vfio_holders_find(rep->group, &h))
			continue;
		b->holder = vfio_holders_words(&h);
		vfio_holders_free(&h);
	}
}

/* A target driver that is neither registered nor known to modprobe is a
 * typo: say so at once rather than let the kernel wait for a module that
 * will never come.  Without an index (or for release) the kernel decides.
 */
static bool driver_exists(const struct claim_req *req)
{
	const char *name = req->driver ? req->driver : CLAIM_DEFAULT_DRIVER;
	struct modlookup *ml;
	enum mod_avail found;
	struct utsname u;
	char path[PATH_MAX];

	if (req->op != CLAIM_OP_CLAIM)
		return true;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", name);
	if (sysroot_is_dir(path) || uname(&u))
		return true;
	ml = modlookup_open(u.release);
	found = modlookup_resolves(ml, name);
	modlookup_close(ml);
	if (found != MOD_MISSING)
		return true;
	pp_err("no PCI driver '%s' is registered and no module provides it (modinfo %s): check the name, e.g. vfio-pci",
	       name, name);
	return false;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* What is left of the caller's bound, never less than a second. */
static int left_ms(long long deadline)
{
	long long left = deadline - now_ms();

	return left > 1000 ? (int)left : 1000;
}

/*
 * When the host refuses, the module's dry run names the members and what
 * the module itself refuses.  The host's own refusals (root filesystem,
 * disks in use, interfaces with addresses) are decided here, from the
 * same facts `pcipass check` shows, and merged into that report.  Only a
 * plan nobody refused is sent again as the real claim.
 *
 * Return: the dry run's error; *refused when the host refused a plan the
 * module had passed.  *host keeps the host's blockers (forced ones go
 * into the real claim's report too).
 */
static int preflight(struct pnl *nl, const struct claim_req *req,
		     struct claim_report *rep, int timeout_ms,
		     struct claim_blocker **host, size_t *nhost, bool *refused)
{
	struct claim_req dry = *req;
	bool force = req->flags & PCIPASS_CLAIM_F_FORCE;
	int rc;

	dry.flags |= PCIPASS_CLAIM_F_DRY_RUN;
	rc = claim_transact(nl, &dry, rep, timeout_ms,
			    (volatile int *)&stop_wait);
	*refused = false;
	if ((rc && rc != -EBUSY) || !claim_report_usable(rep, rc))
		return rc;
	if (claim_host_blockers(rep, host, nhost))
		return rc;
	claim_merge_blockers(rep, *host, *nhost, force);
	if (!rc && rep->outcome == PCIPASS_OUTCOME_PLANNED &&
	    claim_first_unforced(rep)) {
		claim_report_refuse(rep);
		*refused = true;
	}
	return rc;
}

/* The host refused, not the module: say so as the module would have. */
static void refused_here(const struct claim_report *rep)
{
	const struct claim_blocker *b = claim_first_unforced(rep);
	char words[256];

	if (b)
		pp_err("claim refused: %s",
		       claim_blocker_text(b, words, sizeof(words)));
}

/* Whether a host blocker stands, --force or not. */
static bool host_refuses(const struct claim_blocker *v, size_t n, bool force)
{
	for (size_t i = 0; i < n; i++)
		if (!force || !claim_blocker_forceable(v[i].reason))
			return true;
	return false;
}

static int claim_run(struct pnl *nl, const struct claim_req *req,
		     struct claim_report *rep, struct claim_error *err,
		     uint32_t timeout_s)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	bool force = req->flags & PCIPASS_CLAIM_F_FORCE;
	struct claim_blocker *host = NULL;
	size_t nhost = 0;
	bool refused;
	int rc;

	/*
	 * Nothing of the host's in the way of the members sysfs names (the
	 * usual case): one request, and what --force took goes into its
	 * report.  Otherwise the dry run below makes the full report.
	 */
	rc = claim_host_precheck(req, &host, &nhost);
	if (stop_wait) {		/* during the checks: nothing asked yet */
		claim_blockers_free(host, nhost);
		return -EINTR;
	}
	if (!rc && !host_refuses(host, nhost, force)) {
		rc = claim_transact(nl, req, rep, (int)timeout_s * 1000,
				    (volatile int *)&stop_wait);
		if (claim_report_usable(rep, rc) && claim_host_applies(rep))
			claim_merge_blockers(rep, host, nhost, force);
		claim_blockers_free(host, nhost);
		return rc;
	}
	claim_blockers_free(host, nhost);
	host = NULL;
	nhost = 0;
	rc = preflight(nl, req, rep, left_ms(deadline), &host, &nhost,
		       &refused);
	if (refused) {
		err->errnum = EBUSY;
	} else if (!rc && stop_wait) {
		rc = -EINTR;		/* after the dry run: the claim not sent */
		claim_report_free(rep);
	} else if (!rc && !(req->flags & PCIPASS_CLAIM_F_DRY_RUN) &&
		   rep->outcome == PCIPASS_OUTCOME_PLANNED) {
		claim_report_free(rep);
		rc = claim_transact(nl, req, rep, left_ms(deadline),
				    (volatile int *)&stop_wait);
		if (claim_report_usable(rep, rc))
			claim_merge_blockers(rep, host, nhost, force);
	}
	claim_blockers_free(host, nhost);
	return rc;
}

int claim_command_run(struct claim_req *req, const struct claim_opts *o,
		      struct claim_report *keep)
{
	struct claim_report rep = { 0 };
	struct claim_error err = { 0 };
	char busy[192] = "";
	struct pnl nl;
	uint32_t txid;
	int rc, status;

	if (keep)
		memset(keep, 0, sizeof(*keep));
	catch_signals();
	if (!driver_exists(req))
		return EXIT_RUNTIME;
	if (pnl_open_or_report(&nl))
		return EXIT_RUNTIME;
	if (claim_resolve(&nl, req)) {
		pnl_close(&nl);
		return EXIT_RUNTIME;
	}
	if (req->op == CLAIM_OP_CLAIM)
		rc = claim_run(&nl, req, &rep, &err, o->timeout_s);
	else
		rc = claim_transact(&nl, req, &rep, (int)o->timeout_s * 1000,
				    (volatile int *)&stop_wait);
	if (rc == -EINTR && !rep.txid) {
		pp_err("%s of %s: interrupted before the kernel was asked: nothing changed",
		       req->op == CLAIM_OP_CLAIM ? "claim" : "release", req->arg);
		pnl_close(&nl);
		return EXIT_RUNTIME;
	}
	if ((rc == -EINTR || rc == -ETIMEDOUT) && rep.txid &&
	    rep.tx_state != PCIPASS_TX_DONE) {
		status = still_running(req, &rep, rc);
		claim_report_free(&rep);
		pnl_close(&nl);
		return status;
	}
	if (rc) {
		err.errnum = -rc;
		err.from_kernel = nl.err.from_kernel;
		err.kernel_msg = pnl_kernel_msg(&nl);
	}
	/* Without a usable reply there is nothing to report but the error,
	 * as for every other command (no document).
	 */
	if (rc == -EBUSY && rep.busy_step) {
		int n = snprintf(busy, sizeof(busy), "%u has ", rep.txid);

		claim_busy_words(&rep, busy + n, sizeof(busy) - n);
	}
	txid = rep.txid;
	if (!claim_report_usable(&rep, rc ? rc : -err.errnum))
		claim_report_free(&rep);
	name_holders(&rep);
	if (rep.has_reply)
		claim_print(req, &rep, &err);
	if (rc) {
		if (!o->nested) {
			print_flush();
			print_cleanup();
		}
		pnl_perror(&nl);
		hint(req, &rep, rc, busy, txid);
	} else if (err.errnum) {
		if (!o->nested) {
			print_flush();
			print_cleanup();
		}
		refused_here(&rep);
	}
	status = claim_exit(&rep, rc ? rc : -err.errnum);
	/* what --persist records: the members as this claim left them */
	if (o->persist && status == EXIT_OK &&
	    !(req->flags & PCIPASS_CLAIM_F_DRY_RUN))
		status = persist_after(req, &rep);
	if (req->op == CLAIM_OP_RELEASE && status == EXIT_OK &&
	    !(req->flags & PCIPASS_CLAIM_F_DRY_RUN))
		vmhold_forget_report(&rep);
	if (keep)
		*keep = rep;
	else
		claim_report_free(&rep);
	pnl_close(&nl);
	return status;
}

static int claim_or_release(int argc, char **argv, enum claim_op op)
{
	const struct cli_cmd *spec = op == CLAIM_OP_CLAIM ? &cli_cmd_claim :
							    &cli_cmd_release;
	const char *cmd = spec->name;
	struct claim_req req = { .op = op };
	struct claim_opts o = { .timeout_s = CLAIM_TIMEOUT_S };
	int c;

	while ((c = cli_getopt(argc, argv, spec)) != -1) {
		switch (c) {
		case 'g':
			if (!parse_u32(optarg, &o.group))
				return cli_usage_error("%s: --group wants an IOMMU group number, not '%s'",
						       cmd, optarg);
			o.has_group = true;
			break;
		case 'd':
			if (!valid_driver(optarg))
				return cli_usage_error("%s: invalid driver name '%s' (at most %d characters, no '/' or blanks)",
						       cmd, optarg,
						       PCIPASS_DRIVER_NAME_MAX - 1);
			req.driver = optarg;
			break;
		case 'n':
			req.flags |= PCIPASS_CLAIM_F_DRY_RUN;
			break;
		case 't':
			if (!parse_u32(optarg, &o.timeout_s) || !o.timeout_s ||
			    o.timeout_s > CLAIM_TIMEOUT_MAX_S)
				return cli_usage_error("%s: --timeout wants seconds (1-" PP_STR(CLAIM_TIMEOUT_MAX_S) "), not '%s'",
						       cmd, optarg);
			break;
		case 'f':
			req.flags |= PCIPASS_CLAIM_F_FORCE;
			break;
		case 'P':
			o.persist = true;
			break;
		case 'h':
			return cli_help(spec);
		default:
			return EXIT_USAGE;
		}
	}
	c = parse_target(&req, &o, argc, argv, cmd);
	if (c)
		return c;
	if (req.kind == CLAIM_Q_GROUP) {
		static char group_arg[16];

		snprintf(group_arg, sizeof(group_arg), "%u", o.group);
		req.arg = group_arg;
	}
	return claim_command_run(&req, &o, NULL);
}

static int cmd_claim(int argc, char **argv)
{
	return claim_or_release(argc, argv, CLAIM_OP_CLAIM);
}

static int cmd_release(int argc, char **argv)
{
	return claim_or_release(argc, argv, CLAIM_OP_RELEASE);
}

#define CLAIM_TIMEOUT_HELP \
	"wait at most SEC seconds, 1-" PP_STR(CLAIM_TIMEOUT_MAX_S) \
	" (default " PP_STR(CLAIM_TIMEOUT_S) ")"

/* The letters are what claim_or_release() switches on. */
static const struct cli_opt claim_opts[] = {
	{ "group", 'g', "N", "the IOMMU group N instead of an address" },
	{ "driver", 'd', "DRIVER", "bind to DRIVER instead of vfio-pci" },
	{ "dry-run", 'n', NULL, "only check and print the plan ('would move')" },
	{ "force", 'f', NULL, "take the boot VGA, a disk in use or an active NIC anyway" },
	{ "timeout", 't', "SEC", CLAIM_TIMEOUT_HELP },
	{ "persist", 'P', NULL, "also record the group in " PERSIST_CONF },
	{ 0 },
};

static const struct cli_opt release_opts[] = {
	{ "group", 'g', "N", "the IOMMU group N instead of an address" },
	{ "dry-run", 'n', NULL, "only check and print the plan" },
	{ "timeout", 't', "SEC", CLAIM_TIMEOUT_HELP },
	{ "persist", 'P', NULL, "also drop the group's entries from " PERSIST_CONF },
	{ 0 },
};

#define CLAIM_EXIT_HELP \
	"Exit status: 0 done (or already so, or a dry run that would\n" \
	"succeed), 1 a step failed and every member was put back, or could\n" \
	"not run (module, not root, no such device, a slot spanning groups),\n" \
	"2 usage error, 6 refused by a safety check (nothing changed; also\n" \
	"for --dry-run), 7 a failure could not be undone (the host needs\n" \
	"attention: see the 'fix:' lines), 8 still running when the wait\n" \
	"ended (--timeout, Ctrl-C): it goes on in the kernel.\n"

const struct cli_cmd cli_cmd_claim = {
	.name = "claim",
	.run = cmd_claim,
	.synopsis = "[OPTIONS] ADDR|--group N",
	.summary = "bind a whole IOMMU group to vfio-pci, all or nothing",
	.opts = claim_opts,
	.help =
	"Needs root.  Binds every function of the IOMMU group of ADDR (a\n"
	"function, or a slot whose functions share one group) or of group N\n"
	"to DRIVER (default vfio-pci), all or nothing: safety checks first\n"
	"(disks in use, the root filesystem and NICs with addresses by\n"
	"pcipass; boot VGA, SR-IOV VFs, a claim for another driver and a VM\n"
	"using the group by the kernel), then in the kernel driver_override,\n"
	"unbind and bind; on any failure every member is put back.  Bridges\n"
	"stay on pcieport.  --force never takes the root filesystem's\n"
	"controller nor a group a VM holds.\n"
	"The kernel runs the transaction in its own context; the command\n"
	"waits for it.  A timeout or Ctrl-C ends the wait, not the\n"
	"transaction (exit 8, naming the driver it waits for).\n"
	"--persist records each function by topology path, IDs and serial\n"
	"number; the module claims them whenever it loads and when they\n"
	"appear (its claims= option, in " PERSIST_MODPROBE ").\n"
	"After that, run update-initramfs -u -k all.\n"
	"\n"
	CLAIM_EXIT_HELP,
};

const struct cli_cmd cli_cmd_release = {
	.name = "release",
	.run = cmd_release,
	.synopsis = "[OPTIONS] ADDR|--group N",
	.summary = "give a claimed group back to its drivers",
	.opts = release_opts,
	.help =
	"Needs root.  Gives every function of the IOMMU group back to its\n"
	"original driver_override and driver, as the claim found them, and\n"
	"drops a VM hook's record of the group.  Refused while a VM holds\n"
	"the group.  The wait, the timeout and Ctrl-C are as for claim.\n"
	"\n"
	CLAIM_EXIT_HELP,
};
