// SPDX-License-Identifier: GPL-2.0
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/kconfig.h"
#include "lib/sysroot.h"

static char match_line(const char *line, const char *sym)
{
	size_t n = strlen(sym);

	if (!strncmp(line, sym, n) && line[n] == '=')
		return line[n + 1] == 'y' || line[n + 1] == 'm' ? line[n + 1] : 0;
	if (!strncmp(line, "# ", 2) && !strncmp(line + 2, sym, n) &&
	    !strcmp(line + 2 + n, " is not set\n"))
		return 'n';
	return 0;
}

char kconfig_get(const char *release, const char *sym)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	char val = 0;
	FILE *f;

	if (!release)
		return 0;
	snprintf(path, sizeof(path), "/boot/config-%s", release);
	f = sysroot_fopen(path);
	if (!f)
		return 0;
	while (!val && getline(&line, &cap, f) > 0)
		val = match_line(line, sym);
	free(line);
	fclose(f);
	return val;
}
