/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CHECK_PRINT_INT_H
#define PCIPASS_CHECK_PRINT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check/check.h"

/* Shared by the check/print*.c files only: the sections check_print()
 * calls from the other two files, and the lookups and pieces of
 * check/print.c that more than one of the three uses.
 */

#define WORDS_LEN 1024		/* a sentence: verdict, fix, reason, cause */
#define LIST_LEN 256		/* a list of addresses */

/* check/print_verdict.c */
void check_print_verdict(const struct check *c);
void check_print_readiness(const struct check *c);
void check_print_reasons(const struct check *c);

/* check/print_path.c */
void check_print_path(const struct check *c);

/* check/print.c: lookups in the fetched paths and functions, and words */
const struct pp_hop *check_find_hop(const struct check *c,
				    const struct pp_addr *a);
enum check_role check_role_of(const struct check *c, const struct pp_addr *a);
const char *check_role_key(enum check_role r);
const char *check_type_words(const struct check *c, const struct pp_addr *a);
const char *check_cmdline_acs_param(const struct check *c,
				    const struct pp_addr *a);
void check_list_words(const struct pp_addrlist *l, size_t max, char *buf,
		      size_t size);

/* check/print.c: JSON-only pieces */
void check_print_addr_array(const char *key, const struct pp_addrlist *l);
void check_print_acs_missing(uint16_t missing);
void check_print_opt_addr(const char *key, bool has, const struct pp_addr *a);

#endif
