/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_test: the state an unprivileged caller must not be able to change
 * (driver bindings, driver_override, IOMMU groups, SR-IOV VFs), as text.
 */
#ifndef PCIPASS_SELFTEST_FUZZ_STATE_H
#define PCIPASS_SELFTEST_FUZZ_STATE_H

/*
 * One line per PCI function (driver, driver_override, IOMMU group,
 * sriov_numvfs) and per IOMMU group (all its devices); malloc()ed.
 */
char *state_snapshot(void);

/* Print the lines that differ; returns how many. */
int state_diff(const char *before, const char *after);

#endif
