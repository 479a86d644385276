// SPDX-License-Identifier: GPL-2.0
/*
 * The VFs of an SR-IOV physical function: they exist only while the PF's
 * driver keeps them, so unbinding that driver for passthrough removes
 * them from the host and from any VM they were given to.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

void impact_sriov_gather(struct imp_func *f)
{
	char dir[PATH_MAX];
	size_t n;
	char **names;

	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", f->addr);
	names = sysroot_list(dir, &n);
	/* virtfn0..N in numeric order: sysroot_list sorts by version */
	for (size_t i = 0; i < n; i++) {
		char link[2 * PATH_MAX];
		struct imp_vf *vf;
		char *addr;

		if (strncmp(names[i], "virtfn", 6))
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, names[i]);
		addr = syspath_target_name(link);
		if (!addr)
			continue;
		vf = VEC_PUSH(f->vfs, f->nvfs);
		vf->addr = addr;
		snprintf(link, sizeof(link), "%s/%s/driver", dir, names[i]);
		vf->driver = syspath_target_name(link);
	}
	sysroot_free_names(names, n);
}
