/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_MODLOOKUP_H
#define PCIPASS_MODLOOKUP_H

#include <stdbool.h>

/* Kernel module facts for one kernel release, under the sysroot: whether
 * a module exists (libkmod's lookup over the depmod indexes, exactly what
 * modprobe would find), whether it is loaded (/sys/module), and who signed
 * its file.
 */
enum mod_avail {
	MOD_UNKNOWN,	/* no depmod index for this kernel: cannot tell */
	MOD_MISSING,
	MOD_BUILTIN,
	MOD_FILE,
};

enum mod_sig {
	MOD_SIG_UNKNOWN,	/* not asked, no file, or unreadable */
	MOD_SIG_NONE,
	MOD_SIG_SIGNED,
};

struct mod_info {
	enum mod_avail avail;
	char *path;		/* MOD_FILE only */
	bool loaded;		/* /sys/module/NAME exists */
	enum mod_sig sig;
	char *signer;		/* MOD_SIG_SIGNED: the signing key's name */
};

struct modlookup;

/* release may be NULL (unknown kernel): every lookup is MOD_UNKNOWN. */
struct modlookup *modlookup_open(const char *release);
void modlookup_close(struct modlookup *ml);

/* Is there a depmod index to look in? */
bool modlookup_has_index(const struct modlookup *ml);
/* The modules directory, as the user knows it (without the sysroot). */
const char *modlookup_dir(const struct modlookup *ml);

void modlookup_get(struct modlookup *ml, const char *name, bool want_sig,
		   struct mod_info *info);
void modlookup_info_free(struct mod_info *info);

/* Would "modprobe name" find something (a module of that name, dashes and
 * underscores alike, or one with that alias)?  MOD_UNKNOWN without an
 * index, else MOD_MISSING or MOD_FILE.
 */
enum mod_avail modlookup_resolves(struct modlookup *ml, const char *name);

const char *modlookup_avail_name(enum mod_avail a);

#endif
