// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <pci/pci.h>

#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/names.h"

static struct pci_access *pacc;

/* libpci's default handlers print with its own prefix, and a missing
 * pci.ids is not worth a warning: names just fall back to numbers.
 */
static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

static void __attribute__((noreturn)) pci_fatal(char *msg, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("pcipass: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_RUNTIME);
}

/* A fixture root (the test build's PCIPASS_SYSROOT) brings its own
 * pci.ids and no udev hwdb, so golden outputs do not follow the names
 * this machine's databases happen to have.
 */
static void names_from_sysroot(struct pci_access *a)
{
	char path[PATH_MAX];

	if (!*sysroot_prefix() || !a->id_file_name ||
	    !sysroot_path(a->id_file_name, path, sizeof(path)))
		return;
	pci_set_name_list_path(a, xstrdup(path), 1);
	pci_set_param(a, "hwdb.disable", "1");
}

/* Set up on first use: commands that print no names never load pci.ids. */
static struct pci_access *names_access(void)
{
	if (!pacc) {
		pacc = pci_alloc();
		pacc->error = pci_fatal;
		pacc->warning = pci_quiet;
		pacc->debug = pci_quiet;
		names_from_sysroot(pacc);
		pci_init(pacc);
	}
	return pacc;
}

void names_cleanup(void)
{
	if (pacc)
		pci_cleanup(pacc);
	pacc = NULL;
}

void names_lookup(const struct pp_device *d, struct pp_names *n)
{
	struct pci_access *a = names_access();
	unsigned int cls = d->class >> 8, progif = d->class & 0xff;
	int f = PCI_LOOKUP_NO_NUMBERS;

	n->vendor = pci_lookup_name(a, n->buf[0], NAME_LEN,
				    f | PCI_LOOKUP_VENDOR, d->vendor);
	n->device = pci_lookup_name(a, n->buf[1], NAME_LEN,
				    f | PCI_LOOKUP_DEVICE, d->vendor,
				    d->device);
	/* 0000:0000 means "no subsystem IDs" (lspci prints no Subsystem
	 * line); libpci would fall back to the device's own name.
	 */
	n->subsystem_vendor = n->subsystem_device = NULL;
	if (d->subsystem_vendor || d->subsystem_device) {
		n->subsystem_vendor =
			pci_lookup_name(a, n->buf[2], NAME_LEN,
					f | PCI_LOOKUP_SUBSYSTEM |
					PCI_LOOKUP_VENDOR,
					d->subsystem_vendor);
		n->subsystem_device =
			pci_lookup_name(a, n->buf[3], NAME_LEN,
					f | PCI_LOOKUP_SUBSYSTEM |
					PCI_LOOKUP_DEVICE,
					d->vendor, d->device,
					d->subsystem_vendor,
					d->subsystem_device);
	}
	n->class = pci_lookup_name(a, n->buf[4], NAME_LEN,
				   f | PCI_LOOKUP_CLASS, (int)cls);
	n->prog_if = pci_lookup_name(a, n->buf[5], NAME_LEN,
				     f | PCI_LOOKUP_PROGIF, (int)cls,
				     (int)progif);
}
