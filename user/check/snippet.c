// SPDX-License-Identifier: GPL-2.0
/*
 * Proxmox: qm set VMID --hostpciN HOSTPCIID[,pcie=1][,x-vga=1], where
 * HOSTPCIID is [domain:]bus:dev[.func]; without ".func" Proxmox passes
 * every function of the slot as one multifunction device, which is what
 * a GPU with its HDMI audio wants.  pcie=1 needs the q35 machine type.
 * libvirt: one <hostdev mode='subsystem' type='pci' managed='yes'> per
 * function; managed='yes' has libvirt bind vfio-pci at VM start.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/snippet.h"
#include "lib/addr.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/* Proxmox VE accepts hostpci0 to hostpci15. */
#define PVE_MAX_HOSTPCI 16
#define PCI_BASE_CLASS_DISPLAY 0x03

struct entry {
	char id[ADDR_STRLEN];	/* slot form or one function */
	bool display;
};

static int cmp_addr(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

/* Valid addresses, sorted, without duplicates. */
static size_t parse_all(const char *const *addrs, size_t n,
			struct pp_addr *out)
{
	size_t m = 0, u = 0;

	for (size_t i = 0; i < n; i++) {
		enum addr_scope scope;

		if (!addrs[i] || addr_parse(addrs[i], &out[m], &scope) ||
		    scope != ADDR_FUNCTION)
			continue;
		m++;
	}
	if (m)
		qsort(out, m, sizeof(*out), cmp_addr);
	for (size_t i = 0; i < m; i++)
		if (!u || !addr_eq(&out[i], &out[u - 1]))
			out[u++] = out[i];
	return u;
}

static bool same_slot(const struct pp_addr *a, const struct pp_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus &&
	       PP_SLOT(a->devfn) == PP_SLOT(b->devfn);
}

/* Functions of a's slot that exist in sysfs. */
static size_t slot_population(const struct pp_addr *a)
{
	size_t n, count = 0;
	char **names = sysroot_list("/sys/bus/pci/devices", &n);

	for (size_t i = 0; i < n; i++) {
		enum addr_scope scope;
		struct pp_addr b;

		if (!addr_parse(names[i], &b, &scope) && same_slot(a, &b))
			count++;
	}
	sysroot_free_names(names, n);
	return count;
}

static bool is_display(const struct pp_addr *a)
{
	char path[PATH_MAX], buf[ADDR_STRLEN];
	unsigned long cls;
	char *v, *end;
	bool yes;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class",
		 addr_fmt(a, buf));
	v = sysroot_read_line(path);
	if (!v)
		return false;
	cls = strtoul(v, &end, 16);
	yes = end != v && !*end && cls >> 16 == PCI_BASE_CLASS_DISPLAY;
	free(v);
	return yes;
}

/* One entry per slot when the whole slot goes, else one per function;
 * returns the number of entries.
 */
static size_t build_entries(const struct pp_addr *a, size_t n,
			    struct entry *e)
{
	size_t ne = 0;

	for (size_t i = 0; i < n;) {
		size_t k = i + 1;
		bool whole;

		while (k < n && same_slot(&a[i], &a[k]))
			k++;
		whole = k - i > 1 && slot_population(&a[i]) == k - i;
		for (size_t j = i; j < k; j++) {
			if (!whole || j == i) {
				addr_fmt(&a[j], e[ne].id);
				e[ne].display = false;
				if (whole)	/* "0000:01:00.0" -> "0000:01:00" */
					*strrchr(e[ne].id, '.') = '\0';
				ne++;
			}
			e[ne - 1].display |= is_display(&a[j]);
		}
		i = k;
	}
	return ne;
}

static char *proxmox_line(const struct entry *e, size_t n, bool primary_gpu)
{
	bool any_display = false;
	char *s = NULL;
	size_t len = 0;
	FILE *m = xopen_memstream(&s, &len);

	for (size_t i = 0; i < n; i++)
		any_display |= e[i].display;
	fputs("qm set VMID", m);
	for (size_t i = 0; i < n; i++) {
		/* x-vga: the GPU's entry; the first if none looks like one */
		bool vga = primary_gpu &&
			   (any_display ? e[i].display : i == 0);

		fprintf(m, " --hostpci%zu %s,pcie=1%s", i, e[i].id,
			vga ? ",x-vga=1" : "");
	}
	fclose(m);
	return s;
}

static char *libvirt_xml(const struct pp_addr *a, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = xopen_memstream(&s, &len);

	for (size_t i = 0; i < n; i++)
		fprintf(m,
			"<hostdev mode='subsystem' type='pci' managed='yes'>\n"
			"  <source>\n"
			"    <address domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'/>\n"
			"  </source>\n"
			"</hostdev>\n",
			a[i].domain, a[i].bus, PP_SLOT(a[i].devfn),
			PP_FUNC(a[i].devfn));
	fclose(m);
	return s;
}

/* Text: every line of s, indented. */
static void print_indented(const char *s)
{
	while (*s) {
		size_t len = strcspn(s, "\n");

		print_text("    %.*s\n", (int)len, s);
		s += len + (s[len] == '\n');
	}
}

void snippet_print(const char *const *addrs, size_t n, bool primary_gpu)
{
	struct pp_addr *a = xrealloc(NULL, (n ? n : 1) * sizeof(*a));
	struct entry *e = xrealloc(NULL, (n ? n : 1) * sizeof(*e));
	size_t na = parse_all(addrs, n, a);
	size_t ne = build_entries(a, na, e);
	char *qm = na ? proxmox_line(e, ne, primary_gpu) : NULL;
	char *xml = na ? libvirt_xml(a, na) : NULL;

	print_text("Configuration\n");
	print_text("  Proxmox VE (pcie=1 needs the q35 machine type; put your VM's ID for VMID):\n");
	print_opt_string(PRINT_ANY, "proxmox", "    %s\n", qm,
			 "no valid PCI address");
	if (ne > PVE_MAX_HOSTPCI)
		print_text("    note: Proxmox VE takes at most %d hostpci entries\n",
			   PVE_MAX_HOSTPCI);
	print_text("  libvirt (virsh edit VM, inside <devices>; managed='yes' has libvirt bind vfio-pci):\n");
	print_opt_string(PRINT_JSON, "libvirt", NULL, xml, NULL);
	if (xml)
		print_indented(xml);
	else
		print_text("    no valid PCI address\n");
	free(qm);
	free(xml);
	free(a);
	free(e);
}
