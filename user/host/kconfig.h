/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_KCONFIG_H
#define PCIPASS_KCONFIG_H

/* A symbol of the running kernel's build configuration, from
 * /boot/config-RELEASE (what Debian and most distributions install):
 * 'y', 'm', 'n' ("is not set"), or 0 when the file or the symbol is not
 * there.  sym includes the CONFIG_ prefix.
 */
char kconfig_get(const char *release, const char *sym);

#endif
