// SPDX-License-Identifier: GPL-2.0
/*
 * The devices of a fixture's /sys/bus/pci/devices (PCIPASS_SYSROOT) as
 * the module would report them, for the test drivers that stand in for
 * the module's dump (tests/list_run, tests/export_run): IDs and class
 * from their attributes, driver and IOMMU group from their links, the
 * upstream bridge from where the device's directory sits under
 * /sys/devices, and a bridge header for a device with a
 * secondary_bus_number (sysfs has that attribute for bridges only).
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/util.h"
#include "tests/sysfs_devs.h"

static const char *dev_path(const char *name, const char *attr, char *buf,
			    size_t size)
{
	snprintf(buf, size, "/sys/bus/pci/devices/%s%s%s", name,
		 attr ? "/" : "", attr ? attr : "");
	return buf;
}

static unsigned long hex_attr(const char *name, const char *attr)
{
	char path[PATH_MAX];
	char *s = sysroot_read_line(dev_path(name, attr, path, sizeof(path)));
	unsigned long v = s ? strtoul(s, NULL, 16) : 0;

	free(s);
	return v;
}

/* The last component of what the link attr of device name points to. */
static char *link_name(const char *name, const char *attr)
{
	char path[PATH_MAX], full[PATH_MAX], target[PATH_MAX];
	ssize_t len;

	dev_path(name, attr, path, sizeof(path));
	if (!sysroot_path(path, full, sizeof(full)))
		return NULL;
	len = readlink(full, target, sizeof(target) - 1);
	if (len <= 0)
		return NULL;
	target[len] = '\0';
	return xstrdup(basename(target));
}

/* The device directory's parent under /sys/devices: a bridge, or a host
 * bridge ("pci0000:00") for a function on a root bus.
 */
static void read_upstream(const char *name, struct pp_device *d)
{
	char path[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
	enum addr_scope scope;

	dev_path(name, NULL, path, sizeof(path));
	if (!sysroot_path(path, full, sizeof(full)) || !realpath(full, real))
		return;
	d->has_upstream = !addr_parse(basename(dirname(real)), &d->upstream,
				      &scope) && scope == ADDR_FUNCTION;
}

static void read_device(const char *name, struct pp_devlist *l)
{
	char path[PATH_MAX], *group;
	enum addr_scope scope;
	struct pp_device *d;
	struct pp_addr a;

	if (addr_parse(name, &a, &scope) || scope != ADDR_FUNCTION)
		return;
	d = devlist_push(l);
	d->addr = a;
	d->vendor = hex_attr(name, "vendor");
	d->device = hex_attr(name, "device");
	d->subsystem_vendor = hex_attr(name, "subsystem_vendor");
	d->subsystem_device = hex_attr(name, "subsystem_device");
	d->class = hex_attr(name, "class");
	d->header_type = sysroot_exists(dev_path(name, "secondary_bus_number",
						 path, sizeof(path))) ?
			 PP_HDR_BRIDGE : PP_HDR_NORMAL;
	d->driver = link_name(name, "driver");
	group = link_name(name, "iommu_group");
	if (group) {
		d->has_iommu_group = true;
		d->iommu_group = strtoul(group, NULL, 10);
		free(group);
	}
	read_upstream(name, d);
}

void sysfs_devs_read(struct pp_devlist *l)
{
	size_t n;
	char **names = sysroot_list("/sys/bus/pci/devices", &n);

	for (size_t i = 0; i < n; i++)
		read_device(names[i], l);
	sysroot_free_names(names, n);
}
