/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PRINT_H
#define PCIPASS_PRINT_H

#include <stdbool.h>

/* One call per field, in the style of iproute2's json_print.h: the call
 * names the JSON key and the text format, and the mode picks which one is
 * produced.  Text and JSON output therefore come from the same code path
 * and cannot drift apart.
 *
 * In text mode a NULL format prints nothing; in JSON mode the key is ignored
 * inside arrays.
 */
enum output_type {
	PRINT_FP = 1,		/* text only */
	PRINT_JSON = 2,		/* JSON only */
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

void print_set_json(bool json);
void print_set_pretty(bool pretty);
bool is_json_context(void);

void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value);
void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value);
/* JSON null; in text, fmt is printed with the given placeholder text. */
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text);
/* value, or null / text placeholder when value is NULL */
void print_opt_string(enum output_type t, const char *key, const char *fmt,
		      const char *value, const char *absent);
void print_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes the finished JSON document; no-op in text mode. */
int print_flush(void);
void print_cleanup(void);

#endif
