// SPDX-License-Identifier: GPL-2.0
/*
 * The ground truth claim_test judges a claim by (see ppcstate.h).  The
 * sysfs side reads only the driver symlink, driver_override, iommu_group
 * and the header type of each function: the state a claim changes and
 * the suite compares.  VFIO's verdict comes from VFIO itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "ppcstate.h"

static int read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	buf[0] = 0;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static void link_base(const char *path, char *buf, size_t len)
{
	char tmp[512];
	ssize_t n = readlink(path, tmp, sizeof(tmp) - 1);
	const char *b;

	buf[0] = 0;
	if (n <= 0)
		return;
	tmp[n] = 0;
	b = strrchr(tmp, '/');
	b = b ? b + 1 : tmp;
	if (strlen(b) < len)
		memcpy(buf, b, strlen(b) + 1);
}

static int fn_read(const char *name, struct ppc_fn *f)
{
	char path[256], buf[64];
	unsigned char hdr = 0;
	int fd;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver", name);
	link_base(path, f->driver, sizeof(f->driver));
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver_override", name);
	if (read_line(path, f->override, sizeof(f->override)))
		return -EIO;
	if (!strcmp(f->override, "(null)"))
		f->override[0] = 0;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/iommu_group", name);
	link_base(path, buf, sizeof(buf));
	f->group = buf[0] ? strtoul(buf, NULL, 10) : UINT32_MAX;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/config", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (pread(fd, &hdr, 1, 0x0e) != 1)
			hdr = 0;
		close(fd);
	}
	f->bridge = (hdr & 0x7f) == 1 || (hdr & 0x7f) == 2;
	return 0;
}

int ppc_state_read(struct ppc_state *s)
{
	char **names;
	int n, i;

	s->n = 0;
	n = sysfs_pci_list(&names);
	if (n < 0)
		return n;
	for (i = 0; i < n && s->n < PPC_MAX_FN; i++)
		if (!fn_read(names[i], &s->fn[s->n]))
			s->n++;
	sysfs_names_free(names, n);
	return n > PPC_MAX_FN ? -E2BIG : 0;
}

const struct ppc_fn *ppc_state_find(const struct ppc_state *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->fn[i].name, name))
			return &s->fn[i];
	return NULL;
}

int ppc_state_diff(const struct ppc_state *a, const struct ppc_state *b,
		   char *why, int whylen)
{
	int i, bad = 0;

	for (i = 0; i < a->n; i++) {
		const struct ppc_fn *x = &a->fn[i], *y = ppc_state_find(b, x->name);

		if (!y) {
			pp_why_add(why, whylen, "%s: gone; ", x->name);
			bad++;
		} else if (strcmp(x->driver, y->driver) ||
			   strcmp(x->override, y->override)) {
			pp_why_add(why, whylen, "%s: driver '%s' -> '%s', override '%s' -> '%s'; ",
				   x->name, x->driver, y->driver, x->override, y->override);
			bad++;
		}
	}
	if (b->n != a->n) {
		pp_why_add(why, whylen, "%d functions, then %d; ", a->n, b->n);
		bad++;
	}
	return bad;
}

static int set_override(const char *name, const char *ovr)
{
	char path[256];

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver_override", name);
	return sysfs_write(path, *ovr ? ovr : "\n");
}

static int fn_restore(const struct ppc_fn *want)
{
	char path[256];
	struct ppc_fn now;

	if (fn_read(want->name, &now))
		return -ENODEV;
	/* The override decides who may bind: the original driver, for now. */
	if (strcmp(now.driver, want->driver)) {
		set_override(want->name, want->driver[0] ? want->driver : "none");
		if (now.driver[0]) {
			snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/driver/unbind",
				 want->name);
			sysfs_write(path, want->name);
		}
		if (want->driver[0])
			sysfs_write("/sys/bus/pci/drivers_probe", want->name);
	}
	set_override(want->name, want->override);
	if (fn_read(want->name, &now))
		return -ENODEV;
	return strcmp(now.driver, want->driver) || strcmp(now.override, want->override) ?
	       -EIO : 0;
}

int ppc_state_restore(const struct ppc_state *want, char *why, int whylen)
{
	struct ppc_state *now = malloc(sizeof(*now));
	int i, pass, bad = 0;

	if (!now)
		return -ENOMEM;
	/* Twice: a PF's driver brings its VFs' state with it. */
	for (pass = 0; pass < 2; pass++) {
		if (ppc_state_read(now)) {
			free(now);
			return -EIO;
		}
		for (i = 0; i < want->n; i++) {
			const struct ppc_fn *n = ppc_state_find(now, want->fn[i].name);

			if (n && (strcmp(n->driver, want->fn[i].driver) ||
				  strcmp(n->override, want->fn[i].override)))
				fn_restore(&want->fn[i]);
		}
	}
	if (!ppc_state_read(now))
		bad = ppc_state_diff(want, now, why, whylen);
	free(now);
	return bad;
}

int ppc_group_members(const struct ppc_state *s, uint32_t group,
		      const struct ppc_fn **out, int max)
{
	int i, n = 0;

	for (i = 0; i < s->n; i++)
		if (s->fn[i].group == group && n < max)
			out[n++] = &s->fn[i];
	return n;
}

int ppc_vfio_status(uint32_t group, uint32_t *flags)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/dev/vfio/%u", group);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st))
		ret = -errno;
	else
		*flags = st.flags;
	close(fd);
	return ret;
}
