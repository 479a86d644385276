// SPDX-License-Identifier: GPL-2.0
/*
 * Fault points for the tests (see fault.h); built only with
 * CONFIG_FAULT_INJECTION_DEBUG_FS.
 *
 * A fault attribute of our own rather than fail_function on a kprobe: the
 * framework draws a random number on every check, and from a kprobe's int3
 * handler (NMI-like for lockdep) that takes the crng lock in a context
 * lockdep rejects.  Here the check runs in the worker's own context.
 */

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fault-inject.h>
#include <linux/kernel.h>

#include "fault.h"

static DECLARE_FAULT_ATTR(pcipass_fail_record);
static DECLARE_FAULT_ATTR(pcipass_fail_group);
static struct dentry *pcipass_fault_dir[2];

static struct dentry *pcipass_fault_attr(const char *name,
					 struct fault_attr *attr)
{
	struct dentry *dir = fault_create_debugfs_attr(name, NULL, attr);

	return IS_ERR(dir) ? NULL : dir;
}

/* No debugfs (or no memory for it) only means no fault can be asked for. */
void pcipass_fault_init(void)
{
	pcipass_fault_dir[0] = pcipass_fault_attr("fail_pcipass_record",
						  &pcipass_fail_record);
	pcipass_fault_dir[1] = pcipass_fault_attr("fail_pcipass_group",
						  &pcipass_fail_group);
}

void pcipass_fault_exit(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pcipass_fault_dir); i++) {
		debugfs_remove_recursive(pcipass_fault_dir[i]);
		pcipass_fault_dir[i] = NULL;
	}
}

/* True when making a claim record (claim_rec.c) is to fail now. */
bool pcipass_fault_record(void)
{
	return should_fail(&pcipass_fail_record, 1);
}

/* True when the array of a group's members (claim_group.c) is to fail now. */
bool pcipass_fault_group(void)
{
	return should_fail(&pcipass_fail_group, 1);
}
