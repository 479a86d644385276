/* SPDX-License-Identifier: GPL-2.0 */
#ifndef PCIPASS_PROGRESS_H
#define PCIPASS_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A line on stderr that says what a command waits for and for how long,
 * "waiting 7 s: unbind 0000:01:00.0 from nvidia", rewritten in place and
 * cleared when the wait ends.  Only when stderr is a terminal and the
 * output is not JSON: pipes and logs get nothing of it.  A wait shorter
 * than a second shows nothing, so quick claims do not flicker.
 */
#define PROGRESS_MAX 160

struct progress {
	bool on;
	double start;		/* mono_now_s() at progress_start() */
	size_t shown;		/* columns on the terminal now */
	char line[PROGRESS_MAX];
};

void progress_start(struct progress *p);
/* what: the thing waited for, as the wait now stands. */
void progress_update(struct progress *p, const char *what);
/* Clears the line (if one was shown): the caller's output follows. */
void progress_end(struct progress *p);

/* Pure: "waiting SECS s: WHAT" in buf, cut to fit width columns (the
 * terminal's: a wrapped line could not be rewritten in place).
 */
const char *progress_line(char *buf, size_t size, unsigned int secs,
			  const char *what, size_t width);

#endif
