/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CMD_PERSIST_H
#define PCIPASS_CMD_PERSIST_H

#include <stdbool.h>
#include <stddef.h>

#include "persist/persist.h"

/* `pcipass persist` and the --persist of claim, release and sriov, split
 * by concern:
 *   cmd/persist.c       - the command: apply, wait, boot-option, its
 *                         options and help; the files' loading and saving;
 *                         claim/release --persist
 *   cmd/persist_list.c  - persist list and persist remove
 *   cmd/persist_sriov.c - sriov --persist
 */

/*
 * Loads file (claims.conf or sriov.conf); bad lines are reported (strict:
 * and nothing loaded).  Return: 0, or an exit code; *bad: how many lines
 * were bad.
 */
int persist_cmd_load_file(const char *file, struct persist_conf *c,
			  bool strict, int *bad);
/* claims.conf; sriov.conf strict; both strict (neither loaded on error). */
int persist_cmd_load(struct persist_conf *c, bool strict);
int persist_cmd_load_sriov(struct persist_conf *v);
int persist_cmd_load_both(struct persist_conf *c, struct persist_conf *v);
/* claims.conf and the module option; sriov.conf.  0 or an exit code. */
int persist_cmd_save(struct persist_conf *c);
int persist_cmd_save_sriov(struct persist_conf *v);
/* After a change: the claims reach the initramfs only when it is rebuilt. */
void persist_initramfs_note(void);
/* n trues (caller frees), for persist_conf_drop(). */
bool *persist_keep_all(size_t n);

/* cmd/persist_list.c */
int persist_list(void);
int persist_remove(int argc, char **argv);

#endif
