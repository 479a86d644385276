/* SPDX-License-Identifier: GPL-2.0 */
/*
 * claim_test only: the test VM (tests/vm/topology.sh) as the claim tests
 * meet it, read from sysfs and set up with the guest's own commands.
 * Nothing here uses the kselftest harness, so it is linked, not included.
 */
#ifndef PCIPASS_SELFTEST_CLAIM_ENV_H
#define PCIPASS_SELFTEST_CLAIM_ENV_H

#include <stdbool.h>
#include <stddef.h>

#define VFIO		"vfio-pci"
#define FAILPROBE	"pcipass-failprobe"
#define FP_PARAMS	"/sys/module/pcipass_failprobe/parameters"
#define HOST_NIC	"0000:0e:00.0"
#define HOST_NIC_ADDR	"192.0.2.10/24"
#define HOST_NIC_ROUTE	"198.51.100.0/24 via 192.0.2.1"

/* A function of this name ("dddd:bb:dd.f") is in sysfs. */
bool pp_sysfs_has_name(const char *name);

/* @drv leaves DMA to VFIO: none, vfio-pci, pci-stub, pcieport, failprobe. */
bool dma_free(const char *drv);
/* A bridge whose driver does not leave DMA to VFIO is unbound by a claim. */
bool bridge_detached(const char *drv);

/* The host NIC's address, link and route put back after its driver was. */
void host_nic_restore(void);
/* The host NIC has its one netdev (name in @dev) with address and route. */
bool host_nic_ok(char *dev, size_t len);

/*
 * pcipass-failprobe loaded: already, or now from PCIPASS_FAILPROBE_KO
 * with its counters and faults cleared.  @loaded is set only when this
 * call loaded it, so that a teardown unloads only what its test loaded.
 * 0, -ENOENT (not loaded and no PCIPASS_FAILPROBE_KO) or -EIO.
 */
int failprobe_load(bool *loaded);

/* nvmeXn1 below the controller, from sysfs. */
int nvme_namespace(const char *ctrl, char *out, size_t len);

/*
 * @n VFs on PF @pf, host autoprobe off while they exist (no host VF
 * driver binds them), back on with @n 0.  0 or -errno of the write.
 */
int pf_set_vfs(const char *pf, int n);
/* sriov_numvfs of PF @pf, or -errno. */
int pf_num_vfs(const char *pf);

#endif
