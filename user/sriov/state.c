// SPDX-License-Identifier: GPL-2.0
/*
 * A physical function's SR-IOV state, as sysfs has it: the PF's
 * sriov_totalvfs, sriov_numvfs and sriov_drivers_autoprobe, its driver,
 * and per virtfnN link the VF's address, IOMMU group, driver and
 * driver_override, with the other functions of that group.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sysroot.h"
#include "lib/syspath.h"
#include "lib/util.h"
#include "sriov/sriov.h"

#define SYS_PCI "/sys/bus/pci/devices"

static bool read_group(const char *addr, uint32_t *group)
{
	char path[PATH_MAX], *name, *end;
	unsigned long g;
	bool ok;

	snprintf(path, sizeof(path), SYS_PCI "/%s/iommu_group", addr);
	name = syspath_target_name(path);
	if (!name)
		return false;
	g = strtoul(name, &end, 10);
	ok = *name && !*end && g <= UINT32_MAX;
	free(name);
	if (ok)
		*group = (uint32_t)g;
	return ok;
}

static char *read_driver(const char *addr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), SYS_PCI "/%s/driver", addr);
	return syspath_target_name(path);
}

/* NULL when unset: the kernel prints "(null)". */
static char *read_override(const char *addr)
{
	char path[PATH_MAX], *s;

	snprintf(path, sizeof(path), SYS_PCI "/%s/driver_override", addr);
	s = sysroot_read_line(path);
	if (s && (!*s || !strcmp(s, "(null)"))) {
		free(s);
		s = NULL;
	}
	return s;
}

static void read_peers(struct sriov_vf *vf)
{
	char dir[64];
	char **names;
	size_t n;

	if (!vf->has_group)
		return;
	snprintf(dir, sizeof(dir), "/sys/kernel/iommu_groups/%u/devices",
		 vf->group);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(names[i], vf->addr))
			continue;
		vf->peers = xrealloc(vf->peers,
				     (vf->nr_peers + 1) * sizeof(*vf->peers));
		vf->peers[vf->nr_peers++] = xstrdup(names[i]);
	}
	sysroot_free_names(names, n);
}

static unsigned int virtfn_index(const char *name)
{
	return (unsigned int)strtoul(name + 6, NULL, 10);
}

static int by_index(const void *a, const void *b)
{
	const struct sriov_vf *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static void read_vfs(struct sriov_state *s)
{
	char dir[PATH_MAX];
	char **names;
	size_t n;

	snprintf(dir, sizeof(dir), SYS_PCI "/%s", s->addr);
	names = sysroot_list(dir, &n);
	for (size_t i = 0; i < n; i++) {
		char link[PATH_MAX + 64];
		struct sriov_vf *vf;
		char *addr;

		if (strncmp(names[i], "virtfn", 6) ||
		    strspn(names[i] + 6, "0123456789") != strlen(names[i] + 6))
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, names[i]);
		addr = syspath_target_name(link);
		if (!addr)
			continue;
		s->vfs = xrealloc(s->vfs, (s->nr_vfs + 1) * sizeof(*s->vfs));
		vf = &s->vfs[s->nr_vfs++];
		memset(vf, 0, sizeof(*vf));
		vf->index = virtfn_index(names[i]);
		snprintf(vf->addr, sizeof(vf->addr), "%s", addr);
		free(addr);
		vf->has_group = read_group(vf->addr, &vf->group);
		vf->driver = read_driver(vf->addr);
		vf->override = read_override(vf->addr);
		read_peers(vf);
	}
	sysroot_free_names(names, n);
	if (s->nr_vfs)
		qsort(s->vfs, s->nr_vfs, sizeof(*s->vfs), by_index);
}

enum sriov_read_err sriov_read(const char *addr, struct sriov_state *s,
			       char pf_of[16])
{
	char path[PATH_MAX];
	unsigned long v;
	char *pf;

	memset(s, 0, sizeof(*s));
	snprintf(s->addr, sizeof(s->addr), "%s", addr);
	snprintf(path, sizeof(path), SYS_PCI "/%s", addr);
	if (!sysroot_is_dir(path))
		return SRIOV_NO_DEVICE;
	snprintf(path, sizeof(path), SYS_PCI "/%s/physfn", addr);
	pf = syspath_target_name(path);
	if (pf) {
		snprintf(pf_of, 16, "%s", pf);
		free(pf);
		return SRIOV_IS_VF;
	}
	snprintf(path, sizeof(path), SYS_PCI "/%s/sriov_totalvfs", addr);
	if (!syspath_read_ulong(path, &s->totalvfs))
		return SRIOV_NOT_PF;
	snprintf(path, sizeof(path), SYS_PCI "/%s/sriov_numvfs", addr);
	syspath_read_ulong(path, &s->numvfs);
	snprintf(path, sizeof(path), SYS_PCI "/%s/sriov_drivers_autoprobe",
		 addr);
	s->has_autoprobe = syspath_read_ulong(path, &v);
	s->autoprobe = s->has_autoprobe && v;
	s->driver = read_driver(addr);
	s->has_group = read_group(addr, &s->group);
	read_vfs(s);
	return SRIOV_OK;
}

bool sriov_vf_shares(const struct sriov_state *s, const struct sriov_vf *vf)
{
	for (size_t i = 0; i < vf->nr_peers; i++) {
		if (!strcmp(vf->peers[i], s->addr))
			return true;
		for (size_t j = 0; j < s->nr_vfs; j++)
			if (!strcmp(vf->peers[i], s->vfs[j].addr))
				return true;
	}
	return false;
}

void sriov_free(struct sriov_state *s)
{
	for (size_t i = 0; i < s->nr_vfs; i++) {
		struct sriov_vf *vf = &s->vfs[i];

		free(vf->driver);
		free(vf->override);
		for (size_t j = 0; j < vf->nr_peers; j++)
			free(vf->peers[j]);
		free(vf->peers);
	}
	free(s->vfs);
	free(s->driver);
	memset(s, 0, sizeof(*s));
}
