// SPDX-License-Identifier: GPL-2.0
/*
 * The report of a claim or release, text and JSON from one code path
 * (lib/print.h); the keys are documented in README-json.md.
 */
#include <stdio.h>
#include <string.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/print.h"
#include "lib/util.h"

#define LINE_LEN 512

static const char *query_kind_key(enum claim_query k)
{
	switch (k) {
	case CLAIM_Q_FUNCTION:
		return "function";
	case CLAIM_Q_SLOT:
		return "slot";
	case CLAIM_Q_GROUP:
		return "group";
	}
	return NULL;
}

static const char *or_none(const char *s)
{
	return s ? s : "(none)";
}

/* "e1000e -> vfio-pci", or one name when the member did not move. */
static const char *move_words(const struct claim_member *m, char *buf,
			      size_t size)
{
	const char *from = m->from_driver, *to = m->to_driver;

	if ((!from && !to) || (from && to && !strcmp(from, to)))
		snprintf(buf, size, "%s", or_none(from));
	else
		snprintf(buf, size, "%s -> %s", or_none(from), or_none(to));
	return buf;
}

static void print_errno(int neg_errno)
{
	if (neg_errno) {
		print_uint(PRINT_JSON, "errno", NULL, (unsigned int)-neg_errno);
		print_string(PRINT_JSON, "error", NULL, strerror(-neg_errno));
	} else {
		print_null(PRINT_JSON, "errno", NULL, NULL);
		print_null(PRINT_JSON, "error", NULL, NULL);
	}
}

static void print_member(const struct claim_req *req,
			 const struct claim_member *m, int width)
{
	char a[ADDR_STRLEN], move[2 * PCIPASS_DRIVER_NAME_MAX + 16];
	char fix[LINE_LEN], fmt[32];

	open_json_object(NULL);
	print_string(PRINT_ANY, "address", "  %s  ", addr_fmt(&m->addr, a));
	snprintf(fmt, sizeof(fmt), "%%-%ds  ", width);
	print_string(PRINT_FP, NULL, fmt, move_words(m, move, sizeof(move)));
	print_string(PRINT_JSON, "state", NULL, claim_state_key(m->state));
	print_text("%s", claim_state_words(m->state));
	print_opt_string(PRINT_JSON, "from_driver", NULL, m->from_driver, NULL);
	print_opt_string(PRINT_JSON, "from_override", NULL, m->from_override,
			 NULL);
	print_opt_string(PRINT_JSON, "to_driver", NULL, m->to_driver, NULL);
	if (m->has_step)
		print_string(PRINT_ANY, "step", " at %s", claim_step_key(m->step));
	else
		print_null(PRINT_JSON, "step", NULL, NULL);
	if (m->error)
		print_text(": %s", strerror(-m->error));
	print_errno(m->error);
	if (m->state == PCIPASS_MEMBER_ROLLBACK_FAILED ||
	    m->state == PCIPASS_MEMBER_RELEASE_FAILED)
		print_text("; now %s%s", m->to_driver ? "on " : "unbound",
			   m->to_driver ? m->to_driver : "");
	/* After a release from-override is the claim's own; not news. */
	if (m->from_override && req->op == CLAIM_OP_CLAIM)
		print_text(" (driver_override was %s)", m->from_override);
	print_text("\n");
	if (claim_member_fix(req->op, m, fix, sizeof(fix)))
		print_string(PRINT_ANY, "fix", "      fix: %s\n", fix);
	else
		print_null(PRINT_JSON, "fix", NULL, NULL);
	close_json_object();
}

static void print_members(const struct claim_req *req,
			  const struct claim_report *rep)
{
	char move[2 * PCIPASS_DRIVER_NAME_MAX + 16];
	int width = 0;

	for (size_t i = 0; i < rep->nr_members; i++) {
		int w = (int)strlen(move_words(&rep->members[i], move,
					       sizeof(move)));

		if (w > width)
			width = w;
	}
	open_json_array("members");
	for (size_t i = 0; i < rep->nr_members; i++)
		print_member(req, &rep->members[i], width);
	close_json_array();
}

static void print_blocker(const struct claim_blocker *b)
{
	char a[ADDR_STRLEN], text[LINE_LEN], fix[LINE_LEN];
	const char *f = claim_blocker_fix(b, fix, sizeof(fix));

	open_json_object(NULL);
	print_string(PRINT_JSON, "address", NULL, addr_fmt(&b->addr, a));
	print_string(PRINT_JSON, "reason", NULL, claim_blocker_key(b->reason));
	print_opt_string(PRINT_JSON, "detail", NULL, b->detail, NULL);
	print_bool(PRINT_JSON, "forced", NULL, b->forced);
	print_opt_string(PRINT_JSON, "holder", NULL, b->holder, NULL);
	print_bool(PRINT_JSON, "forceable", NULL,
		   claim_blocker_forceable(b->reason));
	print_text("  %s ", b->forced ? "forced: " : "refused:");
	print_string(PRINT_ANY, "text", "%s",
		     claim_blocker_text(b, text, sizeof(text)));
	if (b->forced)
		print_text(" (taken anyway: --force)");
	print_opt_string(PRINT_JSON, "fix", NULL, f, NULL);
	if (!b->forced && f)
		print_text(" (%s)", f);
	print_text("\n");
	close_json_object();
}

static void print_error(const struct claim_error *err)
{
	if (!err || !err->errnum) {
		print_null(PRINT_JSON, "error", NULL, NULL);
		return;
	}
	/* Text: the caller reports the error on stderr (pnl_perror). */
	open_json_object("error");
	print_uint(PRINT_JSON, "errno", NULL, (unsigned int)err->errnum);
	print_string(PRINT_JSON, "message", NULL, strerror(err->errnum));
	print_opt_string(PRINT_JSON, "kernel_message", NULL, err->kernel_msg,
			 NULL);
	close_json_object();
}

void claim_print(const struct claim_req *req, const struct claim_report *rep,
		 const struct claim_error *err)
{
	char line[LINE_LEN];

	open_json_object(NULL);
	print_string(PRINT_JSON, "operation", NULL,
		     req->op == CLAIM_OP_CLAIM ? "claim" : "release");
	print_string(PRINT_JSON, "query", NULL, req->arg);
	print_string(PRINT_JSON, "query_kind", NULL, query_kind_key(req->kind));
	print_bool(PRINT_JSON, "dry_run", NULL,
		   req->flags & PCIPASS_CLAIM_F_DRY_RUN);
	print_bool(PRINT_JSON, "force", NULL, req->flags & PCIPASS_CLAIM_F_FORCE);
	if (rep->has_group)
		print_uint(PRINT_JSON, "group", NULL, rep->group);
	else
		print_null(PRINT_JSON, "group", NULL, NULL);
	print_opt_string(PRINT_JSON, "driver", NULL, rep->driver, NULL);
	if (rep->has_outcome)
		print_string(PRINT_JSON, "outcome", NULL,
			     claim_outcome_key(rep->outcome));
	else
		print_null(PRINT_JSON, "outcome", NULL, NULL);
	print_string(PRINT_ANY, "summary", "%s\n",
		     claim_summary(req->op, req, rep, line, sizeof(line)));

	open_json_array("blockers");
	for (size_t i = 0; i < rep->nr_blockers; i++)
		print_blocker(&rep->blockers[i]);
	close_json_array();
	print_members(req, rep);
	print_error(err);
	close_json_object();
}
