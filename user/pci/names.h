/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_NAMES_H
#define PCIPASS_NAMES_H

#include "nl/device.h"

#define NAME_LEN 256

/* Names from the PCI ID database; NULL where the database has no entry, so
 * JSON can say null and text can fall back to numbers.
 */
struct pp_names {
	const char *vendor;
	const char *device;
	const char *subsystem_vendor;
	const char *subsystem_device;
	const char *class;
	const char *prog_if;
	char buf[6][NAME_LEN];
};

void names_lookup(const struct pp_device *d, struct pp_names *n);
void names_cleanup(void);

#endif
