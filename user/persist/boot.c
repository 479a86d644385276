// SPDX-License-Identifier: GPL-2.0
/*
 * The check of what the host holds, and pcipass persist boot-option: the
 * modprobe.d text the initramfs gets (boot/initramfs-tools/hooks/pcipass
 * writes it over the copy of /etc/modprobe.d/pcipass.conf that
 * mkinitramfs made).
 *
 * claim --persist refuses what claim refuses, but a line written by hand
 * is not checked against the host, and the host changes after a line was
 * written: the root disk moves, a disk gets a filesystem in fstab.  The
 * initramfs applies the claims before anything is mounted, so nothing at
 * boot would refuse them: a claim of the root disk's controller is a host
 * that does not come up; one of a disk the host mounts later is a failed
 * mount (an emergency shell when fstab does not say nofail).  So each time
 * the module option is written (persist apply, claim and release
 * --persist, persist remove, persist wait when it loads the module) and
 * each time an initramfs is built on a running host, an entry whose
 * function the host holds that way is left out of the option (the others
 * in its IOMMU group are then strangers to the module, which leaves the
 * whole group to its host drivers).  The root filesystem always; a disk
 * in use (mounted, swap, under LVM/md/dm, an imported pool) unless the
 * entry says force, as claim --force takes it.  Up network interfaces are
 * not checked: at boot nothing has configured them yet, and a host
 * without that NIC still comes up.
 */
#include <stdio.h>
#include <stdlib.h>

#include "impact/impact.h"
#include "lib/print.h"
#include "lib/util.h"
#include "persist/persist.h"

enum persist_hold persist_host_hold(const char *addr, bool force, char **why)
{
	const char *addrs[] = { addr };
	struct impact_hold *holds = NULL;
	struct impact *im = impact_collect(addrs, 1);
	enum persist_hold held = PERSIST_HOLD_NONE;
	const char *what = NULL;
	size_t n;

	if (!im)
		die_oom();
	n = impact_holds(im, &holds);
	for (size_t i = 0; i < n; i++) {
		if (holds[i].kind == IMPACT_HOLD_ROOT) {
			held = PERSIST_HOLD_ROOT;
			what = holds[i].detail;
			break;
		}
		if (holds[i].kind == IMPACT_HOLD_BLOCK && !force && !held) {
			held = PERSIST_HOLD_DISK;
			what = holds[i].detail;
		}
	}
	if (held)
		*why = xstrdup(what ? what : "?");
	impact_holds_free(holds, n);
	impact_free(im);
	return held;
}

static void say_left_out(const struct persist_entry *e, const char *addr,
			 enum persist_hold held)
{
	if (held == PERSIST_HOLD_ROOT)
		pp_err("%s:%zu: %s (now %s) holds the root filesystem (%s): left out of the module option, its IOMMU group stays with the host; remove the line",
		       PERSIST_CONF, e->line, e->path, addr, e->off_why);
	else
		pp_err("%s:%zu: %s (now %s) holds a disk in use (%s): left out of the module option, a claim at boot would fail its mount; unmount it (and take it out of /etc/fstab), or add 'force' to the line",
		       PERSIST_CONF, e->line, e->path, addr, e->off_why);
}

size_t persist_mark_held(struct persist_conf *c, bool quiet)
{
	struct persist_hw hw;
	size_t idx, n = 0;

	persist_hw_scan(&hw);
	for (size_t i = 0; i < c->n; i++) {
		struct persist_entry *e = &c->e[i];
		enum persist_match m = persist_hw_match(&hw, e, &idx);
		enum persist_hold held;
		char *why = NULL;

		if (m != PERSIST_MATCH_HERE && m != PERSIST_MATCH_MOVED)
			continue;
		held = persist_host_hold(hw.addr[idx], e->force, &why);
		if (!held)
			continue;
		e->off = true;
		free(e->off_why);
		e->off_why = why;
		n++;
		if (!quiet)
			say_left_out(e, hw.addr[idx], held);
	}
	persist_hw_free(&hw);
	return n;
}

int persist_boot_option(struct persist_conf *c)
{
	char *text;

	persist_mark_held(c, false);
	text = persist_conf_modprobe_text(c, PERSIST_CONF);
	fputs(text, stdout);
	free(text);
	return EXIT_OK;
}
