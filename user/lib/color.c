// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/color.h"
#include "lib/print.h"
#include "lib/util.h"

/* The words of --color, in enum order (completion/pcipass offers them). */
static const char *const color_modes[] = { "auto", "always", "never" };

/* Bold for structure, the three traffic-light colours for states: few
 * enough to mean something at a glance, and readable on dark and light
 * backgrounds alike.
 */
static const char *const sgr[] = {
	[COLOR_GROUP] = "\033[1m",
	[COLOR_VFIO] = "\033[32m",
	[COLOR_HOST] = "\033[33m",
	[COLOR_BLOCKED] = "\033[1;31m",
};

static bool enabled;

int color_mode_parse(const char *s, enum color_mode *mode)
{
	for (size_t i = 0; i < ARRAY_SIZE(color_modes); i++) {
		if (!strcmp(s, color_modes[i])) {
			*mode = (enum color_mode)i;
			return 0;
		}
	}
	return -1;
}

bool color_wanted(enum color_mode mode, bool json, bool stdout_tty,
		  const char *term, const char *no_color)
{
	if (json || mode == COLOR_NEVER)
		return false;
	if (mode == COLOR_ALWAYS)
		return true;
	/* no-color.org: set and not empty disables it */
	if (no_color && *no_color)
		return false;
	return stdout_tty && term && *term && strcmp(term, "dumb");
}

void color_setup(enum color_mode mode)
{
	enabled = color_wanted(mode, is_json_context(), isatty(STDOUT_FILENO),
			       getenv("TERM"), getenv("NO_COLOR"));
}

const char *color_on(enum color_role role)
{
	return enabled ? sgr[role] : "";
}

const char *color_off(void)
{
	return enabled ? "\033[0m" : "";
}
