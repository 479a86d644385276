/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_GROUP_H
#define PCIPASS_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct pnl;

struct pp_group {
	uint32_t id;
	struct pp_addr *members;
	size_t n;
};

int group_get(struct pnl *nl, uint32_t id, struct pp_group *g);
void group_free(struct pp_group *g);

#endif
