/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_TESTS_UNIT_H
#define PCIPASS_TESTS_UNIT_H

#include <stdio.h>

extern unsigned int passed, failed;

#define CHECK(cond, ...)						\
	do {								\
		if (cond) {						\
			passed++;					\
		} else {						\
			failed++;					\
			printf("FAIL %s:%d: ", __FILE__, __LINE__);	\
			printf(__VA_ARGS__);				\
			putchar('\n');					\
		}							\
	} while (0)

void test_claim(void);
void test_policy(void);
void test_persist(void);
void test_host_vfs(void);
void test_pve(void);
void test_acs(void);

/* Runs fn with stdout going to a temporary file, then print_flush(), so
 * that text and JSON output can be compared whole; returns what was
 * written (free it).
 */
char *capture(void (*fn)(const void *), const void *arg);
void test_wait_line(void);

#endif
