// SPDX-License-Identifier: GPL-2.0
/*
 * Ground truth readers for the pcipass selftests.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

int pci_addr_parse(const char *s, struct pci_addr *a)
{
	unsigned int dom, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%x:%x:%x.%x%n", &dom, &bus, &dev, &fn, &n) != 4 ||
	    s[n] || bus > 0xff || dev > 0x1f || fn > 7)
		return -EINVAL;
	a->domain = dom;
	a->bus = bus;
	a->devfn = dev << 3 | fn;
	return 0;
}

void pci_addr_fmt(const struct pci_addr *a, char *buf, int len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus,
		 a->devfn >> 3, a->devfn & 7);
}

int pci_addr_cmp(const struct pci_addr *a, const struct pci_addr *b)
{
	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->devfn != b->devfn)
		return a->devfn < b->devfn ? -1 : 1;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

int sysfs_list_dir(const char *path, char ***out)
{
	char **names = NULL, **tmp;
	struct dirent *de;
	int n = 0;
	DIR *d;

	*out = NULL;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		tmp = realloc(names, (n + 1) * sizeof(*names));
		if (!tmp)
			goto nomem;
		names = tmp;
		names[n] = strdup(de->d_name);
		if (!names[n])
			goto nomem;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	return n;
nomem:
	closedir(d);
	sysfs_names_free(names, n);
	return -ENOMEM;
}

int sysfs_pci_list(char ***names)
{
	return sysfs_list_dir(SYSFS_PCI_DEVICES, names);
}

void sysfs_names_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Read a small text file, newline stripped. */
static int read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return n;
}

static int read_hex(const char *dir, const char *file, uint32_t max,
		    uint32_t *val)
{
	char path[PATH_MAX], buf[64], *end;
	unsigned long v;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = read_str(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	errno = 0;
	v = strtoul(buf, &end, 16);
	if (errno || end == buf || *end || v > max)
		return -EINVAL;
	*val = v;
	return 0;
}

/* Basename of the target of a symlink; 0, -ENOENT if absent, or -errno. */
static int link_base(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = 0;
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

static uint16_t cfg16(const uint8_t *c, int off)
{
	return c[off] | c[off + 1] << 8;
}

static uint32_t cfg32(const uint8_t *c, int off)
{
	return (uint32_t)cfg16(c, off) | (uint32_t)cfg16(c, off + 2) << 16;
}

/* Standard capability list walk, as the PCI core does it. */
static int find_cap(const uint8_t *c, int len, int hdr, uint8_t id)
{
	int pos, ttl = 48;

	if (len < 64 || !(cfg16(c, 0x06) & 0x10))	/* PCI_STATUS_CAP_LIST */
		return 0;
	pos = c[hdr == 2 ? 0x14 : 0x34];
	while (ttl--) {
		if (pos < 0x40 || pos + 2 > len)
			break;
		pos &= ~3;
		if (c[pos] == 0xff)
			break;
		if (c[pos] == id)
			return pos;
		pos = c[pos + 1];
	}
	return 0;
}

/* Extended capability list walk, headers from 0x100. */
static int find_ext_cap(const uint8_t *c, int len, uint16_t id)
{
	int pos = 0x100, ttl = (4096 - 256) / 8;
	uint32_t hdr;

	if (len <= 0x100)
		return 0;
	hdr = cfg32(c, pos);
	if (hdr == 0)
		return 0;
	while (ttl-- > 0) {
		if ((hdr & 0xffff) == id)
			return pos;
		pos = (hdr >> 20) & 0xffc;
		if (pos < 0x100 || pos + 8 > len)
			break;
		hdr = cfg32(c, pos);
	}
	return 0;
}

static int read_config(const char *dir, struct sysfs_dev *d)
{
	char path[PATH_MAX + 16];
	uint8_t c[4096];
	ssize_t n;
	int fd, pos;

	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, c, sizeof(c), 0);
	close(fd);
	if (n < 0)
		return -errno;
	if (n < 64)
		return -EIO;
	d->cfg_len = n;
	d->header_type = c[0x0e] & 0x7f;
	/*
	 * Function 0 says so in its header type; the PCI core also marks
	 * every other function it finds in a slot scan (pci_scan_slot() sets
	 * multifunction for fn > 0, whatever that function's own header
	 * says).  Virtual functions are not found by slot scans.
	 */
	d->multifunction = (c[0x0e] & 0x80) ||
			   (!d->is_virtfn && (d->addr.devfn & 7));
	/* more than the 64 bytes an unprivileged reader gets */
	d->cfg_full = n > 64;
	if (!d->cfg_full)
		return 0;
	pos = find_cap(c, n, d->header_type, 0x10);	/* PCI_CAP_ID_EXP */
	if (pos && pos + 4 <= n) {
		d->is_pcie = true;
		d->pcie_type = (cfg16(c, pos + 2) >> 4) & 0xf;
	}
	pos = find_ext_cap(c, n, 0x0d);			/* PCI_EXT_CAP_ID_ACS */
	if (pos) {
		d->has_acs = true;
		d->acs_pos = pos;
		d->acs_cap = cfg16(c, pos + 4);
		d->acs_ctrl = cfg16(c, pos + 6);
	}
	return 0;
}

int sysfs_pci_read(const char *name, struct sysfs_dev *d)
{
	char dir[PATH_MAX], real[PATH_MAX], buf[PATH_MAX + 32], *slash;
	struct pci_addr up;
	uint32_t v;
	int ret;

	memset(d, 0, sizeof(*d));
	if (strlen(name) >= sizeof(d->name))
		return -ENAMETOOLONG;
	strcpy(d->name, name);
	ret = pci_addr_parse(name, &d->addr);
	if (ret)
		return ret;
	snprintf(dir, sizeof(dir), "%s/%s", SYSFS_PCI_DEVICES, name);

	if ((ret = read_hex(dir, "vendor", 0xffff, &v)))
		return ret;
	d->vendor = v;
	if ((ret = read_hex(dir, "device", 0xffff, &v)))
		return ret;
	d->device = v;
	if ((ret = read_hex(dir, "subsystem_vendor", 0xffff, &v)))
		return ret;
	d->subsystem_vendor = v;
	if ((ret = read_hex(dir, "subsystem_device", 0xffff, &v)))
		return ret;
	d->subsystem_device = v;
	if ((ret = read_hex(dir, "class", 0xffffff, &v)))
		return ret;
	d->class = v;
	if ((ret = read_hex(dir, "revision", 0xff, &v)))
		return ret;
	d->revision = v;

	ret = link_base(dir, "driver", d->driver, sizeof(d->driver));
	if (ret && ret != -ENOENT)
		return ret;
	d->has_driver = !ret;

	snprintf(buf, sizeof(buf), "%s/driver_override", dir);
	ret = read_str(buf, d->override, sizeof(d->override));
	if (ret < 0)
		return ret;
	d->has_override = strcmp(d->override, "(null)") != 0;
	if (!d->has_override)
		d->override[0] = 0;

	ret = link_base(dir, "iommu_group", buf, sizeof(buf));
	if (ret && ret != -ENOENT)
		return ret;
	if (!ret) {
		char *end;

		errno = 0;
		d->group = strtoul(buf, &end, 10);
		if (errno || *end || end == buf)
			return -EINVAL;
		d->has_group = true;
	}

	ret = link_base(dir, "physfn", buf, sizeof(buf));
	if (ret && ret != -ENOENT)
		return ret;
	if (!ret) {
		if (pci_addr_parse(buf, &d->physfn))
			return -EINVAL;
		d->is_virtfn = true;
	}

	/* The parent directory of the device in the sysfs device tree. */
	if (!realpath(dir, real))
		return -errno;
	slash = strrchr(real, '/');
	if (!slash)
		return -EINVAL;
	*slash = 0;
	slash = strrchr(real, '/');
	if (slash && !pci_addr_parse(slash + 1, &up)) {
		struct stat st;

		/* ... when that parent is itself a PCI function */
		snprintf(buf, sizeof(buf), "%s/%s", SYSFS_PCI_DEVICES, slash + 1);
		if (!stat(buf, &st)) {
			d->has_upstream = true;
			d->upstream = up;
		}
	}

	return read_config(dir, d);
}

static int cmp_addr(const void *a, const void *b)
{
	return pci_addr_cmp(a, b);
}

static int cmp_group(const void *a, const void *b)
{
	const struct sysfs_group *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int sysfs_groups_read(struct sysfs_group **out)
{
	struct sysfs_group *groups = NULL, *tmp;
	char **gnames = NULL;
	int ng, n = 0, i, ret;

	*out = NULL;
	ng = sysfs_list_dir(SYSFS_IOMMU_GROUPS, &gnames);
	if (ng == -ENOENT)
		return 0;
	if (ng < 0)
		return ng;

	for (i = 0; i < ng; i++) {
		char path[PATH_MAX], **members = NULL, *end;
		struct sysfs_group g = { 0 };
		int nm, j;

		errno = 0;
		g.id = strtoul(gnames[i], &end, 10);
		if (errno || *end || end == gnames[i]) {
			ret = -EINVAL;
			goto err;
		}
		snprintf(path, sizeof(path), "%s/%s/devices",
			 SYSFS_IOMMU_GROUPS, gnames[i]);
		nm = sysfs_list_dir(path, &members);
		if (nm < 0) {
			ret = nm;
			goto err;
		}
		for (j = 0; j < nm; j++) {
			struct pci_addr a, *m;
			struct stat st;

			/* PCI functions only: the name is also a PCI device */
			if (pci_addr_parse(members[j], &a))
				continue;
			snprintf(path, sizeof(path), "%s/%s",
				 SYSFS_PCI_DEVICES, members[j]);
			if (stat(path, &st))
				continue;
			m = realloc(g.members, (g.nmembers + 1) * sizeof(*m));
			if (!m) {
				sysfs_names_free(members, nm);
				free(g.members);
				ret = -ENOMEM;
				goto err;
			}
			g.members = m;
			g.members[g.nmembers++] = a;
		}
		sysfs_names_free(members, nm);
		if (!g.nmembers)
			continue;
		qsort(g.members, g.nmembers, sizeof(*g.members), cmp_addr);
		tmp = realloc(groups, (n + 1) * sizeof(*groups));
		if (!tmp) {
			free(g.members);
			ret = -ENOMEM;
			goto err;
		}
		groups = tmp;
		groups[n++] = g;
	}
	sysfs_names_free(gnames, ng);
	if (n)
		qsort(groups, n, sizeof(*groups), cmp_group);
	*out = groups;
	return n;
err:
	sysfs_names_free(gnames, ng);
	sysfs_groups_free(groups, n);
	return ret;
}

void sysfs_groups_free(struct sysfs_group *groups, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(groups[i].members);
	free(groups);
}

int sysfs_write(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	return (size_t)n == strlen(val) ? 0 : -EIO;
}
