// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>

#include "pci/acs.h"
#include "pci/pcie.h"

void acs_print(enum output_type t, const struct pp_acs *acs,
	       const char *absent)
{
	bool text = t & PRINT_FP;

	if (!acs) {
		print_null(t, "acs", "%s\n", absent);
		return;
	}
	open_json_object("acs");
	print_uint(t, "cap", "cap 0x%04x", acs->cap);
	print_uint(t, "ctrl", ", ctrl 0x%04x", acs->ctrl);
	print_uint(t, "pos", " (capability at 0x%03x)\n", acs->pos);
	open_json_object("flags");
	for (size_t i = 0; i < acs_nbits; i++) {
		const struct acs_bit *b = &acs_bits[i];

		open_json_object(b->name);
		/* print_text() knows no output_type: check has no such line */
		if (text)
			print_text("    %s  %-24s ", b->name, b->desc);
		print_bool(t, "cap", "capable: %-3s  ", acs->cap & b->mask);
		print_bool(t, "enabled", "enabled: %s\n", acs->ctrl & b->mask);
		close_json_object();
	}
	close_json_object();
	close_json_object();
}
