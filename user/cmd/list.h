/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CMD_LIST_H
#define PCIPASS_CMD_LIST_H

#include <stdbool.h>

#include "lib/color.h"
#include "nl/device.h"
#include "pci/filter.h"

/* `pcipass list`, split so that tests/list_run can drive its option
 * parsing and printing with devices read from a fixture's sysfs instead
 * of the module's dump.
 */
struct list_opts {
	class_mask_t mask;
	const char *spec;	/* --class as given */
	bool tree;
	enum color_mode color;
};

/* -1 to go on, else the exit status (help, a usage error). */
int list_parse(int argc, char **argv, struct list_opts *o);
/* Prints l (reordered) as the options ask; colour is set up here. */
void list_print(struct pp_devlist *l, const struct list_opts *o);

/* cmd/list_tree.c: the --tree form. */
void list_print_tree(struct pp_devlist *l, const struct list_opts *o);
/* The state word, coloured when colour is on (both forms print it). */
void list_print_state(const char *key, const char *fmt, int state);

#endif
