// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test: snapshots of the state an unprivileged caller must not be
 * able to change, and their comparison.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_report.h"
#include "fuzz_state.h"
#include "sysfs.h"

struct sbuf {
	char *p;
	size_t len, cap;
};

static void sb_add(struct sbuf *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(s->p ? s->p + s->len : NULL,
			      s->p ? s->cap - s->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (s->p && s->len + n < s->cap) {
			s->len += n;
			return;
		}
		s->cap = (s->cap + n + 1) * 2;
		s->p = realloc(s->p, s->cap);
		if (!s->p)
			abort();
	}
}

static void read_line(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buf, len, "<%s>", errname(errno));
		return;
	}
	n = read(fd, buf, len - 1);
	if (n < 0) {
		snprintf(buf, len, "<%s>", errname(errno));
		n = strlen(buf);
	}
	buf[n] = 0;
	close(fd);
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
}

static void read_link_base(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	const char *base;
	ssize_t n;

	n = readlink(path, tmp, sizeof(tmp) - 1);
	if (n < 0) {
		snprintf(buf, len, "-");
		return;
	}
	tmp[n] = 0;
	base = strrchr(tmp, '/');
	base = base ? base + 1 : tmp;
	n = strlen(base);
	if ((size_t)n >= len)
		n = len - 1;
	memcpy(buf, base, n);
	buf[n] = 0;
}

/*
 * One line per PCI function (driver, driver_override, IOMMU group,
 * sriov_numvfs) and per IOMMU group (all its devices).
 */
char *state_snapshot(void)
{
	struct sbuf s = { 0 };
	char **v, **m, path[PATH_MAX];
	int n, i, j, nm;

	n = sysfs_list_dir(SYSFS_PCI_DEVICES, &v);
	if (n < 0)
		sb_add(&s, "pci: <%s>\n", errname(-n));
	for (i = 0; i < n; i++) {
		char drv[256], ovr[4096], grp[64], vfs[64];
		struct stat st;

		snprintf(path, sizeof(path), "%s/%s/driver", SYSFS_PCI_DEVICES, v[i]);
		read_link_base(path, drv, sizeof(drv));
		snprintf(path, sizeof(path), "%s/%s/driver_override", SYSFS_PCI_DEVICES, v[i]);
		read_line(path, ovr, sizeof(ovr));
		snprintf(path, sizeof(path), "%s/%s/iommu_group", SYSFS_PCI_DEVICES, v[i]);
		read_link_base(path, grp, sizeof(grp));
		snprintf(path, sizeof(path), "%s/%s/sriov_numvfs", SYSFS_PCI_DEVICES, v[i]);
		if (stat(path, &st))
			snprintf(vfs, sizeof(vfs), "-");
		else
			read_line(path, vfs, sizeof(vfs));
		sb_add(&s, "pci %s driver=%s driver_override=%s iommu_group=%s sriov_numvfs=%s\n",
		       v[i], drv, ovr, grp, vfs);
	}
	sysfs_names_free(v, n);

	n = sysfs_list_dir(SYSFS_IOMMU_GROUPS, &v);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s/devices", SYSFS_IOMMU_GROUPS, v[i]);
		nm = sysfs_list_dir(path, &m);
		sb_add(&s, "iommu_group %s:", v[i]);
		for (j = 0; j < nm; j++)
			sb_add(&s, " %s", m[j]);
		sb_add(&s, "\n");
		sysfs_names_free(m, nm);
	}
	sysfs_names_free(v, n);
	if (!s.p)
		sb_add(&s, "%s", "");
	return s.p;
}

/* Print the lines that differ; returns how many. */
int state_diff(const char *before, const char *after)
{
	char *a = strdup(before), *b = strdup(after), *sa, *sb, *la, *lb;
	int diffs = 0;

	la = strtok_r(a, "\n", &sa);
	lb = strtok_r(b, "\n", &sb);
	while (la || lb) {
		if (!la || !lb || strcmp(la, lb)) {
			diag("state before: %s", la ? la : "(none)");
			diag("state after:  %s", lb ? lb : "(none)");
			diffs++;
		}
		la = la ? strtok_r(NULL, "\n", &sa) : NULL;
		lb = lb ? strtok_r(NULL, "\n", &sb) : NULL;
	}
	free(a);
	free(b);
	return diffs;
}
