// SPDX-License-Identifier: GPL-2.0
#include "lib/print.h"
#include "pci/devprint.h"

/* lspci's wording for a device it has no name for, so output stays
 * familiar and greppable.
 */
void print_text_description(const struct pp_device *d,
			    const struct pp_names *n)
{
	if (n->class)
		print_text("%s: ", n->class);
	else
		print_text("Class %04x: ", d->class >> 8);
	print_text_vendor_device(d, n);
}

void print_text_vendor_device(const struct pp_device *d,
			      const struct pp_names *n)
{
	if (!n->vendor)		/* lspci: "Device 1234:1111" */
		print_text("Device %04x:%04x", d->vendor, d->device);
	else if (n->device)
		print_text("%s %s", n->vendor, n->device);
	else
		print_text("%s Device %04x", n->vendor, d->device);
}

void print_json_names(const struct pp_names *n, bool full)
{
	print_opt_string(PRINT_JSON, "vendor_name", NULL, n->vendor, NULL);
	print_opt_string(PRINT_JSON, "device_name", NULL, n->device, NULL);
	print_opt_string(PRINT_JSON, "class_name", NULL, n->class, NULL);
	if (!full)
		return;
	print_opt_string(PRINT_JSON, "prog_if_name", NULL, n->prog_if, NULL);
	print_opt_string(PRINT_JSON, "subsystem_vendor_name", NULL,
			 n->subsystem_vendor, NULL);
	print_opt_string(PRINT_JSON, "subsystem_device_name", NULL,
			 n->subsystem_device, NULL);
}

void print_device_row(const struct pp_device *d, bool matched,
		      enum row_mark mark)
{
	char addr[ADDR_STRLEN];
	struct pp_names n;

	names_lookup(d, &n);
	open_json_object(NULL);
	print_text("  %c ", mark == ROW_MARK_MATCH && matched ? '*' : ' ');
	print_string(PRINT_ANY, "address", "%s ", addr_fmt(&d->addr, addr));
	print_uint(PRINT_ANY, "vendor", "[%04x:", d->vendor);
	print_uint(PRINT_ANY, "device", "%04x] ", d->device);
	print_uint(PRINT_JSON, "class", NULL, d->class);
	print_uint(PRINT_JSON, "header_type", NULL, d->header_type);
	print_opt_string(PRINT_ANY, "driver", "%-13s ", d->driver,
			 d->driver_busy ? "?" : "-");
	print_bool(PRINT_JSON, "driver_busy", NULL, d->driver_busy);
	print_bool(PRINT_JSON, "matched", NULL, matched);
	print_json_names(&n, false);
	print_text_description(d, &n);
	print_text("\n");
	close_json_object();
}
