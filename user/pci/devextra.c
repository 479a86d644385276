// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/print.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "pci/devextra.h"

/* PCI_ROM_RESOURCE: the 7th line of the "resource" file, for type 0
 * headers and bridges alike.
 */
#define ROM_RESOURCE 6

static void devpath(const char *addr, const char *attr, char *buf,
		    size_t size)
{
	snprintf(buf, size, "/sys/bus/pci/devices/%s/%s", addr, attr);
}

static void label(const char *l)
{
	print_text("  %-17s ", l);
}

static void print_methods(char *list)
{
	char *save = NULL;
	bool first = true;

	open_json_array("reset_methods");
	for (char *m = strtok_r(list, " ", &save); m;
	     m = strtok_r(NULL, " ", &save)) {
		print_string(PRINT_ANY, NULL, first ? "%s" : " %s", m);
		first = false;
	}
	close_json_array();
	print_text("\n");
}

/* reset_method lists what the kernel will try, in order (5.15+); the file
 * is hidden when there is none.  Older kernels only had "reset", present
 * when some method exists.
 */
static void print_reset(const char *addr)
{
	char path[PATH_MAX];
	char *list;

	label("reset methods");
	devpath(addr, "reset_method", path, sizeof(path));
	list = sysroot_read_line(path);
	if (list && *list) {
		print_methods(list);
		free(list);
		return;
	}
	free(list);
	devpath(addr, "reset", path, sizeof(path));
	if (sysroot_exists(path)) {
		print_null(PRINT_ANY, "reset_methods", "%s\n",
			   "unknown (kernel without reset_method), but the function can be reset");
		return;
	}
	open_json_array("reset_methods");
	close_json_array();
	print_text("none: the kernel cannot reset this function (no FLR, bus or power-management reset);\n"
		   "                    a VM may leave it in a state that the host or the next VM cannot use\n");
}

/* ROM BAR size from "start end flags" (hex); 0 when unassigned. */
static unsigned long long rom_size(const char *addr)
{
	unsigned long long start, end, flags, size = 0;
	char path[PATH_MAX], line[128];
	FILE *f;

	devpath(addr, "resource", path, sizeof(path));
	f = sysroot_fopen(path);
	if (!f)
		return 0;
	for (int i = 0; i <= ROM_RESOURCE && fgets(line, sizeof(line), f); i++)
		if (i == ROM_RESOURCE &&
		    sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 &&
		    end > start)
			size = end - start + 1;
	fclose(f);
	return size;
}

static void print_size(unsigned long long size)
{
	if (size >= 1 << 20 && !(size % (1 << 20)))
		print_text(", %llu MiB", size >> 20);
	else if (size >= 1 << 10 && !(size % (1 << 10)))
		print_text(", %llu KiB", size >> 10);
	else
		print_text(", %llu bytes", size);
}

static void print_rom(const char *addr)
{
	char path[PATH_MAX];
	unsigned long long size = 0;
	bool present;

	devpath(addr, "rom", path, sizeof(path));
	present = sysroot_exists(path);
	if (present)
		size = rom_size(addr);
	label("option ROM");
	open_json_object("rom");
	print_bool(PRINT_ANY, "present", "%s", present);
	if (size && size <= UINT32_MAX) {
		print_uint(PRINT_JSON, "size", NULL, (unsigned int)size);
		print_size(size);
	} else {
		print_null(PRINT_JSON, "size", NULL, NULL);
	}
	close_json_object();
	print_text("\n");
}

static void print_vfs(const char *addr)
{
	char dir[PATH_MAX], link[PATH_MAX + 16];
	size_t n, count = 0;
	char **names;

	devpath(addr, "", dir, sizeof(dir));
	names = sysroot_list(dir, &n);
	open_json_array("vfs");
	/* virtfn0..N, in numeric order (sysroot_list sorts by version) */
	for (size_t i = 0; i < n; i++) {
		char *vf;

		if (strncmp(names[i], "virtfn", 6))
			continue;
		snprintf(link, sizeof(link), "%s%s", dir, names[i]);
		vf = syspath_target_name(link);
		if (vf)
			print_string(PRINT_ANY, NULL, count++ ? ", %s" : ": %s",
				     vf);
		free(vf);
	}
	close_json_array();
	sysroot_free_names(names, n);
}

static void print_sriov(const char *addr)
{
	char path[PATH_MAX];
	unsigned long total, num;

	label("SR-IOV");
	devpath(addr, "sriov_totalvfs", path, sizeof(path));
	if (!syspath_read_ulong(path, &total)) {
		print_null(PRINT_ANY, "sriov", "%s\n",
			   "no (not an SR-IOV physical function)");
		return;
	}
	devpath(addr, "sriov_numvfs", path, sizeof(path));
	if (!syspath_read_ulong(path, &num))
		num = 0;
	open_json_object("sriov");
	print_uint(PRINT_ANY, "num_vfs", "%u", (unsigned int)num);
	print_uint(PRINT_ANY, "total_vfs", " of %u VFs enabled",
		   (unsigned int)total);
	print_vfs(addr);
	close_json_object();
	print_text("\n");
}

static void print_boot_vga(const char *addr)
{
	char path[PATH_MAX];
	char *v;

	devpath(addr, "boot_vga", path, sizeof(path));
	v = sysroot_read_line(path);
	label("boot VGA");
	print_bool(PRINT_ANY, "boot_vga", "%s\n", v && !strcmp(v, "1"));
	free(v);
}

void devextra_print(const char *addr)
{
	open_json_object("extras");
	print_reset(addr);
	print_rom(addr);
	print_sriov(addr);
	print_boot_vga(addr);
	close_json_object();
}
