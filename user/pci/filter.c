// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/util.h"
#include "pci/filter.h"

/* Each entry is one "lspci -nn | grep" recipe: match the top bits of the
 * 24-bit class code (base class, or base class + subclass).
 */
struct class_filter {
	const char *name;
	uint32_t value;
	unsigned int shift;
	const char *desc;
};

static const struct class_filter filters[] = {
	{ "gpu", 0x03, 16, "display controllers (class 03xx)" },
	{ "net", 0x02, 16, "network controllers (class 02xx)" },
	{ "usb", 0x0c03, 8, "USB controllers (class 0c03)" },
	{ "storage", 0x01, 16, "mass storage controllers (class 01xx)" },
	{ "nvme", 0x0108, 8, "NVMe controllers (class 0108)" },
};

static int class_filter_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
		if (strlen(filters[i].name) == len &&
		    !strncasecmp(filters[i].name, name, len))
			return (int)i;
	return -1;
}

/* Accepts "gpu" or "gpu,usb": the union is what operators grep for when
 * they pass a GPU together with the USB controller their keyboard is on.
 */
int class_filter_parse(const char *spec, class_mask_t *mask)
{
	class_mask_t m = 0;
	const char *p = spec;

	for (;;) {
		size_t len = strcspn(p, ",");
		int i = class_filter_find(p, len);

		if (i < 0)
			return -1;
		m |= 1u << i;
		if (!p[len])
			break;
		p += len + 1;
	}
	*mask = m;
	return 0;
}

bool class_filter_match(class_mask_t mask, uint32_t class)
{
	if (!mask)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
		if ((mask & (1u << i)) &&
		    (class >> filters[i].shift) == filters[i].value)
			return true;
	return false;
}

void class_filter_help(FILE *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++)
		fprintf(f, "  %-9s %s\n", filters[i].name, filters[i].desc);
}
