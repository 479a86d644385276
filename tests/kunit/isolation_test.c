// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass_isolation_explain(): the answer about one function of a
 * synthetic snapshot -- its hops up to the root complex with their ACS
 * state, the links that formed its predicted group in formation order
 * (or its one isolated/no-iommu reason), the predicted members, and where
 * the kernel's group (the rows' group ids, which may disagree with the
 * rules as a quirk would make them) differs.  Lists end at
 * PCIPASS_ISO_LIST_MAX.  Readiness needs real devices: not here.
 */
#include <kunit/resource.h>
#include <kunit/test.h>

#include "synth.h"

#define DF(d, f)	PCI_DEVFN(d, f)
#define END		-1
#define LIST_MAX	PCIPASS_ISO_LIST_MAX

KUNIT_DEFINE_ACTION_WRAPPER(iso_release, pcipass_isolation_release,
			    struct pcipass_isolation *);

/* The answer for row @idx, released when the test ends. */
static struct pcipass_isolation *explain(struct kunit *test,
					 const struct pcipass_topo *t, int idx)
{
	struct pcipass_isolation *iso;

	iso = kunit_kzalloc(test, sizeof(*iso), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, iso);
	KUNIT_ASSERT_EQ(test, pcipass_isolation_explain(t, idx, iso), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, iso_release, iso),
			0);
	/* Never filled by explain: readiness is pcipass_isolation_get()'s. */
	KUNIT_EXPECT_FALSE(test, iso->ready);
	KUNIT_EXPECT_EQ(test, iso->nr_blockers, 0);
	return iso;
}

/**
 * struct hop_want - one expected hop
 * @row: the function
 * @state: enum pcipass_acs_state
 * @missing: required ACS flags it lacks
 */
struct hop_want {
	s8 row;
	u8 state;
	u16 missing;
};

/**
 * struct explain_case - the answer expected about one function
 * @name: parameter description
 * @rows: the topology
 * @n: entries of @rows
 * @subject: the row explained
 * @hops: the hops, ending with row END
 * @reasons: subjects of the reasons, in order, ending with END; each
 *           link is the one its row's want says
 * @predicted: the predicted members, ending with END
 * @kernel_only: ending with END
 * @predicted_only: ending with END
 */
struct explain_case {
	const char *name;
	const struct sy_row *rows;
	unsigned int n;
	int subject;
	struct hop_want hops[8];
	s8 reasons[8];
	s8 predicted[8];
	s8 kernel_only[4];
	s8 predicted_only[4];
};

#define NA	PCIPASS_ACS_STATE_NOT_APPLICABLE
#define ON	PCIPASS_ACS_STATE_ENABLED
#define ABSENT	PCIPASS_ACS_STATE_ABSENT
#define REQ	SY_REQ

/* An endpoint below an ACS root port; kernel ids 4 and 5. */
static const struct sy_row alone[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0), .group = 4 },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, 0, 0, SY_ALONE(1), .group = 5 },
};

/*
 * An endpoint without IOMMU below a root port without ACS in group 0: the
 * endpoint's group id field (0 too) must not make it a kernel member.
 */
static const struct sy_row no_iommu[] = {
	/* 0 */ { 0, DF(0x1c, 0), -1, SY_RP, 0, 0, SY_ALONE(0), .group = 0 },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_NOMMU, 0, SY_NONE },
};

/* A quirk separated two functions the rules join. */
static const struct sy_row kernel_split[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0), .group = 1 },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, 0, SY_ALONE(1), .group = 5 },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ),
		  .group = 6 },
};

/* The kernel joined two functions the rules keep apart. */
static const struct sy_row kernel_joined[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0), .group = 1 },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(1),
		  .group = 7 },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(2),
		  .group = 7 },
};

/* Both: the rules join .0 and .1, the kernel .0 and .2. */
static const struct sy_row kernel_differs[] = {
	/* 0 */ { 0, DF(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0), .group = 1 },
	/* 1 */ { 1, DF(0, 0), 0, SY_EP, SY_MF, 0, SY_ALONE(1), .group = 8 },
	/* 2 */ { 1, DF(0, 1), 0, SY_EP, SY_MF, 0, SY_FUNC(1, 1, 1, REQ),
		  .group = 9 },
	/* 3 */ { 1, DF(0, 2), 0, SY_EP, SY_MF, SY_ACS_ON, SY_ALONE(3),
		  .group = 8 },
};

#define ROWS(r)	.rows = r, .n = sizeof(r) / sizeof((r)[0])

static const struct explain_case explain_cases[] = {
	{ "alone_endpoint", ROWS(alone), 1,
	  { { 1, NA, 0 }, { 0, ON, 0 }, { END } },
	  { 1, END }, { 1, END }, { END }, { END } },
	{ "no_iommu_endpoint", ROWS(no_iommu), 1,
	  { { 1, NA, 0 }, { 0, ABSENT, REQ }, { END } },
	  { 1, END }, { END }, { END }, { END } },
	{ "no_iommu_port", ROWS(no_iommu), 0,
	  { { 0, ABSENT, REQ }, { END } },
	  { 0, END }, { 0, END }, { END }, { END } },
	/* sy_nested: 02:00.0 and all below it share group 12. */
	{ "nested_endpoint", sy_nested, SY_NESTED_N, 7,
	  { { 7, NA, 0 }, { 5, ABSENT, REQ }, { 4, NA, 0 }, { 2, ABSENT, REQ },
	    { 1, NA, 0 }, { 0, ON, 0 }, { END } },
	  { 4, 5, 6, 7, 8, END }, { 2, 4, 5, 6, 7, 8, END }, { END }, { END } },
	/* The founder reports the links of its group, not its own. */
	{ "nested_founder", sy_nested, SY_NESTED_N, 2,
	  { { 2, ABSENT, REQ }, { 1, NA, 0 }, { 0, ON, 0 }, { END } },
	  { 4, 5, 6, 7, 8, END }, { 2, 4, 5, 6, 7, 8, END }, { END }, { END } },
	{ "nested_other_branch", sy_nested, SY_NESTED_N, 9,
	  { { 9, NA, 0 }, { 3, ABSENT, REQ }, { 1, NA, 0 }, { 0, ON, 0 },
	    { END } },
	  { 9, END }, { 3, 9, END }, { END }, { END } },
	{ "nested_root_port", sy_nested, SY_NESTED_N, 0,
	  { { 0, ON, 0 }, { END } },
	  { 0, END }, { 0, END }, { END }, { END } },
	{ "kernel_split_first", ROWS(kernel_split), 1,
	  { { 1, ABSENT, REQ }, { 0, ON, 0 }, { END } },
	  { 2, END }, { 1, 2, END }, { END }, { 2, END } },
	{ "kernel_split_second", ROWS(kernel_split), 2,
	  { { 2, ABSENT, REQ }, { 0, ON, 0 }, { END } },
	  { 2, END }, { 1, 2, END }, { END }, { 1, END } },
	{ "kernel_joined", ROWS(kernel_joined), 1,
	  { { 1, ON, 0 }, { 0, ON, 0 }, { END } },
	  { 1, END }, { 1, END }, { 2, END }, { END } },
	{ "kernel_differs", ROWS(kernel_differs), 1,
	  { { 1, ABSENT, REQ }, { 0, ON, 0 }, { END } },
	  { 2, END }, { 1, 2, END }, { 3, END }, { 2, END } },
};

static void explain_case_desc(const struct explain_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(explain, explain_cases, explain_case_desc);

static unsigned int list_len(const s8 *list)
{
	unsigned int n = 0;

	while (list[n] != END)
		n++;
	return n;
}

static void expect_addrs(struct kunit *test, const struct sy_row *rows,
			 const struct pcipass_addr *got, unsigned int nr,
			 const s8 *want, const char *what)
{
	unsigned int i, n = list_len(want);

	KUNIT_ASSERT_EQ_MSG(test, nr, n, "%s: entries", what);
	for (i = 0; i < n; i++)
		sy_expect_addr(test, &got[i], &rows[want[i]], what, i);
}

static void expect_hops(struct kunit *test, const struct explain_case *c,
			const struct pcipass_isolation *iso)
{
	const struct pcipass_iso_hop *hop;
	const struct hop_want *w;
	const struct sy_row *row;
	unsigned int i, n = 0;

	while (c->hops[n].row != END)
		n++;
	KUNIT_ASSERT_EQ(test, iso->nr_hops, n);
	for (i = 0; i < n; i++) {
		hop = &iso->hops[i];
		w = &c->hops[i];
		row = &c->rows[w->row];
		sy_expect_addr(test, &hop->addr, row, "hop", i);
		KUNIT_EXPECT_EQ_MSG(test, hop->state, w->state, "hop %u", i);
		KUNIT_EXPECT_EQ_MSG(test, hop->missing, w->missing, "hop %u", i);
		/* The raw facts are the row's, and only the valid ones. */
		KUNIT_EXPECT_EQ_MSG(test, !!(hop->flags & PCIPASS_NODE_PCIE),
				    row->type != SY_CONV, "hop %u", i);
		KUNIT_EXPECT_EQ_MSG(test, !!(hop->flags & PCIPASS_NODE_ACS),
				    !!row->acs, "hop %u", i);
		KUNIT_EXPECT_EQ_MSG(test, hop->flags &
				    ~(PCIPASS_NODE_PCIE | PCIPASS_NODE_ACS), 0,
				    "hop %u", i);
		if (row->type != SY_CONV)
			KUNIT_EXPECT_EQ_MSG(test, hop->pcie_type, row->type,
					    "hop %u", i);
		if (row->acs) {
			KUNIT_EXPECT_EQ_MSG(test, hop->acs_pos, SY_ACS_POS,
					    "hop %u", i);
			KUNIT_EXPECT_EQ_MSG(test, hop->acs_cap,
					    (row->acs >> 16) & 0x7fff, "hop %u", i);
			KUNIT_EXPECT_EQ_MSG(test, hop->acs_ctrl, row->acs & 0xffff,
					    "hop %u", i);
		}
	}
}

/* Reason @k is the link of row @subject, as its want says. */
static void expect_reason(struct kunit *test, const struct sy_row *rows,
			  const struct pcipass_iso_reason *r, int subject,
			  unsigned int k)
{
	const struct sy_want *w = &rows[subject].want;

	sy_expect_addr(test, &r->subject, &rows[subject], "reason subject", k);
	KUNIT_EXPECT_EQ_MSG(test, r->code, w->code, "reason %u", k);
	KUNIT_EXPECT_EQ_MSG(test, r->missing, w->missing, "reason %u", k);
	KUNIT_EXPECT_EQ_MSG(test, r->has_peer, w->peer >= 0, "reason %u", k);
	if (r->has_peer && w->peer >= 0)
		sy_expect_addr(test, &r->peer, &rows[w->peer], "reason peer", k);
	KUNIT_EXPECT_EQ_MSG(test, r->has_cause, w->cause >= 0, "reason %u", k);
	if (r->has_cause && w->cause >= 0)
		sy_expect_addr(test, &r->cause, &rows[w->cause], "reason cause",
			       k);
}

static void isolation_explain_test(struct kunit *test)
{
	const struct explain_case *c = test->param_value;
	const struct sy_row *me = &c->rows[c->subject];
	struct pcipass_topo *t = sy_topo(test, c->rows, c->n);
	struct pcipass_isolation *iso;
	unsigned int k, n;

	pcipass_predict(t);
	iso = explain(test, t, c->subject);

	sy_expect_addr(test, &iso->addr, me, "subject", 0);
	KUNIT_EXPECT_EQ(test, iso->has_group, !(me->flags & SY_NOMMU));
	if (!(me->flags & SY_NOMMU))
		KUNIT_EXPECT_EQ(test, iso->group, me->group);
	KUNIT_EXPECT_FALSE(test, iso->truncated);
	expect_hops(test, c, iso);

	n = list_len(c->reasons);
	KUNIT_ASSERT_EQ(test, iso->nr_reasons, n);
	for (k = 0; k < n; k++)
		expect_reason(test, c->rows, &iso->reasons[k], c->reasons[k], k);

	expect_addrs(test, c->rows, iso->predicted, iso->nr_predicted,
		     c->predicted, "predicted");
	expect_addrs(test, c->rows, iso->kernel_only, iso->nr_kernel_only,
		     c->kernel_only, "kernel-only");
	expect_addrs(test, c->rows, iso->predicted_only, iso->nr_predicted_only,
		     c->predicted_only, "predicted-only");
}

/*
 * A big group: a root port without ACS (row 0), a switch (1) with two
 * downstream ports without ACS (2, 3) and @nr_eps endpoints split between
 * them (rows 4...), all in kernel group 1, all in the root port's
 * predicted group.  Optionally one more endpoint on the root bus, alone
 * by the rules, that the kernel put in group 1 too.
 */
struct big_case {
	const char *name;
	unsigned int nr_eps;
	bool subject_alone;	/* the kernel gave row 4 a group of its own */
	bool extra;		/* subject: the extra endpoint, kernel group 1 */
};

static const struct big_case big_cases[] = {
	{ "group_of_256", 252, false, false },
	{ "group_of_257", 253, false, false },
	{ "group_of_304", 300, false, false },
	{ "group_of_304_subject_apart", 300, true, false },
	{ "kernel_group_of_305_predicted_alone", 300, false, true },
};

static void big_case_desc(const struct big_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(big, big_cases, big_case_desc);

static struct pcipass_topo *big_topo(struct kunit *test,
				     const struct big_case *c)
{
	const struct sy_row head[] = {
		{ 0, DF(0x1c, 0), -1, SY_RP, 0, 0, .group = 1 },
		{ 1, DF(0, 0), 0, SY_US, 0, 0, .group = 1 },
		{ 2, DF(0, 0), 1, SY_DS, 0, 0, .group = 1 },
		{ 2, DF(1, 0), 1, SY_DS, 0, 0, .group = 1 },
	};
	unsigned int i, half = c->nr_eps / 2, n = 4 + c->nr_eps + c->extra;
	struct pcipass_topo *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	struct sy_row row = {};

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nodes = kunit_kcalloc(test, n, sizeof(*t->nodes), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->nodes);
	t->n = n;
	for (i = 0; i < 4; i++)
		sy_fill(&t->nodes[i], &head[i]);
	for (i = 0; i < c->nr_eps; i++) {
		row = (struct sy_row){
			.bus = i < half ? 3 : 4,
			.devfn = i < half ? i : i - half,
			.up = i < half ? 2 : 3,
			.type = SY_EP,
			.group = i == 0 && c->subject_alone ? 2 : 1,
		};
		sy_fill(&t->nodes[4 + i], &row);
	}
	if (c->extra) {
		row = (struct sy_row){ 0, DF(2, 0), -1, SY_RCIEP, .group = 1 };
		sy_fill(&t->nodes[n - 1], &row);
	}
	return t;
}

static void expect_range(struct kunit *test, const struct pcipass_topo *t,
			 const struct pcipass_addr *got, unsigned int nr,
			 unsigned int want_nr, int skip, const char *what)
{
	unsigned int i;
	int idx = 0;

	KUNIT_ASSERT_EQ_MSG(test, nr, want_nr, "%s: entries", what);
	/* Rows 0, 1, 2, ... in order, without @skip. */
	for (i = 0; i < nr; i++, idx++) {
		if (idx == skip)
			idx++;
		KUNIT_EXPECT_TRUE_MSG(test, got[i].bus == t->nodes[idx].addr.bus &&
				      got[i].devfn == t->nodes[idx].addr.devfn,
				      "%s %u: want row %d", what, i, idx);
	}
}

static void isolation_truncated_test(struct kunit *test)
{
	const struct big_case *c = test->param_value;
	struct pcipass_topo *t = big_topo(test, c);
	unsigned int members = 4 + c->nr_eps;	/* the predicted group */
	int subject = c->extra ? members : 4;
	struct pcipass_isolation *iso;

	pcipass_predict(t);
	iso = explain(test, t, subject);

	KUNIT_EXPECT_TRUE(test, iso->has_group);
	KUNIT_EXPECT_EQ(test, iso->group, c->subject_alone ? 2 : 1);
	KUNIT_EXPECT_EQ(test, iso->truncated, members > LIST_MAX);
	if (c->extra) {
		/* Alone: one reason, and the kernel's 4 + nr_eps others. */
		KUNIT_EXPECT_EQ(test, iso->nr_hops, 1);
		KUNIT_ASSERT_EQ(test, iso->nr_reasons, 1);
		KUNIT_EXPECT_EQ(test, iso->reasons[0].code,
				PCIPASS_REASON_ISOLATED);
		KUNIT_EXPECT_EQ(test, iso->nr_predicted, 1);
		expect_range(test, t, iso->kernel_only, iso->nr_kernel_only,
			     min(members, LIST_MAX), -1, "kernel-only");
		KUNIT_EXPECT_EQ(test, iso->nr_predicted_only, 0);
		return;
	}
	/* Row 4 (03:00.0): its port, the switch, the root port. */
	KUNIT_ASSERT_EQ(test, iso->nr_hops, 4);
	KUNIT_EXPECT_EQ(test, iso->hops[1].addr.bus, 2);
	KUNIT_EXPECT_EQ(test, iso->hops[3].addr.devfn, DF(0x1c, 0));
	expect_range(test, t, iso->predicted, iso->nr_predicted,
		     min(members, LIST_MAX), -1, "predicted");
	/* Every member but the root port (row 0) joined: rows 1, 2, ... */
	KUNIT_ASSERT_EQ(test, iso->nr_reasons, min(members - 1, LIST_MAX));
	KUNIT_EXPECT_EQ(test, iso->reasons[0].code, PCIPASS_REASON_UPSTREAM_ACS);
	KUNIT_EXPECT_EQ(test, iso->reasons[0].subject.bus, 1);
	KUNIT_EXPECT_EQ(test, iso->reasons[iso->nr_reasons - 1].code,
			PCIPASS_REASON_UPSTREAM_ACS);
	KUNIT_EXPECT_TRUE(test, iso->reasons[iso->nr_reasons - 1].subject.bus ==
			  t->nodes[iso->nr_reasons].addr.bus &&
			  iso->reasons[iso->nr_reasons - 1].subject.devfn ==
			  t->nodes[iso->nr_reasons].addr.devfn);
	KUNIT_EXPECT_EQ(test, iso->nr_kernel_only, 0);
	if (c->subject_alone)
		expect_range(test, t, iso->predicted_only,
			     iso->nr_predicted_only,
			     min(members - 1, LIST_MAX), subject,
			     "predicted-only");
	else
		KUNIT_EXPECT_EQ(test, iso->nr_predicted_only, 0);
}

/* Release frees every list and leaves nothing to free twice. */
static void isolation_release_test(struct kunit *test)
{
	struct pcipass_topo *t = sy_topo(test, sy_nested, SY_NESTED_N);
	struct pcipass_isolation iso;

	pcipass_predict(t);
	KUNIT_ASSERT_EQ(test, pcipass_isolation_explain(t, 7, &iso), 0);
	KUNIT_EXPECT_EQ(test, iso.nr_predicted, 6);

	pcipass_isolation_release(&iso);
	KUNIT_EXPECT_NULL(test, iso.hops);
	KUNIT_EXPECT_NULL(test, iso.reasons);
	KUNIT_EXPECT_NULL(test, iso.predicted);
	KUNIT_EXPECT_NULL(test, iso.kernel_only);
	KUNIT_EXPECT_NULL(test, iso.predicted_only);
	KUNIT_EXPECT_NULL(test, iso.blockers);
	KUNIT_EXPECT_EQ(test, iso.nr_hops + iso.nr_reasons + iso.nr_predicted,
			0);
	pcipass_isolation_release(&iso);	/* harmless */
}

static struct kunit_case isolation_test_cases[] = {
	KUNIT_CASE_PARAM(isolation_explain_test, explain_gen_params),
	KUNIT_CASE_PARAM(isolation_truncated_test, big_gen_params),
	KUNIT_CASE(isolation_release_test),
	{}
};

static struct kunit_suite isolation_test_suite = {
	.name = "pcipass_isolation",
	.test_cases = isolation_test_cases,
};

kunit_test_suite(isolation_test_suite);
