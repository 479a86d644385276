// SPDX-License-Identifier: GPL-2.0
/*
 * A function's identity, as a persisted entry records it: its topology
 * path (from the sysfs device path, which is the kernel's own chain of
 * bridges), its IDs (sysfs) and its PCIe Device Serial Number (config
 * space, through libpci; readable by root only: others see none).  And
 * how an entry matches what is present now, by the rules the module
 * applies at boot (kmod/persist.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "lib/sysroot.h"
#include "lib/util.h"
#include "persist/persist.h"

#define SYS_PCI "/sys/bus/pci/devices"

static int read_hex(const char *addr, const char *attr, uint16_t *v)
{
	char path[PATH_MAX], *line, *end;
	unsigned long x;

	snprintf(path, sizeof(path), SYS_PCI "/%s/%s", addr, attr);
	line = sysroot_read_line(path);
	if (!line)
		return -ENOENT;
	x = strtoul(line, &end, 16);
	free(line);
	if (*end || x > 0xffff)
		return -EINVAL;
	*v = (uint16_t)x;
	return 0;
}

/* The VF number of addr below its PF (virtfnN links), or -1. */
static int vf_index(const char *pf, const char *addr)
{
	char dir[PATH_MAX], link[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	char **names;
	size_t n;
	int vf = -1;

	snprintf(dir, sizeof(dir), SYS_PCI "/%s", pf);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n && vf < 0; i++) {
		ssize_t len;

		if (strncmp(names[i], "virtfn", 6))
			continue;
		if (snprintf(link, sizeof(link), "%s/%s", dir, names[i]) >=
		    (int)sizeof(link) || !sysroot_path(link, full, sizeof(full)))
			continue;
		len = readlink(full, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (!strcmp(strrchr(target, '/') + 1, addr))
			vf = atoi(names[i] + 6);
	}
	sysroot_free_names(names, n);
	return vf;
}

/* "/sys/devices/pci0000:00/0000:00:1c.0/0000:03:00.0" -> path */
static int path_from_sysfs(const char *real, char *out, size_t size)
{
	const char *root = strstr(real, "/pci");
	unsigned int dom, bus;
	int n = 0;
	size_t len;

	if (!root || sscanf(root, "/pci%4x:%2x%n", &dom, &bus, &n) != 2)
		return -EINVAL;
	len = snprintf(out, size, "%04x:%02x:", dom, bus);
	for (const char *p = root + n; *p == '/' && len < size;) {
		const char *next = strchr(p + 1, '/');
		size_t seg = next ? (size_t)(next - p - 1) : strlen(p + 1);

		/* a function directory is DDDD:BB:dd.f; anything else ends it */
		if (seg != 12 || p[1 + 4] != ':' || p[1 + 10] != '.')
			break;
		len += snprintf(out + len, size - len, "%s%.4s",
				out[len - 1] == ':' ? "" : "/", p + 1 + 8);
		p += 1 + seg;
	}
	return len < size && out[len - 1] != ':' ? 0 : -EINVAL;
}

static int path_of(const char *addr, char *out, size_t size)
{
	char link[PATH_MAX], real[PATH_MAX], pf[PATH_MAX], *base;
	const char *prefix = sysroot_prefix();
	int vf, err;

	snprintf(link, sizeof(link), SYS_PCI "/%s/physfn", addr);
	if (sysroot_exists(link)) {
		if (!realpath(sysroot_path(link, pf, sizeof(pf)), real))
			return -errno;
		base = strrchr(real, '/') + 1;
		vf = vf_index(base, addr);
		err = vf < 0 ? -ENOENT : path_of(base, out, size);
		if (!err && strlen(out) + 8 < size)
			snprintf(out + strlen(out), size - strlen(out), "/vf%d", vf);
		return err;
	}
	snprintf(link, sizeof(link), SYS_PCI "/%s", addr);
	if (!realpath(sysroot_path(link, pf, sizeof(pf)), real))
		return -errno;
	return path_from_sysfs(real + strlen(prefix), out, size);
}

static void pci_quiet(char *msg, ...)
{
	(void)msg;
}

/* The Device Serial Number capability, 0 when absent or unreadable. */
static uint64_t read_dsn(const char *addr)
{
	unsigned int dom, bus, dev, fn;
	struct pci_access *a;
	struct pci_dev *d;
	struct pci_cap *cap;
	uint64_t dsn = 0;

	if (*sysroot_prefix() ||
	    sscanf(addr, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) != 4)
		return 0;
	a = pci_alloc();
	a->warning = pci_quiet;
	a->debug = pci_quiet;
	pci_init(a);
	d = pci_get_dev(a, (int)dom, (int)bus, (int)dev, (int)fn);
	if (d) {
		pci_fill_info(d, PCI_FILL_EXT_CAPS);
		cap = pci_find_cap(d, PCI_EXT_CAP_ID_DSN, PCI_CAP_EXTENDED);
		if (cap)
			dsn = (uint64_t)pci_read_long(d, cap->addr + 8) << 32 |
			      pci_read_long(d, cap->addr + 4);
		pci_free_dev(d);
	}
	pci_cleanup(a);
	return dsn == UINT64_MAX ? 0 : dsn;
}

int persist_ident(const char *addr, struct persist_entry *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	strcpy(e->driver, "vfio-pci");
	err = path_of(addr, e->path, sizeof(e->path));
	if (!err)
		err = read_hex(addr, "vendor", &e->vendor);
	if (!err)
		err = read_hex(addr, "device", &e->device);
	if (!err && !read_hex(addr, "subsystem_vendor", &e->sub_vendor) &&
	    !read_hex(addr, "subsystem_device", &e->sub_device))
		e->has_sub = true;
	if (!err)
		e->dsn = read_dsn(addr);
	return err;
}

void persist_hw_scan(struct persist_hw *hw)
{
	char **names;
	size_t n;

	memset(hw, 0, sizeof(*hw));
	names = sysroot_list(SYS_PCI, &n);
	hw->f = xrealloc(NULL, (n ? n : 1) * sizeof(*hw->f));
	hw->addr = xrealloc(NULL, (n ? n : 1) * sizeof(*hw->addr));
	for (size_t i = 0; i < n; i++) {
		if (strlen(names[i]) >= ADDR_STRLEN ||
		    persist_ident(names[i], &hw->f[hw->n]))
			continue;
		strcpy(hw->addr[hw->n++], names[i]);
	}
	sysroot_free_names(names, n);
}

void persist_hw_free(struct persist_hw *hw)
{
	free(hw->f);
	free(hw->addr);
	memset(hw, 0, sizeof(*hw));
}

static bool ids_match(const struct persist_entry *e,
		      const struct persist_entry *f)
{
	return e->vendor == f->vendor && e->device == f->device &&
	       (!e->has_sub || (f->has_sub && e->sub_vendor == f->sub_vendor &&
				e->sub_device == f->sub_device)) &&
	       (!e->dsn || !f->dsn || e->dsn == f->dsn);
}

/*
 * The last hop ("dd.f": with ARI the function number spans the device
 * bits, and a card below a port is device 0 in every slot), and the
 * "/vfN" tail (or "").
 */
static void path_tail(const char *path, char hop[5], const char **vf)
{
	const char *v = strstr(path, "/vf");
	const char *end = v ? v : path + strlen(path);

	snprintf(hop, 5, "%s", end - 4 >= path ? end - 4 : path);
	*vf = v ? v : "";
}

/* The same card at another path: serial, IDs, last hop and VF number. */
static bool moved_to(const struct persist_entry *e, const struct persist_entry *f)
{
	const char *evf, *fvf;
	char ehop[5], fhop[5];

	path_tail(e->path, ehop, &evf);
	path_tail(f->path, fhop, &fvf);
	return e->dsn && f->dsn == e->dsn && ids_match(e, f) &&
	       !strcmp(ehop, fhop) && !strcmp(evf, fvf);
}

/* Like the module: a card found moved wins over another card at the path. */
enum persist_match persist_hw_match(const struct persist_hw *hw,
				    const struct persist_entry *e,
				    size_t *idx)
{
	bool other = false;

	for (size_t i = 0; i < hw->n; i++) {
		if (strcmp(hw->f[i].path, e->path))
			continue;
		*idx = i;
		if (ids_match(e, &hw->f[i]))
			return PERSIST_MATCH_HERE;
		other = true;
	}
	for (size_t i = 0; i < hw->n; i++) {
		if (strcmp(hw->f[i].path, e->path) && moved_to(e, &hw->f[i])) {
			*idx = i;
			return PERSIST_MATCH_MOVED;
		}
	}
	return other ? PERSIST_MATCH_OTHER : PERSIST_MATCH_ABSENT;
}

const char *persist_match_key(enum persist_match m)
{
	switch (m) {
	case PERSIST_MATCH_HERE:
		return "present";
	case PERSIST_MATCH_MOVED:
		return "moved";
	case PERSIST_MATCH_OTHER:
		return "other_device";
	case PERSIST_MATCH_ABSENT:
		break;
	}
	return "absent";
}

char *persist_bound_driver(const char *addr)
{
	char link[128], full[4096], target[4096];
	ssize_t len;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/driver", addr);
	if (!sysroot_path(link, full, sizeof(full)))
		return NULL;
	len = readlink(full, target, sizeof(target) - 1);
	if (len < 0)
		return NULL;
	target[len] = '\0';
	return xstrdup(strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
}

long persist_numvfs(const char *addr)
{
	char path[160], *now, *end;
	long numvfs = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs",
		 addr);
	now = sysroot_read_line(path);
	if (now && *now) {
		numvfs = strtol(now, &end, 10);
		numvfs = *end ? -1 : numvfs;
	}
	free(now);
	return numvfs;
}
