/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_DEVPRINT_H
#define PCIPASS_DEVPRINT_H

#include <stdbool.h>

#include "nl/device.h"
#include "pci/names.h"

/* The one-line device form shared by "list" and the group members in
 * "show", so both read (and parse) the same.
 */
enum row_mark {
	ROW_NO_MARK,		/* no filter: nothing to mark */
	ROW_MARK_MATCH,		/* filter active: flag whether this one matched */
};

void print_device_row(const struct pp_device *d, bool matched,
		      enum row_mark mark);
void print_text_description(const struct pp_device *d,
			    const struct pp_names *n);
/* Without the class: what lspci -tv prints after a function. */
void print_text_vendor_device(const struct pp_device *d,
			      const struct pp_names *n);
void print_json_names(const struct pp_names *n, bool full);

#endif
