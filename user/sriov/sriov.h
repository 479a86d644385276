/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_SRIOV_H
#define PCIPASS_SRIOV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pnl;

/* pcipass sriov: a physical function's SR-IOV state and its VF count.
 *
 *   sriov/state.c  - the PF and its VFs, read from sysfs (through the
 *                    sysroot, so a fixture tree reads the same);
 *   sriov/print.c  - that state, text and JSON, and the group warnings;
 *   sriov/vfs.c    - numvfs and autoprobe written, the checks of --vfs 0;
 *   cmd/sriov.c    - the command: show, --vfs N, --claim with rollback.
 */

struct sriov_vf {
	unsigned int index;	/* N of virtfnN */
	char addr[16];		/* "0000:0a:00.1" */
	bool has_group;
	uint32_t group;
	char *driver;		/* NULL: none bound */
	char *override;		/* NULL: no driver_override */
	/* the other functions of its IOMMU group ("0000:14:00.0"), sorted */
	char **peers;
	size_t nr_peers;
};

struct sriov_state {
	char addr[16];		/* the PF, "0000:0a:00.0" */
	char *driver;
	bool has_group;
	uint32_t group;
	unsigned long totalvfs;
	unsigned long numvfs;
	bool has_autoprobe;
	bool autoprobe;		/* sriov_drivers_autoprobe */
	struct sriov_vf *vfs;
	size_t nr_vfs;
};

/* Why sriov_read() failed, for the message and the exit status. */
enum sriov_read_err {
	SRIOV_OK,
	SRIOV_NO_DEVICE,	/* no such PCI function */
	SRIOV_IS_VF,		/* a VF: *pf_of names its PF */
	SRIOV_NOT_PF,		/* no SR-IOV capability */
};

/* addr is the canonical "DDDD:BB:DD.F". */
enum sriov_read_err sriov_read(const char *addr, struct sriov_state *s,
			       char pf_of[16]);
void sriov_free(struct sriov_state *s);
/* Whether the VF's group holds its PF or another VF of this PF. */
bool sriov_vf_shares(const struct sriov_state *s, const struct sriov_vf *vf);

/* The state's fields (inside the caller's JSON object); the warnings
 * of VFs that share a group go to the text and the "warnings" array.
 */
void sriov_print_state(const struct sriov_state *s);

/* sriov/vfs.c: 0 or -errno. */
int sriov_write_attr(const char *addr, const char *attr, const char *value);
int sriov_set_autoprobe(const char *addr, bool on);
int sriov_set_numvfs(const char *addr, unsigned long n);
/* Whether vf must not be removed, the reason in why: its group held
 * through VFIO (a VM), claimed by pcipass (asked of the module when nl is
 * not NULL), or bound to a VFIO driver.
 */
bool sriov_vf_busy(struct pnl *nl, const struct sriov_vf *vf, char *why,
		   size_t size);

#endif
