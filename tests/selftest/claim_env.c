// SPDX-License-Identifier: GPL-2.0
/*
 * The test VM as claim_test meets it (see claim_env.h): which functions
 * exist, which drivers leave DMA to VFIO, the host NIC's address and
 * route, pcipass-failprobe, the NVMe namespace below a controller, a PF's VFs.  Only
 * sysfs and the commands of the guest; nothing here judges a test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "claim_env.h"
#include "ppclaim.h"

bool pp_sysfs_has_name(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s", name);
	return access(path, F_OK) == 0;
}

bool dma_free(const char *drv)
{
	static const char *const ok[] = { "", VFIO, "pci-stub", "pcieport", FAILPROBE };
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(drv, ok[i]))
			return true;
	return false;
}

/* A bridge whose driver does not leave DMA to VFIO is unbound by a claim. */
bool bridge_detached(const char *drv)
{
	return !dma_free(drv);
}

void host_nic_restore(void)
{
	char dir[128], **names;
	int n;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/" HOST_NIC "/net");
	n = sysfs_list_dir(dir, &names);
	if (n != 1) {
		if (n > 0)
			sysfs_names_free(names, n);
		return;
	}
	if (ppc_run("ip -4 -o addr show dev %s | grep -qF ' " HOST_NIC_ADDR " '",
		    names[0]))
		ppc_run("ip addr add " HOST_NIC_ADDR " dev %s", names[0]);
	ppc_run("ip link set %s up", names[0]);
	if (ppc_run("ip -4 route show dev %s | grep -q '^" HOST_NIC_ROUTE " '", names[0]))
		ppc_run("ip route add " HOST_NIC_ROUTE " dev %s", names[0]);
	sysfs_names_free(names, n);
}

bool host_nic_ok(char *dev, size_t len)
{
	char dir[128], **names;
	bool ok;
	int n;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/" HOST_NIC "/net");
	n = sysfs_list_dir(dir, &names);
	if (n != 1) {
		if (n > 0)
			sysfs_names_free(names, n);
		return false;
	}
	snprintf(dev, len, "%s", names[0]);
	ok = !ppc_run("ip -4 -o addr show dev %s | grep -qF ' " HOST_NIC_ADDR " '", dev) &&
	     !ppc_run("ip -4 route show dev %s | grep -q '^" HOST_NIC_ROUTE " '", dev);
	sysfs_names_free(names, n);
	return ok;
}

int failprobe_load(bool *loaded)
{
	const char *ko = getenv("PCIPASS_FAILPROBE_KO");

	if (access(FP_PARAMS, F_OK) == 0)
		return 0;
	if (!ko)
		return -ENOENT;
	if (ppc_run("insmod %s", ko))
		return -EIO;
	*loaded = true;
	return ppc_run("echo 0 >" FP_PARAMS "/probes; echo 0 >" FP_PARAMS "/fail_nth; "
		       "echo >" FP_PARAMS "/fail_addr") ? -EIO : 0;
}

/* nvmeXn1 below the controller, from sysfs. */
int nvme_namespace(const char *ctrl, char *out, size_t len)
{
	char path[256], **c, **ns;
	int nc, nn, i, ret = -ENOENT;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/nvme", ctrl);
	nc = sysfs_list_dir(path, &c);
	if (nc <= 0)
		return -ENOENT;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/nvme/%s", ctrl, c[0]);
	nn = sysfs_list_dir(path, &ns);
	for (i = 0; nn > 0 && i < nn; i++) {
		if (!strncmp(ns[i], c[0], strlen(c[0])) && strchr(ns[i] + 4, 'n')) {
			snprintf(out, len, "%s", ns[i]);
			ret = 0;
			break;
		}
	}
	if (nn > 0)
		sysfs_names_free(ns, nn);
	sysfs_names_free(c, nc);
	return ret;
}

/* Autoprobe first, so that no host driver ever sees the new VFs. */
int pf_set_vfs(const char *pf, int n)
{
	char path[256], num[16];
	int ret;

	snprintf(num, sizeof(num), "%d", n);
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_drivers_autoprobe", pf);
	if (n) {
		ret = sysfs_write(path, "0");
		if (ret)
			return ret;
	}
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_numvfs", pf);
	ret = sysfs_write(path, num);
	if (ret || n)
		return ret;
	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_drivers_autoprobe", pf);
	return sysfs_write(path, "1");
}

int pf_num_vfs(const char *pf)
{
	char path[256], buf[16];
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), SYSFS_PCI_DEVICES "/%s/sriov_numvfs", pf);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -EIO;
	buf[len] = 0;
	return atoi(buf);
}
