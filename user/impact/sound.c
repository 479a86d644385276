// SPDX-License-Identifier: GPL-2.0
/* ALSA sound cards of a function (a GPU's HDMI audio, an onboard codec). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "impact/impact_int.h"
#include "lib/syspath.h"
#include "lib/sysroot.h"
#include "lib/util.h"

void impact_sound_gather(struct imp_func *f)
{
	size_t n;
	char **names = sysroot_list("/sys/class/sound", &n);

	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct imp_sound *s;
		unsigned int card;
		char *real, end;

		/* card0, not controlC0 or pcmC0D0p */
		if (sscanf(names[i], "card%u%c", &card, &end) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/class/sound/%s/device",
			 names[i]);
		real = syspath_resolve(path);
		if (real && syspath_under(real, f->path)) {
			s = VEC_PUSH(f->snd, f->nsnd);
			s->card = card;
			snprintf(path, sizeof(path), "/sys/class/sound/%s/id",
				 names[i]);
			s->id = sysroot_read_line(path);
		}
		free(real);
	}
	sysroot_free_names(names, n);
}
