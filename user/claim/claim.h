/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CLAIM_H
#define PCIPASS_CLAIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct nl_msg;
struct pnl;

/* pcipass claim / release: hand a whole IOMMU group to one driver and give
 * it back.
 *
 *   nl/claim.c       - the CLAIM and RELEASE requests and their reply;
 *   nl/claim_wait.c  - the wait for a queued transaction's end;
 *   claim/target.c   - ADDR, SLOT or --group into a request;
 *   claim/words.c    - names, sentences, fix hints, exit statuses (pure);
 *   claim/print.c    - the report, text and JSON;
 *   claim/policy.c   - the host's refusals merged into the report (pure);
 *   claim/host.c     - the host's refusals, from what `check` knows;
 *   cmd/claim.c      - the two commands.
 *
 * The kernel answers a request that found its group with one reply (the
 * report below), and when the transaction failed or was refused, then
 * with an error and an extended ack.  Both are kept.
 */

enum claim_op {
	CLAIM_OP_CLAIM,
	CLAIM_OP_RELEASE,
};

enum claim_query {
	CLAIM_Q_FUNCTION,	/* 06:00.0 */
	CLAIM_Q_SLOT,		/* 06:00: the one group of all its functions */
	CLAIM_Q_GROUP,		/* --group 5 */
};

struct claim_req {
	enum claim_op op;
	enum claim_query kind;
	const char *arg;	/* as given: "06:00", "5" */
	struct pp_addr addr;	/* CLAIM_Q_FUNCTION, CLAIM_Q_SLOT */
	bool by_group;		/* send the group id, not addr */
	uint32_t group;
	const char *driver;	/* NULL: the kernel's default (vfio-pci) */
	uint32_t flags;		/* PCIPASS_CLAIM_F_* */
};

/* The default the kernel applies when a claim names no driver. */
#define CLAIM_DEFAULT_DRIVER "vfio-pci"

/* One member nest.  Strings are NULL when the attribute is absent. */
struct claim_member {
	struct pp_addr addr;
	uint32_t state;		/* enum pcipass_member_state */
	char *from_driver;
	char *from_override;
	char *to_driver;
	bool has_step;
	uint32_t step;		/* enum pcipass_step */
	int error;		/* negative errno, or 0 */
};

struct claim_blocker {
	struct pp_addr addr;
	uint32_t reason;	/* enum pcipass_blocker_reason */
	char *detail;
	bool forced;
	char *holder;		/* vfio-in-use: "PID 4242 (qemu-system-x86_64)" */
};

struct claim_report {
	uint32_t txid;		/* the transaction, 0 when none was queued */
	uint32_t tx_state;	/* enum pcipass_tx_state */
	uint32_t busy_step;	/* enum pcipass_step: where it waits, 0: none */
	bool has_busy_addr;
	struct pp_addr busy_addr;
	char *busy_driver;
	uint32_t busy_ms;
	bool has_reply;		/* the kernel found the group and said so */
	bool has_group;
	uint32_t group;
	char *driver;
	bool has_outcome;
	uint32_t outcome;	/* enum pcipass_outcome */
	struct claim_member *members;
	size_t nr_members;
	struct claim_blocker *blockers;
	size_t nr_blockers;
};

/* The failure that came with (or instead of) the report. */
struct claim_error {
	int errnum;		/* positive errno, 0: none */
	bool from_kernel;
	const char *kernel_msg;	/* extack text, NULL when none */
};

/* nl/claim.c: sends the request; the report is filled whenever the kernel
 * sent one, also when the return value is an error (-errno).
 */
int claim_transact(struct pnl *nl, const struct claim_req *req,
		   struct claim_report *rep, int timeout_ms,
		   volatile int *stop);
/* nl/claim_wait.c: sleeps until an event of the pcipass events group or
 * a timeout; open before the request so its end is not missed.  Without
 * the group (sk NULL) the wait is a plain sleep.
 */
struct claim_waiter {
	struct nl_sock *sk;
};

void claim_waiter_open(struct claim_waiter *w);
void claim_waiter_wait(struct claim_waiter *w, int ms);
void claim_waiter_close(struct claim_waiter *w);
/* What a running transaction waits for, for the progress line:
 * "unbind 0000:05:00.0 from nvidia", "claim of 05:00, queued behind
 * another claim or release" (pure).
 */
const char *claim_wait_words(const struct claim_report *rep,
			     const struct claim_req *req, char *buf,
			     size_t size);
/* "waited 42 s in unbind of 0000:05:00.0 from vfio-pci" into buf */
const char *claim_busy_words(const struct claim_report *rep, char *buf,
			     size_t size);
void claim_report_free(struct claim_report *rep);
/* One reply message into rep (replacing what it held); 0 or -EBADMSG. */
int claim_parse_reply(struct nl_msg *msg, struct claim_report *rep);

/* claim/target.c: turns a slot into its single group (0, or 1 after
 * saying what is wrong); a function or group is left to the kernel.
 */
int claim_resolve(struct pnl *nl, struct claim_req *req);

/* claim/words.c: pure. */
const char *claim_outcome_key(uint32_t outcome);	/* "rolled_back" */
const char *claim_state_key(uint32_t state);		/* "skipped_bridge" */
const char *claim_state_words(uint32_t state);		/* "bridge, stays" */
const char *claim_step_key(uint32_t step);		/* "bind" */
const char *claim_blocker_key(uint32_t reason);	/* "boot_vga" */
const char *claim_event_key(uint32_t type);		/* "driver_bound" */
/* "rolled_back" -> "rolled-back", as the spec and monitor's text spell it */
const char *claim_hyphenate(const char *key, char *buf, size_t size);

bool claim_blocker_forceable(uint32_t reason);
/* "0000:00:02.0 is the boot VGA device, the host's console" */
const char *claim_blocker_text(const struct claim_blocker *b, char *buf,
			       size_t size);
/* What to do about it; NULL when nothing but another slot helps. */
const char *claim_blocker_fix(const struct claim_blocker *b, char *buf,
			      size_t size);
/* Shell commands that put a member back by hand after a failed rollback
 * or release; NULL when the member needs none.
 */
const char *claim_member_fix(enum claim_op op, const struct claim_member *m,
			     char *buf, size_t size);
/* The one-line verdict: "group 5 claimed for vfio-pci: 2 functions". */
const char *claim_summary(enum claim_op op, const struct claim_req *req,
			  const struct claim_report *rep, char *buf,
			  size_t size);
/* claimed, already claimed, planned, released */
bool claim_outcome_ok(uint32_t outcome);
/* Whether the reply reports on the transaction.  The module also replies
 * to errors found before a transaction ran (a release of a group pcipass
 * did not claim), with the outcome and member states still at their zero
 * values, "claimed" and "planned": a success outcome next to an error is
 * no report.
 */
bool claim_report_usable(const struct claim_report *rep, int err);
/* Exit status from the outcome, else from the error. */
int claim_exit(const struct claim_report *rep, int err);

/* claim/policy.c: pure.  Adds v (copied) to the report, dropping any the
 * module sent itself (an older module still checks the host), marks the
 * forceable ones forced under force, and sorts them per member in the
 * order the report has always had.
 */
void claim_merge_blockers(struct claim_report *rep,
			  const struct claim_blocker *v, size_t n, bool force);
/* The first blocker force did not (or may not) override; NULL: none. */
const struct claim_blocker *claim_first_unforced(const struct claim_report *rep);
/* A dry run's plan turned into a refusal: nothing moves. */
void claim_report_refuse(struct claim_report *rep);
/* Whether the host's rules apply to this member of a claim's dry run:
 * members it would move, and only when the module did not refuse for
 * another claim or a VFIO user.
 */
bool claim_host_checks(const struct claim_report *rep,
		       const struct claim_member *m);
/* Whether the host's blockers belong in this report at all: not in one
 * refused for another claim or a VFIO user, nor in "already claimed".
 */
bool claim_host_applies(const struct claim_report *rep);

/* claim/host.c: the host's blockers (impact/impact.h) for a dry run's members,
 * or, before any request, for the members sysfs says the claim would
 * move (its group's functions that are neither bridges nor bound to the
 * target).  0, or -ENOMEM.
 */
int claim_host_blockers(const struct claim_report *rep,
			struct claim_blocker **v, size_t *n);
int claim_host_precheck(const struct claim_req *req,
			struct claim_blocker **v, size_t *n);
void claim_blockers_free(struct claim_blocker *v, size_t n);
/* A bridge, as the module counts one: it stays with the host. */
bool claim_is_bridge(const char *addr);

/* cmd/claim.c: one claim or release as `pcipass claim|release` does it:
 * the host's checks (a claim), the bounded wait, the report printed, the
 * VM record dropped (a release).  *keep (when not NULL) gets the report,
 * zeroed when there is none; the caller frees it.  Return: an exit status.
 */
struct claim_opts {
	bool persist;		/* --persist: claims.conf too */
	bool has_group;
	uint32_t group;
	uint32_t timeout_s;
	/* the report goes into the caller's JSON document (an array of
	 * it), which is written by the caller, also after an error
	 */
	bool nested;
};

#define CLAIM_TIMEOUT_S	60

int claim_command_run(struct claim_req *req, const struct claim_opts *o,
		      struct claim_report *keep);

/* claim/print.c */
void claim_print(const struct claim_req *req, const struct claim_report *rep,
		 const struct claim_error *err);

#endif
