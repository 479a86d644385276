// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass_slots_insert(): the group dump finds groups in batches, keeping
 * the lowest distinct ids in order and handing back what it drops so the
 * caller can release exactly those references.
 */
#include <kunit/test.h>

#include "core.h"

#define MAX_IDS 8

struct slots_case {
	const char *name;
	unsigned int max;
	unsigned int nins;
	u32 ins[MAX_IDS];
	unsigned int nkept;
	u32 kept[MAX_IDS];
	/* for each insertion: index of the insertion whose object was dropped, or -1 */
	int dropped[MAX_IDS];
};

static const struct slots_case slots_cases[] = {
	{ "empty_then_one", 4, 1, { 7 }, 1, { 7 }, { -1 } },
	{ "ascending", 4, 3, { 1, 2, 3 }, 3, { 1, 2, 3 }, { -1, -1, -1 } },
	{ "descending_sorted", 4, 3, { 3, 2, 1 }, 3, { 1, 2, 3 }, { -1, -1, -1 } },
	{ "duplicate_rejected", 4, 3, { 5, 5, 6 }, 2, { 5, 6 }, { -1, 1, -1 } },
	{ "full_larger_rejected", 2, 3, { 1, 2, 9 }, 2, { 1, 2 }, { -1, -1, 2 } },
	{ "full_smaller_evicts_largest", 3, 5, { 5, 3, 9, 3, 1 }, 3, { 1, 3, 5 },
	  { -1, -1, -1, 3, 2 } },
	{ "max_one_keeps_lowest", 1, 4, { 4, 8, 2, 3 }, 1, { 2 }, { -1, 1, 0, 3 } },
	{ "id_zero", 2, 3, { 0, 0, 1 }, 2, { 0, 1 }, { -1, 1, -1 } },
	{ "large_ids", 2, 2, { 0x7fffffff, 0xfffffffe }, 2, { 0x7fffffff, 0xfffffffe },
	  { -1, -1 } },
};

static void slots_case_desc(const struct slots_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(slots, slots_cases, slots_case_desc);

static void slots_insert_test(struct kunit *test)
{
	const struct slots_case *c = test->param_value;
	struct pcipass_group_slot slots[MAX_IDS] = {};
	int tokens[MAX_IDS];	/* stand-ins for struct iommu_group */
	unsigned int i, n = 0;
	void *drop;

	for (i = 0; i < c->nins; i++) {
		/* Act */
		drop = pcipass_slots_insert(slots, &n, c->max, c->ins[i],
					    &tokens[i]);
		/* Assert: exactly the expected object comes back */
		if (c->dropped[i] < 0)
			KUNIT_EXPECT_NULL_MSG(test, drop, "insertion %u", i);
		else
			KUNIT_EXPECT_PTR_EQ_MSG(test, drop, &tokens[c->dropped[i]],
						"insertion %u", i);
		KUNIT_ASSERT_LE(test, n, c->max);
	}
	KUNIT_ASSERT_EQ(test, n, c->nkept);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, slots[i].id, c->kept[i], "slot %u", i);
}

static struct kunit_case slots_test_cases[] = {
	KUNIT_CASE_PARAM(slots_insert_test, slots_gen_params),
	{}
};

static struct kunit_suite slots_test_suite = {
	.name = "pcipass_group_slots",
	.test_cases = slots_test_cases,
};

kunit_test_suite(slots_test_suite);
