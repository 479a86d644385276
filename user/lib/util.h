/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_UTIL_H
#define PCIPASS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* A numeric macro's value as a string literal, for help texts. */
#define PP_STR(x) PP_STR_(x)
#define PP_STR_(x) #x

/* Exit codes are part of the CLI contract: scripts tell "bad input" from
 * "system said no" by them.
 */
#define EXIT_ROM_INVALID_NUM 10	/* a number, for help texts */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	/* 3-5: the verdicts of "check" (verdict_exit()) */
	EXIT_REFUSED = 6,	/* claim: a safety or pre-flight check said no */
	EXIT_ATTENTION = 7,	/* claim/release could not be undone or
				 * finished: the host needs attention */
	EXIT_RUNNING = 8,	/* claim/release still running when the wait
				 * ended (--timeout, Ctrl-C) */
	EXIT_NOT_READY = 9,	/* host: a readiness check failed (1 stays
				 * "could not run") */
	EXIT_ROM_INVALID = EXIT_ROM_INVALID_NUM, /* rom: not a valid option ROM */
};

void pp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void die_oom(void) __attribute__((noreturn));
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* vasprintf() that exits on ENOMEM: the formatted text, to free(). */
char *xvasprintf(const char *fmt, va_list ap)
	__attribute__((format(printf, 1, 0)));
/* open_memstream() that exits on ENOMEM, for text built piecewise. */
FILE *xopen_memstream(char **buf, size_t *len);
/* Replaces file's contents atomically (temporary file, rename); 0 or -errno. */
int file_write_atomic(const char *file, const char *text);
/* CLOCK_MONOTONIC in seconds. */
double mono_now_s(void);
/* Formats the reason into why (size bytes) and returns err. */
int fail_why(int err, char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Control characters in @s (in place) replaced by '?', as ps(1) does: a
 * name another user chose (a process's comm or executable) must not
 * drive the operator's terminal nor break a line-based format.
 */
char *str_printable(char *s);

#endif
