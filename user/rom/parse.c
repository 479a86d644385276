// SPDX-License-Identifier: GPL-2.0
/*
 * The option ROM's image chain, as firmware walks it: SeaBIOS
 * (src/optionroms.c) and EDK2's PCI bus driver both start at the ROM's
 * first byte, take each image's length from its PCIR and stop at the
 * image whose indicator has bit 7 set.  Offsets within an image:
 *   0x00 0x55 0xAA; 0x02 initialization size / 512 (EFI: 16 bits);
 *   EFI only: 0x04 signature 0x0EF1, 0x08 subsystem, 0x0A machine type,
 *   0x0C compression type, 0x16 offset of the EFI (PE) image;
 *   0x18 offset of the PCIR.
 * PCIR: 0x00 "PCIR", 0x04 vendor, 0x06 device, 0x08 device list pointer
 * (revision 3), 0x0A its length, 0x0C revision, 0x0D class code,
 * 0x10 image length / 512, 0x12 code revision, 0x14 code type,
 * 0x15 indicator (bit 7: last image).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rom/rom.h"

#define PCIR_MIN_LEN 0x18
#define HDR_PCIR_PTR 0x18
#define HDR_MIN_LEN 0x1a

static unsigned int le16(const uint8_t *p)
{
	return p[0] | p[1] << 8;
}

static void finding(struct rom_report *r, enum rom_finding k, int image,
		    const char *fmt, ...)
{
	struct rom_finding_rec *f;
	va_list ap;

	if (r->nf >= ROM_MAX_FINDINGS)
		return;
	f = &r->f[r->nf++];
	f->kind = k;
	f->image = image;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

bool rom_finding_is_error(enum rom_finding k)
{
	return k < ROM_VENDOR_HEADER;
}

bool rom_valid(const struct rom_report *r)
{
	for (unsigned int i = 0; i < r->nf; i++)
		if (rom_finding_is_error(r->f[i].kind))
			return false;
	return r->nimg > 0;
}

/* The PCIR offset of an image at off, or 0 when there is none. */
static unsigned int pcir_at(const uint8_t *b, size_t len, size_t off)
{
	unsigned int p;

	if (len < HDR_MIN_LEN || off > len - HDR_MIN_LEN ||
	    b[off] != 0x55 || b[off + 1] != 0xaa)
		return 0;
	p = le16(b + off + HDR_PCIR_PTR);
	if (p < HDR_MIN_LEN || off + p + PCIR_MIN_LEN > len ||
	    memcmp(b + off + p, "PCIR", 4))
		return 0;
	return p;
}

/* 0x55AA at off, but its PCIR pointer points past the end of the file. */
static bool past_end(const uint8_t *b, size_t len, size_t off)
{
	if (off + 2 > len || b[off] != 0x55 || b[off + 1] != 0xaa)
		return false;
	return len - off < HDR_MIN_LEN ||
	       off + le16(b + off + HDR_PCIR_PTR) + PCIR_MIN_LEN > len;
}

static void device_list(const uint8_t *b, struct rom_image *im,
			size_t img_end)
{
	size_t q = im->offset + im->pcir_offset;
	unsigned int ptr = le16(b + q + 8);

	if (im->pcir_revision < 3 || !ptr)
		return;
	for (q += ptr; q + 2 <= img_end && im->nids < ROM_MAX_IDS - 1; q += 2) {
		unsigned int id = le16(b + q);

		if (!id)
			break;
		im->ids[im->nids++] = id;
	}
}

static void efi_header(const uint8_t *b, struct rom_report *r,
		       struct rom_image *im, int n)
{
	const uint8_t *h = b + im->offset;

	if (le16(h + 4) != EFI_ROM_SIGNATURE) {
		finding(r, ROM_BAD_EFI_HEADER, n,
			"image %d: code type 3 (EFI) but no EFI signature 0x0EF1 at offset 4 (0x%04x)",
			n, le16(h + 4));
		return;
	}
	im->efi = true;
	im->init_size = le16(h + 2) * ROM_UNIT;
	im->efi_subsystem = le16(h + 8);
	im->efi_machine = le16(h + 0xa);
	im->efi_compression = le16(h + 0xc);
	im->efi_image_offset = le16(h + 0x16);
}

static void checksum(const uint8_t *b, struct rom_report *r,
		     struct rom_image *im, int n)
{
	unsigned int sum = 0;

	for (size_t i = 0; i < im->length; i++)
		sum += b[im->offset + i];
	im->has_checksum = true;
	im->checksum = sum & 0xff;
	if (im->checksum)
		finding(r, ROM_BAD_CHECKSUM, n,
			"image %d: bad checksum: its %zu bytes sum to 0x%02x (mod 256), not 0; a BIOS skips it",
			n, im->length, im->checksum);
}

/* Parses the image at off; false when the chain cannot go on. */
static bool parse_image(const uint8_t *b, size_t len, size_t off,
			struct rom_report *r)
{
	int n = (int)r->nimg;
	struct rom_image *im = &r->img[r->nimg];
	unsigned int p = pcir_at(b, len, off);
	const uint8_t *pcir;

	if (!p && past_end(b, len, off)) {
		finding(r, ROM_TRUNCATED, n,
			"image %d at 0x%zx: truncated: the file ends (%zu bytes) before its header and PCIR",
			n, off, len);
		return false;
	}
	if (!p) {
		finding(r, ROM_BAD_PCIR, n,
			"image %d at 0x%zx: 0x55AA but no PCI Data Structure (\"PCIR\") where the pointer at 0x18 points",
			n, off);
		return false;
	}
	r->nimg++;
	memset(im, 0, sizeof(*im));
	pcir = b + off + p;
	im->offset = off;
	im->pcir_offset = p;
	im->vendor = le16(pcir + 4);
	im->device = le16(pcir + 6);
	im->pcir_revision = pcir[0xc];
	im->class_code = pcir[0xd] | pcir[0xe] << 8 | pcir[0xf] << 16;
	im->length = (size_t)le16(pcir + 0x10) * ROM_UNIT;
	im->code_revision = le16(pcir + 0x12);
	im->code_type = pcir[0x14];
	im->last = pcir[0x15] & 0x80;
	im->init_size = b[off + 2] * ROM_UNIT;
	if (!im->length) {
		finding(r, ROM_ZERO_LENGTH, n,
			"image %d: PCIR image length 0", n);
		return false;
	}
	if (im->length > len - off) {
		finding(r, ROM_TRUNCATED, n,
			"image %d: truncated: PCIR says %zu bytes (%zu x 512) from 0x%zx, the file ends %zu bytes into it (%zu short)",
			n, im->length, im->length / ROM_UNIT, off, len - off,
			im->length - (len - off));
		return false;
	}
	device_list(b, im, off + im->length);
	if (im->code_type == ROM_CODE_X86)
		checksum(b, r, im, n);
	else if (im->code_type == ROM_CODE_EFI)
		efi_header(b, r, im, n);
	return true;
}

static bool id_matches(const struct rom_image *im, unsigned int vendor,
		       unsigned int device)
{
	if (im->vendor != vendor)
		return false;
	if (im->device == device)
		return true;
	for (unsigned int i = 0; i < im->nids; i++)
		if (im->ids[i] == device)
			return true;
	return false;
}

static void check_ids(struct rom_report *r)
{
	for (unsigned int i = 0; i < r->nimg; i++) {
		const struct rom_image *im = &r->img[i];

		if (r->has_target &&
		    !id_matches(im, r->want_vendor, r->want_device))
			finding(r, ROM_ID_MISMATCH, (int)i,
				"image %u is for %04x:%04x%s, the device is %04x:%04x: firmware skips a ROM whose PCIR IDs are not the device's",
				i, im->vendor, im->device,
				im->nids ? " (and its device list)" : "",
				r->want_vendor, r->want_device);
		else if (!r->has_target && i &&
			 !id_matches(im, r->img[0].vendor, r->img[0].device))
			finding(r, ROM_MIXED_IDS, (int)i,
				"image %u is for %04x:%04x, image 0 for %04x:%04x",
				i, im->vendor, im->device, r->img[0].vendor,
				r->img[0].device);
	}
}

void rom_parse(const uint8_t *b, size_t len, const uint16_t *want,
	       struct rom_report *r)
{
	size_t off;

	memset(r, 0, sizeof(*r));
	r->file_size = len;
	if (want) {
		r->has_target = true;
		r->want_vendor = want[0];
		r->want_device = want[1];
	}
	for (off = 0; off < len && !pcir_at(b, len, off); off++)
		;
	if (off >= len && past_end(b, len, 0)) {
		finding(r, ROM_TRUNCATED, -1,
			"truncated: the file begins with 0x55AA, but ends (%zu bytes) before the image's header and PCIR",
			len);
		return;
	}
	if (off >= len) {
		finding(r, ROM_NO_IMAGE, -1,
			"no option ROM image: no 0x55AA signature followed by a PCI Data Structure (\"PCIR\")%s",
			len ? "" : " (the file is empty)");
		return;
	}
	r->start = off;
	if (off)
		finding(r, ROM_VENDOR_HEADER, -1,
			"%zu bytes (0x%zx) in front of the first image, a vendor header (NVIDIA's tools write one): stripped; firmware and QEMU need the file without it",
			off, off);
	for (;;) {
		const struct rom_image *im;

		if (r->nimg == ROM_MAX_IMAGES) {
			finding(r, ROM_TOO_MANY_IMAGES, -1,
				"more than %d images without one marked last",
				ROM_MAX_IMAGES);
			break;
		}
		if (r->nimg && !pcir_at(b, len, off) &&
		    (off >= len - 1 || b[off] != 0x55 || b[off + 1] != 0xaa)) {
			finding(r, ROM_NO_LAST_IMAGE, (int)r->nimg - 1,
				"image %u is not marked last (PCIR indicator bit 7) but %s",
				r->nimg - 1, off >= len ? "the file ends after it" :
				"no image follows it");
			break;
		}
		if (!parse_image(b, len, off, r))
			break;
		im = &r->img[r->nimg - 1];
		off += im->length;
		r->end = off;
		if (im->last)
			break;
	}
	check_ids(r);
	for (unsigned int i = 0; i < r->nimg; i++) {
		const struct rom_image *im = &r->img[i];

		r->uefi |= im->efi && im->efi_machine == EFI_MACHINE_X64;
		r->legacy |= im->code_type == ROM_CODE_X86;
	}
	if (!rom_valid(r))
		return;
	if (r->end < len)
		finding(r, ROM_TRAILING_DATA, -1,
			"%zu bytes after the last image (padding or the ROM chip's other contents): firmware ignores them",
			len - r->end);
	if (!r->uefi)
		finding(r, ROM_NO_UEFI_IMAGE, -1,
			"no EFI image for x64: UEFI (OVMF) guests cannot run this ROM, only legacy BIOS (SeaBIOS) guests");
}

const char *rom_finding_key(enum rom_finding k)
{
	static const char *const keys[ROM_FINDING_COUNT] = {
		[ROM_NO_IMAGE] = "no_image",
		[ROM_BAD_PCIR] = "bad_pcir",
		[ROM_ZERO_LENGTH] = "zero_length",
		[ROM_TRUNCATED] = "truncated",
		[ROM_BAD_CHECKSUM] = "bad_checksum",
		[ROM_BAD_EFI_HEADER] = "bad_efi_header",
		[ROM_NO_LAST_IMAGE] = "no_last_image",
		[ROM_TOO_MANY_IMAGES] = "too_many_images",
		[ROM_ID_MISMATCH] = "id_mismatch",
		[ROM_VENDOR_HEADER] = "vendor_header",
		[ROM_TRAILING_DATA] = "trailing_data",
		[ROM_NO_UEFI_IMAGE] = "no_uefi_image",
		[ROM_MIXED_IDS] = "mixed_ids",
	};

	return k < ROM_FINDING_COUNT ? keys[k] : "unknown";
}

const char *rom_code_type_key(unsigned int t)
{
	switch (t) {
	case ROM_CODE_X86: return "x86";
	case ROM_CODE_OPENFIRMWARE: return "openfirmware";
	case ROM_CODE_HPPA: return "hppa";
	case ROM_CODE_EFI: return "efi";
	default: return "other";
	}
}

const char *rom_efi_machine_key(unsigned int m)
{
	switch (m) {
	case EFI_MACHINE_IA32: return "ia32";
	case EFI_MACHINE_X64: return "x64";
	case EFI_MACHINE_AARCH64: return "aarch64";
	case 0x0200: return "ia64";
	case 0x0ebc: return "ebc";
	case 0x01c2: return "arm";
	case 0x5064: return "riscv64";
	case 0x6264: return "loongarch64";
	default: return "other";
	}
}

const char *rom_efi_subsystem_key(unsigned int s)
{
	switch (s) {
	case 10: return "application";
	case 11: return "boot_service_driver";
	case 12: return "runtime_driver";
	default: return "other";
	}
}
