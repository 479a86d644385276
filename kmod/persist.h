/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Persisted claims: functions named by identity that are claimed as soon as
 * pcipass finds them, at load (from the initramfs, before udev probes host
 * drivers) and whenever they are added later (hotplug, rescan, SR-IOV VFs).
 *
 *   persist_parse.c - the claims= module option: entries, topology paths
 *   persist.c       - the entries: matching, states, overrides and undo
 *   persist_sweep.c - the sweep at load: whole groups matched, or left alone
 *   persist_job.c   - the one job that writes the overrides and claims them
 *   persist_add.c   - functions added later: the override at add time
 *
 * The list comes from the module option claims= (modprobe.d, which
 * mkinitramfs copies); userspace compiles it from /etc/pcipass/, the kernel
 * parses no human configuration.  persist=0 (pcipass.persist=0 on the
 * kernel command line) applies nothing.
 *
 * Lock ordering: pcipass_persist_lock (persist.c, a mutex) is a leaf: held
 * only to match entries and change their state, never across an override
 * write, a device_lock, a probe or a job.  The bus notifier takes it with
 * a PF's device_lock and pci_lock_rescan_remove() held (SR-IOV), and the
 * persisted job inside pcipass_claim_lock (claim.h), so nothing under it
 * may take any of those.
 */
#ifndef _PCIPASS_PERSIST_H
#define _PCIPASS_PERSIST_H

#include <linux/types.h>

#include "claim.h"

struct pci_dev;
struct pcipass_tx;

#define PCIPASS_PERSIST_HOPS	8	/* devfn hops below a root bus */
#define PCIPASS_PERSIST_MAX	256	/* entries in claims= */

/**
 * struct pcipass_path - where a function sits, stable when buses renumber
 * @domain: PCI segment
 * @root_bus: number of the root bus (firmware-assigned, _BBN)
 * @nr_hops: entries in @devfn
 * @devfn: device/function on the root bus, then one per bridge below it
 * @vf: the VF number below the function @devfn ends at, or -1
 *
 * Written as the kernel's own pci= path syntax, with the segment always
 * given and a VF as a last hop: "0000:00:1c.0/00.0", "0000:00:06.0/00.0/vf1".
 */
struct pcipass_path {
	u32 domain;
	u8 root_bus;
	u8 nr_hops;
	u8 devfn[PCIPASS_PERSIST_HOPS];
	s16 vf;
};

/**
 * enum pcipass_persist_state - what became of an entry
 * @PCIPASS_PERSIST_ABSENT: no function matches it (yet)
 * @PCIPASS_PERSIST_APPLIED: found at its path; claimed
 * @PCIPASS_PERSIST_MOVED: found by its serial number at another path;
 *	claimed there
 * @PCIPASS_PERSIST_MISMATCH: another function sits at its path (other IDs
 *	or serial number): not claimed, left to its host driver
 * @PCIPASS_PERSIST_INCOMPLETE: found, but its IOMMU group holds a function
 *	no entry matches (or entries for different drivers): the group is
 *	left to its host drivers
 * @PCIPASS_PERSIST_FAILED: found; the claim failed (kernel log)
 */
enum pcipass_persist_state {
	PCIPASS_PERSIST_ABSENT,
	PCIPASS_PERSIST_APPLIED,
	PCIPASS_PERSIST_MOVED,
	PCIPASS_PERSIST_MISMATCH,
	PCIPASS_PERSIST_INCOMPLETE,
	PCIPASS_PERSIST_FAILED,
};

/**
 * struct pcipass_persist_entry - one persisted function
 * @path: where it was when persisted
 * @vendor: vendor ID
 * @device: device ID
 * @has_sub: @sub_vendor and @sub_device are given
 * @sub_vendor: subsystem vendor ID
 * @sub_device: subsystem device ID
 * @dsn: PCIe Device Serial Number, 0 when it has none
 * @force: claim even when it is the boot VGA device (as claim --force)
 * @driver: the driver to claim it for
 * @state: enum pcipass_persist_state (under pcipass_persist_lock)
 * @pdev: the function it was found as (reference held), or NULL
 */
struct pcipass_persist_entry {
	struct pcipass_path path;
	u16 vendor;
	u16 device;
	bool has_sub;
	u16 sub_vendor;
	u16 sub_device;
	u64 dsn;
	bool force;
	char driver[PCIPASS_DRIVER_MAX];
	u8 state;
	struct pci_dev *pdev;
};

/* persist_parse.c */
int pcipass_path_parse(const char *s, struct pcipass_path *p);
int pcipass_path_of(struct pci_dev *pdev, struct pcipass_path *p);
int pcipass_path_print(const struct pcipass_path *p, char *buf, size_t size);
bool pcipass_path_eq(const struct pcipass_path *a,
		     const struct pcipass_path *b);
int pcipass_persist_entry_parse(char *s, struct pcipass_persist_entry *e);

/* persist.c */
void __init pcipass_persist_parse(void);
void pcipass_persist_exit(void);
void pcipass_persist_added(struct pci_dev *pdev);
void pcipass_persist_removed(struct pci_dev *pdev);

/* persist_add.c */
void pcipass_persist_add_stop(void);

/* persist_sweep.c */
void pcipass_persist_sweep(void);
void pcipass_persist_wait(void);

/* persist_job.c */
int pcipass_persist_run(struct pcipass_claim_report *rep, u32 txid);
int pcipass_persist_members_ok(struct pcipass_tx *tx);

#endif /* _PCIPASS_PERSIST_H */
