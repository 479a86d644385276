/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_CMDLINE_H
#define PCIPASS_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/* The kernel command line split the way the kernel splits it: words
 * separated by blanks, double quotes group blanks into a word (and are
 * dropped), and a bare "--" ends the kernel's part (the rest is init's).
 */
struct cmdline_param {
	char *name;	/* as written, e.g. "vfio-pci.ids" */
	char *key;	/* '-' as '_', e.g. "vfio_pci.ids": the kernel matches
			 * parameter names treating them alike
			 */
	char *value;	/* NULL for a bare word, "" for "name=" */
};

struct cmdline {
	struct cmdline_param *v;
	size_t n;
};

void cmdline_parse(const char *s, struct cmdline *c);
void cmdline_free(struct cmdline *c);

/* Last occurrence of key (in its '_' form), NULL when absent. */
const struct cmdline_param *cmdline_find(const struct cmdline *c,
					 const char *key);

/* Options like intel_iommu=on,sm_on are comma lists the kernel applies in
 * order, each occurrence of the parameter after the previous one, and it
 * matches each option by prefix (strncmp).  Returns 1 when the last
 * decision was on, 0 for off, -1 when neither appears.  on or off may be
 * NULL.
 */
int cmdline_switch(const struct cmdline *c, const char *key, const char *on,
		   const char *off);

/* The same for one comma list, starting from state. */
int cmdline_opt_switch(const char *list, const char *on, const char *off,
		    int state);

/* Does the sep-separated list hold opt (matched by prefix, as above)? */
bool cmdline_opt_has(const char *list, const char *opt, char sep);

/* Value of "key=VALUE" in a comma-separated option list such as pci=;
 * malloc'ed, NULL when absent.
 */
char *cmdline_opt_value(const char *list, const char *key);

/* The kernel's kstrtobool(): y/Y/t/T/1/on true, n/N/f/F/0/off false.
 * Returns false when value is none of them.
 */
bool cmdline_kbool(const char *value, bool *out);

#endif
