/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_COLOR_H
#define PCIPASS_COLOR_H

#include <stdbool.h>

/* Colour in text output, restrained as `ip -c` is: only what an operator
 * scans for (a group's state, where a group starts).  JSON never has any.
 */
enum color_mode {
	COLOR_AUTO,	/* stdout a terminal, TERM set and not "dumb", no NO_COLOR */
	COLOR_ALWAYS,	/* also into pipes, and despite NO_COLOR */
	COLOR_NEVER,
};

/* What is coloured; each has one SGR sequence. */
enum color_role {
	COLOR_GROUP,	/* "IOMMU group 12": where a group starts */
	COLOR_VFIO,	/* state vfio: ready for passthrough */
	COLOR_HOST,	/* state host: in use by the host */
	COLOR_BLOCKED,	/* state partial: VFIO refuses the group */
};

/* "auto", "always", "never"; -1 for anything else. */
int color_mode_parse(const char *s, enum color_mode *mode);
/* The whole rule, pure: no_color is the NO_COLOR variable (NULL: unset),
 * term is TERM (NULL: unset).  An explicit "always" beats NO_COLOR, as
 * no-color.org asks of a user's own choice; JSON output never has colour.
 */
bool color_wanted(enum color_mode mode, bool json, bool stdout_tty,
		  const char *term, const char *no_color);
/* Decides from this process's stdout and environment; off until called. */
void color_setup(enum color_mode mode);
/* The SGR sequence that starts role, and the one that ends it; "" when
 * colour is off, so callers print them unconditionally.
 */
const char *color_on(enum color_role role);
const char *color_off(void);

#endif
