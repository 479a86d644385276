// SPDX-License-Identifier: GPL-2.0
/*
 * Synthetic PCI topologies (synth.h): table rows into the snapshot that
 * pcipass_predict() reads, struct pcipass_topo.
 */
#include <kunit/test.h>
#include <linux/bitmap.h>
#include <linux/string.h>

#include "synth.h"

/**
 * sy_case_desc() - KUNIT_ARRAY_PARAM description of a topology
 * @c: the case
 * @desc: filled with its name
 */
void sy_case_desc(const struct sy_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

/**
 * sy_fill() - one snapshot node from one table row
 * @node: zeroed node
 * @row: the row; @row->up is copied as is
 */
void sy_fill(struct pcipass_node *node, const struct sy_row *row)
{
	unsigned int k;

	node->addr.domain = row->domain;
	node->addr.bus = row->bus;
	node->addr.devfn = row->devfn;
	node->up = row->up;
	if (row->type != SY_CONV) {
		node->flags |= PCIPASS_NODE_PCIE;
		node->pcie_type = row->type;
	}
	if (row->flags & SY_MF)
		node->flags |= PCIPASS_NODE_MULTIFUNCTION;
	if (!(row->flags & SY_NOMMU)) {
		node->flags |= PCIPASS_NODE_IOMMU;
		node->group = row->group;
	}
	if (row->flags & SY_BRALIAS)
		node->flags |= PCIPASS_NODE_BRIDGE_ALIAS;
	if (row->flags & SY_XLATE)
		node->flags |= PCIPASS_NODE_XLATE_ROOT;
	if (row->acs & BIT(31)) {
		node->flags |= PCIPASS_NODE_ACS;
		node->acs_pos = SY_ACS_POS;
		node->acs_cap = (row->acs >> 16) & 0x7fff;
		node->acs_ctrl = row->acs & 0xffff;
	}
	if (row->nr_alias)
		node->flags |= PCIPASS_NODE_DMA_ALIAS;
	for (k = 0; k < row->nr_alias; k++)
		__set_bit(row->alias[k], node->dma_alias);
	/* Not computed yet: anything pcipass_predict() forgets shows. */
	node->pred = -2;
	node->join.code = 0xff;
}

/**
 * sy_topo() - a snapshot from a table
 * @test: owns the memory
 * @rows: the functions, in enumeration order
 * @n: entries of @rows
 *
 * Return: the snapshot; the test is aborted when out of memory.
 */
struct pcipass_topo *sy_topo(struct kunit *test, const struct sy_row *rows,
			     unsigned int n)
{
	struct pcipass_topo *t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, t);
	t->nodes = kunit_kcalloc(test, n, sizeof(*t->nodes), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t->nodes);
	t->n = n;
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_LT_MSG(test, rows[i].up, (int)n, "row %u", i);
		sy_fill(&t->nodes[i], &rows[i]);
	}
	return t;
}

/**
 * sy_expect_addr() - expect an address to be that of a row
 * @test: the test
 * @got: the address
 * @want: the row
 * @what: what the address is, for the message
 * @i: index of the entry, for the message
 */
void sy_expect_addr(struct kunit *test, const struct pcipass_addr *got,
		    const struct sy_row *want, const char *what,
		    unsigned int i)
{
	KUNIT_EXPECT_TRUE_MSG(test, got->domain == want->domain &&
			      got->bus == want->bus &&
			      got->devfn == want->devfn,
			      "%s %u: %04x:%02x:%02x.%d, want %04x:%02x:%02x.%d",
			      what, i, got->domain, got->bus,
			      PCI_SLOT(got->devfn), PCI_FUNC(got->devfn),
			      want->domain, want->bus, PCI_SLOT(want->devfn),
			      PCI_FUNC(want->devfn));
}

/*
 *   00:01.0 root port, ACS on
 *   `-- 01:00.0 switch upstream port
 *       |-- 02:00.0 downstream port, no ACS
 *       |   `-- 03:00.0 switch upstream port
 *       |       |-- 04:00.0 downstream port, no ACS -- 05:00.0 endpoint
 *       |       `-- 04:01.0 downstream port, no ACS -- 06:00.0 endpoint
 *       `-- 02:01.0 downstream port, no ACS -- 07:00.0 endpoint
 *
 * Upstream ports are single-function: ACS does not apply, they pass.
 * 01:00.0 and 02:0x.0 have an isolated path (the root port has ACS): each
 * is alone.  Everything below 02:00.0 meets 02:00.0 first on the way up,
 * whose path fails at 02:00.0 itself; the endpoints below the second
 * switch stop at their own downstream port, which is already in that
 * group.  07:00.0 joins 02:01.0.
 *
 * Kernel groups: 10, 11, 12 (02:00.0 and its subtree), 13 (02:01.0 and
 * 07:00.0).
 */
const struct sy_row sy_nested[] = {
	/* 0 */ { 0, PCI_DEVFN(1, 0), -1, SY_RP, 0, SY_ACS_ON, SY_ALONE(0),
		  .group = 10 },
	/* 1 */ { 1, PCI_DEVFN(0, 0), 0, SY_US, 0, 0, SY_ALONE(1),
		  .group = 11 },
	/* 2 */ { 2, PCI_DEVFN(0, 0), 1, SY_DS, 0, 0, SY_ALONE(2),
		  .group = 12 },
	/* 3 */ { 2, PCI_DEVFN(1, 0), 1, SY_DS, 0, 0, SY_ALONE(3),
		  .group = 13 },
	/* 4 */ { 3, PCI_DEVFN(0, 0), 2, SY_US, 0, 0,
		  SY_UPSTREAM(2, 2, 2, SY_REQ), .group = 12 },
	/* 5 */ { 4, PCI_DEVFN(0, 0), 4, SY_DS, 0, 0,
		  SY_UPSTREAM(2, 4, 2, SY_REQ), .group = 12 },
	/* 6 */ { 4, PCI_DEVFN(1, 0), 4, SY_DS, 0, 0,
		  SY_UPSTREAM(2, 4, 2, SY_REQ), .group = 12 },
	/* 7 */ { 5, PCI_DEVFN(0, 0), 5, SY_EP, 0, 0,
		  SY_UPSTREAM(2, 5, 5, SY_REQ), .group = 12 },
	/* 8 */ { 6, PCI_DEVFN(0, 0), 6, SY_EP, 0, 0,
		  SY_UPSTREAM(2, 6, 6, SY_REQ), .group = 12 },
	/* 9 */ { 7, PCI_DEVFN(0, 0), 3, SY_EP, 0, 0,
		  SY_UPSTREAM(3, 3, 3, SY_REQ), .group = 13 },
};
