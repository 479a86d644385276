/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_ROM_H
#define PCIPASS_ROM_H

/*
 * PCI option ROMs (PCI Firmware Specification 3.x, 5.1; UEFI 2.x, 14.4.2):
 * a chain of images, each beginning with 0x55 0xAA and a pointer at 0x18
 * to its PCI Data Structure ("PCIR": vendor, device, class, the image's
 * length in 512-byte units, the code type, the last-image indicator).
 * rom_parse() is pure: it reads a buffer and says what is in it and what
 * is wrong with it; rom_print() says it (text and JSON from one path).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ROM_UNIT 512
#define ROM_MAX_IMAGES 16
#define ROM_MAX_IDS 32		/* a PCIR 3.0 device list, at most */
#define ROM_MAX_FINDINGS 32
#define ROM_FILE_MAX (64u << 20)	/* 64 MiB: read at most this much */

enum rom_code_type {
	ROM_CODE_X86 = 0,	/* legacy BIOS (SeaBIOS, a CSM) */
	ROM_CODE_OPENFIRMWARE = 1,
	ROM_CODE_HPPA = 2,
	ROM_CODE_EFI = 3,
};

#define EFI_ROM_SIGNATURE 0x0ef1
#define EFI_MACHINE_IA32 0x014c
#define EFI_MACHINE_X64 0x8664
#define EFI_MACHINE_AARCH64 0xaa64

/* What rom_parse() found wrong (errors: the ROM is invalid) or odd. */
enum rom_finding {
	ROM_NO_IMAGE,		/* no 0x55AA that begins an image with PCIR */
	ROM_BAD_PCIR,		/* PCIR pointer out of the image, or no "PCIR" */
	ROM_ZERO_LENGTH,	/* PCIR image length 0 */
	ROM_TRUNCATED,		/* an image runs past the end of the file */
	ROM_BAD_CHECKSUM,	/* a legacy image's bytes do not sum to 0 */
	ROM_BAD_EFI_HEADER,	/* an EFI image without signature 0x0EF1 */
	ROM_NO_LAST_IMAGE,	/* the file ends without an image marked last */
	ROM_TOO_MANY_IMAGES,
	ROM_ID_MISMATCH,	/* --for: not the device's vendor:device */
	/* warnings: the ROM is usable */
	ROM_VENDOR_HEADER,	/* bytes in front of the first image, stripped */
	ROM_TRAILING_DATA,	/* bytes after the last image */
	ROM_NO_UEFI_IMAGE,	/* no EFI x64 image: OVMF guests cannot run it */
	ROM_MIXED_IDS,		/* images for different vendor:device */
	ROM_FINDING_COUNT,
};

struct rom_finding_rec {
	enum rom_finding kind;
	int image;		/* index, -1: the file as a whole */
	char msg[200];
};

struct rom_image {
	size_t offset;		/* from the start of the file */
	size_t length;		/* PCIR image length * 512 */
	unsigned int init_size;	/* byte 2 (legacy; EFI: 16 bits) * 512 */
	unsigned int pcir_offset;	/* within the image */
	uint16_t vendor, device;
	uint16_t ids[ROM_MAX_IDS];	/* PCIR 3.0 device list, 0-terminated */
	unsigned int nids;
	uint32_t class_code;
	unsigned int pcir_revision;
	unsigned int code_type;
	unsigned int code_revision;
	bool last;
	bool has_checksum;	/* legacy x86 images */
	unsigned int checksum;	/* the bytes' sum mod 256; 0 is right */
	bool efi;		/* code type 3 with a valid EFI header */
	unsigned int efi_subsystem, efi_machine, efi_compression;
	unsigned int efi_image_offset;
};

struct rom_report {
	size_t file_size;
	size_t start;		/* bytes of vendor header stripped */
	size_t end;		/* end of the last image parsed */
	struct rom_image img[ROM_MAX_IMAGES];
	unsigned int nimg;
	struct rom_finding_rec f[ROM_MAX_FINDINGS];
	unsigned int nf;
	bool has_target;	/* --for / save: the device's IDs */
	uint16_t want_vendor, want_device;
	bool uefi;		/* an EFI x64 image */
	bool legacy;		/* a legacy x86 image */
};

/* Parses buf (len bytes).  With want (non-NULL: vendor, device), also
 * checks that every image is for that device.
 */
void rom_parse(const uint8_t *buf, size_t len, const uint16_t *want,
	       struct rom_report *r);
bool rom_valid(const struct rom_report *r);
bool rom_finding_is_error(enum rom_finding k);
const char *rom_finding_key(enum rom_finding k);
const char *rom_code_type_key(unsigned int t);
const char *rom_efi_machine_key(unsigned int m);
const char *rom_efi_subsystem_key(unsigned int s);

/* The whole document's fields in the caller's open JSON object: file,
 * sizes, images, findings, what guests can use it, and the Proxmox and
 * libvirt lines naming romfile (its base name) under /usr/share/kvm/ and
 * addr (NULL: "ADDR"); romfile NULL: none, the file needs stripping.
 */
void rom_print(const struct rom_report *r, const char *file,
	       const char *romfile, const char *addr);

#endif
