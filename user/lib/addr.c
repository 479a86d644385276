// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include <pci/pci.h>

#include "lib/addr.h"

/* libpci's slot filter syntax is a superset of what an address is: it
 * takes wildcards ("*", empty fields), a lone slot number and whatever
 * strtol() swallows (signs, blanks).  Those make sense for lspci -s, not for
 * naming one device, so the extra forms are refused before and after
 * handing the string to libpci.
 */
static bool plain_hex_address(const char *s)
{
	return *s && strspn(s, "0123456789abcdefABCDEF:.") == strlen(s);
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int addr_parse(const char *s, struct pp_addr *a, enum addr_scope *scope)
{
	struct pci_filter f;
	char buf[32];
	int colons;

	if (!plain_hex_address(s) || strlen(s) >= sizeof(buf))
		return -1;
	colons = count_char(s, ':');
	if (colons < 1 || colons > 2 || count_char(s, '.') > 1)
		return -1;

	/* pci_filter_init() does not use its pci_access argument, and the
	 * address parser should not need the ID database set up.
	 */
	pci_filter_init(NULL, &f);
	strcpy(buf, s);
	if (pci_filter_parse_slot(&f, buf))
		return -1;

	if (f.bus < 0 || f.slot < 0)
		return -1;
	if (colons == 2 && f.domain < 0)
		return -1;
	if (strchr(s, '.') && f.func < 0)
		return -1;

	a->domain = f.domain < 0 ? 0 : (uint32_t)f.domain;
	a->bus = (uint8_t)f.bus;
	a->devfn = PP_DEVFN(f.slot, f.func < 0 ? 0 : f.func);
	*scope = f.func < 0 ? ADDR_SLOT : ADDR_FUNCTION;
	return 0;
}

const char *addr_fmt(const struct pp_addr *a, char buf[ADDR_STRLEN])
{
	snprintf(buf, ADDR_STRLEN, "%04x:%02x:%02x.%x", a->domain, a->bus,
		 PP_SLOT(a->devfn), PP_FUNC(a->devfn));
	return buf;
}

int addr_cmp(const struct pp_addr *a, const struct pp_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->devfn != b->devfn)
		return a->devfn < b->devfn ? -1 : 1;
	return 0;
}

bool addr_eq(const struct pp_addr *a, const struct pp_addr *b)
{
	return addr_cmp(a, b) == 0;
}

bool addr_in_slot(const struct pp_addr *a, const struct pp_addr *slot)
{
	return a->domain == slot->domain && a->bus == slot->bus &&
	       PP_SLOT(a->devfn) == PP_SLOT(slot->devfn);
}
