// SPDX-License-Identifier: GPL-2.0
/*
 * The root filesystem check of persisted claims, and pcipass persist
 * boot-option: the modprobe.d text the initramfs gets
 * (boot/initramfs-tools/hooks/pcipass writes it over the copy of
 * /etc/modprobe.d/pcipass.conf that mkinitramfs made).
 *
 * claim --persist refuses the root filesystem's controller, but a line
 * written by hand is not checked against the host, and the root disk may
 * have moved since.  A claim of it at boot would take the disk the
 * initramfs is about to mount: a host that does not come up.  So each
 * time the module option is written (persist apply, claim and release
 * --persist, persist remove) and each time an initramfs is built on a
 * running host, an entry whose function holds the root filesystem is left
 * out of the option (the others in its IOMMU group are then strangers to
 * the module, which leaves the whole group to its host drivers).
 */
#include <stdio.h>
#include <stdlib.h>

#include "impact.h"
#include "persist.h"
#include "print.h"
#include "util.h"

bool persist_holds_root(const char *addr, char **why)
{
	const char *addrs[] = { addr };
	struct impact_hold *holds = NULL;
	struct impact *im = impact_collect(addrs, 1);
	bool root = false;
	size_t n;

	if (!im)
		die_oom();
	n = impact_holds(im, &holds);
	for (size_t i = 0; i < n && !root; i++) {
		root = holds[i].kind == IMPACT_HOLD_ROOT;
		if (root)
			*why = xstrdup(holds[i].detail ? holds[i].detail : "");
	}
	impact_holds_free(holds, n);
	impact_free(im);
	return root;
}

size_t persist_mark_root(struct persist_conf *c, bool quiet)
{
	struct persist_hw hw;
	size_t idx, n = 0;

	persist_hw_scan(&hw);
	for (size_t i = 0; i < c->n; i++) {
		enum persist_match m = persist_hw_match(&hw, &c->e[i], &idx);
		char *why = NULL;

		if ((m != PERSIST_MATCH_HERE && m != PERSIST_MATCH_MOVED) ||
		    !persist_holds_root(hw.addr[idx], &why))
			continue;
		c->e[i].off = true;
		n++;
		if (!quiet)
			pp_err("%s:%zu: %s (now %s) holds the root filesystem (%s): left out of the module option, its IOMMU group stays with the host; remove the line",
			       PERSIST_CONF, c->e[i].line, c->e[i].path,
			       hw.addr[idx], why);
		free(why);
	}
	persist_hw_free(&hw);
	return n;
}

int persist_boot_option(struct persist_conf *c)
{
	char *text;

	persist_mark_root(c, false);
	text = persist_conf_modprobe_text(c, PERSIST_CONF);
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}
