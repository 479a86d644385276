// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>

#include "lib/addrlist.h"
#include "lib/util.h"

bool addrlist_has(const struct pp_addrlist *l, const struct pp_addr *a)
{
	for (size_t i = 0; i < l->n; i++)
		if (addr_eq(&l->v[i], a))
			return true;
	return false;
}

void addrlist_add(struct pp_addrlist *l, const struct pp_addr *a)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = *a;
}

bool addrlist_add_unique(struct pp_addrlist *l, const struct pp_addr *a)
{
	if (addrlist_has(l, a))
		return false;
	addrlist_add(l, a);
	return true;
}

static int cmp_addr(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

void addrlist_sort(struct pp_addrlist *l)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_addr);
}

void addrlist_free(struct pp_addrlist *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
