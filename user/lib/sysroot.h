/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_SYSROOT_H
#define PCIPASS_SYSROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Every host fact `pcipass host` reads (/proc, /sys, /boot, /etc and
 * /lib/modules) goes through these helpers, so a test can point the whole
 * command at a fixture tree: PCIPASS_SYSROOT=DIR prefixes every absolute
 * path.  Unset or empty means the real root.  It is a test hook, not an
 * operator feature, and only the test build honours it (compiled with
 * PCIPASS_TEST_HOOKS: user/pcipass-test, tests/impact_run).  The shipped
 * binary always reads the real root and refuses to run with the variable
 * set (sysroot_refused()), so no answer mixes a fixture's facts with the
 * host's.
 */
#define SYSROOT_ENV "PCIPASS_SYSROOT"

/* "" for the real root; always "" in the shipped binary */
const char *sysroot_prefix(void);
/* The shipped binary: true, after saying so on stderr, when SYSROOT_ENV
 * is set and not empty.  The test build: always false.
 */
bool sysroot_refused(void);
/* path with the prefix, in buf; NULL with errno ENAMETOOLONG when it
 * does not fit, so that the wrappers below fail as open() would.
 */
const char *sysroot_path(const char *path, char *buf, size_t size);

bool sysroot_exists(const char *path);
bool sysroot_is_dir(const char *path);
FILE *sysroot_fopen(const char *path);
DIR *sysroot_opendir(const char *path);

/* Reads at most size - 1 bytes and NUL-terminates (binary-safe: the
 * length is returned).  Returns -errno on failure.
 */
ssize_t sysroot_read(const char *path, char *buf, size_t size);
/* First line of a sysfs/procfs attribute, trailing whitespace removed;
 * NULL when the file cannot be read.  Caller frees.
 */
char *sysroot_read_line(const char *path);

/* Names in a directory, sorted, without "." and ".."; *n = 0 and NULL
 * when the directory cannot be read.  Free with sysroot_free_names().
 */
char **sysroot_list(const char *dir, size_t *n);
void sysroot_free_names(char **names, size_t n);

#endif
