// SPDX-License-Identifier: GPL-2.0
/*
 * Which processes hold an IOMMU group through VFIO (see pci/vfio_holders.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/vfio_holders.h"

#define VFIO_CDEV_PREFIX "/dev/vfio/devices/"

/* The group of a VFIO device cdev (/dev/vfio/devices/vfio3), from sysfs:
 * /sys/class/vfio-dev/vfio3/device/iommu_group -> .../iommu_groups/N.
 */
static bool cdev_group(const char *name, uint32_t *group)
{
	char path[128], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	/* vfioN: anything longer is not a VFIO device node */
	if (strlen(name) > 32 || strchr(name, '/'))
		return false;
	snprintf(path, sizeof(path), "/sys/class/vfio-dev/%.32s/device/iommu_group",
		 name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	slash = strrchr(target, '/');
	return slash && sscanf(slash + 1, "%u", group) == 1;
}

/* What a VFIO scan looks for: the group node, or a cdev of the group. */
struct vfio_target {
	char node[32];
	uint32_t group;
};

/* Does this open file (a /proc/PID/fd link target) reach the group? */
static bool holds(const char *file, void *arg)
{
	const struct vfio_target *t = arg;
	uint32_t g;

	if (!strcmp(file, t->node))
		return true;
	if (strncmp(file, VFIO_CDEV_PREFIX, strlen(VFIO_CDEV_PREFIX)))
		return false;
	return cdev_group(file + strlen(VFIO_CDEV_PREFIX), &g) && g == t->group;
}

/* 1: holds it, 0: does not, -1: its fds are not ours to read. */
static int pid_holds(int pid, bool (*match)(const char *file, void *arg),
		     void *arg)
{
	char path[64], target[PATH_MAX];
	struct dirent *de;
	int found = 0;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d)
		return errno == EACCES ? -1 : 0;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) > 20)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%.20s", pid,
			 de->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		found = match(target, arg);
	}
	closedir(d);
	return found;
}

/* The program's name: the executable's, since comm is cut at 15
 * characters (qemu-system-x86 for qemu-system-x86_64); comm only when
 * exe cannot be read.
 */
static void read_comm(int pid, char *comm, size_t size)
{
	char path[64], exe[PATH_MAX];
	const char *base;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* a replaced binary reads "/usr/bin/x (deleted)" */
		exe[strcspn(exe, " ")] = '\0';
		base = strrchr(exe, '/');
		base = base ? base + 1 : exe;
		n = (ssize_t)strnlen(base, size - 1);
		memcpy(comm, base, (size_t)n);
		comm[n] = '\0';
		str_printable(comm);
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	comm[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(comm, (int)size, f))
		comm[strcspn(comm, "\n")] = '\0';
	fclose(f);
	str_printable(comm);
}

bool fd_holders_find(bool (*match)(const char *file, void *arg), void *arg,
		     struct vfio_holders *h)
{
	struct dirent *de;
	DIR *proc;
	int r;

	memset(h, 0, sizeof(*h));
	proc = opendir("/proc");
	if (!proc)
		return false;
	while ((de = readdir(proc))) {
		struct vfio_holder *v;
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (pid == getpid())
			continue;
		r = pid_holds(pid, match, arg);
		if (r < 0)
			h->unreadable++;
		if (r <= 0)
			continue;
		h->list = xrealloc(h->list, (h->n + 1) * sizeof(*h->list));
		v = &h->list[h->n++];
		v->pid = pid;
		read_comm(pid, v->comm, sizeof(v->comm));
	}
	closedir(proc);
	return true;
}

bool vfio_holders_find(uint32_t group, struct vfio_holders *h)
{
	struct vfio_target t = { .group = group };

	snprintf(t.node, sizeof(t.node), "/dev/vfio/%u", group);
	return fd_holders_find(holds, &t, h);
}

void vfio_holders_free(struct vfio_holders *h)
{
	free(h->list);
	memset(h, 0, sizeof(*h));
}

char *vfio_holders_words(const struct vfio_holders *h)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f;

	if (!h->n)
		return NULL;
	f = open_memstream(&s, &len);
	if (!f)
		return NULL;
	fprintf(f, "PID%s ", h->n > 1 ? "s" : "");
	for (size_t i = 0; i < h->n; i++)
		fprintf(f, "%s%d (%s)", i ? ", " : "", (int)h->list[i].pid,
			h->list[i].comm[0] ? h->list[i].comm : "?");
	fclose(f);
	return s;
}

char *vfio_holders_of_group(uint32_t group, bool *known)
{
	struct vfio_holders h;
	char *words;

	*known = false;
	if (sysroot_prefix()[0] || !vfio_holders_find(group, &h))
		return NULL;
	words = vfio_holders_words(&h);
	*known = words || !h.unreadable;
	vfio_holders_free(&h);
	return words;
}
