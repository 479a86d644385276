/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_FILTER_H
#define PCIPASS_FILTER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* A set of class filters, one bit per name; 0 matches everything. */
typedef unsigned int class_mask_t;

int class_filter_parse(const char *spec, class_mask_t *mask);
bool class_filter_match(class_mask_t mask, uint32_t class);
void class_filter_help(FILE *f);

#endif
