// SPDX-License-Identifier: GPL-2.0
/*
 * The claims= module option, one entry per persisted function:
 *
 *   PATH,VVVV:DDDD[,sub=SVVV:SDDD][,dsn=HEX][,driver=NAME][,force]
 *
 * entries separated by ';'.  PATH is the kernel's renumbering-proof path
 * syntax (as in pci=config_acs=) with the segment always given, and a VF
 * as a last hop "vfN" below its PF: "0000:00:1c.0/00.0/vf3".  A path names
 * the same slot whatever bus numbers firmware and hotplug hand out; IDs
 * and the serial number say whether the same card is still in it.
 *
 * The pcipass CLI writes this from /etc/pcipass/ (a person edits that
 * file, not this option); a malformed entry is refused here with its
 * position, and the others still apply.  Each field is checked for its
 * characters and width before it is converted: the kernel's sscanf()
 * would take blanks, "0x" prefixes and short fields, and two spellings of
 * one path would become two entries.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "claim_int.h"
#include "persist.h"

/* Only these characters, and nothing that sscanf() would also take. */
static bool pcipass_chars_ok(const char *s, const char *allowed)
{
	return *s && strspn(s, allowed) == strlen(s);
}

#define PCIPASS_HEX	"0123456789abcdefABCDEF"

/* "dd.f" (hex device < 0x20, function < 8): its devfn, or -EINVAL */
static int pcipass_devfn_parse(const char *s, int *used)
{
	unsigned int slot, fn;
	int n = 0;

	if (sscanf(s, "%2x.%1u%n", &slot, &fn, &n) != 2 || n != 4 ||
	    slot > 0x1f || fn > 7)
		return -EINVAL;
	*used = n;
	return PCI_DEVFN(slot, fn);
}

/**
 * pcipass_path_parse() - read a topology path
 * @s: "DDDD:BB:dd.f[/dd.f]...[/vfN]", nothing after it
 * @p: the path
 *
 * Return: 0, or -EINVAL (malformed), -E2BIG (more hops than
 * PCIPASS_PERSIST_HOPS).
 */
int pcipass_path_parse(const char *s, struct pcipass_path *p)
{
	unsigned int dom, bus, vf;
	int n = 0, devfn;

	const char *colon = strchr(s, ':');

	memset(p, 0, sizeof(*p));
	p->vf = -1;
	/* segment: 4 hex digits (up to 8: VMD domains), root bus: 2 */
	if (!pcipass_chars_ok(s, PCIPASS_HEX ":./vf") || !colon ||
	    colon - s < 4 || colon - s > 8 || strlen(colon) < 4 || colon[3] != ':' ||
	    sscanf(s, "%8x:%2x:%n", &dom, &bus, &n) != 2 || n != colon - s + 4)
		return -EINVAL;
	p->domain = dom;
	p->root_bus = bus;
	for (;;) {
		s += n;
		devfn = pcipass_devfn_parse(s, &n);
		if (devfn < 0)
			return devfn;
		if (p->nr_hops == PCIPASS_PERSIST_HOPS)
			return -E2BIG;
		p->devfn[p->nr_hops++] = devfn;
		s += n;
		if (!*s)
			return 0;
		if (*s++ != '/')
			return -EINVAL;
		if (sscanf(s, "vf%5u%n", &vf, &n) == 1 && !s[n] && n > 2) {
			if (vf > S16_MAX)
				return -EINVAL;
			p->vf = vf;
			return 0;
		}
		n = 0;
	}
}

/**
 * pcipass_path_eq() - the same place?
 * @a: a path
 * @b: another
 *
 * Return: true when both name the same function (or VF).
 */
bool pcipass_path_eq(const struct pcipass_path *a,
		     const struct pcipass_path *b)
{
	return a->domain == b->domain && a->root_bus == b->root_bus &&
	       a->nr_hops == b->nr_hops && a->vf == b->vf &&
	       !memcmp(a->devfn, b->devfn, a->nr_hops);
}

/**
 * pcipass_path_of() - where a function sits
 * @pdev: the function
 * @p: its path
 *
 * Walks up through the bridges above it (a VF: above its PF) to the root
 * bus.  Needs no lock: bus->self of a device's ancestors is fixed while
 * the device exists.
 *
 * Return: 0, -E2BIG (deeper than PCIPASS_PERSIST_HOPS), or -ENODEV (a
 * bus without a bridge above it that is not a root bus).
 */
int pcipass_path_of(struct pci_dev *pdev, struct pcipass_path *p)
{
	struct pci_dev *d = pdev;
	u8 up[PCIPASS_PERSIST_HOPS];
	unsigned int n = 0, i;

	memset(p, 0, sizeof(*p));
	p->vf = -1;
	if (pdev->is_virtfn) {
		int vf = pci_iov_vf_id(pdev);

		if (vf < 0)
			return vf;
		if (vf > S16_MAX)
			return -E2BIG;
		p->vf = vf;
		d = pci_physfn(pdev);
	}
	for (;;) {
		if (n == PCIPASS_PERSIST_HOPS)
			return -E2BIG;
		up[n++] = d->devfn;
		if (pci_is_root_bus(d->bus))
			break;
		d = d->bus->self;
		if (!d)
			return -ENODEV;
	}
	p->domain = pci_domain_nr(d->bus);
	p->root_bus = d->bus->number;
	p->nr_hops = n;
	for (i = 0; i < n; i++)
		p->devfn[i] = up[n - 1 - i];
	return 0;
}

/**
 * pcipass_path_print() - a path as claims= spells it
 * @p: the path
 * @buf: destination
 * @size: its size
 *
 * Return: what scnprintf() returns.
 */
int pcipass_path_print(const struct pcipass_path *p, char *buf, size_t size)
{
	int len = scnprintf(buf, size, "%04x:%02x:", p->domain, p->root_bus);
	unsigned int i;

	for (i = 0; i < p->nr_hops; i++)
		len += scnprintf(buf + len, size - len, "%s%02x.%u",
				 i ? "/" : "", PCI_SLOT(p->devfn[i]),
				 PCI_FUNC(p->devfn[i]));
	if (p->vf >= 0)
		len += scnprintf(buf + len, size - len, "/vf%d", p->vf);
	return len;
}

/* "VVVV:DDDD", exactly */
static int pcipass_ids_parse(const char *s, u16 *a, u16 *b)
{
	unsigned int x, y;
	int n = 0;

	if (strlen(s) != 9 || s[4] != ':' || !pcipass_chars_ok(s, PCIPASS_HEX ":") ||
	    sscanf(s, "%4x:%4x%n", &x, &y, &n) != 2 || n != 9)
		return -EINVAL;
	*a = x;
	*b = y;
	return 0;
}

static int pcipass_entry_option(char *opt, struct pcipass_persist_entry *e)
{
	if (!strcmp(opt, "force")) {
		e->force = true;
		return 0;
	}
	if (str_has_prefix(opt, "sub=")) {
		e->has_sub = true;
		return pcipass_ids_parse(opt + 4, &e->sub_vendor,
					 &e->sub_device);
	}
	if (str_has_prefix(opt, "dsn=")) {
		if (strlen(opt + 4) > 16 || !pcipass_chars_ok(opt + 4, PCIPASS_HEX))
			return -EINVAL;
		return kstrtou64(opt + 4, 16, &e->dsn);
	}
	if (str_has_prefix(opt, "driver=")) {
		if (strscpy(e->driver, opt + 7, sizeof(e->driver)) < 0 ||
		    !pcipass_driver_name_ok(e->driver))
			return -EINVAL;
		return 0;
	}
	return -EINVAL;
}

/**
 * pcipass_persist_entry_parse() - read one entry of claims=
 * @s: the entry (modified: split at commas)
 * @e: the entry; state ABSENT, driver PCIPASS_CLAIM_DEFAULT unless given
 *
 * Return: 0 or -EINVAL / -E2BIG.
 */
int pcipass_persist_entry_parse(char *s, struct pcipass_persist_entry *e)
{
	char *path = strsep(&s, ","), *ids = strsep(&s, ","), *opt;
	int err;

	memset(e, 0, sizeof(*e));
	strscpy(e->driver, PCIPASS_CLAIM_DEFAULT, sizeof(e->driver));
	if (!ids)
		return -EINVAL;
	err = pcipass_path_parse(path, &e->path);
	if (!err)
		err = pcipass_ids_parse(ids, &e->vendor, &e->device);
	while (!err && (opt = strsep(&s, ",")))
		err = pcipass_entry_option(opt, e);
	return err;
}
