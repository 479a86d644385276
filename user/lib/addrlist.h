/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_ADDRLIST_H
#define PCIPASS_ADDRLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/addr.h"

/* A small set of addresses: linear search, fine for IOMMU groups. */
struct pp_addrlist {
	struct pp_addr *v;
	size_t n;
};

bool addrlist_has(const struct pp_addrlist *l, const struct pp_addr *a);
void addrlist_add(struct pp_addrlist *l, const struct pp_addr *a);
/* Adds a unless already present; true when added. */
bool addrlist_add_unique(struct pp_addrlist *l, const struct pp_addr *a);
void addrlist_sort(struct pp_addrlist *l);
void addrlist_free(struct pp_addrlist *l);

#endif
