// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

/*
 * The kernel resolves @p in one step (an O_PATH open) and says where it
 * ended (/proc/self/fd/N).  realpath() walks it with a readlink per
 * component: ten for a netdev's class link, and a claim resolves every
 * interface, disk and sound card of the host.
 */
static bool resolve(const char *p, char *real)
{
	char fdpath[32];
	ssize_t len;
	int fd = open(p, O_PATH | O_CLOEXEC);

	if (fd < 0)
		return false;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	len = readlink(fdpath, real, PATH_MAX);
	close(fd);
	if (len > 0 && len < PATH_MAX && real[0] == '/') {
		real[len] = '\0';
		return true;
	}
	return realpath(p, real) != NULL;	/* no /proc, or out of our root */
}

/* The prefix itself may contain links (/tmp -> /private/tmp, a build tree
 * behind a symlink): compare against its canonical form.
 */
static const char *real_prefix(char *buf)
{
	const char *p = sysroot_prefix();

	if (!*p)
		return "";
	if (!realpath(p, buf))
		return NULL;
	return strcmp(buf, "/") ? buf : "";	/* PCIPASS_SYSROOT=/ */
}

char *syspath_resolve(const char *path)
{
	char pbuf[PATH_MAX], rbuf[PATH_MAX], real[PATH_MAX];
	const char *prefix = real_prefix(pbuf);
	const char *p = sysroot_path(path, rbuf, sizeof(rbuf));
	size_t len;

	if (!prefix || !p || !resolve(p, real))
		return NULL;
	len = strlen(prefix);
	if (strncmp(real, prefix, len) || (real[len] && real[len] != '/'))
		return NULL;	/* a fixture link pointing out of the tree */
	return xstrdup(real[len] ? real + len : "/");
}

bool syspath_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return !strncmp(path, dir, len) && (!path[len] || path[len] == '/');
}

char *syspath_target_name(const char *path)
{
	char *real = syspath_resolve(path);
	char *name;

	if (!real)
		return NULL;
	name = xstrdup(strrchr(real, '/') + 1);
	free(real);
	return name;
}

char *syspath_pci_function(const char *addr)
{
	char path[PATH_MAX];

	if (!*addr || strchr(addr, '/') || !strcmp(addr, "..") ||
	    !strcmp(addr, "."))
		return NULL;	/* not a name in that directory */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", addr);
	return syspath_resolve(path);
}

bool syspath_read_ulong(const char *path, unsigned long *v)
{
	char *line = sysroot_read_line(path);
	const char *digits = line;
	int base = 10;
	char *end;
	bool ok;

	if (!line)
		return false;
	/* not base 0: sysfs prints "08" in decimal, which would be octal */
	if (!strncmp(line, "0x", 2)) {
		digits += 2;
		base = 16;
	}
	errno = 0;
	*v = strtoul(digits, &end, base);
	ok = !errno && end != digits && !*end && *digits != '-';
	free(line);
	return ok;
}

char *syspath_uevent(const char *path, const char *key)
{
	size_t len = strlen(key);
	char line[256];
	char *val = NULL;
	FILE *f = sysroot_fopen(path);

	if (!f)
		return NULL;
	while (!val && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == '=') {
			line[strcspn(line, "\n")] = '\0';
			val = xstrdup(line + len + 1);
		}
	fclose(f);
	return val;
}
