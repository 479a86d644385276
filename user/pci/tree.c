// SPDX-License-Identifier: GPL-2.0
/*
 * `pcipass list --tree`: the layout of `lspci -t`, drawn from the module's
 * device dump.  Lines are built in one buffer: a device's line is written
 * after the part of the previous line that leads to it, and once printed
 * the buffer is turned into what the lines below show of it (a '|' under
 * every '+', blanks elsewhere), so each line only writes its own branch.
 * Only the tree's own characters go into the buffer; a function's label
 * (names, colour) is printed after it and never repeated below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/tree.h"

/* Far deeper than any real hierarchy; a longer line is cut, not overrun. */
#define TREE_LINE 1024
#define PCI_CLASS_BRIDGE 0x06

struct tnode {
	const struct pp_device *d;
	int parent;		/* the bridge above; -1: on a root bus */
	int child;		/* first device on its secondary bus; -1: none */
	int next;		/* next device on the same bus; -1: last */
	bool bridge;
	bool head;		/* the first device of a root bus */
	bool drawn;
	unsigned int secondary;	/* 0: unknown, drawn without a bus range */
	unsigned int subordinate;
};

struct tree {
	struct tnode *v;
	size_t n;
	const struct tree_ops *ops;
	char line[TREE_LINE];
};

static int cmp_node(const void *pa, const void *pb)
{
	const struct tnode *a = pa, *b = pb;

	return addr_cmp(&a->d->addr, &b->d->addr);
}

static int find(const struct tree *t, const struct pp_addr *a)
{
	struct pp_device key = { .addr = *a };
	struct tnode k = { .d = &key }, *hit;

	hit = bsearch(&k, t->v, t->n, sizeof(*t->v), cmp_node);
	return hit ? (int)(hit - t->v) : -1;
}

/* lspci's test: a bridge class with a bridge or CardBus header. */
static bool is_bridge(const struct pp_device *d)
{
	return d->class >> 16 == PCI_CLASS_BRIDGE &&
	       (d->header_type == PP_HDR_BRIDGE ||
		d->header_type == PP_HDR_CARDBUS);
}

static unsigned int read_busnr(const struct pp_device *d, const char *attr)
{
	char path[128], a[ADDR_STRLEN], *s, *end;
	unsigned long v = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s",
		 addr_fmt(&d->addr, a), attr);
	s = sysroot_read_line(path);
	if (s) {
		v = strtoul(s, &end, 10);
		if (end == s || *end || v > 255)
			v = 0;
	}
	free(s);
	return (unsigned int)v;
}

/* The highest bus below i, for a bridge sysfs says nothing about. */
static unsigned int max_bus_below(const struct tree *t, int i)
{
	unsigned int max = 0;

	for (int c = t->v[i].child; c >= 0; c = t->v[c].next) {
		unsigned int b = t->v[c].d->addr.bus;

		if (t->v[c].child >= 0 && max_bus_below(t, c) > b)
			b = max_bus_below(t, c);
		if (b > max)
			max = b;
	}
	return max;
}

static void bus_range(struct tree *t, int i)
{
	struct tnode *b = &t->v[i];

	b->secondary = read_busnr(b->d, "secondary_bus_number");
	b->subordinate = read_busnr(b->d, "subordinate_bus_number");
	if (b->secondary && b->subordinate >= b->secondary)
		return;
	b->secondary = b->child >= 0 ? t->v[b->child].d->addr.bus : 0;
	b->subordinate = b->secondary ? max_bus_below(t, i) : 0;
}

/* Links every device to the bridge above it; returns the first root. */
static void link_nodes(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct pp_device *d = t->v[i].d;
		int p = d->has_upstream ? find(t, &d->upstream) : -1;

		t->v[i].parent = p == (int)i ? -1 : p;
		t->v[i].child = t->v[i].next = -1;
	}
	/* backwards, so that each bus lists its devices in address order */
	for (size_t i = t->n; i-- > 0;) {
		int p = t->v[i].parent;

		if (p >= 0) {
			t->v[i].next = t->v[p].child;
			t->v[p].child = (int)i;
		}
	}
	for (size_t i = 0; i < t->n; i++) {
		t->v[i].bridge = is_bridge(t->v[i].d) || t->v[i].child >= 0;
		if (t->v[i].bridge)
			bus_range(t, (int)i);
	}
}

/* Roots on the same domain and bus are one list, like a bridge's bus. */
static void link_roots(struct tree *t)
{
	int last = -1;

	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].parent >= 0)
			continue;
		if (last >= 0 && t->v[last].d->addr.domain == t->v[i].d->addr.domain &&
		    t->v[last].d->addr.bus == t->v[i].d->addr.bus)
			t->v[last].next = (int)i;
		else
			t->v[i].head = true;
		last = (int)i;
	}
}

static bool mark_drawn(struct tree *t, int i)
{
	bool below = false;

	for (int c = t->v[i].child; c >= 0; c = t->v[c].next)
		below |= mark_drawn(t, c);
	t->v[i].drawn = below || t->ops->keep(t->v[i].d, t->ops->arg);
	return t->v[i].drawn;
}

/* Writes at column at; returns the column after it. */
static size_t __attribute__((format(printf, 3, 4)))
put(struct tree *t, size_t at, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (at >= TREE_LINE - 1)
		return at;
	va_start(ap, fmt);
	len = vsnprintf(t->line + at, TREE_LINE - at, fmt, ap);
	va_end(ap);
	if (len < 0)
		return at;
	return at + len < TREE_LINE - 1 ? at + (size_t)len : TREE_LINE - 1;
}

static void emit(struct tree *t, size_t end, const struct tnode *leaf)
{
	print_text("%.*s", (int)end, t->line);
	if (leaf)
		t->ops->label(leaf->d, t->ops->arg);
	print_text("\n");
	for (size_t i = 0; i < end; i++)
		t->line[i] = t->line[i] == '+' || t->line[i] == '|' ? '|' : ' ';
}

static void draw_bus(struct tree *t, int first, size_t at);

static void draw_dev(struct tree *t, int i, size_t at)
{
	const struct tnode *x = &t->v[i];

	at = put(t, at, "%02x.%x", PP_SLOT(x->d->addr.devfn),
		 PP_FUNC(x->d->addr.devfn));
	if (!x->bridge) {
		emit(t, at, x);
		return;
	}
	if (!x->secondary)
		at = put(t, at, "-");
	else if (x->secondary == x->subordinate)
		at = put(t, at, "-[%02x]-", x->secondary);
	else
		at = put(t, at, "-[%02x-%02x]-", x->secondary, x->subordinate);
	draw_bus(t, x->child, put(t, at, "-"));
}

static size_t count_drawn(const struct tree *t, int first)
{
	size_t n = 0;

	for (int i = first; i >= 0; i = t->v[i].next)
		n += t->v[i].drawn;
	return n;
}

static void draw_bus(struct tree *t, int first, size_t at)
{
	size_t n = count_drawn(t, first), k = 0;

	if (!n) {
		emit(t, at, NULL);
		return;
	}
	for (int i = first; i >= 0; i = t->v[i].next) {
		if (!t->v[i].drawn)
			continue;
		k++;
		draw_dev(t, i, put(t, at, "%s", n == 1 ? "--" :
						   k == n ? "\\-" : "+-"));
	}
}

/* Every root bus, of every domain, hangs off one stem, as lspci 3.9 draws
 * them: "-[0000:00]-" alone, else "-+-[0000:00]-" ... " \\-[0001:00]-".
 */
static void draw_roots(struct tree *t)
{
	size_t buses = 0, k = 0, at = put(t, 0, "-");

	for (size_t i = 0; i < t->n; i++)
		buses += t->v[i].head && count_drawn(t, (int)i);
	for (size_t i = 0; i < t->n; i++) {
		const struct pp_addr *a = &t->v[i].d->addr;

		if (!t->v[i].head || !count_drawn(t, (int)i))
			continue;
		k++;
		draw_bus(t, (int)i, put(t, at, "%s[%04x:%02x]-",
					buses == 1 ? "" : k == buses ? "\\-" : "+-",
					a->domain, a->bus));
	}
}

size_t tree_print(const struct pp_device *devs, size_t n,
		  const struct tree_ops *ops)
{
	struct tree t = { .n = n, .ops = ops };
	size_t drawn = 0;

	if (!n)
		return 0;
	t.v = xrealloc(NULL, n * sizeof(*t.v));
	for (size_t i = 0; i < n; i++)
		t.v[i] = (struct tnode){ .d = &devs[i] };
	qsort(t.v, n, sizeof(*t.v), cmp_node);
	link_nodes(&t);
	link_roots(&t);
	for (size_t i = 0; i < n; i++)
		if (t.v[i].parent < 0)
			mark_drawn(&t, (int)i);
	for (size_t i = 0; i < n; i++)
		drawn += t.v[i].drawn;
	draw_roots(&t);
	free(t.v);
	return drawn;
}
