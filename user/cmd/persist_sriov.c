// SPDX-License-Identifier: GPL-2.0
/*
 * sriov PF --vfs N --persist: the PF's VF count in sriov.conf and, with
 * --claim, its VFs' claims in claims.conf (cmd/persist.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/persist.h"
#include "lib/print.h"
#include "lib/util.h"

/* Is path below pf as one of its VFs ("PF/vfN")? */
static bool vf_of(const char *path, const char *pf)
{
	size_t len = strlen(pf);

	return !strncmp(path, pf, len) && !strncmp(path + len, "/vf", 3);
}

int persist_sriov_after(const char *pf, unsigned long vfs,
			char (*vf)[ADDR_STRLEN], size_t nr_vf,
			const char *driver)
{
	struct persist_conf c, v;
	struct persist_entry e;
	size_t claims = 0, dropped = 0;
	char note[64];
	bool *keep;
	int rc;

	if (persist_ident(pf, &e)) {
		pp_err("cannot read the identity of %s from sysfs: nothing persisted",
		       pf);
		return EXIT_RUNTIME;
	}
	rc = persist_cmd_load_both(&c, &v);
	if (rc)
		return rc;
	/* the PF's count, replaced or dropped; its VFs' claims with it when
	 * they are gone (vfs 0) or claimed anew (--claim)
	 */
	keep = persist_keep_all(v.n);
	for (size_t i = 0; i < v.n; i++)
		keep[i] = strcmp(v.e[i].path, e.path) != 0;
	persist_conf_drop(&v, keep);
	free(keep);
	keep = persist_keep_all(c.n);
	for (size_t i = 0; i < c.n && (!vfs || driver); i++)
		if (vf_of(c.e[i].path, e.path) && ++dropped)
			keep[i] = false;
	persist_conf_drop(&c, keep);
	free(keep);
	if (vfs) {
		e.vfs = vfs;
		e.driver[0] = '\0';
		snprintf(note, sizeof(note), "%s", pf);
		e.note = note;
		persist_conf_add(&v, &e);
	}
	for (size_t i = 0; driver && i < nr_vf && !rc; i++) {
		struct persist_entry f;

		if (persist_ident(vf[i], &f)) {
			pp_err("cannot read the identity of %s from sysfs: nothing persisted",
			       vf[i]);
			rc = EXIT_RUNTIME;
			break;
		}
		snprintf(f.driver, sizeof(f.driver), "%s", driver);
		snprintf(note, sizeof(note), "%s, a VF of %s", vf[i], pf);
		f.note = note;
		persist_conf_add(&c, &f);
		claims++;
	}
	if (!rc && (claims || dropped))
		rc = persist_cmd_save(&c);
	if (!rc)
		rc = persist_cmd_save_sriov(&v);
	if (!rc && !is_json_context()) {
		if (vfs)
			printf("persisted %lu VFs of %s in %s", vfs, pf,
			       PERSIST_SRIOV_CONF);
		else
			printf("no longer persisted: the VF count of %s (%s)", pf,
			       PERSIST_SRIOV_CONF);
		if (claims)
			printf(", their claims in %s", PERSIST_CONF);
		else if (dropped)
			printf(", %zu VF claim%s dropped from %s", dropped,
			       dropped == 1 ? "" : "s", PERSIST_CONF);
		printf("\n");
	}
	if (!rc && (claims || dropped))
		persist_initramfs_note();
	persist_conf_free(&c);
	persist_conf_free(&v);
	return rc;
}
