// SPDX-License-Identifier: GPL-2.0
/*
 * What rom check and rom save say about an option ROM: text and JSON from
 * the same calls (lib/print.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/print.h"
#include "lib/util.h"
#include "rom/rom.h"

#define KVM_ROM_DIR "/usr/share/kvm"

static void print_efi(const struct rom_image *im)
{
	if (!im->efi) {
		print_null(PRINT_JSON, "efi", NULL, NULL);
		return;
	}
	open_json_object("efi");
	print_text("    EFI: ");
	print_string(PRINT_ANY, "machine_name", "%s",
		     rom_efi_machine_key(im->efi_machine));
	print_uint(PRINT_ANY, "machine", " (0x%04x)", im->efi_machine);
	print_string(PRINT_ANY, "subsystem_name", ", %s",
		     rom_efi_subsystem_key(im->efi_subsystem));
	print_uint(PRINT_ANY, "subsystem", " (%u)", im->efi_subsystem);
	print_uint(PRINT_JSON, "compression", NULL, im->efi_compression);
	print_bool(PRINT_JSON, "compressed", NULL, im->efi_compression != 0);
	print_text(", %s", im->efi_compression == 0 ? "uncompressed" :
		   im->efi_compression == 1 ? "EFI-compressed" :
		   "unknown compression");
	print_uint(PRINT_ANY, "image_offset", ", PE image at +0x%x\n",
		   im->efi_image_offset);
	close_json_object();
}

static void print_checksum(const struct rom_image *im)
{
	if (!im->has_checksum) {
		print_null(PRINT_JSON, "checksum", NULL, NULL);
		print_null(PRINT_JSON, "checksum_ok", NULL, NULL);
		return;
	}
	print_uint(PRINT_JSON, "checksum", NULL, im->checksum);
	print_bool(PRINT_JSON, "checksum_ok", NULL, !im->checksum);
	if (im->checksum)
		print_text("    checksum BAD (bytes sum to 0x%02x)\n",
			   im->checksum);
	else
		print_text("    checksum ok\n");
}

static const char *code_words(unsigned int t)
{
	switch (t) {
	case ROM_CODE_X86: return "legacy x86 (BIOS)";
	case ROM_CODE_OPENFIRMWARE: return "Open Firmware";
	case ROM_CODE_HPPA: return "HP PA-RISC";
	case ROM_CODE_EFI: return "EFI";
	default: return "vendor-specific";
	}
}

static void print_image(const struct rom_image *im, unsigned int i)
{
	open_json_object(NULL);
	print_uint(PRINT_ANY, "index", "  image %u", i);
	print_uint(PRINT_ANY, "offset", " at 0x%x", (unsigned int)im->offset);
	print_uint(PRINT_ANY, "length", ": %u bytes",
		   (unsigned int)im->length);
	print_text(" (%u x 512), ", (unsigned int)(im->length / ROM_UNIT));
	print_uint(PRINT_JSON, "code_type", NULL, im->code_type);
	print_string(PRINT_JSON, "code_type_name", NULL,
		     rom_code_type_key(im->code_type));
	print_text("%s", code_words(im->code_type));
	if (im->code_type > ROM_CODE_EFI)
		print_text(" (code type 0x%02x)", im->code_type);
	print_bool(PRINT_JSON, "last", NULL, im->last);
	print_text("%s\n", im->last ? ", last" : "");
	print_uint(PRINT_ANY, "vendor", "    %04x", im->vendor);
	print_uint(PRINT_ANY, "device", ":%04x", im->device);
	open_json_array("device_list");
	if (im->nids)
		print_text(" (device list:");
	for (unsigned int k = 0; k < im->nids; k++)
		print_uint(PRINT_ANY, NULL, " %04x", im->ids[k]);
	if (im->nids)
		print_text(")");
	close_json_array();
	print_uint(PRINT_ANY, "class", ", class %06x", im->class_code);
	print_uint(PRINT_ANY, "pcir_offset", ", PCIR at +0x%x", im->pcir_offset);
	print_uint(PRINT_ANY, "pcir_revision", " revision %u",
		   im->pcir_revision);
	print_uint(PRINT_ANY, "code_revision", ", code revision 0x%04x\n",
		   im->code_revision);
	print_uint(PRINT_JSON, "init_size", NULL, im->init_size);
	print_checksum(im);
	print_efi(im);
	close_json_object();
}

static void print_findings(const struct rom_report *r)
{
	open_json_array("findings");
	for (unsigned int i = 0; i < r->nf; i++) {
		const struct rom_finding_rec *f = &r->f[i];
		bool err = rom_finding_is_error(f->kind);

		open_json_object(NULL);
		print_string(PRINT_ANY, "severity", "  %s: ",
			     err ? "error" : "warning");
		print_string(PRINT_JSON, "kind", NULL,
			     rom_finding_key(f->kind));
		if (f->image < 0)
			print_null(PRINT_JSON, "image", NULL, NULL);
		else
			print_uint(PRINT_JSON, "image", NULL,
				   (unsigned int)f->image);
		print_string(PRINT_ANY, "message", "%s\n", f->msg);
		close_json_object();
	}
	close_json_array();
}

/* Names Proxmox's romfile= and libvirt's <rom file=...> take as written. */
static bool plain_name(const char *s)
{
	if (!*s || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789._+-") == strlen(s);
}

static void print_use(const struct rom_report *r, const char *romfile,
		      const char *addr)
{
	const char *base = romfile ? strrchr(romfile, '/') : NULL;
	char *pve = NULL, *xml = NULL;
	bool ok = rom_valid(r) && romfile;

	if (rom_valid(r) && !romfile)
		print_text("To use it, write it without the vendor header first: pcipass rom check --output OUT FILE\n");
	base = base ? base + 1 : romfile;
	if (ok && plain_name(base) &&
	    (asprintf(&pve, "hostpciN: %s,romfile=%s", addr ? addr : "ADDR",
		      base) < 0 ||
	     asprintf(&xml, "<rom file='" KVM_ROM_DIR "/%s'/>", base) < 0))
		die_oom();
	if (ok && !pve)
		print_text("To use it, copy it under a plain name (letters, digits, . _ + -) to " KVM_ROM_DIR "/\n");
	if (pve) {
		print_text("To use it, copy it to " KVM_ROM_DIR "/%s, then\n",
			   base);
		print_text("  Proxmox VE (/etc/pve/qemu-server/VMID.conf: add romfile= to the device's hostpciN line):\n");
	}
	print_opt_string(pve ? PRINT_ANY : PRINT_JSON, "proxmox", "    %s\n",
			 pve, NULL);
	if (xml)
		print_text("  libvirt (virsh edit VM: inside the device's <hostdev>):\n");
	print_opt_string(xml ? PRINT_ANY : PRINT_JSON, "libvirt", "    %s\n",
			 xml, NULL);
	free(pve);
	free(xml);
}

void rom_print(const struct rom_report *r, const char *file,
	       const char *romfile, const char *addr)
{
	unsigned int errors = 0;

	for (unsigned int i = 0; i < r->nf; i++)
		errors += rom_finding_is_error(r->f[i].kind);
	print_string(PRINT_ANY, "file", "%s", file);
	print_uint(PRINT_ANY, "size", ": %u bytes", (unsigned int)r->file_size);
	print_text(", %u image%s\n", r->nimg, r->nimg == 1 ? "" : "s");
	print_uint(PRINT_JSON, "header_bytes", NULL, (unsigned int)r->start);
	print_uint(PRINT_JSON, "trailing_bytes", NULL, rom_valid(r) ?
		   (unsigned int)(r->file_size - r->end) : 0);
	if (r->has_target) {
		open_json_object("device");
		print_opt_string(PRINT_ANY, "address", "  for device %s", addr,
				 "?");
		print_uint(PRINT_ANY, "vendor", " (%04x", r->want_vendor);
		print_uint(PRINT_ANY, "device", ":%04x)\n", r->want_device);
		close_json_object();
	} else {
		print_null(PRINT_JSON, "device", NULL, NULL);
	}
	open_json_array("images");
	for (unsigned int i = 0; i < r->nimg; i++)
		print_image(&r->img[i], i);
	close_json_array();
	print_bool(PRINT_JSON, "uefi", NULL, r->uefi);
	print_bool(PRINT_JSON, "legacy", NULL, r->legacy);
	if (r->nimg) {
		print_text("  UEFI (OVMF) guests: %s\n", r->uefi ?
			   "yes, an EFI image for x64" : "no EFI image for x64");
		print_text("  legacy BIOS (SeaBIOS) guests: %s\n", r->legacy ?
			   "yes, a legacy x86 image" : "no legacy x86 image");
	}
	print_findings(r);
	print_bool(PRINT_JSON, "valid", NULL, !errors && r->nimg);
	if (!errors && r->nimg)
		print_text("valid option ROM\n");
	else
		print_text("INVALID option ROM: %u error%s\n", errors,
			   errors == 1 ? "" : "s");
	print_use(r, romfile, addr);
}
