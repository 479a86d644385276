/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PERSIST_H
#define PCIPASS_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/pcipass.h>

#include "lib/addr.h"

/* Persisted claims: /etc/pcipass/claims.conf, the file a person reads and
 * edits (one line per PCI function, comments kept), compiled into the
 * module option claims= in /etc/modprobe.d/pcipass.conf, which modprobe
 * (and mkinitramfs) read.  The module matches the entries at load and
 * when functions are added (kmod/persist.c); this side writes, validates
 * and explains them.
 *
 *   persist/conf.c  - the file: parse with line numbers, add, remove, save,
 *                     compile to the module option (pure but for the I/O)
 *   persist/ident.c - a function's identity from sysfs and config space,
 *                     and how an entry matches the hardware now
 *   persist/boot.c  - persist boot-option: what the initramfs gets
 *   persist/wait.c  - persist wait: at boot, until the claims applied
 *   cmd/persist*.c  - persist list|remove|apply|wait, claim/release and
 *                     sriov --persist (cmd/persist.h)
 */

#define PERSIST_CONF	"/etc/pcipass/claims.conf"
#define PERSIST_MODPROBE "/etc/modprobe.d/pcipass.conf"
#define PERSIST_PATH_MAX 96
/* VF counts, by PF identity: the same fields, vfs=N instead of driver= */
#define PERSIST_SRIOV_CONF "/etc/pcipass/sriov.conf"

/* One persisted function. */
struct persist_entry {
	char path[PERSIST_PATH_MAX];	/* "0000:00:1c.0/00.0[/vfN]" */
	uint16_t vendor, device;
	bool has_sub;
	uint16_t sub_vendor, sub_device;
	uint64_t dsn;			/* 0: none */
	char driver[PCIPASS_DRIVER_NAME_MAX];
	bool force;
	char *note;			/* the line's comment, without '#' */
	bool off;			/* left out of the module option */
	char *off_why;			/* why (persist_mark_held), or NULL */
	size_t line;			/* 1-based, in the file */
	unsigned long vfs;		/* sriov.conf: the PF's VF count */
};

/* A line the load refused, and why (as reported to errs). */
struct persist_bad {
	size_t line;			/* 1-based, in the file as loaded */
	char *why;
};

struct persist_conf {
	char **lines;			/* the file, verbatim, without '\n' */
	size_t nlines;
	struct persist_bad *bad;	/* the refused lines, in file order */
	size_t nbad;
	struct persist_entry *e;	/* the entries, in file order */
	size_t n;
	bool sriov;			/* sriov.conf: VF counts, not claims */
};

/* persist/conf.c */
/* One line: 1 an entry (in *e), 0 blank or comment, -1 an error (why). */
int persist_parse_line(const char *text, struct persist_entry *e, char *why,
		       size_t size);
bool persist_path_valid(const char *path);
/* Reads file (missing: empty); each bad line reported to errs as
 * "FILE:LINE: ..." and kept in c->bad.  Return: the number of bad lines,
 * or -errno.
 */
int persist_conf_load(const char *file, struct persist_conf *c, FILE *errs);
void persist_conf_free(struct persist_conf *c);
/* sriov.conf: "PF_PATH VVVV:DDDD [sub=] [dsn=] vfs=N", a PF's VF count by
 * the PF's identity; the same rules as claims.conf otherwise.
 */
int persist_sriov_parse_line(const char *text, struct persist_entry *e,
			     char *why, size_t size);
int persist_sriov_load(const char *file, struct persist_conf *c, FILE *errs);
/* Writes sriov.conf alone (the module never reads it).  0 or -errno. */
int persist_sriov_save(const struct persist_conf *c, const char *file);
/* Appends e as a line (replacing an entry with the same path). */
void persist_conf_add(struct persist_conf *c, const struct persist_entry *e);
/* Drops the entries with keep[i] false; returns how many were dropped. */
size_t persist_conf_drop(struct persist_conf *c, const bool *keep);
/* One entry as the module option spells it, into buf (256 bytes do). */
const char *persist_entry_option(const struct persist_entry *e, char *buf,
				 size_t size);
/* The module option's value, "entry;entry", entries off left out
 * (caller frees).
 */
char *persist_conf_option(const struct persist_conf *c);
/* "PATH VVVV:DDDD sub=... dsn=... driver=... [force]" into buf */
const char *persist_entry_text(const struct persist_entry *e, char *buf,
			       size_t size);
/* /etc/modprobe.d/pcipass.conf's text for c (caller frees). */
char *persist_conf_modprobe_text(const struct persist_conf *c,
				 const char *file);
/* Writes both files atomically (temporary file, rename).  0 or -errno. */
int persist_conf_save(const struct persist_conf *c, const char *file,
		      const char *modprobe_file);

/* persist/ident.c */
enum persist_match {
	PERSIST_MATCH_ABSENT,	/* nothing at its path, not found elsewhere */
	PERSIST_MATCH_HERE,	/* the same function at its path */
	PERSIST_MATCH_MOVED,	/* its serial number at another path */
	PERSIST_MATCH_OTHER,	/* another function at its path */
};

/* The functions present, each as the entry that would persist it. */
struct persist_hw {
	size_t n;
	struct persist_entry *f;
	char (*addr)[ADDR_STRLEN];
};

/* What the entry for function addr ("0000:01:00.0") would be (driver
 * vfio-pci, no force).  0 or -errno.
 */
int persist_ident(const char *addr, struct persist_entry *e);
void persist_hw_scan(struct persist_hw *hw);
void persist_hw_free(struct persist_hw *hw);
/* How e matches the functions present; *idx: the function found. */
enum persist_match persist_hw_match(const struct persist_hw *hw,
				    const struct persist_entry *e,
				    size_t *idx);
const char *persist_match_key(enum persist_match m);
/* The driver bound to function addr, or NULL (caller frees). */
char *persist_bound_driver(const char *addr);
/* Function addr's sriov_numvfs, or -1 (not an SR-IOV PF, unreadable). */
long persist_numvfs(const char *addr);

/* persist/boot.c: persist boot-option; the check of what the host holds. */
int persist_boot_option(struct persist_conf *c);

enum persist_hold {
	PERSIST_HOLD_NONE,
	PERSIST_HOLD_ROOT,	/* the root filesystem: never claimed */
	PERSIST_HOLD_DISK,	/* a mounted disk, swap, a holder: force takes it */
};

/* Sets off (and off_why) on each entry whose function the host holds now
 * in a way a claim at boot must not break (persist_host_hold), naming it
 * on stderr unless quiet.  Returns how many.
 */
size_t persist_mark_held(struct persist_conf *c, bool quiet);
/* What of the host's the function at addr holds, root before disks;
 * disks only without force.  What, in *why (caller frees).
 */
enum persist_hold persist_host_hold(const char *addr, bool force, char **why);

/* persist/wait.c: persist wait (the VF counts of v first); an exit code. */
int persist_wait(struct persist_conf *c, const struct persist_conf *v,
		 unsigned int timeout_s);

/* persist/vfs.c: at boot, each sriov.conf entry's VFs created on its PF
 * (found by identity), the host's VF drivers kept off them; one JSON
 * array "vfs" and a line each.  By deadline (mono_now_s()) at most.
 * Return: false when one was not applied (not matching, no PF driver,
 * refused, failed).
 */
bool persist_vfs_apply(const struct persist_conf *v, double deadline);

/* cmd/persist.c: after a claim or release --persist succeeded. */
struct claim_req;
struct claim_report;
int persist_after(const struct claim_req *req, const struct claim_report *rep);
/* cmd/persist_sriov.c: after sriov PF --vfs N --persist succeeded: the PF's
 * count in sriov.conf (vfs 0: dropped, with the claims of its VFs); with
 * driver (--claim), each of the vfs in claims.conf as claim --persist
 * would record it.  An exit status.
 */
int persist_sriov_after(const char *pf, unsigned long vfs,
			char (*vf)[ADDR_STRLEN], size_t nr_vf,
			const char *driver);

#endif
