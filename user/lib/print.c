// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <json.h>

#include "lib/print.h"
#include "lib/util.h"

/* Deep enough for device > acs > flags > bit, with room to spare. */
#define MAX_DEPTH 16

static struct {
	bool json;
	bool pretty;
	json_object *root;
	json_object *stack[MAX_DEPTH];
	int depth;
} P;

void print_set_json(bool json)
{
	P.json = json;
}

void print_set_pretty(bool pretty)
{
	P.pretty = pretty;
}

bool is_json_context(void)
{
	return P.json;
}

/* Ownership of v moves to the container, as json-c does it. */
static void json_add(const char *key, json_object *v)
{
	json_object *top;

	if (!P.depth) {
		/* A field outside any container is a programming error;
		 * dropping it keeps the document well formed.
		 */
		json_object_put(v);
		return;
	}
	top = P.stack[P.depth - 1];
	if (json_object_is_type(top, json_type_array))
		json_object_array_add(top, v);
	else
		json_object_object_add(top, key, v);
}

/* The stack only borrows: the root owns everything below it. */
static void json_push(const char *key, json_object *c)
{
	if (P.depth == MAX_DEPTH || (!P.depth && P.root)) {
		pp_err("internal error: unbalanced JSON output");
		abort();
	}
	if (!P.depth)
		P.root = c;
	else
		json_add(key, c);
	P.stack[P.depth++] = c;
}

static void json_pop(void)
{
	if (P.depth)
		P.depth--;
}

void open_json_object(const char *key)
{
	if (P.json)
		json_push(key, json_object_new_object());
}

void close_json_object(void)
{
	if (P.json)
		json_pop();
}

void open_json_array(const char *key)
{
	if (P.json)
		json_push(key, json_object_new_array());
}

void close_json_array(void)
{
	if (P.json)
		json_pop();
}

static bool want_text(enum output_type t, const char *fmt)
{
	return !P.json && (t & PRINT_FP) && fmt;
}

static bool want_json(enum output_type t)
{
	return P.json && (t & PRINT_JSON);
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *value)
{
	if (!value) {
		print_null(t, key, fmt, "");
		return;
	}
	if (want_json(t))
		json_add(key, json_object_new_string(value));
	else if (want_text(t, fmt))
		printf(fmt, value);
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned int value)
{
	if (want_json(t))
		json_add(key, json_object_new_int64(value));
	else if (want_text(t, fmt))
		printf(fmt, value);
}

void print_bool(enum output_type t, const char *key, const char *fmt,
		bool value)
{
	if (want_json(t))
		json_add(key, json_object_new_boolean(value));
	else if (want_text(t, fmt))
		printf(fmt, value ? "yes" : "no");
}

void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text)
{
	if (want_json(t))
		json_add(key, NULL);
	else if (want_text(t, fmt))
		printf(fmt, text);
}

void print_opt_string(enum output_type t, const char *key, const char *fmt,
		      const char *value, const char *absent)
{
	if (value)
		print_string(t, key, fmt, value);
	else
		print_null(t, key, fmt, absent);
}

void print_text(const char *fmt, ...)
{
	va_list ap;

	if (P.json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int print_flush(void)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

	if (!P.json || !P.root)
		return 0;
	flags |= P.pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			  : JSON_C_TO_STRING_PLAIN;
	if (puts(json_object_to_json_string_ext(P.root, flags)) == EOF)
		return -1;
	return 0;
}

void print_cleanup(void)
{
	P.depth = 0;
	json_object_put(P.root);
	P.root = NULL;
}
