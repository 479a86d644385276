// SPDX-License-Identifier: GPL-2.0
/*
 * A boot GPU's host console, for the VM hooks (hook/hook.h).  Passing the boot
 * VGA device through means the host lets go of what shows its console
 * there: the frame buffer console (fbcon, bound to the VTs through
 * /sys/class/vtconsole/vtconN/bind) and a firmware framebuffer still
 * holding the GPU's memory (efifb, simpledrm, vesafb: platform devices
 * efi-, simple- and vesa-framebuffer.0).  Each is let go of before the
 * claim and recorded, and given back after the release.  Refused, with
 * who, when a process has the GPU's display nodes open (a display server
 * on it: /dev/dri/cardN, renderDN, /dev/fbN): unbinding would pull the
 * screen from under it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook/hook.h"
#include "hook/vmhold.h"
#include "lib/print.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/vfio_holders.h"

static const char *const firmware_fbs[] = {
	"efi-framebuffer.0", "simple-framebuffer.0", "vesa-framebuffer.0",
};

/* A sysfs name we build paths from: no '/', no "..", not empty. */
static bool plain_name(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

static bool write_sys(const char *path, const char *value)
{
	FILE *f = fopen(path, "we");
	bool ok;

	if (!f)
		return false;
	ok = fputs(value, f) >= 0;
	return !fclose(f) && ok;
}

bool hook_console_is_boot_vga(const char *addr)
{
	char path[128];
	unsigned long v;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/boot_vga", addr);
	return syspath_read_ulong(path, &v) && v == 1;
}

/* The GPU's display nodes and the firmware framebuffers' /dev/fbN. */
struct display_nodes {
	char v[16][32];
	size_t n;
};

static void add_node(struct display_nodes *d, const char *fmt, const char *name)
{
	if (d->n < ARRAY_SIZE(d->v) && plain_name(name))
		snprintf(d->v[d->n++], sizeof(d->v[0]), fmt, name);
}

static void nodes_below(struct display_nodes *d, const char *dir,
			const char *prefix, const char *fmt)
{
	size_t n;
	char **names = sysroot_list(dir, &n);

	for (size_t i = 0; i < n; i++)
		if (!strncmp(names[i], prefix, strlen(prefix)))
			add_node(d, fmt, names[i]);
	sysroot_free_names(names, n);
}

static void display_nodes(const char *gpu, struct display_nodes *d)
{
	char dir[128];

	d->n = 0;
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/drm", gpu);
	nodes_below(d, dir, "card", "/dev/dri/%s");
	nodes_below(d, dir, "renderD", "/dev/dri/%s");
	snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/graphics", gpu);
	nodes_below(d, dir, "fb", "/dev/%s");
	for (size_t i = 0; i < ARRAY_SIZE(firmware_fbs); i++) {
		snprintf(dir, sizeof(dir), "/sys/bus/platform/devices/%s/graphics",
			 firmware_fbs[i]);
		nodes_below(d, dir, "fb", "/dev/%s");
	}
}

static bool is_display_node(const char *file, void *arg)
{
	const struct display_nodes *d = arg;

	for (size_t i = 0; i < d->n; i++)
		if (!strcmp(file, d->v[i]))
			return true;
	return false;
}

/* Who has the GPU's display open, or NULL (caller frees). */
static char *display_users(const char *gpu)
{
	struct display_nodes d;
	struct vfio_holders h;
	char *who = NULL;

	display_nodes(gpu, &d);
	if (d.n && fd_holders_find(is_display_node, &d, &h)) {
		who = vfio_holders_words(&h);
		vfio_holders_free(&h);
	}
	return who;
}

/* fbcon off the VTs: each vtconsole that is a frame buffer device. */
static void take_vtcons(struct vmhold *rec)
{
	size_t n;
	char **names = sysroot_list("/sys/class/vtconsole", &n);

	for (size_t i = 0; i < n && rec->nvtcon < VMHOLD_CONSOLE_MAX; i++) {
		char path[128], *name, *bind;

		if (!plain_name(names[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/class/vtconsole/%s/name", names[i]);
		name = sysroot_read_line(path);
		snprintf(path, sizeof(path), "/sys/class/vtconsole/%s/bind", names[i]);
		bind = sysroot_read_line(path);
		if (name && strstr(name, "frame buffer device") && bind &&
		    !strcmp(bind, "1") && write_sys(path, "0")) {
			snprintf(rec->vtcon[rec->nvtcon++], sizeof(rec->vtcon[0]),
				 "%s", names[i]);
			print_text("%s: the frame buffer console let go of the VTs\n",
				   names[i]);
		}
		free(name);
		free(bind);
	}
	sysroot_free_names(names, n);
}

/* Firmware framebuffers still bound: unbound from their drivers. */
static void take_firmware_fbs(struct vmhold *rec)
{
	for (size_t i = 0; i < ARRAY_SIZE(firmware_fbs); i++) {
		char path[160], *drv;

		snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/driver",
			 firmware_fbs[i]);
		drv = syspath_target_name(path);
		if (!drv || !plain_name(drv) || rec->nfb >= VMHOLD_CONSOLE_MAX) {
			free(drv);
			continue;
		}
		snprintf(path, sizeof(path), "/sys/bus/platform/drivers/%s/unbind", drv);
		if (write_sys(path, firmware_fbs[i])) {
			snprintf(rec->fbdev[rec->nfb], sizeof(rec->fbdev[0]), "%s",
				 firmware_fbs[i]);
			snprintf(rec->fbdrv[rec->nfb++], sizeof(rec->fbdrv[0]), "%s", drv);
			print_text("%s: unbound from %s (it held the boot GPU's memory)\n",
				   firmware_fbs[i], drv);
		}
		free(drv);
	}
}

bool hook_console_take(const char *gpu, struct vmhold *rec, char *why,
		       size_t size)
{
	char *who = display_users(gpu);

	if (who) {
		snprintf(why, size, "%s is the boot GPU and %s has its display open (a display server?): stop it first (systemctl stop display-manager)",
			 gpu, who);
		free(who);
		return false;
	}
	take_vtcons(rec);
	take_firmware_fbs(rec);
	return true;
}

void hook_console_give(const struct vmhold *rec, const char *gpu)
{
	char path[160], *drv;
	bool gpu_driven;

	/* a firmware framebuffer only where no GPU driver shows the console */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", gpu);
	drv = syspath_target_name(path);
	gpu_driven = drv && strcmp(drv, "vfio-pci");
	free(drv);
	for (size_t i = 0; i < rec->nfb && !gpu_driven; i++) {
		if (!plain_name(rec->fbdev[i]) || !plain_name(rec->fbdrv[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/platform/drivers/%s/bind",
			 rec->fbdrv[i]);
		if (!write_sys(path, rec->fbdev[i]))
			pp_err("%s: could not bind it to %s again (%s)", rec->fbdev[i],
			       rec->fbdrv[i], path);
	}
	for (size_t i = 0; i < rec->nvtcon; i++) {
		if (!plain_name(rec->vtcon[i]))
			continue;
		snprintf(path, sizeof(path), "/sys/class/vtconsole/%s/bind",
			 rec->vtcon[i]);
		if (write_sys(path, "1"))
			print_text("%s: the frame buffer console is back on the VTs\n",
				   rec->vtcon[i]);
		else
			pp_err("%s: could not bind the console again (echo 1 > %s)",
			       rec->vtcon[i], path);
	}
}
