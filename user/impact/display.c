// SPDX-License-Identifier: GPL-2.0
/*
 * The display side of a GPU: is it the boot VGA device, and which
 * framebuffers (fbdev) and DRM cards draw on it.  The firmware's
 * framebuffer (efifb, simplefb, simpledrm, vesafb) hangs off a platform
 * device, not the GPU, but it is the boot GPU's memory it scans out of
 * (the kernel picks boot_vga by exactly that): it is counted for the
 * boot GPU, since it holds the GPU's BAR and keeps vfio-pci from it.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

static const char *const firmware_fbs[] = {
	"efi-framebuffer", "simple-framebuffer", "vesa-framebuffer",
	"vga-framebuffer",
};

static bool is_firmware_fb(const char *devname)
{
	for (size_t i = 0; i < ARRAY_SIZE(firmware_fbs); i++)
		if (!strncmp(devname, firmware_fbs[i], strlen(firmware_fbs[i])))
			return true;
	return false;
}

const char *impact_fb_hint(const char *firmware)
{
	if (!firmware)
		return NULL;
	if (!strncmp(firmware, "vesa-", 5))
		return "video=vesafb:off";
	if (!strncmp(firmware, "efi-", 4))
		return "initcall_blacklist=sysfb_init (kernels before 5.15: video=efifb:off)";
	return "initcall_blacklist=sysfb_init";
}

/* "fb0", "card1": a prefix and digits only (not "card1-HDMI-A-1"). */
static bool numbered(const char *name, const char *prefix)
{
	size_t len = strlen(prefix);

	return !strncmp(name, prefix, len) && name[len] &&
	       strspn(name + len, "0123456789") == strlen(name + len);
}

/* Adds dir/name when it draws on function f; NULL otherwise. */
static struct imp_fb *scan_one(struct imp_func *f, const char *dir,
			       const char *name, struct imp_fb **v, size_t *n)
{
	char path[PATH_MAX];
	char *real, *base;
	struct imp_fb *fb = NULL;

	snprintf(path, sizeof(path), "%s/%s/device", dir, name);
	real = syspath_resolve(path);
	if (!real)
		return NULL;
	base = strrchr(real, '/') + 1;
	if (syspath_under(real, f->path)) {
		fb = vec_push(v, n, sizeof(**v));
	} else if (f->disp.boot_vga && is_firmware_fb(base)) {
		fb = vec_push(v, n, sizeof(**v));
		fb->firmware = xstrdup(base);
	}
	if (fb)
		fb->name = xstrdup(name);
	free(real);
	return fb;
}

/* with_id: fbdev's "name" attribute says which driver made it */
static void scan_class(struct imp_func *f, const char *dir, const char *prefix,
		       bool with_id, struct imp_fb **v, size_t *n)
{
	size_t count;
	char **names = sysroot_list(dir, &count);

	for (size_t i = 0; i < count; i++) {
		char path[PATH_MAX];
		struct imp_fb *fb;

		if (!numbered(names[i], prefix))
			continue;
		fb = scan_one(f, dir, names[i], v, n);
		if (fb && with_id) {
			snprintf(path, sizeof(path), "%s/%s/name", dir,
				 names[i]);
			fb->id = sysroot_read_line(path);
		}
	}
	sysroot_free_names(names, count);
}

/* vtcon1 "(M) frame buffer device" with bind 1: fbcon owns the VTs. */
static bool fbcon_bound(void)
{
	size_t n;
	char **names = sysroot_list("/sys/class/vtconsole", &n);
	bool bound = false;

	for (size_t i = 0; i < n && !bound; i++) {
		char path[PATH_MAX];
		char *desc, *bind;

		snprintf(path, sizeof(path), "/sys/class/vtconsole/%s/name",
			 names[i]);
		desc = sysroot_read_line(path);
		snprintf(path, sizeof(path), "/sys/class/vtconsole/%s/bind",
			 names[i]);
		bind = sysroot_read_line(path);
		bound = desc && bind && strstr(desc, "frame buffer") &&
			!strcmp(bind, "1");
		free(desc);
		free(bind);
	}
	sysroot_free_names(names, n);
	return bound;
}

void impact_display_gather(struct imp_func *f)
{
	char path[PATH_MAX];
	char *v;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/boot_vga",
		 f->addr);
	v = sysroot_read_line(path);
	f->disp.boot_vga = v && !strcmp(v, "1");
	free(v);
	scan_class(f, "/sys/class/graphics", "fb", true, &f->disp.fbs,
		   &f->disp.nfbs);
	scan_class(f, "/sys/class/drm", "card", false, &f->disp.cards,
		   &f->disp.ncards);
	if (f->disp.nfbs)
		f->disp.fbcon = fbcon_bound();
}
