// SPDX-License-Identifier: GPL-2.0
/*
 * The writes of `pcipass sriov --vfs N` (sriov_drivers_autoprobe,
 * sriov_numvfs) and what keeps VFs from being removed: a VF claimed by
 * pcipass (the module's dry-run release says so), bound to a VFIO
 * driver, or whose group a process (a VM) holds through VFIO.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pcipass.h>

#include "claim/claim.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/vfio_holders.h"
#include "sriov/sriov.h"

int sriov_write_attr(const char *addr, const char *attr, const char *value)
{
	char path[PATH_MAX], buf[PATH_MAX + 64];
	const char *p;
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", addr, attr);
	p = sysroot_path(path, buf, sizeof(buf));
	if (!p)
		return -errno;
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	if (n < 0)
		err = -errno;
	else if ((size_t)n != strlen(value))
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int sriov_set_autoprobe(const char *addr, bool on)
{
	return sriov_write_attr(addr, "sriov_drivers_autoprobe", on ? "1" : "0");
}

int sriov_set_numvfs(const char *addr, unsigned long n)
{
	char v[24];

	snprintf(v, sizeof(v), "%lu", n);
	return sriov_write_attr(addr, "sriov_numvfs", v);
}

/* The module's dry-run release: planned means pcipass claimed the group. */
static bool claimed_by_pcipass(struct pnl *nl, const struct sriov_vf *vf,
			       char **driver)
{
	struct claim_req req = { .op = CLAIM_OP_RELEASE,
				 .kind = CLAIM_Q_FUNCTION, .arg = vf->addr,
				 .flags = PCIPASS_CLAIM_F_DRY_RUN };
	struct claim_report rep = { 0 };
	enum addr_scope scope;
	bool claimed;
	int rc;

	if (addr_parse(vf->addr, &req.addr, &scope))
		return false;
	rc = claim_transact(nl, &req, &rep, 10000, NULL);
	claimed = !rc && rep.has_outcome &&
		  rep.outcome == PCIPASS_OUTCOME_PLANNED;
	if (claimed && rep.driver)
		*driver = xstrdup(rep.driver);
	claim_report_free(&rep);
	return claimed;
}

bool sriov_vf_busy(struct pnl *nl, const struct sriov_vf *vf, char *why,
		   size_t size)
{
	struct vfio_holders h;
	char *driver = NULL;

	if (vf->has_group && vfio_holders_find(vf->group, &h)) {
		char *who = vfio_holders_words(&h);

		vfio_holders_free(&h);
		if (who) {
			snprintf(why, size, "VF %s: IOMMU group %u is in use by %s (a VM?): stop it first",
				 vf->addr, vf->group, who);
			free(who);
			return true;
		}
	}
	if (nl && claimed_by_pcipass(nl, vf, &driver)) {
		snprintf(why, size, "VF %s is claimed by pcipass for %s (IOMMU group %u): 'pcipass release %s' first",
			 vf->addr, driver ? driver : CLAIM_DEFAULT_DRIVER,
			 vf->group, vf->addr);
		free(driver);
		return true;
	}
	if (vf->driver && !strncmp(vf->driver, "vfio", 4)) {
		snprintf(why, size, "VF %s is bound to %s: give it back first ('pcipass release %s', or echo %s > /sys/bus/pci/devices/%s/driver/unbind)",
			 vf->addr, vf->driver, vf->addr, vf->addr, vf->addr);
		return true;
	}
	return false;
}
