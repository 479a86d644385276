// SPDX-License-Identifier: GPL-2.0
/*
 * pcipass rom check [--for ADDR] [--output OUT] FILE
 * pcipass rom save [--force] ADDR FILE
 *
 * The option ROM toolkit: check a ROM file before handing it to QEMU
 * (romfile=), and back up a device's ROM from sysfs.  The parsing is
 * rom/parse.c, the printing rom/print.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "cli.h"
#include "lib/addr.h"
#include "lib/print.h"
#include "lib/sysroot.h"
#include "lib/util.h"
#include "rom/rom.h"

#define DEV_DIR "/sys/bus/pci/devices/"

/* Reads at most max bytes of fd; -errno, or 0 with *buf (caller frees). */
static int read_all(int fd, size_t max, uint8_t **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	uint8_t *b = xrealloc(NULL, cap);

	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max) {
				free(b);
				return -EFBIG;
			}
			cap *= 2;
			b = xrealloc(b, cap);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			free(b);
			return err;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	*buf = b;
	*len = n;
	return 0;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return -errno;
	rc = read_all(fd, ROM_FILE_MAX, buf, len);
	close(fd);
	return rc;
}

static int write_all(int fd, const uint8_t *b, size_t len)
{
	while (len) {
		ssize_t w = write(fd, b, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Writes file atomically: a temporary file next to it, then a rename
 * that, without force, refuses to replace an existing file (renameat2's
 * RENAME_NOREPLACE; link(2) where the filesystem lacks it).  0 or -errno.
 */
static int write_atomic(const char *file, const uint8_t *b, size_t len,
			bool force)
{
	char *tmp;
	int fd, rc;

	if (asprintf(&tmp, "%s.XXXXXX", file) < 0)
		die_oom();
	fd = mkstemp(tmp);
	if (fd < 0) {
		rc = -errno;
		free(tmp);
		return rc;
	}
	rc = write_all(fd, b, len);
	if (!rc && fchmod(fd, 0644))
		rc = -errno;
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (!rc && force && rename(tmp, file))
		rc = -errno;
	if (!rc && !force &&
	    renameat2(AT_FDCWD, tmp, AT_FDCWD, file, RENAME_NOREPLACE)) {
		rc = -errno;
		if (rc == -EINVAL)
			rc = link(tmp, file) ? -errno : 0;
	}
	unlink(tmp);	/* after rename: ENOENT, harmless */
	free(tmp);
	return rc;
}

static int write_out(const char *file, const uint8_t *b, size_t len,
		     bool force)
{
	int rc = write_atomic(file, b, len, force);

	if (rc == -EEXIST)
		pp_err("%s exists: not overwritten (--force replaces it)", file);
	else if (rc)
		pp_err("cannot write %s: %s", file, strerror(-rc));
	return rc ? EXIT_RUNTIME : EXIT_OK;
}

/* The function's sysfs directory name, or a usage error. */
static int parse_function(const char *arg, char out[ADDR_STRLEN])
{
	enum addr_scope scope;
	struct pp_addr a;

	if (addr_parse(arg, &a, &scope) || scope != ADDR_FUNCTION)
		return cli_usage_error("invalid PCI function '%s': expected [DDDD:]BB:DD.F",
				       arg);
	addr_fmt(&a, out);
	return 0;
}

static char *dev_attr(const char *addr, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), DEV_DIR "%s/%s", addr, attr);
	return sysroot_read_line(path);
}

/* The device's vendor and device IDs from sysfs; false after saying why. */
static bool device_ids(const char *addr, uint16_t ids[2])
{
	char *v = dev_attr(addr, "vendor"), *d = dev_attr(addr, "device");
	char *e1 = NULL, *e2 = NULL;
	bool ok = v && d;

	if (ok) {
		ids[0] = (uint16_t)strtoul(v, &e1, 16);
		ids[1] = (uint16_t)strtoul(d, &e2, 16);
		ok = *v && *d && !*e1 && !*e2;
	}
	if (!ok)
		pp_err("no PCI function %s (its vendor and device IDs are not in sysfs)",
		       addr);
	free(v);
	free(d);
	return ok;
}

static int exit_of(const struct rom_report *r)
{
	return rom_valid(r) ? EXIT_OK : EXIT_ROM_INVALID;
}

static int rom_check(const char *file, const char *for_arg,
		     const char *output)
{
	char addr[ADDR_STRLEN];
	struct rom_report *r;
	uint16_t ids[2];
	uint8_t *buf;
	size_t len;
	int rc;

	if (for_arg && parse_function(for_arg, addr))
		return EXIT_USAGE;
	if (for_arg && !device_ids(addr, ids))
		return EXIT_RUNTIME;
	rc = read_file(file, &buf, &len);
	if (rc) {
		pp_err("cannot read %s: %s", file, rc == -EFBIG ?
		       "larger than 64 MiB, not an option ROM" :
		       strerror(-rc));
		return EXIT_RUNTIME;
	}
	r = xrealloc(NULL, sizeof(*r));
	rom_parse(buf, len, for_arg ? ids : NULL, r);
	open_json_object(NULL);
	/* QEMU takes the file as it is: with a header, only --output's copy */
	rom_print(r, file, output ? output : r->start ? NULL : file,
		  for_arg ? addr : NULL);
	print_opt_string(PRINT_JSON, "output", NULL, output, NULL);
	close_json_object();
	rc = exit_of(r);
	if (output && rc == EXIT_OK) {
		rc = write_out(output, buf + r->start, r->end - r->start,
			       false);
		if (rc == EXIT_OK)
			print_text("wrote the %u image%s (%zu bytes) to %s\n",
				   r->nimg, r->nimg == 1 ? "" : "s",
				   r->end - r->start, output);
	} else if (output) {
		print_text("nothing written to %s: the ROM is invalid\n",
			   output);
	}
	free(r);
	free(buf);
	return rc;
}

/* Writes val to a sysfs attribute; on anything but sysfs (a test
 * fixture's plain file) there is nothing to write.  0 or -errno.
 */
static int sysfs_write(const char *path, const char *val)
{
	struct statfs sfs;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == SYSFS_MAGIC)
		rc = write_all(fd, (const uint8_t *)val, strlen(val));
	close(fd);
	return rc;
}

/* "1" or "0" to the rom attribute: allows or forbids reads of it. */
static int rom_enable(const char *path, bool on)
{
	return sysfs_write(path, on ? "1" : "0");
}

static char *driver_of(const char *addr)
{
	char link[PATH_MAX], path[PATH_MAX], target[PATH_MAX];
	const char *p;
	ssize_t n;

	snprintf(link, sizeof(link), DEV_DIR "%s/driver", addr);
	p = sysroot_path(link, path, sizeof(path));
	n = p ? readlink(p, target, sizeof(target) - 1) : -1;
	if (n <= 0)
		return NULL;
	target[n] = '\0';
	p = strrchr(target, '/');
	return xstrdup(p ? p + 1 : target);
}

/* The Command register from the config attribute; -1 if unreadable. */
static int command_reg(const char *addr)
{
	char rel[PATH_MAX], cfg[6];

	snprintf(rel, sizeof(rel), DEV_DIR "%s/config", addr);
	if (sysroot_read(rel, cfg, sizeof(cfg)) != (ssize_t)sizeof(cfg) - 1)
		return -1;
	return (uint8_t)cfg[4] | (uint8_t)cfg[5] << 8;
}

static void explain_read_error(const char *addr, const char *driver, int err)
{
	int cmd = command_reg(addr);

	pp_err("reading the ROM of %s failed: %s", addr, strerror(-err));
	if (err != -EIO)
		return;
	fprintf(stderr, "  The kernel found no valid ROM image behind the device's ROM BAR.\n");
	/* The kernel enables the ROM BAR for the read, not memory decoding. */
	if (cmd >= 0 && !(cmd & 0x2))
		fprintf(stderr,
			"  Memory decoding is off in %s's Command register (0x%04x), so the\n"
			"  device answers no memory read, its ROM's neither.  Turn it on for\n"
			"  the save and off again afterwards:\n"
			"    setpci -s %s COMMAND=0002:0002\n"
			"    pcipass rom save %s FILE\n"
			"    setpci -s %s COMMAND=0000:0002\n",
			addr, cmd, addr, addr, addr);
	else if (driver && strcmp(driver, "vfio-pci") && strcmp(driver, "pci-stub"))
		fprintf(stderr,
			"  %s is bound to %s, a driver that owns the device and may have\n"
			"  disabled or reprogrammed its ROM BAR: unbind it or claim it first\n"
			"  ('pcipass claim %s'), then run rom save again.\n",
			addr, driver, addr);
	else
		fprintf(stderr,
			"  The ROM BAR may be empty or disabled by the firmware; some GPUs\n"
			"  expose their ROM only after a driver initialised them, and a\n"
			"  primary GPU's may exist only as the firmware's shadow copy.\n");
}

/*
 * The kernel's read of the rom attribute (pci_read_rom) maps and enables
 * the ROM BAR but does not resume a runtime-suspended device: in D3hot a
 * function answers only config cycles, so the read sees 0xff and fails
 * with EIO.  vfio-pci puts every device it holds but nobody opened into
 * D3hot (runtime PM, power/control "auto"), so "claim, then rom save"
 * would read nothing on real hardware.  Writing "on" to power/control
 * resumes the device and keeps it in D0; the old value goes back after
 * the read.  Returns true when it woke the device (old value "auto").
 */
static bool wake_device(const char *addr, char path[PATH_MAX])
{
	char rel[PATH_MAX], *ctl;
	bool woke = false;

	snprintf(rel, sizeof(rel), DEV_DIR "%s/power/control", addr);
	ctl = sysroot_read_line(rel);
	if (ctl && !strcmp(ctl, "auto") && sysroot_path(rel, path, PATH_MAX))
		woke = sysfs_write(path, "on") == 0;
	free(ctl);
	return woke;
}

/* Reads the rom attribute: wake, enable, read, disable.  0 or -errno. */
static int read_rom(const char *addr, uint8_t **buf, size_t *len, bool *woke)
{
	char rel[PATH_MAX], path[PATH_MAX], pm[PATH_MAX];
	int rc, off;

	snprintf(rel, sizeof(rel), DEV_DIR "%s/rom", addr);
	if (!sysroot_path(rel, path, sizeof(path)))
		return -ENAMETOOLONG;
	*woke = wake_device(addr, pm);
	rc = rom_enable(path, true);
	if (!rc) {
		rc = read_file(path, buf, len);
		off = rom_enable(path, false);
		if (!rc && off) {
			free(*buf);
			rc = off;
		}
	}
	if (*woke && sysfs_write(pm, "auto"))
		pp_err("warning: could not give %s back to runtime power management (write auto to %s)",
		       addr, pm);
	return rc;
}

static int rom_save(const char *arg, const char *file, bool force)
{
	char addr[ADDR_STRLEN], rel[PATH_MAX];
	struct rom_report *r;
	char *driver, *boot_vga;
	uint16_t ids[2];
	bool vga, woke = false, saved = false;
	uint8_t *buf;
	size_t len;
	int rc;

	if (parse_function(arg, addr))
		return EXIT_USAGE;
	if (!force && access(file, F_OK) == 0) {
		pp_err("%s exists: not overwritten (--force replaces it)", file);
		return EXIT_RUNTIME;
	}
	if (!device_ids(addr, ids))
		return EXIT_RUNTIME;
	snprintf(rel, sizeof(rel), DEV_DIR "%s/rom", addr);
	if (!sysroot_exists(rel)) {
		pp_err("%s has no option ROM to read: no rom file in sysfs (no expansion ROM BAR, or the platform hides it)",
		       addr);
		return EXIT_RUNTIME;
	}
	driver = driver_of(addr);
	boot_vga = dev_attr(addr, "boot_vga");
	vga = boot_vga && !strcmp(boot_vga, "1");
	free(boot_vga);
	rc = read_rom(addr, &buf, &len, &woke);
	if (rc == -EACCES || rc == -EPERM) {
		pp_err("cannot read the ROM of %s: %s (run as root)", addr,
		       strerror(-rc));
	} else if (rc) {
		explain_read_error(addr, driver, rc);
	} else if (!len) {
		pp_err("the ROM of %s read as 0 bytes: nothing to save", addr);
		free(buf);
		rc = -ENODATA;
	}
	if (rc) {
		free(driver);
		return EXIT_RUNTIME;
	}
	r = xrealloc(NULL, sizeof(*r));
	rom_parse(buf, len, ids, r);
	open_json_object(NULL);
	print_string(PRINT_ANY, "address", "%s", addr);
	print_opt_string(PRINT_ANY, "driver", " (driver %s)\n", driver,
			 "none");
	print_bool(PRINT_JSON, "boot_vga", NULL, vga);
	if (woke)
		print_text("note: %s was under runtime power management (power/control\n"
			   "      auto, D3hot when idle): held in D0 for the read, then set back\n",
			   addr);
	if (vga)
		print_text("note: %s is the boot VGA device: the kernel returns the copy the firmware\n"
			   "      shadowed at 0xC0000 (a legacy image its init code may have changed),\n"
			   "      not the ROM chip's contents\n", addr);
	rom_print(r, file, file, addr);
	rc = exit_of(r);
	if (rc == EXIT_OK) {
		rc = write_out(file, buf, len, force);
		saved = rc == EXIT_OK;
	}
	print_bool(PRINT_JSON, "saved", NULL, saved);
	close_json_object();
	if (saved)
		print_text("saved %zu bytes to %s\n", len, file);
	else if (rc == EXIT_ROM_INVALID)
		print_text("not saved: what %s returned is not a valid option ROM\n",
			   addr);
	free(r);
	free(buf);
	free(driver);
	return rc;
}

static int cmd_rom(int argc, char **argv)
{
	const char *for_arg = NULL, *output = NULL, *sub;
	bool force = false;
	int c;

	while ((c = cli_getopt(argc, argv, &cli_cmd_rom)) != -1) {
		switch (c) {
		case 'F':
			for_arg = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			return cli_help(&cli_cmd_rom);
		default:
			return EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return cli_usage_error("rom: expected check or save");
	sub = argv[optind++];
	if (!strcmp(sub, "check")) {
		if (force)
			return cli_usage_error("rom check: --force is for rom save");
		if (optind >= argc)
			return cli_usage_error("rom check: missing FILE, e.g. 'pcipass rom check vbios.rom'");
		if (optind + 1 < argc)
			return cli_usage_error("rom check: unexpected argument '%s'",
					       argv[optind + 1]);
		return rom_check(argv[optind], for_arg, output);
	}
	if (!strcmp(sub, "save")) {
		if (for_arg || output)
			return cli_usage_error("rom save: --%s is for rom check",
					       for_arg ? "for" : "output");
		if (optind + 2 > argc)
			return cli_usage_error("rom save: expected ADDR FILE, e.g. 'pcipass rom save 01:00.0 vbios.rom'");
		if (optind + 2 < argc)
			return cli_usage_error("rom save: unexpected argument '%s'",
					       argv[optind + 2]);
		return rom_save(argv[optind], argv[optind + 1], force);
	}
	return cli_usage_error("rom: unknown subcommand '%s' (check, save)", sub);
}

static const struct cli_opt rom_opts[] = {
	{ "for", 'F', "ADDR",
	  "rom check: the ROM must be for this device's vendor:device" },
	{ "output", 'o', "OUT",
	  "rom check: write the images, without a vendor header, to OUT" },
	{ "force", 'f', NULL, "rom save: replace an existing FILE" },
	{ 0 },
};

const struct cli_cmd cli_cmd_rom = {
	.name = "rom",
	.run = cmd_rom,
	.synopsis = "check [--for ADDR] [--output OUT] FILE\n"
		    "save [--force] ADDR FILE",
	.summary = "check an option ROM (VBIOS) file, or save a device's",
	.opts = rom_opts,
	.help =
	"  check FILE    validate an option ROM file before giving it to QEMU\n"
	"                (romfile=): each image of the chain (0x55AA, its PCI\n"
	"                Data Structure, vendor:device, code type: legacy x86\n"
	"                or EFI with its machine type, the last-image flag,\n"
	"                its length against the file, a legacy image's\n"
	"                checksum); a vendor header in front of the first\n"
	"                image (NVIDIA's) is found and stripped (--output\n"
	"                writes the ROM without it); whether UEFI (OVMF)\n"
	"                guests can use it; the Proxmox romfile= and libvirt\n"
	"                <rom file=...> lines for a copy in /usr/share/kvm/\n"
	"  save ADDR FILE\n"
	"                read the function's ROM from sysfs (its rom file:\n"
	"                enable, read, disable), check it as rom check does\n"
	"                and write it to FILE atomically, refusing to replace\n"
	"                an existing FILE without --force.  Needs root.  A\n"
	"                runtime-suspended device (vfio-pci's idle D3hot) is\n"
	"                held in D0 for the read.  Memory decoding off in the\n"
	"                Command register, or a driver bound to the device,\n"
	"                can make the read fail: it says why (unbind or claim\n"
	"                it first).  The boot VGA device gives the firmware's\n"
	"                shadow copy, not the ROM chip's.\n"
	"\n"
	"Exit status: 0 a valid ROM (saved), 1 could not run (no such file\n"
	"or device, no ROM, a read error, not root, FILE exists),\n"
	"2 usage error, " PP_STR(EXIT_ROM_INVALID_NUM) " not a valid option ROM (nothing saved).\n",
};
