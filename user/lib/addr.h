/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_ADDR_H
#define PCIPASS_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* Mirrors the ABI's addr nest: devfn packs device (slot) and function the
 * way the kernel and config space do.
 */
struct pp_addr {
	uint32_t domain;
	uint8_t bus;
	uint8_t devfn;
};

#define PP_DEVFN(slot, fn)	((uint8_t)(((slot) << 3) | (fn)))
#define PP_SLOT(devfn)		((devfn) >> 3)
#define PP_FUNC(devfn)		((devfn) & 7)

/* "ffffffff:ff:1f.7" plus NUL */
#define ADDR_STRLEN 17

enum addr_scope {
	ADDR_FUNCTION,	/* "01:00.0": exactly one function */
	ADDR_SLOT,	/* "01:00": every function of the slot */
};

int addr_parse(const char *s, struct pp_addr *a, enum addr_scope *scope);
const char *addr_fmt(const struct pp_addr *a, char buf[ADDR_STRLEN]);
int addr_cmp(const struct pp_addr *a, const struct pp_addr *b);
bool addr_eq(const struct pp_addr *a, const struct pp_addr *b);
bool addr_in_slot(const struct pp_addr *a, const struct pp_addr *slot);

#endif
