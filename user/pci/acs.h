/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_ACS_H
#define PCIPASS_ACS_H

#include "lib/print.h"
#include "nl/device.h"

/* The "acs" member of show's devices and of check's path hops, built in
 * one place because README-json.md promises check's object is the one
 * of show: null when there is no capability to read (acs NULL), else the
 * registers and every flag decoded.
 *
 * t is PRINT_ANY for show, whose text lists the registers and one line
 * per flag (absent: the text in place of null), and PRINT_JSON for check,
 * which draws a compact line of its own (check/print_path.c).
 */
void acs_print(enum output_type t, const struct pp_acs *acs,
	       const char *absent);

#endif
